/* ossio bench's engine: keeps --concurrency operations (or transfers) in
 * flight on the cli's loop, each slot starting its next operation from the
 * completion of the last, until --count or --duration; times each one. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"

typedef struct run run;

typedef struct slot {
    run *r;
    bench_kind kind;
    int stage;      /* small: 0 PUT, 1 GET, 2 DELETE of one object */
    uint64_t index; /* the operation (small: the object) */
    double t0;
    uint64_t bytes; /* GET body bytes seen */
    ossio_op *op;
    ossio_transfer *t;
    char uri[1200];
} slot;

struct run {
    cli *c;
    const bench_plan *p;
    bench_result *res;
    slot *slots;
    unsigned n_slots;     /* slots running (of p->concurrency allocated) */
    unsigned parallel;    /* parts in flight per transfer */
    int sized;            /* whole GETs of an existing object: its size is known */
    uint64_t count;       /* this process's share of p->count */
    uint64_t next;        /* next operation of this process to start */
    uint64_t puts;        /* put-<n> keys handed out by this process */
    uint64_t object_size; /* get of an existing object: learnt from the first answer */
    double t0;
    int devnull;
    int stopping;
    ev_timer tick;
};

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* 1 when position |k| of a period of |period| operations, |share| of which
 * are of one kind, is of that kind: spread as evenly as the share allows (the
 * running count of the kind falls behind its share). */
static int takes(uint64_t k, uint64_t share, uint64_t period)
{
    return (k * share) / period != ((k + 1) * share) / period;
}

/* The kind of operation |i| of a mixed run: GETs spread evenly in the whole
 * period, then PUTs spread evenly among the rest, LISTs in what is left. */
static bench_kind mixed_kind(const bench_plan *p, uint64_t i)
{
    uint64_t period = (uint64_t)p->ratio_get + p->ratio_put + p->ratio_list;
    uint64_t k = i % period;
    if (takes(k, p->ratio_get, period)) {
        return BENCH_GET;
    }
    uint64_t rest = period - p->ratio_get;        /* PUTs and LISTs in a period */
    uint64_t m = k - (k * p->ratio_get) / period; /* non-GETs before position k */
    return takes(m % rest, p->ratio_put, rest) ? BENCH_PUT : BENCH_LIST;
}

static void start(slot *s);

/* Operation |i| of this process as an operation of the whole run. */
static uint64_t global(const bench_plan *p, uint64_t i)
{
    return p->ranks > 1 ? i * p->ranks + p->rank : i;
}

/* |expect|: the payload bytes a successful operation must have moved. */
static void finish(slot *s, const ossio_result *res, uint64_t bytes, uint64_t expect)
{
    run *r = s->r;
    double now = ev_time();
    ossio_result checked = *res;
    if (res->status == OSSIO_OK && bytes != expect) {
        checked.status = OSSIO_EBODYSIZE; /* a short or long answer is a failure, not a result */
        checked.detail = "wrong number of bytes";
    }
    bench_record(r->res, s->kind, &checked, bytes, now - s->t0, now - r->t0);
    s->op = NULL;
    s->t = NULL;
    if (r->p->workload == BENCH_W_SMALL && checked.status == OSSIO_OK && s->stage < 2) {
        s->stage++;
        s->kind = s->stage == 1 ? BENCH_GET : BENCH_DELETE;
    } else {
        s->stage = -1; /* take the next operation */
    }
    r->c->pending--;
    start(s);
}

static int on_get_data(ossio_op *op, const uint8_t *data, size_t len, void *ud)
{
    (void)op;
    (void)data;
    ((slot *)ud)->bytes += len; /* counted, never copied */
    return 0;
}

static void on_get_done(ossio_op *op, const ossio_result *res, void *ud)
{
    slot *s = ud;
    const ossio_object_info *info = ossio_op_object(op);
    if (s->r->object_size == 0 && info != NULL && info->size > 0) {
        s->r->object_size = info->size;
    }
    finish(s, res, s->bytes, s->r->p->size);
}

static int on_entry(ossio_op *op, const ossio_list_entry *e, void *ud)
{
    (void)op;
    (void)e;
    ((slot *)ud)->bytes++;
    return 0;
}

static void on_list_done(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)op;
    slot *s = ud;
    if (res->status == OSSIO_OK) {
        s->r->res->list_entries += s->bytes;
    }
    finish(s, res, 0, 0);
}

static void on_op_done(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)op;
    slot *s = ud;
    uint64_t n = s->kind == BENCH_PUT ? s->r->p->size : 0;
    finish(s, res, n, n);
}

/* A transfer moves up to --concurrency parts itself; fewer transfers run at
 * once so that about --concurrency requests are in flight in all. */
static void size_slots(run *r, uint64_t size)
{
    const bench_plan *p = r->p;
    uint64_t parts = (size + p->part_size - 1) / p->part_size;
    r->parallel = parts > p->concurrency ? p->concurrency : (unsigned)(parts ? parts : 1);
    r->n_slots = p->concurrency / r->parallel;
}

static void on_transfer_done(ossio_transfer *t, const ossio_result *res, void *ud)
{
    slot *s = ud;
    run *r = s->r;
    unsigned running = r->n_slots;
    if (r->p->object != NULL && !r->sized && res->status == OSSIO_OK) {
        /* The first download told the object's size: now as many run at
         * once as --concurrency allows. */
        r->sized = 1;
        size_slots(r, ossio_transfer_size(t));
    }
    /* An existing object's size is what its download found; else --size. */
    int existing = r->p->object != NULL || r->p->set != NULL;
    uint64_t expect = existing ? ossio_transfer_size(t) : r->p->size;
    finish(s, res, ossio_transfer_bytes(t), expect);
    for (unsigned i = running; i < r->n_slots; i++) {
        start(&r->slots[i]);
    }
}

/* Chooses operation |i|'s kind and object into |s|. */
static void choose(run *r, slot *s, uint64_t i)
{
    const bench_plan *p = r->p;
    if (p->workload == BENCH_W_MIXED) {
        s->kind = mixed_kind(p, i);
    } else {
        int get = p->workload == BENCH_W_GET || p->workload == BENCH_W_SMALL;
        s->kind = p->workload == BENCH_W_LIST ? BENCH_LIST : get ? BENCH_GET : BENCH_PUT;
    }
    if (p->workload == BENCH_W_SMALL) {
        s->kind = BENCH_PUT;
        snprintf(s->uri, sizeof(s->uri), "%ssmall-%" PRIu64, p->base, i);
    } else if (p->workload == BENCH_W_SETUP) {
        snprintf(s->uri, sizeof(s->uri), "%sobj-%" PRIu64, p->base, i);
    } else if (s->kind == BENCH_PUT) {
        /* With --keys, PUTs overwrite a fixed set: a long run's store stays bounded. */
        uint64_t n = r->puts++;
        snprintf(s->uri, sizeof(s->uri), "%sput-%" PRIu64, p->base,
                 global(p, p->keys ? n % p->keys : n));
    } else if (s->kind == BENCH_LIST) {
        snprintf(s->uri, sizeof(s->uri), "%s", p->base);
    } else if (p->object != NULL) {
        snprintf(s->uri, sizeof(s->uri), "%s", p->object);
    } else if (p->set != NULL) {
        snprintf(s->uri, sizeof(s->uri), "%s", bench_keys_pick(p, i));
    } else {
        snprintf(s->uri, sizeof(s->uri), "%sobj-%" PRIu64, p->base, i % p->objects);
    }
}

static ossio_status submit_op(slot *s)
{
    run *r = s->r;
    const bench_plan *p = r->p;
    static const ossio_op_kind kinds[] = {OSSIO_OP_GET, OSSIO_OP_PUT, OSSIO_OP_DELETE,
                                          OSSIO_OP_LIST};
    ossio_status st = ossio_op_new(&s->op, r->c->client, kinds[s->kind], s->uri);
    if (st != OSSIO_OK) {
        return st;
    }
    ossio_op_done_cb done = on_op_done;
    if (s->kind == BENCH_GET) {
        if (p->ranged) {
            /* Walk the object in --size steps (from 0 until its size is known). */
            uint64_t slots = r->object_size >= p->size ? r->object_size / p->size : 1;
            st = ossio_op_set_range(s->op, (s->index % slots) * p->size, (int64_t)p->size);
        }
        ossio_op_set_callbacks(s->op, on_get_data, NULL, s);
        done = on_get_done;
    } else if (s->kind == BENCH_PUT) {
        st = ossio_op_set_body(s->op, p->data, (size_t)p->size);
    } else if (s->kind == BENCH_LIST) {
        ossio_op_set_callbacks(s->op, NULL, on_entry, s);
        done = on_list_done;
    }
    if (st != OSSIO_OK) {
        ossio_op_free(s->op);
        s->op = NULL;
        return st;
    }
    return ossio_op_submit(s->op, done, s);
}

static ossio_status submit_transfer(slot *s)
{
    run *r = s->r;
    const bench_plan *p = r->p;
    int up = s->kind == BENCH_PUT;
    ossio_client *cl = r->c->client;
    ossio_status st =
        up ? ossio_upload_new(&s->t, cl, s->uri) : ossio_download_new(&s->t, cl, s->uri);
    if (st != OSSIO_OK) {
        return st;
    }
    st = up ? ossio_transfer_from_buffer(s->t, p->data, (size_t)p->size)
            : ossio_transfer_to_fd(s->t, r->devnull);
    if (st == OSSIO_OK) {
        st = ossio_transfer_set_parts(s->t, p->part_size, r->parallel);
    }
    if (st != OSSIO_OK) {
        ossio_transfer_free(s->t);
        s->t = NULL;
        return st;
    }
    return ossio_transfer_submit(s->t, on_transfer_done, s);
}

/* Small objects and ranged GETs are single operations; whole objects move
 * as transfers (a download's first part tells the size; no HEAD). */
static int use_transfer(const run *r, const slot *s)
{
    const bench_plan *p = r->p;
    if (p->workload == BENCH_W_SMALL || s->kind == BENCH_LIST || s->kind == BENCH_DELETE ||
        p->ranged) {
        return 0;
    }
    return 1;
}

static int more(run *r)
{
    const bench_plan *p = r->p;
    if (r->stopping || r->c->interrupted) {
        return 0;
    }
    if (p->count > 0) {
        return r->next < r->count;
    }
    return ev_time() - r->t0 < p->duration;
}

static void start(slot *s)
{
    run *r = s->r;
    if (s->stage < 0) {
        if (!more(r)) {
            return;
        }
        s->index = global(r->p, r->next++);
        s->stage = 0;
        choose(r, s, s->index);
    }
    s->bytes = 0;
    s->t0 = ev_time();
    ossio_status st = use_transfer(r, s) ? submit_transfer(s) : submit_op(s);
    if (st == OSSIO_OK) {
        r->c->pending++;
        return;
    }
    /* Refused before it was sent: a usage problem, the same for every
     * operation; record it once and stop. */
    ossio_result res = {.status = st, .detail = ossio_client_error(r->c->client)};
    bench_record(r->res, s->kind, &res, 0, 0, ev_time() - r->t0);
    cli_fail_status(r->c, s->uri, st, res.detail);
    r->stopping = 1;
    s->stage = -1;
}

static void human_rate(char *out, size_t len, double bytes_per_s)
{
    snprintf(out, len, "%.3f GB/s", bytes_per_s / 1e9);
}

static void on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    run *r = w->data;
    double secs = ev_time() - r->t0;
    uint64_t ops = bench_total(r->res, 0);
    char rate[32];
    human_rate(rate, sizeof(rate), secs > 0 ? (double)bench_total(r->res, 1) / secs : 0);
    fprintf(stderr, "\rbench %s %5.1f s  %" PRIu64 " ops  %.0f ops/s  %s  errors %" PRIu64 "\033[K",
            r->p->name, secs, ops, secs > 0 ? (double)ops / secs : 0.0, rate, bench_errors(r->res));
    fflush(stderr);
}

static void cancel_all(cli *c)
{
    run *r = c->cmd_state;
    r->stopping = 1;
    for (unsigned i = 0; i < r->n_slots; i++) {
        if (r->slots[i].op != NULL) {
            ossio_op_cancel(r->slots[i].op);
        } else if (r->slots[i].t != NULL) {
            ossio_transfer_cancel(r->slots[i].t);
        }
    }
}

int bench_run(cli *c, const bench_plan *p, bench_result *res, uint64_t *puts)
{
    run r = {.c = c, .p = p, .res = res, .count = bench_share(p->count, p->rank, p->ranks)};
    res->workload = p->workload == BENCH_W_SETUP ? "setup" : NULL;
    int transfers = !(p->workload == BENCH_W_SMALL || p->workload == BENCH_W_LIST || p->ranged);
    r.n_slots = p->concurrency;
    if (transfers) {
        size_slots(&r, p->size);
    }
    if (p->object != NULL && !p->ranged) {
        r.parallel = p->concurrency; /* size unknown until the first one is done */
        r.n_slots = 1;
    }
    if (p->set != NULL) {
        /* Objects of any sizes: one part of each in flight, --concurrency
         * objects at once, so a small-object set is read as small GETs. */
        r.parallel = 1;
        r.n_slots = p->concurrency;
    }
    r.slots = calloc(p->concurrency, sizeof(*r.slots));
    r.devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (r.slots == NULL || r.devnull < 0) {
        free(r.slots);
        if (r.devnull >= 0) {
            close(r.devnull);
        }
        return cli_fail_status(c, NULL, OSSIO_ENOMEM, NULL);
    }
    double cpu0 = cpu_now();
    r.t0 = ev_time();
    c->cmd_state = &r;
    c->on_interrupt = cancel_all;
    if (p->live) {
        ev_timer_init(&r.tick, on_tick, 0.5, 0.5);
        r.tick.data = &r;
        ev_timer_start(c->loop, &r.tick);
    }
    for (unsigned i = 0; i < p->concurrency; i++) {
        r.slots[i].r = &r;
        r.slots[i].stage = -1;
    }
    for (unsigned i = 0; i < r.n_slots; i++) {
        start(&r.slots[i]);
    }
    cli_run(c);
    if (p->live) {
        ev_timer_stop(c->loop, &r.tick);
        fputs("\r\033[K", stderr);
    }
    res->seconds = ev_time() - r.t0;
    res->cpu_s = cpu_now() - cpu0;
    c->on_interrupt = NULL;
    c->cmd_state = NULL;
    if (puts != NULL) {
        *puts = r.puts;
    }
    if (p->set != NULL) {
        res->keys = bench_keys_used(p, r.next);
    }
    close(r.devnull);
    free(r.slots);
    return c->interrupted ? CLI_EINTR : 0;
}
