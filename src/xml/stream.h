/* Streaming XML core shared by every OSS/S3 response parser: expat fed chunk
 * by chunk, DTDs refused, depth, text, document and memory sizes bounded. */
#ifndef OSSIO__XML_STREAM_H
#define OSSIO__XML_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ossio.h"
#include "util/buf.h"

/* Hard caps on the configurable limits (they size arrays in the stream). */
#define OSSIO__XML_DEPTH_CAP 32
/* Longer element names are kept as "" so they never match a known name. */
#define OSSIO__XML_NAME_CAP 64

#define OSSIO__XML_DEFAULT_DEPTH 16
#define OSSIO__XML_DEFAULT_TEXT (64u * 1024u)
#define OSSIO__XML_DEFAULT_DOC (64ull * 1024u * 1024u)
#define OSSIO__XML_DEFAULT_MEM (1024u * 1024u)

/* Limits of one document; exceeding any of them is OSSIO_EXML. A zero field
 * takes the default above. */
typedef struct ossio__xml_limits {
    size_t max_depth; /* open elements, at most OSSIO__XML_DEPTH_CAP */
    size_t max_text;  /* bytes of character data in one element */
    uint64_t max_doc; /* bytes fed in total */
    size_t max_mem;   /* bytes expat itself may hold allocated */
} ossio__xml_limits;

/* Called at each element's end with the element's text (the character data
 * since its start tag or its last child's end tag; NUL-terminated, borrowed
 * until the callback returns). |names[0]| is the root, |names[depth - 1]| the
 * element that ends. Nonzero stops the parse with OSSIO_ECANCELED, unless the
 * callback stored another status with ossio__xml_stream_fail(). */
typedef int (*ossio__xml_text_cb)(void *ud, size_t depth, const char *const *names,
                                  const char *text, size_t len);
/* Called after on_text for the same element; same return convention. */
typedef int (*ossio__xml_end_cb)(void *ud, size_t depth, const char *name);

/* Called at each element's start, after it is on the path (|names[depth - 1]|
 * is the element), with expat's NULL-terminated name/value attribute array;
 * same return convention. Optional: ossio__xml_stream_on_start(). */
typedef int (*ossio__xml_start_cb)(void *ud, size_t depth, const char *const *names,
                                   const char **attrs);

/* One parse. Initialized in place and must not move until freed (expat's
 * allocator and handlers point back at it). */
typedef struct ossio__xml_stream {
    struct XML_ParserStruct *parser;
    ossio__xml_text_cb on_text;
    ossio__xml_end_cb on_end;
    ossio__xml_start_cb on_start; /* NULL unless set */
    void *ud;
    ossio__xml_limits lim;
    ossio_status status; /* sticky: first error */
    const char *why;     /* static text describing |status| */
    bool finished;
    size_t depth;
    uint64_t fed;
    ossio__buf text; /* accumulator; never above lim.max_text + 1 bytes */
    size_t text_peak;
    size_t mem;      /* bytes expat holds now */
    size_t mem_peak; /* most it ever held */
    size_t allocs;   /* allocations expat made */
    bool mem_refused;
    const char *path[OSSIO__XML_DEPTH_CAP];
    char names[OSSIO__XML_DEPTH_CAP][OSSIO__XML_NAME_CAP];
} ossio__xml_stream;

/* Starts a parse calling |on_text| / |on_end| (either may be NULL) with |ud|.
 * |lim| is copied; NULL means all defaults. OSSIO_OK, OSSIO_EINVAL (limit
 * above a cap) or OSSIO_ENOMEM; on error nothing needs freeing, but
 * ossio__xml_stream_free() is harmless. */
ossio_status ossio__xml_stream_init(ossio__xml_stream *s, ossio__xml_text_cb on_text,
                                    ossio__xml_end_cb on_end, void *ud,
                                    const ossio__xml_limits *lim);

/* Also calls |on_start| at each element's start (after init, before feeding). */
void ossio__xml_stream_on_start(ossio__xml_stream *s, ossio__xml_start_cb on_start);

/* Line of the document expat is at (for messages; from a callback: the
 * current element's). */
unsigned long ossio__xml_stream_line(const ossio__xml_stream *s);

/* Parses the next |len| bytes of the document (borrowed for the call). Returns
 * OSSIO_OK, OSSIO_EXML (malformed, DTD, limit), OSSIO_ECANCELED (a callback
 * stopped it) or OSSIO_ENOMEM; errors are sticky. */
ossio_status ossio__xml_stream_feed(ossio__xml_stream *s, const void *data, size_t len);

/* Ends the document: OSSIO_EXML if it is empty or incomplete, else as feed. */
ossio_status ossio__xml_stream_finish(ossio__xml_stream *s);

/* From a callback: makes the parse stop with |st| (first failure wins). */
void ossio__xml_stream_fail(ossio__xml_stream *s, ossio_status st, const char *why);

/* Static text saying why the parse failed ("" while it has not). */
const char *ossio__xml_stream_error(const ossio__xml_stream *s);

/* Releases everything; the stream must be initialized again before reuse. */
void ossio__xml_stream_free(ossio__xml_stream *s);

/* True if the path |names[0..depth)| equals the NULL-terminated list of
 * names that follows. Helper for the typed parsers. */
bool ossio__xml_path_is(size_t depth, const char *const *names, ...);

#endif /* OSSIO__XML_STREAM_H */
