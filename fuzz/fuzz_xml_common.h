/* Shared by the XML fuzz targets: the first input byte picks the split size,
 * the rest is the document, fed piece by piece through a doc feeder. */
#ifndef OSSIO_FUZZ_XML_COMMON_H
#define OSSIO_FUZZ_XML_COMMON_H

#include <assert.h>
#include <string.h>

#include "xml/oss.h"

/* Small limits, so the fuzzer reaches them. */
static const ossio__xml_limits fuzz_xml_limits = {8, 256, 1u << 20, 256u * 1024u};

/* Touches every byte of |p|, so ASan sees reads outside it. */
static inline void fuzz_touch(const char *p, size_t n)
{
    volatile char sink = 0;
    for (size_t i = 0; i < n; i++) {
        sink ^= p[i];
    }
    (void)sink;
}

/* Feeds |len| bytes in pieces of |split| (0: whole), checking the bounds
 * after each piece; returns the first error. */
static inline ossio_status fuzz_xml_feed(ossio__xml_doc *d, const uint8_t *in, size_t len,
                                         size_t split)
{
    size_t off = 0;
    ossio_status st = OSSIO_OK;
    while (off < len) {
        size_t n = split == 0 || len - off < split ? len - off : split;
        st = ossio__xml_doc_feed(d, in + off, n);
        assert(d->s.text.cap <= d->s.lim.max_text + 1);
        assert(d->s.mem <= d->s.lim.max_mem);
        assert(d->s.depth <= d->s.lim.max_depth);
        if (st != OSSIO_OK) {
            assert(st == OSSIO_EXML || st == OSSIO_ECANCELED);
            assert(strlen(ossio__xml_stream_error(&d->s)) > 0);
            return st;
        }
        off += n;
    }
    return st;
}

static inline void fuzz_str(const ossio__xml_str *s)
{
    if (s->p) {
        assert(s->p[s->len] == '\0');
        fuzz_touch(s->p, s->len);
    }
}

#endif /* OSSIO_FUZZ_XML_COMMON_H */
