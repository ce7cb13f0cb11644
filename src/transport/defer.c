/* The deferred-call queue: a FIFO of intrusive nodes and one 0-delay libev
 * timer. Calls queued while the queue runs wait for the next turn, so a
 * callback that submits work cannot starve the loop. */
#include "transport/defer.h"

#include <stddef.h>

static void run_batch(ossio__defer_queue *q)
{
    ossio__deferred *batch = q->head;
    q->head = q->tail = NULL;
    while (batch != NULL) {
        ossio__deferred *d = batch;
        batch = d->next;
        d->next = NULL;
        d->queued = 0;
        d->fn(d); /* may free d */
    }
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    ossio__defer_queue *q = w->data;
    run_batch(q);
    if (q->head != NULL) {
        ev_timer_set(&q->timer, 0., 0.);
        ev_timer_start(q->loop, &q->timer);
    }
}

void ossio__defer_init(ossio__defer_queue *q, struct ev_loop *loop)
{
    q->loop = loop;
    q->head = q->tail = NULL;
    ev_timer_init(&q->timer, on_timer, 0., 0.);
    q->timer.data = q;
}

void ossio__defer(ossio__defer_queue *q, ossio__deferred *d, void (*fn)(ossio__deferred *d))
{
    if (d->queued) {
        return;
    }
    d->fn = fn;
    d->next = NULL;
    d->queued = 1;
    if (q->tail != NULL) {
        q->tail->next = d;
    } else {
        q->head = d;
    }
    q->tail = d;
    if (!ev_is_active(&q->timer)) {
        ev_timer_set(&q->timer, 0., 0.);
        ev_timer_start(q->loop, &q->timer);
    }
}

void ossio__defer_drain(ossio__defer_queue *q)
{
    while (q->head != NULL) {
        run_batch(q);
    }
    ev_timer_stop(q->loop, &q->timer);
}

void ossio__defer_stop(ossio__defer_queue *q)
{
    ev_timer_stop(q->loop, &q->timer);
}
