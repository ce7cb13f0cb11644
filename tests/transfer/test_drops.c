/* A connection that drops under a request — the server or a balancer goes
 * away, over TLS without a close_notify alert — is a transient fault on every
 * transport: a GET resumes from the exact byte it stopped at (If-Match on the
 * ETag), an upload re-sends the part, a listing fetches the page again and
 * hands every entry over exactly once. The endpoint closes the real TCP
 * connection (fault "drop"). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "transports.h"

#define BLOB_LEN (3 * MIB + 333)
#define CUT 300000 /* body bytes before the drop */
static uint8_t *blob;

static void path_of(char *path, size_t cap, const char *name)
{
    snprintf(path, cap, "transfer/%d/%s", (int)getpid(), name);
}

/* A part upload dropped after CUT request body bytes: the part is sent again
 * and the object is byte-exact. */
static void t_upload_part_dropped(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_TRANSPORTS; i++) {
        const transport *tp = &transports[i];
        ossio_client *cl = client_on(tp, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        char name[64], path[256];
        snprintf(name, sizeof(name), "drop-up-%zu.bin", i);
        path_of(path, sizeof(path), name);
        arm_fault("drop", path, ",\"method\":\"PUT\",\"query\":\"partNumber=2\"",
                  "\"after\":"
                  "300000,");
        tres up = upload_buffer(cl, name, blob, BLOB_LEN);
        if (up.st != OSSIO_OK) {
            fail_msg("%s: upload: %s (%s)", tp->name, ossio_status_name(up.st), up.detail);
        }
        assert_int_equal(faults_fired(path), 1);
        /* Sent again: retried by its operation, or re-sent by the transport
         * when the drop hit a reused HTTP/1.1 connection before any answer
         * (the stale keep-alive rule, docs/transport.md). */
        assert_true(up.retries + ossio_client_stat(cl, OSSIO_STAT_REQUESTS_REPLAYED) >= 1);
        assert_string_equal(up.protocol, tp->want_protocol);
        clear_faults(path);
        expect_object(cl, name, blob, BLOB_LEN);
        ossio_client_destroy(cl);
    }
}

/* A GET dropped CUT bytes into its part: the next attempt asks for the rest
 * of the part from exactly there, with If-Match (a second fault armed on just
 * that request proves it, and is retried in turn), and the bytes are exact. */
static void t_download_resumes_at_the_exact_offset(void **state)
{
    (void)state;
    ossio_client *setup = client_on(&transports[0], NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    tres up = upload_buffer(setup, "drop-down.bin", blob, BLOB_LEN);
    OK(up);
    ossio_client_destroy(setup);
    char path[256];
    path_of(path, sizeof(path), "drop-down.bin");
    for (size_t i = 0; i < N_TRANSPORTS; i++) {
        const transport *tp = &transports[i];
        ossio_client *cl = client_on(tp, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        char m1[128], m2[160];
        snprintf(m1, sizeof(m1), ",\"method\":\"GET\",\"rangeStart\":%d", MIB);
        snprintf(m2, sizeof(m2), ",\"method\":\"GET\",\"ifMatch\":true,\"rangeStart\":%d",
                 MIB + CUT);
        arm_fault("drop", path, m1,
                  "\"after\":"
                  "300000,");
        arm_fault("internal", path, m2, "");
        uint8_t *back = malloc(BLOB_LEN);
        ossio_transfer *t;
        assert_int_equal(ossio_download_new(&t, cl, key_uri("drop-down.bin")), OSSIO_OK);
        ossio_transfer_to_buffer(t, back, BLOB_LEN);
        tres down = run(cl, t);
        if (down.st != OSSIO_OK) {
            fail_msg("%s: download: %s (%s)", tp->name, ossio_status_name(down.st), down.detail);
        }
        /* both fired: the drop, then the resumed request at MIB + CUT */
        if (faults_fired(path) != 2) {
            fail_msg("%s: %d of the 2 faults fired: the GET was not resumed at byte %d with "
                     "If-Match",
                     tp->name, faults_fired(path), MIB + CUT);
        }
        assert_true(down.retries >= 2);
        assert_memory_equal(back, blob, BLOB_LEN);
        free(back);
        clear_faults(path);
        ossio_client_destroy(cl);
    }
}

typedef struct keys_seen {
    char keys[64][128];
    int n;
    int overflow;
} keys_seen;

static int record_key(ossio_op *op, const ossio_list_entry *e, void *ud)
{
    (void)op;
    keys_seen *k = ud;
    if (k->n >= 64) {
        k->overflow = 1;
        return 0;
    }
    snprintf(k->keys[k->n++], sizeof(k->keys[0]), "%s", e->key);
    return 0;
}

/* A listing page dropped mid-body, after some entries were parsed: the page
 * is fetched again, every key comes exactly once and in order, V2 and V1. */
static void t_listing_page_refetched(void **state)
{
    (void)state;
    enum { KEYS = 40 };
    char prefix[128];
    snprintf(prefix, sizeof(prefix), "transfer/%d/droplist/", (int)getpid());
    ossio_client *setup = client_on(&transports[0], NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    for (int k = 0; k < KEYS; k++) {
        char name[64];
        snprintf(name, sizeof(name), "droplist/k%03d", k);
        tres x = upload_buffer(setup, name, blob, 10);
        OK(x);
    }
    ossio_client_destroy(setup);
    char bucket_path[160], match[256];
    snprintf(bucket_path, sizeof(bucket_path), "/%s", ep("BUCKET"));
    /* the first page of this prefix only (the query names it; other test
     * programs list other prefixes) */
    snprintf(match, sizeof(match), ",\"method\":\"GET\",\"query\":\"droplist\"");
    for (size_t i = 0; i < N_TRANSPORTS; i++) {
        for (int v1 = 0; v1 <= 1; v1++) {
            const transport *tp = &transports[i];
            ossio_client *cl = client_on(tp, "fs.oss.list.version", v1 ? "1" : "2", NULL, NULL,
                                         NULL, NULL, NULL, NULL);
            arm_fault("drop", bucket_path, match,
                      "\"after\":"
                      "1500,");
            keys_seen seen;
            memset(&seen, 0, sizeof(seen));
            ossio_op *op;
            assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_LIST, key_uri("droplist/")), OSSIO_OK);
            assert_int_equal(ossio_op_set_list(op, NULL, 16, NULL), OSSIO_OK);
            ossio_op_set_callbacks(op, NULL, record_key, &seen);
            ossio_status st = OSSIO_EINTERNAL;
            ossio_op_submit(op, op_done_st, &st);
            ossio_client_run(cl);
            if (st != OSSIO_OK) {
                fail_msg("%s V%d: listing: %s", tp->name, v1 ? 1 : 2, ossio_status_name(st));
            }
            assert_false(seen.overflow);
            if (seen.n != KEYS) {
                fail_msg("%s V%d: %d keys listed, want %d", tp->name, v1 ? 1 : 2, seen.n, KEYS);
            }
            for (int k = 0; k < KEYS; k++) {
                char want[160];
                snprintf(want, sizeof(want), "%sk%03d", prefix, k);
                assert_string_equal(seen.keys[k], want);
            }
            ossio_client_destroy(cl);
        }
    }
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
        blob[i] = (uint8_t)(i * 131 + (i >> 9));
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_upload_part_dropped),
        cmocka_unit_test(t_download_resumes_at_the_exact_offset),
        cmocka_unit_test(t_listing_page_refetched),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
