/* Growable byte buffer with a hard maximum length: input that would grow it
 * past the maximum is an error, never unbounded memory use. */
#ifndef OSSIO__UTIL_BUF_H
#define OSSIO__UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "ossio.h"

/* |data| holds |len| bytes in |cap| allocated; |len| never exceeds |max|.
 * The buffer owns |data|. */
typedef struct ossio__buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t max;
    ossio_status over; /* returned when |max| would be exceeded */
} ossio__buf;

/* Starts an empty buffer that may hold at most |max| bytes; growing past that
 * returns |over| (e.g. OSSIO_EHEADERSIZE for a header buffer). Allocates nothing. */
void ossio__buf_init(ossio__buf *b, size_t max, ossio_status over);

/* Makes room for |extra| more bytes. OSSIO_OK, |b->over| if len + extra would
 * exceed max, or OSSIO_ENOMEM; on error the buffer is unchanged. */
ossio_status ossio__buf_reserve(ossio__buf *b, size_t extra);

/* Appends |n| bytes copied from |p| (|p| may be NULL if |n| is 0). Errors as
 * ossio__buf_reserve(); on error nothing is appended. */
ossio_status ossio__buf_append(ossio__buf *b, const void *p, size_t n);

/* Appends one byte. Errors as ossio__buf_reserve(). */
ossio_status ossio__buf_append_byte(ossio__buf *b, uint8_t byte);

/* Empties the buffer, keeping its allocation for reuse. */
void ossio__buf_reset(ossio__buf *b);

/* Releases the allocation; the buffer is empty afterwards and may be reused. */
void ossio__buf_free(ossio__buf *b);

#endif /* OSSIO__UTIL_BUF_H */
