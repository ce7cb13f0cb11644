/* Hadoop core-site.xml: a streaming expat parse of <configuration><property>
 * elements, then Hadoop's ${var} substitution, then one checked batch store. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "util/buf.h"
#include "xml/stream.h"

#define TEXT_MAX ((size_t)64 << 10) /* one name, value or final element */
#define PROPS_MAX 100000
#define SUBST_DEPTH 20     /* Hadoop's MAX_SUBST */
#define SUBST_LOOKUPS 1000 /* per value: no exponential blow-up */
#define SUBST_OUT_MAX ((size_t)64 << 10)
#define CHUNK ((size_t)64 << 10)

enum field { F_NONE, F_NAME, F_VALUE, F_FINAL };

/* The hardened expat of xml/stream.c (no DTD, no entities, bounded text,
 * depth and memory); this file only picks the <property> fields out. */
struct ossio__hadoop_xml {
    ossio_config *cfg;
    const char *origin;
    ossio__xml_stream s;
    ossio_status st;
    int in_prop;
    int have_value;
    unsigned long prop_line;
    char *text[4]; /* indexed by enum field; NULL: empty */
    size_t total;
    ossio__config_kv *props;
    size_t n;
    size_t cap;
};

static void fail(ossio__hadoop_xml *hx, ossio_status st, const char *msg)
{
    if (hx->st == OSSIO_OK) {
        hx->st = st;
        ossio__config_errorf(hx->cfg, "%s:%lu: %s", hx->origin, ossio__xml_stream_line(&hx->s),
                             msg);
    }
    ossio__xml_stream_fail(&hx->s, st, msg);
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

static void set_text(ossio__hadoop_xml *hx, enum field f, const char *s, size_t len)
{
    if (len > TEXT_MAX) {
        fail(hx, OSSIO_EXML, "element text too long");
        return;
    }
    char *c = malloc(len + 1);
    if (c == NULL) {
        fail(hx, OSSIO_ENOMEM, "out of memory");
        return;
    }
    memcpy(c, s, len);
    c[len] = '\0';
    free(hx->text[f]);
    hx->text[f] = c;
}

static int on_start(void *ud, size_t depth, const char *const *names, const char **attrs)
{
    ossio__hadoop_xml *hx = ud;
    const char *el = names[depth - 1];
    if (depth == 1 && strcmp(el, "configuration") != 0) {
        fail(hx, OSSIO_EXML, "top-level element is not <configuration>");
        return 1;
    }
    if (depth == 2 && strcmp(el, "property") == 0) {
        hx->in_prop = 1;
        hx->have_value = 0;
        hx->prop_line = ossio__xml_stream_line(&hx->s);
        for (int f = F_NAME; f <= F_FINAL; f++) {
            free(hx->text[f]);
            hx->text[f] = NULL;
        }
        /* Hadoop also takes <property name=".." value=".." final=".."/>. */
        for (size_t i = 0; attrs[i] != NULL && hx->st == OSSIO_OK; i += 2) {
            enum field f = strcmp(attrs[i], "name") == 0    ? F_NAME
                           : strcmp(attrs[i], "value") == 0 ? F_VALUE
                           : strcmp(attrs[i], "final") == 0 ? F_FINAL
                                                            : F_NONE;
            if (f != F_NONE) {
                set_text(hx, f, attrs[i + 1], strlen(attrs[i + 1]));
                hx->have_value |= f == F_VALUE;
            }
        }
    } else if (depth == 3 && hx->in_prop && strcmp(el, "value") == 0) {
        hx->have_value = 1;
    }
    return hx->st != OSSIO_OK;
}

static void end_property(ossio__hadoop_xml *hx)
{
    hx->in_prop = 0;
    const char *t_name = hx->text[F_NAME] ? hx->text[F_NAME] : "";
    char *name = trimmed_copy(t_name, strlen(t_name));
    if (name == NULL) {
        fail(hx, OSSIO_ENOMEM, "out of memory");
        return;
    }
    if (name[0] == '\0' || !hx->have_value) {
        free(name); /* Hadoop skips a property without name or value */
        return;
    }
    const char *t_value = hx->text[F_VALUE] ? hx->text[F_VALUE] : "";
    const char *t_final = hx->text[F_FINAL] ? hx->text[F_FINAL] : "";
    char *value = trimmed_copy(t_value, strlen(t_value));
    char *final = trimmed_copy(t_final, strlen(t_final));
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

/* An element ends with its text: <name>, <value>, <final> inside a
 * <property> are kept; the property's end stores it. */
static int on_text(void *ud, size_t depth, const char *const *names, const char *text, size_t len)
{
    ossio__hadoop_xml *hx = ud;
    const char *el = names[depth - 1];
    if (depth == 3 && hx->in_prop) {
        enum field f = strcmp(el, "name") == 0    ? F_NAME
                       : strcmp(el, "value") == 0 ? F_VALUE
                       : strcmp(el, "final") == 0 ? F_FINAL
                                                  : F_NONE;
        if (f != F_NONE) {
            set_text(hx, f, text, len);
        }
    } else if (depth == 2 && hx->in_prop) {
        end_property(hx);
    }
    return hx->st != OSSIO_OK;
}

ossio__hadoop_xml *ossio__hadoop_xml_new(ossio_config *cfg, const char *origin)
{
    ossio__hadoop_xml *hx = calloc(1, sizeof(*hx));
    if (hx == NULL) {
        return NULL;
    }
    /* Deeper than any core-site.xml; text outside <name>, <value>, <final> is
     * not bounded (set_text bounds those), as before; expat may hold a few chunks. */
    const ossio__xml_limits lim = {OSSIO__XML_DEPTH_CAP, OSSIO__CONFIG_FILE_MAX,
                                   OSSIO__CONFIG_FILE_MAX, (size_t)8 << 20};
    if (ossio__xml_stream_init(&hx->s, on_text, NULL, hx, &lim) != OSSIO_OK) {
        free(hx);
        return NULL;
    }
    ossio__xml_stream_on_start(&hx->s, on_start);
    hx->cfg = cfg;
    hx->origin = origin;
    return hx;
}

void ossio__hadoop_xml_free(ossio__hadoop_xml *hx)
{
    if (hx == NULL) {
        return;
    }
    ossio__xml_stream_free(&hx->s);
    for (int f = 0; f < 4; f++) {
        free(hx->text[f]);
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

/* Appends |len| bytes; false past SUBST_OUT_MAX or without memory. */
static int add(ossio__buf *b, const char *s, size_t len)
{
    return len <= SUBST_OUT_MAX - b->len && ossio__buf_append(b, s, len) == OSSIO_OK;
}

static int expand(subst *s, const char *in, int depth, ossio__buf *out);

/* Expands one ${...} reference |var| (NUL-terminated) into |out|. */
static int expand_var(subst *s, const char *var, int depth, ossio__buf *out)
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
        size_t mark = out->len;
        if (expand(s, v, depth + 1, out)) {
            return 1;
        }
        out->len = mark; /* too long: keep the reference literal */
    }
    return add(out, "${", 2) && add(out, var, strlen(var)) && add(out, "}", 1);
}

/* Appends |in| with references expanded; false when the result is too long. */
static int expand(subst *s, const char *in, int depth, ossio__buf *out)
{
    const char *p = in;
    for (;;) {
        const char *ref = strstr(p, "${");
        const char *close = ref != NULL ? strchr(ref + 2, '}') : NULL;
        if (ref == NULL || close == NULL) {
            return add(out, p, strlen(p));
        }
        if (!add(out, p, (size_t)(ref - p))) {
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
        ossio__buf out;
        ossio__buf_init(&out, SUBST_OUT_MAX + 1, OSSIO_EXML);
        s.lookups = 0;
        if (!expand(&s, hx->props[i].value, 0, &out) ||
            ossio__buf_append_byte(&out, 0) != OSSIO_OK) {
            ossio__buf_free(&out); /* too long even with literals: keep it raw */
            continue;
        }
        resolved[i] = (char *)out.data; /* ownership moves out of the buffer */
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
    if (len > OSSIO__CONFIG_FILE_MAX - hx->total) {
        fail(hx, OSSIO_EXML, "document larger than 1 MiB");
        return hx->st;
    }
    hx->total += len;
    ossio_status st = ossio__xml_stream_feed(&hx->s, data, len);
    if (st == OSSIO_OK && last) {
        st = ossio__xml_stream_finish(&hx->s);
    }
    if (st != OSSIO_OK) {
        if (hx->st == OSSIO_OK) { /* expat's own verdict, or a stream limit */
            fail(hx, st == OSSIO_ENOMEM ? OSSIO_ENOMEM : OSSIO_EXML,
                 ossio__xml_stream_error(&hx->s));
        }
        return hx->st;
    }
    if (!last) {
        return OSSIO_OK;
    }
    st = substitute(hx);
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
