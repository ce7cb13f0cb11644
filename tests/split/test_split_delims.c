/* Every record exactly once, whatever the delimiter: random objects (records
 * holding delimiter bytes, prefixes and runs of the delimiter), random
 * delimiters of 1..16 bytes (self-overlapping ones included), random block
 * sizes and parallelism, read from the local endpoint; the records of all
 * splits, in split order, must equal one sequential scan, byte for byte.
 * OSSIO_SEED=<n> replays one run; failures print the seed. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../transport/test_support.h"

static char prefix[128];
static uint64_t seed, rng;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static size_t below(size_t n)
{
    return n == 0 ? 0 : (size_t)(next_rand() % n);
}

static ossio_client *client_on(const char *port, uint64_t block)
{
    char endpoint[128], bs[32];
    snprintf(endpoint, sizeof(endpoint), "https://localhost:%d", ep_port(port));
    snprintf(bs, sizeof(bs), "%llu", (unsigned long long)block);
    return client_with(NULL, "fs.oss.endpoint", endpoint, "fs.oss.accessKeyId", ep("ACCESS_KEY_ID"),
                       "fs.oss.accessKeySecret", ep("ACCESS_KEY_SECRET"),
                       "fs.oss.path.style.access", "true", "fs.oss.block.size", bs, NULL);
}

static const char *uri_of(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof(buf), "oss://%s/%s/%s", ep("BUCKET"), prefix, name);
    return buf;
}

typedef struct opres {
    int done;
    ossio_status st;
} opres;

static void op_done(ossio_op *op, const ossio_result *r, void *ud)
{
    (void)op;
    opres *x = ud;
    x->done++;
    x->st = r->status;
}

static void put(ossio_client *cl, const char *name, const void *data, size_t len)
{
    ossio_op *op = NULL;
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_PUT, uri_of(name)), OSSIO_OK);
    assert_int_equal(ossio_op_set_body(op, data, len), OSSIO_OK);
    opres x = {0};
    assert_int_equal(ossio_op_submit(op, op_done, &x), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(x.done, 1);
    assert_int_equal(x.st, OSSIO_OK);
}

/* ---- records: bytes and boundaries, in order ------------------------- */

typedef struct recs {
    uint8_t *bytes;
    size_t len, cap;
    size_t *ends; /* end offset of each record in bytes */
    size_t n, ncap;
} recs;

static void recs_add(recs *g, const uint8_t *p, size_t len)
{
    if (g->len + len > g->cap) {
        g->cap = (g->len + len) * 2 + 64;
        g->bytes = realloc(g->bytes, g->cap);
    }
    if (g->n == g->ncap) {
        g->ncap = g->ncap * 2 + 16;
        g->ends = realloc(g->ends, g->ncap * sizeof(size_t));
    }
    if (len > 0) {
        memcpy(g->bytes + g->len, p, len);
    }
    g->len += len;
    g->ends[g->n++] = g->len;
}

static void recs_append(recs *to, const recs *from)
{
    for (size_t i = 0; i < from->n; i++) {
        size_t b = i == 0 ? 0 : from->ends[i - 1];
        recs_add(to, from->bytes + b, from->ends[i] - b);
    }
}

static void recs_free(recs *g)
{
    free(g->bytes);
    free(g->ends);
    memset(g, 0, sizeof(*g));
}

static int recs_equal(const recs *a, const recs *b)
{
    return a->n == b->n && a->len == b->len &&
           (a->len == 0 || memcmp(a->bytes, b->bytes, a->len) == 0) &&
           (a->n == 0 || memcmp(a->ends, b->ends, a->n * sizeof(size_t)) == 0);
}

/* The naive sequential scan: left to right, a match resumes after itself. */
static void sequential(const uint8_t *t, size_t n, const uint8_t *d, size_t dl, recs *out)
{
    int strip = dl == 1 && d[0] == '\n';
    for (size_t p = 0; p < n;) {
        size_t j = p;
        while (j + dl <= n && memcmp(t + j, d, dl) != 0) {
            j++;
        }
        size_t e = j + dl <= n ? j : n;
        size_t len = e - p;
        if (strip && len > 0 && t[e - 1] == '\r') {
            len--;
        }
        recs_add(out, t + p, len);
        p = e + dl;
    }
}

/* ---- reading ---------------------------------------------------------- */

#define MAX_SPLITS 512

typedef struct readres {
    int done;
    ossio_status st;
    char detail[256];
    size_t splits;
    recs per_split[MAX_SPLITS]; /* by split index */
    int bad_index;
} readres;

static int on_records(const ossio_split *s, const ossio_record *r, size_t n, void *ud)
{
    readres *x = ud;
    if (s->index >= MAX_SPLITS) {
        x->bad_index = 1;
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        recs_add(&x->per_split[s->index], r[i].data, r[i].len);
    }
    return 0;
}

static void on_read_done(ossio_text_reader *r, const ossio_result *res, void *ud)
{
    readres *x = ud;
    x->done++;
    x->st = res->status;
    snprintf(x->detail, sizeof(x->detail), "%s", res->detail ? res->detail : "");
    x->splits = ossio_text_reader_splits(r);
}

/* Reads |name| with |par| and the client's block size; the records of all
 * splits in split order into |all|; returns the number of splits. */
static size_t read_in_order(ossio_client *cl, const char *name, unsigned par, const uint8_t *d,
                            size_t dl, recs *all)
{
    readres *x = calloc(1, sizeof(*x));
    ossio_text_reader *r = NULL;
    assert_int_equal(ossio_text_reader_new(&r, cl, uri_of(name), par), OSSIO_OK);
    assert_int_equal(ossio_text_reader_set_delimiter(r, d, dl), OSSIO_OK);
    ossio_text_reader_set_callbacks(r, on_records, x);
    assert_int_equal(ossio_text_reader_submit(r, on_read_done, x), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(x->done, 1);
    if (x->st != OSSIO_OK) {
        fail_msg("seed %llu: read %s: %s (%s)", (unsigned long long)seed, name,
                 ossio_status_name(x->st), x->detail);
    }
    assert_false(x->bad_index);
    size_t splits = x->splits;
    for (size_t i = 0; i < MAX_SPLITS; i++) {
        recs_append(all, &x->per_split[i]);
        recs_free(&x->per_split[i]);
    }
    free(x);
    return splits;
}

/* ---- random objects --------------------------------------------------- */

/* 1..16 bytes, half of them self-overlapping: a short pattern repeated
 * ("aa", "||", "abab", "aba", "aaaa…"), else random bytes from a small alphabet. */
static size_t random_delim(uint8_t *d)
{
    static const uint8_t alpha[] = {'a', 'b', '|', '\n', '\r', 0};
    size_t dl = below(3) == 0 ? 1 + below(16) : 1 + below(4);
    if (below(2)) {
        size_t period = 1 + below(dl < 3 ? dl : 3);
        for (size_t i = 0; i < period; i++) {
            d[i] = alpha[below(3)];
        }
        for (size_t i = period; i < dl; i++) {
            d[i] = d[i - period];
        }
    } else {
        for (size_t i = 0; i < dl; i++) {
            d[i] = alpha[below(sizeof(alpha))];
        }
    }
    return dl;
}

/* Object bytes: pieces of plain bytes, delimiter bytes, delimiter prefixes
 * and runs of the delimiter (its repetitions overlapping or not). */
static size_t random_object(uint8_t *t, size_t cap, const uint8_t *d, size_t dl)
{
    size_t n = 0;
    while (n < cap) {
        size_t room = cap - n, k;
        switch (below(5)) {
        case 0: /* plain bytes, delimiter bytes among them */
            k = below(room < 40 ? room : 40) + 1;
            for (size_t i = 0; i < k; i++) {
                t[n + i] = below(3) == 0 ? d[below(dl)] : (uint8_t)('c' + below(3));
            }
            break;
        case 1: /* a prefix of the delimiter */
            k = 1 + below(dl);
            k = k < room ? k : room;
            memcpy(t + n, d, k);
            break;
        case 2: /* a run of delimiters, shifted so that they overlap where they can */
        {
            size_t shift = 1 + below(dl), reps = 1 + below(below(4) == 0 ? 200 : 6);
            k = 0;
            for (size_t r = 0, off = 0; r < reps && off + dl <= room; r++, off += shift) {
                memcpy(t + n + off, d, dl);
                k = off + dl;
            }
            if (k == 0) {
                t[n] = 'c';
                k = 1;
            }
            break;
        }
        default: /* a delimiter */
            k = dl < room ? dl : room;
            memcpy(t + n, d, k);
            break;
        }
        n += k;
    }
    return n;
}

static void dump_failure(const uint8_t *t, size_t n, const uint8_t *d, size_t dl, uint64_t block,
                         unsigned par)
{
    fprintf(stderr, "delimiter (%zu):", dl);
    for (size_t i = 0; i < dl; i++) {
        fprintf(stderr, " %02x", d[i]);
    }
    fprintf(stderr, "\nblock %llu, parallelism %u, object %zu bytes:", (unsigned long long)block,
            par, n);
    for (size_t i = 0; i < n && i < 512; i++) {
        fprintf(stderr, "%s%02x", i % 32 == 0 ? "\n  " : " ", t[i]);
    }
    fprintf(stderr, "\n");
}

/* Reads |t| with every (block, parallelism) given, and once as one split:
 * each read must equal the sequential scan. */
static void check_object(const char *name, const uint8_t *t, size_t n, const uint8_t *d, size_t dl,
                         const uint64_t *blocks, const unsigned *pars, size_t runs, int iter)
{
    recs want = {0};
    sequential(t, n, d, dl, &want);
    for (size_t i = 0; i <= runs; i++) {
        uint64_t block = i < runs ? blocks[i] : n + 1; /* last: one split */
        unsigned par = i < runs ? pars[i] : 1;
        ossio_client *cl = client_on(i % 2 ? "H1_TLS" : "H2_TLS", block);
        if (i == 0) {
            put(cl, name, t, n);
        }
        recs got = {0};
        size_t splits = read_in_order(cl, name, par, d, dl, &got);
        ossio_client_destroy(cl);
        if (i == runs) {
            assert_int_equal(splits, 1);
        }
        if (!recs_equal(&want, &got)) {
            dump_failure(t, n, d, dl, block, par);
            fail_msg("seed %llu iteration %d: %zu records (%zu bytes) from %zu splits, %zu "
                     "records (%zu bytes) in one sequential scan",
                     (unsigned long long)seed, iter, got.n, got.len, splits, want.n, want.len);
        }
        recs_free(&got);
    }
    recs_free(&want);
}

static void t_random_delimiters_every_record_once(void **state)
{
    (void)state;
    uint8_t *t = malloc(8192);
    for (int iter = 0; iter < 16; iter++) {
        uint8_t d[16];
        size_t dl = random_delim(d);
        uint64_t blocks[2];
        unsigned pars[2];
        size_t cap = 0;
        for (size_t i = 0; i < 2; i++) {
            /* At most ~32 splits per read, so the run stays short. */
            static const uint64_t scale[] = {16, 256, 4096};
            blocks[i] = 1 + below(scale[below(3)]);
            pars[i] = 1 + (unsigned)below(8);
            uint64_t most = blocks[i] * 32 < 8192 ? blocks[i] * 32 : 8192;
            cap = i == 0 || most < cap ? (size_t)most : cap;
        }
        size_t n = random_object(t, 1 + below(cap), d, dl);
        char name[64];
        snprintf(name, sizeof(name), "rand/%d", iter);
        check_object(name, t, n, d, dl, blocks, pars, 2, iter);
    }
    free(t);
}

/* Long runs of an overlapping delimiter: a split deep in a run looks back
 * further than the first look-back window, in several GETs. */
static void t_long_runs(void **state)
{
    (void)state;
    size_t n = 200000;
    uint8_t *t = malloc(n);
    for (size_t i = 0; i < n; i++) {
        t[i] = 'a';
    }
    memcpy(t + 1000, "xbx", 3);     /* one run ends early, */
    memcpy(t + 150001, "xyzzy", 5); /* one in the middle (odd offset: parity flips), */
    memcpy(t + n - 4, "bbba", 4);   /* the last ends before the object does */
    static const char *delims[] = {"aa", "aaaaaaaaaaaaaaaa"};
    for (size_t k = 0; k < 2; k++) {
        const uint64_t blocks[] = {k ? 30000 : 16384};
        const unsigned pars[] = {k ? 8 : 4};
        char name[64];
        snprintf(name, sizeof(name), "runs/%zu", k);
        check_object(name, t, n, (const uint8_t *)delims[k], strlen(delims[k]), blocks, pars, 1,
                     (int)k);
    }
    /* "abab" over "ababab…": the alignment is the run's parity from its start. */
    for (size_t i = 0; i < n; i++) {
        t[i] = i % 2 ? 'b' : 'a';
    }
    t[77777] = 'c';
    const uint64_t blocks[] = {12345};
    const unsigned pars[] = {5};
    check_object("runs/abab", t, n, (const uint8_t *)"abab", 4, blocks, pars, 1, 3);
    free(t);
}

/* The case: "||" over records holding '|', any block size, one count. */
static void t_pipes_any_block_size(void **state)
{
    (void)state;
    size_t cap = 100000, n = 0;
    uint8_t *t = malloc(cap);
    for (size_t r = 0; n + 64 < cap; r++) {
        n += (size_t)snprintf((char *)t + n, cap - n, "%zu|%s||%s||", r, r % 3 ? "x|" : "|y",
                              r % 5 ? "" : "|||");
    }
    const uint64_t blocks[] = {4096, 4097, 1000, 65536};
    const unsigned pars[] = {1, 7, 16, 2};
    check_object("pipes", t, n, (const uint8_t *)"||", 2, blocks, pars, 4, 0);
    free(t);
}

int main(void)
{
    const char *s = getenv("OSSIO_SEED");
    seed = s != NULL ? strtoull(s, NULL, 10) : (uint64_t)time(NULL);
    rng = seed * 0x9e3779b97f4a7c15ull + 1;
    printf("test_split_delims: seed %llu (OSSIO_SEED=%llu replays it)\n", (unsigned long long)seed,
           (unsigned long long)seed);
    snprintf(prefix, sizeof(prefix), "delims/%d", (int)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_pipes_any_block_size),
        cmocka_unit_test(t_random_delimiters_every_record_once),
        cmocka_unit_test(t_long_runs),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rc |= remove_own_prefix("delims");
    return rc;
}
