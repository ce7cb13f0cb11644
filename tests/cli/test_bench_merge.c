/* cli/bench_merge.c: results of several processes made into one. The
 * merged histogram must give the percentiles of all operations together
 * (what one process seeing every operation would report), which an average
 * of the processes' percentiles does not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bench.h"

static const double qs[] = {0.5, 0.9, 0.99, 0.999, 1.0};

/* A fast process (1..100 ms) and a slow one (200..2000 ms, fewer ops). */
static void fill(bench_hist *fast, bench_hist *slow, bench_hist *both)
{
    for (int i = 1; i <= 900; i++) {
        double s = (double)(i % 100 + 1) * 1e-3;
        bench_hist_add(fast, s);
        bench_hist_add(both, s);
    }
    for (int i = 1; i <= 100; i++) {
        double s = (double)(i * 18 + 200) * 1e-3;
        bench_hist_add(slow, s);
        bench_hist_add(both, s);
    }
}

static void test_hist_merge_is_all_operations(void **state)
{
    (void)state;
    bench_hist *fast = calloc(3, sizeof(bench_hist));
    bench_hist *slow = fast + 1, *both = fast + 2;
    fill(fast, slow, both);
    bench_hist merged = *fast;
    bench_hist_merge(&merged, slow);
    assert_int_equal(merged.n, 1000);
    assert_memory_equal(merged.counts, both->counts, sizeof(both->counts));
    assert_true(merged.max_s == both->max_s);
    for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
        assert_true(bench_hist_quantile(&merged, qs[i]) == bench_hist_quantile(both, qs[i]));
    }
    /* The p50 of all is a fast operation's; the average of the two p50s is not. */
    double p50 = bench_hist_quantile(&merged, 0.5);
    double avg = (bench_hist_quantile(fast, 0.5) + bench_hist_quantile(slow, 0.5)) / 2;
    assert_true(p50 < 0.11);
    assert_true(avg > 0.5);
    free(fast);
}

static void record(bench_result *r, bench_kind k, ossio_status st, uint64_t bytes, double lat,
                   double at)
{
    ossio_result res = {.status = st, .protocol = "h2"};
    bench_record(r, k, &res, bytes, lat, at);
}

static void test_result_merge(void **state)
{
    (void)state;
    bench_result *a = calloc(2, sizeof(bench_result)), *b = a + 1;
    record(a, BENCH_GET, OSSIO_OK, 100, 0.010, 0.05);
    record(a, BENCH_GET, OSSIO_ENOTFOUND, 0, 0.001, 0.05);
    a->seconds = 1.0;
    a->cpu_s = 0.25;
    a->peak_rss_mib = 30;
    a->conns_opened = 2;
    a->keys = 2;
    record(b, BENCH_GET, OSSIO_OK, 200, 0.020, 0.35);
    record(b, BENCH_GET, OSSIO_ENOTFOUND, 0, 0.001, 0.35);
    record(b, BENCH_GET, OSSIO_ETIMEDOUT, 0, 0.001, 0.35);
    record(b, BENCH_PUT, OSSIO_OK, 50, 0.030, 0.05);
    b->seconds = 1.5;
    b->cpu_s = 0.5;
    b->peak_rss_mib = 20;
    b->conns_opened = 3;
    b->list_entries = 7;
    b->keys = 3;
    assert_int_equal(bench_result_merge(a, b), 0);
    assert_int_equal(a->kind[BENCH_GET].ops, 5);
    assert_int_equal(a->kind[BENCH_GET].errors, 3);
    assert_int_equal(a->kind[BENCH_GET].bytes, 300);
    assert_int_equal(a->kind[BENCH_GET].lat.n, 2);
    assert_int_equal(a->kind[BENCH_PUT].ops, 1);
    assert_int_equal(a->kind[BENCH_GET].n_status, 2);
    assert_int_equal(a->kind[BENCH_GET].status[0], OSSIO_ENOTFOUND);
    assert_int_equal(a->kind[BENCH_GET].status_count[0], 2);
    assert_int_equal(a->kind[BENCH_GET].status[1], OSSIO_ETIMEDOUT);
    assert_int_equal(a->kind[BENCH_GET].status_count[1], 1);
    assert_int_equal(bench_total(a, 1), 350);
    assert_int_equal(a->list_entries, 7);
    assert_true(a->seconds == 1.5);     /* the slowest process bounds the run */
    assert_true(a->cpu_s == 0.75);      /* client CPU of all */
    assert_true(a->peak_rss_mib == 30); /* the largest process */
    assert_int_equal(a->conns_opened, 5);
    assert_int_equal(a->keys, 5); /* the processes' shares of a key set are apart */
    /* Timelines add slot by slot: a's slot 0, b's slots 0 and 3. */
    assert_int_equal(a->n_slots, 4);
    assert_int_equal(a->slot_bytes[0], 100 + 50);
    assert_int_equal(a->slot_ops[0], 2);
    assert_int_equal(a->slot_bytes[3], 200);
    assert_int_equal(a->slot_bytes[1], 0);
    assert_string_equal(a->protocol, "h2");
    bench_result_free(a);
    bench_result_free(b);
    free(a);
}

static void test_share(void **state)
{
    (void)state;
    assert_int_equal(bench_share(10, 0, 0), 10);
    assert_int_equal(bench_share(10, 0, 1), 10);
    uint64_t sum = 0;
    for (unsigned r = 0; r < 4; r++) {
        sum += bench_share(10, r, 4);
    }
    assert_int_equal(sum, 10);
    assert_int_equal(bench_share(10, 0, 4), 3);
    assert_int_equal(bench_share(10, 1, 4), 3);
    assert_int_equal(bench_share(10, 2, 4), 2);
    assert_int_equal(bench_share(3, 3, 4), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hist_merge_is_all_operations),
        cmocka_unit_test(test_result_merge),
        cmocka_unit_test(test_share),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
