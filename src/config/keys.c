/* Known configuration keys. Hadoop hadoop-aliyun names and defaults first,
 * then ossio's own; every one is documented in docs/configuration.md. */
#include "config/keys.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "ossio.h"

#define MS_MAX (INT64_C(24) * 3600 * 1000)
#define KIB INT64_C(1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)
#define TIB (GIB * 1024)

static const ossio__key keys[] = {
    /* hadoop-aliyun (names and defaults from its Constants.java) */
    {"fs.oss.endpoint", OSSIO__KEY_STR, "", 0, 0, NULL},
    {"fs.oss.accessKeyId", OSSIO__KEY_STR, "", 0, 0, NULL},
    {"fs.oss.accessKeySecret", OSSIO__KEY_STR, "", 0, 0, NULL},
    {"fs.oss.securityToken", OSSIO__KEY_STR, "", 0, 0, NULL},
    {"fs.oss.connection.maximum", OSSIO__KEY_INT, "32", 1, 10000, NULL},
    {"fs.oss.connection.secure.enabled", OSSIO__KEY_BOOL, "true", 0, 0, NULL},
    {"fs.oss.connection.establish.timeout", OSSIO__KEY_INT, "50000", 1, MS_MAX, NULL},
    {"fs.oss.connection.timeout", OSSIO__KEY_INT, "200000", 1, MS_MAX, NULL},
    {"fs.oss.attempts.maximum", OSSIO__KEY_INT, "10", 1, 1000, NULL},
    /* OSS parts: 100 KiB .. 5 GiB */
    {"fs.oss.multipart.upload.size", OSSIO__KEY_SIZE, "104857600", 100 * KIB, 5 * GIB, NULL},
    {"fs.oss.multipart.upload.threshold", OSSIO__KEY_SIZE, "20971520", 0, 5 * TIB, NULL},
    /* Hadoop's names, ossio's defaults (hadoop-aliyun: 512 KiB, 10 threads):
     * chosen for throughput, so that `ossio config` shows what is used. */
    {"fs.oss.multipart.download.size", OSSIO__KEY_SIZE, "8388608", 1, 5 * GIB, NULL},
    {"fs.oss.multipart.download.threads", OSSIO__KEY_INT, "16", 1, 1024, NULL},
    {"fs.oss.multipart.download.hedging", OSSIO__KEY_BOOL, "false", 0, 0, NULL},
    {"fs.oss.buffer.dir", OSSIO__KEY_STR, "", 0, 0, NULL},
    {"fs.oss.block.size", OSSIO__KEY_SIZE, "67108864", 1, 5 * TIB, NULL},
    {"fs.oss.list.version", OSSIO__KEY_INT, "2", 1, 2, NULL},
    {"fs.oss.paging.maximum", OSSIO__KEY_INT, "1000", 1, 1000, NULL},
    /* ossio: protocol */
    {"fs.oss.signature.version", OSSIO__KEY_ENUM, "v1", 0, 0, "v1|v4"},
    {"fs.oss.region", OSSIO__KEY_STR, "", 0, 0, NULL},
    {"fs.oss.dialect", OSSIO__KEY_ENUM, "oss", 0, 0, "oss|s3"},
    {"fs.oss.s3.checksum", OSSIO__KEY_ENUM, "crc32c", 0, 0, "crc32c|crc32|md5|none"},
    {"fs.oss.s3.checksum.type", OSSIO__KEY_ENUM, "full_object", 0, 0, "full_object|composite"},
    {"fs.oss.path.style.access", OSSIO__KEY_BOOL, "false", 0, 0, NULL},
    {"fs.oss.memory.limit", OSSIO__KEY_SIZE, "1G", MIB, INT64_C(1) << 50, NULL},
    /* ossio: splits */
    {"fs.oss.split.record.maximum", OSSIO__KEY_SIZE, "16777216", 1, GIB, NULL},
    {"fs.oss.split.min.size", OSSIO__KEY_SIZE, "0", 0, 5 * TIB, NULL},
    /* ossio: TLS */
    {"fs.oss.connection.ca.file", OSSIO__KEY_STR, "", 0, 0, NULL},
    {"fs.oss.connection.ssl.insecure-skip-verify", OSSIO__KEY_BOOL, "false", 0, 0, NULL},
    /* ossio: HTTP/2 */
    {"fs.oss.http2.enabled", OSSIO__KEY_BOOL, "true", 0, 0, NULL},
    {"fs.oss.http2.cleartext", OSSIO__KEY_BOOL, "false", 0, 0, NULL},
    {"fs.oss.http2.max.streams", OSSIO__KEY_INT, "1000", 1, 1 << 30, NULL},
    {"fs.oss.http2.stream.window", OSSIO__KEY_SIZE, "16M", 65535, (INT64_C(1) << 31) - 1, NULL},
    {"fs.oss.http2.connection.window", OSSIO__KEY_SIZE, "64M", 65535, (INT64_C(1) << 31) - 1, NULL},
    /* ossio: connections, DNS, limits */
    {"fs.oss.connection.idle.timeout", OSSIO__KEY_INT, "60000", 1, MS_MAX, NULL},
    /* ossio: a failing or slow address is set aside this long, doubling (docs/transport.md) */
    {"fs.oss.connection.address.backoff", OSSIO__KEY_INT, "30000", 1, MS_MAX, NULL},
    /* ossio: stalls (docs/transport.md): each detected within 30 s by default */
    {"fs.oss.request.first-byte.timeout", OSSIO__KEY_INT, "15000", 0, MS_MAX, NULL},
    {"fs.oss.request.first-byte.timeout.slow", OSSIO__KEY_INT, "300000", 0, MS_MAX, NULL},
    {"fs.oss.low-speed.limit", OSSIO__KEY_SIZE, "1024", 0, INT64_C(1) << 40, NULL},
    {"fs.oss.low-speed.time", OSSIO__KEY_INT, "20000", 100, MS_MAX, NULL},
    {"fs.oss.operation.deadline", OSSIO__KEY_INT, "0", 0, MS_MAX, NULL},
    {"fs.oss.connection.resolve", OSSIO__KEY_STR, "", 0, 0, NULL},
    {"fs.oss.dns.servers", OSSIO__KEY_STR, "", 0, 0, NULL},
    {"fs.oss.dns.cache.ttl", OSSIO__KEY_INT, "60", 0, 86400, NULL},
    {"fs.oss.response.header.maximum", OSSIO__KEY_SIZE, "64k", 1024, 16 << 20, NULL},
    {"fs.oss.http1.expect.continue", OSSIO__KEY_SIZE, "0", 0, INT64_C(1) << 40, NULL},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

const ossio__key *ossio__key_find(const char *name)
{
    for (size_t i = 0; i < NKEYS; i++) {
        if (strcmp(keys[i].name, name) == 0) {
            return &keys[i];
        }
    }
    return NULL;
}

int ossio__endpoint_is_local(const char *endpoint)
{
    const char *h = endpoint != NULL ? endpoint : "";
    h += strspn(h, " \t");
    if (strncmp(h, "https://", 8) == 0) {
        h += 8;
    } else if (strncmp(h, "http://", 7) == 0) {
        h += 7;
    }
    int v6 = *h == '[';
    size_t n = v6 ? strcspn(++h, "]") : strcspn(h, ":/ \t");
    char host[64];
    unsigned char addr[16];
    if (n == 0 || n >= sizeof(host) || (v6 && h[n] != ']')) {
        return 0;
    }
    memcpy(host, h, n);
    host[n] = '\0';
    return v6 ? inet_pton(AF_INET6, host, addr) == 1
              : inet_pton(AF_INET, host, addr) == 1 || strcasecmp(host, "localhost") == 0;
}

static const char *path_style_default(const struct ossio_config *cfg)
{
    return ossio__endpoint_is_local(ossio_config_get(cfg, "fs.oss.endpoint")) ? "true" : "false";
}

/* Defaults computed from other keys; the table's def is the usual answer. */
static const struct {
    const char *name;
    const char *(*derive)(const struct ossio_config *cfg);
} derived[] = {
    {"fs.oss.path.style.access", path_style_default},
};

const char *ossio__key_default(const ossio__key *k, const struct ossio_config *cfg)
{
    for (size_t i = 0; cfg != NULL && i < sizeof(derived) / sizeof(derived[0]); i++) {
        if (strcmp(k->name, derived[i].name) == 0) {
            return derived[i].derive(cfg);
        }
    }
    return k->def;
}

size_t ossio__key_count(void)
{
    return NKEYS;
}

const ossio__key *ossio__key_at(size_t i)
{
    return i < NKEYS ? &keys[i] : NULL;
}

/* Case-insensitive strstr for ASCII words. */
static int contains_ci(const char *s, const char *word)
{
    size_t n = strlen(word);
    for (; *s != '\0'; s++) {
        size_t i = 0;
        while (i < n && s[i] != '\0' &&
               tolower((unsigned char)s[i]) == tolower((unsigned char)word[i])) {
            i++;
        }
        if (i == n) {
            return 1;
        }
    }
    return 0;
}

int ossio__key_is_secret(const char *name)
{
    return contains_ci(name, "secret") || contains_ci(name, "token") ||
           contains_ci(name, "password");
}
