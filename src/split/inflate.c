/* zlib inflate (windowBits 15 + 32: gzip or zlib header detected) in front
 * of the record splitter for unsplittable compressed objects. */
#include "split/inflate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define OUT_CAP (64 * 1024)

struct ossio__inflate {
    z_stream zs;
    int ended;    /* the current member or stream is complete */
    int gzip;     /* the first header was gzip: further members may follow */
    int seen;     /* any input yet */
    int trailing; /* bytes after the end that are not a new member: ignored */
    int stalled;  /* the last inflate() took and gave nothing */
    ossio__inflate_sink sink;
    void *ud;
    char error[160];
    uint8_t out[OUT_CAP];
};

ossio__inflate *ossio__inflate_new(ossio__inflate_sink sink, void *user_data)
{
    ossio__inflate *z = calloc(1, sizeof(*z));
    if (z == NULL) {
        return NULL;
    }
    if (inflateInit2(&z->zs, 15 + 32) != Z_OK) {
        free(z);
        return NULL;
    }
    z->sink = sink;
    z->ud = user_data;
    return z;
}

static ossio_status corrupt(ossio__inflate *z, const char *what)
{
    snprintf(z->error, sizeof(z->error), "the compressed data is corrupt: %s",
             what != NULL ? what : "inflate failed");
    return OSSIO_EIO;
}

/* One inflate() call over |len| bytes (|data| may be NULL for none): output
 * to the sink, bytes taken in *used, zlib's code in *rc. */
static ossio_status pump(ossio__inflate *z, const uint8_t *data, size_t len, size_t *used, int *rc)
{
    uInt in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
    z->zs.next_in = (Bytef *)(uintptr_t)data;
    z->zs.avail_in = in;
    z->zs.next_out = z->out;
    z->zs.avail_out = OUT_CAP;
    *rc = inflate(&z->zs, Z_NO_FLUSH);
    *used = in - z->zs.avail_in;
    size_t produced = OUT_CAP - z->zs.avail_out;
    if (*rc == Z_MEM_ERROR) {
        return OSSIO_ENOMEM;
    }
    if (*rc != Z_OK && *rc != Z_STREAM_END && *rc != Z_BUF_ERROR) {
        return corrupt(z, z->zs.msg);
    }
    if (*rc == Z_STREAM_END) {
        z->ended = 1;
    } else if (*used == 0 && produced == 0) {
        z->stalled = 1; /* needs input it did not get */
    }
    return produced > 0 ? z->sink(z->out, produced, z->ud) : OSSIO_OK;
}

ossio_status ossio__inflate_feed(ossio__inflate *z, const uint8_t *data, size_t len)
{
    if (!z->seen && len > 0) {
        z->seen = 1;
        z->gzip = data[0] == 0x1f;
    }
    while (len > 0 && !z->trailing) {
        if (z->ended) {
            /* Another gzip member, as GZIPInputStream reads; anything else after
             * the end is ignored, as both Java streams do. */
            if (!z->gzip || data[0] != 0x1f || inflateReset(&z->zs) != Z_OK) {
                z->trailing = 1;
                break;
            }
            z->ended = 0;
        }
        size_t used;
        int rc;
        z->stalled = 0;
        ossio_status st = pump(z, data, len, &used, &rc);
        if (st != OSSIO_OK) {
            return st;
        }
        if (z->stalled) {
            return corrupt(z, "no progress"); /* cannot happen with input and output room */
        }
        data += used;
        len -= used;
    }
    return OSSIO_OK;
}

ossio_status ossio__inflate_finish(ossio__inflate *z)
{
    /* Output zlib still holds comes out without more input; then it must be at the end. */
    while (!z->ended && !z->trailing) {
        size_t used;
        int rc;
        z->stalled = 0;
        ossio_status st = pump(z, NULL, 0, &used, &rc);
        if (st != OSSIO_OK) {
            return st;
        }
        if (z->stalled) {
            return corrupt(z, "unexpected end of the compressed stream");
        }
    }
    return OSSIO_OK;
}

const char *ossio__inflate_error(const ossio__inflate *z)
{
    return z != NULL ? z->error : "";
}

void ossio__inflate_free(ossio__inflate *z)
{
    if (z != NULL) {
        inflateEnd(&z->zs);
        free(z);
    }
}
