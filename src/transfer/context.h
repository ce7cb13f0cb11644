/* The transfer layer's part of a client: the memory budget shared by its
 * transfers (transfer/budget.c) and the transfers submitted and not yet
 * completed. The client (src/client/) embeds one; transfers reach it through
 * ossio__cl_xfer(), without seeing the client's layout. */
#ifndef OSSIO__TRANSFER_CONTEXT_H
#define OSSIO__TRANSFER_CONTEXT_H

#include "ops/context.h"
#include "ossio.h"
#include "transport/defer.h"

/* Something waiting for memory of the client's budget (transfer/budget.c). */
typedef struct ossio__waiter {
    struct ossio__waiter *next;
    void (*wake)(struct ossio__waiter *w);
    int waiting;
} ossio__waiter;

struct ossio_transfer;

typedef struct ossio__xfer_ctx {
    ossio_client *cl; /* the client embedding this context (set by it) */
    /* memory budget shared by the client's transfers (transfer/budget.c);
     * bytes held and peak are stats[OSSIO_STAT_MEMORY_BUFFERED/_PEAK] of
     * the transport context */
    ossio__waiter *mem_waiters;
    ossio__waiter *mem_waiters_tail;
    ossio__deferred mem_kick;
    struct ossio_transfer *transfers; /* submitted, not yet completed */
} ossio__xfer_ctx;

/* The transfer context of |cl|; implemented by the client (src/client/).
 * Never NULL for a valid client; it lives as long as the client. */
ossio__xfer_ctx *ossio__cl_xfer(const ossio_client *cl);

/* Cancels every submitted transfer (transfer/transfer.c; client destroy). */
void ossio__transfers_cancel_all(ossio_client *cl);

#endif /* OSSIO__TRANSFER_CONTEXT_H */
