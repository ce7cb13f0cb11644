/* Presigned URLs: an object URL whose query carries the signature (OSS V1,
 * OSS V4 or AWS SigV4, as the client signs requests), for tools without keys. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ops/context.h"
#include "ops/op.h"
#include "ops/uri.h"
#include "sign/sign.h"

static int method_ok(const char *m)
{
    static const char *const ok[] = {"GET", "PUT", "HEAD", "DELETE", NULL};
    for (size_t i = 0; ok[i] != NULL; i++) {
        if (strcmp(m, ok[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Appends the signature query for |in| to |q| as the client's scheme wants it. */
static ossio_status sign_query(const ossio__oss_settings *o, const ossio__sign_input *in,
                               int64_t expires_s, ossio__buf *q)
{
    time_t now = time(NULL) + (time_t)lround(o->clock_skew);
    ossio__credentials cred = {o->access_key_id, o->access_key_secret, o->security_token};
    if (o->s3) {
        return ossio__presign_aws_v4(in, &cred, o->region, "s3", now, expires_s, q, NULL);
    }
    if (o->sig_v4) {
        return ossio__presign_oss_v4(in, &cred, o->region, now, expires_s, NULL, 0, q, NULL);
    }
    return ossio__presign_oss_v1(in, &cred, (int64_t)now + expires_s, q, NULL);
}

ossio_status ossio_presign(ossio_client *cl, const char *method, const char *uri, int64_t expires_s,
                           char **out_url)
{
    if (out_url == NULL) {
        return OSSIO_EINVAL;
    }
    *out_url = NULL;
    if (cl == NULL || method == NULL || !method_ok(method) || expires_s < 1 ||
        expires_s > OSSIO__SIGN_MAX_EXPIRES) {
        return OSSIO_EINVAL;
    }
    /* An operation checks the URI, the endpoint and the credentials exactly as
     * a request would, and says what to fix in ossio_client_error(). */
    ossio_op *op = NULL;
    ossio_status st = ossio_op_new(&op, cl, OSSIO_OP_HEAD, uri);
    if (st != OSSIO_OK) {
        return st;
    }
    const ossio__oss_settings *o = &ossio__cl_ops(cl)->oss;
    ossio__buf url, query;
    ossio__buf_init(&url, 64 * 1024, OSSIO_EINVAL);
    ossio__buf_init(&query, 16 * 1024, OSSIO_EINVAL);
    char host[320];
    /* The host is needed to sign; the URL itself is built once the query is known. */
    st = ossio__url_for(&url, host, sizeof(host), &o->ep, op->uri.bucket, op->uri.key, NULL,
                        o->path_style);
    if (st == OSSIO_OK) {
        ossio__sign_input in = {method, op->uri.bucket, op->uri.key,  NULL, 0, NULL,
                                0,      host,           o->path_style};
        st = sign_query(o, &in, expires_s, &query);
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append_byte(&query, 0);
    }
    if (st == OSSIO_OK) {
        ossio__buf_reset(&url);
        st = ossio__url_for(&url, host, sizeof(host), &o->ep, op->uri.bucket, op->uri.key,
                            (const char *)query.data, o->path_style);
    }
    if (st == OSSIO_OK) {
        *out_url = strdup((const char *)url.data);
        st = *out_url != NULL ? OSSIO_OK : OSSIO_ENOMEM;
    }
    ossio__buf_free(&url);
    ossio__buf_free(&query);
    ossio_op_free(op);
    return st;
}
