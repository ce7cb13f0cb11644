/* Unit tests for request building (src/ops/build.c): an operation, the
 * client's settings and a clock value in, method, URL, headers (signed) and
 * body out — as aws-c-s3 tests its request messages. No network: the client
 * is created but never runs; the signatures themselves are checked against
 * Aliyun's and AWS's code by the endpoint tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ops/context.h"
#include "ops/build.h"
#include "ops/checksum.h"

/* 2026-01-01T00:00:00Z */
#define NOW ((time_t)1767225600)

static ossio_client *client(const char *k1, const char *v1, const char *k2, const char *v2)
{
    ossio_config *cfg = ossio_config_new();
    assert_non_null(cfg);
    assert_int_equal(ossio_config_set(cfg, "fs.oss.endpoint", "http://localhost:9000"), OSSIO_OK);
    assert_int_equal(ossio_config_set(cfg, "fs.oss.accessKeyId", "AKIDEXAMPLE"), OSSIO_OK);
    assert_int_equal(ossio_config_set(cfg, "fs.oss.accessKeySecret", "secret"), OSSIO_OK);
    assert_int_equal(ossio_config_set(cfg, "fs.oss.path.style.access", "true"), OSSIO_OK);
    assert_int_equal(ossio_config_set(cfg, "fs.oss.region", "cn-test"), OSSIO_OK);
    if (k1 != NULL) {
        assert_int_equal(ossio_config_set(cfg, k1, v1), OSSIO_OK);
    }
    if (k2 != NULL) {
        assert_int_equal(ossio_config_set(cfg, k2, v2), OSSIO_OK);
    }
    ossio_client *cl = NULL;
    assert_int_equal(ossio_client_new(&cl, cfg, NULL), OSSIO_OK);
    ossio_config_free(cfg);
    return cl;
}

static ossio_op *op_on(ossio_client *cl, ossio_op_kind kind, const char *uri)
{
    ossio_op *op = NULL;
    assert_int_equal(ossio_op_new(&op, cl, kind, uri), OSSIO_OK);
    return op;
}

typedef struct built {
    ossio__op_msg m;
    ossio__buf body;
} built;

static void build(ossio_op *op, time_t now, built *b)
{
    ossio__op_msg_init(&b->m);
    ossio__buf_init(&b->body, 16u << 20, OSSIO_EINVAL);
    assert_int_equal(ossio__op_build(op, &ossio__cl_ops(op->cl)->oss, now, &b->body, &b->m),
                     OSSIO_OK);
}

static void built_free(built *b)
{
    ossio__op_msg_free(&b->m);
    ossio__buf_free(&b->body);
}

static const char *hdr(const built *b, const char *name)
{
    return ossio__hdrs_get(&b->m.hdrs, name);
}

static const char *url(const built *b)
{
    return (const char *)b->m.url.data;
}

static const char *body(const built *b)
{
    static char s[1 << 16];
    snprintf(s, sizeof(s), "%.*s", (int)b->body.len, b->body.data ? (char *)b->body.data : "");
    return s;
}

/* A ranged GET: method, URL (key percent-encoded, '/' kept), Range, the
 * date it is signed at, OSS V1 Authorization last. */
static void t_get_range_v1(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL, NULL, NULL);
    ossio_op *op = op_on(cl, OSSIO_OP_GET, "oss://bkt/dir/a b+c");
    assert_int_equal(ossio_op_set_range(op, 10, 10), OSSIO_OK);
    assert_int_equal(ossio_op_set_header(op, "x-oss-meta-owner", "me"), OSSIO_OK);
    built b;
    build(op, NOW, &b);
    assert_string_equal(b.m.method, "GET");
    assert_string_equal(url(&b), "http://localhost:9000/bkt/dir/a%20b%2Bc");
    assert_string_equal(b.m.host, "localhost:9000");
    assert_string_equal(hdr(&b, "range"), "bytes=10-19");
    assert_null(hdr(&b, "if-match"));
    assert_string_equal(hdr(&b, "x-oss-meta-owner"), "me");
    assert_string_equal(hdr(&b, "date"), "Thu, 01 Jan 2026 00:00:00 GMT");
    assert_non_null(hdr(&b, "authorization"));
    assert_int_equal(strncmp(hdr(&b, "authorization"), "OSS AKIDEXAMPLE:", 16), 0);
    assert_string_equal(b.m.hdrs.v[b.m.hdrs.n - 1].name, "authorization");
    assert_int_equal(b.m.body, OSSIO__OP_BODY_NONE);
    assert_int_equal(b.m.xml, OSSIO__BODY_XML_NONE);
    /* Same operation, same clock: the same request; another clock, another. */
    char auth[256];
    snprintf(auth, sizeof(auth), "%s", hdr(&b, "authorization"));
    built_free(&b);
    build(op, NOW, &b);
    assert_string_equal(hdr(&b, "authorization"), auth);
    built_free(&b);
    build(op, NOW + 1, &b);
    assert_string_equal(hdr(&b, "date"), "Thu, 01 Jan 2026 00:00:01 GMT");
    assert_string_not_equal(hdr(&b, "authorization"), auth);
    built_free(&b);
    ossio_op_free(op);
    ossio_client_destroy(cl);
}

/* A GET resuming after 100 delivered bytes asks from there, If-Match on the
 * ETag it saw. */
static void t_get_resume(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL, NULL, NULL);
    ossio_op *op = op_on(cl, OSSIO_OP_GET, "oss://bkt/k");
    op->delivered = 100;
    snprintf(op->etag, sizeof(op->etag), "\"abc\"");
    built b;
    build(op, NOW, &b);
    assert_string_equal(hdr(&b, "range"), "bytes=100-");
    assert_string_equal(hdr(&b, "if-match"), "\"abc\"");
    built_free(&b);
    assert_int_equal(ossio_op_set_range(op, 1000, 500), OSSIO_OK);
    build(op, NOW, &b);
    assert_string_equal(hdr(&b, "range"), "bytes=1100-1499");
    built_free(&b);
    ossio_op_free(op);
    ossio_client_destroy(cl);
}

/* A listing addresses the bucket; its query carries the page. */
static void t_list_v2_and_v1(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL, NULL, NULL);
    ossio_op *op = op_on(cl, OSSIO_OP_LIST, "oss://bkt/dir/");
    assert_int_equal(ossio_op_set_list(op, "/", 50, "tok en"), OSSIO_OK);
    built b;
    build(op, NOW, &b);
    assert_string_equal(b.m.method, "GET");
    assert_string_equal(url(&b), "http://localhost:9000/bkt?list-type=2&encoding-type=url&max-"
                                 "keys=50&prefix=dir%2F&delimiter=%2F&continuation-token=tok%20en");
    assert_int_equal(b.m.xml, OSSIO__BODY_XML_LIST);
    built_free(&b);
    ossio_op_free(op);
    ossio_client_destroy(cl);

    cl = client("fs.oss.list.version", "1", NULL, NULL);
    op = op_on(cl, OSSIO_OP_LIST, "oss://bkt/");
    assert_int_equal(ossio_op_set_list(op, NULL, 0, "k7"), OSSIO_OK);
    build(op, NOW, &b);
    assert_non_null(strstr(url(&b), "?encoding-type=url&max-keys="));
    assert_non_null(strstr(url(&b), "&marker=k7"));
    assert_null(strstr(url(&b), "list-type"));
    assert_null(strstr(url(&b), "prefix"));
    built_free(&b);
    ossio_op_free(op);
    ossio_client_destroy(cl);
}

/* DeleteMultiple: POST ?delete with the XML of the current batch of at most
 * 1,000 keys and its Content-MD5. */
static void t_delete_many_batches(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL, NULL, NULL);
    ossio_op *op = op_on(cl, OSSIO_OP_DELETE_MANY, "oss://bkt/");
    char key[32];
    for (int i = 0; i < 1001; i++) {
        snprintf(key, sizeof(key), "k%04d", i);
        assert_int_equal(ossio_op_add_key(op, key), OSSIO_OK);
    }
    built b;
    build(op, NOW, &b);
    assert_string_equal(b.m.method, "POST");
    assert_string_equal(url(&b), "http://localhost:9000/bkt?delete");
    assert_int_equal(b.m.body, OSSIO__OP_BODY_XML);
    assert_int_equal(b.m.xml, OSSIO__BODY_XML_DELETE);
    assert_non_null(strstr(body(&b), "<Key>k0000</Key>"));
    assert_non_null(strstr(body(&b), "<Key>k0999</Key>"));
    assert_null(strstr(body(&b), "<Key>k1000</Key>"));
    assert_non_null(hdr(&b, "content-md5"));
    assert_string_equal(hdr(&b, "content-type"), "application/xml");
    char md5[64];
    snprintf(md5, sizeof(md5), "%s", hdr(&b, "content-md5"));
    built_free(&b);
    op->keys_done = 1000; /* the second batch */
    build(op, NOW, &b);
    assert_null(strstr(body(&b), "<Key>k0999</Key>"));
    assert_non_null(strstr(body(&b), "<Key>k1000</Key>"));
    assert_string_not_equal(hdr(&b, "content-md5"), md5);
    built_free(&b);
    ossio_op_free(op);
    ossio_client_destroy(cl);
}

/* Multipart: UploadPart's query and the caller's body; Complete's XML. */
static void t_multipart(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL, NULL, NULL);
    ossio_op *op = op_on(cl, OSSIO_OP_MULTIPART_PART, "oss://bkt/big");
    assert_int_equal(ossio_op_set_upload(op, "UP/1", 3), OSSIO_OK);
    assert_int_equal(ossio_op_set_body(op, "abc", 3), OSSIO_OK);
    built b;
    build(op, NOW, &b);
    assert_string_equal(b.m.method, "PUT");
    assert_string_equal(url(&b), "http://localhost:9000/bkt/big?partNumber=3&uploadId=UP%2F1");
    assert_int_equal(b.m.body, OSSIO__OP_BODY_CALLER);
    built_free(&b);
    ossio_op_free(op);

    op = op_on(cl, OSSIO_OP_MULTIPART_COMPLETE, "oss://bkt/big");
    assert_int_equal(ossio_op_set_upload(op, "UP1", 0), OSSIO_OK);
    assert_int_equal(ossio_op_add_part(op, 1, "\"e1\""), OSSIO_OK);
    assert_int_equal(ossio_op_add_part(op, 2, "\"e2\""), OSSIO_OK);
    build(op, NOW, &b);
    assert_string_equal(b.m.method, "POST");
    assert_string_equal(url(&b), "http://localhost:9000/bkt/big?uploadId=UP1");
    assert_int_equal(b.m.xml, OSSIO__BODY_XML_COMPLETE);
    assert_non_null(strstr(body(&b), "<PartNumber>2</PartNumber>"));
    assert_non_null(hdr(&b, "content-md5"));
    built_free(&b);
    ossio_op_free(op);

    op = op_on(cl, OSSIO_OP_MULTIPART_LIST_UPLOADS, "oss://bkt/pre");
    assert_int_equal(ossio_op_set_list(op, NULL, 7, "pre/k"), OSSIO_OK);
    build(op, NOW, &b);
    assert_string_equal(
        url(&b), "http://localhost:9000/bkt?uploads&prefix=pre&key-marker=pre%2Fk&max-uploads=7");
    built_free(&b);
    ossio_op_free(op);
    ossio_client_destroy(cl);
}

/* CopyObject: an empty body and the source, key encoded with '/' kept. */
static void t_copy(void **state)
{
    (void)state;
    ossio_client *cl = client(NULL, NULL, NULL, NULL);
    ossio_op *op = op_on(cl, OSSIO_OP_COPY, "oss://bkt/to");
    assert_int_equal(ossio_op_set_copy_source(op, "oss://src/d/a b"), OSSIO_OK);
    built b;
    build(op, NOW, &b);
    assert_string_equal(b.m.method, "PUT");
    assert_string_equal(hdr(&b, "x-oss-copy-source"), "/src/d/a%20b");
    assert_int_equal(b.m.body, OSSIO__OP_BODY_EMPTY);
    assert_int_equal(b.m.xml, OSSIO__BODY_XML_COPY);
    built_free(&b);
    ossio_op_free(op);
    ossio_client_destroy(cl);
}

/* The s3 dialect: x-amz- headers, metadata renamed, SigV4 at |now|. */
static void t_s3_dialect(void **state)
{
    (void)state;
    ossio_client *cl = client("fs.oss.dialect", "s3", NULL, NULL);
    ossio_op *op = op_on(cl, OSSIO_OP_COPY, "s3://bkt/to");
    assert_int_equal(ossio_op_set_copy_source(op, "s3://src/k"), OSSIO_OK);
    assert_int_equal(ossio_op_set_header(op, "x-oss-meta-owner", "me"), OSSIO_OK);
    built b;
    build(op, NOW, &b);
    assert_string_equal(hdr(&b, "x-amz-meta-owner"), "me");
    assert_null(hdr(&b, "x-oss-meta-owner"));
    assert_string_equal(hdr(&b, "x-amz-copy-source"), "/src/k");
    assert_string_equal(hdr(&b, "x-amz-date"), "20260101T000000Z");
    assert_string_equal(hdr(&b, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
    assert_non_null(strstr(hdr(&b, "authorization"),
                           "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/cn-test/s3/"
                           "aws4_request"));
    built_free(&b);
    ossio_op_free(op);
    ossio_client_destroy(cl);
}

/* Builds |op| as an attempt does: the body's checksum first. */
static void build_summed(ossio_op *op, built *b)
{
    ossio__op_sum_prepare(op, &ossio__cl_ops(op->cl)->oss);
    build(op, NOW, b);
}

/* The s3 dialect's checksums (fs.oss.s3.checksum): PutObject's CRC32C in
 * S3's base64 form, signed by SigV4; reads ask for checksum mode;
 * multipart names FULL_OBJECT and lists the parts' CRCs; crc32, md5 and
 * none; the oss dialect sends none of them. */
static void t_s3_checksums(void **state)
{
    (void)state;
    ossio_client *cl = client("fs.oss.dialect", "s3", NULL, NULL);
    ossio_op *op = op_on(cl, OSSIO_OP_PUT, "s3://bkt/k");
    assert_int_equal(ossio_op_set_body(op, "123456789", 9), OSSIO_OK);
    built b;
    build_summed(op, &b);
    assert_string_equal(hdr(&b, "x-amz-checksum-crc32c"), "4waSgw==");
    assert_string_equal(hdr(&b, "x-amz-sdk-checksum-algorithm"), "CRC32C");
    assert_non_null(strstr(hdr(&b, "authorization"), "x-amz-checksum-crc32c;"));
    assert_non_null(strstr(hdr(&b, "authorization"), "x-amz-sdk-checksum-algorithm"));
    built_free(&b);
    ossio_op_free(op);

    op = op_on(cl, OSSIO_OP_GET, "s3://bkt/k");
    build_summed(op, &b);
    assert_string_equal(hdr(&b, "x-amz-checksum-mode"), "ENABLED");
    built_free(&b);
    ossio_op_free(op);

    op = op_on(cl, OSSIO_OP_MULTIPART_INIT, "s3://bkt/k");
    build_summed(op, &b);
    assert_string_equal(hdr(&b, "x-amz-checksum-algorithm"), "CRC32C");
    assert_string_equal(hdr(&b, "x-amz-checksum-type"), "FULL_OBJECT");
    built_free(&b);
    ossio_op_free(op);

    op = op_on(cl, OSSIO_OP_MULTIPART_COMPLETE, "s3://bkt/k");
    assert_int_equal(ossio_op_set_upload(op, "UP1", 0), OSSIO_OK);
    assert_int_equal(ossio__op_add_part_sum(op, 1, "\"e1\"", 0xe3069283u), OSSIO_OK);
    ossio__op_set_object_sum(op, 0x01020304u);
    build_summed(op, &b);
    assert_non_null(strstr(body(&b), "</ETag><ChecksumCRC32C>4waSgw==</ChecksumCRC32C></Part>"));
    assert_string_equal(hdr(&b, "x-amz-checksum-crc32c"), "AQIDBA==");
    assert_string_equal(hdr(&b, "x-amz-checksum-type"), "FULL_OBJECT");
    built_free(&b);
    ossio_op_free(op);
    ossio_client_destroy(cl);

    const char *modes[][3] = {{"crc32", "x-amz-checksum-crc32", "y/Q5Jg=="},
                              {"md5", "content-md5", "JfnnlDI7RTiF9RgfG2JNCw=="},
                              {"none", "x-amz-checksum-crc32c", NULL}};
    for (size_t i = 0; i < 3; i++) {
        cl = client("fs.oss.dialect", "s3", "fs.oss.s3.checksum", modes[i][0]);
        op = op_on(cl, OSSIO_OP_PUT, "s3://bkt/k");
        assert_int_equal(ossio_op_set_body(op, "123456789", 9), OSSIO_OK);
        build_summed(op, &b);
        if (modes[i][2] != NULL) {
            assert_string_equal(hdr(&b, modes[i][1]), modes[i][2]);
        } else {
            assert_null(hdr(&b, modes[i][1]));
            assert_null(hdr(&b, "content-md5"));
        }
        built_free(&b);
        ossio_op_free(op);
        op = op_on(cl, OSSIO_OP_GET, "s3://bkt/k");
        build_summed(op, &b);
        assert_true((hdr(&b, "x-amz-checksum-mode") != NULL) == (i == 0));
        built_free(&b);
        ossio_op_free(op);
        ossio_client_destroy(cl);
    }

    /* composite: the algorithm, no FULL_OBJECT, no object CRC at Complete. */
    cl = client("fs.oss.dialect", "s3", "fs.oss.s3.checksum.type", "composite");
    op = op_on(cl, OSSIO_OP_MULTIPART_INIT, "s3://bkt/k");
    build_summed(op, &b);
    assert_string_equal(hdr(&b, "x-amz-checksum-algorithm"), "CRC32C");
    assert_null(hdr(&b, "x-amz-checksum-type"));
    built_free(&b);
    ossio_op_free(op);
    op = op_on(cl, OSSIO_OP_MULTIPART_COMPLETE, "s3://bkt/k");
    assert_int_equal(ossio_op_set_upload(op, "UP1", 0), OSSIO_OK);
    assert_int_equal(ossio__op_add_part_sum(op, 1, "\"e1\"", 0xe3069283u), OSSIO_OK);
    ossio__op_set_object_sum(op, 0x01020304u);
    build_summed(op, &b);
    assert_non_null(strstr(body(&b), "<ChecksumCRC32C>4waSgw==</ChecksumCRC32C>"));
    assert_null(hdr(&b, "x-amz-checksum-crc32c"));
    assert_null(hdr(&b, "x-amz-checksum-type"));
    built_free(&b);
    ossio_op_free(op);
    ossio_client_destroy(cl);

    cl = client(NULL, NULL, NULL, NULL); /* oss dialect: CRC-64 only */
    op = op_on(cl, OSSIO_OP_PUT, "oss://bkt/k");
    assert_int_equal(ossio_op_set_body(op, "123456789", 9), OSSIO_OK);
    build_summed(op, &b);
    assert_null(hdr(&b, "x-amz-checksum-crc32c"));
    assert_null(hdr(&b, "content-md5"));
    built_free(&b);
    ossio_op_free(op);
    ossio_client_destroy(cl);
}

/* OSS V4 signs with x-oss-date; a bucket-level call signs no key. */
static void t_oss_v4_bucket(void **state)
{
    (void)state;
    ossio_client *cl = client("fs.oss.signature.version", "v4", NULL, NULL);
    ossio_op *op = op_on(cl, OSSIO_OP_BUCKET_CREATE, "oss://newbkt/");
    built b;
    build(op, NOW, &b);
    assert_string_equal(b.m.method, "PUT");
    assert_string_equal(url(&b), "http://localhost:9000/newbkt");
    assert_int_equal(b.m.body, OSSIO__OP_BODY_EMPTY);
    assert_string_equal(hdr(&b, "x-oss-date"), "20260101T000000Z");
    assert_int_equal(strncmp(hdr(&b, "authorization"), "OSS4-HMAC-SHA256 ", 17), 0);
    assert_non_null(strstr(hdr(&b, "authorization"), "/20260101/cn-test/oss/aliyun_v4_request"));
    built_free(&b);
    ossio_op_free(op);
    ossio_client_destroy(cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_get_range_v1),   cmocka_unit_test(t_get_resume),
        cmocka_unit_test(t_list_v2_and_v1), cmocka_unit_test(t_delete_many_batches),
        cmocka_unit_test(t_multipart),      cmocka_unit_test(t_copy),
        cmocka_unit_test(t_s3_dialect),     cmocka_unit_test(t_oss_v4_bucket),
        cmocka_unit_test(t_s3_checksums),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
