/* Error answers cost little and are always named, on every transport: an
 * error body of 200 MiB is read up to 64 KiB for its Code and Message, then
 * the connection is closed (HTTP/1.1) or the stream reset (HTTP/2) and the
 * client goes on working; an error with no readable document (HEAD, an HTML
 * page from a proxy) is named from its status and x-oss-ec, never "HTTP500: ". */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../transfer/transports.h"

typedef struct opres {
    int done;
    ossio_status st;
    int http;
    char code[64], message[256], request_id[64], ec[64], host_id[256];
} opres;

static void on_done(ossio_op *op, const ossio_result *r, void *ud)
{
    (void)op;
    opres *x = ud;
    x->done++;
    x->st = r->status;
    x->http = r->http_status;
    snprintf(x->code, sizeof(x->code), "%s", r->code ? r->code : "");
    snprintf(x->message, sizeof(x->message), "%s", r->message ? r->message : "");
    snprintf(x->request_id, sizeof(x->request_id), "%s", r->request_id ? r->request_id : "");
    snprintf(x->ec, sizeof(x->ec), "%s", r->ec ? r->ec : "");
    snprintf(x->host_id, sizeof(x->host_id), "%s", r->host_id ? r->host_id : "");
}

/* Any completion (transfer, split read) into |x|. */
static void server_fields(opres *x, const ossio_result *r)
{
    x->done++;
    x->st = r->status;
    x->http = r->http_status;
    snprintf(x->code, sizeof(x->code), "%s", r->code ? r->code : "");
    snprintf(x->request_id, sizeof(x->request_id), "%s", r->request_id ? r->request_id : "");
    snprintf(x->ec, sizeof(x->ec), "%s", r->ec ? r->ec : "");
    snprintf(x->host_id, sizeof(x->host_id), "%s", r->host_id ? r->host_id : "");
}

static void on_transfer(ossio_transfer *t, const ossio_result *r, void *ud)
{
    (void)t;
    server_fields(ud, r);
}

static void on_split(ossio_split_reader *r, const ossio_result *res, void *ud)
{
    (void)r;
    server_fields(ud, res);
}

static opres run_op(ossio_client *cl, ossio_op_kind kind, const char *name)
{
    ossio_op *op;
    assert_int_equal(ossio_op_new(&op, cl, kind, key_uri(name)), OSSIO_OK);
    opres x;
    memset(&x, 0, sizeof(x));
    assert_int_equal(ossio_op_submit(op, on_done, &x), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    return x;
}

/* 200 MiB of error: named from its first bytes, read no further, and the
 * next request on the same client works. */
static void t_huge_error_body_is_cut(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_TRANSPORTS; i++) {
        const transport *tp = &transports[i];
        ossio_client *cl =
            client_on(tp, "fs.oss.attempts.maximum", "1", NULL, NULL, NULL, NULL, NULL, NULL);
        char name[64], path[256];
        snprintf(name, sizeof(name), "bigerror-%zu.txt", i);
        snprintf(path, sizeof(path), "transfer/%d/%s", (int)getpid(), name);
        tres up = upload_buffer(cl, name, (const uint8_t *)"hello", 5);
        OK(up);
        arm_fault("bigerror", path, ",\"method\":\"GET\"", "\"bodyBytes\":209715200,");
        uint64_t before = ossio_client_stat(cl, OSSIO_STAT_BYTES_RECEIVED);
        opres x = run_op(cl, OSSIO_OP_GET, name);
        assert_int_equal(faults_fired(path), 1);
        assert_int_equal(x.st, OSSIO_ESERVER);
        assert_int_equal(x.http, 500);
        assert_string_equal(x.code, "InternalError");
        assert_string_equal(x.message, "A very long error.");
        assert_true(x.request_id[0] != '\0');
        uint64_t got = ossio_client_stat(cl, OSSIO_STAT_BYTES_RECEIVED) - before;
        if (got > 4 * MIB) {
            fail_msg("%s: %llu bytes of the error body were read", tp->name,
                     (unsigned long long)got);
        }
        opres again = run_op(cl, OSSIO_OP_GET, name); /* the client is not stuck */
        assert_int_equal(again.st, OSSIO_OK);
        clear_faults(path);
        ossio_client_destroy(cl);
    }
}

/* An HTML error page (a proxy's) and the same error to a HEAD: named
 * InternalError from the 500, with the EC the x-oss-ec header gave. */
static void t_error_without_document_is_named(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_TRANSPORTS; i++) {
        const transport *tp = &transports[i];
        ossio_client *cl =
            client_on(tp, "fs.oss.attempts.maximum", "1", NULL, NULL, NULL, NULL, NULL, NULL);
        char name[64], path[256];
        snprintf(name, sizeof(name), "htmlerror-%zu.txt", i);
        snprintf(path, sizeof(path), "transfer/%d/%s", (int)getpid(), name);
        for (int head = 0; head <= 1; head++) {
            arm_fault("bigerror", path, head ? ",\"method\":\"HEAD\"" : ",\"method\":\"GET\"",
                      "\"xml\":false,\"bodyBytes\":100000,");
            opres x = run_op(cl, head ? OSSIO_OP_HEAD : OSSIO_OP_GET, name);
            assert_int_equal(faults_fired(path), 1);
            assert_int_equal(x.st, OSSIO_ESERVER);
            assert_string_equal(x.code, "InternalError");
            assert_string_equal(x.ec, "0001-00000001");
            if (strstr(x.message, "no error document") == NULL ||
                strstr(x.message, "0001-00000001") == NULL) {
                fail_msg("%s %s: message '%s'", tp->name, head ? "HEAD" : "GET", x.message);
            }
            clear_faults(path);
        }
        ossio_client_destroy(cl);
    }
}

/* A server error reaches a transfer's and a split read's result with every
 * field an operation's has: Code, RequestId, HostId and EC (issue 16.5). */
static void t_transfer_and_split_keep_server_fields(void **state)
{
    (void)state;
    const transport *tp = &transports[0];
    ossio_client *cl =
        client_on(tp, "fs.oss.attempts.maximum", "1", NULL, NULL, NULL, NULL, NULL, NULL);
    char path[256];
    snprintf(path, sizeof(path), "transfer/%d/denied.txt", (int)getpid());
    OK(upload_buffer(cl, "denied.txt", (const uint8_t *)"hello", 5));
    const char *denied = "\"status\":403,\"code\":\"AccessDenied\",";

    arm_fault("status", path, "", denied); /* what an operation reports */
    opres op = run_op(cl, OSSIO_OP_GET, "denied.txt");
    assert_int_equal(faults_fired(path), 1);
    assert_int_equal(op.st, OSSIO_EACCESS);
    assert_true(op.host_id[0] != '\0' && op.ec[0] != '\0');
    clear_faults(path);

    arm_fault("status", path, "", denied);
    ossio_transfer *t = NULL;
    uint8_t buf[16];
    assert_int_equal(ossio_download_new(&t, cl, key_uri("denied.txt")), OSSIO_OK);
    assert_int_equal(ossio_transfer_to_buffer(t, buf, sizeof(buf)), OSSIO_OK);
    opres x;
    memset(&x, 0, sizeof(x));
    assert_int_equal(ossio_transfer_submit(t, on_transfer, &x), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    assert_int_equal(faults_fired(path), 1);
    assert_int_equal(x.st, OSSIO_EACCESS);
    assert_int_equal(x.http, 403);
    assert_string_equal(x.code, "AccessDenied");
    assert_true(x.request_id[0] != '\0');
    assert_string_equal(x.host_id, op.host_id);
    assert_string_equal(x.ec, op.ec);
    clear_faults(path);

    arm_fault("status", path, "", denied);
    ossio_split sp = {0, key_uri("denied.txt"), 0, 5, 5, NULL, 0};
    ossio_split_reader *r = NULL;
    assert_int_equal(ossio_split_reader_new(&r, cl, &sp), OSSIO_OK);
    memset(&x, 0, sizeof(x));
    assert_int_equal(ossio_split_reader_submit(r, on_split, &x), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    assert_int_equal(faults_fired(path), 1);
    assert_int_equal(x.st, OSSIO_EACCESS);
    assert_int_equal(x.http, 403);
    assert_string_equal(x.code, "AccessDenied");
    assert_string_equal(x.host_id, op.host_id);
    assert_string_equal(x.ec, op.ec);
    clear_faults(path);
    ossio_client_destroy(cl);
}

static int teardown(void **state)
{
    (void)state;
    return remove_own_prefix("transfer");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_huge_error_body_is_cut),
        cmocka_unit_test(t_error_without_document_is_named),
        cmocka_unit_test(t_transfer_and_split_keep_server_fields),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
