/* Response bodies of operations, parsed as they stream in (src/xml/ does the
 * XML): errors, listings, multipart results. The parser writes what it finds
 * into the operation and hands listing entries to the caller's callback. */
#ifndef OSSIO__OPS_PARSE_H
#define OSSIO__OPS_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "ops/op.h"

typedef enum ossio__body_kind_xml {
    OSSIO__BODY_XML_NONE,
    OSSIO__BODY_XML_ERROR,
    OSSIO__BODY_XML_LIST,
    OSSIO__BODY_XML_UPLOADS,
    OSSIO__BODY_XML_PARTS,
    OSSIO__BODY_XML_INIT,
    OSSIO__BODY_XML_COMPLETE,
    OSSIO__BODY_XML_COPY,
    OSSIO__BODY_XML_DELETE
} ossio__body_kind_xml;

typedef struct ossio__op_parser ossio__op_parser;

/* A parser for |kind| writing into |op|; NULL on out of memory. */
ossio__op_parser *ossio__op_parser_new(ossio_op *op, ossio__body_kind_xml kind);
/* OSSIO_EXML on malformed XML, OSSIO_ECANCELED if the entry callback stopped. */
ossio_status ossio__op_parser_feed(ossio__op_parser *p, const uint8_t *data, size_t len);
ossio_status ossio__op_parser_finish(ossio__op_parser *p);
void ossio__op_parser_free(ossio__op_parser *p);
/* Why the body |p| parsed could not be used, naming the operation:
 * "malformed XML in the CompleteMultipartUpload response: no ETag element". */
void ossio__op_parser_detail(const ossio__op_parser *p, char *out, size_t cap);

/* Fills op->code/message/request_id/host_id/ec from an error document (the
 * body, or the base64 x-oss-err header of a HEAD); 0 if it could not. */
int ossio__op_parse_error(ossio_op *op, const uint8_t *xml, size_t len);
int ossio__op_parse_error_b64(ossio_op *op, const char *b64);

/* Request bodies: CompleteMultipartUpload and Delete (keys [from, from+n)). */
ossio_status ossio__op_write_complete(const ossio_op *op, ossio__buf *out);
ossio_status ossio__op_write_delete(const ossio_op *op, size_t from, size_t n, ossio__buf *out);

#endif /* OSSIO__OPS_PARSE_H */
