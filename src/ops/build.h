/* Building an operation's HTTP request: a pure function from the
 * operation's fields, the client's object-store settings and a clock value
 * to the method, URL, headers (signed) and body to send. No socket, no
 * clock read: unit-tested without a network (tests/ops/test_build.c). */
#ifndef OSSIO__OPS_BUILD_H
#define OSSIO__OPS_BUILD_H

#include <time.h>

#include "http/headers.h"
#include "ops/context.h"
#include "ops/kind.h"
#include "ops/op.h"
#include "util/buf.h"

/* One request of an operation, as it goes on the wire. */
typedef struct ossio__op_msg {
    const char *method; /* static */
    ossio__buf url;     /* NUL-terminated (url.len excludes it) */
    char host[320];     /* the Host the request was signed for */
    ossio__hdrs hdrs;   /* every header sent, Authorization last */
    ossio__op_body body;
    ossio__body_kind_xml xml; /* what a 2xx body holds */
} ossio__op_msg;

void ossio__op_msg_init(ossio__op_msg *m);
void ossio__op_msg_free(ossio__op_msg *m);

/* Describes the request of |op|'s current attempt (its page, its batch, its
 * resume point) signed at |now| (seconds since the epoch, already corrected
 * for the server's clock). The XML body of Complete and DeleteMultiple goes
 * to |xml_body| (reset first; the request borrows it); m->body says which
 * body to send. |m| was initialized by ossio__op_msg_init(). */
ossio_status ossio__op_build(const ossio_op *op, const ossio__oss_settings *o, time_t now,
                             ossio__buf *xml_body, ossio__op_msg *m);

#endif /* OSSIO__OPS_BUILD_H */
