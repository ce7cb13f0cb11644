/* HTTP/1.1 transport: one exchange at a time per connection, keep-alive,
 * Content-Length or chunked request bodies streamed from the request's body
 * source, responses through the sans-I/O parser (h1/parser.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h1/h1.h"
#include "transport/transport.h"
#include "transport/pool.h"
#include "transport/request.h"

#define BODY_PIECE (64 * 1024)

typedef struct h1 {
    ossio__h1_parser p;
    ossio_request *cur;
    int head_written;
    int body_done;
    int chunked;
    int complete;
    int keep_alive;
    int closing; /* no more exchanges on this connection */
    int expect;  /* this exchange sent Expect: 100-continue */
    int waiting; /* body held back until 100 Continue or the timer */
    ev_timer continue_timer;
    ossio__conn *c;
} h1;

static h1 *H(ossio__conn *c)
{
    return c->proto_data;
}

static int cb_headers(void *ud, int status, const ossio__hdrs *hdrs, int64_t content_length)
{
    (void)content_length;
    ossio__conn *c = ud;
    ossio_request *r = H(c)->cur;
    if (r == NULL) {
        return 1;
    }
    ossio__hdrs_reset(&r->resp.hdrs);
    for (size_t i = 0; i < hdrs->n; i++) {
        if (ossio__hdrs_add(&r->resp.hdrs, hdrs->v[i].name, hdrs->v[i].name_len, hdrs->v[i].value,
                            hdrs->v[i].value_len) != OSSIO_OK) {
            return 1;
        }
    }
    return ossio__request_deliver_headers(r, status) != 0;
}

static int cb_body(void *ud, const uint8_t *data, size_t len)
{
    ossio__conn *c = ud;
    ossio_request *r = H(c)->cur;
    return r == NULL || ossio__request_deliver_data(r, data, len) != 0;
}

static int cb_complete(void *ud, int keep_alive)
{
    ossio__conn *c = ud;
    H(c)->complete = 1;
    H(c)->keep_alive = keep_alive;
    return 0;
}

/* Expect: 100-continue: the body goes when the server says 100, or after a
 * second without an answer (as curl does); a final answer instead means the
 * body is not wanted and the connection is not reused. */
static int cb_interim(void *ud, int status)
{
    ossio__conn *c = ud;
    h1 *h = H(c);
    if (status != 100 || !h->expect) {
        return 0;
    }
    ossio__tp_log(c->tp, OSSIO_LOG_DEBUG, "%s: 100 Continue%s", c->origin->authority,
                  h->waiting ? ", sending the body" : " (the body is already on its way)");
    if (h->waiting) {
        h->waiting = 0;
        ev_timer_stop(c->tp->loop, &h->continue_timer);
        ossio__conn_want_write(c);
    }
    return 0;
}

static void on_continue_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    h1 *h = w->data;
    if (h->waiting) {
        h->waiting = 0;
        ossio__conn_want_write(h->c);
    }
}

static const ossio__h1_callbacks callbacks = {cb_interim, cb_headers, cb_body, cb_complete};

static ossio_status init(ossio__conn *c)
{
    h1 *h = calloc(1, sizeof(*h));
    if (h == NULL) {
        return OSSIO_ENOMEM;
    }
    ossio__h1_parser_init(&h->p, &callbacks, c, c->tp->set.max_header_bytes, 512);
    h->c = c;
    ev_timer_init(&h->continue_timer, on_continue_timeout, 1., 0.);
    h->continue_timer.data = h;
    c->proto_data = h;
    return OSSIO_OK;
}

/* The current exchange is over (completed or failed): no more callbacks for it. */
static ossio_request *take_current(h1 *h)
{
    ossio_request *r = h->cur;
    h->cur = NULL;
    return r;
}

static ossio_status recv_bytes(ossio__conn *c, const uint8_t *data, size_t len)
{
    h1 *h = H(c);
    if (h->cur == NULL) {
        snprintf(c->detail, sizeof(c->detail), "HTTP/1.1: %zu unexpected bytes from the server",
                 len);
        return OSSIO_EPROTO;
    }
    size_t consumed = 0;
    h->complete = 0;
    ossio_status st = ossio__h1_parser_feed(&h->p, data, len, &consumed);
    if (h->cur == NULL || h->cur->state != OSSIO__REQ_ACTIVE) {
        /* A callback finished the request (aborted, or headers over the limit):
         * the rest of the response cannot be skipped reliably. */
        ossio_request *r = take_current(h);
        if (r != NULL && r->state == OSSIO__REQ_ACTIVE) {
            ossio__request_finish(r, OSSIO_EHEADERSIZE,
                                  "response headers exceed fs.oss.response.header.maximum");
        }
        snprintf(c->detail, sizeof(c->detail), "HTTP/1.1 exchange abandoned");
        return OSSIO_ECANCELED;
    }
    if (st != OSSIO_OK) {
        ossio_request *r = take_current(h);
        h->closing = 1; /* before finish: no queued request may be put on this connection */
        snprintf(c->detail, sizeof(c->detail), "HTTP/1.1: malformed response (%s)",
                 ossio_strerror(st));
        ossio__request_finish(r, st, c->detail);
        return st;
    }
    if (!h->complete) {
        return OSSIO_OK;
    }
    ossio_request *r = take_current(h);
    h->waiting = 0;
    ev_timer_stop(c->tp->loop, &h->continue_timer);
    if (!h->keep_alive || !h->body_done) {
        h->closing = 1; /* Connection: close, or the server answered before the body was sent */
    }
    if (consumed < len) {
        h->closing = 1;
        /* More bytes than the response declared, with no request outstanding:
         * the length was wrong, so the body cannot be trusted either. */
        snprintf(c->detail, sizeof(c->detail),
                 "HTTP/1.1: the response is longer than it declared (%zu extra bytes)",
                 len - consumed);
        ossio__request_finish(r, OSSIO_EPROTO, c->detail);
        return OSSIO_EPROTO;
    }
    ossio__request_finish(r, OSSIO_OK, NULL);
    if (h->closing) {
        ossio__conn_drain(c);
    }
    return OSSIO_OK;
}

static ossio_status send_body(ossio__conn *c, h1 *h, size_t budget)
{
    ossio_request *r = h->cur;
    size_t total = 0;
    while (!h->body_done && total < budget && r->state == OSSIO__REQ_ACTIVE) {
        ossio_status st = ossio__buf_reserve(&c->wbuf, BODY_PIECE + 32);
        if (st != OSSIO_OK) {
            return st;
        }
        long n;
        if (h->chunked) {
            uint8_t piece[BODY_PIECE];
            n = ossio__request_read_body(r, piece, sizeof(piece));
            if (n > 0) {
                ossio__h1_chunk_begin(&c->wbuf, (size_t)n);
                ossio__buf_append(&c->wbuf, piece, (size_t)n);
                ossio__h1_chunk_end(&c->wbuf);
            } else if (n == 0) {
                ossio__h1_chunk_last(&c->wbuf);
            }
        } else if (r->body_kind == OSSIO__BODY_FILE && ossio__conn_can_sendfile(c)) {
            /* Zero-copy: the range goes from the page cache to the socket
             * after wbuf; nothing more is taken until it went. */
            int fd;
            uint64_t off;
            n = ossio__request_take_file(r, budget - total, &fd, &off);
            ossio__conn_queue_file(c, fd, off, (uint64_t)n);
            total = budget;
        } else {
            n = ossio__request_read_body(r, c->wbuf.data + c->wbuf.len, BODY_PIECE);
            if (n > 0) {
                c->wbuf.len += (size_t)n;
            }
        }
        if (n < 0) {
            h->cur = NULL; /* finished with OSSIO_EIO by the read */
            snprintf(c->detail, sizeof(c->detail), "request body failed mid-way");
            return OSSIO_EIO;
        }
        total += (size_t)n;
        if (n == 0 || (r->body_len >= 0 && r->body_off == (uint64_t)r->body_len)) {
            if (!h->chunked && r->body_len >= 0 && r->body_off < (uint64_t)r->body_len) {
                return OSSIO_EIO;
            }
            if (h->chunked && n > 0) {
                continue; /* one more round writes the last chunk */
            }
            h->body_done = 1;
        }
    }
    return OSSIO_OK;
}

static ossio_status send_bytes(ossio__conn *c, size_t budget)
{
    h1 *h = H(c);
    ossio_request *r = h->cur;
    if (r == NULL) {
        return OSSIO_OK;
    }
    if (!h->head_written) {
        int64_t len = r->body_kind == OSSIO__BODY_NONE ? 0 : r->body_len;
        ossio_status st =
            ossio__h1_request_write(&c->wbuf, r->method, r->url.target, r->url.authority, r->hdrs.v,
                                    r->hdrs.n, len, h->expect);
        if (st != OSSIO_OK) {
            h->cur = NULL;
            ossio__request_finish(r, st, "the request could not be serialised");
            return OSSIO_OK;
        }
        h->head_written = 1;
        r->sent = 1;
        if (h->expect) {
            h->waiting = 1;
            ev_timer_set(&h->continue_timer, 1., 0.);
            ev_timer_start(c->tp->loop, &h->continue_timer);
            return OSSIO_OK;
        }
    }
    if (h->waiting) {
        return OSSIO_OK;
    }
    return send_body(c, h, budget);
}

static int want_write(ossio__conn *c)
{
    h1 *h = H(c);
    return h->cur != NULL && (!h->head_written || (!h->body_done && !h->waiting));
}

static size_t capacity(ossio__conn *c)
{
    h1 *h = H(c);
    return c->state == OSSIO__CONN_READY && h->cur == NULL && !h->closing ? 1 : 0;
}

static size_t active(ossio__conn *c)
{
    return H(c)->cur != NULL;
}

static ossio_status submit(ossio__conn *c, ossio_request *r)
{
    h1 *h = H(c);
    h->cur = r;
    h->head_written = 0;
    h->body_done = r->body_kind == OSSIO__BODY_NONE;
    h->chunked = r->body_kind == OSSIO__BODY_READER && r->body_len < 0;
    h->complete = 0;
    r->sent = 0;
    uint64_t min = c->tp->set.expect_continue_min;
    h->expect = !h->body_done && min > 0 && (r->body_len < 0 || (uint64_t)r->body_len >= min);
    h->waiting = 0;
    ossio__h1_parser_start(&h->p, strcmp(r->method, "HEAD") == 0);
    return OSSIO_OK;
}

static void abort_request(ossio__conn *c, ossio_request *r, ossio_status why)
{
    (void)why;
    h1 *h = H(c);
    if (h->cur == r) {
        /* The rest of this response cannot be told from the next one's. */
        h->cur = NULL;
        h->closing = 1;
        ossio__conn_drain(c);
    }
}

static void shutdown_conn(ossio__conn *c, ossio_status why)
{
    h1 *h = H(c);
    ev_timer_stop(c->tp->loop, &h->continue_timer);
    ossio_request *r = take_current(h);
    if (r == NULL || r->state != OSSIO__REQ_ACTIVE) {
        return;
    }
    if (why == OSSIO_ECONNRESET && r->headers_seen) {
        /* A body delimited by the connection's end completes here. */
        h->cur = r;
        h->complete = 0;
        ossio_status st = ossio__h1_parser_eof(&h->p);
        h->cur = NULL;
        if (st == OSSIO_OK && h->complete && r->state == OSSIO__REQ_ACTIVE) {
            ossio__request_finish(r, OSSIO_OK, NULL);
            return;
        }
    }
    if (r->state != OSSIO__REQ_ACTIVE) {
        return;
    }
    if (!r->bytes_in && c->served > 0) {
        /* A reused keep-alive connection the server had already closed. */
        ossio__request_replay(r, why, "keep-alive connection closed by the server");
    } else {
        ossio__request_finish(r, why,
                              r->bytes_in ? "connection closed before the response completed"
                                          : "connection closed before a response arrived");
    }
}

static void free_h1(ossio__conn *c)
{
    h1 *h = H(c);
    ev_timer_stop(c->tp->loop, &h->continue_timer);
    ossio__h1_parser_free(&h->p);
    free(h);
    c->proto_data = NULL;
}

const ossio__proto ossio__proto_h1 = {
    "http/1.1", init,   recv_bytes,    send_bytes,    want_write, capacity,
    active,     submit, abort_request, shutdown_conn, free_h1,
};
