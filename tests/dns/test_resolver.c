/* The resolver against the endpoint's DNS server (ports.dns): answers, errors,
 * literals, overrides, the TTL cache on a fake clock, cancel and destroy. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <ev.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/resolver.h"

static char servers[64]; /* "127.0.0.1:<ports.dns>" */

typedef struct result {
    int calls;
    ossio_status st;
    ossio__addrs addrs;
} result;

typedef struct fixture {
    struct ev_loop *loop;
    ossio__resolver *r;
    double fake_now;
} fixture;

static void on_resolved(void *ud, ossio_status st, const ossio__addrs *addrs)
{
    result *res = ud;
    res->calls++;
    res->st = st;
    if (st == OSSIO_OK) {
        assert_non_null(addrs);
        res->addrs = *addrs;
    } else {
        assert_null(addrs);
        res->addrs.n = 0;
    }
}

static double fake_clock(void *ud)
{
    return ((fixture *)ud)->fake_now;
}

/* Runs the loop until |res| has been called back (10 s at most). */
static void wait_for(fixture *f, const result *res)
{
    double deadline = ev_time() + 10;
    while (res->calls == 0 && ev_time() < deadline) {
        ev_run(f->loop, EVRUN_ONCE);
    }
    assert_int_equal(res->calls, 1);
}

static void guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)revents;
    *(int *)w->data = 1;
    ev_break(loop, EVBREAK_ALL);
}

/* ev_run(loop, 0) returns at once when no watcher is active; an unreferenced
 * guard timer breaks it out (and fails the test) if something is left. */
static void assert_loop_idle(struct ev_loop *loop)
{
    int fired = 0;
    ev_timer guard;
    ev_timer_init(&guard, guard_cb, 3., 0.);
    guard.data = &fired;
    ev_timer_start(loop, &guard);
    ev_unref(loop);
    ev_run(loop, 0);
    ev_ref(loop);
    ev_timer_stop(loop, &guard);
    assert_int_equal(fired, 0);
}

static ossio__resolver *make_resolver(fixture *f, ossio__resolver_opts *o)
{
    if (!o->servers) {
        o->servers = servers;
    }
    assert_int_equal(ossio__resolver_new(&f->r, f->loop, o), OSSIO_OK);
    assert_non_null(f->r);
    return f->r;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->loop = ev_loop_new(EVFLAG_AUTO);
    assert_non_null(f->loop);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ossio__resolver_destroy(f->r);
    assert_loop_idle(f->loop);
    ev_loop_destroy(f->loop);
    free(f);
    return 0;
}

static ossio__resolve_query *start(fixture *f, const char *host, uint16_t port, result *res)
{
    ossio_status err = OSSIO_EINTERNAL;
    memset(res, 0, sizeof(*res));
    ossio__resolve_query *q = ossio__resolve(f->r, host, port, on_resolved, res, &err);
    assert_non_null(q);
    assert_int_equal(err, OSSIO_OK);
    assert_int_equal(res->calls, 0); /* never from inside ossio__resolve() */
    return q;
}

static void resolve(fixture *f, const char *host, uint16_t port, result *res)
{
    (void)start(f, host, port, res);
    wait_for(f, res);
}

/* "a.b.c.d:port" or "[v6]:port" of addrs->addr[i]. */
static const char *fmt(const ossio__addrs *addrs, size_t i)
{
    static char out[INET6_ADDRSTRLEN + 16];
    char ip[INET6_ADDRSTRLEN];
    const struct sockaddr_storage *ss = &addrs->addr[i];
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        assert_int_equal(addrs->len[i], sizeof(*s4));
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
        snprintf(out, sizeof(out), "%s:%u", ip, (unsigned)ntohs(s4->sin_port));
    } else {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        assert_int_equal(ss->ss_family, AF_INET6);
        assert_int_equal(addrs->len[i], sizeof(*s6));
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
        snprintf(out, sizeof(out), "[%s]:%u", ip, (unsigned)ntohs(s6->sin6_port));
    }
    return out;
}

static void test_name(void **state)
{
    fixture *f = *state;
    ossio__resolver_opts o = {0};
    make_resolver(f, &o);
    result res;
    resolve(f, "a.oss.localhost", 8443, &res);
    assert_int_equal(res.st, OSSIO_OK);
    assert_int_equal(res.addrs.n, 1);
    assert_string_equal(fmt(&res.addrs, 0), "127.0.0.1:8443");
    assert_int_equal(ossio__resolver_queries_sent(f->r), 1);
    /* cache_max_ttl_s == 0: no cache, every lookup asks. */
    resolve(f, "A.OSS.localhost", 80, &res);
    assert_string_equal(fmt(&res.addrs, 0), "127.0.0.1:80");
    assert_int_equal(ossio__resolver_queries_sent(f->r), 2);
    /* Idle between queries: c-ares closed its sockets, no watcher is left. */
    assert_loop_idle(f->loop);
}

static void test_nxdomain(void **state)
{
    fixture *f = *state;
    ossio__resolver_opts o = {0};
    make_resolver(f, &o);
    result res;
    resolve(f, "nope.ossio.test", 443, &res);
    assert_int_equal(res.st, OSSIO_EDNS);
}

static void test_timeout(void **state)
{
    fixture *f = *state;
    ossio__resolver_opts o = {.timeout_ms = 200, .tries = 1};
    make_resolver(f, &o);
    result res;
    double t0 = ev_time();
    resolve(f, "slow.ossio.test", 443, &res);
    assert_int_equal(res.st, OSSIO_EDNSTIMEOUT);
    assert_true(ev_time() - t0 < 3.0);
}

static void test_refused(void **state)
{
    fixture *f = *state;
    /* A UDP port nobody listens on: the kernel answers with ICMP unreachable. */
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sin);
    assert_int_equal(bind(fd, (struct sockaddr *)&sin, len), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
    close(fd);
    char closed[64];
    snprintf(closed, sizeof(closed), "127.0.0.1:%u", (unsigned)ntohs(sin.sin_port));
    ossio__resolver_opts o = {.servers = closed, .timeout_ms = 300, .tries = 1};
    make_resolver(f, &o);
    result res;
    resolve(f, "a.oss.localhost", 443, &res);
    /* ARES_ECONNREFUSED maps to OSSIO_EDNS, but c-ares 1.18.1 sends A and
     * AAAA back to back on one socket: the second send consumes the ICMP
     * error, and the A query, whose refusal nobody reads, times out. */
    if (res.st != OSSIO_EDNS && res.st != OSSIO_EDNSTIMEOUT) {
        fail_msg("unexpected status %d", (int)res.st);
    }
}

static void test_multi_in_order(void **state)
{
    fixture *f = *state;
    ossio__resolver_opts o = {0};
    make_resolver(f, &o);
    result res;
    resolve(f, "multi.ossio.test", 9000, &res);
    assert_int_equal(res.st, OSSIO_OK);
    assert_int_equal(res.addrs.n, 2);
    assert_string_equal(fmt(&res.addrs, 0), "127.0.0.2:9000");
    assert_string_equal(fmt(&res.addrs, 1), "127.0.0.1:9000");
}

static void test_v6_and_dual(void **state)
{
    fixture *f = *state;
    ossio__resolver_opts o = {0};
    make_resolver(f, &o);
    result res;
    resolve(f, "v6.ossio.test", 443, &res);
    assert_int_equal(res.st, OSSIO_OK);
    assert_int_equal(res.addrs.n, 1);
    assert_int_equal(res.addrs.addr[0].ss_family, AF_INET6);
    assert_string_equal(fmt(&res.addrs, 0), "[::1]:443");

    resolve(f, "dual.ossio.test", 443, &res);
    assert_int_equal(res.st, OSSIO_OK);
    assert_int_equal(res.addrs.n, 2);
    int v4 = 0;
    int v6 = 0;
    for (size_t i = 0; i < res.addrs.n; i++) {
        const char *s = fmt(&res.addrs, i);
        if (strcmp(s, "127.0.0.1:443") == 0) {
            v4++;
        } else if (strcmp(s, "[::1]:443") == 0) {
            v6++;
        }
    }
    assert_int_equal(v4, 1);
    assert_int_equal(v6, 1);
}

static void test_literals(void **state)
{
    fixture *f = *state;
    ossio__resolver_opts o = {0};
    make_resolver(f, &o);
    result res;
    resolve(f, "127.0.0.1", 80, &res); /* start() asserts the deferral */
    assert_int_equal(res.st, OSSIO_OK);
    assert_int_equal(res.addrs.n, 1);
    assert_string_equal(fmt(&res.addrs, 0), "127.0.0.1:80");
    resolve(f, "[::1]", 443, &res);
    assert_string_equal(fmt(&res.addrs, 0), "[::1]:443");
    resolve(f, "::1", 444, &res);
    assert_string_equal(fmt(&res.addrs, 0), "[::1]:444");
    assert_int_equal(ossio__resolver_queries_sent(f->r), 0);
}

static void test_bad_args(void **state)
{
    fixture *f = *state;
    ossio__resolver *r = NULL;
    ossio__resolver_opts bad = {.servers = "not a server list"};
    assert_int_equal(ossio__resolver_new(&r, f->loop, &bad), OSSIO_EINVAL);
    assert_null(r);
    bad.servers = "";
    assert_int_equal(ossio__resolver_new(&r, f->loop, &bad), OSSIO_EINVAL);

    ossio__resolver_opts o = {0};
    make_resolver(f, &o);
    ossio_status err = OSSIO_OK;
    result res = {0};
    assert_null(ossio__resolve(f->r, "", 80, on_resolved, &res, &err));
    assert_int_equal(err, OSSIO_EINVAL);
    char long_host[OSSIO__DNS_MAX_HOST + 2];
    memset(long_host, 'a', sizeof(long_host) - 1);
    long_host[sizeof(long_host) - 1] = '\0';
    assert_null(ossio__resolve(f->r, long_host, 80, on_resolved, &res, &err));
    assert_int_equal(err, OSSIO_EINVAL);
    assert_int_equal(ossio__resolver_add_override(f->r, "host:0:1.2.3.4"), OSSIO_EINVAL);
    assert_int_equal(ossio__resolver_add_override(f->r, "host:80"), OSSIO_EINVAL);
    assert_int_equal(res.calls, 0);
}

static void test_override_wins(void **state)
{
    fixture *f = *state;
    ossio__resolver_opts o = {.cache_max_ttl_s = 60};
    make_resolver(f, &o);
    result res;
    /* Cached first, so the override must beat the cache as well as DNS. */
    resolve(f, "a.oss.localhost", 443, &res);
    assert_int_equal(ossio__resolver_queries_sent(f->r), 1);
    assert_int_equal(ossio__resolver_add_override(f->r, "A.oss.localhost:443:10.9.8.7,[::2]"),
                     OSSIO_OK);
    resolve(f, "a.oss.LOCALHOST", 443, &res);
    assert_int_equal(res.st, OSSIO_OK);
    assert_int_equal(res.addrs.n, 2);
    assert_string_equal(fmt(&res.addrs, 0), "10.9.8.7:443");
    assert_string_equal(fmt(&res.addrs, 1), "[::2]:443");
    /* A later entry replaces the earlier one. */
    assert_int_equal(ossio__resolver_add_override(f->r, "a.oss.localhost:443:10.1.1.1"), OSSIO_OK);
    resolve(f, "a.oss.localhost", 443, &res);
    assert_int_equal(res.addrs.n, 1);
    assert_string_equal(fmt(&res.addrs, 0), "10.1.1.1:443");
    /* Overrides also win over names DNS does not know. */
    assert_int_equal(ossio__resolver_add_override(f->r, "nope.ossio.test:80:[::3]"), OSSIO_OK);
    resolve(f, "nope.ossio.test", 80, &res);
    assert_int_equal(res.st, OSSIO_OK);
    assert_string_equal(fmt(&res.addrs, 0), "[::3]:80");
    assert_int_equal(ossio__resolver_queries_sent(f->r), 1);
    /* Another port is not overridden. */
    resolve(f, "nope.ossio.test", 81, &res);
    assert_int_equal(res.st, OSSIO_EDNS);
    assert_int_equal(ossio__resolver_queries_sent(f->r), 2);
}

static void test_cache_ttl(void **state)
{
    fixture *f = *state;
    f->fake_now = 1000;
    ossio__resolver_opts o = {.cache_max_ttl_s = 60, .now = fake_clock, .now_ud = f};
    make_resolver(f, &o);
    result res;
    resolve(f, "ttl1.ossio.test", 443, &res);
    assert_int_equal(res.st, OSSIO_OK);
    assert_int_equal(ossio__resolver_queries_sent(f->r), 1);

    f->fake_now = 1000.5; /* within TTL 1: cached, still deferred */
    resolve(f, "TTL1.ossio.test", 8080, &res);
    assert_int_equal(res.st, OSSIO_OK);
    assert_int_equal(res.addrs.n, 1);
    assert_string_equal(fmt(&res.addrs, 0), "127.0.0.1:8080");
    assert_int_equal(ossio__resolver_queries_sent(f->r), 1);

    f->fake_now = 1002; /* expired */
    resolve(f, "ttl1.ossio.test", 443, &res);
    assert_int_equal(res.st, OSSIO_OK);
    assert_int_equal(ossio__resolver_queries_sent(f->r), 2);

    /* Errors are not cached. */
    resolve(f, "nope.ossio.test", 443, &res);
    resolve(f, "nope.ossio.test", 443, &res);
    assert_int_equal(res.st, OSSIO_EDNS);
    assert_int_equal(ossio__resolver_queries_sent(f->r), 4);

    /* TTL 60 is capped at cache_max_ttl_s; flush drops one host or all. */
    resolve(f, "a.oss.localhost", 443, &res);
    resolve(f, "b.oss.localhost", 443, &res);
    assert_int_equal(ossio__resolver_queries_sent(f->r), 6);
    f->fake_now = 1059;
    resolve(f, "a.oss.localhost", 443, &res);
    resolve(f, "b.oss.localhost", 443, &res);
    assert_int_equal(ossio__resolver_queries_sent(f->r), 6);
    ossio__resolver_flush(f->r, "A.oss.localhost");
    resolve(f, "b.oss.localhost", 443, &res);
    assert_int_equal(ossio__resolver_queries_sent(f->r), 6);
    resolve(f, "a.oss.localhost", 443, &res);
    assert_int_equal(ossio__resolver_queries_sent(f->r), 7);
    ossio__resolver_flush(f->r, NULL);
    resolve(f, "b.oss.localhost", 443, &res);
    assert_int_equal(ossio__resolver_queries_sent(f->r), 8);
}

static void test_cache_max_ttl(void **state)
{
    fixture *f = *state;
    f->fake_now = 50;
    ossio__resolver_opts o = {.cache_max_ttl_s = 1, .now = fake_clock, .now_ud = f};
    make_resolver(f, &o);
    result res;
    resolve(f, "a.oss.localhost", 443, &res);
    f->fake_now = 50.9;
    resolve(f, "a.oss.localhost", 443, &res);
    assert_int_equal(ossio__resolver_queries_sent(f->r), 1);
    f->fake_now = 51.1; /* record TTL is 60, the cap 1 */
    resolve(f, "a.oss.localhost", 443, &res);
    assert_int_equal(ossio__resolver_queries_sent(f->r), 2);
}

static void test_cancel(void **state)
{
    fixture *f = *state;
    ossio__resolver_opts o = {.cache_max_ttl_s = 60};
    make_resolver(f, &o);
    result a;
    result lit;
    result later;
    ossio__resolve_cancel(start(f, "a.oss.localhost", 443, &a));
    ossio__resolve_cancel(start(f, "127.0.0.1", 443, &lit));
    (void)start(f, "b.oss.localhost", 443, &later);
    wait_for(f, &later);
    assert_int_equal(later.st, OSSIO_OK);
    assert_loop_idle(f->loop); /* also lets the cancelled query's answer arrive */
    assert_int_equal(a.calls, 0);
    assert_int_equal(lit.calls, 0);
    /* A cancelled query's answer still fills the cache. */
    resolve(f, "a.oss.localhost", 443, &a);
    assert_int_equal(ossio__resolver_queries_sent(f->r), 2);
    /* Cancelled while c-ares still waits, then destroyed: never called. */
    result slow;
    ossio__resolve_cancel(start(f, "slow.ossio.test", 443, &slow));
    ossio__resolver_destroy(f->r);
    f->r = NULL;
    assert_int_equal(slow.calls, 0);
}

static void test_destroy_pending(void **state)
{
    fixture *f = *state;
    ossio__resolver_opts o = {.timeout_ms = 30000};
    make_resolver(f, &o);
    result slow[3];
    result lit;
    for (int i = 0; i < 3; i++) {
        (void)start(f, "slow.ossio.test", 443, &slow[i]);
    }
    (void)start(f, "[::1]", 443, &lit);
    wait_for(f, &lit);
    (void)start(f, "[::1]", 443, &lit); /* pending delivery, not yet run */
    ossio__resolver_destroy(f->r);
    f->r = NULL;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(slow[i].calls, 1);
        assert_int_equal(slow[i].st, OSSIO_ECANCELED);
    }
    assert_int_equal(lit.calls, 1);
    assert_int_equal(lit.st, OSSIO_ECANCELED);
    assert_loop_idle(f->loop);
}

static void destroy_from_callback(void *ud, ossio_status st, const ossio__addrs *addrs)
{
    (void)addrs;
    fixture *f = ud;
    assert_int_equal(st, OSSIO_OK);
    ossio__resolver_destroy(f->r);
    f->r = NULL;
}

static void test_destroy_from_callback(void **state)
{
    fixture *f = *state;
    ossio__resolver_opts o = {0};
    make_resolver(f, &o);
    result other;
    ossio_status err;
    assert_non_null(ossio__resolve(f->r, "a.oss.localhost", 443, destroy_from_callback, f, &err));
    (void)start(f, "slow.ossio.test", 443, &other);
    wait_for(f, &other);
    assert_null(f->r);
    assert_int_equal(other.st, OSSIO_ECANCELED);
}

/* servers = "127.0.0.1:<OSSIO_EP_PORT_DNS from endpoint.env>". */
static int read_endpoint(void)
{
    const char *dir = getenv("OSSIO_ENDPOINT_STATE");
    if (!dir) {
        fprintf(stderr, "OSSIO_ENDPOINT_STATE is not set (run through ctest)\n");
        return -1;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/endpoint.env", dir);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        perror(path);
        return -1;
    }
    char line[1024];
    unsigned port = 0;
    while (fgets(line, sizeof(line), fp)) {
        if (sscanf(line, "OSSIO_EP_PORT_DNS=%u", &port) == 1) {
            break;
        }
    }
    fclose(fp);
    if (port == 0 || port > 65535) {
        fprintf(stderr, "%s: no OSSIO_EP_PORT_DNS\n", path);
        return -1;
    }
    snprintf(servers, sizeof(servers), "127.0.0.1:%u", port);
    return 0;
}

int main(void)
{
    if (read_endpoint() != 0) {
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nxdomain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multi_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v6_and_dual, setup, teardown),
        cmocka_unit_test_setup_teardown(test_literals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_args, setup, teardown),
        cmocka_unit_test_setup_teardown(test_override_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_ttl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_max_ttl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy_from_callback, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
