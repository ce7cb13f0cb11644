/* CRC combination over GF(2) mod a reflected polynomial (util/crc_combine.h).
 * Polynomials are held in the reflected bit order: bit width-1 is x^0.
 * Appending a zero byte multiplies a CRC by x^8, and the pre/post
 * inversions cancel between the two terms of the sum. */
#include "util/crc_combine.h"

#include <stddef.h>

static uint64_t x0(const ossio__crc_ring *r)
{
    return UINT64_C(1) << (r->width - 1);
}

/* a(x) * b(x) mod P(x); |a| is never 0 here (a power of x, or a product of
 * them). */
static uint64_t mul_mod_p(const ossio__crc_ring *r, uint64_t a, uint64_t b)
{
    uint64_t m = x0(r);
    uint64_t p = 0;
    for (;;) {
        if (a & m) {
            p ^= b;
            if ((a & (m - 1)) == 0) {
                break;
            }
        }
        m >>= 1;
        b = (b & 1) ? (b >> 1) ^ r->poly_refl : b >> 1;
    }
    return p;
}

void ossio__crc_ring_init(ossio__crc_ring *r, uint64_t poly_refl, unsigned width)
{
    r->poly_refl = poly_refl;
    r->width = width;
    uint64_t p = x0(r) >> 1; /* x^1 */
    r->x2n[0] = p;
    for (size_t k = 1; k < 67; k++) {
        p = mul_mod_p(r, p, p);
        r->x2n[k] = p;
    }
}

/* x^(8 n) is the product of x^(2^k) over the bits of n, shifted by 3 for
 * bytes. */
uint64_t ossio__crc_ring_combine(const ossio__crc_ring *r, uint64_t crc1, uint64_t crc2,
                                 uint64_t len2)
{
    if (len2 == 0) {
        return crc1;
    }
    uint64_t p = x0(r); /* x^0 */
    for (size_t k = 3; len2 != 0; len2 >>= 1, k++) {
        if (len2 & 1) {
            p = mul_mod_p(r, r->x2n[k], p);
        }
    }
    return mul_mod_p(r, p, crc1) ^ crc2;
}
