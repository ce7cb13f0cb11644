/* Transfers under every fault the endpoint injects, and an object replaced
 * while it is being read: each part's failure is retried (or resumed) by its
 * operation and the transfer completes byte-exact, or it fails with a named
 * error and leaves nothing behind. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "transfer_support.h"

static uint8_t *blob;
static size_t blob_len = 6 * MIB + 777;

static void arm(const char *kind, const char *path, const char *match_extra, const char *extra)
{
    char f[1024];
    snprintf(f, sizeof(f), "{\"kind\":\"%s\",\"count\":1,%s\"match\":{\"path\":\"%s\"%s}}", kind,
             extra, path, match_extra);
    assert_int_equal(control("POST", "/faults", f), 201);
}

typedef struct fault_case {
    const char *kind;
    const char *extra; /* more fault fields, each followed by a comma */
} fault_case;

static const fault_case cases[] = {
    {"slowdown", ""},
    {"internal", ""},
    {"status", "\"status\":502,\"code\":\"BadGateway\","},
    {"reset", "\"after\":300000,"},
    {"truncate", "\"after\":300000,"},
    {"goaway", ""},
};

/* One fault of each kind on the third part of a download and of an upload
 * (1 MiB parts, 7 of them): every transfer completes byte-exact, and the
 * fault fired. */
static void t_each_fault_kind_is_survived(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char name[64], path[256];
        /* upload: the fault hits UploadPart 3 */
        snprintf(name, sizeof(name), "fault-%s.bin", cases[i].kind);
        snprintf(path, sizeof(path), "transfer/%d/%s", (int)getpid(), name);
        arm(cases[i].kind, path, ",\"query\":\"partNumber=3\"", cases[i].extra);
        tres up = upload_buffer(cl, name, blob, blob_len);
        if (up.st != OSSIO_OK) {
            fail_msg("upload under %s: %s (%s)", cases[i].kind, ossio_status_name(up.st),
                     up.detail);
        }
        assert_int_equal(faults_fired(path), 1);
        clear_faults(path);
        /* download: the fault hits the part that starts at 2 MiB */
        char start[64];
        snprintf(start, sizeof(start), ",\"method\":\"GET\",\"rangeStart\":%d", 2 * MIB);
        arm(cases[i].kind, path, start, cases[i].extra);
        uint8_t *back = malloc(blob_len);
        ossio_transfer *t;
        assert_int_equal(ossio_download_new(&t, cl, key_uri(name)), OSSIO_OK);
        ossio_transfer_to_buffer(t, back, blob_len);
        tres down = run(cl, t);
        if (down.st != OSSIO_OK) {
            fail_msg("download under %s: %s (%s)", cases[i].kind, ossio_status_name(down.st),
                     down.detail);
        }
        assert_int_equal(faults_fired(path), 1);
        clear_faults(path);
        assert_memory_equal(back, blob, blob_len);
        free(back);
    }
    ossio_client_destroy(cl);
}

/* CompleteMultipartUpload answered 200 with an <Error> body (OSS and S3 do
 * that once they began): retried like a 5xx, the object completes. */
static void t_complete_error_in_200_is_retried(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL);
    char path[256];
    snprintf(path, sizeof(path), "transfer/%d/error200.bin", (int)getpid());
    arm("error200", path, ",\"method\":\"POST\",\"query\":\"uploadId\"", "");
    tres up = upload_buffer(cl, "error200.bin", blob, blob_len);
    OK(up);
    assert_true(up.retries >= 1);
    assert_int_equal(faults_fired(path), 1);
    clear_faults(path);
    expect_object(cl, "error200.bin", blob, blob_len);
    ossio_client_destroy(cl);
}

/* A fault that does not go away: the transfer fails with the named error
 * after the configured attempts; the upload is aborted. */
static void t_persistent_fault_is_named(void **state)
{
    (void)state;
    ossio_client *cl = client("fs.oss.attempts.maximum", "3");
    char path[256], f[512];
    snprintf(path, sizeof(path), "transfer/%d/always-slow.bin", (int)getpid());
    snprintf(f, sizeof(f),
             "{\"kind\":\"slowdown\",\"count\":100,\"match\":{\"path\":\"%s\",\"query\":"
             "\"partNumber=2\"}}",
             path);
    assert_int_equal(control("POST", "/faults", f), 201);
    tres up = upload_buffer(cl, "always-slow.bin", blob, blob_len);
    assert_int_equal(up.st, OSSIO_ETHROTTLED);
    assert_string_equal(up.code, "SlowDown");
    assert_int_equal(faults_fired(path), 3);
    clear_faults(path);
    assert_int_equal(list_uploads(cl, "always-slow.bin"), 0);
    assert_int_equal(head(cl, "always-slow.bin"), OSSIO_ENOTFOUND);
    ossio_client_destroy(cl);
}

/* The object is replaced after part 0 was read and before the others are
 * (they wait 1.5 s at the server):
 * their If-Match fails and the download says OSSIO_ECHANGED, never mixing
 * the two versions. */
typedef struct replacer {
    ossio_client *cl;
    int put_done;
    ossio_status put_st;
    size_t got;
} replacer;

static void put_done(ossio_op *op, const ossio_result *r, void *ud)
{
    (void)op;
    replacer *x = ud;
    x->put_done = 1;
    x->put_st = r->status;
}

static int replace_on_first_bytes(ossio_transfer *t, const uint8_t *data, size_t len, void *ud)
{
    (void)t;
    replacer *x = ud;
    assert_memory_equal(data, blob + x->got, len); /* only the first version's bytes */
    x->got += len;
    /* Once part 0 is whole (s3rver rewrites a file in place, so replacing it
     * under a response still being read would change that response's bytes). */
    if (x->got == MIB) {
        ossio_op *op;
        assert_int_equal(ossio_op_new(&op, x->cl, OSSIO_OP_PUT, key_uri("replaced.bin")), OSSIO_OK);
        ossio_op_set_body(op, blob + 1, 3 * MIB); /* other bytes, other ETag */
        ossio_op_submit(op, put_done, x);
    }
    return 0;
}

static void t_replaced_mid_download(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL);
    tres up = upload_buffer(cl, "replaced.bin", blob, 4 * MIB);
    OK(up);
    char path[256];
    snprintf(path, sizeof(path), "transfer/%d/replaced.bin", (int)getpid());
    for (int part = 1; part < 4; part++) { /* the later parts wait at the server */
        char start[80];
        snprintf(start, sizeof(start), ",\"method\":\"GET\",\"rangeStart\":%d", part * MIB);
        arm("stall", path, start, "\"ms\":1500,");
    }
    replacer x = {cl, 0, OSSIO_EINTERNAL, 0};
    ossio_transfer *t;
    assert_int_equal(ossio_download_new(&t, cl, key_uri("replaced.bin")), OSSIO_OK);
    ossio_transfer_to_stream(t, replace_on_first_bytes, &x);
    tres down = run(cl, t);
    clear_faults(path);
    assert_int_equal(x.put_done, 1);
    assert_int_equal(x.put_st, OSSIO_OK);
    assert_int_equal(down.st, OSSIO_ECHANGED);
    assert_int_equal(x.got, MIB); /* part 0 only: nothing of the new version */
    ossio_client_destroy(cl);
}

int main(void)
{
    blob = malloc(blob_len);
    for (size_t i = 0; i < blob_len; i++) {
        blob[i] = (uint8_t)((i * 2654435761u) >> 9);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_each_fault_kind_is_survived),
        cmocka_unit_test(t_persistent_fault_is_named),
        cmocka_unit_test(t_complete_error_in_200_is_retried),
        cmocka_unit_test(t_replaced_mid_download),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rc |= remove_own_prefix("transfer");
    free(blob);
    return rc;
}
