/* HTTP/1.1 pure core: a response parser (bytes in, callbacks out) over
 * http-parser and a request serializer; no socket, no clock (sans-I/O). */
#ifndef OSSIO__H1_H
#define OSSIO__H1_H

#include <stddef.h>
#include <stdint.h>

#include <http_parser.h>

#include "ossio.h"
#include "http/headers.h"
#include "util/buf.h"

/* What the parser reports, in this order per response: on_interim for every
 * 1xx, on_headers once, on_body zero or more times, on_complete once. A
 * callback returning nonzero aborts: the pending feed()/eof() returns
 * OSSIO_ECANCELED and the parser is dead until start(). Callbacks other than
 * on_complete run inside feed()/eof() and must not call start(), feed(),
 * eof() or free() on the same parser; on_complete runs after the parser has
 * become idle, so it may call start() for the next response. */
typedef struct ossio__h1_callbacks {
    /* 1xx interim response (e.g. 100 Continue, 103); optional (NULL). Its
     * header fields are dropped. */
    int (*on_interim)(void *ud, int status);
    /* Status and all header fields of the final response; |hdrs| (names
     * lower-cased) is borrowed until the callback returns. |content_length|
     * is -1 when absent or chunked. Optional. */
    int (*on_headers)(void *ud, int status, const ossio__hdrs *hdrs, int64_t content_length);
    /* De-chunked body bytes, borrowed until the callback returns. Optional. */
    int (*on_body)(void *ud, const uint8_t *data, size_t len);
    /* The response is complete; |keep_alive| = 0 means the connection must
     * be closed (Connection: close, HTTP/1.0, read-until-close body). Optional. */
    int (*on_complete)(void *ud, int keep_alive);
} ossio__h1_callbacks;

/* Parser state; visible so it can be embedded, but only the functions below
 * may touch it. */
typedef struct ossio__h1_parser {
    http_parser hp;
    ossio__h1_callbacks cb;
    void *ud;
    ossio__hdrs hdrs; /* fields of the current response head */
    ossio__buf field; /* current field: name bytes, then value bytes */
    size_t name_len;  /* bytes of |field| that are the name */
    int in_value;     /* value bytes have started for |field| */
    size_t max_header_bytes;
    size_t head_bytes; /* raw bytes of the current head seen so far */
    size_t trailer_bytes;
    size_t trailer_count;
    int64_t content_length; /* parsed Content-Length, -1 if none */
    int head;               /* the request was HEAD */
    int head_done;          /* on_headers_complete seen for this message */
    int interim;            /* current message is 1xx */
    int interim_done;       /* a 1xx message just completed (internal pause) */
    int final_done;         /* the final response just completed */
    int keep_alive;
    int prefix;       /* bytes of "HTTP/" checked at the message start */
    int state;        /* internal: idle / waiting / in message / dead */
    ossio_status err; /* why the parser is dead */
} ossio__h1_parser;

/* Prepares |p| with a copy of |*cb| (which need not outlive the call) and
 * |ud| passed to every callback. A response head (status line, fields and
 * line ends) may hold at most |max_header_bytes| raw bytes and
 * |max_header_count| fields; the same limits apply to chunked trailers,
 * which are checked and dropped. http-parser itself caps a head at 80 KiB.
 * Allocates nothing; the parser is idle until start(). */
void ossio__h1_parser_init(ossio__h1_parser *p, const ossio__h1_callbacks *cb, void *ud,
                           size_t max_header_bytes, size_t max_header_count);

/* Prepares for the response to the next request (also revives a dead
 * parser). |head| = the request was HEAD, so the response has no body. */
void ossio__h1_parser_start(ossio__h1_parser *p, int head);

/* Feeds |len| bytes (borrowed for the call). Stops right after the end of the
 * response: |*consumed| is the number of bytes used; bytes after a complete
 * response are not consumed (the caller decides what they mean: with no
 * request outstanding they are a protocol error). Feeding bytes to an idle
 * parser (no start() since the last response) fails with OSSIO_EPROTO.
 * Returns OSSIO_OK, OSSIO_EPROTO (malformed HTTP, HTTP version other than
 * 1.x, status < 100 or 101, invalid chunk, bad or repeated Content-Length,
 * CR/LF/NUL in a field value), OSSIO_EHEADERSIZE (head or trailer over a
 * limit), OSSIO_ECANCELED (a callback returned nonzero) or OSSIO_ENOMEM.
 * After an error the parser is dead (every call returns the same error)
 * until start(). */
ossio_status ossio__h1_parser_feed(ossio__h1_parser *p, const uint8_t *data, size_t len,
                                   size_t *consumed);

/* The peer closed the connection. Completes a read-until-close body (no
 * length, not chunked) with OSSIO_OK and on_complete(keep_alive = 0). On an
 * idle parser: OSSIO_OK, no callback. Before or inside a response (including
 * after only 1xx responses): OSSIO_ECONNRESET, and the parser is dead; if no
 * byte of the response had arrived, idle() still returns 1 beforehand, so the
 * caller can tell a stale keep-alive connection from a truncated response. */
ossio_status ossio__h1_parser_eof(ossio__h1_parser *p);

/* 1 when no response is partially parsed: after init(), after a complete
 * response, or after start() while no byte of the response has arrived. */
int ossio__h1_parser_idle(const ossio__h1_parser *p);

/* Releases the memory held by |p|; init() may be called again afterwards. */
void ossio__h1_parser_free(ossio__h1_parser *p);

/* Appends "METHOD target HTTP/1.1\r\nHost: host\r\n", the |n| caller fields
 * (borrowed; each "name: value\r\n" in order), framing and "\r\n" to |out|.
 * |content_length| >= 0 writes "Content-Length: N", except that 0 is omitted
 * for GET, HEAD and DELETE; -1 writes "Transfer-Encoding: chunked" (other
 * negative values: OSSIO_EINVAL). |expect_continue| adds "Expect:
 * 100-continue". The method must be a token; the target must start with '/'
 * and hold only visible ASCII (no CR, LF, NUL, space or other control byte);
 * the host must be non-empty visible ASCII without '/', '?', '#' or '@'; every
 * field must pass ossio__hdr_valid() and none may be named host,
 * content-length, transfer-encoding or connection (the framing is ours).
 * Any violation returns OSSIO_EINVAL; on any error (also |out|'s own limit or
 * OSSIO_ENOMEM) nothing is appended. */
ossio_status ossio__h1_request_write(ossio__buf *out, const char *method, const char *target,
                                     const char *host, const ossio__hdr *fields, size_t n,
                                     int64_t content_length, int expect_continue);

/* Chunked framing: "%zx\r\n" before a chunk of |n| > 0 bytes (0 is
 * OSSIO_EINVAL: an empty chunk would end the body), "\r\n" after it, and
 * "0\r\n\r\n" at the end of the body. On error nothing is appended. */
ossio_status ossio__h1_chunk_begin(ossio__buf *out, size_t n);
ossio_status ossio__h1_chunk_end(ossio__buf *out);
ossio_status ossio__h1_chunk_last(ossio__buf *out);

#endif /* OSSIO__H1_H */
