/* Name resolution on ossio's one libev loop: c-ares driven by ev_io/ev_timer
 * watchers, a TTL-bounded positive cache and curl --resolve style overrides. */
#ifndef OSSIO__DNS_RESOLVER_H
#define OSSIO__DNS_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "ossio.h"

struct ev_loop;

#define OSSIO__DNS_MAX_ADDRS 16
/* Longest host name accepted anywhere (RFC 1035: 253 characters). */
#define OSSIO__DNS_MAX_HOST 253

/* The addresses of one name, the port already set in each. */
typedef struct ossio__addrs {
    size_t n;
    struct sockaddr_storage addr[OSSIO__DNS_MAX_ADDRS];
    socklen_t len[OSSIO__DNS_MAX_ADDRS];
} ossio__addrs;

typedef struct ossio__resolver ossio__resolver;
typedef struct ossio__resolve_query ossio__resolve_query;

/* Completion of ossio__resolve(). |st| is OSSIO_OK with at least one address,
 * or an error with |addrs| NULL. |addrs| is borrowed until the callback
 * returns. The query handle is freed before the call: do not cancel it. */
typedef void (*ossio__resolve_cb)(void *ud, ossio_status st, const ossio__addrs *addrs);

/* Options for ossio__resolver_new(); read during the call only (copied). */
typedef struct ossio__resolver_opts {
    /* "127.0.0.1:5353,[::1]:53", or NULL for the system's (/etc/resolv.conf).
     * With explicit servers, search domains and /etc/hosts are not used. */
    const char *servers;
    unsigned timeout_ms;      /* per try, 0 = c-ares default */
    unsigned tries;           /* 0 = c-ares default */
    unsigned cache_max_ttl_s; /* positive cache: min(record TTL, this); 0 disables the cache */
    /* Monotonic seconds for cache expiry; NULL = ev_now(loop). Injected for tests. */
    double (*now)(void *now_ud);
    void *now_ud;
} ossio__resolver_opts;

/* Creates a resolver on |loop| (borrowed: it must outlive the resolver).
 * |opts| may be NULL (all defaults). OSSIO_EINVAL for a bad |servers| string,
 * OSSIO_ENOMEM, or OSSIO_EDNS if c-ares cannot start. */
ossio_status ossio__resolver_new(ossio__resolver **out, struct ev_loop *loop,
                                 const ossio__resolver_opts *opts);

/* Adds a curl --resolve style entry "host:port:addr[,addr...]" (IPv6
 * addresses in brackets; a leading '+' is accepted and ignored). |entry| is
 * copied. Overrides win over DNS and the cache; a later entry for the same
 * host and port replaces the earlier one. OSSIO_EINVAL on bad syntax. */
ossio_status ossio__resolver_add_override(ossio__resolver *r, const char *entry);

/* Resolves |host| (copied) for |port|. A literal IPv4 or IPv6 address (also
 * "[v6]") needs no lookup. |cb| runs exactly once, always later from the loop,
 * never inside this call, unless the query is cancelled first. Addresses are
 * all the server returned, IPv4 and IPv6, in c-ares order; the caller tries
 * them in turn. Returns the query (owned by the resolver) or NULL with
 * OSSIO_EINVAL (empty or overlong host) or OSSIO_ENOMEM in |*err| (if non-NULL). */
ossio__resolve_query *ossio__resolve(ossio__resolver *r, const char *host, uint16_t port,
                                     ossio__resolve_cb cb, void *ud, ossio_status *err);

/* Cancels |q|: its callback will not be called. Valid until the callback has run. */
void ossio__resolve_cancel(ossio__resolve_query *q);

/* Drops the cached addresses of |host|, or the whole cache if |host| is NULL
 * (e.g. after a connect failure to every cached address). */
void ossio__resolver_flush(ossio__resolver *r, const char *host);

/* Destroys |r| (NULL is a no-op). Every pending query's callback runs once
 * with OSSIO_ECANCELED before this returns; those callbacks must not start new
 * queries on |r|. Leaves no watcher on the loop. */
void ossio__resolver_destroy(ossio__resolver *r);

/* For tests: the number of lookups handed to c-ares so far (cache, override
 * and literal answers do not count). */
uint64_t ossio__resolver_queries_sent(const ossio__resolver *r);

/* --- resolve_override.c: pure parsing, no I/O --- */

/* One parsed override. |host| is lower-cased and NUL-terminated. */
typedef struct ossio__resolve_override {
    char host[OSSIO__DNS_MAX_HOST + 1];
    uint16_t port;
    ossio__addrs addrs; /* each with |port| set */
} ossio__resolve_override;

/* Parses |len| bytes at |entry| as "[+]host:port:addr[,addr...]": host made of
 * letters, digits, '-', '.', '_' (at most OSSIO__DNS_MAX_HOST), port 1-65535,
 * 1 to OSSIO__DNS_MAX_ADDRS addresses, each dotted IPv4 or bracketed IPv6.
 * OSSIO_EINVAL on anything else (|*out| is then unspecified). */
ossio_status ossio__resolve_override_parse(const char *entry, size_t len,
                                           ossio__resolve_override *out);

/* Parses |len| bytes at |s| as a literal IPv4 address or an IPv6 address, bare
 * or in brackets, into |*addr| / |*addr_len| with |port| set. False if |s| is
 * not such a literal. */
bool ossio__addr_parse_literal(const char *s, size_t len, uint16_t port,
                               struct sockaddr_storage *addr, socklen_t *addr_len);

#endif /* OSSIO__DNS_RESOLVER_H */
