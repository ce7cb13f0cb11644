/* The client's memory budget (fs.oss.memory.limit), shared by its
 * transfers: bytes held for parts (stream-download reordering, file and
 * push upload parts) are reserved before they are held and given back when
 * freed. A transfer that cannot reserve waits (it is woken from the loop
 * when memory is given back) instead of failing. */
#ifndef OSSIO__TRANSFER_BUDGET_H
#define OSSIO__TRANSFER_BUDGET_H

#include <stdint.h>

#include "transfer/context.h"

/* Reserves |n| bytes: 1 if granted, 0 if they do not fit. A reservation
 * is always granted when nothing is held, so one part larger than the
 * budget still moves (alone). */
int ossio__mem_reserve(ossio_client *cl, uint64_t n);

/* Gives |n| reserved bytes back and wakes the waiters from the loop. */
void ossio__mem_release(ossio_client *cl, uint64_t n);

/* Queues |w| (once) to have w->wake called after memory is given back. */
void ossio__mem_wait(ossio_client *cl, ossio__waiter *w);

/* Removes |w| from the queue if it is there. */
void ossio__mem_unwait(ossio_client *cl, ossio__waiter *w);

#endif /* OSSIO__TRANSFER_BUDGET_H */
