/* A transfer's parts: one byte range each, moved by one request (two when
 * hedged), its state an enum; and the pure planning of the ranges. */
#ifndef OSSIO__TRANSFER_PART_H
#define OSSIO__TRANSFER_PART_H

#include <stddef.h>
#include <stdint.h>

#include "ossio.h"

/* OSS and S3 number parts 1..10000. */
#define MAX_PARTS 10000

typedef enum ossio__part_state {
    OSSIO__PART_IDLE,     /* not started (or to be fetched again) */
    OSSIO__PART_INFLIGHT, /* its request is out */
    OSSIO__PART_DONE      /* its bytes are stored (upload) or written (download) */
} ossio__part_state;

typedef struct part {
    uint64_t off;
    uint64_t len;
    uint64_t crc; /* CRC-64 of the part's bytes */
    uint32_t sum; /* s3 dialect: its CRC32C/CRC32 (fs.oss.s3.checksum), for Complete */
    ossio_op *op;
    ossio__part_state state;
    struct ossio_transfer *t;
    uint8_t *buf; /* upload from a file / download to a stream: the part's bytes */
    uint64_t mem; /* bytes of the memory budget it holds */
    /* download */
    uint64_t got;        /* bytes written */
    uint64_t delivered;  /* stream sink: bytes already handed to the caller */
    double started;      /* when its first request went out */
    uint64_t progress;   /* most bytes either request of it delivered */
    struct hedge *hedge; /* its second request, if hedged */
    int hedge_won;
    uint8_t *stage; /* fd/file sink: received bytes not yet written */
    size_t stage_len;
    uint64_t stage_off; /* the object offset of stage[0] */
    /* upload */
    char etag[128];     /* the part's ETag */
    int spilled;        /* push upload: its bytes are in the spill file */
    uint64_t spill_off; /* where */
} part;

/* The second request of a hedged part: writes the same bytes at the same
 * offsets (idempotent for fd and buffer sinks); the first to finish wins. */
typedef struct hedge {
    part *p;
    ossio_op *op;
    uint64_t got;
    uint64_t crc;
    uint32_t sum;
} hedge;

/* The part size for an upload of |size| bytes: |part_size|, raised so no
 * upload needs more than MAX_PARTS parts. */
uint64_t ossio__upload_part_size(uint64_t size, uint64_t part_size);

/* How many parts an upload of |size| bytes takes: one up to |threshold| or
 * up to one part of |part_size| (already raised), else one per part size. */
size_t ossio__upload_part_count(uint64_t size, uint64_t part_size, uint64_t threshold);

/* The |i|th of the parts of |part_size| that cover [first, size): its
 * offset and length (the last may be shorter). */
void ossio__part_span(uint64_t first, uint64_t size, uint64_t part_size, size_t i, uint64_t *off,
                      uint64_t *len);

/* The parts after a download's first (of |first| bytes) for an object of
 * |size|: how many. */
size_t ossio__download_rest_count(uint64_t first, uint64_t size, uint64_t part_size);

/* The CRC-64 of the parts' bytes in order, combined from theirs. */
uint64_t ossio__parts_crc(const part *v, size_t n);

/* The CRC32C/CRC32 (an ossio__crc32_kind) of the parts' bytes in order,
 * combined from their |sum|s. */
uint32_t ossio__parts_sum(const part *v, size_t n, int kind);

/* The number of parts in |state|. */
size_t ossio__parts_count_state(const part *v, size_t n, ossio__part_state state);

#endif /* OSSIO__TRANSFER_PART_H */
