/* The memory budget shared by a client's transfers; see budget.h. */
#include "transfer/budget.h"

#include <stddef.h>

int ossio__mem_reserve(ossio_client *cl, uint64_t n)
{
    uint64_t *used = &cl->stats[OSSIO_STAT_MEMORY_BUFFERED];
    if (*used > 0 && (n > cl->oss.memory_limit || *used > cl->oss.memory_limit - n)) {
        return 0;
    }
    *used += n;
    if (*used > cl->stats[OSSIO_STAT_MEMORY_PEAK]) {
        cl->stats[OSSIO_STAT_MEMORY_PEAK] = *used;
    }
    return 1;
}

static void kick(ossio__deferred *d)
{
    ossio_client *cl = (ossio_client *)((char *)d - offsetof(ossio_client, mem_kick));
    /* Wake the ones queued now; those that still do not fit queue again. */
    ossio__waiter *w = cl->mem_waiters;
    cl->mem_waiters = cl->mem_waiters_tail = NULL;
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
    uint64_t *used = &cl->stats[OSSIO_STAT_MEMORY_BUFFERED];
    *used = n > *used ? 0 : *used - n;
    if (cl->mem_waiters != NULL) {
        ossio__defer(&cl->defer, &cl->mem_kick, kick);
    }
}

void ossio__mem_wait(ossio_client *cl, ossio__waiter *w)
{
    if (w->waiting) {
        return;
    }
    w->waiting = 1;
    w->next = NULL;
    if (cl->mem_waiters_tail != NULL) {
        cl->mem_waiters_tail->next = w;
    } else {
        cl->mem_waiters = w;
    }
    cl->mem_waiters_tail = w;
}

void ossio__mem_unwait(ossio_client *cl, ossio__waiter *w)
{
    if (!w->waiting) {
        return;
    }
    ossio__waiter *prev = NULL;
    for (ossio__waiter *it = cl->mem_waiters; it != NULL; prev = it, it = it->next) {
        if (it == w) {
            if (prev != NULL) {
                prev->next = w->next;
            } else {
                cl->mem_waiters = w->next;
            }
            if (cl->mem_waiters_tail == w) {
                cl->mem_waiters_tail = prev;
            }
            break;
        }
    }
    w->next = NULL;
    w->waiting = 0;
}
