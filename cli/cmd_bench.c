/* ossio bench: measures an endpoint (throughput, ops/s, latency percentiles,
 * client CPU per GiB) with the get, put, mixed, small and list workloads;
 * here the options, the objects made before and removed after the run. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

enum {
    OPT_DURATION,
    OPT_COUNT,
    OPT_SIZE,
    OPT_PART_SIZE,
    OPT_CONCURRENCY,
    OPT_CONNECTIONS,
    OPT_PREFIX,
    OPT_KEEP,
    OPT_RATIO,
    OPT_OBJECTS,
    OPT_PLOT,
    OPT_KEYS,
    OPT_KEYS_FROM
};

const cli_opt bench_options[] = {
    {OPT_DURATION, 0, "duration", 1},
    {OPT_COUNT, 'n', "count", 1},
    {OPT_SIZE, 0, "size", 1},
    {OPT_PART_SIZE, 0, "part-size", 1},
    {OPT_CONCURRENCY, 'c', "concurrency", 1},
    {OPT_CONNECTIONS, 0, "connections", 1},
    {OPT_PREFIX, 0, "prefix", 1},
    {OPT_KEEP, 0, "keep", 0},
    {OPT_RATIO, 0, "ratio", 1},
    {OPT_OBJECTS, 0, "objects", 1},
    {OPT_PLOT, 0, "plot", 1},
    {OPT_KEYS, 0, "keys", 1},
    {OPT_KEYS_FROM, 0, "keys-from", 1},
    {-1, 0, NULL, 0},
};

static const struct {
    const char *name;
    bench_workload w;
} workloads[] = {
    {"get", BENCH_W_GET},     {"put", BENCH_W_PUT},   {"mixed", BENCH_W_MIXED},
    {"small", BENCH_W_SMALL}, {"list", BENCH_W_LIST},
};

/* A configuration default of the bench (the user's -D wins). */
static int set_default(cli *c, const char *key, const char *value)
{
    for (size_t i = 0; i < c->n_settings; i++) {
        if (strcmp(c->settings[i][0], key) == 0) {
            return 0;
        }
    }
    if (c->n_settings >= CLI_MAX_SETTINGS) {
        return cli_usage_error(c, "too many settings");
    }
    c->settings[c->n_settings][0] = key;
    c->settings[c->n_settings][1] = value;
    c->n_settings++;
    return 0;
}

/* Bytes that neither compress nor repeat within a part (xorshift64). */
static uint8_t *generate(uint64_t size)
{
    uint8_t *d = malloc(size ? (size_t)size : 1);
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (uint64_t i = 0; d != NULL && i < size; i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t n = size - i < 8 ? (size_t)(size - i) : 8;
        memcpy(d + i, &x, n);
    }
    return d;
}

/* Keys the bench makes: obj-N, put-N, small-N directly under the prefix. */
static int ours(const char *rest)
{
    static const char *const names[] = {"obj-", "put-", "small-"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(names[i]);
        if (strncmp(rest, names[i], n) == 0 && rest[n] != '\0' &&
            strspn(rest + n, "0123456789") == strlen(rest + n)) {
            return 1;
        }
    }
    return 0;
}

typedef struct sweep {
    ossio_op *del;
    size_t skip; /* bytes of the key before the prefix's end */
    uint64_t n;
} sweep;

static int on_entry(ossio_op *op, const ossio_list_entry *e, void *ud)
{
    (void)op;
    sweep *s = ud;
    if (!e->is_prefix && strlen(e->key) > s->skip && ours(e->key + s->skip)) {
        if (ossio_op_add_key(s->del, e->key) != OSSIO_OK) {
            return 1;
        }
        s->n++;
    }
    return 0;
}

/* Removes what the run made under |base| (listed, then DeleteMultipleObjects). */
static int sweep_prefix(cli *c, const char *base, const char *bucket_uri)
{
    sweep s = {0};
    const char *key = strchr(base + strlen("oss://"), '/');
    s.skip = key != NULL ? strlen(key + 1) : 0;
    ossio_op *list = NULL;
    int interrupted = c->interrupted;
    c->interrupted = 0; /* after Ctrl-C the objects still go */
    int rc = cli_op_new(c, &s.del, OSSIO_OP_DELETE_MANY, bucket_uri);
    if (rc == 0) {
        rc = cli_op_new(c, &list, OSSIO_OP_LIST, base);
    }
    if (rc == 0) {
        ossio_op_set_callbacks(list, NULL, on_entry, &s);
        rc = cli_op_run(c, list, base, NULL, NULL);
    }
    if (rc == 0 && s.n > 0) {
        rc = cli_op_run(c, s.del, bucket_uri, NULL, NULL);
        s.del = NULL;
    }
    ossio_op_free(s.del);
    c->interrupted = interrupted;
    return rc;
}

static void summary_error(const cli *c, const char *uri, const bench_result *r)
{
    fprintf(stderr, "%s: bench %s: %" PRIu64 " of %" PRIu64 " operations failed (", c->tag, uri,
            bench_errors(r), bench_total(r, 0));
    const char *sep = "";
    for (int k = 0; k < BENCH_KINDS; k++) {
        for (int i = 0; i < r->kind[k].n_status; i++) {
            fprintf(stderr, "%s%s %s %" PRIu64, sep, bench_kind_name((bench_kind)k),
                    ossio_status_name(r->kind[k].status[i]), r->kind[k].status_count[i]);
            sep = ", ";
        }
    }
    fputs(")\n", stderr);
}

/* The prefix of the objects the run makes: --prefix, else a new one. */
static int parse_prefix(cli *c, const cli_args *a, bench_args *b)
{
    const char *prefix = a->set[OPT_PREFIX] ? a->val[OPT_PREFIX] : b->prefix;
    char own[64];
    if (prefix == NULL) {
        snprintf(own, sizeof(own), "ossio-bench-%ld-%ld", (long)getpid(), (long)time(NULL));
        prefix = own;
    }
    size_t plen = strlen(prefix);
    while (plen > 0 && prefix[plen - 1] == '/') {
        plen--;
    }
    if (plen == 0 || plen > 900) {
        return cli_usage_error(c, "--prefix needs a key prefix");
    }
    snprintf(b->base, sizeof(b->base), "%s%.*s/", b->bucket_uri, (int)plen, prefix);
    b->p.base = b->base;
    return 0;
}

/* A get of a key set: oss://b/prefix/ (every object under it, listed) or
 * --keys-from FILE (keys joined to oss://b/ or oss://b/prefix/). *set: 1
 * when it is one. 0, or the exit code after the usage error. */
static int parse_set(cli *c, const cli_args *a, bench_args *b, const char *key, int *set)
{
    bench_plan *p = &b->p;
    size_t klen = strlen(key);
    int prefix = klen > 0 && key[klen - 1] == '/';
    b->keys_from = a->set[OPT_KEYS_FROM] ? a->val[OPT_KEYS_FROM] : NULL;
    *set = p->workload == BENCH_W_GET && (prefix || b->keys_from != NULL);
    if (b->keys_from != NULL && (p->workload != BENCH_W_GET || (klen > 0 && !prefix))) {
        return cli_usage_error(c,
                               "--keys-from is for get, with oss://bucket or oss://bucket/prefix/");
    }
    if (!*set) {
        return 0;
    }
    if (a->set[OPT_SIZE] || a->set[OPT_OBJECTS] || a->set[OPT_PREFIX]) {
        return cli_usage_error(c, "a key set (oss://bucket/prefix/ or --keys-from) is read in "
                                  "whole GETs: no --size, --objects or --prefix");
    }
    if (strlen(a->pos[1]) >= sizeof(b->base)) {
        return cli_usage_error(c, "'%.40s...' is too long a prefix", a->pos[1]);
    }
    snprintf(b->base, sizeof(b->base), "%s", klen > 0 ? a->pos[1] : b->bucket_uri);
    p->base = b->base;
    p->set = &b->set;
    return 0;
}

static int parse(cli *c, const cli_args *a, bench_args *b)
{
    bench_plan *p = &b->p;
    p->ranks = 1;
    if (a->npos != 2) {
        return cli_usage_error(
            c, "needs a workload (get|put|mixed|small|list) and oss://bucket[/key]");
    }
    size_t w = 0;
    while (w < sizeof(workloads) / sizeof(workloads[0]) && strcmp(workloads[w].name, a->pos[0])) {
        w++;
    }
    if (w == sizeof(workloads) / sizeof(workloads[0])) {
        return cli_usage_error(c, "unknown workload '%s' (get|put|mixed|small|list)", a->pos[0]);
    }
    p->workload = workloads[w].w;
    p->name = workloads[w].name;
    char bucket[64];
    const char *key = NULL;
    if (cli_split_uri(a->pos[1], bucket, sizeof(bucket), &key) != 0) {
        return cli_bad_uri(c, a->pos[1], "expected oss://bucket[/prefix]");
    }
    snprintf(b->bucket_uri, sizeof(b->bucket_uri), "%.*s%s/",
             (int)(strstr(a->pos[1], "://") - a->pos[1] + 3), a->pos[1], bucket);
    int set = 0;
    int rc = parse_set(c, a, b, key, &set);
    if (rc != 0) {
        return rc;
    }
    size_t klen = strlen(key);
    int names_object = !set && klen > 0 && key[klen - 1] != '/';
    if (names_object && p->workload != BENCH_W_GET) {
        return cli_usage_error(c, "'%s' names an object: only get reads one (use --prefix)",
                               a->pos[1]);
    }
    p->object = names_object ? a->pos[1] : NULL;
    uint64_t v = 0;
    p->size = set                            ? 0 /* whole GETs: each object's size */
              : p->workload == BENCH_W_SMALL ? 64 << 10
              : p->workload == BENCH_W_LIST  ? 1024
                                             : 1 << 20;
    if (a->set[OPT_SIZE] && cli_parse_size(a->val[OPT_SIZE], 0, UINT64_C(5) << 40, &p->size) != 0) {
        return cli_usage_error(c, "--size needs bytes (k, M, G suffixes)");
    }
    p->ranged = p->object != NULL && a->set[OPT_SIZE];
    if (p->object != NULL && !p->ranged) {
        p->size = 0; /* whole GETs of an existing object: its size, learnt from the answers */
    }
    if (p->ranged && p->size == 0) {
        return cli_usage_error(c, "--size of a ranged GET must be at least 1");
    }
    p->part_size = 8 << 20;
    if (a->set[OPT_PART_SIZE] &&
        cli_parse_size(a->val[OPT_PART_SIZE], 100 << 10, UINT64_C(5) << 30, &p->part_size) != 0) {
        return cli_usage_error(c, "--part-size needs 100k to 5G");
    }
    p->concurrency = 16;
    if (a->set[OPT_CONCURRENCY]) {
        if (cli_parse_uint(a->val[OPT_CONCURRENCY], 1, 1000, &v) != 0) {
            return cli_usage_error(c, "--concurrency needs 1 to 1000");
        }
        p->concurrency = (unsigned)v;
        c->min_connections = (unsigned)v; /* HTTP/1.1: a connection per operation in flight */
    }
    if (a->set[OPT_COUNT] && cli_parse_uint(a->val[OPT_COUNT], 1, UINT64_MAX >> 1, &p->count)) {
        return cli_usage_error(c, "--count needs a number of operations");
    }
    if (a->set[OPT_DURATION]) {
        char *end = NULL;
        p->duration = strtod(a->val[OPT_DURATION], &end);
        if (end == a->val[OPT_DURATION] || *end != '\0' || !(p->duration > 0) ||
            !isfinite(p->duration) || a->set[OPT_COUNT]) {
            return cli_usage_error(c, "--duration needs seconds > 0 (and no --count)");
        }
    } else if (!a->set[OPT_COUNT] && !set) {
        p->duration = 10; /* a key set: one pass (bench_prepare) */
    }
    p->ratio_get = 1;
    p->ratio_put = 1;
    if (a->set[OPT_RATIO]) {
        unsigned g = 0, u = 0, l = 0;
        char tail = 0;
        int n = sscanf(a->val[OPT_RATIO], "%u:%u:%u%c", &g, &u, &l, &tail);
        if (n == 2) {
            n = sscanf(a->val[OPT_RATIO], "%u:%u%c", &g, &u, &tail) == 2 ? 3 : 0;
        }
        if (p->workload != BENCH_W_MIXED || n != 3 || g + u + l == 0 || g > 1000 || u > 1000 ||
            l > 1000) {
            return cli_usage_error(c, "--ratio GET:PUT[:LIST] (e.g. 70:30) is for mixed");
        }
        p->ratio_get = g;
        p->ratio_put = u;
        p->ratio_list = l;
    }
    if (a->set[OPT_KEYS] && (cli_parse_uint(a->val[OPT_KEYS], 1, 1000000, &p->keys) != 0 ||
                             (p->workload != BENCH_W_PUT && p->workload != BENCH_W_MIXED))) {
        return cli_usage_error(c, "--keys needs 1 to 1000000 (put and mixed)");
    }
    p->objects = p->workload == BENCH_W_LIST ? 100 : p->concurrency;
    if (a->set[OPT_OBJECTS] && cli_parse_uint(a->val[OPT_OBJECTS], 1, 1000000, &p->objects)) {
        return cli_usage_error(c, "--objects needs 1 to 1000000");
    }
    if (a->set[OPT_CONNECTIONS]) {
        if (cli_parse_uint(a->val[OPT_CONNECTIONS], 1, 10000, &v) != 0) {
            return cli_usage_error(c, "--connections needs 1 to 10000");
        }
        set_default(c, "fs.oss.connection.maximum", a->val[OPT_CONNECTIONS]);
    }
    b->keep = a->set[OPT_KEEP];
    b->plot = a->set[OPT_PLOT] ? a->val[OPT_PLOT] : NULL;
    return set ? 0 : parse_prefix(c, a, b);
}

int bench_setup(cli *c, const bench_plan *p)
{
    bench_plan s = *p;
    s.workload = BENCH_W_SETUP;
    s.name = "setup";
    s.object = NULL;
    s.ranged = 0;
    s.count = p->objects; /* bench_run takes this process's share */
    s.duration = 0;
    s.live = 0;
    if (bench_share(s.count, s.rank, s.ranks) == 0) {
        return 0;
    }
    bench_result r = {0};
    int rc = bench_run(c, &s, &r, NULL);
    if (rc == 0 && bench_errors(&r) > 0) {
        summary_error(c, p->base, &r);
        rc = CLI_EFAIL;
    }
    bench_result_free(&r);
    return rc;
}

int bench_reads(const bench_plan *p)
{
    if (p->set != NULL) {
        return 0; /* it reads what is there */
    }
    return p->workload == BENCH_W_LIST ||
           (p->object == NULL && (p->workload == BENCH_W_GET || p->workload == BENCH_W_MIXED));
}

int bench_prepare(cli *c, const cli_args *a, bench_args *b)
{
    const char *prefix = b->prefix;
    memset(b, 0, sizeof(*b));
    b->prefix = prefix;
    int rc = parse(c, a, b);
    bench_plan *p = &b->p;
    char psize[32];
    snprintf(psize, sizeof(psize), "%" PRIu64, p->part_size + 1);
    if (rc == 0) {
        /* Objects larger than one part go as multipart uploads of --part-size. */
        rc = set_default(c, "fs.oss.multipart.upload.threshold", psize);
    }
    if (rc != 0 || cli_client(c) == NULL) {
        return rc != 0 ? rc : c->rc;
    }
    if (p->set != NULL) {
        rc = bench_keys_load(c, b);
        if (rc == 0 && p->count == 0 && p->duration == 0) {
            p->count = b->set.n; /* one pass: each key once */
        }
        p->live = !c->quiet && isatty(STDERR_FILENO);
        return rc;
    }
    if (p->object == NULL) {
        b->data = generate(p->size);
        if (b->data == NULL) {
            return cli_fail_status(c, NULL, OSSIO_ENOMEM, "cannot generate the source bytes");
        }
        p->data = b->data;
    }
    p->live = !c->quiet && isatty(STDERR_FILENO);
    return 0;
}

void bench_args_free(bench_args *b)
{
    free(b->data);
    b->data = NULL;
    b->p.data = NULL;
    bench_keys_free(&b->set);
    b->p.set = NULL;
}

void bench_collect(cli *c, bench_result *r)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    r->peak_rss_mib = (double)ru.ru_maxrss / 1024.0;
    ossio_client *cl = c->client;
    r->conns_opened = ossio_client_stat(cl, OSSIO_STAT_CONNECTIONS_OPENED);
    r->conns_h2 = ossio_client_stat(cl, OSSIO_STAT_CONNECTIONS_H2);
    r->conns_h1 = ossio_client_stat(cl, OSSIO_STAT_CONNECTIONS_H1);
    r->replayed = ossio_client_stat(cl, OSSIO_STAT_REQUESTS_REPLAYED);
    bench_addrs_collect(cl, r);
}

int bench_report(cli *c, const bench_args *b, const bench_result *r, int rc)
{
    const bench_plan *p = &b->p;
    if (c->json) {
        bench_report_json(stdout, p, r);
    } else {
        bench_report_text(stdout, p, r);
    }
    if (rc == 0 && bench_errors(r) > 0) {
        summary_error(c, p->object != NULL ? p->object : p->base, r);
        rc = CLI_EFAIL;
    }
    if (b->plot != NULL && bench_plot(c, r, b->plot) != 0 && rc == 0) {
        rc = CLI_EFAIL;
    }
    return rc;
}

int bench_cleanup(cli *c, const bench_args *b, int rc)
{
    if (b->keep || b->p.object != NULL || b->p.set != NULL) {
        return rc; /* nothing made */
    }
    int crc = sweep_prefix(c, b->base, b->bucket_uri);
    return rc != 0 ? rc : crc;
}

static int run(cli *c, const cli_args *a)
{
    bench_args b = {0};
    int rc = bench_prepare(c, a, &b);
    if (rc != 0) {
        bench_args_free(&b);
        return rc;
    }
    if (bench_reads(&b.p)) {
        rc = bench_setup(c, &b.p);
    }
    bench_result r = {0};
    if (rc == 0) {
        rc = bench_run(c, &b.p, &r, NULL);
        bench_collect(c, &r);
        rc = bench_report(c, &b, &r, rc);
    }
    rc = bench_cleanup(c, &b, rc);
    bench_result_free(&r);
    bench_args_free(&b);
    return c->interrupted ? CLI_EINTR : rc;
}

const char bench_usage[] = "bench get|put|mixed|small|list [options] oss://bucket[/key|/prefix/]";

const char bench_help[] =
    "  get               whole GETs of objects it puts first, or of oss://bucket/key\n"
    "                    (with --size: ranged GETs of --size bytes walking that object),\n"
    "                    or of each object under oss://bucket/prefix/ (listed first)\n"
    "  put               uploads of --size bytes (multipart above --part-size)\n"
    "  mixed             GETs, PUTs (and listings) in --ratio\n"
    "  small             per object: PUT, GET, DELETE (--size default 64k)\n"
    "  list              full listings of --objects objects it puts first\n"
    "  --duration S      run for S seconds (default 10 without --count)\n"
    "  -n, --count N     N operations (small: N objects; a key set: default one pass,\n"
    "                    more cycle over the keys)\n"
    "  --size BYTES      object or range size, k/M/G suffixes (default 1M; small 64k; list 1k)\n"
    "  --part-size BYTES part size of transfers (default 8M)\n"
    "  -c, --concurrency N  operations or parts in flight (default 16)\n"
    "  --connections N   fs.oss.connection.maximum\n"
    "  --ratio G:P[:L]   mixed: GETs to PUTs (to listings of the prefix; default 1:1)\n"
    "  --keys N          put, mixed: PUTs overwrite put-0 .. put-<N-1> in turn\n"
    "  --keys-from FILE  get: each object named by a line of FILE, a key (joined to\n"
    "                    oss://bucket[/prefix/]) or a full URI; once per pass\n"
    "  --objects N       objects put before get, mixed, list (default: concurrency; list 100)\n"
    "  --prefix P        keys under oss://bucket/P/ (default ossio-bench-PID-TIME)\n"
    "  --keep            keep the objects (default: removed after the run)\n"
    "  --plot FILE.png   throughput over time and latency distribution (needs gnuplot)\n";

const cli_command cli_cmd_bench = {
    "bench",
    bench_usage,
    "measure the endpoint: throughput, ops/s, latency percentiles, client CPU per GiB",
    bench_help,
    bench_options,
    run,
};
