/* Upload sources: where an upload's bytes come from (a file, a buffer, the
 * caller's pushes), each a small table of functions. A part whose bytes lie
 * in a file (a file source's, a spilled push part) is sent from the file. */
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
    /* Where the part's bytes lie in a file, to be sent from there with
     * pread and never held in memory: the descriptor (owned by the
     * source) with *off set, or -1 when they are in memory (bytes). */
    int (*file)(const ossio_transfer *t, const part *p, uint64_t *off);
    /* The part's bytes in memory, borrowed from the source; NULL if they
     * cannot be had. Only for parts that file() does not place. */
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
} ossio__source;

extern const ossio__source_ops ossio__source_file;
extern const ossio__source_ops ossio__source_buffer;
extern const ossio__source_ops ossio__source_push; /* push.c */

/* Makes |ops| the source unless one that wins over it is set: a push wins
 * over everything, a file over a buffer. */
void ossio__source_select(ossio__source *s, const ossio__source_ops *ops);

#endif /* OSSIO__TRANSFER_SOURCE_H */
