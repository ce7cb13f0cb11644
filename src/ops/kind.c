/* The per-kind table of operations (ops/kind.h): one row a kind, in the
 * order of ossio_op_kind. */
#include "ops/kind.h"

#define XML(x) OSSIO__BODY_XML_##x
#define BODY(x) OSSIO__OP_BODY_##x
#define SUM(x) OSSIO__OP_SUM_##x

static const ossio__op_kind_info kinds[] = {
    [OSSIO_OP_HEAD] = {"HEAD", XML(NONE), BODY(NONE), .sized = 1, .sum = SUM(READ)},
    [OSSIO_OP_GET] = {"GET", XML(NONE), BODY(NONE), .ranged = 1, .sized = 1, .sum = SUM(READ)},
    [OSSIO_OP_PUT] = {"PUT", XML(NONE), BODY(CALLER), .sum = SUM(BODY)},
    [OSSIO_OP_DELETE] = {"DELETE", XML(NONE), BODY(NONE)},
    [OSSIO_OP_DELETE_MANY] = {"POST", XML(DELETE), BODY(XML), .bucket_level = 1, .batched = 1},
    [OSSIO_OP_LIST] = {"GET", XML(LIST), BODY(NONE), .bucket_level = 1, .paged = 1},
    [OSSIO_OP_COPY] = {"PUT", XML(COPY), BODY(EMPTY), .slow_first = 1, .copy = 1},
    [OSSIO_OP_MULTIPART_INIT] = {"POST", XML(INIT), BODY(NONE), .sum = SUM(INIT)},
    [OSSIO_OP_MULTIPART_PART] = {"PUT", XML(NONE), BODY(CALLER), .needs_upload = 1,
                                 .part_number = 1, .sum = SUM(BODY)},
    [OSSIO_OP_MULTIPART_COMPLETE] = {"POST", XML(COMPLETE), BODY(XML), .needs_upload = 1,
                                     .slow_first = 1, .parts = 1, .sum = SUM(COMPLETE)},
    [OSSIO_OP_MULTIPART_ABORT] = {"DELETE", XML(NONE), BODY(NONE), .needs_upload = 1},
    [OSSIO_OP_MULTIPART_LIST_PARTS] = {"GET", XML(PARTS), BODY(NONE), .needs_upload = 1,
                                       .paged = 1},
    [OSSIO_OP_MULTIPART_LIST_UPLOADS] = {"GET", XML(UPLOADS), BODY(NONE), .bucket_level = 1,
                                         .paged = 1},
    [OSSIO_OP_BUCKET_CREATE] = {"PUT", XML(NONE), BODY(EMPTY), .bucket_level = 1},
    [OSSIO_OP_BUCKET_DELETE] = {"DELETE", XML(NONE), BODY(NONE), .bucket_level = 1},
};

int ossio__op_kind_valid(ossio_op_kind k)
{
    return (unsigned)k < sizeof(kinds) / sizeof(kinds[0]);
}

const ossio__op_kind_info *ossio__op_kind(ossio_op_kind k)
{
    return &kinds[k];
}
