/* The table of known configuration keys: name, type, default, bounds. One
 * place, so docs/configuration.md, validation and getters agree. */
#ifndef OSSIO__CONFIG_KEYS_H
#define OSSIO__CONFIG_KEYS_H

#include <stddef.h>
#include <stdint.h>

typedef enum ossio__key_type {
    OSSIO__KEY_STR,
    OSSIO__KEY_INT,
    OSSIO__KEY_BOOL,
    OSSIO__KEY_SIZE,
    OSSIO__KEY_ENUM /* one of the '|'-separated words in |choices| */
} ossio__key_type;

typedef struct ossio__key {
    const char *name;
    ossio__key_type type;
    const char *def; /* default, as text */
    int64_t min;     /* inclusive bounds for INT and SIZE */
    int64_t max;
    const char *choices; /* ENUM only: "v1|v4" */
} ossio__key;

struct ossio_config;

/* The default of |k| in |cfg|: |k|->def, except for a default that depends
 * on another key (fs.oss.path.style.access is true for an endpoint that is an
 * IP address or localhost). A static string. */
const char *ossio__key_default(const ossio__key *k, const struct ossio_config *cfg);

/* True when the host of |endpoint| (a fs.oss.endpoint value: host, host:port
 * or URL) is an IPv4 or bracketed IPv6 literal or exactly "localhost", where
 * virtual-hosted names (bucket.127.0.0.1) never resolve. */
int ossio__endpoint_is_local(const char *endpoint);

/* The known key named |name|, or NULL. */
const ossio__key *ossio__key_find(const char *name);

/* The number of known keys and the |i|th one (table order), for explain
 * and typo hints. */
size_t ossio__key_count(void);
const ossio__key *ossio__key_at(size_t i);

/* True for keys whose values must never be shown or logged: any name that
 * contains "secret", "token" or "password", in any case. */
int ossio__key_is_secret(const char *name);

#endif /* OSSIO__CONFIG_KEYS_H */
