/* URL parsing for requests. Reads through the bounds-checked cursor; accepts
 * only what ossio sends (http and https, no user-info, no fragment). */
#include "net/url.h"

#include <stdlib.h>
#include <string.h>

#include "util/cursor.h"

static char *dup_n(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s != NULL) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

static int host_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

ossio_status ossio__url_parse(ossio__url *u, const char *url)
{
    memset(u, 0, sizeof(*u));
    if (url == NULL) {
        return OSSIO_EINVAL;
    }
    ossio__cur c;
    ossio__cur_init(&c, url, strlen(url));
    for (size_t i = 0; i < c.len; i++) {
        if (c.p[i] <= 0x20 || c.p[i] == 0x7f || c.p[i] == '#') {
            return OSSIO_EINVAL;
        }
    }
    if (ossio__cur_expect(&c, "https://")) {
        u->tls = 1;
        u->port = 443;
    } else if (ossio__cur_expect(&c, "http://")) {
        u->port = 80;
    } else {
        return OSSIO_EINVAL;
    }
    size_t host_start = c.pos;
    const uint8_t *host;
    size_t host_len;
    uint8_t b = 0;
    if (ossio__cur_peek(&c, &b) && b == '[') {
        ossio__cur_skip(&c, 1);
        if (!ossio__cur_take_until(&c, ']', &host, &host_len) || host_len == 0) {
            return OSSIO_EINVAL;
        }
        for (size_t i = 0; i < host_len; i++) {
            if (!(host_char(host[i]) || host[i] == ':')) {
                return OSSIO_EINVAL;
            }
        }
    } else {
        host = c.p + c.pos;
        host_len = 0;
        while (ossio__cur_peek(&c, &b) && host_char(b)) {
            ossio__cur_skip(&c, 1);
            host_len++;
        }
        if (host_len == 0) {
            return OSSIO_EINVAL;
        }
    }
    if (ossio__cur_peek(&c, &b) && b == ':') {
        ossio__cur_skip(&c, 1);
        uint64_t port = 0;
        if (!ossio__cur_u64_dec(&c, &port) || port == 0 || port > 65535) {
            return OSSIO_EINVAL;
        }
        u->port = (uint16_t)port;
    }
    size_t authority_len = c.pos - host_start;
    if (ossio__cur_remaining(&c) == 0) {
        u->target = strdup("/");
    } else if (ossio__cur_peek(&c, &b) && b == '/') {
        u->target = dup_n(c.p + c.pos, ossio__cur_remaining(&c));
    } else {
        return OSSIO_EINVAL;
    }
    u->host = dup_n(host, host_len);
    u->authority = dup_n(c.p + host_start, authority_len);
    if (u->target == NULL || u->host == NULL || u->authority == NULL) {
        ossio__url_free(u);
        return OSSIO_ENOMEM;
    }
    for (char *p = u->host; *p; p++) {
        if (*p >= 'A' && *p <= 'Z') {
            *p = (char)(*p - 'A' + 'a');
        }
    }
    return OSSIO_OK;
}

void ossio__url_free(ossio__url *u)
{
    free(u->host);
    free(u->authority);
    free(u->target);
    memset(u, 0, sizeof(*u));
}
