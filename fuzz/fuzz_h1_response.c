/* Feeds the input to the HTTP/1.1 response parser as a stream of responses,
 * split as the first byte says, checking the callback order and the limits. */
/* The checks are the point of a fuzzer: keep assert() in release builds. */
#undef NDEBUG

#include <assert.h>
#include <string.h>

#include "fuzz.h"
#include "h1/h1.h"

#define MAX_HEAD 2048
#define MAX_COUNT 32

typedef struct state {
    int phase; /* 0 waiting, 1 after headers, 2 complete */
    int64_t content_length;
    uint64_t body;
    int head;
} state;

static int on_interim(void *ud, int status)
{
    state *s = ud;
    assert(s->phase == 0);
    assert(status >= 100 && status < 200 && status != 101);
    return 0;
}

static int on_headers(void *ud, int status, const ossio__hdrs *h, int64_t cl)
{
    state *s = ud;
    assert(s->phase == 0);
    assert(status >= 200 && status <= 999);
    assert(cl >= -1);
    assert(h->n <= MAX_COUNT);
    assert(h->arena.len <= MAX_HEAD);
    for (size_t i = 0; i < h->n; i++) {
        assert(strlen(h->v[i].name) == h->v[i].name_len);
        assert(strlen(h->v[i].value) == h->v[i].value_len);
    }
    s->phase = 1;
    s->content_length = cl;
    s->body = 0;
    return 0;
}

static int on_body(void *ud, const uint8_t *data, size_t len)
{
    state *s = ud;
    assert(s->phase == 1);
    assert(!s->head);
    assert(len > 0);
    /* Touch every byte, so ASan sees reads outside the input. */
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < len; i++) {
        sink ^= data[i];
    }
    (void)sink;
    s->body += len;
    assert(s->content_length < 0 || s->body <= (uint64_t)s->content_length);
    return 0;
}

static int on_complete(void *ud, int keep_alive)
{
    state *s = ud;
    assert(s->phase == 1);
    assert(keep_alive == 0 || keep_alive == 1);
    s->phase = 2;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* First byte: bit 0 = HEAD request, the rest + 1 = feed size. */
    if (size == 0) {
        return 0;
    }
    int head = data[0] & 1;
    size_t split = (size_t)(data[0] >> 1) + 1;
    const uint8_t *in = data + 1;
    size_t len = size - 1;

    static const ossio__h1_callbacks cb = {on_interim, on_headers, on_body, on_complete};
    state s = {0, -1, 0, head};
    ossio__h1_parser p;
    ossio__h1_parser_init(&p, &cb, &s, MAX_HEAD, MAX_COUNT);
    ossio__h1_parser_start(&p, head);

    size_t off = 0;
    ossio_status st = OSSIO_OK;
    while (off < len) {
        size_t n = len - off < split ? len - off : split;
        size_t used = 0;
        st = ossio__h1_parser_feed(&p, in + off, n, &used);
        assert(used <= n);
        assert(p.field.len <= MAX_HEAD && p.hdrs.n <= MAX_COUNT);
        off += used;
        if (st != OSSIO_OK) {
            assert(st == OSSIO_EPROTO || st == OSSIO_EHEADERSIZE);
            assert(!ossio__h1_parser_idle(&p));
            break;
        }
        if (used < n || s.phase == 2) {
            /* A complete response: the next one follows in the input. */
            assert(s.phase == 2);
            assert(ossio__h1_parser_idle(&p));
            if (s.content_length >= 0 && !head) {
                assert(s.body <= (uint64_t)s.content_length);
            }
            s.phase = 0;
            s.content_length = -1;
            ossio__h1_parser_start(&p, head);
        } else {
            assert(used == n);
        }
    }
    if (st == OSSIO_OK) {
        st = ossio__h1_parser_eof(&p);
        assert(st == OSSIO_OK || st == OSSIO_ECONNRESET);
        assert(st != OSSIO_OK || ossio__h1_parser_idle(&p));
    }
    ossio__h1_parser_free(&p);
    return 0;
}
