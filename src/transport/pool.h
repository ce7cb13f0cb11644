/* Origins: the pool owns every connection, groups them by origin (scheme,
 * host, port), and hands queued requests to connections through the
 * protocol-neutral seam (transport/conn.h). */
#ifndef OSSIO__TRANSPORT_POOL_H
#define OSSIO__TRANSPORT_POOL_H

#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>

#include "ossio.h"
#include "transport/addrs.h"
#include "transport/conn.h"
#include "transport/transport.h"

typedef struct ossio__origin ossio__origin;

struct ossio__origin {
    ossio__origin *next;
    ossio__transport *tp;
    int dispatching;
    int tls;
    char *host;
    uint16_t port;
    char *authority;
    const ossio__proto *proto; /* learned from the first connection; NULL until then */
    ossio__conn *conns;
    size_t n_conns;
    size_t n_connecting;
    ossio_request *queue_head; /* requests waiting for a connection, FIFO */
    ossio_request *queue_tail;
    size_t queued;
    SSL_SESSION *session;    /* last TLS session, for resumption */
    ossio__addr_table addrs; /* every address DNS returned, and how each fares */
};

/* The origin for (tls, host, port), created on first use; NULL on ENOMEM. */
ossio__origin *ossio__pool_origin(ossio__transport *tp, int tls, const char *host, uint16_t port,
                                  const char *authority);

/* Queues |r| on its origin and starts what it needs. */
void ossio__pool_enqueue(ossio__origin *o, ossio_request *r);
/* Puts |r| back at the head of the queue (it was not processed: GOAWAY,
 * refused stream, stale keep-alive connection). */
void ossio__pool_requeue(ossio__origin *o, ossio_request *r);
/* Removes a queued request (cancel). */
void ossio__pool_unqueue(ossio__origin *o, ossio_request *r);
/* Hands queued requests to connections, opening connections as allowed. */
void ossio__pool_dispatch(ossio__origin *o);
/* A connection attempt failed: fail the queue unless another connection can serve it. */
void ossio__pool_connect_failed(ossio__origin *o, ossio_status st, const char *detail);
/* A request on |c| ended with |st| after moving |bytes| in |secs|: counted on
 * its address, which a timed-out or stalled request sets aside. */
void ossio__pool_request_done(ossio__conn *c, uint64_t bytes, double secs, ossio_status st);
/* Closes every connection and frees every origin (client destroy). */
void ossio__pool_destroy(ossio__transport *tp);

#endif /* OSSIO__TRANSPORT_POOL_H */
