/* Paged listings against the local endpoint over HTTP/2 and HTTP/1.1: a
 * listing is complete, or it fails with OSSIO_EPAGING when the server breaks
 * the paging (a truncated page with no way forward, a marker that repeats),
 * after at most a couple of requests. ListObjects V1 and V2, ListParts,
 * ListMultipartUploads. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../transport/test_support.h"

typedef struct lres {
    int done;
    ossio_status st;
    char detail[512];
    int entries, prefixes, dups;
    char last[256];
    char upload_id[256];
    char etag[128];
} lres;

static int on_entry(ossio_op *op, const ossio_list_entry *e, void *ud)
{
    (void)op;
    lres *r = ud;
    if (e->is_prefix) {
        r->prefixes++;
    } else {
        r->entries++;
    }
    /* Entries come in ascending order: one not after the last is a repeat. */
    if (e->part_number == 0 && e->upload_id == NULL && strcmp(e->key, r->last) <= 0) {
        r->dups++;
    }
    snprintf(r->last, sizeof(r->last), "%s", e->key);
    return 0;
}

static void on_done(ossio_op *op, const ossio_result *res, void *ud)
{
    lres *r = ud;
    r->done++;
    r->st = res->status;
    snprintf(r->detail, sizeof(r->detail), "%s", res->detail ? res->detail : "");
    if (ossio_op_upload_id(op) != NULL) {
        snprintf(r->upload_id, sizeof(r->upload_id), "%s", ossio_op_upload_id(op));
    }
    const ossio_object_info *info = ossio_op_object(op);
    if (info != NULL && info->etag != NULL) {
        snprintf(r->etag, sizeof(r->etag), "%s", info->etag);
    }
}

typedef struct setup {
    const char *delimiter;
    uint32_t page;
    const char *upload_id;
    uint32_t part;
    const char *body;
} setup;

static lres run(ossio_client *cl, ossio_op_kind kind, const char *uri, const setup *s)
{
    lres r;
    memset(&r, 0, sizeof(r));
    ossio_op *op = NULL;
    assert_int_equal(ossio_op_new(&op, cl, kind, uri), OSSIO_OK);
    ossio_op_set_callbacks(op, NULL, on_entry, &r);
    if (s != NULL && s->upload_id != NULL) {
        assert_int_equal(ossio_op_set_upload(op, s->upload_id, s->part), OSSIO_OK);
    }
    if (s != NULL && s->body != NULL) {
        assert_int_equal(ossio_op_set_body(op, s->body, strlen(s->body)), OSSIO_OK);
    }
    if (s != NULL && s->page != 0) {
        assert_int_equal(ossio_op_set_list(op, s->delimiter, s->page, NULL), OSSIO_OK);
    }
    assert_int_equal(ossio_op_submit(op, on_done, &r), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(r.done, 1);
    return r;
}

#define OK(x)                                                                                      \
    do {                                                                                           \
        if ((x).st != OSSIO_OK) {                                                                  \
            fail_msg("%s: %s (%s)", #x, ossio_status_name((x).st), (x).detail);                    \
        }                                                                                          \
    } while (0)

#define PAGING(x, words)                                                                           \
    do {                                                                                           \
        if ((x).st != OSSIO_EPAGING) {                                                             \
            fail_msg("%s: %s (%s), not OSSIO_EPAGING", #x, ossio_status_name((x).st), (x).detail); \
        }                                                                                          \
        if (strstr((x).detail, words) == NULL) {                                                   \
            fail_msg("%s: detail \"%s\" does not say \"%s\"", #x, (x).detail, words);              \
        }                                                                                          \
    } while (0)

typedef struct transport {
    const char *name;
    const char *port;
} transport;
static const transport transports[] = {{"h2", "H2_TLS"}, {"h1", "H1_TLS"}};

static ossio_client *client_for(const transport *t, int list_v1)
{
    char endpoint[128];
    snprintf(endpoint, sizeof(endpoint), "https://localhost:%d", ep_port(t->port));
    return client_with(NULL, "fs.oss.endpoint", endpoint, "fs.oss.accessKeyId", ep("ACCESS_KEY_ID"),
                       "fs.oss.accessKeySecret", ep("ACCESS_KEY_SECRET"),
                       "fs.oss.path.style.access", "true", "fs.oss.list.version",
                       list_v1 ? "1" : "2", NULL);
}

/* A word unique to this program and case, in every listing's prefix: the
 * faults match it in the query (listings all have the path /<bucket>). */
static char word[64], bucket_path[128];

static const char *uri(const char *fmt, ...)
{
    static char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(buf, sizeof(buf), "oss://%s/paging/%d/%s/", ep("BUCKET"), (int)getpid(), word);
    vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
    va_end(ap);
    return buf;
}

static void arm(const char *kind, int count, const char *path, const char *query)
{
    char f[512];
    snprintf(f, sizeof(f),
             "{\"kind\":\"%s\",\"count\":%d,\"match\":{\"path\":\"%s\",\"query\":\"%s\"}}", kind,
             count, path, query);
    assert_int_equal(control("POST", "/faults", f), 201);
}

/* Removes the faults armed with match.path |path| and match.query |query|
 * (only this program's: other programs running at the same time arm faults
 * with the same query on their own paths) and returns how often they fired. */
static int fired_and_clear(const char *path, const char *query)
{
    static char body[64 * 1024];
    char route[512];
    snprintf(route, sizeof(route), "/faults?path=%s&query=%s", path, query);
    assert_int_equal(control_io("DELETE", route, NULL, body, sizeof(body)), 200);
    int total = 0;
    for (const char *f = strstr(body, "\"fired\":"); f != NULL; f = strstr(f + 1, "\"fired\":")) {
        total += atoi(f + 8);
    }
    return total;
}

static void put(ossio_client *cl, const char *name)
{
    setup s = {NULL, 0, NULL, 0, name};
    lres r = run(cl, OSSIO_OP_PUT, uri("%s", name), &s);
    OK(r);
}

static void set_word(const char *what, const transport *t)
{
    snprintf(word, sizeof(word), "pg%d%s%s", (int)getpid(), what, t->name);
    snprintf(bucket_path, sizeof(bucket_path), "/%s", ep("BUCKET"));
}

/* ListObjectsV2: a truncated page without NextContinuationToken, and a token
 * that comes back forever, are named errors, not a partial or endless list. */
static void t_v2_broken_paging_is_named(void **state)
{
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        const transport *t = &transports[i];
        set_word("v2", t);
        ossio_client *cl = client_for(t, 0);
        const char *names[] = {"a", "b", "c", "d", "e"};
        for (size_t k = 0; k < 5; k++) {
            put(cl, names[k]);
        }
        setup pages = {NULL, 2, NULL, 0, NULL};
        lres whole = run(cl, OSSIO_OP_LIST, uri(""), &pages);
        OK(whole);
        assert_int_equal(whole.entries, 5);

        arm("list-no-token", 1, bucket_path, word);
        lres none = run(cl, OSSIO_OP_LIST, uri(""), &pages);
        PAGING(none, "NextContinuationToken");
        assert_int_equal(none.entries, 2); /* what came before the broken page */
        assert_int_equal(fired_and_clear(bucket_path, word), 1);

        arm("list-repeat-token", 50, bucket_path, word);
        lres rep = run(cl, OSSIO_OP_LIST, uri(""), &pages);
        PAGING(rep, "already used");
        assert_int_equal(fired_and_clear(bucket_path, word), 2); /* bounded: two requests */
        ossio_client_destroy(cl);
    }
}

/* ListObjects V1: without a delimiter a truncated page without NextMarker
 * goes on from its last key (OSS and S3 document it), exactly once per key;
 * a page that ends with a common prefix has no key to go on from; a marker
 * that does not advance is a named error. */
static void t_v1_paging_rules(void **state)
{
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        const transport *t = &transports[i];
        set_word("v1", t);
        ossio_client *cl = client_for(t, 1);
        const char *names[] = {"a", "b/x", "c", "d"};
        for (size_t k = 0; k < 4; k++) {
            put(cl, names[k]);
        }
        setup flat = {NULL, 2, NULL, 0, NULL};
        arm("list-no-token", 2, bucket_path, word);
        lres resumed = run(cl, OSSIO_OP_LIST, uri(""), &flat);
        OK(resumed);
        assert_int_equal(resumed.entries, 4);
        assert_int_equal(resumed.dups, 0);
        assert_int_equal(fired_and_clear(bucket_path, word), 2);

        setup dirs = {"/", 2, NULL, 0, NULL}; /* page 1: a, b/ */
        arm("list-no-token", 1, bucket_path, word);
        lres prefix_end = run(cl, OSSIO_OP_LIST, uri(""), &dirs);
        PAGING(prefix_end, "NextMarker");
        assert_int_equal(fired_and_clear(bucket_path, word), 1);
        lres whole = run(cl, OSSIO_OP_LIST, uri(""), &dirs);
        OK(whole);
        assert_int_equal(whole.entries, 3);
        assert_int_equal(whole.prefixes, 1);

        arm("list-repeat-token", 50, bucket_path, word);
        lres rep = run(cl, OSSIO_OP_LIST, uri(""), &flat);
        PAGING(rep, "does not advance");
        assert_int_equal(fired_and_clear(bucket_path, word), 2);
        ossio_client_destroy(cl);
    }
}

/* ListParts (NextPartNumberMarker) and ListMultipartUploads (NextKeyMarker +
 * NextUploadIdMarker): every page followed, one entry per page; broken paging
 * named. Three uploads of one key page through upload-id-marker. */
static void t_multipart_listings(void **state)
{
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        const transport *t = &transports[i];
        set_word("mp", t);
        ossio_client *cl = client_for(t, 0);
        char key_path[512];
        const char *key = uri("mp.bin");
        char key_uri[1024];
        snprintf(key_uri, sizeof(key_uri), "%s", key);
        snprintf(key_path, sizeof(key_path), "/%s/%s", ep("BUCKET"),
                 key_uri + strlen("oss://") + strlen(ep("BUCKET")) + 1);
        char ids[3][256];
        for (int k = 0; k < 3; k++) {
            lres init = run(cl, OSSIO_OP_MULTIPART_INIT, key_uri, NULL);
            OK(init);
            snprintf(ids[k], sizeof(ids[k]), "%s", init.upload_id);
        }
        for (uint32_t n = 1; n <= 3; n++) {
            setup part = {NULL, 0, ids[0], n, "part"};
            lres p = run(cl, OSSIO_OP_MULTIPART_PART, key_uri, &part);
            OK(p);
        }
        setup parts = {NULL, 1, ids[0], 0, NULL};
        lres all_parts = run(cl, OSSIO_OP_MULTIPART_LIST_PARTS, key_uri, &parts);
        OK(all_parts);
        assert_int_equal(all_parts.entries, 3);
        setup uploads = {NULL, 1, NULL, 0, NULL};
        lres all_uploads = run(cl, OSSIO_OP_MULTIPART_LIST_UPLOADS, uri(""), &uploads);
        OK(all_uploads);
        assert_int_equal(all_uploads.entries, 3); /* the same key: upload-id-marker pages */

        const char *kinds[] = {"list-no-token", "list-repeat-token"};
        const char *says[2][2] = {{"NextPartNumberMarker", "does not advance"},
                                  {"NextKeyMarker", "does not advance"}};
        for (int k = 0; k < 2; k++) {
            arm(kinds[k], 50, key_path, "uploadId");
            lres lp = run(cl, OSSIO_OP_MULTIPART_LIST_PARTS, key_uri, &parts);
            PAGING(lp, says[0][k]);
            assert_true(fired_and_clear(key_path, "uploadId") <= 2);
            arm(kinds[k], 50, bucket_path, word);
            lres lu = run(cl, OSSIO_OP_MULTIPART_LIST_UPLOADS, uri(""), &uploads);
            PAGING(lu, says[1][k]);
            assert_true(fired_and_clear(bucket_path, word) <= 2);
        }
        for (int k = 0; k < 3; k++) {
            setup abort = {NULL, 0, ids[k], 0, NULL};
            lres a = run(cl, OSSIO_OP_MULTIPART_ABORT, key_uri, &abort);
            OK(a);
        }
        ossio_client_destroy(cl);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_v2_broken_paging_is_named),
        cmocka_unit_test(t_v1_paging_rules),
        cmocka_unit_test(t_multipart_listings),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rc |= remove_own_prefix("paging");
    return rc;
}
