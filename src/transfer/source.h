/* Upload sources: where an upload's bytes come from (a file, a buffer, the
 * caller's pushes), each a small table of functions. */
#ifndef OSSIO__TRANSFER_SOURCE_H
#define OSSIO__TRANSFER_SOURCE_H

#include <stdint.h>

#include "ossio.h"
#include "transfer/part.h"

typedef struct ossio__source_ops {
    const char *name; /* "file", "buffer", "push" */
    /* Opens it at submit and tells the transfer's size: OSSIO_OK, or the
     * failure with t->out.detail written. */
    ossio_status (*open)(ossio_transfer *t);
    /* Whether the part's bytes are read into memory (and so take the budget). */
    int (*needs_memory)(const ossio_transfer *t, const part *p);
    /* The part's bytes: borrowed from the source, or read into p->buf (the
     * caller reserved its memory); NULL if they cannot be read. */
    const uint8_t *(*bytes)(ossio_transfer *t, part *p);
    /* The part left (stored or failed): what it held may go. */
    void (*sent)(ossio_transfer *t, part *p);
    /* Whether every byte is known (a push, once ended). */
    int (*ended)(const ossio_transfer *t);
    /* The upload is over: closes what open opened. */
    void (*close)(ossio_transfer *t);
} ossio__source_ops;

typedef struct ossio__source {
    const ossio__source_ops *ops; /* NULL: none set */
    int fd;                       /* file: -1 until open */
    char *path;                   /* file: owned */
    const uint8_t *data;          /* buffer: borrowed */
    uint8_t *spare;               /* file: a finished part's buffer, owned, kept
                                   * only until the next part is read within the
                                   * same call (never across loop iterations) */
    uint64_t spare_len;           /* its size */
} ossio__source;

extern const ossio__source_ops ossio__source_file;
extern const ossio__source_ops ossio__source_buffer;
extern const ossio__source_ops ossio__source_push; /* push.c */

/* Makes |ops| the source unless one that wins over it is set: a push wins
 * over everything, a file over a buffer. */
void ossio__source_select(ossio__source *s, const ossio__source_ops *ops);

/* Reads a part's p->len bytes at |off| of |fd| into p->buf, allocated if
 * NULL (the caller reserved its memory); NULL on a short read or out of
 * memory. */
const uint8_t *ossio__part_read(part *p, int fd, uint64_t off);

/* A file part is done: its buffer becomes the source's spare (when it has
 * none), so the part started next in the same call reads into it instead of
 * into fresh pages (measured: each fresh 8 MiB buffer was an mmap, 2 MiB page
 * faults and a munmap; 130 of them per GiB). */
void ossio__source_keep(ossio__source *s, part *p);
/* Frees the spare: called when the parts that could use it have started. */
void ossio__source_drop_spare(ossio__source *s);

#endif /* OSSIO__TRANSFER_SOURCE_H */
