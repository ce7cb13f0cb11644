/* ossio_config: a list of key/value strings over the table of known keys.
 * Sources (core-site.xml, Flink yaml, environment) build on this store. */
#include "config/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/keys.h"

typedef struct entry {
    char *key;
    char *value;
} entry;

struct ossio_config {
    entry *v;
    size_t n;
    size_t cap;
    char error[256];
};

ossio_config *ossio_config_new(void)
{
    return calloc(1, sizeof(ossio_config));
}

void ossio_config_free(ossio_config *cfg)
{
    if (cfg == NULL) {
        return;
    }
    for (size_t i = 0; i < cfg->n; i++) {
        free(cfg->v[i].key);
        free(cfg->v[i].value);
    }
    free(cfg->v);
    free(cfg);
}

int ossio_parse_size(const char *s, int64_t *out)
{
    if (s == NULL || *s < '0' || *s > '9') {
        return 0;
    }
    uint64_t v = 0;
    const char *p = s;
    while (*p >= '0' && *p <= '9') {
        if (v > (UINT64_MAX - 9) / 10) {
            return 0;
        }
        v = v * 10 + (uint64_t)(*p++ - '0');
    }
    unsigned shift = 0;
    switch (*p) {
    case 'k':
    case 'K':
        shift = 10;
        break;
    case 'm':
    case 'M':
        shift = 20;
        break;
    case 'g':
    case 'G':
        shift = 30;
        break;
    case 't':
    case 'T':
        shift = 40;
        break;
    case 'p':
    case 'P':
        shift = 50;
        break;
    case '\0':
        break;
    default:
        return 0;
    }
    if (shift != 0) {
        p++;
        if (strcmp(p, "iB") == 0 || strcmp(p, "B") == 0 || strcmp(p, "b") == 0) {
            p += strlen(p);
        }
    }
    if (*p != '\0' || v > ((uint64_t)INT64_MAX >> shift)) {
        return 0;
    }
    *out = (int64_t)(v << shift);
    return 1;
}

static int parse_int(const char *s, int64_t *out)
{
    const char *p = s;
    int neg = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (*p < '0' || *p > '9') {
        return 0;
    }
    int64_t v = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (INT64_MAX - 9) / 10) {
            return 0;
        }
        v = v * 10 + (*p - '0');
    }
    if (*p != '\0') {
        return 0;
    }
    *out = neg ? -v : v;
    return 1;
}

static int parse_bool(const char *s, int *out)
{
    if (strcmp(s, "true") == 0 || strcmp(s, "TRUE") == 0 || strcmp(s, "True") == 0) {
        *out = 1;
        return 1;
    }
    if (strcmp(s, "false") == 0 || strcmp(s, "FALSE") == 0 || strcmp(s, "False") == 0) {
        *out = 0;
        return 1;
    }
    return 0;
}

/* Checks |value| against |k|; writes the reason into |why|. */
static int check(const ossio_key *k, const char *value, char *why, size_t why_len)
{
    int64_t v = 0;
    int b = 0;
    switch (k->type) {
    case OSSIO_KEY_STR:
        return 1;
    case OSSIO_KEY_BOOL:
        if (parse_bool(value, &b)) {
            return 1;
        }
        snprintf(why, why_len, "expected true or false");
        return 0;
    case OSSIO_KEY_INT:
        if (!parse_int(value, &v)) {
            snprintf(why, why_len, "expected an integer");
            return 0;
        }
        break;
    case OSSIO_KEY_SIZE:
        if (!ossio_parse_size(value, &v)) {
            snprintf(why, why_len, "expected a size such as 65536, 64k, 16M or 1g");
            return 0;
        }
        break;
    }
    if (v < k->min || v > k->max) {
        snprintf(why, why_len, "must be between %lld and %lld", (long long)k->min,
                 (long long)k->max);
        return 0;
    }
    return 1;
}

static entry *find(const ossio_config *cfg, const char *key)
{
    for (size_t i = 0; i < cfg->n; i++) {
        if (strcmp(cfg->v[i].key, key) == 0) {
            return &cfg->v[i];
        }
    }
    return NULL;
}

ossio_status ossio_config_set(ossio_config *cfg, const char *key, const char *value)
{
    if (cfg == NULL || key == NULL || *key == '\0') {
        return OSSIO_EINVAL;
    }
    cfg->error[0] = '\0';
    const ossio_key *k = ossio_key_find(key);
    if (k != NULL && value != NULL) {
        char why[128];
        if (!check(k, value, why, sizeof(why))) {
            /* The value is echoed: no known key of this kind holds a secret. */
            snprintf(cfg->error, sizeof(cfg->error), "invalid value '%.64s' for '%s': %s", value,
                     key, why);
            return OSSIO_ECONFIG;
        }
    }
    entry *e = find(cfg, key);
    if (value == NULL) {
        if (e != NULL) {
            free(e->key);
            free(e->value);
            *e = cfg->v[--cfg->n];
        }
        return OSSIO_OK;
    }
    char *copy = strdup(value);
    if (copy == NULL) {
        return OSSIO_ENOMEM;
    }
    if (e != NULL) {
        free(e->value);
        e->value = copy;
        return OSSIO_OK;
    }
    if (cfg->n == cfg->cap) {
        size_t cap = cfg->cap ? cfg->cap * 2 : 16;
        entry *v = realloc(cfg->v, cap * sizeof(*v));
        if (v == NULL) {
            free(copy);
            return OSSIO_ENOMEM;
        }
        cfg->v = v;
        cfg->cap = cap;
    }
    char *kcopy = strdup(key);
    if (kcopy == NULL) {
        free(copy);
        return OSSIO_ENOMEM;
    }
    cfg->v[cfg->n].key = kcopy;
    cfg->v[cfg->n].value = copy;
    cfg->n++;
    return OSSIO_OK;
}

const char *ossio_config_get(const ossio_config *cfg, const char *key)
{
    if (cfg == NULL || key == NULL) {
        return NULL;
    }
    const entry *e = find(cfg, key);
    if (e != NULL) {
        return e->value;
    }
    const ossio_key *k = ossio_key_find(key);
    return k != NULL ? k->def : NULL;
}

const char *ossio_config_error(const ossio_config *cfg)
{
    return cfg != NULL ? cfg->error : "";
}

int64_t ossio_config_int(const ossio_config *cfg, const char *key)
{
    const ossio_key *k = ossio_key_find(key);
    const char *s = ossio_config_get(cfg, key);
    int64_t v = 0;
    if (k != NULL && k->type == OSSIO_KEY_SIZE) {
        if (s == NULL || !ossio_parse_size(s, &v)) {
            ossio_parse_size(k->def, &v);
        }
        return v;
    }
    if (s == NULL || !parse_int(s, &v)) {
        if (k == NULL || !parse_int(k->def, &v)) {
            v = 0;
        }
    }
    return v;
}

int ossio_config_bool(const ossio_config *cfg, const char *key)
{
    const char *s = ossio_config_get(cfg, key);
    int b = 0;
    if (s != NULL && parse_bool(s, &b)) {
        return b;
    }
    return 0;
}

const char *ossio_config_str(const ossio_config *cfg, const char *key)
{
    const char *s = ossio_config_get(cfg, key);
    return s != NULL ? s : "";
}
