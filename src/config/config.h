/* Configuration store: known keys with types, defaults and validation, plus
 * unknown keys kept verbatim, one value per source. Pure: no I/O. */
#ifndef OSSIO__CONFIG_CONFIG_H
#define OSSIO__CONFIG_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "ossio.h"

/* Typed getters for known keys; they return the default when the key is
 * unset. Values were validated by ossio_config_set(). */
int64_t ossio__config_int(const ossio_config *cfg, const char *key);
int ossio__config_bool(const ossio_config *cfg, const char *key);
const char *ossio__config_str(const ossio_config *cfg,
                              const char *key); /* never NULL for known keys */

/* Parses a Hadoop-style size ("65536", "64k", "64M", "1g", "16MiB"); false on
 * anything else or overflow. */
int ossio__parse_size(const char *s, int64_t *out);

/* Checks |value| for |key| (any key; unknown keys always pass). On failure
 * writes a reason into |why| that never contains the value of a secret key. */
int ossio__config_check(const char *key, const char *value, char *why, size_t why_len);

/* The AWS_* environment variables' values (AWS_ACCESS_KEY_ID...): kept apart
 * from OSSIO_SRC_ENV and used, as the environment's value of their key, only
 * while fs.oss.dialect is s3 and the OSS_* variable is unset. So they follow
 * the dialect whichever source sets it and in whatever order the sources are
 * loaded. Internal: never returned by ossio_config_source_of(). */
#define OSSIO__SRC_ENV_S3 ((ossio_config_source)(OSSIO_SRC_SET + 1))

/* Stores |value| (copied) for |key| as coming from |src|, without checking
 * it. A Hadoop value is ignored when an earlier Hadoop value of the key was
 * final; |final| marks this one final. Lower sources never hide higher ones:
 * each source keeps its own value and the highest one is effective. */
ossio_status ossio__config_put(ossio_config *cfg, const char *key, const char *value,
                               ossio_config_source src, int final);

/* Replaces the error message of |cfg|. */
void ossio__config_errorf(ossio_config *cfg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One key/value read from a file, with the line it came from. */
typedef struct ossio__config_kv {
    char *key;
    char *value;
    int final;
    unsigned long line;
} ossio__config_kv;

/* Checks every entry of |kv| and, only if all pass, stores them all as |src|.
 * A bad one gives OSSIO_ECONFIG with "<origin>:<line>: ..." as the error. */
ossio_status ossio__config_apply(ossio_config *cfg, const ossio__config_kv *kv, size_t n,
                                 ossio_config_source src, const char *origin);

/* Reads the whole file |path| (at most |max| bytes, else OSSIO_EIO naming the
 * limit) into a malloc'ed, NUL-terminated buffer. Errors name the file. */
ossio_status ossio__config_read_file(ossio_config *cfg, const char *path, size_t max, char **out,
                                     size_t *len);

/* The loaders' cores, over bytes in memory; |origin| names them in errors.
 * The file loaders call these; the fuzzers too. */
ossio_status ossio__config_load_hadoop_mem(ossio_config *cfg, const void *data, size_t len,
                                           const char *origin);
ossio_status ossio__config_load_flink_mem(ossio_config *cfg, const void *data, size_t len,
                                          const char *origin);

/* Streaming Hadoop XML parse: begin, feed any number of chunks, end. */
typedef struct ossio__hadoop_xml ossio__hadoop_xml;
ossio__hadoop_xml *ossio__hadoop_xml_new(ossio_config *cfg, const char *origin);
ossio_status ossio__hadoop_xml_feed(ossio__hadoop_xml *hx, const void *data, size_t len, int last);
void ossio__hadoop_xml_free(ossio__hadoop_xml *hx);

/* Stored keys, in no particular order, for explain. */
size_t ossio__config_count(const ossio_config *cfg);
const char *ossio__config_key_at(const ossio_config *cfg, size_t i);

/* For an unknown fs.oss.* key that is within two edits of a known key (case
 * ignored), that known key; else NULL. The client logs it as a warning. */
const char *ossio__config_typo_hint(const char *key);

/* The largest configuration file read (Hadoop XML and Flink YAML). */
#define OSSIO__CONFIG_FILE_MAX ((size_t)1 << 20)

#endif /* OSSIO__CONFIG_CONFIG_H */
