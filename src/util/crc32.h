/* CRC-32C (Castagnoli, iSCSI) and CRC-32 (IEEE, gzip): the checksums of S3's
 * x-amz-checksum-crc32c / -crc32, computed by ISA-L; and their combine. */
#ifndef OSSIO__UTIL_CRC32_H
#define OSSIO__UTIL_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* The two reflected polynomials S3 names (x-amz-checksum-<name>). */
typedef enum ossio__crc32_kind {
    OSSIO__CRC32C, /* Castagnoli 0x1EDC6F41 */
    OSSIO__CRC32   /* IEEE 802.3 0x04C11DB7 */
} ossio__crc32_kind;

/* Updates the CRC of a byte stream with |len| more bytes at |buf|: start
 * with |crc| = 0 and chain the return value (the standard value: pre and
 * post inverted, so CRC32C("123456789") == 0xe3069283). */
uint32_t ossio__crc32_update(ossio__crc32_kind kind, uint32_t crc, const void *buf, size_t len);

/* The CRC of A followed by B from CRC(A), CRC(B) and len(B), without the
 * data; O(log len2). Thread-safe. */
uint32_t ossio__crc32_combine(ossio__crc32_kind kind, uint32_t crc1, uint32_t crc2, uint64_t len2);

/* S3's header form: base64 of the 4 big-endian bytes (8 characters + NUL). */
void ossio__crc32_base64(uint32_t crc, char out[9]);

/* Parses S3's header form; 0 if |s| is not exactly one full-object
 * checksum (a composite "<b64>-<parts>" value is not). */
int ossio__crc32_parse_base64(const char *s, uint32_t *crc);

#endif /* OSSIO__UTIL_CRC32_H */
