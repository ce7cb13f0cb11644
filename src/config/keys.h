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
    OSSIO_KEY_SIZE
} ossio_key_type;

typedef struct ossio_key {
    const char *name;
    ossio_key_type type;
    const char *def; /* default, as text */
    int64_t min;     /* inclusive bounds for INT and SIZE */
    int64_t max;
} ossio_key;

/* The known key named |name|, or NULL. */
const ossio_key *ossio_key_find(const char *name);

#endif /* OSSIO_CONFIG_KEYS_H */
