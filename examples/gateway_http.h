/* The gateway example's HTTP/1.1 pieces that need no socket: request-head
 * parsing, Range resolution and the ossio status → HTTP status table. */
#ifndef OSSIO_EXAMPLE_GATEWAY_HTTP_H
#define OSSIO_EXAMPLE_GATEWAY_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <ossio.h>

/* Longest request head (request line + headers) the gateway reads: a longer
 * one is answered 431 Request Header Fields Too Large. */
#define GW_MAX_HEAD 8192

/* One parsed request head. Strings are NUL-terminated copies. */
typedef struct gw_request {
    int is_head;            /* HEAD (else GET) */
    int keep_alive;         /* HTTP/1.1 without "Connection: close" */
    char path[GW_MAX_HEAD]; /* percent-decoded path, query removed: "/bucket/key" */
    char range[128];        /* the Range header ("" if none; a longer one is ignored) */
} gw_request;

/*
 * Parses the request head at the start of |buf| (|len| bytes). Returns the
 * head's length in bytes (> 0, the end of its blank line) when complete; 0
 * when more bytes are needed (the caller answers 431 once it holds
 * GW_MAX_HEAD bytes without a complete head); or a negative HTTP status to
 * answer before closing: -400 (malformed, a request body, an encoded NUL),
 * -405 (a method other than GET or HEAD), -505 (not HTTP/1.x).
 */
int gw_http_parse(const char *buf, size_t len, gw_request *req);

/*
 * Resolves a Range header value against an object of |size| bytes, as RFC
 * 9110 says for a single byte range: returns 206 with [*start, *end) set,
 * 416 when unsatisfiable, or 200 with the whole object for no Range, a
 * malformed one or several ranges (which a server may ignore).
 */
int gw_http_range(const char *range, uint64_t size, uint64_t *start, uint64_t *end);

/* The HTTP status the gateway answers for an ossio failure (one table). */
int gw_http_status_for(ossio_status st);

/* The reason phrase of an HTTP status the gateway sends. Static. */
const char *gw_http_reason(int code);

#endif /* OSSIO_EXAMPLE_GATEWAY_HTTP_H */
