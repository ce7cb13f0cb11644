/* What the transfer tests share: a client on the local endpoint (h2 over
 * TLS, 1 MiB parts), a run-to-completion helper recording the result, and
 * store-side checks (open multipart uploads, object presence). */
#ifndef OSSIO_TESTS_TRANSFER_SUPPORT_H
#define OSSIO_TESTS_TRANSFER_SUPPORT_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../transport/test_support.h"

#define MIB (1024 * 1024)

static char uri[512];

typedef struct tres {
    int done;
    ossio_status st;
    char detail[512];
    char code[64];
    uint64_t bytes, size, crc;
    unsigned parts, retries;
    int progress_calls;
    uint64_t last_done;
    char upload_id[256];
    char protocol[16];
    double elapsed;
    unsigned connections;
    uint64_t connection;
} tres;

static void t_done(ossio_transfer *t, const ossio_result *r, void *ud)
{
    tres *x = ud;
    x->done++;
    x->st = r->status;
    x->retries = r->retries;
    snprintf(x->detail, sizeof(x->detail), "%s", r->detail ? r->detail : "");
    snprintf(x->code, sizeof(x->code), "%s", r->code ? r->code : "");
    x->bytes = ossio_transfer_bytes(t);
    x->size = ossio_transfer_size(t);
    x->crc = ossio_transfer_crc64(t);
    x->parts = ossio_transfer_parts(t);
    snprintf(x->protocol, sizeof(x->protocol), "%s", r->protocol ? r->protocol : "");
    x->elapsed = ossio_transfer_elapsed(t);
    x->connections = ossio_transfer_connections(t);
    x->connection = r->connection;
    const char *id = ossio_transfer_upload_id(t);
    snprintf(x->upload_id, sizeof(x->upload_id), "%s", id ? id : "");
}

static void t_progress(ossio_transfer *t, uint64_t done, uint64_t total, void *ud)
{
    (void)t;
    (void)total;
    tres *x = ud;
    x->progress_calls++;
    assert_true(done >= x->last_done); /* never goes back */
    x->last_done = done;
}

static ossio_client *client(const char *extra_key, const char *extra_value)
{
    char endpoint[128];
    snprintf(endpoint, sizeof(endpoint), "https://localhost:%d", ep_port("H2_TLS"));
    return client_with(NULL, "fs.oss.endpoint", endpoint, "fs.oss.accessKeyId", ep("ACCESS_KEY_ID"),
                       "fs.oss.accessKeySecret", ep("ACCESS_KEY_SECRET"),
                       "fs.oss.path.style.access", "true", "fs.oss.multipart.upload.threshold",
                       "1M", "fs.oss.multipart.upload.size", "1M", "fs.oss.multipart.download.size",
                       "1M", extra_key, extra_value, NULL);
}

static const char *key_uri(const char *name)
{
    snprintf(uri, sizeof(uri), "oss://%s/transfer/%d/%s", ep("BUCKET"), (int)getpid(), name);
    return uri;
}

static tres run(ossio_client *cl, ossio_transfer *t)
{
    tres x;
    memset(&x, 0, sizeof(x));
    ossio_transfer_set_progress(t, t_progress, &x);
    assert_int_equal(ossio_transfer_submit(t, t_done, &x), OSSIO_OK);
    assert_int_equal(x.done, 0);
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    return x;
}

static tres upload_buffer(ossio_client *cl, const char *name, const uint8_t *data, size_t len)
{
    ossio_transfer *t;
    assert_int_equal(ossio_upload_new(&t, cl, key_uri(name)), OSSIO_OK);
    ossio_transfer_from_buffer(t, data, len);
    ossio_transfer_set_parts(t, 0, 4);
    return run(cl, t);
}

#define OK(x)                                                                                      \
    do {                                                                                           \
        if ((x).st != OSSIO_OK) {                                                                  \
            fail_msg("%s: %s (%s)", #x, ossio_status_name((x).st), (x).detail);                    \
        }                                                                                          \
    } while (0)

typedef struct collect {
    uint8_t *buf;
    size_t len, cap;
    unsigned calls;
} collect;

static int collect_stream(ossio_transfer *t, const uint8_t *data, size_t len, void *ud)
{
    (void)t;
    collect *c = ud;
    assert_true(c->len + len <= c->cap);
    memcpy(c->buf + c->len, data, len);
    c->len += len;
    c->calls++;
    return 0;
}

static int count_entries(ossio_op *op, const ossio_list_entry *e, void *ud)
{
    (void)op;
    (void)e;
    (*(int *)ud)++;
    return 0;
}

static void op_done_st(ossio_op *op, const ossio_result *r, void *ud)
{
    (void)op;
    *(ossio_status *)ud = r->status;
}

static int list_uploads(ossio_client *cl, const char *name)
{
    ossio_op *op;
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_MULTIPART_LIST_UPLOADS, key_uri(name)),
                     OSSIO_OK);
    int n = 0;
    ossio_status st = OSSIO_EINTERNAL;
    ossio_op_set_callbacks(op, NULL, count_entries, &n);
    ossio_op_submit(op, op_done_st, &st);
    ossio_client_run(cl);
    assert_int_equal(st, OSSIO_OK);
    return n;
}

static ossio_status head(ossio_client *cl, const char *name)
{
    ossio_op *op;
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_HEAD, key_uri(name)), OSSIO_OK);
    ossio_status st = OSSIO_EINTERNAL;
    ossio_op_submit(op, op_done_st, &st);
    ossio_client_run(cl);
    return st;
}

/* Reads an object back whole and compares it with |want|. */
static void expect_object(ossio_client *cl, const char *name, const uint8_t *want, size_t len)
{
    uint8_t *back = malloc(len + 1);
    ossio_transfer *t;
    assert_int_equal(ossio_download_new(&t, cl, key_uri(name)), OSSIO_OK);
    ossio_transfer_to_buffer(t, back, len + 1);
    tres x = run(cl, t);
    OK(x);
    assert_int_equal(x.size, len);
    assert_memory_equal(back, want, len);
    free(back);
}

#endif /* OSSIO_TESTS_TRANSFER_SUPPORT_H */
