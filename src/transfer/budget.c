/* The memory budget shared by a client's transfers; see budget.h. */
#include "transfer/budget.h"

#include <stddef.h>

int ossio__mem_reserve(ossio_client *cl, uint64_t n)
{
    uint64_t *used = &ossio__cl_tp(cl)->stats[OSSIO_STAT_MEMORY_BUFFERED];
    if (*used > 0 && (n > ossio__cl_ops(cl)->oss.memory_limit ||
                      *used > ossio__cl_ops(cl)->oss.memory_limit - n)) {
        return 0;
    }
    *used += n;
    if (*used > ossio__cl_tp(cl)->stats[OSSIO_STAT_MEMORY_PEAK]) {
        ossio__cl_tp(cl)->stats[OSSIO_STAT_MEMORY_PEAK] = *used;
    }
    return 1;
}

static void kick(ossio__deferred *d)
{
    ossio_client *cl = ((ossio__xfer_ctx *)((char *)d - offsetof(ossio__xfer_ctx, mem_kick)))->cl;
    /* Wake the ones queued now; those that still do not fit queue again. */
    ossio__waiter *w = ossio__cl_xfer(cl)->mem_waiters;
    ossio__cl_xfer(cl)->mem_waiters = ossio__cl_xfer(cl)->mem_waiters_tail = NULL;
    while (w != NULL) {
        ossio__waiter *next = w->next;
        w->next = NULL;
        w->waiting = 0;
        w->wake(w);
        w = next;
    }
}

void ossio__mem_release(ossio_client *cl, uint64_t n)
{
    uint64_t *used = &ossio__cl_tp(cl)->stats[OSSIO_STAT_MEMORY_BUFFERED];
    *used = n > *used ? 0 : *used - n;
    if (ossio__cl_xfer(cl)->mem_waiters != NULL) {
        ossio__defer(&ossio__cl_tp(cl)->defer, &ossio__cl_xfer(cl)->mem_kick, kick);
    }
}

void ossio__mem_wait(ossio_client *cl, ossio__waiter *w)
{
    if (w->waiting) {
        return;
    }
    w->waiting = 1;
    w->next = NULL;
    if (ossio__cl_xfer(cl)->mem_waiters_tail != NULL) {
        ossio__cl_xfer(cl)->mem_waiters_tail->next = w;
    } else {
        ossio__cl_xfer(cl)->mem_waiters = w;
    }
    ossio__cl_xfer(cl)->mem_waiters_tail = w;
}

void ossio__mem_unwait(ossio_client *cl, ossio__waiter *w)
{
    if (!w->waiting) {
        return;
    }
    ossio__waiter *prev = NULL;
    for (ossio__waiter *it = ossio__cl_xfer(cl)->mem_waiters; it != NULL;
         prev = it, it = it->next) {
        if (it == w) {
            if (prev != NULL) {
                prev->next = w->next;
            } else {
                ossio__cl_xfer(cl)->mem_waiters = w->next;
            }
            if (ossio__cl_xfer(cl)->mem_waiters_tail == w) {
                ossio__cl_xfer(cl)->mem_waiters_tail = prev;
            }
            break;
        }
    }
    w->next = NULL;
    w->waiting = 0;
}
