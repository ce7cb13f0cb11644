/* Huge-page-backed buffers for parts (see bigbuf.h). Measured on a 2-core
 * PVM guest, a 5 GiB ordered download with a 24-part reorder window: the
 * first touch of its 192 MiB of buffers (49k faults) was ~10 % of its CPU. */
#include "util/bigbuf.h"

#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

void *ossio__bigbuf_alloc(size_t n)
{
    /* Only whole huge pages: rounding up would hold more than the memory
     * budget reserved for the part (5 MiB + 1 would take 6 MiB). */
    if (n < HUGE_PAGE || n % HUGE_PAGE != 0) {
        return malloc(n > 0 ? n : 1);
    }
    void *p = aligned_alloc(HUGE_PAGE, n);
    if (p == NULL) {
        return NULL;
    }
#ifdef MADV_HUGEPAGE
    (void)madvise(p, n, MADV_HUGEPAGE); /* a hint: the kernel may say no */
#endif
    return p;
}
