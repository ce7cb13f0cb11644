/* ossio-mpi count: Flink's readTextFile over N ranks. Rank 0 plans the
 * splits (one listing) and broadcasts the plan; rank r reads splits i with
 * i % N == r, ceil(p / N) at once; the counts add up on rank 0 (MPI_Reduce),
 * which prints what ossio count prints. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "plan_wire.h"
#include "ranks.h"

/* ---- rank 0: the plan ---- */

typedef struct planning {
    cli *c;
    const char *uri;
    ossio_split_plan *plan;
    int rc;
} planning;

static void on_plan(ossio_split_plan *plan, const ossio_result *res, void *ud)
{
    planning *p = ud;
    p->c->pending--;
    p->plan = plan;
    if (res->status != OSSIO_OK && !p->c->interrupted) {
        p->rc = cli_fail(p->c, p->uri, res);
    }
}

/* Plans |uri| and packs it. 0, or the exit code after the error line. */
static int plan_packed(cli *c, const char *uri, unsigned parallelism, uint8_t **buf, size_t *len)
{
    planning p = {c, uri, NULL, 0};
    ossio_status st = ossio_splits_plan(c->client, uri, parallelism, on_plan, &p);
    if (st != OSSIO_OK) {
        return cli_fail_status(c, uri, st, ossio_client_error(c->client));
    }
    c->pending++;
    c->abandon_on_interrupt = 1; /* planning has no cancel: as ossio splits does */
    cli_run(c);
    c->abandon_on_interrupt = 0;
    if (c->interrupted) {
        ossio_client_destroy(c->client); /* completes the plan while |p| lives */
        c->client = NULL;
        ossio_split_plan_free(p.plan);
        return CLI_EINTR;
    }
    if (p.rc == 0 && plan_wire_pack(p.plan, buf, len) != 0) {
        p.rc = cli_fail_status(c, uri, OSSIO_ENOMEM, "cannot pack the split plan");
    }
    if (p.rc == 0 && *len > INT_MAX) {
        p.rc = cli_fail_status(c, uri, OSSIO_EINVAL, "the split plan is over 2 GiB");
    }
    ossio_split_plan_free(p.plan);
    return p.rc;
}

/* Collective: rank 0's plan on every rank. 0, or the exit code (rank 0's
 * error line printed). */
static int share_plan(cli *c, const char *uri, unsigned parallelism, uint8_t **buf,
                      ossio_split **splits, size_t *n)
{
    size_t len = 0;
    int rc = ranks_rank() == 0 ? plan_packed(c, uri, parallelism, buf, &len) : 0;
    long long head[2] = {rc, (long long)len};
    MPI_Bcast(head, 2, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
    if (head[0] != 0) {
        return (int)head[0];
    }
    len = (size_t)head[1];
    if (*buf == NULL) {
        *buf = malloc(len ? len : 1);
    }
    rc = ranks_agree(*buf == NULL);
    if (rc == 0) {
        MPI_Bcast(*buf, (int)len, MPI_BYTE, 0, MPI_COMM_WORLD);
        rc = ranks_agree(plan_wire_unpack(*buf, len, splits, n) != 0);
    }
    if (rc != 0) {
        return cli_fail_status(c, uri, OSSIO_ENOMEM, "cannot share the split plan");
    }
    return 0;
}

/* ---- every rank: its splits ---- */

typedef struct reading reading;

typedef struct slot {
    reading *rd;
    ossio_split_reader *r; /* in flight, else NULL */
    const ossio_split *split;
} slot;

struct reading {
    cli *c;
    const cli_count_opts *o;
    const ossio_split *splits;
    size_t n, next; /* next: the next split to consider */
    slot *slots;
    unsigned n_slots;
    unsigned rank, ranks;
    uint64_t records, bytes, done; /* done: splits read */
    int rc, stop;
};

static void start_next(slot *s);

static int on_records(const ossio_split *sp, const ossio_record *r, size_t n, void *ud)
{
    (void)sp;
    (void)r;
    ((slot *)ud)->rd->records += n;
    return 0;
}

static void on_split_done(ossio_split_reader *r, const ossio_result *res, void *ud)
{
    slot *s = ud;
    reading *rd = s->rd;
    s->r = NULL;
    rd->c->pending--;
    rd->bytes += ossio_split_reader_bytes(r);
    if (res->status == OSSIO_OK) {
        rd->done++;
    } else if (rd->rc == 0 && !rd->c->interrupted) {
        rd->rc = cli_fail(rd->c, s->split->uri, res);
        rd->stop = 1; /* the first failure fails the count, as ossio count */
    }
    start_next(s);
}

/* Starts this rank's next split in |s|: splits i with i % ranks == rank. */
static void start_next(slot *s)
{
    reading *rd = s->rd;
    while (rd->next < rd->n && rd->next % rd->ranks != rd->rank) {
        rd->next++;
    }
    if (rd->stop || rd->c->interrupted || rd->next >= rd->n) {
        return;
    }
    s->split = &rd->splits[rd->next++];
    ossio_client *cl = rd->c->client;
    ossio_status st = ossio_split_reader_new(&s->r, cl, s->split);
    if (st == OSSIO_OK) {
        st = ossio_split_reader_set_delimiter(s->r, rd->o->delim, rd->o->dlen);
    }
    if (st == OSSIO_OK && rd->o->max_record > 0) {
        st = ossio_split_reader_set_max_record(s->r, (size_t)rd->o->max_record);
    }
    if (st == OSSIO_OK) {
        ossio_split_reader_set_callbacks(s->r, on_records, s);
        st = ossio_split_reader_submit(s->r, on_split_done, s);
        if (st == OSSIO_OK) {
            rd->c->pending++;
            return;
        }
    }
    ossio_split_reader_free(s->r);
    s->r = NULL;
    rd->rc = cli_fail_status(rd->c, s->split->uri, st, ossio_client_error(cl));
    rd->stop = 1;
}

static void cancel_reads(cli *c)
{
    reading *rd = c->cmd_state;
    rd->stop = 1;
    for (unsigned i = 0; i < rd->n_slots; i++) {
        if (rd->slots[i].r != NULL) {
            ossio_split_reader_cancel(rd->slots[i].r);
        }
    }
}

/* Reads this rank's splits, up to ceil(parallelism / ranks) at once. */
static int read_mine(reading *rd)
{
    unsigned ranks = rd->ranks;
    rd->n_slots = (rd->o->parallelism + ranks - 1) / ranks;
    rd->slots = calloc(rd->n_slots, sizeof(*rd->slots));
    if (rd->slots == NULL) {
        return cli_fail_status(rd->c, NULL, OSSIO_ENOMEM, NULL);
    }
    for (unsigned i = 0; i < rd->n_slots; i++) {
        rd->slots[i].rd = rd;
        start_next(&rd->slots[i]);
    }
    rd->c->cmd_state = rd;
    rd->c->on_interrupt = cancel_reads;
    cli_run(rd->c);
    rd->c->on_interrupt = NULL;
    rd->c->cmd_state = NULL;
    free(rd->slots);
    rd->slots = NULL;
    return rd->c->interrupted ? CLI_EINTR : rd->rc;
}

static int run(cli *c, const cli_args *a)
{
    unsigned ranks = (unsigned)ranks_size();
    cli_count_opts o;
    int rc = cli_count_parse(c, a, ranks, &o);
    if (rc == 0 && cli_client(c) == NULL) {
        rc = c->rc;
    }
    rc = ranks_agree(rc);
    if (rc != 0) {
        return rc;
    }
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    uint8_t *buf = NULL;
    reading rd = {.c = c, .o = &o, .rank = (unsigned)ranks_rank(), .ranks = ranks};
    ossio_split *splits = NULL;
    rc = share_plan(c, a->pos[0], o.parallelism, &buf, &splits, &rd.n);
    if (rc == 0) {
        rd.splits = splits;
        rc = ranks_agree(read_mine(&rd));
        uint64_t mine[3] = {rd.records, rd.bytes, rd.done}, all[3] = {0};
        MPI_Reduce(mine, all, 3, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
        if (rc == 0 && rd.rank == 0) {
            cli_count_print(c, a->pos[0], all[0], all[2], all[1], MPI_Wtime() - t0, ranks);
        }
    }
    free(splits);
    free(buf);
    return rc;
}

const cli_command ranks_cmd_count = {
    "count",
    "count [-p N] [-d DELIM] [--max-record SIZE] oss://bucket/key|oss://bucket/dir/",
    "ossio count with every rank reading its splits (i % ranks == rank); rank 0 prints the sum",
    "  -p, --parallelism N   at least N splits over all ranks, each reading ceil(N / ranks)\n"
    "                        at once (default: the number of ranks)\n"
    "  -d, --delimiter D     record delimiter, 1..16 bytes (default \\n; escapes \\n \\r \\t \\\\ "
    "\\xHH)\n"
    "      --max-record SIZE longest record accepted (default fs.oss.split.record.maximum)\n",
    cli_count_options,
    run,
};
