/* Environment variables and the usual discovery of Flink and Hadoop files
 * ($FLINK_CONF_DIR, $HADOOP_CONF_DIR, fs.hdfs.hadoopconf). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"

typedef struct env_map {
    const char *oss; /* always read */
    const char *aws; /* read for the s3 dialect when |oss| is unset */
    const char *key;
} env_map;

static const env_map env_keys[] = {
    {"OSS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID", "fs.oss.accessKeyId"},
    {"OSS_ACCESS_KEY_SECRET", "AWS_SECRET_ACCESS_KEY", "fs.oss.accessKeySecret"},
    {"OSS_SESSION_TOKEN", "AWS_SESSION_TOKEN", "fs.oss.securityToken"},
    {"OSS_ENDPOINT", "AWS_ENDPOINT_URL", "fs.oss.endpoint"},
    {"OSS_REGION", "AWS_REGION", "fs.oss.region"},
};

static const char *nonempty_env(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

ossio_status ossio_config_load_env(ossio_config *cfg)
{
    if (cfg == NULL) {
        return OSSIO_EINVAL;
    }
    ossio_config_errorf(cfg, "%s", "");
    int s3 = strcmp(ossio_config_str(cfg, "fs.oss.dialect"), "s3") == 0;
    ossio_config_kv kv[sizeof(env_keys) / sizeof(env_keys[0])];
    size_t n = 0;
    for (size_t i = 0; i < sizeof(env_keys) / sizeof(env_keys[0]); i++) {
        const char *v = nonempty_env(env_keys[i].oss);
        if (v == NULL && s3) {
            v = nonempty_env(env_keys[i].aws);
        }
        if (v != NULL) {
            /* The apply step copies; nothing here is freed. */
            kv[n].key = (char *)(uintptr_t)env_keys[i].key;
            kv[n].value = (char *)(uintptr_t)v;
            kv[n].final = 0;
            kv[n].line = 0;
            n++;
        }
    }
    return ossio_config_apply(cfg, kv, n, OSSIO_SRC_ENV, "environment");
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Loads |dir|/|name| with |load| if that file exists; 1 in *found if it did. */
static ossio_status load_if_present(ossio_config *cfg, const char *dir, const char *name,
                                    ossio_status (*load)(ossio_config *, const char *), int *found)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    if (path == NULL) {
        return OSSIO_ENOMEM;
    }
    snprintf(path, len, "%s/%s", dir, name);
    ossio_status st = OSSIO_OK;
    *found = is_file(path);
    if (*found) {
        st = load(cfg, path);
    }
    free(path);
    return st;
}

ossio_status ossio_config_load_defaults(ossio_config *cfg)
{
    if (cfg == NULL) {
        return OSSIO_EINVAL;
    }
    ossio_status st = OSSIO_OK;
    int found = 0;
    const char *flink = nonempty_env("FLINK_CONF_DIR");
    if (flink != NULL) {
        st = load_if_present(cfg, flink, "config.yaml", ossio_config_load_flink, &found);
        if (st == OSSIO_OK && !found) {
            st = load_if_present(cfg, flink, "flink-conf.yaml", ossio_config_load_flink, &found);
        }
        if (st != OSSIO_OK) {
            return st;
        }
    }
    const char *hadoop = nonempty_env("HADOOP_CONF_DIR");
    char *dir = NULL;
    if (hadoop == NULL) {
        const char *v = ossio_config_get(cfg, "fs.hdfs.hadoopconf");
        if (v != NULL && v[0] != '\0') {
            dir = strdup(v); /* the load below may replace the stored string */
            if (dir == NULL) {
                return OSSIO_ENOMEM;
            }
            hadoop = dir;
        }
    }
    if (hadoop != NULL) {
        st = load_if_present(cfg, hadoop, "core-site.xml", ossio_config_load_hadoop, &found);
    }
    free(dir);
    if (st != OSSIO_OK) {
        return st;
    }
    return ossio_config_load_env(cfg);
}
