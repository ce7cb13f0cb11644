/* ossio_presign(): URLs signed with OSS V1, OSS V4 and AWS SigV4 are fetched
 * with plain unsigned requests; the endpoint checks them with Aliyun's and
 * AWS's own signers. Also a PUT through a presigned URL, and refusals. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../transport/test_support.h"

static ossio_client *client_sig(const char *sig, int vhost)
{
    char endpoint[128], pin[160];
    snprintf(endpoint, sizeof(endpoint), "https://%s:%d", vhost ? ep("ENDPOINT_HOST") : "localhost",
             ep_port("H2_TLS"));
    snprintf(pin, sizeof(pin), "%s.%s:%d:127.0.0.1", ep("BUCKET"), ep("ENDPOINT_HOST"),
             ep_port("H2_TLS"));
    int s3 = strcmp(sig, "s3") == 0;
    return client_with(NULL, "fs.oss.endpoint", endpoint, "fs.oss.accessKeyId", ep("ACCESS_KEY_ID"),
                       "fs.oss.accessKeySecret", ep("ACCESS_KEY_SECRET"),
                       "fs.oss.signature.version", s3 ? "v1" : sig, "fs.oss.dialect",
                       s3 ? "s3" : "oss", "fs.oss.region", ep("REGION"), "fs.oss.path.style.access",
                       vhost ? "false" : "true", "fs.oss.connection.resolve", pin, NULL);
}

/* One unsigned request to |url|; |body| for a PUT. Returns the HTTP status. */
static int fetch(ossio_client *cl, const char *method, const char *url, const char *body,
                 const char *expect)
{
    job j;
    memset(&j, 0, sizeof(j));
    assert_int_equal(ossio_request_new(&j.r, cl, method, url), OSSIO_OK);
    if (body != NULL) {
        ossio_request_set_body(j.r, body, strlen(body));
    }
    if (expect != NULL) {
        j.expect = (const uint8_t *)expect;
        j.expect_len = strlen(expect);
    }
    ossio_request_set_callbacks(j.r, job_on_headers, job_on_data, &j);
    assert_int_equal(ossio_request_submit(j.r, job_on_done, &j), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(j.done, 1);
    assert_int_equal(j.st, OSSIO_OK);
    if (j.http == 200 && expect != NULL) {
        assert_int_equal(j.mismatch, 0);
        assert_int_equal(j.got, j.expect_len);
    }
    return j.http;
}

static void t_presigned_get_and_put(void **state)
{
    (void)state;
    static const struct {
        const char *sig;
        int vhost;
    } combos[] = {{"v1", 0}, {"v1", 1}, {"v4", 0}, {"v4", 1}, {"s3", 0}, {"s3", 1}};
    for (size_t i = 0; i < sizeof(combos) / sizeof(combos[0]); i++) {
        ossio_client *cl = client_sig(combos[i].sig, combos[i].vhost);
        char u[256], body[64];
        /* An odd key: the signature covers the decoded key, the URL its encoding. */
        snprintf(u, sizeof(u), "oss://%s/presign-test/%s-%d/a b%%#?é.txt", ep("BUCKET"),
                 combos[i].sig, combos[i].vhost);
        snprintf(body, sizeof(body), "presigned %s %d", combos[i].sig, combos[i].vhost);
        char *put = NULL, *get = NULL, *del = NULL;
        assert_int_equal(ossio_presign(cl, "PUT", u, 600, &put), OSSIO_OK);
        assert_int_equal(ossio_presign(cl, "GET", u, 600, &get), OSSIO_OK);
        assert_int_equal(ossio_presign(cl, "DELETE", u, 600, &del), OSSIO_OK);
        assert_null(strstr(get, ep("ACCESS_KEY_SECRET")));
        assert_int_equal(fetch(cl, "PUT", put, body, NULL), 200);
        assert_int_equal(fetch(cl, "GET", get, NULL, body), 200);
        /* Signed for GET: another method does not match. */
        assert_int_equal(fetch(cl, "DELETE", get, NULL, NULL), 403);
        assert_int_equal(fetch(cl, "DELETE", del, NULL, NULL), 204);
        assert_int_equal(fetch(cl, "GET", get, NULL, NULL), 404);
        free(put);
        free(get);
        free(del);
        ossio_client_destroy(cl);
    }
}

static void t_refusals(void **state)
{
    (void)state;
    ossio_client *cl = client_sig("v1", 0);
    char u[128];
    snprintf(u, sizeof(u), "oss://%s/presign-test/x", ep("BUCKET"));
    char *url = (char *)1;
    assert_int_equal(ossio_presign(cl, "POST", u, 60, &url), OSSIO_EINVAL);
    assert_null(url);
    assert_int_equal(ossio_presign(cl, "GET", u, 0, &url), OSSIO_EINVAL);
    assert_int_equal(ossio_presign(cl, "GET", u, 604801, &url), OSSIO_EINVAL);
    assert_int_equal(ossio_presign(cl, "GET", "hdfs://x/y", 60, &url), OSSIO_ESCHEME);
    assert_non_null(strstr(ossio_client_error(cl), "hdfs"));
    snprintf(u, sizeof(u), "oss://%s", ep("BUCKET"));
    assert_int_equal(ossio_presign(cl, "GET", u, 60, &url), OSSIO_EBADURI);
    assert_null(url);
    ossio_client_destroy(cl);

    ossio_config *cfg = ossio_config_new();
    ossio_client *bare = NULL;
    assert_int_equal(ossio_client_new(&bare, cfg, NULL), OSSIO_OK);
    ossio_config_free(cfg);
    assert_int_equal(ossio_presign(bare, "GET", "oss://bucket/key", 60, &url), OSSIO_ENOENDPOINT);
    ossio_client_destroy(bare);
}

/* An expired URL is refused by the endpoint (AccessDenied "Request has expired."). */
static void t_expired(void **state)
{
    (void)state;
    ossio_client *cl = client_sig("v1", 0);
    char u[128];
    snprintf(u, sizeof(u), "oss://%s/presign-test/expired", ep("BUCKET"));
    char *url = NULL;
    assert_int_equal(ossio_presign(cl, "GET", u, 1, &url), OSSIO_OK);
    sleep(2);
    assert_int_equal(fetch(cl, "GET", url, NULL, NULL), 403);
    free(url);
    ossio_client_destroy(cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_presigned_get_and_put),
        cmocka_unit_test(t_refusals),
        cmocka_unit_test(t_expired),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
