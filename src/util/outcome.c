/* The outcome accumulator shared by operations (ops/op.c), transfers
 * (transfer/transfer.c) and split and text reads (split/): first failure wins. */
#include "util/outcome.h"

#include <stdio.h>
#include <string.h>

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src != NULL ? src : "");
}

int ossio__outcome_decide(ossio__outcome *o, ossio_status st, const char *detail)
{
    if (o->decided) {
        return 0;
    }
    o->decided = 1;
    o->status = st;
    if (st == OSSIO_OK) {
        o->detail[0] = '\0';
    } else if (detail == NULL || detail[0] == '\0') {
        copy(o->detail, sizeof(o->detail), ossio_strerror(st));
    } else if (detail != o->detail) {
        copy(o->detail, sizeof(o->detail), detail);
    }
    return 1;
}

int ossio__outcome_fail(ossio__outcome *o, ossio_status st, const char *detail,
                        const ossio_result *from)
{
    if (!ossio__outcome_decide(o, st, detail)) {
        return 0;
    }
    if (from != NULL) {
        o->http_status = from->http_status;
        copy(o->code, sizeof(o->code), from->code);
        copy(o->message, sizeof(o->message), from->message);
        copy(o->request_id, sizeof(o->request_id), from->request_id);
        copy(o->host_id, sizeof(o->host_id), from->host_id);
        copy(o->ec, sizeof(o->ec), from->ec);
    }
    return 1;
}

void ossio__outcome_ok(ossio__outcome *o)
{
    (void)ossio__outcome_decide(o, OSSIO_OK, NULL);
}

void ossio__outcome_clear_server(ossio__outcome *o)
{
    o->http_status = 0;
    o->code[0] = o->message[0] = o->request_id[0] = o->host_id[0] = o->ec[0] = '\0';
}

void ossio__outcome_written(ossio__outcome *o)
{
    o->decided = 1;
    o->status = OSSIO_OK;
    o->detail[0] = '\0';
    ossio__outcome_clear_server(o);
}

void ossio__outcome_account(ossio__outcome *o, const ossio_result *res)
{
    o->retries += res->retries;
    if (res->protocol != NULL) {
        o->protocol = res->protocol;
    }
}

static const char *or_null(const char *s)
{
    return s[0] ? s : NULL;
}

void ossio__outcome_fill(const ossio__outcome *o, ossio_result *res)
{
    res->status = o->status;
    res->http_status = o->http_status;
    res->detail = o->status == OSSIO_OK ? "" : o->detail;
    res->code = or_null(o->code);
    res->message = or_null(o->message);
    res->request_id = or_null(o->request_id);
    res->host_id = or_null(o->host_id);
    res->ec = or_null(o->ec);
}

const ossio_result *ossio__outcome_result(ossio__outcome *o, uint64_t bytes_received)
{
    ossio_result *res = &o->result;
    ossio__outcome_fill(o, res);
    res->protocol = o->protocol;
    res->bytes_received = bytes_received;
    res->retries = o->retries;
    return res;
}
