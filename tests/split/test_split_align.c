/* Delimiters that overlap themselves ("||", "aa", "abab"): which ones do,
 * anchors found looking back (checked against a naive search in
 * lines_util.h), and a seeded property test — random texts full of
 * delimiter runs and prefixes, random delimiters of 1..16 bytes, split
 * points, windows and chunkings must give the records of one sequential
 * scan, in order. Pure. OSSIO_SEED=<n> replays one run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lines_util.h"

static void t_which_delimiters_overlap(void **state)
{
    (void)state;
    static const char *yes[] = {"||", "aa", "aba", "abab", "aaaaaaaaaaaaaaaa", "abcab", "\r\n\r\n"};
    static const char *no[] = {"\n", "\r\n", "|;#", "ab", "aab", "abcd", "|"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        assert_true(ossio__delim_overlaps((const uint8_t *)yes[i], strlen(yes[i])));
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        assert_false(ossio__delim_overlaps((const uint8_t *)no[i], strlen(no[i])));
    }
    assert_false(ossio__delim_overlaps(NULL, 2));
}

/* Feeds the window whole; the result. */
static int window_result(ossio__align *a, const char *text, uint64_t *y)
{
    ossio__align_feed(a, (const uint8_t *)text + a->from, (size_t)(a->to - a->from));
    return ossio__align_result(a, y);
}

static void t_anchors(void **state)
{
    (void)state;
    ossio__align a;
    uint64_t y = 99;
    /* "xaaay", split at 3: "aa" at 1 straddles 2, nothing straddles 1. */
    ossio__align_init(&a, (const uint8_t *)"aa", 2, 3, 4096);
    assert_int_equal(a.from, 0);
    assert_int_equal(a.to, 3);
    assert_true(window_result(&a, "xaaay", &y));
    assert_int_equal(y, 1);
    /* No occurrence near the start: the scan start itself. */
    const char *t = "bbbbbbbbbbbbbbbbbbbbaab";
    ossio__align_init(&a, (const uint8_t *)"aa", 2, 15, 8);
    assert_true(window_result(&a, t, &y));
    assert_int_equal(y, 14);
    /* Inside a run of 'a' wider than the window: no anchor, then further
     * back (overlapping the anchors' range) until the run's start. */
    t = "bbbbbaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab";
    ossio__align_init(&a, (const uint8_t *)"aa", 2, 40, 6);
    assert_int_equal(a.from, 34);
    assert_false(window_result(&a, t, &y));
    ossio__align_back(&a, 12);
    assert_int_equal(a.to, 36);
    assert_int_equal(a.from, 24);
    assert_false(window_result(&a, t, &y));
    ossio__align_back(&a, 24);
    assert_int_equal(a.from, 2);
    assert_true(window_result(&a, t, &y));
    assert_int_equal(y, 5); /* the first "aa" of the run starts there */
    /* From the object's start: 0 at worst. */
    t = "aaaaaaaaaa";
    ossio__align_init(&a, (const uint8_t *)"aaa", 3, 9, 100);
    assert_true(window_result(&a, t, &y));
    assert_int_equal(y, 0);
    /* The splitter takes an anchor only before it was fed, and not past the scan start. */
    got g = {0};
    ossio__lines l;
    assert_int_equal(ossio__lines_init(&l, "aa", 2, 100, 9, 5, collect, &g), OSSIO_OK);
    assert_int_equal(ossio__lines_scan_start(&l), 8);
    assert_int_equal(ossio__lines_set_scan_start(&l, 9), OSSIO_EINVAL);
    assert_int_equal(ossio__lines_set_scan_start(&l, 3), OSSIO_OK);
    assert_int_equal(ossio__lines_scan_start(&l), 3);
    assert_int_equal(ossio__lines_feed(&l, (const uint8_t *)"xy", 2), OSSIO_OK);
    assert_int_equal(ossio__lines_set_scan_start(&l, 0), OSSIO_EINVAL);
    ossio__lines_free(&l);
}

/* 1..16 bytes: a short pattern repeated ("aa", "||", "abab", "aba") or random bytes. */
static size_t random_delim(uint8_t *d)
{
    static const uint8_t alpha[] = {'a', 'b', '|', '\n'};
    size_t dl = below(3) == 0 ? 1 + below(16) : 1 + below(5);
    size_t period = below(4) == 0 ? dl : 1 + below(dl < 3 ? dl : 3);
    for (size_t i = 0; i < dl; i++) {
        d[i] = i < period ? alpha[below(sizeof(alpha))] : d[i - period];
    }
    return dl;
}

/* Pieces: bytes from the delimiter's alphabet and others, delimiter
 * prefixes, delimiters, and runs of delimiters at random shifts. */
static size_t random_text(uint8_t *t, size_t cap, const uint8_t *d, size_t dl)
{
    size_t n = 0, want = below(cap);
    while (n < want) {
        size_t room = cap - n, k = 0;
        switch (below(4)) {
        case 0:
            k = 1 + below(room < 12 ? room : 12);
            for (size_t i = 0; i < k; i++) {
                t[n + i] = below(2) ? d[below(dl)] : (uint8_t)('c' + below(2));
            }
            break;
        case 1:
            k = 1 + below(dl);
            k = k < room ? k : room;
            memcpy(t + n, d, k);
            break;
        case 2: {
            size_t shift = 1 + below(dl), reps = 1 + below(below(5) == 0 ? 60 : 5);
            for (size_t r = 0, off = 0; r < reps && off + dl <= room; r++, off += shift) {
                memcpy(t + n + off, d, dl);
                k = off + dl;
            }
            break;
        }
        default:
            k = dl < room ? dl : room;
            memcpy(t + n, d, k);
            break;
        }
        n += k > 0 ? k : 0;
        if (k == 0) {
            t[n++] = 'c';
        }
    }
    return n;
}

static void t_property_overlapping_delimiters(void **state)
{
    (void)state;
    uint8_t t[2048], d[16];
    for (int iter = 0; iter < 10000; iter++) {
        size_t dl = random_delim(d);
        size_t n = random_text(t, below(4) == 0 ? sizeof(t) : 200, d, dl);
        got ref = {0}, all = {0};
        reference(t, n, d, dl, &ref);
        size_t k = 1 + below(12);
        uint64_t cuts[14];
        cuts[0] = 0;
        for (size_t i = 1; i < k; i++) {
            cuts[i] = n > 0 ? 1 + below(n) : 0;
        }
        for (size_t i = 1; i < k; i++) { /* sort */
            for (size_t j = i; j > 1 && cuts[j] < cuts[j - 1]; j--) {
                uint64_t x = cuts[j];
                cuts[j] = cuts[j - 1];
                cuts[j - 1] = x;
            }
        }
        cuts[k] = n;
        size_t max_chunk = below(3) == 0 ? 0 : 1 + below(50);
        for (size_t i = 0; i < k; i++) {
            got one = {0};
            ossio_status st =
                read_split(t, n, d, dl, 1 << 16, cuts[i], cuts[i + 1] - cuts[i], max_chunk, &one);
            assert_int_equal(st, OSSIO_OK);
            for (size_t r = 0; r < one.n; r++) {
                size_t from = r == 0 ? 0 : one.ends[r - 1];
                ossio_record rec = {one.bytes + from, one.ends[r] - from};
                collect(&rec, 1, &all);
            }
            got_free(&one);
        }
        if (!got_equal(&ref, &all)) {
            fprintf(stderr, "text (%zu):", n);
            for (size_t i = 0; i < n; i++) {
                fprintf(stderr, " %02x", t[i]);
            }
            fprintf(stderr, "\ndelimiter:");
            for (size_t i = 0; i < dl; i++) {
                fprintf(stderr, " %02x", d[i]);
            }
            fprintf(stderr, "\nsplits:");
            for (size_t i = 0; i <= k; i++) {
                fprintf(stderr, " %llu", (unsigned long long)cuts[i]);
            }
            fprintf(stderr, "\n");
            fail_msg("seed %llu iteration %d: %zu records across %zu splits, %zu expected",
                     (unsigned long long)seed, iter, all.n, k, ref.n);
        }
        got_free(&ref);
        got_free(&all);
    }
}

int main(void)
{
    const char *s = getenv("OSSIO_SEED");
    seed = s != NULL ? strtoull(s, NULL, 10) : (uint64_t)time(NULL);
    rng = seed * 0x9e3779b97f4a7c15ull + 1;
    printf("test_split_align: seed %llu (OSSIO_SEED=%llu replays it)\n", (unsigned long long)seed,
           (unsigned long long)seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_which_delimiters_overlap),
        cmocka_unit_test(t_anchors),
        cmocka_unit_test(t_property_overlapping_delimiters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
