/* Tests for ossio_version(), ossio_version_dep() and ossio_version_deps():
 * the library matches its header and every dependency reports a version. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "ossio.h"

static void test_version_matches_header(void **state)
{
    (void)state;
    assert_string_equal(ossio_version(), OSSIO_VERSION);
    assert_int_equal(OSSIO_VERSION_NUM, (OSSIO_VERSION_MAJOR << 16) | (OSSIO_VERSION_MINOR << 8) |
                                            OSSIO_VERSION_PATCH);
}

static void test_every_dep_has_a_version(void **state)
{
    (void)state;
    const char *const *names = ossio_version_deps();
    const char *expected[] = {"libev",   "c-ares",      "nghttp2", "openssl", "expat",
                              "libyaml", "http-parser", "isa-l",   "zlib"};
    size_t n = 0;
    assert_non_null(names);
    for (; names[n]; n++) {
        const char *v = ossio_version_dep(names[n]);
        assert_non_null(v);
        assert_true(strlen(v) > 0);
        assert_true(v[0] >= '0' && v[0] <= '9');
        /* Static: the same pointer every time. */
        assert_ptr_equal(v, ossio_version_dep(names[n]));
    }
    assert_int_equal(n, sizeof(expected) / sizeof(expected[0]));
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(names[i], expected[i]);
    }
}

static void test_openssl_is_3(void **state)
{
    (void)state;
    const char *v = ossio_version_dep("openssl");
    assert_non_null(v);
    assert_memory_equal(v, "3.", 2);
}

static void test_unknown_dep(void **state)
{
    (void)state;
    assert_null(ossio_version_dep("brotli"));
    assert_null(ossio_version_dep(""));
    assert_null(ossio_version_dep("OpenSSL"));
    assert_null(ossio_version_dep(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_matches_header),
        cmocka_unit_test(test_every_dep_has_a_version),
        cmocka_unit_test(test_openssl_is_3),
        cmocka_unit_test(test_unknown_dep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
