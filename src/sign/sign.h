/* Request signers: OSS V1 (HMAC-SHA1), OSS V4 (OSS4-HMAC-SHA256) and AWS
 * SigV4 (S3), as Authorization headers and as presigned query strings.
 *
 * Pure: no clock reads (time is passed in), no sockets, no allocation except
 * growth of the caller's ossio__buf outputs. Every input is borrowed for the
 * duration of the call only. On error nothing is appended to any output.
 * The rules, and how they are proved against Aliyun's and AWS's own signers,
 * are in docs/signing.md. */
#ifndef OSSIO__SIGN_SIGN_H
#define OSSIO__SIGN_SIGN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ossio.h"
#include "http/headers.h"
#include "util/buf.h"

/* Most headers, query parameters and additional-header names one request may
 * carry; more is OSSIO_EINVAL (the signers sort on the stack). */
#define OSSIO__SIGN_MAX_HEADERS 128
#define OSSIO__SIGN_MAX_QUERY 128
#define OSSIO__SIGN_MAX_ADDITIONAL 32
/* Longest secret, region and service accepted (OSSIO_EINVAL beyond). */
#define OSSIO__SIGN_MAX_SECRET 256
#define OSSIO__SIGN_MAX_SCOPE_PART 64
/* Longest validity of a V4 / SigV4 presigned URL: 7 days, as OSS and S3 allow. */
#define OSSIO__SIGN_MAX_EXPIRES 604800

/* One decoded query parameter. |value| NULL means the key was sent without
 * '=' ("?uploads"); OSS signs NULL and "" alike, SigV4 signs both as "k=". */
typedef struct ossio__qparam {
    const char *name;
    const char *value;
} ossio__qparam;

/* What is signed. Header names may be in any case; ossio__hdr's name_len and
 * value_len are used (strings need not be NUL-terminated). A header name may
 * appear only once (case-insensitively) and a query name only once:
 * duplicates are OSSIO_EINVAL. Values are signed with leading and trailing
 * spaces/tabs removed, as the HTTP parser at the other end removes them; a
 * value containing any other control byte (CR, LF, NUL, VT, FF, ...) is
 * OSSIO_EINVAL, so no header can inject another or sign differently from
 * what is sent. */
typedef struct ossio__sign_input {
    const char *method;        /* "GET", upper-case token */
    const char *bucket;        /* NULL or "" for service-level requests */
    const char *key;           /* decoded object key; NULL or "" for bucket level */
    const ossio__hdr *headers; /* every header that will be sent */
    size_t n_headers;
    const ossio__qparam *query; /* decoded query parameters, any order */
    size_t n_query;
    const char *host; /* Host / :authority as sent ("b.oss-cn-x.aliyuncs.com:443") */
    int path_style;   /* SigV4 canonical URI: "/bucket/key" if set, else "/key" */
} ossio__sign_input;

/* |security_token| NULL or "" when not using STS. */
typedef struct ossio__credentials {
    const char *access_key_id;
    const char *access_key_secret;
    const char *security_token;
} ossio__credentials;

/* OSS V1 Authorization header value ("OSS <AK>:<base64 sig>"), appended to
 * |out|. The Date line is the x-oss-date header if present, else the Date
 * header. With STS the caller must send x-oss-security-token equal to
 * c->security_token (OSSIO_EINVAL otherwise); it is signed as any x-oss-*.
 * If |canonical| is not NULL the string that was signed is appended to it.
 * OSSIO_EINVAL on bad input; the buffers' over-status or OSSIO_ENOMEM. */
ossio_status ossio__sign_oss_v1(const ossio__sign_input *in, const ossio__credentials *c,
                                ossio__buf *out, ossio__buf *canonical);

/* OSS V1 presigned URL: appends "OSSAccessKeyId=..&Expires=..&Signature=..
 * [&security-token=..]" (encoded, no leading '?' or '&') to |query_out|; the
 * caller appends it to the request's own encoded query. |expires_epoch| is
 * the absolute expiry (seconds since 1970) and is the Date line. */
ossio_status ossio__presign_oss_v1(const ossio__sign_input *in, const ossio__credentials *c,
                                   int64_t expires_epoch, ossio__buf *query_out,
                                   ossio__buf *canonical);

/* OSS V4 Authorization header value ("OSS4-HMAC-SHA256 Credential=AK/date/
 * region/oss/aliyun_v4_request,[AdditionalHeaders=a;b,]Signature=hex").
 * The request must carry x-oss-date equal to ossio__iso8601_basic(now)
 * (OSSIO_EINVAL otherwise) and should carry x-oss-content-sha256 (its value
 * is the payload hash; UNSIGNED-PAYLOAD when absent). |additional_headers|
 * (any case, duplicates and content-type/content-md5/x-oss-* ignored) name
 * further headers to sign; each must be among in->headers or be "host"
 * (then in->host is used). */
ossio_status ossio__sign_oss_v4(const ossio__sign_input *in, const ossio__credentials *c,
                                const char *region, time_t now,
                                const char *const *additional_headers, size_t n_additional,
                                ossio__buf *out, ossio__buf *canonical);

/* OSS V4 presigned URL: appends "x-oss-additional-headers=..&x-oss-credential=
 * ..&x-oss-date=..&x-oss-expires=..&x-oss-security-token=..&x-oss-signature-
 * version=OSS4-HMAC-SHA256&x-oss-signature=hex" (the optional ones only when
 * used) to |query_out|. |expires_seconds| is relative to |now|, 1..7 days. */
ossio_status ossio__presign_oss_v4(const ossio__sign_input *in, const ossio__credentials *c,
                                   const char *region, time_t now, int64_t expires_seconds,
                                   const char *const *additional_headers, size_t n_additional,
                                   ossio__buf *query_out, ossio__buf *canonical);

/* AWS SigV4 Authorization header value ("AWS4-HMAC-SHA256 Credential=AK/date/
 * region/service/aws4_request, SignedHeaders=.., Signature=hex"). Signs host,
 * content-type, content-md5 and every x-amz-* header sent. The request must
 * carry x-amz-date equal to ossio__iso8601_basic(now); the payload hash is
 * its x-amz-content-sha256 header (send "UNSIGNED-PAYLOAD": S3 requires the
 * header), or SHA-256("") when absent. With STS the caller sends
 * x-amz-security-token equal to c->security_token. |service| NULL means "s3". */
ossio_status ossio__sign_aws_v4(const ossio__sign_input *in, const ossio__credentials *c,
                                const char *region, const char *service, time_t now,
                                ossio__buf *out, ossio__buf *canonical);

/* AWS SigV4 presigned URL: appends "X-Amz-Algorithm=..&X-Amz-Credential=..&
 * X-Amz-Date=..&X-Amz-Expires=..[&X-Amz-Security-Token=..]&X-Amz-SignedHeaders=
 * host&X-Amz-Signature=hex" to |query_out|. Signs only host; the payload is
 * UNSIGNED-PAYLOAD (as S3 and the AWS SDK's S3 presigner do). */
ossio_status ossio__presign_aws_v4(const ossio__sign_input *in, const ossio__credentials *c,
                                   const char *region, const char *service, time_t now,
                                   int64_t expires_seconds, ossio__buf *query_out,
                                   ossio__buf *canonical);

/* "Tue, 25 Nov 2026 21:00:00 GMT" (RFC 9110 IMF-fixdate), NUL-terminated.
 * Years outside 0..9999 are clamped. */
void ossio__http_date(time_t t, char out[30]);

/* "20261125T210000Z", NUL-terminated. Years outside 0..9999 are clamped. */
void ossio__iso8601_basic(time_t t, char out[17]);

/* Appends |s| percent-encoded per RFC 3986: A-Z a-z 0-9 - _ . ~ kept, every
 * other byte %XX (upper-case hex); '/' kept when |keep_slash|. This is
 * encodeURIComponent plus !'()* for UTF-8 input. */
ossio_status ossio__uri_encode(ossio__buf *out, const char *s, size_t len, int keep_slash);

#endif /* OSSIO__SIGN_SIGN_H */
