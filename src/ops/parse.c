/* Glue from the streaming XML parsers (src/xml/) to operations: entries go
 * to the caller's on_entry as they are parsed, results and errors into the
 * operation, request bodies out of its parts and keys. */
#include "ops/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/checksum.h"
#include "ops/context.h"
#include "util/crc32.h"
#include "xml/oss.h"

struct ossio__op_parser {
    ossio_op *op;
    ossio__body_kind_xml kind;
    union {
        ossio__xml_list_parser list;
        ossio__xml_uploads_parser uploads;
        ossio__xml_parts_parser parts;
        ossio__xml_result_parser result;
        ossio__xml_delete_parser del;
    } u;
    char keybuf[1100];
    char last_key[1100];    /* V1 listings may resume after the page's last key */
    char last_prefix[1100]; /* ... unless a common prefix comes after it */
    uint64_t skip;          /* entries of this page an earlier attempt delivered */
};

static const char *cstr(char *dst, size_t cap, const char *s, size_t len)
{
    if (len >= cap) {
        len = cap - 1;
    }
    memcpy(dst, s, len);
    dst[len] = '\0';
    return dst;
}

/* Hands an entry to the caller, except those a failed attempt at the same
 * page already handed over (a page fetched again after a dropped connection
 * lists them once more). */
static int emit(ossio__op_parser *p, const ossio_list_entry *e)
{
    ossio_op *op = p->op;
    if (p->skip > 0) {
        p->skip--;
        return 0;
    }
    op->page_emitted++;
    return op->on_entry != NULL && op->on_entry(op, e, op->cb_ud) != 0;
}

static int on_object(void *ud, const ossio__xml_object *o)
{
    ossio__op_parser *p = ud;
    ossio_list_entry e;
    memset(&e, 0, sizeof(e));
    e.key = cstr(p->keybuf, sizeof(p->keybuf), o->key, o->key_len);
    cstr(p->last_key, sizeof(p->last_key), o->key, o->key_len);
    e.size = o->size;
    e.etag = o->etag;
    e.last_modified = o->last_modified;
    return emit(p, &e);
}

static int on_prefix(void *ud, const char *prefix, size_t len)
{
    ossio__op_parser *p = ud;
    ossio_list_entry e;
    memset(&e, 0, sizeof(e));
    e.key = cstr(p->keybuf, sizeof(p->keybuf), prefix, len);
    cstr(p->last_prefix, sizeof(p->last_prefix), prefix, len);
    e.is_prefix = 1;
    return emit(p, &e);
}

static int on_upload(void *ud, const ossio__xml_upload *u)
{
    ossio__op_parser *p = ud;
    ossio_list_entry e;
    memset(&e, 0, sizeof(e));
    e.key = cstr(p->keybuf, sizeof(p->keybuf), u->key, u->key_len);
    e.upload_id = u->upload_id;
    e.initiated = u->initiated;
    return emit(p, &e);
}

static int on_part(void *ud, const ossio__xml_part *part)
{
    ossio__op_parser *p = ud;
    ossio_list_entry e;
    memset(&e, 0, sizeof(e));
    e.key = p->op->uri.key;
    e.part_number = part->number;
    e.etag = part->etag;
    e.size = part->size;
    e.last_modified = part->last_modified;
    e.crc64 = part->crc64;
    e.has_crc64 = part->has_crc64;
    return emit(p, &e);
}

static int on_deleted(void *ud, const char *key, size_t key_len)
{
    (void)ud;
    (void)key;
    (void)key_len;
    return 0;
}

static int on_delete_error(void *ud, const char *key, size_t key_len, const char *code,
                           const char *message)
{
    ossio__op_parser *p = ud;
    ossio_op *op = p->op;
    /* The first key that could not be deleted fails the operation. */
    if (op->out.code[0] == '\0') {
        snprintf(op->out.code, sizeof(op->out.code), "%s", code);
        snprintf(op->out.message, sizeof(op->out.message), "%.*s: %s",
                 (int)(key_len > 200 ? 200 : key_len), key, message);
    }
    return 0;
}

static const ossio__xml_list_callbacks list_cb = {on_object, on_prefix};
static const ossio__xml_uploads_callbacks uploads_cb = {on_upload, on_prefix};
static const ossio__xml_delete_callbacks delete_cb = {on_deleted, on_delete_error};

ossio__op_parser *ossio__op_parser_new(ossio_op *op, ossio__body_kind_xml kind)
{
    ossio__op_parser *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return NULL;
    }
    p->op = op;
    p->kind = kind;
    p->skip = op->page_emitted;
    ossio_status st = OSSIO_OK;
    switch (kind) {
    case OSSIO__BODY_XML_LIST:
        st = ossio__xml_list_init(&p->u.list, &list_cb, p, true, NULL);
        break;
    case OSSIO__BODY_XML_UPLOADS:
        st = ossio__xml_uploads_init(&p->u.uploads, &uploads_cb, p, false, NULL);
        break;
    case OSSIO__BODY_XML_PARTS:
        st = ossio__xml_parts_init(&p->u.parts, on_part, p, NULL);
        break;
    case OSSIO__BODY_XML_INIT:
        st = ossio__xml_result_init(&p->u.result, OSSIO__XML_INITIATE, NULL);
        break;
    case OSSIO__BODY_XML_COMPLETE:
        st = ossio__xml_result_init(&p->u.result, OSSIO__XML_COMPLETE, NULL);
        break;
    case OSSIO__BODY_XML_COPY:
        st = ossio__xml_result_init(&p->u.result, OSSIO__XML_COPY, NULL);
        break;
    case OSSIO__BODY_XML_DELETE:
        st = ossio__xml_delete_init(&p->u.del, &delete_cb, p, false, NULL);
        break;
    default:
        st = OSSIO_EINVAL;
        break;
    }
    if (st != OSSIO_OK) {
        free(p);
        return NULL;
    }
    return p;
}

ossio_status ossio__op_parser_feed(ossio__op_parser *p, const uint8_t *data, size_t len)
{
    switch (p->kind) {
    case OSSIO__BODY_XML_LIST:
        return ossio__xml_list_feed(&p->u.list, data, len);
    case OSSIO__BODY_XML_UPLOADS:
        return ossio__xml_uploads_feed(&p->u.uploads, data, len);
    case OSSIO__BODY_XML_PARTS:
        return ossio__xml_parts_feed(&p->u.parts, data, len);
    case OSSIO__BODY_XML_INIT:
    case OSSIO__BODY_XML_COMPLETE:
    case OSSIO__BODY_XML_COPY:
        return ossio__xml_result_feed(&p->u.result, data, len);
    case OSSIO__BODY_XML_DELETE:
        return ossio__xml_delete_feed(&p->u.del, data, len);
    default:
        return OSSIO_EINVAL;
    }
}

static void set_token(ossio_op *op, const ossio__xml_str *s)
{
    free(op->next_token);
    op->next_token = s != NULL && s->p != NULL && s->len > 0 ? strndup(s->p, s->len) : NULL;
}

static void set_upload_marker(ossio_op *op, const ossio__xml_str *s)
{
    free(op->paging.next_upload_marker);
    op->paging.next_upload_marker = s->p != NULL && s->len > 0 ? strndup(s->p, s->len) : NULL;
}

/* A listing page's way forward: V2's NextContinuationToken; V1's NextMarker,
 * or without one (S3 and OSS leave it out when no delimiter is used) the
 * page's last key, but not when a common prefix sorts after that key (going
 * on from the key would list that prefix again). ops/paging.c judges it. */
static void list_next(ossio__op_parser *p, const ossio__xml_list_result *r)
{
    ossio_op *op = p->op;
    op->truncated = r->is_truncated;
    if (!ossio__cl_ops(op->cl)->oss.list_v1) {
        set_token(op, &r->next_continuation_token);
    } else if (r->next_marker.p != NULL && r->next_marker.len > 0) {
        set_token(op, &r->next_marker);
    } else if (r->is_truncated && p->last_key[0] && strcmp(p->last_key, p->last_prefix) > 0) {
        ossio__xml_str last = {p->last_key, strlen(p->last_key)};
        set_token(op, &last);
    } else {
        set_token(op, NULL);
    }
}

static void copy_str(char *dst, size_t cap, const ossio__xml_str *s)
{
    if (s->p != NULL) {
        cstr(dst, cap, s->p, s->len);
    }
}

ossio_status ossio__op_parser_finish(ossio__op_parser *p)
{
    ossio_op *op = p->op;
    ossio_status st;
    switch (p->kind) {
    case OSSIO__BODY_XML_LIST:
        st = ossio__xml_list_finish(&p->u.list);
        if (st == OSSIO_OK) {
            list_next(p, &p->u.list.result);
        }
        return st;
    case OSSIO__BODY_XML_UPLOADS:
        st = ossio__xml_uploads_finish(&p->u.uploads);
        if (st == OSSIO_OK) {
            op->truncated = p->u.uploads.result.is_truncated;
            set_token(op, &p->u.uploads.result.next_key_marker);
            set_upload_marker(op, &p->u.uploads.result.next_upload_id_marker);
        }
        return st;
    case OSSIO__BODY_XML_PARTS:
        st = ossio__xml_parts_finish(&p->u.parts);
        if (st == OSSIO_OK) {
            op->truncated = p->u.parts.result.is_truncated;
            if (p->u.parts.result.has_next_marker) {
                char num[24];
                snprintf(num, sizeof(num), "%llu",
                         (unsigned long long)p->u.parts.result.next_part_number_marker);
                ossio__xml_str s = {num, strlen(num)};
                set_token(op, &s);
            } else {
                set_token(op, NULL);
            }
        }
        return st;
    case OSSIO__BODY_XML_INIT:
    case OSSIO__BODY_XML_COMPLETE:
    case OSSIO__BODY_XML_COPY:
        st = ossio__xml_result_finish(&p->u.result);
        if (st == OSSIO_EHTTP && p->u.result.result.error.code[0]) {
            /* CopyObject and Complete can answer 200 with an <Error> body. */
            const ossio__xml_result *r = &p->u.result.result;
            snprintf(op->out.code, sizeof(op->out.code), "%s", r->error.code);
            snprintf(op->out.message, sizeof(op->out.message), "%s", r->error.message);
            return OSSIO_ESERVER;
        }
        if (st == OSSIO_OK) {
            const ossio__xml_result *r = &p->u.result.result;
            copy_str(op->upload_id_out, sizeof(op->upload_id_out), &r->upload_id);
            if (r->etag.p != NULL) {
                copy_str(op->etag, sizeof(op->etag), &r->etag);
                op->info.etag = op->etag;
            }
            if (r->last_modified.p != NULL) {
                copy_str(op->last_modified, sizeof(op->last_modified), &r->last_modified);
                op->info.last_modified = op->last_modified;
            }
        }
        return st;
    case OSSIO__BODY_XML_DELETE:
        st = ossio__xml_delete_finish(&p->u.del);
        if (st == OSSIO_OK && op->out.code[0]) {
            return OSSIO_EHTTP;
        }
        return st;
    default:
        return OSSIO_EINVAL;
    }
}

void ossio__op_parser_free(ossio__op_parser *p)
{
    if (p == NULL) {
        return;
    }
    switch (p->kind) {
    case OSSIO__BODY_XML_LIST:
        ossio__xml_list_free(&p->u.list);
        break;
    case OSSIO__BODY_XML_UPLOADS:
        ossio__xml_uploads_free(&p->u.uploads);
        break;
    case OSSIO__BODY_XML_PARTS:
        ossio__xml_parts_free(&p->u.parts);
        break;
    case OSSIO__BODY_XML_INIT:
    case OSSIO__BODY_XML_COMPLETE:
    case OSSIO__BODY_XML_COPY:
        ossio__xml_result_free(&p->u.result);
        break;
    case OSSIO__BODY_XML_DELETE:
        ossio__xml_delete_free(&p->u.del);
        break;
    default:
        break;
    }
    free(p);
}

void ossio__op_parser_detail(const ossio__op_parser *p, char *out, size_t cap)
{
    const char *name = "the";
    const ossio__xml_doc *d = NULL;
    switch (p->kind) {
    case OSSIO__BODY_XML_LIST:
        name = ossio__cl_ops(p->op->cl)->oss.list_v1 ? "ListObjects" : "ListObjectsV2";
        d = &p->u.list.d;
        break;
    case OSSIO__BODY_XML_UPLOADS:
        name = "ListMultipartUploads";
        d = &p->u.uploads.d;
        break;
    case OSSIO__BODY_XML_PARTS:
        name = "ListParts";
        d = &p->u.parts.d;
        break;
    case OSSIO__BODY_XML_INIT:
    case OSSIO__BODY_XML_COMPLETE:
    case OSSIO__BODY_XML_COPY:
        name = p->kind == OSSIO__BODY_XML_INIT       ? "InitiateMultipartUpload"
               : p->kind == OSSIO__BODY_XML_COMPLETE ? "CompleteMultipartUpload"
                                                     : "CopyObject";
        d = &p->u.result.d;
        break;
    case OSSIO__BODY_XML_DELETE:
        name = "DeleteMultipleObjects";
        d = &p->u.del.d;
        break;
    default:
        break;
    }
    const char *why = d != NULL ? ossio__xml_stream_error(&d->s) : "";
    snprintf(out, cap, "malformed XML in the %s response%s%s", name, why[0] ? ": " : "", why);
}

static void take_error(ossio_op *op, const ossio__xml_error *e)
{
    snprintf(op->out.code, sizeof(op->out.code), "%s", e->code);
    snprintf(op->out.message, sizeof(op->out.message), "%s", e->message);
    if (e->request_id[0]) {
        snprintf(op->out.request_id, sizeof(op->out.request_id), "%s", e->request_id);
    }
    if (e->host_id[0]) {
        snprintf(op->out.host_id, sizeof(op->out.host_id), "%s", e->host_id);
    }
    if (e->ec[0]) {
        snprintf(op->out.ec, sizeof(op->out.ec), "%s", e->ec);
    }
}

int ossio__op_parse_error(ossio_op *op, const uint8_t *xml, size_t len)
{
    ossio__xml_error e;
    memset(&e, 0, sizeof(e));
    if (ossio__xml_error_parse(&e, xml, len) != OSSIO_OK &&
        ossio__xml_error_parse_prefix(&e, xml, len) != OSSIO_OK) {
        return 0;
    }
    take_error(op, &e);
    return 1;
}

int ossio__op_parse_error_b64(ossio_op *op, const char *b64)
{
    ossio__xml_error e;
    memset(&e, 0, sizeof(e));
    if (ossio__xml_error_from_header(&e, b64, strlen(b64)) != OSSIO_OK) {
        return 0;
    }
    take_error(op, &e);
    return 1;
}

ossio_status ossio__op_write_complete(const ossio_op *op, ossio__buf *out)
{
    ossio__xml_part_ref *refs = calloc(op->n_parts, sizeof(*refs));
    if (refs == NULL) {
        return OSSIO_ENOMEM;
    }
    /* The s3 dialect's part checksums, only when every part has one (a
     * resumed upload's listed parts may not). */
    int kind = ossio__ops_sum_kind(&ossio__cl_ops(op->cl)->oss);
    int sums = kind >= 0;
    for (size_t i = 0; i < op->n_parts; i++) {
        sums = sums && op->parts[i].has_sum;
    }
    char(*b64)[9] = sums ? calloc(op->n_parts, sizeof(*b64)) : NULL;
    if (sums && b64 == NULL) {
        free(refs);
        return OSSIO_ENOMEM;
    }
    for (size_t i = 0; i < op->n_parts; i++) {
        refs[i].number = op->parts[i].number;
        refs[i].etag = op->parts[i].etag;
        refs[i].etag_len = strlen(op->parts[i].etag);
        if (b64 != NULL) {
            ossio__crc32_base64(op->parts[i].sum, b64[i]);
            refs[i].sum_elem = kind == OSSIO__CRC32C ? "ChecksumCRC32C" : "ChecksumCRC32";
            refs[i].sum = b64[i];
        }
    }
    ossio_status st = ossio__xml_write_complete(out, refs, op->n_parts);
    free(refs);
    free(b64);
    return st;
}

ossio_status ossio__op_write_delete(const ossio_op *op, size_t from, size_t n, ossio__buf *out)
{
    ossio__xml_key *keys = calloc(n, sizeof(*keys));
    if (keys == NULL) {
        return OSSIO_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        keys[i].key = op->keys[from + i];
        keys[i].len = strlen(op->keys[from + i]);
    }
    ossio_status st = ossio__xml_write_delete(out, true, keys, n);
    free(keys);
    return st;
}
