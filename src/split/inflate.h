/* Inflating front for compressed input (.gz, .gzip, .deflate): compressed
 * bytes in, inflated bytes out to a sink, in pieces. Pure: no I/O. */
#ifndef OSSIO__SPLIT_INFLATE_H
#define OSSIO__SPLIT_INFLATE_H

#include <stddef.h>
#include <stdint.h>

#include "ossio.h"

/* Receives |len| inflated bytes, borrowed for the call; a status other than
 * OSSIO_OK stops inflating and is returned by ossio__inflate_feed(). */
typedef ossio_status (*ossio__inflate_sink)(const uint8_t *data, size_t len, void *user_data);

typedef struct ossio__inflate ossio__inflate;

/* A new inflater for gzip (any number of members, as Java's GZIPInputStream)
 * or zlib (Flink's .deflate is java.util.zip.InflaterInputStream: the zlib
 * format), told apart by the header. NULL on out of memory. */
ossio__inflate *ossio__inflate_new(ossio__inflate_sink sink, void *user_data);

/* Inflates |len| more compressed bytes. OSSIO_EIO for corrupt data (detail
 * in ossio__inflate_error()), OSSIO_ENOMEM, or the sink's status. */
ossio_status ossio__inflate_feed(ossio__inflate *z, const uint8_t *data, size_t len);

/* The compressed input ended: OSSIO_EIO if the stream is incomplete. */
ossio_status ossio__inflate_finish(ossio__inflate *z);

/* What went wrong, for a result's detail; "" if nothing. Owned by |z|. */
const char *ossio__inflate_error(const ossio__inflate *z);

/* Frees |z| (NULL allowed). */
void ossio__inflate_free(ossio__inflate *z);

#endif /* OSSIO__SPLIT_INFLATE_H */
