/* Tests for the Flink YAML loader (flink_yaml.c): flat flink-conf.yaml,
 * nested config.yaml, mixed, non-scalars ignored, malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "config/config.h"
#include "ossio.h"
#include "test_util.h"

static ossio_status load(ossio_config *cfg, const char *yaml)
{
    return ossio__config_load_flink_mem(cfg, yaml, strlen(yaml), "config.yaml");
}

static void test_flat(void **state)
{
    (void)state;
    const char *dir = tmp_dir();
    char *path = write_file(dir, "flink-conf.yaml",
                            "# Flink\n"
                            "jobmanager.rpc.address: localhost\n"
                            "fs.oss.endpoint: oss-cn-beijing.aliyuncs.com\n"
                            "fs.oss.accessKeyId: AK\n"
                            "fs.oss.block.size: 128m\n"
                            "s3.access-key: s3ak\n"
                            "fs.hdfs.hadoopconf: /etc/hadoop/conf\n"
                            "taskmanager.numberOfTaskSlots: 4\n");
    ossio_config *cfg = ossio_config_new();
    assert_int_equal(ossio_config_load_flink(cfg, path), OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.endpoint"), "oss-cn-beijing.aliyuncs.com");
    assert_int_equal(ossio_config_source_of(cfg, "fs.oss.endpoint"), OSSIO_SRC_FLINK);
    assert_int_equal(ossio__config_int(cfg, "fs.oss.block.size"), 128 << 20);
    assert_string_equal(ossio_config_get(cfg, "s3.access-key"), "s3ak");
    assert_string_equal(ossio_config_get(cfg, "fs.hdfs.hadoopconf"), "/etc/hadoop/conf");
    assert_string_equal(ossio_config_get(cfg, "taskmanager.numberOfTaskSlots"), "4");
    assert_int_equal(ossio_config_load_flink(cfg, "/nonexistent/config.yaml"), OSSIO_EIO);
    ossio_config_free(cfg);
    free(path);
    remove_tree(dir);
}

static void test_nested_and_mixed(void **state)
{
    (void)state;
    ossio_config *cfg = ossio_config_new();
    assert_int_equal(load(cfg, "fs:\n"
                               "  oss:\n"
                               "    endpoint: e.example\n"
                               "    multipart.download.threads: 16\n"
                               "    connection: {maximum: 64, secure.enabled: false}\n"
                               "  s3.path.style.access: true\n"
                               "fs.oss.region: cn-shanghai\n"
                               "taskmanager:\n"
                               "  memory:\n"
                               "    process.size: 4g\n"),
                     OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.endpoint"), "e.example");
    assert_int_equal(ossio__config_int(cfg, "fs.oss.multipart.download.threads"), 16);
    assert_int_equal(ossio__config_int(cfg, "fs.oss.connection.maximum"), 64);
    assert_int_equal(ossio__config_bool(cfg, "fs.oss.connection.secure.enabled"), 0);
    assert_string_equal(ossio_config_get(cfg, "fs.s3.path.style.access"), "true");
    assert_string_equal(ossio_config_get(cfg, "fs.oss.region"), "cn-shanghai");
    assert_string_equal(ossio_config_get(cfg, "taskmanager.memory.process.size"), "4g");
    ossio_config_free(cfg);
}

static void test_non_scalars_ignored(void **state)
{
    (void)state;
    ossio_config *cfg = ossio_config_new();
    assert_int_equal(load(cfg, "list: [a, b, {c: d}]\n"
                               "block:\n"
                               "  - x\n"
                               "  - y: z\n"
                               "? [complex, key]\n"
                               ": value\n"
                               "anchor: &a fs-value\n"
                               "alias: *a\n"
                               "empty:\n"
                               "tilde: ~\n"
                               "quoted: \"\"\n"
                               "after: ok\n"),
                     OSSIO_OK);
    assert_null(ossio_config_get(cfg, "list"));
    assert_null(ossio_config_get(cfg, "list.c"));
    assert_null(ossio_config_get(cfg, "block"));
    assert_null(ossio_config_get(cfg, "y"));
    assert_string_equal(ossio_config_get(cfg, "anchor"), "fs-value");
    assert_null(ossio_config_get(cfg, "alias"));
    assert_null(ossio_config_get(cfg, "empty"));
    assert_null(ossio_config_get(cfg, "tilde"));
    assert_string_equal(ossio_config_get(cfg, "quoted"), "");
    assert_string_equal(ossio_config_get(cfg, "after"), "ok");
    /* a document that is not a mapping has no keys */
    assert_int_equal(load(cfg, "- a\n- b\n"), OSSIO_OK);
    assert_int_equal(load(cfg, "just a scalar\n"), OSSIO_OK);
    assert_int_equal(load(cfg, ""), OSSIO_OK);
    ossio_config_free(cfg);
}

static void test_malformed(void **state)
{
    (void)state;
    ossio_config *cfg = ossio_config_new();
    assert_int_equal(load(cfg, "a: 1\nb: 2\nc: [unclosed\nd: 4\n"), OSSIO_ECONFIG);
    assert_non_null(strstr(ossio_config_error(cfg), "config.yaml:"));
    assert_non_null(strstr(ossio_config_error(cfg), "malformed YAML"));
    assert_null(ossio_config_get(cfg, "a"));
    assert_int_equal(load(cfg, "a: 1\n  b: 2\n"), OSSIO_ECONFIG);
    assert_non_null(strstr(ossio_config_error(cfg), "config.yaml:2:"));
    /* a bad value for a known key names the line */
    assert_int_equal(load(cfg, "fs.oss.region: r\nfs:\n  oss:\n    list.version: 7\n"),
                     OSSIO_ECONFIG);
    assert_non_null(strstr(ossio_config_error(cfg), "config.yaml:4:"));
    assert_non_null(strstr(ossio_config_error(cfg), "fs.oss.list.version"));
    assert_string_equal(ossio_config_get(cfg, "fs.oss.region"), "");
    assert_int_equal(load(cfg, "fs.oss.signature.version: v3\n"), OSSIO_ECONFIG);
    assert_non_null(strstr(ossio_config_error(cfg), "v1|v4"));
    /* deep nesting is refused, not recursed into */
    char deep[1024] = "";
    for (int i = 0; i < 100; i++) {
        strcat(deep, "{a: ");
    }
    assert_int_equal(load(cfg, deep), OSSIO_ECONFIG);
    ossio_config_free(cfg);
}

static void test_precedence_with_hadoop(void **state)
{
    (void)state;
    static const char xml[] = "<configuration><property><name>fs.oss.endpoint</name>"
                              "<value>hadoop</value></property></configuration>";
    ossio_config *a = ossio_config_new();
    ossio_config *b = ossio_config_new();
    assert_int_equal(load(a, "fs.oss.endpoint: flink\n"), OSSIO_OK);
    assert_int_equal(ossio__config_load_hadoop_mem(a, xml, strlen(xml), "x"), OSSIO_OK);
    assert_int_equal(ossio__config_load_hadoop_mem(b, xml, strlen(xml), "x"), OSSIO_OK);
    assert_int_equal(load(b, "fs.oss.endpoint: flink\n"), OSSIO_OK);
    assert_string_equal(ossio_config_get(a, "fs.oss.endpoint"), "flink");
    assert_string_equal(ossio_config_get(b, "fs.oss.endpoint"), "flink");
    assert_int_equal(ossio_config_source_of(a, "fs.oss.endpoint"), OSSIO_SRC_FLINK);
    ossio_config_free(a);
    ossio_config_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flat),
        cmocka_unit_test(test_nested_and_mixed),
        cmocka_unit_test(test_non_scalars_ignored),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_precedence_with_hadoop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
