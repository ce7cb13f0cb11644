/* CRC-64/ECMA-182 reflected (xz, OSS x-oss-hash-crc64ecma): ISA-L computes it,
 * and multiplication by x^(8n) mod P combines the CRCs of adjacent pieces. */
#include "ossio.h"

#include <isa-l/crc64.h>
#include <pthread.h>

#include "util/crc_combine.h"

/* The reflected ECMA-182 polynomial. */
#define CRC64_POLY_REFL 0xc96c5795d7870f42ULL

uint64_t ossio_crc64(uint64_t crc, const void *buf, size_t len)
{
    if (len == 0) {
        return crc;
    }
    return crc64_ecma_refl(crc, buf, len);
}

static ossio__crc_ring ring;
static pthread_once_t ring_once = PTHREAD_ONCE_INIT;

static void ring_init(void)
{
    ossio__crc_ring_init(&ring, CRC64_POLY_REFL, 64);
}

uint64_t ossio_crc64_combine(uint64_t crc1, uint64_t crc2, uint64_t len2)
{
    pthread_once(&ring_once, ring_init);
    return ossio__crc_ring_combine(&ring, crc1, crc2, len2);
}
