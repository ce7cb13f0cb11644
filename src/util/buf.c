/* Growable byte buffer: doubling growth clamped to the buffer's maximum, so a
 * peer cannot make ossio allocate more than the limit the caller chose. */
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

#define BUF_MIN_CAP 64

void ossio__buf_init(ossio__buf *b, size_t max, ossio_status over)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->over = over;
}

ossio_status ossio__buf_reserve(ossio__buf *b, size_t extra)
{
    if (extra > b->max - b->len) {
        return b->over;
    }
    size_t need = b->len + extra;
    if (need <= b->cap) {
        return OSSIO_OK;
    }
    size_t cap = b->cap ? b->cap : BUF_MIN_CAP;
    while (cap < need) {
        cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
    }
    if (cap > b->max) {
        cap = b->max;
    }
    uint8_t *data = realloc(b->data, cap);
    if (!data) {
        return OSSIO_ENOMEM;
    }
    b->data = data;
    b->cap = cap;
    return OSSIO_OK;
}

ossio_status ossio__buf_append(ossio__buf *b, const void *p, size_t n)
{
    if (n == 0) {
        return OSSIO_OK;
    }
    ossio_status st = ossio__buf_reserve(b, n);
    if (st != OSSIO_OK) {
        return st;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return OSSIO_OK;
}

ossio_status ossio__buf_append_byte(ossio__buf *b, uint8_t byte)
{
    return ossio__buf_append(b, &byte, 1);
}

void ossio__buf_reset(ossio__buf *b)
{
    b->len = 0;
}

void ossio__buf_free(ossio__buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}
