/* Tests for the core-site.xml loader (hadoop_xml.c): properties, final,
 * ${var} substitution, trimming, limits, DTD refusal and error lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "ossio.h"
#include "test_util.h"

#define XML_HEAD "<?xml version=\"1.0\"?>\n<configuration>\n"
#define XML_TAIL "</configuration>\n"
#define PROP(n, v) "<property><name>" n "</name><value>" v "</value></property>\n"

static ossio_status load(ossio_config *cfg, const char *xml)
{
    return ossio__config_load_hadoop_mem(cfg, xml, strlen(xml), "core-site.xml");
}

static void test_file_and_source(void **state)
{
    (void)state;
    const char *dir = tmp_dir();
    assert_non_null(dir);
    char *path = write_file(
        dir, "core-site.xml",
        XML_HEAD PROP("fs.oss.endpoint", "  oss-cn-hangzhou.aliyuncs.com\n ")
            PROP("fs.oss.block.size", "64m")
                PROP("other.key",
                     "x") "<property><name>fs.oss.accessKeyId</name>"
                          "<value>AK</value><description>d</description></property>\n"
                          "<property name=\"fs.oss.region\" value=\"cn-hangzhou\"/>\n" XML_TAIL);
    assert_non_null(path);
    ossio_config *cfg = ossio_config_new();
    assert_int_equal(ossio_config_load_hadoop(cfg, path), OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.endpoint"), "oss-cn-hangzhou.aliyuncs.com");
    assert_int_equal(ossio_config_source_of(cfg, "fs.oss.endpoint"), OSSIO_SRC_HADOOP);
    assert_int_equal(ossio__config_int(cfg, "fs.oss.block.size"), 64 << 20);
    assert_string_equal(ossio_config_get(cfg, "other.key"), "x");
    assert_string_equal(ossio_config_get(cfg, "fs.oss.accessKeyId"), "AK");
    assert_string_equal(ossio_config_get(cfg, "fs.oss.region"), "cn-hangzhou");
    /* a higher source set before the load is kept */
    ossio_config *cfg2 = ossio_config_new();
    assert_int_equal(ossio_config_set(cfg2, "fs.oss.endpoint", "mine"), OSSIO_OK);
    assert_int_equal(ossio_config_load_hadoop(cfg2, path), OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg2, "fs.oss.endpoint"), "mine");
    assert_int_equal(ossio_config_source_of(cfg2, "fs.oss.endpoint"), OSSIO_SRC_SET);
    ossio_config_free(cfg2);
    /* a missing file */
    assert_int_equal(ossio_config_load_hadoop(cfg, "/nonexistent/core-site.xml"), OSSIO_EIO);
    assert_non_null(strstr(ossio_config_error(cfg), "/nonexistent/core-site.xml"));
    ossio_config_free(cfg);
    free(path);
    remove_tree(dir);
}

static void test_final_across_files(void **state)
{
    (void)state;
    ossio_config *cfg = ossio_config_new();
    assert_int_equal(load(cfg, XML_HEAD
                          "<property><name>fs.oss.endpoint</name><value>one</value>"
                          "<final>true</final></property>\n" PROP("fs.oss.region", "r1") XML_TAIL),
                     OSSIO_OK);
    assert_int_equal(
        load(cfg, XML_HEAD PROP("fs.oss.endpoint", "two") PROP("fs.oss.region", "r2") XML_TAIL),
        OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.endpoint"), "one");
    assert_string_equal(ossio_config_get(cfg, "fs.oss.region"), "r2");
    /* final does not bind higher sources */
    assert_int_equal(ossio__config_load_flink_mem(cfg, "fs.oss.endpoint: three\n", 22, "f"),
                     OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.endpoint"), "three");
    ossio_config_free(cfg);
}

static void test_substitution(void **state)
{
    (void)state;
    setenv("OSSIO_TEST_HOST", "envhost", 1);
    unsetenv("OSSIO_TEST_UNSET");
    ossio_config *cfg = ossio_config_new();
    assert_int_equal(
        load(cfg, XML_HEAD PROP("my.region", "cn-${my.city}") PROP("my.city", "hangzhou")
                      PROP("fs.oss.endpoint", "oss-${my.region}.aliyuncs.com")
                          PROP("a.env", "${OSSIO_TEST_HOST}:${env.OSSIO_TEST_HOST}")
                              PROP("a.default", "${env.OSSIO_TEST_UNSET:-dflt}") PROP(
                                  "a.unresolved", "x${no.such.var}y") PROP("a.self", "${a.self}")
                                  PROP("a.size", "${my.mb}M") PROP("my.mb", "32")
                                      PROP("fs.oss.block.size", "${a.size}") XML_TAIL),
        OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "fs.oss.endpoint"), "oss-cn-hangzhou.aliyuncs.com");
    assert_string_equal(ossio_config_get(cfg, "a.env"), "envhost:envhost");
    assert_string_equal(ossio_config_get(cfg, "a.default"), "dflt");
    assert_string_equal(ossio_config_get(cfg, "a.unresolved"), "x${no.such.var}y");
    assert_string_equal(ossio_config_get(cfg, "a.self"), "${a.self}");
    assert_int_equal(ossio__config_int(cfg, "fs.oss.block.size"), 32 << 20);
    ossio_config_free(cfg);
    unsetenv("OSSIO_TEST_HOST");
}

/* A chain of 25 references: 20 levels resolve, the rest stays literal. */
static void test_substitution_depth(void **state)
{
    (void)state;
    char xml[8192];
    size_t n = (size_t)snprintf(xml, sizeof(xml), "%s", XML_HEAD);
    for (int i = 0; i < 25; i++) {
        n += (size_t)snprintf(xml + n, sizeof(xml) - n,
                              "<property><name>v%d</name><value>${v%d}</value></property>\n", i,
                              i + 1);
    }
    n += (size_t)snprintf(xml + n, sizeof(xml) - n, "%s",
                          PROP("v25", "end") PROP("short", "${v22}") XML_TAIL);
    ossio_config *cfg = ossio_config_new();
    assert_int_equal(load(cfg, xml), OSSIO_OK);
    assert_string_equal(ossio_config_get(cfg, "short"), "end");
    assert_string_equal(ossio_config_get(cfg, "v0"), "${v21}");
    ossio_config_free(cfg);
}

/* Doubling references: bounded work, no huge value. */
static void test_substitution_blowup(void **state)
{
    (void)state;
    char xml[8192];
    size_t n = (size_t)snprintf(xml, sizeof(xml), "%s", XML_HEAD);
    for (int i = 0; i < 30; i++) {
        n += (size_t)snprintf(xml + n, sizeof(xml) - n,
                              "<property><name>b%d</name><value>${b%d}${b%d}</value></property>\n",
                              i, i + 1, i + 1);
    }
    n += (size_t)snprintf(xml + n, sizeof(xml) - n, "%s", PROP("b30", "xxxxxxxxxxxxxxxx") XML_TAIL);
    ossio_config *cfg = ossio_config_new();
    clock_t t0 = clock();
    assert_int_equal(load(cfg, xml), OSSIO_OK);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
    assert_true(strlen(ossio_config_get(cfg, "b0")) <= (64u << 10));
    ossio_config_free(cfg);
}

static void test_malformed_line(void **state)
{
    (void)state;
    ossio_config *cfg = ossio_config_new();
    assert_int_equal(load(cfg, XML_HEAD PROP("a", "1") "<property><name>b</name>\n"
                                                       "<value>2</vlue></property>\n" XML_TAIL),
                     OSSIO_EXML);
    assert_non_null(strstr(ossio_config_error(cfg), "core-site.xml:5:"));
    /* nothing of a failed file is applied */
    assert_null(ossio_config_get(cfg, "a"));
    assert_int_equal(load(cfg, "<wrong/>"), OSSIO_EXML);
    assert_non_null(strstr(ossio_config_error(cfg), "core-site.xml:1:"));
    assert_int_equal(load(cfg, ""), OSSIO_EXML);
    /* a bad value of a known key: ECONFIG with the property's line */
    assert_int_equal(load(cfg, XML_HEAD PROP("fs.oss.endpoint",
                                             "e") "\n\n" PROP("fs.oss.list.version", "9") XML_TAIL),
                     OSSIO_ECONFIG);
    assert_non_null(strstr(ossio_config_error(cfg), "core-site.xml:6:"));
    assert_non_null(strstr(ossio_config_error(cfg), "fs.oss.list.version"));
    assert_string_equal(ossio_config_get(cfg, "fs.oss.endpoint"), "");
    ossio_config_free(cfg);
}

static void test_dtd_refused(void **state)
{
    (void)state;
    static const char laughs[] =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE lolz [\n"
        " <!ENTITY lol \"lol\">\n"
        " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
        " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
        " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
        " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
        " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
        " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
        "]>\n"
        "<configuration><property><name>x</name><value>&lol9;</value></property>"
        "</configuration>\n";
    const char *dir = tmp_dir();
    char *path = write_file(dir, "laughs.xml", laughs);
    ossio_config *cfg = ossio_config_new();
    clock_t t0 = clock();
    assert_int_equal(ossio_config_load_hadoop(cfg, path), OSSIO_EXML);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
    assert_non_null(strstr(ossio_config_error(cfg), "DTD"));
    assert_null(ossio_config_get(cfg, "x"));
    /* an external entity, with or without internal subset */
    assert_int_equal(load(cfg, "<!DOCTYPE c SYSTEM \"file:///etc/passwd\"><configuration/>"),
                     OSSIO_EXML);
    /* an undeclared entity reference is malformed */
    assert_int_equal(load(cfg, XML_HEAD PROP("x", "&xxe;") XML_TAIL), OSSIO_EXML);
    ossio_config_free(cfg);
    free(path);
    remove_tree(dir);
}

static void test_limits(void **state)
{
    (void)state;
    ossio_config *cfg = ossio_config_new();
    /* a value over 64 KiB */
    size_t big = (64u << 10) + 10;
    char *xml = malloc(big + 256);
    assert_non_null(xml);
    size_t n = (size_t)snprintf(xml, 256, "%s<property><name>a</name><value>", XML_HEAD);
    memset(xml + n, 'v', big);
    n += big;
    snprintf(xml + n, 256, "</value></property>%s", XML_TAIL);
    assert_int_equal(load(cfg, xml), OSSIO_EXML);
    assert_non_null(strstr(ossio_config_error(cfg), "too long"));
    free(xml);
    /* a document over 1 MiB, fed in chunks */
    size_t doc = (1u << 20) + 100;
    xml = malloc(doc + 1);
    assert_non_null(xml);
    memcpy(xml, XML_HEAD, strlen(XML_HEAD));
    memset(xml + strlen(XML_HEAD), ' ', doc - strlen(XML_HEAD));
    xml[doc] = '\0';
    const char *dir = tmp_dir();
    char *path = write_file(dir, "big.xml", xml);
    assert_int_equal(ossio_config_load_hadoop(cfg, path), OSSIO_EXML);
    assert_non_null(strstr(ossio_config_error(cfg), "1 MiB"));
    free(path);
    free(xml);
    remove_tree(dir);
    ossio_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_and_source),     cmocka_unit_test(test_final_across_files),
        cmocka_unit_test(test_substitution),        cmocka_unit_test(test_substitution_depth),
        cmocka_unit_test(test_substitution_blowup), cmocka_unit_test(test_malformed_line),
        cmocka_unit_test(test_dtd_refused),         cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
