/* Tests for ossio_strerror(), ossio_status_name() and ossio_status_retryable():
 * every code is named and described once, and the retry set is exact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "ossio.h"

struct expected {
    ossio_status st;
    const char *name;
    int retryable;
};

/* Expands to the first three members of one table row. */
#define E(name, retry) name, #name, retry
static const struct expected all[] = {
    {E(OSSIO_OK, 0)},           {E(OSSIO_ENOMEM, 0)},
    {E(OSSIO_EINVAL, 0)},       {E(OSSIO_ECANCELED, 0)},
    {E(OSSIO_EINTERNAL, 0)},    {E(OSSIO_ENOTSUP, 0)},
    {E(OSSIO_EAGAIN, 0)},       {E(OSSIO_ECONFIG, 0)},
    {E(OSSIO_ENOENDPOINT, 0)},  {E(OSSIO_ENOCREDENTIALS, 0)},
    {E(OSSIO_EBADURI, 0)},      {E(OSSIO_ESCHEME, 0)},
    {E(OSSIO_EBADBUCKET, 0)},   {E(OSSIO_EKEYTOOLONG, 0)},
    {E(OSSIO_EDNS, 0)},         {E(OSSIO_EDNSTIMEOUT, 1)},
    {E(OSSIO_ECONNREFUSED, 0)}, {E(OSSIO_ECONNECT, 0)},
    {E(OSSIO_ECONNRESET, 1)},   {E(OSSIO_ECONNTIMEOUT, 1)},
    {E(OSSIO_ETIMEDOUT, 1)},    {E(OSSIO_ESTALLED, 1)},
    {E(OSSIO_EDEADLINE, 0)},    {E(OSSIO_ETLS, 0)},
    {E(OSSIO_ETLSVERIFY, 0)},   {E(OSSIO_ETLSHOSTNAME, 0)},
    {E(OSSIO_EPROTO, 0)},       {E(OSSIO_EHEADERSIZE, 0)},
    {E(OSSIO_EBODYSIZE, 0)},    {E(OSSIO_ESTREAMRESET, 1)},
    {E(OSSIO_EGOAWAY, 1)},      {E(OSSIO_EHTTP, 0)},
    {E(OSSIO_ENOTFOUND, 0)},    {E(OSSIO_EACCESS, 0)},
    {E(OSSIO_ESIGNATURE, 0)},   {E(OSSIO_ETHROTTLED, 1)},
    {E(OSSIO_ESERVER, 1)},      {E(OSSIO_EEXISTS, 0)},
    {E(OSSIO_EXML, 0)},         {E(OSSIO_ECHECKSUM, 1)},
    {E(OSSIO_ECHANGED, 0)},     {E(OSSIO_EIO, 0)},
    {E(OSSIO_ERECORDSIZE, 0)},  {E(OSSIO_EPAGING, 0)},
};
#undef E
#define N_ALL (sizeof(all) / sizeof(all[0]))

static void test_names_and_messages(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ALL; i++) {
        const char *name = ossio_status_name(all[i].st);
        const char *msg = ossio_strerror(all[i].st);
        assert_non_null(name);
        assert_string_equal(name, all[i].name);
        assert_non_null(msg);
        assert_true(strlen(msg) > 0);
        assert_string_not_equal(msg, "unknown ossio status");
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(all[i].st, all[j].st);
            assert_string_not_equal(msg, ossio_strerror(all[j].st));
        }
    }
}

static void test_groups(void **state)
{
    (void)state;
    /* Errors are negative, and each layer's codes stay inside its block of 100. */
    for (size_t i = 1; i < N_ALL; i++) {
        assert_true(all[i].st < 0);
        assert_true(all[i].st > -1000);
    }
    assert_int_equal(OSSIO_ECONFIG, -100);
    assert_int_equal(OSSIO_EDNS, -200);
    assert_int_equal(OSSIO_ECONNREFUSED, -300);
    assert_int_equal(OSSIO_ETLS, -400);
    assert_int_equal(OSSIO_EPROTO, -500);
    assert_int_equal(OSSIO_EHTTP, -600);
    assert_int_equal(OSSIO_EXML, -700);
    assert_int_equal(OSSIO_EPAGING, -701);
    assert_int_equal(OSSIO_ECHECKSUM, -800);
    assert_int_equal(OSSIO_ERECORDSIZE, -900);
}

static void test_exactly_the_listed_codes_are_known(void **state)
{
    (void)state;
    size_t known = 0;
    for (int v = -2000; v <= 2000; v++) {
        if (ossio_status_name((ossio_status)v)) {
            known++;
        }
    }
    assert_int_equal(known, N_ALL);
}

static void test_unknown(void **state)
{
    (void)state;
    const int unknown[] = {1, -7, -99, -107, -1000, 12345, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        ossio_status st = (ossio_status)unknown[i];
        assert_string_equal(ossio_strerror(st), "unknown ossio status");
        assert_null(ossio_status_name(st));
        assert_int_equal(ossio_status_retryable(st), 0);
    }
}

static void test_retryable(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ALL; i++) {
        assert_int_equal(ossio_status_retryable(all[i].st), all[i].retryable);
    }
}

static void test_endpoint_message_wording(void **state)
{
    (void)state;
    /* Users search for this exact hadoop-aliyun text. */
    assert_string_equal(ossio_strerror(OSSIO_ENOENDPOINT),
                        "Aliyun OSS endpoint should not be null or empty. Please set proper "
                        "endpoint with 'fs.oss.endpoint'.");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_messages),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_exactly_the_listed_codes_are_known),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_retryable),
        cmocka_unit_test(test_endpoint_message_wording),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
