/* CRC-64/ECMA-182 reflected (xz, OSS x-oss-hash-crc64ecma): ISA-L computes it,
 * and a GF(2) matrix method combines the CRCs of adjacent pieces. */
#include "ossio.h"

#include <isa-l/crc64.h>

/* The reflected ECMA-182 polynomial. */
#define CRC64_POLY_REFL 0xc96c5795d7870f42ULL

uint64_t ossio_crc64(uint64_t crc, const void *buf, size_t len)
{
    if (len == 0) {
        return crc;
    }
    return crc64_ecma_refl(crc, buf, len);
}

/* Multiplies the 64x64 GF(2) matrix |mat| (one column per word) by |vec|. */
static uint64_t gf2_times(const uint64_t *mat, uint64_t vec)
{
    uint64_t sum = 0;
    for (size_t i = 0; vec; i++, vec >>= 1) {
        if (vec & 1) {
            sum ^= mat[i];
        }
    }
    return sum;
}

static void gf2_square(uint64_t *square, const uint64_t *mat)
{
    for (size_t n = 0; n < 64; n++) {
        square[n] = gf2_times(mat, mat[n]);
    }
}

/* zlib's crc32_combine() method widened to 64 bits: apply len2 zero bytes to
 * crc1 by repeated squaring of the one-zero-bit operator, then xor crc2. The
 * pre/post inversion of the CRC cancels out, so no adjustment is needed. */
uint64_t ossio_crc64_combine(uint64_t crc1, uint64_t crc2, uint64_t len2)
{
    uint64_t even[64];
    uint64_t odd[64];

    if (len2 == 0) {
        return crc1;
    }

    /* Operator for one zero bit. */
    odd[0] = CRC64_POLY_REFL;
    uint64_t row = 1;
    for (size_t n = 1; n < 64; n++) {
        odd[n] = row;
        row <<= 1;
    }
    gf2_square(even, odd); /* two zero bits */
    gf2_square(odd, even); /* four zero bits */

    /* Each pass squares once more: one zero byte, two, four, ... */
    for (;;) {
        gf2_square(even, odd);
        if (len2 & 1) {
            crc1 = gf2_times(even, crc1);
        }
        len2 >>= 1;
        if (len2 == 0) {
            break;
        }
        gf2_square(odd, even);
        if (len2 & 1) {
            crc1 = gf2_times(odd, crc1);
        }
        len2 >>= 1;
        if (len2 == 0) {
            break;
        }
    }
    return crc1 ^ crc2;
}
