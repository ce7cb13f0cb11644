/* The record splitter: fixed cases, then a seeded property test — random
 * texts, delimiters, split points and chunkings must give every record of a
 * sequential tokenization exactly once, in order — and the inflating front.
 * Pure. OSSIO_SEED=<n> replays one run; failures print the seed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "deflate_util.h"
#include "lines_util.h"
#include "split/inflate.h"
#include "split/lines.h"

static void whole(const char *text, const char *delim, got *g)
{
    size_t n = strlen(text);
    assert_int_equal(read_split((const uint8_t *)text, n, (const uint8_t *)delim, strlen(delim),
                                1 << 20, 0, n, 1 << 20, g),
                     OSSIO_OK);
}

static void expect(const got *g, const char *const *recs, size_t n)
{
    assert_int_equal(g->n, n);
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = g->ends[i] - off;
        assert_int_equal(len, strlen(recs[i]));
        assert_memory_equal(g->bytes + off, recs[i], len);
        off = g->ends[i];
    }
}

static void t_fixed_cases(void **state)
{
    (void)state;
    got g = {0};
    whole("a\n\nb", "\n", &g);
    const char *r1[] = {"a", "", "b"};
    expect(&g, r1, 3);
    got_free(&g);
    whole("a\nb\n", "\n", &g); /* a trailing delimiter makes no empty record */
    const char *r2[] = {"a", "b"};
    expect(&g, r2, 2);
    got_free(&g);
    whole("a\r\nb\r\r\n\r\n", "\n", &g); /* one '\r' stripped with "\n" */
    const char *r3[] = {"a", "b\r", ""};
    expect(&g, r3, 3);
    got_free(&g);
    whole("a\r\nb", "\r\n", &g);
    const char *r4[] = {"a", "b"};
    expect(&g, r4, 2);
    got_free(&g);
    whole("x||y|z||", "||", &g);
    const char *r5[] = {"x", "y|z"};
    expect(&g, r5, 2);
    got_free(&g);
    whole("", "\n", &g);
    assert_int_equal(g.n, 0);
    got_free(&g);
    whole("\n", "\n", &g);
    const char *r6[] = {""};
    expect(&g, r6, 1);
    got_free(&g);
}

/* A record starting exactly at a split's start belongs to the previous split. */
static void t_ownership_at_boundaries(void **state)
{
    (void)state;
    const uint8_t *t = (const uint8_t *)"aa\nbb\ncc\n"; /* records at 0, 3, 6 */
    got g = {0};
    assert_int_equal(read_split(t, 9, (const uint8_t *)"\n", 1, 100, 0, 3, 100, &g), OSSIO_OK);
    const char *r1[] = {"aa", "bb"};
    expect(&g, r1, 2);
    got_free(&g);
    assert_int_equal(read_split(t, 9, (const uint8_t *)"\n", 1, 100, 3, 3, 100, &g), OSSIO_OK);
    const char *r2[] = {"cc"};
    expect(&g, r2, 1);
    got_free(&g);
    assert_int_equal(read_split(t, 9, (const uint8_t *)"\n", 1, 100, 6, 3, 100, &g), OSSIO_OK);
    assert_int_equal(g.n, 0); /* the record at 9 == N does not exist */
    got_free(&g);
    /* A two-byte delimiter straddling a split start: scanning starts one byte before. */
    t = (const uint8_t *)"ab\r\ncd";
    assert_int_equal(read_split(t, 6, (const uint8_t *)"\r\n", 2, 100, 3, 3, 100, &g), OSSIO_OK);
    const char *r3[] = {"cd"};
    expect(&g, r3, 1);
    got_free(&g);
    assert_int_equal(read_split(t, 6, (const uint8_t *)"\r\n", 2, 100, 0, 3, 100, &g), OSSIO_OK);
    const char *r4[] = {"ab"};
    expect(&g, r4, 1);
    got_free(&g);
    /* A delimiter that overlaps itself: "xaaay" is "x", "ay" sequentially. A
     * split from 3 looks back (an anchor at 1), passes "aa" at 1 (the record
     * after it starts at 3, the previous split's) and owns nothing; "aa" at 2
     * is no match of the sequential scan. */
    t = (const uint8_t *)"xaaay";
    assert_int_equal(read_split(t, 5, (const uint8_t *)"aa", 2, 100, 3, 2, 100, &g), OSSIO_OK);
    assert_int_equal(g.n, 0);
    got_free(&g);
    assert_int_equal(read_split(t, 5, (const uint8_t *)"aa", 2, 100, 0, 3, 100, &g), OSSIO_OK);
    const char *r5[] = {"x", "ay"};
    expect(&g, r5, 2);
    got_free(&g);
}

static void t_record_size_and_stop(void **state)
{
    (void)state;
    const uint8_t *t = (const uint8_t *)"abc\nabcd\nx";
    got g = {0};
    assert_int_equal(read_split(t, 10, (const uint8_t *)"\n", 1, 3, 0, 10, 100, &g),
                     OSSIO_ERECORDSIZE);
    got_free(&g);
    assert_int_equal(read_split(t, 10, (const uint8_t *)"\n", 1, 3, 0, 10, 1, &g),
                     OSSIO_ERECORDSIZE); /* byte by byte: caught while assembling */
    got_free(&g);
    assert_int_equal(read_split(t, 10, (const uint8_t *)"\n", 1, 4, 0, 10, 1, &g), OSSIO_OK);
    got_free(&g);
    /* '\r' counts (as in Flink's line length limit), before it is stripped. */
    t = (const uint8_t *)"abc\r\n";
    assert_int_equal(read_split(t, 5, (const uint8_t *)"\n", 1, 3, 0, 5, 100, &g),
                     OSSIO_ERECORDSIZE);
    got_free(&g);
    /* The callback stops the splitter; later calls keep failing. */
    ossio__lines l;
    g.stop_after = 1;
    assert_int_equal(ossio__lines_init(&l, "\n", 1, 100, 0, 100, collect, &g), OSSIO_OK);
    assert_int_equal(ossio__lines_feed(&l, (const uint8_t *)"a\nb\n", 4), OSSIO_ECANCELED);
    assert_int_equal(ossio__lines_feed(&l, (const uint8_t *)"c\n", 2), OSSIO_ECANCELED);
    assert_int_equal(ossio__lines_finish(&l), OSSIO_ECANCELED);
    ossio__lines_free(&l);
    got_free(&g);
    assert_int_equal(ossio__lines_init(&l, "\n", 0, 100, 0, 1, collect, &g), OSSIO_EINVAL);
    assert_int_equal(ossio__lines_init(&l, "0123456789abcdefg", 17, 100, 0, 1, collect, &g),
                     OSSIO_EINVAL);
    assert_int_equal(ossio__lines_init(&l, "\n", 1, 0, 0, 1, collect, &g), OSSIO_EINVAL);
}

/* Builds a random text: records from an alphabet without the delimiter's bytes. */
static size_t random_text(uint8_t *t, size_t cap, uint8_t *d, size_t *dl, int *crlf)
{
    static const uint8_t pool[] = {'\n', '|', ';', '#', 0, 0xff, '\r', 'Z'};
    *crlf = below(4) == 0;
    if (*crlf) {
        d[0] = '\n';
        *dl = 1;
    } else {
        *dl = 1 + below(4);
        uint8_t used[sizeof(pool)] = {0};
        for (size_t i = 0; i < *dl;) {
            size_t k = below(sizeof(pool));
            if (!used[k]) {
                used[k] = 1;
                d[i++] = pool[k]; /* distinct bytes: no self-overlap */
            }
        }
    }
    size_t n = 0, records = below(40);
    for (size_t r = 0; r < records; r++) {
        size_t len = below(8) == 0 ? below(300) : below(12); /* some longer than a split */
        if (n + len + 2 + *dl > cap) {
            break;
        }
        for (size_t i = 0; i < len; i++) {
            uint8_t b;
            do {
                b = (uint8_t)next_rand();
            } while (memchr(d, b, *dl) != NULL || (*crlf && b == '\r'));
            t[n++] = b;
        }
        if (r + 1 < records || below(2)) { /* with and without a trailing delimiter */
            if (*crlf && below(2)) {
                t[n++] = '\r';
            }
            memcpy(t + n, d, *dl);
            n += *dl;
        }
    }
    return n;
}

static void t_property_every_record_once(void **state)
{
    (void)state;
    uint8_t t[4096], d[4];
    for (int iter = 0; iter < 20000; iter++) {
        size_t dl;
        int crlf;
        size_t n = random_text(t, sizeof(t), d, &dl, &crlf);
        got ref = {0}, all = {0};
        reference(t, n, d, dl, &ref);
        /* Random cut points (any offset, boundaries included) make the splits;
         * only an empty text has a split (0, 0), as planning gives. */
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
        size_t max_chunk = below(3) == 0 ? 3 : 1 + below(200);
        for (size_t i = 0; i < k; i++) {
            got one = {0};
            ossio_status st =
                read_split(t, n, d, dl, 1 << 16, cuts[i], cuts[i + 1] - cuts[i], max_chunk, &one);
            if (st != OSSIO_OK) {
                fail_msg("seed %llu iteration %d: split %zu failed: %d", (unsigned long long)seed,
                         iter, i, st);
            }
            for (size_t r = 0; r < one.n; r++) {
                size_t from = r == 0 ? 0 : one.ends[r - 1];
                ossio_record rec = {one.bytes + from, one.ends[r] - from};
                collect(&rec, 1, &all);
            }
            got_free(&one);
        }
        if (!got_equal(&ref, &all)) {
            fprintf(stderr, "text:");
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
            fail_msg("seed %llu iteration %d: %zu records across %zu splits, %zu expected "
                     "(text %zu bytes, delimiter %zu bytes)",
                     (unsigned long long)seed, iter, all.n, k, ref.n, n, dl);
        }
        got_free(&ref);
        got_free(&all);
    }
}

/* Records inside a chunk are handed out in place, not copied. */
static void t_records_point_into_chunks(void **state)
{
    (void)state;
    const uint8_t *t = (const uint8_t *)"one\ntwo\nthree\nfour\n";
    got g = {0};
    assert_int_equal(read_split(t, 19, (const uint8_t *)"\n", 1, 100, 0, 19, 0, &g), OSSIO_OK);
    assert_int_equal(g.n, 4);
    assert_int_equal(g.in_chunk, 4);
    got_free(&g);
}

/* ---- the inflating front ---------------------------------------------- */

static ossio_status to_lines(const uint8_t *data, size_t len, void *ud)
{
    return ossio__lines_feed(ud, data, len);
}

static ossio_status inflate_all(const uint8_t *z, size_t zn, size_t max_chunk, got *g)
{
    ossio__lines l;
    assert_int_equal(ossio__lines_init(&l, "\n", 1, 1 << 20, 0, UINT64_MAX, collect, g), OSSIO_OK);
    ossio__inflate *inf = ossio__inflate_new(to_lines, &l);
    assert_non_null(inf);
    ossio_status st = OSSIO_OK;
    for (size_t pos = 0; st == OSSIO_OK && pos < zn;) {
        size_t c = 1 + below(max_chunk);
        c = c > zn - pos ? zn - pos : c;
        st = ossio__inflate_feed(inf, z + pos, c);
        pos += c;
    }
    if (st == OSSIO_OK) {
        st = ossio__inflate_finish(inf);
    }
    if (st == OSSIO_OK) {
        st = ossio__lines_finish(&l);
    }
    if (st == OSSIO_EIO) {
        assert_true(strlen(ossio__inflate_error(inf)) > 0);
    }
    ossio__inflate_free(inf);
    ossio__lines_free(&l);
    return st;
}

static void t_inflate_gzip_zlib_members(void **state)
{
    (void)state;
    size_t n = 200000;
    uint8_t *text = malloc(n);
    for (size_t i = 0; i < n; i++) {
        text[i] = i % 37 == 36 ? '\n' : (uint8_t)('a' + next_rand() % 26);
    }
    size_t cap = n + 1024;
    uint8_t *z = malloc(2 * cap);
    got ref = {0};
    reference(text, n, (const uint8_t *)"\n", 1, &ref);
    for (int gzip = 0; gzip < 2; gzip++) {
        size_t zn = deflate_into(text, n, z, cap, gzip);
        got g = {0};
        assert_int_equal(inflate_all(z, zn, gzip ? 70000 : 13, &g), OSSIO_OK);
        assert_true(got_equal(&ref, &g));
        got_free(&g);
        /* Truncated: the stream is incomplete. */
        assert_int_equal(inflate_all(z, zn / 2, 5000, &g), OSSIO_EIO);
        got_free(&g);
        /* A flipped byte in the middle. */
        z[zn / 2] ^= 0x55;
        ossio_status st = inflate_all(z, zn, 5000, &g);
        assert_true(st == OSSIO_EIO || st == OSSIO_ERECORDSIZE);
        got_free(&g);
    }
    /* Two gzip members, the first ending mid-record: one text, as GZIPInputStream reads it. */
    size_t half = n / 2 + 5;
    size_t z1 = deflate_into(text, half, z, cap, 1);
    size_t z2 = deflate_into(text + half, n - half, z + z1, cap, 1);
    got g = {0};
    assert_int_equal(inflate_all(z, z1 + z2, 999, &g), OSSIO_OK);
    assert_true(got_equal(&ref, &g));
    got_free(&g);
    got_free(&ref);
    free(text);
    free(z);
}

int main(void)
{
    const char *s = getenv("OSSIO_SEED");
    seed = s != NULL ? strtoull(s, NULL, 10) : (uint64_t)time(NULL);
    rng = seed * 0x9e3779b97f4a7c15ull + 1;
    printf("test_split_lines: seed %llu (OSSIO_SEED=%llu replays it)\n", (unsigned long long)seed,
           (unsigned long long)seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_fixed_cases),
        cmocka_unit_test(t_ownership_at_boundaries),
        cmocka_unit_test(t_record_size_and_stop),
        cmocka_unit_test(t_records_point_into_chunks),
        cmocka_unit_test(t_property_every_record_once),
        cmocka_unit_test(t_inflate_gzip_zlib_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
