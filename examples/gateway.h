/* The gateway example's shared types: the server (one libev loop, one ossio
 * client on it) and its counters; connections live in gateway_conn.c. */
#ifndef OSSIO_EXAMPLE_GATEWAY_H
#define OSSIO_EXAMPLE_GATEWAY_H

#include <stdint.h>
#include <stdio.h>

#include <ev.h>
#include <ossio.h>

typedef struct gw_conn gw_conn;

/* Settings, from the command line. */
typedef struct gw_opts {
    uint64_t bound;       /* per connection: most bytes fetched upstream and not yet
                             written to the client (the backpressure bound) */
    uint64_t chunk;       /* bytes per ranged GET (the window's unit); <= bound */
    unsigned max_clients; /* connections at once; accepting pauses beyond */
    double idle_timeout;  /* seconds a connection may keep the gateway waiting on it */
    const char *scheme;   /* "oss" or "s3" (fs.oss.dialect=s3) */
    int verbose;          /* an access line per response, ossio's log, on stderr */
} gw_opts;

/* Counters, reported by GET /_stats. */
typedef struct gw_counters {
    uint64_t connections_total;
    uint64_t requests;       /* request heads parsed (also malformed ones answered 4xx) */
    uint64_t responses_done; /* responses written completely */
    uint64_t ops_in_flight;  /* ossio operations submitted and not completed */
    uint64_t ops_started;
    uint64_t ops_canceled;    /* completed with OSSIO_ECANCELED (we canceled them) */
    uint64_t clients_gone;    /* connections closed by the client mid-response */
    uint64_t upstream_failed; /* responses cut or answered 5xx because of the store */
    uint64_t crc_mismatches;  /* whole-object responses whose CRC-64 did not match */
    uint64_t bytes_fetched;   /* object bytes from the store */
    uint64_t bytes_written;   /* object bytes to clients */
    uint64_t peak_ahead;      /* largest fetched - written of any connection, ever */
} gw_counters;

typedef struct gateway {
    struct ev_loop *loop;
    ossio_client *cl;
    gw_opts o;
    int lfd;
    ev_io accept_w;
    int accept_paused;
    gw_conn *conns; /* open connections, newest first */
    unsigned nconns;
    uint64_t next_id;
    gw_counters n;
} gateway;

/* Takes an accepted socket (non-blocking). Closes it on out of memory. */
void gw_conn_open(gateway *gw, int fd);

/* Closes a connection at once: its upstream operations are canceled and
 * everything it holds is freed (the operations' records when they complete). */
void gw_conn_close(gw_conn *c);

/* The first open connection, or NULL; the one after |c|, or NULL. */
gw_conn *gw_first_conn(gateway *gw);
gw_conn *gw_next_conn(const gw_conn *c);

/* Called by gateway_conn.c when a connection closed: accepting may resume. */
void gw_conn_closed(gateway *gw);

/* The /_stats document (JSON), malloc'd; *len its length. NULL on out of memory. */
char *gw_stats_json(gateway *gw, size_t *len);

/* Appends one connection's entry to the stats document. */
void gw_conn_stats(const gw_conn *c, FILE *f);

#endif /* OSSIO_EXAMPLE_GATEWAY_H */
