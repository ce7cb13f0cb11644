/* The checksums of a byte range of a file, from one read of it: what a
 * request whose body is streamed from the file must announce before its
 * first byte goes out (CRC-64 for OSS, CRC-32C/CRC-32 or MD5 for S3). */
#ifndef OSSIO__UTIL_FILE_SUMS_H
#define OSSIO__UTIL_FILE_SUMS_H

#include <stdint.h>

#include "ossio.h"

typedef struct ossio__file_sums {
    /* what to compute */
    int want_crc64;
    int crc32_kind; /* an ossio__crc32_kind, or -1: none */
    int want_md5;
    /* the results */
    uint64_t crc64;
    uint32_t crc32;
    char md5_b64[32]; /* base64 of the MD5 (Content-MD5's form) */
} ossio__file_sums;

/* Reads [off, off+len) of |fd| with pread and computes what |s| asks.
 * OSSIO_OK; OSSIO_EIO when the file is shorter or unreadable (errno kept);
 * OSSIO_ENOMEM. */
ossio_status ossio__file_sums_read(int fd, uint64_t off, uint64_t len, ossio__file_sums *s);

#endif /* OSSIO__UTIL_FILE_SUMS_H */
