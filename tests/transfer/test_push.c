/* Push uploads (a source of unknown length) and the memory budget shared
 * by a client's transfers, end to end against the local endpoint: pieces of
 * random sizes become parts, a full budget refuses with OSSIO_EAGAIN and
 * calls back when there is room, fs.oss.buffer.dir takes what memory cannot,
 * and failures or cancels leave nothing behind. */
#define _GNU_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "transfer/transfer.h"
#include "transfer_support.h"

static uint8_t *blob;
static size_t blob_len = 5 * MIB + 4321;

/* Pushes [0, len) of blob in pieces of 1 .. |max_piece| bytes (seeded). */
static void push_pieces(ossio_transfer *t, size_t len, size_t max_piece, unsigned seed)
{
    size_t off = 0;
    while (off < len) {
        seed = seed * 1103515245u + 12345u;
        size_t n = 1 + (seed >> 8) % max_piece;
        if (n > len - off) {
            n = len - off;
        }
        assert_int_equal(ossio_transfer_push(t, blob + off, n), OSSIO_OK);
        off += n;
    }
}

static tres push_object(ossio_client *cl, const char *name, size_t len, size_t max_piece)
{
    ossio_transfer *t;
    assert_int_equal(ossio_upload_new(&t, cl, key_uri(name)), OSSIO_OK);
    assert_int_equal(ossio_transfer_from_push(t), OSSIO_OK);
    tres x;
    memset(&x, 0, sizeof(x));
    assert_int_equal(ossio_transfer_push(t, "x", 1), OSSIO_EINVAL); /* not submitted yet */
    assert_int_equal(ossio_transfer_submit(t, t_done, &x), OSSIO_OK);
    push_pieces(t, len, max_piece, (unsigned)len);
    assert_int_equal(ossio_transfer_push_end(t), OSSIO_OK);
    assert_int_equal(ossio_transfer_push(t, "x", 1), OSSIO_EINVAL); /* ended */
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    return x;
}

static void t_push_sizes(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL); /* 1 MiB parts */
    static const struct {
        size_t len;
        unsigned parts;
    } cases[] = {
        {0, 1}, {1, 1}, {MIB - 1, 1}, {MIB, 1}, {MIB + 1, 2}, {7 * MIB / 2, 4}, {5 * MIB + 4321, 6},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char name[64];
        snprintf(name, sizeof(name), "push-%zu.bin", cases[i].len);
        tres x = push_object(cl, name, cases[i].len, 300 * 1024);
        OK(x);
        assert_int_equal(x.parts, cases[i].parts);
        assert_int_equal(x.bytes, cases[i].len);
        assert_true(x.crc == ossio_crc64(0, blob, cases[i].len));
        expect_object(cl, name, blob, cases[i].len);
    }
    ossio_client_destroy(cl);
}

typedef struct pusher {
    ossio_transfer *t;
    size_t off, len;
    unsigned eagain, writable;
} pusher;

/* Pushes 64 KiB pieces until the budget refuses or all is pushed. */
static void pump(pusher *p)
{
    while (p->off < p->len) {
        size_t n = p->len - p->off < 64 * 1024 ? p->len - p->off : 64 * 1024;
        ossio_status st = ossio_transfer_push(p->t, blob + p->off, n);
        if (st == OSSIO_EAGAIN) {
            p->eagain++;
            return;
        }
        assert_int_equal(st, OSSIO_OK);
        p->off += n;
    }
    assert_int_equal(ossio_transfer_push_end(p->t), OSSIO_OK);
}

static void on_writable(ossio_transfer *t, void *ud)
{
    pusher *p = ud;
    assert_ptr_equal(t, p->t);
    p->writable++;
    pump(p);
}

/* Without fs.oss.buffer.dir a full budget refuses (nothing taken) and
 * calls back when parts went out; memory never exceeds the budget. */
static void t_push_backpressure_within_budget(void **state)
{
    (void)state;
    ossio_client *cl = client("fs.oss.memory.limit", "1M");
    pusher p = {NULL, 0, blob_len, 0, 0};
    assert_int_equal(ossio_upload_new(&p.t, cl, key_uri("push-budget.bin")), OSSIO_OK);
    ossio_transfer_from_push(p.t);
    ossio_transfer_set_parts(p.t, 256 * 1024, 4);
    ossio_transfer_set_writable(p.t, on_writable, &p);
    tres x;
    memset(&x, 0, sizeof(x));
    assert_int_equal(ossio_transfer_submit(p.t, t_done, &x), OSSIO_OK);
    pump(&p);
    assert_true(p.eagain >= 1); /* 5 MiB do not fit a 1 MiB budget */
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    OK(x);
    assert_int_equal(p.off, blob_len);
    assert_true(p.writable >= 1);
    assert_int_equal(x.parts, (blob_len + 256 * 1024 - 1) / (256 * 1024));
    assert_true(ossio_client_stat(cl, OSSIO_STAT_MEMORY_PEAK) <= MIB);
    assert_int_equal(ossio_client_stat(cl, OSSIO_STAT_MEMORY_BUFFERED), 0);
    expect_object(cl, "push-budget.bin", blob, blob_len);
    ossio_client_destroy(cl);
}

/* A producer faster than the network: with a push queue of Q it is held
 * to (parallel + Q + 1) parts of memory; without one, the whole object sits
 * in the (default, 1 GiB) budget before the loop runs. */
static uint64_t push_all_before_run(unsigned queue, pusher *p, tres *x)
{
    ossio_client *cl = client(NULL, NULL);
    memset(p, 0, sizeof(*p));
    p->len = blob_len;
    assert_int_equal(ossio_upload_new(&p->t, cl, key_uri("push-queue.bin")), OSSIO_OK);
    ossio_transfer_from_push(p->t);
    ossio_transfer_set_parts(p->t, 256 * 1024, 2);
    ossio_transfer_set_writable(p->t, on_writable, p);
    assert_int_equal(ossio_transfer_set_push_queue(p->t, queue), OSSIO_OK);
    memset(x, 0, sizeof(*x));
    assert_int_equal(ossio_transfer_submit(p->t, t_done, x), OSSIO_OK);
    assert_int_equal(ossio_transfer_set_push_queue(p->t, 1), OSSIO_EINVAL); /* submitted */
    pump(p);
    ossio_client_run(cl);
    assert_int_equal(x->done, 1);
    OK((*x));
    assert_int_equal(p->off, blob_len);
    expect_object(cl, "push-queue.bin", blob, blob_len);
    uint64_t peak = ossio_client_stat(cl, OSSIO_STAT_MEMORY_PEAK);
    ossio_client_destroy(cl);
    return peak;
}

static void t_push_queue_bounds_a_fast_producer(void **state)
{
    (void)state;
    pusher p;
    tres x;
    uint64_t peak = push_all_before_run(1, &p, &x);
    assert_true(p.eagain >= 1);
    assert_true(p.writable >= 1);
    assert_true(peak <= (2 + 1 + 1) * 256 * 1024); /* in flight + queued + open */
    peak = push_all_before_run(0, &p, &x);
    assert_int_equal(p.eagain, 0);
    assert_true(peak >= blob_len); /* everything waited in memory */
}

static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        n += e->d_name[0] != '.';
    }
    if (d != NULL) {
        closedir(d);
    }
    return n;
}

static uint64_t peak_of_transfer;
static void peak_done(ossio_transfer *t, const ossio_result *r, void *ud)
{
    peak_of_transfer = ossio_transfer_memory_peak(t);
    t_done(t, r, ud);
}

/* With fs.oss.buffer.dir, what does not fit the budget spills to disk: all
 * 5 MiB are taken before the loop runs, memory stays within 1 MiB, and the
 * spill file leaves no name behind. */
static void t_push_spills_to_buffer_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/ossio-spill-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char endpoint[128];
    snprintf(endpoint, sizeof(endpoint), "https://localhost:%d", ep_port("H2_TLS"));
    ossio_client *cl =
        client_with(NULL, "fs.oss.endpoint", endpoint, "fs.oss.accessKeyId", ep("ACCESS_KEY_ID"),
                    "fs.oss.accessKeySecret", ep("ACCESS_KEY_SECRET"), "fs.oss.path.style.access",
                    "true", "fs.oss.multipart.upload.size", "1M", "fs.oss.memory.limit", "1M",
                    "fs.oss.buffer.dir", dir, NULL);
    ossio_transfer *t;
    assert_int_equal(ossio_upload_new(&t, cl, key_uri("push-spill.bin")), OSSIO_OK);
    ossio_transfer_from_push(t);
    tres x;
    memset(&x, 0, sizeof(x));
    assert_int_equal(ossio_transfer_submit(t, peak_done, &x), OSSIO_OK);
    push_pieces(t, blob_len, 200 * 1024, 7); /* never EAGAIN: spills instead */
    assert_int_equal(dir_entries(dir), 0);   /* the spill file is unlinked at once */
    assert_int_equal(ossio_transfer_push_end(t), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    OK(x);
    assert_int_equal(x.parts, 11); /* 1 MiB parts lowered to half the 1 MiB budget */
    assert_true(ossio_client_stat(cl, OSSIO_STAT_MEMORY_PEAK) <= MIB);
    assert_true(peak_of_transfer > 0 && peak_of_transfer <= MIB);
    expect_object(cl, "push-spill.bin", blob, blob_len);
    ossio_client_destroy(cl);
    assert_int_equal(dir_entries(dir), 0);
    rmdir(dir);
}

/* Cancel mid-push and a failing part: the multipart upload is aborted and
 * no object appears. */
static void t_push_cancel_and_failure_leave_nothing(void **state)
{
    (void)state;
    ossio_client *cl = client("fs.oss.attempts.maximum", "2");
    ossio_transfer *t;
    assert_int_equal(ossio_upload_new(&t, cl, key_uri("push-cancel.bin")), OSSIO_OK);
    ossio_transfer_from_push(t);
    tres x;
    memset(&x, 0, sizeof(x));
    assert_int_equal(ossio_transfer_submit(t, t_done, &x), OSSIO_OK);
    push_pieces(t, 3 * MIB, 100 * 1024, 3);
    ossio_client_run(cl); /* the first parts go out */
    assert_int_equal(x.done, 0);
    ossio_transfer_cancel(t);
    assert_int_equal(ossio_transfer_push(t, "x", 1), OSSIO_ECANCELED);
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    assert_int_equal(x.st, OSSIO_ECANCELED);
    assert_int_equal(list_uploads(cl, "push-cancel.bin"), 0);
    assert_int_equal(head(cl, "push-cancel.bin"), OSSIO_ENOTFOUND);

    char path[256], f[512];
    snprintf(path, sizeof(path), "transfer/%d/push-fail.bin", (int)getpid());
    snprintf(f, sizeof(f),
             "{\"kind\":\"internal\",\"count\":50,\"match\":{\"path\":\"%s\",\"query\":"
             "\"partNumber=2\"}}",
             path);
    assert_int_equal(control("POST", "/faults", f), 201);
    tres y = push_object(cl, "push-fail.bin", 3 * MIB, 100 * 1024);
    assert_int_equal(y.st, OSSIO_ESERVER);
    assert_string_equal(y.code, "InternalError");
    clear_faults(path);
    assert_int_equal(list_uploads(cl, "push-fail.bin"), 0);
    assert_int_equal(head(cl, "push-fail.bin"), OSSIO_ENOTFOUND);
    ossio_client_destroy(cl);
}

/* Three transfers at once share a 1 MiB budget: parts wait for memory
 * instead of failing, everything arrives, the sum never exceeds it. */
static void t_budget_shared_by_transfers(void **state)
{
    (void)state;
    ossio_client *cl = client("fs.oss.memory.limit", "1M");
    tres up = upload_buffer(cl, "shared-src.bin", blob, blob_len);
    OK(up);
    char dir[] = "/tmp/ossio-budget-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char src[300];
    snprintf(src, sizeof(src), "%s/src.bin", dir);
    FILE *f = fopen(src, "wb");
    fwrite(blob, 1, blob_len, f);
    fclose(f);

    collect c1 = {malloc(blob_len), 0, blob_len, 0}, c2 = {malloc(blob_len), 0, blob_len, 0};
    ossio_transfer *d1, *d2, *u;
    assert_int_equal(ossio_download_new(&d1, cl, key_uri("shared-src.bin")), OSSIO_OK);
    assert_int_equal(ossio_download_new(&d2, cl, key_uri("shared-src.bin")), OSSIO_OK);
    assert_int_equal(ossio_upload_new(&u, cl, key_uri("shared-up.bin")), OSSIO_OK);
    ossio_transfer_to_stream(d1, collect_stream, &c1);
    ossio_transfer_to_stream(d2, collect_stream, &c2);
    ossio_transfer_from_file(u, src);
    ossio_transfer_set_parts(d1, 200 * 1024, 8);
    ossio_transfer_set_parts(d2, 300 * 1024, 8);
    ossio_transfer_set_parts(u, 256 * 1024, 8);
    tres x1, x2, xu;
    memset(&x1, 0, sizeof(x1));
    memset(&x2, 0, sizeof(x2));
    memset(&xu, 0, sizeof(xu));
    ossio_transfer_submit(d1, t_done, &x1);
    ossio_transfer_submit(d2, t_done, &x2);
    ossio_transfer_submit(u, t_done, &xu);
    ossio_client_run(cl);
    assert_int_equal(x1.done + x2.done + xu.done, 3);
    OK(x1);
    OK(x2);
    OK(xu);
    assert_memory_equal(c1.buf, blob, blob_len);
    assert_memory_equal(c2.buf, blob, blob_len);
    assert_true(ossio_client_stat(cl, OSSIO_STAT_MEMORY_PEAK) <= MIB);
    assert_true(ossio_client_stat(cl, OSSIO_STAT_MEMORY_PEAK) >= 256 * 1024);
    assert_int_equal(ossio_client_stat(cl, OSSIO_STAT_MEMORY_BUFFERED), 0);
    expect_object(cl, "shared-up.bin", blob, blob_len);
    free(c1.buf);
    free(c2.buf);
    unlink(src);
    rmdir(dir);
    ossio_client_destroy(cl);
}

/* Destroying the client completes a push upload that waits for the caller. */
static void t_destroy_completes_idle_push(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL);
    ossio_transfer *t;
    assert_int_equal(ossio_upload_new(&t, cl, key_uri("push-idle.bin")), OSSIO_OK);
    ossio_transfer_from_push(t);
    tres x;
    memset(&x, 0, sizeof(x));
    assert_int_equal(ossio_transfer_submit(t, t_done, &x), OSSIO_OK);
    assert_int_equal(ossio_transfer_push(t, blob, 1000), OSSIO_OK);
    ossio_client_run(cl); /* returns: nothing in flight, the transfer waits for bytes */
    assert_int_equal(x.done, 0);
    ossio_client_destroy(cl);
    assert_int_equal(x.done, 1);
    assert_int_equal(x.st, OSSIO_ECANCELED);
}

/* Every part went out before the push ended (a producer that pauses before
 * its end, with exactly 2 parts): push_end alone must complete the upload. */
static void t_push_parts_all_sent_before_end(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL); /* 1 MiB parts */
    ossio_transfer *t;
    assert_int_equal(ossio_upload_new(&t, cl, key_uri("push-2parts.bin")), OSSIO_OK);
    ossio_transfer_from_push(t);
    tres x;
    memset(&x, 0, sizeof(x));
    assert_int_equal(ossio_transfer_submit(t, t_done, &x), OSSIO_OK);
    assert_int_equal(ossio_transfer_push(t, blob, MIB), OSSIO_OK);
    assert_int_equal(ossio_transfer_push(t, blob + MIB, MIB), OSSIO_OK); /* starts multipart */
    ossio_client_run(cl); /* part 1 leaves; part 2 is full but not yet known to be the last */
    assert_int_equal(x.done, 0);
    assert_int_equal(ossio_transfer_push_end(t), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    OK(x);
    assert_int_equal(x.parts, 2);
    expect_object(cl, "push-2parts.bin", blob, 2 * MIB);
    ossio_client_destroy(cl);
}

/* A part size larger than the budget (5 MiB parts, 1 MiB budget, no spill
 * directory): the part size is lowered to half the budget, so a push never
 * waits for memory only its own open part holds. */
static void t_push_part_larger_than_budget(void **state)
{
    (void)state;
    ossio_client *cl = client("fs.oss.memory.limit", "1M");
    pusher p = {NULL, 0, 3 * MIB + 5, 0, 0};
    assert_int_equal(ossio_upload_new(&p.t, cl, key_uri("push-bigpart.bin")), OSSIO_OK);
    ossio_transfer_from_push(p.t);
    ossio_transfer_set_parts(p.t, 5 * MIB, 4);
    ossio_transfer_set_writable(p.t, on_writable, &p);
    tres x;
    memset(&x, 0, sizeof(x));
    assert_int_equal(ossio_transfer_submit(p.t, t_done, &x), OSSIO_OK);
    pump(&p);
    while (x.done == 0) {
        ossio_client_run(cl);
    }
    OK(x);
    assert_int_equal(x.parts, 7); /* 512 KiB parts */
    assert_true(ossio_client_stat(cl, OSSIO_STAT_MEMORY_PEAK) <= MIB);
    expect_object(cl, "push-bigpart.bin", blob, 3 * MIB + 5);
    ossio_client_destroy(cl);
}

/* Eight push uploads whose open parts together exceed the budget, fed
 * round-robin by one thread: a refused push makes every open part that is
 * large enough leave, so all eight complete. */
static void t_push_many_writers_share_a_budget(void **state)
{
    (void)state;
    ossio_client *cl = client("fs.oss.memory.limit", "1M");
    enum { N = 8 };
    pusher p[N];
    tres x[N];
    memset(x, 0, sizeof(x));
    size_t each = 700 * 1024;
    for (int i = 0; i < N; i++) {
        char name[64];
        snprintf(name, sizeof(name), "push-many-%d.bin", i);
        p[i] = (pusher){NULL, 0, each, 0, 0};
        assert_int_equal(ossio_upload_new(&p[i].t, cl, key_uri(name)), OSSIO_OK);
        ossio_transfer_from_push(p[i].t);
        ossio_transfer_set_parts(p[i].t, 400 * 1024, 2);
        assert_int_equal(ossio_transfer_submit(p[i].t, t_done, &x[i]), OSSIO_OK);
    }
    size_t piece = 50 * 1024;
    for (int round = 0; round * piece < each; round++) {
        for (int i = 0; i < N; i++) {
            size_t off = round * piece, n = each - off < piece ? each - off : piece;
            ossio_status st;
            unsigned spins = 0;
            while ((st = ossio_transfer_push(p[i].t, blob + off, n)) == OSSIO_EAGAIN) {
                p[i].eagain++;
                ossio_client_run(cl); /* others' parts leave; memory comes back */
                assert_true(++spins < 1000);
            }
            assert_int_equal(st, OSSIO_OK);
        }
    }
    unsigned eagain = 0;
    for (int i = 0; i < N; i++) {
        assert_int_equal(ossio_transfer_push_end(p[i].t), OSSIO_OK);
        eagain += p[i].eagain;
    }
    ossio_client_run(cl);
    assert_true(eagain >= 1); /* 8 × 700 KiB do not fit 1 MiB */
    for (int i = 0; i < N; i++) {
        assert_int_equal(x[i].done, 1);
        OK(x[i]);
        char name[64];
        snprintf(name, sizeof(name), "push-many-%d.bin", i);
        expect_object(cl, name, blob, each);
    }
    assert_true(ossio_client_stat(cl, OSSIO_STAT_MEMORY_PEAK) <= MIB);
    ossio_client_destroy(cl);
}

/* No upload needs more than 10,000 parts: the part size is raised. */
static void t_part_size_raised_for_10000_parts(void **state)
{
    (void)state;
    const uint64_t ps = 100 * 1024;
    assert_int_equal(ossio__upload_part_size(ps * 9999, ps), ps);
    assert_int_equal(ossio__upload_part_size(ps * 10000 - 1, ps), ps);
    uint64_t big = UINT64_C(5) << 40; /* 5 TiB */
    uint64_t raised = ossio__upload_part_size(big, ps);
    assert_true((big + raised - 1) / raised <= 10000);
    assert_true((big + raised - 2) / (raised - 1) > 10000); /* and no larger than needed */
}

int main(void)
{
    blob = malloc(blob_len);
    for (size_t i = 0; i < blob_len; i++) {
        blob[i] = (uint8_t)((i * 2246822519u) >> 13);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_part_size_raised_for_10000_parts),
        cmocka_unit_test(t_push_sizes),
        cmocka_unit_test(t_push_backpressure_within_budget),
        cmocka_unit_test(t_push_queue_bounds_a_fast_producer),
        cmocka_unit_test(t_push_spills_to_buffer_dir),
        cmocka_unit_test(t_push_cancel_and_failure_leave_nothing),
        cmocka_unit_test(t_budget_shared_by_transfers),
        cmocka_unit_test(t_destroy_completes_idle_push),
        cmocka_unit_test(t_push_parts_all_sent_before_end),
        cmocka_unit_test(t_push_part_larger_than_budget),
        cmocka_unit_test(t_push_many_writers_share_a_budget),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rc |= remove_own_prefix("transfer");
    free(blob);
    return rc;
}
