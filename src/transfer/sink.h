/* Download sinks: where a download's bytes go (a descriptor, a file, a
 * buffer, a stream callback), each a small table of functions instead of
 * magic descriptors. Positional sinks take bytes at their object offsets in
 * any order; an ordered sink (stream) takes them in object order. */
#ifndef OSSIO__TRANSFER_SINK_H
#define OSSIO__TRANSFER_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "ossio.h"

typedef struct ossio__sink ossio__sink;

typedef struct ossio__sink_ops {
    const char *name; /* "fd", "file", "buffer", "stream" */
    int ordered;      /* bytes must arrive in object order (the download reorders) */
    int staged;       /* small writes are worth gathering (a write is a system call) */
    /* Opens the destination before any request: NULL, or why it cannot be
     * written (a static string). NULL when there is nothing to open. */
    const char *(*open)(ossio__sink *s);
    /* Writes |len| bytes at object offset |off| (ordered: the next bytes,
     * |off| unused). 0 if written, else what the write returned (the stream
     * callback's nonzero value, or -1). */
    int (*write)(ossio__sink *s, uint64_t off, const uint8_t *data, size_t len);
    /* Whether an object of |size| bytes fits. */
    int (*fits)(const ossio__sink *s, uint64_t size);
    /* The download ended with |*st|: commits or discards what was written
     * (rename, unlink, close). May turn success into a failure described
     * into |detail| (|cap| bytes). */
    void (*finish)(ossio__sink *s, ossio_status *st, char *detail, size_t cap);
    /* Why a write failed: the status, and the detail (static) in |*detail|. */
    ossio_status (*describe)(const ossio__sink *s, const char **detail);
} ossio__sink_ops;

struct ossio__sink {
    const ossio__sink_ops *ops; /* NULL: none set */
    int fd;                     /* fd, file: -1 until open */
    int own_fd;                 /* file on a device: the sink opened |fd| and closes it */
    char *path;                 /* file: the final path (owned) */
    char *tmp_path;             /* file: the temporary file (owned) */
    uint8_t *buf;               /* buffer: borrowed */
    size_t cap;
    ossio_stream_cb stream; /* stream */
    void *stream_ud;
    ossio_transfer *owner; /* stream: the handle the callback gets */
};

extern const ossio__sink_ops ossio__sink_fd;
extern const ossio__sink_ops ossio__sink_file; /* sink_file.c */
extern const ossio__sink_ops ossio__sink_buffer;
extern const ossio__sink_ops ossio__sink_stream;

/* An empty sink (no ops, no descriptor). */
void ossio__sink_init(ossio__sink *s);

/* Makes |ops| the sink unless one that wins over it is set: a stream wins
 * over everything, a file over a descriptor or buffer; of those two, the
 * last set. (The precedence the setters always had.) */
void ossio__sink_select(ossio__sink *s, const ossio__sink_ops *ops);

/* Frees what the sink owns (paths); a descriptor it opened is closed by finish. */
void ossio__sink_free(ossio__sink *s);

#endif /* OSSIO__TRANSFER_SINK_H */
