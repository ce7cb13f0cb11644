/* Unit tests for the address table (src/transport/addrs.c), no network:
 * round-robin placement, set-aside with a doubling backoff, the fallback
 * when every address is set aside, DNS answers that change, the rate check. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "transport/addrs.h"

/* A DNS answer of 127.0.0.<first> .. 127.0.0.<first+n-1>. */
static ossio__addrs answer(int first, int n)
{
    ossio__addrs a;
    memset(&a, 0, sizeof(a));
    for (int i = 0; i < n; i++) {
        struct sockaddr_in *in = (struct sockaddr_in *)&a.addr[i];
        in->sin_family = AF_INET;
        in->sin_port = htons(80);
        in->sin_addr.s_addr = htonl(0x7f000000u + (uint32_t)(first + i));
        a.len[i] = sizeof(*in);
    }
    a.n = (size_t)n;
    return a;
}

static const char *name(const ossio__addr_table *t, int i)
{
    static char buf[64];
    ossio__addrs_name(t, i, buf, sizeof(buf));
    return buf;
}

/* A table with a 30 s backoff holding 127.0.0.2 .. 127.0.0.<n+1>. */
static ossio__addr_table table_of(int n)
{
    ossio__addr_table t;
    ossio__addrs_init(&t, 30);
    ossio__addrs a = answer(2, n);
    ossio__addrs_update(&t, &a);
    return t;
}

static void t_round_robin(void **state)
{
    (void)state;
    ossio__addr_table t = table_of(4);
    assert_int_equal(t.n, 4);
    /* Connection i goes to address i mod 4. */
    for (int i = 0; i < 9; i++) {
        assert_int_equal(ossio__addrs_pick(&t, 0, 0), i % 4);
    }
    assert_int_equal(t.a[0].conns, 3);
    assert_int_equal(t.a[3].conns, 2);
    ossio__addrs_release(&t, 0);
    assert_int_equal(t.a[0].conns, 2);
    assert_string_equal(name(&t, 1), "127.0.0.3");
    /* A connection never tries an address twice. */
    assert_int_equal(ossio__addrs_pick(&t, 0, 0xf), -1);
    assert_int_equal(ossio__addrs_pick(&t, 0, 0xd), 1);
}

static void t_set_aside_and_backoff(void **state)
{
    (void)state;
    ossio__addr_table t = table_of(3);
    ossio__addrs_failed(&t, 1, 100);
    assert_true(ossio__addrs_aside(&t, 1, 100));
    assert_int_equal(t.a[1].failures, 1);
    assert_int_equal(t.a[1].set_asides, 1);
    /* Skipped while set aside. */
    for (int i = 0; i < 6; i++) {
        assert_int_not_equal(ossio__addrs_pick(&t, 110, 0), 1);
    }
    /* A second failure while set aside (a concurrent connection) does not stack. */
    ossio__addrs_failed(&t, 1, 101);
    assert_int_equal(t.a[1].failures, 2);
    assert_int_equal(t.a[1].set_asides, 1);
    assert_true(t.a[1].aside_until == 130);
    /* Tried again after 30 s; failing again doubles the backoff. */
    assert_false(ossio__addrs_aside(&t, 1, 130));
    ossio__addrs_failed(&t, 1, 131);
    assert_true(t.a[1].aside_until == 191);
    ossio__addrs_failed(&t, 1, 191);
    assert_true(t.a[1].aside_until == 191 + 120);
    /* Capped at 16 times the base. */
    for (double now = 400; now < 10000; now += 1000) {
        ossio__addrs_failed(&t, 1, now);
    }
    assert_true(t.a[1].backoff == 30 * OSSIO__ADDRS_BACKOFF_CAP);
    /* A request that succeeds once it is back ends the backoff. */
    ossio__addrs_request_done(&t, 1, 10, 1, 1, 20000);
    assert_true(t.a[1].backoff == 30);
    assert_int_equal(t.a[1].requests, 1);
    assert_int_equal(t.a[1].bytes, 10);
}

static void t_all_set_aside_still_tries(void **state)
{
    (void)state;
    ossio__addr_table t = table_of(3);
    ossio__addrs_failed(&t, 0, 10);
    ossio__addrs_failed(&t, 1, 5); /* back first */
    ossio__addrs_failed(&t, 2, 20);
    assert_int_equal(ossio__addrs_pick(&t, 21, 0), 1);
    assert_int_equal(ossio__addrs_pick(&t, 21, 1u << 1), 0);
    assert_int_equal(ossio__addrs_pick(&t, 21, 3), 2);
    assert_int_equal(ossio__addrs_pick(&t, 21, 7), -1);
}

static void t_dns_changes(void **state)
{
    (void)state;
    ossio__addr_table t = table_of(2); /* .2 .3 */
    ossio__addrs_opened(&t, 0);
    ossio__addrs_failed(&t, 1, 0);
    ossio__addrs a = answer(3, 2); /* .3 .4: .2 is gone, .3 keeps its state */
    ossio__addrs_update(&t, &a);
    assert_int_equal(t.n, 3);
    assert_false(t.a[0].current);
    assert_int_equal(t.a[0].opened, 1);
    assert_true(t.a[1].current);
    assert_true(ossio__addrs_aside(&t, 1, 1));
    assert_string_equal(name(&t, 2), "127.0.0.4");
    /* Only current addresses are picked. */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(ossio__addrs_pick(&t, 1, 0), 2);
    }
    /* A full table recycles an address no longer returned and unused. */
    for (int i = 0; i < 4; i++) {
        ossio__addrs_release(&t, 2);
    }
    ossio__addrs big = answer(10, OSSIO__ADDRS_MAX);
    ossio__addrs_update(&t, &big);
    assert_int_equal(t.n, OSSIO__ADDRS_MAX);
    big.n = OSSIO__ADDRS_MAX - 1; /* everything but .25 ... */
    ossio__addrs one = answer(40, 1);
    big.addr[big.n] = one.addr[0];
    big.len[big.n] = one.len[0];
    big.n++; /* ... and .40 instead */
    ossio__addrs_update(&t, &big);
    int found = 0;
    for (size_t i = 0; i < t.n; i++) {
        found += strcmp(name(&t, (int)i), "127.0.0.40") == 0;
    }
    assert_int_equal(found, 1);
}

static void t_markedly_slow(void **state)
{
    (void)state;
    ossio__addr_table t = table_of(3);
    uint64_t mib8 = 8u << 20;
    for (int k = 0; k < OSSIO__ADDRS_SLOW_MIN_SAMPLES; k++) {
        ossio__addrs_request_done(&t, 0, mib8, 0.1, 1, 1); /* 80 MiB/s */
        ossio__addrs_request_done(&t, 1, mib8, 0.2, 1, 1); /* 40 MiB/s: not markedly */
        ossio__addrs_request_done(&t, 2, mib8, 1.0, 1, 1); /* 8 MiB/s: markedly */
    }
    assert_false(ossio__addrs_aside(&t, 0, 1));
    assert_false(ossio__addrs_aside(&t, 1, 1));
    assert_true(ossio__addrs_aside(&t, 2, 1));
    assert_int_equal(t.a[2].failures, 0); /* slow is not a failure */
    /* Small requests say nothing about throughput. */
    for (int k = 0; k < 10; k++) {
        ossio__addrs_request_done(&t, 1, 1000, 10, 1, 1);
    }
    assert_false(ossio__addrs_aside(&t, 1, 1));
    /* Failed requests count but give no rate. */
    ossio__addrs_request_done(&t, 0, 5, 100, 0, 1);
    assert_int_equal(t.a[0].requests, OSSIO__ADDRS_SLOW_MIN_SAMPLES + 1);
    assert_false(ossio__addrs_aside(&t, 0, 1));
}

/* One fast outlier does not condemn the others: the median is the yardstick. */
static void t_fast_outlier(void **state)
{
    (void)state;
    ossio__addr_table t = table_of(4);
    uint64_t mib8 = 8u << 20;
    for (int k = 0; k < 2 * OSSIO__ADDRS_SLOW_MIN_SAMPLES; k++) {
        ossio__addrs_request_done(&t, 0, mib8, 0.02, 1, 1); /* 400 MiB/s */
        for (int i = 1; i < 4; i++) {
            ossio__addrs_request_done(&t, i, mib8, 0.16, 1, 1); /* 50 MiB/s */
        }
    }
    for (int i = 0; i < 4; i++) {
        assert_false(ossio__addrs_aside(&t, i, 1));
    }
    /* Noise is judged on the whole: one slow request among fast ones is not enough. */
    ossio__addrs_request_done(&t, 1, mib8, 5.0, 1, 1);
    assert_false(ossio__addrs_aside(&t, 1, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_round_robin),
        cmocka_unit_test(t_set_aside_and_backoff),
        cmocka_unit_test(t_all_set_aside_still_tries),
        cmocka_unit_test(t_dns_changes),
        cmocka_unit_test(t_markedly_slow),
        cmocka_unit_test(t_fast_outlier),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
