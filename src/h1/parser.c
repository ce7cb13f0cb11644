/* HTTP/1.1 response parser: drives http-parser over fed bytes, collects the
 * head into bounded ossio__hdrs, streams the body out and stops at message end. */
#include "h1/h1.h"

#include <string.h>
#include <strings.h>

#include "util/cursor.h"

enum { ST_IDLE, ST_WAIT, ST_MSG, ST_DEAD };

static ossio__h1_parser *self(http_parser *hp)
{
    return (ossio__h1_parser *)hp->data;
}

/* Records why a callback fails; http-parser then stops with HPE_CB_*. */
static int cb_fail(ossio__h1_parser *p, ossio_status st)
{
    if (p->err == OSSIO_OK) {
        p->err = st;
    }
    return -1;
}

static void field_reset(ossio__h1_parser *p)
{
    ossio__buf_reset(&p->field);
    p->name_len = 0;
    p->in_value = 0;
}

static int on_message_begin(http_parser *hp)
{
    ossio__h1_parser *p = self(hp);
    p->state = ST_MSG;
    p->head_done = 0;
    p->interim = 0;
    p->content_length = -1;
    p->trailer_bytes = 0;
    p->trailer_count = 0;
    ossio__hdrs_reset(&p->hdrs);
    field_reset(p);
    return 0;
}

static ossio_status content_length(ossio__h1_parser *p, const char *v, size_t len)
{
    uint64_t n;
    if (!ossio__u64_dec(v, len, &n) || n > (uint64_t)INT64_MAX) {
        return OSSIO_EPROTO;
    }
    if (p->content_length >= 0 && (uint64_t)p->content_length != n) {
        return OSSIO_EPROTO;
    }
    p->content_length = (int64_t)n;
    return OSSIO_OK;
}

/* The current field is complete: check it and store it (head) or count it
 * against the limits and drop it (trailer). */
static int commit_field(ossio__h1_parser *p)
{
    const char *name = (const char *)p->field.data;
    const char *value = name + p->name_len;
    size_t value_len = p->field.len - p->name_len;
    /* http-parser skips leading whitespace but keeps trailing OWS. */
    while (value_len > 0 && (value[value_len - 1] == ' ' || value[value_len - 1] == '\t')) {
        value_len--;
    }
    if (!ossio__hdr_valid(name, p->name_len, value, value_len)) {
        return cb_fail(p, OSSIO_EPROTO);
    }
    ossio_status st;
    if (p->head_done) {
        if (++p->trailer_count > p->hdrs.max_count) {
            return cb_fail(p, OSSIO_EHEADERSIZE);
        }
        st = OSSIO_OK;
    } else {
        st = OSSIO_OK;
        if (p->name_len == 14 && strncasecmp(name, "content-length", 14) == 0) {
            st = content_length(p, value, value_len);
        }
        if (st == OSSIO_OK) {
            st = ossio__hdrs_add(&p->hdrs, name, p->name_len, value, value_len);
        }
    }
    field_reset(p);
    return st == OSSIO_OK ? 0 : cb_fail(p, st);
}

static int field_bytes(ossio__h1_parser *p, const char *at, size_t len)
{
    if (p->head_done) {
        /* Trailers are not covered by the raw head count: bound them here. */
        if (len > p->max_header_bytes - p->trailer_bytes) {
            return cb_fail(p, OSSIO_EHEADERSIZE);
        }
        p->trailer_bytes += len;
    }
    ossio_status st = ossio__buf_append(&p->field, at, len);
    return st == OSSIO_OK ? 0 : cb_fail(p, st);
}

static int on_header_field(http_parser *hp, const char *at, size_t len)
{
    ossio__h1_parser *p = self(hp);
    if (p->in_value && commit_field(p) != 0) {
        return -1;
    }
    if (field_bytes(p, at, len) != 0) {
        return -1;
    }
    p->name_len += len;
    return 0;
}

static int on_header_value(http_parser *hp, const char *at, size_t len)
{
    ossio__h1_parser *p = self(hp);
    p->in_value = 1;
    return field_bytes(p, at, len);
}

static int on_headers_complete(http_parser *hp)
{
    ossio__h1_parser *p = self(hp);
    if (p->name_len > 0 && commit_field(p) != 0) {
        return -1;
    }
    p->head_done = 1;
    int status = (int)hp->status_code;
    if (hp->http_major != 1 || status < 100 || status == 101) {
        return cb_fail(p, OSSIO_EPROTO);
    }
    if (status < 200) {
        p->interim = 1;
        if (p->cb.on_interim != NULL && p->cb.on_interim(p->ud, status) != 0) {
            return cb_fail(p, OSSIO_ECANCELED);
        }
        return 1; /* a 1xx has no body whatever its fields say */
    }
    int64_t cl = (hp->flags & F_CHUNKED) ? -1 : p->content_length;
    if (p->cb.on_headers != NULL && p->cb.on_headers(p->ud, status, &p->hdrs, cl) != 0) {
        return cb_fail(p, OSSIO_ECANCELED);
    }
    /* 1: no body, whatever Content-Length says (RFC 9112 section 6.3). */
    return (p->head || status == 204 || status == 304) ? 1 : 0;
}

static int on_body(http_parser *hp, const char *at, size_t len)
{
    ossio__h1_parser *p = self(hp);
    if (p->cb.on_body != NULL && p->cb.on_body(p->ud, (const uint8_t *)at, len) != 0) {
        return cb_fail(p, OSSIO_ECANCELED);
    }
    return 0;
}

static int on_message_complete(http_parser *hp)
{
    ossio__h1_parser *p = self(hp);
    if (p->name_len > 0 && commit_field(p) != 0) { /* last trailer */
        return -1;
    }
    if (p->interim) {
        p->interim_done = 1;
    } else {
        p->final_done = 1;
        p->keep_alive = http_should_keep_alive(hp);
    }
    /* Stop right here so feed() can report what it consumed (and reset the
     * head count after a 1xx); feed() unpauses. */
    http_parser_pause(hp, 1);
    return 0;
}

static const http_parser_settings settings = {
    .on_message_begin = on_message_begin,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

void ossio__h1_parser_init(ossio__h1_parser *p, const ossio__h1_callbacks *cb, void *ud,
                           size_t max_header_bytes, size_t max_header_count)
{
    memset(p, 0, sizeof(*p));
    p->cb = *cb;
    p->ud = ud;
    p->max_header_bytes = max_header_bytes;
    ossio__hdrs_init(&p->hdrs, max_header_bytes, max_header_count);
    ossio__buf_init(&p->field, max_header_bytes, OSSIO_EHEADERSIZE);
    http_parser_init(&p->hp, HTTP_RESPONSE);
    p->hp.data = p;
    p->content_length = -1;
    p->state = ST_IDLE;
}

void ossio__h1_parser_start(ossio__h1_parser *p, int head)
{
    /* A fresh http-parser: clears a pause, an error or the "dead" state left
     * by Connection: close. */
    http_parser_init(&p->hp, HTTP_RESPONSE);
    p->hp.data = p;
    ossio__hdrs_reset(&p->hdrs);
    field_reset(p);
    p->head = head != 0;
    p->head_bytes = 0;
    p->head_done = 0;
    p->interim = 0;
    p->interim_done = 0;
    p->final_done = 0;
    p->keep_alive = 0;
    p->prefix = 0;
    p->content_length = -1;
    p->err = OSSIO_OK;
    p->state = ST_WAIT;
}

static ossio_status die(ossio__h1_parser *p, ossio_status st)
{
    p->state = ST_DEAD;
    p->err = st;
    return st;
}

/* Debian builds http-parser without HTTP_PARSER_STRICT, which lets
 * "HTTX/1.1" pass: check the protocol name of each response ourselves. Called
 * at most for the first bytes of a message, which never end it. */
static int prefix_ok(ossio__h1_parser *p, const uint8_t *s, size_t n)
{
    static const char want[] = "HTTP/";
    ossio__cur c;
    ossio__cur_init(&c, s, n);
    uint8_t b;
    while (p->prefix < 5 && ossio__cur_take(&c, &b)) {
        if (p->prefix == 0 && (b == '\r' || b == '\n')) {
            continue; /* http-parser skips blank lines before a response */
        }
        if (b != (uint8_t)want[p->prefix]) {
            return 0;
        }
        p->prefix++;
    }
    return 1;
}

static ossio_status parse_error(ossio__h1_parser *p)
{
    enum http_errno e = HTTP_PARSER_ERRNO(&p->hp);
    if (p->err != OSSIO_OK) {
        return die(p, p->err); /* one of our callbacks decided */
    }
    if (e == HPE_HEADER_OVERFLOW) {
        return die(p, OSSIO_EHEADERSIZE);
    }
    return die(p, OSSIO_EPROTO);
}

/* The final response ended: become idle, then tell the user (who may start()). */
static ossio_status finish(ossio__h1_parser *p)
{
    p->final_done = 0;
    p->state = ST_IDLE;
    if (p->cb.on_complete != NULL && p->cb.on_complete(p->ud, p->keep_alive) != 0) {
        return die(p, OSSIO_ECANCELED);
    }
    return OSSIO_OK;
}

ossio_status ossio__h1_parser_feed(ossio__h1_parser *p, const uint8_t *data, size_t len,
                                   size_t *consumed)
{
    *consumed = 0;
    if (p->state == ST_DEAD) {
        return p->err;
    }
    if (len == 0) {
        return OSSIO_OK;
    }
    if (p->state == ST_IDLE) {
        return die(p, OSSIO_EPROTO); /* bytes nobody asked for */
    }
    ossio__cur c;
    ossio__cur_init(&c, data, len);
    while (ossio__cur_remaining(&c) > 0) {
        size_t n = ossio__cur_remaining(&c);
        if (!p->head_done) {
            /* Never hand http-parser more head bytes than the limit allows,
             * so an endless head fails as soon as it passes the limit. */
            size_t budget = p->max_header_bytes - p->head_bytes;
            if (budget == 0) {
                return die(p, OSSIO_EHEADERSIZE);
            }
            if (n > budget) {
                n = budget;
            }
        }
        ossio__cur look = c;
        const uint8_t *chunk = ossio__cur_take_n(&look, n);
        if (p->prefix < 5 && !prefix_ok(p, chunk, n)) {
            return die(p, OSSIO_EPROTO);
        }
        size_t used = http_parser_execute(&p->hp, &settings, (const char *)chunk, n);
        if (used > n || !ossio__cur_skip(&c, used)) {
            return die(p, OSSIO_EINTERNAL);
        }
        *consumed = c.pos;
        enum http_errno e = HTTP_PARSER_ERRNO(&p->hp);
        if (e != HPE_OK && e != HPE_PAUSED) {
            return parse_error(p);
        }
        if (!p->head_done) {
            p->head_bytes += used;
        }
        if (e == HPE_PAUSED) {
            http_parser_pause(&p->hp, 0);
            if (p->interim_done) {
                /* The final response follows within this start(). */
                p->interim_done = 0;
                p->interim = 0;
                p->head_done = 0;
                p->head_bytes = 0;
                p->prefix = 0;
                continue;
            }
            return finish(p);
        }
        if (used < n) {
            return die(p, OSSIO_EPROTO); /* stopped without error: upgrade */
        }
    }
    return OSSIO_OK;
}

ossio_status ossio__h1_parser_eof(ossio__h1_parser *p)
{
    switch (p->state) {
    case ST_IDLE:
        return OSSIO_OK;
    case ST_DEAD:
        return p->err;
    case ST_WAIT:
        return die(p, OSSIO_ECONNRESET);
    default:
        break;
    }
    /* Length 0 tells http-parser the stream ended: it completes a
     * read-until-close body and leaves anything else unfinished. */
    http_parser_execute(&p->hp, &settings, NULL, 0);
    enum http_errno e = HTTP_PARSER_ERRNO(&p->hp);
    if (p->err != OSSIO_OK) {
        return die(p, p->err);
    }
    if (e == HPE_PAUSED && p->final_done) {
        http_parser_pause(&p->hp, 0);
        p->keep_alive = 0;
        return finish(p);
    }
    return die(p, OSSIO_ECONNRESET);
}

int ossio__h1_parser_idle(const ossio__h1_parser *p)
{
    return p->state == ST_IDLE || p->state == ST_WAIT;
}

void ossio__h1_parser_free(ossio__h1_parser *p)
{
    ossio__hdrs_free(&p->hdrs);
    ossio__buf_free(&p->field);
    p->state = ST_DEAD;
    p->err = OSSIO_EINVAL;
}
