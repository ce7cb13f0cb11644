/* The descriptor, buffer and stream sinks (the file sink is sink_file.c):
 * positional writes with pwrite or memcpy, ordered writes to the caller's
 * callback. */
#include "transfer/sink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ossio__sink_init(ossio__sink *s)
{
    memset(s, 0, sizeof(*s));
    s->fd = -1;
}

void ossio__sink_select(ossio__sink *s, const ossio__sink_ops *ops)
{
    if (s->ops == &ossio__sink_stream ||
        (s->ops == &ossio__sink_file && ops != &ossio__sink_stream)) {
        return;
    }
    s->ops = ops;
}

void ossio__sink_free(ossio__sink *s)
{
    free(s->path);
    free(s->tmp_path);
    s->path = s->tmp_path = NULL;
}

static int fd_write(ossio__sink *s, uint64_t off, const uint8_t *data, size_t len)
{
    while (len > 0) {
        ssize_t n = pwrite(s->fd, data, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        data += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

static int fits_any(const ossio__sink *s, uint64_t size)
{
    (void)s;
    (void)size;
    return 1;
}

/* The caller's descriptor is the caller's: nothing to commit or close. */
static void finish_none(ossio__sink *s, ossio_status *st, char *detail, size_t cap)
{
    (void)s;
    (void)st;
    (void)detail;
    (void)cap;
}

static ossio_status fd_describe(const ossio__sink *s, const char **detail)
{
    (void)s;
    *detail = "writing the download failed";
    return OSSIO_EIO;
}

const ossio__sink_ops ossio__sink_fd = {
    .name = "fd",
    .staged = 1,
    .write = fd_write,
    .fits = fits_any,
    .finish = finish_none,
    .describe = fd_describe,
};

static int buffer_write(ossio__sink *s, uint64_t off, const uint8_t *data, size_t len)
{
    if (off + len > s->cap) {
        return -1;
    }
    memcpy(s->buf + off, data, len);
    return 0;
}

static int buffer_fits(const ossio__sink *s, uint64_t size)
{
    return size <= s->cap;
}

static ossio_status buffer_describe(const ossio__sink *s, const char **detail)
{
    (void)s;
    *detail = "the object does not fit the buffer";
    return OSSIO_EBODYSIZE;
}

const ossio__sink_ops ossio__sink_buffer = {
    .name = "buffer",
    .write = buffer_write,
    .fits = buffer_fits,
    .finish = finish_none,
    .describe = buffer_describe,
};

static int stream_write(ossio__sink *s, uint64_t off, const uint8_t *data, size_t len)
{
    (void)off;
    return s->stream(s->owner, data, len, s->stream_ud);
}

static ossio_status stream_describe(const ossio__sink *s, const char **detail)
{
    (void)s;
    *detail = "stopped by the stream callback";
    return OSSIO_ECANCELED;
}

const ossio__sink_ops ossio__sink_stream = {
    .name = "stream",
    .ordered = 1,
    .write = stream_write,
    .fits = fits_any,
    .finish = finish_none,
    .describe = stream_describe,
};
