/* The file and buffer upload sources (the push source is push.c): a
 * buffer's bytes are borrowed where they are; a file's are read part by
 * part with pread into memory taken from the budget. */
#include "transfer/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transfer/transfer.h"
#include "util/bigbuf.h"

void ossio__source_select(ossio__source *s, const ossio__source_ops *ops)
{
    if (s->ops == &ossio__source_push ||
        (s->ops == &ossio__source_file && ops != &ossio__source_push)) {
        return;
    }
    s->ops = ops;
}

void ossio__source_keep(ossio__source *s, part *p)
{
    if (s->ops == &ossio__source_file && s->spare == NULL && p->buf != NULL) {
        s->spare = p->buf;
        s->spare_len = p->len;
        p->buf = NULL;
    }
}

void ossio__source_drop_spare(ossio__source *s)
{
    free(s->spare);
    s->spare = NULL;
    s->spare_len = 0;
}

const uint8_t *ossio__part_read(part *p, int fd, uint64_t off)
{
    if (p->buf == NULL) {
        p->buf = ossio__bigbuf_alloc((size_t)p->len);
    }
    if (p->buf == NULL) {
        return NULL;
    }
    uint64_t done = 0;
    while (done < p->len) {
        ssize_t n = pread(fd, p->buf + done, (size_t)(p->len - done), (off_t)(off + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            free(p->buf);
            p->buf = NULL;
            return NULL;
        }
        done += (uint64_t)n;
    }
    return p->buf;
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

static int file_needs_memory(const ossio_transfer *t, const part *p)
{
    (void)p;
    return t->size > 0;
}

static const uint8_t *file_bytes(ossio_transfer *t, part *p)
{
    if (t->size == 0) {
        return (const uint8_t *)"";
    }
    ossio__source *s = &t->up.source;
    if (p->buf == NULL && s->spare != NULL && s->spare_len >= p->len) {
        p->buf = s->spare; /* a finished part's: its pages are already there */
        s->spare = NULL;
        s->spare_len = 0;
    }
    return ossio__part_read(p, s->fd, p->off);
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
    ossio__source_drop_spare(&t->up.source);
    if (t->up.source.fd >= 0) {
        close(t->up.source.fd);
        t->up.source.fd = -1;
    }
}

const ossio__source_ops ossio__source_file = {
    .name = "file",
    .open = file_open,
    .needs_memory = file_needs_memory,
    .bytes = file_bytes,
    .sent = sent_nothing,
    .ended = always_ended,
    .close = file_close,
};

static ossio_status buffer_open(ossio_transfer *t)
{
    (void)t;
    return OSSIO_OK;
}

static int buffer_needs_memory(const ossio_transfer *t, const part *p)
{
    (void)t;
    (void)p;
    return 0;
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
    .needs_memory = buffer_needs_memory,
    .bytes = buffer_bytes,
    .sent = sent_nothing,
    .ended = always_ended,
    .close = close_nothing,
};
