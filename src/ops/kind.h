/* What varies by operation kind, in one table: the HTTP method, what a 2xx
 * body holds, whether it addresses the bucket or a key, which body it sends,
 * which settings it needs. Code asks the table instead of testing kinds. */
#ifndef OSSIO__OPS_KIND_H
#define OSSIO__OPS_KIND_H

#include "ops/parse.h"
#include "ossio.h"

/* The request body a kind sends. */
typedef enum ossio__op_body {
    OSSIO__OP_BODY_NONE,   /* no body, no Content-Length */
    OSSIO__OP_BODY_EMPTY,  /* Content-Length: 0 (PutBucket, CopyObject) */
    OSSIO__OP_BODY_CALLER, /* ossio_op_set_body() / ossio_op_set_body_reader() */
    OSSIO__OP_BODY_XML     /* the XML the operation writes (Complete, DeleteMultiple) */
} ossio__op_body;

/* What a kind does with the s3 dialect's checksums (ops/checksum.c). */
typedef enum ossio__op_sum_role {
    OSSIO__OP_SUM_NONE,
    OSSIO__OP_SUM_BODY,    /* sends its body's checksum, checks the echo (Put, UploadPart) */
    OSSIO__OP_SUM_READ,    /* asks for the object's checksum (Get: checks it; Head) */
    OSSIO__OP_SUM_INIT,    /* names the upload's algorithm and FULL_OBJECT type */
    OSSIO__OP_SUM_COMPLETE /* parts' checksums, the object's; checks the echo */
} ossio__op_sum_role;

typedef struct ossio__op_kind_info {
    const char *method;
    ossio__body_kind_xml xml; /* what a 2xx body holds */
    ossio__op_body body;
    unsigned bucket_level : 1; /* addresses the bucket: the URI's key is a prefix, or none */
    unsigned needs_upload : 1; /* needs ossio_op_set_upload() */
    unsigned part_number : 1;  /* ossio_op_set_upload() takes a part number */
    unsigned paged : 1;        /* a listing: ossio_op_set_list(), pages, a next token */
    unsigned ranged : 1;       /* GetObject: ranges, resumes, the body's CRC-64 */
    unsigned sized : 1;        /* Content-Length is the object's size (GET, HEAD) */
    unsigned slow_first : 1;   /* the server may take minutes before the first byte */
    unsigned batched : 1;      /* keys sent in batches of OSSIO__DELETE_BATCH */
    unsigned parts : 1;        /* ossio_op_add_part(): at least one before submit */
    unsigned copy : 1;         /* ossio_op_set_copy_source(): required */
    unsigned sum : 3;          /* an ossio__op_sum_role */
} ossio__op_kind_info;

/* DeleteMultipleObjects takes at most this many keys a request. */
#define OSSIO__DELETE_BATCH 1000

/* The row of |k|, which must be a valid kind (ossio__op_kind_valid()). */
const ossio__op_kind_info *ossio__op_kind(ossio_op_kind k);

int ossio__op_kind_valid(ossio_op_kind k);

#endif /* OSSIO__OPS_KIND_H */
