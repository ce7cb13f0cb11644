/* The s3 dialect's checksums (fs.oss.s3.checksum): what a request carries
 * (x-amz-checksum-crc32c / -crc32, Content-MD5, x-amz-checksum-mode) and
 * what an answer's x-amz-checksum-* headers must equal. OSS's CRC-64 stays
 * in ops/response.c. */
#ifndef OSSIO__OPS_CHECKSUM_H
#define OSSIO__OPS_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#include "http/headers.h"
#include "ops/context.h"
#include "ops/op.h"
#include "transport/request.h"

/* The CRC algorithm |o| sends (an ossio__crc32_kind), or -1 (the oss
 * dialect, md5, none). */
int ossio__ops_sum_kind(const ossio__oss_settings *o);

/* Before an attempt is built: the body's CRC or MD5, once per operation;
 * a file body's (and its CRC-64) from one read of its range. OSSIO_OK, or
 * OSSIO_EIO (the file is shorter or unreadable) or OSSIO_ENOMEM. */
ossio_status ossio__op_sum_prepare(ossio_op *op, const ossio__oss_settings *o);

/* The checksum headers of |op|'s request (after the caller's, before signing). */
ossio_status ossio__op_sum_headers(const ossio_op *op, const ossio__oss_settings *o,
                                   ossio__hdrs *h);

/* A 2xx answer's x-amz-checksum-* headers, kept in |op| and its info. */
void ossio__op_sum_answer(ossio_op *op, const ossio_response *resp);

/* GET body bytes, delivered in order. */
void ossio__op_sum_data(ossio_op *op, const uint8_t *data, size_t len);

/* At the end of a 2xx answer: the echoed or whole-object checksum against
 * ours. Returns 1 if it decided (failed with OSSIO_ECHECKSUM or retried). */
int ossio__op_sum_check(ossio_op *op);

#endif /* OSSIO__OPS_CHECKSUM_H */
