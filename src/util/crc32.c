/* CRC-32C and CRC-32 for the s3 dialect's checksums: ISA-L computes them,
 * the combine (zlib's crc32_combine, by x^(8n) mod P) is ours. */
#include "util/crc32.h"

#include <isa-l/crc.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/crc_combine.h"

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

/* Indexed by ossio__crc32_kind. */
static ossio__crc_ring rings[2];
static pthread_once_t rings_once = PTHREAD_ONCE_INIT;

static void rings_init(void)
{
    for (size_t i = 0; i < 2; i++) {
        ossio__crc_ring_init(&rings[i], poly_refl[i], 32);
    }
}

uint32_t ossio__crc32_combine(ossio__crc32_kind kind, uint32_t crc1, uint32_t crc2, uint64_t len2)
{
    pthread_once(&rings_once, rings_init);
    return (uint32_t)ossio__crc_ring_combine(&rings[kind == OSSIO__CRC32C ? 0 : 1], crc1, crc2,
                                             len2);
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
