/* Inflating front for compressed input (.gz, .gzip, .deflate): compressed
 * bytes in, inflated bytes out to a sink, in pieces. Pure: no I/O. */
#ifndef OSSIO_SPLIT_INFLATE_H
#define OSSIO_SPLIT_INFLATE_H

#include <stddef.h>
#include <stdint.h>

#include "ossio.h"

/* Receives |len| inflated bytes, borrowed for the call; a status other than
 * OSSIO_OK stops inflating and is returned by ossio_inflate_feed(). */
typedef ossio_status (*ossio_inflate_sink)(const uint8_t *data, size_t len, void *user_data);

typedef struct ossio_inflate ossio_inflate;

/* A new inflater for gzip (any number of members, as Java's GZIPInputStream)
 * or zlib (Flink's .deflate is java.util.zip.InflaterInputStream: the zlib
 * format), told apart by the header. NULL on out of memory. */
ossio_inflate *ossio_inflate_new(ossio_inflate_sink sink, void *user_data);

/* Inflates |len| more compressed bytes. OSSIO_EIO for corrupt data (detail
 * in ossio_inflate_error()), OSSIO_ENOMEM, or the sink's status. */
ossio_status ossio_inflate_feed(ossio_inflate *z, const uint8_t *data, size_t len);

/* The compressed input ended: OSSIO_EIO if the stream is incomplete. */
ossio_status ossio_inflate_finish(ossio_inflate *z);

/* What went wrong, for a result's detail; "" if nothing. Owned by |z|. */
const char *ossio_inflate_error(const ossio_inflate *z);

/* Frees |z| (NULL allowed). */
void ossio_inflate_free(ossio_inflate *z);

#endif /* OSSIO_SPLIT_INFLATE_H */
