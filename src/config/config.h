/* Configuration store: known keys with types, defaults and validation, plus
 * unknown keys kept verbatim. Pure: no I/O. */
#ifndef OSSIO_CONFIG_CONFIG_H
#define OSSIO_CONFIG_CONFIG_H

#include <stdint.h>

#include "ossio.h"

/* Typed getters for known keys; they return the default when the key is
 * unset. Values were validated by ossio_config_set(). */
int64_t ossio_config_int(const ossio_config *cfg, const char *key);
int ossio_config_bool(const ossio_config *cfg, const char *key);
const char *ossio_config_str(const ossio_config *cfg,
                             const char *key); /* never NULL for known keys */

/* Parses a Hadoop-style size ("65536", "64k", "64M", "1g", "16MiB"); false on
 * anything else or overflow. */
int ossio_parse_size(const char *s, int64_t *out);

#endif /* OSSIO_CONFIG_CONFIG_H */
