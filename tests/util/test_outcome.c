/* Unit tests for the result accumulator shared by operations, transfers and
 * split reads (src/util/outcome.c): first failure wins, every server field
 * kept, one message cap. No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "util/outcome.h"

static ossio_result server_error(void)
{
    ossio_result r;
    memset(&r, 0, sizeof(r));
    r.status = OSSIO_EACCESS;
    r.http_status = 403;
    r.code = "AccessDenied";
    r.message = "You have no right to access this object.";
    r.request_id = "5F1A2B3C4D5E6F";
    r.host_id = "bucket.oss-cn-hangzhou.aliyuncs.com";
    r.ec = "0003-00000001";
    return r;
}

static void t_first_failure_wins_with_every_field(void **state)
{
    (void)state;
    ossio__outcome o;
    memset(&o, 0, sizeof(o));
    ossio_result from = server_error();
    assert_int_equal(ossio__outcome_fail(&o, OSSIO_EACCESS, "AccessDenied: no", &from), 1);
    ossio_result other = server_error();
    other.code = "InternalError";
    other.host_id = "elsewhere";
    assert_int_equal(ossio__outcome_fail(&o, OSSIO_ESERVER, "later", &other), 0);
    ossio__outcome_ok(&o); /* decided already: stays a failure */
    ossio_result res;
    memset(&res, 0, sizeof(res));
    ossio__outcome_fill(&o, &res);
    assert_int_equal(res.status, OSSIO_EACCESS);
    assert_int_equal(res.http_status, 403);
    assert_string_equal(res.detail, "AccessDenied: no");
    assert_string_equal(res.code, "AccessDenied");
    assert_string_equal(res.message, from.message);
    assert_string_equal(res.request_id, from.request_id);
    assert_string_equal(res.host_id, from.host_id);
    assert_string_equal(res.ec, from.ec);
}

static void t_detail_defaults_and_aliasing(void **state)
{
    (void)state;
    ossio__outcome o;
    memset(&o, 0, sizeof(o));
    assert_int_equal(ossio__outcome_fail(&o, OSSIO_ENOMEM, NULL, NULL), 1);
    assert_string_equal(o.detail, ossio_strerror(OSSIO_ENOMEM));
    ossio_result res;
    memset(&res, 0, sizeof(res));
    ossio__outcome_fill(&o, &res);
    assert_null(res.code);
    assert_null(res.host_id);
    assert_null(res.ec);
    assert_int_equal(res.http_status, 0);

    memset(&o, 0, sizeof(o)); /* a detail written in place is kept */
    strcpy(o.detail, "cannot read /x: No such file");
    ossio__outcome_decide(&o, OSSIO_EIO, o.detail);
    assert_string_equal(o.detail, "cannot read /x: No such file");

    memset(&o, 0, sizeof(o)); /* a success keeps no detail */
    strcpy(o.detail, "an earlier attempt's text");
    ossio__outcome_decide(&o, OSSIO_OK, o.detail);
    ossio__outcome_fill(&o, &res);
    assert_string_equal(res.detail, "");
}

/* Messages are kept up to OSSIO__MESSAGE_MAX - 1 bytes, whoever fills them. */
static void t_one_message_cap(void **state)
{
    (void)state;
    static char longmsg[3000];
    memset(longmsg, 'm', sizeof(longmsg) - 1);
    ossio_result from = server_error();
    from.message = longmsg;
    ossio__outcome o;
    memset(&o, 0, sizeof(o));
    ossio__outcome_fail(&o, OSSIO_EACCESS, NULL, &from);
    assert_int_equal(strlen(o.message), OSSIO__MESSAGE_MAX - 1);
    assert_true(OSSIO__MESSAGE_MAX >= 1024); /* what operations always kept */
}

/* A cancel that came after the object was written does not stand. */
static void t_written_overrides(void **state)
{
    (void)state;
    ossio__outcome o;
    memset(&o, 0, sizeof(o));
    ossio_result from = server_error();
    ossio__outcome_fail(&o, OSSIO_ECANCELED, "canceled", &from);
    ossio__outcome_written(&o);
    ossio_result res;
    memset(&res, 0, sizeof(res));
    ossio__outcome_fill(&o, &res);
    assert_int_equal(res.status, OSSIO_OK);
    assert_int_equal(res.http_status, 0);
    assert_string_equal(res.detail, "");
    assert_null(res.code);
    assert_null(res.request_id);
    assert_null(res.host_id);
    assert_null(res.ec);
    assert_int_equal(ossio__outcome_fail(&o, OSSIO_EIO, "too late", NULL), 0);
}

static void t_account_and_result(void **state)
{
    (void)state;
    ossio__outcome o;
    memset(&o, 0, sizeof(o));
    ossio_result a;
    memset(&a, 0, sizeof(a));
    a.retries = 2;
    a.protocol = "h2";
    ossio__outcome_account(&o, &a);
    a.retries = 1;
    a.protocol = NULL;
    ossio__outcome_account(&o, &a);
    ossio__outcome_ok(&o);
    const ossio_result *res = ossio__outcome_result(&o, 1234);
    assert_int_equal(res->status, OSSIO_OK);
    assert_int_equal(res->retries, 3);
    assert_string_equal(res->protocol, "h2");
    assert_int_equal(res->bytes_received, 1234);
    assert_string_equal(res->detail, "");
}

/* A new attempt forgets the last one's server fields, not the decision. */
static void t_clear_server(void **state)
{
    (void)state;
    ossio__outcome o;
    memset(&o, 0, sizeof(o));
    ossio_result from = server_error();
    ossio__outcome_fail(&o, OSSIO_EACCESS, "x", &from);
    ossio__outcome_clear_server(&o);
    assert_int_equal(o.http_status, 0);
    assert_string_equal(o.code, "");
    assert_string_equal(o.host_id, "");
    assert_string_equal(o.ec, "");
    assert_int_equal(o.status, OSSIO_EACCESS);
    assert_int_equal(o.decided, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_first_failure_wins_with_every_field),
        cmocka_unit_test(t_detail_defaults_and_aliasing),
        cmocka_unit_test(t_one_message_cap),
        cmocka_unit_test(t_written_overrides),
        cmocka_unit_test(t_account_and_result),
        cmocka_unit_test(t_clear_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
