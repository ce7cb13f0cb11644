/* Deferred calls: work queued now and run from the loop on its next turn, so
 * no completion ever runs inside the call that caused it (STYLE.md rule 4). */
#ifndef OSSIO_LOOP_DEFER_H
#define OSSIO_LOOP_DEFER_H

#include <ev.h>

/* Embedded in whatever wants a deferred call; not allocated by the queue. */
typedef struct ossio_deferred {
    struct ossio_deferred *next;
    void (*fn)(struct ossio_deferred *d);
    int queued;
} ossio_deferred;

typedef struct ossio_defer_queue {
    struct ev_loop *loop;
    ev_timer timer; /* 0-delay timer: fires on the loop's next iteration */
    ossio_deferred *head;
    ossio_deferred *tail;
} ossio_defer_queue;

void ossio_defer_init(ossio_defer_queue *q, struct ev_loop *loop);

/* Queues |d| to run |fn| later (once, even if queued twice). */
void ossio_defer(ossio_defer_queue *q, ossio_deferred *d, void (*fn)(ossio_deferred *d));

/* Runs everything queued, including what the calls queue (used by destroy). */
void ossio_defer_drain(ossio_defer_queue *q);

/* Stops the timer; calls nothing. */
void ossio_defer_stop(ossio_defer_queue *q);

#endif /* OSSIO_LOOP_DEFER_H */
