/* Internals the split files share: which codec a file name implies (Flink's
 * inflater extensions) and the planner with a handle the text reader can cancel. */
#ifndef OSSIO__SPLIT_SPLIT_H
#define OSSIO__SPLIT_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "ossio.h"
#include "util/outcome.h"

/* What a file's extension (after the last '.' of its last path segment,
 * compared case-sensitively as Flink's extension map does) says about it. */
typedef enum ossio__codec {
    OSSIO__CODEC_NONE = 0,       /* plain bytes: splittable */
    OSSIO__CODEC_ZLIB = 1,       /* .gz, .gzip (gzip) and .deflate (zlib): inflated with zlib */
    OSSIO__CODEC_UNSUPPORTED = 2 /* .bz2, .xz, .zst: unsplittable in Flink; ossio cannot inflate */
} ossio__codec;

/* The codec of |name| (a key, a URI or a bare name; only the last segment counts). */
ossio__codec ossio__split_codec(const char *name);

/* A planning in flight (src/split/planner.c). */
typedef struct ossio__split_planner ossio__split_planner;

/* As ossio_splits_plan(); on OSSIO_OK, *|handle| (if not NULL) is the
 * planning until |done| runs, for ossio__split_planner_cancel(). */
ossio_status ossio__split_planner_start(ossio_client *cl, const char *uri, unsigned min_splits,
                                        ossio_plan_done_cb done, void *user_data,
                                        ossio__split_planner **handle);

/* Cancels a planning whose |done| has not run: it runs later with OSSIO_ECANCELED. */
void ossio__split_planner_cancel(ossio__split_planner *p);

/* How records are cut and handed over: the settings the split reader and
 * the text reader share (the text reader passes them to its split readers). */
typedef struct ossio__record_opts {
    uint8_t delim[16]; /* OSSIO__LINES_DELIM_MAX */
    size_t dlen;
    size_t max_record;
    ossio_records_cb cb;
    void *cb_ud;
} ossio__record_opts;

/* "\n", |max_record| (0: the split reader's default), no callback. */
void ossio__record_opts_init(ossio__record_opts *o, size_t max_record);

/* OSSIO_EINVAL unless |delim| is 1..16 bytes; |o| unchanged then. */
ossio_status ossio__record_opts_set_delimiter(ossio__record_opts *o, const void *delim, size_t len);

/* OSSIO_EINVAL for 0; |o| unchanged then. */
ossio_status ossio__record_opts_set_max_record(ossio__record_opts *o, size_t max);

#endif /* OSSIO__SPLIT_SPLIT_H */
