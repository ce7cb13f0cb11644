/* Tests for the HTTP/1.1 response parser: every case is fed in one piece,
 * byte by byte and in random splits, and must log the same callbacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h1/h1.h"

#define MAX_HEAD 4096
#define MAX_COUNT 16

/* Callback log: "I100;" per 1xx, "H200 cl=5 a=b|;" for the head, "B:" plus
 * the body bytes (fragments merged, so splits do not show), "C1;" at the end. */
typedef struct rec {
    char log[8192];
    size_t len;
    int in_body;
    int completed;
    const char *abort_in; /* "interim", "headers", "body" or "complete" */
} rec;

static void logf_(rec *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->log + r->len, sizeof(r->log) - r->len, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof(r->log) - r->len);
    r->len += (size_t)n;
}

static int aborts(rec *r, const char *where)
{
    return r->abort_in != NULL && strcmp(r->abort_in, where) == 0;
}

static int on_interim(void *ud, int status)
{
    rec *r = ud;
    r->in_body = 0;
    logf_(r, "I%d;", status);
    return aborts(r, "interim");
}

static int on_headers(void *ud, int status, const ossio__hdrs *h, int64_t cl)
{
    rec *r = ud;
    r->in_body = 0;
    logf_(r, "H%d cl=%lld ", status, (long long)cl);
    for (size_t i = 0; i < h->n; i++) {
        assert_int_equal(strlen(h->v[i].name), h->v[i].name_len);
        assert_int_equal(strlen(h->v[i].value), h->v[i].value_len);
        logf_(r, "%s=%s|", h->v[i].name, h->v[i].value);
    }
    logf_(r, ";");
    return aborts(r, "headers");
}

static int on_body(void *ud, const uint8_t *data, size_t len)
{
    rec *r = ud;
    assert_true(len > 0);
    if (!r->in_body) {
        logf_(r, "B:");
        r->in_body = 1;
    }
    logf_(r, "%.*s", (int)len, (const char *)data);
    return aborts(r, "body");
}

static int on_complete(void *ud, int keep_alive)
{
    rec *r = ud;
    if (r->in_body) {
        logf_(r, ";");
    }
    r->in_body = 0;
    logf_(r, "C%d;", keep_alive);
    r->completed = 1;
    return aborts(r, "complete");
}

static const ossio__h1_callbacks cbs = {on_interim, on_headers, on_body, on_complete};

enum mode { WHOLE, BYTES, RANDOM };

static uint32_t rng_state;

static size_t rng(size_t max)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (size_t)((rng_state >> 8) % max) + 1;
}

/* Feeds |len| bytes in pieces chosen by |mode| until an error or the end of a
 * message; |*total| = bytes consumed. */
static ossio_status feed_all(ossio__h1_parser *p, rec *r, const char *s, size_t len, enum mode mode,
                             size_t *total)
{
    size_t off = 0;
    *total = 0;
    while (off < len) {
        size_t n = len - off;
        if (mode == BYTES) {
            n = 1;
        } else if (mode == RANDOM) {
            size_t piece = rng(16);
            n = piece < n ? piece : n;
        }
        size_t used = 99999;
        ossio_status st = ossio__h1_parser_feed(p, (const uint8_t *)s + off, n, &used);
        assert_true(used <= n);
        off += used;
        *total = off;
        if (st != OSSIO_OK) {
            return st;
        }
        if (used < n || r->completed) {
            assert_true(r->completed);
            assert_true(ossio__h1_parser_idle(p));
            break;
        }
    }
    return OSSIO_OK;
}

typedef struct expect {
    const char *resp;
    int head;
    int eof;             /* call eof() after feeding */
    ossio_status st;     /* of feed */
    ossio_status eof_st; /* of eof() when eof is set */
    size_t consumed;     /* 0: all of resp */
    const char *log;
    const char *abort_in;
    size_t max_head; /* 0: MAX_HEAD */
} expect;

static void run_one(const expect *e, enum mode mode, uint32_t seed)
{
    rec r;
    memset(&r, 0, sizeof(r));
    r.abort_in = e->abort_in;
    rng_state = seed;
    ossio__h1_parser p;
    ossio__h1_parser_init(&p, &cbs, &r, e->max_head ? e->max_head : MAX_HEAD, MAX_COUNT);
    assert_true(ossio__h1_parser_idle(&p));
    ossio__h1_parser_start(&p, e->head);
    assert_true(ossio__h1_parser_idle(&p));
    size_t len = strlen(e->resp);
    size_t total;
    ossio_status st = feed_all(&p, &r, e->resp, len, mode, &total);
    if (st != e->st) {
        fail_msg("mode %d seed %u: feed %d, want %d (%s; log %s)", mode, seed, st, e->st, e->resp,
                 r.log);
    }
    if (e->st == OSSIO_OK) {
        size_t want = e->consumed == 0 ? len : e->consumed;
        if (total != want) {
            fail_msg("mode %d: consumed %zu, want %zu", mode, total, want);
        }
    } else {
        /* A dead parser repeats its error and consumes nothing. */
        size_t used = 1;
        assert_int_equal(ossio__h1_parser_feed(&p, (const uint8_t *)"x", 1, &used), e->st);
        assert_int_equal(used, 0);
        assert_false(ossio__h1_parser_idle(&p));
    }
    if (e->eof) {
        assert_int_equal(ossio__h1_parser_eof(&p), e->eof_st);
    }
    if (strcmp(r.log, e->log) != 0) {
        fail_msg("mode %d seed %u:\n got  %s\n want %s", mode, seed, r.log, e->log);
    }
    ossio__h1_parser_free(&p);
}

static void check(const expect *e)
{
    run_one(e, WHOLE, 0);
    run_one(e, BYTES, 0);
    for (uint32_t seed = 1; seed <= 20; seed++) {
        run_one(e, RANDOM, seed);
    }
}

static void test_content_length(void **state)
{
    (void)state;
    expect e = {.resp = "HTTP/1.1 200 OK\r\n"
                        "Content-Length: 11\r\n"
                        "X-Oss-Request-Id: 5F3C\r\n"
                        "ETag: \"abc\"  \r\n"
                        "\r\n"
                        "hello world",
                .log = "H200 cl=11 content-length=11|x-oss-request-id=5F3C|etag=\"abc\"|;"
                       "B:hello world;C1;"};
    check(&e);
}

static void test_chunked_ext_trailers(void **state)
{
    (void)state;
    expect e = {.resp = "HTTP/1.1 200 OK\r\n"
                        "Transfer-Encoding: chunked\r\n"
                        "\r\n"
                        "5;name=value\r\nhello\r\n"
                        "1\r\n \r\n"
                        "A;a=\"q\";b\r\n0123456789\r\n"
                        "0\r\n"
                        "X-Checksum: 42\r\n"
                        "X-Other: 1\r\n"
                        "\r\n",
                .log = "H200 cl=-1 transfer-encoding=chunked|;B:hello 0123456789;C1;"};
    check(&e);
}

static void test_connection_close(void **state)
{
    (void)state;
    expect e = {.resp = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
                .log = "H200 cl=2 connection=close|content-length=2|;B:ok;C0;"};
    check(&e);
    expect e10ka = {.resp = "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
                            "Content-Length: 2\r\n\r\nok",
                    .log = "H200 cl=2 connection=keep-alive|content-length=2|;B:ok;C1;"};
    check(&e10ka);
}

static void test_read_until_close(void **state)
{
    (void)state;
    expect e = {.resp = "HTTP/1.0 200 OK\r\nServer: old\r\n\r\nbody until close",
                .eof = 1,
                .eof_st = OSSIO_OK,
                .log = "H200 cl=-1 server=old|;B:body until close;C0;"};
    check(&e);
    /* HTTP/1.1 without a length reads until close too. */
    expect e11 = {.resp = "HTTP/1.1 200 OK\r\n\r\nxyz",
                  .eof = 1,
                  .eof_st = OSSIO_OK,
                  .log = "H200 cl=-1 ;B:xyz;C0;"};
    check(&e11);
}

static void test_head_and_204_304(void **state)
{
    (void)state;
    expect head = {.resp = "HTTP/1.1 200 OK\r\nContent-Length: 123456\r\n\r\n",
                   .head = 1,
                   .log = "H200 cl=123456 content-length=123456|;C1;"};
    check(&head);
    expect e204 = {.resp = "HTTP/1.1 204 No Content\r\nx-oss-request-id: 1\r\n\r\n",
                   .log = "H204 cl=-1 x-oss-request-id=1|;C1;"};
    check(&e204);
    /* 304 has no body even with a Content-Length: the next bytes are not its. */
    const char *head304 = "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n";
    expect e304 = {.resp = "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\nHTTP/1.1",
                   .consumed = strlen(head304),
                   .log = "H304 cl=10 content-length=10|;C1;"};
    check(&e304);
}

static void test_continue_then_200(void **state)
{
    (void)state;
    expect e = {.resp = "HTTP/1.1 100 Continue\r\n\r\n"
                        "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
                .log = "I100;I103;H200 cl=3 content-length=3|;B:abc;C1;"};
    check(&e);
    /* The 1xx limit counts per message: two 1xx heads of 30 bytes each fit
     * a 40-byte limit. */
    expect small = {.resp = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
                            "HTTP/1.1 200 OK\r\n\r\n",
                    .max_head = 40,
                    .eof = 1,
                    .eof_st = OSSIO_OK,
                    .log = "I100;I100;H200 cl=-1 ;C0;"};
    check(&small);
    /* EOF after only a 1xx: truncated. */
    expect cut = {.resp = "HTTP/1.1 100 Continue\r\n\r\n",
                  .eof = 1,
                  .eof_st = OSSIO_ECONNRESET,
                  .log = "I100;"};
    check(&cut);
}

static void test_pipelined(void **state)
{
    (void)state;
    const char *two = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA"
                      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nB\r\n0\r\n\r\n";
    size_t first = strlen("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA");
    expect e = {.resp = two, .consumed = first, .log = "H200 cl=1 content-length=1|;B:A;C1;"};
    check(&e);

    rec r;
    memset(&r, 0, sizeof(r));
    ossio__h1_parser p;
    ossio__h1_parser_init(&p, &cbs, &r, MAX_HEAD, MAX_COUNT);
    ossio__h1_parser_start(&p, 0);
    size_t used;
    size_t len = strlen(two);
    assert_int_equal(ossio__h1_parser_feed(&p, (const uint8_t *)two, len, &used), OSSIO_OK);
    assert_int_equal(used, first);
    assert_true(ossio__h1_parser_idle(&p));
    ossio__h1_parser_start(&p, 0);
    assert_int_equal(ossio__h1_parser_feed(&p, (const uint8_t *)two + first, len - first, &used),
                     OSSIO_OK);
    assert_int_equal(used, len - first);
    assert_string_equal(r.log, "H200 cl=1 content-length=1|;B:A;C1;"
                               "H200 cl=-1 transfer-encoding=chunked|;B:B;C1;");
    /* Clean close between messages. */
    assert_int_equal(ossio__h1_parser_eof(&p), OSSIO_OK);
    ossio__h1_parser_free(&p);
}

static void test_unsolicited_bytes(void **state)
{
    (void)state;
    rec r;
    memset(&r, 0, sizeof(r));
    ossio__h1_parser p;
    ossio__h1_parser_init(&p, &cbs, &r, MAX_HEAD, MAX_COUNT);
    size_t used = 7;
    assert_int_equal(ossio__h1_parser_feed(&p, NULL, 0, &used), OSSIO_OK);
    assert_int_equal(used, 0);
    assert_int_equal(ossio__h1_parser_feed(&p, (const uint8_t *)"HTTP", 4, &used), OSSIO_EPROTO);
    assert_int_equal(used, 0);
    /* start() revives it. */
    ossio__h1_parser_start(&p, 0);
    const char *resp = "HTTP/1.1 204 No Content\r\n\r\n";
    assert_int_equal(ossio__h1_parser_feed(&p, (const uint8_t *)resp, strlen(resp), &used),
                     OSSIO_OK);
    assert_int_equal(used, strlen(resp));
    /* EOF while waiting for a response that never came. */
    ossio__h1_parser_start(&p, 0);
    assert_true(ossio__h1_parser_idle(&p));
    assert_int_equal(ossio__h1_parser_eof(&p), OSSIO_ECONNRESET);
    assert_false(ossio__h1_parser_idle(&p));
    ossio__h1_parser_free(&p);
}

static void test_header_limits(void **state)
{
    (void)state;
    char big[MAX_HEAD + 200];
    int n = snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nX-Big: %0*d\r\n\r\n", MAX_HEAD, 7);
    assert_true(n > 0 && (size_t)n < sizeof(big));
    expect bytes = {.resp = big, .st = OSSIO_EHEADERSIZE, .log = ""};
    check(&bytes);

    char many[2048];
    size_t len = (size_t)snprintf(many, sizeof(many), "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i <= MAX_COUNT; i++) {
        len += (size_t)snprintf(many + len, sizeof(many) - len, "X-%d: v\r\n", i);
    }
    snprintf(many + len, sizeof(many) - len, "\r\n");
    expect count = {.resp = many, .st = OSSIO_EHEADERSIZE, .log = ""};
    check(&count);

    /* MAX_COUNT fields fit. */
    len = (size_t)snprintf(many, sizeof(many), "HTTP/1.1 204 No Content\r\n");
    char want[1024];
    size_t wlen = (size_t)snprintf(want, sizeof(want), "H204 cl=-1 ");
    for (int i = 0; i < MAX_COUNT; i++) {
        len += (size_t)snprintf(many + len, sizeof(many) - len, "X-%d: v\r\n", i);
        wlen += (size_t)snprintf(want + wlen, sizeof(want) - wlen, "x-%d=v|", i);
    }
    snprintf(many + len, sizeof(many) - len, "\r\n");
    snprintf(want + wlen, sizeof(want) - wlen, ";C1;");
    expect count_ok = {.resp = many, .log = want};
    check(&count_ok);

    /* A head of exactly max_head bytes fits; one byte less does not. */
    const char *exact = "HTTP/1.1 200 OK\r\nA: b\r\n\r\n";
    /* (No length: eof() completes the read-until-close body.) */
    expect fits = {.resp = exact,
                   .max_head = strlen(exact),
                   .log = "H200 cl=-1 a=b|;C0;",
                   .eof = 1,
                   .eof_st = OSSIO_OK};
    check(&fits);
    expect over = {
        .resp = exact, .max_head = strlen(exact) - 1, .st = OSSIO_EHEADERSIZE, .log = ""};
    check(&over);

    /* Trailers obey the same limits (and are dropped). */
    char trail[MAX_HEAD + 200];
    snprintf(trail, sizeof(trail),
             "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nT: %0*d\r\n\r\n",
             MAX_HEAD, 1);
    expect tr = {
        .resp = trail, .st = OSSIO_EHEADERSIZE, .log = "H200 cl=-1 transfer-encoding=chunked|;B:x"};
    check(&tr);
}

static void test_endless_header_line(void **state)
{
    (void)state;
    /* One 1 MiB header line in 4 KiB pieces: fails once past the limit, and
     * the parser never holds more than the limit. */
    rec r;
    memset(&r, 0, sizeof(r));
    ossio__h1_parser p;
    size_t limit = 8192;
    ossio__h1_parser_init(&p, &cbs, &r, limit, MAX_COUNT);
    ossio__h1_parser_start(&p, 0);
    uint8_t piece[4096];
    size_t used;
    const char *start = "HTTP/1.1 200 OK\r\nX-Endless: ";
    assert_int_equal(ossio__h1_parser_feed(&p, (const uint8_t *)start, strlen(start), &used),
                     OSSIO_OK);
    memset(piece, 'a', sizeof(piece));
    size_t fed = strlen(start);
    ossio_status st = OSSIO_OK;
    int pieces = 0;
    while (fed < ((size_t)1 << 20) && st == OSSIO_OK) {
        st = ossio__h1_parser_feed(&p, piece, sizeof(piece), &used);
        fed += used;
        pieces++;
        assert_true(p.field.cap <= limit);
        assert_true(p.hdrs.arena.cap <= limit);
    }
    assert_int_equal(st, OSSIO_EHEADERSIZE);
    assert_true(fed <= limit);
    assert_true(pieces <= 3);
    ossio__h1_parser_free(&p);

    /* The same with a limit above http-parser's own 80 KiB cap: still an error. */
    memset(&r, 0, sizeof(r));
    ossio__h1_parser_init(&p, &cbs, &r, (size_t)1 << 30, 1000);
    ossio__h1_parser_start(&p, 0);
    assert_int_equal(ossio__h1_parser_feed(&p, (const uint8_t *)start, strlen(start), &used),
                     OSSIO_OK);
    st = OSSIO_OK;
    fed = 0;
    while (fed < ((size_t)1 << 20) && st == OSSIO_OK) {
        st = ossio__h1_parser_feed(&p, piece, sizeof(piece), &used);
        fed += used;
    }
    assert_int_equal(st, OSSIO_EHEADERSIZE);
    assert_true(fed <= 81 * 1024);
    assert_true(p.field.cap <= 128 * 1024);
    ossio__h1_parser_free(&p);
}

static void test_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "HTTP/1.1 2OO OK\r\n\r\n",
        "HTTX/1.1 200 OK\r\n\r\n",
        "\r\nhttp/1.1 200 OK\r\n\r\n",
        "HTTP/1.x 200 OK\r\n\r\n",
        "HTTP/1.1 200OK\r\n\r\n",

        "HTTP/1.1 99 Low\r\n\r\n",
        "HTTP/1.1 1000 Big\r\n\r\n",
        "HTTP/2.0 200 OK\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: upgrade\r\n\r\n",
        "garbage\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        /* Identical duplicates: http-parser 2.9 rejects them as well. */
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        expect e = {.resp = bad[i], .st = OSSIO_EPROTO, .log = ""};
        check(&e);
    }
    static const char *const bad_chunks[] = {
        "zz\r\nhello\r\n0\r\n\r\n",
        "-5\r\nhello\r\n0\r\n\r\n",
        "fffffffffffffffffff\r\n",
    };
    for (size_t i = 0; i < sizeof(bad_chunks) / sizeof(bad_chunks[0]); i++) {
        char resp[256];
        snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%s",
                 bad_chunks[i]);
        expect e = {.resp = resp, .st = OSSIO_EPROTO, .log = NULL};
        char want[128];
        snprintf(want, sizeof(want), "H200 cl=-1 transfer-encoding=chunked|;%s", "");
        e.log = want;
        check(&e);
    }
}

static void test_huge_content_length(void **state)
{
    (void)state;
    /* Nothing is allocated from Content-Length: the body streams out. */
    expect e = {.resp = "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\nabc",
                .eof = 1,
                .eof_st = OSSIO_ECONNRESET,
                .log = "H200 cl=9223372036854775807 content-length=9223372036854775807|;B:abc"};
    check(&e);
    expect zeros = {.resp = "HTTP/1.1 200 OK\r\nContent-Length: 007\r\n\r\n1234567",
                    .log = "H200 cl=7 content-length=007|;B:1234567;C1;"};
    check(&zeros);
}

static void test_truncated(void **state)
{
    (void)state;
    expect body = {.resp = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
                   .eof = 1,
                   .eof_st = OSSIO_ECONNRESET,
                   .log = "H200 cl=10 content-length=10|;B:abc"};
    check(&body);
    expect head = {
        .resp = "HTTP/1.1 200 OK\r\nContent-Len", .eof = 1, .eof_st = OSSIO_ECONNRESET, .log = ""};
    check(&head);
    expect chunk = {.resp = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
                    .eof = 1,
                    .eof_st = OSSIO_ECONNRESET,
                    .log = "H200 cl=-1 transfer-encoding=chunked|;B:ab"};
    check(&chunk);
}

static void test_callback_abort(void **state)
{
    (void)state;
    const char *resp = "HTTP/1.1 100 Continue\r\n\r\n"
                       "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    expect interim = {.resp = resp, .st = OSSIO_ECANCELED, .abort_in = "interim", .log = "I100;"};
    check(&interim);
    expect headers = {.resp = resp,
                      .st = OSSIO_ECANCELED,
                      .abort_in = "headers",
                      .log = "I100;H200 cl=2 content-length=2|;"};
    check(&headers);
    expect body = {.resp = resp,
                   .st = OSSIO_ECANCELED,
                   .abort_in = "body",
                   .log = "I100;H200 cl=2 content-length=2|;B:o"};
    /* Byte by byte and in splits the first body call carries one byte or
     * more; only check the one-piece and one-byte feeds here. */
    run_one(&body, BYTES, 0);
    body.log = "I100;H200 cl=2 content-length=2|;B:ok";
    run_one(&body, WHOLE, 0);
    expect complete = {.resp = resp,
                       .st = OSSIO_ECANCELED,
                       .abort_in = "complete",
                       .log = "I100;H200 cl=2 content-length=2|;B:ok;C1;"};
    check(&complete);
}

static int restart_on_complete(void *ud, int keep_alive)
{
    (void)keep_alive;
    ossio__h1_parser_start(ud, 0);
    return 0;
}

static void test_start_from_on_complete(void **state)
{
    (void)state;
    ossio__h1_callbacks cb = {0};
    cb.on_complete = restart_on_complete;
    ossio__h1_parser p;
    ossio__h1_parser_init(&p, &cb, &p, MAX_HEAD, MAX_COUNT);
    ossio__h1_parser_start(&p, 0);
    const char *two = "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
    size_t used;
    assert_int_equal(ossio__h1_parser_feed(&p, (const uint8_t *)two, strlen(two), &used), OSSIO_OK);
    assert_int_equal(used, strlen(two) / 2);
    assert_int_equal(
        ossio__h1_parser_feed(&p, (const uint8_t *)two + used, strlen(two) - used, &used),
        OSSIO_OK);
    assert_int_equal(used, strlen(two) / 2);
    ossio__h1_parser_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_length),
        cmocka_unit_test(test_chunked_ext_trailers),
        cmocka_unit_test(test_connection_close),
        cmocka_unit_test(test_read_until_close),
        cmocka_unit_test(test_head_and_204_304),
        cmocka_unit_test(test_continue_then_200),
        cmocka_unit_test(test_pipelined),
        cmocka_unit_test(test_unsolicited_bytes),
        cmocka_unit_test(test_header_limits),
        cmocka_unit_test(test_endless_header_line),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_huge_content_length),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_callback_abort),
        cmocka_unit_test(test_start_from_on_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
