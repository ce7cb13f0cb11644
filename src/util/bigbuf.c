/* Huge-page-backed buffers for parts (see bigbuf.h). Measured on a 2-core
 * PVM guest, a 5 GiB ordered download with a 24-part reorder window: the
 * first touch of its 192 MiB of buffers (49k faults) was ~10 % of its CPU. */
#include "util/bigbuf.h"

#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

void *ossio_bigbuf_alloc(size_t n)
{
    if (n < HUGE_PAGE) {
        return malloc(n > 0 ? n : 1);
    }
    size_t rounded = (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    void *p = aligned_alloc(HUGE_PAGE, rounded);
    if (p == NULL) {
        return NULL;
    }
#ifdef MADV_HUGEPAGE
    (void)madvise(p, rounded, MADV_HUGEPAGE); /* a hint: the kernel may say no */
#endif
    return p;
}
