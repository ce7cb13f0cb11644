/* One client connection of the gateway example, the socket side: reads a
 * request head, writes the response in order as the store side
 * (gateway_upstream.c, whose first comment explains the backpressure)
 * fills it, and notices at once when the client goes away. Nothing writes
 * to a socket from inside an ossio callback: callbacks only arm EV_WRITE. */
#define _GNU_SOURCE /* MSG_NOSIGNAL */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gateway_conn.h"

static const char *const state_names[] = {"request", "head", "respond", "linger"};

void gw_kick(gw_conn *c)
{
    ev_io_start(c->gw->loop, &c->wio);
}

static void touch(gw_conn *c)
{
    if (c->idle.repeat > 0) {
        ev_timer_again(c->gw->loop, &c->idle);
    }
}

void gw_conn_close(gw_conn *c)
{
    gateway *gw = c->gw;
    gw_up_abort(c);
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
int gw_set_out(gw_conn *c, const char *head, size_t hl, const char *body, size_t bl)
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
    gw_up_abort(c);
    c->code = code;
    c->state = ST_RESPOND;
    c->head_ready = 1;
    c->check_crc = 0;
    if (gw_set_out(c, head, (size_t)hl, body, c->req.is_head ? 0 : bl) != 0) {
        c->close_after = 1; /* out of memory: no answer, just the close */
    }
    gw_kick(c);
}

void gw_respond_text(gw_conn *c, int code, const char *extra, const char *text)
{
    char body[1024];
    int bl = snprintf(body, sizeof(body), "%d %s%s%s\n", code, gw_http_reason(code),
                      text && *text ? ": " : "", text ? text : "");
    respond(c, code, extra, "text/plain", body, (size_t)bl < sizeof(body) ? (size_t)bl : 0);
}

/* An ossio failure before any byte of the body went out, as an HTTP status. */
void gw_upstream_error(gw_conn *c, ossio_status st, const char *detail)
{
    int code = gw_http_status_for(st);
    if (code >= 500) {
        c->gw->n.upstream_failed++;
    }
    char text[768];
    snprintf(text, sizeof(text), "%s (%s)", detail && *detail ? detail : ossio_strerror(st),
             ossio_status_name(st) ? ossio_status_name(st) : "?");
    gw_respond_text(c, code, code == 503 ? "Retry-After: 1\r\n" : NULL, text);
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
        gw_respond_text(c, code, code == 405 ? "Allow: GET, HEAD\r\n" : NULL, NULL);
        return;
    }
    memmove(c->in, c->in + rc, c->in_len - (size_t)rc);
    c->in_len -= (size_t)rc;
    c->close_after = !c->req.keep_alive;
    if (strcmp(c->req.path, "/_stats") == 0) {
        serve_stats(c);
    } else {
        gw_up_start(c);
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
        if (gw_up_pump(c) != 0) {
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
