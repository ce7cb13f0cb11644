/* The operations layer's part of a client: the object-store settings read
 * from the configuration, the live operations and the last ossio_op_new()
 * failure. The client (src/client/) embeds one; operations, transfers and
 * split readers reach it through ossio__cl_ops() and the transport context
 * through ossio__cl_tp() -- they hold the public ossio_client handle and
 * never see the client's layout. */
#ifndef OSSIO__OPS_CONTEXT_H
#define OSSIO__OPS_CONTEXT_H

#include <stdint.h>

#include "ops/uri.h"
#include "ossio.h"
#include "transport/transport.h"

/* What object-store operations need from the configuration (src/ops/). */
/* What the s3 dialect sends with a body (fs.oss.s3.checksum). */
typedef enum ossio__sum {
    OSSIO__SUM_CRC32C, /* x-amz-checksum-crc32c (the default) */
    OSSIO__SUM_CRC32,  /* x-amz-checksum-crc32 */
    OSSIO__SUM_MD5,    /* Content-MD5 only: for servers with no x-amz-checksum-* */
    OSSIO__SUM_NONE
} ossio__sum;

typedef struct ossio__oss_settings {
    ossio__endpoint ep;
    ossio_status ep_status; /* OSSIO_OK, or why the endpoint is unusable */
    char ep_msg[256];
    char *access_key_id;
    char *access_key_secret;
    char *security_token;
    int sig_v4;       /* fs.oss.signature.version = v4 */
    int s3;           /* fs.oss.dialect = s3: AWS SigV4, x-amz-* headers */
    int s3_checksum;  /* fs.oss.s3.checksum (s3 dialect): an OSSIO__SUM_* */
    int s3_composite; /* fs.oss.s3.checksum.type = composite: no FULL_OBJECT */
    int path_style;   /* fs.oss.path.style.access */
    char region[64];  /* fs.oss.region, else derived from the endpoint */
    unsigned attempts;
    uint32_t paging;
    int list_v1;
    double clock_skew; /* server time - local time, learnt from RequestTimeTooSkewed */
    uint64_t download_part_size;
    unsigned download_parallel;
    uint64_t upload_part_size;
    uint64_t upload_threshold;
    unsigned upload_parallel;
    uint64_t memory_limit;     /* fs.oss.memory.limit */
    uint64_t block_size;       /* fs.oss.block.size: Flink's split size */
    uint64_t split_min_size;   /* fs.oss.split.min.size */
    uint64_t split_record_max; /* fs.oss.split.record.maximum */
    char *buffer_dir;          /* fs.oss.buffer.dir: push uploads spill here; NULL: never */
    uint64_t rng;              /* backoff jitter */
    int hedging;               /* fs.oss.multipart.download.hedging: downloads' default */
    uint64_t hedge_parts;      /* download parts started by this client */
    uint64_t hedges;           /* hedged requests sent: at most 5 % of hedge_parts */
} ossio__oss_settings;

typedef struct ossio__ops_ctx {
    ossio__oss_settings oss;
    struct ossio_op *ops; /* live operations (submitted, not yet freed) */
    char error[512];      /* last ossio_op_new() failure */
} ossio__ops_ctx;

/* The operations context of |cl|; implemented by the client (src/client/).
 * Never NULL for a valid client; it lives as long as the client. */
ossio__ops_ctx *ossio__cl_ops(const ossio_client *cl);

/* Formats and sends a message to |cl|'s log callback, if one is set for
 * |level| (ossio__tp_log on the client's transport context). */
void ossio__log(ossio_client *cl, ossio_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* OSSIO__OPS_CONTEXT_H */
