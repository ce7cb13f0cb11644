/* A split plan as bytes: a count, then per split its numbers and its URI
 * and ETag, each NUL-terminated so they can be used where they lie. */
#include <stdlib.h>
#include <string.h>

#include "plan_wire.h"

#define MAGIC UINT64_C(0x314e414c504f5353) /* "SSOPLAN1" in memory order */

typedef struct head {
    uint64_t start, length, object_size;
    uint32_t index, unsplittable, uri_len, etag_len; /* etag_len: UINT32_MAX without one */
} head;

int plan_wire_pack(const ossio_split_plan *plan, uint8_t **out, size_t *len)
{
    size_t n = ossio_split_plan_count(plan);
    size_t total = 2 * sizeof(uint64_t);
    for (size_t i = 0; i < n; i++) {
        const ossio_split *s = ossio_split_plan_get(plan, i);
        total += sizeof(head) + strlen(s->uri) + 1 + (s->etag != NULL ? strlen(s->etag) + 1 : 0);
    }
    uint8_t *b = malloc(total);
    if (b == NULL) {
        return -1;
    }
    uint64_t magic = MAGIC, count = n;
    memcpy(b, &magic, sizeof(magic));
    memcpy(b + sizeof(magic), &count, sizeof(count));
    size_t at = 2 * sizeof(uint64_t);
    for (size_t i = 0; i < n; i++) {
        const ossio_split *s = ossio_split_plan_get(plan, i);
        head h = {s->start,
                  s->length,
                  s->object_size,
                  s->index,
                  s->unsplittable ? 1u : 0u,
                  (uint32_t)strlen(s->uri),
                  s->etag != NULL ? (uint32_t)strlen(s->etag) : UINT32_MAX};
        memcpy(b + at, &h, sizeof(h));
        at += sizeof(h);
        memcpy(b + at, s->uri, h.uri_len + 1u);
        at += h.uri_len + 1u;
        if (s->etag != NULL) {
            memcpy(b + at, s->etag, h.etag_len + 1u);
            at += h.etag_len + 1u;
        }
    }
    *out = b;
    *len = total;
    return 0;
}

/* The NUL-terminated string of |n| bytes at |at| within |len|, or NULL. */
static const char *take(const uint8_t *buf, size_t len, size_t *at, uint32_t n)
{
    if (n >= len || *at > len - n - 1 || buf[*at + n] != '\0' || memchr(buf + *at, 0, n)) {
        return NULL;
    }
    const char *s = (const char *)buf + *at;
    *at += (size_t)n + 1;
    return s;
}

int plan_wire_unpack(const uint8_t *buf, size_t len, ossio_split **splits, size_t *n)
{
    uint64_t magic = 0, count = 0;
    if (len < 2 * sizeof(uint64_t)) {
        return -1;
    }
    memcpy(&magic, buf, sizeof(magic));
    memcpy(&count, buf + sizeof(magic), sizeof(count));
    size_t at = 2 * sizeof(uint64_t);
    if (magic != MAGIC || count > (len - at) / sizeof(head)) {
        return -1;
    }
    ossio_split *s = calloc(count ? (size_t)count : 1, sizeof(*s));
    if (s == NULL) {
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        head h;
        if (len - at < sizeof(h)) {
            free(s);
            return -1;
        }
        memcpy(&h, buf + at, sizeof(h));
        at += sizeof(h);
        s[i] = (ossio_split){.index = h.index,
                             .start = h.start,
                             .length = h.length,
                             .object_size = h.object_size,
                             .unsplittable = h.unsplittable != 0};
        s[i].uri = take(buf, len, &at, h.uri_len);
        int bad = s[i].uri == NULL;
        if (!bad && h.etag_len != UINT32_MAX) {
            s[i].etag = take(buf, len, &at, h.etag_len);
            bad = s[i].etag == NULL;
        }
        if (bad) {
            free(s);
            return -1;
        }
    }
    if (at != len) {
        free(s);
        return -1;
    }
    *splits = s;
    *n = (size_t)count;
    return 0;
}
