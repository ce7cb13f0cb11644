/* See failing_alloc.h. */
#define _DEFAULT_SOURCE /* fd_set for ares.h under -std=c11 */
#include "failing_alloc.h"

#include <ares.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define FA_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FA_LSAN 1
#endif
#endif
#ifdef FA_LSAN
#include <sanitizer/lsan_interface.h>
#endif

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
static int in_ssl;        /* inside one of OpenSSL's allocator hooks */
static int failed_in_ssl; /* the armed failure was one of OpenSSL's */

void fa_arm(uint64_t n)
{
    counted = 0;
    failed = 0;
    failed_in_ssl = 0;
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
        failed_in_ssl = in_ssl;
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

/* OpenSSL's live allocations, an open-addressing set (linear probing,
 * backward-shift deletion): fa_forgive_openssl() needs to name them. */
#define LIVE_BITS 21
#define LIVE_MASK ((1u << LIVE_BITS) - 1)
static void **live;

static uint32_t live_slot(const void *p)
{
    return (uint32_t)(((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ull >> (64 - LIVE_BITS));
}

static void live_add(void *p)
{
    uint32_t i = live_slot(p);
    while (live[i] != NULL) {
        i = (i + 1) & LIVE_MASK;
    }
    live[i] = p;
}

static void live_remove(const void *p)
{
    uint32_t i = live_slot(p);
    while (live[i] != p) {
        if (live[i] == NULL) {
            return;
        }
        i = (i + 1) & LIVE_MASK;
    }
    for (uint32_t j = (i + 1) & LIVE_MASK; live[j] != NULL; j = (j + 1) & LIVE_MASK) {
        uint32_t k = live_slot(live[j]);
        int stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            live[i] = live[j];
            i = j;
        }
    }
    live[i] = NULL;
}

static void *ssl_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    in_ssl = 1;
    void *p = __wrap_malloc(n);
    in_ssl = 0;
    if (p != NULL) {
        live_add(p);
    }
    return p;
}

static void *ssl_realloc(void *p, size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    in_ssl = 1;
    void *q = __wrap_realloc(p, n);
    in_ssl = 0;
    if (p != NULL && (q != NULL || n == 0)) {
        live_remove(p);
    }
    if (q != NULL) {
        live_add(q);
    }
    return q;
}

static void ssl_free(void *p, const char *file, int line)
{
    (void)file;
    (void)line;
    if (p != NULL) {
        live_remove(p);
    }
    free(p);
}

int fa_forgive_openssl(void)
{
    if (!failed_in_ssl) {
        return 0;
    }
#ifdef FA_LSAN
    for (uint32_t i = 0; i <= LIVE_MASK; i++) {
        if (live[i] != NULL) {
            __lsan_ignore_object(live[i]);
        }
    }
#endif
    return 1;
}

void fa_install(void)
{
    live = __real_calloc((size_t)LIVE_MASK + 1, sizeof(*live));
    if (live == NULL) {
        abort();
    }
    CRYPTO_set_mem_functions(ssl_malloc, ssl_realloc, ssl_free);
    /* Before ossio's own ares_library_init(): that one then only counts. */
    ares_library_init_mem(ARES_LIB_INIT_ALL, __wrap_malloc, free, __wrap_realloc);
}
