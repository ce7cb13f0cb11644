/* Request building (ops/build.h): query parameters by kind, URL, the
 * caller's headers (x-oss-meta- renamed for the s3 dialect), Range and
 * If-Match of a resumed GET, the copy source, the XML body with its
 * Content-MD5, then the signature. */
#include "ops/build.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "ops/auth.h"
#include "ops/checksum.h"
#include "ops/parse.h"
#include "sign/sign.h"

typedef struct query {
    char page[16];
    char num[16];
    ossio__qp q[8];
    size_t nq;
} query;

static void q_add(query *b, const char *name, const char *value)
{
    b->q[b->nq].name = (char *)(uintptr_t)name;
    b->q[b->nq].value = (char *)(uintptr_t)value;
    b->nq++;
}

static void q_page(query *b, const char *name, uint32_t n)
{
    snprintf(b->page, sizeof(b->page), "%u", n);
    q_add(b, name, b->page);
}

static void list_query(const ossio_op *op, const ossio__oss_settings *o, query *b)
{
    if (!o->list_v1) {
        q_add(b, "list-type", "2");
    }
    q_add(b, "encoding-type", "url");
    q_page(b, "max-keys", op->page_size ? op->page_size : o->paging);
    if (op->uri.key[0]) {
        q_add(b, "prefix", op->uri.key);
    }
    if (op->delimiter != NULL) {
        q_add(b, "delimiter", op->delimiter);
    }
    if (op->token != NULL) {
        q_add(b, o->list_v1 ? "marker" : "continuation-token", op->token);
    }
}

static void uploads_query(const ossio_op *op, query *b)
{
    q_add(b, "uploads", NULL);
    if (op->uri.key[0]) {
        q_add(b, "prefix", op->uri.key);
    }
    if (op->token != NULL) {
        q_add(b, "key-marker", op->token);
        if (op->paging.upload_marker != NULL) { /* more uploads of that key */
            q_add(b, "upload-id-marker", op->paging.upload_marker);
        }
    }
    if (op->page_size != 0) {
        q_page(b, "max-uploads", op->page_size);
    }
}

/* The query parameters of |op|'s current request, in the order sent. */
static void describe(const ossio_op *op, const ossio__oss_settings *o, query *b)
{
    b->nq = 0;
    switch (op->kind) {
    case OSSIO_OP_DELETE_MANY:
        q_add(b, "delete", NULL);
        break;
    case OSSIO_OP_LIST:
        list_query(op, o, b);
        break;
    case OSSIO_OP_MULTIPART_INIT:
        q_add(b, "uploads", NULL);
        break;
    case OSSIO_OP_MULTIPART_PART:
        snprintf(b->num, sizeof(b->num), "%u", op->part_number);
        q_add(b, "partNumber", b->num);
        q_add(b, "uploadId", op->upload_id);
        break;
    case OSSIO_OP_MULTIPART_COMPLETE:
    case OSSIO_OP_MULTIPART_ABORT:
        q_add(b, "uploadId", op->upload_id);
        break;
    case OSSIO_OP_MULTIPART_LIST_PARTS:
        q_add(b, "uploadId", op->upload_id);
        if (op->token != NULL) {
            q_add(b, "part-number-marker", op->token);
        }
        if (op->page_size != 0) {
            q_page(b, "max-parts", op->page_size);
        }
        break;
    case OSSIO_OP_MULTIPART_LIST_UPLOADS:
        uploads_query(op, b);
        break;
    default:
        break;
    }
}

static ossio_status uri_encode(ossio__buf *out, const char *s, int keep_slash)
{
    return ossio__uri_encode(out, s, strlen(s), keep_slash);
}

static ossio_status encode_query(const query *b, ossio__buf *out)
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

static ossio_status caller_headers(const ossio_op *op, const ossio__oss_settings *o, ossio__hdrs *h)
{
    ossio_status st = OSSIO_OK;
    for (size_t i = 0; i < op->hdrs.n && st == OSSIO_OK; i++) {
        const ossio__hdr *x = &op->hdrs.v[i];
        if (o->s3 && strncmp(x->name, "x-oss-meta-", 11) == 0) {
            char name[300];
            snprintf(name, sizeof(name), "x-amz-meta-%s", x->name + 11);
            st = ossio__hdrs_add(h, name, strlen(name), x->value, x->value_len);
        } else {
            st = ossio__hdrs_add(h, x->name, x->name_len, x->value, x->value_len);
        }
    }
    return st;
}

/* A ranged GET, or one resuming after the bytes it delivered (If-Match on
 * the ETag, so a replaced object is never mixed in). */
static ossio_status range_headers(const ossio_op *op, ossio__hdrs *h)
{
    if (op->range_len == -2 && op->delivered == 0) {
        return OSSIO_OK;
    }
    char range[64];
    uint64_t from = op->range_off + op->delivered;
    if (op->range_len < 0) {
        snprintf(range, sizeof(range), "bytes=%llu-", (unsigned long long)from);
    } else {
        snprintf(range, sizeof(range), "bytes=%llu-%llu", (unsigned long long)from,
                 (unsigned long long)(op->range_off + (uint64_t)op->range_len - 1));
    }
    ossio_status st = ossio__hdrs_add(h, "range", 5, range, strlen(range));
    if (st == OSSIO_OK && op->delivered > 0 && ossio__hdrs_get(h, "if-match") == NULL) {
        st = ossio__hdrs_add(h, "if-match", 8, op->etag, strlen(op->etag));
    }
    return st;
}

static ossio_status copy_source(const ossio_op *op, const ossio__oss_settings *o, ossio__hdrs *h)
{
    ossio__buf src;
    ossio__buf_init(&src, 8192, OSSIO_EINVAL);
    ossio_status st = ossio__buf_append_byte(&src, '/');
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
        const char *name = o->s3 ? "x-amz-copy-source" : "x-oss-copy-source";
        st = ossio__hdrs_add(h, name, strlen(name), (const char *)src.data, src.len);
    }
    ossio__buf_free(&src);
    return st;
}

/* Complete's parts or DeleteMultiple's batch, with its Content-MD5. */
static ossio_status xml_body(const ossio_op *op, ossio__buf *body, ossio__hdrs *h)
{
    ossio_status st;
    if (ossio__op_kind(op->kind)->parts) {
        st = ossio__op_write_complete(op, body);
    } else {
        size_t n = op->n_keys - op->keys_done;
        st = ossio__op_write_delete(op, op->keys_done,
                                    n > OSSIO__DELETE_BATCH ? OSSIO__DELETE_BATCH : n, body);
    }
    if (st != OSSIO_OK || body->len == 0) {
        return st;
    }
    unsigned char md5[16];
    unsigned char b64[32];
    unsigned int md5_len = 0;
    EVP_Digest(body->data, body->len, md5, &md5_len, EVP_md5(), NULL);
    EVP_EncodeBlock(b64, md5, (int)md5_len);
    st = ossio__hdrs_add(h, "content-md5", 11, (const char *)b64, strlen((const char *)b64));
    if (st == OSSIO_OK) {
        st = ossio__hdrs_add(h, "content-type", 12, "application/xml", 15);
    }
    return st;
}

void ossio__op_msg_init(ossio__op_msg *m)
{
    memset(m, 0, sizeof(*m));
    ossio__buf_init(&m->url, 16 * 1024, OSSIO_EINVAL);
    ossio__hdrs_init(&m->hdrs, 128 * 1024, 160);
}

void ossio__op_msg_free(ossio__op_msg *m)
{
    ossio__buf_free(&m->url);
    ossio__hdrs_free(&m->hdrs);
}

ossio_status ossio__op_build(const ossio_op *op, const ossio__oss_settings *o, time_t now,
                             ossio__buf *body, ossio__op_msg *m)
{
    const ossio__op_kind_info *k = ossio__op_kind(op->kind);
    query b;
    describe(op, o, &b);
    m->method = k->method;
    m->xml = k->xml;
    m->body = k->body;
    ossio__buf q;
    ossio__buf_init(&q, 16 * 1024, OSSIO_EINVAL);
    ossio_status st = encode_query(&b, &q);
    if (st == OSSIO_OK) {
        st =
            ossio__url_for(&m->url, m->host, sizeof(m->host), &o->ep, op->uri.bucket,
                           k->bucket_level ? "" : op->uri.key, (const char *)q.data, o->path_style);
    }
    ossio__buf_free(&q);
    if (st == OSSIO_OK) {
        st = caller_headers(op, o, &m->hdrs);
    }
    if (st == OSSIO_OK && k->ranged) {
        st = range_headers(op, &m->hdrs);
    }
    if (st == OSSIO_OK && k->copy) {
        st = copy_source(op, o, &m->hdrs);
    }
    if (st == OSSIO_OK) {
        st = ossio__op_sum_headers(op, o, &m->hdrs);
    }
    ossio__buf_reset(body);
    if (st == OSSIO_OK && k->body == OSSIO__OP_BODY_XML) {
        st = xml_body(op, body, &m->hdrs);
    }
    if (st == OSSIO_OK) {
        st = ossio__op_sign(op, o, now, m->method, b.q, b.nq, m->host, &m->hdrs);
    }
    return st;
}
