/* Tests for <Error> (body and x-oss-err header), base64, Initiate/Complete/
 * Copy results (including S3's 200 with an <Error> body) and DeleteResult. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "xml_feed.h"

/* The local endpoint's error shape (tests/endpoint/lib/front.js). */
static const char endpoint_error[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>NoSuchKey</Code>\n"
    "  <Message>The specified key does not exist.</Message>\n"
    "  <RequestId>5C3D9175B6FC201293AD****</RequestId>\n"
    "  <HostId>bucket.oss-cn-hangzhou.aliyuncs.com</HostId>\n  <EC>0026-00000001</EC>\n"
    "  <Key>a&amp;b</Key>\n</Error>\n";

static ossio_status run_error(const char *doc, size_t len, int mode, ossio__xml_error *e)
{
    ossio__xml_error_parser p;
    assert_int_equal(ossio__xml_error_init(&p, e, NULL), OSSIO_OK);
    ossio_status st =
        mode == 0 ? ossio__xml_error_feed(&p, doc, len) : feed_doc(&p.d, doc, len, mode);
    if (st == OSSIO_OK) {
        st = ossio__xml_error_finish(&p);
    }
    ossio__xml_error_free(&p);
    return st;
}

static void test_error_body(void **state)
{
    (void)state;
    for (int mode = 0; mode < FEED_MODES; mode++) {
        ossio__xml_error e;
        assert_int_equal(run_error(endpoint_error, sizeof endpoint_error - 1, mode, &e), OSSIO_OK);
        assert_string_equal(e.code, "NoSuchKey");
        assert_string_equal(e.message, "The specified key does not exist.");
        assert_string_equal(e.request_id, "5C3D9175B6FC201293AD****");
        assert_string_equal(e.host_id, "bucket.oss-cn-hangzhou.aliyuncs.com");
        assert_string_equal(e.ec, "0026-00000001");
    }
    /* S3's shape: no EC, extra elements. */
    ossio__xml_error e;
    static const char s3[] = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message>"
                             "<RequestId>R</RequestId><HostId>H==</HostId></Error>";
    assert_int_equal(ossio__xml_error_parse(&e, s3, sizeof s3 - 1), OSSIO_OK);
    assert_string_equal(e.code, "AccessDenied");
    assert_string_equal(e.ec, "");
    /* Not an error document. */
    assert_int_equal(ossio__xml_error_parse(&e, "<Other><Code>x</Code></Other>", 29), OSSIO_EXML);
    assert_int_equal(ossio__xml_error_parse(&e, "<Error><Code>x</Code>", 21), OSSIO_EXML);
    assert_int_equal(ossio__xml_error_parse(&e, "", 0), OSSIO_EXML);
    assert_int_equal(ossio__xml_error_parse(&e, "<html>502 Bad Gateway</html>", 28), OSSIO_EXML);
}

static void test_error_cut_at_utf8_boundary(void **state)
{
    (void)state;
    /* 63 bytes of code: "a" then 31 two-byte characters; the last one straddles byte 63. */
    char doc[512];
    size_t n = (size_t)snprintf(doc, sizeof doc, "<Error><Code>a");
    for (int i = 0; i < 40; i++) {
        n += (size_t)snprintf(doc + n, sizeof doc - n, "\xC3\xA9");
    }
    n += (size_t)snprintf(doc + n, sizeof doc - n, "</Code></Error>");
    ossio__xml_error e;
    assert_int_equal(ossio__xml_error_parse(&e, doc, n), OSSIO_OK);
    assert_int_equal(strlen(e.code), 63); /* 1 + 31 * 2 */
    assert_int_equal((unsigned char)e.code[62], 0xA9);
}

static void test_base64(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *out;
    } good[] = {{"", ""},    {"Zg==", "f"}, {"Zm8=", "fo"},       {"Zm9v", "foo"},
                {"Zg", "f"}, {"Zm8", "fo"}, {"Zm9vYg==", "foob"}, {"+/+/", "\xfb\xff\xbf"}};
    static const char *const bad[] = {
        "Z", "Zg=", "Zg===", "Zh==", "Zm9=", "Zm9v\n", "Zm 9", "=Zm9", "Zg==Zg==", "Zm-_"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        ossio__buf b;
        ossio__buf_init(&b, 64, OSSIO_EXML);
        assert_int_equal(ossio__xml_base64_decode(&b, good[i].in, strlen(good[i].in)), OSSIO_OK);
        assert_int_equal(b.len, strlen(good[i].out));
        if (b.len) {
            assert_memory_equal(b.data, good[i].out, b.len);
        }
        ossio__buf_free(&b);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ossio__buf b;
        ossio__buf_init(&b, 64, OSSIO_EXML);
        assert_int_equal(ossio__xml_base64_decode(&b, bad[i], strlen(bad[i])), OSSIO_EXML);
        assert_int_equal(b.len, 0);
        ossio__buf_free(&b);
    }
    ossio__buf b;
    ossio__buf_init(&b, 2, OSSIO_EBODYSIZE);
    assert_int_equal(ossio__xml_base64_decode(&b, "Zm9v", 4), OSSIO_EBODYSIZE);
    assert_int_equal(b.len, 0);
    ossio__buf_free(&b);
}

static void test_error_from_header(void **state)
{
    (void)state;
    /* base64 of
     * <Error><Code>NoSuchKey</Code><RequestId>R1</RequestId><EC>0026-00000001</EC></Error> */
    static const char hdr[] = "PEVycm9yPjxDb2RlPk5vU3VjaEtleTwvQ29kZT48UmVxdWVzdElkPlIxPC9SZXF1"
                              "ZXN0SWQ+PEVDPjAwMjYtMDAwMDAwMDE8L0VDPjwvRXJyb3I+";
    ossio__xml_error e;
    assert_int_equal(ossio__xml_error_from_header(&e, hdr, sizeof hdr - 1), OSSIO_OK);
    assert_string_equal(e.code, "NoSuchKey");
    assert_string_equal(e.request_id, "R1");
    assert_string_equal(e.ec, "0026-00000001");
    assert_string_equal(e.message, "");
    assert_int_equal(ossio__xml_error_from_header(&e, "!!!!", 4), OSSIO_EXML);
    assert_string_equal(e.code, "");
    assert_int_equal(ossio__xml_error_from_header(&e, "PEVycm9yPg==", 12), OSSIO_EXML);
}

static ossio_status run_result(ossio__xml_result_kind kind, const char *doc, int mode,
                               ossio__xml_result_parser *p)
{
    assert_int_equal(ossio__xml_result_init(p, kind, NULL), OSSIO_OK);
    ossio_status st = mode == 0 ? ossio__xml_result_feed(p, doc, strlen(doc))
                                : feed_doc(&p->d, doc, strlen(doc), mode);
    return st == OSSIO_OK ? ossio__xml_result_finish(p) : st;
}

static void test_initiate_complete_copy(void **state)
{
    (void)state;
    for (int mode = 0; mode < FEED_MODES; mode++) {
        ossio__xml_result_parser p;
        assert_int_equal(
            run_result(OSSIO__XML_INITIATE,
                       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult"
                       " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket>"
                       "<Key>dir/big.bin</Key><UploadId>0004B9894A22E5B1888A1E29F823****"
                       "</UploadId></InitiateMultipartUploadResult>",
                       mode, &p),
            OSSIO_OK);
        assert_string_equal(p.result.bucket.p, "b");
        assert_string_equal(p.result.key.p, "dir/big.bin");
        assert_string_equal(p.result.upload_id.p, "0004B9894A22E5B1888A1E29F823****");
        assert_null(p.result.etag.p);
        ossio__xml_result_free(&p);

        assert_int_equal(
            run_result(OSSIO__XML_COMPLETE,
                       "<CompleteMultipartUploadResult><EncodingType>url</EncodingType>"
                       "<Location>http://b.oss.example.com/a%2Fb</Location><Bucket>b</Bucket>"
                       "<Key>a%2Fb</Key><ETag>\"097DE458AD02B5F89F9D0530231876****-2\"</ETag>"
                       "</CompleteMultipartUploadResult>",
                       mode, &p),
            OSSIO_OK);
        assert_string_equal(p.result.key.p, "a/b");
        assert_string_equal(p.result.location.p, "http://b.oss.example.com/a%2Fb");
        assert_string_equal(p.result.etag.p, "\"097DE458AD02B5F89F9D0530231876****-2\"");
        ossio__xml_result_free(&p);

        assert_int_equal(run_result(OSSIO__XML_COPY,
                                    "<CopyObjectResult><ETag>\"5B3C\"</ETag>"
                                    "<LastModified>2024-01-01T00:00:00.000Z</LastModified>"
                                    "</CopyObjectResult>",
                                    mode, &p),
                         OSSIO_OK);
        assert_string_equal(p.result.etag.p, "\"5B3C\"");
        assert_string_equal(p.result.last_modified.p, "2024-01-01T00:00:00.000Z");
        ossio__xml_result_free(&p);

        /* S3 may answer 200 and put the failure in the body. */
        assert_int_equal(run_result(OSSIO__XML_COMPLETE,
                                    "<Error><Code>InternalError</Code><Message>We encountered an "
                                    "internal error. Please try again.</Message><RequestId>R"
                                    "</RequestId><HostId>H</HostId></Error>",
                                    mode, &p),
                         OSSIO_EHTTP);
        assert_string_equal(p.result.error.code, "InternalError");
        assert_string_equal(p.result.error.request_id, "R");
        ossio__xml_result_free(&p);
    }
    ossio__xml_result_parser p;
    /* S3-compatible servers name Complete's root otherwise: any root that
     * carries an ETag is a result (an <Error> root still is an error). */
    for (int mode = 0; mode < FEED_MODES; mode++) {
        assert_int_equal(run_result(OSSIO__XML_COMPLETE,
                                    "<?xml version=\"1.0\"?><CompleteMultipartUploadResponse "
                                    "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b"
                                    "</Bucket><Key>k</Key><ETag>\"e-2\"</ETag>"
                                    "</CompleteMultipartUploadResponse>",
                                    mode, &p),
                         OSSIO_OK);
        assert_string_equal(p.result.etag.p, "\"e-2\"");
        assert_string_equal(p.result.key.p, "k");
        ossio__xml_result_free(&p);
    }
    const char *no_etag[] = {
        "<CompleteMultipartUploadResponse><Key>k</Key></CompleteMultipartUploadResponse>",
        "<html><body>OK</body></html>",
        "<R><X><ETag>nested, not the root's</ETag></X></R>",
        "not XML at all",
        "",
    };
    for (size_t i = 0; i < sizeof no_etag / sizeof no_etag[0]; i++) {
        assert_int_equal(run_result(OSSIO__XML_COMPLETE, no_etag[i], 0, &p), OSSIO_EXML);
        assert_true(strlen(ossio__xml_stream_error(&p.d.s)) > 0);
        ossio__xml_result_free(&p);
    }
    /* Only Complete is lenient: Initiate and Copy keep their roots. */
    assert_int_equal(
        run_result(OSSIO__XML_COPY, "<CopyResponse><ETag>e</ETag></CopyResponse>", 0, &p),
        OSSIO_EXML);
    ossio__xml_result_free(&p);
    assert_int_equal(run_result(OSSIO__XML_INITIATE,
                                "<InitiateMultipartUploadResult><Key>k</Key>"
                                "</InitiateMultipartUploadResult>",
                                0, &p),
                     OSSIO_EXML);
    ossio__xml_result_free(&p);
    assert_int_equal(run_result(OSSIO__XML_COPY,
                                "<CompleteMultipartUploadResult><ETag>e</ETag>"
                                "</CompleteMultipartUploadResult>",
                                0, &p),
                     OSSIO_EXML);
    ossio__xml_result_free(&p);
    assert_int_equal(run_result(OSSIO__XML_COPY, "<CopyObjectResult><ETag>e</ETag>", 0, &p),
                     OSSIO_EXML);
    ossio__xml_result_free(&p);
    assert_int_equal(ossio__xml_result_init(&p, (ossio__xml_result_kind)7, NULL), OSSIO_EINVAL);
    ossio__xml_result_free(&p);
}

static int on_deleted(void *ud, const char *key, size_t len)
{
    transcript *t = ud;
    tr_add(t, "deleted [");
    tr_mem(t, key, len);
    tr_add(t, "]\n");
    return 0;
}

static int on_del_error(void *ud, const char *key, size_t len, const char *code,
                        const char *message)
{
    transcript *t = ud;
    tr_add(t, "error [");
    tr_mem(t, key, len);
    tr_add(t, "] %s %s\n", code, message);
    return 0;
}

static void test_delete_result(void **state)
{
    (void)state;
    static const ossio__xml_delete_callbacks cb = {on_deleted, on_del_error};
    static const char doc[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult xmlns=\"http://s3.amazonaws"
        ".com/doc/2006-03-01/\"><Deleted><Key>a&amp;b</Key></Deleted>"
        "<Deleted><Key>c</Key><DeleteMarker>true</DeleteMarker><VersionId>v</VersionId></Deleted>"
        "<Error><Key>d</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
        "</DeleteResult>";
    transcript t0, t;
    for (int mode = 0; mode < FEED_MODES; mode++) {
        memset(&t, 0, sizeof t);
        ossio__xml_delete_parser p;
        assert_int_equal(ossio__xml_delete_init(&p, &cb, &t, false, NULL), OSSIO_OK);
        ossio_status st = mode == 0 ? ossio__xml_delete_feed(&p, doc, sizeof doc - 1)
                                    : feed_doc(&p.d, doc, sizeof doc - 1, mode);
        assert_int_equal(st, OSSIO_OK);
        assert_int_equal(ossio__xml_delete_finish(&p), OSSIO_OK);
        ossio__xml_delete_free(&p);
        if (mode == 0) {
            t0 = t;
            assert_string_equal(t.buf, "deleted [a&b]\ndeleted [c]\n"
                                       "error [d] AccessDenied Access Denied\n");
        } else {
            assert_string_equal(t.buf, t0.buf);
        }
    }
    /* encoding-type=url (OSS DeleteMultipleObjects). */
    memset(&t, 0, sizeof t);
    ossio__xml_delete_parser p;
    assert_int_equal(ossio__xml_delete_init(&p, &cb, &t, false, NULL), OSSIO_OK);
    static const char url[] = "<DeleteResult><EncodingType>url</EncodingType>"
                              "<Deleted><Key>a%2Fb%00</Key></Deleted></DeleteResult>";
    assert_int_equal(ossio__xml_delete_feed(&p, url, sizeof url - 1), OSSIO_OK);
    assert_int_equal(ossio__xml_delete_finish(&p), OSSIO_OK);
    ossio__xml_delete_free(&p);
    assert_int_equal(t.len, sizeof "deleted [a/b\0]\n" - 1);
    assert_memory_equal(t.buf, "deleted [a/b\0]\n", t.len);
    /* A Deleted without Key is malformed; an empty DeleteResult (quiet) is fine. */
    assert_int_equal(ossio__xml_delete_init(&p, NULL, NULL, false, NULL), OSSIO_OK);
    assert_int_equal(ossio__xml_delete_feed(&p, "<DeleteResult><Deleted/></DeleteResult>", 39),
                     OSSIO_EXML);
    ossio__xml_delete_free(&p);
    assert_int_equal(ossio__xml_delete_init(&p, NULL, NULL, false, NULL), OSSIO_OK);
    assert_int_equal(ossio__xml_delete_feed(&p, "<DeleteResult/>", 15), OSSIO_OK);
    assert_int_equal(ossio__xml_delete_finish(&p), OSSIO_OK);
    ossio__xml_delete_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_body),
        cmocka_unit_test(test_error_cut_at_utf8_boundary),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_error_from_header),
        cmocka_unit_test(test_initiate_complete_copy),
        cmocka_unit_test(test_delete_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
