/* AWS Signature Version 4 for S3 (AWS4-HMAC-SHA256): canonical request with
 * S3's path rules (no normalisation, single encoding), header or presigned URL. */
#include "sign/sign_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#define ALGO "AWS4-HMAC-SHA256"
#define TERMINATOR "aws4_request"
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define MAX_AK 128

/* Writes |v| with runs of spaces/tabs folded to one space (already trimmed). */
static void sink_folded(ossio__sign_sink *s, const char *v, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && v[j] != ' ' && v[j] != '\t') {
            j++;
        }
        ossio__sign_sink_put(s, v + i, j - i);
        if (j == n) {
            break;
        }
        ossio__sign_sink_byte(s, ' ');
        while (j < n && (v[j] == ' ' || v[j] == '\t')) {
            j++;
        }
        i = j;
    }
}

/* Collects the signed headers: host, content-type, content-md5, x-amz-*
 * (|presign|: host only). Sorted. 0 if there is no host. */
static size_t signed_fields(const ossio__sign_input *in, int presign, ossio__sign_field *f)
{
    size_t nf = 0;
    int h = ossio__sign_find_header(in, "host");
    if (h >= 0) {
        f[nf++] = ossio__sign_header_field(in, (size_t)h);
    } else if (in->host != NULL && in->host[0] != '\0') {
        f[nf++] = (ossio__sign_field){"host", 4, in->host, strlen(in->host)};
    } else {
        return 0;
    }
    for (size_t i = 0; !presign && i < in->n_headers; i++) {
        const char *n = in->headers[i].name;
        size_t len = in->headers[i].name_len;
        if (ossio__sign_ieq(n, len, "content-type") || ossio__sign_ieq(n, len, "content-md5") ||
            ossio__sign_has_prefix_i(n, len, "x-amz-")) {
            f[nf++] = ossio__sign_header_field(in, i);
        }
    }
    ossio__sign_sort_fields(f, nf);
    return nf;
}

static void canonical_request(ossio__sign_sink *s, const ossio__sign_input *in, ossio__qparam *q,
                              size_t nq, const ossio__sign_field *f, size_t nf, const char *payload,
                              size_t payload_len)
{
    ossio__sign_sink_str(s, in->method);
    ossio__sign_sink_byte(s, '\n');
    ossio__sign_sink_byte(s, '/');
    /* The path as sent (ossio__url_for): "/bucket/key", or "/bucket" for a
     * request on the bucket itself — S3 signs what is on the wire. */
    if (in->path_style && in->bucket != NULL && in->bucket[0] != '\0') {
        ossio__sign_sink_enc(s, in->bucket, strlen(in->bucket), 1);
        if (in->key != NULL && in->key[0] != '\0') {
            ossio__sign_sink_byte(s, '/');
        }
    }
    if (in->key != NULL) {
        ossio__sign_sink_enc(s, in->key, strlen(in->key), 1);
    }
    ossio__sign_sink_byte(s, '\n');
    ossio__sign_sort_query(q, nq);
    for (size_t i = 0; i < nq; i++) {
        if (i > 0) {
            ossio__sign_sink_byte(s, '&');
        }
        ossio__sign_sink_enc(s, q[i].name, strlen(q[i].name), 0);
        ossio__sign_sink_byte(s, '=');
        if (q[i].value != NULL) {
            ossio__sign_sink_enc(s, q[i].value, strlen(q[i].value), 0);
        }
    }
    ossio__sign_sink_byte(s, '\n');
    for (size_t i = 0; i < nf; i++) {
        ossio__sign_sink_lower(s, f[i].name, f[i].name_len);
        ossio__sign_sink_byte(s, ':');
        sink_folded(s, f[i].value, f[i].value_len);
        ossio__sign_sink_byte(s, '\n');
    }
    ossio__sign_sink_byte(s, '\n');
    for (size_t i = 0; i < nf; i++) {
        if (i > 0) {
            ossio__sign_sink_byte(s, ';');
        }
        ossio__sign_sink_lower(s, f[i].name, f[i].name_len);
    }
    ossio__sign_sink_byte(s, '\n');
    ossio__sign_sink_put(s, payload, payload_len);
}

static ossio_status sigv4(const ossio__sign_input *in, const ossio__credentials *c,
                          const char *region, const char *service, const char *iso,
                          ossio__qparam *q, size_t nq, const ossio__sign_field *f, size_t nf,
                          const char *payload, size_t payload_len, ossio__buf *canonical,
                          char sig[65])
{
    EVP_MD_CTX *md = ossio__sign_sha256_new();
    if (md == NULL) {
        return OSSIO_EINTERNAL;
    }
    ossio__sign_sink s = {canonical, md, NULL, OSSIO_OK};
    canonical_request(&s, in, q, nq, f, nf, payload, payload_len);
    return ossio__sign_v4_signature(md, s.st, ALGO, "AWS4", c->access_key_secret, iso, region,
                                    service, TERMINATOR, sig);
}

static int args_ok(const ossio__credentials *c, const char *region, const char *service)
{
    return c != NULL && c->access_key_id != NULL && c->access_key_id[0] != '\0' &&
           strlen(c->access_key_id) <= MAX_AK && strpbrk(c->access_key_id, "/,; ") == NULL &&
           c->access_key_secret != NULL && c->access_key_secret[0] != '\0' &&
           strlen(c->access_key_secret) <= OSSIO__SIGN_MAX_SECRET &&
           ossio__sign_scope_part_len(region) > 0 && ossio__sign_scope_part_len(service) > 0;
}

ossio_status ossio__sign_aws_v4(const ossio__sign_input *in, const ossio__credentials *c,
                                const char *region, const char *service, time_t now,
                                ossio__buf *out, ossio__buf *canonical)
{
    ossio_status st = ossio__sign_check_input(in);
    if (st != OSSIO_OK) {
        return st;
    }
    if (service == NULL) {
        service = "s3";
    }
    if (out == NULL || !args_ok(c, region, service) ||
        !ossio__sign_header_matches(in, "x-amz-security-token", c->security_token)) {
        return OSSIO_EINVAL;
    }
    char iso[17];
    ossio__iso8601_basic(now, iso);
    if (!ossio__sign_header_matches(in, "x-amz-date", iso)) {
        return OSSIO_EINVAL;
    }
    for (size_t i = 0; i < in->n_query; i++) {
        if (ossio__sign_ieq(in->query[i].name, strlen(in->query[i].name), "x-amz-signature")) {
            return OSSIO_EINVAL; /* signers skip it: it could not be signed */
        }
    }
    ossio__sign_field f[OSSIO__SIGN_MAX_HEADERS + 1];
    size_t nf = signed_fields(in, 0, f);
    if (nf == 0) {
        return OSSIO_EINVAL;
    }
    const char *payload = EMPTY_SHA256;
    size_t payload_len = strlen(EMPTY_SHA256);
    int h = ossio__sign_find_header(in, "x-amz-content-sha256");
    if (h >= 0) {
        ossio__sign_field p = ossio__sign_header_field(in, (size_t)h);
        payload = p.value;
        payload_len = p.value_len;
    }
    ossio__qparam q[OSSIO__SIGN_MAX_QUERY];
    for (size_t i = 0; i < in->n_query; i++) {
        q[i] = in->query[i];
    }
    size_t out0 = out->len, can0 = canonical ? canonical->len : 0;
    char sig[65];
    st = sigv4(in, c, region, service, iso, q, in->n_query, f, nf, payload, payload_len, canonical,
               sig);
    char head[512];
    int n = snprintf(head, sizeof head, ALGO " Credential=%s/%.8s/%s/%s/" TERMINATOR ", ",
                     c->access_key_id, iso, region, service);
    if (st == OSSIO_OK && (n <= 0 || (size_t)n >= sizeof head)) {
        st = OSSIO_EINTERNAL;
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append(out, head, (size_t)n);
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append(out, "SignedHeaders=", 14);
    }
    for (size_t i = 0; st == OSSIO_OK && i < nf; i++) {
        if (i > 0) {
            st = ossio__buf_append_byte(out, ';');
        }
        for (size_t k = 0; st == OSSIO_OK && k < f[i].name_len; k++) {
            char ch = f[i].name[k];
            st = ossio__buf_append_byte(out, (uint8_t)((ch >= 'A' && ch <= 'Z') ? ch + 32 : ch));
        }
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append(out, ", Signature=", 12);
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append(out, sig, 64);
    }
    if (st != OSSIO_OK) {
        ossio__sign_rewind(out, out0);
        ossio__sign_rewind(canonical, can0);
    }
    return st;
}

static int sigv4_auth_param(const char *name)
{
    static const char *const names[] = {
        "X-Amz-Algorithm",     "X-Amz-Credential", "X-Amz-Date",           "X-Amz-Expires",
        "X-Amz-SignedHeaders", "X-Amz-Signature",  "X-Amz-Security-Token",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (ossio__sign_ieq(name, strlen(name), names[i])) {
            return 1;
        }
    }
    return 0;
}

ossio_status ossio__presign_aws_v4(const ossio__sign_input *in, const ossio__credentials *c,
                                   const char *region, const char *service, time_t now,
                                   int64_t expires_seconds, ossio__buf *query_out,
                                   ossio__buf *canonical)
{
    ossio_status st = ossio__sign_check_input(in);
    if (st != OSSIO_OK) {
        return st;
    }
    if (service == NULL) {
        service = "s3";
    }
    if (query_out == NULL || !args_ok(c, region, service) || expires_seconds < 1 ||
        expires_seconds > OSSIO__SIGN_MAX_EXPIRES) {
        return OSSIO_EINVAL;
    }
    for (size_t i = 0; i < in->n_query; i++) {
        if (sigv4_auth_param(in->query[i].name)) {
            return OSSIO_EINVAL;
        }
    }
    ossio__sign_field f[1];
    size_t nf = signed_fields(in, 1, f);
    if (nf == 0) {
        return OSSIO_EINVAL;
    }
    char iso[17];
    ossio__iso8601_basic(now, iso);
    char cred[MAX_AK + 2 * OSSIO__SIGN_MAX_SCOPE_PART + 32];
    snprintf(cred, sizeof cred, "%s/%.8s/%s/%s/" TERMINATOR, c->access_key_id, iso, region,
             service);
    char expires[24];
    snprintf(expires, sizeof expires, "%" PRId64, expires_seconds);

    ossio__qparam auth[6];
    size_t na = 0;
    auth[na++] = (ossio__qparam){"X-Amz-Algorithm", ALGO};
    auth[na++] = (ossio__qparam){"X-Amz-Credential", cred};
    auth[na++] = (ossio__qparam){"X-Amz-Date", iso};
    auth[na++] = (ossio__qparam){"X-Amz-Expires", expires};
    if (c->security_token != NULL && c->security_token[0] != '\0') {
        auth[na++] = (ossio__qparam){"X-Amz-Security-Token", c->security_token};
    }
    auth[na++] = (ossio__qparam){"X-Amz-SignedHeaders", "host"};

    ossio__qparam q[OSSIO__SIGN_MAX_QUERY + 6];
    for (size_t i = 0; i < in->n_query; i++) {
        q[i] = in->query[i];
    }
    for (size_t i = 0; i < na; i++) {
        q[in->n_query + i] = auth[i];
    }
    size_t out0 = query_out->len, can0 = canonical ? canonical->len : 0;
    char sig[65];
    st = sigv4(in, c, region, service, iso, q, in->n_query + na, f, nf, "UNSIGNED-PAYLOAD", 16,
               canonical, sig);
    for (size_t i = 0; st == OSSIO_OK && i < na; i++) {
        if (i > 0) {
            st = ossio__buf_append_byte(query_out, '&');
        }
        if (st == OSSIO_OK) {
            st = ossio__buf_append(query_out, auth[i].name, strlen(auth[i].name));
        }
        if (st == OSSIO_OK) {
            st = ossio__buf_append_byte(query_out, '=');
        }
        if (st == OSSIO_OK) {
            st = ossio__uri_encode(query_out, auth[i].value, strlen(auth[i].value), 0);
        }
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append(query_out, "&X-Amz-Signature=", 17);
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append(query_out, sig, 64);
    }
    if (st != OSSIO_OK) {
        ossio__sign_rewind(query_out, out0);
        ossio__sign_rewind(canonical, can0);
    }
    return st;
}
