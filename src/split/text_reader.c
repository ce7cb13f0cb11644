/* Flink's env.readTextFile() on one loop: plan the input into at least
 * |parallelism| splits, then keep up to |parallelism| split readers running;
 * the first failure cancels the others and fails the read. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transfer/context.h"
#include "transport/defer.h"
#include "ossio.h"
#include "split/lines.h"
#include "split/split.h"

struct ossio_text_reader {
    ossio_client *cl;
    char *uri;
    unsigned parallelism;
    ossio__record_opts rec; /* max_record 0: the split reader's default */
    ossio_text_done_cb done;
    void *done_ud;
    int submitted;
    ossio__outcome out;
    ossio__split_planner *planner; /* planning in flight */
    ossio_split_plan *plan;
    size_t next;                  /* next split to start */
    ossio_split_reader **running; /* parallelism slots, NULL when free */
    size_t in_flight;
    size_t n_splits;
    uint64_t records, bytes;
    ossio__deferred settle_node;
};

ossio_status ossio_text_reader_new(ossio_text_reader **out, ossio_client *cl, const char *uri,
                                   unsigned parallelism)
{
    if (out == NULL) {
        return OSSIO_EINVAL;
    }
    *out = NULL;
    if (cl == NULL || uri == NULL || parallelism == 0) {
        return OSSIO_EINVAL;
    }
    ossio_op *probe = NULL; /* checks the URI and configuration with ossio_op_new()'s messages */
    ossio_status st = ossio_op_new(&probe, cl, OSSIO_OP_LIST, uri);
    if (st != OSSIO_OK) {
        return st;
    }
    ossio_op_free(probe);
    ossio_text_reader *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return OSSIO_ENOMEM;
    }
    r->uri = strdup(uri);
    r->running = calloc(parallelism, sizeof(*r->running));
    if (r->uri == NULL || r->running == NULL) {
        free(r->uri);
        free(r->running);
        free(r);
        return OSSIO_ENOMEM;
    }
    r->cl = cl;
    r->parallelism = parallelism;
    ossio__record_opts_init(&r->rec, 0);
    *out = r;
    return OSSIO_OK;
}

ossio_status ossio_text_reader_set_delimiter(ossio_text_reader *r, const void *delim, size_t len)
{
    if (r == NULL || r->submitted) {
        return OSSIO_EINVAL;
    }
    return ossio__record_opts_set_delimiter(&r->rec, delim, len);
}

ossio_status ossio_text_reader_set_max_record(ossio_text_reader *r, size_t max)
{
    if (r == NULL || r->submitted) {
        return OSSIO_EINVAL;
    }
    return ossio__record_opts_set_max_record(&r->rec, max);
}

void ossio_text_reader_set_callbacks(ossio_text_reader *r, ossio_records_cb cb, void *user_data)
{
    if (r != NULL && !r->submitted) {
        r->rec.cb = cb;
        r->rec.cb_ud = user_data;
    }
}

static void release(ossio_text_reader *r)
{
    ossio_split_plan_free(r->plan);
    free(r->running);
    free(r->uri);
    free(r);
}

void ossio_text_reader_free(ossio_text_reader *r)
{
    if (r != NULL && !r->submitted) {
        release(r);
    }
}

size_t ossio_text_reader_splits(const ossio_text_reader *r)
{
    return r != NULL ? r->n_splits : 0;
}

uint64_t ossio_text_reader_records(const ossio_text_reader *r)
{
    return r != NULL ? r->records : 0;
}

uint64_t ossio_text_reader_bytes(const ossio_text_reader *r)
{
    return r != NULL ? r->bytes : 0;
}

/* The first failure decides the outcome and stops everything in flight. */
static void fail(ossio_text_reader *r, ossio_status st, const char *detail,
                 const ossio_result *from)
{
    if (r->out.decided) {
        return;
    }
    ossio__outcome_fail(&r->out, st, detail, from);
    ossio__split_planner_cancel(r->planner);
    for (unsigned i = 0; i < r->parallelism; i++) {
        ossio_split_reader_cancel(r->running[i]);
    }
}

static void settle(ossio_text_reader *r)
{
    if (r->planner != NULL || r->in_flight > 0 || r->settle_node.queued) {
        return;
    }
    if (!r->out.decided) {
        if (r->plan == NULL || r->next < r->n_splits) {
            return;
        }
        ossio__outcome_ok(&r->out);
    }
    r->done(r, ossio__outcome_result(&r->out, r->bytes), r->done_ud);
    release(r);
}

static void settle_deferred(ossio__deferred *d)
{
    settle((ossio_text_reader *)((char *)d - offsetof(ossio_text_reader, settle_node)));
}

static void start_more(ossio_text_reader *r);

static void on_split_done(ossio_split_reader *sr, const ossio_result *res, void *ud)
{
    ossio_text_reader *r = ud;
    for (unsigned i = 0; i < r->parallelism; i++) {
        if (r->running[i] == sr) {
            r->running[i] = NULL;
        }
    }
    r->in_flight--;
    r->records += ossio_split_reader_records(sr);
    r->bytes += ossio_split_reader_bytes(sr);
    ossio__outcome_account(&r->out, res);
    if (res->status != OSSIO_OK) {
        fail(r, res->status, res->detail, res);
    }
    start_more(r);
    settle(r);
}

static void start_more(ossio_text_reader *r)
{
    while (!r->out.decided && r->in_flight < r->parallelism && r->next < r->n_splits) {
        const ossio_split *s = ossio_split_plan_get(r->plan, r->next++);
        ossio_split_reader *sr = NULL;
        ossio_status st = ossio_split_reader_new(&sr, r->cl, s);
        if (st == OSSIO_OK) {
            st = ossio_split_reader_set_delimiter(sr, r->rec.delim, r->rec.dlen);
        }
        if (st == OSSIO_OK && r->rec.max_record > 0) {
            st = ossio_split_reader_set_max_record(sr, r->rec.max_record);
        }
        if (st != OSSIO_OK) {
            ossio_split_reader_free(sr);
            fail(r, st, "could not start a split reader", NULL);
            return;
        }
        /* Batches go straight to the caller, with the split they belong to. */
        ossio_split_reader_set_callbacks(sr, r->rec.cb, r->rec.cb_ud);
        for (unsigned i = 0; i < r->parallelism; i++) {
            if (r->running[i] == NULL) {
                r->running[i] = sr;
                break;
            }
        }
        r->in_flight++;
        ossio_split_reader_submit(sr, on_split_done, r);
    }
}

static void on_planned(ossio_split_plan *plan, const ossio_result *res, void *ud)
{
    ossio_text_reader *r = ud;
    r->planner = NULL;
    r->plan = plan;
    if (res->status != OSSIO_OK) {
        fail(r, res->status, res->detail, res);
    } else if (r->out.decided) {
        /* canceled while the plan was on its way */
    } else {
        r->n_splits = ossio_split_plan_count(plan);
        start_more(r);
    }
    settle(r);
}

ossio_status ossio_text_reader_submit(ossio_text_reader *r, ossio_text_done_cb done,
                                      void *user_data)
{
    if (r == NULL || r->submitted || done == NULL) {
        return OSSIO_EINVAL;
    }
    r->submitted = 1;
    r->done = done;
    r->done_ud = user_data;
    ossio_status st =
        ossio__split_planner_start(r->cl, r->uri, r->parallelism, on_planned, r, &r->planner);
    if (st != OSSIO_OK) {
        fail(r, st, ossio_client_error(r->cl), NULL);
        ossio__defer(&ossio__cl_tp(r->cl)->defer, &r->settle_node, settle_deferred);
    }
    return OSSIO_OK;
}

void ossio_text_reader_cancel(ossio_text_reader *r)
{
    if (r == NULL || !r->submitted || r->out.decided) {
        return;
    }
    fail(r, OSSIO_ECANCELED, "canceled", NULL);
    ossio__defer(&ossio__cl_tp(r->cl)->defer, &r->settle_node, settle_deferred);
}
