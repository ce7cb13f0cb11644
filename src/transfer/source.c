/* The file and buffer upload sources (the push source is push.c): a
 * buffer's bytes are borrowed where they are; a file's are sent from the
 * file (ossio_op_set_body_file), part by part, never held in memory. */
#include "transfer/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transfer/transfer.h"

void ossio__source_select(ossio__source *s, const ossio__source_ops *ops)
{
    if (s->ops == &ossio__source_push ||
        (s->ops == &ossio__source_file && ops != &ossio__source_push)) {
        return;
    }
    s->ops = ops;
}

static ossio_status file_open(ossio_transfer *t)
{
    ossio__source *s = &t->up.source;
    s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (s->fd < 0 || fstat(s->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(t->out.detail, sizeof(t->out.detail), "cannot read %s: %s", s->path,
                 strerror(errno));
        return OSSIO_EIO;
    }
    t->size = (uint64_t)st.st_size;
    t->size_known = 1;
    return OSSIO_OK;
}

static int file_file(const ossio_transfer *t, const part *p, uint64_t *off)
{
    *off = p->off;
    return t->up.source.fd;
}

static int not_in_a_file(const ossio_transfer *t, const part *p, uint64_t *off)
{
    (void)t;
    (void)p;
    *off = 0;
    return -1;
}

static void sent_nothing(ossio_transfer *t, part *p)
{
    (void)t;
    (void)p;
}

static int always_ended(const ossio_transfer *t)
{
    (void)t;
    return 1;
}

static void file_close(ossio_transfer *t)
{
    if (t->up.source.fd >= 0) {
        close(t->up.source.fd);
        t->up.source.fd = -1;
    }
}

const ossio__source_ops ossio__source_file = {
    .name = "file",
    .open = file_open,
    .file = file_file,
    .bytes = NULL, /* every part is placed in the file */
    .sent = sent_nothing,
    .ended = always_ended,
    .close = file_close,
};

static ossio_status buffer_open(ossio_transfer *t)
{
    (void)t;
    return OSSIO_OK;
}

static const uint8_t *buffer_bytes(ossio_transfer *t, part *p)
{
    const uint8_t *data = t->up.source.data;
    return data != NULL ? data + p->off : (const uint8_t *)"";
}

static void close_nothing(ossio_transfer *t)
{
    (void)t;
}

const ossio__source_ops ossio__source_buffer = {
    .name = "buffer",
    .open = buffer_open,
    .file = not_in_a_file,
    .bytes = buffer_bytes,
    .sent = sent_nothing,
    .ended = always_ended,
    .close = close_nothing,
};
