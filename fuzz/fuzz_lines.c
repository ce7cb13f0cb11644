/* The record splitter on arbitrary bytes: a header chooses the delimiter
 * (1..16 bytes), chunking, maximum record and a split point; the rest is the
 * text. Checks that chunking never changes the records, that records and
 * delimiters fit in the input, and that two splits give the records of one —
 * for a delimiter that overlaps itself, with the split reader's look-back,
 * whose anchor is checked against a naive search. */
/* The checks are the point of a fuzzer: keep assert() in release builds. */
#undef NDEBUG

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "split/align.h"
#include "split/lines.h"

typedef struct out {
    uint8_t *bytes;
    size_t len, cap;
    size_t n;
    size_t lens_hash; /* order-sensitive digest of the record lengths */
} out;

static int collect(const ossio_record *r, size_t n, void *ud)
{
    out *o = ud;
    for (size_t i = 0; i < n; i++) {
        assert(r[i].data != NULL || r[i].len == 0);
        if (o->len + r[i].len > o->cap) {
            o->cap = (o->len + r[i].len) * 2 + 64;
            o->bytes = realloc(o->bytes, o->cap);
            assert(o->bytes != NULL);
        }
        if (r[i].len > 0) {
            memcpy(o->bytes + o->len, r[i].data, r[i].len);
        }
        o->len += r[i].len;
        o->n++;
        o->lens_hash = o->lens_hash * 1000003u + r[i].len + 1;
    }
    return 0;
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

/* The split reader's look-back before |start| (windows from 2 * dl bytes,
 * doubling); the anchor must be one, and the largest. */
static uint64_t look_back(const uint8_t *t, size_t n, const uint8_t *d, size_t dl, uint64_t start,
                          unsigned step)
{
    ossio__align a;
    uint64_t size = 2 * dl + step % 32, y;
    ossio__align_init(&a, d, dl, start, size);
    for (;;) {
        unsigned x = step;
        while (a.pos < a.to) {
            x = x * 1103515245u + 12345u;
            size_t c = step == 0 ? (size_t)(a.to - a.pos) : 1 + (x >> 16) % step;
            c = c < a.to - a.pos ? c : (size_t)(a.to - a.pos);
            ossio__align_feed(&a, t + a.pos, c);
        }
        if (ossio__align_result(&a, &y)) {
            break;
        }
        assert(a.from > 0);
        size *= 2;
        ossio__align_back(&a, size);
    }
    assert(y + dl <= start + 1 && !straddled(t, n, d, dl, (size_t)y));
    for (size_t k = (size_t)y + 1; k + dl <= start + 1; k++) {
        assert(straddled(t, n, d, dl, k));
    }
    return y;
}

static ossio_status run(const uint8_t *t, size_t n, const uint8_t *d, size_t dl, size_t max,
                        uint64_t start, uint64_t length, unsigned step, out *o)
{
    ossio__lines l;
    assert(ossio__lines_init(&l, d, dl, max, start, length, collect, o) == OSSIO_OK);
    if (start >= dl && start < n && ossio__delim_overlaps(d, dl)) {
        assert(ossio__lines_set_scan_start(&l, look_back(t, n, d, dl, start, step)) == OSSIO_OK);
    }
    size_t pos = (size_t)ossio__lines_scan_start(&l);
    assert(pos <= start);
    unsigned x = step;
    ossio_status st = OSSIO_OK;
    while (st == OSSIO_OK && pos < n && !ossio__lines_done(&l)) {
        x = x * 1103515245u + 12345u;
        size_t c = step == 0 ? n - pos : 1 + (x >> 16) % step;
        c = c > n - pos ? n - pos : c;
        st = ossio__lines_feed(&l, t + pos, c);
        pos += c;
    }
    if (st == OSSIO_OK && !ossio__lines_done(&l)) {
        st = ossio__lines_finish(&l);
    }
    ossio__lines_free(&l);
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) {
        return 0;
    }
    size_t dl = 1 + data[0] % 16;
    if (size < 4 + dl) {
        return 0;
    }
    const uint8_t *d = data + 1;
    unsigned step = data[1 + dl];
    uint8_t cut_byte = data[2 + dl];
    uint8_t max_byte = data[3 + dl];
    const uint8_t *t = data + 4 + dl;
    size_t n = size - 4 - dl;
    size_t max = max_byte & 1 ? 1 + max_byte : 1 << 20;

    out whole = {0}, chunked = {0};
    ossio_status a = run(t, n, d, dl, max, 0, n, 0, &whole);
    ossio_status b = run(t, n, d, dl, max, 0, n, step, &chunked);
    assert(a == b);
    if (a == OSSIO_OK) {
        assert(whole.n == chunked.n && whole.len == chunked.len);
        assert(whole.lens_hash == chunked.lens_hash);
        assert(whole.len == 0 || memcmp(whole.bytes, chunked.bytes, whole.len) == 0);
        /* Record bytes plus the delimiters between them never exceed the input. */
        assert(whole.n == 0 || whole.len + (whole.n - 1) * dl <= n);
        if (n > 0) {
            size_t k = 1 + (size_t)cut_byte * (n - 1) / 255;
            out s1 = {0}, s2 = {0};
            assert(run(t, n, d, dl, max, 0, k, step, &s1) == OSSIO_OK);
            assert(run(t, n, d, dl, max, k, n - k, step, &s2) == OSSIO_OK);
            assert(s1.n + s2.n == whole.n && s1.len + s2.len == whole.len);
            assert(s1.len == 0 || memcmp(s1.bytes, whole.bytes, s1.len) == 0);
            assert(s2.len == 0 || memcmp(s2.bytes, whole.bytes + s1.len, s2.len) == 0);
            free(s1.bytes);
            free(s2.bytes);
        }
    }
    free(whole.bytes);
    free(chunked.bytes);
    return 0;
}
