/* Bounds-checked read cursor: the only code that indexes raw input bytes.
 * Every check is written against remaining(), so pos <= len always holds. */
#include "util/cursor.h"

#include <string.h>

void ossio__cur_init(ossio__cur *c, const void *p, size_t len)
{
    c->p = p;
    c->len = p ? len : 0;
    c->pos = 0;
}

size_t ossio__cur_remaining(const ossio__cur *c)
{
    return c->len - c->pos;
}

bool ossio__cur_peek(const ossio__cur *c, uint8_t *out)
{
    if (ossio__cur_remaining(c) == 0) {
        return false;
    }
    *out = c->p[c->pos];
    return true;
}

bool ossio__cur_take(ossio__cur *c, uint8_t *out)
{
    if (!ossio__cur_peek(c, out)) {
        return false;
    }
    c->pos++;
    return true;
}

const uint8_t *ossio__cur_take_n(ossio__cur *c, size_t n)
{
    static const uint8_t empty[1];
    if (n > ossio__cur_remaining(c)) {
        return NULL;
    }
    if (c->p == NULL) {
        return empty;
    }
    const uint8_t *start = c->p + c->pos;
    c->pos += n;
    return start;
}

bool ossio__cur_skip(ossio__cur *c, size_t n)
{
    return ossio__cur_take_n(c, n) != NULL;
}

bool ossio__cur_expect(ossio__cur *c, const char *lit)
{
    size_t n = strlen(lit);
    if (n > ossio__cur_remaining(c) || (n > 0 && memcmp(c->p + c->pos, lit, n) != 0)) {
        return false;
    }
    c->pos += n;
    return true;
}

bool ossio__cur_take_until(ossio__cur *c, uint8_t delim, const uint8_t **out, size_t *out_len)
{
    size_t rem = ossio__cur_remaining(c);
    if (rem == 0) {
        return false;
    }
    const uint8_t *start = c->p + c->pos;
    const uint8_t *hit = memchr(start, delim, rem);
    if (!hit) {
        return false;
    }
    size_t n = (size_t)(hit - start);
    *out = start;
    *out_len = n;
    c->pos += n + 1;
    return true;
}

static int digit_value(uint8_t ch, unsigned base)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (base == 16) {
        if (ch >= 'a' && ch <= 'f') {
            return ch - 'a' + 10;
        }
        if (ch >= 'A' && ch <= 'F') {
            return ch - 'A' + 10;
        }
    }
    return -1;
}

static bool take_u64(ossio__cur *c, unsigned base, uint64_t *out)
{
    size_t pos = c->pos;
    uint64_t v = 0;
    int d;

    while (pos < c->len && (d = digit_value(c->p[pos], base)) >= 0) {
        if (v > (UINT64_MAX - (uint64_t)d) / base) {
            return false;
        }
        v = v * base + (uint64_t)d;
        pos++;
    }
    if (pos == c->pos) {
        return false;
    }
    c->pos = pos;
    *out = v;
    return true;
}

bool ossio__cur_u64_dec(ossio__cur *c, uint64_t *out)
{
    return take_u64(c, 10, out);
}

bool ossio__cur_u64_hex(ossio__cur *c, uint64_t *out)
{
    return take_u64(c, 16, out);
}

bool ossio__u64_dec(const void *p, size_t len, uint64_t *out)
{
    ossio__cur c;
    uint64_t v;
    ossio__cur_init(&c, p, len);
    if (!ossio__cur_u64_dec(&c, &v) || ossio__cur_remaining(&c) != 0) {
        return false;
    }
    *out = v;
    return true;
}
