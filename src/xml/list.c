/* Listing parsers: ListBucketResult (ListObjects V1/V2), ListMultipartUploads
 * and ListParts, one callback per entry, the root's fields at finish. */
#include "xml/oss.h"

#include <string.h>

#include "util/cursor.h"

static bool parse_u64(const char *v, size_t n, uint64_t *out)
{
    return ossio__u64_dec(v, n, out);
}

static ossio_status opt_bool(const ossio__xml_doc *d, size_t i, bool *out, bool required)
{
    const ossio__xml_str *t = ossio__xml_doc_tail(d, i);
    *out = false;
    if (!t->p) {
        return required ? OSSIO_EXML : OSSIO_OK;
    }
    return ossio__xml_parse_bool(t, out) ? OSSIO_OK : OSSIO_EXML;
}

static ossio_status opt_u64(const ossio__xml_doc *d, size_t i, bool *has, uint64_t *out)
{
    const ossio__xml_str *t = ossio__xml_doc_tail(d, i);
    *has = false;
    *out = 0;
    if (!t->p) {
        return OSSIO_OK;
    }
    if (!parse_u64(t->p, t->len, out)) {
        return OSSIO_EXML;
    }
    *has = true;
    return OSSIO_OK;
}

static ossio_status fail_finish(ossio__xml_doc *d, ossio_status st, const char *why)
{
    if (st != OSSIO_OK) {
        d->s.status = st;
        d->s.why = why;
    }
    return st;
}

/* ---- ListBucketResult ---- */

enum { LF_KEY, LF_MTIME, LF_ETAG, LF_SIZE, LF_CLASS, LF_TYPE };
static const char *const list_object_fields[] = {"Key",          "LastModified", "ETag", "Size",
                                                 "StorageClass", "Type",         NULL};
static const char *const prefix_fields[] = {"Prefix", NULL};
static const ossio__xml_entry_def list_entries[] = {
    {"Contents", list_object_fields, 1u << LF_KEY},
    {"CommonPrefixes", prefix_fields, 1u},
};
enum {
    LT_NAME,
    LT_PREFIX,
    LT_DELIM,
    LT_ENC,
    LT_MARKER,
    LT_NEXT_MARKER,
    LT_CTOKEN,
    LT_NEXT_CTOKEN,
    LT_START_AFTER,
    LT_TRUNC,
    LT_KEY_COUNT,
};
static const char *const list_tail[] = {
    "Name",       "Prefix",      "Delimiter",         "EncodingType",
    "Marker",     "NextMarker",  "ContinuationToken", "NextContinuationToken",
    "StartAfter", "IsTruncated", "KeyCount",          NULL};
static const ossio__xml_doc_def list_def = {
    "ListBucketResult",
    list_tail,
    1u << LT_PREFIX | 1u << LT_DELIM | 1u << LT_MARKER | 1u << LT_NEXT_MARKER |
        1u << LT_START_AFTER,
    list_entries,
    2,
    NULL,
};

static ossio_status list_emit(ossio__xml_doc *d, size_t entry, const ossio__xml_fields *f)
{
    ossio__xml_list_parser *p = d->self;
    if (entry == 1) {
        if (!(f->have & 1u)) {
            return OSSIO_OK; /* an empty <CommonPrefixes/> */
        }
        if (p->cb->on_prefix && p->cb->on_prefix(p->ud, f->v[0], f->n[0]) != 0) {
            return OSSIO_ECANCELED;
        }
        return OSSIO_OK;
    }
    ossio__xml_object o = {0};
    if (!(f->have & 1u << LF_KEY) || !(f->have & 1u << LF_SIZE) ||
        !parse_u64(f->v[LF_SIZE], f->n[LF_SIZE], &o.size)) {
        return OSSIO_EXML;
    }
    o.key = f->v[LF_KEY];
    o.key_len = f->n[LF_KEY];
    o.last_modified = f->v[LF_MTIME];
    o.etag = f->v[LF_ETAG];
    o.storage_class = f->v[LF_CLASS];
    o.type = f->v[LF_TYPE];
    if (p->cb->on_object && p->cb->on_object(p->ud, &o) != 0) {
        return OSSIO_ECANCELED;
    }
    return OSSIO_OK;
}

ossio_status ossio__xml_list_init(ossio__xml_list_parser *p, const ossio__xml_list_callbacks *cb,
                                  void *ud, bool url_requested, const ossio__xml_limits *lim)
{
    static const ossio__xml_list_callbacks none = {NULL, NULL};
    memset(&p->result, 0, sizeof p->result);
    p->cb = cb ? cb : &none;
    p->ud = ud;
    return ossio__xml_doc_init(&p->d, &list_def, list_emit, p, url_requested, lim);
}

ossio_status ossio__xml_list_feed(ossio__xml_list_parser *p, const void *data, size_t len)
{
    return ossio__xml_doc_feed(&p->d, data, len);
}

ossio_status ossio__xml_list_finish(ossio__xml_list_parser *p)
{
    ossio_status st = ossio__xml_doc_finish(&p->d);
    if (st != OSSIO_OK) {
        return st;
    }
    ossio__xml_list_result *r = &p->result;
    st = opt_bool(&p->d, LT_TRUNC, &r->is_truncated, true);
    if (st == OSSIO_OK) {
        st = opt_u64(&p->d, LT_KEY_COUNT, &r->has_key_count, &r->key_count);
    }
    if (st != OSSIO_OK) {
        return fail_finish(&p->d, st, "bad or missing IsTruncated/KeyCount");
    }
    r->name = p->d.tail[LT_NAME];
    r->prefix = p->d.tail[LT_PREFIX];
    r->delimiter = p->d.tail[LT_DELIM];
    r->encoding_type = p->d.tail[LT_ENC];
    r->marker = p->d.tail[LT_MARKER];
    r->next_marker = p->d.tail[LT_NEXT_MARKER];
    r->continuation_token = p->d.tail[LT_CTOKEN];
    r->next_continuation_token = p->d.tail[LT_NEXT_CTOKEN];
    r->start_after = p->d.tail[LT_START_AFTER];
    return OSSIO_OK;
}

void ossio__xml_list_free(ossio__xml_list_parser *p)
{
    ossio__xml_doc_free(&p->d);
    memset(&p->result, 0, sizeof p->result);
}

/* ---- ListMultipartUploadsResult ---- */

enum { UF_KEY, UF_ID, UF_INIT };
static const char *const upload_fields[] = {"Key", "UploadId", "Initiated", NULL};
static const ossio__xml_entry_def uploads_entries[] = {
    {"Upload", upload_fields, 1u << UF_KEY},
    {"CommonPrefixes", prefix_fields, 1u},
};
enum {
    UT_BUCKET,
    UT_PREFIX,
    UT_DELIM,
    UT_ENC,
    UT_KEY_MARKER,
    UT_ID_MARKER,
    UT_NEXT_KEY_MARKER,
    UT_NEXT_ID_MARKER,
    UT_TRUNC,
};
static const char *const uploads_tail[] = {
    "Bucket",         "Prefix",        "Delimiter",          "EncodingType", "KeyMarker",
    "UploadIdMarker", "NextKeyMarker", "NextUploadIdMarker", "IsTruncated",  NULL};
static const ossio__xml_doc_def uploads_def = {
    "ListMultipartUploadsResult",
    uploads_tail,
    1u << UT_PREFIX | 1u << UT_DELIM | 1u << UT_KEY_MARKER | 1u << UT_NEXT_KEY_MARKER,
    uploads_entries,
    2,
    NULL,
};

static ossio_status uploads_emit(ossio__xml_doc *d, size_t entry, const ossio__xml_fields *f)
{
    ossio__xml_uploads_parser *p = d->self;
    if (entry == 1) {
        if ((f->have & 1u) && p->cb->on_prefix && p->cb->on_prefix(p->ud, f->v[0], f->n[0]) != 0) {
            return OSSIO_ECANCELED;
        }
        return OSSIO_OK;
    }
    if (!(f->have & 1u << UF_KEY) || !(f->have & 1u << UF_ID)) {
        return OSSIO_EXML;
    }
    ossio__xml_upload u = {f->v[UF_KEY], f->n[UF_KEY], f->v[UF_ID], f->v[UF_INIT]};
    if (p->cb->on_upload && p->cb->on_upload(p->ud, &u) != 0) {
        return OSSIO_ECANCELED;
    }
    return OSSIO_OK;
}

ossio_status ossio__xml_uploads_init(ossio__xml_uploads_parser *p,
                                     const ossio__xml_uploads_callbacks *cb, void *ud,
                                     bool url_requested, const ossio__xml_limits *lim)
{
    static const ossio__xml_uploads_callbacks none = {NULL, NULL};
    memset(&p->result, 0, sizeof p->result);
    p->cb = cb ? cb : &none;
    p->ud = ud;
    return ossio__xml_doc_init(&p->d, &uploads_def, uploads_emit, p, url_requested, lim);
}

ossio_status ossio__xml_uploads_feed(ossio__xml_uploads_parser *p, const void *data, size_t len)
{
    return ossio__xml_doc_feed(&p->d, data, len);
}

ossio_status ossio__xml_uploads_finish(ossio__xml_uploads_parser *p)
{
    ossio_status st = ossio__xml_doc_finish(&p->d);
    if (st != OSSIO_OK) {
        return st;
    }
    ossio__xml_uploads_result *r = &p->result;
    st = opt_bool(&p->d, UT_TRUNC, &r->is_truncated, true);
    if (st != OSSIO_OK) {
        return fail_finish(&p->d, st, "bad or missing IsTruncated");
    }
    r->bucket = p->d.tail[UT_BUCKET];
    r->prefix = p->d.tail[UT_PREFIX];
    r->delimiter = p->d.tail[UT_DELIM];
    r->encoding_type = p->d.tail[UT_ENC];
    r->key_marker = p->d.tail[UT_KEY_MARKER];
    r->upload_id_marker = p->d.tail[UT_ID_MARKER];
    r->next_key_marker = p->d.tail[UT_NEXT_KEY_MARKER];
    r->next_upload_id_marker = p->d.tail[UT_NEXT_ID_MARKER];
    return OSSIO_OK;
}

void ossio__xml_uploads_free(ossio__xml_uploads_parser *p)
{
    ossio__xml_doc_free(&p->d);
    memset(&p->result, 0, sizeof p->result);
}

/* ---- ListPartsResult ---- */

enum { PF_NUM, PF_ETAG, PF_SIZE, PF_MTIME, PF_CRC };
static const char *const part_fields[] = {"PartNumber",   "ETag",          "Size",
                                          "LastModified", "HashCrc64ecma", NULL};
static const ossio__xml_entry_def parts_entries[] = {{"Part", part_fields, 0}};
enum { PT_BUCKET, PT_KEY, PT_ID, PT_NEXT, PT_TRUNC };
static const char *const parts_tail[] = {"Bucket",      "Key", "UploadId", "NextPartNumberMarker",
                                         "IsTruncated", NULL};
static const ossio__xml_doc_def parts_def = {
    "ListPartsResult", parts_tail, 1u << PT_KEY, parts_entries, 1, NULL,
};

static ossio_status parts_emit(ossio__xml_doc *d, size_t entry, const ossio__xml_fields *f)
{
    ossio__xml_parts_parser *p = d->self;
    (void)entry;
    ossio__xml_part part = {0};
    uint64_t num;
    unsigned need = 1u << PF_NUM | 1u << PF_ETAG | 1u << PF_SIZE;
    if ((f->have & need) != need || !parse_u64(f->v[PF_NUM], f->n[PF_NUM], &num) || num < 1 ||
        num > 10000 || !parse_u64(f->v[PF_SIZE], f->n[PF_SIZE], &part.size)) {
        return OSSIO_EXML;
    }
    if (f->have & 1u << PF_CRC) {
        if (!parse_u64(f->v[PF_CRC], f->n[PF_CRC], &part.crc64)) {
            return OSSIO_EXML;
        }
        part.has_crc64 = true;
    }
    part.number = (uint32_t)num;
    part.etag = f->v[PF_ETAG];
    part.last_modified = f->v[PF_MTIME];
    if (p->on_part && p->on_part(p->ud, &part) != 0) {
        return OSSIO_ECANCELED;
    }
    return OSSIO_OK;
}

ossio_status ossio__xml_parts_init(ossio__xml_parts_parser *p,
                                   int (*on_part)(void *ud, const ossio__xml_part *part), void *ud,
                                   const ossio__xml_limits *lim)
{
    memset(&p->result, 0, sizeof p->result);
    p->on_part = on_part;
    p->ud = ud;
    return ossio__xml_doc_init(&p->d, &parts_def, parts_emit, p, false, lim);
}

ossio_status ossio__xml_parts_feed(ossio__xml_parts_parser *p, const void *data, size_t len)
{
    return ossio__xml_doc_feed(&p->d, data, len);
}

ossio_status ossio__xml_parts_finish(ossio__xml_parts_parser *p)
{
    ossio_status st = ossio__xml_doc_finish(&p->d);
    if (st != OSSIO_OK) {
        return st;
    }
    ossio__xml_parts_result *r = &p->result;
    st = opt_bool(&p->d, PT_TRUNC, &r->is_truncated, true);
    if (st == OSSIO_OK) {
        st = opt_u64(&p->d, PT_NEXT, &r->has_next_marker, &r->next_part_number_marker);
    }
    if (st != OSSIO_OK) {
        return fail_finish(&p->d, st, "bad or missing IsTruncated/NextPartNumberMarker");
    }
    r->bucket = p->d.tail[PT_BUCKET];
    r->key = p->d.tail[PT_KEY];
    r->upload_id = p->d.tail[PT_ID];
    return OSSIO_OK;
}

void ossio__xml_parts_free(ossio__xml_parts_parser *p)
{
    ossio__xml_doc_free(&p->d);
    memset(&p->result, 0, sizeof p->result);
}
