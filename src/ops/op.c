/* Operations' lifecycle: creation, the attempts (build, sign, submit;
 * retry with backoff), completion and cancel. Requests are described by
 * ops/build.c, answers handled by ops/response.c, retries decided by
 * ops/retry.c; the setters are in ops/setters.c. */
#include "ops/op.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ops/context.h"
#include "ops/build.h"
#include "ops/checksum.h"
#include "ops/kind.h"
#include "ops/paging.h"
#include "ops/parse.h"
#include "ops/retry.h"
#include "transport/request.h"

/* ---- construction ------------------------------------------------------ */

ossio_status ossio_op_new(ossio_op **out, ossio_client *cl, ossio_op_kind kind, const char *uri)
{
    if (out == NULL) {
        return OSSIO_EINVAL;
    }
    *out = NULL;
    if (cl == NULL || !ossio__op_kind_valid(kind)) {
        return OSSIO_EINVAL;
    }
    ossio__cl_ops(cl)->error[0] = '\0';
    ossio_op *op = calloc(1, sizeof(*op));
    if (op == NULL) {
        return OSSIO_ENOMEM;
    }
    ossio_status st = ossio__uri_parse(&op->uri, uri, ossio__cl_ops(cl)->oss.s3,
                                       ossio__cl_ops(cl)->error, sizeof(ossio__cl_ops(cl)->error));
    if (st == OSSIO_OK && !ossio__op_kind(kind)->bucket_level && op->uri.key[0] == '\0') {
        snprintf(ossio__cl_ops(cl)->error, sizeof(ossio__cl_ops(cl)->error),
                 "'%.200s' names no object: use %s://%s/key", uri, op->uri.scheme, op->uri.bucket);
        st = OSSIO_EBADURI;
    }
    if (st == OSSIO_OK && ossio__cl_ops(cl)->oss.ep_status != OSSIO_OK) {
        snprintf(ossio__cl_ops(cl)->error, sizeof(ossio__cl_ops(cl)->error), "%s",
                 ossio__cl_ops(cl)->oss.ep_msg);
        st = ossio__cl_ops(cl)->oss.ep_status;
    }
    if (st == OSSIO_OK && (ossio__cl_ops(cl)->oss.access_key_id == NULL ||
                           ossio__cl_ops(cl)->oss.access_key_secret == NULL)) {
        /* The variables the environment is read for in this dialect. */
        snprintf(ossio__cl_ops(cl)->error, sizeof(ossio__cl_ops(cl)->error),
                 "no credentials: set fs.oss.accessKeyId and fs.oss.accessKeySecret (or %s)",
                 ossio__cl_ops(cl)->oss.s3 ? "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                                           : "OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET");
        st = OSSIO_ENOCREDENTIALS;
    }
    if (st != OSSIO_OK) {
        ossio__uri_free(&op->uri);
        free(op);
        return st;
    }
    op->cl = cl;
    op->deadline = ossio__cl_tp(cl)->set.deadline;
    op->kind = kind;
    op->range_len = -2;
    op->body_len = -1;
    op->body_fd = -1;
    op->sum_rx_kind = -1;
    ossio__hdrs_init(&op->hdrs, 64 * 1024, 128);
    ossio__buf_init(&op->err_body, OSSIO__MAX_ERROR_BODY, OSSIO_EBODYSIZE);
    ossio__buf_init(&op->req_body, 16u << 20, OSSIO_EINVAL);
    *out = op;
    return OSSIO_OK;
}

static void op_release(ossio_op *op)
{
    ossio__uri_free(&op->uri);
    if (op->has_copy_src) {
        ossio__uri_free(&op->copy_src);
    }
    ossio__hdrs_free(&op->hdrs);
    ossio__buf_free(&op->err_body);
    ossio__buf_free(&op->req_body);
    for (size_t i = 0; i < op->n_parts; i++) {
        free(op->parts[i].etag);
    }
    free(op->parts);
    for (size_t i = 0; i < op->n_keys; i++) {
        free(op->keys[i]);
    }
    free(op->keys);
    free(op->delimiter);
    free(op->token);
    free(op->upload_id);
    free(op->next_token);
    ossio__paging_free(op);
    if (op->parser != NULL) {
        ossio__op_parser_free(op->parser);
    }
    free(op);
}

void ossio_op_free(ossio_op *op)
{
    if (op != NULL && !op->submitted) {
        op_release(op);
    }
}

/* ---- completion -------------------------------------------------------- */

static void run_done(ossio__deferred *d)
{
    ossio_op *op = (ossio_op *)((char *)d - offsetof(ossio_op, done_node));
    ossio_client *cl = op->cl;
    op->on_done(op, &op->result, op->done_ud);
    if (op->live_prev != NULL) {
        op->live_prev->live_next = op->live_next;
    } else {
        ossio__cl_ops(cl)->ops = op->live_next;
    }
    if (op->live_next != NULL) {
        op->live_next->live_prev = op->live_prev;
    }
    op_release(op);
}

void ossio__ops_cancel_all(ossio_client *cl)
{
    for (ossio_op *op = ossio__cl_ops(cl)->ops; op != NULL; op = op->live_next) {
        if (!op->finished) {
            ossio__op_finish(op, OSSIO_ECANCELED, "client destroyed");
        }
    }
}

void ossio__op_finish(ossio_op *op, ossio_status st, const char *detail)
{
    if (op->finished) {
        return;
    }
    op->finished = 1;
    ev_timer_stop(ossio__cl_tp(op->cl)->loop, &op->backoff);
    ev_timer_stop(ossio__cl_tp(op->cl)->loop, &op->deadline_timer);
    if (op->req != NULL) {
        ossio_request *r = op->req;
        op->req = NULL;
        ossio_request_cancel(r); /* its completion finds op->req != r and does nothing */
    }
    (void)ossio__outcome_decide(&op->out, st, detail);
    ossio__outcome_fill(&op->out, &op->result);
    op->result.retries = op->retries;
    op->result.checksum = op->checked;
    ossio__defer(&ossio__cl_tp(op->cl)->defer, &op->done_node, run_done);
}

void ossio_op_cancel(ossio_op *op)
{
    if (op != NULL && op->submitted && !op->finished) {
        ossio__op_finish(op, OSSIO_ECANCELED, "canceled");
    }
}

const ossio_object_info *ossio_op_object(const ossio_op *op)
{
    return op != NULL && op->info.etag != NULL ? &op->info : NULL;
}

const char *ossio_op_upload_id(const ossio_op *op)
{
    return op != NULL && op->upload_id_out[0] ? op->upload_id_out : NULL;
}

const char *ossio_op_next_token(const ossio_op *op)
{
    return op != NULL ? op->next_token : NULL;
}

/* ---- attempts ---------------------------------------------------------- */

static double next_random(ossio_client *cl)
{
    /* xorshift64*: jitter only, not security. */
    uint64_t x = ossio__cl_ops(cl)->oss.rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    ossio__cl_ops(cl)->oss.rng = x;
    return (double)((x * 0x2545F4914F6CDD1Dull) >> 11) / (double)(1ull << 53);
}

static void on_backoff(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    ossio__op_start_attempt(w->data);
}

/* The whole operation ran out of time: the attempt in flight is canceled and
 * no other starts. */
static void on_deadline(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    ossio_op *op = w->data;
    char detail[160];
    snprintf(detail, sizeof(detail), "not done within its deadline of %.3f s (%u attempt%s)",
             op->deadline, op->attempt + 1, op->attempt ? "s" : "");
    ossio__op_finish(op, OSSIO_EDEADLINE, detail);
}

void ossio__op_fail_or_retry(ossio_op *op, ossio_status st, const char *detail)
{
    ossio_client *cl = op->cl;
    ossio__retry_in in = {
        .status = st,
        .http = op->out.http_status,
        .code = op->out.code,
        .attempt = op->attempt,
        .attempts = ossio__cl_ops(cl)->oss.attempts,
        .origin_worked = op->origin_worked,
        .body_is_reader = op->body_is_reader,
        .delivered = op->delivered > 0,
        .resumable = ossio__op_kind(op->kind)->ranged && op->etag[0] != '\0',
        .canceled = op->canceled,
        .no_more = ossio__cl_tp(cl)->destroying || op->last_attempt,
    };
    ossio__retry_out d = ossio__retry_decide(&in, next_random(cl));
    if (!d.retry) {
        ossio__op_finish(op, st, detail);
        return;
    }
    if (d.resync_clock && op->server_date != 0) {
        /* Re-sign with the server's clock: its Date minus ours. */
        ossio__cl_ops(cl)->oss.clock_skew = difftime(op->server_date, time(NULL));
    }
    op->attempt++;
    op->retries++;
    int http = op->out.http_status;
    ossio__log(cl, OSSIO_LOG_INFO,
               "retrying %s %s://%s/%s after %s%s%s (attempt %u of %u, in %.3f s)",
               ossio_status_name(st), op->uri.scheme, op->uri.bucket, op->uri.key,
               http ? "HTTP " : "", http ? op->out.code : "", http ? "" : detail, op->attempt + 1,
               ossio__cl_ops(cl)->oss.attempts, d.delay);
    ev_timer_set(&op->backoff, d.delay, 0.);
    ev_timer_start(ossio__cl_tp(cl)->loop, &op->backoff);
}

/* Body reader wrapper: keeps a CRC-64 of what a reader produced. */
static long reader_crc(uint8_t *buf, size_t cap, void *ud)
{
    ossio_op *op = ud;
    long n = op->body_read(buf, cap, op->body_ud);
    if (n > 0) {
        op->reader_crc = ossio_crc64(op->reader_crc, buf, (size_t)n);
    }
    return n;
}

/* The transport request carrying |m|. */
static ossio_status make_request(ossio_op *op, const ossio__op_msg *m, ossio_request **out)
{
    ossio_request *r = NULL;
    ossio_status st = ossio_request_new(&r, op->cl, m->method, (const char *)m->url.data);
    for (size_t i = 0; i < m->hdrs.n && st == OSSIO_OK; i++) {
        st = ossio_request_add_header(r, m->hdrs.v[i].name, m->hdrs.v[i].value);
    }
    if (st == OSSIO_OK) {
        switch (m->body) {
        case OSSIO__OP_BODY_XML:
            st = ossio_request_set_body(r, op->req_body.data, op->req_body.len);
            break;
        case OSSIO__OP_BODY_CALLER:
            if (op->body_is_reader) {
                op->reader_crc = 0;
                st = ossio_request_set_body_reader(r, op->body_len, reader_crc, op);
            } else if (op->body_fd >= 0) {
                st = ossio_request_set_body_file(r, op->body_fd, op->body_file_off,
                                                 (uint64_t)op->body_len);
            } else {
                st = ossio_request_set_body(r, op->body,
                                            op->body_len > 0 ? (size_t)op->body_len : 0);
            }
            break;
        case OSSIO__OP_BODY_EMPTY:
            st = ossio_request_set_body(r, "", 0);
            break;
        default:
            break;
        }
    }
    if (st != OSSIO_OK) {
        ossio_request_free(r);
        r = NULL;
    }
    *out = r;
    return st;
}

/* Forgets the previous attempt's answer. */
static void attempt_reset(ossio_op *op)
{
    ossio__outcome_clear_server(&op->out);
    op->server_date = 0;
    op->err_capped = 0;
    op->checked = NULL;
    ossio__buf_reset(&op->err_body);
    if (op->delivered == 0) {
        op->crc = 0;
        op->sum_rx = 0;
        op->sum_rx_kind = -1;
        op->whole_object = ossio__op_kind(op->kind)->ranged && op->range_len == -2;
    }
}

void ossio__op_start_attempt(ossio_op *op)
{
    ossio_client *cl = op->cl;
    time_t now = time(NULL) + (time_t)lround(ossio__cl_ops(cl)->oss.clock_skew);
    ossio__op_msg m;
    ossio__op_msg_init(&m);
    ossio_request *r = NULL;
    ossio_status st = ossio__op_sum_prepare(op, &ossio__cl_ops(cl)->oss);
    if (st != OSSIO_OK) {
        ossio__op_msg_free(&m);
        ossio__op_finish(op, st,
                         st == OSSIO_EIO ? "reading the body's file failed" : "out of memory");
        return;
    }
    st = ossio__op_build(op, &ossio__cl_ops(cl)->oss, now, &op->req_body, &m);
    if (st == OSSIO_OK) {
        st = make_request(op, &m, &r);
    }
    ossio__body_kind_xml xml = m.xml;
    ossio__op_msg_free(&m);
    if (st != OSSIO_OK) {
        ossio__op_finish(op, st, "could not build the request");
        return;
    }
    attempt_reset(op);
    if (xml != OSSIO__BODY_XML_NONE) {
        op->parser = ossio__op_parser_new(op, xml);
        if (op->parser == NULL) {
            ossio_request_free(r);
            ossio__op_finish(op, OSSIO_ENOMEM, NULL);
            return;
        }
    }
    if (ossio__op_kind(op->kind)->slow_first) {
        /* Servers may take minutes: OSS answers when the object is written,
         * S3 answers 200 at once and then sends whitespace until it is. */
        ossio__request_set_stall_limits(r, ossio__cl_tp(cl)->set.first_byte_slow, 0);
    }
    op->req = r;
    ossio_request_set_callbacks(r, ossio__op_on_headers, ossio__op_on_data, op);
    ossio_request_submit(r, ossio__op_on_done, op);
}

/* A submitted operation that cannot start: what it lacks; NULL if none. */
static const char *missing(const ossio_op *op)
{
    const ossio__op_kind_info *k = ossio__op_kind(op->kind);
    if (k->needs_upload && op->upload_id == NULL) {
        return "a multipart operation needs ossio_op_set_upload()";
    }
    if (k->copy && !op->has_copy_src) {
        return "COPY needs ossio_op_set_copy_source()";
    }
    if (k->parts && op->n_parts == 0) {
        return "COMPLETE needs at least one ossio_op_add_part()";
    }
    return NULL;
}

ossio_status ossio_op_submit(ossio_op *op, ossio_op_done_cb done, void *user_data)
{
    if (op == NULL || op->submitted || done == NULL) {
        return OSSIO_EINVAL;
    }
    op->submitted = 1;
    op->live_next = ossio__cl_ops(op->cl)->ops;
    if (ossio__cl_ops(op->cl)->ops != NULL) {
        ossio__cl_ops(op->cl)->ops->live_prev = op;
    }
    ossio__cl_ops(op->cl)->ops = op;
    op->on_done = done;
    op->done_ud = user_data;
    ev_timer_init(&op->backoff, on_backoff, 0., 0.);
    op->backoff.data = op;
    ev_timer_init(&op->deadline_timer, on_deadline, op->deadline, 0.);
    op->deadline_timer.data = op;
    if (op->deadline > 0) {
        ev_timer_start(ossio__cl_tp(op->cl)->loop, &op->deadline_timer);
    }
    const char *why = missing(op);
    if (why != NULL) {
        ossio__op_finish(op, OSSIO_EINVAL, why);
    } else if (ossio__op_kind(op->kind)->batched && op->n_keys == 0) {
        ossio__op_finish(op, OSSIO_OK, NULL);
    } else {
        ossio__op_start_attempt(op);
    }
    return OSSIO_OK;
}

int ossio__op_body_sent(const ossio_op *op)
{
    const ossio_request *r = op != NULL ? op->req : NULL;
    return r != NULL && r->sent && r->body_len >= 0 && r->body_off == (uint64_t)r->body_len;
}

void ossio__op_last_attempt(ossio_op *op)
{
    if (op != NULL) {
        op->last_attempt = 1;
    }
}

int ossio__op_in_flight(const ossio_op *op)
{
    return op != NULL && op->req != NULL;
}
