/* The gateway example's store side: each response is a HEAD and then a
 * bounded window of ranged GETs; a client that goes away cancels them.
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
 * it matches (gateway_conn.c, hold_last_byte); on a mismatch the connection
 * is closed one byte short of Content-Length, which every HTTP client reports
 * as a failed transfer.
 *
 * A client that goes away (EOF or RST on the socket, which is read for that
 * purpose even while the response is written) gets its operations canceled
 * at once (ossio_op_cancel); their records are freed when ossio completes
 * them with OSSIO_ECANCELED, the connection and its buffers right away.
 * Nothing here runs outside the one libev loop, and nothing writes to a
 * socket from inside an ossio callback: callbacks only arm EV_WRITE.
 */
#define _GNU_SOURCE /* strdup */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gateway_conn.h"

/* Cancels every operation of |c| and frees what it holds for them; records
 * of operations still in flight are freed by their completion callbacks. */
void gw_up_abort(gw_conn *c)
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
        gw_kick(c);
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
            gw_kick(c);
        }
        return;
    }
    ossio_status st = res->status != OSSIO_OK ? res->status : OSSIO_EPROTO;
    if (!c->head_ready) { /* nothing sent yet: the client gets a status */
        gw_upstream_error(c, st, res->detail);
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
int gw_up_pump(gw_conn *c)
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
                gw_upstream_error(c, st, ossio_client_error(c->gw->cl));
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
        gw_respond_text(c, 416, extra, NULL);
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
    if (hl < 0 || (size_t)hl >= sizeof(head) || gw_set_out(c, head, (size_t)hl, NULL, 0) != 0) {
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
    if (gw_up_pump(c) == 0) {
        gw_kick(c);
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
        gw_upstream_error(c, res->status != OSSIO_OK ? res->status : OSSIO_EPROTO, res->detail);
        return;
    }
    start_body(c, info);
}

/* A request for /bucket/key: HEAD the object first. */
void gw_up_start(gw_conn *c)
{
    gateway *gw = c->gw;
    const char *p = c->req.path + 1, *slash = strchr(p, '/');
    if (slash == NULL || slash == p || slash[1] == '\0') {
        gw_respond_text(c, 400, NULL, "expected /bucket/key");
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
        gw_upstream_error(c, st, ossio_client_error(gw->cl));
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
