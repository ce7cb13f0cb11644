/* The client (internal view of ossio_client): the loop, the settings read
 * from the configuration, DNS, the TLS context, the pool, the deferred-call
 * queue, counters and logging. */
#ifndef OSSIO_LOOP_CLIENT_H
#define OSSIO_LOOP_CLIENT_H

#include <ev.h>
#include <openssl/ssl.h>
#include <stdint.h>

#include "dns/resolver.h"
#include "loop/defer.h"
#include "ossio.h"

#define OSSIO_STAT_COUNT 9

typedef struct ossio_settings {
    size_t max_conns;
    double connect_timeout; /* seconds */
    double idle_timeout;    /* per request without progress */
    double conn_idle;       /* idle connection reaping */
    int h2;                 /* offer h2 over TLS */
    int h2c;                /* h2 prior knowledge over cleartext */
    uint32_t max_streams;
    uint32_t stream_window;
    uint32_t conn_window;
    size_t max_header_bytes;
} ossio_settings;

struct ossio_client {
    struct ev_loop *loop;
    int own_loop;
    ossio_settings set;
    ossio_resolver *resolver;
    SSL_CTX *ssl_ctx;
    struct ossio_origin *origins;
    ossio_defer_queue defer;
    ossio_request *all; /* live requests (submitted, not yet freed) */
    uint64_t stats[OSSIO_STAT_COUNT];
    ossio_log_cb log;
    ossio_log_level log_level;
    void *log_ud;
    int destroying;
};

/* Formats and sends a message to the log callback, if one is set for |level|. */
void ossio_log(ossio_client *cl, ossio_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* OSSIO_LOOP_CLIENT_H */
