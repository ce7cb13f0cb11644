/* Bounds-checked read cursor over untrusted bytes: every parser reads through
 * it, so no parser does its own pointer arithmetic (STYLE.md rule 7). */
#ifndef OSSIO__UTIL_CURSOR_H
#define OSSIO__UTIL_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A view of |len| bytes at |p|, read from |pos| on. The bytes are borrowed:
 * they must outlive the cursor. Invariant: pos <= len. Functions that fail
 * return false (or NULL) and leave the cursor unchanged. */
typedef struct ossio__cur {
    const uint8_t *p;
    size_t len;
    size_t pos;
} ossio__cur;

/* Starts a cursor at the first of |len| bytes at |p| (|p| may be NULL if |len| is 0). */
void ossio__cur_init(ossio__cur *c, const void *p, size_t len);

/* Number of bytes not read yet. */
size_t ossio__cur_remaining(const ossio__cur *c);

/* Stores the next byte in |*out| without consuming it; false at the end. */
bool ossio__cur_peek(const ossio__cur *c, uint8_t *out);

/* Consumes the next byte into |*out|; false at the end. */
bool ossio__cur_take(ossio__cur *c, uint8_t *out);

/* Consumes |n| bytes and returns a pointer to them (valid as long as the
 * underlying bytes), or NULL if fewer than |n| remain. Never NULL for n == 0. */
const uint8_t *ossio__cur_take_n(ossio__cur *c, size_t n);

/* Consumes |n| bytes; false if fewer than |n| remain. */
bool ossio__cur_skip(ossio__cur *c, size_t n);

/* Consumes the NUL-terminated literal |lit| if the next bytes equal it
 * (case-sensitive); false otherwise. */
bool ossio__cur_expect(ossio__cur *c, const char *lit);

/* Finds the next |delim|; stores the bytes before it in |*out| / |*out_len|
 * and consumes them and the delimiter. False if |delim| does not occur. */
bool ossio__cur_take_until(ossio__cur *c, uint8_t delim, const uint8_t **out, size_t *out_len);

/* Consumes the longest run of decimal digits (at least one; no sign, no
 * space) and stores its value in |*out|. False if there is no digit or the
 * value exceeds UINT64_MAX. Bytes after the digits are left unread. */
bool ossio__cur_u64_dec(ossio__cur *c, uint64_t *out);

/* As ossio__cur_u64_dec(), for hexadecimal digits (either case, no "0x"). */
bool ossio__cur_u64_hex(ossio__cur *c, uint64_t *out);

/* Parses all |len| bytes at |p| as a decimal uint64 (leading zeros allowed;
 * no sign, no space, nothing after the digits). False on any other input or
 * on overflow. */
bool ossio__u64_dec(const void *p, size_t len, uint64_t *out);

#endif /* OSSIO__UTIL_CURSOR_H */
