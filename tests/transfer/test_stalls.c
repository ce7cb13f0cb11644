/* Stalls end in bounded time on every transport: response headers that never
 * come, a body that stops, a body that drips a few bytes a second, a PUT whose
 * answer never comes. Each is detected by the first-byte timeout or the
 * low-speed limit (set short here; fs.oss.connection.timeout stays at
 * Hadoop's 200 s, so only the new bounds can see them), retried, and the
 * transfer completes byte-exact. CompleteMultipartUpload waits longer; a
 * deadline ends a whole operation or transfer, every attempt included. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "transports.h"

#define BLOB_LEN (2 * MIB + 4321)
#define HOLD "\"ms\":30000," /* far longer than any bound under test */
static uint8_t *blob;

static ossio_client *stall_client(const transport *tp)
{
    /* No hedging: the stalled request itself must be detected. */
    return client_on(tp, "fs.oss.request.first-byte.timeout", "1000", "fs.oss.low-speed.limit",
                     "1024", "fs.oss.low-speed.time", "1000", "fs.oss.multipart.download.hedging",
                     "false");
}

static void path_of(char *path, size_t cap, const char *name)
{
    snprintf(path, cap, "transfer/%d/%s", (int)getpid(), name);
}

static tres download(ossio_client *cl, const char *name, uint8_t *back)
{
    ossio_transfer *t;
    assert_int_equal(ossio_download_new(&t, cl, key_uri(name)), OSSIO_OK);
    ossio_transfer_to_buffer(t, back, BLOB_LEN);
    return run(cl, t);
}

typedef struct get_case {
    const char *what;
    const char *kind;
    const char *extra;
} get_case;

/* GETs: headers held back, a body that stops after 300,000 bytes, a body that
 * drips 64 bytes/s after 300,000 bytes. */
static void t_get_stalls_are_detected_and_resumed(void **state)
{
    (void)state;
    static const get_case cases[] = {
        {"headers never come", "stall", HOLD},
        {"body stops", "stall", "\"after\":300000," HOLD},
        {"body drips", "drip", "\"after\":300000,\"rate\":64,"},
    };
    ossio_client *setup = stall_client(&transports[0]);
    tres up = upload_buffer(setup, "stall-get.bin", blob, BLOB_LEN);
    OK(up);
    ossio_client_destroy(setup);
    char path[256], match[128];
    path_of(path, sizeof(path), "stall-get.bin");
    snprintf(match, sizeof(match), ",\"method\":\"GET\",\"rangeStart\":%d", MIB);
    for (size_t i = 0; i < N_TRANSPORTS; i++) {
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
            const transport *tp = &transports[i];
            ossio_client *cl = stall_client(tp);
            arm_fault(cases[c].kind, path, match, cases[c].extra);
            uint8_t *back = malloc(BLOB_LEN);
            tres x = download(cl, "stall-get.bin", back);
            if (x.st != OSSIO_OK) {
                fail_msg("%s, %s: %s (%s)", tp->name, cases[c].what, ossio_status_name(x.st),
                         x.detail);
            }
            assert_int_equal(faults_fired(path), 1);
            if (x.retries < 1) {
                fail_msg("%s, %s: not detected (no retry)", tp->name, cases[c].what);
            }
            assert_memory_equal(back, blob, BLOB_LEN);
            free(back);
            clear_faults(path);
            ossio_client_destroy(cl);
        }
    }
}

/* A PutObject whose body the server reads and then never answers: the
 * first-byte timeout fires and the PUT is sent again. */
static void t_put_without_answer_is_retried(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_TRANSPORTS; i++) {
        const transport *tp = &transports[i];
        ossio_client *cl = stall_client(tp);
        char name[64], path[256];
        snprintf(name, sizeof(name), "stall-put-%zu.bin", i);
        path_of(path, sizeof(path), name);
        arm_fault("noanswer", path, ",\"method\":\"PUT\"", HOLD);
        tres up = upload_buffer(cl, name, blob, 200000); /* below the threshold: one PUT */
        if (up.st != OSSIO_OK) {
            fail_msg("%s: %s (%s)", tp->name, ossio_status_name(up.st), up.detail);
        }
        assert_int_equal(faults_fired(path), 1);
        assert_true(up.retries >= 1);
        clear_faults(path);
        expect_object(cl, name, blob, 200000);
        ossio_client_destroy(cl);
    }
}

/* CompleteMultipartUpload answered after 2.5 s, over a 1 s first-byte
 * timeout: it has its own, longer bound, so it is not timed out and sent
 * again. */
static void t_complete_may_take_longer(void **state)
{
    (void)state;
    const transport *tp = &transports[0];
    ossio_client *cl = stall_client(tp);
    char path[256];
    path_of(path, sizeof(path), "stall-complete.bin");
    arm_fault("stall", path, ",\"method\":\"POST\",\"query\":\"uploadId\"", "\"ms\":2500,");
    tres up = upload_buffer(cl, "stall-complete.bin", blob, BLOB_LEN);
    OK(up);
    assert_int_equal(faults_fired(path), 1);
    assert_int_equal(up.retries, 0);
    clear_faults(path);
    ossio_client_destroy(cl);
}

static void op_done_res(ossio_op *op, const ossio_result *r, void *ud)
{
    (void)op;
    tres *x = ud;
    x->done++;
    x->st = r->status;
    snprintf(x->detail, sizeof(x->detail), "%s", r->detail ? r->detail : "");
}

/* fs.oss.operation.deadline: a GET whose every attempt stalls ends with
 * OSSIO_EDEADLINE; so does a download, and an upload whose part stalls, which
 * leaves no multipart upload and no object behind. */
static void t_deadline_ends_operations_and_transfers(void **state)
{
    (void)state;
    const transport *tp = &transports[0];
    /* The stalls outlast the per-request bounds (30 s first byte), so only
     * the deadline can end them. */
    ossio_client *cl =
        client_on(tp, "fs.oss.operation.deadline", "1500", "fs.oss.request.first-byte.timeout",
                  "30000", NULL, NULL, NULL, NULL);
    ossio_client *setup = stall_client(tp);
    tres up0 = upload_buffer(setup, "deadline.bin", blob, BLOB_LEN);
    OK(up0);
    ossio_client_destroy(setup);
    char path[256];
    path_of(path, sizeof(path), "deadline.bin");

    arm_fault("stall", path, ",\"method\":\"GET\"", HOLD);
    ossio_op *op;
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_GET, key_uri("deadline.bin")), OSSIO_OK);
    tres g;
    memset(&g, 0, sizeof(g));
    ossio_op_submit(op, op_done_res, &g);
    ossio_client_run(cl);
    assert_int_equal(g.done, 1);
    assert_int_equal(g.st, OSSIO_EDEADLINE);
    clear_faults(path);

    arm_fault("stall", path, ",\"method\":\"GET\",\"range\":true", HOLD);
    uint8_t *back = malloc(BLOB_LEN);
    tres d = download(cl, "deadline.bin", back);
    free(back);
    assert_int_equal(d.st, OSSIO_EDEADLINE);
    clear_faults(path);

    char upath[256];
    path_of(upath, sizeof(upath), "deadline-up.bin");
    arm_fault("stall", upath, ",\"method\":\"PUT\",\"query\":\"partNumber=2\"", HOLD);
    tres u = upload_buffer(cl, "deadline-up.bin", blob, BLOB_LEN);
    assert_int_equal(u.st, OSSIO_EDEADLINE);
    clear_faults(upath);
    assert_int_equal(list_uploads(cl, "deadline-up.bin"), 0);
    assert_int_equal(head(cl, "deadline-up.bin"), OSSIO_ENOTFOUND);
    ossio_client_destroy(cl);
}

static int teardown(void **state)
{
    (void)state;
    free(blob);
    return remove_own_prefix("transfer");
}

int main(void)
{
    blob = malloc(BLOB_LEN);
    for (size_t i = 0; i < BLOB_LEN; i++) {
        blob[i] = (uint8_t)(i * 7 + (i >> 11));
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_get_stalls_are_detected_and_resumed),
        cmocka_unit_test(t_put_without_answer_is_retried),
        cmocka_unit_test(t_complete_may_take_longer),
        cmocka_unit_test(t_deadline_ends_operations_and_transfers),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
