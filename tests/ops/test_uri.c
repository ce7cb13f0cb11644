/* Unit tests for object URIs, bucket names, endpoints, regions and the URL
 * an operation is sent to (src/ops/uri.c). No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "ops/uri.h"

static void t_uris(void **state)
{
    (void)state;
    ossio__uri u;
    char msg[256];
    assert_int_equal(ossio__uri_parse(&u, "oss://my-bucket/dir/a b+c%41~ü", 0, msg, sizeof(msg)),
                     OSSIO_OK);
    assert_string_equal(u.scheme, "oss");
    assert_string_equal(u.bucket, "my-bucket");
    assert_string_equal(u.key, "dir/a b+c%41~ü"); /* literal, as ossutil and Hadoop's Path */
    ossio__uri_free(&u);
    assert_int_equal(ossio__uri_parse(&u, "s3://my.bucket/k", 1, msg, sizeof(msg)), OSSIO_OK);
    assert_string_equal(u.scheme, "s3");
    ossio__uri_free(&u);
    /* s3:// in the OSS dialect would be signed as OSS: refused, saying how to switch. */
    assert_int_equal(ossio__uri_parse(&u, "s3://my-bucket/k", 0, msg, sizeof(msg)), OSSIO_ESCHEME);
    assert_non_null(strstr(msg, "fs.oss.dialect=s3"));
    assert_null(u.key);
    assert_int_equal(ossio__uri_parse(&u, "oss://my-bucket/k", 1, msg, sizeof(msg)), OSSIO_OK);
    ossio__uri_free(&u);
    assert_int_equal(ossio__uri_parse(&u, "oss://b12/", 0, msg, sizeof(msg)), OSSIO_OK);
    assert_string_equal(u.key, "");
    ossio__uri_free(&u);
    assert_int_equal(ossio__uri_parse(&u, "gs://b/k", 0, msg, sizeof(msg)), OSSIO_ESCHEME);
    assert_string_equal(msg, "Could not find a file system implementation for scheme 'gs'.");
    assert_int_equal(ossio__uri_parse(&u, "bucket/key", 0, msg, sizeof(msg)), OSSIO_EBADURI);
    assert_int_equal(ossio__uri_parse(&u, "oss:///key", 0, msg, sizeof(msg)), OSSIO_EBADURI);
    assert_int_equal(ossio__uri_parse(&u, "oss://ab/k", 0, msg, sizeof(msg)), OSSIO_EBADBUCKET);
    assert_int_equal(ossio__uri_parse(&u, "oss://-abc/k", 0, msg, sizeof(msg)), OSSIO_EBADBUCKET);
    assert_int_equal(ossio__uri_parse(&u, "oss://ABC/k", 0, msg, sizeof(msg)), OSSIO_EBADBUCKET);
    assert_int_equal(ossio__uri_parse(&u, "oss://a.b.c/k", 0, msg, sizeof(msg)), OSSIO_EBADBUCKET);
    assert_int_equal(ossio__uri_parse(&u, "oss://a.b.c/k", 1, msg, sizeof(msg)), OSSIO_OK);
    ossio__uri_free(&u);
    assert_int_equal(ossio__uri_parse(&u, "oss://bucket/\\k", 0, msg, sizeof(msg)), OSSIO_EBADURI);
    char big[1100] = "oss://bucket/";
    memset(big + 13, 'x', 1023);
    big[13 + 1023] = '\0';
    assert_int_equal(ossio__uri_parse(&u, big, 0, msg, sizeof(msg)), OSSIO_OK);
    ossio__uri_free(&u);
    big[13 + 1023] = 'x';
    big[13 + 1024] = '\0';
    assert_int_equal(ossio__uri_parse(&u, big, 0, msg, sizeof(msg)), OSSIO_EKEYTOOLONG);
    assert_non_null(strstr(msg, "1023"));
}

static void t_endpoints_and_regions(void **state)
{
    (void)state;
    ossio__endpoint ep;
    char msg[256], region[64];
    assert_int_equal(
        ossio__endpoint_parse(&ep, "oss-cn-hangzhou.aliyuncs.com", 1, msg, sizeof(msg)), OSSIO_OK);
    assert_true(ep.tls);
    assert_int_equal(ep.port, 0);
    ossio__endpoint_region(&ep, region, sizeof(region));
    assert_string_equal(region, "cn-hangzhou");
    assert_int_equal(ossio__endpoint_parse(&ep,
                                           "http://OSS-cn-shanghai-internal.aliyuncs.com:8080/", 1,
                                           msg, sizeof(msg)),
                     OSSIO_OK);
    assert_false(ep.tls);
    assert_int_equal(ep.port, 8080);
    assert_string_equal(ep.host, "oss-cn-shanghai-internal.aliyuncs.com");
    ossio__endpoint_region(&ep, region, sizeof(region));
    assert_string_equal(region, "cn-shanghai");
    assert_int_equal(ossio__endpoint_parse(&ep, "localhost:9000", 0, msg, sizeof(msg)), OSSIO_OK);
    ossio__endpoint_region(&ep, region, sizeof(region));
    assert_string_equal(region, "");
    assert_int_equal(ossio__endpoint_parse(&ep, "", 1, msg, sizeof(msg)), OSSIO_ENOENDPOINT);
    assert_string_equal(msg, "Aliyun OSS endpoint should not be null or empty. Please set proper "
                             "endpoint with 'fs.oss.endpoint'.");
    assert_int_equal(ossio__endpoint_parse(&ep, NULL, 1, msg, sizeof(msg)), OSSIO_ENOENDPOINT);
    assert_int_equal(ossio__endpoint_parse(&ep, "host:0", 1, msg, sizeof(msg)), OSSIO_ECONFIG);
    assert_int_equal(ossio__endpoint_parse(&ep, "host/path", 1, msg, sizeof(msg)), OSSIO_ECONFIG);
    assert_int_equal(ossio__endpoint_parse(&ep, "ho st", 1, msg, sizeof(msg)), OSSIO_ECONFIG);
}

static void t_urls(void **state)
{
    (void)state;
    ossio__endpoint ep;
    char msg[256], host[320];
    ossio__endpoint_parse(&ep, "oss-cn-hangzhou.aliyuncs.com", 1, msg, sizeof(msg));
    ossio__buf b;
    ossio__buf_init(&b, 4096, OSSIO_EINVAL);
    assert_int_equal(
        ossio__url_for(&b, host, sizeof(host), &ep, "bkt", "a b/c+d//e~", "uploads", 0), OSSIO_OK);
    assert_string_equal((char *)b.data,
                        "https://bkt.oss-cn-hangzhou.aliyuncs.com/a%20b/c%2Bd//e~?uploads");
    assert_string_equal(host, "bkt.oss-cn-hangzhou.aliyuncs.com");
    ossio__buf_reset(&b);
    ossio__endpoint_parse(&ep, "http://localhost:9000", 1, msg, sizeof(msg));
    assert_int_equal(ossio__url_for(&b, host, sizeof(host), &ep, "bkt", "k", NULL, 1), OSSIO_OK);
    assert_string_equal((char *)b.data, "http://localhost:9000/bkt/k");
    assert_string_equal(host, "localhost:9000");
    ossio__buf_reset(&b);
    assert_int_equal(ossio__url_for(&b, host, sizeof(host), &ep, "bkt", "", "list-type=2", 1),
                     OSSIO_OK);
    assert_string_equal((char *)b.data, "http://localhost:9000/bkt?list-type=2");
    ossio__buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_uris),
        cmocka_unit_test(t_endpoints_and_regions),
        cmocka_unit_test(t_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
