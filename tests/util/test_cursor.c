/* Tests for the bounds-checked cursor: every read stops at the end, failures
 * leave the cursor unchanged, and the u64 parsers reject overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "util/cursor.h"

static ossio__cur cur(const char *s)
{
    ossio__cur c;
    ossio__cur_init(&c, s, strlen(s));
    return c;
}

static void test_take_and_peek(void **state)
{
    (void)state;
    ossio__cur c = cur("ab");
    uint8_t b = 0;
    assert_int_equal(ossio__cur_remaining(&c), 2);
    assert_true(ossio__cur_peek(&c, &b));
    assert_int_equal(b, 'a');
    assert_int_equal(c.pos, 0);
    assert_true(ossio__cur_take(&c, &b));
    assert_true(ossio__cur_take(&c, &b));
    assert_int_equal(b, 'b');
    assert_false(ossio__cur_take(&c, &b));
    assert_false(ossio__cur_peek(&c, &b));
    assert_int_equal(c.pos, 2);
    assert_int_equal(ossio__cur_remaining(&c), 0);
}

static void test_empty_and_null(void **state)
{
    (void)state;
    ossio__cur c;
    uint8_t b;
    uint64_t v;
    const uint8_t *out;
    size_t n;
    ossio__cur_init(&c, NULL, 0);
    assert_false(ossio__cur_take(&c, &b));
    assert_non_null(ossio__cur_take_n(&c, 0));
    assert_null(ossio__cur_take_n(&c, 1));
    assert_true(ossio__cur_skip(&c, 0));
    assert_false(ossio__cur_skip(&c, 1));
    assert_true(ossio__cur_expect(&c, ""));
    assert_false(ossio__cur_expect(&c, "x"));
    assert_false(ossio__cur_take_until(&c, '\n', &out, &n));
    assert_false(ossio__cur_u64_dec(&c, &v));
    assert_false(ossio__cur_u64_hex(&c, &v));
    assert_int_equal(c.pos, 0);
}

static void test_take_n_and_skip(void **state)
{
    (void)state;
    const char *s = "hello world";
    ossio__cur c = cur(s);
    const uint8_t *p = ossio__cur_take_n(&c, 5);
    assert_ptr_equal(p, s);
    assert_null(ossio__cur_take_n(&c, 7));
    assert_int_equal(c.pos, 5);
    assert_false(ossio__cur_skip(&c, SIZE_MAX));
    assert_true(ossio__cur_skip(&c, 1));
    p = ossio__cur_take_n(&c, 5);
    assert_memory_equal(p, "world", 5);
    assert_int_equal(ossio__cur_remaining(&c), 0);
    assert_non_null(ossio__cur_take_n(&c, 0));
}

static void test_expect(void **state)
{
    (void)state;
    ossio__cur c = cur("HTTP/1.1 200");
    assert_false(ossio__cur_expect(&c, "HTTP/2"));
    assert_int_equal(c.pos, 0);
    assert_true(ossio__cur_expect(&c, "HTTP/1.1"));
    assert_true(ossio__cur_expect(&c, " "));
    assert_false(ossio__cur_expect(&c, "2000"));
    assert_int_equal(c.pos, 9);
    assert_true(ossio__cur_expect(&c, "200"));
}

static void test_take_until(void **state)
{
    (void)state;
    ossio__cur c = cur("Host: x\r\nEnd");
    const uint8_t *out = NULL;
    size_t n = 0;
    assert_true(ossio__cur_take_until(&c, ':', &out, &n));
    assert_int_equal(n, 4);
    assert_memory_equal(out, "Host", 4);
    assert_true(ossio__cur_take_until(&c, '\n', &out, &n));
    assert_int_equal(n, 3);
    assert_memory_equal(out, " x\r", 3);
    assert_false(ossio__cur_take_until(&c, '\n', &out, &n));
    assert_int_equal(c.pos, 9);
    assert_true(ossio__cur_take_until(&c, 'E', &out, &n));
    assert_int_equal(n, 0);
}

static void test_u64_dec(void **state)
{
    (void)state;
    uint64_t v = 7;
    assert_true(ossio__u64_dec("0", 1, &v));
    assert_int_equal(v, 0);
    assert_true(ossio__u64_dec("18446744073709551615", 20, &v));
    assert_int_equal(v, UINT64_MAX);
    assert_true(ossio__u64_dec("000000000000000000000018446744073709551615", 42, &v));
    assert_int_equal(v, UINT64_MAX);

    v = 7;
    const char *bad[] = {"18446744073709551616",
                         "99999999999999999999",
                         "184467440737095516150",
                         "",
                         "-1",
                         "+1",
                         "1a",
                         " 1",
                         "1 ",
                         "0x10"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(ossio__u64_dec(bad[i], strlen(bad[i]), &v));
        assert_int_equal(v, 7);
    }
    /* The length bounds the parse, not a NUL. */
    assert_true(ossio__u64_dec("123", 2, &v));
    assert_int_equal(v, 12);
}

static void test_cur_u64_dec_stops_at_non_digit(void **state)
{
    (void)state;
    ossio__cur c = cur("1a");
    uint64_t v = 0;
    assert_true(ossio__cur_u64_dec(&c, &v));
    assert_int_equal(v, 1);
    assert_int_equal(c.pos, 1);
    assert_false(ossio__cur_u64_dec(&c, &v));

    c = cur("18446744073709551616,");
    assert_false(ossio__cur_u64_dec(&c, &v));
    assert_int_equal(c.pos, 0);

    c = cur("-1");
    assert_false(ossio__cur_u64_dec(&c, &v));
    c = cur("+1");
    assert_false(ossio__cur_u64_dec(&c, &v));
    assert_int_equal(c.pos, 0);
}

static void test_u64_hex(void **state)
{
    (void)state;
    uint64_t v = 0;
    ossio__cur c = cur("ffffffffffffffff;");
    assert_true(ossio__cur_u64_hex(&c, &v));
    assert_int_equal(v, UINT64_MAX);
    assert_true(ossio__cur_expect(&c, ";"));

    c = cur("1A2b\r\n");
    assert_true(ossio__cur_u64_hex(&c, &v));
    assert_int_equal(v, 0x1a2b);
    assert_int_equal(c.pos, 4);

    c = cur("10000000000000000");
    assert_false(ossio__cur_u64_hex(&c, &v));
    assert_int_equal(c.pos, 0);
    c = cur("g");
    assert_false(ossio__cur_u64_hex(&c, &v));
    c = cur("0x1");
    assert_true(ossio__cur_u64_hex(&c, &v));
    assert_int_equal(v, 0);
    assert_int_equal(c.pos, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_take_and_peek),
        cmocka_unit_test(test_empty_and_null),
        cmocka_unit_test(test_take_n_and_skip),
        cmocka_unit_test(test_expect),
        cmocka_unit_test(test_take_until),
        cmocka_unit_test(test_u64_dec),
        cmocka_unit_test(test_cur_u64_dec_stops_at_non_digit),
        cmocka_unit_test(test_u64_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
