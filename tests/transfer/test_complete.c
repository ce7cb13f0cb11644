/* What an upload reports when CompleteMultipartUpload's answer is not the one
 * expected: another root element, a body no parser reads, an answer lost on
 * the way. The result says whether the object exists (a HEAD decides when the
 * answer cannot), and an upload whose object exists is not aborted. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "transfer_support.h"

static uint8_t *blob;
static size_t blob_len = 3 * MIB + 4321; /* four 1 MiB parts */

/* Arms a fault on this program's |name|; returns its id. */
static int arm(const char *kind, const char *name, const char *method, const char *query,
               const char *extra)
{
    char path[256], f[1024], out[1024];
    snprintf(path, sizeof(path), "transfer/%d/%s", (int)getpid(), name);
    snprintf(f, sizeof(f),
             "{\"kind\":\"%s\",\"count\":1,%s\"match\":{\"method\":\"%s\",\"path\":\"%s\","
             "\"query\":\"%s\"}}",
             kind, extra, method, path, query);
    assert_int_equal(control_io("POST", "/faults", f, out, sizeof(out)), 201);
    const char *id = strstr(out, "\"id\":");
    assert_non_null(id);
    return atoi(id + 5);
}

/* How often the fault |id| fired. */
static int fired(int id)
{
    static char body[256 * 1024];
    assert_int_equal(control_io("GET", "/faults", NULL, body, sizeof(body)), 200);
    char needle[32];
    snprintf(needle, sizeof(needle), "{\"id\":%d,", id);
    const char *f = strstr(body, needle);
    assert_non_null(f);
    const char *n = strstr(f, "\"fired\":");
    assert_non_null(n);
    return atoi(n + 8);
}

static void clear(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "transfer/%d/%s", (int)getpid(), name);
    clear_faults(path);
}

static ossio_written written;
static void keep_written(ossio_transfer *t, const ossio_result *r, void *ud)
{
    written = r->written;
    t_done(t, r, ud);
}

static tres upload(ossio_client *cl, const char *name, size_t len)
{
    ossio_transfer *t;
    assert_int_equal(ossio_upload_new(&t, cl, key_uri(name)), OSSIO_OK);
    ossio_transfer_from_buffer(t, blob, len);
    ossio_transfer_set_parts(t, 0, 4);
    tres x;
    memset(&x, 0, sizeof(x));
    written = (ossio_written)-1;
    assert_int_equal(ossio_transfer_submit(t, keep_written, &x), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    return x;
}

/* A request the upload must not send when the object exists: an
 * AbortMultipartUpload would answer 500 here, and the fault counts it. */
static int arm_abort_watch(const char *name)
{
    return arm("internal", name, "DELETE", "uploadId", "");
}

/* Complete answered 200 with the root element CompleteMultipartUploadResponse
 * (ETag inside): the upload succeeds, the object is there, nothing aborted. */
static void t_other_root_is_success(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL);
    int f = arm("complete-other-root", "other-root.bin", "POST", "uploadId", "");
    int a = arm_abort_watch("other-root.bin");
    tres up = upload(cl, "other-root.bin", blob_len);
    OK(up);
    assert_int_equal(written, OSSIO_WRITTEN_YES);
    assert_int_equal(fired(f), 1);
    assert_int_equal(fired(a), 0);
    clear("other-root.bin");
    assert_int_equal(list_uploads(cl, "other-root.bin"), 0);
    expect_object(cl, "other-root.bin", blob, blob_len);
    ossio_client_destroy(cl);
}

/* Complete answered 200 with a body that is not XML, the upload completed:
 * a HEAD finds our size and CRC-64, so the upload succeeds, unaborted. */
static void t_garbage_the_head_finds_the_object(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL);
    int f = arm("complete-garbage", "garbage.bin", "POST", "uploadId", "");
    int h = arm("stall", "garbage.bin", "HEAD", "", "\"ms\":1,"); /* counts the HEAD */
    int a = arm_abort_watch("garbage.bin");
    tres up = upload(cl, "garbage.bin", blob_len);
    OK(up);
    assert_int_equal(written, OSSIO_WRITTEN_YES);
    assert_int_equal(fired(f), 1);
    assert_int_equal(fired(h), 1);
    assert_int_equal(fired(a), 0);
    clear("garbage.bin");
    expect_object(cl, "garbage.bin", blob, blob_len);
    ossio_client_destroy(cl);
}

/* The same body, but the upload was not completed: the HEAD finds no object,
 * or one of another size (an older object under the key, left as it was).
 * The upload fails, the error names the operation, the upload is aborted. */
static void t_garbage_not_completed_is_named(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL);
    for (int older = 0; older < 2; older++) {
        const char *name = older ? "garbage-older.bin" : "garbage-none.bin";
        if (older) {
            tres small = upload_buffer(cl, name, blob + 1, 1000);
            OK(small);
        }
        int f = arm("complete-garbage", name, "POST", "uploadId", "\"forward\":false,");
        tres up = upload(cl, name, blob_len);
        assert_int_equal(up.st, OSSIO_EXML);
        assert_int_equal(written, OSSIO_WRITTEN_NO);
        if (strstr(up.detail, "CompleteMultipartUpload") == NULL ||
            strstr(up.detail, older ? "another size" : "no object") == NULL) {
            fail_msg("detail: %s", up.detail);
        }
        assert_int_equal(fired(f), 1);
        clear(name);
        assert_int_equal(list_uploads(cl, name), 0); /* aborted */
        if (older) {
            expect_object(cl, name, blob + 1, 1000);
        } else {
            assert_int_equal(head(cl, name), OSSIO_ENOTFOUND);
        }
    }
    ossio_client_destroy(cl);
}

/* Unreadable answer and a HEAD that cannot tell (403): the result says the
 * object may exist, never that it does not. */
static void t_garbage_and_no_head_is_unknown(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL);
    int f = arm("complete-garbage", "unknown.bin", "POST", "uploadId", "");
    arm("status", "unknown.bin", "HEAD", "", "\"status\":403,\"code\":\"AccessDenied\",");
    tres up = upload(cl, "unknown.bin", blob_len);
    assert_int_equal(up.st, OSSIO_EXML);
    assert_int_equal(written, OSSIO_WRITTEN_UNKNOWN);
    if (strstr(up.detail, "unknown") == NULL) {
        fail_msg("detail: %s", up.detail);
    }
    assert_int_equal(fired(f), 1);
    clear("unknown.bin");
    expect_object(cl, "unknown.bin", blob, blob_len); /* it did exist */
    ossio_client_destroy(cl);
}

/* Complete's answer cut off after a few bytes: the retry finds the upload
 * gone (NoSuchUpload, it was completed); a HEAD shows it was ours. */
static void t_lost_answer_then_no_such_upload(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL);
    int f = arm("truncate", "lost.bin", "POST", "uploadId", "\"after\":20,");
    int a = arm_abort_watch("lost.bin");
    tres up = upload(cl, "lost.bin", blob_len);
    OK(up);
    assert_int_equal(written, OSSIO_WRITTEN_YES);
    assert_int_equal(fired(f), 1);
    assert_int_equal(fired(a), 0);
    clear("lost.bin");
    expect_object(cl, "lost.bin", blob, blob_len);
    ossio_client_destroy(cl);
}

/* The plain cases say it too: a single PutObject and a multipart upload
 * that succeed wrote the object; one refused by the server wrote nothing. */
static void t_written_on_plain_outcomes(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL);
    tres small = upload(cl, "plain-small.bin", 1000);
    OK(small);
    assert_int_equal(written, OSSIO_WRITTEN_YES);
    tres big = upload(cl, "plain-big.bin", blob_len);
    OK(big);
    assert_int_equal(written, OSSIO_WRITTEN_YES);
    arm("status", "plain-refused.bin", "PUT", "", "\"status\":403,\"code\":\"AccessDenied\",");
    tres refused = upload(cl, "plain-refused.bin", 1000);
    assert_int_equal(refused.st, OSSIO_EACCESS);
    assert_int_equal(written, OSSIO_WRITTEN_NO);
    clear("plain-refused.bin");
    ossio_client_destroy(cl);
}

int main(void)
{
    blob = malloc(blob_len);
    for (size_t i = 0; i < blob_len; i++) {
        blob[i] = (uint8_t)((i * 2654435761u) >> 11);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_other_root_is_success),
        cmocka_unit_test(t_garbage_the_head_finds_the_object),
        cmocka_unit_test(t_garbage_not_completed_is_named),
        cmocka_unit_test(t_garbage_and_no_head_is_unknown),
        cmocka_unit_test(t_lost_answer_then_no_such_upload),
        cmocka_unit_test(t_written_on_plain_outcomes),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rc |= remove_own_prefix("transfer");
    free(blob);
    return rc;
}
