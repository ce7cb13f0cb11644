/* The request (internal view of ossio_request): one HTTP exchange from
 * submit to completion, whatever connection and protocol carry it. */
#ifndef OSSIO__TRANSPORT_REQUEST_H
#define OSSIO__TRANSPORT_REQUEST_H

#include <ev.h>
#include <stdint.h>

#include "http/headers.h"
#include "transport/defer.h"
#include "transport/transport.h"
#include "net/url.h"
#include "ossio.h"

typedef enum ossio__req_state {
    OSSIO__REQ_NEW,
    OSSIO__REQ_QUEUED,
    OSSIO__REQ_ACTIVE,
    OSSIO__REQ_FINISHING, /* completion queued */
    OSSIO__REQ_DONE
} ossio__req_state;

typedef enum ossio__body_kind {
    OSSIO__BODY_NONE,
    OSSIO__BODY_BUFFER,
    OSSIO__BODY_READER,
    OSSIO__BODY_FILE /* pread from body_fd at body_file_off + body_off: can be sent again */
} ossio__body_kind;

struct ossio_response {
    int status;
    ossio__hdrs hdrs;
};

struct ossio_request {
    ossio__transport *tp;
    ossio__req_state state;
    char *method;
    ossio__url url;
    ossio__hdrs hdrs; /* caller's request fields (names lower-cased) */
    ossio__body_kind body_kind;
    const uint8_t *body;
    int64_t body_len;  /* -1: unknown (reader) */
    uint64_t body_off; /* bytes handed to the protocol */
    ossio_body_read_cb body_read;
    void *body_ud;
    int body_fd;            /* file body: borrowed */
    uint64_t body_file_off; /* file body: where it starts in the file */
    ossio_on_headers_cb on_headers;
    ossio_on_data_cb on_data;
    void *cb_ud;
    ossio_on_done_cb on_done;
    void *done_ud;

    struct ossio__origin *origin;
    struct ossio__conn *conn;
    ossio_request *qnext; /* origin queue */
    ossio_request *qprev;
    ossio_request *all_next; /* client's list of live requests */
    ossio_request *all_prev;
    int32_t stream_id;
    void *proto_ref;  /* the protocol's handle for this request while attached (h2: stream ref) */
    int headers_seen; /* final response headers delivered */
    int sent;         /* request head handed to the socket (h2: HEADERS frame sent) */
    int bytes_in;     /* any response byte arrived (not replayable after) */
    ev_timer idle;    /* the deadlines below, whichever comes first */
    ev_tstamp last_progress;
    ev_tstamp started; /* put on its connection (this attempt) */
    /* Stall detection (docs/transport.md, "Stalls"). */
    double first_byte_timeout; /* headers due this long after the request went out; 0: none */
    int low_speed;             /* the low-speed limit applies */
    ev_tstamp sent_at;         /* the whole request went out (0: not yet) */
    ev_tstamp slot_start;      /* low-speed: the current slot began (0: not measuring) */
    uint64_t moved;            /* body bytes sent and received this attempt */
    uint64_t slot_moved;       /* |moved| when the current slot began */
    uint64_t slots[4];         /* bytes moved in the last four slots */
    unsigned n_slots;          /* slots measured so far (up to 4) */
    ossio_response resp;
    ossio_result result;
    char detail[192];
    ossio__deferred done_node;
};

/* The pool put |r| on connection |c|: starts its idle timeout. */
void ossio__request_activate(ossio_request *r, struct ossio__conn *c);

/* Progress on the request (bytes moved): pushes the idle timeout back. */
void ossio__request_progress(ossio_request *r);

/* The time-to-first-byte bound of |r| in seconds (0: none) and whether the
 * low-speed limit applies to it. Before submit; the client's settings are the
 * default (operations that servers may take minutes to answer set theirs). */
void ossio__request_set_stall_limits(ossio_request *r, double first_byte_timeout, int low_speed);

/* The request ends with |st| (OSSIO_OK: the response is complete). Detaches
 * it from its connection and queue; the completion callback runs later. */
void ossio__request_finish(ossio_request *r, ossio_status st, const char *detail);

/* The server did not process |r| (GOAWAY above its last stream, refused
 * stream, stale keep-alive connection): re-send it if the body can be sent
 * again, else finish with |st|. */
void ossio__request_replay(ossio_request *r, ossio_status st, const char *detail);

/* Called by protocols as the response arrives; return nonzero to abort. */
int ossio__request_deliver_headers(ossio_request *r, int status);
int ossio__request_deliver_data(ossio_request *r, const uint8_t *data, size_t len);

/* Pulls up to |cap| body bytes into |buf|: >0 bytes, 0 at the end, <0 error
 * (the request is finished with OSSIO_EIO before returning). */
long ossio__request_read_body(ossio_request *r, uint8_t *buf, size_t cap);

/* A file body's next up-to-|cap| bytes, handed to the protocol without
 * reading them (sent with sendfile): their count, and where they are
 * (*fd, *off). Accounted as ossio__request_read_body accounts. */
long ossio__request_take_file(ossio_request *r, size_t cap, int *fd, uint64_t *off);

/* Whether the body can be produced again from the start. */
int ossio__request_replayable(const ossio_request *r);

#endif /* OSSIO__TRANSPORT_REQUEST_H */
