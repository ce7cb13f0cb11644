/* Signing an operation's request: adds the date, content-hash and security
 * token headers the chosen scheme needs, then Authorization (OSS V1, OSS V4
 * or AWS SigV4 for the s3 dialect), computed by src/sign/. */
#ifndef OSSIO__OPS_AUTH_H
#define OSSIO__OPS_AUTH_H

#include <time.h>

#include "http/headers.h"
#include "ops/context.h"
#include "ops/op.h"

/* |hdrs| holds the request's headers and receives the new ones; |query| the
 * decoded query parameters; |host| the Host value; |now| the signing time
 * (the caller corrects it by o->clock_skew). Pure: no clock read. */
ossio_status ossio__op_sign(const ossio_op *op, const ossio__oss_settings *o, time_t now,
                            const char *method, const ossio__qp *query, size_t n_query,
                            const char *host, ossio__hdrs *hdrs);

#endif /* OSSIO__OPS_AUTH_H */
