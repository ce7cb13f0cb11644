/* Tests for ossio_config_explain() (sorted, every known and stored key,
 * secrets fully masked) and ossio__config_typo_hint(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "config/keys.h"
#include "ossio.h"

#define SECRET "Qz7#SecretValue-9XkW"
#define TOKEN "STS.tokenPart-42"

typedef struct seen {
    char prev[256];
    size_t n;
    int leaked;
    int got_secret;
    int got_custom;
    ossio_config_source endpoint_src;
} seen;

static void on_key(const char *key, const char *value, ossio_config_source source, void *ud)
{
    seen *s = ud;
    assert_true(strcmp(s->prev, key) < 0);
    snprintf(s->prev, sizeof(s->prev), "%s", key);
    s->n++;
    /* no character sequence of 3 or more from a secret may show */
    for (const char *sec = SECRET; sec[2] != '\0'; sec++) {
        char part[4] = {sec[0], sec[1], sec[2], '\0'};
        if (strstr(value, part) != NULL) {
            s->leaked = 1;
        }
    }
    if (strstr(value, "tokenPart") != NULL) {
        s->leaked = 1;
    }
    if (strcmp(key, "fs.oss.accessKeySecret") == 0) {
        assert_string_equal(value, "****");
        assert_int_equal(source, OSSIO_SRC_SET);
        s->got_secret = 1;
    }
    if (strcmp(key, "fs.oss.securityToken") == 0 || strcmp(key, "my.db.Password") == 0) {
        assert_string_equal(value, "****");
    }
    if (strcmp(key, "custom.key") == 0) {
        assert_string_equal(value, "v");
        s->got_custom = 1;
    }
    if (strcmp(key, "fs.oss.endpoint") == 0) {
        s->endpoint_src = source;
        assert_string_equal(value, "e.example");
    }
    if (strcmp(key, "fs.oss.region") == 0) {
        assert_string_equal(value, "");
        assert_int_equal(source, OSSIO_SRC_DEFAULT);
    }
}

static void test_explain(void **state)
{
    (void)state;
    ossio_config *cfg = ossio_config_new();
    assert_int_equal(ossio_config_set(cfg, "fs.oss.accessKeySecret", SECRET), OSSIO_OK);
    assert_int_equal(ossio__config_put(cfg, "fs.oss.securityToken", TOKEN, OSSIO_SRC_ENV, 0),
                     OSSIO_OK);
    assert_int_equal(ossio_config_set(cfg, "my.db.Password", SECRET), OSSIO_OK);
    assert_int_equal(ossio_config_set(cfg, "custom.key", "v"), OSSIO_OK);
    static const char xml[] = "<configuration><property><name>fs.oss.endpoint</name>"
                              "<value>e.example</value></property></configuration>";
    assert_int_equal(ossio__config_load_hadoop_mem(cfg, xml, strlen(xml), "x"), OSSIO_OK);
    seen s = {{0}, 0, 0, 0, 0, OSSIO_SRC_DEFAULT};
    ossio_config_explain(cfg, on_key, &s);
    assert_int_equal(s.n, ossio__key_count() + 2); /* + custom.key, my.db.Password */
    assert_false(s.leaked);
    assert_true(s.got_secret);
    assert_true(s.got_custom);
    assert_int_equal(s.endpoint_src, OSSIO_SRC_HADOOP);
    ossio_config_free(cfg);
}

static void test_typo_hint(void **state)
{
    (void)state;
    assert_string_equal(ossio__config_typo_hint("fs.oss.endpiont"), "fs.oss.endpoint");
    assert_string_equal(ossio__config_typo_hint("fs.oss.accesskeyid"), "fs.oss.accessKeyId");
    assert_string_equal(ossio__config_typo_hint("fs.oss.acessKeySecret"), "fs.oss.accessKeySecret");
    assert_string_equal(ossio__config_typo_hint("fs.oss.paging.maximun"), "fs.oss.paging.maximum");
    assert_null(ossio__config_typo_hint("fs.oss.endpoint"));
    assert_null(ossio__config_typo_hint("fs.oss.something.else"));
    assert_null(ossio__config_typo_hint("fs.s3a.endpoint"));
    assert_null(ossio__config_typo_hint(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_explain),
        cmocka_unit_test(test_typo_hint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
