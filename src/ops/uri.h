/* Object URIs (oss://bucket/key, s3://bucket/key) and addressing: which URL
 * a request for a bucket and key goes to, given the endpoint. Pure. */
#ifndef OSSIO__OPS_URI_H
#define OSSIO__OPS_URI_H

#include <stddef.h>

#include "ossio.h"
#include "util/buf.h"

#define OSSIO__MAX_KEY_BYTES 1023

typedef struct ossio__uri {
    char scheme[4]; /* "oss" or "s3" */
    char bucket[64];
    char *key; /* decoded, possibly "" (bucket itself); owned */
} ossio__uri;

/* Parses |s|. Errors: OSSIO_ESCHEME (not oss:// or s3://, or s3:// outside
 * the s3 dialect: the message says how to switch), OSSIO_EBADURI,
 * OSSIO_EBADBUCKET, OSSIO_EKEYTOOLONG; |msg| gets a sentence saying what to
 * fix (the scheme error in Hadoop's wording). Free with ossio__uri_free(). */
ossio_status ossio__uri_parse(ossio__uri *u, const char *s, int s3_dialect, char *msg,
                              size_t msg_len);
void ossio__uri_free(ossio__uri *u);

/* OSS bucket rules (3-63 of a-z 0-9 -, starting and ending alphanumeric); the
 * s3 dialect also allows '.' as S3 does. */
int ossio__bucket_valid(const char *bucket, int s3_dialect);

typedef struct ossio__endpoint {
    int tls;
    char host[256]; /* lower-case, no port */
    unsigned port;  /* 0: the scheme's default */
} ossio__endpoint;

/* "oss-cn-hangzhou.aliyuncs.com", "host:port", "https://host[:port][/]".
 * |secure| applies when the endpoint names no scheme. OSSIO_ENOENDPOINT for
 * an empty one (with Hadoop's message), OSSIO_ECONFIG for a malformed one. */
ossio_status ossio__endpoint_parse(ossio__endpoint *ep, const char *s, int secure, char *msg,
                                   size_t msg_len);

/* The signing region of an OSS endpoint: "oss-cn-hangzhou[-internal].aliyuncs.com"
 * → "cn-hangzhou"; "" when it cannot be told. */
void ossio__endpoint_region(const ossio__endpoint *ep, char *out, size_t out_len);

/* Appends the request URL for bucket/key (key percent-encoded, '/' kept) and
 * |query| (already encoded, without '?', may be NULL) to |out|:
 * virtual-hosted https://bucket.host/key, or path-style https://host/bucket/key.
 * Also writes the Host value into |host| (host[:port]). */
ossio_status ossio__url_for(ossio__buf *out, char *host, size_t host_len, const ossio__endpoint *ep,
                            const char *bucket, const char *key, const char *query, int path_style);

#endif /* OSSIO__OPS_URI_H */
