/* Tests for ossio_crc64() and ossio_crc64_combine(): the ECMA-182 check value,
 * a bitwise reference, chaining, and combining random splits of random data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "ossio.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint8_t *random_bytes(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)rng();
    }
    return p;
}

/* Bit-at-a-time CRC-64/XZ, independent of ISA-L. */
static uint64_t crc64_reference(const uint8_t *p, size_t n)
{
    uint64_t crc = ~0ULL;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ ((crc & 1) ? 0xc96c5795d7870f42ULL : 0);
        }
    }
    return ~crc;
}

static void test_check_value(void **state)
{
    (void)state;
    assert_int_equal(ossio_crc64(0, "123456789", 9), 0x995dc9bbdf1939faULL);
    assert_int_equal(crc64_reference((const uint8_t *)"123456789", 9), 0x995dc9bbdf1939faULL);
}

static void test_empty(void **state)
{
    (void)state;
    assert_int_equal(ossio_crc64(0, NULL, 0), 0);
    assert_int_equal(ossio_crc64(0, "", 0), 0);
    assert_int_equal(ossio_crc64(0x1234, NULL, 0), 0x1234);
}

static void test_matches_reference(void **state)
{
    (void)state;
    for (size_t n = 0; n < 300; n++) {
        uint8_t *p = random_bytes(n);
        assert_int_equal(ossio_crc64(0, p, n), crc64_reference(p, n));
        free(p);
    }
}

static void test_incremental(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    uint8_t *p = random_bytes(n);
    uint64_t whole = ossio_crc64(0, p, n);
    for (int round = 0; round < 20; round++) {
        uint64_t crc = 0;
        size_t off = 0;
        while (off < n) {
            size_t piece = (size_t)(rng() % 70000);
            if (piece > n - off) {
                piece = n - off;
            }
            crc = ossio_crc64(crc, p + off, piece);
            off += piece;
        }
        assert_int_equal(crc, whole);
    }
    free(p);
}

static void test_combine(void **state)
{
    (void)state;
    const size_t sizes[] = {0, 1, 2, 7, 8, 9, 100, 4096, 65537, 1 << 20, (3 << 20) + 12345};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        size_t n = sizes[s];
        uint8_t *p = random_bytes(n);
        uint64_t whole = ossio_crc64(0, p, n);
        for (int round = 0; round < 8; round++) {
            /* Rounds 0 and 1 put the split at the ends: len1 == 0, len2 == 0. */
            size_t cut = round == 0 ? 0 : round == 1 ? n : (size_t)(rng() % (n + 1));
            uint64_t c1 = ossio_crc64(0, p, cut);
            uint64_t c2 = ossio_crc64(0, p + cut, n - cut);
            assert_int_equal(ossio_crc64_combine(c1, c2, n - cut), whole);
        }
        free(p);
    }
}

static void test_combine_many_parts(void **state)
{
    (void)state;
    /* How part CRCs of a multipart upload fold into the object CRC. */
    size_t n = 5 << 20;
    uint8_t *p = random_bytes(n);
    uint64_t whole = ossio_crc64(0, p, n);
    uint64_t crc = 0;
    size_t off = 0;
    while (off < n) {
        size_t part = 1 + (size_t)(rng() % (600 << 10));
        if (part > n - off) {
            part = n - off;
        }
        crc = ossio_crc64_combine(crc, ossio_crc64(0, p + off, part), part);
        off += part;
    }
    assert_int_equal(crc, whole);
    free(p);
}

static void test_combine_huge_length(void **state)
{
    (void)state;
    /* Combining with a zero-CRC of a huge zero run must equal chaining zeros
     * for lengths we can compute, and must terminate for 2^63. */
    uint8_t zeros[4096];
    memset(zeros, 0, sizeof(zeros));
    uint64_t a = ossio_crc64(0, "abc", 3);
    uint64_t z = ossio_crc64(0, zeros, sizeof(zeros));
    assert_int_equal(ossio_crc64_combine(a, z, sizeof(zeros)),
                     ossio_crc64(a, zeros, sizeof(zeros)));
    (void)ossio_crc64_combine(a, z, UINT64_C(1) << 63);
    /* With crc2 = 0, combine is "append len2 zero bytes" to a pure shift, so
     * shifts compose: this checks the highest powers, where no data can. */
    uint64_t n = UINT64_C(1) << 61;
    assert_int_equal(ossio_crc64_combine(a, 0, 2 * n),
                     ossio_crc64_combine(ossio_crc64_combine(a, 0, n), 0, n));
    assert_int_equal(ossio_crc64_combine(a, 0, UINT64_MAX),
                     ossio_crc64_combine(ossio_crc64_combine(a, 0, UINT64_MAX - 12345), 0, 12345));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_value),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_matches_reference),
        cmocka_unit_test(test_incremental),
        cmocka_unit_test(test_combine),
        cmocka_unit_test(test_combine_many_parts),
        cmocka_unit_test(test_combine_huge_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
