/* ossio cat: an object to standard output, fetched in parallel parts and
 * written in order (a download to a stream), or one byte range (ranged GET). */
#include <stdio.h>

#include "cli.h"

enum { OPT_RANGE };

static const cli_opt opts[] = {
    {OPT_RANGE, 0, "range", 1},
    {-1, 0, NULL, 0},
};

typedef struct cat_state {
    cli *c;
    int write_failed;
} cat_state;

static int on_data(ossio_op *op, const uint8_t *data, size_t len, void *ud)
{
    (void)op;
    cat_state *s = ud;
    if (fwrite(data, 1, len, stdout) != len) {
        s->write_failed = 1;
        s->c->stopped_by_us = 1; /* "canceled" is ours: the write error is what failed */
        return 1;
    }
    return 0;
}

static int ranged(cli *c, const char *uri, const char *range)
{
    uint64_t off = 0;
    int64_t len = 0;
    if (cli_parse_range(range, &off, &len) != 0) {
        return cli_usage_error(c, "--range needs FIRST-LAST or FIRST- (bytes, inclusive), got '%s'",
                               range);
    }
    ossio_op *op = NULL;
    int rc = cli_op_new(c, &op, OSSIO_OP_GET, uri);
    if (rc != 0) {
        return rc;
    }
    cat_state s = {c, 0};
    ossio_op_set_range(op, off, len);
    ossio_op_set_callbacks(op, on_data, NULL, &s);
    int saved = c->rc;
    rc = cli_op_run(c, op, uri, NULL, NULL);
    if (s.write_failed && !c->interrupted) {
        /* The cancel after a failed write is ours: say what failed instead. */
        c->rc = saved;
        rc = cli_fail_status(c, uri, OSSIO_EIO, "cannot write standard output");
    }
    return rc;
}

static int run(cli *c, const cli_args *a)
{
    int rc = 0;
    if (a->npos < 1) {
        rc = cli_usage_error(c, "needs oss://bucket/key");
    } else if (a->set[OPT_RANGE] && a->npos != 1) {
        rc = cli_usage_error(c, "--range takes one object");
    } else if (a->set[OPT_RANGE]) {
        rc = ranged(c, a->pos[0], a->val[OPT_RANGE]);
    } else {
        /* Several objects are concatenated in order: one job at a time. */
        cli_jobs *js = cli_jobs_new(c, 1);
        for (int i = 0; js != NULL && i < a->npos; i++) {
            if (cli_jobs_add(js, CLI_JOB_STDOUT, a->pos[i], "-", 0) != 0) {
                cli_jobs_free(js);
                js = NULL;
            }
        }
        rc = js != NULL ? cli_jobs_run(js) : cli_fail_status(c, NULL, OSSIO_ENOMEM, NULL);
        cli_jobs_free(js);
    }
    return rc;
}

const cli_command cli_cmd_cat = {
    "cat",
    "cat [--range FIRST-LAST] oss://bucket/key...",
    "write objects to standard output (parallel ranged GETs, in order)",
    "  --range A-B  only bytes A..B (inclusive; 'A-' to the end): one ranged GET\n",
    opts,
    run,
};
