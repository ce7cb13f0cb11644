/* A test build's allocator that fails the n-th allocation (tests/alloc/).
 * malloc, calloc, realloc, strdup, strndup and aligned_alloc are wrapped at
 * link time (-Wl,--wrap=...), which covers every call from ossio's objects
 * and from the dependencies whose allocator ossio hands over (expat's
 * memory suite, nghttp2's nghttp2_mem); OpenSSL and c-ares are pointed at
 * the same counter by fa_install(). libev is not: its allocator must not
 * fail (libev aborts by design), so the loop's own memory is left alone. */
#ifndef OSSIO_TESTS_ALLOC_FAILING_ALLOC_H
#define OSSIO_TESTS_ALLOC_FAILING_ALLOC_H

#include <stdint.h>

/* Routes OpenSSL's and c-ares' allocations through the counter; call first
 * thing in main(), before anything allocates through them. */
void fa_install(void);

/* Counts allocations from now on; the |n|-th fails (once). n == 0: none
 * fails, only counted. */
void fa_arm(uint64_t n);
/* Stops counting and failing. */
void fa_disarm(void);
/* Allocations counted since fa_arm(). */
uint64_t fa_count(void);
/* Whether the armed failure happened. */
int fa_failed(void);
/* When the armed failure was one of OpenSSL's own allocations, tells
 * LeakSanitizer to ignore every allocation OpenSSL still holds, and returns
 * 1: OpenSSL 3.0 can drop entries of its process-wide name map when an
 * allocation fails inside it (docs/testing.md). ossio's own allocations are
 * checked in every run; OpenSSL's in the runs where it did not fail. */
int fa_forgive_openssl(void);

#endif
