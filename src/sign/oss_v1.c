/* OSS signature V1: base64(HMAC-SHA1(secret, VERB\nContent-MD5\nContent-Type\n
 * Date\n<x-oss-* headers><resource>)), as Authorization header or presigned URL. */
#include "sign/sign_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

/* The query parameters V1 signs (in the CanonicalizedResource); all others
 * are left out. The union of the lists Aliyun's SDKs sign, identical to
 * V1_SUBRESOURCES in tests/endpoint/lib/auth.js. Sorted for bsearch. */
static const char *const V1_SUBRESOURCES[] = {
    "acl",
    "append",
    "bucketInfo",
    "callback",
    "callback-var",
    "cleanRestoredObject",
    "cloudboxes",
    "comp",
    "continuation-token",
    "cors",
    "delete",
    "encryption",
    "endTime",
    "img",
    "inventory",
    "lifecycle",
    "live",
    "location",
    "logging",
    "objectMeta",
    "partNumber",
    "policy",
    "position",
    "qos",
    "referer",
    "regionList",
    "replication",
    "replicationLocation",
    "replicationProgress",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "security-token",
    "sequential",
    "startTime",
    "stat",
    "status",
    "style",
    "styleName",
    "symlink",
    "tagging",
    "udf",
    "udfApplication",
    "udfApplicationLog",
    "udfId",
    "udfImage",
    "udfImageDesc",
    "udfName",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "vod",
    "website",
    "worm",
    "wormExtend",
    "wormId",
    "x-oss-process",
};

static int is_subresource(const char *name)
{
    size_t lo = 0, hi = sizeof V1_SUBRESOURCES / sizeof V1_SUBRESOURCES[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(name, V1_SUBRESOURCES[mid]);
        if (r == 0) {
            return 1;
        }
        if (r < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return 0;
}

static void put_header_line(ossio__sign_sink *s, const ossio__sign_input *in, const char *name)
{
    int i = ossio__sign_find_header(in, name);
    if (i >= 0) {
        ossio__sign_field f = ossio__sign_header_field(in, (size_t)i);
        ossio__sign_sink_put(s, f.value, f.value_len);
    }
    ossio__sign_sink_byte(s, '\n');
}

/* Writes the string to sign. |date| is the Date line; |extra| are more
 * sub-resources (the presigned URL's security-token). */
static void v1_string(ossio__sign_sink *s, const ossio__sign_input *in, const char *date,
                      size_t date_len, const ossio__qparam *extra, size_t n_extra)
{
    ossio__sign_sink_str(s, in->method);
    ossio__sign_sink_byte(s, '\n');
    put_header_line(s, in, "content-md5");
    put_header_line(s, in, "content-type");
    ossio__sign_sink_put(s, date, date_len);
    ossio__sign_sink_byte(s, '\n');

    ossio__sign_field f[OSSIO__SIGN_MAX_HEADERS];
    size_t nf = 0;
    for (size_t i = 0; i < in->n_headers; i++) {
        if (ossio__sign_has_prefix_i(in->headers[i].name, in->headers[i].name_len, "x-oss-")) {
            f[nf++] = ossio__sign_header_field(in, i);
        }
    }
    ossio__sign_sort_fields(f, nf);
    for (size_t i = 0; i < nf; i++) {
        ossio__sign_sink_lower(s, f[i].name, f[i].name_len);
        ossio__sign_sink_byte(s, ':');
        ossio__sign_sink_put(s, f[i].value, f[i].value_len);
        ossio__sign_sink_byte(s, '\n');
    }

    ossio__sign_sink_byte(s, '/');
    if (in->bucket != NULL && in->bucket[0] != '\0') {
        ossio__sign_sink_str(s, in->bucket);
        ossio__sign_sink_byte(s, '/');
        if (in->key != NULL) {
            ossio__sign_sink_str(s, in->key);
        }
    }

    ossio__qparam q[OSSIO__SIGN_MAX_QUERY + 1];
    size_t nq = 0;
    for (size_t i = 0; i < in->n_query; i++) {
        if (is_subresource(in->query[i].name)) {
            q[nq++] = in->query[i];
        }
    }
    for (size_t i = 0; i < n_extra; i++) {
        q[nq++] = extra[i];
    }
    ossio__sign_sort_query(q,
                           nq); /* sub-resource names are unreserved: encoded order = byte order */
    for (size_t i = 0; i < nq; i++) {
        ossio__sign_sink_byte(s, i == 0 ? '?' : '&');
        ossio__sign_sink_str(s, q[i].name);
        if (q[i].value != NULL && q[i].value[0] != '\0') {
            ossio__sign_sink_byte(s, '=');
            ossio__sign_sink_str(s, q[i].value);
        }
    }
}

static int creds_ok(const ossio__credentials *c)
{
    return c != NULL && c->access_key_id != NULL && c->access_key_id[0] != '\0' &&
           c->access_key_secret != NULL && c->access_key_secret[0] != '\0' &&
           strlen(c->access_key_secret) <= OSSIO__SIGN_MAX_SECRET &&
           strchr(c->access_key_id, ':') == NULL;
}

/* Computes base64(HMAC-SHA1) of the V1 string into sig[29]. */
static ossio_status v1_sign(const ossio__sign_input *in, const ossio__credentials *c,
                            const char *date, size_t date_len, const ossio__qparam *extra,
                            size_t n_extra, ossio__buf *canonical, char sig[29])
{
    ossio_status st = OSSIO_EINTERNAL;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    char digest_name[] = "SHA1";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_end(),
    };
    if (ctx != NULL && EVP_MAC_init(ctx, (const unsigned char *)c->access_key_secret,
                                    strlen(c->access_key_secret), params) == 1) {
        ossio__sign_sink s = {canonical, NULL, ctx, OSSIO_OK};
        v1_string(&s, in, date, date_len, extra, n_extra);
        unsigned char md[EVP_MAX_MD_SIZE];
        size_t md_len = 0;
        st = s.st;
        if (st == OSSIO_OK) {
            if (EVP_MAC_final(ctx, md, &md_len, sizeof md) == 1 && md_len == 20) {
                EVP_EncodeBlock((unsigned char *)sig, md, 20);
            } else {
                st = OSSIO_EINTERNAL;
            }
        }
    }
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return st;
}

ossio_status ossio__sign_oss_v1(const ossio__sign_input *in, const ossio__credentials *c,
                                ossio__buf *out, ossio__buf *canonical)
{
    ossio_status st = ossio__sign_check_input(in);
    if (st != OSSIO_OK) {
        return st;
    }
    if (!creds_ok(c) || out == NULL ||
        !ossio__sign_header_matches(in, "x-oss-security-token", c->security_token)) {
        return OSSIO_EINVAL;
    }
    const char *date = "";
    size_t date_len = 0;
    int i = ossio__sign_find_header(in, "x-oss-date");
    if (i < 0) {
        i = ossio__sign_find_header(in, "date");
    }
    if (i >= 0) {
        ossio__sign_field f = ossio__sign_header_field(in, (size_t)i);
        date = f.value;
        date_len = f.value_len;
    }
    size_t out0 = out->len, can0 = canonical ? canonical->len : 0;
    char sig[29];
    st = v1_sign(in, c, date, date_len, NULL, 0, canonical, sig);
    if (st == OSSIO_OK) {
        st = ossio__buf_append(out, "OSS ", 4);
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append(out, c->access_key_id, strlen(c->access_key_id));
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append_byte(out, ':');
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append(out, sig, 28);
    }
    if (st != OSSIO_OK) {
        ossio__sign_rewind(out, out0);
        ossio__sign_rewind(canonical, can0);
    }
    return st;
}

static int reserved_v1_param(const char *name)
{
    return strcmp(name, "OSSAccessKeyId") == 0 || strcmp(name, "Expires") == 0 ||
           strcmp(name, "Signature") == 0 || strcmp(name, "security-token") == 0;
}

ossio_status ossio__presign_oss_v1(const ossio__sign_input *in, const ossio__credentials *c,
                                   int64_t expires_epoch, ossio__buf *query_out,
                                   ossio__buf *canonical)
{
    ossio_status st = ossio__sign_check_input(in);
    if (st != OSSIO_OK) {
        return st;
    }
    if (!creds_ok(c) || query_out == NULL || expires_epoch < 0) {
        return OSSIO_EINVAL;
    }
    for (size_t i = 0; i < in->n_query; i++) {
        if (reserved_v1_param(in->query[i].name)) {
            return OSSIO_EINVAL;
        }
    }
    char expires[24];
    int n = snprintf(expires, sizeof expires, "%" PRId64, expires_epoch);
    int sts = c->security_token != NULL && c->security_token[0] != '\0';
    ossio__qparam token = {"security-token", c->security_token};

    size_t out0 = query_out->len, can0 = canonical ? canonical->len : 0;
    char sig[29];
    st = v1_sign(in, c, expires, (size_t)n, &token, sts ? 1 : 0, canonical, sig);
    if (st == OSSIO_OK) {
        st = ossio__buf_append(query_out, "OSSAccessKeyId=", 15);
    }
    if (st == OSSIO_OK) {
        st = ossio__uri_encode(query_out, c->access_key_id, strlen(c->access_key_id), 0);
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append(query_out, "&Expires=", 9);
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append(query_out, expires, (size_t)n);
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append(query_out, "&Signature=", 11);
    }
    if (st == OSSIO_OK) {
        st = ossio__uri_encode(query_out, sig, 28, 0);
    }
    if (st == OSSIO_OK && sts) {
        st = ossio__buf_append(query_out, "&security-token=", 16);
        if (st == OSSIO_OK) {
            st = ossio__uri_encode(query_out, c->security_token, strlen(c->security_token), 0);
        }
    }
    if (st != OSSIO_OK) {
        ossio__sign_rewind(query_out, out0);
        ossio__sign_rewind(canonical, can0);
    }
    return st;
}
