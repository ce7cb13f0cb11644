/* ossio bench's key sets: the objects `bench get` reads when given a prefix
 * (oss://b/prefix/, listed first) or --keys-from FILE, and which one each
 * operation reads (every key once per pass; ossio-mpi ranks split the set). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* A URI must fit a bench slot's buffer (bench_run.c). */
#define URI_MAX 1199

static int add(bench_keys *k, const char *base, const char *key, size_t klen)
{
    if (k->n == k->cap) {
        uint64_t cap = k->cap ? k->cap * 2 : 64;
        char **u = realloc(k->uris, (size_t)cap * sizeof(*u));
        if (u == NULL) {
            return -1;
        }
        k->uris = u;
        k->cap = cap;
    }
    size_t blen = strlen(base);
    char *s = malloc(blen + klen + 1);
    if (s == NULL) {
        return -1;
    }
    memcpy(s, base, blen);
    memcpy(s + blen, key, klen);
    s[blen + klen] = '\0';
    k->uris[k->n++] = s;
    return 0;
}

void bench_keys_free(bench_keys *k)
{
    for (uint64_t i = 0; i < k->n; i++) {
        free(k->uris[i]);
    }
    free(k->uris);
    memset(k, 0, sizeof(*k));
}

typedef struct lister {
    cli *c;
    bench_keys *k;
    const char *bucket_uri;
    int failed; /* out of memory */
} lister;

static int on_entry(ossio_op *op, const ossio_list_entry *e, void *ud)
{
    (void)op;
    lister *l = ud;
    if (e->is_prefix) {
        return 0;
    }
    if (add(l->k, l->bucket_uri, e->key, strlen(e->key)) != 0) {
        l->failed = 1;
        l->c->stopped_by_us = 1; /* "canceled" is ours: reported as out of memory */
        return 1;
    }
    return 0;
}

/* Every object under |uri| (every page, no delimiter), in listing order. */
static int list_prefix(cli *c, bench_keys *k, const char *uri, const char *bucket_uri)
{
    lister l = {c, k, bucket_uri, 0};
    ossio_op *op = NULL;
    int rc = cli_op_new(c, &op, OSSIO_OP_LIST, uri);
    if (rc != 0) {
        return rc;
    }
    ossio_op_set_callbacks(op, NULL, on_entry, &l);
    rc = cli_op_run(c, op, uri, NULL, NULL);
    c->stopped_by_us = 0;
    if (l.failed) {
        return cli_fail_status(c, uri, OSSIO_ENOMEM, "cannot hold the listed keys");
    }
    if (rc == 0 && k->n == 0) {
        return cli_fail_status(c, uri, OSSIO_ENOTFOUND, "no object under this prefix to read");
    }
    return rc;
}

/* One line of --keys-from: a full URI ("scheme://…") as it is, else a key
 * joined to |base|; checked by the library now, not half-way through a run. */
static int add_line(cli *c, bench_keys *k, const char *path, unsigned long no, const char *line,
                    size_t len, const char *base)
{
    int full = strstr(line, "://") != NULL;
    if ((full ? 0 : strlen(base)) + len > URI_MAX) {
        return cli_usage_error(c, "--keys-from %s: line %lu: longer than %d bytes as a URI", path,
                               no, URI_MAX);
    }
    if (add(k, full ? "" : base, line, len) != 0) {
        return cli_fail_status(c, path, OSSIO_ENOMEM, "cannot hold the keys");
    }
    return cli_check_uri(c, k->uris[k->n - 1]);
}

static int read_file(cli *c, bench_keys *k, const char *path, const char *base)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return cli_fail_status(c, path, OSSIO_EIO, strerror(errno));
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned long no = 0;
    int rc = 0;
    while (rc == 0 && (got = getline(&line, &cap, f)) >= 0) {
        size_t len = (size_t)got;
        no++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
            len--;
        }
        line[len] = '\0';
        if (len > 0) {
            rc = add_line(c, k, path, no, line, len, base);
        }
    }
    if (rc == 0 && ferror(f)) {
        rc = cli_fail_status(c, path, OSSIO_EIO, strerror(errno));
    }
    free(line);
    fclose(f);
    if (rc == 0 && k->n == 0) {
        rc = cli_usage_error(c, "--keys-from %s: no keys in it (one key or URI a line)", path);
    }
    return rc;
}

typedef struct ranked {
    const char *uri;
    uint64_t at;
} ranked;

static int by_uri(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    int d = strcmp(x->uri, y->uri);
    return d != 0 ? d : (x->at > y->at) - (x->at < y->at);
}

/* Drops repeated URIs (the first one stays, the order is kept): a pass
 * reads each object once and the report counts distinct objects. */
static int dedupe(bench_keys *k)
{
    ranked *r = malloc((size_t)(k->n ? k->n : 1) * sizeof(*r));
    if (r == NULL) {
        return -1;
    }
    for (uint64_t i = 0; i < k->n; i++) {
        r[i] = (ranked){k->uris[i], i};
    }
    qsort(r, (size_t)k->n, sizeof(*r), by_uri);
    for (uint64_t i = 1, first = 0; i < k->n; i++) {
        if (strcmp(r[i].uri, r[first].uri) != 0) {
            first = i; /* compared with the kept one: the repeats are freed */
        } else {
            free(k->uris[r[i].at]);
            k->uris[r[i].at] = NULL;
        }
    }
    free(r);
    uint64_t n = 0;
    for (uint64_t i = 0; i < k->n; i++) {
        if (k->uris[i] != NULL) {
            k->uris[n++] = k->uris[i];
        }
    }
    k->n = n;
    return 0;
}

int bench_keys_load(cli *c, bench_args *b)
{
    bench_keys *k = &b->set;
    k->from = b->keys_from;
    if (k->from == NULL) {
        return list_prefix(c, k, b->base, b->bucket_uri);
    }
    int rc = read_file(c, k, k->from, b->base);
    if (rc == 0 && dedupe(k) != 0) {
        rc = cli_fail_status(c, k->from, OSSIO_ENOMEM, "cannot hold the keys");
    }
    return rc;
}

/* This process's share of the set: the keys j × ranks + rank, as many as
 * bench_share() gives it, so the shares are disjoint and cover the set. */
const char *bench_keys_pick(const bench_plan *p, uint64_t i)
{
    unsigned ranks = p->ranks > 1 ? p->ranks : 1;
    uint64_t share = bench_share(p->set->n, p->rank, ranks);
    uint64_t local = i / ranks; /* i is local × ranks + rank (bench_run's global()) */
    return p->set->uris[(local % share) * ranks + (ranks > 1 ? p->rank : 0)];
}

uint64_t bench_keys_used(const bench_plan *p, uint64_t ops)
{
    uint64_t share = bench_share(p->set->n, p->rank, p->ranks);
    return ops < share ? ops : share;
}
