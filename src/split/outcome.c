/* The outcome of a split or text read, shared by reader.c and text_reader.c:
 * first failure wins, with the server's error fields kept for the result. */
#include <stdio.h>

#include "split/lines.h"
#include "split/split.h"

void ossio__outcome_fail(ossio__outcome *o, ossio_status st, const char *detail,
                         const ossio_result *from)
{
    if (o->decided) {
        return;
    }
    o->decided = 1;
    o->status = st;
    snprintf(o->detail, sizeof(o->detail), "%s", detail != NULL ? detail : ossio_strerror(st));
    if (from != NULL) {
        o->http_status = from->http_status;
        snprintf(o->code, sizeof(o->code), "%s", from->code ? from->code : "");
        snprintf(o->message, sizeof(o->message), "%s", from->message ? from->message : "");
        snprintf(o->request_id, sizeof(o->request_id), "%s",
                 from->request_id ? from->request_id : "");
    }
}

void ossio__outcome_ok(ossio__outcome *o)
{
    if (!o->decided) {
        o->decided = 1;
        o->status = OSSIO_OK;
    }
}

void ossio__outcome_written(ossio__outcome *o)
{
    o->decided = 1;
    o->status = OSSIO_OK;
    o->http_status = 0;
    o->detail[0] = o->code[0] = o->message[0] = o->request_id[0] = '\0';
}

void ossio__outcome_account(ossio__outcome *o, const ossio_result *res)
{
    o->retries += res->retries;
    if (res->protocol != NULL) {
        o->protocol = res->protocol;
    }
}

const ossio_result *ossio__outcome_result(ossio__outcome *o, uint64_t bytes_received)
{
    ossio_result *res = &o->result;
    res->status = o->status;
    res->http_status = o->http_status;
    res->protocol = o->protocol;
    res->detail = o->status == OSSIO_OK ? "" : o->detail;
    res->bytes_received = bytes_received;
    res->retries = o->retries;
    res->code = o->code[0] ? o->code : NULL;
    res->message = o->message[0] ? o->message : NULL;
    res->request_id = o->request_id[0] ? o->request_id : NULL;
    return res;
}
