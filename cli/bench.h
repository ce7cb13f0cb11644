/* ossio bench: the pieces shared by cmd_bench.c (options, setup, cleanup),
 * bench_run.c (the workloads on the loop), bench_hist.c (latency histogram),
 * bench_merge.c (results of several processes) and bench_report.c (text,
 * JSON and the gnuplot chart) and bench_keys.c (the key sets get reads).
 * ossio-mpi's bench (mpi/) is made of them too. */
#ifndef OSSIO_CLI_BENCH_H
#define OSSIO_CLI_BENCH_H

#include <stdint.h>

#include "cli.h"

/* ---- bench_hist.c: log-bucketed latency histogram ---------------------------- */

/* 16 buckets per power of two from 1 µs up to ~2^31 µs (≈ 36 min): a value
 * lands in a bucket at most 1/16 (6.25 %) wider than itself. */
#define BENCH_HIST_SUB 16
#define BENCH_HIST_BUCKETS (32 * BENCH_HIST_SUB)

typedef struct bench_hist {
    uint64_t counts[BENCH_HIST_BUCKETS];
    uint64_t n;
    double sum_s, max_s;
} bench_hist;

void bench_hist_add(bench_hist *h, double seconds);
/* The q-quantile (0..1) in seconds: the upper edge of the bucket holding it,
 * never above the largest value seen (so p50 <= p90 <= p99 <= max). 0 when empty. */
double bench_hist_quantile(const bench_hist *h, double q);

/* ---- the result of a run ------------------------------------------------------ */

typedef enum bench_kind { BENCH_GET, BENCH_PUT, BENCH_DELETE, BENCH_LIST, BENCH_KINDS } bench_kind;

const char *bench_kind_name(bench_kind k);

#define BENCH_MAX_STATUS 16

typedef struct bench_stats {
    uint64_t ops;     /* completed, ok or not */
    uint64_t errors;  /* of those, failed */
    uint64_t bytes;   /* payload bytes of the successful ones */
    uint64_t retries; /* backoff retries (ossio_result.retries) */
    bench_hist lat;   /* latency of the successful ones */
    int n_status;
    ossio_status status[BENCH_MAX_STATUS]; /* errors by status */
    uint64_t status_count[BENCH_MAX_STATUS];
} bench_stats;

/* Throughput over time: bytes and ops completed in each slot of BENCH_SLOT_S. */
#define BENCH_SLOT_S 0.1

typedef struct bench_result {
    const char *workload;
    bench_stats kind[BENCH_KINDS];
    uint64_t list_entries;
    double seconds; /* the measured phase, first submit to last completion */
    double cpu_s;   /* getrusage user+sys over the measured phase */
    double peak_rss_mib;
    const char *protocol; /* of the last completed operation (static string) */
    uint64_t conns_opened, conns_h2, conns_h1, replayed;
    ossio_addr_stat *addrs; /* owned; per server address (not merged over ranks) */
    size_t n_addrs;
    uint64_t *slot_bytes, *slot_ops;
    size_t n_slots, cap_slots;
    unsigned ranks; /* processes merged into it (ossio-mpi); 0: one, and not reported */
    uint64_t keys;  /* a key set's distinct keys read (ranks: summed, their shares are apart) */
} bench_result;

void bench_record(bench_result *r, bench_kind k, const ossio_result *res, uint64_t bytes,
                  double latency_s, double at_s);
void bench_result_free(bench_result *r);
uint64_t bench_total(const bench_result *r, int bytes); /* total bytes (1) or ops (0) */
uint64_t bench_errors(const bench_result *r);

/* ---- bench_addrs.c: the per-address lines of the report ------------------------ */

/* Copies every address's counters of |cl| into |r| (none when out of memory). */
void bench_addrs_collect(ossio_client *cl, bench_result *r);
/* One "address" line each, for the text report. */
void bench_addrs_text(FILE *f, const bench_result *r);
/* "addresses": [{...}, ...] as a field of the JSON report |j|. */
void bench_addrs_json(FILE *f, cli_json *j, const bench_result *r);

/* ---- bench_merge.c: one result of several processes ---------------------------- */

/* Adds |from| (another process's result of the same run) into |into|:
 * counts and bytes add up, the latency histograms merge bucket by bucket (so
 * percentiles are those of every operation, never an average of
 * percentiles), errors by status add up, the timelines add slot by slot,
 * seconds and peak RSS are the largest, CPU seconds and keys read add up. 0, or -1 out of
 * memory (the timeline). */
int bench_result_merge(bench_result *into, const bench_result *from);
/* Merges histogram |from| into |into|. */
void bench_hist_merge(bench_hist *into, const bench_hist *from);
/* This process's share of |n| things split over |ranks| (0 taken as 1):
 * n / ranks, and one more for the first n % ranks. */
uint64_t bench_share(uint64_t n, unsigned rank, unsigned ranks);

/* ---- bench_run.c: the workloads ----------------------------------------------- */

typedef enum bench_workload {
    BENCH_W_GET,
    BENCH_W_PUT,
    BENCH_W_MIXED,
    BENCH_W_SMALL,
    BENCH_W_LIST,
    BENCH_W_SETUP /* untimed: PUT the objects get, mixed and list read */
} bench_workload;

/* The objects a get of a key set reads: every object under oss://b/prefix/
 * (listed first, untimed) or the lines of --keys-from FILE; full URIs, each
 * once (a file's repeated lines dropped), in listing or file order. */
typedef struct bench_keys {
    char **uris;
    uint64_t n, cap;
    const char *from; /* --keys-from's file; NULL: listed */
} bench_keys;

typedef struct bench_plan {
    bench_workload workload;
    const char *name;   /* "get", "put", ... */
    const char *object; /* get: an existing object's URI, else NULL */
    const char *base;   /* "oss://bucket/prefix/": keys the run makes */
    uint64_t size;      /* object or range size */
    int ranged;         /* get of an existing object with --size: ranged GETs */
    uint64_t part_size; /* transfers' part size */
    unsigned concurrency;
    uint64_t count;                            /* operations (small: objects); 0 with a duration */
    double duration;                           /* seconds; 0 with a count */
    unsigned ratio_get, ratio_put, ratio_list; /* mixed: shares of GET, PUT, LIST */
    uint64_t keys;       /* put, mixed: PUTs cycle over put-0 .. put-<keys-1>; 0: a new key each */
    uint64_t objects;    /* objects made by setup (obj-0 ...) */
    const uint8_t *data; /* the generated source of PUTs, |size| bytes */
    int live;            /* a status line on stderr */
    /* This process's part of a run of several (ossio-mpi), else 0 of 1: it
     * takes bench_share() of count and objects, and its i-th operation is
     * operation i × ranks + rank of the run (which object, which key). */
    unsigned rank, ranks;
    /* get of a key set (else NULL): operation i of this process reads key
     * i mod its share (bench_keys_pick); whole GETs, --concurrency at once. */
    const bench_keys *set;
} bench_plan;

/* Runs this process's share of |p| on the cli's client and loop, filling |r|.
 * Keys written by PUTs of the put and mixed workloads are "base" +
 * "put-<n × ranks + rank>", n < *puts on return (n < p->keys when that is
 * set). */
int bench_run(cli *c, const bench_plan *p, bench_result *r, uint64_t *puts);

/* ---- cmd_bench.c: the command's pieces ---------------------------------------- */

typedef struct bench_args {
    bench_plan p;
    char base[1100], bucket_uri[128];
    const char *plot;
    int keep;
    const char *prefix;    /* without --prefix: this one (ossio-mpi: rank 0's), NULL: a new one */
    uint8_t *data;         /* owned: the generated source (bench_args_free) */
    const char *keys_from; /* --keys-from FILE */
    bench_keys set;        /* owned: get's key set, when p.set points to it */
} bench_args;

extern const cli_opt bench_options[];
extern const char bench_usage[], bench_help[];

/* Parses the command line into |b| (zeroed first but for b->prefix), sets
 * the bench's configuration defaults, creates the client and generates the
 * source bytes. 0, or the exit code after the error line. */
int bench_prepare(cli *c, const cli_args *a, bench_args *b);
void bench_args_free(bench_args *b);
/* Whether the workload reads objects the bench puts first (get, mixed, list). */
int bench_reads(const bench_plan *p);
/* Puts this process's share of the objects get, mixed and list read: untimed,
 * not in the report. 0, or the exit code after the error lines. */
int bench_setup(cli *c, const bench_plan *p);
/* Peak RSS and the client's connection counters into |r|. */
void bench_collect(cli *c, bench_result *r);
/* Prints the report (text or --json), the error summary and the --plot
 * chart; returns |rc|, or CLI_EFAIL when operations failed or the chart did. */
int bench_report(cli *c, const bench_args *b, const bench_result *r, int rc);
/* Removes what the run made under b->base (unless --keep or an existing
 * object was read); returns |rc|, or the cleanup's exit code. */
int bench_cleanup(cli *c, const bench_args *b, int rc);

/* ---- bench_keys.c: a get's key set -------------------------------------------- */

/* Fills b->set: the listing of b->base (every page; exit 3 when it holds no
 * object), or --keys-from's lines, each a full URI or a key joined to b->base
 * (exit 2 for an empty file, 1 for an unreadable one). 0, or the exit code
 * after the error line. */
int bench_keys_load(cli *c, bench_args *b);
void bench_keys_free(bench_keys *k);
/* The URI operation |i| (bench_run's numbering: local × ranks + rank) reads:
 * this process cycles over its share, the keys j × ranks + rank. */
const char *bench_keys_pick(const bench_plan *p, uint64_t i);
/* The distinct keys this process's first |ops| operations read. */
uint64_t bench_keys_used(const bench_plan *p, uint64_t ops);

/* ---- bench_report.c ----------------------------------------------------------- */

void bench_report_text(FILE *f, const bench_plan *p, const bench_result *r);
void bench_report_json(FILE *f, const bench_plan *p, const bench_result *r);
/* A PNG: throughput over time and the latency distribution per kind, drawn by
 * gnuplot. 0, or -1 after printing why (no gnuplot, gnuplot failed). */
int bench_plot(cli *c, const bench_result *r, const char *png);

#endif /* OSSIO_CLI_BENCH_H */
