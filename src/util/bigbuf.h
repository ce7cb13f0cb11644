/* Part-sized buffers (megabytes, held for a part's life and reused): when
 * the size is a whole number of 2 MiB huge pages they are backed by
 * transparent huge pages where the kernel offers them on request, so a
 * fresh 8 MiB buffer costs 4 page faults instead of 2,048 (with the kernel's
 * THP defrag set to "madvise" such a fault may compact memory first). */
#ifndef OSSIO__UTIL_BIGBUF_H
#define OSSIO__UTIL_BIGBUF_H

#include <stddef.h>

/* |n| bytes (uninitialised), NULL when out of memory; release with free(). */
void *ossio__bigbuf_alloc(size_t n);

#endif
