/* The four ways ossio reaches a server — HTTP/2 and HTTP/1.1, over TLS and
 * cleartext — each on one of the endpoint's Node ports, where a fault acts
 * on the real TCP connection (nghttpx in between would turn a dropped
 * backend into a stream reset). Tests run every case over all four. */
#ifndef OSSIO_TESTS_TRANSFER_TRANSPORTS_H
#define OSSIO_TESTS_TRANSFER_TRANSPORTS_H

#include "transfer_support.h"

typedef struct transport {
    const char *name;
    const char *scheme; /* "https" or "http" */
    const char *port;   /* endpoint.env port name */
    const char *key;    /* one more setting that selects the protocol */
    const char *value;
    const char *want_protocol; /* what the result must report */
} transport;

static const transport transports[] = {
    {"h2+TLS", "https", "H2_TLS_RAW", "fs.oss.http2.enabled", "true", "h2"},
    {"HTTP/1.1+TLS", "https", "H2_TLS_RAW", "fs.oss.http2.enabled", "false", "http/1.1"},
    {"h2c", "http", "H2C_RAW", "fs.oss.http2.cleartext", "true", "h2"},
    {"HTTP/1.1", "http", "HTTP", "fs.oss.http2.cleartext", "false", "http/1.1"},
};
#define N_TRANSPORTS (sizeof(transports) / sizeof(transports[0]))

/* A client on |t| with 1 MiB parts and up to four more "key", "value" pairs
 * (NULL-terminated). */
static ossio_client *client_on(const transport *t, const char *k1, const char *v1, const char *k2,
                               const char *v2, const char *k3, const char *v3, const char *k4,
                               const char *v4)
{
    char endpoint[128];
    snprintf(endpoint, sizeof(endpoint), "%s://%s:%d", t->scheme,
             strcmp(t->scheme, "https") == 0 ? "localhost" : "127.0.0.1", ep_port(t->port));
    return client_with(NULL, "fs.oss.endpoint", endpoint, "fs.oss.accessKeyId", ep("ACCESS_KEY_ID"),
                       "fs.oss.accessKeySecret", ep("ACCESS_KEY_SECRET"),
                       "fs.oss.path.style.access", "true", "fs.oss.multipart.upload.threshold",
                       "1M", "fs.oss.multipart.upload.size", "1M", "fs.oss.multipart.download.size",
                       "1M", t->key, t->value, k1, v1, k2, v2, k3, v3, k4, v4, NULL);
}

/* Arms one fault: |kind| with more fields |extra| (each followed by a comma)
 * on requests whose path contains |path| and matching |match_extra| (JSON
 * members, each preceded by a comma). */
static void arm_fault(const char *kind, const char *path, const char *match_extra,
                      const char *extra)
{
    char f[1024];
    snprintf(f, sizeof(f), "{\"kind\":\"%s\",\"count\":1,%s\"match\":{\"path\":\"%s\"%s}}", kind,
             extra, path, match_extra);
    assert_int_equal(control("POST", "/faults", f), 201);
}

#endif /* OSSIO_TESTS_TRANSFER_TRANSPORTS_H */
