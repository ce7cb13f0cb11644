/* Request URL parsing: "http[s]://host[:port]/path?query" into parts. Pure;
 * the URL must already be percent-encoded (ossio never re-encodes it). */
#ifndef OSSIO__NET_URL_H
#define OSSIO__NET_URL_H

#include <stdint.h>

#include "ossio.h"

typedef struct ossio__url {
    int tls;    /* https */
    char *host; /* without brackets; lower-case */
    uint16_t port;
    char *authority; /* host[:port] as sent in :authority / Host (brackets kept for IPv6) */
    char *target;    /* path and query, starts with '/' */
} ossio__url;

/* OSSIO_EINVAL on a malformed URL (no scheme, unknown scheme, empty host, bad
 * port, user-info, fragment, control characters or spaces), OSSIO_ENOMEM. On
 * success the caller frees with ossio__url_free(). */
ossio_status ossio__url_parse(ossio__url *u, const char *url);
void ossio__url_free(ossio__url *u);

#endif /* OSSIO__NET_URL_H */
