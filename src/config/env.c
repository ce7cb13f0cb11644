/* Environment variables and the usual discovery of Flink and Hadoop files
 * ($FLINK_CONF_DIR, $HADOOP_CONF_DIR, fs.hdfs.hadoopconf). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"

typedef struct env_map {
    const char *oss;  /* always used */
    const char *aws;  /* used in the s3 dialect when |oss| is unset */
    const char *aws2; /* else this one (AWS_DEFAULT_REGION, as the AWS CLI reads it) */
    const char *key;
} env_map;

static const env_map env_keys[] = {
    {"OSS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID", NULL, "fs.oss.accessKeyId"},
    {"OSS_ACCESS_KEY_SECRET", "AWS_SECRET_ACCESS_KEY", NULL, "fs.oss.accessKeySecret"},
    {"OSS_SESSION_TOKEN", "AWS_SESSION_TOKEN", NULL, "fs.oss.securityToken"},
    {"OSS_ENDPOINT", "AWS_ENDPOINT_URL", NULL, "fs.oss.endpoint"},
    {"OSS_REGION", "AWS_REGION", "AWS_DEFAULT_REGION", "fs.oss.region"},
};

#define N_ENV (sizeof(env_keys) / sizeof(env_keys[0]))

static const char *nonempty_env(const char *name)
{
    const char *v = name != NULL ? getenv(name) : NULL;
    return v != NULL && v[0] != '\0' ? v : NULL;
}

static void add(ossio__config_kv *kv, size_t *n, const char *key, const char *value)
{
    /* The apply step copies; nothing here is freed. */
    kv[*n].key = (char *)(uintptr_t)key;
    kv[*n].value = (char *)(uintptr_t)value;
    kv[*n].final = 0;
    kv[*n].line = 0;
    (*n)++;
}

/* The AWS_* values are stored whatever the dialect is now: the store uses
 * them only while it is s3 (OSSIO__SRC_ENV_S3), so the dialect may be set
 * before or after this call, by any source. */
ossio_status ossio_config_load_env(ossio_config *cfg)
{
    if (cfg == NULL) {
        return OSSIO_EINVAL;
    }
    ossio__config_errorf(cfg, "%s", "");
    ossio__config_kv oss[N_ENV], aws[N_ENV];
    size_t n_oss = 0, n_aws = 0;
    for (size_t i = 0; i < N_ENV; i++) {
        const char *v = nonempty_env(env_keys[i].oss);
        if (v != NULL) {
            add(oss, &n_oss, env_keys[i].key, v);
        }
        v = nonempty_env(env_keys[i].aws);
        v = v != NULL ? v : nonempty_env(env_keys[i].aws2);
        if (v != NULL) {
            add(aws, &n_aws, env_keys[i].key, v);
        }
    }
    ossio_status st = ossio__config_apply(cfg, oss, n_oss, OSSIO_SRC_ENV, "environment");
    if (st == OSSIO_OK) {
        st = ossio__config_apply(cfg, aws, n_aws, OSSIO__SRC_ENV_S3, "environment");
    }
    return st;
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
