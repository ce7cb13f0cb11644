/* Address choice and set-aside for one origin (docs/transport.md, "Every
 * address"): round-robin placement, a doubling backoff, and the rate check. */
#include "transport/addrs.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

void ossio__addrs_init(ossio__addr_table *t, double base_backoff)
{
    memset(t, 0, sizeof(*t));
    t->base_backoff = base_backoff;
}

static int same(const ossio__addr *a, const struct sockaddr_storage *sa, socklen_t len)
{
    return a->len == len && memcmp(&a->sa, sa, len) == 0;
}

/* The slot a new address takes: a free one, else one DNS no longer returns
 * and no connection uses; -1 when there is none. */
static int free_slot(ossio__addr_table *t)
{
    if (t->n < OSSIO__ADDRS_MAX) {
        return (int)t->n++;
    }
    for (size_t i = 0; i < t->n; i++) {
        if (!t->a[i].current && t->a[i].conns == 0) {
            return (int)i;
        }
    }
    return -1;
}

static int find(const ossio__addr_table *t, const struct sockaddr_storage *sa, socklen_t len)
{
    for (size_t i = 0; i < t->n; i++) {
        if (same(&t->a[i], sa, len)) {
            return (int)i;
        }
    }
    return -1;
}

void ossio__addrs_update(ossio__addr_table *t, const ossio__addrs *dns)
{
    int in_answer[OSSIO__ADDRS_MAX] = {0};
    for (size_t k = 0; k < dns->n; k++) {
        int i = find(t, &dns->addr[k], dns->len[k]);
        if (i >= 0) {
            in_answer[i] = 1;
        }
    }
    for (size_t i = 0; i < t->n; i++) {
        t->a[i].current = in_answer[i];
    }
    for (size_t k = 0; k < dns->n; k++) {
        if (find(t, &dns->addr[k], dns->len[k]) >= 0) {
            continue;
        }
        int i = free_slot(t);
        if (i < 0) {
            continue; /* full of addresses in use: this one waits for a later answer */
        }
        ossio__addr *a = &t->a[i];
        memset(a, 0, sizeof(*a));
        memcpy(&a->sa, &dns->addr[k], dns->len[k]);
        a->len = dns->len[k];
        a->backoff = t->base_backoff;
        a->current = 1;
    }
}

int ossio__addrs_pick(ossio__addr_table *t, double now, uint32_t tried)
{
    int fallback = -1;
    int pick = -1;
    for (size_t k = 0; k < t->n && pick < 0; k++) {
        size_t i = (t->next + k) % t->n;
        const ossio__addr *a = &t->a[i];
        if (!a->current || (tried & (UINT32_C(1) << i))) {
            continue;
        }
        if (a->aside_until <= now) {
            pick = (int)i;
        } else if (fallback < 0 || a->aside_until < t->a[fallback].aside_until) {
            fallback = (int)i;
        }
    }
    if (pick < 0) {
        pick = fallback;
    }
    if (pick >= 0) {
        t->next = ((size_t)pick + 1) % t->n;
        t->a[pick].conns++;
    }
    return pick;
}

void ossio__addrs_release(ossio__addr_table *t, int i)
{
    if (i >= 0 && (size_t)i < t->n && t->a[i].conns > 0) {
        t->a[i].conns--;
    }
}

void ossio__addrs_opened(ossio__addr_table *t, int i)
{
    if (i >= 0 && (size_t)i < t->n) {
        t->a[i].opened++;
    }
}

static void set_aside(ossio__addr_table *t, ossio__addr *a, double now)
{
    (void)t;
    if (a->aside_until > now) {
        return; /* already: concurrent failures do not stack */
    }
    a->aside_until = now + a->backoff;
    a->set_asides++;
    double cap = t->base_backoff * OSSIO__ADDRS_BACKOFF_CAP;
    a->backoff = a->backoff * 2 < cap ? a->backoff * 2 : cap;
    a->rate_bytes = 0; /* judged afresh when it is back */
    a->rate_secs = 0;
    a->rate_n = 0;
}

void ossio__addrs_failed(ossio__addr_table *t, int i, double now)
{
    if (i < 0 || (size_t)i >= t->n) {
        return;
    }
    t->a[i].failures++;
    set_aside(t, &t->a[i], now);
}

static double rate(const ossio__addr *a)
{
    return a->rate_secs > 0 ? (double)a->rate_bytes / a->rate_secs : 0;
}

/* Sets |i| aside if its rate is under 1/SLOW_FACTOR of the median of the
 * other addresses' (each measured enough; the lower median of an even
 * count): the median, so that one fast outlier does not condemn the rest. */
static void check_slow(ossio__addr_table *t, int i, double now)
{
    if (t->a[i].rate_n < OSSIO__ADDRS_SLOW_MIN_SAMPLES) {
        return;
    }
    double others[OSSIO__ADDRS_MAX];
    size_t n = 0;
    size_t usable = 0; /* other current addresses not set aside */
    for (size_t k = 0; k < t->n; k++) {
        const ossio__addr *o = &t->a[k];
        if ((int)k == i || !o->current) {
            continue;
        }
        usable += o->aside_until <= now;
        if (o->rate_n < OSSIO__ADDRS_SLOW_MIN_SAMPLES) {
            continue;
        }
        size_t j = n++; /* insertion sort: at most 16 */
        for (; j > 0 && others[j - 1] > rate(o); j--) {
            others[j] = others[j - 1];
        }
        others[j] = rate(o);
    }
    /* Judged only once most of the others are measured, not against the first one. */
    if (n > 0 && 2 * n >= usable &&
        rate(&t->a[i]) * OSSIO__ADDRS_SLOW_FACTOR < others[(n - 1) / 2]) {
        set_aside(t, &t->a[i], now);
    }
}

void ossio__addrs_request_done(ossio__addr_table *t, int i, uint64_t bytes, double secs, int ok,
                               double now)
{
    if (i < 0 || (size_t)i >= t->n) {
        return;
    }
    ossio__addr *a = &t->a[i];
    a->requests++;
    a->bytes += bytes;
    if (!ok) {
        return;
    }
    if (a->aside_until <= now) {
        a->backoff = t->base_backoff; /* it answers again: forget past failures */
    }
    if (bytes < OSSIO__ADDRS_SLOW_MIN_BYTES || secs <= 0) {
        return;
    }
    a->rate_bytes += bytes;
    a->rate_secs += secs;
    a->rate_n++;
    check_slow(t, i, now);
}

int ossio__addrs_aside(const ossio__addr_table *t, int i, double now)
{
    return i >= 0 && (size_t)i < t->n && t->a[i].aside_until > now;
}

void ossio__addrs_name(const ossio__addr_table *t, int i, char *buf, size_t len)
{
    snprintf(buf, len, "?");
    if (i < 0 || (size_t)i >= t->n) {
        return;
    }
    const struct sockaddr_storage *sa = &t->a[i].sa;
    if (sa->ss_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len);
    } else if (sa->ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)len);
    }
}
