/* Known configuration keys. Hadoop hadoop-aliyun names and defaults first,
 * then ossio's own; every one is documented in docs/configuration.md. */
#include "config/keys.h"

#include <string.h>

#define MS_MAX (INT64_C(24) * 3600 * 1000)

static const ossio_key keys[] = {
    /* hadoop-aliyun */
    {"fs.oss.endpoint", OSSIO_KEY_STR, "", 0, 0},
    {"fs.oss.connection.maximum", OSSIO_KEY_INT, "32", 1, 10000},
    {"fs.oss.connection.secure.enabled", OSSIO_KEY_BOOL, "true", 0, 0},
    {"fs.oss.connection.establish.timeout", OSSIO_KEY_INT, "50000", 1, MS_MAX},
    {"fs.oss.connection.timeout", OSSIO_KEY_INT, "200000", 1, MS_MAX},
    {"fs.oss.attempts.maximum", OSSIO_KEY_INT, "10", 1, 1000},
    /* ossio: TLS */
    {"fs.oss.connection.ca.file", OSSIO_KEY_STR, "", 0, 0},
    {"fs.oss.connection.ssl.insecure-skip-verify", OSSIO_KEY_BOOL, "false", 0, 0},
    /* ossio: HTTP/2 */
    {"fs.oss.http2.enabled", OSSIO_KEY_BOOL, "true", 0, 0},
    {"fs.oss.http2.cleartext", OSSIO_KEY_BOOL, "false", 0, 0},
    {"fs.oss.http2.max.streams", OSSIO_KEY_INT, "1000", 1, 1 << 30},
    {"fs.oss.http2.stream.window", OSSIO_KEY_SIZE, "16M", 65535, (INT64_C(1) << 31) - 1},
    {"fs.oss.http2.connection.window", OSSIO_KEY_SIZE, "64M", 65535, (INT64_C(1) << 31) - 1},
    /* ossio: connections, DNS, limits */
    {"fs.oss.connection.idle.timeout", OSSIO_KEY_INT, "60000", 1, MS_MAX},
    {"fs.oss.connection.resolve", OSSIO_KEY_STR, "", 0, 0},
    {"fs.oss.dns.servers", OSSIO_KEY_STR, "", 0, 0},
    {"fs.oss.dns.cache.ttl", OSSIO_KEY_INT, "60", 0, 86400},
    {"fs.oss.response.header.maximum", OSSIO_KEY_SIZE, "64k", 1024, 16 << 20},
};

const ossio_key *ossio_key_find(const char *name)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(keys[i].name, name) == 0) {
            return &keys[i];
        }
    }
    return NULL;
}
