/* The gateway example's connection record, shared by its socket side
 * (gateway_conn.c) and its store side (gateway_upstream.c). */
#ifndef OSSIO_EXAMPLE_GATEWAY_CONN_H
#define OSSIO_EXAMPLE_GATEWAY_CONN_H

#include "gateway.h"
#include "gateway_http.h"

typedef enum cstate {
    ST_REQUEST, /* waiting for a request head */
    ST_HEAD_OP, /* the HEAD of the object is in flight */
    ST_RESPOND, /* writing a response (head, then the body as ranges arrive) */
    ST_LINGER   /* answered and shut for writing; discarding input until EOF */
} cstate;

/* One upstream operation: the HEAD, or one ranged GET and its bytes. */
typedef struct up {
    struct up *next;
    gateway *gw;
    gw_conn *c;   /* NULL once the connection closed (the op was canceled) */
    ossio_op *op; /* in flight, else NULL */
    uint8_t *buf; /* len bytes (a GET's) */
    uint64_t len, got, sent;
    int ok;        /* completed with all len bytes */
    int crc_added; /* counted into the connection's running CRC-64 */
} up;

struct gw_conn {
    gateway *gw;
    gw_conn *prev, *next;
    uint64_t id;
    int fd;
    ev_io rio, wio;
    ev_timer idle;
    cstate state;
    char in[GW_MAX_HEAD]; /* request bytes not yet parsed */
    size_t in_len;
    gw_request req;
    char *uri;  /* oss://bucket/key of the request */
    char *etag; /* the object's, from the HEAD */
    char *out;  /* response head (and a small body) to write */
    size_t out_len, out_off;
    int head_ready;  /* out may be written: the body's first bytes are here */
    int close_after; /* Connection: close */
    int code;
    up *head_op;
    up *first, *last; /* ranged GETs, in object order */
    unsigned ops;
    uint64_t next_off, end_off; /* next byte to request; end of the response's range */
    uint64_t body_len;          /* the response body's length */
    uint64_t fetched, written, reserved, peak_ahead;
    int check_crc;
    uint64_t crc, want_crc;
};

/* Socket side (gateway_conn.c). */
void gw_kick(gw_conn *c); /* arms EV_WRITE: the writer runs from the loop */
int gw_set_out(gw_conn *c, const char *head, size_t hl, const char *body, size_t bl);
void gw_respond_text(gw_conn *c, int code, const char *extra, const char *text);
void gw_upstream_error(gw_conn *c, ossio_status st, const char *detail);

/* Store side (gateway_upstream.c). */
void gw_up_start(gw_conn *c); /* a request for /bucket/key: HEAD, then the window */
int gw_up_pump(gw_conn *c);   /* issues ranges while the window has room; -1 if |c| closed */
void gw_up_abort(gw_conn *c); /* cancels every operation of |c| */

#endif /* OSSIO_EXAMPLE_GATEWAY_CONN_H */
