/* The transport context: what pool, requests and the HTTP/1.1 and HTTP/2
 * adapters see of a client -- the loop, the deferred-call queue, the
 * resolver, the TLS context, the origins, the live requests, the counters,
 * the log and the transport settings. Nothing of object storage: the
 * object-store client (src/client/) embeds one and owns it. */
#ifndef OSSIO__TRANSPORT_TRANSPORT_H
#define OSSIO__TRANSPORT_TRANSPORT_H

#include <ev.h>
#include <openssl/ssl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/resolver.h"
#include "ossio.h"
#include "transport/defer.h"

#define OSSIO__STAT_COUNT 11

typedef struct ossio__settings {
    size_t max_conns;
    double connect_timeout; /* seconds */
    double idle_timeout;    /* per request without progress */
    double first_byte;      /* response headers due after the request went out; 0: none */
    double first_byte_slow; /* the same for Complete and Copy */
    double low_speed_limit; /* bytes/s a request must keep up over low_speed_time; 0: off */
    double low_speed_time;  /* seconds */
    double deadline;        /* a whole operation or transfer; 0: none */
    double conn_idle;       /* idle connection reaping */
    double addr_backoff;    /* an address is first set aside this long */
    int h2;                 /* offer h2 over TLS */
    int h2c;                /* h2 prior knowledge over cleartext */
    uint32_t max_streams;
    uint32_t stream_window;
    uint32_t conn_window;
    size_t max_header_bytes;
    uint64_t
        expect_continue_min; /* HTTP/1.1 bodies this large send Expect: 100-continue; 0 = never */
} ossio__settings;

typedef struct ossio__transport {
    struct ev_loop *loop; /* borrowed (the client owns it when it made it) */
    ossio__settings set;
    ossio__resolver *resolver;     /* owned */
    SSL_CTX *ssl_ctx;              /* owned */
    struct ossio__origin *origins; /* owned (transport/pool.c) */
    ossio__defer_queue defer;
    ossio_request *all; /* live requests (submitted, not yet freed) */
    uint64_t stats[OSSIO__STAT_COUNT];
    ossio_log_cb log;
    ossio_log_level log_level;
    void *log_ud;
    int destroying;                 /* the client is being destroyed: nothing new starts */
    ev_prepare write_prep;          /* transport/write_soon.c */
    struct ossio__conn *write_soon; /* connections to flush this turn */
    size_t write_soon_n;
} ossio__transport;

/* The transport context of |cl|. Implemented by the client (src/client/),
 * the one place that knows the layout of struct ossio_client; the public
 * request API (ossio_request_new) goes through it. Never NULL for a valid
 * client; the context lives as long as the client. */
ossio__transport *ossio__cl_tp(const ossio_client *cl);

/* Formats and sends a message to the log callback, if one is set for |level|. */
void ossio__tp_log(ossio__transport *tp, ossio_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ossio__tp_vlog(ossio__transport *tp, ossio_log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Finishes every live request with OSSIO_ECANCELED (or the outcome it
 * already has), closes every connection and frees the origins, the resolver
 * and the TLS context. The loop is left to its owner. */
void ossio__transport_close(ossio__transport *tp);

#endif /* OSSIO__TRANSPORT_TRANSPORT_H */
