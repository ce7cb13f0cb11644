/* CRC-64/ECMA-182 reflected (xz, OSS x-oss-hash-crc64ecma): ISA-L computes it,
 * and multiplication by x^(8n) mod P combines the CRCs of adjacent pieces. */
#include "ossio.h"

#include <isa-l/crc64.h>
#include <pthread.h>

/* The reflected ECMA-182 polynomial. */
#define CRC64_POLY_REFL 0xc96c5795d7870f42ULL

uint64_t ossio_crc64(uint64_t crc, const void *buf, size_t len)
{
    if (len == 0) {
        return crc;
    }
    return crc64_ecma_refl(crc, buf, len);
}

/* Polynomials mod P in the reflected bit order: bit 63 is x^0. */
#define X0 (UINT64_C(1) << 63)

/* a(x) * b(x) mod P(x). */
static uint64_t mul_mod_p(uint64_t a, uint64_t b)
{
    uint64_t m = X0;
    uint64_t p = 0;
    for (;;) {
        if (a & m) {
            p ^= b;
            if ((a & (m - 1)) == 0) {
                break;
            }
        }
        m >>= 1;
        b = (b & 1) ? (b >> 1) ^ CRC64_POLY_REFL : b >> 1;
    }
    return p;
}

/* x^(2^k) mod P for k = 0..66 (byte lengths up to 2^64 - 1 need k = 3..66),
 * computed once by squaring x^1 repeatedly. */
static uint64_t x2n[67];
static pthread_once_t x2n_once = PTHREAD_ONCE_INIT;

static void x2n_init(void)
{
    uint64_t p = X0 >> 1; /* x^1 */
    x2n[0] = p;
    for (size_t k = 1; k < 67; k++) {
        p = mul_mod_p(p, p);
        x2n[k] = p;
    }
}

/* The CRC of A followed by B is CRC(A) times x^(8 len(B)) mod P, plus CRC(B):
 * appending a byte of zeros multiplies by x^8, and the pre/post inversion
 * cancels between the two terms. x^(8 n) is the product of x^(2^k) over the
 * bits of n (shifted by 3 for bytes): O(log n) multiplications. */
uint64_t ossio_crc64_combine(uint64_t crc1, uint64_t crc2, uint64_t len2)
{
    if (len2 == 0) {
        return crc1;
    }
    pthread_once(&x2n_once, x2n_init);
    uint64_t p = X0; /* x^0 */
    for (size_t k = 3; len2 != 0; len2 >>= 1, k++) {
        if (len2 & 1) {
            p = mul_mod_p(x2n[k], p);
        }
    }
    return mul_mod_p(p, crc1) ^ crc2;
}
