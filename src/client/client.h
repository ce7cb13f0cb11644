/* The object-store client (internal view of ossio_client), the top of the
 * library: it embeds one context per layer -- the transport context (what
 * pool, requests and the HTTP adapters see), the operations context and the
 * transfer context -- and hands each layer its own through the accessors
 * ossio__cl_tp(), ossio__cl_ops() and ossio__cl_xfer() (declared in the
 * layer's own header, implemented in client.c). Only src/client/ includes
 * this header. */
#ifndef OSSIO__CLIENT_CLIENT_H
#define OSSIO__CLIENT_CLIENT_H

#include "ops/context.h"
#include "ossio.h"
#include "transfer/context.h"
#include "transport/transport.h"

struct ossio_client {
    ossio__transport tp;  /* loop, DNS, TLS, origins, requests, counters, log */
    ossio__ops_ctx ops;   /* object-store settings, live operations, last error */
    ossio__xfer_ctx xfer; /* memory budget, live transfers */
    int own_loop;
    char warnings[4][256]; /* configuration warnings, logged once a log callback is set */
    int n_warnings;
};

#endif /* OSSIO__CLIENT_CLIENT_H */
