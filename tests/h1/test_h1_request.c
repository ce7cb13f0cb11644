/* Tests for the HTTP/1.1 request serializer: exact bytes for each framing,
 * and every injection attempt rejected with nothing written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "h1/h1.h"

#define HDR(n, v)                                                                                  \
    {                                                                                              \
        n, v, sizeof(n) - 1, sizeof(v) - 1                                                         \
    }

static void assert_buf(const ossio__buf *b, const char *want)
{
    assert_int_equal(b->len, strlen(want));
    assert_memory_equal(b->data, want, b->len);
}

static void test_get(void **state)
{
    (void)state;
    ossio__buf b;
    ossio__buf_init(&b, 1 << 16, OSSIO_EHEADERSIZE);
    ossio__hdr f[] = {HDR("Date", "Tue, 01 Jan 2030 00:00:00 GMT"), HDR("Range", "bytes=0-99"),
                      HDR("x-oss-empty", "")};
    assert_int_equal(ossio__h1_request_write(&b, "GET", "/bucket/key%20a?x=1",
                                             "oss.example.com:8080", f, 3, 0, 0),
                     OSSIO_OK);
    assert_buf(&b, "GET /bucket/key%20a?x=1 HTTP/1.1\r\n"
                   "Host: oss.example.com:8080\r\n"
                   "Date: Tue, 01 Jan 2030 00:00:00 GMT\r\n"
                   "Range: bytes=0-99\r\n"
                   "x-oss-empty: \r\n"
                   "\r\n");
    /* Appends after what is there. */
    ossio__buf_reset(&b);
    assert_int_equal(ossio__buf_append(&b, "pre", 3), OSSIO_OK);
    assert_int_equal(ossio__h1_request_write(&b, "HEAD", "/", "h", NULL, 0, 0, 0), OSSIO_OK);
    assert_buf(&b, "preHEAD / HTTP/1.1\r\nHost: h\r\n\r\n");
    ossio__buf_reset(&b);
    assert_int_equal(ossio__h1_request_write(&b, "DELETE", "/k", "h", NULL, 0, 0, 0), OSSIO_OK);
    assert_buf(&b, "DELETE /k HTTP/1.1\r\nHost: h\r\n\r\n");
    ossio__buf_free(&b);
}

static void test_put_post(void **state)
{
    (void)state;
    ossio__buf b;
    ossio__buf_init(&b, 1 << 16, OSSIO_EHEADERSIZE);
    ossio__hdr f[] = {HDR("Content-Type", "application/octet-stream")};
    assert_int_equal(ossio__h1_request_write(&b, "PUT", "/b/k", "h", f, 1, INT64_C(5368709120), 0),
                     OSSIO_OK);
    assert_buf(&b, "PUT /b/k HTTP/1.1\r\nHost: h\r\n"
                   "Content-Type: application/octet-stream\r\n"
                   "Content-Length: 5368709120\r\n\r\n");
    ossio__buf_reset(&b);
    assert_int_equal(ossio__h1_request_write(&b, "PUT", "/b/k", "h", NULL, 0, 0, 0), OSSIO_OK);
    assert_buf(&b, "PUT /b/k HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
    ossio__buf_reset(&b);
    assert_int_equal(ossio__h1_request_write(&b, "POST", "/b/k?uploads", "h", NULL, 0, 0, 0),
                     OSSIO_OK);
    assert_buf(&b, "POST /b/k?uploads HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
    ossio__buf_reset(&b);
    assert_int_equal(ossio__h1_request_write(&b, "GET", "/", "h", NULL, 0, 3, 0), OSSIO_OK);
    assert_buf(&b, "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n");
    ossio__buf_free(&b);
}

static void test_chunked_expect(void **state)
{
    (void)state;
    ossio__buf b;
    ossio__buf_init(&b, 1 << 16, OSSIO_EHEADERSIZE);
    assert_int_equal(ossio__h1_request_write(&b, "PUT", "/b/k", "h", NULL, 0, -1, 1), OSSIO_OK);
    assert_int_equal(ossio__h1_chunk_begin(&b, 26), OSSIO_OK);
    assert_int_equal(ossio__buf_append(&b, "abcdefghijklmnopqrstuvwxyz", 26), OSSIO_OK);
    assert_int_equal(ossio__h1_chunk_end(&b), OSSIO_OK);
    assert_int_equal(ossio__h1_chunk_begin(&b, 1), OSSIO_OK);
    assert_int_equal(ossio__buf_append(&b, "!", 1), OSSIO_OK);
    assert_int_equal(ossio__h1_chunk_end(&b), OSSIO_OK);
    assert_int_equal(ossio__h1_chunk_last(&b), OSSIO_OK);
    assert_buf(&b, "PUT /b/k HTTP/1.1\r\nHost: h\r\n"
                   "Transfer-Encoding: chunked\r\n"
                   "Expect: 100-continue\r\n\r\n"
                   "1a\r\nabcdefghijklmnopqrstuvwxyz\r\n"
                   "1\r\n!\r\n"
                   "0\r\n\r\n");
    ossio__buf_reset(&b);
    assert_int_equal(ossio__h1_request_write(&b, "PUT", "/k", "h", NULL, 0, 10, 1), OSSIO_OK);
    assert_buf(&b, "PUT /k HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n"
                   "Expect: 100-continue\r\n\r\n");
    ossio__buf_reset(&b);
    assert_int_equal(ossio__h1_chunk_begin(&b, 0), OSSIO_EINVAL);
    assert_int_equal(ossio__h1_chunk_begin(&b, SIZE_MAX), OSSIO_OK);
    assert_buf(&b, sizeof(size_t) == 8 ? "ffffffffffffffff\r\n" : "ffffffff\r\n");
    ossio__buf_free(&b);
}

static void test_injection(void **state)
{
    (void)state;
    ossio__buf b;
    ossio__buf_init(&b, 1 << 16, OSSIO_EHEADERSIZE);
    assert_int_equal(ossio__buf_append(&b, "keep", 4), OSSIO_OK);
    static const ossio__hdr bad_fields[] = {
        HDR("X-A", "v\r\nX-Injected: 1"),
        HDR("X-A", "v\nX"),
        HDR("X-A", "v\rX"),
        {"X-A", "v\0x", 3, 3},
        HDR("Bad Name", "v"),
        HDR("X-A:", "v"),
        HDR("X\r\nA", "v"),
        HDR("", "v"),
        HDR("Host", "evil"),
        HDR("content-length", "0"),
        HDR("Transfer-Encoding", "chunked"),
        HDR("CONNECTION", "close"),
    };
    for (size_t i = 0; i < sizeof(bad_fields) / sizeof(bad_fields[0]); i++) {
        ossio__hdr f[2] = {HDR("X-Ok", "fine"), bad_fields[i]};
        assert_int_equal(ossio__h1_request_write(&b, "GET", "/", "h", f, 2, 0, 0), OSSIO_EINVAL);
        assert_buf(&b, "keep");
    }
    static const char *const bad_targets[] = {"/a\r\nX: 1", "/a b", "/a\rb", "/a\nb",
                                              "",           "a",    "/a\tb", "/\x7f"};
    for (size_t i = 0; i < sizeof(bad_targets) / sizeof(bad_targets[0]); i++) {
        assert_int_equal(ossio__h1_request_write(&b, "GET", bad_targets[i], "h", NULL, 0, 0, 0),
                         OSSIO_EINVAL);
        assert_buf(&b, "keep");
    }
    static const char *const bad_methods[] = {"", "G T", "GET\r\n", "GE/T", "GET:"};
    for (size_t i = 0; i < sizeof(bad_methods) / sizeof(bad_methods[0]); i++) {
        assert_int_equal(ossio__h1_request_write(&b, bad_methods[i], "/", "h", NULL, 0, 0, 0),
                         OSSIO_EINVAL);
        assert_buf(&b, "keep");
    }
    static const char *const bad_hosts[] = {"", "h\r\nX: 1", "h h", "h/x", "u@h", "h\t"};
    for (size_t i = 0; i < sizeof(bad_hosts) / sizeof(bad_hosts[0]); i++) {
        assert_int_equal(ossio__h1_request_write(&b, "GET", "/", bad_hosts[i], NULL, 0, 0, 0),
                         OSSIO_EINVAL);
        assert_buf(&b, "keep");
    }
    assert_int_equal(ossio__h1_request_write(&b, "PUT", "/", "h", NULL, 0, -2, 0), OSSIO_EINVAL);
    assert_int_equal(ossio__h1_request_write(&b, NULL, "/", "h", NULL, 0, 0, 0), OSSIO_EINVAL);
    assert_int_equal(ossio__h1_request_write(&b, "GET", "/", "h", NULL, 1, 0, 0), OSSIO_EINVAL);
    assert_buf(&b, "keep");
    ossio__buf_free(&b);
}

static void test_buffer_limit(void **state)
{
    (void)state;
    /* Too small for the head: the buffer's own status, nothing appended. */
    ossio__buf b;
    ossio__buf_init(&b, 40, OSSIO_EHEADERSIZE);
    assert_int_equal(ossio__buf_append(&b, "xx", 2), OSSIO_OK);
    ossio__hdr f[] = {HDR("X-Long", "0123456789012345678901234567890123456789")};
    assert_int_equal(ossio__h1_request_write(&b, "GET", "/", "h", f, 1, 0, 0), OSSIO_EHEADERSIZE);
    assert_buf(&b, "xx");
    assert_int_equal(ossio__h1_request_write(&b, "GET", "/", "h", NULL, 0, 0, 0), OSSIO_OK);
    assert_buf(&b, "xxGET / HTTP/1.1\r\nHost: h\r\n\r\n");
    /* 38 bytes used: a chunk line of 3 does not fit, nothing of it is written. */
    assert_int_equal(ossio__buf_append(&b, "123456789", 9), OSSIO_OK);
    assert_int_equal(b.len, 38);
    assert_int_equal(ossio__h1_chunk_begin(&b, 1), OSSIO_EHEADERSIZE);
    assert_int_equal(b.len, 38);
    assert_int_equal(ossio__h1_chunk_last(&b), OSSIO_EHEADERSIZE);
    assert_int_equal(ossio__h1_chunk_end(&b), OSSIO_OK);
    assert_int_equal(b.len, 40);
    ossio__buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get),
        cmocka_unit_test(test_put_post),
        cmocka_unit_test(test_chunked_expect),
        cmocka_unit_test(test_injection),
        cmocka_unit_test(test_buffer_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
