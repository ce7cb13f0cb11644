/* Reading text from the local endpoint as Flink's readTextFile does: an
 * object or a "directory" planned into splits, read in parallel over h2 and
 * HTTP/1.1, every record exactly once; compressed objects, limits, missing
 * input, cancel and client destroy. */
#define _GNU_SOURCE
#include <dirent.h>
#include <ev.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "../transport/test_support.h"
#include "deflate_util.h"

static char prefix[128];

static ossio_client *client_on(struct ev_loop *loop, const char *port)
{
    char endpoint[128];
    snprintf(endpoint, sizeof(endpoint), "https://localhost:%d", ep_port(port));
    return client_with(loop, "fs.oss.endpoint", endpoint, "fs.oss.accessKeyId", ep("ACCESS_KEY_ID"),
                       "fs.oss.accessKeySecret", ep("ACCESS_KEY_SECRET"),
                       "fs.oss.path.style.access", "true", NULL);
}

static const char *uri_of(const char *name)
{
    static char buf[2][512];
    static int which;
    which ^= 1;
    snprintf(buf[which], sizeof(buf[which]), "oss://%s/%s/%s", ep("BUCKET"), prefix, name);
    return buf[which];
}

/* ---- uploads ------------------------------------------------------------ */

typedef struct opres {
    int done;
    ossio_status st;
    char detail[256];
} opres;

static void op_done(ossio_op *op, const ossio_result *r, void *ud)
{
    (void)op;
    opres *x = ud;
    x->done++;
    x->st = r->status;
    snprintf(x->detail, sizeof(x->detail), "%s", r->detail ? r->detail : "");
}

static void put(ossio_client *cl, const char *name, const void *data, size_t len)
{
    ossio_op *op = NULL;
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_PUT, uri_of(name)), OSSIO_OK);
    assert_int_equal(ossio_op_set_body(op, data, len), OSSIO_OK);
    opres x = {0};
    assert_int_equal(ossio_op_submit(op, op_done, &x), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    if (x.st != OSSIO_OK) {
        fail_msg("PUT %s: %s (%s)", name, ossio_status_name(x.st), x.detail);
    }
}

/* ---- texts and record bags -------------------------------------------- */

typedef struct bag {
    char **items; /* each: 8-byte length, then the bytes */
    size_t n, cap;
} bag;

static void bag_add(bag *b, const uint8_t *p, size_t len)
{
    if (b->n == b->cap) {
        b->cap = b->cap * 2 + 64;
        b->items = realloc(b->items, b->cap * sizeof(char *));
    }
    char *it = malloc(sizeof(size_t) + len + 1);
    memcpy(it, &len, sizeof(size_t));
    memcpy(it + sizeof(size_t), p, len);
    b->items[b->n++] = it;
}

static int item_cmp(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t lx, ly;
    memcpy(&lx, x, sizeof(size_t));
    memcpy(&ly, y, sizeof(size_t));
    int c = memcmp(x + sizeof(size_t), y + sizeof(size_t), lx < ly ? lx : ly);
    return c != 0 ? c : (lx > ly) - (lx < ly);
}

static void bag_free(bag *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->items[i]);
    }
    free(b->items);
    memset(b, 0, sizeof(*b));
}

/* Same multiset of records. */
static void bag_equal(bag *a, bag *b)
{
    assert_int_equal(a->n, b->n);
    qsort(a->items, a->n, sizeof(char *), item_cmp);
    qsort(b->items, b->n, sizeof(char *), item_cmp);
    for (size_t i = 0; i < a->n; i++) {
        assert_int_equal(item_cmp(&a->items[i], &b->items[i]), 0);
    }
}

/* A text of |n| records joined by |delim| (its records go to |want|); some
 * records are longer than the splits will be; no trailing delimiter when |open|. */
static uint8_t *make_text(size_t n, const char *delim, int open, size_t *len, bag *want,
                          unsigned seed)
{
    size_t dl = strlen(delim), cap = 1 << 20, off = 0;
    uint8_t *t = malloc(cap);
    srand(seed);
    for (size_t i = 0; i < n; i++) {
        size_t rl = i % 97 == 50 ? 40000 + (size_t)(rand() % 80000) : (size_t)(rand() % 120);
        if (off + rl + dl > cap) {
            cap = (off + rl + dl) * 2;
            t = realloc(t, cap);
        }
        for (size_t k = 0; k < rl; k++) {
            t[off + k] = (uint8_t)('!' + rand() % 90); /* printable, never '\r' or '\n' */
        }
        bag_add(want, t + off, rl);
        off += rl;
        if (i + 1 < n || !open) {
            memcpy(t + off, delim, dl);
            off += dl;
        }
    }
    *len = off;
    return t;
}

/* ---- reading ---------------------------------------------------------- */

typedef struct readres {
    int done;
    ossio_status st;
    char detail[512];
    char protocol[16];
    size_t splits;
    uint64_t records, bytes;
    bag got;
    unsigned batches;
    ossio_text_reader *cancel_me; /* cancel from the records callback after one batch */
    int saw_batch;
} readres;

static int on_records(const ossio_split *s, const ossio_record *r, size_t n, void *ud)
{
    readres *x = ud;
    assert_non_null(s);
    assert_non_null(s->uri);
    for (size_t i = 0; i < n; i++) {
        bag_add(&x->got, r[i].data, r[i].len);
    }
    x->batches++;
    x->saw_batch = 1;
    if (x->cancel_me != NULL) {
        ossio_text_reader_cancel(x->cancel_me);
        ossio_text_reader_cancel(x->cancel_me); /* twice: still one completion */
        x->cancel_me = NULL;
    }
    return 0;
}

static void on_read_done(ossio_text_reader *r, const ossio_result *res, void *ud)
{
    readres *x = ud;
    x->done++;
    x->st = res->status;
    snprintf(x->detail, sizeof(x->detail), "%s", res->detail ? res->detail : "");
    snprintf(x->protocol, sizeof(x->protocol), "%s", res->protocol ? res->protocol : "");
    x->splits = ossio_text_reader_splits(r);
    x->records = ossio_text_reader_records(r);
    x->bytes = ossio_text_reader_bytes(r);
}

static ossio_text_reader *reader(ossio_client *cl, const char *uri, unsigned par, const char *delim,
                                 size_t max, readres *x)
{
    ossio_text_reader *r = NULL;
    assert_int_equal(ossio_text_reader_new(&r, cl, uri, par), OSSIO_OK);
    if (delim != NULL) {
        assert_int_equal(ossio_text_reader_set_delimiter(r, delim, strlen(delim)), OSSIO_OK);
    }
    if (max > 0) {
        assert_int_equal(ossio_text_reader_set_max_record(r, max), OSSIO_OK);
    }
    ossio_text_reader_set_callbacks(r, on_records, x);
    return r;
}

static void read_all(ossio_client *cl, const char *uri, unsigned par, const char *delim, size_t max,
                     readres *x)
{
    ossio_text_reader *r = reader(cl, uri, par, delim, max, x);
    assert_int_equal(ossio_text_reader_submit(r, on_read_done, x), OSSIO_OK);
    assert_int_equal(x->done, 0); /* never inside submit */
    ossio_client_run(cl);
    assert_int_equal(x->done, 1);
}

#define READ_OK(x)                                                                                 \
    do {                                                                                           \
        if ((x).st != OSSIO_OK) {                                                                  \
            fail_msg("read: %s (%s)", ossio_status_name((x).st), (x).detail);                      \
        }                                                                                          \
    } while (0)

/* One object read with 1..16 splits over h2 and HTTP/1.1: the same records. */
static void t_object_any_parallelism(void **state)
{
    (void)state;
    bag want = {0};
    size_t len;
    uint8_t *text = make_text(3000, "\n", 1, &len, &want, 7);
    struct {
        const char *port, *proto;
        unsigned pars[6];
    } runs[] = {{"H2_TLS", "h2", {1, 2, 3, 5, 8, 16}}, {"H1_TLS", "http/1.1", {1, 4, 16, 0, 0, 0}}};
    for (size_t k = 0; k < 2; k++) {
        ossio_client *cl = client_on(NULL, runs[k].port);
        if (k == 0) {
            put(cl, "one/text.txt", text, len);
        }
        for (size_t i = 0; i < 6 && runs[k].pars[i] > 0; i++) {
            readres x = {0};
            read_all(cl, uri_of("one/text.txt"), runs[k].pars[i], NULL, 0, &x);
            READ_OK(x);
            assert_string_equal(x.protocol, runs[k].proto);
            assert_true(x.splits >= 1 && x.splits <= runs[k].pars[i]);
            assert_int_equal(x.records, want.n);
            assert_true(x.bytes >= len);
            bag_equal(&x.got, &want);
            bag_free(&x.got);
        }
        ossio_client_destroy(cl);
    }
    bag_free(&want);
    free(text);
}

/* A "directory": hidden files and nested objects are skipped, as Flink does. */
static void t_directory_and_delimiters(void **state)
{
    (void)state;
    ossio_client *cl = client_on(NULL, "H2_TLS");
    bag want = {0};
    size_t l1, l2;
    uint8_t *a = make_text(500, "\r\n", 0, &l1, &want, 11);
    uint8_t *b = make_text(700, "\r\n", 1, &l2, &want, 12);
    put(cl, "dir/part-0", a, l1);
    put(cl, "dir/part-1", b, l2);
    put(cl, "dir/_SUCCESS", "not a record\r\n", 14);
    put(cl, "dir/.part-0.crc", "not a record\r\n", 14);
    put(cl, "dir/sub/part-2", "not a record\r\n", 14);
    put(cl, "dirty", "not in dir/\r\n", 13); /* shares the prefix "dir" but not "dir/" */
    const char *names[] = {"dir", "dir/", "dir//"};
    for (size_t i = 0; i < 3; i++) {
        for (int dl = 0; dl < 2; dl++) {
            /* "\n" strips the '\r' as Flink's TextInputFormat; "\r\n" is the delimiter itself. */
            readres x = {0};
            read_all(cl, uri_of(names[i]), 4, dl ? "\r\n" : NULL, 0, &x);
            READ_OK(x);
            assert_true(x.splits >= 4);
            bag_equal(&x.got, &want);
            bag_free(&x.got);
        }
    }
    /* ossio_splits_plan directly: two files, each with its own splits. */
    bag_free(&want);
    free(a);
    free(b);
    ossio_client_destroy(cl);
}

typedef struct splitres {
    int done;
    ossio_status st;
    uint64_t records, bytes;
} splitres;

static void on_split_done(ossio_split_reader *r, const ossio_result *res, void *ud)
{
    splitres *x = ud;
    x->done++;
    x->st = res->status;
    x->records = ossio_split_reader_records(r);
    x->bytes = ossio_split_reader_bytes(r);
}

typedef struct planres {
    int done;
    ossio_status st;
    ossio_split_plan *plan;
} planres;

static void on_plan(ossio_split_plan *plan, const ossio_result *res, void *ud)
{
    planres *x = ud;
    x->done++;
    x->st = res->status;
    x->plan = plan;
}

static void t_plan_and_split_readers(void **state)
{
    (void)state;
    ossio_client *cl = client_on(NULL, "H2_TLS");
    bag want = {0};
    size_t len;
    uint8_t *text = make_text(800, "||", 0, &len, &want, 21);
    put(cl, "plan/a.txt", text, len);
    planres p = {0};
    assert_int_equal(ossio_splits_plan(cl, uri_of("plan/a.txt"), 6, on_plan, &p), OSSIO_OK);
    assert_int_equal(p.done, 0);
    ossio_client_run(cl);
    assert_int_equal(p.done, 1);
    assert_int_equal(p.st, OSSIO_OK);
    size_t n = ossio_split_plan_count(p.plan);
    assert_true(n >= 1 && n <= 6);
    readres x = {0};
    for (size_t i = 0; i < n; i++) {
        const ossio_split *s = ossio_split_plan_get(p.plan, i);
        assert_int_equal(s->object_size, len);
        assert_non_null(s->etag);
        ossio_split_reader *r = NULL;
        assert_int_equal(ossio_split_reader_new(&r, cl, s), OSSIO_OK);
        assert_int_equal(ossio_split_reader_set_delimiter(r, "||", 2), OSSIO_OK);
        assert_int_equal(ossio_split_reader_set_delimiter(r, "", 0), OSSIO_EINVAL);
        assert_int_equal(ossio_split_reader_set_max_record(r, 0), OSSIO_EINVAL);
        ossio_split_reader_set_callbacks(r, on_records, &x);
        splitres sx = {0};
        assert_int_equal(ossio_split_reader_submit(r, on_split_done, &sx), OSSIO_OK);
        assert_int_equal(sx.done, 0);
        ossio_client_run(cl);
        assert_int_equal(sx.done, 1);
        assert_int_equal(sx.st, OSSIO_OK);
        /* A split reads its own bytes and at most what finishes its last record. */
        assert_true(sx.bytes >= s->length || i + 1 == n);
    }
    bag_equal(&x.got, &want);
    bag_free(&x.got);
    ossio_split_plan_free(p.plan);
    /* min_splits 0 and a missing input. */
    assert_int_equal(ossio_splits_plan(cl, uri_of("plan/a.txt"), 0, on_plan, &p), OSSIO_EINVAL);
    assert_int_equal(ossio_splits_plan(cl, "hdfs://x/y", 1, on_plan, &p), OSSIO_ESCHEME);
    planres q = {0};
    assert_int_equal(ossio_splits_plan(cl, uri_of("plan/none"), 2, on_plan, &q), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(q.done, 1);
    assert_int_equal(q.st, OSSIO_ENOTFOUND);
    assert_null(q.plan);
    bag_free(&want);
    free(text);
    ossio_client_destroy(cl);
}

static uint8_t *compress_text(const uint8_t *t, size_t n, int gzip, size_t *zn)
{
    size_t cap = n + n / 100 + 1024;
    uint8_t *z = malloc(cap);
    *zn = deflate_into(t, n, z, cap, gzip);
    return z;
}

/* A .gz (gzip) and a .deflate (zlib) object: one whole split each, inflated. */
static void t_compressed_objects(void **state)
{
    (void)state;
    ossio_client *cl = client_on(NULL, "H2_TLS");
    bag want = {0};
    size_t len, zn;
    uint8_t *text = make_text(2000, "\n", 0, &len, &want, 31);
    uint8_t *gz = compress_text(text, len, 1, &zn);
    put(cl, "gz/data.gz", gz, zn);
    readres x = {0};
    read_all(cl, uri_of("gz/data.gz"), 4, NULL, 0, &x);
    READ_OK(x);
    assert_int_equal(x.splits, 1);
    assert_int_equal(x.bytes, zn);
    bag_equal(&x.got, &want);
    bag_free(&x.got);
    free(gz);
    uint8_t *zl = compress_text(text, len, 0, &zn);
    put(cl, "deflate/data.deflate", zl, zn);
    put(cl, "deflate/plain.txt", "x\ny\n", 4); /* a compressed file makes every file whole */
    bag_add(&want, (const uint8_t *)"x", 1);
    bag_add(&want, (const uint8_t *)"y", 1);
    memset(&x, 0, sizeof(x));
    read_all(cl, uri_of("deflate"), 8, NULL, 0, &x);
    READ_OK(x);
    assert_int_equal(x.splits, 2);
    bag_equal(&x.got, &want);
    bag_free(&x.got);
    /* Not gzip at all: the read fails with EIO. */
    put(cl, "badgz/x.gz", "this is not gzip\n", 17);
    memset(&x, 0, sizeof(x));
    read_all(cl, uri_of("badgz/x.gz"), 2, NULL, 0, &x);
    assert_int_equal(x.st, OSSIO_EIO);
    bag_free(&x.got);
    free(zl);
    bag_free(&want);
    free(text);
    ossio_client_destroy(cl);
}

/* Too long a record, a missing input, an empty object. */
static void t_limits_and_missing(void **state)
{
    (void)state;
    ossio_client *cl = client_on(NULL, "H1_TLS");
    bag want = {0};
    size_t len;
    uint8_t *text = make_text(300, "\n", 0, &len, &want, 41); /* has 40 KB+ records */
    put(cl, "limit/t.txt", text, len);
    readres x = {0};
    read_all(cl, uri_of("limit/t.txt"), 3, NULL, 1000, &x);
    assert_int_equal(x.st, OSSIO_ERECORDSIZE);
    bag_free(&x.got);
    memset(&x, 0, sizeof(x));
    read_all(cl, uri_of("limit/missing.txt"), 3, NULL, 0, &x);
    assert_int_equal(x.st, OSSIO_ENOTFOUND);
    assert_int_equal(x.records, 0);
    put(cl, "empty/e.txt", "", 0);
    memset(&x, 0, sizeof(x));
    read_all(cl, uri_of("empty/e.txt"), 3, NULL, 0, &x);
    READ_OK(x);
    assert_int_equal(x.splits, 1);
    assert_int_equal(x.records, 0);
    ossio_text_reader *r = NULL;
    assert_int_equal(ossio_text_reader_new(&r, cl, uri_of("x"), 0), OSSIO_EINVAL);
    assert_int_equal(ossio_text_reader_new(&r, cl, "hdfs://b/x", 1), OSSIO_ESCHEME);
    assert_int_equal(ossio_text_reader_new(&r, cl, uri_of("x"), 2), OSSIO_OK);
    assert_int_equal(ossio_text_reader_set_delimiter(r, "01234567890123456", 17), OSSIO_EINVAL);
    assert_int_equal(ossio_text_reader_set_max_record(r, 0), OSSIO_EINVAL);
    ossio_text_reader_free(r);
    bag_free(&want);
    free(text);
    ossio_client_destroy(cl);
}

/* Cancel from the records callback, and right after submit: one completion each. */
static void t_cancel(void **state)
{
    (void)state;
    ossio_client *cl = client_on(NULL, "H2_TLS");
    bag want = {0};
    size_t len;
    uint8_t *text = make_text(20000, "\n", 0, &len, &want, 51);
    put(cl, "cancel/big.txt", text, len);
    readres x = {0};
    ossio_text_reader *r = reader(cl, uri_of("cancel/big.txt"), 4, NULL, 0, &x);
    x.cancel_me = r;
    assert_int_equal(ossio_text_reader_submit(r, on_read_done, &x), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    assert_int_equal(x.st, OSSIO_ECANCELED);
    assert_true(x.got.n < want.n);
    bag_free(&x.got);

    memset(&x, 0, sizeof(x));
    r = reader(cl, uri_of("cancel/big.txt"), 4, NULL, 0, &x);
    assert_int_equal(ossio_text_reader_submit(r, on_read_done, &x), OSSIO_OK);
    ossio_text_reader_cancel(r);
    assert_int_equal(x.done, 0);
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    assert_int_equal(x.st, OSSIO_ECANCELED);
    bag_free(&x.got);
    bag_free(&want);
    free(text);
    ossio_client_destroy(cl);
}

/* Destroying the client mid-read completes the read once, with ECANCELED. */
static void t_client_destroy_mid_read(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    ossio_client *cl = client_on(loop, "H2_TLS");
    bag want = {0};
    size_t len;
    uint8_t *text = make_text(20000, "\n", 0, &len, &want, 61);
    ossio_op *op = NULL;
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_PUT, uri_of("destroy/big.txt")), OSSIO_OK);
    assert_int_equal(ossio_op_set_body(op, text, len), OSSIO_OK);
    opres px = {0};
    assert_int_equal(ossio_op_submit(op, op_done, &px), OSSIO_OK);
    while (px.done == 0) {
        ev_run(loop, EVRUN_ONCE);
    }
    assert_int_equal(px.st, OSSIO_OK);
    readres x = {0};
    ossio_text_reader *r = reader(cl, uri_of("destroy/big.txt"), 8, NULL, 0, &x);
    assert_int_equal(ossio_text_reader_submit(r, on_read_done, &x), OSSIO_OK);
    while (!x.saw_batch && x.done == 0) {
        ev_run(loop, EVRUN_ONCE);
    }
    assert_int_equal(x.done, 0);
    ossio_client_destroy(cl);
    assert_int_equal(x.done, 1);
    assert_int_equal(x.st, OSSIO_ECANCELED);
    bag_free(&x.got);
    bag_free(&want);
    free(text);
    ev_loop_destroy(loop);
}

/* The demo flow: tests/data/call_center.dat read with parallelism 4. */
static void t_call_center(void **state)
{
    (void)state;
    FILE *f = fopen(OSSIO_TEST_DATA_DIR "/call_center.dat", "rb");
    assert_non_null(f);
    uint8_t buf[16384];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    ossio_client *cl = client_on(NULL, "H2_TLS");
    put(cl, "cc/call_center.dat", buf, n);
    readres x = {0};
    read_all(cl, uri_of("cc/call_center.dat"), 4, NULL, 0, &x);
    READ_OK(x);
    assert_int_equal(x.records, 8);
    assert_int_equal(x.got.n, 8);
    qsort(x.got.items, x.got.n, sizeof(char *), item_cmp);
    for (size_t i = 0; i < 8; i++) {
        char want_prefix[8];
        snprintf(want_prefix, sizeof(want_prefix), "%zu|", i + 1);
        assert_memory_equal(x.got.items[i] + sizeof(size_t), want_prefix, strlen(want_prefix));
    }
    assert_true(x.bytes >= n); /* splits read past their ends to finish their last records */
    bag_free(&x.got);
    ossio_client_destroy(cl);
}

int main(void)
{
    snprintf(prefix, sizeof(prefix), "split/%d", (int)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_object_any_parallelism),  cmocka_unit_test(t_directory_and_delimiters),
        cmocka_unit_test(t_plan_and_split_readers),  cmocka_unit_test(t_compressed_objects),
        cmocka_unit_test(t_limits_and_missing),      cmocka_unit_test(t_cancel),
        cmocka_unit_test(t_client_destroy_mid_read), cmocka_unit_test(t_call_center),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rc |= remove_own_prefix("split");
    return rc;
}
