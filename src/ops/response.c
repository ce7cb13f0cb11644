/* What an attempt's answer does to its operation: headers (object metadata,
 * the error's RequestId/EC/Date), body (data to the caller, XML to the
 * parser, an error document kept bounded), and at the end the decision:
 * done, next page or batch, retry, or fail — with the CRC-64 checks. */
#define _GNU_SOURCE /* strptime, timegm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ops/checksum.h"
#include "ops/context.h"
#include "ops/kind.h"
#include "ops/op.h"
#include "ops/paging.h"
#include "ops/parse.h"
#include "ops/retry.h"
#include "transport/pool.h"
#include "transport/request.h"
#include "util/cursor.h"

static void copy_header(const ossio_response *resp, const char *name, char *dst, size_t len)
{
    const char *v = ossio_response_header(resp, name);
    if (v != NULL) {
        snprintf(dst, len, "%s", v);
    }
}

/* An error answer's headers: OSS's x-oss-err document and EC, and the Date
 * a RequestTimeTooSkewed retry re-signs with. */
static void error_headers(ossio_op *op, const ossio_response *resp)
{
    const char *err = ossio_response_header(resp, "x-oss-err");
    if (err != NULL) {
        ossio__op_parse_error_b64(op, err);
    }
    const char *ec = ossio_response_header(resp, "x-oss-ec");
    if (ec != NULL && op->out.ec[0] == '\0') {
        snprintf(op->out.ec, sizeof(op->out.ec), "%s", ec);
    }
    const char *date = ossio_response_header(resp, "date");
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (date != NULL && strptime(date, "%a, %d %b %Y %H:%M:%S GMT", &tm) != NULL) {
        op->server_date = timegm(&tm);
    }
}

/* A resumed GET must continue exactly where the last attempt stopped. */
static int resumes_right(const ossio_op *op, int status, const ossio_response *resp)
{
    const char *cr = ossio_response_header(resp, "content-range");
    char want[48];
    snprintf(want, sizeof(want), "bytes %llu-",
             (unsigned long long)(op->range_off + op->delivered));
    return status == 206 && cr != NULL && strncmp(cr, want, strlen(want)) == 0;
}

static void object_metadata(ossio_op *op, const ossio_response *resp)
{
    const ossio__op_kind_info *k = ossio__op_kind(op->kind);
    copy_header(resp, "etag", op->etag, sizeof(op->etag));
    copy_header(resp, "last-modified", op->last_modified, sizeof(op->last_modified));
    copy_header(resp, "content-type", op->content_type, sizeof(op->content_type));
    const char *cr = ossio_response_header(resp, "content-range");
    const char *clen = ossio_response_header(resp, "content-length");
    uint64_t v = 0;
    if (cr != NULL && strchr(cr, '/') != NULL) {
        const char *total = strchr(cr, '/') + 1;
        if (ossio__u64_dec(total, strlen(total), &v)) {
            op->info.size = v;
        }
    } else if (clen != NULL && ossio__u64_dec(clen, strlen(clen), &v) && k->sized) {
        op->info.size = v;
    }
    if (k->body == OSSIO__OP_BODY_CALLER && op->body_len >= 0) {
        op->info.size = (uint64_t)op->body_len;
    }
    const char *crc = ossio_response_header(resp, "x-oss-hash-crc64ecma");
    if (crc != NULL && ossio__u64_dec(crc, strlen(crc), &v)) {
        op->info.crc64 = v;
        op->info.has_crc64 = 1;
    }
    ossio__op_sum_answer(op, resp);
    if (op->etag[0]) {
        op->info.etag = op->etag;
        op->info.last_modified = op->last_modified[0] ? op->last_modified : NULL;
        op->info.content_type = op->content_type[0] ? op->content_type : NULL;
    }
}

int ossio__op_on_headers(ossio_request *r, int status, const ossio_response *resp, void *ud)
{
    ossio_op *op = ud;
    if (op->req != r) {
        return 1;
    }
    op->out.http_status = status;
    copy_header(resp, "x-oss-request-id", op->out.request_id, sizeof(op->out.request_id));
    if (op->out.request_id[0] == '\0') {
        copy_header(resp, "x-amz-request-id", op->out.request_id, sizeof(op->out.request_id));
    }
    if (status >= 300) {
        error_headers(op, resp);
        return 0;
    }
    if (ossio__op_kind(op->kind)->ranged && op->delivered > 0 && !resumes_right(op, status, resp)) {
        op->resume_bad = 1;
        return 1;
    }
    object_metadata(op, resp);
    return 0;
}

int ossio__op_on_data(ossio_request *r, const uint8_t *data, size_t len, void *ud)
{
    ossio_op *op = ud;
    if (op->req != r) {
        return 1;
    }
    if (op->out.http_status >= 300) {
        /* An error document: read up to OSSIO__MAX_ERROR_BODY for its Code
         * and Message, then stop (the connection is closed, or the stream
         * reset): megabytes of error cost neither time nor memory. */
        size_t room = OSSIO__MAX_ERROR_BODY - op->err_body.len;
        (void)ossio__buf_append(&op->err_body, data, len < room ? len : room);
        if (len >= room) {
            op->err_capped = 1;
            return 1;
        }
        return 0;
    }
    if (op->parser != NULL) {
        ossio_status st = ossio__op_parser_feed(op->parser, data, len);
        if (st != OSSIO_OK) {
            op->parse_status = st;
            return 1;
        }
        return 0;
    }
    if (ossio__op_kind(op->kind)->ranged) {
        op->crc = ossio_crc64(op->crc, data, len);
        ossio__op_sum_data(op, data, len);
        op->delivered += len;
        if (op->on_data != NULL && op->on_data(op, data, len, op->cb_ud) != 0) {
            op->canceled = 1;
            return 1;
        }
    }
    return 0;
}

/* An error answer without a readable document (HEAD, a body that is not
 * XML, a proxy's HTML page): named from the status as S3 names them, and
 * said so, with OSS's EC when the x-oss-ec header gave one. */
static void name_error(ossio_op *op)
{
    static const struct {
        int status;
        const char *code;
    } names[] = {{400, "BadRequest"},           {401, "Unauthorized"},
                 {403, "AccessDenied"},         {404, "NotFound"},
                 {405, "MethodNotAllowed"},     {409, "Conflict"},
                 {411, "MissingContentLength"}, {412, "PreconditionFailed"},
                 {416, "InvalidRange"},         {429, "TooManyRequests"},
                 {500, "InternalError"},        {501, "NotImplemented"},
                 {502, "BadGateway"},           {503, "ServiceUnavailable"},
                 {504, "GatewayTimeout"}};
    ossio__outcome *o = &op->out;
    int from_document = o->code[0] != '\0';
    if (!from_document) {
        snprintf(o->code, sizeof(o->code), "HTTP%d", o->http_status);
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            if (names[i].status == o->http_status) {
                snprintf(o->code, sizeof(o->code), "%s", names[i].code);
            }
        }
    }
    if (o->message[0] == '\0' && from_document) {
        snprintf(o->message, sizeof(o->message), "HTTP %d (the error gave no Message)",
                 o->http_status);
    } else if (o->message[0] == '\0') {
        snprintf(o->message, sizeof(o->message), "HTTP %d with no error document%s%s%s",
                 o->http_status, op->err_body.len > 0 ? " that could be read" : "",
                 o->ec[0] ? ", EC " : "", o->ec);
    }
}

/* An HTTP error answer: named, described, then retried or final. */
static void error_answer(ossio_op *op)
{
    ossio__outcome *o = &op->out;
    if (op->err_body.len > 0) {
        ossio__op_parse_error(op, op->err_body.data, op->err_body.len);
    }
    name_error(op);
    snprintf(o->detail, sizeof(o->detail), "%s: %.300s%s%s", o->code, o->message,
             o->request_id[0] ? " (RequestId " : "", o->request_id[0] ? o->request_id : "");
    if (o->request_id[0]) {
        size_t n = strlen(o->detail);
        snprintf(o->detail + n, sizeof(o->detail) - n, ")");
    }
    ossio__op_fail_or_retry(op, ossio__op_status_for(o->http_status, o->code), o->detail);
}

/* A GET whose every wanted byte arrived, even if the transport then failed
 * (a reset after the last byte, a timeout before END_STREAM). */
static int get_is_complete(const ossio_op *op)
{
    if (!ossio__op_kind(op->kind)->ranged || op->delivered == 0) {
        return 0;
    }
    if (op->range_len > 0) {
        return op->delivered == (uint64_t)op->range_len;
    }
    return op->info.etag != NULL && op->range_off + op->delivered == op->info.size;
}

static void next_page_or_finish(ossio_op *op)
{
    const ossio__op_kind_info *k = ossio__op_kind(op->kind);
    int more = 0;
    ossio_status st = ossio__paging_next(op, &more); /* complete, next page, or OSSIO_EPAGING */
    if (st != OSSIO_OK) {
        ossio__op_finish(op, st, st == OSSIO_EPAGING ? op->out.detail : NULL);
        return;
    }
    if (k->batched) {
        size_t left = op->n_keys - op->keys_done;
        op->keys_done += left > OSSIO__DELETE_BATCH ? OSSIO__DELETE_BATCH : left;
        more = op->keys_done < op->n_keys;
    }
    if (more) {
        op->attempt = 0;
        op->truncated = 0;
        op->page_emitted = 0;
        ossio__op_start_attempt(op);
        return;
    }
    if (k->paged) {
        free(op->next_token);
        op->next_token = NULL; /* complete: nothing to resume */
    }
    ossio__op_finish(op, OSSIO_OK, NULL);
}

/* Integrity: the whole object's CRC-64, or the uploaded body's, against the
 * server's. Returns 1 if it decided (failed or retried). */
static int crc_checks(ossio_op *op)
{
    const ossio__op_kind_info *k = ossio__op_kind(op->kind);
    if (ossio__op_sum_check(op)) {
        return 1; /* the s3 dialect's first: on AWS it is the only one */
    }
    if (!op->info.has_crc64) {
        return 0;
    }
    if (k->ranged && op->whole_object && op->crc != op->info.crc64) {
        op->checked = "crc64";
        snprintf(op->out.detail, sizeof(op->out.detail),
                 "CRC-64 of the received data (%llu) differs from x-oss-hash-crc64ecma (%llu)",
                 (unsigned long long)op->crc, (unsigned long long)op->info.crc64);
        ossio__op_finish(op, OSSIO_ECHECKSUM, op->out.detail);
        return 1;
    }
    if (k->ranged && op->whole_object && op->checked == NULL) {
        op->checked = "crc64";
    }
    if (k->body != OSSIO__OP_BODY_CALLER) {
        return 0;
    }
    const char *why = "the server's CRC-64 of the uploaded data differs from ours";
    const char *before = op->checked;
    op->checked = "crc64";
    if (!op->body_is_reader && !op->has_body_crc64) { /* a memory body the caller set */
        ossio__op_set_body_crc64(
            op, op->body_len > 0 ? ossio_crc64(0, op->body, (size_t)op->body_len) : 0);
    }
    if (!op->body_is_reader && op->body_crc64 != op->info.crc64) {
        ossio__op_fail_or_retry(op, OSSIO_ECHECKSUM, why); /* the body can be sent again */
        return 1;
    }
    if (op->body_is_reader && op->reader_crc != op->info.crc64) {
        ossio__op_finish(op, OSSIO_ECHECKSUM, why);
        return 1;
    }
    op->checked = before != NULL ? before : "crc64";
    return 0;
}

/* A 2xx body's XML, parsed to its end. Returns 1 if it decided. */
static int parsed(ossio_op *op, ossio__op_parser *parser)
{
    ossio__outcome *o = &op->out;
    ossio_status st = ossio__op_parser_finish(parser);
    if (st != OSSIO_OK) {
        ossio__op_parser_detail(parser, o->detail, sizeof(o->detail)); /* names the call */
    }
    ossio__op_parser_free(parser);
    if (st == OSSIO_ESERVER && o->code[0]) {
        /* 200 with an <Error> body (Complete, Copy): a server error like a
         * 5xx, retried the same way (both are safe to repeat). */
        snprintf(o->detail, sizeof(o->detail), "%s: %.300s (HTTP 200 with an error body)", o->code,
                 o->message);
        ossio__op_fail_or_retry(op, OSSIO_ESERVER, o->detail);
        return 1;
    }
    if (st != OSSIO_OK) {
        ossio__op_finish(op, st, o->detail);
        return 1;
    }
    return 0;
}

/* What stopped the attempt from our side: a callback, a resumed GET
 * answered from elsewhere, a body that did not parse. Returns 1 if it
 * decided (and freed |parser|). */
static int stopped_here(ossio_op *op, ossio__op_parser *parser)
{
    ossio_status st = OSSIO_OK;
    const char *detail = NULL;
    if (op->canceled) {
        st = OSSIO_ECANCELED;
        detail = "stopped by the callback";
    } else if (op->resume_bad) {
        op->resume_bad = 0;
        st = OSSIO_EPROTO;
        detail =
            "the server did not answer the resumed GET from where the previous attempt stopped";
    } else if (op->parse_status != OSSIO_OK) {
        st = op->parse_status;
        op->parse_status = OSSIO_OK;
        if (st == OSSIO_ECANCELED || parser == NULL) {
            detail = st == OSSIO_ECANCELED ? "stopped by the entry callback"
                                           : "malformed XML in the response";
        } else {
            ossio__op_parser_detail(parser, op->out.detail, sizeof(op->out.detail));
            detail = op->out.detail; /* names the call */
        }
    } else {
        return 0;
    }
    if (parser != NULL) {
        ossio__op_parser_free(parser);
    }
    ossio__op_finish(op, st, detail);
    return 1;
}

void ossio__op_on_done(ossio_request *r, const ossio_result *res, void *ud)
{
    ossio_op *op = ud;
    if (op->req != r) {
        return; /* an attempt the operation already gave up on */
    }
    op->req = NULL;
    op->origin_worked = r->origin != NULL && r->origin->proto != NULL;
    op->result.replays += res->replays;
    if (res->protocol != NULL) {
        op->result.protocol = res->protocol; /* static: "h2" or "http/1.1" */
        op->result.connection = res->connection;
    }
    ossio__op_parser *parser = op->parser;
    op->parser = NULL;
    if (stopped_here(op, parser)) {
        return;
    }
    int http = op->out.http_status;
    if (res->status != OSSIO_OK && http >= 200 && http < 300 && get_is_complete(op)) {
        ossio__log(op->cl, OSSIO_LOG_DEBUG, "%s after the last byte of %s://%s/%s: complete",
                   ossio_status_name(res->status), op->uri.scheme, op->uri.bucket, op->uri.key);
    } else if (res->status != OSSIO_OK && !op->err_capped) {
        if (parser != NULL) {
            ossio__op_parser_free(parser);
        }
        op->out.http_status = 0;
        ossio__op_fail_or_retry(op, res->status, res->detail);
        return;
    }
    if (http >= 300) {
        if (parser != NULL) {
            ossio__op_parser_free(parser);
        }
        error_answer(op);
        return;
    }
    if ((parser != NULL && parsed(op, parser)) || crc_checks(op)) {
        return;
    }
    next_page_or_finish(op);
}
