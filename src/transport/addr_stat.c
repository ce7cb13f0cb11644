/* The public per-address counters (ossio_client_addr_count/_stat): every
 * origin's address table (transport/addrs.c) seen as one flat list. */
#include <stdio.h>
#include <string.h>

#include "ossio.h"
#include "transport/pool.h"
#include "transport/transport.h"

size_t ossio_client_addr_count(const ossio_client *cl)
{
    if (cl == NULL) {
        return 0;
    }
    size_t n = 0;
    for (const ossio__origin *o = ossio__cl_tp(cl)->origins; o != NULL; o = o->next) {
        n += o->addrs.n;
    }
    return n;
}

static void fill(const ossio__origin *o, int i, double now, ossio_addr_stat *s)
{
    const ossio__addr *a = &o->addrs.a[i];
    snprintf(s->host, sizeof(s->host), "%s", o->host);
    s->port = o->port;
    s->tls = o->tls;
    ossio__addrs_name(&o->addrs, i, s->address, sizeof(s->address));
    s->current = a->current;
    s->connections_opened = a->opened;
    s->connections_now = a->conns;
    s->failures = a->failures;
    s->requests = a->requests;
    s->bytes = a->bytes;
    s->set_asides = a->set_asides;
    s->set_aside = ossio__addrs_aside(&o->addrs, i, now);
    s->set_aside_ms = s->set_aside ? (uint64_t)((a->aside_until - now) * 1e3) : 0;
}

ossio_status ossio_client_addr_stat(const ossio_client *cl, size_t index, ossio_addr_stat *out,
                                    size_t size)
{
    if (cl == NULL || out == NULL) {
        return OSSIO_EINVAL;
    }
    ossio__transport *tp = ossio__cl_tp(cl);
    for (const ossio__origin *o = tp->origins; o != NULL; o = o->next) {
        if (index >= o->addrs.n) {
            index -= o->addrs.n;
            continue;
        }
        ossio_addr_stat s;
        memset(&s, 0, sizeof(s));
        fill(o, (int)index, ev_now(tp->loop), &s);
        memcpy(out, &s, size < sizeof(s) ? size : sizeof(s));
        return OSSIO_OK;
    }
    return OSSIO_EINVAL;
}
