/* Incremental record splitter: object bytes in, in chunks of any size;
 * records out in batches, each record exactly once across a file's splits
 * (the ownership rule in docs/splits.md). Pure: no I/O, no clock. */
#ifndef OSSIO__SPLIT_LINES_H
#define OSSIO__SPLIT_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "ossio.h"
#include "util/buf.h"

#define OSSIO__LINES_DELIM_MAX 16
#define OSSIO__LINES_BATCH 128

/* Receives |n| records; they point into the chunk being fed or into the
 * splitter's assembly buffer and are valid until the call returns. Nonzero
 * stops the splitter (its calls then return OSSIO_ECANCELED). */
typedef int (*ossio__lines_emit_cb)(const ossio_record *records, size_t n, void *user_data);

typedef struct ossio__lines {
    uint8_t delim[OSSIO__LINES_DELIM_MAX];
    size_t dlen;
    int strip_cr;       /* delimiter "\n": one trailing '\r' is not part of a record */
    size_t max_record;  /* longest record, delimiter excluded ('\r' included) */
    uint64_t start;     /* the split: records starting in (start, end] are its own, */
    uint64_t end;       /* or in [0, end] when start is 0 */
    uint64_t from;      /* object offset of the first byte to feed */
    uint64_t pos;       /* object offset of the next byte to feed */
    int skipping;       /* split not at 0: before its first delimiter ending at >= start */
    int done;           /* the split's records are complete: feed no more */
    ossio_status error; /* sticky failure */
    /* The record in progress: it starts at pos - asm.len; asm holds its bytes
     * seen in earlier chunks (while skipping: at most dlen - 1 trailing bytes). */
    ossio__buf asm_buf;
    ossio_record batch[OSSIO__LINES_BATCH];
    size_t n_batch;
    uint64_t records; /* records emitted */
    ossio__lines_emit_cb emit;
    void *emit_ud;
} ossio__lines;

/* Prepares |l| for the split [|start|, |start| + |length|) of an object
 * (length UINT64_MAX - start, or more, for a whole stream). |delim| is 1..16
 * bytes (copied); |max_record| >= 1. OSSIO_EINVAL otherwise. Allocates nothing. */
ossio_status ossio__lines_init(ossio__lines *l, const void *delim, size_t dlen, size_t max_record,
                               uint64_t start, uint64_t length, ossio__lines_emit_cb emit,
                               void *user_data);

/* The object offset the first fed byte must have: max(0, start - dlen + 1)
 * for a split not at 0 (a delimiter may straddle its start), else 0; or
 * what ossio__lines_set_scan_start() set. */
uint64_t ossio__lines_scan_start(const ossio__lines *l);

/* Scans from |from| instead, an anchor (split/align.h) at or before the
 * scan start, before any byte is fed: needed for a delimiter that overlaps
 * itself, whose first match ending at or after the split's start depends on
 * where a sequential scan stands. Delimiters ending before the split's
 * start then pass with the bytes skipped. OSSIO_EINVAL past the scan start
 * or once bytes were fed. */
ossio_status ossio__lines_set_scan_start(ossio__lines *l, uint64_t from);

/* Feeds the next |len| bytes of the object (in order, from the scan start).
 * OSSIO_OK (check ossio__lines_done()), OSSIO_ERECORDSIZE, OSSIO_ENOMEM or
 * OSSIO_ECANCELED (the emit callback stopped). Bytes fed after done are ignored. */
ossio_status ossio__lines_feed(ossio__lines *l, const uint8_t *data, size_t len);

/* The object ends here: the record in progress, if it is the split's, is
 * emitted without a delimiter. Errors as ossio__lines_feed(). */
ossio_status ossio__lines_finish(ossio__lines *l);

/* 1 once every record of the split was emitted (no more bytes are needed). */
int ossio__lines_done(const ossio__lines *l);

/* Frees the assembly buffer. */
void ossio__lines_free(ossio__lines *l);

#endif /* OSSIO__SPLIT_LINES_H */
