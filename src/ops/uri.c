/* oss:// and s3:// URIs, bucket names, endpoints and the URL a request is
 * sent to. Messages for user mistakes keep the wording Hadoop users search for. */
#include "ops/uri.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sign/sign.h"
#include "util/cursor.h"

int ossio__bucket_valid(const char *b, int s3_dialect)
{
    size_t n = strlen(b);
    if (n < 3 || n > 63) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = b[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '-' && !(s3_dialect && c == '.')) {
            return 0;
        }
        if ((i == 0 || i == n - 1) && !alnum) {
            return 0;
        }
    }
    return 1;
}

ossio_status ossio__uri_parse(ossio__uri *u, const char *s, int s3_dialect, char *msg,
                              size_t msg_len)
{
    memset(u, 0, sizeof(*u));
    if (s == NULL) {
        snprintf(msg, msg_len, "no URI given");
        return OSSIO_EBADURI;
    }
    const char *sep = strstr(s, "://");
    if (sep == NULL) {
        snprintf(msg, msg_len, "'%.200s' is not a URI: use oss://bucket/key", s);
        return OSSIO_EBADURI;
    }
    size_t scheme_len = (size_t)(sep - s);
    if (!((scheme_len == 3 && strncmp(s, "oss", 3) == 0) ||
          (scheme_len == 2 && strncmp(s, "s3", 2) == 0))) {
        snprintf(msg, msg_len, "Could not find a file system implementation for scheme '%.*s'.",
                 (int)(scheme_len > 32 ? 32 : scheme_len), s);
        return OSSIO_ESCHEME;
    }
    if (scheme_len == 2 && !s3_dialect) {
        /* Signed as OSS it would reach an S3 store with the wrong scheme. */
        snprintf(msg, msg_len,
                 "s3:// URIs need the s3 dialect: set fs.oss.dialect=s3 (ossio: -D "
                 "fs.oss.dialect=s3), or use oss:// for Aliyun OSS");
        return OSSIO_ESCHEME;
    }
    memcpy(u->scheme, s, scheme_len);
    const char *b = sep + 3;
    const char *slash = strchr(b, '/');
    size_t blen = slash ? (size_t)(slash - b) : strlen(b);
    if (blen == 0) {
        snprintf(msg, msg_len, "'%.200s' names no bucket: use %s://bucket/key", s, u->scheme);
        return OSSIO_EBADURI;
    }
    if (blen >= sizeof(u->bucket)) {
        snprintf(msg, msg_len, "bucket name too long (3 to 63 characters)");
        return OSSIO_EBADBUCKET;
    }
    memcpy(u->bucket, b, blen);
    if (!ossio__bucket_valid(u->bucket, s3_dialect)) {
        snprintf(msg, msg_len,
                 "invalid bucket name '%s': 3 to 63 lower-case letters, digits and hyphens, "
                 "starting and ending with a letter or digit",
                 u->bucket);
        return OSSIO_EBADBUCKET;
    }
    const char *k = slash ? slash + 1 : "";
    /* The key is taken literally, as ossutil, the aws CLI and Hadoop's Path
     * do: "oss://b/a%41" names the key "a%41". */
    size_t klen = strlen(k);
    u->key = malloc(klen + 1);
    if (u->key == NULL) {
        return OSSIO_ENOMEM;
    }
    memcpy(u->key, k, klen);
    size_t o = klen;
    u->key[o] = '\0';
    if (o > OSSIO__MAX_KEY_BYTES) {
        snprintf(msg, msg_len, "object key is %zu bytes long; the limit is %d bytes", o,
                 OSSIO__MAX_KEY_BYTES);
        ossio__uri_free(u);
        return OSSIO_EKEYTOOLONG;
    }
    if (o > 0 && (u->key[0] == '\\')) {
        snprintf(msg, msg_len, "an object key cannot start with '\\'");
        ossio__uri_free(u);
        return OSSIO_EBADURI;
    }
    return OSSIO_OK;
}

void ossio__uri_free(ossio__uri *u)
{
    free(u->key);
    u->key = NULL;
}

ossio_status ossio__endpoint_parse(ossio__endpoint *ep, const char *s, int secure, char *msg,
                                   size_t msg_len)
{
    memset(ep, 0, sizeof(*ep));
    while (s != NULL && (*s == ' ' || *s == '\t')) {
        s++;
    }
    if (s == NULL || *s == '\0') {
        snprintf(msg, msg_len,
                 "Aliyun OSS endpoint should not be null or empty. Please set proper endpoint "
                 "with 'fs.oss.endpoint'.");
        return OSSIO_ENOENDPOINT;
    }
    ep->tls = secure;
    if (strncmp(s, "https://", 8) == 0) {
        ep->tls = 1;
        s += 8;
    } else if (strncmp(s, "http://", 7) == 0) {
        ep->tls = 0;
        s += 7;
    }
    size_t n = strcspn(s, ":/ \t");
    if (n == 0 || n >= sizeof(ep->host)) {
        snprintf(msg, msg_len, "invalid value for 'fs.oss.endpoint': '%.200s'", s);
        return OSSIO_ECONFIG;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_')) {
            snprintf(msg, msg_len, "invalid host in 'fs.oss.endpoint': '%.200s'", s);
            return OSSIO_ECONFIG;
        }
        ep->host[i] = (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
    }
    s += n;
    if (*s == ':') {
        s++;
        size_t plen = strcspn(s, "/ \t");
        uint64_t port = 0;
        if (!ossio__u64_dec(s, plen, &port) || port == 0 || port > 65535) {
            snprintf(msg, msg_len, "invalid port in 'fs.oss.endpoint'");
            return OSSIO_ECONFIG;
        }
        ep->port = (unsigned)port;
        s += plen;
    }
    if (*s == '/') {
        s++;
    }
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    if (*s != '\0') {
        snprintf(msg, msg_len, "'fs.oss.endpoint' must be a host, host:port or URL without a path");
        return OSSIO_ECONFIG;
    }
    return OSSIO_OK;
}

void ossio__endpoint_region(const ossio__endpoint *ep, char *out, size_t out_len)
{
    out[0] = '\0';
    const char *h = ep->host;
    if (strncmp(h, "oss-", 4) != 0) {
        return;
    }
    const char *dot = strchr(h, '.');
    if (dot == NULL || strcmp(dot, ".aliyuncs.com") != 0) {
        return;
    }
    size_t n = (size_t)(dot - (h + 4));
    const char *internal = "-internal";
    size_t il = strlen(internal);
    if (n > il && strncmp(h + 4 + n - il, internal, il) == 0) {
        n -= il;
    }
    snprintf(out, out_len, "%.*s", (int)n, h + 4);
}

ossio_status ossio__url_for(ossio__buf *out, char *host, size_t host_len, const ossio__endpoint *ep,
                            const char *bucket, const char *key, const char *query, int path_style)
{
    char port[16] = "";
    if (ep->port != 0) {
        snprintf(port, sizeof(port), ":%u", ep->port);
    }
    int vhost = !path_style && bucket != NULL && *bucket;
    snprintf(host, host_len, "%s%s%s%s", vhost ? bucket : "", vhost ? "." : "", ep->host, port);
    const char *scheme = ep->tls ? "https://" : "http://";
    ossio_status st = ossio__buf_append(out, scheme, strlen(scheme));
    if (st == OSSIO_OK) {
        st = ossio__buf_append(out, host, strlen(host));
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append_byte(out, '/');
    }
    if (st == OSSIO_OK && !vhost && bucket != NULL && *bucket) {
        st = ossio__buf_append(out, bucket, strlen(bucket));
        if (st == OSSIO_OK && key != NULL && *key) {
            st = ossio__buf_append_byte(out, '/');
        }
    }
    if (st == OSSIO_OK && key != NULL) {
        st = ossio__uri_encode(out, key, strlen(key), 1);
    }
    if (st == OSSIO_OK && query != NULL && *query) {
        st = ossio__buf_append_byte(out, '?');
        if (st == OSSIO_OK) {
            st = ossio__buf_append(out, query, strlen(query));
        }
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append_byte(out, 0);
        out->len--; /* NUL-terminated, not counted */
    }
    return st;
}
