/* ossio_config: key/value strings over the table of known keys, one value
 * per source so precedence never depends on the order sources are loaded. */
#include "config/config.h"

#include <errno.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/keys.h"

#define NSRC ((int)OSSIO__SRC_ENV_S3 + 1)

typedef struct entry {
    char *key;
    char *val[NSRC]; /* by source, then the AWS_* value; [OSSIO_SRC_DEFAULT] unused */
    int hadoop_final;
} entry;

struct ossio_config {
    entry *v;
    size_t n;
    size_t cap;
    char error[512];
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
        for (int s = 0; s < NSRC; s++) {
            free(cfg->v[i].val[s]);
        }
    }
    free(cfg->v);
    free(cfg);
}

int ossio__parse_size(const char *s, int64_t *out)
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

static int in_choices(const char *choices, const char *value)
{
    size_t n = strlen(value);
    const char *p = choices;
    while (*p != '\0') {
        const char *bar = strchr(p, '|');
        size_t w = bar != NULL ? (size_t)(bar - p) : strlen(p);
        if (w == n && strncmp(p, value, n) == 0) {
            return 1;
        }
        p += w;
        if (*p == '|') {
            p++;
        }
    }
    return 0;
}

/* Checks |value| against |k|; writes the reason into |why|. */
/* One "ip", "ip:port", "[ipv6]" or "[ipv6]:port" of fs.oss.dns.servers (as
 * c-ares reads them: a value it refuses would fail ossio_client_new). */
static int server_ok(const char *s, size_t len)
{
    const char *end = s + len;
    const char *a = s, *a_end = end, *port = NULL;
    int v6 = 0;
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL || (close + 1 < end && close[1] != ':')) {
            return 0;
        }
        a = s + 1;
        a_end = close;
        port = close + 1 < end ? close + 1 : NULL;
        v6 = 1;
    } else {
        const char *c1 = memchr(s, ':', len);
        if (c1 != NULL && memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) != NULL) {
            v6 = 1; /* a bare IPv6 address */
        } else if (c1 != NULL) {
            a_end = c1;
            port = c1;
        }
    }
    char addr[64];
    unsigned char bin[16];
    size_t alen = (size_t)(a_end - a);
    if (alen == 0 || alen >= sizeof(addr)) {
        return 0;
    }
    memcpy(addr, a, alen);
    addr[alen] = '\0';
    if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, bin) != 1) {
        return 0;
    }
    if (port != NULL) {
        char num[8];
        size_t n = (size_t)(end - port - 1);
        int64_t p = 0;
        if (n == 0 || n >= sizeof(num)) {
            return 0;
        }
        memcpy(num, port + 1, n);
        num[n] = '\0';
        if (!parse_int(num, &p) || p < 1 || p > 65535) {
            return 0;
        }
    }
    return 1;
}

static int servers_ok(const char *v)
{
    if (*v == '\0') {
        return 1; /* unset: the system's */
    }
    for (;;) {
        const char *comma = strchr(v, ',');
        size_t len = comma != NULL ? (size_t)(comma - v) : strlen(v);
        if (!server_ok(v, len)) {
            return 0;
        }
        if (comma == NULL) {
            return 1;
        }
        v = comma + 1;
    }
}

static int check(const ossio__key *k, const char *value, char *why, size_t why_len)
{
    int64_t v = 0;
    int b = 0;
    switch (k->type) {
    case OSSIO__KEY_STR:
        if (strcmp(k->name, "fs.oss.dns.servers") == 0 && !servers_ok(value)) {
            snprintf(why, why_len, "expected ip[:port], [ipv6][:port], comma-separated");
            return 0;
        }
        return 1;
    case OSSIO__KEY_ENUM:
        if (in_choices(k->choices, value)) {
            return 1;
        }
        snprintf(why, why_len, "expected one of %s", k->choices);
        return 0;
    case OSSIO__KEY_BOOL:
        if (parse_bool(value, &b)) {
            return 1;
        }
        snprintf(why, why_len, "expected true or false");
        return 0;
    case OSSIO__KEY_INT:
        if (!parse_int(value, &v)) {
            snprintf(why, why_len, "expected an integer");
            return 0;
        }
        break;
    case OSSIO__KEY_SIZE:
        if (!ossio__parse_size(value, &v)) {
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

int ossio__config_check(const char *key, const char *value, char *why, size_t why_len)
{
    const ossio__key *k = ossio__key_find(key);
    char reason[128];
    if (k == NULL || value == NULL || check(k, value, reason, sizeof(reason))) {
        return 1;
    }
    /* A secret's value is never echoed, not even in part. */
    if (ossio__key_is_secret(key)) {
        snprintf(why, why_len, "invalid value for '%s': %s", key, reason);
    } else {
        snprintf(why, why_len, "invalid value '%.64s' for '%s': %s", value, key, reason);
    }
    return 0;
}

void ossio__config_errorf(ossio_config *cfg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cfg->error, sizeof(cfg->error), fmt, ap);
    va_end(ap);
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

/* The highest source's value of |e|, the AWS_* one left aside. */
static const char *highest(const entry *e, ossio_config_source *src)
{
    for (int s = OSSIO_SRC_SET; s > OSSIO_SRC_DEFAULT; s--) {
        if (e->val[s] != NULL) {
            *src = (ossio_config_source)s;
            return e->val[s];
        }
    }
    *src = OSSIO_SRC_DEFAULT;
    return NULL;
}

static int s3_dialect(const ossio_config *cfg)
{
    const entry *e = find(cfg, "fs.oss.dialect");
    ossio_config_source src;
    const char *v = e != NULL ? highest(e, &src) : NULL;
    return v != NULL && strcmp(v, "s3") == 0;
}

/* The effective value of |e| and its source: an AWS_* value counts as the
 * environment's in the s3 dialect when no OSS_* variable gave one. */
static const char *effective(const ossio_config *cfg, const entry *e, ossio_config_source *src)
{
    const char *v = highest(e, src);
    if (e->val[OSSIO__SRC_ENV_S3] != NULL && *src < OSSIO_SRC_ENV && s3_dialect(cfg)) {
        *src = OSSIO_SRC_ENV;
        v = e->val[OSSIO__SRC_ENV_S3];
    }
    return v;
}

static void remove_entry(ossio_config *cfg, entry *e)
{
    free(e->key);
    for (int s = 0; s < NSRC; s++) {
        free(e->val[s]);
    }
    *e = cfg->v[--cfg->n];
}

ossio_status ossio__config_put(ossio_config *cfg, const char *key, const char *value,
                               ossio_config_source src, int final)
{
    if (src <= OSSIO_SRC_DEFAULT || src > OSSIO__SRC_ENV_S3 || value == NULL) {
        return OSSIO_EINVAL;
    }
    entry *e = find(cfg, key);
    if (e != NULL && src == OSSIO_SRC_HADOOP && e->hadoop_final) {
        return OSSIO_OK; /* Hadoop: a final value survives later resources */
    }
    char *copy = strdup(value);
    if (copy == NULL) {
        return OSSIO_ENOMEM;
    }
    if (e == NULL) {
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
        e = &cfg->v[cfg->n++];
        memset(e, 0, sizeof(*e));
        e->key = kcopy;
    }
    free(e->val[src]);
    e->val[src] = copy;
    if (src == OSSIO_SRC_HADOOP && final) {
        e->hadoop_final = 1;
    }
    return OSSIO_OK;
}

ossio_status ossio_config_set(ossio_config *cfg, const char *key, const char *value)
{
    if (cfg == NULL || key == NULL || *key == '\0') {
        return OSSIO_EINVAL;
    }
    cfg->error[0] = '\0';
    if (!ossio__config_check(key, value, cfg->error, sizeof(cfg->error))) {
        return OSSIO_ECONFIG;
    }
    if (value == NULL) {
        entry *e = find(cfg, key);
        if (e != NULL) {
            remove_entry(cfg, e);
        }
        return OSSIO_OK;
    }
    return ossio__config_put(cfg, key, value, OSSIO_SRC_SET, 0);
}

ossio_status ossio__config_apply(ossio_config *cfg, const ossio__config_kv *kv, size_t n,
                                 ossio_config_source src, const char *origin)
{
    char why[400];
    for (size_t i = 0; i < n; i++) {
        if (!ossio__config_check(kv[i].key, kv[i].value, why, sizeof(why))) {
            ossio__config_errorf(cfg, "%s:%lu: %s", origin, kv[i].line, why);
            return OSSIO_ECONFIG;
        }
    }
    for (size_t i = 0; i < n; i++) {
        ossio_status st = ossio__config_put(cfg, kv[i].key, kv[i].value, src, kv[i].final);
        if (st != OSSIO_OK) {
            return st;
        }
    }
    return OSSIO_OK;
}

ossio_status ossio__config_read_file(ossio_config *cfg, const char *path, size_t max, char **out,
                                     size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        ossio__config_errorf(cfg, "%s: %s", path, strerror(errno));
        return OSSIO_EIO;
    }
    char *buf = malloc(max + 2);
    if (buf == NULL) {
        fclose(f);
        return OSSIO_ENOMEM;
    }
    size_t n = fread(buf, 1, max + 1, f);
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        ossio__config_errorf(cfg, "%s: read error", path);
        return OSSIO_EIO;
    }
    if (n > max) {
        free(buf);
        ossio__config_errorf(cfg, "%s: larger than %zu bytes", path, max);
        return OSSIO_EIO;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return OSSIO_OK;
}

const char *ossio_config_get(const ossio_config *cfg, const char *key)
{
    if (cfg == NULL || key == NULL) {
        return NULL;
    }
    const entry *e = find(cfg, key);
    ossio_config_source src;
    if (e != NULL) {
        const char *v = effective(cfg, e, &src);
        if (v != NULL) {
            return v;
        }
    }
    const ossio__key *k = ossio__key_find(key);
    if (k == NULL) {
        return NULL;
    }
    return ossio__key_default(k, cfg);
}

ossio_config_source ossio_config_source_of(const ossio_config *cfg, const char *key)
{
    ossio_config_source src = OSSIO_SRC_DEFAULT;
    if (cfg != NULL && key != NULL) {
        const entry *e = find(cfg, key);
        if (e != NULL) {
            effective(cfg, e, &src);
        }
    }
    return src;
}

size_t ossio__config_count(const ossio_config *cfg)
{
    return cfg->n;
}

const char *ossio__config_key_at(const ossio_config *cfg, size_t i)
{
    return i < cfg->n ? cfg->v[i].key : NULL;
}

const char *ossio_config_error(const ossio_config *cfg)
{
    return cfg != NULL ? cfg->error : "";
}

int64_t ossio__config_int(const ossio_config *cfg, const char *key)
{
    const ossio__key *k = ossio__key_find(key);
    const char *s = ossio_config_get(cfg, key);
    int64_t v = 0;
    if (k != NULL && k->type == OSSIO__KEY_SIZE) {
        if (s == NULL || !ossio__parse_size(s, &v)) {
            ossio__parse_size(k->def, &v);
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

int ossio__config_bool(const ossio_config *cfg, const char *key)
{
    const char *s = ossio_config_get(cfg, key);
    int b = 0;
    if (s != NULL && parse_bool(s, &b)) {
        return b;
    }
    return 0;
}

const char *ossio__config_str(const ossio_config *cfg, const char *key)
{
    const char *s = ossio_config_get(cfg, key);
    return s != NULL ? s : "";
}
