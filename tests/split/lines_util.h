/* The record splitter driven as the split reader drives it (looking back
 * for an anchor when the delimiter overlaps itself), records collected by
 * value, and the sequential scan they must equal. Test code only: include
 * after <cmocka.h>. */
#ifndef OSSIO_TESTS_SPLIT_LINES_UTIL_H
#define OSSIO_TESTS_SPLIT_LINES_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "split/align.h"
#include "split/lines.h"

static uint64_t seed, rng;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static size_t below(size_t n)
{
    return n == 0 ? 0 : (size_t)(next_rand() % n);
}

/* Records collected from the splitter, copied (they are borrowed). */
typedef struct got {
    uint8_t *bytes;
    size_t len, cap;
    size_t *ends; /* end offset of each record in bytes */
    size_t n, ncap;
    size_t batches;
    int stop_after; /* stop after this many batches (0: never) */
    const uint8_t *chunk;
    size_t chunk_len;
    size_t in_chunk; /* records that pointed into the chunk being fed */
} got;

static int collect(const ossio_record *r, size_t n, void *ud)
{
    got *g = ud;
    for (size_t i = 0; i < n; i++) {
        if (g->len + r[i].len > g->cap) {
            g->cap = (g->len + r[i].len) * 2 + 64;
            g->bytes = realloc(g->bytes, g->cap);
        }
        if (g->n == g->ncap) {
            g->ncap = g->ncap * 2 + 16;
            g->ends = realloc(g->ends, g->ncap * sizeof(size_t));
        }
        if (r[i].len > 0) {
            memcpy(g->bytes + g->len, r[i].data, r[i].len);
        }
        g->len += r[i].len;
        g->ends[g->n++] = g->len;
        if (g->chunk != NULL && r[i].data >= g->chunk &&
            r[i].data + r[i].len <= g->chunk + g->chunk_len) {
            g->in_chunk++;
        }
    }
    g->batches++;
    return g->stop_after > 0 && g->batches >= (size_t)g->stop_after;
}

static void got_free(got *g)
{
    free(g->bytes);
    free(g->ends);
    memset(g, 0, sizeof(*g));
}

static int got_equal(const got *a, const got *b)
{
    return a->n == b->n && a->len == b->len &&
           (a->len == 0 || memcmp(a->bytes, b->bytes, a->len) == 0) &&
           (a->n == 0 || memcmp(a->ends, b->ends, a->n * sizeof(size_t)) == 0);
}

/* Reference: sequential tokenization of the whole text. */
static void reference(const uint8_t *t, size_t n, const uint8_t *d, size_t dl, got *out)
{
    int strip = dl == 1 && d[0] == '\n';
    size_t p = 0;
    while (p < n) {
        size_t j = p;
        while (j + dl <= n && memcmp(t + j, d, dl) != 0) {
            j++;
        }
        size_t e = j + dl <= n ? j : n;
        ossio_record r = {t + p, e - p};
        if (strip && r.len > 0 && r.data[r.len - 1] == '\r') {
            r.len--;
        }
        collect(&r, 1, out);
        p = e + dl;
    }
}

/* 1 if an occurrence of the delimiter starts in (y - dl, y). */
static int straddled(const uint8_t *t, size_t n, const uint8_t *d, size_t dl, size_t y)
{
    for (size_t m = y >= dl ? y - dl + 1 : 0; m < y && m + dl <= n; m++) {
        if (memcmp(t + m, d, dl) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Where the split reader starts scanning a split at |start| > 0 for a
 * delimiter that overlaps itself: an anchor, found looking back in windows
 * as src/split/reader.c does (random sizes here, fed in chunks of
 * 1..max_chunk bytes). Checked naively: no occurrence straddles it, and one
 * straddles every larger offset up to start - dl + 1. */
static uint64_t look_back(const uint8_t *t, size_t n, const uint8_t *d, size_t dl, uint64_t start,
                          size_t max_chunk)
{
    ossio__align a;
    uint64_t size = 2 * dl + below(40), y;
    ossio__align_init(&a, d, dl, start, size);
    for (;;) {
        while (a.pos < a.to) {
            size_t c = max_chunk == 0 ? (size_t)(a.to - a.pos) : 1 + below(max_chunk);
            c = c < a.to - a.pos ? c : (size_t)(a.to - a.pos);
            ossio__align_feed(&a, t + a.pos, c);
        }
        if (ossio__align_result(&a, &y)) {
            break;
        }
        assert_true(a.from > 0);
        size *= 2;
        ossio__align_back(&a, size);
    }
    assert_true(y + dl <= start + 1);
    assert_false(straddled(t, n, d, dl, (size_t)y));
    for (size_t k = (size_t)y + 1; k + dl <= start + 1; k++) {
        assert_true(straddled(t, n, d, dl, k));
    }
    return y;
}

/* One split read the way the split reader does: from the scan start (or an
 * anchor), in chunks of 1..max_chunk bytes (0: the whole text in one chunk),
 * until done or the end of the text. Returns the final status. */
static ossio_status read_split(const uint8_t *t, size_t n, const uint8_t *d, size_t dl, size_t max,
                               uint64_t start, uint64_t length, size_t max_chunk, got *out)
{
    ossio__lines l;
    assert_int_equal(ossio__lines_init(&l, d, dl, max, start, length, collect, out), OSSIO_OK);
    if (start >= dl && start < n && ossio__delim_overlaps(d, dl)) {
        uint64_t y = look_back(t, n, d, dl, start, max_chunk);
        assert_int_equal(ossio__lines_set_scan_start(&l, y), OSSIO_OK);
    }
    size_t pos = (size_t)ossio__lines_scan_start(&l);
    ossio_status st = OSSIO_OK;
    while (st == OSSIO_OK && pos < n && !ossio__lines_done(&l)) {
        size_t c = max_chunk == 0 ? n - pos : 1 + below(max_chunk); /* 0: one chunk */
        if (c > n - pos) {
            c = n - pos;
        }
        out->chunk = t + pos;
        out->chunk_len = c;
        st = ossio__lines_feed(&l, t + pos, c);
        pos += c;
    }
    out->chunk = NULL;
    if (st == OSSIO_OK && !ossio__lines_done(&l)) {
        st = ossio__lines_finish(&l);
    }
    ossio__lines_free(&l);
    return st;
}

#endif /* OSSIO_TESTS_SPLIT_LINES_UTIL_H */
