/* Tests for the growable buffer: contents survive growth, the maximum is a
 * hard limit with the caller's status, and reset/free leave it reusable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "util/buf.h"

static void test_append_grows(void **state)
{
    (void)state;
    ossio__buf b;
    ossio__buf_init(&b, 1 << 20, OSSIO_EBODYSIZE);
    assert_null(b.data);
    for (int i = 0; i < 10000; i++) {
        assert_int_equal(ossio__buf_append_byte(&b, (uint8_t)i), OSSIO_OK);
    }
    assert_int_equal(b.len, 10000);
    assert_true(b.cap >= b.len);
    for (int i = 0; i < 10000; i++) {
        assert_int_equal(b.data[i], (uint8_t)i);
    }
    assert_int_equal(ossio__buf_append(&b, "xyz", 3), OSSIO_OK);
    assert_memory_equal(b.data + 10000, "xyz", 3);
    assert_int_equal(ossio__buf_append(&b, NULL, 0), OSSIO_OK);
    assert_int_equal(b.len, 10003);
    ossio__buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_max_is_enforced(void **state)
{
    (void)state;
    ossio__buf b;
    ossio__buf_init(&b, 10, OSSIO_EHEADERSIZE);
    assert_int_equal(ossio__buf_append(&b, "0123456789", 10), OSSIO_OK);
    assert_true(b.cap <= 10);
    assert_int_equal(ossio__buf_append_byte(&b, 'x'), OSSIO_EHEADERSIZE);
    assert_int_equal(b.len, 10);
    assert_memory_equal(b.data, "0123456789", 10);
    ossio__buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(ossio__buf_append(&b, "01234567890", 11), OSSIO_EHEADERSIZE);
    assert_int_equal(b.len, 0);
    assert_int_equal(ossio__buf_append(&b, "abc", 3), OSSIO_OK);
    assert_int_equal(ossio__buf_reserve(&b, 7), OSSIO_OK);
    assert_int_equal(ossio__buf_reserve(&b, 8), OSSIO_EHEADERSIZE);
    assert_int_equal(ossio__buf_reserve(&b, SIZE_MAX), OSSIO_EHEADERSIZE);
    ossio__buf_free(&b);
}

static void test_zero_max(void **state)
{
    (void)state;
    ossio__buf b;
    ossio__buf_init(&b, 0, OSSIO_EBODYSIZE);
    assert_int_equal(ossio__buf_append(&b, NULL, 0), OSSIO_OK);
    assert_int_equal(ossio__buf_append_byte(&b, 1), OSSIO_EBODYSIZE);
    assert_null(b.data);
    ossio__buf_free(&b);
}

static void test_reserve_does_not_wrap(void **state)
{
    (void)state;
    ossio__buf b;
    ossio__buf_init(&b, SIZE_MAX, OSSIO_EBODYSIZE);
    assert_int_equal(ossio__buf_append(&b, "ab", 2), OSSIO_OK);
    /* len + extra would wrap around: must be refused, never a tiny realloc. */
    assert_int_equal(ossio__buf_reserve(&b, SIZE_MAX), OSSIO_EBODYSIZE);
    assert_int_equal(ossio__buf_reserve(&b, SIZE_MAX - 1), OSSIO_EBODYSIZE);
    assert_int_equal(b.len, 2);
    assert_memory_equal(b.data, "ab", 2);
    ossio__buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_grows),
        cmocka_unit_test(test_max_is_enforced),
        cmocka_unit_test(test_zero_max),
        cmocka_unit_test(test_reserve_does_not_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
