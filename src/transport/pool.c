/* Origins and dispatch: requests wait in their origin's queue until a
 * connection can take them. HTTP/2 fills one connection up to its stream
 * limit before opening another; HTTP/1.1 spreads over up to
 * fs.oss.connection.maximum connections, one exchange each. */
#include "transport/pool.h"

#include <stdlib.h>
#include <string.h>

#include "transport/transport.h"
#include "transport/conn.h"
#include "transport/request.h"

ossio__origin *ossio__pool_origin(ossio__transport *tp, int tls, const char *host, uint16_t port,
                                  const char *authority)
{
    for (ossio__origin *o = tp->origins; o != NULL; o = o->next) {
        if (o->tls == tls && o->port == port && strcmp(o->host, host) == 0) {
            return o;
        }
    }
    ossio__origin *o = calloc(1, sizeof(*o));
    if (o == NULL) {
        return NULL;
    }
    o->host = strdup(host);
    o->authority = strdup(authority);
    if (o->host == NULL || o->authority == NULL) {
        free(o->host);
        free(o->authority);
        free(o);
        return NULL;
    }
    o->tls = tls;
    o->port = port;
    o->tp = tp;
    ossio__addrs_init(&o->addrs, tp->set.addr_backoff);
    o->next = tp->origins;
    tp->origins = o;
    return o;
}

void ossio__pool_enqueue(ossio__origin *o, ossio_request *r)
{
    r->qnext = NULL;
    r->qprev = o->queue_tail;
    if (o->queue_tail != NULL) {
        o->queue_tail->qnext = r;
    } else {
        o->queue_head = r;
    }
    o->queue_tail = r;
    o->queued++;
    r->state = OSSIO__REQ_QUEUED;
    ossio__pool_dispatch(o);
}

void ossio__pool_requeue(ossio__origin *o, ossio_request *r)
{
    r->qprev = NULL;
    r->qnext = o->queue_head;
    if (o->queue_head != NULL) {
        o->queue_head->qprev = r;
    } else {
        o->queue_tail = r;
    }
    o->queue_head = r;
    o->queued++;
    r->state = OSSIO__REQ_QUEUED;
    ossio__pool_dispatch(o);
}

void ossio__pool_unqueue(ossio__origin *o, ossio_request *r)
{
    if (r->qprev != NULL) {
        r->qprev->qnext = r->qnext;
    } else if (o->queue_head == r) {
        o->queue_head = r->qnext;
    } else {
        return; /* not queued */
    }
    if (r->qnext != NULL) {
        r->qnext->qprev = r->qprev;
    } else {
        o->queue_tail = r->qprev;
    }
    r->qnext = r->qprev = NULL;
    o->queued--;
}

static ossio_request *pop(ossio__origin *o)
{
    ossio_request *r = o->queue_head;
    if (r != NULL) {
        ossio__pool_unqueue(o, r);
    }
    return r;
}

/* Opens connections the queue needs and the limits allow. */
static void maybe_open(ossio__origin *o)
{
    ossio__transport *tp = o->tp;
    size_t max = tp->set.max_conns;
    if (o->proto == &ossio__proto_h1) {
        while (o->n_connecting < o->queued && o->n_conns < max) {
            ossio_status st = ossio__conn_open(o);
            if (st != OSSIO_OK) {
                ossio__pool_connect_failed(
                    o, st, "could not start a connection (bad host name or out of memory)");
                return;
            }
        }
        return;
    }
    /* h2 or not known yet: one connection at a time until it is up, and
     * none while a new h2 connection has not told its stream limit. */
    for (ossio__conn *c = o->conns; c != NULL; c = c->next) {
        if (c->state == OSSIO__CONN_READY && c->settling) {
            return;
        }
    }
    if (o->n_connecting == 0 && o->n_conns < max) {
        ossio_status st = ossio__conn_open(o);
        if (st != OSSIO_OK) {
            ossio__pool_connect_failed(
                o, st, "could not start a connection (bad host name or out of memory)");
        }
    }
}

void ossio__pool_dispatch(ossio__origin *o)
{
    ossio__transport *tp = o->tp;
    if (tp->destroying || o->dispatching) {
        return;
    }
    o->dispatching = 1;
    while (o->queue_head != NULL) {
        ossio__conn *best = NULL;
        for (ossio__conn *c = o->conns; c != NULL; c = c->next) {
            if (c->state == OSSIO__CONN_READY && c->proto->capacity(c) > 0) {
                best = c;
                break;
            }
        }
        if (best == NULL) {
            break;
        }
        ossio_request *r = pop(o);
        ossio__request_activate(r, best);
        ossio_status st = best->proto->submit(best, r);
        if (st != OSSIO_OK) {
            ossio__request_finish(r, st, "could not start the request on its connection");
            continue;
        }
        ossio__conn_want_write(best);
    }
    o->dispatching = 0;
    if (o->queue_head != NULL) {
        maybe_open(o);
    }
}

/* No connection could be made: fail what waits, unless another connection
 * may still serve it. */
void ossio__pool_connect_failed(ossio__origin *o, ossio_status st, const char *detail)
{
    for (ossio__conn *c = o->conns; c != NULL; c = c->next) {
        if (c->state == OSSIO__CONN_READY) {
            ossio__pool_dispatch(o);
            return;
        }
    }
    if (o->n_connecting > 0) {
        return;
    }
    ossio_request *r;
    while ((r = pop(o)) != NULL) {
        r->state = OSSIO__REQ_ACTIVE; /* so finish does not unqueue twice */
        ossio__request_finish(r, st, detail);
    }
}

void ossio__pool_request_done(ossio__conn *c, uint64_t bytes, double secs, ossio_status st)
{
    ossio__addr_table *t = &c->origin->addrs;
    double now = ev_now(c->tp->loop);
    if (st == OSSIO_ETIMEDOUT || st == OSSIO_ESTALLED) {
        ossio__addrs_failed(t, c->addr, now); /* accepts, then stalls: a sick front end */
    }
    ossio__addrs_request_done(t, c->addr, bytes, secs, st == OSSIO_OK, now);
}

void ossio__pool_destroy(ossio__transport *tp)
{
    ossio__origin *o = tp->origins;
    while (o != NULL) {
        ossio__origin *next = o->next;
        while (o->conns != NULL) {
            ossio__conn_close(o->conns, OSSIO_ECANCELED, "client destroyed");
        }
        if (o->session != NULL) {
            SSL_SESSION_free(o->session);
        }
        free(o->host);
        free(o->authority);
        free(o);
        o = next;
    }
    tp->origins = NULL;
}
