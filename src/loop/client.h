/* The client (internal view of ossio_client): the loop, the settings read
 * from the configuration, DNS, the TLS context, the pool, the deferred-call
 * queue, counters and logging. */
#ifndef OSSIO__LOOP_CLIENT_H
#define OSSIO__LOOP_CLIENT_H

#include <ev.h>
#include <openssl/ssl.h>
#include <stdint.h>

#include "dns/resolver.h"
#include "loop/defer.h"
#include "ops/uri.h"
#include "ossio.h"

#define OSSIO__STAT_COUNT 11

/* Something waiting for memory of the client's budget (transfer/budget.c). */
typedef struct ossio__waiter {
    struct ossio__waiter *next;
    void (*wake)(struct ossio__waiter *w);
    int waiting;
} ossio__waiter;

struct ossio_transfer;

typedef struct ossio__settings {
    size_t max_conns;
    double connect_timeout; /* seconds */
    double idle_timeout;    /* per request without progress */
    double first_byte;      /* response headers due after the request went out; 0: none */
    double first_byte_slow; /* the same for Complete and Copy */
    double low_speed_limit; /* bytes/s a request must keep up over low_speed_time; 0: off */
    double low_speed_time;  /* seconds */
    double deadline;        /* a whole operation or transfer; 0: none */
    double conn_idle;       /* idle connection reaping */
    int h2;                 /* offer h2 over TLS */
    int h2c;                /* h2 prior knowledge over cleartext */
    uint32_t max_streams;
    uint32_t stream_window;
    uint32_t conn_window;
    size_t max_header_bytes;
    uint64_t
        expect_continue_min; /* HTTP/1.1 bodies this large send Expect: 100-continue; 0 = never */
} ossio__settings;

/* What object-store operations need from the configuration (src/ops/). */
typedef struct ossio__oss_settings {
    ossio__endpoint ep;
    ossio_status ep_status; /* OSSIO_OK, or why the endpoint is unusable */
    char ep_msg[256];
    char *access_key_id;
    char *access_key_secret;
    char *security_token;
    int sig_v4;      /* fs.oss.signature.version = v4 */
    int s3;          /* fs.oss.dialect = s3: AWS SigV4, x-amz-* headers */
    int path_style;  /* fs.oss.path.style.access */
    char region[64]; /* fs.oss.region, else derived from the endpoint */
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

struct ossio_client {
    struct ev_loop *loop;
    int own_loop;
    ossio__settings set;
    ossio__resolver *resolver;
    SSL_CTX *ssl_ctx;
    struct ossio__origin *origins;
    ossio__defer_queue defer;
    ossio_request *all;   /* live requests (submitted, not yet freed) */
    struct ossio_op *ops; /* live operations (submitted, not yet freed) */
    uint64_t stats[OSSIO__STAT_COUNT];
    ossio_log_cb log;
    ossio_log_level log_level;
    void *log_ud;
    int destroying;
    ossio__oss_settings oss;
    /* memory budget shared by the client's transfers (transfer/budget.c);
     * bytes held and peak are stats[OSSIO_STAT_MEMORY_BUFFERED/_PEAK] */
    ossio__waiter *mem_waiters;
    ossio__waiter *mem_waiters_tail;
    ossio__deferred mem_kick;
    struct ossio_transfer *transfers; /* submitted, not yet completed */
    char error[512];                  /* last ossio_op_new() failure */
    char warnings[4][256]; /* configuration warnings, logged once a log callback is set */
    int n_warnings;
};

/* Cancels every submitted transfer (transfer/transfer.c; client destroy). */
void ossio__transfers_cancel_all(ossio_client *cl);

/* Formats and sends a message to the log callback, if one is set for |level|. */
void ossio__log(ossio_client *cl, ossio_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* OSSIO__LOOP_CLIENT_H */
