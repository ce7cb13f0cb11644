/* Every address of an origin: which one the next connection goes to
 * (round-robin over what DNS returned, skipping set-aside ones), which to set
 * aside after a failure or a markedly slow transfer, and the per-address
 * counters behind ossio_client_addr_stat(). Pure: time is passed in. */
#ifndef OSSIO__TRANSPORT_ADDRS_H
#define OSSIO__TRANSPORT_ADDRS_H

#include <stddef.h>
#include <stdint.h>

#include "dns/resolver.h"
#include "ossio.h"

#define OSSIO__ADDRS_MAX OSSIO__DNS_MAX_ADDRS
/* A set-aside doubles each time, up to this many times the base. */
#define OSSIO__ADDRS_BACKOFF_CAP 16
/* Only requests that moved at least this much give a throughput sample. */
#define OSSIO__ADDRS_SLOW_MIN_BYTES (1u << 20)
/* Samples an address (and those it is compared with) needs to be judged:
 * per-request rates vary several-fold on a busy client, so a few say little. */
#define OSSIO__ADDRS_SLOW_MIN_SAMPLES 8
/* "Markedly slower": under 1/this of the median of the other addresses' rates. */
#define OSSIO__ADDRS_SLOW_FACTOR 4

typedef struct ossio__addr {
    struct sockaddr_storage sa;
    socklen_t len;
    int current;         /* in the latest DNS answer */
    double aside_until;  /* set aside until then; 0 or past: usable */
    double backoff;      /* the next set-aside's length, seconds */
    uint64_t rate_bytes; /* large requests since it was last judged afresh: bytes ... */
    double rate_secs;    /* ... and the seconds they took */
    unsigned rate_n;     /* ... and how many */
    uint64_t conns;      /* connections on it now (connecting or open) */
    uint64_t opened;     /* connections established */
    uint64_t failures;   /* connect/TLS failures, timed-out or stalled requests */
    uint64_t requests;   /* requests completed on it (any outcome) */
    uint64_t bytes;      /* body bytes sent and received */
    uint64_t set_asides; /* times it was set aside */
} ossio__addr;

typedef struct ossio__addr_table {
    size_t n;
    size_t next;         /* round-robin cursor */
    double base_backoff; /* seconds */
    ossio__addr a[OSSIO__ADDRS_MAX];
} ossio__addr_table;

/* An empty table whose set-asides start at |base_backoff| seconds. */
void ossio__addrs_init(ossio__addr_table *t, double base_backoff);

/* Merges a DNS answer: known addresses keep their counters and state, new
 * ones are added (replacing an address no longer returned and unused when
 * the table is full), and only the answer's addresses stay current. */
void ossio__addrs_update(ossio__addr_table *t, const ossio__addrs *dns);

/* The address a new connection should try: the next current one in
 * round-robin order that is not set aside and not in |tried| (a bit per
 * index); if every untried one is set aside, the one whose set-aside ends
 * first (set-aside never makes a connection fail). -1 when every current
 * address is in |tried|. Counts the connection on the address. */
int ossio__addrs_pick(ossio__addr_table *t, double now, uint32_t tried);

/* The connection on |i| is gone (failed or closed). */
void ossio__addrs_release(ossio__addr_table *t, int i);
/* A connection to |i| is established (TCP, and TLS when used). */
void ossio__addrs_opened(ossio__addr_table *t, int i);
/* |i| refused, failed or timed out (connect, TLS, or a request's stall
 * bound): counted, and set aside unless it already is. */
void ossio__addrs_failed(ossio__addr_table *t, int i, double now);
/* A request on |i| completed: |bytes| moved in |secs|. |ok|: it did not
 * fail (the address answered); that ends its backoff. An address whose
 * throughput (bytes over seconds of its large requests) is markedly below
 * the median of the others' is set aside. */
void ossio__addrs_request_done(ossio__addr_table *t, int i, uint64_t bytes, double secs, int ok,
                               double now);

/* Whether |i| is set aside at |now|. */
int ossio__addrs_aside(const ossio__addr_table *t, int i, double now);

/* Formats |i|'s address as "1.2.3.4" or "::1" into |buf|. */
void ossio__addrs_name(const ossio__addr_table *t, int i, char *buf, size_t len);

#endif /* OSSIO__TRANSPORT_ADDRS_H */
