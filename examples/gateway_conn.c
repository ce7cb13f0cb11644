/* One client connection of the gateway example: reads a request head, answers
 * it from the object store through a bounded window of ranged GETs, and
 * cancels its upstream operations the moment the client goes away.
 *
 * Backpressure, with the public API as it is. ossio's stream sink
 * (ossio_transfer_to_stream) delivers bytes as fast as the store sends them
 * and has no pause, so a client reading at 1 MB/s would make the gateway
 * buffer the whole object. Instead each response is cut into ranged GETs of
 * `chunk` bytes (ossio_op with ossio_op_set_range), issued in order, each
 * into a buffer of its own, and a new one is issued only while
 *
 *     reserved + chunk <= bound,   reserved = bytes requested and not yet
 *                                             written to the client socket,
 *
 * so the bytes fetched from the store and not yet written to the client never
 * exceed `bound` (fetched - written <= reserved <= bound), whatever the
 * client's speed. Bytes leave in order from the oldest range; when the client
 * socket is full (EAGAIN) we wait for EV_WRITE, and each byte written frees
 * room for the next range. Several ranges in flight (bound / chunk of them)
 * keep the store busy across round trips for fast clients. Memory per
 * connection is at most bound + chunk (the oldest range's buffer is freed once
 * it is written out). One HEAD first gives the size (Content-Length, Range
 * resolution, 416), the ETag (every GET carries If-Match, so a replaced
 * object fails instead of mixing versions) and the CRC-64.
 *
 * Integrity: a ranged GET's body cannot be checked against the object's
 * x-oss-hash-crc64ecma, so for a whole-object response the gateway computes
 * the CRC-64 of the bytes in order and holds back the body's last byte until
 * it matches; on a mismatch the connection is closed one byte short of
 * Content-Length, which every HTTP client reports as a failed transfer.
 *
 * A client that goes away (EOF or RST on the socket, which is read for that
 * purpose even while the response is written) gets its operations canceled
 * at once (ossio_op_cancel); their records are freed when ossio completes
 * them with OSSIO_ECANCELED, the connection and its buffers right away.
 * Nothing here runs outside the one libev loop, and nothing writes to a
 * socket from inside an ossio callback: callbacks only arm EV_WRITE.
 */
#define _GNU_SOURCE /* strdup, MSG_NOSIGNAL */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gateway.h"
#include "gateway_http.h"

typedef enum cstate {
    ST_REQUEST, /* waiting for a request head */
    ST_HEAD_OP, /* the HEAD of the object is in flight */
    ST_RESPOND, /* writing a response (head, then the body as ranges arrive) */
    ST_LINGER   /* answered and shut for writing; discarding input until EOF */
} cstate;

static const char *const state_names[] = {"request", "head", "respond", "linger"};

/* One upstream operation: the HEAD, or one ranged GET and its bytes. */
typedef struct up {
    struct up *next;
    gateway *gw;
    gw_conn *c;   /* NULL once the connection closed (the op was canceled) */
    ossio_op *op; /* in flight, else NULL */
    uint8_t *buf; /* len bytes (a GET's) */
    uint64_t len, got, sent;
    int ok;        /* completed with all len bytes */
    int crc_added; /* counted into the connection's running CRC-64 */
} up;

struct gw_conn {
    gateway *gw;
    gw_conn *prev, *next;
    uint64_t id;
    int fd;
    ev_io rio, wio;
    ev_timer idle;
    cstate state;
    char in[GW_MAX_HEAD]; /* request bytes not yet parsed */
    size_t in_len;
    gw_request req;
    char *uri;  /* oss://bucket/key of the request */
    char *etag; /* the object's, from the HEAD */
    char *out;  /* response head (and a small body) to write */
    size_t out_len, out_off;
    int head_ready;  /* out may be written: the body's first bytes are here */
    int close_after; /* Connection: close */
    int code;
    up *head_op;
    up *first, *last; /* ranged GETs, in object order */
    unsigned ops;
    uint64_t next_off, end_off; /* next byte to request; end of the response's range */
    uint64_t body_len;          /* the response body's length */
    uint64_t fetched, written, reserved, peak_ahead;
    int check_crc;
    uint64_t crc, want_crc;
};

static void kick(gw_conn *c)
{
    ev_io_start(c->gw->loop, &c->wio);
}

static void touch(gw_conn *c)
{
    if (c->idle.repeat > 0) {
        ev_timer_again(c->gw->loop, &c->idle);
    }
}

/* Cancels every operation of |c| and frees what it holds for them; records
 * of operations still in flight are freed by their completion callbacks. */
static void abort_ups(gw_conn *c)
{
    up *u = c->head_op;
    c->head_op = NULL;
    if (u != NULL) {
        u->next = c->first;
    } else {
        u = c->first;
    }
    while (u != NULL) {
        up *next = u->next;
        free(u->buf);
        u->buf = NULL;
        if (u->op != NULL) {
            u->c = NULL;
            ossio_op_cancel(u->op); /* its done callback frees u, later */
        } else {
            free(u);
        }
        u = next;
    }
    c->first = c->last = NULL;
    c->ops = 0;
    c->reserved = 0;
    c->next_off = c->end_off;
}

void gw_conn_close(gw_conn *c)
{
    gateway *gw = c->gw;
    abort_ups(c);
    ev_io_stop(gw->loop, &c->rio);
    ev_io_stop(gw->loop, &c->wio);
    ev_timer_stop(gw->loop, &c->idle);
    close(c->fd);
    if (c->prev != NULL) {
        c->prev->next = c->next;
    } else {
        gw->conns = c->next;
    }
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }
    gw->nconns--;
    free(c->out);
    free(c->uri);
    free(c->etag);
    free(c);
    gw_conn_closed(gw);
}

/* The client closed or reset the connection (or a write to it failed). */
static void client_gone(gw_conn *c)
{
    int all_written = c->state == ST_RESPOND && c->out_off == c->out_len &&
                      c->written == c->body_len; /* only its completion was still due */
    if ((c->state == ST_HEAD_OP || c->state == ST_RESPOND) && !all_written) {
        c->gw->n.clients_gone++;
        if (c->gw->o.verbose) {
            fprintf(stderr,
                    "gateway: #%" PRIu64 " client went away after %" PRIu64
                    " body bytes; %u upstream ops canceled\n",
                    c->id, c->written, c->ops);
        }
    }
    gw_conn_close(c);
}

/* Makes |head| + |body| the bytes to write. */
static int set_out(gw_conn *c, const char *head, size_t hl, const char *body, size_t bl)
{
    free(c->out);
    c->out = malloc(hl + bl);
    if (c->out == NULL) {
        c->out_len = c->out_off = 0;
        return -1;
    }
    memcpy(c->out, head, hl);
    if (bl > 0) {
        memcpy(c->out + hl, body, bl);
    }
    c->out_len = hl + bl;
    c->out_off = 0;
    return 0;
}

/* Answers with a complete small response (errors, 416, /_stats). */
static void respond(gw_conn *c, int code, const char *extra, const char *ctype, const char *body,
                    size_t bl)
{
    char head[1024];
    int hl = snprintf(head, sizeof(head),
                      "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                      "Connection: %s\r\n\r\n",
                      code, gw_http_reason(code), ctype, bl, extra ? extra : "",
                      c->close_after ? "close" : "keep-alive");
    abort_ups(c);
    c->code = code;
    c->state = ST_RESPOND;
    c->head_ready = 1;
    c->check_crc = 0;
    if (set_out(c, head, (size_t)hl, body, c->req.is_head ? 0 : bl) != 0) {
        c->close_after = 1; /* out of memory: no answer, just the close */
    }
    kick(c);
}

static void respond_text(gw_conn *c, int code, const char *extra, const char *text)
{
    char body[1024];
    int bl = snprintf(body, sizeof(body), "%d %s%s%s\n", code, gw_http_reason(code),
                      text && *text ? ": " : "", text ? text : "");
    respond(c, code, extra, "text/plain", body, (size_t)bl < sizeof(body) ? (size_t)bl : 0);
}

/* An ossio failure before any byte of the body went out, as an HTTP status. */
static void upstream_error(gw_conn *c, ossio_status st, const char *detail)
{
    int code = gw_http_status_for(st);
    if (code >= 500) {
        c->gw->n.upstream_failed++;
    }
    char text[768];
    snprintf(text, sizeof(text), "%s (%s)", detail && *detail ? detail : ossio_strerror(st),
             ossio_status_name(st) ? ossio_status_name(st) : "?");
    respond_text(c, code, code == 503 ? "Retry-After: 1\r\n" : NULL, text);
}

static void op_finished(up *u, const ossio_result *res)
{
    u->gw->n.ops_in_flight--;
    if (res->status == OSSIO_ECANCELED) {
        u->gw->n.ops_canceled++;
    }
    u->op = NULL;
    if (u->c != NULL) {
        u->c->ops--;
    }
}

static int get_data(ossio_op *op, const uint8_t *data, size_t len, void *ud)
{
    (void)op;
    up *u = ud;
    gw_conn *c = u->c;
    if (c == NULL || len > u->len - u->got) {
        return 1; /* gone, or more bytes than the range asked: stop */
    }
    memcpy(u->buf + u->got, data, len);
    u->got += len;
    c->fetched += len;
    u->gw->n.bytes_fetched += len;
    uint64_t ahead = c->fetched - c->written;
    if (ahead > c->peak_ahead) {
        c->peak_ahead = ahead;
    }
    if (ahead > u->gw->n.peak_ahead) {
        u->gw->n.peak_ahead = ahead;
    }
    if (u == c->first) {
        c->head_ready = 1;
        kick(c);
    }
    return 0;
}

static void get_done(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)op;
    up *u = ud;
    op_finished(u, res);
    gw_conn *c = u->c;
    if (c == NULL) {
        free(u); /* its buffer went with the connection */
        return;
    }
    if (res->status == OSSIO_OK && u->got == u->len) {
        u->ok = 1;
        if (u == c->first) {
            c->head_ready = 1;
            kick(c);
        }
        return;
    }
    ossio_status st = res->status != OSSIO_OK ? res->status : OSSIO_EPROTO;
    if (!c->head_ready) { /* nothing sent yet: the client gets a status */
        upstream_error(c, st, res->detail);
        return;
    }
    c->gw->n.upstream_failed++;
    if (c->gw->o.verbose) {
        fprintf(stderr, "gateway: #%" PRIu64 " %s: %s after %" PRIu64 " body bytes: closing\n",
                c->id, c->uri, ossio_strerror(st), c->written);
    }
    gw_conn_close(c); /* mid-body: the client sees the body end short of Content-Length */
}

/* Issues one ranged GET of [off, off+len). */
static ossio_status start_get(gw_conn *c, uint64_t off, uint64_t len)
{
    gateway *gw = c->gw;
    up *u = calloc(1, sizeof(*u));
    uint8_t *buf = malloc(len);
    ossio_op *op = NULL;
    ossio_status st = u && buf ? ossio_op_new(&op, gw->cl, OSSIO_OP_GET, c->uri) : OSSIO_ENOMEM;
    if (st == OSSIO_OK) {
        st = ossio_op_set_range(op, off, (int64_t)len);
    }
    if (st == OSSIO_OK && c->etag != NULL) {
        st = ossio_op_set_header(op, "If-Match", c->etag);
    }
    if (st != OSSIO_OK) {
        ossio_op_free(op);
        free(buf);
        free(u);
        return st;
    }
    u->gw = gw;
    u->c = c;
    u->op = op;
    u->buf = buf;
    u->len = len;
    if (c->last != NULL) {
        c->last->next = u;
    } else {
        c->first = u;
    }
    c->last = u;
    c->ops++;
    gw->n.ops_in_flight++;
    gw->n.ops_started++;
    ossio_op_set_callbacks(op, get_data, NULL, u);
    return ossio_op_submit(op, get_done, u);
}

/* Issues ranged GETs while the window has room. -1 if |c| was closed. */
static int pump(gw_conn *c)
{
    const gw_opts *o = &c->gw->o;
    while (c->state == ST_RESPOND && c->next_off < c->end_off) {
        uint64_t len = c->end_off - c->next_off < o->chunk ? c->end_off - c->next_off : o->chunk;
        if (c->reserved + len > o->bound) {
            break; /* the client must take bytes first: EV_WRITE brings us back */
        }
        ossio_status st = start_get(c, c->next_off, len);
        if (st != OSSIO_OK) {
            if (!c->head_ready) {
                upstream_error(c, st, ossio_client_error(c->gw->cl));
                return 0;
            }
            gw_conn_close(c);
            return -1;
        }
        c->next_off += len;
        c->reserved += len;
    }
    return 0;
}

/* Copies a header value from the store into a response only if it is safe to. */
static const char *safe_value(const char *v)
{
    if (v == NULL || *v == '\0') {
        return NULL;
    }
    for (const char *p = v; *p; p++) {
        if ((unsigned char)*p < ' ' || *p == 0x7f) {
            return NULL;
        }
    }
    return v;
}

/* The HEAD told what the object is: answer 416, or send the head and start the window. */
static void start_body(gw_conn *c, const ossio_object_info *info)
{
    uint64_t start, end;
    int code = gw_http_range(c->req.range[0] ? c->req.range : NULL, info->size, &start, &end);
    if (code == 416) {
        char extra[64];
        snprintf(extra, sizeof(extra), "Content-Range: bytes */%" PRIu64 "\r\n", info->size);
        respond_text(c, 416, extra, NULL);
        return;
    }
    free(c->etag);
    c->etag = info->etag ? strdup(info->etag) : NULL;
    const char *ctype = safe_value(info->content_type), *etag = safe_value(info->etag),
               *lm = safe_value(info->last_modified);
    char range[96] = "";
    if (code == 206) {
        snprintf(range, sizeof(range),
                 "Content-Range: bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64 "\r\n", start, end - 1,
                 info->size);
    }
    char head[2048];
    int hl = snprintf(head, sizeof(head),
                      "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %" PRIu64
                      "\r\nAccept-Ranges: bytes\r\n%s%s%s%s%s%s%sConnection: %s\r\n\r\n",
                      code, gw_http_reason(code), ctype ? ctype : "application/octet-stream",
                      end - start, etag ? "ETag: " : "", etag ? etag : "", etag ? "\r\n" : "",
                      lm ? "Last-Modified: " : "", lm ? lm : "", lm ? "\r\n" : "", range,
                      c->close_after ? "close" : "keep-alive");
    if (hl < 0 || (size_t)hl >= sizeof(head) || set_out(c, head, (size_t)hl, NULL, 0) != 0) {
        gw_conn_close(c);
        return;
    }
    c->code = code;
    c->state = ST_RESPOND;
    c->next_off = start;
    c->end_off = c->req.is_head ? start : end;
    c->body_len = c->end_off - c->next_off;
    c->check_crc = code == 200 && info->has_crc64;
    c->want_crc = info->crc64;
    c->crc = 0;
    c->head_ready = c->next_off == c->end_off; /* else: once the first bytes are here */
    if (pump(c) == 0) {
        kick(c);
    }
}

static void head_done(ossio_op *op, const ossio_result *res, void *ud)
{
    up *u = ud;
    op_finished(u, res);
    gw_conn *c = u->c;
    free(u);
    if (c == NULL) {
        return;
    }
    c->head_op = NULL;
    const ossio_object_info *info = ossio_op_object(op);
    if (res->status != OSSIO_OK || info == NULL) {
        upstream_error(c, res->status != OSSIO_OK ? res->status : OSSIO_EPROTO, res->detail);
        return;
    }
    start_body(c, info);
}

/* A request for /bucket/key: HEAD the object first. */
static void start_head(gw_conn *c)
{
    gateway *gw = c->gw;
    const char *p = c->req.path + 1, *slash = strchr(p, '/');
    if (slash == NULL || slash == p || slash[1] == '\0') {
        respond_text(c, 400, NULL, "expected /bucket/key");
        return;
    }
    size_t n = strlen(gw->o.scheme) + 3 + strlen(p) + 1;
    free(c->uri);
    c->uri = malloc(n);
    up *u = calloc(1, sizeof(*u));
    ossio_op *op = NULL;
    ossio_status st = OSSIO_ENOMEM;
    if (c->uri != NULL && u != NULL) {
        snprintf(c->uri, n, "%s://%s", gw->o.scheme, p);
        st = ossio_op_new(&op, gw->cl, OSSIO_OP_HEAD, c->uri);
    }
    if (st != OSSIO_OK) {
        free(u);
        upstream_error(c, st, ossio_client_error(gw->cl));
        return;
    }
    u->gw = gw;
    u->c = c;
    u->op = op;
    c->head_op = u;
    c->ops++;
    c->state = ST_HEAD_OP;
    gw->n.ops_in_flight++;
    gw->n.ops_started++;
    ossio_op_submit(op, head_done, u);
}

static void serve_stats(gw_conn *c)
{
    size_t len = 0;
    char *json = gw_stats_json(c->gw, &len);
    if (json == NULL) {
        gw_conn_close(c);
        return;
    }
    respond(c, 200, "Cache-Control: no-store\r\n", "application/json", json, len);
    free(json);
}

/* Parses and dispatches a request head, if a whole one is buffered. */
static void process(gw_conn *c)
{
    int rc = gw_http_parse(c->in, c->in_len, &c->req);
    if (rc == 0 && c->in_len < sizeof(c->in)) {
        return; /* more to come */
    }
    c->gw->n.requests++;
    if (rc <= 0) {
        int code = rc == 0 ? 431 : -rc;
        c->close_after = 1; /* what follows a bad head cannot be trusted */
        c->in_len = 0;
        c->req.is_head = 0;
        respond_text(c, code, code == 405 ? "Allow: GET, HEAD\r\n" : NULL, NULL);
        return;
    }
    memmove(c->in, c->in + rc, c->in_len - (size_t)rc);
    c->in_len -= (size_t)rc;
    c->close_after = !c->req.keep_alive;
    if (strcmp(c->req.path, "/_stats") == 0) {
        serve_stats(c);
    } else {
        start_head(c);
    }
}

static void on_read(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)revents;
    gw_conn *c = w->data;
    if (c->in_len < sizeof(c->in)) {
        ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            client_gone(c); /* EOF or RST: also mid-response, which cancels its operations */
            return;
        }
        if (n > 0) {
            c->in_len += (size_t)n;
            touch(c);
        }
    }
    if (c->state == ST_LINGER) {
        c->in_len = 0;
    } else if (c->state == ST_REQUEST) {
        process(c);
    } else if (c->in_len == sizeof(c->in)) {
        ev_io_stop(loop, w); /* pipelined requests fill the buffer: read on after this response */
    }
}

/* Everything of the response is written. */
static int response_complete(const gw_conn *c)
{
    return c->out_off == c->out_len && c->first == NULL && c->head_op == NULL &&
           c->next_off == c->end_off;
}

static void finish(gw_conn *c)
{
    gateway *gw = c->gw;
    gw->n.responses_done++;
    if (gw->o.verbose) {
        fprintf(stderr, "gateway: #%" PRIu64 " %s %s %d %" PRIu64 "\n", c->id,
                c->req.is_head ? "HEAD" : "GET", c->req.path, c->code, c->written);
    }
    free(c->out);
    free(c->uri);
    free(c->etag);
    c->out = c->uri = c->etag = NULL;
    c->out_len = c->out_off = 0;
    c->fetched = c->written = c->reserved = c->peak_ahead = 0;
    c->next_off = c->end_off = c->body_len = 0;
    c->check_crc = 0;
    ev_io_start(gw->loop, &c->rio);
    if (c->close_after) { /* lingering close: the client reads the answer before our FIN */
        shutdown(c->fd, SHUT_WR);
        c->state = ST_LINGER;
        c->in_len = 0;
        return;
    }
    c->state = ST_REQUEST;
    if (c->in_len > 0) {
        ev_feed_event(gw->loop, &c->rio, EV_READ); /* a pipelined request: parse it from the loop */
    }
}

/* The body's last byte waits for the CRC-64 of the whole object. -1: closed on a mismatch. */
static int hold_last_byte(gw_conn *c, up *u, size_t *n)
{
    if (!c->check_crc || u->next != NULL || c->next_off != c->end_off || u->sent + *n != u->len) {
        return 0;
    }
    if (!u->ok) {
        if (*n > 0) {
            (*n)--;
        }
        return 0;
    }
    if (c->crc == c->want_crc) {
        c->check_crc = 0;
        return 0;
    }
    if (*n > 1) {
        (*n)--; /* all but the last byte, so the client sees exactly one missing */
        return 0;
    }
    c->gw->n.crc_mismatches++;
    fprintf(stderr,
            "gateway: #%" PRIu64 " %s: CRC-64 %" PRIu64 " != x-oss-hash-crc64ecma %" PRIu64
            ": closing one byte short\n",
            c->id, c->uri, c->crc, c->want_crc);
    gw_conn_close(c);
    return -1;
}

/* Writes what can be written, in order. */
static void flush(gw_conn *c)
{
    gateway *gw = c->gw;
    for (;;) {
        const uint8_t *p = NULL;
        size_t n = 0;
        up *u = NULL;
        if (c->out_off < c->out_len) {
            if (!c->head_ready) {
                break;
            }
            p = (const uint8_t *)c->out + c->out_off;
            n = c->out_len - c->out_off;
        } else if ((u = c->first) != NULL) {
            if (u->ok && !u->crc_added) {
                c->crc = c->check_crc ? ossio_crc64(c->crc, u->buf, u->len) : 0;
                u->crc_added = 1;
            }
            if (u->ok && u->sent == u->len) {
                c->first = u->next;
                if (c->first == NULL) {
                    c->last = NULL;
                }
                free(u->buf);
                free(u);
                continue;
            }
            n = (size_t)(u->got - u->sent);
            if (hold_last_byte(c, u, &n) != 0) {
                return;
            }
            if (n == 0) {
                break; /* waiting for the store */
            }
            p = u->buf + u->sent;
        } else {
            break;
        }
        ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return; /* EV_WRITE stays armed: we resume when the client drains */
            }
            client_gone(c);
            return;
        }
        touch(c);
        if (u == NULL) {
            c->out_off += (size_t)k;
            continue;
        }
        u->sent += (uint64_t)k;
        c->written += (uint64_t)k;
        c->reserved -= (uint64_t)k;
        gw->n.bytes_written += (uint64_t)k;
        if (pump(c) != 0) {
            return;
        }
    }
    ev_io_stop(gw->loop, &c->wio);
    if (c->state == ST_RESPOND && response_complete(c)) {
        finish(c);
    }
}

static void on_write(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    flush(w->data);
}

/* Closes a connection that kept us waiting on it too long (a request head
 * that never ends, a client that stopped reading); not one waiting on the store. */
static void on_idle(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)revents;
    gw_conn *c = w->data;
    int waiting_on_client =
        c->state == ST_REQUEST || c->state == ST_LINGER || ev_is_active(&c->wio);
    if (!waiting_on_client) {
        ev_timer_again(loop, w);
        return;
    }
    if (c->gw->o.verbose) {
        fprintf(stderr, "gateway: #%" PRIu64 " idle in state %s: closing\n", c->id,
                state_names[c->state]);
    }
    gw_conn_close(c);
}

void gw_conn_open(gateway *gw, int fd)
{
    gw_conn *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        close(fd);
        return;
    }
    c->gw = gw;
    c->fd = fd;
    c->id = ++gw->next_id;
    ev_io_init(&c->rio, on_read, fd, EV_READ);
    ev_io_init(&c->wio, on_write, fd, EV_WRITE);
    ev_init(&c->idle, on_idle);
    c->rio.data = c->wio.data = c->idle.data = c;
    c->idle.repeat = gw->o.idle_timeout;
    c->next = gw->conns;
    if (gw->conns != NULL) {
        gw->conns->prev = c;
    }
    gw->conns = c;
    gw->nconns++;
    gw->n.connections_total++;
    ev_io_start(gw->loop, &c->rio);
    touch(c);
}

gw_conn *gw_first_conn(gateway *gw)
{
    return gw->conns;
}

gw_conn *gw_next_conn(const gw_conn *c)
{
    return c->next;
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            fprintf(f, "\\%c", ch);
        } else if (ch < 0x20 || ch == 0x7f) {
            fprintf(f, "\\u%04x", ch);
        } else {
            fputc(ch, f);
        }
    }
    fputc('"', f);
}

void gw_conn_stats(const gw_conn *c, FILE *f)
{
    const gw_opts *o = &c->gw->o;
    uint64_t next = c->end_off - c->next_off < o->chunk ? c->end_off - c->next_off : o->chunk;
    int window_full = c->state == ST_RESPOND && next > 0 && c->reserved + next > o->bound;
    fprintf(f, "{\"id\":%" PRIu64 ",\"state\":\"%s\",\"path\":", c->id, state_names[c->state]);
    json_string(f, c->state == ST_REQUEST || c->state == ST_LINGER ? "" : c->req.path);
    fprintf(f,
            ",\"fetched\":%" PRIu64 ",\"written\":%" PRIu64 ",\"ahead\":%" PRIu64
            ",\"peak_ahead\":%" PRIu64 ",\"reserved\":%" PRIu64 ",\"ops\":%u,\"window_full\":%s}",
            c->fetched, c->written, c->fetched - c->written, c->peak_ahead, c->reserved, c->ops,
            window_full ? "true" : "false");
}
