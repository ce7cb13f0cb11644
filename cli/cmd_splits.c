/* ossio splits / ossio count: Flink's readTextFile over oss:// — the split
 * plan of an object or a "directory", and the record count read with
 * parallel split readers (every record exactly once). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_PARALLELISM, OPT_DELIMITER, OPT_MAX_RECORD };

/* splits and count take the same options (splits ignores -d, --max-record). */
const cli_opt cli_count_options[] = {
    {OPT_PARALLELISM, 'p', "parallelism", 1},
    {OPT_DELIMITER, 'd', "delimiter", 1},
    {OPT_MAX_RECORD, 0, "max-record", 1},
    {-1, 0, NULL, 0},
};

/* -p N (default |def|): Flink's parallelism = minNumSplits. */
static int parallelism(cli *c, const cli_args *a, unsigned def, unsigned *out)
{
    uint64_t p = def;
    if (a->set[OPT_PARALLELISM] && cli_parse_uint(a->val[OPT_PARALLELISM], 1, 4096, &p) != 0) {
        return cli_usage_error(c, "--parallelism must be 1..4096");
    }
    *out = (unsigned)p;
    return 0;
}

/* ---- splits ---- */

typedef struct plan_state {
    cli *c;
    const char *uri;
    int rc;
} plan_state;

static void on_plan(ossio_split_plan *plan, const ossio_result *res, void *ud)
{
    plan_state *s = ud;
    s->c->pending--;
    if (res->status != OSSIO_OK) {
        if (!s->c->interrupted) {
            s->rc = cli_fail(s->c, s->uri, res);
        }
        return;
    }
    size_t n = ossio_split_plan_count(plan);
    if (s->c->json) {
        printf("{\"uri\":");
        cli_json_string(stdout, s->uri);
        printf(",\"splits\":[");
    }
    for (size_t i = 0; i < n; i++) {
        const ossio_split *sp = ossio_split_plan_get(plan, i);
        if (s->c->json) {
            cli_json j;
            if (i > 0) {
                fputc(',', stdout);
            }
            cli_json_begin(&j, stdout);
            cli_json_u64(&j, "index", sp->index);
            cli_json_str(&j, "uri", sp->uri);
            cli_json_u64(&j, "start", sp->start);
            cli_json_u64(&j, "length", sp->length);
            cli_json_u64(&j, "object_size", sp->object_size);
            cli_json_bool(&j, "unsplittable", sp->unsplittable);
            cli_json_end(&j);
        } else {
            printf("%4u  %-12llu %-12llu %s%s\n", sp->index, (unsigned long long)sp->start,
                   (unsigned long long)sp->length, sp->uri,
                   sp->unsplittable ? "  (compressed: whole)" : "");
        }
    }
    if (s->c->json) {
        printf("]}\n");
    }
    ossio_split_plan_free(plan);
}

static int run_splits(cli *c, const cli_args *a)
{
    unsigned p = 1;
    if (a->npos != 1) {
        return cli_usage_error(c, "needs one oss://bucket/key or oss://bucket/dir/");
    }
    int rc = parallelism(c, a, 1, &p);
    ossio_client *cl = rc == 0 ? cli_client(c) : NULL;
    if (cl == NULL) {
        return rc != 0 ? rc : c->rc;
    }
    plan_state s = {c, a->pos[0], 0};
    ossio_status st = ossio_splits_plan(cl, a->pos[0], p, on_plan, &s);
    if (st != OSSIO_OK) {
        return cli_fail_status(c, a->pos[0], st, ossio_client_error(cl));
    }
    c->pending++;
    if (!c->json) {
        printf("   #  start        length       object\n");
    }
    /* Planning only reads and has no cancel of its own: on Ctrl-C stop
     * waiting, and destroy the client here, while |s| still lives (the
     * plan completes inside with OSSIO_ECANCELED). */
    c->abandon_on_interrupt = 1;
    cli_run(c);
    c->abandon_on_interrupt = 0;
    if (c->interrupted) {
        ossio_client_destroy(c->client);
        c->client = NULL;
        return CLI_EINTR;
    }
    return s.rc;
}

const cli_command cli_cmd_splits = {
    "splits",
    "splits [-p N] oss://bucket/key|oss://bucket/dir/",
    "the input splits Flink's readTextFile would read (FileInputFormat's rules)",
    "  -p, --parallelism N   at least N splits (Flink's minNumSplits; default 1)\n",
    cli_count_options,
    run_splits,
};

/* ---- count ---- */

typedef struct count_state {
    cli *c;
    ossio_text_reader *r;
    const char *uri;
    uint64_t records, bytes;
    size_t splits;
    int rc;
} count_state;

static int on_records(const ossio_split *sp, const ossio_record *r, size_t n, void *ud)
{
    (void)sp;
    (void)r;
    ((count_state *)ud)->records += n;
    return 0;
}

static void on_count_done(ossio_text_reader *r, const ossio_result *res, void *ud)
{
    count_state *s = ud;
    s->c->pending--;
    s->r = NULL;
    s->splits = ossio_text_reader_splits(r);
    s->bytes = ossio_text_reader_bytes(r);
    if (res->status != OSSIO_OK) {
        s->rc = cli_fail(s->c, s->uri, res);
    }
}

static void cancel_count(cli *c)
{
    count_state *s = c->cmd_state;
    if (s->r != NULL) {
        ossio_text_reader_cancel(s->r);
    }
}

int cli_count_parse(cli *c, const cli_args *a, unsigned default_p, cli_count_opts *o)
{
    memset(o, 0, sizeof(*o));
    if (a->npos != 1) {
        return cli_usage_error(c, "needs one oss://bucket/key or oss://bucket/dir/");
    }
    int rc = parallelism(c, a, default_p, &o->parallelism);
    o->dlen = 1;
    o->delim[0] = '\n';
    if (rc == 0 && a->set[OPT_DELIMITER] &&
        cli_parse_escapes(a->val[OPT_DELIMITER], o->delim, sizeof(o->delim), &o->dlen) != 0) {
        rc = cli_usage_error(c, "--delimiter must be 1..16 bytes (\\n \\r \\t \\\\ \\xHH allowed)");
    }
    if (rc == 0 && a->set[OPT_MAX_RECORD] &&
        cli_parse_size(a->val[OPT_MAX_RECORD], 1, UINT64_C(1) << 30, &o->max_record) != 0) {
        rc = cli_usage_error(c, "--max-record must be a size of 1 byte .. 1G (e.g. 16M)");
    }
    return rc;
}

void cli_count_print(const cli *c, const char *uri, uint64_t records, uint64_t splits,
                     uint64_t bytes, double seconds, unsigned ranks)
{
    if (!c->json) {
        printf("%llu\n", (unsigned long long)records);
        return;
    }
    cli_json j;
    cli_json_begin(&j, stdout);
    cli_json_str(&j, "uri", uri);
    cli_json_u64(&j, "records", records);
    cli_json_u64(&j, "splits", splits);
    cli_json_u64(&j, "bytes", bytes);
    cli_json_num(&j, "seconds", seconds);
    if (ranks > 0) {
        cli_json_u64(&j, "ranks", ranks);
    }
    cli_json_end(&j);
    fputc('\n', stdout);
}

static int run_count(cli *c, const cli_args *a)
{
    cli_count_opts o;
    int rc = cli_count_parse(c, a, 1, &o);
    ossio_client *cl = rc == 0 ? cli_client(c) : NULL;
    if (cl == NULL) {
        return rc != 0 ? rc : c->rc;
    }
    count_state s = {c, NULL, a->pos[0], 0, 0, 0, 0};
    ossio_status st = ossio_text_reader_new(&s.r, cl, a->pos[0], o.parallelism);
    if (st == OSSIO_OK) {
        st = ossio_text_reader_set_delimiter(s.r, o.delim, o.dlen);
    }
    if (st == OSSIO_OK && o.max_record > 0) {
        st = ossio_text_reader_set_max_record(s.r, (size_t)o.max_record);
    }
    if (st != OSSIO_OK) {
        ossio_text_reader_free(s.r);
        return cli_fail_status(c, a->pos[0], st, ossio_client_error(cl));
    }
    ossio_text_reader_set_callbacks(s.r, on_records, &s);
    double t0 = ev_time();
    ossio_text_reader_submit(s.r, on_count_done, &s);
    c->pending++;
    c->cmd_state = &s;
    c->on_interrupt = cancel_count;
    cli_run(c);
    c->on_interrupt = NULL;
    c->cmd_state = NULL;
    if (c->interrupted) {
        return CLI_EINTR;
    }
    if (s.rc == 0) {
        cli_count_print(c, s.uri, s.records, s.splits, s.bytes, ev_time() - t0, 0);
    }
    return s.rc;
}

const cli_command cli_cmd_count = {
    "count",
    "count [-p N] [-d DELIM] [--max-record SIZE] oss://bucket/key|oss://bucket/dir/",
    "count the records (lines) as Flink's readTextFile reads them, in parallel splits",
    "  -p, --parallelism N   at least N splits, N read at once (default 1)\n"
    "  -d, --delimiter D     record delimiter, 1..16 bytes (default \\n; escapes \\n \\r \\t \\\\ "
    "\\xHH)\n"
    "      --max-record SIZE longest record accepted (default fs.oss.split.record.maximum)\n",
    cli_count_options,
    run_count,
};
