/* ossio_config_explain(): every known and every stored key with its effective
 * value and source, secrets masked; and typo hints for unknown fs.oss.* keys. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/keys.h"

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void ossio_config_explain(const ossio_config *cfg, ossio_config_explain_cb cb, void *user_data)
{
    if (cfg == NULL || cb == NULL) {
        return;
    }
    size_t known = ossio__key_count();
    size_t total = known + ossio__config_count(cfg);
    const char **names = malloc(total * sizeof(*names));
    if (names == NULL) {
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < known; i++) {
        names[n++] = ossio__key_at(i)->name;
    }
    for (size_t i = 0; i < ossio__config_count(cfg); i++) {
        const char *k = ossio__config_key_at(cfg, i);
        if (ossio__key_find(k) == NULL) {
            names[n++] = k;
        }
    }
    qsort(names, n, sizeof(*names), by_string);
    for (size_t i = 0; i < n; i++) {
        const char *v = ossio_config_get(cfg, names[i]);
        if (v == NULL) {
            v = "";
        }
        /* Masked whole: not even the length or last characters show. */
        if (v[0] != '\0' && ossio__key_is_secret(names[i])) {
            v = "****";
        }
        cb(names[i], v, ossio_config_source_of(cfg, names[i]), user_data);
    }
    free(names);
}

#define HINT_MAX_LEN 128

/* Levenshtein distance ignoring ASCII case, capped: returns > |cap| early. */
static size_t distance(const char *a, const char *b, size_t cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > HINT_MAX_LEN || lb > HINT_MAX_LEN || (la > lb ? la - lb : lb - la) > cap) {
        return cap + 1;
    }
    size_t row[HINT_MAX_LEN + 1];
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        size_t best = row[0];
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t v = diag + cost;
            if (up + 1 < v) {
                v = up + 1;
            }
            if (row[j - 1] + 1 < v) {
                v = row[j - 1] + 1;
            }
            row[j] = v;
            diag = up;
            if (v < best) {
                best = v;
            }
        }
        if (best > cap) {
            return cap + 1;
        }
    }
    return row[lb];
}

const char *ossio__config_typo_hint(const char *key)
{
    if (key == NULL || strncmp(key, "fs.oss.", 7) != 0 || ossio__key_find(key) != NULL) {
        return NULL;
    }
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < ossio__key_count(); i++) {
        const char *name = ossio__key_at(i)->name;
        size_t d = distance(key, name, 2);
        if (d < best_d) {
            best_d = d;
            best = name;
        }
    }
    return best;
}
