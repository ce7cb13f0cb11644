/* Structure-aware HTTP/1.1: the input describes a valid response (status,
 * header fields, a Content-Length or chunked body with chunk extensions and
 * trailers); the response is built, then fed to the parser whole, cut at every
 * position (each prefix, then EOF), and in chunk sizes taken from the input.
 * Fed whole or in pieces the parser must deliver exactly the body generated,
 * with the status generated; a prefix must end in an error, never a crash. */
/* The checks are the point of a fuzzer: keep assert() in release builds. */
#undef NDEBUG

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "h1/h1.h"

#define MAX_HEAD 4096
#define MAX_COUNT 48
#define CAP 8192

typedef struct got {
    int status;
    int complete;
    uint8_t body[CAP];
    size_t body_len;
} got;

static int on_interim(void *ud, int status)
{
    (void)ud;
    assert(status >= 100 && status < 200);
    return 0;
}

static int on_headers(void *ud, int status, const ossio__hdrs *h, int64_t cl)
{
    (void)h;
    (void)cl;
    got *g = ud;
    g->status = status;
    return 0;
}

static int on_body(void *ud, const uint8_t *data, size_t len)
{
    got *g = ud;
    assert(g->body_len + len <= CAP);
    memcpy(g->body + g->body_len, data, len);
    g->body_len += len;
    return 0;
}

static int on_complete(void *ud, int keep_alive)
{
    (void)keep_alive;
    got *g = ud;
    g->complete = 1;
    return 0;
}

static const ossio__h1_callbacks cbs = {on_interim, on_headers, on_body, on_complete};

typedef struct gen {
    const uint8_t *in;
    size_t len, off;
} gen;

static unsigned take(gen *g)
{
    return g->off < g->len ? g->in[g->off++] : 0;
}

static void put(char *out, size_t *n, const char *s, size_t len)
{
    if (*n + len < CAP) {
        memcpy(out + *n, s, len);
        *n += len;
    }
}

static void puts_(char *out, size_t *n, const char *s)
{
    put(out, n, s, strlen(s));
}

/* Builds the response; returns its length, the body in |body|. */
static size_t build(gen *g, char *out, uint8_t *body, size_t *body_len, int *status)
{
    size_t n = 0;
    char line[128];
    unsigned interim = take(g) % 3;
    for (unsigned i = 0; i < interim; i++) {
        puts_(out, &n, i ? "HTTP/1.1 102 Processing\r\n\r\n" : "HTTP/1.1 100 Continue\r\n\r\n");
    }
    *status = 200 + (int)(take(g) % 300); /* not 204/304, which have no body */
    if (*status == 204 || *status == 304) {
        *status = 200;
    }
    snprintf(line, sizeof(line), "HTTP/1.%u %d Reason %u\r\n", take(g) & 1, *status, take(g));
    puts_(out, &n, line);
    unsigned nh = take(g) % 8;
    static const char *names[] = {
        "ETag",          "x-oss-request-id", "Content-Type", "last-modified",
        "Content-Range", "x-amz-meta-a",     "Connection",   "Date"};
    for (unsigned i = 0; i < nh; i++) {
        const char *name = names[take(g) % 8];
        if (strcmp(name, "Connection") == 0) {
            snprintf(line, sizeof(line), "%s: keep-alive\r\n", name);
        } else {
            char v[40];
            size_t vl = take(g) % 32, k = 0;
            for (; k < vl; k++) {
                v[k] = (char)(0x21 + take(g) % 94);
            }
            v[k] = '\0';
            snprintf(line, sizeof(line), "%s:%s%s\r\n", name, take(g) & 1 ? " " : "", v);
        }
        puts_(out, &n, line);
    }
    size_t blen = (take(g) << 4 | take(g)) % 256;
    for (size_t i = 0; i < blen; i++) {
        body[i] = (uint8_t)take(g);
    }
    *body_len = blen;
    if (take(g) & 1) {
        snprintf(line, sizeof(line), "Content-Length: %zu\r\n\r\n", blen);
        puts_(out, &n, line);
        put(out, &n, (const char *)body, blen);
        return n;
    }
    puts_(out, &n, "Transfer-Encoding: chunked\r\n\r\n");
    size_t o = 0;
    while (o < blen) {
        size_t c = 1 + take(g) * 4 % 600;
        if (c > blen - o) {
            c = blen - o;
        }
        snprintf(line, sizeof(line), take(g) & 1 ? "%zX;ext=1\r\n" : "%zx\r\n", c);
        puts_(out, &n, line);
        put(out, &n, (const char *)body + o, c);
        puts_(out, &n, "\r\n");
        o += c;
    }
    puts_(out, &n, take(g) & 1 ? "0\r\nx-trailer: t\r\n\r\n" : "0\r\n\r\n");
    return n;
}

/* Feeds |len| bytes in pieces of |step| (0: whole); the parser's status. */
static ossio_status feed(const char *resp, size_t len, size_t step, got *g, int eof)
{
    ossio__h1_parser p;
    memset(g, 0, sizeof(*g));
    ossio__h1_parser_init(&p, &cbs, g, MAX_HEAD, MAX_COUNT);
    ossio__h1_parser_start(&p, 0);
    size_t off = 0;
    ossio_status st = OSSIO_OK;
    while (off < len && st == OSSIO_OK && !g->complete) {
        size_t n = step == 0 || len - off < step ? len - off : step;
        size_t used = 0;
        st = ossio__h1_parser_feed(&p, (const uint8_t *)resp + off, n, &used);
        assert(used <= n);
        off += used;
    }
    if (st == OSSIO_OK && eof && !g->complete) {
        st = ossio__h1_parser_eof(&p);
    }
    ossio__h1_parser_free(&p);
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char resp[CAP];
    static uint8_t body[CAP];
    static got g;
    gen gi = {data, size, 0};
    size_t body_len = 0;
    int status = 0;
    size_t len = build(&gi, resp, body, &body_len, &status);
    if (len >= CAP - 1) {
        return 0; /* cut by put(): not a valid response */
    }
    resp[len] = '\0';
    size_t step = 1 + take(&gi) % 64;

    ossio_status st = feed(resp, len, 0, &g, 1);
    assert(st == OSSIO_OK && g.complete && g.status == status);
    assert(g.body_len == body_len && memcmp(g.body, body, body_len) == 0);

    st = feed(resp, len, step, &g, 1);
    assert(st == OSSIO_OK && g.complete && g.status == status);
    assert(g.body_len == body_len && memcmp(g.body, body, body_len) == 0);

    /* Cuts: a prefix never completes, and EOF then is an error (a body
     * delimited by length or chunks cannot end at EOF). Every position of the
     * head and of the first 64 body bytes, then every |step|-th (CPU: each
     * cut re-parses the prefix). */
    const char *body_at = strstr(resp, "\r\n\r\n");
    size_t dense = body_at != NULL ? (size_t)(body_at - resp) + 4 + 64 : len;
    for (size_t cut = 0; cut < len; cut += cut < dense ? 1 : step) {
        st = feed(resp, cut, 0, &g, 1);
        assert(!g.complete && (cut == 0 || st != OSSIO_OK));
        assert(g.body_len <= body_len && memcmp(g.body, body, g.body_len) == 0);
    }
    return 0;
}
