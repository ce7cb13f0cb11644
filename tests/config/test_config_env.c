/* Tests for the environment and discovery (env.c): OSS_* always, AWS_* for
 * the s3 dialect only, and ossio_config_load_defaults() over real files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "config/config.h"
#include "ossio.h"
#include "test_util.h"

static const char *const vars[] = {
    "OSS_ACCESS_KEY_ID",  "OSS_ACCESS_KEY_SECRET", "OSS_SESSION_TOKEN",     "OSS_ENDPOINT",
    "OSS_REGION",         "AWS_ACCESS_KEY_ID",     "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_REGION",         "AWS_ENDPOINT_URL",      "FLINK_CONF_DIR",        "HADOOP_CONF_DIR",
    "AWS_DEFAULT_REGION",
};

static int clear_env(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        unsetenv(vars[i]);
    }
    return 0;
}

static void test_oss_vars(void **state)
{
    (void)state;
    setenv("OSS_ACCESS_KEY_ID", "ak", 1);
    setenv("OSS_ACCESS_KEY_SECRET", "sk", 1);
    setenv("OSS_SESSION_TOKEN", "tok", 1);
    setenv("OSS_ENDPOINT", "oss-cn-hangzhou.aliyuncs.com", 1);
    setenv("OSS_REGION", "cn-hangzhou", 1);
    setenv("AWS_ACCESS_KEY_ID", "aws-ak", 1);
    ossio_config *cfg = ossio_config_new();
    assert_int_equal(ossio_config_set(cfg, "fs.oss.region", "mine"), OSSIO_OK);
    assert_int_equal(ossio_config_load_env(cfg), OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.accessKeyId"), "ak");
    assert_string_equal(ossio_config_get(cfg, "fs.oss.accessKeySecret"), "sk");
    assert_string_equal(ossio_config_get(cfg, "fs.oss.securityToken"), "tok");
    assert_string_equal(ossio_config_get(cfg, "fs.oss.endpoint"), "oss-cn-hangzhou.aliyuncs.com");
    assert_int_equal(ossio_config_source_of(cfg, "fs.oss.endpoint"), OSSIO_SRC_ENV);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.region"), "mine"); /* SET wins */
    ossio_config_free(cfg);
}

static void test_aws_vars_need_s3_dialect(void **state)
{
    (void)state;
    setenv("AWS_ACCESS_KEY_ID", "aws-ak", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "aws-sk", 1);
    setenv("AWS_SESSION_TOKEN", "aws-tok", 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000", 1);
    ossio_config *cfg = ossio_config_new();
    assert_int_equal(ossio_config_load_env(cfg), OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.accessKeyId"), "");
    assert_int_equal(ossio_config_source_of(cfg, "fs.oss.accessKeyId"), OSSIO_SRC_DEFAULT);
    assert_int_equal(ossio_config_set(cfg, "fs.oss.dialect", "s3"), OSSIO_OK);
    setenv("OSS_REGION", "oss-wins", 1);
    assert_int_equal(ossio_config_load_env(cfg), OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.accessKeyId"), "aws-ak");
    assert_string_equal(ossio_config_get(cfg, "fs.oss.accessKeySecret"), "aws-sk");
    assert_string_equal(ossio_config_get(cfg, "fs.oss.securityToken"), "aws-tok");
    assert_string_equal(ossio_config_get(cfg, "fs.oss.endpoint"), "http://127.0.0.1:9000");
    assert_string_equal(ossio_config_get(cfg, "fs.oss.region"), "oss-wins");
    ossio_config_free(cfg);
}

/* The AWS_* values apply whenever the dialect is s3, whichever source sets it
 * and whether before or after the environment was read (ossio -D
 * fs.oss.dialect=s3, a --config file, a setter after ossio_config_load_defaults). */
static void test_aws_vars_follow_the_dialect_in_any_order(void **state)
{
    (void)state;
    setenv("AWS_ACCESS_KEY_ID", "aws-ak", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "aws-sk", 1);
    setenv("AWS_DEFAULT_REGION", "eu-west-1", 1);
    ossio_config *cfg = ossio_config_new();
    assert_int_equal(ossio_config_load_env(cfg), OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.accessKeyId"), "");
    assert_string_equal(ossio_config_get(cfg, "fs.oss.region"), "");
    assert_int_equal(ossio_config_set(cfg, "fs.oss.dialect", "s3"), OSSIO_OK); /* after */
    assert_string_equal(ossio_config_get(cfg, "fs.oss.accessKeyId"), "aws-ak");
    assert_int_equal(ossio_config_source_of(cfg, "fs.oss.accessKeyId"), OSSIO_SRC_ENV);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.accessKeySecret"), "aws-sk");
    assert_string_equal(ossio_config_get(cfg, "fs.oss.region"), "eu-west-1");
    /* A higher source still wins over them; a lower one does not. */
    assert_int_equal(ossio__config_put(cfg, "fs.oss.accessKeyId", "flink-ak", OSSIO_SRC_FLINK, 0),
                     OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.accessKeyId"), "aws-ak");
    assert_int_equal(ossio_config_set(cfg, "fs.oss.region", "mine"), OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.region"), "mine");
    /* Back to oss: the AWS_* values are not used, the Flink value shows. */
    assert_int_equal(ossio_config_set(cfg, "fs.oss.dialect", "oss"), OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.accessKeyId"), "flink-ak");
    assert_int_equal(ossio_config_source_of(cfg, "fs.oss.accessKeyId"), OSSIO_SRC_FLINK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.accessKeySecret"), "");
    ossio_config_free(cfg);

    /* The dialect from a Flink file loaded after the environment; AWS_REGION
     * is preferred to AWS_DEFAULT_REGION, as the AWS CLI does. */
    setenv("AWS_REGION", "us-west-2", 1);
    cfg = ossio_config_new();
    assert_int_equal(ossio_config_load_env(cfg), OSSIO_OK);
    const char yaml[] = "fs.oss.dialect: s3\n";
    assert_int_equal(ossio__config_load_flink_mem(cfg, yaml, sizeof(yaml) - 1, "flink.yaml"),
                     OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.accessKeyId"), "aws-ak");
    assert_string_equal(ossio_config_get(cfg, "fs.oss.region"), "us-west-2");
    ossio_config_free(cfg);
}

static void test_defaults_discovery(void **state)
{
    (void)state;
    const char *d = tmp_dir();
    assert_non_null(d);
    char flink[128], hadoop[128];
    snprintf(flink, sizeof(flink), "%s/flink", d);
    snprintf(hadoop, sizeof(hadoop), "%s/hadoop", d);
    assert_int_equal(mkdir(flink, 0700), 0);
    assert_int_equal(mkdir(hadoop, 0700), 0);
    char yaml[512];
    snprintf(yaml, sizeof(yaml),
             "fs.oss.endpoint: from-flink\nfs.hdfs.hadoopconf: %s\nfs.oss.region: flink-r\n",
             hadoop);
    free(write_file(flink, "flink-conf.yaml", yaml));
    free(write_file(flink, "config.yaml.bak", "fs.oss.endpoint: not-read\n"));
    free(write_file(hadoop, "core-site.xml",
                    "<configuration>"
                    "<property><name>fs.oss.endpoint</name><value>from-hadoop</value></property>"
                    "<property><name>fs.oss.accessKeyId</name><value>hadoop-ak</value></property>"
                    "</configuration>"));
    setenv("FLINK_CONF_DIR", flink, 1);
    setenv("OSS_REGION", "env-r", 1);
    ossio_config *cfg = ossio_config_new();
    assert_int_equal(ossio_config_load_defaults(cfg), OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.endpoint"), "from-flink");
    assert_string_equal(ossio_config_get(cfg, "fs.oss.accessKeyId"), "hadoop-ak");
    assert_int_equal(ossio_config_source_of(cfg, "fs.oss.accessKeyId"), OSSIO_SRC_HADOOP);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.region"), "env-r");
    ossio_config_free(cfg);

    /* config.yaml is preferred over flink-conf.yaml */
    free(write_file(flink, "config.yaml", "fs:\n  oss:\n    endpoint: from-config-yaml\n"));
    cfg = ossio_config_new();
    assert_int_equal(ossio_config_load_defaults(cfg), OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.endpoint"), "from-config-yaml");
    /* no fs.hdfs.hadoopconf there: HADOOP_CONF_DIR finds core-site.xml */
    assert_string_equal(ossio_config_get(cfg, "fs.oss.accessKeyId"), "");
    ossio_config_free(cfg);
    setenv("HADOOP_CONF_DIR", hadoop, 1);
    cfg = ossio_config_new();
    assert_int_equal(ossio_config_load_defaults(cfg), OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.accessKeyId"), "hadoop-ak");
    ossio_config_free(cfg);

    /* missing directories are not errors; broken files are */
    setenv("FLINK_CONF_DIR", "/nonexistent/flink", 1);
    setenv("HADOOP_CONF_DIR", "/nonexistent/hadoop", 1);
    cfg = ossio_config_new();
    assert_int_equal(ossio_config_load_defaults(cfg), OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.region"), "env-r");
    setenv("HADOOP_CONF_DIR", hadoop, 1);
    free(write_file(hadoop, "core-site.xml", "<configuration>\n<property>\n"));
    assert_int_equal(ossio_config_load_defaults(cfg), OSSIO_EXML);
    assert_non_null(strstr(ossio_config_error(cfg), "core-site.xml:"));
    ossio_config_free(cfg);
    remove_tree(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_oss_vars, clear_env),
        cmocka_unit_test_setup(test_aws_vars_need_s3_dialect, clear_env),
        cmocka_unit_test_setup(test_aws_vars_follow_the_dialect_in_any_order, clear_env),
        cmocka_unit_test_setup_teardown(test_defaults_discovery, clear_env, clear_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
