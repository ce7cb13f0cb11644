/* Results of several processes of one bench run (ossio-mpi) made into one:
 * histograms merged bucket by bucket, as IOR and warp's distributed mode
 * aggregate their clients, so the percentiles are those of all operations. */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

uint64_t bench_share(uint64_t n, unsigned rank, unsigned ranks)
{
    if (ranks <= 1) {
        return n;
    }
    return n / ranks + (rank < n % ranks ? 1 : 0);
}

void bench_hist_merge(bench_hist *into, const bench_hist *from)
{
    for (size_t b = 0; b < BENCH_HIST_BUCKETS; b++) {
        into->counts[b] += from->counts[b];
    }
    into->n += from->n;
    into->sum_s += from->sum_s;
    if (from->max_s > into->max_s) {
        into->max_s = from->max_s;
    }
}

static void merge_status(bench_stats *into, ossio_status st, uint64_t n)
{
    for (int i = 0; i < into->n_status; i++) {
        if (into->status[i] == st) {
            into->status_count[i] += n;
            return;
        }
    }
    if (into->n_status < BENCH_MAX_STATUS) {
        into->status[into->n_status] = st;
        into->status_count[into->n_status++] = n;
    }
}

static void merge_stats(bench_stats *into, const bench_stats *from)
{
    into->ops += from->ops;
    into->errors += from->errors;
    into->bytes += from->bytes;
    into->retries += from->retries;
    bench_hist_merge(&into->lat, &from->lat);
    for (int i = 0; i < from->n_status; i++) {
        merge_status(into, from->status[i], from->status_count[i]);
    }
}

/* Grows |r|'s timeline to |n| slots (new ones zero). */
static int grow_slots(bench_result *r, size_t n)
{
    if (n > r->cap_slots) {
        uint64_t *b = realloc(r->slot_bytes, n * sizeof(*b));
        if (b == NULL) {
            return -1;
        }
        r->slot_bytes = b;
        uint64_t *o = realloc(r->slot_ops, n * sizeof(*o));
        if (o == NULL) {
            return -1;
        }
        r->slot_ops = o;
        memset(b + r->cap_slots, 0, (n - r->cap_slots) * sizeof(*b));
        memset(o + r->cap_slots, 0, (n - r->cap_slots) * sizeof(*o));
        r->cap_slots = n;
    }
    if (n > r->n_slots) {
        r->n_slots = n;
    }
    return 0;
}

int bench_result_merge(bench_result *into, const bench_result *from)
{
    for (int k = 0; k < BENCH_KINDS; k++) {
        merge_stats(&into->kind[k], &from->kind[k]);
    }
    into->list_entries += from->list_entries;
    into->seconds = from->seconds > into->seconds ? from->seconds : into->seconds;
    into->cpu_s += from->cpu_s;
    if (from->peak_rss_mib > into->peak_rss_mib) {
        into->peak_rss_mib = from->peak_rss_mib;
    }
    if (into->protocol == NULL) {
        into->protocol = from->protocol;
    }
    into->conns_opened += from->conns_opened;
    into->conns_h2 += from->conns_h2;
    into->conns_h1 += from->conns_h1;
    into->replayed += from->replayed;
    into->keys += from->keys; /* the ranks' shares of a key set are disjoint */
    if (grow_slots(into, from->n_slots) != 0) {
        return -1;
    }
    for (size_t i = 0; i < from->n_slots; i++) {
        into->slot_bytes[i] += from->slot_bytes[i];
        into->slot_ops[i] += from->slot_ops[i];
    }
    return 0;
}
