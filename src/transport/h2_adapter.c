/* HTTP/2 transport over nghttp2, sans-I/O: bytes in through mem_recv, out
 * through mem_send into the connection's write buffer. Large windows so bulk
 * GETs are never window-starved; the server's MAX_CONCURRENT_STREAMS bounds
 * what is submitted (the pool queues the rest or opens a connection). */
#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/transport.h"
#include "transport/pool.h"
#include "transport/request.h"
#include "util/cursor.h"

/* What nghttp2 holds for a stream (its user data and data source): a handle
 * to the request, not the request itself. A request can end before nghttp2
 * has even opened its stream (queued HEADERS beyond the stream limit); the
 * handle outlives it with r = NULL until nghttp2 closes the stream or the
 * session ends, so nghttp2 never reaches a freed request. */
typedef struct h2_ref {
    ossio_request *r;
    int ended;     /* END_STREAM received: the response is whole */
    int malformed; /* nghttp2 found the response malformed and reset the stream itself */
    struct h2_ref *prev, *next;
} h2_ref;

typedef struct h2 {
    nghttp2_session *s;
    size_t active;
    int goaway;
    h2_ref *refs; /* every handle nghttp2 may still hand back */
} h2;

static h2 *H(ossio__conn *c)
{
    return c->proto_data;
}

static h2_ref *ref_of(h2 *h, int32_t stream_id)
{
    return stream_id > 0 ? nghttp2_session_get_stream_user_data(h->s, stream_id) : NULL;
}

static ossio_request *req_of(h2 *h, int32_t stream_id)
{
    h2_ref *ref = ref_of(h, stream_id);
    return ref != NULL ? ref->r : NULL;
}

static void ref_free(h2 *h, h2_ref *ref)
{
    if (ref->prev != NULL) {
        ref->prev->next = ref->next;
    } else {
        h->refs = ref->next;
    }
    if (ref->next != NULL) {
        ref->next->prev = ref->prev;
    }
    free(ref);
}

/* Takes |r| off its stream: no more callbacks for it, whether or not nghttp2
 * has opened the stream yet. */
static void detach(ossio__conn *c, ossio_request *r)
{
    h2 *h = H(c);
    h2_ref *ref = r->proto_ref;
    if (ref != NULL && ref->r == r) {
        ref->r = NULL;
        r->proto_ref = NULL;
        h->active--;
    }
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags, void *ud)
{
    (void)s;
    (void)flags;
    ossio__conn *c = ud;
    ossio_request *r = req_of(H(c), f->hd.stream_id);
    if (r == NULL || f->hd.type != NGHTTP2_HEADERS) {
        return 0;
    }
    if (namelen == 7 && memcmp(name, ":status", 7) == 0) {
        uint64_t st = 0;
        if (!ossio__u64_dec(value, valuelen, &st) || st < 100 || st > 999) {
            return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
        }
        r->resp.status = (int)st;
        if (st >= 200) {
            ossio__hdrs_reset(&r->resp.hdrs);
        }
        return 0;
    }
    if (r->resp.status < 200 || r->headers_seen) {
        return 0; /* interim response fields, or trailers: not kept */
    }
    if (ossio__hdrs_add(&r->resp.hdrs, (const char *)name, namelen, (const char *)value,
                        valuelen) != OSSIO_OK) {
        detach(c, r);
        ossio__request_finish(r, OSSIO_EHEADERSIZE,
                              "response headers exceed fs.oss.response.header.maximum");
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    return 0;
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
    (void)s;
    ossio__conn *c = ud;
    h2 *h = H(c);
    if ((f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_DATA) &&
        (f->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
        h2_ref *ref = ref_of(h, f->hd.stream_id);
        if (ref != NULL) {
            ref->ended = 1;
        }
    }
    switch (f->hd.type) {
    case NGHTTP2_HEADERS: {
        ossio_request *r = req_of(h, f->hd.stream_id);
        if (r != NULL && !r->headers_seen && r->resp.status >= 200 &&
            (f->hd.flags & NGHTTP2_FLAG_END_HEADERS)) {
            if (ossio__request_deliver_headers(r, r->resp.status) != 0) {
                return 0; /* finished (aborted); abort() reset the stream */
            }
        }
        break;
    }
    case NGHTTP2_SETTINGS:
        if (!(f->hd.flags & NGHTTP2_FLAG_ACK) && c->settling) {
            c->settling = 0;
            ossio__pool_dispatch(c->origin); /* the real stream limit is known now */
        }
        break;
    case NGHTTP2_GOAWAY:
        /* Streams above last_stream_id are closed by nghttp2 with
         * REFUSED_STREAM (re-sent elsewhere); the rest may finish here. */
        h->goaway = 1;
        ossio__tp_log(c->tp, OSSIO_LOG_INFO, "%s sent GOAWAY (last stream %d, error %u)",
                      c->origin->authority, f->goaway.last_stream_id, f->goaway.error_code);
        ossio__conn_drain(c);
        break;
    default:
        break;
    }
    return 0;
}

static int on_data_chunk(nghttp2_session *s, uint8_t flags, int32_t stream_id, const uint8_t *data,
                         size_t len, void *ud)
{
    (void)s;
    (void)flags;
    ossio_request *r = req_of(H((ossio__conn *)ud), stream_id);
    if (r != NULL) {
        ossio__request_deliver_data(r, data, len);
    }
    return 0;
}

/* A frame nghttp2 refused (a malformed response header such as a
 * non-numeric :status): it resets the stream with PROTOCOL_ERROR itself, so
 * the close must not read as a reset by the server. */
static int on_invalid_frame_recv(nghttp2_session *s, const nghttp2_frame *f, int lib_error,
                                 void *ud)
{
    (void)s;
    /* Only a malformed message: other refusals (a frame on a closed stream)
     * keep meaning a reset, which may be retried. */
    if (lib_error != NGHTTP2_ERR_HTTP_HEADER && lib_error != NGHTTP2_ERR_HTTP_MESSAGING) {
        return 0;
    }
    h2_ref *ref = ref_of(H((ossio__conn *)ud), f->hd.stream_id);
    if (ref != NULL) {
        ref->malformed = 1;
    }
    return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t stream_id, uint32_t error_code, void *ud)
{
    (void)s;
    ossio__conn *c = ud;
    h2 *h = H(c);
    h2_ref *ref = ref_of(h, stream_id);
    if (ref == NULL) {
        return 0;
    }
    ossio_request *r = ref->r;
    int ended = ref->ended, malformed = ref->malformed;
    if (r != NULL) {
        detach(c, r);
    }
    nghttp2_session_set_stream_user_data(h->s, stream_id, NULL);
    ref_free(h, ref); /* nghttp2 is done with the stream */
    if (r == NULL) {
        return 0;
    }
    char detail[128];
    if (error_code == NGHTTP2_NO_ERROR && r->headers_seen && ended) {
        ossio__request_finish(r, OSSIO_OK, NULL);
    } else if (error_code == NGHTTP2_NO_ERROR && r->headers_seen) {
        /* RST_STREAM(NO_ERROR) before END_STREAM: the body is cut short. */
        ossio__request_finish(r, OSSIO_ESTREAMRESET,
                              "the server ended the stream before the response was complete");
    } else if (error_code == NGHTTP2_REFUSED_STREAM) {
        ossio__request_replay(r, OSSIO_EGOAWAY, "the server refused the stream (not processed)");
    } else if (error_code == NGHTTP2_NO_ERROR) {
        ossio__request_finish(r, OSSIO_EPROTO, "stream ended without a response");
    } else if (malformed) {
        ossio__request_finish(r, OSSIO_EPROTO, "malformed HTTP/2 response (invalid header field)");
    } else {
        snprintf(detail, sizeof(detail), "the server reset the stream (%s)",
                 nghttp2_http2_strerror(error_code));
        ossio__request_finish(r, OSSIO_ESTREAMRESET, detail);
    }
    return 0;
}

static int on_frame_send(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
    (void)s;
    ossio_request *r = req_of(H((ossio__conn *)ud), f->hd.stream_id);
    if (r != NULL && f->hd.type == NGHTTP2_HEADERS) {
        r->sent = 1;
    }
    return 0;
}

static ssize_t read_body(nghttp2_session *s, int32_t stream_id, uint8_t *buf, size_t len,
                         uint32_t *flags, nghttp2_data_source *src, void *ud)
{
    (void)s;
    (void)stream_id;
    (void)ud;
    h2_ref *ref = src->ptr;
    ossio_request *r = ref->r;
    if (r == NULL || r->state != OSSIO__REQ_ACTIVE) {
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    long n = ossio__request_read_body(r, buf, len);
    if (n < 0) {
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    if (n == 0 || (r->body_len >= 0 && r->body_off == (uint64_t)r->body_len)) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    }
    return n;
}
/* nghttp2's allocations go through the C library from this file, so they
 * are ours as far as a test build that fails the n-th allocation is concerned
 * (tests/alloc/: malloc and friends wrapped at link time). */
static void *h2_malloc(size_t size, void *ud)
{
    (void)ud;
    return malloc(size);
}

static void h2_free(void *ptr, void *ud)
{
    (void)ud;
    free(ptr);
}

static void *h2_calloc(size_t n, size_t size, void *ud)
{
    (void)ud;
    return calloc(n, size);
}

static void *h2_realloc(void *ptr, size_t size, void *ud)
{
    (void)ud;
    return realloc(ptr, size);
}

static nghttp2_mem h2_mem = {NULL, h2_malloc, h2_free, h2_calloc, h2_realloc};

static ossio_status init(ossio__conn *c)
{
    ossio__transport *tp = c->tp;
    h2 *h = calloc(1, sizeof(*h));
    if (h == NULL) {
        return OSSIO_ENOMEM;
    }
    nghttp2_session_callbacks *cbs;
    nghttp2_option *opt;
    if (nghttp2_session_callbacks_new(&cbs) != 0) {
        free(h);
        return OSSIO_ENOMEM;
    }
    if (nghttp2_option_new(&opt) != 0) {
        nghttp2_session_callbacks_del(cbs);
        free(h);
        return OSSIO_ENOMEM;
    }
    nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
    nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(cbs, on_invalid_frame_recv);
    nghttp2_session_callbacks_set_on_frame_send_callback(cbs, on_frame_send);
    /* Until the server's SETTINGS arrive, assume the RFC's recommended 100. */
    nghttp2_option_set_peer_max_concurrent_streams(opt, 100);
    nghttp2_option_set_max_send_header_block_length(opt, 256 * 1024);
    int rv = nghttp2_session_client_new3(&h->s, cbs, c, opt, &h2_mem);
    nghttp2_session_callbacks_del(cbs);
    nghttp2_option_del(opt);
    if (rv != 0) {
        free(h);
        return OSSIO_ENOMEM;
    }
    c->proto_data = h;
    c->settling = 1;
    nghttp2_settings_entry iv[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, tp->set.stream_window},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, (uint32_t)tp->set.max_header_bytes},
    };
    if (nghttp2_submit_settings(h->s, NGHTTP2_FLAG_NONE, iv, sizeof(iv) / sizeof(iv[0])) != 0 ||
        nghttp2_session_set_local_window_size(h->s, NGHTTP2_FLAG_NONE, 0,
                                              (int32_t)tp->set.conn_window) != 0) {
        return OSSIO_ENOMEM;
    }
    return OSSIO_OK;
}

static ossio_status recv_bytes(ossio__conn *c, const uint8_t *data, size_t len)
{
    h2 *h = H(c);
    ssize_t n = nghttp2_session_mem_recv(h->s, data, len);
    if (n < 0) {
        snprintf(c->detail, sizeof(c->detail), "HTTP/2 protocol error: %s",
                 nghttp2_strerror((int)n));
        return OSSIO_EPROTO;
    }
    if (!nghttp2_session_want_read(h->s) && !nghttp2_session_want_write(h->s)) {
        ossio__conn_drain(c);
    }
    return OSSIO_OK;
}

static ossio_status send_bytes(ossio__conn *c, size_t budget)
{
    h2 *h = H(c);
    size_t total = 0;
    while (total < budget) {
        const uint8_t *data = NULL;
        ssize_t n = nghttp2_session_mem_send(h->s, &data);
        if (n < 0) {
            snprintf(c->detail, sizeof(c->detail), "HTTP/2: %s", nghttp2_strerror((int)n));
            return OSSIO_EPROTO;
        }
        if (n == 0) {
            break;
        }
        ossio_status st = ossio__buf_append(&c->wbuf, data, (size_t)n);
        if (st != OSSIO_OK) {
            return st;
        }
        total += (size_t)n;
    }
    if (!nghttp2_session_want_read(h->s) && !nghttp2_session_want_write(h->s) &&
        (h->active > 0 || !h->goaway)) {
        /* nghttp2 ended the session (it sent GOAWAY over a protocol error by
         * the server): what is still active cannot complete. */
        snprintf(c->detail, sizeof(c->detail),
                 "HTTP/2: the server broke the protocol; session terminated");
        return OSSIO_EPROTO;
    }
    return OSSIO_OK;
}

static int want_write(ossio__conn *c)
{
    return nghttp2_session_want_write(H(c)->s);
}

static size_t capacity(ossio__conn *c)
{
    h2 *h = H(c);
    if (h->goaway || c->state != OSSIO__CONN_READY) {
        return 0;
    }
    uint32_t limit =
        nghttp2_session_get_remote_settings(h->s, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
    if (limit > c->tp->set.max_streams) {
        limit = c->tp->set.max_streams;
    }
    if (nghttp2_session_get_next_stream_id(h->s) >= (1u << 31) - 2) {
        return 0; /* stream ids used up: a new connection takes over */
    }
    return limit > h->active ? limit - h->active : 0;
}

static size_t active(ossio__conn *c)
{
    return H(c)->active;
}

static void add_nv(nghttp2_nv *nv, const char *name, size_t name_len, const char *value,
                   size_t value_len)
{
    nv->name = (uint8_t *)(uintptr_t)name;
    nv->namelen = name_len;
    nv->value = (uint8_t *)(uintptr_t)value;
    nv->valuelen = value_len;
    nv->flags = NGHTTP2_NV_FLAG_NONE;
}

static ossio_status submit(ossio__conn *c, ossio_request *r)
{
    h2 *h = H(c);
    size_t n = 0;
    nghttp2_nv *nva = malloc((r->hdrs.n + 5) * sizeof(*nva));
    if (nva == NULL) {
        return OSSIO_ENOMEM;
    }
    add_nv(&nva[n++], ":method", 7, r->method, strlen(r->method));
    add_nv(&nva[n++], ":scheme", 7, r->url.tls ? "https" : "http", r->url.tls ? 5 : 4);
    add_nv(&nva[n++], ":authority", 10, r->url.authority, strlen(r->url.authority));
    add_nv(&nva[n++], ":path", 5, r->url.target, strlen(r->url.target));
    char len_buf[24];
    int has_body = r->body_kind != OSSIO__BODY_NONE;
    if (has_body && r->body_len >= 0) {
        int k = snprintf(len_buf, sizeof(len_buf), "%lld", (long long)r->body_len);
        add_nv(&nva[n++], "content-length", 14, len_buf, (size_t)k);
    }
    for (size_t i = 0; i < r->hdrs.n; i++) {
        add_nv(&nva[n++], r->hdrs.v[i].name, r->hdrs.v[i].name_len, r->hdrs.v[i].value,
               r->hdrs.v[i].value_len);
    }
    nghttp2_data_provider prd;
    h2_ref *ref = calloc(1, sizeof(*ref));
    if (ref == NULL) {
        free(nva);
        return OSSIO_ENOMEM;
    }
    ref->r = r;
    prd.source.ptr = ref;
    prd.read_callback = read_body;
    r->sent = 0;
    int32_t id = nghttp2_submit_request(h->s, NULL, nva, n, has_body ? &prd : NULL, ref);
    free(nva);
    if (id < 0) {
        free(ref);
        snprintf(r->detail, sizeof(r->detail), "HTTP/2: %s", nghttp2_strerror(id));
        return id == NGHTTP2_ERR_STREAM_ID_NOT_AVAILABLE ? OSSIO_EGOAWAY : OSSIO_EPROTO;
    }
    ref->next = h->refs;
    if (h->refs != NULL) {
        h->refs->prev = ref;
    }
    h->refs = ref;
    r->proto_ref = ref;
    r->stream_id = id;
    h->active++;
    return OSSIO_OK;
}

static void abort_request(ossio__conn *c, ossio_request *r, ossio_status why)
{
    (void)why;
    h2 *h = H(c);
    h2_ref *ref = r->proto_ref;
    if (ref != NULL && ref->r == r) {
        detach(c, r);
        nghttp2_submit_rst_stream(h->s, NGHTTP2_FLAG_NONE, r->stream_id, NGHTTP2_CANCEL);
        ossio__conn_want_write(c);
    }
}

static void shutdown_conn(ossio__conn *c, ossio_status why)
{
    /* Requests whose HEADERS never left are re-sent; the others fail. */
    ossio_request *next;
    for (ossio_request *r = c->tp->all; r != NULL; r = next) {
        next = r->all_next;
        if (r->conn != c || r->state != OSSIO__REQ_ACTIVE) {
            continue;
        }
        detach(c, r);
        if (!r->sent) {
            ossio__request_replay(r, why, "connection closed before the request was sent");
        } else {
            ossio__request_finish(r, why, c->detail[0] ? c->detail : "connection closed");
        }
    }
}

static void free_h2(ossio__conn *c)
{
    h2 *h = H(c);
    nghttp2_session_del(h->s);
    while (h->refs != NULL) {
        ref_free(h, h->refs);
    }
    free(h);
    c->proto_data = NULL;
}

const ossio__proto ossio__proto_h2 = {
    "h2",   init,   recv_bytes,    send_bytes,    want_write, capacity,
    active, submit, abort_request, shutdown_conn, free_h2,
};
