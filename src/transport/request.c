/* The public request API and the request lifecycle: build, submit, hand to
 * the pool, deliver the response upward, complete exactly once from the loop. */
#include "transport/request.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "transport/transport.h"
#include "transport/pool.h"

#define MAX_REQUEST_HEADER_BYTES (256 * 1024)
#define MAX_REQUEST_HEADERS 256
#define MAX_REPLAYS 4

static int valid_method(const char *m)
{
    if (m == NULL || *m == '\0' || strlen(m) > 32) {
        return 0;
    }
    for (const char *p = m; *p; p++) {
        if (*p < 'A' || *p > 'Z') {
            return 0;
        }
    }
    return 1;
}

ossio_status ossio_request_new(ossio_request **out, ossio_client *cl, const char *method,
                               const char *url)
{
    if (out == NULL) {
        return OSSIO_EINVAL;
    }
    *out = NULL;
    if (cl == NULL || !valid_method(method)) {
        return OSSIO_EINVAL;
    }
    ossio__transport *tp = ossio__cl_tp(cl);
    ossio_request *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return OSSIO_ENOMEM;
    }
    ossio_status st = ossio__url_parse(&r->url, url);
    if (st != OSSIO_OK) {
        free(r);
        return st;
    }
    r->method = strdup(method);
    if (r->method == NULL) {
        ossio__url_free(&r->url);
        free(r);
        return OSSIO_ENOMEM;
    }
    r->tp = tp;
    r->state = OSSIO__REQ_NEW;
    r->first_byte_timeout = tp->set.first_byte;
    r->low_speed = tp->set.low_speed_limit > 0;
    ossio__hdrs_init(&r->hdrs, MAX_REQUEST_HEADER_BYTES, MAX_REQUEST_HEADERS);
    ossio__hdrs_init(&r->resp.hdrs, tp->set.max_header_bytes, 512);
    r->result.detail = "";
    *out = r;
    return OSSIO_OK;
}

static const char *const framing[] = {
    "host",    "content-length", "transfer-encoding", "connection",
    "upgrade", "keep-alive",     "proxy-connection",  "te",
    NULL};

ossio_status ossio_request_add_header(ossio_request *r, const char *name, const char *value)
{
    if (r == NULL || name == NULL || value == NULL || r->state != OSSIO__REQ_NEW) {
        return OSSIO_EINVAL;
    }
    if (!ossio__hdr_valid(name, strlen(name), value, strlen(value))) {
        return OSSIO_EINVAL;
    }
    for (const char *const *f = framing; *f; f++) {
        if (strcasecmp(name, *f) == 0) {
            return OSSIO_EINVAL;
        }
    }
    ossio_status st = ossio__hdrs_add(&r->hdrs, name, strlen(name), value, strlen(value));
    return st == OSSIO_EHEADERSIZE ? OSSIO_EINVAL : st;
}

ossio_status ossio_request_set_body(ossio_request *r, const void *data, size_t len)
{
    if (r == NULL || r->state != OSSIO__REQ_NEW || (data == NULL && len > 0)) {
        return OSSIO_EINVAL;
    }
    r->body_kind = OSSIO__BODY_BUFFER;
    r->body = data;
    r->body_len = (int64_t)len;
    return OSSIO_OK;
}

ossio_status ossio_request_set_body_reader(ossio_request *r, int64_t length,
                                           ossio_body_read_cb read, void *user_data)
{
    if (r == NULL || r->state != OSSIO__REQ_NEW || read == NULL || length < -1) {
        return OSSIO_EINVAL;
    }
    r->body_kind = OSSIO__BODY_READER;
    r->body_read = read;
    r->body_ud = user_data;
    r->body_len = length;
    return OSSIO_OK;
}

ossio_status ossio_request_set_body_file(ossio_request *r, int fd, uint64_t offset, uint64_t len)
{
    if (r == NULL || r->state != OSSIO__REQ_NEW || fd < 0 || len > INT64_MAX ||
        offset > (uint64_t)INT64_MAX - len) {
        return OSSIO_EINVAL;
    }
    r->body_kind = OSSIO__BODY_FILE;
    r->body_fd = fd;
    r->body_file_off = offset;
    r->body_len = (int64_t)len;
    return OSSIO_OK;
}

void ossio_request_set_callbacks(ossio_request *r, ossio_on_headers_cb on_headers,
                                 ossio_on_data_cb on_data, void *user_data)
{
    if (r == NULL || r->state != OSSIO__REQ_NEW) {
        return;
    }
    r->on_headers = on_headers;
    r->on_data = on_data;
    r->cb_ud = user_data;
}

static void release(ossio_request *r)
{
    ossio__url_free(&r->url);
    ossio__hdrs_free(&r->hdrs);
    ossio__hdrs_free(&r->resp.hdrs);
    free(r->method);
    free(r);
}

void ossio_request_free(ossio_request *r)
{
    if (r != NULL && r->state == OSSIO__REQ_NEW) {
        release(r);
    }
}

static void on_idle(struct ev_loop *loop, ev_timer *w, int revents);

ossio_status ossio_request_submit(ossio_request *r, ossio_on_done_cb on_done, void *user_data)
{
    if (r == NULL || on_done == NULL || r->state != OSSIO__REQ_NEW) {
        return OSSIO_EINVAL;
    }
    ossio__transport *tp = r->tp;
    r->on_done = on_done;
    r->done_ud = user_data;
    r->all_next = tp->all;
    if (tp->all != NULL) {
        tp->all->all_prev = r;
    }
    tp->all = r;
    ev_timer_init(&r->idle, on_idle, 0., 0.);
    r->idle.data = r;
    r->state = OSSIO__REQ_QUEUED;
    if (tp->destroying) {
        ossio__request_finish(r, OSSIO_ECANCELED, "client is being destroyed");
        return OSSIO_OK;
    }
    r->origin = ossio__pool_origin(tp, r->url.tls, r->url.host, r->url.port, r->url.authority);
    if (r->origin == NULL) {
        ossio__request_finish(r, OSSIO_ENOMEM, "out of memory");
        return OSSIO_OK;
    }
    ossio__pool_enqueue(r->origin, r);
    return OSSIO_OK;
}

static void run_done(ossio__deferred *d)
{
    ossio_request *r = (ossio_request *)((char *)d - offsetof(ossio_request, done_node));
    ossio__transport *tp = r->tp;
    r->state = OSSIO__REQ_DONE;
    tp->stats[OSSIO_STAT_REQUESTS_DONE]++;
    r->on_done(r, &r->result, r->done_ud);
    if (r->all_prev != NULL) {
        r->all_prev->all_next = r->all_next;
    } else {
        tp->all = r->all_next;
    }
    if (r->all_next != NULL) {
        r->all_next->all_prev = r->all_prev;
    }
    release(r);
}

void ossio__request_finish(ossio_request *r, ossio_status st, const char *detail)
{
    if (r->state == OSSIO__REQ_FINISHING || r->state == OSSIO__REQ_DONE) {
        return;
    }
    ossio__transport *tp = r->tp;
    if (r->state == OSSIO__REQ_QUEUED && r->origin != NULL) {
        ossio__pool_unqueue(r->origin, r);
    }
    ossio__conn *c = r->conn;
    if (c != NULL) {
        r->conn = NULL;
        ossio__pool_request_done(c, r->moved, ev_now(tp->loop) - r->started, st);
        if (st != OSSIO_OK) {
            c->proto->abort(c, r, st);
        }
    }
    ev_timer_stop(tp->loop, &r->idle);
    r->state = OSSIO__REQ_FINISHING;
    r->result.status = st;
    r->result.http_status = r->headers_seen ? r->resp.status : 0;
    if (detail != NULL && *detail) {
        snprintf(r->detail, sizeof(r->detail), "%s", detail);
    } else if (st != OSSIO_OK && r->detail[0] == '\0') {
        snprintf(r->detail, sizeof(r->detail), "%s", ossio_strerror(st));
    }
    r->result.detail = r->detail;
    ossio__defer(&tp->defer, &r->done_node, run_done);
    if (c != NULL) {
        ossio__conn_request_done(c);
    }
}

int ossio__request_replayable(const ossio_request *r)
{
    return r->body_kind != OSSIO__BODY_READER || r->body_off == 0;
}

void ossio__request_replay(ossio_request *r, ossio_status st, const char *detail)
{
    if (r->state != OSSIO__REQ_ACTIVE) {
        return;
    }
    if (r->bytes_in || !ossio__request_replayable(r) || r->result.replays >= MAX_REPLAYS ||
        r->tp->destroying) {
        ossio__request_finish(r, st, detail);
        return;
    }
    ossio__conn *c = r->conn;
    r->conn = NULL;
    r->stream_id = 0;
    r->body_off = 0;
    r->result.bytes_sent = 0;
    r->result.replays++;
    r->tp->stats[OSSIO_STAT_REQUESTS_REPLAYED]++;
    ev_timer_stop(r->tp->loop, &r->idle);
    ossio__tp_log(r->tp, OSSIO_LOG_DEBUG, "re-sending %s %s%s: %s", r->method, r->url.authority,
                  r->url.target, detail ? detail : ossio_strerror(st));
    ossio__pool_requeue(r->origin, r);
    if (c != NULL) {
        ossio__conn_request_done(c);
    }
}

void ossio_request_cancel(ossio_request *r)
{
    if (r == NULL || r->state == OSSIO__REQ_NEW || r->state == OSSIO__REQ_FINISHING ||
        r->state == OSSIO__REQ_DONE) {
        return;
    }
    ossio__request_finish(r, OSSIO_ECANCELED, "canceled");
}

void ossio__request_progress(ossio_request *r)
{
    r->last_progress = ev_now(r->tp->loop);
}

void ossio__request_set_stall_limits(ossio_request *r, double first_byte_timeout, int low_speed)
{
    if (r != NULL && r->state == OSSIO__REQ_NEW) {
        r->first_byte_timeout = first_byte_timeout;
        r->low_speed = low_speed && r->tp->set.low_speed_limit > 0;
    }
}

/* ---- stall detection ---------------------------------------------------
 * One timer per active request watches three bounds: no byte at all for
 * fs.oss.connection.timeout (Hadoop's socket timeout); response headers that
 * do not begin within the first-byte timeout once the whole request went out;
 * and, while a body moves either way, a rate below fs.oss.low-speed.limit
 * over fs.oss.low-speed.time, measured in four slots so that a stall is seen
 * within that window plus a quarter of it. */

#define LOW_SPEED_SLOTS 4

static double slot_len(const ossio_request *r)
{
    return r->tp->set.low_speed_time / LOW_SPEED_SLOTS;
}

/* Starts (or restarts) measuring the rate from now. */
static void measure_from_now(ossio_request *r)
{
    r->slot_start = r->low_speed ? ev_now(r->tp->loop) : 0;
    r->slot_moved = r->moved;
    r->n_slots = 0;
}

static int awaiting_headers(const ossio_request *r)
{
    return r->sent_at != 0 && !r->headers_seen && r->first_byte_timeout > 0;
}

static void arm_deadlines(ossio_request *r)
{
    double next = r->last_progress + r->tp->set.idle_timeout;
    if (awaiting_headers(r) && r->sent_at + r->first_byte_timeout < next) {
        next = r->sent_at + r->first_byte_timeout;
    }
    if (r->slot_start != 0 && r->slot_start + slot_len(r) < next) {
        next = r->slot_start + slot_len(r);
    }
    double left = next - ev_now(r->tp->loop);
    ev_timer_stop(r->tp->loop, &r->idle);
    ev_timer_set(&r->idle, left > 0.001 ? left : 0.001, 0.);
    ev_timer_start(r->tp->loop, &r->idle);
}

/* Closes the slots that ended by |now|: 1 if the last full window moved
 * less than the limit. */
static int too_slow(ossio_request *r, ev_tstamp now)
{
    double len = slot_len(r);
    while (r->slot_start != 0 && now >= r->slot_start + len) {
        memmove(r->slots, r->slots + 1, sizeof(r->slots) - sizeof(r->slots[0]));
        r->slots[LOW_SPEED_SLOTS - 1] = r->moved - r->slot_moved;
        r->slot_moved = r->moved;
        r->slot_start += len;
        if (++r->n_slots >= LOW_SPEED_SLOTS) {
            uint64_t sum = 0;
            for (int i = 0; i < LOW_SPEED_SLOTS; i++) {
                sum += r->slots[i];
            }
            if ((double)sum < r->tp->set.low_speed_limit * r->tp->set.low_speed_time) {
                return 1;
            }
        }
    }
    return 0;
}

static void on_idle(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)revents;
    ossio_request *r = w->data;
    ossio__settings *set = &r->tp->set;
    ev_tstamp now = ev_now(loop);
    char detail[160];
    if (now >= r->last_progress + set->idle_timeout) {
        snprintf(detail, sizeof(detail), "no data for %.3f s (fs.oss.connection.timeout)",
                 set->idle_timeout);
        ossio__request_finish(r, OSSIO_ETIMEDOUT, detail);
        return;
    }
    if (awaiting_headers(r) && now >= r->sent_at + r->first_byte_timeout) {
        snprintf(detail, sizeof(detail),
                 "no response %.3f s after the request was sent "
                 "(fs.oss.request.first-byte.timeout%s)",
                 r->first_byte_timeout, r->first_byte_timeout == set->first_byte ? "" : ".slow");
        ossio__request_finish(r, OSSIO_ETIMEDOUT, detail);
        return;
    }
    if (too_slow(r, now)) {
        uint64_t sum = 0;
        for (int i = 0; i < LOW_SPEED_SLOTS; i++) {
            sum += r->slots[i];
        }
        snprintf(detail, sizeof(detail),
                 "%llu bytes in %.3f s, below fs.oss.low-speed.limit (%.0f bytes/s)",
                 (unsigned long long)sum, set->low_speed_time, set->low_speed_limit);
        ossio__request_finish(r, OSSIO_ESTALLED, detail);
        return;
    }
    arm_deadlines(r);
}

/* The whole request went out: the first-byte clock starts. */
static void request_sent(ossio_request *r)
{
    r->sent_at = ev_now(r->tp->loop);
    r->slot_start = 0;
    arm_deadlines(r);
}

void ossio__request_activate(ossio_request *r, ossio__conn *c)
{
    r->state = OSSIO__REQ_ACTIVE;
    r->conn = c;
    r->started = ev_now(r->tp->loop);
    r->result.protocol = c->proto->name;
    r->result.connection = c->serial;
    ossio__request_progress(r);
    r->moved = 0;
    r->sent_at = 0;
    measure_from_now(r);
    if (r->body_kind == OSSIO__BODY_NONE || r->body_len == 0) {
        request_sent(r); /* the head goes out now */
    } else {
        arm_deadlines(r);
    }
}

int ossio__request_deliver_headers(ossio_request *r, int status)
{
    r->bytes_in = 1;
    r->headers_seen = 1;
    r->resp.status = status;
    ossio__request_progress(r);
    measure_from_now(r);
    arm_deadlines(r);
    if (r->on_headers != NULL && r->on_headers(r, status, &r->resp, r->cb_ud) != 0) {
        ossio__request_finish(r, OSSIO_ECANCELED, "aborted by the headers callback");
        return -1;
    }
    return r->state == OSSIO__REQ_ACTIVE ? 0 : -1;
}

int ossio__request_deliver_data(ossio_request *r, const uint8_t *data, size_t len)
{
    r->bytes_in = 1;
    r->moved += len;
    r->result.bytes_received += len;
    r->tp->stats[OSSIO_STAT_BYTES_RECEIVED] += len;
    ossio__request_progress(r);
    if (r->on_data != NULL && r->on_data(r, data, len, r->cb_ud) != 0) {
        ossio__request_finish(r, OSSIO_ECANCELED, "aborted by the data callback");
        return -1;
    }
    return r->state == OSSIO__REQ_ACTIVE ? 0 : -1;
}

/* |n| more body bytes were handed to the protocol (of |cap| asked). */
static void body_taken(ossio_request *r, size_t n, size_t cap)
{
    r->body_off += n;
    r->moved += n;
    r->result.bytes_sent += n;
    r->tp->stats[OSSIO_STAT_BYTES_SENT] += n;
    if (n > 0) {
        ossio__request_progress(r);
    }
    int whole = r->body_len >= 0 ? r->body_off == (uint64_t)r->body_len : n == 0 && cap > 0;
    if (whole && r->sent_at == 0) {
        request_sent(r);
    }
}

long ossio__request_read_body(ossio_request *r, uint8_t *buf, size_t cap)
{
    size_t n = 0;
    if (r->body_len >= 0) {
        uint64_t left = (uint64_t)r->body_len - r->body_off;
        if (cap > left) {
            cap = (size_t)left;
        }
    }
    if (r->body_kind == OSSIO__BODY_BUFFER) {
        n = cap;
        if (n > 0) {
            memcpy(buf, r->body + r->body_off, n);
        }
    } else if (r->body_kind == OSSIO__BODY_FILE && cap > 0) {
        ssize_t got;
        do {
            got = pread(r->body_fd, buf, cap, (off_t)(r->body_file_off + r->body_off));
        } while (got < 0 && errno == EINTR);
        if (got <= 0) {
            ossio__request_finish(r, OSSIO_EIO,
                                  got == 0 ? "the body's file ended before its declared length"
                                           : "reading the body's file failed");
            return -1;
        }
        n = (size_t)got;
    } else if (r->body_kind == OSSIO__BODY_READER && cap > 0) {
        long got = r->body_read(buf, cap, r->body_ud);
        if (got < 0 || (size_t)got > cap) {
            ossio__request_finish(r, OSSIO_EIO, "the body reader failed");
            return -1;
        }
        if (got == 0 && r->body_len >= 0 && r->body_off < (uint64_t)r->body_len) {
            ossio__request_finish(r, OSSIO_EIO, "the body ended before its declared length");
            return -1;
        }
        n = (size_t)got;
    }
    body_taken(r, n, cap);
    return (long)n;
}

long ossio__request_take_file(ossio_request *r, size_t cap, int *fd, uint64_t *off)
{
    uint64_t left = (uint64_t)r->body_len - r->body_off;
    size_t n = cap < left ? cap : (size_t)left;
    *fd = r->body_fd;
    *off = r->body_file_off + r->body_off;
    body_taken(r, n, cap);
    return (long)n;
}

const ossio_response *ossio_request_response(const ossio_request *r)
{
    return r != NULL && r->headers_seen ? &r->resp : NULL;
}

const char *ossio_response_header(const ossio_response *resp, const char *name)
{
    return resp != NULL && name != NULL ? ossio__hdrs_get(&resp->hdrs, name) : NULL;
}

size_t ossio_response_header_count(const ossio_response *resp)
{
    return resp != NULL ? resp->hdrs.n : 0;
}

ossio_status ossio_response_header_at(const ossio_response *resp, size_t i, const char **name,
                                      const char **value)
{
    if (resp == NULL || i >= resp->hdrs.n) {
        return OSSIO_EINVAL;
    }
    if (name != NULL) {
        *name = resp->hdrs.v[i].name;
    }
    if (value != NULL) {
        *value = resp->hdrs.v[i].value;
    }
    return OSSIO_OK;
}
