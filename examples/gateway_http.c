/* The gateway example's HTTP/1.1 request parsing, Range resolution and
 * status table: pure functions over bytes, unit-tested without a socket. */
#include "gateway_http.h"

#include <string.h>
#include <strings.h>

/* Finds the end of the head: the index just past "\r\n\r\n" (or "\n\n"), 0 if absent. */
static size_t head_end(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != '\n') {
            continue;
        }
        if (i + 1 < len && buf[i + 1] == '\n') {
            return i + 2;
        }
        if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
            return i + 3;
        }
    }
    return 0;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

/* Percent-decodes the path of |target| (|n| bytes, up to '?' or '#') into
 * |out| (at least n + 1 bytes). -1 for a bad escape or an encoded NUL. */
static int decode_path(const char *target, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n && target[i] != '?' && target[i] != '#'; i++) {
        if (target[i] != '%') {
            out[o++] = target[i];
            continue;
        }
        int hi = i + 2 < n ? hexval(target[i + 1]) : -1;
        int lo = i + 2 < n ? hexval(target[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            return -1;
        }
        out[o++] = (char)(hi * 16 + lo);
        i += 2;
    }
    out[o] = '\0';
    return 0;
}

/* Does the comma-separated list |v| (|n| bytes) hold the token |tok|? */
static int has_token(const char *v, size_t n, const char *tok)
{
    size_t tl = strlen(tok);
    size_t i = 0;
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) {
            i++;
        }
        size_t s = i;
        while (i < n && v[i] != ',') {
            i++;
        }
        size_t e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t')) {
            e--;
        }
        if (e - s == tl && strncasecmp(v + s, tok, tl) == 0) {
            return 1;
        }
    }
    return 0;
}

/* One header line (|n| bytes, no line end) into |req|. -400 when malformed. */
static int header_line(const char *line, size_t n, gw_request *req)
{
    const char *colon = memchr(line, ':', n);
    if (colon == NULL || colon == line || line[0] == ' ' || line[0] == '\t') {
        return -400; /* no name, or obsolete line folding */
    }
    size_t nl = (size_t)(colon - line);
    for (size_t i = 0; i < nl; i++) {
        if (line[i] <= ' ' || line[i] == 0x7f) {
            return -400;
        }
    }
    const char *v = colon + 1;
    size_t vl = n - nl - 1;
    while (vl > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        vl--;
    }
    while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t')) {
        vl--;
    }
    if (nl == 10 && strncasecmp(line, "connection", nl) == 0) {
        if (has_token(v, vl, "close")) {
            req->keep_alive = 0;
        } else if (has_token(v, vl, "keep-alive")) {
            req->keep_alive = 1;
        }
    } else if (nl == 5 && strncasecmp(line, "range", nl) == 0) {
        if (vl < sizeof(req->range)) {
            memcpy(req->range, v, vl);
            req->range[vl] = '\0';
        }
    } else if (nl == 17 && strncasecmp(line, "transfer-encoding", nl) == 0) {
        return -400; /* a request body: GET and HEAD take none, and this reader reads none */
    } else if (nl == 14 && strncasecmp(line, "content-length", nl) == 0) {
        if (vl != 1 || v[0] != '0') {
            return -400;
        }
    }
    return 0;
}

/* The request line "METHOD SP target SP HTTP/1.x" (|n| bytes) into |req|. */
static int request_line(const char *line, size_t n, gw_request *req)
{
    const char *sp1 = memchr(line, ' ', n);
    if (sp1 == NULL) {
        return -400;
    }
    const char *target = sp1 + 1;
    const char *sp2 = memchr(target, ' ', n - (size_t)(target - line));
    if (sp2 == NULL || sp2 == target) {
        return -400;
    }
    const char *ver = sp2 + 1;
    size_t vl = n - (size_t)(ver - line);
    if (vl != 8 || strncmp(ver, "HTTP/1.", 7) != 0) {
        return vl >= 5 && strncmp(ver, "HTTP/", 5) == 0 ? -505 : -400;
    }
    if (ver[7] != '0' && ver[7] != '1') {
        return -505;
    }
    req->keep_alive = ver[7] == '1';
    size_t ml = (size_t)(sp1 - line), tl = (size_t)(sp2 - target);
    if (ml == 3 && memcmp(line, "GET", 3) == 0) {
        req->is_head = 0;
    } else if (ml == 4 && memcmp(line, "HEAD", 4) == 0) {
        req->is_head = 1;
    } else {
        return -405;
    }
    if (target[0] != '/' || tl >= sizeof(req->path)) {
        return -400; /* origin-form only: no proxy requests, no "*" */
    }
    for (size_t i = 0; i < tl; i++) {
        if ((unsigned char)target[i] <= ' ' || target[i] == 0x7f) {
            return -400;
        }
    }
    return decode_path(target, tl, req->path) == 0 ? 0 : -400;
}

int gw_http_parse(const char *buf, size_t len, gw_request *req)
{
    size_t end = head_end(buf, len);
    if (end == 0) {
        return 0;
    }
    memset(req, 0, sizeof(*req));
    size_t pos = 0;
    while (pos < end && (buf[pos] == '\r' || buf[pos] == '\n')) {
        pos++; /* RFC 9112 2.2: ignore empty lines before the request line */
    }
    int first = 1;
    while (pos < end) {
        const char *nl = memchr(buf + pos, '\n', end - pos);
        size_t n = (size_t)(nl - (buf + pos));
        if (n > 0 && buf[pos + n - 1] == '\r') {
            n--;
        }
        if (n == 0) {
            break; /* the blank line */
        }
        if (memchr(buf + pos, '\0', n) != NULL || memchr(buf + pos, '\r', n) != NULL) {
            return -400;
        }
        int rc = first ? request_line(buf + pos, n, req) : header_line(buf + pos, n, req);
        if (rc != 0) {
            return rc;
        }
        first = 0;
        pos = (size_t)(nl - buf) + 1;
    }
    return first ? -400 : (int)end;
}

/* Decimal digits [s, e) into *out; -1 if empty, not digits or too large. */
static int parse_u64(const char *s, const char *e, uint64_t *out)
{
    if (s == e) {
        return -1;
    }
    uint64_t v = 0;
    for (; s < e; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10) {
            return -1;
        }
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

int gw_http_range(const char *range, uint64_t size, uint64_t *start, uint64_t *end)
{
    *start = 0;
    *end = size;
    if (range == NULL || strncasecmp(range, "bytes=", 6) != 0 || strchr(range, ',') != NULL) {
        return 200;
    }
    const char *s = range + 6;
    while (*s == ' ') {
        s++;
    }
    const char *dash = strchr(s, '-');
    if (dash == NULL) {
        return 200;
    }
    const char *e = dash + 1 + strlen(dash + 1);
    while (e > dash + 1 && e[-1] == ' ') {
        e--;
    }
    uint64_t first = 0, last = 0;
    if (dash == s) { /* "-N": the last N bytes */
        if (parse_u64(dash + 1, e, &last) != 0) {
            return 200;
        }
        if (last == 0 || size == 0) {
            return 416;
        }
        *start = size - (last < size ? last : size);
        return 206;
    }
    if (parse_u64(s, dash, &first) != 0) {
        return 200;
    }
    if (e == dash + 1) { /* "N-": from N to the end */
        last = UINT64_MAX;
    } else if (parse_u64(dash + 1, e, &last) != 0 || last < first) {
        return 200; /* invalid: ignored, as RFC 9110 14.2 allows */
    }
    if (first >= size) {
        return 416;
    }
    *start = first;
    *end = last < size - 1 ? last + 1 : size;
    return 206;
}

/* ossio's failures as a client of the gateway should see them: the object's
 * absence or denial as such, a bad name as the client's error, the store
 * being slow or unreachable as 504, anything else from upstream as 502. */
static const struct {
    ossio_status st;
    int http;
} status_map[] = {
    {OSSIO_ENOTFOUND, 404},   {OSSIO_EACCESS, 403},        {OSSIO_EBADURI, 400},
    {OSSIO_EBADBUCKET, 400},  {OSSIO_EKEYTOOLONG, 400},    {OSSIO_ESCHEME, 400},
    {OSSIO_ETHROTTLED, 503},  {OSSIO_ETIMEDOUT, 504},      {OSSIO_ECONNTIMEOUT, 504},
    {OSSIO_EDNSTIMEOUT, 504}, {OSSIO_ESTALLED, 504},       {OSSIO_EDEADLINE, 504},
    {OSSIO_ENOMEM, 503},      {OSSIO_EINTERNAL, 500},      {OSSIO_EINVAL, 500},
    {OSSIO_ENOENDPOINT, 500}, {OSSIO_ENOCREDENTIALS, 500}, {OSSIO_ECONFIG, 500},
};

int gw_http_status_for(ossio_status st)
{
    for (size_t i = 0; i < sizeof(status_map) / sizeof(status_map[0]); i++) {
        if (status_map[i].st == st) {
            return status_map[i].http;
        }
    }
    return 502;
}

const char *gw_http_reason(int code)
{
    static const struct {
        int code;
        const char *reason;
    } reasons[] = {
        {200, "OK"},
        {206, "Partial Content"},
        {400, "Bad Request"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {412, "Precondition Failed"},
        {416, "Range Not Satisfiable"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
        {505, "HTTP Version Not Supported"},
    };
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        if (reasons[i].code == code) {
            return reasons[i].reason;
        }
    }
    return "Unknown";
}
