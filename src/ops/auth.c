/* Signing glue between operations and src/sign/: which scheme (OSS V1, OSS
 * V4, AWS SigV4), which headers it needs first, and the clock (local time
 * corrected by what a RequestTimeTooSkewed answer taught us). */
#include "ops/auth.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "ops/context.h"
#include "sign/sign.h"

static ossio_status add(ossio__hdrs *h, const char *name, const char *value)
{
    return ossio__hdrs_add(h, name, strlen(name), value, strlen(value));
}

ossio_status ossio__op_sign(ossio_op *op, const char *method, const ossio__qp *query,
                            size_t n_query, const char *host, ossio__hdrs *hdrs)
{
    ossio_client *cl = op->cl;
    const ossio__oss_settings *o = &ossio__cl_ops(cl)->oss;
    time_t now = time(NULL) + (time_t)lround(o->clock_skew);
    ossio__credentials cred = {o->access_key_id, o->access_key_secret, o->security_token};
    int sts = o->security_token != NULL && *o->security_token;
    ossio_status st = OSSIO_OK;
    if (o->s3) {
        char date[17];
        ossio__iso8601_basic(now, date);
        st = add(hdrs, "x-amz-date", date);
        if (st == OSSIO_OK) {
            st = add(hdrs, "x-amz-content-sha256", "UNSIGNED-PAYLOAD");
        }
        if (st == OSSIO_OK && sts) {
            st = add(hdrs, "x-amz-security-token", o->security_token);
        }
    } else if (o->sig_v4) {
        char date[17];
        ossio__iso8601_basic(now, date);
        st = add(hdrs, "x-oss-date", date);
        if (st == OSSIO_OK) {
            st = add(hdrs, "x-oss-content-sha256", "UNSIGNED-PAYLOAD");
        }
        if (st == OSSIO_OK && sts) {
            st = add(hdrs, "x-oss-security-token", o->security_token);
        }
    } else {
        char date[30];
        ossio__http_date(now, date);
        st = add(hdrs, "date", date);
        if (st == OSSIO_OK && sts) {
            st = add(hdrs, "x-oss-security-token", o->security_token);
        }
    }
    if (st != OSSIO_OK) {
        return st;
    }
    ossio__qparam q[16];
    if (n_query > 16) {
        return OSSIO_EINVAL;
    }
    for (size_t i = 0; i < n_query; i++) {
        q[i].name = query[i].name;
        q[i].value = query[i].value;
    }
    int bucket_level = op->kind == OSSIO_OP_LIST || op->kind == OSSIO_OP_DELETE_MANY ||
                       op->kind == OSSIO_OP_MULTIPART_LIST_UPLOADS ||
                       op->kind == OSSIO_OP_BUCKET_CREATE || op->kind == OSSIO_OP_BUCKET_DELETE;
    ossio__sign_input in = {method,  op->uri.bucket, bucket_level ? "" : op->uri.key,
                            hdrs->v, hdrs->n,        q,
                            n_query, host,           o->path_style};
    ossio__buf auth;
    ossio__buf_init(&auth, 4096, OSSIO_EINVAL);
    if (o->s3) {
        st = ossio__sign_aws_v4(&in, &cred, o->region, "s3", now, &auth, NULL);
    } else if (o->sig_v4) {
        st = ossio__sign_oss_v4(&in, &cred, o->region, now, NULL, 0, &auth, NULL);
    } else {
        st = ossio__sign_oss_v1(&in, &cred, &auth, NULL);
    }
    if (st == OSSIO_OK) {
        st = ossio__hdrs_add(hdrs, "authorization", 13, (const char *)auth.data, auth.len);
    }
    ossio__buf_free(&auth);
    return st;
}
