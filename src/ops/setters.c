/* The public setters of an operation: what the caller may set before
 * submit, checked against the kind's row (ops/kind.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ops/context.h"
#include "ops/kind.h"
#include "ops/op.h"

static int pre_submit(const ossio_op *op)
{
    return op != NULL && !op->submitted;
}

ossio_status ossio_op_set_range(ossio_op *op, uint64_t offset, int64_t length)
{
    if (!pre_submit(op) || !ossio__op_kind(op->kind)->ranged || length < -1 || length == 0) {
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
    return ossio__op_kind(k)->body == OSSIO__OP_BODY_CALLER;
}

/* A new body replaces the old one and whatever was known of it. */
static void forget_body(ossio_op *op)
{
    op->body = NULL;
    op->body_is_reader = 0;
    op->body_fd = -1;
    op->has_body_crc64 = 0;
    op->has_sum_body = 0;
    op->md5_body[0] = '\0';
}

ossio_status ossio_op_set_body(ossio_op *op, const void *data, size_t len)
{
    if (!pre_submit(op) || !takes_body(op->kind) || (data == NULL && len > 0)) {
        return OSSIO_EINVAL;
    }
    forget_body(op);
    op->body = data;
    op->body_len = (int64_t)len;
    return OSSIO_OK;
}

ossio_status ossio_op_set_body_file(ossio_op *op, int fd, uint64_t offset, uint64_t len)
{
    if (!pre_submit(op) || !takes_body(op->kind) || fd < 0 || len > INT64_MAX ||
        offset > (uint64_t)INT64_MAX - len) {
        return OSSIO_EINVAL;
    }
    forget_body(op);
    op->body_fd = fd;
    op->body_file_off = offset;
    op->body_len = (int64_t)len;
    return OSSIO_OK;
}

void ossio__op_set_body_crc64(ossio_op *op, uint64_t crc)
{
    op->body_crc64 = crc;
    op->has_body_crc64 = 1;
}

void ossio__op_set_body_sum(ossio_op *op, uint32_t crc)
{
    op->sum_body = crc;
    op->has_sum_body = 1;
}

ossio_status ossio__op_add_part_sum(ossio_op *op, uint32_t part_number, const char *etag,
                                    uint32_t crc)
{
    ossio_status st = ossio_op_add_part(op, part_number, etag);
    if (st == OSSIO_OK) {
        op->parts[op->n_parts - 1].sum = crc;
        op->parts[op->n_parts - 1].has_sum = 1;
    }
    return st;
}

void ossio__op_set_object_sum(ossio_op *op, uint32_t crc)
{
    op->sum_object = crc;
    op->has_sum_object = 1;
}

ossio_status ossio_op_set_body_reader(ossio_op *op, int64_t length, ossio_body_read_cb read,
                                      void *user_data)
{
    if (!pre_submit(op) || !takes_body(op->kind) || read == NULL || length < -1) {
        return OSSIO_EINVAL;
    }
    forget_body(op);
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
    if (!pre_submit(op) || page_size > 1000 || !ossio__op_kind(op->kind)->paged) {
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
        (ossio__op_kind(op->kind)->part_number && (part_number < 1 || part_number > 10000))) {
        return OSSIO_EINVAL;
    }
    op->part_number = part_number;
    return set_str(&op->upload_id, upload_id);
}

ossio_status ossio_op_add_part(ossio_op *op, uint32_t part_number, const char *etag)
{
    if (!pre_submit(op) || !ossio__op_kind(op->kind)->parts || etag == NULL || part_number < 1 ||
        part_number > 10000 ||
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
    op->parts[op->n_parts].has_sum = 0;
    op->n_parts++;
    return OSSIO_OK;
}

ossio_status ossio_op_add_key(ossio_op *op, const char *key)
{
    if (!pre_submit(op) || !ossio__op_kind(op->kind)->batched || key == NULL || *key == '\0' ||
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
    if (!pre_submit(op) || !ossio__op_kind(op->kind)->copy) {
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

ossio_status ossio_op_set_deadline(ossio_op *op, uint64_t ms)
{
    if (!pre_submit(op)) {
        return OSSIO_EINVAL;
    }
    op->deadline = (double)ms / 1e3;
    return OSSIO_OK;
}
