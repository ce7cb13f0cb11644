/* Header lists for responses (HTTP/1.1 and HTTP/2 alike): one arena of
 * NUL-terminated copies plus an index, with hard limits on size and count. */
#include "http/headers.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void ossio__hdrs_init(ossio__hdrs *h, size_t max_bytes, size_t max_count)
{
    memset(h, 0, sizeof(*h));
    h->max_count = max_count;
    ossio__buf_init(&h->arena, max_bytes, OSSIO_EHEADERSIZE);
}

static void reindex(ossio__hdrs *h, const uint8_t *old_base)
{
    /* The arena moved: rebase every pointer into it. */
    for (size_t i = 0; i < h->n; i++) {
        size_t name_off = (size_t)((const uint8_t *)h->v[i].name - old_base);
        size_t value_off = (size_t)((const uint8_t *)h->v[i].value - old_base);
        h->v[i].name = (const char *)h->arena.data + name_off;
        h->v[i].value = (const char *)h->arena.data + value_off;
    }
}

ossio_status ossio__hdrs_add(ossio__hdrs *h, const char *name, size_t name_len, const char *value,
                             size_t value_len)
{
    if (h->n >= h->max_count) {
        return OSSIO_EHEADERSIZE;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        if (cap > h->max_count) {
            cap = h->max_count;
        }
        ossio__hdr *v = realloc(h->v, cap * sizeof(*v));
        if (v == NULL) {
            return OSSIO_ENOMEM;
        }
        h->v = v;
        h->cap = cap;
    }
    size_t need = name_len + value_len + 2;
    if (need < name_len) {
        return OSSIO_EHEADERSIZE;
    }
    const uint8_t *old_base = h->arena.data;
    size_t start = h->arena.len;
    ossio_status st = ossio__buf_reserve(&h->arena, need);
    if (st != OSSIO_OK) {
        return st;
    }
    if (old_base != NULL && old_base != h->arena.data) {
        reindex(h, old_base);
    }
    uint8_t *dst = h->arena.data + start;
    for (size_t i = 0; i < name_len; i++) {
        char c = name[i];
        dst[i] = (uint8_t)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
    }
    dst[name_len] = 0;
    if (value_len > 0) {
        memcpy(dst + name_len + 1, value, value_len);
    }
    dst[name_len + 1 + value_len] = 0;
    h->arena.len += need;
    h->v[h->n].name = (const char *)dst;
    h->v[h->n].name_len = name_len;
    h->v[h->n].value = (const char *)dst + name_len + 1;
    h->v[h->n].value_len = value_len;
    h->n++;
    return OSSIO_OK;
}

const char *ossio__hdrs_get(const ossio__hdrs *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++) {
        if (strcasecmp(h->v[i].name, name) == 0) {
            return h->v[i].value;
        }
    }
    return NULL;
}

void ossio__hdrs_reset(ossio__hdrs *h)
{
    h->n = 0;
    ossio__buf_reset(&h->arena);
}

void ossio__hdrs_free(ossio__hdrs *h)
{
    free(h->v);
    ossio__buf_free(&h->arena);
    h->v = NULL;
    h->n = h->cap = 0;
}

static int is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return 1;
    }
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

int ossio__hdr_valid(const char *name, size_t name_len, const char *value, size_t value_len)
{
    if (name_len == 0) {
        return 0;
    }
    for (size_t i = 0; i < name_len; i++) {
        if (!is_tchar((unsigned char)name[i])) {
            return 0;
        }
    }
    for (size_t i = 0; i < value_len; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c == '\r' || c == '\n' || c == 0) {
            return 0;
        }
    }
    return 1;
}
