/* Single-record responses (Error, InitiateMultipartUpload,
 * CompleteMultipartUpload, CopyObject), DeleteResult, and the base64
 * x-oss-err header of HEAD errors. */
#include "xml/oss.h"

#include <string.h>

/* ---- <Error> ---- */

enum { ET_CODE, ET_MESSAGE, ET_REQUEST_ID, ET_HOST_ID, ET_EC };
static const char *const error_tail[] = {"Code", "Message", "RequestId", "HostId", "EC", NULL};
static const ossio__xml_doc_def error_def = {"Error", error_tail, 0, NULL, 0, NULL};

/* Copies |s| into |dst|, cut at a UTF-8 character boundary to fit. */
static void copy_cut(char *dst, size_t cap, const ossio__xml_str *s)
{
    size_t n = s->p ? s->len : 0;
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)s->p[n] & 0xC0) == 0x80) {
            n--;
        }
    }
    if (n) {
        memcpy(dst, s->p, n);
    }
    dst[n] = '\0';
}

static void fill_error(ossio__xml_error *out, const ossio__xml_doc *d)
{
    copy_cut(out->code, sizeof out->code, &d->tail[ET_CODE]);
    copy_cut(out->message, sizeof out->message, &d->tail[ET_MESSAGE]);
    copy_cut(out->request_id, sizeof out->request_id, &d->tail[ET_REQUEST_ID]);
    copy_cut(out->host_id, sizeof out->host_id, &d->tail[ET_HOST_ID]);
    copy_cut(out->ec, sizeof out->ec, &d->tail[ET_EC]);
}

static ossio_status no_entries(ossio__xml_doc *d, size_t entry, const ossio__xml_fields *f)
{
    (void)d;
    (void)entry;
    (void)f;
    return OSSIO_OK;
}

ossio_status ossio__xml_error_init(ossio__xml_error_parser *p, ossio__xml_error *out,
                                   const ossio__xml_limits *lim)
{
    memset(out, 0, sizeof *out);
    p->out = out;
    return ossio__xml_doc_init(&p->d, &error_def, no_entries, p, false, lim);
}

ossio_status ossio__xml_error_feed(ossio__xml_error_parser *p, const void *data, size_t len)
{
    return ossio__xml_doc_feed(&p->d, data, len);
}

ossio_status ossio__xml_error_finish(ossio__xml_error_parser *p)
{
    ossio_status st = ossio__xml_doc_finish(&p->d);
    if (st == OSSIO_OK) {
        fill_error(p->out, &p->d);
    }
    return st;
}

void ossio__xml_error_free(ossio__xml_error_parser *p)
{
    ossio__xml_doc_free(&p->d);
}

ossio_status ossio__xml_error_parse(ossio__xml_error *out, const void *data, size_t len)
{
    ossio__xml_error_parser p;
    ossio_status st = ossio__xml_error_init(&p, out, NULL);
    if (st == OSSIO_OK) {
        st = ossio__xml_error_feed(&p, data, len);
    }
    if (st == OSSIO_OK) {
        st = ossio__xml_error_finish(&p);
    }
    ossio__xml_error_free(&p);
    return st;
}

ossio_status ossio__xml_error_parse_prefix(ossio__xml_error *out, const void *data, size_t len)
{
    ossio__xml_error_parser p;
    ossio_status st = ossio__xml_error_init(&p, out, NULL);
    if (st != OSSIO_OK) {
        return st;
    }
    st = ossio__xml_error_feed(&p, data, len);
    fill_error(out, &p.d); /* the fields whose elements closed before the cut */
    ossio__xml_error_free(&p);
    return out->code[0] ? OSSIO_OK : st != OSSIO_OK ? st : OSSIO_EXML;
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

ossio_status ossio__xml_base64_decode(ossio__buf *out, const char *in, size_t len)
{
    /* Padding: at most two '=', only at the end, only to complete a quantum. */
    size_t pad = 0;
    while (pad < 2 && len > pad && in[len - 1 - pad] == '=') {
        pad++;
    }
    size_t n = len - pad;
    if ((pad && len % 4 != 0) || n % 4 == 1) {
        return OSSIO_EXML;
    }
    size_t start = out->len;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64val(in[i]);
        if (v < 0) {
            out->len = start;
            return OSSIO_EXML;
        }
        acc = (acc << 6 | (uint32_t)v) & 0xFFFFFFu;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            ossio_status st = ossio__buf_append_byte(out, (uint8_t)(acc >> bits));
            if (st != OSSIO_OK) {
                out->len = start;
                return st;
            }
        }
    }
    /* Leftover bits of the last character must be zero (canonical form). */
    if (bits && (acc & ((1u << bits) - 1u)) != 0) {
        out->len = start;
        return OSSIO_EXML;
    }
    return OSSIO_OK;
}

ossio_status ossio__xml_error_from_header(ossio__xml_error *out, const char *b64, size_t len)
{
    memset(out, 0, sizeof *out);
    ossio__buf xml;
    ossio__buf_init(&xml, 16 * 1024, OSSIO_EXML);
    ossio_status st = ossio__xml_base64_decode(&xml, b64, len);
    if (st == OSSIO_OK) {
        st = ossio__xml_error_parse(out, xml.data, xml.len);
    }
    ossio__buf_free(&xml);
    return st;
}

/* ---- Initiate / Complete / Copy ---- */

enum { RT_BUCKET, RT_KEY, RT_ID, RT_LOCATION, RT_ETAG, RT_MTIME, RT_ENC };
static const char *const result_tail[] = {"Bucket", "Key",          "UploadId",     "Location",
                                          "ETag",   "LastModified", "EncodingType", NULL};
static const ossio__xml_doc_def result_defs[] = {
    {"InitiateMultipartUploadResult", result_tail, 1u << RT_KEY, NULL, 0, &error_def},
    /* CompleteMultipartUploadResult, but S3-compatible servers name it
     * otherwise (CompleteMultipartUploadResponse): any root with an ETag is
     * the answer, so an object that exists is not reported as a failure. */
    {NULL, result_tail, 1u << RT_KEY, NULL, 0, &error_def},
    {"CopyObjectResult", result_tail, 0, NULL, 0, &error_def},
};

ossio_status ossio__xml_result_init(ossio__xml_result_parser *p, ossio__xml_result_kind kind,
                                    const ossio__xml_limits *lim)
{
    memset(&p->result, 0, sizeof p->result);
    if ((unsigned)kind > OSSIO__XML_COPY) {
        memset(&p->d, 0, sizeof p->d);
        return OSSIO_EINVAL;
    }
    p->kind = kind;
    return ossio__xml_doc_init(&p->d, &result_defs[kind], no_entries, p, false, lim);
}

ossio_status ossio__xml_result_feed(ossio__xml_result_parser *p, const void *data, size_t len)
{
    return ossio__xml_doc_feed(&p->d, data, len);
}

ossio_status ossio__xml_result_finish(ossio__xml_result_parser *p)
{
    ossio_status st = ossio__xml_doc_finish(&p->d);
    if (st != OSSIO_OK) {
        return st;
    }
    if (p->d.alt_used) {
        fill_error(&p->result.error, &p->d);
        return OSSIO_EHTTP;
    }
    ossio__xml_result *r = &p->result;
    r->bucket = p->d.tail[RT_BUCKET];
    r->key = p->d.tail[RT_KEY];
    r->upload_id = p->d.tail[RT_ID];
    r->location = p->d.tail[RT_LOCATION];
    r->etag = p->d.tail[RT_ETAG];
    r->last_modified = p->d.tail[RT_MTIME];
    if (p->kind == OSSIO__XML_INITIATE ? !r->upload_id.p : !r->etag.p) {
        p->d.s.status = OSSIO_EXML;
        p->d.s.why = p->kind == OSSIO__XML_INITIATE ? "no UploadId element" : "no ETag element";
        return OSSIO_EXML;
    }
    return OSSIO_OK;
}

void ossio__xml_result_free(ossio__xml_result_parser *p)
{
    ossio__xml_doc_free(&p->d);
    memset(&p->result, 0, sizeof p->result);
}

/* ---- DeleteResult ---- */

enum { DF_KEY, DF_CODE, DF_MESSAGE };
static const char *const deleted_fields[] = {"Key", NULL};
static const char *const delete_error_fields[] = {"Key", "Code", "Message", NULL};
static const ossio__xml_entry_def delete_entries[] = {
    {"Deleted", deleted_fields, 1u << DF_KEY},
    {"Error", delete_error_fields, 1u << DF_KEY},
};
static const char *const delete_tail[] = {"EncodingType", NULL};
static const ossio__xml_doc_def delete_def = {"DeleteResult", delete_tail, 0,
                                              delete_entries, 2,           NULL};

static ossio_status delete_emit(ossio__xml_doc *d, size_t entry, const ossio__xml_fields *f)
{
    ossio__xml_delete_parser *p = d->self;
    if (!(f->have & 1u << DF_KEY)) {
        return OSSIO_EXML;
    }
    int rc = 0;
    if (entry == 0) {
        if (p->cb->on_deleted) {
            rc = p->cb->on_deleted(p->ud, f->v[DF_KEY], f->n[DF_KEY]);
        }
    } else if (p->cb->on_error) {
        rc = p->cb->on_error(p->ud, f->v[DF_KEY], f->n[DF_KEY], f->v[DF_CODE], f->v[DF_MESSAGE]);
    }
    return rc ? OSSIO_ECANCELED : OSSIO_OK;
}

ossio_status ossio__xml_delete_init(ossio__xml_delete_parser *p,
                                    const ossio__xml_delete_callbacks *cb, void *ud,
                                    bool url_requested, const ossio__xml_limits *lim)
{
    static const ossio__xml_delete_callbacks none = {NULL, NULL};
    p->cb = cb ? cb : &none;
    p->ud = ud;
    return ossio__xml_doc_init(&p->d, &delete_def, delete_emit, p, url_requested, lim);
}

ossio_status ossio__xml_delete_feed(ossio__xml_delete_parser *p, const void *data, size_t len)
{
    return ossio__xml_doc_feed(&p->d, data, len);
}

ossio_status ossio__xml_delete_finish(ossio__xml_delete_parser *p)
{
    return ossio__xml_doc_finish(&p->d);
}

void ossio__xml_delete_free(ossio__xml_delete_parser *p)
{
    ossio__xml_doc_free(&p->d);
}
