/* The engine under every typed parser: keeps the root's text children, and
 * collects the fields of each repeated entry into a bounded arena, handing
 * the entry over when it closes, so nothing grows with the document. */
#include "xml/oss.h"

#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Decodes |s[0..n)| in place; the result is never longer. */
static bool pct_decode(char *s, size_t n, size_t *out)
{
    size_t w = 0;
    for (size_t r = 0; r < n; r++) {
        char c = s[r];
        if (c == '%') {
            if (n - r < 3) {
                return false;
            }
            int hi = hexval(s[r + 1]);
            int lo = hexval(s[r + 2]);
            if (hi < 0 || lo < 0) {
                return false;
            }
            s[w++] = (char)(hi << 4 | lo);
            r += 2;
        } else {
            s[w++] = c == '+' ? ' ' : c;
        }
    }
    *out = w;
    return true;
}

ossio_status ossio__xml_url_decode(ossio__buf *out, const char *in, size_t len)
{
    if (len == 0) {
        return OSSIO_OK; /* |out->data| may still be NULL */
    }
    size_t start = out->len;
    ossio_status st = ossio__buf_append(out, in, len);
    if (st != OSSIO_OK) {
        return st;
    }
    size_t n;
    if (!pct_decode((char *)out->data + start, len, &n)) {
        out->len = start;
        return OSSIO_EXML;
    }
    out->len = start + n;
    return OSSIO_OK;
}

bool ossio__xml_parse_bool(const ossio__xml_str *s, bool *out)
{
    if (s->p && strcmp(s->p, "true") == 0) {
        *out = true;
        return true;
    }
    if (s->p && strcmp(s->p, "false") == 0) {
        *out = false;
        return true;
    }
    return false;
}

static size_t find(const char *const *list, const char *name)
{
    size_t i = 0;
    for (; list[i]; i++) {
        if (strcmp(list[i], name) == 0) {
            return i;
        }
    }
    return i;
}

static ossio_status keep_tail(ossio__xml_doc *d, size_t i, const char *text, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy) {
        return OSSIO_ENOMEM;
    }
    memcpy(copy, text, len + 1);
    free(d->tail[i].p);
    d->tail[i].p = copy;
    d->tail[i].len = len;
    return OSSIO_OK;
}

static ossio_status keep_field(ossio__xml_doc *d, const ossio__xml_entry_def *e, size_t k,
                               const char *text, size_t len)
{
    size_t start = d->arena.len;
    ossio_status st = (d->url && (e->decode >> k & 1u))
                          ? ossio__xml_url_decode(&d->arena, text, len)
                          : ossio__buf_append(&d->arena, text, len);
    if (st == OSSIO_OK) {
        d->cur.n[k] = d->arena.len - start;
        st = ossio__buf_append_byte(&d->arena, 0);
    }
    if (st != OSSIO_OK) {
        d->arena.len = start;
        return st;
    }
    d->off[k] = start;
    d->cur.have |= 1u << k;
    return OSSIO_OK;
}

static ossio_status close_entry(ossio__xml_doc *d, size_t i)
{
    const ossio__xml_entry_def *e = &d->def->entries[i];
    for (size_t k = 0; k < OSSIO__XML_MAX_FIELDS; k++) {
        if (d->cur.have >> k & 1u) {
            d->cur.v[k] = (const char *)d->arena.data + d->off[k];
        } else {
            d->cur.v[k] = "";
            d->cur.n[k] = 0;
        }
    }
    if (e->decode && !d->url) {
        d->emitted_raw = true;
    }
    ossio_status st = d->emit(d, i, &d->cur);
    ossio__buf_reset(&d->arena);
    d->cur.have = 0;
    return st;
}

/* Whether |name| is |def|'s root (a NULL root takes any name). */
static bool is_root(const ossio__xml_doc_def *def, const char *name)
{
    return def->root == NULL || strcmp(name, def->root) == 0;
}

static int on_text(void *ud, size_t depth, const char *const *names, const char *text, size_t len)
{
    ossio__xml_doc *d = ud;
    if (!d->root_seen) {
        d->root_seen = true;
        /* The alternative wins over an "any root" definition. */
        if (d->def->alt && strcmp(names[0], d->def->alt->root) == 0 &&
            (d->def->root == NULL || strcmp(names[0], d->def->root) != 0)) {
            d->def = d->def->alt;
            d->alt_used = true;
        }
    }
    const ossio__xml_doc_def *def = d->def;
    if (!is_root(def, names[0])) {
        return 0; /* finish reports the wrong root */
    }
    ossio_status st = OSSIO_OK;
    if (depth == 1) {
        d->root_ok = true;
    } else if (depth == 2) {
        for (size_t i = 0; i < def->n_entries; i++) {
            if (strcmp(names[1], def->entries[i].name) == 0) {
                st = close_entry(d, i);
                break;
            }
        }
        size_t j = find(def->tail, names[1]);
        if (st == OSSIO_OK && def->tail[j]) {
            if (strcmp(names[1], "EncodingType") == 0 && strcmp(text, "url") == 0) {
                if (!d->url && d->emitted_raw) {
                    ossio__xml_stream_fail(&d->s, OSSIO_EXML,
                                           "EncodingType url after undecoded entries");
                    return 1;
                }
                d->url = true;
            }
            st = keep_tail(d, j, text, len);
        }
    } else if (depth == 3) {
        for (size_t i = 0; i < def->n_entries; i++) {
            const ossio__xml_entry_def *e = &def->entries[i];
            if (strcmp(names[1], e->name) == 0) {
                size_t k = find(e->fields, names[2]);
                if (e->fields[k]) {
                    st = keep_field(d, e, k, text, len);
                }
                break;
            }
        }
    }
    if (st != OSSIO_OK) {
        ossio__xml_stream_fail(&d->s, st,
                               st == OSSIO_ENOMEM ? "out of memory"
                               : st == OSSIO_EXML ? "bad value in XML entry"
                                                  : "stopped by a callback");
        return 1;
    }
    return 0;
}

ossio_status ossio__xml_doc_init(ossio__xml_doc *d, const ossio__xml_doc_def *def,
                                 ossio__xml_emit_fn emit, void *self, bool url,
                                 const ossio__xml_limits *lim)
{
    memset(d, 0, sizeof *d);
    d->def = def;
    d->emit = emit;
    d->self = self;
    d->url = url;
    ossio_status st = ossio__xml_stream_init(&d->s, on_text, NULL, d, lim);
    /* Every field of one entry at its largest, with its NUL. */
    size_t max_text = d->s.lim.max_text;
    ossio__buf_init(&d->arena,
                    max_text < SIZE_MAX / (OSSIO__XML_MAX_FIELDS + 1)
                        ? OSSIO__XML_MAX_FIELDS * (max_text + 1)
                        : SIZE_MAX,
                    OSSIO_EXML);
    return st;
}

ossio_status ossio__xml_doc_feed(ossio__xml_doc *d, const void *data, size_t len)
{
    return ossio__xml_stream_feed(&d->s, data, len);
}

ossio_status ossio__xml_doc_finish(ossio__xml_doc *d)
{
    ossio_status st = ossio__xml_stream_finish(&d->s);
    if (st != OSSIO_OK) {
        return st;
    }
    if (!d->root_ok) {
        d->s.status = OSSIO_EXML;
        d->s.why = "unexpected XML root element";
        return OSSIO_EXML;
    }
    if (d->url) {
        for (size_t i = 0; d->def->tail[i]; i++) {
            ossio__xml_str *t = &d->tail[i];
            if (t->p && (d->def->tail_decode >> i & 1u)) {
                if (!pct_decode(t->p, t->len, &t->len)) {
                    d->s.status = OSSIO_EXML;
                    d->s.why = "bad percent-encoding in XML";
                    return OSSIO_EXML;
                }
                t->p[t->len] = '\0';
            }
        }
    }
    return OSSIO_OK;
}

void ossio__xml_doc_free(ossio__xml_doc *d)
{
    ossio__xml_stream_free(&d->s);
    ossio__buf_free(&d->arena);
    for (size_t i = 0; i < OSSIO__XML_MAX_FIELDS; i++) {
        free(d->tail[i].p);
        d->tail[i].p = NULL;
    }
}

const ossio__xml_str *ossio__xml_doc_tail(const ossio__xml_doc *d, size_t i)
{
    return &d->tail[i];
}
