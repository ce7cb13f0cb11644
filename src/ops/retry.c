/* Status mapping and retry decisions of operations (ops/retry.h): pure. */
#include "ops/retry.h"

#include <math.h>
#include <string.h>

static int is(const char *code, const char *name)
{
    return code != NULL && strcmp(code, name) == 0;
}

ossio_status ossio__op_status_for(int h, const char *code)
{
    if (h == 404) {
        return OSSIO_ENOTFOUND;
    }
    if (is(code, "SignatureDoesNotMatch")) {
        return OSSIO_ESIGNATURE;
    }
    if (h == 403 || h == 401) {
        return OSSIO_EACCESS;
    }
    if (h == 409 && (is(code, "FileAlreadyExists") || is(code, "BucketAlreadyExists") ||
                     is(code, "BucketAlreadyOwnedByYou") || is(code, "ObjectAlreadyExists"))) {
        return OSSIO_EEXISTS;
    }
    if (h == 400 && (is(code, "BadDigest") || is(code, "InvalidDigest"))) {
        return OSSIO_ECHECKSUM; /* the server's check of our Content-MD5 or x-amz-checksum-* */
    }
    if (h == 412) {
        return OSSIO_ECHANGED;
    }
    if (h == 429 || is(code, "SlowDown")) {
        return OSSIO_ETHROTTLED;
    }
    if (h >= 500) {
        return OSSIO_ESERVER;
    }
    return OSSIO_EHTTP;
}

int ossio__op_retryable_http(int h, const char *c)
{
    return h == 500 || h == 502 || h == 503 || h == 504 || is(c, "SlowDown") ||
           is(c, "RequestTimeout") || is(c, "InternalError") || is(c, "ServiceUnavailable") ||
           is(c, "RequestTimeTooSkewed");
}

ossio__retry_out ossio__retry_decide(const ossio__retry_in *in, double jitter)
{
    ossio__retry_out out = {0, 0.0, 0};
    /* A GET that already delivered bytes resumes after them; other
     * operations repeat only if their body can be sent again. */
    int resumable = in->resumable && in->status != OSSIO_ECHECKSUM;
    int can_repeat = !in->body_is_reader && (!in->delivered || resumable) && !in->canceled;
    /* A refused connection fails at once when the endpoint never answered
     * (a wrong address or port); from one that has worked it is transient (a
     * server or balancer restarting) and retried like a reset. */
    int transient = in->status == OSSIO_ECHECKSUM || ossio_status_retryable(in->status) ||
                    (in->status == OSSIO_ECONNREFUSED && in->origin_worked) ||
                    (in->http != 0 && ossio__op_retryable_http(in->http, in->code));
    if (!transient || !can_repeat || in->attempt + 1 >= in->attempts || in->no_more) {
        return out;
    }
    out.retry = 1;
    if (is(in->code, "RequestTimeTooSkewed")) {
        out.resync_clock = 1; /* at once, re-signed with the server's clock */
        return out;
    }
    double cap = OSSIO__BACKOFF_BASE * pow(2.0, (double)in->attempt);
    out.delay = jitter * (cap < OSSIO__BACKOFF_CAP ? cap : OSSIO__BACKOFF_CAP);
    return out;
}
