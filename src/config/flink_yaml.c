/* Flink's configuration file: flat flink-conf.yaml ("fs.oss.endpoint: x") or
 * nested config.yaml ("fs: {oss: {endpoint: x}}"), read with libyaml events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config/config.h"

#define DEPTH_MAX 64
#define PATH_MAX_LEN 4096
#define KEYS_MAX 100000

enum state { S_KEY, S_VALUE, S_SKIP_VALUE };

typedef struct frame {
    size_t base; /* length of the key path before this mapping's keys */
    enum state state;
} frame;

typedef struct reader {
    ossio_config *cfg;
    const char *origin;
    frame stack[DEPTH_MAX];
    int depth;    /* mappings open */
    int skipping; /* nesting of a node being skipped (sequence, complex key) */
    int skip_was_key;
    char path[PATH_MAX_LEN + 1];
    size_t path_len;
    int path_ok;
    ossio__config_kv *kv;
    size_t n;
    size_t cap;
} reader;

static ossio_status fail(reader *r, const yaml_event_t *ev, ossio_status st, const char *msg)
{
    ossio__config_errorf(r->cfg, "%s:%lu: %s", r->origin, (unsigned long)ev->start_mark.line + 1,
                         msg);
    return st;
}

static int is_null(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        return 0;
    }
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static ossio_status add(reader *r, const yaml_event_t *ev)
{
    if (!r->path_ok || is_null(ev)) {
        return OSSIO_OK;
    }
    if (r->n == KEYS_MAX) {
        return fail(r, ev, OSSIO_ECONFIG, "too many keys");
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        ossio__config_kv *v = realloc(r->kv, cap * sizeof(*v));
        if (v == NULL) {
            return OSSIO_ENOMEM;
        }
        r->kv = v;
        r->cap = cap;
    }
    ossio__config_kv *kv = &r->kv[r->n];
    kv->key = strdup(r->path);
    kv->value = strdup((const char *)ev->data.scalar.value);
    kv->final = 0;
    kv->line = (unsigned long)ev->start_mark.line + 1;
    if (kv->key == NULL || kv->value == NULL) {
        free(kv->key);
        free(kv->value);
        return OSSIO_ENOMEM;
    }
    r->n++;
    return OSSIO_OK;
}

/* The key of the innermost mapping is |ev|'s scalar: path = prefix + key. */
static void set_key(reader *r, const yaml_event_t *ev)
{
    frame *f = &r->stack[r->depth - 1];
    size_t len = ev->data.scalar.length;
    r->path_len = f->base;
    r->path_ok = 1;
    if (len == 0 || len > PATH_MAX_LEN - f->base) {
        r->path_ok = 0;
        return;
    }
    memcpy(r->path + f->base, ev->data.scalar.value, len);
    r->path_len = f->base + len;
    r->path[r->path_len] = '\0';
}

/* After a value (or a skipped node) the innermost mapping wants a key. */
static void value_done(reader *r)
{
    if (r->depth > 0) {
        r->stack[r->depth - 1].state = S_KEY;
    }
}

static void skip(reader *r, frame *f)
{
    r->skipping = 1;
    r->skip_was_key = f != NULL && f->state == S_KEY;
}

static ossio_status on_event(reader *r, const yaml_event_t *ev)
{
    if (r->skipping > 0) {
        if (ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT) {
            if (++r->skipping > DEPTH_MAX) {
                return fail(r, ev, OSSIO_ECONFIG, "nested deeper than 64 levels");
            }
        } else if (ev->type == YAML_MAPPING_END_EVENT || ev->type == YAML_SEQUENCE_END_EVENT) {
            if (--r->skipping == 0 && r->depth > 0) {
                /* a skipped key's value is skipped too */
                r->stack[r->depth - 1].state = r->skip_was_key ? S_SKIP_VALUE : S_KEY;
            }
        }
        return OSSIO_OK;
    }
    frame *f = r->depth > 0 ? &r->stack[r->depth - 1] : NULL;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
    case YAML_ALIAS_EVENT:
        if (f == NULL) {
            return OSSIO_OK; /* a document that is a lone scalar: no keys */
        }
        if (f->state == S_KEY) {
            if (ev->type == YAML_SCALAR_EVENT) {
                set_key(r, ev);
                f->state = S_VALUE;
            } else {
                f->state = S_SKIP_VALUE;
            }
            return OSSIO_OK;
        }
        /* Aliases are never expanded: no billion laughs through anchors. */
        if (f->state == S_VALUE && ev->type == YAML_SCALAR_EVENT) {
            f->state = S_KEY;
            return add(r, ev);
        }
        f->state = S_KEY;
        return OSSIO_OK;
    case YAML_MAPPING_START_EVENT:
        if (f == NULL) {
            r->stack[0].base = 0;
            r->stack[0].state = S_KEY;
            r->depth = 1;
            return OSSIO_OK;
        }
        if (f->state != S_VALUE || !r->path_ok || r->path_len + 1 > PATH_MAX_LEN) {
            skip(r, f); /* a mapping as a key, or under a skipped key */
            return OSSIO_OK;
        }
        if (r->depth == DEPTH_MAX) {
            return fail(r, ev, OSSIO_ECONFIG, "nested deeper than 64 levels");
        }
        r->path[r->path_len++] = '.';
        r->path[r->path_len] = '\0';
        r->stack[r->depth].base = r->path_len;
        r->stack[r->depth].state = S_KEY;
        r->depth++;
        return OSSIO_OK;
    case YAML_MAPPING_END_EVENT:
        if (r->depth > 0) {
            r->depth--;
        }
        value_done(r);
        return OSSIO_OK;
    case YAML_SEQUENCE_START_EVENT:
        skip(r, f); /* lists carry no fs.oss.* value */
        return OSSIO_OK;
    default:
        return OSSIO_OK;
    }
}

static void free_kv(reader *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->kv[i].key);
        free(r->kv[i].value);
    }
    free(r->kv);
}

ossio_status ossio__config_load_flink_mem(ossio_config *cfg, const void *data, size_t len,
                                          const char *origin)
{
    if (cfg == NULL || (data == NULL && len > 0)) {
        return OSSIO_EINVAL;
    }
    reader *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return OSSIO_ENOMEM;
    }
    r->cfg = cfg;
    r->origin = origin != NULL ? origin : "<memory>";
    ossio__config_errorf(cfg, "%s", "");
    if (len > OSSIO__CONFIG_FILE_MAX) {
        ossio__config_errorf(cfg, "%s: larger than 1 MiB", r->origin);
        free(r);
        return OSSIO_ECONFIG;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        free(r);
        return OSSIO_ENOMEM;
    }
    yaml_parser_set_input_string(&parser, data != NULL ? data : (const unsigned char *)"", len);
    ossio_status st = OSSIO_OK;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            if (parser.error == YAML_MEMORY_ERROR) {
                st = OSSIO_ENOMEM;
            } else {
                st = OSSIO_ECONFIG;
                const yaml_mark_t *m =
                    parser.problem != NULL ? &parser.problem_mark : &parser.context_mark;
                ossio__config_errorf(cfg, "%s:%lu: malformed YAML: %s%s%s", r->origin,
                                     (unsigned long)m->line + 1,
                                     parser.problem != NULL ? parser.problem : "parse error",
                                     parser.context != NULL ? " " : "",
                                     parser.context != NULL ? parser.context : "");
            }
            break;
        }
        int done = ev.type == YAML_STREAM_END_EVENT;
        st = on_event(r, &ev);
        yaml_event_delete(&ev);
        if (st != OSSIO_OK || done) {
            break;
        }
    }
    yaml_parser_delete(&parser);
    if (st == OSSIO_OK) {
        st = ossio__config_apply(cfg, r->kv, r->n, OSSIO_SRC_FLINK, r->origin);
    }
    free_kv(r);
    free(r);
    return st;
}

ossio_status ossio_config_load_flink(ossio_config *cfg, const char *path)
{
    if (cfg == NULL || path == NULL) {
        return OSSIO_EINVAL;
    }
    char *buf = NULL;
    size_t len = 0;
    ossio_status st = ossio__config_read_file(cfg, path, OSSIO__CONFIG_FILE_MAX, &buf, &len);
    if (st == OSSIO_OK) {
        st = ossio__config_load_flink_mem(cfg, buf, len, path);
        free(buf);
    }
    return st;
}
