/* The transport seam: the protocol interface (ossio__proto) that HTTP/2
 * (transport/h2_adapter.c) and HTTP/1.1 (transport/h1_adapter.c) implement,
 * and the connection (struct ossio__conn) that carries one of them: resolve,
 * connect (to the address the origin's table picks; transport/addrs.c), TLS handshake, then bytes
 * between the socket and the protocol chosen by ALPN (transport/conn.c). */
#ifndef OSSIO__TRANSPORT_CONN_H
#define OSSIO__TRANSPORT_CONN_H

#include <ev.h>
#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/resolver.h"
#include "ossio.h"
#include "transport/transport.h"
#include "util/buf.h"

typedef struct ossio__origin ossio__origin;
typedef struct ossio__conn ossio__conn;
typedef struct ossio__origin ossio__origin;

/* The transport interface HTTP/2 and HTTP/1.1 both implement. The request
 * layer never sees which one carries it. Bytes come in through recv();
 * bytes to send are produced into the connection's write buffer by send(). */
typedef struct ossio__proto {
    const char *name; /* "h2", "http/1.1" (also the ALPN id) */
    ossio_status (*init)(ossio__conn *c);
    /* Decrypted bytes from the peer. An error closes the connection. */
    ossio_status (*recv)(ossio__conn *c, const uint8_t *data, size_t len);
    /* Appends what is ready to send to c->wbuf, up to about |budget| bytes. */
    ossio_status (*send)(ossio__conn *c, size_t budget);
    /* Whether send() has more to give now. */
    int (*want_write)(ossio__conn *c);
    /* How many more requests this connection takes now. */
    size_t (*capacity)(ossio__conn *c);
    /* Number of requests active on it. */
    size_t (*active)(ossio__conn *c);
    /* Starts |r| on the connection (request headers and body will follow in send()). */
    ossio_status (*submit)(ossio__conn *c, ossio_request *r);
    /* Detaches |r| (canceled or timed out); the protocol aborts what it must. */
    void (*abort)(ossio__conn *c, ossio_request *r, ossio_status why);
    /* The connection is going away with |why|: detach every request (each
     * is finished or re-queued through the request layer). */
    void (*shutdown)(ossio__conn *c, ossio_status why);
    void (*free)(ossio__conn *c);
} ossio__proto;

extern const ossio__proto ossio__proto_h2;
extern const ossio__proto ossio__proto_h1;

typedef enum ossio__conn_state {
    OSSIO__CONN_RESOLVING,
    OSSIO__CONN_CONNECTING,
    OSSIO__CONN_HANDSHAKE,
    OSSIO__CONN_READY,
    OSSIO__CONN_DRAINING, /* no new requests (GOAWAY, Connection: close) */
    OSSIO__CONN_DEAD
} ossio__conn_state;

struct ossio__conn {
    ossio__transport *tp;
    ossio__origin *origin;
    ossio__conn *next; /* in origin->conns */
    ossio__conn_state state;
    int fd;
    ev_io io;
    ev_timer timer; /* connect/handshake timeout, then idle reaping */
    /* Bytes may wait in OpenSSL's buffer with nothing on the socket (the read
     * budget ran out, or the handshake read ahead): read again next iteration.
     * A timer, not ev_feed_event on |io|: restarting |io| for EV_WRITE drops
     * a fed event, which stalled a response until the idle timeout. */
    ev_timer read_again;
    ossio__resolve_query *dns;
    int addr;       /* its index in origin->addrs; -1 while none */
    uint32_t tried; /* addresses this connection tried (a bit per index) */
    ossio_status last_connect_error;
    char detail[160];
    SSL *ssl;
    int tls_want_write; /* SSL_read needed to write (renegotiation / key update) */
    const ossio__proto *proto;
    void *proto_data;
    ossio__buf wbuf;
    size_t woff;
    /* Cleartext: a request body's file range, sent with sendfile after wbuf
     * (ossio__conn_queue_file); file_left 0: none. */
    int file_fd;
    uint64_t file_off, file_left;
    uint8_t *rbuf;
    unsigned busy;   /* >0 while inside this connection's callbacks */
    unsigned served; /* requests completed on it (for stale keep-alive replays) */
    uint64_t serial; /* its number in the client: OSSIO_STAT_CONNECTIONS_OPENED when it opened */
    int read_eof;
    int write_soon; /* queued for a flush at the end of the turn (write_soon.c) */
    ossio__conn *ws_next, *ws_prev;
    int settling; /* h2: the server's SETTINGS (its stream limit) not seen yet */
};

/* The socket can take data (or write_soon.c says so): as an EV_WRITE event. */
void ossio__conn_write_ready(ossio__conn *c);

/* Connection primitives used by the protocols. */
/* Whether a body may go from a file with sendfile: cleartext only (TLS
 * encrypts in user space). */
int ossio__conn_can_sendfile(const ossio__conn *c);
/* Queues |len| bytes of |fd| at |off| to go after what wbuf holds; the
 * protocol is asked for more only once they went. One range at a time. */
void ossio__conn_queue_file(ossio__conn *c, int fd, uint64_t off, uint64_t len);
/* Asks the loop to call send() and flush when the socket can take data. */
void ossio__conn_want_write(ossio__conn *c);
/* Stops taking requests; closes when the last active one finishes. */
void ossio__conn_drain(ossio__conn *c);
/* Closes now with |why|; the protocol's shutdown() detaches the requests. */
void ossio__conn_close(ossio__conn *c, ossio_status why, const char *detail);
/* A request finished on |c|: count it, dispatch more, maybe start idling. */
void ossio__conn_request_done(ossio__conn *c);

/* Starts a new connection for |o| (counted in o->n_connecting until it is
 * ready or fails). */
ossio_status ossio__conn_open(ossio__origin *o);

/* OpenSSL's new-session callback: keeps the origin's latest session. */
int ossio__conn_new_session(SSL *ssl, SSL_SESSION *sess);

#endif /* OSSIO__TRANSPORT_CONN_H */
