/* One pread pass over a file range computing the checksums a streamed body
 * must announce (util/file_sums.h). */
#include "util/file_sums.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/crc32.h"

/* Read size per pread: large enough that the syscalls cost nothing next to
 * the checksums, small enough to stay in the L2 cache. */
#define CHUNK (256 * 1024)

static ossio_status sum_chunks(int fd, uint64_t off, uint64_t len, ossio__file_sums *s,
                               uint8_t *buf, EVP_MD_CTX *md)
{
    uint64_t done = 0;
    while (done < len) {
        size_t want = len - done < CHUNK ? (size_t)(len - done) : CHUNK;
        ssize_t n = pread(fd, buf, want, (off_t)(off + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (n == 0) {
                errno = 0; /* shorter than the range */
            }
            return OSSIO_EIO;
        }
        if (s->want_crc64) {
            s->crc64 = ossio_crc64(s->crc64, buf, (size_t)n);
        }
        if (s->crc32_kind >= 0) {
            s->crc32 =
                ossio__crc32_update((ossio__crc32_kind)s->crc32_kind, s->crc32, buf, (size_t)n);
        }
        if (md != NULL && EVP_DigestUpdate(md, buf, (size_t)n) != 1) {
            return OSSIO_ENOMEM;
        }
        done += (uint64_t)n;
    }
    return OSSIO_OK;
}

ossio_status ossio__file_sums_read(int fd, uint64_t off, uint64_t len, ossio__file_sums *s)
{
    s->crc64 = 0;
    s->crc32 = 0;
    s->md5_b64[0] = '\0';
    EVP_MD_CTX *md = NULL;
    if (s->want_md5 &&
        ((md = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(md, EVP_md5(), NULL) != 1)) {
        EVP_MD_CTX_free(md);
        return OSSIO_ENOMEM;
    }
    uint8_t *buf = len > 0 ? malloc(len < CHUNK ? (size_t)len : CHUNK) : NULL;
    ossio_status st = len > 0 && buf == NULL ? OSSIO_ENOMEM : sum_chunks(fd, off, len, s, buf, md);
    free(buf);
    if (st == OSSIO_OK && md != NULL) {
        unsigned char digest[16];
        unsigned int n = 0;
        if (EVP_DigestFinal_ex(md, digest, &n) == 1) {
            EVP_EncodeBlock((unsigned char *)s->md5_b64, digest, (int)n);
        } else {
            st = OSSIO_ENOMEM;
        }
    }
    EVP_MD_CTX_free(md);
    return st;
}
