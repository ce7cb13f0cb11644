/* Unit tests for the operations' retry policy and status mapping
 * (src/ops/retry.c): every ossio_status, every HTTP error status and the
 * server Codes that matter, with the backoff's bounds. No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "ops/retry.h"

/* Every status, with whether a failed attempt ending in it is retried (from
 * an origin that never worked; ECONNREFUSED is the one that depends). */
static const struct {
    ossio_status st;
    int retried;
} statuses[] = {
    {OSSIO_OK, 0},           {OSSIO_ENOMEM, 0},
    {OSSIO_EINVAL, 0},       {OSSIO_ECANCELED, 0},
    {OSSIO_EINTERNAL, 0},    {OSSIO_ENOTSUP, 0},
    {OSSIO_EAGAIN, 0},       {OSSIO_ECONFIG, 0},
    {OSSIO_ENOENDPOINT, 0},  {OSSIO_ENOCREDENTIALS, 0},
    {OSSIO_EBADURI, 0},      {OSSIO_ESCHEME, 0},
    {OSSIO_EBADBUCKET, 0},   {OSSIO_EKEYTOOLONG, 0},
    {OSSIO_EDNS, 0},         {OSSIO_EDNSTIMEOUT, 1},
    {OSSIO_ECONNREFUSED, 0}, {OSSIO_ECONNECT, 0},
    {OSSIO_ECONNRESET, 1},   {OSSIO_ECONNTIMEOUT, 1},
    {OSSIO_ETIMEDOUT, 1},    {OSSIO_ESTALLED, 1},
    {OSSIO_EDEADLINE, 0},    {OSSIO_ETLS, 0},
    {OSSIO_ETLSVERIFY, 0},   {OSSIO_ETLSHOSTNAME, 0},
    {OSSIO_EPROTO, 0},       {OSSIO_EHEADERSIZE, 0},
    {OSSIO_EBODYSIZE, 0},    {OSSIO_ESTREAMRESET, 1},
    {OSSIO_EGOAWAY, 1},      {OSSIO_EHTTP, 0},
    {OSSIO_ENOTFOUND, 0},    {OSSIO_EACCESS, 0},
    {OSSIO_ESIGNATURE, 0},   {OSSIO_ETHROTTLED, 1},
    {OSSIO_ESERVER, 1},      {OSSIO_EEXISTS, 0},
    {OSSIO_EXML, 0},         {OSSIO_EPAGING, 0},
    {OSSIO_ECHECKSUM, 1},    {OSSIO_ECHANGED, 0},
    {OSSIO_EIO, 0},          {OSSIO_ERECORDSIZE, 0},
};
#define N_STATUSES (sizeof(statuses) / sizeof(statuses[0]))

static ossio__retry_in first_attempt(ossio_status st)
{
    ossio__retry_in in;
    memset(&in, 0, sizeof(in));
    in.status = st;
    in.code = "";
    in.attempts = 5;
    return in;
}

static void t_every_status_without_answer(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_STATUSES; i++) {
        ossio__retry_in in = first_attempt(statuses[i].st);
        ossio__retry_out out = ossio__retry_decide(&in, 0.5);
        if (out.retry != statuses[i].retried) {
            fail_msg("%s: retry %d, want %d", ossio_status_name(statuses[i].st), out.retry,
                     statuses[i].retried);
        }
        assert_int_equal(out.resync_clock, 0);
        if (out.retry) {
            assert_true(out.delay >= 0 && out.delay < OSSIO__BACKOFF_BASE);
        }
    }
    /* -1000..0 holds no status the table above misses. */
    size_t named = 0;
    for (int st = -1000; st <= 0; st++) {
        named += ossio_status_name((ossio_status)st) != NULL;
    }
    assert_int_equal(named, N_STATUSES);
}

/* A refused connection is transient only from an origin that has worked. */
static void t_refused(void **state)
{
    (void)state;
    ossio__retry_in in = first_attempt(OSSIO_ECONNREFUSED);
    assert_int_equal(ossio__retry_decide(&in, 0.5).retry, 0);
    in.origin_worked = 1;
    assert_int_equal(ossio__retry_decide(&in, 0.5).retry, 1);
}

/* HTTP answers: status and Code to the operation's status, and whether the
 * answer is worth repeating. */
static void t_http_statuses(void **state)
{
    (void)state;
    static const struct {
        int http;
        const char *code;
        ossio_status st;
        int answer_retryable; /* ossio__op_retryable_http() */
        int retried;          /* with the mapped status */
    } cases[] = {
        {400, "InvalidArgument", OSSIO_EHTTP, 0, 0},
        {400, "RequestTimeout", OSSIO_EHTTP, 1, 1},
        /* the server's check of our x-amz-checksum-* / Content-MD5: the
         * body may have been corrupted on the way, so it is sent again */
        {400, "BadDigest", OSSIO_ECHECKSUM, 0, 1},
        {400, "InvalidDigest", OSSIO_ECHECKSUM, 0, 1},
        {401, "", OSSIO_EACCESS, 0, 0},
        {403, "AccessDenied", OSSIO_EACCESS, 0, 0},
        {403, "SignatureDoesNotMatch", OSSIO_ESIGNATURE, 0, 0},
        {403, "RequestTimeTooSkewed", OSSIO_EACCESS, 1, 1},
        {404, "NoSuchKey", OSSIO_ENOTFOUND, 0, 0},
        {404, "SignatureDoesNotMatch", OSSIO_ENOTFOUND, 0, 0},
        {405, "MethodNotAllowed", OSSIO_EHTTP, 0, 0},
        {409, "FileAlreadyExists", OSSIO_EEXISTS, 0, 0},
        {409, "BucketAlreadyExists", OSSIO_EEXISTS, 0, 0},
        {409, "BucketAlreadyOwnedByYou", OSSIO_EEXISTS, 0, 0},
        {409, "ObjectAlreadyExists", OSSIO_EEXISTS, 0, 0},
        {409, "BucketNotEmpty", OSSIO_EHTTP, 0, 0},
        {411, "MissingContentLength", OSSIO_EHTTP, 0, 0},
        {412, "PreconditionFailed", OSSIO_ECHANGED, 0, 0},
        {416, "InvalidRange", OSSIO_EHTTP, 0, 0},
        {429, "", OSSIO_ETHROTTLED, 0, 1},
        {503, "SlowDown", OSSIO_ETHROTTLED, 1, 1},
        {400, "SlowDown", OSSIO_ETHROTTLED, 1, 1},
        {500, "InternalError", OSSIO_ESERVER, 1, 1},
        {501, "NotImplemented", OSSIO_ESERVER, 0, 1},
        {502, "", OSSIO_ESERVER, 1, 1},
        {503, "ServiceUnavailable", OSSIO_ESERVER, 1, 1},
        {504, "", OSSIO_ESERVER, 1, 1},
        {505, "", OSSIO_ESERVER, 0, 1},
        {200, "InternalError", OSSIO_EHTTP, 1, 1}, /* 200 with an <Error> body */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ossio_status st = ossio__op_status_for(cases[i].http, cases[i].code);
        if (st != cases[i].st) {
            fail_msg("%d %s: %s, want %s", cases[i].http, cases[i].code, ossio_status_name(st),
                     ossio_status_name(cases[i].st));
        }
        ossio__retry_in in = first_attempt(st);
        in.http = cases[i].http;
        in.code = cases[i].code;
        if (ossio__retry_decide(&in, 0.5).retry != cases[i].retried) {
            fail_msg("%d %s: retry decision wrong", cases[i].http, cases[i].code);
        }
        assert_int_equal(ossio__op_retryable_http(cases[i].http, cases[i].code),
                         cases[i].answer_retryable);
    }
}

/* RequestTimeTooSkewed: at once, re-signed with the server's clock. */
static void t_skew(void **state)
{
    (void)state;
    ossio__retry_in in = first_attempt(OSSIO_EACCESS);
    in.http = 403;
    in.code = "RequestTimeTooSkewed";
    in.attempt = 3;
    ossio__retry_out out = ossio__retry_decide(&in, 0.99);
    assert_int_equal(out.retry, 1);
    assert_int_equal(out.resync_clock, 1);
    assert_true(out.delay == 0.0);
}

/* Full jitter below min(0.1 s * 2^attempt, 20 s); no attempt past the limit. */
static void t_backoff_and_limit(void **state)
{
    (void)state;
    ossio__retry_in in = first_attempt(OSSIO_ECONNRESET);
    in.attempts = 100;
    for (unsigned a = 0; a < 20; a++) {
        in.attempt = a;
        double cap = OSSIO__BACKOFF_BASE * (double)(1u << a);
        if (cap > OSSIO__BACKOFF_CAP) {
            cap = OSSIO__BACKOFF_CAP;
        }
        ossio__retry_out hi = ossio__retry_decide(&in, 0.999999);
        ossio__retry_out lo = ossio__retry_decide(&in, 0.0);
        assert_int_equal(hi.retry, 1);
        assert_true(hi.delay <= cap && hi.delay > cap * 0.99);
        assert_true(lo.delay == 0.0);
    }
    in.attempts = 3;
    in.attempt = 1;
    assert_int_equal(ossio__retry_decide(&in, 0.5).retry, 1);
    in.attempt = 2; /* the third of three */
    assert_int_equal(ossio__retry_decide(&in, 0.5).retry, 0);
}

/* What cannot be repeated is not, whatever the failure. */
static void t_cannot_repeat(void **state)
{
    (void)state;
    ossio__retry_in in = first_attempt(OSSIO_ECONNRESET);
    in.body_is_reader = 1; /* a body reader cannot be read again */
    assert_int_equal(ossio__retry_decide(&in, 0.5).retry, 0);
    in = first_attempt(OSSIO_ECONNRESET);
    in.canceled = 1;
    assert_int_equal(ossio__retry_decide(&in, 0.5).retry, 0);
    in = first_attempt(OSSIO_ECONNRESET);
    in.no_more = 1; /* client destroying, or the attempt was the last */
    assert_int_equal(ossio__retry_decide(&in, 0.5).retry, 0);
    in = first_attempt(OSSIO_ECONNRESET);
    in.delivered = 1; /* bytes handed over: only a GET with an ETag resumes */
    assert_int_equal(ossio__retry_decide(&in, 0.5).retry, 0);
    in.resumable = 1;
    assert_int_equal(ossio__retry_decide(&in, 0.5).retry, 1);
    in.status = OSSIO_ECHECKSUM; /* a bad CRC is not resumed into */
    assert_int_equal(ossio__retry_decide(&in, 0.5).retry, 0);
    in.delivered = 0; /* but repeated whole */
    assert_int_equal(ossio__retry_decide(&in, 0.5).retry, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_every_status_without_answer),
        cmocka_unit_test(t_refused),
        cmocka_unit_test(t_http_statuses),
        cmocka_unit_test(t_skew),
        cmocka_unit_test(t_backoff_and_limit),
        cmocka_unit_test(t_cannot_repeat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
