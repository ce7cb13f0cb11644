/* Object-store operations: build each HTTP request from the operation,
 * sign it, send it through the transport, read the answer (data, listing,
 * error) and decide: done, next page, or retry with backoff. */
#define _GNU_SOURCE /* strptime, timegm */
#include "ops/op.h"

#include <math.h>
#include <openssl/evp.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ops/context.h"
#include "ops/auth.h"
#include "ops/paging.h"
#include "ops/parse.h"
#include "transport/pool.h"
#include "transport/request.h"
#include "sign/sign.h"
#include "util/cursor.h"

#define MAX_ERROR_BODY (64 * 1024)
#define DELETE_BATCH 1000
#define BACKOFF_BASE 0.1
#define BACKOFF_CAP 20.0

static void start_attempt(ossio_op *op);
static void finish(ossio_op *op, ossio_status st, const char *detail);

/* ---- construction ------------------------------------------------------ */

static int needs_key(ossio_op_kind k)
{
    switch (k) {
    case OSSIO_OP_LIST:
    case OSSIO_OP_DELETE_MANY:
    case OSSIO_OP_MULTIPART_LIST_UPLOADS:
    case OSSIO_OP_BUCKET_CREATE:
    case OSSIO_OP_BUCKET_DELETE:
        return 0;
    default:
        return 1;
    }
}

ossio_status ossio_op_new(ossio_op **out, ossio_client *cl, ossio_op_kind kind, const char *uri)
{
    if (out == NULL) {
        return OSSIO_EINVAL;
    }
    *out = NULL;
    if (cl == NULL || (unsigned)kind > OSSIO_OP_BUCKET_DELETE) {
        return OSSIO_EINVAL;
    }
    ossio__cl_ops(cl)->error[0] = '\0';
    ossio_op *op = calloc(1, sizeof(*op));
    if (op == NULL) {
        return OSSIO_ENOMEM;
    }
    ossio_status st = ossio__uri_parse(&op->uri, uri, ossio__cl_ops(cl)->oss.s3,
                                       ossio__cl_ops(cl)->error, sizeof(ossio__cl_ops(cl)->error));
    if (st == OSSIO_OK && needs_key(kind) && op->uri.key[0] == '\0') {
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
    ossio__hdrs_init(&op->hdrs, 64 * 1024, 128);
    ossio__buf_init(&op->err_body, MAX_ERROR_BODY, OSSIO_EBODYSIZE);
    ossio__buf_init(&op->req_body, 16u << 20, OSSIO_EINVAL);
    *out = op;
    return OSSIO_OK;
}

static int pre_submit(const ossio_op *op)
{
    return op != NULL && !op->submitted;
}

ossio_status ossio_op_set_range(ossio_op *op, uint64_t offset, int64_t length)
{
    if (!pre_submit(op) || op->kind != OSSIO_OP_GET || length < -1 || length == 0) {
        return OSSIO_EINVAL;
    }
    op->range_off = offset;
    op->range_len = length;
    return OSSIO_OK;
}

static const char *const reserved[] = {"host",
                                       "content-length",
                                       "transfer-encoding",
                                       "connection",
                                       "authorization",
                                       "date",
                                       "x-oss-date",
                                       "x-amz-date",
                                       "x-oss-content-sha256",
                                       "x-amz-content-sha256",
                                       "x-oss-security-token",
                                       "x-amz-security-token",
                                       "range",
                                       NULL};

ossio_status ossio_op_set_header(ossio_op *op, const char *name, const char *value)
{
    if (!pre_submit(op) || name == NULL || value == NULL ||
        !ossio__hdr_valid(name, strlen(name), value, strlen(value))) {
        return OSSIO_EINVAL;
    }
    for (const char *const *r = reserved; *r; r++) {
        if (strcasecmp(name, *r) == 0) {
            return OSSIO_EINVAL;
        }
    }
    return ossio__hdrs_add(&op->hdrs, name, strlen(name), value, strlen(value));
}

static int takes_body(ossio_op_kind k)
{
    return k == OSSIO_OP_PUT || k == OSSIO_OP_MULTIPART_PART;
}

ossio_status ossio_op_set_body(ossio_op *op, const void *data, size_t len)
{
    if (!pre_submit(op) || !takes_body(op->kind) || (data == NULL && len > 0)) {
        return OSSIO_EINVAL;
    }
    op->body = data;
    op->body_len = (int64_t)len;
    op->body_is_reader = 0;
    return OSSIO_OK;
}

ossio_status ossio_op_set_body_reader(ossio_op *op, int64_t length, ossio_body_read_cb read,
                                      void *user_data)
{
    if (!pre_submit(op) || !takes_body(op->kind) || read == NULL || length < -1) {
        return OSSIO_EINVAL;
    }
    op->body_read = read;
    op->body_ud = user_data;
    op->body_len = length;
    op->body_is_reader = 1;
    return OSSIO_OK;
}

static ossio_status set_str(char **dst, const char *src)
{
    free(*dst);
    *dst = NULL;
    if (src == NULL) {
        return OSSIO_OK;
    }
    *dst = strdup(src);
    return *dst != NULL ? OSSIO_OK : OSSIO_ENOMEM;
}

ossio_status ossio_op_set_list(ossio_op *op, const char *delimiter, uint32_t page_size,
                               const char *start_token)
{
    if (!pre_submit(op) || page_size > 1000 ||
        (op->kind != OSSIO_OP_LIST && op->kind != OSSIO_OP_MULTIPART_LIST_UPLOADS &&
         op->kind != OSSIO_OP_MULTIPART_LIST_PARTS)) {
        return OSSIO_EINVAL;
    }
    op->page_size = page_size;
    ossio_status st = set_str(&op->delimiter, delimiter && *delimiter ? delimiter : NULL);
    return st == OSSIO_OK ? set_str(&op->token, start_token && *start_token ? start_token : NULL)
                          : st;
}

ossio_status ossio_op_set_upload(ossio_op *op, const char *upload_id, uint32_t part_number)
{
    if (!pre_submit(op) || upload_id == NULL || *upload_id == '\0' ||
        (op->kind == OSSIO_OP_MULTIPART_PART && (part_number < 1 || part_number > 10000))) {
        return OSSIO_EINVAL;
    }
    op->part_number = part_number;
    return set_str(&op->upload_id, upload_id);
}

ossio_status ossio_op_add_part(ossio_op *op, uint32_t part_number, const char *etag)
{
    if (!pre_submit(op) || op->kind != OSSIO_OP_MULTIPART_COMPLETE || etag == NULL ||
        part_number < 1 || part_number > 10000 ||
        (op->n_parts > 0 && op->parts[op->n_parts - 1].number >= part_number)) {
        return OSSIO_EINVAL;
    }
    if (op->n_parts == op->cap_parts) {
        size_t cap = op->cap_parts ? op->cap_parts * 2 : 64;
        ossio__part_ref *v = realloc(op->parts, cap * sizeof(*v));
        if (v == NULL) {
            return OSSIO_ENOMEM;
        }
        op->parts = v;
        op->cap_parts = cap;
    }
    char *e = strdup(etag);
    if (e == NULL) {
        return OSSIO_ENOMEM;
    }
    op->parts[op->n_parts].number = part_number;
    op->parts[op->n_parts].etag = e;
    op->n_parts++;
    return OSSIO_OK;
}

ossio_status ossio_op_add_key(ossio_op *op, const char *key)
{
    if (!pre_submit(op) || op->kind != OSSIO_OP_DELETE_MANY || key == NULL || *key == '\0' ||
        strlen(key) > OSSIO__MAX_KEY_BYTES) {
        return OSSIO_EINVAL;
    }
    if (op->n_keys == op->cap_keys) {
        size_t cap = op->cap_keys ? op->cap_keys * 2 : 64;
        char **v = realloc(op->keys, cap * sizeof(*v));
        if (v == NULL) {
            return OSSIO_ENOMEM;
        }
        op->keys = v;
        op->cap_keys = cap;
    }
    op->keys[op->n_keys] = strdup(key);
    if (op->keys[op->n_keys] == NULL) {
        return OSSIO_ENOMEM;
    }
    op->n_keys++;
    return OSSIO_OK;
}

ossio_status ossio_op_set_copy_source(ossio_op *op, const char *source_uri)
{
    if (!pre_submit(op) || op->kind != OSSIO_OP_COPY) {
        return OSSIO_EINVAL;
    }
    if (op->has_copy_src) {
        ossio__uri_free(&op->copy_src);
        op->has_copy_src = 0;
    }
    char msg[256];
    ossio_status st = ossio__uri_parse(&op->copy_src, source_uri, ossio__cl_ops(op->cl)->oss.s3,
                                       msg, sizeof(msg));
    if (st == OSSIO_OK && op->copy_src.key[0] == '\0') {
        ossio__uri_free(&op->copy_src);
        st = OSSIO_EBADURI;
    }
    if (st != OSSIO_OK) {
        snprintf(ossio__cl_ops(op->cl)->error, sizeof(ossio__cl_ops(op->cl)->error),
                 "copy source: %s", msg);
        return st;
    }
    op->has_copy_src = 1;
    return OSSIO_OK;
}

void ossio_op_set_callbacks(ossio_op *op, ossio_op_data_cb on_data, ossio_op_entry_cb on_entry,
                            void *user_data)
{
    if (!pre_submit(op)) {
        return;
    }
    op->on_data = on_data;
    op->on_entry = on_entry;
    op->cb_ud = user_data;
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
            finish(op, OSSIO_ECANCELED, "client destroyed");
        }
    }
}

static const char *or_null(const char *s)
{
    return s[0] ? s : NULL;
}

static void finish(ossio_op *op, ossio_status st, const char *detail)
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
    op->result.status = st;
    op->result.http_status = op->http;
    op->result.code = or_null(op->code);
    op->result.message = or_null(op->message);
    op->result.request_id = or_null(op->request_id);
    op->result.host_id = or_null(op->host_id);
    op->result.ec = or_null(op->ec);
    op->result.retries = op->retries;
    if (detail != NULL && detail != op->detail) {
        snprintf(op->detail, sizeof(op->detail), "%s", detail);
    }
    if (st != OSSIO_OK && op->detail[0] == '\0') {
        snprintf(op->detail, sizeof(op->detail), "%s", ossio_strerror(st));
    }
    op->result.detail = op->detail;
    ossio__defer(&ossio__cl_tp(op->cl)->defer, &op->done_node, run_done);
}

void ossio_op_cancel(ossio_op *op)
{
    if (op != NULL && op->submitted && !op->finished) {
        finish(op, OSSIO_ECANCELED, "canceled");
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

/* ---- request building -------------------------------------------------- */

typedef struct build {
    char page[16];
    char num[16];
    const char *method;
    ossio__qp q[8];
    size_t nq;
    ossio__body_kind_xml xml; /* what a 2xx body holds */
} build;

static void q_add(build *b, const char *name, const char *value)
{
    b->q[b->nq].name = (char *)(uintptr_t)name;
    b->q[b->nq].value = (char *)(uintptr_t)value;
    b->nq++;
}

static void describe(ossio_op *op, build *b)
{
    char *key = op->uri.key;
    b->nq = 0;
    b->xml = OSSIO__BODY_XML_NONE;
    switch (op->kind) {
    case OSSIO_OP_HEAD:
        b->method = "HEAD";
        break;
    case OSSIO_OP_GET:
        b->method = "GET";
        break;
    case OSSIO_OP_PUT:
    case OSSIO_OP_BUCKET_CREATE:
        b->method = "PUT";
        break;
    case OSSIO_OP_COPY:
        b->method = "PUT";
        b->xml = OSSIO__BODY_XML_COPY;
        break;
    case OSSIO_OP_DELETE:
    case OSSIO_OP_BUCKET_DELETE:
        b->method = "DELETE";
        break;
    case OSSIO_OP_DELETE_MANY:
        b->method = "POST";
        q_add(b, "delete", NULL);
        b->xml = OSSIO__BODY_XML_DELETE;
        break;
    case OSSIO_OP_LIST:
        b->method = "GET";
        b->xml = OSSIO__BODY_XML_LIST;
        if (!ossio__cl_ops(op->cl)->oss.list_v1) {
            q_add(b, "list-type", "2");
        }
        q_add(b, "encoding-type", "url");
        snprintf(b->page, sizeof(b->page), "%u",
                 op->page_size ? op->page_size : ossio__cl_ops(op->cl)->oss.paging);
        q_add(b, "max-keys", b->page);
        if (key[0]) {
            q_add(b, "prefix", key);
        }
        if (op->delimiter != NULL) {
            q_add(b, "delimiter", op->delimiter);
        }
        if (op->token != NULL) {
            q_add(b, ossio__cl_ops(op->cl)->oss.list_v1 ? "marker" : "continuation-token",
                  op->token);
        }
        break;
    case OSSIO_OP_MULTIPART_INIT:
        b->method = "POST";
        q_add(b, "uploads", NULL);
        b->xml = OSSIO__BODY_XML_INIT;
        break;
    case OSSIO_OP_MULTIPART_PART: {
        snprintf(b->num, sizeof(b->num), "%u", op->part_number);
        b->method = "PUT";
        q_add(b, "partNumber", b->num);
        q_add(b, "uploadId", op->upload_id);
        break;
    }
    case OSSIO_OP_MULTIPART_COMPLETE:
        b->method = "POST";
        q_add(b, "uploadId", op->upload_id);
        b->xml = OSSIO__BODY_XML_COMPLETE;
        break;
    case OSSIO_OP_MULTIPART_ABORT:
        b->method = "DELETE";
        q_add(b, "uploadId", op->upload_id);
        break;
    case OSSIO_OP_MULTIPART_LIST_PARTS:
        b->method = "GET";
        q_add(b, "uploadId", op->upload_id);
        if (op->token != NULL) {
            q_add(b, "part-number-marker", op->token);
        }
        if (op->page_size != 0) {
            snprintf(b->page, sizeof(b->page), "%u", op->page_size);
            q_add(b, "max-parts", b->page);
        }
        b->xml = OSSIO__BODY_XML_PARTS;
        break;
    case OSSIO_OP_MULTIPART_LIST_UPLOADS:
        b->method = "GET";
        q_add(b, "uploads", NULL);
        if (key[0]) {
            q_add(b, "prefix", key);
        }
        if (op->token != NULL) {
            q_add(b, "key-marker", op->token);
            if (op->paging.upload_marker != NULL) { /* more uploads of that key */
                q_add(b, "upload-id-marker", op->paging.upload_marker);
            }
        }
        if (op->page_size != 0) {
            snprintf(b->page, sizeof(b->page), "%u", op->page_size);
            q_add(b, "max-uploads", b->page);
        }
        b->xml = OSSIO__BODY_XML_UPLOADS;
        break;
    }
}

static ossio_status uri_encode(ossio__buf *out, const char *s, int keep_slash)
{
    return ossio__uri_encode(out, s, strlen(s), keep_slash);
}

static ossio_status encode_query(const build *b, ossio__buf *out)
{
    ossio_status st = OSSIO_OK;
    for (size_t i = 0; i < b->nq && st == OSSIO_OK; i++) {
        if (i > 0) {
            st = ossio__buf_append_byte(out, '&');
        }
        if (st == OSSIO_OK) {
            st = uri_encode(out, b->q[i].name, 0);
        }
        if (st == OSSIO_OK && b->q[i].value != NULL) {
            st = ossio__buf_append_byte(out, '=');
            if (st == OSSIO_OK) {
                st = uri_encode(out, b->q[i].value, 0);
            }
        }
    }
    if (st == OSSIO_OK) {
        st = ossio__buf_append_byte(out, 0);
        out->len--;
    }
    return st;
}

/* ---- response handling ------------------------------------------------- */

static ossio_status status_for(ossio_op *op)
{
    int h = op->http;
    const char *code = op->code;
    if (h == 404) {
        return OSSIO_ENOTFOUND;
    }
    if (strcmp(code, "SignatureDoesNotMatch") == 0) {
        return OSSIO_ESIGNATURE;
    }
    if (h == 403 || h == 401) {
        return OSSIO_EACCESS;
    }
    if (h == 409 &&
        (strcmp(code, "FileAlreadyExists") == 0 || strcmp(code, "BucketAlreadyExists") == 0 ||
         strcmp(code, "BucketAlreadyOwnedByYou") == 0 ||
         strcmp(code, "ObjectAlreadyExists") == 0)) {
        return OSSIO_EEXISTS;
    }
    if (h == 412) {
        return OSSIO_ECHANGED;
    }
    if (h == 429 || strcmp(code, "SlowDown") == 0) {
        return OSSIO_ETHROTTLED;
    }
    if (h >= 500) {
        return OSSIO_ESERVER;
    }
    return OSSIO_EHTTP;
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
    int from_document = op->code[0] != '\0';
    if (!from_document) {
        snprintf(op->code, sizeof(op->code), "HTTP%d", op->http);
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            if (names[i].status == op->http) {
                snprintf(op->code, sizeof(op->code), "%s", names[i].code);
            }
        }
    }
    if (op->message[0] == '\0' && from_document) {
        snprintf(op->message, sizeof(op->message), "HTTP %d (the error gave no Message)", op->http);
    } else if (op->message[0] == '\0') {
        snprintf(op->message, sizeof(op->message), "HTTP %d with no error document%s%s%s", op->http,
                 op->err_body.len > 0 ? " that could be read" : "", op->ec[0] ? ", EC " : "",
                 op->ec);
    }
}

static int retryable_http(const ossio_op *op)
{
    int h = op->http;
    const char *c = op->code;
    return h == 500 || h == 502 || h == 503 || h == 504 || strcmp(c, "SlowDown") == 0 ||
           strcmp(c, "RequestTimeout") == 0 || strcmp(c, "InternalError") == 0 ||
           strcmp(c, "ServiceUnavailable") == 0 || strcmp(c, "RequestTimeTooSkewed") == 0;
}

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
    ossio_op *op = w->data;
    start_attempt(op);
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
    finish(op, OSSIO_EDEADLINE, detail);
}

ossio_status ossio_op_set_deadline(ossio_op *op, uint64_t ms)
{
    if (!pre_submit(op)) {
        return OSSIO_EINVAL;
    }
    op->deadline = (double)ms / 1e3;
    return OSSIO_OK;
}

/* Decides after a failed attempt: retry later, or finish with |st|. */
static void fail_or_retry(ossio_op *op, ossio_status st, const char *detail)
{
    ossio_client *cl = op->cl;
    /* A GET that already delivered bytes resumes after them (If-Match on the
     * ETag, so a replaced object is never mixed in); other operations repeat
     * only if their body can be sent again. */
    int resumable = op->kind == OSSIO_OP_GET && op->etag[0] != '\0' && st != OSSIO_ECHECKSUM;
    int can_repeat = !op->body_is_reader && (op->delivered == 0 || resumable) && !op->canceled;
    /* A refused connection fails at once when the endpoint never answered
     * (a wrong address or port); from one that has worked it is transient (a
     * server or balancer restarting) and retried like a reset. */
    int transient = st == OSSIO_ECHECKSUM || ossio_status_retryable(st) ||
                    (st == OSSIO_ECONNREFUSED && op->origin_worked) ||
                    (op->http != 0 && retryable_http(op));
    if (!transient || !can_repeat || op->attempt + 1 >= ossio__cl_ops(cl)->oss.attempts ||
        ossio__cl_tp(cl)->destroying || op->last_attempt) {
        finish(op, st, detail);
        return;
    }
    double delay;
    if (strcmp(op->code, "RequestTimeTooSkewed") == 0) {
        /* Re-sign with the server's clock: its Date minus ours. */
        if (op->server_date != 0) {
            ossio__cl_ops(cl)->oss.clock_skew = difftime(op->server_date, time(NULL));
        }
        delay = 0;
    } else {
        double cap = BACKOFF_BASE * pow(2.0, (double)op->attempt);
        delay = next_random(cl) * (cap < BACKOFF_CAP ? cap : BACKOFF_CAP);
    }
    op->attempt++;
    op->retries++;
    ossio__log(cl, OSSIO_LOG_INFO,
               "retrying %s %s://%s/%s after %s%s%s (attempt %u of %u, in %.3f s)",
               ossio_status_name(st), op->uri.scheme, op->uri.bucket, op->uri.key,
               op->http ? "HTTP " : "", op->http ? op->code : "", op->http ? "" : detail,
               op->attempt + 1, ossio__cl_ops(cl)->oss.attempts, delay);
    ev_timer_set(&op->backoff, delay, 0.);
    ev_timer_start(ossio__cl_tp(cl)->loop, &op->backoff);
}

static void copy_header(const ossio_response *resp, const char *name, char *dst, size_t len)
{
    const char *v = ossio_response_header(resp, name);
    if (v != NULL) {
        snprintf(dst, len, "%s", v);
    }
}

static int on_req_headers(ossio_request *r, int status, const ossio_response *resp, void *ud)
{
    ossio_op *op = ud;
    if (op->req != r) {
        return 1;
    }
    op->http = status;
    copy_header(resp, "x-oss-request-id", op->request_id, sizeof(op->request_id));
    if (op->request_id[0] == '\0') {
        copy_header(resp, "x-amz-request-id", op->request_id, sizeof(op->request_id));
    }
    if (status >= 300) {
        const char *err = ossio_response_header(resp, "x-oss-err");
        if (err != NULL) {
            ossio__op_parse_error_b64(op, err);
        }
        const char *ec = ossio_response_header(resp, "x-oss-ec");
        if (ec != NULL && op->ec[0] == '\0') {
            snprintf(op->ec, sizeof(op->ec), "%s", ec);
        }
        const char *date = ossio_response_header(resp, "date");
        struct tm tm;
        memset(&tm, 0, sizeof(tm));
        if (date != NULL && strptime(date, "%a, %d %b %Y %H:%M:%S GMT", &tm) != NULL) {
            op->server_date = timegm(&tm);
        }
        return 0;
    }
    if (op->kind == OSSIO_OP_GET && op->delivered > 0) {
        /* A resumed attempt must continue exactly where the last one stopped. */
        const char *cr0 = ossio_response_header(resp, "content-range");
        char want[48];
        snprintf(want, sizeof(want), "bytes %llu-",
                 (unsigned long long)(op->range_off + op->delivered));
        if (status != 206 || cr0 == NULL || strncmp(cr0, want, strlen(want)) != 0) {
            op->resume_bad = 1;
            return 1;
        }
    }
    /* Object metadata. */
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
    } else if (clen != NULL && ossio__u64_dec(clen, strlen(clen), &v) &&
               (op->kind == OSSIO_OP_GET || op->kind == OSSIO_OP_HEAD)) {
        op->info.size = v;
    }
    if ((op->kind == OSSIO_OP_PUT || op->kind == OSSIO_OP_MULTIPART_PART) && op->body_len >= 0) {
        op->info.size = (uint64_t)op->body_len;
    }
    const char *crc = ossio_response_header(resp, "x-oss-hash-crc64ecma");
    if (crc != NULL && ossio__u64_dec(crc, strlen(crc), &v)) {
        op->info.crc64 = v;
        op->info.has_crc64 = 1;
    }
    if (op->etag[0]) {
        op->info.etag = op->etag;
        op->info.last_modified = op->last_modified[0] ? op->last_modified : NULL;
        op->info.content_type = op->content_type[0] ? op->content_type : NULL;
    }
    return 0;
}

static int on_req_data(ossio_request *r, const uint8_t *data, size_t len, void *ud)
{
    ossio_op *op = ud;
    if (op->req != r) {
        return 1;
    }
    if (op->http >= 300) {
        /* An error document: read up to MAX_ERROR_BODY for its Code and
         * Message, then stop (the connection is closed, or the stream reset):
         * a server sending megabytes of error costs neither time nor memory. */
        size_t room = MAX_ERROR_BODY - op->err_body.len;
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
    if (op->kind == OSSIO_OP_GET) {
        op->crc = ossio_crc64(op->crc, data, len);
        op->delivered += len;
        if (op->on_data != NULL && op->on_data(op, data, len, op->cb_ud) != 0) {
            op->canceled = 1;
            return 1;
        }
    }
    return 0;
}

static void next_page_or_finish(ossio_op *op);

/* A GET whose every wanted byte arrived, even if the transport then failed
 * (a reset after the last byte, a timeout before END_STREAM). */
static int get_is_complete(const ossio_op *op)
{
    if (op->kind != OSSIO_OP_GET || op->delivered == 0) {
        return 0;
    }
    if (op->range_len > 0) {
        return op->delivered == (uint64_t)op->range_len;
    }
    return op->info.etag != NULL && op->range_off + op->delivered == op->info.size;
}

static void on_req_done(ossio_request *r, const ossio_result *res, void *ud)
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
    if (op->canceled) {
        if (parser != NULL) {
            ossio__op_parser_free(parser);
        }
        finish(op, OSSIO_ECANCELED, "stopped by the callback");
        return;
    }
    if (op->resume_bad) {
        op->resume_bad = 0;
        if (parser != NULL) {
            ossio__op_parser_free(parser);
        }
        finish(op, OSSIO_EPROTO,
               "the server did not answer the resumed GET from where the previous attempt stopped");
        return;
    }
    if (op->parse_status != OSSIO_OK) {
        ossio_status st = op->parse_status;
        op->parse_status = OSSIO_OK;
        if (st == OSSIO_ECANCELED || parser == NULL) {
            snprintf(op->detail, sizeof(op->detail), "%s",
                     st == OSSIO_ECANCELED ? "stopped by the entry callback"
                                           : "malformed XML in the response");
        } else {
            ossio__op_parser_detail(parser, op->detail, sizeof(op->detail)); /* names the call */
        }
        if (parser != NULL) {
            ossio__op_parser_free(parser);
        }
        finish(op, st, op->detail);
        return;
    }
    if (res->status != OSSIO_OK && op->http >= 200 && op->http < 300 && get_is_complete(op)) {
        ossio__log(op->cl, OSSIO_LOG_DEBUG, "%s after the last byte of %s://%s/%s: complete",
                   ossio_status_name(res->status), op->uri.scheme, op->uri.bucket, op->uri.key);
    } else if (res->status != OSSIO_OK && !op->err_capped) {
        if (parser != NULL) {
            ossio__op_parser_free(parser);
        }
        op->http = 0;
        fail_or_retry(op, res->status, res->detail);
        return;
    }
    if (op->http >= 300) {
        if (parser != NULL) {
            ossio__op_parser_free(parser);
        }
        if (op->err_body.len > 0) {
            ossio__op_parse_error(op, op->err_body.data, op->err_body.len);
        }
        name_error(op);
        snprintf(op->detail, sizeof(op->detail), "%s: %.300s%s%s", op->code, op->message,
                 op->request_id[0] ? " (RequestId " : "", op->request_id[0] ? op->request_id : "");
        if (op->request_id[0]) {
            size_t n = strlen(op->detail);
            snprintf(op->detail + n, sizeof(op->detail) - n, ")");
        }
        fail_or_retry(op, status_for(op), op->detail);
        return;
    }
    if (parser != NULL) {
        ossio_status st = ossio__op_parser_finish(parser);
        if (st != OSSIO_OK) {
            ossio__op_parser_detail(parser, op->detail, sizeof(op->detail)); /* names the call */
        }
        ossio__op_parser_free(parser);
        if (st == OSSIO_ESERVER && op->code[0]) {
            /* 200 with an <Error> body (Complete, Copy): a server error like
             * a 5xx, retried the same way (both are safe to repeat). */
            snprintf(op->detail, sizeof(op->detail), "%s: %.300s (HTTP 200 with an error body)",
                     op->code, op->message);
            fail_or_retry(op, OSSIO_ESERVER, op->detail);
            return;
        }
        if (st != OSSIO_OK) {
            finish(op, st, op->detail);
            return;
        }
    }
    /* Integrity: the whole object's CRC-64 against the server's. */
    if (op->kind == OSSIO_OP_GET && op->whole_object && op->info.has_crc64 &&
        op->crc != op->info.crc64) {
        snprintf(op->detail, sizeof(op->detail),
                 "CRC-64 of the received data (%llu) differs from x-oss-hash-crc64ecma (%llu)",
                 (unsigned long long)op->crc, (unsigned long long)op->info.crc64);
        finish(op, OSSIO_ECHECKSUM, op->detail);
        return;
    }
    if ((op->kind == OSSIO_OP_PUT || op->kind == OSSIO_OP_MULTIPART_PART) && !op->body_is_reader &&
        op->info.has_crc64 &&
        (op->body_len > 0 ? ossio_crc64(0, op->body, (size_t)op->body_len) : 0) != op->info.crc64) {
        fail_or_retry(op, OSSIO_ECHECKSUM,
                      "the server's CRC-64 of the uploaded data differs from ours");
        return;
    }
    if ((op->kind == OSSIO_OP_PUT || op->kind == OSSIO_OP_MULTIPART_PART) && op->body_is_reader &&
        op->info.has_crc64 && op->reader_crc != op->info.crc64) {
        finish(op, OSSIO_ECHECKSUM, "the server's CRC-64 of the uploaded data differs from ours");
        return;
    }
    next_page_or_finish(op);
}

static void next_page_or_finish(ossio_op *op)
{
    int more = 0;
    ossio_status st = ossio__paging_next(op, &more); /* complete, next page, or OSSIO_EPAGING */
    if (st != OSSIO_OK) {
        finish(op, st, st == OSSIO_EPAGING ? op->detail : NULL);
        return;
    }
    if (op->kind == OSSIO_OP_DELETE_MANY) {
        op->keys_done +=
            op->n_keys - op->keys_done > DELETE_BATCH ? DELETE_BATCH : op->n_keys - op->keys_done;
        more = op->keys_done < op->n_keys;
    }
    if (more) {
        op->attempt = 0;
        op->truncated = 0;
        op->page_emitted = 0;
        start_attempt(op);
        return;
    }
    if (op->kind == OSSIO_OP_LIST || op->kind == OSSIO_OP_MULTIPART_LIST_PARTS ||
        op->kind == OSSIO_OP_MULTIPART_LIST_UPLOADS) {
        free(op->next_token);
        op->next_token = NULL; /* complete: nothing to resume */
    }
    finish(op, OSSIO_OK, NULL);
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

static void start_attempt(ossio_op *op)
{
    ossio_client *cl = op->cl;
    build b;
    describe(op, &b);
    ossio__buf url, query;
    ossio__buf_init(&url, 16 * 1024, OSSIO_EINVAL);
    ossio__buf_init(&query, 16 * 1024, OSSIO_EINVAL);
    ossio__hdrs h;
    ossio__hdrs_init(&h, 128 * 1024, 160);
    char host[320];
    char range[64];
    ossio_status st = encode_query(&b, &query);
    const char *bucket = op->uri.bucket;
    const char *key = op->uri.key;
    if (op->kind == OSSIO_OP_LIST || op->kind == OSSIO_OP_DELETE_MANY ||
        op->kind == OSSIO_OP_MULTIPART_LIST_UPLOADS || op->kind == OSSIO_OP_BUCKET_CREATE ||
        op->kind == OSSIO_OP_BUCKET_DELETE) {
        key = "";
    }
    if (st == OSSIO_OK) {
        st = ossio__url_for(&url, host, sizeof(host), &ossio__cl_ops(cl)->oss.ep, bucket, key,
                            (const char *)query.data, ossio__cl_ops(cl)->oss.path_style);
    }
    for (size_t i = 0; i < op->hdrs.n && st == OSSIO_OK; i++) {
        const ossio__hdr *x = &op->hdrs.v[i];
        if (ossio__cl_ops(cl)->oss.s3 && strncmp(x->name, "x-oss-meta-", 11) == 0) {
            char name[300];
            snprintf(name, sizeof(name), "x-amz-meta-%s", x->name + 11);
            st = ossio__hdrs_add(&h, name, strlen(name), x->value, x->value_len);
        } else {
            st = ossio__hdrs_add(&h, x->name, x->name_len, x->value, x->value_len);
        }
    }
    ossio__buf_reset(&op->req_body);
    if (st == OSSIO_OK && op->kind == OSSIO_OP_GET && (op->range_len != -2 || op->delivered > 0)) {
        uint64_t from = op->range_off + op->delivered;
        if (op->range_len < 0) {
            snprintf(range, sizeof(range), "bytes=%llu-", (unsigned long long)from);
        } else {
            snprintf(range, sizeof(range), "bytes=%llu-%llu", (unsigned long long)from,
                     (unsigned long long)(op->range_off + (uint64_t)op->range_len - 1));
        }
        st = ossio__hdrs_add(&h, "range", 5, range, strlen(range));
        if (st == OSSIO_OK && op->delivered > 0 && ossio__hdrs_get(&h, "if-match") == NULL) {
            st = ossio__hdrs_add(&h, "if-match", 8, op->etag, strlen(op->etag));
        }
    }
    if (st == OSSIO_OK && op->kind == OSSIO_OP_COPY) {
        ossio__buf src;
        ossio__buf_init(&src, 8192, OSSIO_EINVAL);
        st = ossio__buf_append_byte(&src, '/');
        if (st == OSSIO_OK) {
            st = ossio__buf_append(&src, op->copy_src.bucket, strlen(op->copy_src.bucket));
        }
        if (st == OSSIO_OK) {
            st = ossio__buf_append_byte(&src, '/');
        }
        if (st == OSSIO_OK) {
            st = uri_encode(&src, op->copy_src.key, 1);
        }
        if (st == OSSIO_OK) {
            const char *name =
                ossio__cl_ops(cl)->oss.s3 ? "x-amz-copy-source" : "x-oss-copy-source";
            st = ossio__hdrs_add(&h, name, strlen(name), (const char *)src.data, src.len);
        }
        ossio__buf_free(&src);
    }
    if (st == OSSIO_OK && op->kind == OSSIO_OP_MULTIPART_COMPLETE) {
        st = ossio__op_write_complete(op, &op->req_body);
    }
    if (st == OSSIO_OK && op->kind == OSSIO_OP_DELETE_MANY) {
        size_t n = op->n_keys - op->keys_done;
        st = ossio__op_write_delete(op, op->keys_done, n > DELETE_BATCH ? DELETE_BATCH : n,
                                    &op->req_body);
    }
    if (st == OSSIO_OK && op->req_body.len > 0) {
        unsigned char md5[16];
        unsigned char b64[32];
        unsigned int md5_len = 0;
        EVP_Digest(op->req_body.data, op->req_body.len, md5, &md5_len, EVP_md5(), NULL);
        EVP_EncodeBlock(b64, md5, (int)md5_len);
        st = ossio__hdrs_add(&h, "content-md5", 11, (const char *)b64, strlen((const char *)b64));
        if (st == OSSIO_OK) {
            st = ossio__hdrs_add(&h, "content-type", 12, "application/xml", 15);
        }
    }
    if (st == OSSIO_OK) {
        st = ossio__op_sign(op, b.method, b.q, b.nq, host, &h);
    }
    ossio_request *r = NULL;
    if (st == OSSIO_OK) {
        st = ossio_request_new(&r, cl, b.method, (const char *)url.data);
    }
    for (size_t i = 0; i < h.n && st == OSSIO_OK; i++) {
        st = ossio_request_add_header(r, h.v[i].name, h.v[i].value);
    }
    if (st == OSSIO_OK) {
        if (op->req_body.len > 0) {
            st = ossio_request_set_body(r, op->req_body.data, op->req_body.len);
        } else if (takes_body(op->kind) && op->body_is_reader) {
            op->reader_crc = 0;
            st = ossio_request_set_body_reader(r, op->body_len, reader_crc, op);
        } else if (takes_body(op->kind)) {
            st = ossio_request_set_body(r, op->body, op->body_len > 0 ? (size_t)op->body_len : 0);
        } else if (op->kind == OSSIO_OP_BUCKET_CREATE || op->kind == OSSIO_OP_COPY) {
            st = ossio_request_set_body(r, "", 0);
        }
    }
    ossio__hdrs_free(&h);
    ossio__buf_free(&url);
    ossio__buf_free(&query);
    if (st != OSSIO_OK) {
        ossio_request_free(r);
        finish(op, st, "could not build the request");
        return;
    }
    op->http = 0;
    op->code[0] = op->message[0] = op->host_id[0] = op->ec[0] = op->request_id[0] = '\0';
    op->server_date = 0;
    op->err_capped = 0;
    ossio__buf_reset(&op->err_body);
    if (op->delivered == 0) {
        op->crc = 0;
        op->whole_object = op->kind == OSSIO_OP_GET && op->range_len == -2;
    }
    if (b.xml != OSSIO__BODY_XML_NONE) {
        op->parser = ossio__op_parser_new(op, b.xml);
        if (op->parser == NULL) {
            ossio_request_free(r);
            finish(op, OSSIO_ENOMEM, NULL);
            return;
        }
    }
    if (op->kind == OSSIO_OP_MULTIPART_COMPLETE || op->kind == OSSIO_OP_COPY) {
        /* Servers may take minutes: OSS answers when the object is written,
         * S3 answers 200 at once and then sends whitespace until it is. */
        ossio__request_set_stall_limits(r, ossio__cl_tp(cl)->set.first_byte_slow, 0);
    }
    op->req = r;
    ossio_request_set_callbacks(r, on_req_headers, on_req_data, op);
    ossio_request_submit(r, on_req_done, op);
}

ossio_status ossio_op_submit(ossio_op *op, ossio_op_done_cb done, void *user_data)
{
    if (!pre_submit(op) || done == NULL) {
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
    if ((op->kind == OSSIO_OP_MULTIPART_PART || op->kind == OSSIO_OP_MULTIPART_COMPLETE ||
         op->kind == OSSIO_OP_MULTIPART_ABORT || op->kind == OSSIO_OP_MULTIPART_LIST_PARTS) &&
        op->upload_id == NULL) {
        finish(op, OSSIO_EINVAL, "a multipart operation needs ossio_op_set_upload()");
        return OSSIO_OK;
    }
    if (op->kind == OSSIO_OP_COPY && !op->has_copy_src) {
        finish(op, OSSIO_EINVAL, "COPY needs ossio_op_set_copy_source()");
        return OSSIO_OK;
    }
    if (op->kind == OSSIO_OP_MULTIPART_COMPLETE && op->n_parts == 0) {
        finish(op, OSSIO_EINVAL, "COMPLETE needs at least one ossio_op_add_part()");
        return OSSIO_OK;
    }
    if (op->kind == OSSIO_OP_DELETE_MANY && op->n_keys == 0) {
        finish(op, OSSIO_OK, NULL);
        return OSSIO_OK;
    }
    start_attempt(op);
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
