/* A list of HTTP header fields (name, value) stored in one arena, shared by
 * the HTTP/1.1 parser and the HTTP/2 session to hand responses upward. */
#ifndef OSSIO__HTTP_HEADERS_H
#define OSSIO__HTTP_HEADERS_H

#include <stddef.h>

#include "ossio.h"
#include "util/buf.h"

/* One field. Both strings are NUL-terminated and owned by the list. Names of
 * response fields are stored lower-cased (HTTP/2 requires it; HTTP/1.1
 * names are folded on insert). */
typedef struct ossio__hdr {
    const char *name;
    const char *value;
    size_t name_len;
    size_t value_len;
} ossio__hdr;

/* Fields in arrival order. |max_bytes| bounds the total stored bytes
 * (names + values + 2 NULs each); adding past it fails with OSSIO_EHEADERSIZE,
 * as does adding more than |max_count| fields. */
typedef struct ossio__hdrs {
    ossio__hdr *v;
    size_t n;
    size_t cap;
    size_t max_count;
    ossio__buf arena; /* name\0value\0 ... ; v[i] point into it */
} ossio__hdrs;

void ossio__hdrs_init(ossio__hdrs *h, size_t max_bytes, size_t max_count);

/* Appends a copy of the field; the name is lower-cased. OSSIO_EHEADERSIZE or
 * OSSIO_ENOMEM on failure (the list is unchanged). */
ossio_status ossio__hdrs_add(ossio__hdrs *h, const char *name, size_t name_len, const char *value,
                             size_t value_len);

/* Value of the first field named |name| (compared case-insensitively), or NULL. */
const char *ossio__hdrs_get(const ossio__hdrs *h, const char *name);

/* Drops all fields, keeping the allocations. */
void ossio__hdrs_reset(ossio__hdrs *h);

void ossio__hdrs_free(ossio__hdrs *h);

/* True if |name| is a valid field name (RFC 9110 token) and |value| has no
 * CR, LF or NUL: what ossio checks before sending a caller's header, so no
 * header can inject another. */
int ossio__hdr_valid(const char *name, size_t name_len, const char *value, size_t value_len);

#endif /* OSSIO__HTTP_HEADERS_H */
