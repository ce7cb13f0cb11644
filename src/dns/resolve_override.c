/* Pure parsing for the resolver: curl --resolve style override entries and
 * address literals. No I/O, no clock; fuzzed by fuzz/fuzz_resolve_override.c. */
#include "dns/resolver.h"

#include <arpa/inet.h>
#include <string.h>

#include "util/cursor.h"

static bool host_byte_ok(uint8_t b)
{
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' ||
           b == '.' || b == '_';
}

static bool addr_byte_ok(uint8_t b, bool v6)
{
    if ((b >= '0' && b <= '9') || b == '.') {
        return true;
    }
    return v6 && ((b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F') || b == ':');
}

/* inet_pton wants a C string: copy the span after checking every byte, so an
 * embedded NUL or stray character can never be cut off silently. */
static bool pton(const uint8_t *s, size_t len, bool v6, void *dst)
{
    char tmp[INET6_ADDRSTRLEN];
    if (len == 0 || len >= sizeof(tmp)) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!addr_byte_ok(s[i], v6)) {
            return false;
        }
    }
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    return inet_pton(v6 ? AF_INET6 : AF_INET, tmp, dst) == 1;
}

static void set_v4(struct sockaddr_storage *ss, socklen_t *len, const struct in_addr *a,
                   uint16_t port)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr = *a;
    memset(ss, 0, sizeof(*ss));
    memcpy(ss, &sin, sizeof(sin));
    *len = (socklen_t)sizeof(sin);
}

static void set_v6(struct sockaddr_storage *ss, socklen_t *len, const struct in6_addr *a,
                   uint16_t port)
{
    struct sockaddr_in6 sin6;
    memset(&sin6, 0, sizeof(sin6));
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(port);
    sin6.sin6_addr = *a;
    memset(ss, 0, sizeof(*ss));
    memcpy(ss, &sin6, sizeof(sin6));
    *len = (socklen_t)sizeof(sin6);
}

/* |v6_needs_brackets|: in override lists IPv6 must be bracketed; a bare host
 * given to ossio__resolve() may be either. */
static bool parse_addr(const uint8_t *s, size_t len, bool v6_needs_brackets, uint16_t port,
                       struct sockaddr_storage *ss, socklen_t *ss_len)
{
    bool bracketed = len >= 2 && s[0] == '[' && s[len - 1] == ']';
    if (bracketed || (!v6_needs_brackets && memchr(s, ':', len) != NULL)) {
        struct in6_addr a6;
        const uint8_t *in = bracketed ? s + 1 : s;
        size_t in_len = bracketed ? len - 2 : len;
        if (!pton(in, in_len, true, &a6)) {
            return false;
        }
        set_v6(ss, ss_len, &a6, port);
        return true;
    }
    struct in_addr a4;
    if (!pton(s, len, false, &a4)) {
        return false;
    }
    set_v4(ss, ss_len, &a4, port);
    return true;
}

bool ossio__addr_parse_literal(const char *s, size_t len, uint16_t port,
                               struct sockaddr_storage *addr, socklen_t *addr_len)
{
    if (!s || len == 0) {
        return false;
    }
    return parse_addr((const uint8_t *)s, len, false, port, addr, addr_len);
}

ossio_status ossio__resolve_override_parse(const char *entry, size_t len,
                                           ossio__resolve_override *out)
{
    if (!entry || !out) {
        return OSSIO_EINVAL;
    }
    ossio__cur c;
    ossio__cur_init(&c, entry, len);
    out->addrs.n = 0;

    uint8_t b = 0;
    if (ossio__cur_peek(&c, &b) && b == '+') {
        (void)ossio__cur_skip(&c, 1);
    }

    const uint8_t *host = NULL;
    size_t host_len = 0;
    if (!ossio__cur_take_until(&c, ':', &host, &host_len) || host_len == 0 ||
        host_len > OSSIO__DNS_MAX_HOST) {
        return OSSIO_EINVAL;
    }
    for (size_t i = 0; i < host_len; i++) {
        if (!host_byte_ok(host[i])) {
            return OSSIO_EINVAL;
        }
        uint8_t h = host[i];
        out->host[i] = (char)(h >= 'A' && h <= 'Z' ? h + ('a' - 'A') : h);
    }
    out->host[host_len] = '\0';

    const uint8_t *port_s = NULL;
    size_t port_len = 0;
    uint64_t port = 0;
    if (!ossio__cur_take_until(&c, ':', &port_s, &port_len) ||
        !ossio__u64_dec(port_s, port_len, &port) || port == 0 || port > UINT16_MAX) {
        return OSSIO_EINVAL;
    }
    out->port = (uint16_t)port;

    /* Comma-separated addresses up to the end; an empty element is an error. */
    for (;;) {
        const uint8_t *a = NULL;
        size_t a_len = 0;
        bool last = false;
        if (!ossio__cur_take_until(&c, ',', &a, &a_len)) {
            a_len = ossio__cur_remaining(&c);
            a = ossio__cur_take_n(&c, a_len);
            last = true;
        }
        if (out->addrs.n == OSSIO__DNS_MAX_ADDRS || a_len == 0) {
            return OSSIO_EINVAL;
        }
        size_t i = out->addrs.n;
        if (!parse_addr(a, a_len, true, out->port, &out->addrs.addr[i], &out->addrs.len[i])) {
            return OSSIO_EINVAL;
        }
        out->addrs.n++;
        if (last) {
            return OSSIO_OK;
        }
    }
}
