/* Incremental record splitter with Flink's DelimitedInputFormat ownership:
 * records inside a chunk are handed out where they lie, only a record that
 * straddles chunks is copied (into one reused assembly buffer). */
#include "split/lines.h"

#include <stdbool.h>
#include <string.h>

#include "util/cursor.h"

ossio_status ossio__lines_init(ossio__lines *l, const void *delim, size_t dlen, size_t max_record,
                               uint64_t start, uint64_t length, ossio__lines_emit_cb emit,
                               void *user_data)
{
    if (l == NULL || delim == NULL || dlen == 0 || dlen > OSSIO__LINES_DELIM_MAX ||
        max_record == 0 || emit == NULL) {
        return OSSIO_EINVAL;
    }
    memset(l, 0, sizeof(*l));
    memcpy(l->delim, delim, dlen);
    l->dlen = dlen;
    l->strip_cr = dlen == 1 && l->delim[0] == '\n';
    l->max_record = max_record;
    l->start = start;
    l->end = length > UINT64_MAX - start ? UINT64_MAX : start + length;
    l->skipping = start > 0;
    l->pos = start >= dlen ? start - dlen + 1 : 0;
    l->from = l->pos;
    /* A record in progress may carry up to dlen - 1 bytes of a delimiter not yet complete. */
    size_t cap = max_record > SIZE_MAX - dlen ? SIZE_MAX : max_record + dlen - 1;
    ossio__buf_init(&l->asm_buf, cap, OSSIO_ERECORDSIZE);
    l->emit = emit;
    l->emit_ud = user_data;
    return OSSIO_OK;
}

uint64_t ossio__lines_scan_start(const ossio__lines *l)
{
    return l->from;
}

ossio_status ossio__lines_set_scan_start(ossio__lines *l, uint64_t from)
{
    if (from > l->from || l->pos != l->from || l->asm_buf.len > 0 || l->done) {
        return OSSIO_EINVAL;
    }
    l->from = from;
    l->pos = from;
    return OSSIO_OK;
}

int ossio__lines_done(const ossio__lines *l)
{
    return l->done;
}

void ossio__lines_free(ossio__lines *l)
{
    if (l != NULL) {
        ossio__buf_free(&l->asm_buf);
    }
}

static ossio_status fail(ossio__lines *l, ossio_status st)
{
    l->error = st;
    return st;
}

static ossio_status flush(ossio__lines *l)
{
    size_t n = l->n_batch;
    l->n_batch = 0;
    if (n > 0 && l->emit(l->batch, n, l->emit_ud) != 0) {
        return fail(l, OSSIO_ECANCELED);
    }
    return OSSIO_OK;
}

/* Queues one record of |n| bytes at |p| (its delimiter excluded). */
static ossio_status add(ossio__lines *l, const uint8_t *p, size_t n)
{
    if (n > l->max_record) {
        return fail(l, OSSIO_ERECORDSIZE);
    }
    if (l->strip_cr && n > 0 && p[n - 1] == '\r') {
        n--;
    }
    l->batch[l->n_batch].data = p;
    l->batch[l->n_batch].len = n;
    l->n_batch++;
    l->records++;
    return l->n_batch == OSSIO__LINES_BATCH ? flush(l) : OSSIO_OK;
}

/* The first delimiter in data[from, len) that lies wholly in it: its offset in *at. */
static bool find(const ossio__lines *l, const uint8_t *data, size_t len, size_t from, size_t *at)
{
    ossio__cur c;
    ossio__cur_init(&c, data, len);
    if (!ossio__cur_skip(&c, from)) {
        return false;
    }
    for (;;) {
        const uint8_t *skipped;
        size_t n;
        if (!ossio__cur_take_until(&c, l->delim[0], &skipped, &n)) {
            return false;
        }
        ossio__cur rest = c;
        const uint8_t *tail = ossio__cur_take_n(&rest, l->dlen - 1);
        if (tail == NULL) {
            return false; /* a partial delimiter at the end: decided with the next chunk */
        }
        if (memcmp(tail, l->delim + 1, l->dlen - 1) == 0) {
            *at = c.pos - 1;
            return true;
        }
    }
}

/* A delimiter that begins in the assembled bytes and ends in |data|. 1: found
 * at *at in the assembly buffer, taking *need bytes of |data|; 0: none;
 * -1: undecided, |data| is too short to tell. */
static int straddle(const ossio__lines *l, const uint8_t *data, size_t len, size_t *at,
                    size_t *need)
{
    const uint8_t *a = l->asm_buf.data;
    size_t have = l->asm_buf.len;
    size_t from = have > l->dlen - 1 ? have - (l->dlen - 1) : 0;
    for (size_t j = from; j < have; j++) {
        size_t k = have - j; /* delimiter bytes already assembled: 1 .. dlen - 1 */
        size_t rest = l->dlen - k;
        size_t cmp = len < rest ? len : rest;
        if (memcmp(a + j, l->delim, k) != 0 || memcmp(data, l->delim + k, cmp) != 0) {
            continue;
        }
        if (cmp < rest) {
            return -1;
        }
        *at = j;
        *need = rest;
        return 1;
    }
    return 0;
}

/* Keeps the bytes of the record in progress for the next chunk; while
 * skipping only the last dlen - 1 bytes matter (a delimiter's beginning). */
static ossio_status keep(ossio__lines *l, const uint8_t *p, size_t n)
{
    ossio__buf *b = &l->asm_buf;
    if (!l->skipping) {
        ossio_status st = ossio__buf_append(b, p, n);
        return st != OSSIO_OK ? fail(l, st) : OSSIO_OK;
    }
    size_t want = l->dlen - 1;
    if (n >= want) {
        b->len = 0;
        p += n - want;
        n = want;
    }
    ossio_status st = ossio__buf_append(b, p, n);
    if (st != OSSIO_OK) {
        return fail(l, st);
    }
    if (b->len > want) {
        memmove(b->data, b->data + (b->len - want), want);
        b->len = want;
    }
    return OSSIO_OK;
}

/* A record starts at object offset |p|: past the split's end, the split is
 * done. While skipping, one starting at or before the split's start is an
 * earlier split's (a scan from an anchor meets those). */
static void record_starts(ossio__lines *l, uint64_t p)
{
    if (l->skipping && p <= l->start) {
        return;
    }
    l->skipping = 0;
    if (p > l->end) {
        l->done = 1;
    }
}

/* The record in progress (or the bytes skipped) continues into data[*i,
 * len): completes it if a delimiter ends there (*i: the offset after it),
 * else keeps those bytes (*i = len). Assembled bytes exist only at *i == 0. */
static ossio_status continue_record(ossio__lines *l, const uint8_t *data, size_t len, size_t *i)
{
    uint64_t base = l->pos;
    size_t from = *i;
    size_t at = 0, need = 0;
    int s = l->asm_buf.len > 0 ? straddle(l, data, len, &at, &need) : 0;
    if (s < 0 || (s == 0 && !find(l, data, len, from, &at))) {
        *i = len;
        return keep(l, data + from, len - from);
    }
    ossio_status st = OSSIO_OK;
    if (s > 0) {
        *i = need;
        if (!l->skipping) {
            st = add(l, l->asm_buf.data, at);
        }
    } else {
        *i = at + l->dlen;
        if (!l->skipping) {
            /* Batch is empty here: the assembly buffer may still move. */
            st = ossio__buf_append(&l->asm_buf, data + from, at - from);
            st = st != OSSIO_OK ? fail(l, st) : add(l, l->asm_buf.data, l->asm_buf.len);
        }
    }
    /* Logically empty; the bytes stay valid until keep() after the flush. */
    l->asm_buf.len = 0;
    record_starts(l, base + *i);
    return st;
}

ossio_status ossio__lines_feed(ossio__lines *l, const uint8_t *data, size_t len)
{
    if (l->error != OSSIO_OK) {
        return l->error;
    }
    if (l->done || len == 0) {
        return OSSIO_OK;
    }
    uint64_t base = l->pos;
    size_t i = 0;
    ossio_status st = OSSIO_OK;
    /* Delimiters that end before the split's start pass while skipping. */
    while (st == OSSIO_OK && !l->done && i < len && (l->asm_buf.len > 0 || l->skipping)) {
        st = continue_record(l, data, len, &i);
    }
    if (st != OSSIO_OK || i == len) {
        l->pos = base + len;
        return st != OSSIO_OK ? st : flush(l);
    }
    size_t at;
    while (!l->done && find(l, data, len, i, &at)) {
        st = add(l, data + i, at - i);
        if (st != OSSIO_OK) {
            return st;
        }
        i = at + l->dlen;
        record_starts(l, base + i);
    }
    st = flush(l);
    if (st == OSSIO_OK && !l->done) {
        st = keep(l, data + i, len - i);
    }
    l->pos = base + len;
    return st;
}

ossio_status ossio__lines_finish(ossio__lines *l)
{
    if (l->error != OSSIO_OK) {
        return l->error;
    }
    if (l->done) {
        return OSSIO_OK;
    }
    ossio_status st = OSSIO_OK;
    if (!l->skipping && l->asm_buf.len > 0) {
        st = add(l, l->asm_buf.data, l->asm_buf.len);
    }
    if (st == OSSIO_OK) {
        st = flush(l);
    }
    l->done = 1;
    return st;
}
