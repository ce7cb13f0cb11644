/* Streaming XML core: wraps an expat parser with a counting, capped allocator
 * and handlers that refuse DTDs and entities and enforce the limits. */
#include "xml/stream.h"

#include <expat.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Every expat allocation carries its owner and size, so the stream can count
 * (and cap) what expat holds. The header keeps the payload max-aligned. */
typedef union mem_hdr {
    struct {
        ossio__xml_stream *owner;
        size_t size;
    } h;
    max_align_t align;
} mem_hdr;

/* expat's allocator has no user pointer; the stream being called into is
 * published here for the duration of each call (saved and restored, so a
 * callback may drive another stream). */
static _Thread_local ossio__xml_stream *tl_stream;

static void *mem_malloc(size_t n)
{
    ossio__xml_stream *s = tl_stream;
    if (!s || n > s->lim.max_mem - s->mem) {
        if (s) {
            s->mem_refused = true;
        }
        return NULL;
    }
    mem_hdr *h = malloc(sizeof *h + n);
    if (!h) {
        return NULL;
    }
    h->h.owner = s;
    h->h.size = n;
    s->mem += n;
    s->allocs++;
    if (s->mem > s->mem_peak) {
        s->mem_peak = s->mem;
    }
    return h + 1;
}

static void mem_free(void *p)
{
    if (!p) {
        return;
    }
    mem_hdr *h = (mem_hdr *)p - 1;
    h->h.owner->mem -= h->h.size;
    free(h);
}

static void *mem_realloc(void *p, size_t n)
{
    if (!p) {
        return mem_malloc(n);
    }
    mem_hdr *h = (mem_hdr *)p - 1;
    ossio__xml_stream *s = h->h.owner;
    size_t old = h->h.size;
    if (n > old && n - old > s->lim.max_mem - s->mem) {
        s->mem_refused = true;
        return NULL;
    }
    mem_hdr *nh = realloc(h, sizeof *nh + n);
    if (!nh) {
        return NULL;
    }
    nh->h.size = n;
    s->mem = s->mem - old + n;
    s->allocs++;
    if (s->mem > s->mem_peak) {
        s->mem_peak = s->mem;
    }
    return nh + 1;
}

static const XML_Memory_Handling_Suite mem_suite = {mem_malloc, mem_realloc, mem_free};

void ossio__xml_stream_fail(ossio__xml_stream *s, ossio_status st, const char *why)
{
    if (s->status == OSSIO_OK) {
        s->status = st;
        s->why = why;
    }
    if (s->parser) {
        XML_StopParser(s->parser, XML_FALSE);
    }
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    ossio__xml_stream *s = ud;
    if (s->status != OSSIO_OK) {
        return;
    }
    if (s->depth >= s->lim.max_depth) {
        ossio__xml_stream_fail(s, OSSIO_EXML, "XML nested too deeply");
        return;
    }
    size_t n = strlen(name);
    char *slot = s->names[s->depth];
    if (n < OSSIO__XML_NAME_CAP) {
        memcpy(slot, name, n + 1);
    } else {
        slot[0] = '\0';
    }
    s->depth++;
    ossio__buf_reset(&s->text);
    /* Attributes (xmlns and all) are only for a start callback that wants them. */
    if (s->on_start && s->on_start(s->ud, s->depth, s->path, (const char **)atts) != 0) {
        ossio__xml_stream_fail(s, OSSIO_ECANCELED, "stopped by a callback");
    }
}

static void XMLCALL on_chars(void *ud, const XML_Char *data, int len)
{
    ossio__xml_stream *s = ud;
    if (s->status != OSSIO_OK || len <= 0) {
        return;
    }
    /* Keep one byte for the NUL added at the element's end. */
    if ((size_t)len >= s->lim.max_text + 1 - s->text.len) {
        ossio__xml_stream_fail(s, OSSIO_EXML, "XML element text too long");
        return;
    }
    ossio_status st = ossio__buf_append(&s->text, data, (size_t)len);
    if (st != OSSIO_OK) {
        ossio__xml_stream_fail(s, st, "out of memory");
        return;
    }
    if (s->text.cap > s->text_peak) {
        s->text_peak = s->text.cap;
    }
}

static void XMLCALL on_end_el(void *ud, const XML_Char *name)
{
    ossio__xml_stream *s = ud;
    (void)name;
    if (s->status != OSSIO_OK || s->depth == 0) {
        return;
    }
    ossio_status st = ossio__buf_append_byte(&s->text, 0);
    if (st != OSSIO_OK) {
        ossio__xml_stream_fail(s, st, "out of memory");
        return;
    }
    if (s->text.cap > s->text_peak) {
        s->text_peak = s->text.cap;
    }
    size_t depth = s->depth;
    if (s->on_text &&
        s->on_text(s->ud, depth, s->path, (const char *)s->text.data, s->text.len - 1) != 0) {
        ossio__xml_stream_fail(s, OSSIO_ECANCELED, "stopped by a callback");
        return;
    }
    ossio__buf_reset(&s->text);
    if (s->on_end && s->on_end(s->ud, depth, s->path[depth - 1]) != 0) {
        ossio__xml_stream_fail(s, OSSIO_ECANCELED, "stopped by a callback");
        return;
    }
    s->depth--;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal_subset;
    ossio__xml_stream_fail(ud, OSSIO_EXML, "XML document type declaration (DTD) refused");
}

static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int is_param,
                                   const XML_Char *value, int value_len, const XML_Char *base,
                                   const XML_Char *sysid, const XML_Char *pubid,
                                   const XML_Char *notation)
{
    (void)name;
    (void)is_param;
    (void)value;
    (void)value_len;
    (void)base;
    (void)sysid;
    (void)pubid;
    (void)notation;
    ossio__xml_stream_fail(ud, OSSIO_EXML, "XML entity declaration refused");
}

static int XMLCALL on_external_entity(XML_Parser p, const XML_Char *context, const XML_Char *base,
                                      const XML_Char *sysid, const XML_Char *pubid)
{
    (void)context;
    (void)base;
    (void)sysid;
    (void)pubid;
    ossio__xml_stream_fail(XML_GetUserData(p), OSSIO_EXML, "XML external entity refused");
    return XML_STATUS_ERROR;
}

ossio_status ossio__xml_stream_init(ossio__xml_stream *s, ossio__xml_text_cb on_text,
                                    ossio__xml_end_cb on_end, void *ud,
                                    const ossio__xml_limits *lim)
{
    memset(s, 0, sizeof *s);
    s->on_text = on_text;
    s->on_end = on_end;
    s->ud = ud;
    s->why = "";
    if (lim) {
        s->lim = *lim;
    }
    if (!s->lim.max_depth) {
        s->lim.max_depth = OSSIO__XML_DEFAULT_DEPTH;
    }
    if (!s->lim.max_text) {
        s->lim.max_text = OSSIO__XML_DEFAULT_TEXT;
    }
    if (!s->lim.max_doc) {
        s->lim.max_doc = OSSIO__XML_DEFAULT_DOC;
    }
    if (!s->lim.max_mem) {
        s->lim.max_mem = OSSIO__XML_DEFAULT_MEM;
    }
    if (s->lim.max_depth > OSSIO__XML_DEPTH_CAP || s->lim.max_text >= SIZE_MAX) {
        return OSSIO_EINVAL;
    }
    for (size_t i = 0; i < OSSIO__XML_DEPTH_CAP; i++) {
        s->path[i] = s->names[i];
    }
    ossio__buf_init(&s->text, s->lim.max_text + 1, OSSIO_EXML);

    ossio__xml_stream *prev = tl_stream;
    tl_stream = s;
    /* No namespace processing: a root with or without S3's xmlns reads the same. */
    XML_Parser p = XML_ParserCreate_MM(NULL, &mem_suite, NULL);
    tl_stream = prev;
    if (!p) {
        return OSSIO_ENOMEM;
    }
    s->parser = p;
    XML_SetUserData(p, s);
    XML_SetElementHandler(p, on_start, on_end_el);
    XML_SetCharacterDataHandler(p, on_chars);
    XML_SetStartDoctypeDeclHandler(p, on_doctype);
    XML_SetEntityDeclHandler(p, on_entity_decl);
    XML_SetExternalEntityRefHandler(p, on_external_entity);
    XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
    return OSSIO_OK;
}

void ossio__xml_stream_on_start(ossio__xml_stream *s, ossio__xml_start_cb cb)
{
    s->on_start = cb;
}

unsigned long ossio__xml_stream_line(const ossio__xml_stream *s)
{
    return s->parser ? (unsigned long)XML_GetCurrentLineNumber(s->parser) : 0;
}

/* Runs expat on one piece and maps its verdict to a status. */
static ossio_status run(ossio__xml_stream *s, const char *data, int len, int final)
{
    ossio__xml_stream *prev = tl_stream;
    tl_stream = s;
    enum XML_Status rc = XML_Parse(s->parser, data, len, final);
    tl_stream = prev;
    if (s->status != OSSIO_OK) {
        return s->status;
    }
    if (rc != XML_STATUS_OK) {
        enum XML_Error e = XML_GetErrorCode(s->parser);
        if (e == XML_ERROR_NO_MEMORY && !s->mem_refused) {
            s->status = OSSIO_ENOMEM;
            s->why = "out of memory";
        } else if (e == XML_ERROR_NO_MEMORY) {
            s->status = OSSIO_EXML;
            s->why = "XML parser memory limit reached";
        } else {
            s->status = OSSIO_EXML;
            s->why = XML_ErrorString(e);
            if (!s->why) {
                s->why = "malformed XML";
            }
        }
    }
    return s->status;
}

ossio_status ossio__xml_stream_feed(ossio__xml_stream *s, const void *data, size_t len)
{
    if (s->status != OSSIO_OK) {
        return s->status;
    }
    if (!s->parser || s->finished) {
        return OSSIO_EINVAL;
    }
    if (len > s->lim.max_doc - s->fed) {
        s->status = OSSIO_EXML;
        s->why = "XML document too large";
        return s->status;
    }
    s->fed += len;
    const char *p = data;
    /* expat takes an int length. */
    while (len > 0) {
        int n = len > (size_t)(1 << 30) ? 1 << 30 : (int)len;
        ossio_status st = run(s, p, n, 0);
        if (st != OSSIO_OK) {
            return st;
        }
        p += n;
        len -= (size_t)n;
    }
    return OSSIO_OK;
}

ossio_status ossio__xml_stream_finish(ossio__xml_stream *s)
{
    if (s->status != OSSIO_OK) {
        return s->status;
    }
    if (!s->parser || s->finished) {
        return OSSIO_EINVAL;
    }
    s->finished = true;
    return run(s, "", 0, 1);
}

const char *ossio__xml_stream_error(const ossio__xml_stream *s)
{
    return s->status == OSSIO_OK ? "" : s->why;
}

void ossio__xml_stream_free(ossio__xml_stream *s)
{
    if (s->parser) {
        ossio__xml_stream *prev = tl_stream;
        tl_stream = s;
        XML_ParserFree(s->parser);
        tl_stream = prev;
        s->parser = NULL;
    }
    ossio__buf_free(&s->text);
}

bool ossio__xml_path_is(size_t depth, const char *const *names, ...)
{
    va_list ap;
    va_start(ap, names);
    size_t i = 0;
    bool ok = true;
    const char *want;
    while ((want = va_arg(ap, const char *)) != NULL) {
        if (i >= depth || strcmp(names[i], want) != 0) {
            ok = false;
            break;
        }
        i++;
    }
    va_end(ap);
    return ok && i == depth;
}
