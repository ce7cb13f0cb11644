/* CRC-32C and CRC-32 for the s3 dialect's checksums: ISA-L computes them,
 * the combine (zlib's crc32_combine, by x^(8n) mod P) is ours. */
#include "util/crc32.h"

#include <isa-l/crc.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>

static const uint32_t poly_refl[2] = {0x82f63b78u, 0xedb88320u};

uint32_t ossio__crc32_update(ossio__crc32_kind kind, uint32_t crc, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len > 0) { /* ISA-L takes an int length */
        int n = len > (size_t)INT_MAX ? INT_MAX : (int)len;
        if (kind == OSSIO__CRC32C) {
            crc = ~crc32_iscsi((unsigned char *)(uintptr_t)p, n, ~crc);
        } else {
            crc = crc32_gzip_refl(crc, p, (uint64_t)n);
        }
        p += n;
        len -= (size_t)n;
    }
    return crc;
}

/* Polynomials mod P in the reflected bit order: bit 31 is x^0. */
#define X0 (UINT32_C(1) << 31)

static uint32_t mul_mod_p(uint32_t poly, uint32_t a, uint32_t b)
{
    uint32_t m = X0;
    uint32_t p = 0;
    for (;;) {
        if (a & m) {
            p ^= b;
            if ((a & (m - 1)) == 0) {
                break;
            }
        }
        m >>= 1;
        b = (b & 1) ? (b >> 1) ^ poly : b >> 1;
    }
    return p;
}

/* x^(2^k) mod P for k = 0..66, per polynomial, computed once by squaring. */
static uint32_t x2n[2][67];
static pthread_once_t x2n_once = PTHREAD_ONCE_INIT;

static void x2n_init(void)
{
    for (size_t i = 0; i < 2; i++) {
        uint32_t p = X0 >> 1; /* x^1 */
        x2n[i][0] = p;
        for (size_t k = 1; k < 67; k++) {
            p = mul_mod_p(poly_refl[i], p, p);
            x2n[i][k] = p;
        }
    }
}

/* As ossio_crc64_combine(): CRC(A B) = CRC(A) x^(8 len(B)) mod P + CRC(B);
 * the pre/post inversions cancel between the two terms. */
uint32_t ossio__crc32_combine(ossio__crc32_kind kind, uint32_t crc1, uint32_t crc2, uint64_t len2)
{
    if (len2 == 0) {
        return crc1;
    }
    pthread_once(&x2n_once, x2n_init);
    size_t i = kind == OSSIO__CRC32C ? 0 : 1;
    uint32_t p = X0; /* x^0 */
    for (size_t k = 3; len2 != 0; len2 >>= 1, k++) {
        if (len2 & 1) {
            p = mul_mod_p(poly_refl[i], x2n[i][k], p);
        }
    }
    return mul_mod_p(poly_refl[i], p, crc1) ^ crc2;
}

void ossio__crc32_base64(uint32_t crc, char out[9])
{
    unsigned char be[4] = {(unsigned char)(crc >> 24), (unsigned char)(crc >> 16),
                           (unsigned char)(crc >> 8), (unsigned char)crc};
    EVP_EncodeBlock((unsigned char *)out, be, 4);
}

int ossio__crc32_parse_base64(const char *s, uint32_t *crc)
{
    unsigned char raw[8];
    if (s == NULL || strlen(s) != 8 || s[6] != '=' || s[7] != '=') {
        return 0;
    }
    if (EVP_DecodeBlock(raw, (const unsigned char *)s, 8) != 6) {
        return 0; /* 6: the decoder counts the padding's bytes too */
    }
    *crc = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3];
    return 1;
}
