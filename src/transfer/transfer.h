/* A transfer (internal view of ossio_transfer): one object moved as parts,
 * each part an operation (src/ops/), with parallelism, CRC-64 combination,
 * progress and exactly-once completion. A base that every kind shares, the
 * state of its kind (download, upload, push), and the kind's table of
 * operations. */
#ifndef OSSIO__TRANSFER_TRANSFER_H
#define OSSIO__TRANSFER_TRANSFER_H

#include <stdint.h>

#include "http/headers.h"
#include <ev.h>

#include "transfer/context.h"
#include "transport/defer.h"
#include "ossio.h"
#include "transfer/part.h"
#include "transfer/sink.h"
#include "transfer/source.h"
#include "util/outcome.h"

/* Appended to a failed upload's detail when InitiateMultipartUpload went out
 * and its answer was lost: an upload ossio cannot name may exist on the
 * server (docs/transfers.md: a lifecycle rule removes such uploads). */
#define OSSIO__UPLOAD_MAY_BE_LEFT                                                                  \
    "InitiateMultipartUpload's answer was lost: the server may keep an upload whose id never "     \
    "arrived"

/* What varies by kind, instead of tests of the kind. */
typedef struct ossio__transfer_kind {
    const char *name; /* "download", "upload", "push" */
    /* Whether it has what submit needs (a sink, a source). */
    int (*ready)(const ossio_transfer *t);
    /* Submit: opens the sink or source and starts the first requests. */
    void (*start)(ossio_transfer *t);
    /* Starts what can start now (memory was given back, bytes were pushed). */
    void (*pump)(ossio_transfer *t);
    /* The outcome is decided and nothing is in flight: 1 if something must
     * still happen first (an abort sent, a deferred call queued; settle is
     * called again), else 0 once the sink or source is committed or closed. */
    int (*settling)(ossio_transfer *t);
    /* Frees the kind's state (also of a transfer never submitted). */
    void (*release)(ossio_transfer *t);
} ossio__transfer_kind;

extern const ossio__transfer_kind ossio__download_kind; /* download.c */
extern const ossio__transfer_kind ossio__upload_kind;   /* upload.c */
extern const ossio__transfer_kind ossio__push_kind;     /* push.c */
/* push.c: a part of |t| went out; a push writer its queue held back
 * (ossio_transfer_set_push_queue) hears it is writable. Any kind. */
void ossio__push_part_sent(ossio_transfer *t);

/* Download resume (download_resume.c): the version pinned by
 * ossio_transfer_pin(), the parts already in the sink
 * (ossio_transfer_set_present()), and the parts written but not yet
 * reported durable to ossio_transfer_set_part_done()'s callback. */
typedef struct ossio__download_resume {
    int pinned;
    uint64_t size;
    uint64_t crc64;
    int has_crc64;
    ossio_part_info *present; /* copies; |etag| unused (NULL) */
    size_t n_present;
    ossio_part_done_cb part_done;
    void *part_done_ud;
    size_t *unsynced; /* indices of parts written since the last fdatasync */
    size_t n_unsynced, cap_unsynced;
    ev_timer sync_timer;
    double last_sync;
} ossio__download_resume;

/* Download: the sink, the object's identity, the stream sink's reordering,
 * hedging. */
typedef struct ossio__download {
    ossio__sink sink;
    size_t deliver_next; /* stream sink: the part whose bytes go out next */
    char etag[128];      /* part 0's ETag (If-Match for the rest) */
    uint64_t server_crc;
    int has_server_crc;
    int crc_refetched; /* the parts were fetched again after a CRC-64 mismatch */
    /* s3 dialect: part 0's full-object x-amz-checksum-* of the configured
     * algorithm (fs.oss.s3.checksum), against the parts' combined |sum|s */
    uint32_t server_sum;
    int has_server_sum;
    /* stream sink: part buffers kept for reuse, each with its part_size of
     * the budget still held (fresh 8 MiB buffers cost a page fault per 4 KiB) */
    uint8_t **spare;
    unsigned n_spare, cap_spare;
    uint8_t *stages[16]; /* fd/file sink: staging buffers kept for reuse */
    unsigned n_stages;
    int hedging;
    unsigned hedges;
    ev_timer hedge_timer;
    double done_time_sum; /* durations of parts done, for the hedging threshold */
    unsigned done_time_count;
    ossio__download_resume res; /* pin, present parts, durable reports (download_resume.c) */
} ossio__download;

/* Upload (and push): the source, the multipart upload, the headers. */
typedef struct ossio__upload {
    ossio__source source;
    ossio__hdrs hdrs;
    char upload_id[256];
    int keep_on_failure;
    int resuming;
    ossio_part_done_cb part_done; /* ossio_transfer_set_part_done() */
    void *part_done_ud;
    unsigned abort_tries; /* AbortMultipartUpload attempts after a failure (upload.c) */
} ossio__upload;

/* Push: the part being filled, the spill file, the writable callback. */
typedef struct ossio__push {
    int ended;
    int multipart;      /* InitiateMultipartUpload sent */
    int cur_open;       /* parts[n_parts - 1] is still being filled */
    size_t cur_cap;     /* its buffer's capacity */
    int spill_fd;       /* -1: none yet */
    uint64_t spill_end; /* bytes written to the spill file */
    ossio_writable_cb writable;
    void *writable_ud;
    int want_writable;
    unsigned queue; /* ossio_transfer_set_push_queue(): 0 = unbounded */
    ossio__deferred writable_node;
} ossio__push;

struct ossio_transfer {
    const ossio__transfer_kind *kind;
    ossio_client *cl;
    int upload;
    char *uri;
    int submitted;
    int finishing;      /* the outcome is decided; waiting for parts/abort to settle */
    ossio__outcome out; /* status, detail, the server's error (util/outcome.h) */
    ossio_result result;
    const char *checksum; /* result.checksum: what was compared (static) */
    uint64_t size;
    int size_known;
    /* parts */
    uint64_t part_size;
    unsigned parallel;
    part *parts;
    size_t n_parts;
    size_t next; /* next part to start */
    size_t in_flight;
    size_t done_parts;
    uint64_t crc;
    /* the control request: init / list / complete / abort / single PUT in flight */
    ossio_op *ctl;
    int ctl_is_init;       /* ctl is the InitiateMultipartUpload */
    int ctl_is_complete;   /* ctl is the CompleteMultipartUpload: never canceled */
    int ctl_is_put;        /* ctl is the single PutObject: not canceled once its body left */
    ossio_written written; /* upload: whether the object exists (ossio_result.written) */
    /* counters */
    uint64_t moved;
    unsigned retries;
    uint64_t conns[64]; /* the connections its operations used (distinct, first 64) */
    unsigned n_conns;
    uint64_t last_conn;
    const char *protocol; /* of the last part that completed */
    /* callbacks and time */
    ossio_progress_cb progress;
    void *progress_ud;
    double last_progress;
    ossio_transfer_done_cb done;
    void *done_ud;
    ossio__deferred settle_node;
    double started; /* ev_now() at submit */
    double elapsed;
    double deadline; /* seconds from submit, every request included; 0: none */
    ev_timer deadline_timer;
    /* memory budget (budget.h) */
    ossio__waiter mem_waiter; /* queued when a part could not reserve memory */
    uint64_t mem_held;
    uint64_t mem_peak;
    struct ossio_transfer *live_next, *live_prev; /* the client's submitted transfers */
    /* the kind's state: only its kind's is used (the others stay zero) */
    ossio__download dl;
    ossio__upload up;
    ossio__push push;
};

/* Submits one of a transfer's requests: the transfer's deadline governs it,
 * not the per-operation one (a Complete being written is awaited). */
static inline void ossio__transfer_submit_op(ossio_op *op, ossio_op_done_cb done, void *ud)
{
    ossio_op_set_deadline(op, 0);
    ossio_op_submit(op, done, ud);
}

void ossio__transfer_fail(ossio_transfer *t, ossio_status st, const char *detail,
                          const ossio_result *from);
void ossio__transfer_complete(ossio_transfer *t);
void ossio__transfer_note_progress(ossio_transfer *t, int force);
/* Counts an operation's retries and protocol into the transfer's result. */
void ossio__transfer_account(ossio_transfer *t, const ossio_result *res);
/* Upload and push share these (upload.c). */
int ossio__upload_ready(const ossio_transfer *t);
void ossio__upload_pump(ossio_transfer *t);
int ossio__upload_settling(ossio_transfer *t);
void ossio__upload_release(ossio_transfer *t);
/* PutObject's and CompleteMultipartUpload's outcome (commit.c): the
 * completion of the single PutObject, and sending Complete once every part
 * is stored; both set |written|. */
void ossio__upload_put_done(ossio_op *op, const ossio_result *res, void *ud);
void ossio__upload_complete(ossio_transfer *t);
/* Sends InitiateMultipartUpload; its answer starts the parts. */
void ossio__upload_init(ossio_transfer *t);
/* Sends parts[0] as the whole object with one PutObject (when its memory is there). */
void ossio__upload_single(ossio_transfer *t);
/* Download hedging (hedge.c): the timer that re-requests slow parts. */
void ossio__hedge_start(ossio_transfer *t);
/* Download (download.c): what the hedge shares with the first request. */
void ossio__download_pump(ossio_transfer *t);
void ossio__download_count_progress(ossio_transfer *t, part *p, uint64_t got);
void ossio__download_finish_if_done(ossio_transfer *t);
/* Download resume (download_resume.c). Submit with a pin: plans every part
 * from the pinned size and marks the present ones done (when none is
 * missing, a HEAD in |ctl| checks the pin); 0, or the failure was recorded. */
int ossio__dl_resume_plan(ossio_transfer *t);
/* A pinned download's answer |info| names the pinned version: 1, else the
 * failure (OSSIO_ECHANGED) was recorded and 0 returned. */
int ossio__dl_resume_check(ossio_transfer *t, const ossio_object_info *info);
/* Part 0 told the object's identity: the part-done callback hears number 0. */
void ossio__dl_resume_identity(ossio_transfer *t);
/* |p|'s bytes are in the sink: reported once made durable (batched). */
void ossio__dl_resume_written(ossio_transfer *t, part *p);
/* The outcome is decided: pending reports are made (sync, then the
 * callback) and the timer stopped. */
void ossio__dl_resume_settling(ossio_transfer *t);
void ossio__dl_resume_release(ossio_transfer *t);
/* Reserves |n| bytes of the client's memory budget for |t|: 1 if granted;
 * else |t| is queued to be pumped when memory is given back. */
int ossio__transfer_mem_take(ossio_transfer *t, uint64_t n);
/* The same without queuing |t| when it does not fit. */
int ossio__transfer_mem_try(ossio_transfer *t, uint64_t n);
/* Frees a part's buffer and gives its memory back. */
void ossio__transfer_part_free(ossio_transfer *t, part *p);
/* ossio_transfer_push() of |a| then |b| as one piece: both taken or neither. */
ossio_status ossio__transfer_push2(ossio_transfer *t, const void *a, size_t alen, const void *b,
                                   size_t blen);
/* Called when nothing of the transfer is in flight any more. */
void ossio__transfer_settle(ossio_transfer *t);
/* ossio__transfer_settle() from the loop's next turn (failures found at submit). */
void ossio__transfer_settle_later(ossio_transfer *t);

#endif /* OSSIO__TRANSFER_TRANSFER_H */
