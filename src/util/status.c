/* ossio_status names, messages and retry classes, kept in one table so they
 * cannot drift apart; a missing enumerator is a -Wswitch warning below. */
#include "ossio.h"

#include <stddef.h>

/* X(name, message, retryable) */
#define OSSIO__STATUS_LIST(X)                                                                      \
    X(OSSIO_OK, "success", 0)                                                                      \
    X(OSSIO_ENOMEM, "out of memory", 0)                                                            \
    X(OSSIO_EINVAL, "invalid argument", 0)                                                         \
    X(OSSIO_ECANCELED, "operation canceled", 0)                                                    \
    X(OSSIO_EINTERNAL, "internal error in ossio", 0)                                               \
    X(OSSIO_ENOTSUP, "operation not supported", 0)                                                 \
    X(OSSIO_EAGAIN, "try again later: buffer or memory budget full", 0)                            \
    X(OSSIO_ECONFIG, "invalid configuration value", 0)                                             \
    X(OSSIO_ENOENDPOINT,                                                                           \
      "Aliyun OSS endpoint should not be null or empty. Please set proper endpoint with "          \
      "'fs.oss.endpoint'.",                                                                        \
      0)                                                                                           \
    X(OSSIO_ENOCREDENTIALS, "no access key id or secret configured", 0)                            \
    X(OSSIO_EBADURI, "malformed object URI", 0)                                                    \
    X(OSSIO_ESCHEME, "unsupported URI scheme", 0)                                                  \
    X(OSSIO_EBADBUCKET, "invalid bucket name", 0)                                                  \
    X(OSSIO_EKEYTOOLONG, "object key too long", 0)                                                 \
    X(OSSIO_EDNS, "host name does not resolve", 0)                                                 \
    X(OSSIO_EDNSTIMEOUT, "name resolution timed out", 1)                                           \
    X(OSSIO_ECONNREFUSED, "connection refused", 0)                                                 \
    X(OSSIO_ECONNECT, "could not connect", 0)                                                      \
    X(OSSIO_ECONNRESET, "connection reset by peer", 1)                                             \
    X(OSSIO_ECONNTIMEOUT, "connection establishment timed out", 1)                                 \
    X(OSSIO_ETIMEDOUT, "connection idle timeout", 1)                                               \
    X(OSSIO_ESTALLED, "transfer stalled: below the low-speed limit", 1)                            \
    X(OSSIO_EDEADLINE, "operation deadline exceeded", 0)                                           \
    X(OSSIO_ETLS, "TLS failure", 0)                                                                \
    X(OSSIO_ETLSVERIFY, "server certificate not trusted", 0)                                       \
    X(OSSIO_ETLSHOSTNAME, "server certificate does not match host name", 0)                        \
    X(OSSIO_EPROTO, "malformed HTTP response", 0)                                                  \
    X(OSSIO_EHEADERSIZE, "response headers too large", 0)                                          \
    X(OSSIO_EBODYSIZE, "response body too large", 0)                                               \
    X(OSSIO_ESTREAMRESET, "HTTP/2 stream reset by peer", 1)                                        \
    X(OSSIO_EGOAWAY, "HTTP/2 connection shut down by peer (GOAWAY)", 1)                            \
    X(OSSIO_EHTTP, "server returned an error status", 0)                                           \
    X(OSSIO_ENOTFOUND, "no such bucket, object or upload", 0)                                      \
    X(OSSIO_EACCESS, "access denied", 0)                                                           \
    X(OSSIO_ESIGNATURE, "request signature rejected by server", 0)                                 \
    X(OSSIO_ETHROTTLED, "request throttled by server", 1)                                          \
    X(OSSIO_ESERVER, "server error (5xx)", 1)                                                      \
    X(OSSIO_EEXISTS, "object or bucket already exists", 0)                                         \
    X(OSSIO_EXML, "malformed XML in response", 0)                                                  \
    X(OSSIO_EPAGING, "listing incomplete: the server's paging is broken", 0)                       \
    X(OSSIO_ECHECKSUM, "checksum mismatch", 1)                                                     \
    X(OSSIO_ECHANGED, "object changed during transfer", 0)                                         \
    X(OSSIO_EIO, "local I/O error", 0)                                                             \
    X(OSSIO_ERECORDSIZE, "record exceeds maximum record size", 0)

struct status_info {
    const char *name;
    const char *message;
    int retryable;
};

static const struct status_info *status_lookup(ossio_status st)
{
    /* No default: -Wswitch flags any enumerator missing from the list. */
    switch (st) {
#define STATUS_CASE(name, message, retryable)                                                      \
    case name: {                                                                                   \
        static const struct status_info info = {#name, message, retryable};                        \
        return &info;                                                                              \
    }
        OSSIO__STATUS_LIST(STATUS_CASE)
#undef STATUS_CASE
    }
    return NULL;
}

const char *ossio_strerror(ossio_status st)
{
    const struct status_info *info = status_lookup(st);
    return info ? info->message : "unknown ossio status";
}

const char *ossio_status_name(ossio_status st)
{
    const struct status_info *info = status_lookup(st);
    return info ? info->name : NULL;
}

int ossio_status_retryable(ossio_status st)
{
    const struct status_info *info = status_lookup(st);
    return info ? info->retryable : 0;
}
