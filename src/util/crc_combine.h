/* Combining CRCs of adjacent pieces without their data (as zlib's
 * crc32_combine), for any reflected CRC of width 32 or 64: CRC(A B) is
 * CRC(A) times x^(8 len(B)) mod P, plus CRC(B). One implementation serves
 * CRC-64/ECMA (OSS) and CRC-32C/CRC-32 (S3). */
#ifndef OSSIO__UTIL_CRC_COMBINE_H
#define OSSIO__UTIL_CRC_COMBINE_H

#include <stdint.h>

/* A CRC's polynomial ring: the reflected polynomial, its width, and x^(2^k)
 * mod P for k = 0..66 (byte lengths up to 2^64 - 1 need k = 3..66). */
typedef struct ossio__crc_ring {
    uint64_t poly_refl; /* e.g. 0xc96c5795d7870f42 (CRC-64/ECMA), 0x82f63b78 (CRC-32C) */
    unsigned width;     /* 32 or 64 */
    uint64_t x2n[67];
} ossio__crc_ring;

/* Fills |r|'s table: 67 squarings, so callers do it once (pthread_once). */
void ossio__crc_ring_init(ossio__crc_ring *r, uint64_t poly_refl, unsigned width);

/* The CRC of A followed by B from CRC(A), CRC(B) and len(B) in bytes;
 * O(log len2) multiplications. |r| is only read: thread-safe. */
uint64_t ossio__crc_ring_combine(const ossio__crc_ring *r, uint64_t crc1, uint64_t crc2,
                                 uint64_t len2);

#endif /* OSSIO__UTIL_CRC_COMBINE_H */
