/* Fixed vectors for the signers (published Aliyun and AWS examples, and one
 * computed with ali-oss's signUtils), encoding edge cases, date formatting,
 * and refusal of header injection and inconsistent input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "sign/sign.h"

#define HDR(n, v)                                                                                  \
    {                                                                                              \
        (n), (v), sizeof(n) - 1, sizeof(v) - 1                                                     \
    }

typedef struct bufs {
    ossio__buf out, can;
} bufs;

static void bufs_init(bufs *b)
{
    ossio__buf_init(&b->out, 1 << 16, OSSIO_EHEADERSIZE);
    ossio__buf_init(&b->can, 1 << 16, OSSIO_EHEADERSIZE);
}

static void bufs_free(bufs *b)
{
    ossio__buf_free(&b->out);
    ossio__buf_free(&b->can);
}

/* 1 if |needle| occurs in the buffer. */
static int contains(const ossio__buf *b, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= b->len; i++) {
        if (memcmp(b->data + i, needle, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static void assert_buf(const ossio__buf *b, const char *want)
{
    size_t n = strlen(want);
    if (b->len != n || memcmp(b->data, want, n) != 0) {
        fail_msg("got \"%.*s\"\nwant \"%s\"", (int)b->len, b->data ? (const char *)b->data : "",
                 want);
    }
}

/* --- OSS V1: Aliyun's documentation example (also in the SDKs' tests) --- */

static const ossio__credentials DOC_V1 = {"44CF9590006BF252F707",
                                          "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV", NULL};

static void test_v1_doc_example(void **state)
{
    (void)state;
    ossio__hdr h[] = {
        HDR("Content-MD5", "ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM="),
        HDR("Content-Type", "text/html"),
        HDR("Date", "Thu, 17 Nov 2005 18:49:58 GMT"),
        HDR("X-OSS-Meta-Author", "foo@bar.com"),
        HDR("X-OSS-Magic", "abracadabra"),
        HDR("Host", "oss-example.oss-cn-hangzhou.aliyuncs.com"),
    };
    ossio__sign_input in = {"PUT", "oss-example", "nelson", h, 6, NULL, 0, NULL, 0};
    bufs b;
    bufs_init(&b);
    assert_int_equal(ossio__sign_oss_v1(&in, &DOC_V1, &b.out, &b.can), OSSIO_OK);
    assert_buf(&b.can, "PUT\nODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=\ntext/html\n"
                       "Thu, 17 Nov 2005 18:49:58 GMT\nx-oss-magic:abracadabra\n"
                       "x-oss-meta-author:foo@bar.com\n/oss-example/nelson");
    assert_buf(&b.out, "OSS 44CF9590006BF252F707:26NBxoKdsyly4EDv6inkoDft/yA=");
    /* Without a canonical buffer the same signature comes out. */
    ossio__buf_reset(&b.out);
    assert_int_equal(ossio__sign_oss_v1(&in, &DOC_V1, &b.out, NULL), OSSIO_OK);
    assert_buf(&b.out, "OSS 44CF9590006BF252F707:26NBxoKdsyly4EDv6inkoDft/yA=");
    bufs_free(&b);
}

static void test_v1_presign_example(void **state)
{
    (void)state;
    /* The Go SDK's test: GET oss-api.pdf, expires 1141889120. */
    ossio__sign_input in = {"GET", "oss-example", "oss-api.pdf", NULL, 0, NULL, 0, NULL, 0};
    bufs b;
    bufs_init(&b);
    assert_int_equal(ossio__presign_oss_v1(&in, &DOC_V1, 1141889120, &b.out, &b.can), OSSIO_OK);
    assert_buf(&b.can, "GET\n\n\n1141889120\n/oss-example/oss-api.pdf");
    assert_buf(&b.out, "OSSAccessKeyId=44CF9590006BF252F707&Expires=1141889120"
                       "&Signature=EwaNTn1erJGkimiJ9WmXgwnANLc%3D");
    bufs_free(&b);
}

static void test_v1_subresources_and_date(void **state)
{
    (void)state;
    ossio__hdr h[] = {
        HDR("Date", "Thu, 17 Nov 2005 18:49:58 GMT"),
        HDR("x-oss-date", "Fri, 18 Nov 2005 00:00:00 GMT"),
        HDR("x-oss-meta-x", "  padded  value\t"),
        HDR("User-Agent", "not signed"),
    };
    ossio__qparam q[] = {
        {"uploadId", "abc"}, {"prefix", "not/signed"}, {"partNumber", "3"},
        {"acl", ""},         {"max-keys", "10"},       {"response-content-type", "a/b c"},
    };
    ossio__sign_input in = {"POST", "b", "k ey", h, 4, q, 6, NULL, 0};
    bufs b;
    bufs_init(&b);
    assert_int_equal(ossio__sign_oss_v1(&in, &DOC_V1, &b.out, &b.can), OSSIO_OK);
    assert_buf(&b.can, "POST\n\n\nFri, 18 Nov 2005 00:00:00 GMT\n"
                       "x-oss-date:Fri, 18 Nov 2005 00:00:00 GMT\nx-oss-meta-x:padded  value\n"
                       "/b/k ey?acl&partNumber=3&response-content-type=a/b c&uploadId=abc");
    bufs_free(&b);

    /* Service level and bucket level resources. */
    ossio__sign_input svc = {"GET", NULL, NULL, NULL, 0, NULL, 0, NULL, 0};
    bufs_init(&b);
    assert_int_equal(ossio__sign_oss_v1(&svc, &DOC_V1, &b.out, &b.can), OSSIO_OK);
    assert_buf(&b.can, "GET\n\n\n\n/");
    bufs_free(&b);
    ossio__qparam up = {"uploads", NULL};
    ossio__sign_input bkt = {"GET", "b", "", NULL, 0, &up, 1, NULL, 0};
    bufs_init(&b);
    assert_int_equal(ossio__sign_oss_v1(&bkt, &DOC_V1, &b.out, &b.can), OSSIO_OK);
    assert_buf(&b.can, "GET\n\n\n\n/b/?uploads");
    bufs_free(&b);
}

static void test_v1_sts(void **state)
{
    (void)state;
    ossio__credentials sts = {"AK", "SK", "TOKEN"};
    ossio__hdr h[] = {HDR("x-oss-security-token", "TOKEN")};
    ossio__sign_input in = {"GET", "b", "k", h, 1, NULL, 0, NULL, 0};
    ossio__sign_input none = {"GET", "b", "k", NULL, 0, NULL, 0, NULL, 0};
    bufs b;
    bufs_init(&b);
    assert_int_equal(ossio__sign_oss_v1(&in, &sts, &b.out, &b.can), OSSIO_OK);
    assert_buf(&b.can, "GET\n\n\n\nx-oss-security-token:TOKEN\n/b/k");
    /* The token header is required with STS credentials, and refused without. */
    assert_int_equal(ossio__sign_oss_v1(&none, &sts, &b.out, NULL), OSSIO_EINVAL);
    assert_int_equal(ossio__sign_oss_v1(&in, &DOC_V1, &b.out, NULL), OSSIO_EINVAL);
    ossio__buf_reset(&b.out);
    ossio__buf_reset(&b.can);
    /* Presigned: security-token is a signed sub-resource. */
    assert_int_equal(ossio__presign_oss_v1(&none, &sts, 100, &b.out, &b.can), OSSIO_OK);
    assert_buf(&b.can, "GET\n\n\n100\n/b/k?security-token=TOKEN");
    assert_true(b.out.len > 0);
    assert_true(contains(&b.out, "&security-token=TOKEN"));
    bufs_free(&b);
}

/* --- OSS V4: computed with ali-oss signUtils.authorizationV4 --- */

static void test_v4_fixed(void **state)
{
    (void)state;
    ossio__credentials c = {"LTAI5tExample", "yourAccessKeySecret", NULL};
    ossio__hdr h[] = {
        HDR("x-oss-date", "20250411T064124Z"), HDR("x-oss-content-sha256", "UNSIGNED-PAYLOAD"),
        HDR("Content-Type", "text/plain"),     HDR("X-Oss-Meta-A", " b c "),
        HDR("User-Agent", "ignored"),
    };
    ossio__qparam q[] = {{"uploads", NULL}, {"prefix", "a/b c"}};
    ossio__sign_input in = {"PUT",
                            "examplebucket",
                            "dir/\xc3\xbc +~.txt",
                            h,
                            5,
                            q,
                            2,
                            "examplebucket.oss-cn-hangzhou.aliyuncs.com",
                            0};
    const char *add[] = {"Host", "content-type", "host"};
    bufs b;
    bufs_init(&b);
    assert_int_equal(ossio__sign_oss_v4(&in, &c, "cn-hangzhou", 1744353684, add, 3, &b.out, &b.can),
                     OSSIO_OK);
    assert_buf(&b.can, "PUT\n/examplebucket/dir/%C3%BC%20%2B~.txt\nprefix=a%2Fb%20c&uploads\n"
                       "content-type:text/plain\nhost:examplebucket.oss-cn-hangzhou.aliyuncs.com\n"
                       "x-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20250411T064124Z\n"
                       "x-oss-meta-a:b c\n\nhost\nUNSIGNED-PAYLOAD");
    assert_buf(&b.out, "OSS4-HMAC-SHA256 Credential=LTAI5tExample/20250411/cn-hangzhou/oss/"
                       "aliyun_v4_request,AdditionalHeaders=host,Signature="
                       "26151b7586887e749265179eb1fa4ccfb6e202589920ba8fdaa4c064f970886d");
    /* x-oss-date must be the signing time. */
    ossio__buf_reset(&b.out);
    assert_int_equal(ossio__sign_oss_v4(&in, &c, "cn-hangzhou", 1744353685, add, 3, &b.out, NULL),
                     OSSIO_EINVAL);
    assert_int_equal(b.out.len, 0);
    /* An additional header that is not sent cannot be signed. */
    const char *missing[] = {"range"};
    assert_int_equal(
        ossio__sign_oss_v4(&in, &c, "cn-hangzhou", 1744353684, missing, 1, &b.out, NULL),
        OSSIO_EINVAL);
    bufs_free(&b);
}

static void test_v4_presign_shape(void **state)
{
    (void)state;
    ossio__credentials c = {"AK", "SK", "TOK/EN"};
    ossio__sign_input in = {"GET", "b", "k", NULL, 0, NULL, 0, "b.oss-cn-hangzhou.aliyuncs.com", 0};
    const char *add[] = {"host"};
    bufs b;
    bufs_init(&b);
    assert_int_equal(
        ossio__presign_oss_v4(&in, &c, "cn-hangzhou", 1744353684, 3600, add, 1, &b.out, &b.can),
        OSSIO_OK);
    assert_buf(&b.can, "GET\n/b/k\nx-oss-additional-headers=host&x-oss-credential=AK%2F20250411"
                       "%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20250411T064124Z&"
                       "x-oss-expires=3600&x-oss-security-token=TOK%2FEN&x-oss-signature-version="
                       "OSS4-HMAC-SHA256\nhost:b.oss-cn-hangzhou.aliyuncs.com\n\nhost\n"
                       "UNSIGNED-PAYLOAD");
    const char *prefix = "x-oss-additional-headers=host&x-oss-credential=AK%2F20250411%2F"
                         "cn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20250411T064124Z&"
                         "x-oss-expires=3600&x-oss-security-token=TOK%2FEN&x-oss-signature-"
                         "version=OSS4-HMAC-SHA256&x-oss-signature=";
    assert_int_equal(b.out.len, strlen(prefix) + 64);
    assert_memory_equal(b.out.data, prefix, strlen(prefix));
    /* Expiry limits and reserved parameter names. */
    assert_int_equal(ossio__presign_oss_v4(&in, &c, "cn-hangzhou", 0, 0, NULL, 0, &b.out, NULL),
                     OSSIO_EINVAL);
    assert_int_equal(
        ossio__presign_oss_v4(&in, &c, "cn-hangzhou", 0, 604801, NULL, 0, &b.out, NULL),
        OSSIO_EINVAL);
    ossio__qparam bad = {"x-oss-signature", "x"};
    ossio__sign_input in2 = in;
    in2.query = &bad;
    in2.n_query = 1;
    assert_int_equal(ossio__presign_oss_v4(&in2, &c, "cn-hangzhou", 0, 60, NULL, 0, &b.out, NULL),
                     OSSIO_EINVAL);
    bufs_free(&b);
}

/* --- AWS SigV4: the examples of Amazon's S3 API reference --- */

static const ossio__credentials AWS_DOC = {"AKIAIOSFODNN7EXAMPLE",
                                           "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL};
#define AWS_NOW ((time_t)1369353600) /* 20130524T000000Z */
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void test_aws_doc_get_lifecycle(void **state)
{
    (void)state;
    ossio__hdr h[] = {HDR("x-amz-date", "20130524T000000Z"),
                      HDR("x-amz-content-sha256", EMPTY_SHA)};
    ossio__qparam q[] = {{"lifecycle", NULL}};
    ossio__sign_input in = {
        "GET", "examplebucket", NULL, h, 2, q, 1, "examplebucket.s3.amazonaws.com", 0};
    bufs b;
    bufs_init(&b);
    assert_int_equal(ossio__sign_aws_v4(&in, &AWS_DOC, "us-east-1", NULL, AWS_NOW, &b.out, &b.can),
                     OSSIO_OK);
    assert_buf(&b.can, "GET\n/\nlifecycle=\nhost:examplebucket.s3.amazonaws.com\n"
                       "x-amz-content-sha256:" EMPTY_SHA "\nx-amz-date:20130524T000000Z\n\n"
                       "host;x-amz-content-sha256;x-amz-date\n" EMPTY_SHA);
    assert_buf(&b.out,
               "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
               "aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
               "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
    bufs_free(&b);
}

static void test_aws_doc_list_objects(void **state)
{
    (void)state;
    ossio__hdr h[] = {HDR("x-amz-date", "20130524T000000Z"),
                      HDR("x-amz-content-sha256", EMPTY_SHA)};
    ossio__qparam q[] = {{"prefix", "J"}, {"max-keys", "2"}};
    ossio__sign_input in = {
        "GET", "examplebucket", NULL, h, 2, q, 2, "examplebucket.s3.amazonaws.com", 0};
    bufs b;
    bufs_init(&b);
    assert_int_equal(ossio__sign_aws_v4(&in, &AWS_DOC, "us-east-1", "s3", AWS_NOW, &b.out, NULL),
                     OSSIO_OK);
    assert_buf(&b.out,
               "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
               "aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
               "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
    bufs_free(&b);
}

static void test_aws_doc_presign(void **state)
{
    (void)state;
    ossio__sign_input in = {
        "GET", "examplebucket", "test.txt", NULL, 0, NULL, 0, "examplebucket.s3.amazonaws.com", 0};
    bufs b;
    bufs_init(&b);
    assert_int_equal(
        ossio__presign_aws_v4(&in, &AWS_DOC, "us-east-1", "s3", AWS_NOW, 86400, &b.out, &b.can),
        OSSIO_OK);
    assert_buf(&b.can, "GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
                       "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&"
                       "X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\n"
                       "host:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD");
    assert_buf(&b.out, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE"
                       "%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&"
                       "X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature="
                       "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
    bufs_free(&b);
}

static void test_aws_path_and_folding(void **state)
{
    (void)state;
    ossio__hdr h[] = {
        HDR("X-Amz-Date", "20130524T000000Z"),
        HDR("x-amz-meta-a", "\t a  \t b   c "),
        HDR("Content-Type", "text/plain"),
        HDR("Range", "bytes=0-1"),
    };
    ossio__qparam q[] = {{"uploads", NULL}, {"a b", "c+d"}};
    ossio__sign_input in = {"POST", "bkt", "a//b/ c+%", h, 4, q, 2, "localhost:9000", 1};
    bufs b;
    bufs_init(&b);
    assert_int_equal(ossio__sign_aws_v4(&in, &AWS_DOC, "us-east-1", NULL, AWS_NOW, &b.out, &b.can),
                     OSSIO_OK);
    assert_buf(&b.can,
               "POST\n/bkt/a//b/%20c%2B%25\na%20b=c%2Bd&uploads=\n"
               "content-type:text/plain\nhost:localhost:9000\nx-amz-date:20130524T000000Z\n"
               "x-amz-meta-a:a b c\n\ncontent-type;host;x-amz-date;x-amz-meta-a\n" EMPTY_SHA);
    bufs_free(&b);
}

/* --- helpers --- */

static void test_uri_encode(void **state)
{
    (void)state;
    ossio__buf b;
    ossio__buf_init(&b, 1024, OSSIO_EHEADERSIZE);
    const char *s = "AZaz09-_.~ !'()*/+=&?#%\xc3\xbc";
    assert_int_equal(ossio__uri_encode(&b, s, strlen(s), 0), OSSIO_OK);
    assert_buf(&b, "AZaz09-_.~%20%21%27%28%29%2A%2F%2B%3D%26%3F%23%25%C3%BC");
    ossio__buf_reset(&b);
    assert_int_equal(ossio__uri_encode(&b, "a//b/", 5, 1), OSSIO_OK);
    assert_buf(&b, "a//b/");
    ossio__buf_free(&b);
    /* Running out of room appends nothing. */
    ossio__buf small;
    ossio__buf_init(&small, 4, OSSIO_EHEADERSIZE);
    assert_int_equal(ossio__uri_encode(&small, "ab c", 4, 0), OSSIO_EHEADERSIZE);
    assert_int_equal(small.len, 0);
    ossio__buf_free(&small);
}

static void test_dates(void **state)
{
    (void)state;
    char d[30], iso[17];
    ossio__http_date(0, d);
    assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 GMT");
    ossio__iso8601_basic(0, iso);
    assert_string_equal(iso, "19700101T000000Z");
    ossio__http_date(1132253398, d);
    assert_string_equal(d, "Thu, 17 Nov 2005 18:49:58 GMT");
    ossio__http_date(1795640400, d);
    assert_string_equal(d, "Wed, 25 Nov 2026 21:00:00 GMT");
    ossio__iso8601_basic(1795640400, iso);
    assert_string_equal(iso, "20261125T210000Z");
    ossio__http_date(951782400, d); /* leap day */
    assert_string_equal(d, "Tue, 29 Feb 2000 00:00:00 GMT");
    ossio__http_date(-1, d);
    assert_string_equal(d, "Wed, 31 Dec 1969 23:59:59 GMT");
    ossio__iso8601_basic((time_t)253402300799LL, iso);
    assert_string_equal(iso, "99991231T235959Z");
    ossio__iso8601_basic((time_t)253402300800LL, iso); /* clamped */
    assert_string_equal(iso, "99991231T235959Z");
}

static void test_refuses_injection(void **state)
{
    (void)state;
    ossio__credentials c = {"AK", "SK", NULL};
    bufs b;
    bufs_init(&b);
    ossio__hdr crlf[] = {HDR("x-oss-meta-a", "v\r\nx-oss-evil: 1")};
    ossio__hdr lf[] = {HDR("x-oss-meta-a", "v\nx")};
    ossio__hdr vt[] = {HDR("x-oss-meta-a", "v\vx")};
    ossio__hdr badname[] = {HDR("x-oss-meta a", "v")};
    ossio__hdr dup[] = {HDR("x-oss-meta-a", "1"), HDR("X-OSS-META-A", "2")};
    const ossio__hdr *cases[] = {crlf, lf, vt, badname, dup};
    size_t counts[] = {1, 1, 1, 1, 2};
    for (size_t i = 0; i < 5; i++) {
        ossio__sign_input in = {"GET", "b", "k", cases[i], counts[i], NULL, 0, "h", 0};
        assert_int_equal(ossio__sign_oss_v1(&in, &c, &b.out, &b.can), OSSIO_EINVAL);
        assert_int_equal(ossio__presign_oss_v1(&in, &c, 1, &b.out, &b.can), OSSIO_EINVAL);
        assert_int_equal(ossio__presign_oss_v4(&in, &c, "r", 0, 1, NULL, 0, &b.out, &b.can),
                         OSSIO_EINVAL);
        assert_int_equal(ossio__presign_aws_v4(&in, &c, "r", NULL, 0, 1, &b.out, &b.can),
                         OSSIO_EINVAL);
    }
    /* Other bad input: lower-case method, key without bucket, duplicate query. */
    ossio__sign_input lower = {"get", "b", "k", NULL, 0, NULL, 0, "h", 0};
    ossio__sign_input nobucket = {"GET", NULL, "k", NULL, 0, NULL, 0, "h", 0};
    ossio__qparam dq[] = {{"a", "1"}, {"a", "2"}};
    ossio__sign_input dupq = {"GET", "b", "k", NULL, 0, dq, 2, "h", 0};
    assert_int_equal(ossio__sign_oss_v1(&lower, &c, &b.out, NULL), OSSIO_EINVAL);
    assert_int_equal(ossio__sign_oss_v1(&nobucket, &c, &b.out, NULL), OSSIO_EINVAL);
    assert_int_equal(ossio__sign_oss_v1(&dupq, &c, &b.out, NULL), OSSIO_EINVAL);
    /* A region with '/' would forge the scope. */
    ossio__sign_input ok = {"GET", "b", "k", NULL, 0, NULL, 0, "h", 0};
    assert_int_equal(ossio__presign_aws_v4(&ok, &c, "us/east", NULL, 0, 1, &b.out, NULL),
                     OSSIO_EINVAL);
    assert_int_equal(b.out.len, 0);
    assert_int_equal(b.can.len, 0);
    bufs_free(&b);
}

static void test_output_full_leaves_nothing(void **state)
{
    (void)state;
    ossio__hdr h[] = {HDR("Date", "Thu, 17 Nov 2005 18:49:58 GMT")};
    ossio__sign_input in = {"PUT", "oss-example", "nelson", h, 1, NULL, 0, NULL, 0};
    ossio__buf out, can;
    ossio__buf_init(&out, 20, OSSIO_EHEADERSIZE);
    ossio__buf_init(&can, 1024, OSSIO_EHEADERSIZE);
    assert_int_equal(ossio__sign_oss_v1(&in, &DOC_V1, &out, &can), OSSIO_EHEADERSIZE);
    assert_int_equal(out.len, 0);
    assert_int_equal(can.len, 0);
    ossio__buf_free(&out);
    ossio__buf_free(&can);
}

/* Query order is byte order of the encoded names (the SigV4 rule, used for
 * OSS V4 too); ali-oss sorts with localeCompare, which differs only for names
 * mixing case or punctuation other than '-' (docs/signing.md). */
static void test_query_byte_order(void **state)
{
    (void)state;
    ossio__credentials c = {"AK", "SK", NULL};
    ossio__hdr h[] = {HDR("x-oss-date", "19700101T000000Z")};
    ossio__qparam q[] = {{"ab", NULL}, {"aB", NULL}, {"a_b", NULL}, {"a-b", NULL}, {"a.b", NULL}};
    ossio__sign_input in = {"GET", "b", NULL, h, 1, q, 5, "h", 0};
    bufs b;
    bufs_init(&b);
    assert_int_equal(ossio__sign_oss_v4(&in, &c, "r", 0, NULL, 0, &b.out, &b.can), OSSIO_OK);
    assert_true(contains(&b.can, "\na-b&a.b&aB&a_b&ab\n"));
    bufs_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1_doc_example),
        cmocka_unit_test(test_v1_presign_example),
        cmocka_unit_test(test_v1_subresources_and_date),
        cmocka_unit_test(test_v1_sts),
        cmocka_unit_test(test_v4_fixed),
        cmocka_unit_test(test_v4_presign_shape),
        cmocka_unit_test(test_aws_doc_get_lifecycle),
        cmocka_unit_test(test_aws_doc_list_objects),
        cmocka_unit_test(test_aws_doc_presign),
        cmocka_unit_test(test_aws_path_and_folding),
        cmocka_unit_test(test_uri_encode),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_refuses_injection),
        cmocka_unit_test(test_output_full_leaves_nothing),
        cmocka_unit_test(test_query_byte_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
