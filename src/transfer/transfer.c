/* What every kind of transfer shares: construction, submit, the decision
 * of the outcome (the first failure wins and stops the rest), progress, the
 * memory budget, and the one completion. What varies by kind is in its
 * table (download.c, upload.c, push.c). */
#include "transfer/transfer.h"

#include <ev.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transfer/context.h"
#include "ops/op.h"
#include "transfer/budget.h"

static void wake(ossio__waiter *w)
{
    ossio_transfer *t = (ossio_transfer *)((char *)w - offsetof(ossio_transfer, mem_waiter));
    t->kind->pump(t);
}

/* The transfer ran out of time: it fails as a cancel does (an upload is
 * aborted; a Complete or PutObject already being written is awaited, and its
 * answer decides). */
static void on_deadline(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    ossio_transfer *t = w->data;
    char detail[128];
    snprintf(detail, sizeof(detail), "not done within its deadline of %.3f s", t->deadline);
    ossio__transfer_fail(t, OSSIO_EDEADLINE, detail, NULL);
    ossio__transfer_settle_later(t);
}

static ossio_status make(ossio_transfer **out, ossio_client *cl, const char *uri,
                         const ossio__transfer_kind *kind)
{
    if (out == NULL) {
        return OSSIO_EINVAL;
    }
    *out = NULL;
    if (cl == NULL || uri == NULL) {
        return OSSIO_EINVAL;
    }
    int upload = kind != &ossio__download_kind;
    /* Check the URI and configuration now, with ossio_op_new()'s messages. */
    ossio_op *probe = NULL;
    ossio_status st = ossio_op_new(&probe, cl, upload ? OSSIO_OP_PUT : OSSIO_OP_GET, uri);
    if (st != OSSIO_OK) {
        return st;
    }
    ossio_op_free(probe);
    ossio_transfer *t = calloc(1, sizeof(*t));
    if (t == NULL || (t->uri = strdup(uri)) == NULL) {
        free(t);
        return OSSIO_ENOMEM;
    }
    t->kind = kind;
    t->cl = cl;
    t->upload = upload;
    ossio__sink_init(&t->dl.sink);
    t->up.source.fd = -1;
    t->push.spill_fd = -1;
    t->mem_waiter.wake = wake;
    ev_init(&t->dl.hedge_timer, NULL);
    ev_init(&t->dl.res.sync_timer, NULL);
    ev_init(&t->deadline_timer, on_deadline);
    t->deadline_timer.data = t;
    t->deadline = ossio__cl_tp(cl)->set.deadline;
    t->dl.hedging = !upload && ossio__cl_ops(cl)->oss.hedging;
    ossio__hdrs_init(&t->up.hdrs, 64 * 1024, 64);
    *out = t;
    return OSSIO_OK;
}

ossio_status ossio_download_new(ossio_transfer **out, ossio_client *cl, const char *uri)
{
    return make(out, cl, uri, &ossio__download_kind);
}

ossio_status ossio_upload_new(ossio_transfer **out, ossio_client *cl, const char *uri)
{
    return make(out, cl, uri, &ossio__upload_kind);
}

int ossio__transfer_mem_try(ossio_transfer *t, uint64_t n)
{
    if (!ossio__mem_reserve(t->cl, n)) {
        return 0;
    }
    t->mem_held += n;
    if (t->mem_held > t->mem_peak) {
        t->mem_peak = t->mem_held;
    }
    return 1;
}

int ossio__transfer_mem_take(ossio_transfer *t, uint64_t n)
{
    if (!ossio__transfer_mem_try(t, n)) {
        ossio__mem_wait(t->cl, &t->mem_waiter);
        return 0;
    }
    return 1;
}

void ossio__transfer_part_free(ossio_transfer *t, part *p)
{
    free(p->buf);
    p->buf = NULL;
    if (p->mem > 0) {
        t->mem_held -= p->mem;
        ossio__mem_release(t->cl, p->mem);
        p->mem = 0;
    }
}

static void unlink_live(ossio_transfer *t)
{
    ossio_client *cl = t->cl;
    ossio__mem_unwait(cl, &t->mem_waiter);
    if (t->mem_held > 0) {
        ossio__mem_release(cl, t->mem_held);
    }
    if (t->live_prev != NULL) {
        t->live_prev->live_next = t->live_next;
    } else {
        ossio__cl_xfer(cl)->transfers = t->live_next;
    }
    if (t->live_next != NULL) {
        t->live_next->live_prev = t->live_prev;
    }
}

static void release(ossio_transfer *t)
{
    if (t->submitted) {
        unlink_live(t);
    }
    t->kind->release(t);
    if (t->parts != NULL) {
        for (size_t i = 0; i < t->n_parts; i++) {
            free(t->parts[i].buf);
            free(t->parts[i].stage);
            free(t->parts[i].hedge);
        }
    }
    free(t->parts);
    ossio__hdrs_free(&t->up.hdrs);
    free(t->uri);
    free(t);
}

void ossio_transfer_free(ossio_transfer *t)
{
    if (t != NULL && !t->submitted) {
        release(t);
    }
}

ossio_status ossio_transfer_submit(ossio_transfer *t, ossio_transfer_done_cb done, void *user_data)
{
    if (t == NULL || t->submitted || done == NULL || !t->kind->ready(t)) {
        return OSSIO_EINVAL;
    }
    t->submitted = 1;
    ossio_client *cl = t->cl;
    t->live_next = ossio__cl_xfer(cl)->transfers;
    if (ossio__cl_xfer(cl)->transfers != NULL) {
        ossio__cl_xfer(cl)->transfers->live_prev = t;
    }
    ossio__cl_xfer(cl)->transfers = t;
    t->started = ev_now(ossio__cl_tp(t->cl)->loop);
    if (t->deadline > 0) {
        ev_timer_set(&t->deadline_timer, t->deadline, 0.);
        ev_timer_start(ossio__cl_tp(cl)->loop, &t->deadline_timer);
    }
    t->done = done;
    t->done_ud = user_data;
    if (t->part_size == 0) {
        t->part_size = t->upload ? ossio__cl_ops(cl)->oss.upload_part_size
                                 : ossio__cl_ops(cl)->oss.download_part_size;
    }
    if (t->parallel == 0) {
        t->parallel = t->upload ? ossio__cl_ops(cl)->oss.upload_parallel
                                : ossio__cl_ops(cl)->oss.download_parallel;
    }
    /* Bytes held in memory (stream-sink reordering, file and push upload
     * parts) come out of the client's budget: parts wait for it (budget.h). */
    t->kind->start(t);
    return OSSIO_OK;
}

void ossio__transfer_note_progress(ossio_transfer *t, int force)
{
    if (t->progress == NULL) {
        return;
    }
    double now = ev_now(ossio__cl_tp(t->cl)->loop);
    if (!force && now - t->last_progress < 0.1) {
        return;
    }
    t->last_progress = now;
    t->progress(t, t->moved, t->size_known ? t->size : 0, t->progress_ud);
}

void ossio__transfer_account(ossio_transfer *t, const ossio_result *res)
{
    t->retries += res->retries;
    if (res->protocol != NULL) {
        t->protocol = res->protocol;
    }
    if (res->connection != 0) {
        t->last_conn = res->connection;
        unsigned i = 0;
        while (i < t->n_conns && t->conns[i] != res->connection) {
            i++;
        }
        if (i == t->n_conns && i < sizeof(t->conns) / sizeof(t->conns[0])) {
            t->conns[t->n_conns++] = res->connection;
        }
    }
}

void ossio__transfer_fail(ossio_transfer *t, ossio_status st, const char *detail,
                          const ossio_result *from)
{
    if (t->finishing) {
        return;
    }
    t->finishing = 1;
    ossio__outcome_fail(&t->out, st, detail, from); /* decided iff finishing */
    /* Stop what is in flight; each settles through its completion. */
    for (size_t i = 0; i < t->n_parts; i++) {
        if (t->parts[i].op != NULL) {
            ossio_op_cancel(t->parts[i].op);
        }
        if (t->parts[i].hedge != NULL && t->parts[i].hedge->op != NULL) {
            ossio_op_cancel(t->parts[i].hedge->op);
        }
    }
    /* An InitiateMultipartUpload in flight is left to finish: its UploadId is
     * needed to abort the upload it may already have created. So is a
     * CompleteMultipartUpload in flight, and a single PutObject whose body
     * has been sent: the server may already be writing the object (an abort
     * could lose the race, a reset may come too late); that attempt's answer
     * tells, and no other attempt starts. Waiting to retry, they are
     * canceled like the rest. */
    int committing = (t->ctl_is_complete && ossio__op_in_flight(t->ctl)) ||
                     (t->ctl_is_put && ossio__op_body_sent(t->ctl));
    if (committing) {
        ossio__op_last_attempt(t->ctl); /* this attempt's answer, but no new attempt */
    }
    if (t->ctl != NULL && !t->ctl_is_init && !committing) {
        ossio_op_cancel(t->ctl);
    }
}

void ossio__transfer_complete(ossio_transfer *t)
{
    if (!t->finishing) {
        t->finishing = 1;
        ossio__outcome_ok(&t->out);
    }
}

void ossio__transfer_settle(ossio_transfer *t)
{
    /* A queued deferred settle will do it: completing now would free |t|
     * under that queued node. */
    if (!t->finishing || t->in_flight > 0 || t->ctl != NULL || t->settle_node.queued) {
        return; /* the queued call settles it when it runs */
    }
    if (t->kind->settling(t)) {
        return; /* called again when that is done */
    }
    ev_timer_stop(ossio__cl_tp(t->cl)->loop, &t->deadline_timer);
    ev_now_update(ossio__cl_tp(t->cl)->loop);
    t->elapsed = ev_now(ossio__cl_tp(t->cl)->loop) - t->started;
    ossio__transfer_note_progress(t, 1);
    ossio__outcome_fill(&t->out, &t->result);
    t->result.protocol = t->protocol;
    t->result.retries = t->retries;
    t->result.connection = t->last_conn;
    t->result.bytes_received = t->upload ? 0 : t->moved;
    t->result.bytes_sent = t->upload ? t->moved : 0;
    t->result.written = t->upload ? t->written : OSSIO_WRITTEN_NO;
    t->result.checksum = t->checksum;
    t->done(t, &t->result, t->done_ud);
    release(t);
}

static void settle_deferred(ossio__deferred *d)
{
    ossio_transfer *t = (ossio_transfer *)((char *)d - offsetof(ossio_transfer, settle_node));
    ossio__transfer_settle(t);
}

void ossio__transfer_settle_later(ossio_transfer *t)
{
    ossio__defer(&ossio__cl_tp(t->cl)->defer, &t->settle_node, settle_deferred);
}

void ossio__transfers_cancel_all(ossio_client *cl)
{
    for (ossio_transfer *t = ossio__cl_xfer(cl)->transfers; t != NULL; t = t->live_next) {
        ossio_transfer_cancel(t);
    }
}

void ossio_transfer_cancel(ossio_transfer *t)
{
    if (t != NULL && t->submitted) {
        ossio__transfer_fail(t, OSSIO_ECANCELED, "canceled", NULL);
        ossio__transfer_settle_later(t);
    }
}
