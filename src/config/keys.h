/* The table of known configuration keys: name, type, default, bounds. One
 * place, so docs/configuration.md, validation and getters agree. */
#ifndef OSSIO_CONFIG_KEYS_H
#define OSSIO_CONFIG_KEYS_H

#include <stddef.h>
#include <stdint.h>

typedef enum ossio_key_type {
    OSSIO_KEY_STR,
    OSSIO_KEY_INT,
    OSSIO_KEY_BOOL,
    OSSIO_KEY_SIZE,
    OSSIO_KEY_ENUM /* one of the '|'-separated words in |choices| */
} ossio_key_type;

typedef struct ossio_key {
    const char *name;
    ossio_key_type type;
    const char *def; /* default, as text */
    int64_t min;     /* inclusive bounds for INT and SIZE */
    int64_t max;
    const char *choices; /* ENUM only: "v1|v4" */
} ossio_key;

struct ossio_config;

/* The default of |k| in |cfg|: |k|->def, except for a default that depends
 * on another key (fs.oss.path.style.access is true for an endpoint that is an
 * IP address or localhost). A static string. */
const char *ossio_key_default(const ossio_key *k, const struct ossio_config *cfg);

/* True when the host of |endpoint| (a fs.oss.endpoint value: host, host:port
 * or URL) is an IPv4 or bracketed IPv6 literal or exactly "localhost", where
 * virtual-hosted names (bucket.127.0.0.1) never resolve. */
int ossio_endpoint_is_local(const char *endpoint);

/* The known key named |name|, or NULL. */
const ossio_key *ossio_key_find(const char *name);

/* The number of known keys and the |i|th one (table order), for explain
 * and typo hints. */
size_t ossio_key_count(void);
const ossio_key *ossio_key_at(size_t i);

/* True for keys whose values must never be shown or logged: any name that
 * contains "secret", "token" or "password", in any case. */
int ossio_key_is_secret(const char *name);

#endif /* OSSIO_CONFIG_KEYS_H */
