/* Deferred calls: work queued now and run from the loop on its next turn, so
 * no completion ever runs inside the call that caused it (STYLE.md rule 4). */
#ifndef OSSIO__TRANSPORT_DEFER_H
#define OSSIO__TRANSPORT_DEFER_H

#include <ev.h>

/* Embedded in whatever wants a deferred call; not allocated by the queue. */
typedef struct ossio__deferred {
    struct ossio__deferred *next;
    void (*fn)(struct ossio__deferred *d);
    int queued;
} ossio__deferred;

typedef struct ossio__defer_queue {
    struct ev_loop *loop;
    ev_timer timer; /* 0-delay timer: fires on the loop's next iteration */
    ossio__deferred *head;
    ossio__deferred *tail;
} ossio__defer_queue;

void ossio__defer_init(ossio__defer_queue *q, struct ev_loop *loop);

/* Queues |d| to run |fn| later (once, even if queued twice). */
void ossio__defer(ossio__defer_queue *q, ossio__deferred *d, void (*fn)(ossio__deferred *d));

/* Runs everything queued, including what the calls queue (used by destroy). */
void ossio__defer_drain(ossio__defer_queue *q);

/* Stops the timer; calls nothing. */
void ossio__defer_stop(ossio__defer_queue *q);

#endif /* OSSIO__TRANSPORT_DEFER_H */
