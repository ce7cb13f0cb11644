/* Test helper: feeds a document whole, byte by byte, or in pseudo-random
 * pieces, so every parser is checked to give the same result for any split. */
#ifndef OSSIO_TEST_XML_FEED_H
#define OSSIO_TEST_XML_FEED_H

#include <stdint.h>
#include <string.h>

#include "xml/oss.h"

#define FEED_MODES 6 /* 0 whole, 1 byte by byte, 2.. random splits */

static inline uint32_t feed_rand(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Feeds |len| bytes to |d| split as |mode| says; returns the first error. */
static inline ossio_status feed_doc(ossio__xml_doc *d, const char *doc, size_t len, int mode)
{
    uint32_t seed = 2463534242u + (uint32_t)mode * 7919u;
    size_t off = 0;
    while (off < len) {
        size_t n = len - off;
        if (mode == 1) {
            n = 1;
        } else if (mode >= 2) {
            size_t r = feed_rand(&seed) % 37u;
            n = r < n ? r : n; /* pieces of 0 bytes too */
        }
        ossio_status st = ossio__xml_doc_feed(d, doc + off, n);
        if (st != OSSIO_OK) {
            return st;
        }
        off += n;
    }
    return OSSIO_OK;
}

/* Appends printf-style text to a fixed transcript. */
typedef struct transcript {
    char buf[16384];
    size_t len;
} transcript;

#include <stdarg.h>
#include <stdio.h>

static inline void tr_add(transcript *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
    va_end(ap);
    if (n > 0) {
        t->len += (size_t)n;
        if (t->len >= sizeof t->buf) {
            t->len = sizeof t->buf - 1;
        }
    }
}

static inline void tr_mem(transcript *t, const char *p, size_t n)
{
    if (n > sizeof t->buf - 1 - t->len) {
        n = sizeof t->buf - 1 - t->len;
    }
    memcpy(t->buf + t->len, p, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static inline void tr_str(transcript *t, const char *name, const ossio__xml_str *s)
{
    if (s->p) {
        tr_add(t, "%s=[%.*s]\n", name, (int)s->len, s->p);
    } else {
        tr_add(t, "%s=absent\n", name);
    }
}

#endif /* OSSIO_TEST_XML_FEED_H */
