/* Download hedging: a part far slower than the parts done so far gets a
 * second request for the same range; the first of the two to finish decides
 * the part (docs/transfers.md). */
#include <stdlib.h>

#include <ev.h>

#include "ops/checksum.h"
#include "transfer/context.h"
#include "transfer/transfer.h"
#include "util/crc32.h"

static int hedge_data(ossio_op *op, const uint8_t *data, size_t len, void *ud)
{
    (void)op;
    hedge *h = ud;
    part *p = h->p;
    ossio_transfer *t = p->t;
    if (t->finishing || p->state == OSSIO__PART_DONE || h->got + len > p->len) {
        return 1;
    }
    if (t->dl.sink.ops->write(&t->dl.sink, p->off + h->got, data, len) != 0) {
        return 1; /* the first request may still succeed */
    }
    h->crc = ossio_crc64(h->crc, data, len);
    int kind = ossio__ops_sum_kind(&ossio__cl_ops(t->cl)->oss);
    if (kind >= 0) {
        h->sum = ossio__crc32_update((ossio__crc32_kind)kind, h->sum, data, len);
    }
    h->got += len;
    ossio__download_count_progress(t, p, h->got);
    return 0;
}

static void hedge_done(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)op;
    hedge *h = ud;
    part *p = h->p;
    ossio_transfer *t = p->t;
    h->op = NULL;
    t->in_flight--;
    ossio__transfer_account(t, res);
    if (p->state == OSSIO__PART_DONE || t->finishing) {
        ossio__transfer_settle(t);
        return;
    }
    if (res->status != OSSIO_OK || h->got != p->len) {
        if (p->op == NULL) { /* both requests failed */
            ossio__transfer_fail(t, res->status != OSSIO_OK ? res->status : OSSIO_EPROTO,
                                 res->detail, res);
        }
        ossio__transfer_settle(t);
        return;
    }
    ossio__log(t->cl, OSSIO_LOG_DEBUG, "hedged part at %llu of %s won", (unsigned long long)p->off,
               t->uri);
    p->hedge_won = 1;
    p->state = OSSIO__PART_DONE;
    p->crc = h->crc;
    p->sum = h->sum;
    p->got = p->len;
    if (p->op != NULL) {
        ossio_op_cancel(p->op);
    }
    t->done_parts++;
    ossio__dl_resume_written(t, p);
    ossio__download_finish_if_done(t);
    if (!t->finishing) {
        ossio__download_pump(t);
    }
    ossio__transfer_settle(t);
}

/* Every 200 ms: re-request a part far slower than the parts done so far. */
static void on_hedge_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)revents;
    ossio_transfer *t = w->data;
    if (t->finishing) {
        ev_timer_stop(loop, w);
        return;
    }
    if (t->dl.done_time_count < 2) {
        return;
    }
    double mean = t->dl.done_time_sum / t->dl.done_time_count;
    double limit = 4 * mean > 1.0 ? 4 * mean : 1.0;
    double now = ev_now(loop);
    for (size_t i = 1; i < t->n_parts; i++) {
        part *p = &t->parts[i];
        if (p->state != OSSIO__PART_INFLIGHT || p->hedge != NULL || now - p->started < limit) {
            continue;
        }
        /* The budget: hedges stay within 5 % of the client's download parts,
         * so a slow server is not sent 2x the load (docs/transfers.md). */
        ossio__oss_settings *o = &ossio__cl_ops(t->cl)->oss;
        if ((double)(o->hedges + 1) > 0.05 * (double)o->hedge_parts) {
            return;
        }
        o->hedges++;
        hedge *h = calloc(1, sizeof(*h));
        ossio_op *op = NULL;
        if (h == NULL || ossio_op_new(&op, t->cl, OSSIO_OP_GET, t->uri) != OSSIO_OK ||
            ossio_op_set_range(op, p->off, (int64_t)p->len) != OSSIO_OK ||
            (t->dl.etag[0] && ossio_op_set_header(op, "If-Match", t->dl.etag) != OSSIO_OK)) {
            free(h);
            ossio_op_free(op);
            return;
        }
        h->p = p;
        h->op = op;
        p->hedge = h;
        t->dl.hedges++;
        t->in_flight++;
        ossio__log(t->cl, OSSIO_LOG_INFO,
                   "hedging the part at %llu of %s (running %.2f s, mean %.2f s)",
                   (unsigned long long)p->off, t->uri, now - p->started, mean);
        ossio_op_set_callbacks(op, hedge_data, NULL, h);
        ossio__transfer_submit_op(op, hedge_done, h);
    }
}

void ossio__hedge_start(ossio_transfer *t)
{
    ev_timer_init(&t->dl.hedge_timer, on_hedge_timer, 0.2, 0.2);
    t->dl.hedge_timer.data = t;
    ev_timer_start(ossio__cl_tp(t->cl)->loop, &t->dl.hedge_timer);
}
