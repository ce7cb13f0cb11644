/* HTTP/1.1 request head and chunked framing: everything is validated before
 * a byte is written, so no caller string can inject a line or reframe a body. */
#include "h1/h1.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int target_valid(const char *t)
{
    if (t[0] != '/') {
        return 0;
    }
    for (const unsigned char *s = (const unsigned char *)t; *s != 0; s++) {
        if (*s <= 0x20 || *s >= 0x7f) {
            return 0;
        }
    }
    return 1;
}

static int host_valid(const char *h)
{
    if (h[0] == 0) {
        return 0;
    }
    for (const unsigned char *s = (const unsigned char *)h; *s != 0; s++) {
        if (*s <= 0x20 || *s >= 0x7f || strchr("/?#@", *s) != NULL) {
            return 0;
        }
    }
    return 1;
}

static int reserved_name(const char *name, size_t len)
{
    static const char *const names[] = {"host", "content-length", "transfer-encoding",
                                        "connection"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strlen(names[i]) == len && strncasecmp(name, names[i], len) == 0) {
            return 1;
        }
    }
    return 0;
}

static int bodiless_method(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "DELETE") == 0;
}

static ossio_status put(ossio__buf *out, const char *s)
{
    return ossio__buf_append(out, s, strlen(s));
}

static ossio_status put_line(ossio__buf *out, const char *name, size_t name_len, const char *value,
                             size_t value_len)
{
    ossio_status st = ossio__buf_append(out, name, name_len);
    if (st == OSSIO_OK) {
        st = ossio__buf_append(out, ": ", 2);
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append(out, value, value_len);
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append(out, "\r\n", 2);
    }
    return st;
}

static ossio_status write_head(ossio__buf *out, const char *method, const char *target,
                               const char *host, const ossio__hdr *fields, size_t n,
                               int64_t content_length, int expect_continue)
{
    ossio_status st = put(out, method);
    if (st == OSSIO_OK) {
        st = put(out, " ");
    }
    if (st == OSSIO_OK) {
        st = put(out, target);
    }
    if (st == OSSIO_OK) {
        st = put(out, " HTTP/1.1\r\n");
    }
    if (st == OSSIO_OK) {
        st = put_line(out, "Host", 4, host, strlen(host));
    }
    for (size_t i = 0; i < n && st == OSSIO_OK; i++) {
        st =
            put_line(out, fields[i].name, fields[i].name_len, fields[i].value, fields[i].value_len);
    }
    if (st == OSSIO_OK && content_length == -1) {
        st = put(out, "Transfer-Encoding: chunked\r\n");
    } else if (st == OSSIO_OK && (content_length > 0 || !bodiless_method(method))) {
        char num[24];
        int len = snprintf(num, sizeof(num), "%" PRId64, content_length);
        st = put_line(out, "Content-Length", 14, num, (size_t)len);
    }
    if (st == OSSIO_OK && expect_continue) {
        st = put(out, "Expect: 100-continue\r\n");
    }
    if (st == OSSIO_OK) {
        st = put(out, "\r\n");
    }
    return st;
}

ossio_status ossio__h1_request_write(ossio__buf *out, const char *method, const char *target,
                                     const char *host, const ossio__hdr *fields, size_t n,
                                     int64_t content_length, int expect_continue)
{
    if (method == NULL || target == NULL || host == NULL || (fields == NULL && n > 0) ||
        content_length < -1) {
        return OSSIO_EINVAL;
    }
    /* A method is a token: the same rule as a field name. */
    if (!ossio__hdr_valid(method, strlen(method), "", 0) || !target_valid(target) ||
        !host_valid(host)) {
        return OSSIO_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        const ossio__hdr *f = &fields[i];
        if (f->name == NULL || (f->value == NULL && f->value_len > 0) ||
            !ossio__hdr_valid(f->name, f->name_len, f->value, f->value_len) ||
            reserved_name(f->name, f->name_len)) {
            return OSSIO_EINVAL;
        }
    }
    size_t start = out->len;
    ossio_status st =
        write_head(out, method, target, host, fields, n, content_length, expect_continue);
    if (st != OSSIO_OK) {
        out->len = start; /* all or nothing */
    }
    return st;
}

ossio_status ossio__h1_chunk_begin(ossio__buf *out, size_t n)
{
    if (n == 0) {
        return OSSIO_EINVAL;
    }
    char line[2 * sizeof(size_t) + 3];
    int len = snprintf(line, sizeof(line), "%zx\r\n", n);
    return ossio__buf_append(out, line, (size_t)len);
}

ossio_status ossio__h1_chunk_end(ossio__buf *out)
{
    return ossio__buf_append(out, "\r\n", 2);
}

ossio_status ossio__h1_chunk_last(ossio__buf *out)
{
    return ossio__buf_append(out, "0\r\n\r\n", 5);
}
