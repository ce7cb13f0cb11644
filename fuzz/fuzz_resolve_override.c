/* Feeds the input to the --resolve override parser as one entry and checks
 * what it accepts: a lower-case host, a port, 1..16 addresses with that port;
 * the same bytes also go through the address-literal parser. */
/* The checks are the point of a fuzzer: keep assert() in release builds. */
#undef NDEBUG
#define _DEFAULT_SOURCE

#include <assert.h>
#include <arpa/inet.h>
#include <string.h>

#include "dns/resolver.h"
#include "fuzz.h"

static void check_addr(const struct sockaddr_storage *ss, socklen_t len, uint16_t port)
{
    if (ss->ss_family == AF_INET) {
        assert(len == sizeof(struct sockaddr_in));
        assert(ntohs(((const struct sockaddr_in *)ss)->sin_port) == port);
    } else {
        assert(ss->ss_family == AF_INET6);
        assert(len == sizeof(struct sockaddr_in6));
        assert(ntohs(((const struct sockaddr_in6 *)ss)->sin6_port) == port);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The same bytes as a host given to ossio__resolve(): literal or not. */
    struct sockaddr_storage lit;
    socklen_t lit_len = 0;
    if (ossio__addr_parse_literal((const char *)data, size, 8080, &lit, &lit_len)) {
        check_addr(&lit, lit_len, 8080);
    }

    static ossio__resolve_override ov;
    ossio_status st = ossio__resolve_override_parse((const char *)data, size, &ov);
    assert(st == OSSIO_OK || st == OSSIO_EINVAL);
    if (st != OSSIO_OK) {
        return 0;
    }
    size_t hlen = strlen(ov.host);
    assert(hlen > 0 && hlen <= OSSIO__DNS_MAX_HOST && hlen < size);
    for (size_t i = 0; i < hlen; i++) {
        assert(!(ov.host[i] >= 'A' && ov.host[i] <= 'Z'));
    }
    assert(ov.port != 0);
    assert(ov.addrs.n >= 1 && ov.addrs.n <= OSSIO__DNS_MAX_ADDRS);
    for (size_t i = 0; i < ov.addrs.n; i++) {
        check_addr(&ov.addrs.addr[i], ov.addrs.len[i], ov.port);
    }
    return 0;
}
