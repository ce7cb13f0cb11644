/* The resolver: c-ares on the libev loop (one ev_io per c-ares socket, one
 * ev_timer from ares_timeout()), plus overrides, literals and a TTL cache. */
#include "dns/resolver.h"

#include <ares.h>
#include <ev.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Enough for every host one process talks to; beyond it the oldest goes. */
#define CACHE_MAX_ENTRIES 256

typedef struct sock_watch {
    ev_io io;
    ossio__resolver *r;
    struct sock_watch *next;
} sock_watch;

typedef struct cache_entry {
    struct cache_entry *next;
    double expires;
    ossio__addrs addrs;
    char host[];
} cache_entry;

typedef struct override_entry {
    struct override_entry *next;
    ossio__resolve_override ov;
} override_entry;

enum query_state {
    Q_INFLIGHT,  /* owned by c-ares until its callback */
    Q_READY,     /* result stored; |defer| delivers it */
    Q_CANCELLED, /* in c-ares still; freed silently by its callback */
};

struct ossio__resolve_query {
    ossio__resolver *r;
    ossio__resolve_query *prev;
    ossio__resolve_query *next;
    ev_timer defer;
    enum query_state state;
    ossio__resolve_cb cb;
    void *ud;
    uint16_t port;
    ossio_status st;
    ossio__addrs addrs;
    char host[]; /* lower-cased */
};

struct ossio__resolver {
    struct ev_loop *loop;
    ares_channel channel;
    ev_timer timer;
    sock_watch *socks;
    ossio__resolve_query *queries; /* every query not freed yet */
    cache_entry *cache;            /* newest first */
    size_t cache_n;
    override_entry *overrides;
    unsigned cache_max_ttl_s;
    double (*now)(void *now_ud);
    void *now_ud;
    uint64_t queries_sent;
    bool destroying;
};

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_status = ARES_SUCCESS;

static void lib_init(void)
{
    lib_status = ares_library_init(ARES_LIB_INIT_ALL);
}

static double now_s(ossio__resolver *r)
{
    return r->now ? r->now(r->now_ud) : ev_now(r->loop);
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
    if (ss->ss_family == AF_INET) {
        ((struct sockaddr_in *)ss)->sin_port = htons(port);
    } else if (ss->ss_family == AF_INET6) {
        ((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
    }
}

static void copy_addrs(ossio__addrs *dst, const ossio__addrs *src, uint16_t port)
{
    dst->n = src->n;
    for (size_t i = 0; i < src->n; i++) {
        dst->addr[i] = src->addr[i];
        dst->len[i] = src->len[i];
        set_port(&dst->addr[i], port);
    }
}

static ossio_status map_ares_status(int status)
{
    switch (status) {
    case ARES_ETIMEOUT:
        return OSSIO_EDNSTIMEOUT;
    case ARES_ENOMEM:
        return OSSIO_ENOMEM;
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION:
        return OSSIO_ECANCELED;
    default: /* SUCCESS without addresses, ENOTFOUND, ENODATA, ECONNREFUSED, ... */
        return OSSIO_EDNS;
    }
}

/* --- event-loop glue --- */

static void update_timer(ossio__resolver *r)
{
    struct timeval tv;
    struct timeval *tvp = ares_timeout(r->channel, NULL, &tv);
    ev_timer_stop(r->loop, &r->timer);
    if (tvp) {
        /* +1 ms: c-ares counts in ms, and firing a hair early would spin. */
        ev_timer_set(&r->timer, (double)tvp->tv_sec + (double)tvp->tv_usec / 1e6 + 0.001, 0.);
        ev_timer_start(r->loop, &r->timer);
    }
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    /* c-ares may close the socket (and free |w|) inside ares_process_fd. */
    ossio__resolver *r = ((sock_watch *)w)->r;
    ares_socket_t fd = w->fd;
    ares_process_fd(r->channel, (revents & EV_READ) ? fd : ARES_SOCKET_BAD,
                    (revents & EV_WRITE) ? fd : ARES_SOCKET_BAD);
    update_timer(r);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    ossio__resolver *r = w->data;
    ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    update_timer(r);
}

static void sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
    ossio__resolver *r = data;
    sock_watch **pp = &r->socks;
    while (*pp && (*pp)->io.fd != fd) {
        pp = &(*pp)->next;
    }
    sock_watch *s = *pp;
    if (!readable && !writable) {
        if (s) {
            ev_io_stop(r->loop, &s->io);
            *pp = s->next;
            free(s);
        }
        return;
    }
    if (!s) {
        s = calloc(1, sizeof(*s));
        if (!s) {
            return; /* the query then ends by c-ares' timeout */
        }
        s->r = r;
        s->next = r->socks;
        r->socks = s;
    } else {
        ev_io_stop(r->loop, &s->io);
    }
    ev_io_init(&s->io, io_cb, fd, (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0));
    ev_io_start(r->loop, &s->io);
}

/* --- cache --- */

static void cache_unlink(ossio__resolver *r, cache_entry **pp)
{
    cache_entry *e = *pp;
    *pp = e->next;
    free(e);
    r->cache_n--;
}

/* The live entry for |host|, dropping expired entries met on the way. */
static cache_entry *cache_find(ossio__resolver *r, const char *host, double now)
{
    cache_entry **pp = &r->cache;
    while (*pp) {
        if ((*pp)->expires <= now) {
            cache_unlink(r, pp);
        } else if (strcmp((*pp)->host, host) == 0) {
            return *pp;
        } else {
            pp = &(*pp)->next;
        }
    }
    return NULL;
}

static void cache_insert(ossio__resolver *r, const char *host, const ossio__addrs *addrs, long ttl)
{
    if (r->cache_max_ttl_s == 0 || ttl <= 0 || addrs->n == 0) {
        return;
    }
    if ((unsigned long)ttl > r->cache_max_ttl_s) {
        ttl = (long)r->cache_max_ttl_s;
    }
    double now = now_s(r);
    ossio__resolver_flush(r, host);
    (void)cache_find(r, "", now); /* purge expired entries */
    if (r->cache_n >= CACHE_MAX_ENTRIES) {
        cache_entry **pp = &r->cache;
        while ((*pp)->next) {
            pp = &(*pp)->next;
        }
        cache_unlink(r, pp);
    }
    size_t hlen = strlen(host);
    cache_entry *e = malloc(sizeof(*e) + hlen + 1);
    if (!e) {
        return; /* caching is an optimisation */
    }
    memcpy(e->host, host, hlen + 1);
    e->expires = now + (double)ttl;
    copy_addrs(&e->addrs, addrs, 0);
    e->next = r->cache;
    r->cache = e;
    r->cache_n++;
}

void ossio__resolver_flush(ossio__resolver *r, const char *host)
{
    if (!r) {
        return;
    }
    char key[OSSIO__DNS_MAX_HOST + 1];
    if (host) {
        size_t n = strlen(host);
        if (n > OSSIO__DNS_MAX_HOST) {
            return; /* never cached */
        }
        for (size_t i = 0; i <= n; i++) {
            char c = host[i];
            key[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        }
    }
    cache_entry **pp = &r->cache;
    while (*pp) {
        if (!host || strcmp((*pp)->host, key) == 0) {
            cache_unlink(r, pp);
        } else {
            pp = &(*pp)->next;
        }
    }
}

/* --- queries --- */

static void query_link(ossio__resolver *r, ossio__resolve_query *q)
{
    q->prev = NULL;
    q->next = r->queries;
    if (r->queries) {
        r->queries->prev = q;
    }
    r->queries = q;
}

static void query_unlink(ossio__resolve_query *q)
{
    if (q->prev) {
        q->prev->next = q->next;
    } else {
        q->r->queries = q->next;
    }
    if (q->next) {
        q->next->prev = q->prev;
    }
    q->prev = q->next = NULL;
}

static void defer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    ossio__resolve_query *q = w->data;
    /* Unlinked first, so the callback may even destroy the resolver. */
    query_unlink(q);
    q->cb(q->ud, q->st, q->st == OSSIO_OK ? &q->addrs : NULL);
    free(q);
}

static void query_ready(ossio__resolve_query *q, ossio_status st)
{
    q->st = st;
    q->state = Q_READY;
    if (!q->r->destroying) {
        ev_timer_start(q->r->loop, &q->defer);
    }
}

static void ares_cb(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
    (void)timeouts;
    ossio__resolve_query *q = arg;
    ossio__resolver *r = q->r;
    ossio_status st = r->destroying ? OSSIO_ECANCELED : map_ares_status(status);
    if (status == ARES_SUCCESS && res && !r->destroying) {
        long ttl = LONG_MAX;
        q->addrs.n = 0;
        for (struct ares_addrinfo_node *n = res->nodes; n && q->addrs.n < OSSIO__DNS_MAX_ADDRS;
             n = n->ai_next) {
            if ((n->ai_family != AF_INET && n->ai_family != AF_INET6) || !n->ai_addr ||
                n->ai_addrlen > sizeof(struct sockaddr_storage)) {
                continue;
            }
            size_t i = q->addrs.n++;
            memset(&q->addrs.addr[i], 0, sizeof(q->addrs.addr[i]));
            memcpy(&q->addrs.addr[i], n->ai_addr, n->ai_addrlen);
            q->addrs.len[i] = n->ai_addrlen;
            set_port(&q->addrs.addr[i], q->port);
            if (n->ai_ttl < ttl) {
                ttl = n->ai_ttl;
            }
        }
        /* Cached even when cancelled: the answer is as good as ever. */
        cache_insert(r, q->host, &q->addrs, ttl);
        st = q->addrs.n > 0 ? OSSIO_OK : OSSIO_EDNS;
    }
    if (res) {
        ares_freeaddrinfo(res);
    }
    if (q->state == Q_CANCELLED) {
        query_unlink(q);
        free(q);
    } else {
        query_ready(q, st);
    }
}

static const ossio__resolve_override *override_find(const ossio__resolver *r, const char *host,
                                                    uint16_t port)
{
    for (const override_entry *o = r->overrides; o; o = o->next) {
        if (o->ov.port == port && strcmp(o->ov.host, host) == 0) {
            return &o->ov;
        }
    }
    return NULL;
}

ossio__resolve_query *ossio__resolve(ossio__resolver *r, const char *host, uint16_t port,
                                     ossio__resolve_cb cb, void *ud, ossio_status *err)
{
    ossio_status dummy;
    if (!err) {
        err = &dummy;
    }
    if (!r || !host || !cb) {
        *err = OSSIO_EINVAL;
        return NULL;
    }
    if (r->destroying) {
        *err = OSSIO_ECANCELED;
        return NULL;
    }
    size_t hlen = strlen(host);
    if (hlen == 0 || hlen > OSSIO__DNS_MAX_HOST) {
        *err = OSSIO_EINVAL;
        return NULL;
    }
    ossio__resolve_query *q = malloc(sizeof(*q) + hlen + 1);
    if (!q) {
        *err = OSSIO_ENOMEM;
        return NULL;
    }
    q->r = r;
    q->cb = cb;
    q->ud = ud;
    q->port = port;
    q->st = OSSIO_OK;
    q->addrs.n = 0;
    for (size_t i = 0; i <= hlen; i++) {
        char c = host[i];
        q->host[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    ev_timer_init(&q->defer, defer_cb, 0., 0.);
    q->defer.data = q;
    query_link(r, q);
    *err = OSSIO_OK;

    const ossio__resolve_override *ov = override_find(r, q->host, port);
    if (ov) {
        copy_addrs(&q->addrs, &ov->addrs, port);
        query_ready(q, OSSIO_OK);
        return q;
    }
    if (ossio__addr_parse_literal(host, hlen, port, &q->addrs.addr[0], &q->addrs.len[0])) {
        q->addrs.n = 1;
        query_ready(q, OSSIO_OK);
        return q;
    }
    const cache_entry *e = cache_find(r, q->host, now_s(r));
    if (e) {
        copy_addrs(&q->addrs, &e->addrs, port);
        query_ready(q, OSSIO_OK);
        return q;
    }

    q->state = Q_INFLIGHT;
    r->queries_sent++;
    struct ares_addrinfo_hints hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    /* May call ares_cb at once (e.g. /etc/hosts); ares_cb defers delivery. */
    ares_getaddrinfo(r->channel, q->host, NULL, &hints, ares_cb, q);
    update_timer(r);
    return q;
}

void ossio__resolve_cancel(ossio__resolve_query *q)
{
    if (!q) {
        return;
    }
    switch (q->state) {
    case Q_READY:
        ev_timer_stop(q->r->loop, &q->defer);
        query_unlink(q);
        free(q);
        break;
    case Q_INFLIGHT:
        q->state = Q_CANCELLED;
        break;
    case Q_CANCELLED:
        break;
    }
}

/* --- resolver --- */

ossio_status ossio__resolver_add_override(ossio__resolver *r, const char *entry)
{
    if (!r || !entry) {
        return OSSIO_EINVAL;
    }
    override_entry *o = malloc(sizeof(*o));
    if (!o) {
        return OSSIO_ENOMEM;
    }
    ossio_status st = ossio__resolve_override_parse(entry, strlen(entry), &o->ov);
    if (st != OSSIO_OK) {
        free(o);
        return st;
    }
    for (override_entry **pp = &r->overrides; *pp; pp = &(*pp)->next) {
        if ((*pp)->ov.port == o->ov.port && strcmp((*pp)->ov.host, o->ov.host) == 0) {
            override_entry *old = *pp;
            *pp = old->next;
            free(old);
            break;
        }
    }
    o->next = r->overrides;
    r->overrides = o;
    return OSSIO_OK;
}

ossio_status ossio__resolver_new(ossio__resolver **out, struct ev_loop *loop,
                                 const ossio__resolver_opts *opts)
{
    static char lookups_dns_only[] = "b";
    if (!out || !loop) {
        return OSSIO_EINVAL;
    }
    *out = NULL;
    ossio__resolver_opts defaults;
    if (!opts) {
        memset(&defaults, 0, sizeof(defaults));
        opts = &defaults;
    }
    if ((opts->servers && opts->servers[0] == '\0') || opts->timeout_ms > INT_MAX ||
        opts->tries > INT_MAX) {
        return OSSIO_EINVAL;
    }
    pthread_once(&lib_once, lib_init);
    if (lib_status != ARES_SUCCESS) {
        return lib_status == ARES_ENOMEM ? OSSIO_ENOMEM : OSSIO_EDNS;
    }
    ossio__resolver *r = calloc(1, sizeof(*r));
    if (!r) {
        return OSSIO_ENOMEM;
    }
    r->loop = loop;
    r->cache_max_ttl_s = opts->cache_max_ttl_s;
    r->now = opts->now;
    r->now_ud = opts->now_ud;
    ev_timer_init(&r->timer, timer_cb, 0., 0.);
    r->timer.data = r;

    struct ares_options o;
    memset(&o, 0, sizeof(o));
    int mask = ARES_OPT_SOCK_STATE_CB;
    o.sock_state_cb = sock_state_cb;
    o.sock_state_cb_data = r;
    if (opts->timeout_ms) {
        mask |= ARES_OPT_TIMEOUTMS;
        o.timeout = (int)opts->timeout_ms;
    }
    if (opts->tries) {
        mask |= ARES_OPT_TRIES;
        o.tries = (int)opts->tries;
    }
    if (opts->servers) {
        /* Explicit servers replace the system's configuration: no search
         * domains from resolv.conf, no /etc/hosts. */
        mask |= ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS;
        o.ndomains = 0;
        o.domains = NULL;
        o.lookups = lookups_dns_only;
    }
    int rc = ares_init_options(&r->channel, &o, mask);
    if (rc != ARES_SUCCESS) {
        free(r);
        return rc == ARES_ENOMEM ? OSSIO_ENOMEM : OSSIO_EDNS;
    }
    if (opts->servers) {
        rc = ares_set_servers_ports_csv(r->channel, opts->servers);
        if (rc != ARES_SUCCESS) {
            ares_destroy(r->channel);
            free(r);
            return rc == ARES_ENOMEM ? OSSIO_ENOMEM : OSSIO_EINVAL;
        }
    }
    *out = r;
    return OSSIO_OK;
}

void ossio__resolver_destroy(ossio__resolver *r)
{
    if (!r) {
        return;
    }
    r->destroying = true;
    /* Runs ares_cb for every query in c-ares: each becomes Q_READY with
     * OSSIO_ECANCELED (no timer started) or, if cancelled, is freed. */
    ares_destroy(r->channel);
    ev_timer_stop(r->loop, &r->timer);
    while (r->socks) {
        sock_watch *s = r->socks;
        r->socks = s->next;
        ev_io_stop(r->loop, &s->io);
        free(s);
    }
    while (r->queries) {
        ossio__resolve_query *q = r->queries;
        ev_timer_stop(r->loop, &q->defer);
        query_unlink(q);
        if (q->state != Q_CANCELLED) {
            q->cb(q->ud, OSSIO_ECANCELED, NULL);
        }
        free(q);
    }
    ossio__resolver_flush(r, NULL);
    while (r->overrides) {
        override_entry *o = r->overrides;
        r->overrides = o->next;
        free(o);
    }
    free(r);
}

uint64_t ossio__resolver_queries_sent(const ossio__resolver *r)
{
    return r ? r->queries_sent : 0;
}
