/* ossio bench's latency record: a log-bucketed histogram (16 buckets per
 * power of two of microseconds) and the per-kind counters of a run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static size_t bucket_of(double seconds)
{
    double us = seconds * 1e6;
    if (!(us >= 1.0)) {
        return 0;
    }
    int e = 0;
    double m = frexp(us, &e); /* us = m * 2^e, m in [0.5, 1) */
    long b = (long)(e - 1) * BENCH_HIST_SUB + (long)((m * 2.0 - 1.0) * BENCH_HIST_SUB);
    return b >= BENCH_HIST_BUCKETS ? BENCH_HIST_BUCKETS - 1 : (size_t)b;
}

/* Upper edge of bucket |b|, seconds. */
static double bucket_top(size_t b)
{
    double e = (double)(b / BENCH_HIST_SUB);
    double sub = (double)(b % BENCH_HIST_SUB) + 1.0;
    return ldexp(1.0 + sub / BENCH_HIST_SUB, (int)e) * 1e-6;
}

void bench_hist_add(bench_hist *h, double seconds)
{
    if (seconds < 0) {
        seconds = 0;
    }
    h->counts[bucket_of(seconds)]++;
    h->n++;
    h->sum_s += seconds;
    if (seconds > h->max_s) {
        h->max_s = seconds;
    }
}

double bench_hist_quantile(const bench_hist *h, double q)
{
    if (h->n == 0) {
        return 0;
    }
    uint64_t rank = (uint64_t)ceil(q * (double)h->n);
    rank = rank == 0 ? 1 : rank;
    uint64_t seen = 0;
    for (size_t b = 0; b < BENCH_HIST_BUCKETS; b++) {
        seen += h->counts[b];
        if (seen >= rank) {
            double top = bucket_top(b);
            return top < h->max_s ? top : h->max_s;
        }
    }
    return h->max_s;
}

const char *bench_kind_name(bench_kind k)
{
    static const char *const names[] = {"get", "put", "delete", "list"};
    return k < BENCH_KINDS ? names[k] : "?";
}

static void add_slot(bench_result *r, double at_s, uint64_t bytes)
{
    size_t i = at_s > 0 ? (size_t)(at_s / BENCH_SLOT_S) : 0;
    if (i >= r->cap_slots) {
        size_t cap = r->cap_slots ? r->cap_slots : 64;
        while (cap <= i) {
            cap *= 2;
        }
        uint64_t *b = realloc(r->slot_bytes, cap * sizeof(*b));
        if (b == NULL) {
            return;
        }
        r->slot_bytes = b;
        uint64_t *o = realloc(r->slot_ops, cap * sizeof(*o));
        if (o == NULL) {
            return;
        }
        r->slot_ops = o;
        memset(b + r->cap_slots, 0, (cap - r->cap_slots) * sizeof(*b));
        memset(o + r->cap_slots, 0, (cap - r->cap_slots) * sizeof(*o));
        r->cap_slots = cap;
    }
    r->slot_bytes[i] += bytes;
    r->slot_ops[i]++;
    if (i + 1 > r->n_slots) {
        r->n_slots = i + 1;
    }
}

void bench_record(bench_result *r, bench_kind k, const ossio_result *res, uint64_t bytes,
                  double latency_s, double at_s)
{
    bench_stats *s = &r->kind[k];
    s->ops++;
    s->retries += res->retries;
    if (res->protocol != NULL) {
        r->protocol = strcmp(res->protocol, "h2") == 0 ? "h2" : "http/1.1";
    }
    if (res->status == OSSIO_OK) {
        s->bytes += bytes;
        bench_hist_add(&s->lat, latency_s);
        add_slot(r, at_s, bytes);
        return;
    }
    s->errors++;
    for (int i = 0; i < s->n_status; i++) {
        if (s->status[i] == res->status) {
            s->status_count[i]++;
            return;
        }
    }
    if (s->n_status < BENCH_MAX_STATUS) {
        s->status[s->n_status] = res->status;
        s->status_count[s->n_status++] = 1;
    }
}

void bench_result_free(bench_result *r)
{
    free(r->slot_bytes);
    free(r->slot_ops);
    r->slot_bytes = r->slot_ops = NULL;
    r->n_slots = r->cap_slots = 0;
    free(r->addrs);
    r->addrs = NULL;
    r->n_addrs = 0;
}

uint64_t bench_total(const bench_result *r, int bytes)
{
    uint64_t n = 0;
    for (int k = 0; k < BENCH_KINDS; k++) {
        n += bytes ? r->kind[k].bytes : r->kind[k].ops;
    }
    return n;
}

uint64_t bench_errors(const bench_result *r)
{
    uint64_t n = 0;
    for (int k = 0; k < BENCH_KINDS; k++) {
        n += r->kind[k].errors;
    }
    return n;
}
