/* OSS signature V4 (OSS4-HMAC-SHA256): canonical request, string to sign and
 * the "aliyun_v4" key chain, as Authorization header or presigned URL. */
#include "sign/sign_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#define ALGO "OSS4-HMAC-SHA256"
#define PRODUCT "oss"
#define TERMINATOR "aliyun_v4_request"
#define MAX_ADDITIONAL_TEXT 1024
#define MAX_AK 128

/* The normalized additional headers (lower-case, deduplicated, sorted,
 * content-type/content-md5/x-oss-* dropped) with the values they sign. */
typedef struct v4_additional {
    ossio__sign_field f[OSSIO__SIGN_MAX_ADDITIONAL];
    size_t n;
    char text[MAX_ADDITIONAL_TEXT]; /* "a;b" lower-case */
    size_t text_len;
} v4_additional;

static int always_signed(const char *name, size_t len)
{
    return ossio__sign_ieq(name, len, "content-type") ||
           ossio__sign_ieq(name, len, "content-md5") ||
           ossio__sign_has_prefix_i(name, len, "x-oss-");
}

static ossio_status normalize_additional(const ossio__sign_input *in, const char *const *names,
                                         size_t n, v4_additional *a)
{
    a->n = 0;
    a->text_len = 0;
    if (n > 0 && names == NULL) {
        return OSSIO_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (names[i] == NULL) {
            return OSSIO_EINVAL;
        }
        size_t len = strlen(names[i]);
        if (!ossio__hdr_valid(names[i], len, "", 0)) {
            return OSSIO_EINVAL;
        }
        if (always_signed(names[i], len)) {
            continue;
        }
        int dup = 0;
        for (size_t j = 0; j < a->n; j++) {
            dup |= ossio__sign_ieq(a->f[j].name, a->f[j].name_len, names[i]);
        }
        if (dup) {
            continue;
        }
        if (a->n == OSSIO__SIGN_MAX_ADDITIONAL) {
            return OSSIO_EINVAL;
        }
        ossio__sign_field f = {names[i], len, NULL, 0};
        int h = ossio__sign_find_header(in, names[i]);
        if (h >= 0) {
            ossio__sign_field hv = ossio__sign_header_field(in, (size_t)h);
            f.value = hv.value;
            f.value_len = hv.value_len;
        } else if (ossio__sign_ieq(names[i], len, "host") && in->host != NULL) {
            f.value = in->host;
            f.value_len = strlen(in->host);
        } else {
            return OSSIO_EINVAL; /* ali-oss: "Can't find additional header" */
        }
        a->f[a->n++] = f;
    }
    ossio__sign_sort_fields(a->f, a->n);
    for (size_t i = 0; i < a->n; i++) {
        if (a->text_len + a->f[i].name_len + 1 > sizeof a->text) {
            return OSSIO_EINVAL;
        }
        if (i > 0) {
            a->text[a->text_len++] = ';';
        }
        for (size_t k = 0; k < a->f[i].name_len; k++) {
            char ch = a->f[i].name[k];
            a->text[a->text_len++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
        }
    }
    a->text[a->text_len] = '\0';
    return OSSIO_OK;
}

/* Writes the canonical request. |q| (n_q entries) is the whole query to
 * sign; it is sorted in place. */
static void v4_canonical(ossio__sign_sink *s, const ossio__sign_input *in, ossio__qparam *q,
                         size_t nq, const v4_additional *a)
{
    ossio__sign_sink_str(s, in->method);
    ossio__sign_sink_byte(s, '\n');
    /* URI: "/bucket/key" encoded with '/' kept, whatever the addressing. */
    ossio__sign_sink_byte(s, '/');
    if (in->bucket != NULL && in->bucket[0] != '\0') {
        ossio__sign_sink_enc(s, in->bucket, strlen(in->bucket), 1);
        ossio__sign_sink_byte(s, '/');
        if (in->key != NULL) {
            ossio__sign_sink_enc(s, in->key, strlen(in->key), 1);
        }
    }
    ossio__sign_sink_byte(s, '\n');

    ossio__sign_sort_query(q, nq);
    for (size_t i = 0; i < nq; i++) {
        if (i > 0) {
            ossio__sign_sink_byte(s, '&');
        }
        ossio__sign_sink_enc(s, q[i].name, strlen(q[i].name), 0);
        if (q[i].value != NULL && q[i].value[0] != '\0') {
            ossio__sign_sink_byte(s, '=');
            ossio__sign_sink_enc(s, q[i].value, strlen(q[i].value), 0);
        }
    }
    ossio__sign_sink_byte(s, '\n');

    ossio__sign_field f[OSSIO__SIGN_MAX_HEADERS + OSSIO__SIGN_MAX_ADDITIONAL];
    size_t nf = 0;
    for (size_t i = 0; i < in->n_headers; i++) {
        if (always_signed(in->headers[i].name, in->headers[i].name_len)) {
            f[nf++] = ossio__sign_header_field(in, i);
        }
    }
    for (size_t i = 0; i < a->n; i++) {
        f[nf++] = a->f[i];
    }
    ossio__sign_sort_fields(f, nf);
    for (size_t i = 0; i < nf; i++) {
        ossio__sign_sink_lower(s, f[i].name, f[i].name_len);
        ossio__sign_sink_byte(s, ':');
        ossio__sign_sink_put(s, f[i].value, f[i].value_len);
        ossio__sign_sink_byte(s, '\n');
    }
    ossio__sign_sink_byte(s, '\n');
    ossio__sign_sink_put(s, a->text, a->text_len);
    ossio__sign_sink_byte(s, '\n');

    int h = ossio__sign_find_header(in, "x-oss-content-sha256");
    if (h >= 0) {
        ossio__sign_field p = ossio__sign_header_field(in, (size_t)h);
        ossio__sign_sink_put(s, p.value, p.value_len);
    } else {
        ossio__sign_sink_str(s, "UNSIGNED-PAYLOAD");
    }
}

/* Hashes the canonical request (copied to |canonical|) and signs it: sig[65]. */
static ossio_status v4_sign(const ossio__sign_input *in, const ossio__credentials *c,
                            const char *region, const char *iso, ossio__qparam *q, size_t nq,
                            const v4_additional *a, ossio__buf *canonical, char sig[65])
{
    EVP_MD_CTX *md = ossio__sign_sha256_new();
    if (md == NULL) {
        return OSSIO_EINTERNAL;
    }
    ossio__sign_sink s = {canonical, md, NULL, OSSIO_OK};
    v4_canonical(&s, in, q, nq, a);
    return ossio__sign_v4_signature(md, s.st, ALGO, "aliyun_v4", c->access_key_secret, iso, region,
                                    PRODUCT, TERMINATOR, sig);
}

static int v4_args_ok(const ossio__credentials *c, const char *region)
{
    return c != NULL && c->access_key_id != NULL && c->access_key_id[0] != '\0' &&
           strlen(c->access_key_id) <= MAX_AK && strpbrk(c->access_key_id, "/,; ") == NULL &&
           c->access_key_secret != NULL && c->access_key_secret[0] != '\0' &&
           strlen(c->access_key_secret) <= OSSIO__SIGN_MAX_SECRET &&
           ossio__sign_scope_part_len(region) > 0;
}

ossio_status ossio__sign_oss_v4(const ossio__sign_input *in, const ossio__credentials *c,
                                const char *region, time_t now,
                                const char *const *additional_headers, size_t n_additional,
                                ossio__buf *out, ossio__buf *canonical)
{
    ossio_status st = ossio__sign_check_input(in);
    if (st != OSSIO_OK) {
        return st;
    }
    if (out == NULL || !v4_args_ok(c, region) ||
        !ossio__sign_header_matches(in, "x-oss-security-token", c->security_token)) {
        return OSSIO_EINVAL;
    }
    char iso[17];
    ossio__iso8601_basic(now, iso);
    if (!ossio__sign_header_matches(in, "x-oss-date", iso)) {
        return OSSIO_EINVAL;
    }
    v4_additional a;
    st = normalize_additional(in, additional_headers, n_additional, &a);
    if (st != OSSIO_OK) {
        return st;
    }
    ossio__qparam q[OSSIO__SIGN_MAX_QUERY];
    for (size_t i = 0; i < in->n_query; i++) {
        q[i] = in->query[i];
    }
    size_t out0 = out->len, can0 = canonical ? canonical->len : 0;
    char sig[65];
    st = v4_sign(in, c, region, iso, q, in->n_query, &a, canonical, sig);
    char head[512];
    int n = snprintf(head, sizeof head, ALGO " Credential=%s/%.8s/%s/" PRODUCT "/" TERMINATOR ",",
                     c->access_key_id, iso, region);
    if (st == OSSIO_OK && (n <= 0 || (size_t)n >= sizeof head)) {
        st = OSSIO_EINTERNAL;
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append(out, head, (size_t)n);
    }
    if (st == OSSIO_OK && a.n > 0) {
        st = ossio__buf_append(out, "AdditionalHeaders=", 18);
        if (st == OSSIO_OK) {
            st = ossio__buf_append(out, a.text, a.text_len);
        }
        if (st == OSSIO_OK) {
            st = ossio__buf_append_byte(out, ',');
        }
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append(out, "Signature=", 10);
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

static ossio_status append_param(ossio__buf *b, const ossio__qparam *p, int first)
{
    ossio_status st = first ? OSSIO_OK : ossio__buf_append_byte(b, '&');
    if (st == OSSIO_OK) {
        st = ossio__uri_encode(b, p->name, strlen(p->name), 0);
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append_byte(b, '=');
    }
    if (st == OSSIO_OK) {
        st = ossio__uri_encode(b, p->value, strlen(p->value), 0);
    }
    return st;
}

ossio_status ossio__presign_oss_v4(const ossio__sign_input *in, const ossio__credentials *c,
                                   const char *region, time_t now, int64_t expires_seconds,
                                   const char *const *additional_headers, size_t n_additional,
                                   ossio__buf *query_out, ossio__buf *canonical)
{
    ossio_status st = ossio__sign_check_input(in);
    if (st != OSSIO_OK) {
        return st;
    }
    if (query_out == NULL || !v4_args_ok(c, region) || expires_seconds < 1 ||
        expires_seconds > OSSIO__SIGN_MAX_EXPIRES) {
        return OSSIO_EINVAL;
    }
    for (size_t i = 0; i < in->n_query; i++) {
        if (strncmp(in->query[i].name, "x-oss-", 6) == 0) {
            const char *r = in->query[i].name + 6;
            if (strcmp(r, "additional-headers") == 0 || strcmp(r, "credential") == 0 ||
                strcmp(r, "date") == 0 || strcmp(r, "expires") == 0 ||
                strcmp(r, "security-token") == 0 || strncmp(r, "signature", 9) == 0) {
                return OSSIO_EINVAL;
            }
        }
    }
    v4_additional a;
    st = normalize_additional(in, additional_headers, n_additional, &a);
    if (st != OSSIO_OK) {
        return st;
    }
    char iso[17];
    ossio__iso8601_basic(now, iso);
    char cred[MAX_AK + 2 * OSSIO__SIGN_MAX_SCOPE_PART + 64];
    snprintf(cred, sizeof cred, "%s/%.8s/%s/" PRODUCT "/" TERMINATOR, c->access_key_id, iso,
             region);
    char expires[24];
    snprintf(expires, sizeof expires, "%" PRId64, expires_seconds);

    /* The auth parameters in sorted order; they are signed with the rest. */
    ossio__qparam auth[6];
    size_t na = 0;
    if (a.n > 0) {
        auth[na++] = (ossio__qparam){"x-oss-additional-headers", a.text};
    }
    auth[na++] = (ossio__qparam){"x-oss-credential", cred};
    auth[na++] = (ossio__qparam){"x-oss-date", iso};
    auth[na++] = (ossio__qparam){"x-oss-expires", expires};
    if (c->security_token != NULL && c->security_token[0] != '\0') {
        auth[na++] = (ossio__qparam){"x-oss-security-token", c->security_token};
    }
    auth[na++] = (ossio__qparam){"x-oss-signature-version", ALGO};

    ossio__qparam q[OSSIO__SIGN_MAX_QUERY + 6];
    for (size_t i = 0; i < in->n_query; i++) {
        q[i] = in->query[i];
    }
    for (size_t i = 0; i < na; i++) {
        q[in->n_query + i] = auth[i];
    }
    size_t out0 = query_out->len, can0 = canonical ? canonical->len : 0;
    char sig[65];
    st = v4_sign(in, c, region, iso, q, in->n_query + na, &a, canonical, sig);
    for (size_t i = 0; st == OSSIO_OK && i < na; i++) {
        st = append_param(query_out, &auth[i], i == 0);
    }
    if (st == OSSIO_OK) {
        ossio__qparam p = {"x-oss-signature", sig};
        st = append_param(query_out, &p, 0);
    }
    if (st != OSSIO_OK) {
        ossio__sign_rewind(query_out, out0);
        ossio__sign_rewind(canonical, can0);
    }
    return st;
}
