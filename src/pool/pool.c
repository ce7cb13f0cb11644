/* Origins and dispatch: requests wait in their origin's queue until a
 * connection can take them. HTTP/2 fills one connection up to its stream
 * limit before opening another; HTTP/1.1 spreads over up to
 * fs.oss.connection.maximum connections, one exchange each. */
#include "pool/pool.h"

#include <stdlib.h>
#include <string.h>

#include "loop/client.h"
#include "pool/conn.h"
#include "req/request.h"

ossio_origin *ossio_pool_origin(ossio_client *cl, int tls, const char *host, uint16_t port,
                                const char *authority)
{
    for (ossio_origin *o = cl->origins; o != NULL; o = o->next) {
        if (o->tls == tls && o->port == port && strcmp(o->host, host) == 0) {
            return o;
        }
    }
    ossio_origin *o = calloc(1, sizeof(*o));
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
    o->cl = cl;
    o->next = cl->origins;
    cl->origins = o;
    return o;
}

void ossio_pool_enqueue(ossio_origin *o, ossio_request *r)
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
    r->state = OSSIO_REQ_QUEUED;
    ossio_pool_dispatch(o);
}

void ossio_pool_requeue(ossio_origin *o, ossio_request *r)
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
    r->state = OSSIO_REQ_QUEUED;
    ossio_pool_dispatch(o);
}

void ossio_pool_unqueue(ossio_origin *o, ossio_request *r)
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

static ossio_request *pop(ossio_origin *o)
{
    ossio_request *r = o->queue_head;
    if (r != NULL) {
        ossio_pool_unqueue(o, r);
    }
    return r;
}

/* Opens connections the queue needs and the limits allow. */
static void maybe_open(ossio_origin *o)
{
    ossio_client *cl = o->cl;
    size_t max = cl->set.max_conns;
    if (o->proto == &ossio_proto_h1) {
        while (o->n_connecting < o->queued && o->n_conns < max) {
            ossio_status st = ossio_conn_open(o);
            if (st != OSSIO_OK) {
                ossio_pool_connect_failed(
                    o, st, "could not start a connection (bad host name or out of memory)");
                return;
            }
        }
        return;
    }
    /* h2 or not known yet: one connection at a time until it is up, and
     * none while a new h2 connection has not told its stream limit. */
    for (ossio_conn *c = o->conns; c != NULL; c = c->next) {
        if (c->state == OSSIO_CONN_READY && c->settling) {
            return;
        }
    }
    if (o->n_connecting == 0 && o->n_conns < max) {
        ossio_status st = ossio_conn_open(o);
        if (st != OSSIO_OK) {
            ossio_pool_connect_failed(
                o, st, "could not start a connection (bad host name or out of memory)");
        }
    }
}

void ossio_pool_dispatch(ossio_origin *o)
{
    ossio_client *cl = o->cl;
    if (cl->destroying || o->dispatching) {
        return;
    }
    o->dispatching = 1;
    while (o->queue_head != NULL) {
        ossio_conn *best = NULL;
        for (ossio_conn *c = o->conns; c != NULL; c = c->next) {
            if (c->state == OSSIO_CONN_READY && c->proto->capacity(c) > 0) {
                best = c;
                break;
            }
        }
        if (best == NULL) {
            break;
        }
        ossio_request *r = pop(o);
        ossio_request_activate(r, best);
        ossio_status st = best->proto->submit(best, r);
        if (st != OSSIO_OK) {
            ossio_request_finish(r, st, "could not start the request on its connection");
            continue;
        }
        ossio_conn_want_write(best);
    }
    o->dispatching = 0;
    if (o->queue_head != NULL) {
        maybe_open(o);
    }
}

/* No connection could be made: fail what waits, unless another connection
 * may still serve it. */
void ossio_pool_connect_failed(ossio_origin *o, ossio_status st, const char *detail)
{
    for (ossio_conn *c = o->conns; c != NULL; c = c->next) {
        if (c->state == OSSIO_CONN_READY) {
            ossio_pool_dispatch(o);
            return;
        }
    }
    if (o->n_connecting > 0) {
        return;
    }
    ossio_request *r;
    while ((r = pop(o)) != NULL) {
        r->state = OSSIO_REQ_ACTIVE; /* so finish does not unqueue twice */
        ossio_request_finish(r, st, detail);
    }
}

void ossio_pool_destroy(ossio_client *cl)
{
    ossio_origin *o = cl->origins;
    while (o != NULL) {
        ossio_origin *next = o->next;
        while (o->conns != NULL) {
            ossio_conn_close(o->conns, OSSIO_ECANCELED, "client destroyed");
        }
        if (o->session != NULL) {
            SSL_SESSION_free(o->session);
        }
        free(o->host);
        free(o->authority);
        free(o);
        o = next;
    }
    cl->origins = NULL;
}
