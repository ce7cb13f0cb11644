/* A transfer (internal view of ossio_transfer): one object moved as parts,
 * each part an operation (src/ops/), with parallelism, CRC-64 combination,
 * progress and exactly-once completion. */
#ifndef OSSIO__TRANSFER_TRANSFER_H
#define OSSIO__TRANSFER_TRANSFER_H

#include <stdint.h>

#include "http/headers.h"
#include <ev.h>

#include "loop/client.h"
#include "loop/defer.h"
#include "ossio.h"

/* Appended to a failed upload's detail when InitiateMultipartUpload went out
 * and its answer was lost: an upload ossio cannot name may exist on the
 * server (docs/transfers.md: a lifecycle rule removes such uploads). */
#define OSSIO__UPLOAD_MAY_BE_LEFT                                                                  \
    "InitiateMultipartUpload's answer was lost: the server may keep an upload whose id never "     \
    "arrived"

/* OSS and S3 number parts 1..10000. */
#define MAX_PARTS 10000

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
    uint64_t mem;       /* bytes of the memory budget it holds */
    int spilled;        /* push upload: its bytes are in the spill file */
    uint64_t spill_off; /* where */
    uint8_t *stage;     /* fd/file sink: received bytes not yet written */
    size_t stage_len;
    uint64_t stage_off; /* the object offset of stage[0] */
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
    int own_fd; /* to_file on a device or a pipe: the transfer opened |fd| and closes it */
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
    ossio__hdrs hdrs;
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
    unsigned abort_tries; /* AbortMultipartUpload attempts after a failure (at most 3) */
    int keep_on_failure;
    int ctl_is_init;     /* ctl is the InitiateMultipartUpload */
    int ctl_is_complete; /* ctl is the CompleteMultipartUpload: never canceled */
    int ctl_is_put;      /* ctl is the single PutObject: not canceled once its body left */
    int resuming;
    ossio_written written; /* upload: whether the object exists (ossio_result.written) */
    ossio_op *ctl;         /* init / complete / abort / single PUT in flight */
    uint64_t moved;
    unsigned retries;
    /* callbacks */
    ossio_progress_cb progress;
    void *progress_ud;
    double last_progress;
    ossio_transfer_done_cb done;
    void *done_ud;
    ossio__deferred settle_node;
    int hedging;
    double started; /* ev_now() at submit */
    double elapsed;
    const char *protocol; /* of the last part that completed */
    unsigned hedges;
    ev_timer hedge_timer;
    double deadline; /* seconds from submit, every request included; 0: none */
    ev_timer deadline_timer;
    double done_time_sum; /* durations of parts done, for the hedging threshold */
    unsigned done_time_count;
    /* memory budget (budget.h) */
    ossio__waiter mem_waiter; /* queued when a part could not reserve memory */
    uint64_t mem_held;
    uint64_t mem_peak;
    struct ossio_transfer *live_next, *live_prev; /* the client's submitted transfers */
    /* push source (push.c) */
    int push;
    int push_ended;
    int multipart;      /* push: InitiateMultipartUpload sent */
    uint64_t cur_len;   /* bytes in the part being filled (the last of parts[], if open) */
    int cur_open;       /* parts[n_parts - 1] is still being filled */
    size_t cur_cap;     /* its buffer's capacity */
    int spill_fd;       /* -1: none yet */
    uint64_t spill_end; /* bytes written to the spill file */
    /* stream sink: part buffers kept for reuse, each with its part_size of
     * the budget still held (fresh 8 MiB buffers cost a page fault per 4 KiB) */
    uint8_t **spare; /* stream sink: delivered parts' buffers for later parts */
    unsigned n_spare, cap_spare;
    uint8_t *stages[16]; /* fd/file sink: staging buffers kept for reuse */
    unsigned n_stages;
    uint64_t conns[64]; /* the connections its operations used (distinct, first 64) */
    unsigned n_conns;
    uint64_t last_conn;
    int crc_refetched; /* download: the parts were fetched again after a CRC-64 mismatch */
    ossio_writable_cb writable;
    void *writable_ud;
    int want_writable;
    ossio__deferred writable_node;
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
void ossio__download_start(ossio_transfer *t);
void ossio__upload_start(ossio_transfer *t);
/* Starts what can start now (called when memory was given back). */
void ossio__download_pump(ossio_transfer *t);
void ossio__upload_pump(ossio_transfer *t);
/* The part size for an upload of |size| bytes: |part_size|, raised so no
 * upload needs more than MAX_PARTS parts. */
uint64_t ossio__upload_part_size(uint64_t size, uint64_t part_size);
/* Reads a part's p->len bytes at |off| of |fd| into a new p->buf (the
 * caller reserved its memory); NULL on a short read or out of memory. */
const uint8_t *ossio__part_read(part *p, int fd, uint64_t off);
/* PutObject's and CompleteMultipartUpload's outcome (commit.c): the
 * completion of the single PutObject, and sending Complete once every part
 * is stored; both set |written|. */
void ossio__upload_put_done(ossio_op *op, const ossio_result *res, void *ud);
void ossio__upload_complete(ossio_transfer *t);
/* Sends InitiateMultipartUpload; its answer starts the parts. */
void ossio__upload_init(ossio_transfer *t);
/* Sends parts[0] as the whole object with one PutObject (when its memory is there). */
void ossio__upload_single(ossio_transfer *t);
/* Reserves |n| bytes of the client's memory budget for |t|: 1 if granted;
 * else |t| is queued to be pumped when memory is given back. */
int ossio__transfer_mem_take(ossio_transfer *t, uint64_t n);
/* The same without queuing |t| when it does not fit. */
int ossio__transfer_mem_try(ossio_transfer *t, uint64_t n);
/* Frees a part's buffer and gives its memory back. */
void ossio__transfer_part_free(ossio_transfer *t, part *p);
/* Push uploads (push.c): the part sending and completion hooks upload.c uses. */
void ossio__push_start(ossio_transfer *t);
void ossio__push_pump(ossio_transfer *t);
void ossio__push_part_sent(ossio_transfer *t, part *p);
const uint8_t *ossio__push_part_bytes(ossio_transfer *t, part *p);
void ossio__push_release(ossio_transfer *t);
/* ossio_transfer_push() of |a| then |b| as one piece: both taken or neither. */
ossio_status ossio__transfer_push2(ossio_transfer *t, const void *a, size_t alen, const void *b,
                                   size_t blen);
/* Called when nothing of the transfer is in flight any more. */
void ossio__transfer_settle(ossio_transfer *t);
/* ossio__transfer_settle() from the loop's next turn (failures found at submit). */
void ossio__transfer_settle_later(ossio_transfer *t);

#endif /* OSSIO__TRANSFER_TRANSFER_H */
