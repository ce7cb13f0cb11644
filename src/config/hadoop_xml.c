/* Hadoop core-site.xml: a streaming expat parse of <configuration><property>
 * elements, then Hadoop's ${var} substitution, then one checked batch store. */
#include <ctype.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

#define TEXT_MAX ((size_t)64 << 10) /* one name, value or final element */
#define PROPS_MAX 100000
#define SUBST_DEPTH 20     /* Hadoop's MAX_SUBST */
#define SUBST_LOOKUPS 1000 /* per value: no exponential blow-up */
#define SUBST_OUT_MAX ((size_t)64 << 10)
#define CHUNK ((size_t)64 << 10)

typedef struct sbuf {
    char *p;
    size_t n;
    size_t cap;
} sbuf;

/* Appends |len| bytes; false when that would pass |max| or memory runs out. */
static int sb_add(sbuf *b, const char *s, size_t len, size_t max)
{
    if (len > max || b->n > max - len) {
        return 0;
    }
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + len + 1) {
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            return 0;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
    return 1;
}

enum field { F_NONE, F_NAME, F_VALUE, F_FINAL };

struct ossio__hadoop_xml {
    ossio_config *cfg;
    const char *origin;
    XML_Parser p;
    ossio_status st;
    int depth;
    int in_prop;
    enum field field;
    int have_value;
    unsigned long prop_line;
    sbuf text[4]; /* indexed by enum field */
    size_t total;
    ossio__config_kv *props;
    size_t n;
    size_t cap;
};

static void fail(ossio__hadoop_xml *hx, ossio_status st, const char *msg)
{
    if (hx->st == OSSIO_OK) {
        hx->st = st;
        ossio__config_errorf(hx->cfg, "%s:%lu: %s", hx->origin,
                             (unsigned long)XML_GetCurrentLineNumber(hx->p), msg);
    }
    XML_StopParser(hx->p, XML_FALSE);
}

static char *trimmed_copy(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        n--;
    }
    char *c = malloc(n + 1);
    if (c != NULL) {
        memcpy(c, s, n);
        c[n] = '\0';
    }
    return c;
}

static void set_text(ossio__hadoop_xml *hx, enum field f, const char *s)
{
    hx->text[f].n = 0;
    if (!sb_add(&hx->text[f], s, strlen(s), TEXT_MAX)) {
        fail(hx, OSSIO_EXML, "element text too long");
    }
}

static void XMLCALL on_start(void *ud, const XML_Char *el, const XML_Char **attrs)
{
    ossio__hadoop_xml *hx = ud;
    hx->depth++;
    if (hx->depth == 1 && strcmp(el, "configuration") != 0) {
        fail(hx, OSSIO_EXML, "top-level element is not <configuration>");
        return;
    }
    if (hx->depth == 2 && strcmp(el, "property") == 0) {
        hx->in_prop = 1;
        hx->have_value = 0;
        hx->prop_line = (unsigned long)XML_GetCurrentLineNumber(hx->p);
        for (int f = F_NAME; f <= F_FINAL; f++) {
            hx->text[f].n = 0;
        }
        /* Hadoop also takes <property name=".." value=".." final=".."/>. */
        for (size_t i = 0; attrs[i] != NULL; i += 2) {
            if (strcmp(attrs[i], "name") == 0) {
                set_text(hx, F_NAME, attrs[i + 1]);
            } else if (strcmp(attrs[i], "value") == 0) {
                set_text(hx, F_VALUE, attrs[i + 1]);
                hx->have_value = 1;
            } else if (strcmp(attrs[i], "final") == 0) {
                set_text(hx, F_FINAL, attrs[i + 1]);
            }
        }
        return;
    }
    if (hx->depth == 3 && hx->in_prop) {
        if (strcmp(el, "name") == 0) {
            hx->field = F_NAME;
        } else if (strcmp(el, "value") == 0) {
            hx->field = F_VALUE;
            hx->have_value = 1;
        } else if (strcmp(el, "final") == 0) {
            hx->field = F_FINAL;
        } else {
            return;
        }
        hx->text[hx->field].n = 0;
    }
}

static void end_property(ossio__hadoop_xml *hx)
{
    hx->in_prop = 0;
    char *name = trimmed_copy(hx->text[F_NAME].p ? hx->text[F_NAME].p : "", hx->text[F_NAME].n);
    if (name == NULL) {
        fail(hx, OSSIO_ENOMEM, "out of memory");
        return;
    }
    if (name[0] == '\0' || !hx->have_value) {
        free(name); /* Hadoop skips a property without name or value */
        return;
    }
    char *value = trimmed_copy(hx->text[F_VALUE].p ? hx->text[F_VALUE].p : "", hx->text[F_VALUE].n);
    char *final = trimmed_copy(hx->text[F_FINAL].p ? hx->text[F_FINAL].p : "", hx->text[F_FINAL].n);
    if (value == NULL || final == NULL || hx->n == PROPS_MAX) {
        free(name);
        free(value);
        free(final);
        fail(hx, hx->n == PROPS_MAX ? OSSIO_EXML : OSSIO_ENOMEM,
             hx->n == PROPS_MAX ? "too many properties" : "out of memory");
        return;
    }
    if (hx->n == hx->cap) {
        size_t cap = hx->cap ? hx->cap * 2 : 32;
        ossio__config_kv *v = realloc(hx->props, cap * sizeof(*v));
        if (v == NULL) {
            free(name);
            free(value);
            free(final);
            fail(hx, OSSIO_ENOMEM, "out of memory");
            return;
        }
        hx->props = v;
        hx->cap = cap;
    }
    hx->props[hx->n].key = name;
    hx->props[hx->n].value = value;
    hx->props[hx->n].final = strcmp(final, "true") == 0;
    hx->props[hx->n].line = hx->prop_line;
    hx->n++;
    free(final);
}

static void XMLCALL on_end(void *ud, const XML_Char *el)
{
    ossio__hadoop_xml *hx = ud;
    (void)el;
    if (hx->depth == 3) {
        hx->field = F_NONE;
    } else if (hx->depth == 2 && hx->in_prop) {
        end_property(hx);
    }
    hx->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    ossio__hadoop_xml *hx = ud;
    if (hx->in_prop && hx->depth == 3 && hx->field != F_NONE && len > 0) {
        if (!sb_add(&hx->text[hx->field], s, (size_t)len, TEXT_MAX)) {
            fail(hx, OSSIO_EXML, "element text too long");
        }
    }
}

/* No DTD at all: entity declarations are how billion-laughs documents and
 * external entity reads start. */
static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal_subset;
    fail(ud, OSSIO_EXML, "DTD (<!DOCTYPE>) not allowed");
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
                              int value_len, const XML_Char *base, const XML_Char *sysid,
                              const XML_Char *pubid, const XML_Char *notation)
{
    (void)name;
    (void)is_param;
    (void)value;
    (void)value_len;
    (void)base;
    (void)sysid;
    (void)pubid;
    (void)notation;
    fail(ud, OSSIO_EXML, "entity declarations not allowed");
}

ossio__hadoop_xml *ossio__hadoop_xml_new(ossio_config *cfg, const char *origin)
{
    ossio__hadoop_xml *hx = calloc(1, sizeof(*hx));
    if (hx == NULL) {
        return NULL;
    }
    hx->p = XML_ParserCreate(NULL);
    if (hx->p == NULL) {
        free(hx);
        return NULL;
    }
    hx->cfg = cfg;
    hx->origin = origin;
    XML_SetUserData(hx->p, hx);
    XML_SetElementHandler(hx->p, on_start, on_end);
    XML_SetCharacterDataHandler(hx->p, on_text);
    XML_SetStartDoctypeDeclHandler(hx->p, on_doctype);
    XML_SetEntityDeclHandler(hx->p, on_entity);
    XML_SetParamEntityParsing(hx->p, XML_PARAM_ENTITY_PARSING_NEVER);
    return hx;
}

void ossio__hadoop_xml_free(ossio__hadoop_xml *hx)
{
    if (hx == NULL) {
        return;
    }
    XML_ParserFree(hx->p);
    for (int f = 0; f < 4; f++) {
        free(hx->text[f].p);
    }
    for (size_t i = 0; i < hx->n; i++) {
        free(hx->props[i].key);
        free(hx->props[i].value);
    }
    free(hx->props);
    free(hx);
}

/* ---- ${var} substitution ------------------------------------------------ */

typedef struct named {
    const char *key;
    size_t i;
} named;

typedef struct subst {
    ossio__hadoop_xml *hx;
    named *order; /* properties sorted by name, then position */
    int lookups;
} subst;

static int by_name(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c != 0 ? c : (x->i < y->i ? -1 : x->i > y->i);
}

/* The raw value |name| has in this document (the first final definition,
 * else the last), NULL if none. */
static const char *doc_value(const subst *s, const char *name)
{
    const ossio__config_kv *kv = s->hx->props;
    size_t lo = 0, hi = s->hx->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(s->order[mid].key, name) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    const char *v = NULL;
    for (; lo < s->hx->n && strcmp(s->order[lo].key, name) == 0; lo++) {
        v = kv[s->order[lo].i].value;
        if (kv[s->order[lo].i].final) {
            break;
        }
    }
    return v;
}

/* Hadoop's order: properties (this file, then earlier sources), then the
 * environment; "env.NAME" and "env.NAME:-default" read the environment only. */
static const char *lookup(const subst *s, const char *name)
{
    if (strncmp(name, "env.", 4) == 0 && name[4] != '\0') {
        return NULL; /* handled by the caller, which owns the default */
    }
    const char *v = doc_value(s, name);
    if (v == NULL) {
        v = ossio_config_get(s->hx->cfg, name);
        if (v != NULL && v[0] == '\0' &&
            ossio_config_source_of(s->hx->cfg, name) == OSSIO_SRC_DEFAULT) {
            v = NULL; /* an empty built-in default is no value */
        }
    }
    if (v == NULL) {
        v = getenv(name);
    }
    return v;
}

static int expand(subst *s, const char *in, int depth, sbuf *out);

/* Expands one ${...} reference |var| (NUL-terminated) into |out|. */
static int expand_var(subst *s, const char *var, int depth, sbuf *out)
{
    const char *v = NULL;
    if (depth < SUBST_DEPTH && s->lookups < SUBST_LOOKUPS) {
        s->lookups++;
        if (strncmp(var, "env.", 4) == 0 && var[4] != '\0') {
            char name[256];
            const char *dflt = strstr(var + 4, ":-");
            size_t n = dflt != NULL ? (size_t)(dflt - (var + 4)) : strlen(var + 4);
            if (n < sizeof(name)) {
                memcpy(name, var + 4, n);
                name[n] = '\0';
                v = getenv(name);
                if ((v == NULL || v[0] == '\0') && dflt != NULL) {
                    v = dflt + 2;
                }
            }
        } else {
            v = lookup(s, var);
        }
    }
    if (v != NULL) {
        size_t mark = out->n;
        if (expand(s, v, depth + 1, out)) {
            return 1;
        }
        out->n = mark; /* too long: keep the reference literal */
        if (out->p != NULL) {
            out->p[mark] = '\0';
        }
    }
    return sb_add(out, "${", 2, SUBST_OUT_MAX) && sb_add(out, var, strlen(var), SUBST_OUT_MAX) &&
           sb_add(out, "}", 1, SUBST_OUT_MAX);
}

/* Appends |in| with references expanded; false when the result is too long. */
static int expand(subst *s, const char *in, int depth, sbuf *out)
{
    const char *p = in;
    for (;;) {
        const char *ref = strstr(p, "${");
        const char *close = ref != NULL ? strchr(ref + 2, '}') : NULL;
        if (ref == NULL || close == NULL) {
            return sb_add(out, p, strlen(p), SUBST_OUT_MAX);
        }
        if (!sb_add(out, p, (size_t)(ref - p), SUBST_OUT_MAX)) {
            return 0;
        }
        size_t n = (size_t)(close - (ref + 2));
        char *var = malloc(n + 1);
        if (var == NULL) {
            return 0;
        }
        memcpy(var, ref + 2, n);
        var[n] = '\0';
        int ok = expand_var(s, var, depth, out);
        free(var);
        if (!ok) {
            return 0;
        }
        p = close + 1;
    }
}

static ossio_status substitute(ossio__hadoop_xml *hx)
{
    if (hx->n == 0) {
        return OSSIO_OK;
    }
    subst s = {hx, malloc(hx->n * sizeof(named)), 0};
    if (s.order == NULL) {
        return OSSIO_ENOMEM;
    }
    for (size_t i = 0; i < hx->n; i++) {
        s.order[i].key = hx->props[i].key;
        s.order[i].i = i;
    }
    qsort(s.order, hx->n, sizeof(named), by_name);
    /* Resolve everything against the raw values, then swap them in. */
    char **resolved = calloc(hx->n, sizeof(char *));
    ossio_status st = resolved != NULL ? OSSIO_OK : OSSIO_ENOMEM;
    for (size_t i = 0; st == OSSIO_OK && i < hx->n; i++) {
        if (strstr(hx->props[i].value, "${") == NULL) {
            continue;
        }
        sbuf out = {0};
        s.lookups = 0;
        if (!expand(&s, hx->props[i].value, 0, &out) || out.p == NULL) {
            free(out.p); /* too long even with literals: keep it raw */
            continue;
        }
        resolved[i] = out.p;
    }
    for (size_t i = 0; resolved != NULL && i < hx->n; i++) {
        if (resolved[i] != NULL) {
            free(hx->props[i].value);
            hx->props[i].value = resolved[i];
        }
    }
    free(resolved);
    free(s.order);
    return st;
}

/* ------------------------------------------------------------------------ */

ossio_status ossio__hadoop_xml_feed(ossio__hadoop_xml *hx, const void *data, size_t len, int last)
{
    if (hx->st != OSSIO_OK) {
        return hx->st;
    }
    const char *d = data;
    do {
        size_t n = len < CHUNK ? len : CHUNK;
        if (hx->total + n > OSSIO__CONFIG_FILE_MAX) {
            fail(hx, OSSIO_EXML, "document larger than 1 MiB");
            return hx->st;
        }
        hx->total += n;
        int fin = last && n == len;
        if (XML_Parse(hx->p, d, (int)n, fin) != XML_STATUS_OK) {
            if (hx->st == OSSIO_OK) {
                hx->st = OSSIO_EXML;
                ossio__config_errorf(hx->cfg, "%s:%lu: %s", hx->origin,
                                     (unsigned long)XML_GetCurrentLineNumber(hx->p),
                                     XML_ErrorString(XML_GetErrorCode(hx->p)));
            }
            return hx->st;
        }
        d += n;
        len -= n;
    } while (len > 0);
    if (!last) {
        return OSSIO_OK;
    }
    ossio_status st = substitute(hx);
    if (st == OSSIO_OK) {
        st = ossio__config_apply(hx->cfg, hx->props, hx->n, OSSIO_SRC_HADOOP, hx->origin);
    }
    return hx->st = st;
}

ossio_status ossio__config_load_hadoop_mem(ossio_config *cfg, const void *data, size_t len,
                                           const char *origin)
{
    if (cfg == NULL || (data == NULL && len > 0)) {
        return OSSIO_EINVAL;
    }
    ossio__config_errorf(cfg, "%s", "");
    ossio__hadoop_xml *hx = ossio__hadoop_xml_new(cfg, origin != NULL ? origin : "<memory>");
    if (hx == NULL) {
        return OSSIO_ENOMEM;
    }
    ossio_status st = ossio__hadoop_xml_feed(hx, data != NULL ? data : "", len, 1);
    ossio__hadoop_xml_free(hx);
    return st;
}

ossio_status ossio_config_load_hadoop(ossio_config *cfg, const char *path)
{
    if (cfg == NULL || path == NULL) {
        return OSSIO_EINVAL;
    }
    ossio__config_errorf(cfg, "%s", "");
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        ossio__config_errorf(cfg, "%s: cannot open", path);
        return OSSIO_EIO;
    }
    ossio__hadoop_xml *hx = ossio__hadoop_xml_new(cfg, path);
    char *buf = malloc(CHUNK);
    ossio_status st = hx != NULL && buf != NULL ? OSSIO_OK : OSSIO_ENOMEM;
    while (st == OSSIO_OK) {
        size_t n = fread(buf, 1, CHUNK, f);
        if (ferror(f)) {
            ossio__config_errorf(cfg, "%s: read error", path);
            st = OSSIO_EIO;
            break;
        }
        int last = n < CHUNK && feof(f);
        st = ossio__hadoop_xml_feed(hx, buf, n, last);
        if (last) {
            break;
        }
    }
    free(buf);
    ossio__hadoop_xml_free(hx);
    fclose(f);
    return st;
}
