/* Writing text as Flink's writeAsText does, end to end against the local
 * endpoint: records joined by "\n" in one PutObject or a multipart upload,
 * read back record for record by the split reader; NO_OVERWRITE and
 * OVERWRITE; a "directory" of N objects; backpressure; and failures or
 * cancels that leave neither an object nor an upload behind. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../transport/test_support.h"

static char prefix[128];

static ossio_client *client_extra2(const char *k, const char *v, const char *k2, const char *v2)
{
    char endpoint[128];
    snprintf(endpoint, sizeof(endpoint), "https://localhost:%d", ep_port("H2_TLS"));
    return client_with(NULL, "fs.oss.endpoint", endpoint, "fs.oss.accessKeyId", ep("ACCESS_KEY_ID"),
                       "fs.oss.accessKeySecret", ep("ACCESS_KEY_SECRET"),
                       "fs.oss.path.style.access", "true", "fs.oss.multipart.upload.size", "100K",
                       "fs.oss.attempts.maximum", "2", "fs.oss.region", ep("REGION"), k, v, k2, v2,
                       NULL);
}

static ossio_client *client_extra(const char *k, const char *v)
{
    return client_extra2(k, v, NULL, NULL);
}

static const char *uri_of(const char *name)
{
    static char buf[2][512];
    static int which;
    which ^= 1;
    snprintf(buf[which], sizeof(buf[which]), "oss://%s/%s/%s", ep("BUCKET"), prefix, name);
    return buf[which];
}

/* The i-th record of a test text: varied lengths, some empty, some long. */
static size_t record(unsigned i, char *out, size_t cap)
{
    size_t len = i % 17 == 0 ? 0 : (i * 7919u) % 300 + (i % 101 == 0 ? 5000 : 0);
    if (len >= cap) {
        len = cap - 1;
    }
    for (size_t k = 0; k < len; k++) {
        out[k] = (char)('a' + (i + k) % 26);
    }
    int n = snprintf(out + len, cap - len, "#%u", i); /* every record unique */
    return len + (size_t)n;
}

typedef struct wres {
    int done;
    ossio_status st;
    char detail[512];
    uint64_t records, bytes, crc, sent;
} wres;

static void w_done(ossio_text_writer *w, const ossio_result *r, void *ud)
{
    wres *x = ud;
    x->done++;
    x->st = r->status;
    snprintf(x->detail, sizeof(x->detail), "%s", r->detail ? r->detail : "");
    x->records = ossio_text_writer_records(w);
    x->bytes = ossio_text_writer_bytes(w);
    x->crc = ossio_text_writer_crc64(w);
    x->sent = r->bytes_sent;
}

/* Writes records [first, first+n) to |name|; returns the outcome. */
static wres write_text(ossio_client *cl, const char *name, ossio_write_mode mode, unsigned first,
                       unsigned n)
{
    ossio_text_writer *w;
    assert_int_equal(ossio_text_writer_open(&w, cl, uri_of(name), mode), OSSIO_OK);
    char rec[8192];
    for (unsigned i = first; i < first + n; i++) {
        size_t len = record(i, rec, sizeof(rec));
        ossio_status st;
        while ((st = ossio_text_writer_write(w, rec, len)) == OSSIO_EAGAIN) {
            ossio_client_run(cl); /* parts go out; memory comes back */
        }
        if (st != OSSIO_OK) {
            break; /* failed early (e.g. the object exists): close reports it */
        }
    }
    wres x;
    memset(&x, 0, sizeof(x));
    assert_int_equal(ossio_text_writer_close(w, w_done, &x), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    return x;
}

/* ---- reading back ---- */

typedef struct seen {
    unsigned char *hit; /* per record number */
    unsigned n;
    unsigned bad, dup, total;
} seen;

static int on_records(const ossio_split *s, const ossio_record *r, size_t n, void *ud)
{
    (void)s;
    seen *x = ud;
    char want[8192];
    for (size_t i = 0; i < n; i++) {
        x->total++;
        const char *hash = memrchr(r[i].data, '#', r[i].len);
        unsigned k = ~0u;
        if (hash != NULL) { /* records are not NUL-terminated: parse within */
            k = 0;
            for (const uint8_t *d = (const uint8_t *)hash + 1; d < r[i].data + r[i].len; d++) {
                k = k * 10 + (unsigned)(*d - '0');
            }
        }
        if (k >= x->n || record(k, want, sizeof(want)) != r[i].len ||
            memcmp(want, r[i].data, r[i].len) != 0) {
            if (x->bad++ < 3) {
                fprintf(stderr, "unexpected record (%zu bytes, #%u): %.40s...%.20s\n", r[i].len, k,
                        (const char *)r[i].data,
                        r[i].len > 20 ? (const char *)r[i].data + r[i].len - 20 : "");
            }
            continue;
        }
        x->dup += x->hit[k];
        x->hit[k] = 1;
    }
    return 0;
}

static void r_done(ossio_text_reader *r, const ossio_result *res, void *ud)
{
    (void)r;
    *(ossio_status *)ud = res->status;
}

/* Reads |name| (object or directory) with |parallelism| and checks that
 * records [first, first+n) each arrived exactly once and nothing else. */
static void expect_records(ossio_client *cl, const char *name, unsigned parallelism, unsigned first,
                           unsigned n)
{
    seen x = {calloc(first + n, 1), first + n, 0, 0, 0};
    ossio_text_reader *r;
    assert_int_equal(ossio_text_reader_new(&r, cl, uri_of(name), parallelism), OSSIO_OK);
    ossio_text_reader_set_callbacks(r, on_records, &x);
    ossio_status st = OSSIO_EINTERNAL;
    assert_int_equal(ossio_text_reader_submit(r, r_done, &st), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(st, OSSIO_OK);
    assert_int_equal(x.bad, 0);
    assert_int_equal(x.dup, 0);
    assert_int_equal(x.total, n);
    for (unsigned i = first; i < first + n; i++) {
        assert_int_equal(x.hit[i], 1);
    }
    free(x.hit);
}

typedef struct opres {
    int done, count;
    ossio_status st;
} opres;

static void op_done(ossio_op *op, const ossio_result *r, void *ud)
{
    (void)op;
    opres *x = ud;
    x->done++;
    x->st = r->status;
}

static int count_entry(ossio_op *op, const ossio_list_entry *e, void *ud)
{
    (void)op;
    (void)e;
    ((opres *)ud)->count++;
    return 0;
}

static ossio_status run_op(ossio_client *cl, ossio_op_kind kind, const char *name, int *count)
{
    ossio_op *op;
    assert_int_equal(ossio_op_new(&op, cl, kind, uri_of(name)), OSSIO_OK);
    opres x = {0, 0, OSSIO_EINTERNAL};
    ossio_op_set_callbacks(op, NULL, count_entry, &x);
    ossio_op_submit(op, op_done, &x);
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    if (count != NULL) {
        *count = x.count;
    }
    return x.st;
}

static void head_crc_done(ossio_op *op, const ossio_result *r, void *ud)
{
    const ossio_object_info *info = ossio_op_object(op);
    assert_int_equal(r->status, OSSIO_OK);
    assert_non_null(info);
    assert_true(info->has_crc64);
    *(uint64_t *)ud = info->crc64;
}

static uint64_t head_crc(ossio_client *cl, const char *name)
{
    ossio_op *op;
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_HEAD, uri_of(name)), OSSIO_OK);
    uint64_t crc = 0;
    ossio_op_submit(op, head_crc_done, &crc);
    ossio_client_run(cl);
    return crc;
}

/* Nothing of |name| exists: no object and no multipart upload. */
static void expect_nothing(ossio_client *cl, const char *name)
{
    assert_int_equal(run_op(cl, OSSIO_OP_HEAD, name, NULL), OSSIO_ENOTFOUND);
    int uploads = -1;
    assert_int_equal(run_op(cl, OSSIO_OP_MULTIPART_LIST_UPLOADS, name, &uploads), OSSIO_OK);
    assert_int_equal(uploads, 0);
}

/* ---- cases ---- */

static void t_small_text_one_put(void **state)
{
    (void)state;
    ossio_client *cl = client_extra(NULL, NULL);
    wres x = write_text(cl, "small.txt", OSSIO_NO_OVERWRITE, 1, 8);
    assert_int_equal(x.st, OSSIO_OK);
    assert_int_equal(x.records, 8);
    assert_int_equal(x.sent, x.bytes);
    expect_records(cl, "small.txt", 4, 1, 8);
    /* an empty output is an empty object, as Flink writes it */
    wres e = write_text(cl, "empty.txt", OSSIO_NO_OVERWRITE, 0, 0);
    assert_int_equal(e.st, OSSIO_OK);
    assert_int_equal(e.bytes, 0);
    assert_int_equal(run_op(cl, OSSIO_OP_HEAD, "empty.txt", NULL), OSSIO_OK);
    ossio_client_destroy(cl);
}

/* Many 100 KiB parts; read back with 1 and 7 splits; the writer's CRC-64 is the object's. */
static void t_multipart_text_round_trip(void **state)
{
    (void)state;
    ossio_client *cl = client_extra(NULL, NULL);
    wres x = write_text(cl, "big.txt", OSSIO_NO_OVERWRITE, 0, 6000);
    assert_int_equal(x.st, OSSIO_OK);
    assert_true(x.bytes > 900 * 1024); /* 9+ parts */
    expect_records(cl, "big.txt", 1, 0, 6000);
    expect_records(cl, "big.txt", 7, 0, 6000);
    assert_int_equal(head_crc(cl, "big.txt"), x.crc); /* the stored object's CRC-64 */
    ossio_client_destroy(cl);
}

static void t_no_overwrite_and_overwrite(void **state)
{
    (void)state;
    ossio_client *cl = client_extra(NULL, NULL);
    wres a = write_text(cl, "mode.txt", OSSIO_NO_OVERWRITE, 0, 10);
    assert_int_equal(a.st, OSSIO_OK);
    wres b = write_text(cl, "mode.txt", OSSIO_NO_OVERWRITE, 100, 10);
    assert_int_equal(b.st, OSSIO_EEXISTS);
    assert_non_null(strstr(b.detail, "NO_OVERWRITE"));
    expect_records(cl, "mode.txt", 2, 0, 10); /* untouched */
    /* a large NO_OVERWRITE write (multipart) into an existing name is refused too */
    wres c = write_text(cl, "mode.txt", OSSIO_NO_OVERWRITE, 0, 4000);
    assert_int_equal(c.st, OSSIO_EEXISTS);
    int uploads = -1;
    assert_int_equal(run_op(cl, OSSIO_OP_MULTIPART_LIST_UPLOADS, "mode.txt", &uploads), OSSIO_OK);
    assert_int_equal(uploads, 0);
    expect_records(cl, "mode.txt", 2, 0, 10);
    wres d = write_text(cl, "mode.txt", OSSIO_OVERWRITE, 100, 10);
    assert_int_equal(d.st, OSSIO_OK);
    expect_records(cl, "mode.txt", 3, 100, 10);
    ossio_client_destroy(cl);
}

/* Parallelism 4 as Flink writes it: a directory of objects 1..4, read as one input. */
static void t_parallel_directory_output(void **state)
{
    (void)state;
    ossio_client *cl = client_extra(NULL, NULL);
    ossio_text_writer *w[4];
    wres x[4];
    memset(x, 0, sizeof(x));
    char rec[8192];
    for (int i = 0; i < 4; i++) {
        char name[64];
        snprintf(name, sizeof(name), "out.dir/%d", i + 1);
        assert_int_equal(ossio_text_writer_open(&w[i], cl, uri_of(name), OSSIO_NO_OVERWRITE),
                         OSSIO_OK);
    }
    for (unsigned k = 0; k < 2000; k++) { /* records dealt round-robin, as tasks would */
        size_t len = record(k, rec, sizeof(rec));
        assert_int_equal(ossio_text_writer_write(w[k % 4], rec, len), OSSIO_OK);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(ossio_text_writer_close(w[i], w_done, &x[i]), OSSIO_OK);
    }
    ossio_client_run(cl);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(x[i].done, 1);
        assert_int_equal(x[i].st, OSSIO_OK);
        assert_int_equal(x[i].records, 500);
    }
    expect_records(cl, "out.dir", 4, 0, 2000);
    ossio_client_destroy(cl);
}

/* A part that keeps failing: the write fails named, nothing is left. */
static void t_failure_mid_write_leaves_nothing(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof(path), "%s/failing.txt", prefix);
    arm_internal(path, "partNumber=3", 50);
    ossio_client *cl = client_extra(NULL, NULL);
    wres x = write_text(cl, "failing.txt", OSSIO_OVERWRITE, 0, 4000);
    clear_faults(path);
    assert_int_equal(x.st, OSSIO_ESERVER);
    expect_nothing(cl, "failing.txt");
    ossio_client_destroy(cl);
}

static void t_cancel_leaves_nothing(void **state)
{
    (void)state;
    ossio_client *cl = client_extra(NULL, NULL);
    char rec[8192];
    /* canceled while open: freed by the cancel, no callback, nothing stored */
    ossio_text_writer *w;
    assert_int_equal(ossio_text_writer_open(&w, cl, uri_of("cancel1.txt"), OSSIO_NO_OVERWRITE),
                     OSSIO_OK);
    for (unsigned k = 0; k < 3000; k++) {
        size_t len = record(k, rec, sizeof(rec));
        assert_int_equal(ossio_text_writer_write(w, rec, len), OSSIO_OK);
    }
    ossio_client_run(cl); /* some parts leave */
    ossio_text_writer_cancel(w);
    ossio_client_run(cl);
    expect_nothing(cl, "cancel1.txt");
    /* canceled while closing: the callback says so */
    assert_int_equal(ossio_text_writer_open(&w, cl, uri_of("cancel2.txt"), OSSIO_NO_OVERWRITE),
                     OSSIO_OK);
    for (unsigned k = 0; k < 3000; k++) {
        size_t len = record(k, rec, sizeof(rec));
        assert_int_equal(ossio_text_writer_write(w, rec, len), OSSIO_OK);
    }
    wres x;
    memset(&x, 0, sizeof(x));
    assert_int_equal(ossio_text_writer_close(w, w_done, &x), OSSIO_OK);
    ossio_text_writer_cancel(w);
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    assert_int_equal(x.st, OSSIO_ECANCELED);
    expect_nothing(cl, "cancel2.txt");
    ossio_client_destroy(cl);
}

/* A 1 MiB budget without a spill directory: writes are refused with
 * OSSIO_EAGAIN and the writable callback says when to go on. */
typedef struct feeder {
    ossio_text_writer *w;
    unsigned next, n, eagain, calls;
    ossio_status st; /* the first failed write's status */
} feeder;

static void feed(feeder *f)
{
    char rec[8192];
    while (f->next < f->n && f->st == OSSIO_OK) {
        size_t len = record(f->next, rec, sizeof(rec));
        ossio_status st = ossio_text_writer_write(f->w, rec, len);
        if (st == OSSIO_EAGAIN) {
            f->eagain++;
            return;
        }
        if (st != OSSIO_OK) {
            f->st = st;
            return;
        }
        f->next++;
    }
}

/* Runs the loop until |f| wrote everything or a write failed; fails the test
 * if the loop runs dry with the feeder still waiting (nobody would wake it). */
static void feed_all(ossio_client *cl, feeder *f)
{
    feed(f);
    assert_true(f->eagain >= 1);
    while (f->next < f->n && f->st == OSSIO_OK) {
        unsigned before = f->calls;
        ossio_client_run(cl);
        if (f->calls == before && f->next < f->n && f->st == OSSIO_OK) {
            fail_msg("the loop ran dry while the writer waited for writable (record %u)", f->next);
        }
    }
}

static void on_writable(ossio_text_writer *w, void *ud)
{
    feeder *f = ud;
    assert_ptr_equal(w, f->w);
    f->calls++;
    feed(f);
}

static void t_backpressure(void **state)
{
    (void)state;
    ossio_client *cl = client_extra("fs.oss.memory.limit", "1M");
    feeder f = {NULL, 0, 12000, 0, 0, OSSIO_OK};
    assert_int_equal(ossio_text_writer_open(&f.w, cl, uri_of("pressure.txt"), OSSIO_OVERWRITE),
                     OSSIO_OK);
    ossio_text_writer_set_writable(f.w, on_writable, &f);
    feed_all(cl, &f);
    assert_int_equal(f.st, OSSIO_OK);
    wres x;
    memset(&x, 0, sizeof(x));
    assert_int_equal(ossio_text_writer_close(f.w, w_done, &x), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(x.st, OSSIO_OK);
    assert_true(f.calls >= 1);
    assert_true(ossio_client_stat(cl, OSSIO_STAT_MEMORY_PEAK) <= 1024 * 1024);
    expect_records(cl, "pressure.txt", 5, 0, 12000);
    ossio_client_destroy(cl);
}

/* The upload fails while the caller waits after OSSIO_EAGAIN: the writable
 * callback still comes, the next write returns the failure, close reports it
 * and nothing is left. Without the wake the caller would wait forever. */
static void t_failure_wakes_waiting_writer(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof(path), "%s/dead.txt", prefix);
    arm_internal(path, "partNumber=", 50);
    ossio_client *cl = client_extra("fs.oss.memory.limit", "1M");
    feeder fd = {NULL, 0, 12000, 0, 0, OSSIO_OK};
    assert_int_equal(ossio_text_writer_open(&fd.w, cl, uri_of("dead.txt"), OSSIO_OVERWRITE),
                     OSSIO_OK);
    ossio_text_writer_set_writable(fd.w, on_writable, &fd);
    feed_all(cl, &fd);
    clear_faults(path);
    assert_int_equal(fd.st, OSSIO_ESERVER);
    assert_true(fd.next < fd.n);
    assert_int_equal(ossio_text_writer_write(fd.w, "x", 1), OSSIO_ESERVER);
    wres x;
    memset(&x, 0, sizeof(x));
    assert_int_equal(ossio_text_writer_close(fd.w, w_done, &x), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    assert_int_equal(x.st, OSSIO_ESERVER);
    expect_nothing(cl, "dead.txt");
    ossio_client_destroy(cl);
}

/* NO_OVERWRITE on an existing object while the caller runs the loop between
 * refused writes: the check's answer arrives before close, the writer stays
 * the caller's until it closes, and close reports OSSIO_EEXISTS. */
static void t_no_overwrite_found_before_close(void **state)
{
    (void)state;
    ossio_client *cl = client_extra("fs.oss.memory.limit", "1M");
    wres a = write_text(cl, "exists.txt", OSSIO_OVERWRITE, 0, 5);
    assert_int_equal(a.st, OSSIO_OK);
    ossio_text_writer *w;
    assert_int_equal(ossio_text_writer_open(&w, cl, uri_of("exists.txt"), OSSIO_NO_OVERWRITE),
                     OSSIO_OK);
    char rec[8192];
    ossio_status st = OSSIO_OK;
    for (unsigned k = 0; k < 20000 && st != OSSIO_EEXISTS; k++) {
        size_t len = record(k, rec, sizeof(rec));
        while ((st = ossio_text_writer_write(w, rec, len)) == OSSIO_EAGAIN) {
            ossio_client_run(cl);
        }
        if (k % 100 == 0) {
            ossio_client_run(cl); /* the check answers meanwhile */
        }
    }
    assert_int_equal(st, OSSIO_EEXISTS); /* writes say so once the check answered */
    wres x;
    memset(&x, 0, sizeof(x));
    assert_int_equal(ossio_text_writer_close(w, w_done, &x), OSSIO_OK);
    assert_int_equal(x.done, 0); /* never inside close */
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    assert_int_equal(x.st, OSSIO_EEXISTS);
    expect_records(cl, "exists.txt", 2, 0, 5);
    int uploads = -1;
    assert_int_equal(run_op(cl, OSSIO_OP_MULTIPART_LIST_UPLOADS, "exists.txt", &uploads), OSSIO_OK);
    assert_int_equal(uploads, 0);
    ossio_client_destroy(cl);
}

/* The s3 dialect has no x-oss-forbid-overwrite: the object must not be
 * written before the existence check answered. */
static void t_no_overwrite_s3_dialect(void **state)
{
    (void)state;
    ossio_client *cl = client_extra("fs.oss.dialect", "s3");
    wres a = write_text(cl, "s3-exists.txt", OSSIO_NO_OVERWRITE, 0, 5);
    assert_int_equal(a.st, OSSIO_OK);
    wres b = write_text(cl, "s3-exists.txt", OSSIO_NO_OVERWRITE, 100, 3); /* closes at once */
    assert_int_equal(b.st, OSSIO_EEXISTS);
    expect_records(cl, "s3-exists.txt", 1, 0, 5); /* untouched */
    ossio_client_destroy(cl);
}

/* A writer left open when its client is destroyed is freed with it. */
static void t_destroy_with_open_writer(void **state)
{
    (void)state;
    ossio_client *cl = client_extra(NULL, NULL);
    ossio_text_writer *w;
    assert_int_equal(ossio_text_writer_open(&w, cl, uri_of("left-open.txt"), OSSIO_NO_OVERWRITE),
                     OSSIO_OK);
    assert_int_equal(ossio_text_writer_write(w, "a record", 8), OSSIO_OK);
    ossio_client_run(cl);
    ossio_client_destroy(cl); /* ASan's leak check is the assertion */
}

int main(void)
{
    snprintf(prefix, sizeof(prefix), "text-writer/%d", (int)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_small_text_one_put),
        cmocka_unit_test(t_multipart_text_round_trip),
        cmocka_unit_test(t_no_overwrite_and_overwrite),
        cmocka_unit_test(t_parallel_directory_output),
        cmocka_unit_test(t_failure_mid_write_leaves_nothing),
        cmocka_unit_test(t_cancel_leaves_nothing),
        cmocka_unit_test(t_backpressure),
        cmocka_unit_test(t_failure_wakes_waiting_writer),
        cmocka_unit_test(t_no_overwrite_found_before_close),
        cmocka_unit_test(t_no_overwrite_s3_dialect),
        cmocka_unit_test(t_destroy_with_open_writer),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rc |= remove_own_prefix("text-writer");
    return rc;
}
