/* A transfer (internal view of ossio_transfer): one object moved as parts,
 * each part an operation (src/ops/), with parallelism, CRC-64 combination,
 * progress and exactly-once completion. */
#ifndef OSSIO_TRANSFER_TRANSFER_H
#define OSSIO_TRANSFER_TRANSFER_H

#include <stdint.h>

#include "http/headers.h"
#include <ev.h>

#include "loop/defer.h"
#include "ossio.h"

typedef struct part {
    uint64_t off;
    uint64_t len;
    uint64_t got;       /* download: bytes written */
    uint64_t crc;       /* CRC-64 of the part's bytes */
    char etag[128];     /* upload: the part's ETag */
    uint8_t *buf;       /* upload from a file / download to a stream: the part's bytes */
    uint64_t delivered; /* stream sink: bytes already handed to the caller */
    ossio_op *op;
    int state; /* 0 waiting, 1 in flight, 2 done */
    struct ossio_transfer *t;
    double started;      /* when its first request went out */
    uint64_t progress;   /* most bytes either request of it delivered */
    struct hedge *hedge; /* its second request, if hedged */
    int hedge_won;
} part;

/* The second request of a hedged part: writes the same bytes at the same
 * offsets (idempotent for fd and buffer sinks); the first to finish wins. */
typedef struct hedge {
    part *p;
    ossio_op *op;
    uint64_t got;
    uint64_t crc;
} hedge;

struct ossio_transfer {
    ossio_client *cl;
    int upload;
    char *uri;
    int submitted;
    int finishing; /* the outcome is decided; waiting for parts/abort to settle */
    ossio_status status;
    char detail[512];
    ossio_result result;
    char code[64], message[256], request_id[64];
    /* sink / source */
    int fd;
    ossio_stream_cb stream;
    void *stream_ud;
    size_t deliver_next; /* stream sink: the part whose bytes go out next */
    char *path;          /* to_file: final path; from_file: source */
    char *tmp_path;      /* to_file: the temporary file */
    uint8_t *buf;
    size_t cap;
    const uint8_t *data;
    uint64_t size;
    int size_known;
    ossio_hdrs hdrs;
    /* parts */
    uint64_t part_size;
    unsigned parallel;
    part *parts;
    size_t n_parts;
    size_t next; /* next part to start */
    size_t in_flight;
    size_t done_parts;
    char etag[128]; /* download: part 0's ETag (If-Match for the rest) */
    uint64_t server_crc;
    int has_server_crc;
    uint64_t crc;
    char upload_id[256];
    int keep_on_failure;
    int ctl_is_init; /* ctl is the InitiateMultipartUpload */
    int resuming;
    ossio_op *ctl; /* init / complete / abort / single PUT in flight */
    uint64_t moved;
    unsigned retries;
    /* callbacks */
    ossio_progress_cb progress;
    void *progress_ud;
    double last_progress;
    ossio_transfer_done_cb done;
    void *done_ud;
    ossio_deferred settle_node;
    int hedging;
    double started; /* ev_now() at submit */
    double elapsed;
    const char *protocol; /* of the last part that completed */
    unsigned hedges;
    ev_timer hedge_timer;
    double done_time_sum; /* durations of parts done, for the hedging threshold */
    unsigned done_time_count;
};

void ossio_transfer_fail(ossio_transfer *t, ossio_status st, const char *detail,
                         const ossio_result *from);
void ossio_transfer_complete(ossio_transfer *t);
void ossio_transfer_note_progress(ossio_transfer *t, int force);
/* Counts an operation's retries and protocol into the transfer's result. */
void ossio_transfer_account(ossio_transfer *t, const ossio_result *res);
void ossio_download_start(ossio_transfer *t);
void ossio_upload_start(ossio_transfer *t);
/* Called when nothing of the transfer is in flight any more. */
void ossio_transfer_settle(ossio_transfer *t);
/* ossio_transfer_settle() from the loop's next turn (failures found at submit). */
void ossio_transfer_settle_later(ossio_transfer *t);

#endif /* OSSIO_TRANSFER_TRANSFER_H */
