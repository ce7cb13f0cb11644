#define _DEFAULT_SOURCE
/* Every address, on real sockets: the endpoint's DNS server answers several
 * loopback addresses for one name (tests/endpoint/lib/dns.js) and nginx's
 * "spread" listeners bind some of them (lib/proxies.js). Downloads spread
 * over the live ones; a dead one (nothing bound) and a stalled one (this
 * test's own listener that never accepts) are set aside and the transfer
 * still completes. Counters from ossio_client_addr_stat(). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "test_support.h"

static uint8_t *medium; /* nginx's medium.bin */
static size_t medium_len;

static int setup(void **state)
{
    (void)state;
    /* nginx serves path-style /<bucket>/<file> from its root. */
    char src[600], dir[600], dst[700];
    snprintf(src, sizeof(src), "%s/medium.bin", ep("NGINX_ROOT"));
    snprintf(dir, sizeof(dir), "%s/%s", ep("NGINX_ROOT"), ep("BUCKET"));
    snprintf(dst, sizeof(dst), "%s/addrs-medium.bin", dir);
    mkdir(dir, 0755);
    if (link(src, dst) != 0 && errno != EEXIST) {
        return -1;
    }
    FILE *f = fopen(src, "rb");
    if (f == NULL) {
        return -1;
    }
    fseek(f, 0, SEEK_END);
    medium_len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    medium = malloc(medium_len);
    size_t got = fread(medium, 1, medium_len, f);
    fclose(f);
    return got == medium_len ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(medium);
    return 0;
}

static void on_done(ossio_transfer *t, const ossio_result *res, void *ud)
{
    (void)t;
    ossio_result *out = ud;
    *out = *res;
    out->detail = NULL; /* borrowed until return */
}

/* Downloads medium.bin through http://<host>:<port> with small parts, and
 * checks every byte. */
static void download(ossio_client *cl)
{
    uint8_t *back = calloc(1, medium_len);
    char uri[256];
    snprintf(uri, sizeof(uri), "oss://%s/addrs-medium.bin", ep("BUCKET"));
    ossio_transfer *t;
    assert_int_equal(ossio_download_new(&t, cl, uri), OSSIO_OK);
    ossio_transfer_to_buffer(t, back, medium_len);
    ossio_transfer_set_parts(t, 256 * 1024, 8); /* below the rate check's 1 MiB */
    ossio_result res;
    memset(&res, 0, sizeof(res));
    res.status = OSSIO_EINVAL;
    assert_int_equal(ossio_transfer_submit(t, on_done, &res), OSSIO_OK);
    ossio_client_run(cl);
    if (res.status != OSSIO_OK) {
        fail_msg("download: %s (HTTP %d)", ossio_status_name(res.status), res.http_status);
    }
    assert_memory_equal(back, medium, medium_len);
    free(back);
}

static ossio_client *spread_client(const char *host, int port, int h2c)
{
    char dns[64], endpoint[128];
    snprintf(dns, sizeof(dns), "127.0.0.1:%d", ep_port("DNS"));
    snprintf(endpoint, sizeof(endpoint), "http://%s:%d", host, port);
    ossio_client *cl = client_with(
        NULL, "fs.oss.dns.servers", dns, "fs.oss.endpoint", endpoint, "fs.oss.path.style.access",
        "true", "fs.oss.accessKeyId", ep("ACCESS_KEY_ID"), "fs.oss.accessKeySecret",
        ep("ACCESS_KEY_SECRET"), "fs.oss.http2.cleartext", h2c ? "true" : "false",
        "fs.oss.connection.maximum", "8", "fs.oss.http2.max.streams", "2",
        /* Nothing here outlasts this: "set aside now" stays true while the test looks. */
        "fs.oss.connection.address.backoff", "600000",
        /* The stalled address must be given up quickly. */
        "fs.oss.request.first-byte.timeout", "1000", "fs.oss.connection.establish.timeout", "2000",
        NULL);
    return cl;
}

/* The counters of |address| (e.g. "127.0.0.2"); fails if it is unknown. */
static ossio_addr_stat addr(ossio_client *cl, const char *address)
{
    ossio_addr_stat s;
    for (size_t i = 0; i < ossio_client_addr_count(cl); i++) {
        assert_int_equal(ossio_client_addr_stat(cl, i, &s, sizeof(s)), OSSIO_OK);
        if (strcmp(s.address, address) == 0) {
            return s;
        }
    }
    fail_msg("no counters for %s", address);
    return s;
}

static void assert_served(ossio_client *cl, const char *address)
{
    ossio_addr_stat s = addr(cl, address);
    if (s.requests == 0 || s.connections_opened == 0 || s.bytes == 0 || s.failures != 0) {
        fail_msg("%s: %llu connections, %llu requests, %llu bytes, %llu failures", address,
                 (unsigned long long)s.connections_opened, (unsigned long long)s.requests,
                 (unsigned long long)s.bytes, (unsigned long long)s.failures);
    }
    assert_string_equal(s.host, "pair.ossio.test");
}

/* HTTP/1.1: connection i goes to address i mod 2. */
static void t_spread_h1(void **state)
{
    (void)state;
    ossio_client *cl = spread_client("pair.ossio.test", ep_port("NGINX_SPREAD"), 0);
    download(cl);
    assert_int_equal(ossio_client_addr_count(cl), 2);
    assert_served(cl, "127.0.0.2");
    assert_served(cl, "127.0.0.3");
    ossio_addr_stat s;
    assert_int_equal(ossio_client_addr_stat(cl, 2, &s, sizeof(s)), OSSIO_EINVAL);
    /* An older, smaller struct gets only its own bytes. */
    uint8_t small[300];
    memset(small, 0xee, sizeof(small));
    assert_int_equal(ossio_client_addr_stat(cl, 0, (ossio_addr_stat *)(void *)small, 260),
                     OSSIO_OK);
    assert_int_equal(small[260], 0xee);
    ossio_client_destroy(cl);
}

/* HTTP/2 (h2c) with 2 streams a connection: the next connection opened when
 * the first is full goes to the other address. */
static void t_spread_h2(void **state)
{
    (void)state;
    ossio_client *cl = spread_client("pair.ossio.test", ep_port("NGINX_SPREAD_H2C"), 1);
    download(cl);
    assert_served(cl, "127.0.0.2");
    assert_served(cl, "127.0.0.3");
    assert_true(ossio_client_stat(cl, OSSIO_STAT_CONNECTIONS_H2) >= 2);
    ossio_client_destroy(cl);
}

/* A listener on 127.0.0.5:|port| that never accepts: connections complete
 * (the kernel's backlog) and requests are never answered. */
static int stalled_listener(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(0x7f000005u);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 64) != 0) {
        fail_msg("cannot listen on 127.0.0.5:%d", port);
    }
    return fd;
}

/* spread.ossio.test: .2 and .3 live, .4 dead, .5 stalled. */
static void t_dead_and_stalled_set_aside(void **state)
{
    (void)state;
    int port = ep_port("NGINX_SPREAD");
    int stalled = stalled_listener(port);
    ossio_client *cl = spread_client("spread.ossio.test", port, 0);
    download(cl);
    assert_int_equal(ossio_client_addr_count(cl), 4);
    ossio_addr_stat dead = addr(cl, "127.0.0.4");
    ossio_addr_stat slow = addr(cl, "127.0.0.5");
    assert_true(dead.failures >= 1);
    assert_int_equal(dead.connections_opened, 0);
    assert_true(dead.set_aside);
    assert_true(dead.set_aside_ms > 0);
    assert_int_equal(dead.set_asides, 1); /* concurrent failures do not stack */
    assert_true(slow.connections_opened >= 1);
    assert_true(slow.failures >= 1);
    assert_true(slow.set_aside);
    /* The live ones carried the transfer. */
    ossio_addr_stat a = addr(cl, "127.0.0.2"), b = addr(cl, "127.0.0.3");
    assert_true(a.requests > 0 && b.requests > 0);
    assert_int_equal(a.failures + b.failures, 0);
    assert_true(a.bytes + b.bytes >= medium_len);
    ossio_client_destroy(cl);
    close(stalled);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_spread_h1),
        cmocka_unit_test(t_spread_h2),
        cmocka_unit_test(t_dead_and_stalled_set_aside),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
