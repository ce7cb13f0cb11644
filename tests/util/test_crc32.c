/* Tests for src/util/crc32.c: the CRC-32C and CRC-32 check values, chaining,
 * the combine against ISA-L over the concatenation, and S3's base64 form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <isa-l/crc.h>
#include <stdlib.h>
#include <string.h>

#include "util/crc32.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void t_check_values(void **state)
{
    (void)state;
    assert_int_equal(ossio__crc32_update(OSSIO__CRC32C, 0, "123456789", 9), 0xe3069283u);
    assert_int_equal(ossio__crc32_update(OSSIO__CRC32, 0, "123456789", 9), 0xcbf43926u);
    assert_int_equal(ossio__crc32_update(OSSIO__CRC32C, 0, "", 0), 0);
    /* Chained pieces give the one-pass value. */
    uint32_t c = ossio__crc32_update(OSSIO__CRC32C, 0, "1234", 4);
    assert_int_equal(ossio__crc32_update(OSSIO__CRC32C, c, "56789", 5), 0xe3069283u);
    c = ossio__crc32_update(OSSIO__CRC32, 0, "12345", 5);
    assert_int_equal(ossio__crc32_update(OSSIO__CRC32, c, "6789", 4), 0xcbf43926u);
}

/* The combine of random splits equals ISA-L's own CRC of the whole buffer
 * (computed here with ISA-L directly, not through ossio__crc32_update). */
static void t_combine_against_isal(void **state)
{
    (void)state;
    size_t n = 3 * 1024 * 1024 + 17;
    uint8_t *p = malloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)rng();
    }
    uint32_t want[2] = {~crc32_iscsi(p, (int)n, 0xffffffffu), crc32_gzip_refl(0, p, n)};
    ossio__crc32_kind kinds[2] = {OSSIO__CRC32C, OSSIO__CRC32};
    for (size_t k = 0; k < 2; k++) {
        for (int round = 0; round < 40; round++) {
            size_t cut1 = (size_t)(rng() % (n + 1));
            size_t cut2 = cut1 + (size_t)(rng() % (n - cut1 + 1));
            uint32_t a = ossio__crc32_update(kinds[k], 0, p, cut1);
            uint32_t b = ossio__crc32_update(kinds[k], 0, p + cut1, cut2 - cut1);
            uint32_t c = ossio__crc32_update(kinds[k], 0, p + cut2, n - cut2);
            uint32_t ab = ossio__crc32_combine(kinds[k], a, b, cut2 - cut1);
            assert_int_equal(ossio__crc32_combine(kinds[k], ab, c, n - cut2), want[k]);
        }
        /* An empty second piece leaves the first as it is. */
        assert_int_equal(ossio__crc32_combine(kinds[k], want[k], 0, 0), want[k]);
    }
    free(p);
}

static void t_base64(void **state)
{
    (void)state;
    char b[9];
    ossio__crc32_base64(0xe3069283u, b);
    assert_string_equal(b, "4waSgw==");
    uint32_t v = 0;
    assert_true(ossio__crc32_parse_base64("4waSgw==", &v));
    assert_int_equal(v, 0xe3069283u);
    assert_false(ossio__crc32_parse_base64("4waSgw==-3", &v)); /* composite */
    assert_false(ossio__crc32_parse_base64("4waSgw", &v));
    assert_false(ossio__crc32_parse_base64("4w!Sgw==", &v));
    assert_false(ossio__crc32_parse_base64(NULL, &v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_check_values),
        cmocka_unit_test(t_combine_against_isal),
        cmocka_unit_test(t_base64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
