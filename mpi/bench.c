/* ossio-mpi bench: ossio bench's workloads with each rank on its share of
 * the operations and objects, started together; rank 0 gathers every rank's
 * result, merges them (histograms bucket by bucket) and reports as ossio
 * bench does, plus the rank count. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "ranks.h"

/* One rank's result as it travels to rank 0: the fixed part. The timeline
 * follows as 2 × n_slots uint64 (bytes, then ops). Raw bytes: every rank
 * runs this same program (one build, one architecture). */
typedef struct wire {
    bench_stats kind[BENCH_KINDS];
    uint64_t list_entries, conns_opened, conns_h2, conns_h1, replayed, n_slots, keys;
    double seconds, cpu_s, peak_rss_mib;
    int protocol; /* 0 none, 1 h2, 2 http/1.1 */
} wire;

static void to_wire(const bench_result *r, wire *w)
{
    memset(w, 0, sizeof(*w));
    memcpy(w->kind, r->kind, sizeof(w->kind));
    w->list_entries = r->list_entries;
    w->conns_opened = r->conns_opened;
    w->conns_h2 = r->conns_h2;
    w->conns_h1 = r->conns_h1;
    w->replayed = r->replayed;
    w->n_slots = r->n_slots;
    w->keys = r->keys;
    w->seconds = r->seconds;
    w->cpu_s = r->cpu_s;
    w->peak_rss_mib = r->peak_rss_mib;
    w->protocol = r->protocol == NULL ? 0 : strcmp(r->protocol, "h2") == 0 ? 1 : 2;
}

/* |w| as a result whose timeline points into |slots| (not owned). */
static void from_wire(const wire *w, uint64_t *slots, bench_result *r)
{
    static const char *const protocols[] = {NULL, "h2", "http/1.1"};
    memset(r, 0, sizeof(*r));
    memcpy(r->kind, w->kind, sizeof(r->kind));
    r->list_entries = w->list_entries;
    r->conns_opened = w->conns_opened;
    r->conns_h2 = w->conns_h2;
    r->conns_h1 = w->conns_h1;
    r->replayed = w->replayed;
    r->keys = w->keys;
    r->seconds = w->seconds;
    r->cpu_s = w->cpu_s;
    r->peak_rss_mib = w->peak_rss_mib;
    r->protocol = protocols[w->protocol >= 0 && w->protocol <= 2 ? w->protocol : 0];
    r->n_slots = r->cap_slots = (size_t)w->n_slots;
    r->slot_bytes = slots;
    r->slot_ops = slots + w->n_slots;
}

/* Rank 0's side of the gather: every rank's result merged into |total|. */
static int merge_all(const wire *heads, int size, uint64_t *slots, const int *displs,
                     bench_result *total)
{
    for (int i = 0; i < size; i++) {
        bench_result one;
        from_wire(&heads[i], slots + displs[i], &one);
        if (bench_result_merge(total, &one) != 0) {
            return -1;
        }
    }
    total->ranks = (unsigned)size;
    return 0;
}

/* Rank 0's buffers for the timelines, from the gathered heads. */
typedef struct landing {
    int *counts, *displs;
    uint64_t *slots;
} landing;

static int land(landing *l, const wire *heads, int size)
{
    l->counts = calloc((size_t)size, sizeof(int));
    l->displs = calloc((size_t)size, sizeof(int));
    size_t all = 0;
    for (int i = 0; l->counts != NULL && l->displs != NULL && i < size; i++) {
        l->counts[i] = (int)(2 * heads[i].n_slots);
        l->displs[i] = (int)all;
        all += 2 * heads[i].n_slots;
    }
    l->slots = malloc((all + 1) * sizeof(uint64_t));
    return l->counts != NULL && l->displs != NULL && l->slots != NULL ? 0 : 1;
}

/* Collective: every rank's |r| to rank 0, merged there into |total|. 0, or
 * -1 on every rank when one ran out of memory (then nothing is reported). */
static int gather(const bench_result *r, bench_result *total)
{
    int rank = ranks_rank(), size = ranks_size();
    size_t n = r->n_slots;
    uint64_t *out = malloc((2 * n + 1) * sizeof(*out));
    wire mine;
    to_wire(r, &mine);
    for (size_t i = 0; out != NULL && i < n; i++) {
        out[i] = r->slot_bytes[i];
        out[n + i] = r->slot_ops[i];
    }
    wire *heads = rank == 0 ? calloc((size_t)size, sizeof(*heads)) : NULL;
    landing l = {0};
    /* Each collective only when every rank can take part in it. */
    int rc = ranks_agree(out == NULL || (rank == 0 && heads == NULL));
    if (rc == 0) {
        MPI_Gather(&mine, (int)sizeof(mine), MPI_BYTE, heads, (int)sizeof(mine), MPI_BYTE, 0,
                   MPI_COMM_WORLD);
        rc = ranks_agree(rank == 0 ? land(&l, heads, size) : 0);
    }
    if (rc == 0) {
        MPI_Gatherv(out, (int)(2 * n), MPI_UINT64_T, l.slots, l.counts, l.displs, MPI_UINT64_T, 0,
                    MPI_COMM_WORLD);
        if (rank == 0) {
            rc = merge_all(heads, size, l.slots, l.displs, total);
        }
    }
    free(out);
    free(l.counts);
    free(l.displs);
    free(l.slots);
    free(heads);
    return rc == 0 ? 0 : -1;
}

/* Rank 0's default prefix for all: one run, one set of keys. */
static void shared_prefix(char *prefix, size_t len)
{
    if (ranks_rank() == 0) {
        snprintf(prefix, len, "ossio-bench-%ld-%ld", (long)getpid(), (long)time(NULL));
    }
    MPI_Bcast(prefix, (int)len, MPI_CHAR, 0, MPI_COMM_WORLD);
}

/* A key set (get of oss://b/prefix/ or --keys-from): every rank listed or
 * read it itself; they go on only with the same number of keys and one key
 * at least for each rank, whose share is the keys j × ranks + rank. */
static int same_keys(cli *c, const bench_plan *p)
{
    uint64_t n = p->set->n, lo = 0, hi = 0;
    MPI_Allreduce(&n, &lo, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(&n, &hi, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    if (lo != hi) {
        char why[120];
        snprintf(why, sizeof(why), "the ranks found different key sets (%llu to %llu keys)",
                 (unsigned long long)lo, (unsigned long long)hi);
        return ranks_rank() == 0 ? cli_fail_status(c, p->base, OSSIO_EINVAL, why) : CLI_EFAIL;
    }
    if (n < p->ranks) {
        return cli_usage_error(c, "%llu keys for %u ranks: each rank needs one key at least",
                               (unsigned long long)n, p->ranks);
    }
    return 0;
}

/* The measured phase: all ranks start together, rank 0 reports for all. */
static int measure(cli *c, const bench_args *b)
{
    bench_result r = {0}, total = {0};
    MPI_Barrier(MPI_COMM_WORLD);
    int rc = bench_run(c, &b->p, &r, NULL);
    bench_collect(c, &r);
    if (gather(&r, &total) != 0) {
        rc = cli_fail_status(c, NULL, OSSIO_ENOMEM, "cannot gather the ranks' results");
    } else if (ranks_rank() == 0) {
        rc = bench_report(c, b, &total, rc);
    }
    bench_result_free(&r);
    bench_result_free(&total);
    return rc;
}

static int run(cli *c, const cli_args *a)
{
    char prefix[64] = "";
    shared_prefix(prefix, sizeof(prefix));
    bench_args b = {.prefix = prefix};
    int rc = ranks_agree(bench_prepare(c, a, &b));
    if (rc != 0) {
        bench_args_free(&b);
        return rc; /* nothing made yet */
    }
    b.p.rank = (unsigned)ranks_rank();
    b.p.ranks = (unsigned)ranks_size();
    b.p.live = 0; /* one rank's progress would read as the run's */
    if (b.p.set != NULL) {
        rc = ranks_agree(same_keys(c, &b.p));
    }
    if (rc == 0 && bench_reads(&b.p)) {
        /* Every object in place before any rank reads one. */
        rc = ranks_agree(bench_setup(c, &b.p));
    }
    if (rc == 0) {
        rc = ranks_agree(measure(c, &b));
    }
    if (ranks_rank() == 0) {
        rc = bench_cleanup(c, &b, rc); /* every rank is done with the keys */
    }
    rc = ranks_agree(rc); /* one exit code, the cleanup's included */
    bench_args_free(&b);
    return c->interrupted ? CLI_EINTR : rc;
}

const cli_command ranks_cmd_bench = {
    "bench",
    bench_usage,
    "ossio bench on every rank, each on its share; rank 0 reports the aggregate",
    bench_help,
    bench_options,
    run,
};
