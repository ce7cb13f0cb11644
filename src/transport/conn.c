/* Connection lifecycle and I/O. Non-blocking all the way: c-ares for names,
 * connect(2) with EINPROGRESS and an establish timeout per address (the
 * origin's address table picks which; transport/addrs.c), the TLS
 * handshake stepped by readiness, then a read loop that hands decrypted
 * bytes to the protocol and a write loop that drains its output. */
#include "transport/conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tls/tls.h"
#include "transport/pool.h"
#include "transport/request.h"
#include "transport/sendfile.h"
#include "transport/write_soon.h"
#include "transport/transport.h"

#define READ_CHUNK (256 * 1024)
#define READ_BUDGET (4u << 20)  /* bytes per readiness event, for fairness */
#define WRITE_BUDGET (1u << 20) /* bytes asked from the protocol per fill */

static void on_io(struct ev_loop *loop, ev_io *w, int revents);
static void on_timer(struct ev_loop *loop, ev_timer *w, int revents);
static void on_read_again(struct ev_loop *loop, ev_timer *w, int revents);
static void try_next_address(ossio__conn *c);
static void flush(ossio__conn *c);

static void set_events(ossio__conn *c, int events)
{
    if (c->fd < 0) {
        return;
    }
    if (ev_is_active(&c->io) && c->io.events == events) {
        return;
    }
    ev_io_stop(c->tp->loop, &c->io);
    if (events != 0) {
        ev_io_set(&c->io, c->fd, events);
        ev_io_start(c->tp->loop, &c->io);
    }
}

static void free_conn(ossio__conn *c)
{
    ossio__write_soon_remove(c);
    ev_timer_stop(c->tp->loop, &c->read_again);
    if (c->ssl != NULL) {
        SSL_free(c->ssl);
    }
    if (c->fd >= 0) {
        close(c->fd);
    }
    if (c->proto != NULL && c->proto_data != NULL) {
        c->proto->free(c);
    }
    ossio__buf_free(&c->wbuf);
    free(c->rbuf);
    free(c);
}

static void unlink_conn(ossio__conn *c)
{
    ossio__origin *o = c->origin;
    for (ossio__conn **p = &o->conns; *p != NULL; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            o->n_conns--;
            return;
        }
    }
}

void ossio__conn_close(ossio__conn *c, ossio_status why, const char *detail)
{
    if (c->state == OSSIO__CONN_DEAD) {
        return;
    }
    ossio__transport *tp = c->tp;
    ossio__origin *o = c->origin;
    int was_connecting = c->state < OSSIO__CONN_READY;
    c->state = OSSIO__CONN_DEAD;
    ossio__write_soon_remove(c);
    ev_io_stop(tp->loop, &c->io);
    ev_timer_stop(tp->loop, &c->timer);
    ev_timer_stop(tp->loop, &c->read_again);
    if (c->dns != NULL) {
        ossio__resolve_cancel(c->dns);
        c->dns = NULL;
    }
    if (c->addr >= 0) {
        if (was_connecting && why != OSSIO_ECANCELED) {
            ossio__addrs_failed(&o->addrs, c->addr, ev_now(tp->loop)); /* TLS failed or timed out */
        }
        ossio__addrs_release(&o->addrs, c->addr);
        c->addr = -1;
    }
    if (was_connecting) {
        o->n_connecting--;
    } else {
        tp->stats[OSSIO_STAT_CONNECTIONS_OPEN]--;
    }
    c->busy++;
    if (c->proto != NULL && c->proto_data != NULL) {
        c->proto->shutdown(c, why); /* finishes or re-queues its requests */
    }
    c->busy--;
    unlink_conn(c);
    ossio__tp_log(tp, why == OSSIO_OK || why == OSSIO_ECANCELED ? OSSIO_LOG_DEBUG : OSSIO_LOG_INFO,
                  "connection to %s closed: %s", o->authority,
                  detail != NULL ? detail : ossio_strerror(why));
    char saved[sizeof(c->detail)];
    snprintf(saved, sizeof(saved), "%s", detail != NULL ? detail : ossio_strerror(why));
    if (c->busy == 0) {
        free_conn(c); /* |detail| may point into it */
    }
    if (was_connecting && why != OSSIO_ECANCELED) {
        ossio__pool_connect_failed(o, why, saved);
    } else {
        ossio__pool_dispatch(o);
    }
}

static void fail_connect(ossio__conn *c, ossio_status st, const char *detail)
{
    ossio__conn_close(c, st, detail);
}

static void on_resolved(void *ud, ossio_status st, const ossio__addrs *addrs)
{
    ossio__conn *c = ud;
    c->dns = NULL;
    if (st != OSSIO_OK) {
        char detail[192];
        snprintf(detail, sizeof(detail), "could not resolve %s: %s", c->origin->host,
                 ossio_strerror(st));
        fail_connect(c, st, detail);
        return;
    }
    ossio__addrs_update(&c->origin->addrs, addrs);
    c->tried = 0;
    c->state = OSSIO__CONN_CONNECTING;
    c->last_connect_error = OSSIO_ECONNECT;
    try_next_address(c);
}

ossio_status ossio__conn_open(ossio__origin *o)
{
    ossio__transport *tp = o->tp;
    ossio__conn *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return OSSIO_ENOMEM;
    }
    c->tp = tp;
    c->origin = o;
    c->fd = -1;
    c->addr = -1;
    c->state = OSSIO__CONN_RESOLVING;
    ossio__buf_init(&c->wbuf, SIZE_MAX / 2, OSSIO_ENOMEM);
    ev_init(&c->io, on_io);
    c->io.data = c;
    ev_init(&c->timer, on_timer);
    c->timer.data = c;
    ev_timer_init(&c->read_again, on_read_again, 0., 0.);
    c->read_again.data = c;
    c->next = o->conns;
    o->conns = c;
    o->n_conns++;
    o->n_connecting++;
    ossio_status err = OSSIO_OK;
    c->dns = ossio__resolve(tp->resolver, o->host, o->port, on_resolved, c, &err);
    if (c->dns == NULL) {
        /* The resolver could not even queue the lookup: report it from the loop. */
        o->n_connecting--;
        unlink_conn(c);
        free_conn(c);
        return err != OSSIO_OK ? err : OSSIO_ENOMEM;
    }
    return OSSIO_OK;
}

static const char *addr_str(const struct sockaddr_storage *sa, char *buf, size_t len)
{
    char host[64] = "?";
    uint16_t port = 0;
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        port = ntohs(in->sin_port);
        snprintf(buf, len, "%s:%u", host, port);
    } else if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        port = ntohs(in6->sin6_port);
        snprintf(buf, len, "[%s]:%u", host, port);
    } else {
        snprintf(buf, len, "?");
    }
    return buf;
}

static ossio_status errno_status(int e)
{
    switch (e) {
    case ECONNREFUSED:
        return OSSIO_ECONNREFUSED;
    case ETIMEDOUT:
        return OSSIO_ECONNTIMEOUT;
    case ECONNRESET:
    case EPIPE:
        return OSSIO_ECONNRESET;
    default:
        return OSSIO_ECONNECT;
    }
}

/* The address |c| tried failed: it is set aside, and |c| moves on. */
static void connect_error(ossio__conn *c, ossio_status st, int e)
{
    char a[80];
    ossio__addr_table *t = &c->origin->addrs;
    c->last_connect_error = st;
    snprintf(c->detail, sizeof(c->detail), "connect to %s: %s",
             addr_str(&t->a[c->addr].sa, a, sizeof(a)),
             st == OSSIO_ECONNTIMEOUT ? "timed out (fs.oss.connection.establish.timeout)"
                                      : strerror(e));
    ossio__tp_log(c->tp, OSSIO_LOG_DEBUG, "%s", c->detail);
    ev_io_stop(c->tp->loop, &c->io);
    ev_timer_stop(c->tp->loop, &c->timer);
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    ossio__addrs_failed(t, c->addr, ev_now(c->tp->loop));
    ossio__addrs_release(t, c->addr);
    c->addr = -1;
}

static void start_tls_or_protocol(ossio__conn *c);

static void try_next_address(ossio__conn *c)
{
    ossio__addr_table *t = &c->origin->addrs;
    while ((c->addr = ossio__addrs_pick(t, ev_now(c->tp->loop), c->tried)) >= 0) {
        c->tried |= UINT32_C(1) << c->addr;
        const struct sockaddr_storage *sa = &t->a[c->addr].sa;
        int fd = socket(sa->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            connect_error(c, OSSIO_ECONNECT, errno);
            continue;
        }
        c->fd = fd;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (connect(fd, (const struct sockaddr *)sa, t->a[c->addr].len) == 0) {
            start_tls_or_protocol(c);
            return;
        }
        if (errno != EINPROGRESS) {
            connect_error(c, errno_status(errno), errno);
            continue;
        }
        set_events(c, EV_WRITE);
        ev_timer_set(&c->timer, c->tp->set.connect_timeout, 0.);
        ev_timer_start(c->tp->loop, &c->timer);
        return;
    }
    char detail[192];
    snprintf(detail, sizeof(detail), "could not connect to %s: %s", c->origin->authority,
             c->detail[0] ? c->detail : "no address");
    fail_connect(c, c->last_connect_error, detail);
}

static void ready(ossio__conn *c, const ossio__proto *proto)
{
    ossio__transport *tp = c->tp;
    ossio__origin *o = c->origin;
    ev_timer_stop(tp->loop, &c->timer);
    c->proto = proto;
    c->rbuf = malloc(READ_CHUNK);
    ossio_status st = c->rbuf != NULL ? proto->init(c) : OSSIO_ENOMEM;
    if (st != OSSIO_OK) {
        fail_connect(c, st, "could not set up the protocol");
        return;
    }
    c->state = OSSIO__CONN_READY;
    o->n_connecting--;
    o->proto = proto;
    tp->stats[OSSIO_STAT_CONNECTIONS_OPENED]++;
    ossio__addrs_opened(&o->addrs, c->addr);
    c->serial = tp->stats[OSSIO_STAT_CONNECTIONS_OPENED];
    tp->stats[OSSIO_STAT_CONNECTIONS_OPEN]++;
    tp->stats[proto == &ossio__proto_h2 ? OSSIO_STAT_CONNECTIONS_H2 : OSSIO_STAT_CONNECTIONS_H1]++;
    ossio__tp_log(tp, OSSIO_LOG_DEBUG, "connected to %s over %s%s", o->authority, proto->name,
                  c->ssl != NULL && SSL_session_reused(c->ssl) ? " (TLS session resumed)" : "");
    set_events(c, EV_READ | EV_WRITE);
    if (c->ssl != NULL && SSL_has_pending(c->ssl)) {
        ev_timer_start(tp->loop, &c->read_again); /* the handshake read ahead */
    }
    ossio__pool_dispatch(o);
    if (c->state == OSSIO__CONN_READY && proto->active(c) == 0) {
        ev_timer_set(&c->timer, tp->set.conn_idle, 0.);
        ev_timer_start(tp->loop, &c->timer);
    }
}

static void handshake(ossio__conn *c)
{
    ossio_status st = OSSIO_ETLS;
    switch (ossio__tls_handshake(c->ssl, &st, c->detail, sizeof(c->detail))) {
    case OSSIO__TLS_WANT_READ:
        set_events(c, EV_READ);
        return;
    case OSSIO__TLS_WANT_WRITE:
        set_events(c, EV_WRITE);
        return;
    case OSSIO__TLS_FAILED:
        fail_connect(c, st, c->detail);
        return;
    case OSSIO__TLS_DONE:
        break;
    }
    if (SSL_session_reused(c->ssl)) {
        c->tp->stats[OSSIO_STAT_TLS_RESUMED]++;
    }
    const char *alpn = ossio__tls_alpn(c->ssl);
    ready(c, alpn != NULL && strcmp(alpn, "h2") == 0 ? &ossio__proto_h2 : &ossio__proto_h1);
}

static void start_tls_or_protocol(ossio__conn *c)
{
    ossio__origin *o = c->origin;
    if (!o->tls) {
        ready(c, c->tp->set.h2c ? &ossio__proto_h2 : &ossio__proto_h1);
        return;
    }
    ossio_status st = ossio__tls_new(&c->ssl, c->tp->ssl_ctx, c->fd, o->host, o->session);
    if (st != OSSIO_OK) {
        fail_connect(c, st, "could not set up TLS");
        return;
    }
    SSL_set_app_data(c->ssl, c);
    c->state = OSSIO__CONN_HANDSHAKE;
    handshake(c);
}

int ossio__conn_new_session(SSL *ssl, SSL_SESSION *sess)
{
    ossio__conn *c = SSL_get_app_data(ssl);
    if (c == NULL || c->state == OSSIO__CONN_DEAD) {
        return 0;
    }
    if (c->origin->session != NULL) {
        SSL_SESSION_free(c->origin->session);
    }
    c->origin->session = sess;
    return 1; /* we keep the reference */
}

/* Reads and hands bytes to the protocol until the socket is drained or the
 * budget is used. */
static void do_read(ossio__conn *c)
{
    size_t total = 0;
    while (c->state == OSSIO__CONN_READY || c->state == OSSIO__CONN_DRAINING) {
        ssize_t n;
        ossio_status st = OSSIO_ECONNRESET;
        if (c->ssl != NULL) {
            n = ossio__tls_read(c->ssl, c->rbuf, READ_CHUNK, &st);
            if (n == -1) {
                return;
            }
            if (n == -2) {
                c->tls_want_write = 1;
                set_events(c, EV_READ | EV_WRITE);
                return;
            }
        } else {
            n = read(c->fd, c->rbuf, READ_CHUNK);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) {
                    return;
                }
                st = errno_status(errno);
                n = -3;
            }
        }
        if (n == 0) {
            ossio__conn_close(c, OSSIO_ECONNRESET, "connection closed by the server");
            return;
        }
        if (n < 0) {
            char detail[96];
            snprintf(detail, sizeof(detail), "connection error: %s", ossio_strerror(st));
            ossio__conn_close(c, st, detail);
            return;
        }
        st = c->proto->recv(c, c->rbuf, (size_t)n);
        if (st != OSSIO_OK) {
            ossio__conn_close(c, st, c->detail[0] ? c->detail : NULL);
            return;
        }
        total += (size_t)n;
        if (total >= READ_BUDGET) {
            /* Give other connections a turn, and come back next iteration:
             * with TLS read-ahead the rest may already sit in OpenSSL's buffer
             * with nothing left on the socket, and epoll would never say so. */
            ev_timer_start(c->tp->loop, &c->read_again);
            return;
        }
    }
}

int ossio__conn_can_sendfile(const ossio__conn *c)
{
    return c->ssl == NULL;
}

void ossio__conn_queue_file(ossio__conn *c, int fd, uint64_t off, uint64_t len)
{
    c->file_fd = fd;
    c->file_off = off;
    c->file_left = len;
}

/* The queued file range: 0 when some of it went, -1 when the socket is
 * full (write interest set) or the connection failed (closed). */
static int send_file(ossio__conn *c)
{
    size_t want = c->file_left < WRITE_BUDGET ? (size_t)c->file_left : WRITE_BUDGET;
    ssize_t n = ossio__sendfile(c->fd, c->file_fd, &c->file_off, want);
    if (n > 0) {
        c->file_left -= (uint64_t)n;
        return 0;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        set_events(c, EV_READ | EV_WRITE);
        return -1;
    }
    c->file_left = 0;
    ossio__conn_close(c, n == 0 ? OSSIO_EIO : errno_status(errno),
                      n == 0 ? "the body's file ended before its declared length"
                             : "connection error while sending");
    return -1;
}

/* Writes what is buffered, refilling from the protocol, until done or EAGAIN. */
static void flush(ossio__conn *c)
{
    ossio__write_soon_remove(c); /* this flush is the one it waited for */
    while (c->state == OSSIO__CONN_READY || c->state == OSSIO__CONN_DRAINING) {
        if (c->woff == c->wbuf.len && c->file_left > 0) {
            if (send_file(c) != 0) {
                return;
            }
            continue;
        }
        if (c->woff == c->wbuf.len) {
            ossio__buf_reset(&c->wbuf);
            c->woff = 0;
            if (!c->proto->want_write(c)) {
                break;
            }
            ossio_status st = c->proto->send(c, WRITE_BUDGET);
            if (st != OSSIO_OK) {
                ossio__conn_close(c, st, c->detail[0] ? c->detail : NULL);
                return;
            }
            if (c->wbuf.len == 0) {
                if (c->file_left == 0) {
                    break;
                }
                continue; /* only a file range was queued */
            }
        }
        const uint8_t *p = c->wbuf.data + c->woff;
        size_t len = c->wbuf.len - c->woff;
        ssize_t n;
        ossio_status st = OSSIO_ECONNRESET;
        if (c->ssl != NULL) {
            n = ossio__tls_write(c->ssl, p, len, &st);
            if (n == -1 || n == -2) {
                set_events(c, EV_READ | EV_WRITE);
                return;
            }
        } else {
            n = send(c->fd, p, len, MSG_NOSIGNAL); /* never SIGPIPE in the host */
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) {
                    set_events(c, EV_READ | EV_WRITE);
                    return;
                }
                st = errno_status(errno);
                n = -3;
            }
        }
        if (n < 0) {
            ossio__conn_close(c, st, "connection error while sending");
            return;
        }
        c->woff += (size_t)n;
    }
    if (c->state == OSSIO__CONN_READY || c->state == OSSIO__CONN_DRAINING) {
        set_events(c, EV_READ);
    }
}

static void on_io(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    ossio__conn *c = w->data;
    c->busy++;
    switch (c->state) {
    case OSSIO__CONN_CONNECTING: {
        int err = 0;
        socklen_t len = sizeof(err);
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
            err = errno;
        }
        if (err != 0) {
            connect_error(c, errno_status(err), err);
            try_next_address(c);
        } else {
            ev_timer_stop(c->tp->loop, &c->timer);
            start_tls_or_protocol(c);
        }
        break;
    }
    case OSSIO__CONN_HANDSHAKE:
        handshake(c);
        break;
    case OSSIO__CONN_READY:
    case OSSIO__CONN_DRAINING:
        if ((revents & EV_READ) || c->tls_want_write) {
            c->tls_want_write = 0;
            do_read(c);
        }
        flush(c);
        if (c->state == OSSIO__CONN_DRAINING && c->proto->active(c) == 0 &&
            !c->proto->want_write(c)) {
            ossio__conn_close(c, OSSIO_OK, "drained");
        }
        break;
    default:
        break;
    }
    c->busy--;
    if (c->state == OSSIO__CONN_DEAD && c->busy == 0) {
        free_conn(c);
    }
}

void ossio__conn_write_ready(ossio__conn *c)
{
    on_io(c->tp->loop, &c->io, EV_WRITE);
}

static void on_read_again(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)revents;
    ossio__conn *c = w->data;
    on_io(loop, &c->io, EV_READ);
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    ossio__conn *c = w->data;
    c->busy++;
    if (c->state == OSSIO__CONN_CONNECTING) {
        connect_error(c, OSSIO_ECONNTIMEOUT, ETIMEDOUT);
        try_next_address(c);
    } else if (c->state == OSSIO__CONN_HANDSHAKE) {
        fail_connect(c, OSSIO_ECONNTIMEOUT,
                     "TLS handshake timed out (fs.oss.connection.establish.timeout)");
    } else if (c->state == OSSIO__CONN_READY && c->proto->active(c) == 0) {
        ossio__conn_close(c, OSSIO_OK, "idle");
    }
    c->busy--;
    if (c->state == OSSIO__CONN_DEAD && c->busy == 0) {
        free_conn(c);
    }
}

void ossio__conn_want_write(ossio__conn *c)
{
    if (c->state == OSSIO__CONN_READY || c->state == OSSIO__CONN_DRAINING) {
        ossio__write_soon_add(c); /* flush() arms write interest if the socket is full */
    }
}

void ossio__conn_drain(ossio__conn *c)
{
    if (c->state == OSSIO__CONN_READY) {
        c->state = OSSIO__CONN_DRAINING;
        ossio__conn_want_write(c);
    }
}

void ossio__conn_request_done(ossio__conn *c)
{
    if (c->state != OSSIO__CONN_READY && c->state != OSSIO__CONN_DRAINING) {
        return;
    }
    c->served++;
    ossio__conn_want_write(c);
    ossio__pool_dispatch(c->origin);
    if (c->state == OSSIO__CONN_READY && c->proto->active(c) == 0) {
        ev_timer_set(&c->timer, c->tp->set.conn_idle, 0.);
        ev_timer_start(c->tp->loop, &c->timer);
    } else if (c->state == OSSIO__CONN_DRAINING && c->proto->active(c) == 0) {
        ossio__conn_want_write(c); /* on_io closes it once the output is flushed */
    }
}
