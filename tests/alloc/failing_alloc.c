/* See failing_alloc.h. */
#define _DEFAULT_SOURCE /* fd_set for ares.h under -std=c11 */
#include "failing_alloc.h"

#include <ares.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);

static int armed;
static uint64_t target;
static uint64_t counted;
static int failed;

void fa_arm(uint64_t n)
{
    counted = 0;
    failed = 0;
    target = n;
    armed = 1;
}

void fa_disarm(void)
{
    armed = 0;
}

uint64_t fa_count(void)
{
    return counted;
}

int fa_failed(void)
{
    return failed;
}

/* Whether this allocation is the one to fail. */
static int fail_now(void)
{
    if (!armed) {
        return 0;
    }
    counted++;
    if (counted == target) {
        failed = 1;
        errno = ENOMEM;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n)
{
    return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    if (n == 0) { /* a free, not an allocation */
        return __real_realloc(p, n);
    }
    return fail_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return fail_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return fail_now() ? NULL : __real_strndup(s, n);
}

void *__wrap_aligned_alloc(size_t align, size_t n)
{
    return fail_now() ? NULL : __real_aligned_alloc(align, n);
}

static void *ssl_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    return __wrap_malloc(n);
}

static void *ssl_realloc(void *p, size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    return __wrap_realloc(p, n);
}

static void ssl_free(void *p, const char *file, int line)
{
    (void)file;
    (void)line;
    free(p);
}

void fa_install(void)
{
    CRYPTO_set_mem_functions(ssl_malloc, ssl_realloc, ssl_free);
    /* Before ossio's own ares_library_init(): that one then only counts. */
    ares_library_init_mem(ARES_LIB_INIT_ALL, __wrap_malloc, free, __wrap_realloc);
}
