/* Paged listings (ListObjects V1/V2, ListParts, ListMultipartUploads): after
 * each page, whether a next one is asked for and from where. A listing is
 * complete or it is an error, never a silent subset or an endless loop. */
#ifndef OSSIO__OPS_PAGING_H
#define OSSIO__OPS_PAGING_H

#include "ops/op.h"

/* Decides after a page of |op| that parsed: OSSIO_OK with *more set (then
 * op->token, and for ListMultipartUploads the upload-id-marker, name the next
 * page), or OSSIO_EPAGING with op->detail saying which rule the server broke:
 * a truncated page without a way forward, or a marker that does not advance
 * (one already used). */
ossio_status ossio__paging_next(ossio_op *op, int *more);

/* Frees the paging state of |op|. */
void ossio__paging_free(ossio_op *op);

#endif /* OSSIO__OPS_PAGING_H */
