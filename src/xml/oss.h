/* Typed streaming parsers for OSS/S3 response bodies (errors, listings,
 * multipart, copy, delete) and writers for the XML bodies ossio sends. */
#ifndef OSSIO__XML_OSS_H
#define OSSIO__XML_OSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ossio.h"
#include "util/buf.h"
#include "xml/stream.h"

/* Most fields one entry or one document tail may name. */
#define OSSIO__XML_MAX_FIELDS 16

/* A string the parser owns: NUL-terminated, |p| NULL when the element was
 * absent. Valid until the parser is freed. */
typedef struct ossio__xml_str {
    char *p;
    size_t len;
} ossio__xml_str;

/* ---- Shared engine (internal to src/xml; the fields are private) ---- */

/* An element repeated under the root whose child elements are fields, e.g.
 * <Contents><Key/>...</Contents>. Bit i of |decode|: percent-decode field i
 * when the listing is url-encoded. */
typedef struct ossio__xml_entry_def {
    const char *name;
    const char *const *fields; /* NULL-terminated */
    unsigned decode;
} ossio__xml_entry_def;

/* One document type: its root, the text children of the root it keeps (the
 * "tail"), and its entries. |alt| (optional) is accepted as a root instead.
 * A NULL |root| accepts any root element (|alt|'s root still selects |alt|). */
typedef struct ossio__xml_doc_def {
    const char *root;
    const char *const *tail; /* NULL-terminated */
    unsigned tail_decode;
    const ossio__xml_entry_def *entries;
    size_t n_entries;
    const struct ossio__xml_doc_def *alt;
} ossio__xml_doc_def;

/* The fields of one entry: |v[i]| NUL-terminated (decoded) text of field i,
 * borrowed until the emit call returns; bit i of |have| says it was present. */
typedef struct ossio__xml_fields {
    const char *v[OSSIO__XML_MAX_FIELDS];
    size_t n[OSSIO__XML_MAX_FIELDS];
    unsigned have;
} ossio__xml_fields;

struct ossio__xml_doc;
/* Receives one complete entry; returns OSSIO_OK or the status to stop with. */
typedef ossio_status (*ossio__xml_emit_fn)(struct ossio__xml_doc *d, size_t entry,
                                           const ossio__xml_fields *f);

typedef struct ossio__xml_doc {
    ossio__xml_stream s;
    const ossio__xml_doc_def *def;
    ossio__xml_emit_fn emit;
    void *self; /* the typed parser around the engine */
    bool root_seen, root_ok, alt_used, url, emitted_raw;
    size_t entry; /* index + 1 of the entry being collected, 0 outside */
    ossio__buf arena;
    size_t off[OSSIO__XML_MAX_FIELDS];
    ossio__xml_fields cur;
    ossio__xml_str tail[OSSIO__XML_MAX_FIELDS];
} ossio__xml_doc;

/* Starts the engine for |def| (borrowed, normally static); |emit| gets each
 * entry with |self| reachable as d->self. |url| as url_requested. */
ossio_status ossio__xml_doc_init(ossio__xml_doc *d, const ossio__xml_doc_def *def,
                                 ossio__xml_emit_fn emit, void *self, bool url,
                                 const ossio__xml_limits *lim);
ossio_status ossio__xml_doc_feed(ossio__xml_doc *d, const void *data, size_t len);
/* Ends the document; OSSIO_EXML if the root was not def->root (or alt->root),
 * then decodes the tail fields if the document is url-encoded. */
ossio_status ossio__xml_doc_finish(ossio__xml_doc *d);
void ossio__xml_doc_free(ossio__xml_doc *d);
/* Tail field |i| of the definition in use (p NULL when absent). */
const ossio__xml_str *ossio__xml_doc_tail(const ossio__xml_doc *d, size_t i);
/* Parses a "true"/"false" field; false on anything else. */
bool ossio__xml_parse_bool(const ossio__xml_str *s, bool *out);

/* ---- <Error> ---- */

/* The server's error, each string copied and cut (at a UTF-8 boundary) to
 * its array; "" when absent. */
typedef struct ossio__xml_error {
    char code[64];
    char message[1024];
    char request_id[64];
    char host_id[256];
    char ec[64];
} ossio__xml_error;

typedef struct ossio__xml_error_parser {
    ossio__xml_doc d;
    ossio__xml_error *out;
} ossio__xml_error_parser;

/* Starts parsing an <Error> body into |out| (borrowed until finish or free;
 * cleared now, filled by a successful finish). |lim| as for the stream. The
 * parser must not move until freed. */
ossio_status ossio__xml_error_init(ossio__xml_error_parser *p, ossio__xml_error *out,
                                   const ossio__xml_limits *lim);
ossio_status ossio__xml_error_feed(ossio__xml_error_parser *p, const void *data, size_t len);
/* OSSIO_EXML unless a complete document with root <Error> was fed. */
ossio_status ossio__xml_error_finish(ossio__xml_error_parser *p);
void ossio__xml_error_free(ossio__xml_error_parser *p);

/* Parses a whole <Error> document held in memory. */
ossio_status ossio__xml_error_parse(ossio__xml_error *out, const void *data, size_t len);

/* The start of an error document, cut off (a server that sent more than the
 * client reads of an error): the fields whose elements closed within |len|
 * bytes. OSSIO_OK when a Code was among them. */
ossio_status ossio__xml_error_parse_prefix(ossio__xml_error *out, const void *data, size_t len);

/* Decodes the base64 value of a HEAD error's x-oss-err header (at most 16 KiB
 * decoded) and parses it into |out|. OSSIO_EXML on bad base64 or XML. */
ossio_status ossio__xml_error_from_header(ossio__xml_error *out, const char *b64, size_t len);

/* Strict base64 (standard alphabet, padding optional, no whitespace) of
 * |len| bytes at |in| appended to |out| (bounded by its max). OSSIO_EXML on a
 * bad character or length; on error |out| is unchanged. */
ossio_status ossio__xml_base64_decode(ossio__buf *out, const char *in, size_t len);

/* Percent-decodes |len| bytes (and '+' as a space, as encoding-type=url
 * listings do) appended to |out|. OSSIO_EXML on a bad escape. */
ossio_status ossio__xml_url_decode(ossio__buf *out, const char *in, size_t len);

/* ---- ListBucketResult (ListObjects V1 and V2) ---- */

/* One <Contents>. Strings borrowed until the callback returns; "" if absent. */
typedef struct ossio__xml_object {
    const char *key; /* percent-decoded when url-encoded; may hold NUL */
    size_t key_len;
    const char *last_modified;
    const char *etag;
    uint64_t size;
    const char *storage_class;
    const char *type;
} ossio__xml_object;

/* Per-entry callbacks (either may be NULL); nonzero stops the parse with
 * OSSIO_ECANCELED. |prefix| is one <CommonPrefixes><Prefix>. */
typedef struct ossio__xml_list_callbacks {
    int (*on_object)(void *ud, const ossio__xml_object *obj);
    int (*on_prefix)(void *ud, const char *prefix, size_t len);
} ossio__xml_list_callbacks;

/* The root's own fields, valid after a successful finish until free. Markers,
 * Prefix, Delimiter and StartAfter are decoded when url-encoded. */
typedef struct ossio__xml_list_result {
    bool is_truncated;
    bool has_key_count;
    uint64_t key_count;
    ossio__xml_str name, prefix, delimiter, encoding_type, marker, next_marker;
    ossio__xml_str continuation_token, next_continuation_token, start_after;
} ossio__xml_list_result;

typedef struct ossio__xml_list_parser {
    ossio__xml_doc d;
    const ossio__xml_list_callbacks *cb;
    void *ud;
    ossio__xml_list_result result;
} ossio__xml_list_parser;

/* Starts a listing parse. |cb| and |ud| are borrowed until free. If
 * |url_requested| (the request said encoding-type=url) keys are decoded from
 * the first entry; otherwise from an <EncodingType>url</EncodingType> that
 * precedes the entries (one after undecoded entries is OSSIO_EXML). */
ossio_status ossio__xml_list_init(ossio__xml_list_parser *p, const ossio__xml_list_callbacks *cb,
                                  void *ud, bool url_requested, const ossio__xml_limits *lim);
ossio_status ossio__xml_list_feed(ossio__xml_list_parser *p, const void *data, size_t len);
/* OSSIO_EXML unless complete, rooted at ListBucketResult, with IsTruncated. */
ossio_status ossio__xml_list_finish(ossio__xml_list_parser *p);
void ossio__xml_list_free(ossio__xml_list_parser *p);

/* ---- ListMultipartUploadsResult ---- */

typedef struct ossio__xml_upload {
    const char *key; /* decoded when url-encoded */
    size_t key_len;
    const char *upload_id;
    const char *initiated;
} ossio__xml_upload;

typedef struct ossio__xml_uploads_callbacks {
    int (*on_upload)(void *ud, const ossio__xml_upload *u);
    int (*on_prefix)(void *ud, const char *prefix, size_t len);
} ossio__xml_uploads_callbacks;

typedef struct ossio__xml_uploads_result {
    bool is_truncated;
    ossio__xml_str bucket, prefix, delimiter, encoding_type;
    ossio__xml_str key_marker, upload_id_marker, next_key_marker, next_upload_id_marker;
} ossio__xml_uploads_result;

typedef struct ossio__xml_uploads_parser {
    ossio__xml_doc d;
    const ossio__xml_uploads_callbacks *cb;
    void *ud;
    ossio__xml_uploads_result result;
} ossio__xml_uploads_parser;

ossio_status ossio__xml_uploads_init(ossio__xml_uploads_parser *p,
                                     const ossio__xml_uploads_callbacks *cb, void *ud,
                                     bool url_requested, const ossio__xml_limits *lim);
ossio_status ossio__xml_uploads_feed(ossio__xml_uploads_parser *p, const void *data, size_t len);
ossio_status ossio__xml_uploads_finish(ossio__xml_uploads_parser *p);
void ossio__xml_uploads_free(ossio__xml_uploads_parser *p);

/* ---- ListPartsResult ---- */

typedef struct ossio__xml_part {
    uint32_t number; /* 1..10000 */
    const char *etag;
    uint64_t size;
    const char *last_modified;
    bool has_crc64;
    uint64_t crc64; /* HashCrc64ecma */
} ossio__xml_part;

typedef struct ossio__xml_parts_result {
    bool is_truncated;
    bool has_next_marker;
    uint64_t next_part_number_marker;
    ossio__xml_str bucket, key, upload_id;
} ossio__xml_parts_result;

typedef struct ossio__xml_parts_parser {
    ossio__xml_doc d;
    int (*on_part)(void *ud, const ossio__xml_part *part);
    void *ud;
    ossio__xml_parts_result result;
} ossio__xml_parts_parser;

ossio_status ossio__xml_parts_init(ossio__xml_parts_parser *p,
                                   int (*on_part)(void *ud, const ossio__xml_part *part), void *ud,
                                   const ossio__xml_limits *lim);
ossio_status ossio__xml_parts_feed(ossio__xml_parts_parser *p, const void *data, size_t len);
ossio_status ossio__xml_parts_finish(ossio__xml_parts_parser *p);
void ossio__xml_parts_free(ossio__xml_parts_parser *p);

/* ---- InitiateMultipartUploadResult, CompleteMultipartUploadResult,
 *      CopyObjectResult ---- */

typedef enum ossio__xml_result_kind {
    OSSIO__XML_INITIATE, /* requires UploadId */
    OSSIO__XML_COMPLETE, /* requires ETag; any root name (S3-compatible servers
                          * answer e.g. CompleteMultipartUploadResponse) */
    OSSIO__XML_COPY      /* requires ETag */
} ossio__xml_result_kind;

/* Fields of the kind's root (absent ones have p == NULL). An <Error> root
 * (S3 may answer 200 with one) fills |error| and finish returns OSSIO_EHTTP. */
typedef struct ossio__xml_result {
    ossio__xml_str bucket, key, upload_id, location, etag, last_modified;
    ossio__xml_error error;
} ossio__xml_result;

typedef struct ossio__xml_result_parser {
    ossio__xml_doc d;
    ossio__xml_result_kind kind;
    ossio__xml_result result;
} ossio__xml_result_parser;

ossio_status ossio__xml_result_init(ossio__xml_result_parser *p, ossio__xml_result_kind kind,
                                    const ossio__xml_limits *lim);
ossio_status ossio__xml_result_feed(ossio__xml_result_parser *p, const void *data, size_t len);
ossio_status ossio__xml_result_finish(ossio__xml_result_parser *p);
void ossio__xml_result_free(ossio__xml_result_parser *p);

/* ---- DeleteResult ---- */

typedef struct ossio__xml_delete_callbacks {
    /* One <Deleted><Key>; the key is decoded when url-encoded. */
    int (*on_deleted)(void *ud, const char *key, size_t key_len);
    /* One <Error><Key/><Code/><Message/></Error> ("" when absent). */
    int (*on_error)(void *ud, const char *key, size_t key_len, const char *code,
                    const char *message);
} ossio__xml_delete_callbacks;

typedef struct ossio__xml_delete_parser {
    ossio__xml_doc d;
    const ossio__xml_delete_callbacks *cb;
    void *ud;
} ossio__xml_delete_parser;

ossio_status ossio__xml_delete_init(ossio__xml_delete_parser *p,
                                    const ossio__xml_delete_callbacks *cb, void *ud,
                                    bool url_requested, const ossio__xml_limits *lim);
ossio_status ossio__xml_delete_feed(ossio__xml_delete_parser *p, const void *data, size_t len);
ossio_status ossio__xml_delete_finish(ossio__xml_delete_parser *p);
void ossio__xml_delete_free(ossio__xml_delete_parser *p);

/* ---- Request bodies ---- */

typedef struct ossio__xml_part_ref {
    uint32_t number; /* 1..10000, strictly increasing */
    const char *etag;
    size_t etag_len;
    const char *sum_elem; /* s3 dialect: "ChecksumCRC32C" or "ChecksumCRC32"; NULL: none */
    const char *sum;      /* its value (base64) */
} ossio__xml_part_ref;

/* Appends a CompleteMultipartUpload body for |n| >= 1 parts to |out|:
 * <?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUpload><Part>
 * <PartNumber>1</PartNumber><ETag>"…"</ETag></Part>…</CompleteMultipartUpload>
 * (no whitespace between elements). OSSIO_EINVAL on a bad part number or
 * order or text XML 1.0 cannot carry; |out|'s status when it is full. On
 * error |out| is unchanged. */
ossio_status ossio__xml_write_complete(ossio__buf *out, const ossio__xml_part_ref *parts, size_t n);

typedef struct ossio__xml_key {
    const char *key;
    size_t len;
} ossio__xml_key;

#define OSSIO__XML_DELETE_MAX 1000

/* Appends a Delete body for 1..1000 keys:
 * <?xml version="1.0" encoding="UTF-8"?>\n<Delete><Quiet>true</Quiet>
 * <Object><Key>…</Key></Object>…</Delete>. Keys must be valid UTF-8 of XML
 * 1.0 characters (else OSSIO_EINVAL); &<>"' and CR are escaped. */
ossio_status ossio__xml_write_delete(ossio__buf *out, bool quiet, const ossio__xml_key *keys,
                                     size_t n);

/* Appends |len| bytes of UTF-8 text XML-escaped. OSSIO_EINVAL if not valid
 * UTF-8 or not XML 1.0 characters; on error |out| is unchanged. */
ossio_status ossio__xml_escape(ossio__buf *out, const char *text, size_t len);

#endif /* OSSIO__XML_OSS_H */
