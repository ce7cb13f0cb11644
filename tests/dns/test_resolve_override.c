/* Tests for the --resolve override parser and the address-literal parser:
 * accepted forms, case folding, and every malformed entry rejected. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "dns/resolver.h"

static ossio__resolve_override ov;

static ossio_status parse(const char *s)
{
    return ossio__resolve_override_parse(s, strlen(s), &ov);
}

/* "a.b.c.d:port" or "[v6]:port" of one address, for comparisons. */
static const char *fmt(const struct sockaddr_storage *ss)
{
    static char out[INET6_ADDRSTRLEN + 16];
    char ip[INET6_ADDRSTRLEN];
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
        snprintf(out, sizeof(out), "%s:%u", ip, (unsigned)ntohs(s4->sin_port));
    } else {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
        snprintf(out, sizeof(out), "[%s]:%u", ip, (unsigned)ntohs(s6->sin6_port));
    }
    return out;
}

static void test_ipv4(void **state)
{
    (void)state;
    assert_int_equal(parse("example.com:443:127.0.0.1"), OSSIO_OK);
    assert_string_equal(ov.host, "example.com");
    assert_int_equal(ov.port, 443);
    assert_int_equal(ov.addrs.n, 1);
    assert_int_equal(ov.addrs.addr[0].ss_family, AF_INET);
    assert_int_equal(ov.addrs.len[0], sizeof(struct sockaddr_in));
    assert_string_equal(fmt(&ov.addrs.addr[0]), "127.0.0.1:443");
}

static void test_ipv6_bracketed(void **state)
{
    (void)state;
    assert_int_equal(parse("v6.example:8080:[2001:db8::1]"), OSSIO_OK);
    assert_int_equal(ov.addrs.n, 1);
    assert_int_equal(ov.addrs.addr[0].ss_family, AF_INET6);
    assert_int_equal(ov.addrs.len[0], sizeof(struct sockaddr_in6));
    assert_string_equal(fmt(&ov.addrs.addr[0]), "[2001:db8::1]:8080");
}

static void test_several_in_order(void **state)
{
    (void)state;
    assert_int_equal(parse("h:1:10.0.0.2,[::1],10.0.0.1"), OSSIO_OK);
    assert_int_equal(ov.port, 1);
    assert_int_equal(ov.addrs.n, 3);
    assert_string_equal(fmt(&ov.addrs.addr[0]), "10.0.0.2:1");
    assert_string_equal(fmt(&ov.addrs.addr[1]), "[::1]:1");
    assert_string_equal(fmt(&ov.addrs.addr[2]), "10.0.0.1:1");
}

static void test_max_addrs(void **state)
{
    (void)state;
    char buf[512];
    int n = snprintf(buf, sizeof(buf), "h:65535:");
    for (int i = 1; i <= OSSIO__DNS_MAX_ADDRS; i++) {
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s10.0.0.%d", i > 1 ? "," : "", i);
    }
    assert_int_equal(parse(buf), OSSIO_OK);
    assert_int_equal(ov.port, 65535);
    assert_int_equal(ov.addrs.n, OSSIO__DNS_MAX_ADDRS);
    assert_string_equal(fmt(&ov.addrs.addr[15]), "10.0.0.16:65535");
    snprintf(buf + n, sizeof(buf) - (size_t)n, ",10.0.0.17");
    assert_int_equal(parse(buf), OSSIO_EINVAL);
}

static void test_host_case_folded(void **state)
{
    (void)state;
    assert_int_equal(parse("Bucket.OSS.LocalHost:443:127.0.0.1"), OSSIO_OK);
    assert_string_equal(ov.host, "bucket.oss.localhost");
    assert_int_equal(parse("+my_host-1.example:443:127.0.0.1"), OSSIO_OK);
    assert_string_equal(ov.host, "my_host-1.example");
}

static void test_len_bounds_input(void **state)
{
    (void)state;
    /* Only |len| bytes are read: the rest of the string is not part of it. */
    const char *s = "h:80:1.2.3.4,garbage";
    assert_int_equal(ossio__resolve_override_parse(s, 12, &ov), OSSIO_OK);
    assert_int_equal(ov.addrs.n, 1);
    assert_int_equal(ossio__resolve_override_parse("h:80:1.2.3.4\0x", 14, &ov), OSSIO_EINVAL);
    assert_int_equal(ossio__resolve_override_parse(NULL, 0, &ov), OSSIO_EINVAL);
}

static void test_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "+",
        "host",
        "host:443",
        "host:443:",
        ":443:127.0.0.1",
        "host::127.0.0.1",
        "host:0:127.0.0.1",
        "host:65536:127.0.0.1",
        "host:99999999999999999999999:127.0.0.1",
        "host:-1:127.0.0.1",
        "host:+80:127.0.0.1",
        "host: 80:127.0.0.1",
        "host:80x:127.0.0.1",
        "host:443:256.0.0.1",
        "host:443:1.2.3",
        "host:443:localhost",
        "host:443:::1",
        "host:443:[::1",
        "host:443:::1]",
        "host:443:[]",
        "host:443:[127.0.0.1x]",
        "host:443:[fe80::1%lo]",
        "host:443:127.0.0.1,",
        "host:443:,127.0.0.1",
        "host:443:127.0.0.1,,127.0.0.2",
        "host:443:127.0.0.1:80",
        "host:443:127.0.0.1 ",
        "ho st:443:127.0.0.1",
        "ho/st:443:127.0.0.1",
        "[::1]:443:127.0.0.1",
        "++host:443:127.0.0.1",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(bad[i]) != OSSIO_EINVAL) {
            fail_msg("accepted \"%s\"", bad[i]);
        }
    }
}

static void test_host_length(void **state)
{
    (void)state;
    char buf[OSSIO__DNS_MAX_HOST + 32];
    memset(buf, 'a', OSSIO__DNS_MAX_HOST);
    strcpy(buf + OSSIO__DNS_MAX_HOST, ":80:1.2.3.4");
    assert_int_equal(parse(buf), OSSIO_OK);
    assert_int_equal(strlen(ov.host), OSSIO__DNS_MAX_HOST);
    memset(buf, 'a', OSSIO__DNS_MAX_HOST + 1);
    strcpy(buf + OSSIO__DNS_MAX_HOST + 1, ":80:1.2.3.4");
    assert_int_equal(parse(buf), OSSIO_EINVAL);
}

static void test_literal(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    socklen_t len = 0;
    assert_true(ossio__addr_parse_literal("127.0.0.1", 9, 80, &ss, &len));
    assert_string_equal(fmt(&ss), "127.0.0.1:80");
    assert_int_equal(len, sizeof(struct sockaddr_in));
    assert_true(ossio__addr_parse_literal("[::1]", 5, 443, &ss, &len));
    assert_string_equal(fmt(&ss), "[::1]:443");
    assert_int_equal(len, sizeof(struct sockaddr_in6));
    assert_true(ossio__addr_parse_literal("::ffff:10.0.0.1", 15, 1, &ss, &len));
    assert_int_equal(ss.ss_family, AF_INET6);
    assert_false(ossio__addr_parse_literal("oss.localhost", 13, 80, &ss, &len));
    assert_false(ossio__addr_parse_literal("1.2.3", 5, 80, &ss, &len));
    assert_false(ossio__addr_parse_literal("[1.2.3.4]", 9, 80, &ss, &len));
    assert_false(ossio__addr_parse_literal("[::1", 4, 80, &ss, &len));
    assert_false(ossio__addr_parse_literal("", 0, 80, &ss, &len));
    assert_false(ossio__addr_parse_literal(NULL, 0, 80, &ss, &len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4),
        cmocka_unit_test(test_ipv6_bracketed),
        cmocka_unit_test(test_several_in_order),
        cmocka_unit_test(test_max_addrs),
        cmocka_unit_test(test_host_case_folded),
        cmocka_unit_test(test_len_bounds_input),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_host_length),
        cmocka_unit_test(test_literal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
