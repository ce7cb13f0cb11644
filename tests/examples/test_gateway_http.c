/* The gateway example's pure HTTP pieces (examples/gateway_http.c): request
 * heads, Range resolution and the status table, with no network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gateway_http.h"

static gw_request req;

static int parse(const char *s)
{
    return gw_http_parse(s, strlen(s), &req);
}

static void test_parse_requests(void **state)
{
    (void)state;
    const char *get =
        "GET /b/k%20x?versionId=1 HTTP/1.1\r\nHost: h\r\nRange: bytes=0-9\r\n\r\nNEXT";
    assert_int_equal(parse(get), (int)strlen(get) - 4);
    assert_false(req.is_head);
    assert_true(req.keep_alive);
    assert_string_equal(req.path, "/b/k x");
    assert_string_equal(req.range, "bytes=0-9");
    assert_int_equal(parse("HEAD /b/k HTTP/1.0\n\n"), 20); /* bare LF lines */
    assert_true(req.is_head);
    assert_false(req.keep_alive);
    assert_true(parse("GET /b/k HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n") > 0);
    assert_true(req.keep_alive);
    assert_true(parse("GET /b/k HTTP/1.1\r\nConnection: foo, close\r\n\r\n") > 0);
    assert_false(req.keep_alive);
    assert_true(parse("\r\nGET /b/k HTTP/1.1\r\n\r\n") > 0); /* a leading empty line is ignored */
    assert_true(parse("GET /b/k HTTP/1.1\r\nContent-Length: 0\r\n\r\n") > 0);
}

static void test_parse_incomplete_and_bad(void **state)
{
    (void)state;
    assert_int_equal(parse("GET /b/k HTTP/1.1\r\nHost: h\r\n"), 0);
    assert_int_equal(parse(""), 0);
    assert_int_equal(parse("POST /b/k HTTP/1.1\r\n\r\n"), -405);
    assert_int_equal(parse("GET /b/k HTTP/2.0\r\n\r\n"), -505);
    assert_int_equal(parse("GET /b/k FTP/1.1\r\n\r\n"), -400);
    assert_int_equal(parse("GET http://x/b/k HTTP/1.1\r\n\r\n"), -400);
    assert_int_equal(parse("GET /b/%00 HTTP/1.1\r\n\r\n"), -400);
    assert_int_equal(parse("GET /b/%zz HTTP/1.1\r\n\r\n"), -400);
    assert_int_equal(parse("GET /b/%4 HTTP/1.1\r\n\r\n"), -400);
    assert_int_equal(parse("GET /b/k HTTP/1.1\r\nno colon\r\n\r\n"), -400);
    assert_int_equal(parse("GET /b/k HTTP/1.1\r\nA: b\r\n folded\r\n\r\n"), -400);
    assert_int_equal(parse("GET /b/k HTTP/1.1\r\nContent-Length: 5\r\n\r\n"), -400);
    assert_int_equal(parse("GET /b/k HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), -400);
    assert_int_equal(parse("GET /b/k HTTP/1.1\r\nBad Name: x\r\n\r\n"), -400);
    assert_int_equal(parse("GET /b/k HTTP/1.1\r\nA: b\rc\r\n\r\n"), -400);
    assert_int_equal(parse("GET /b/k\r\n\r\n"), -400);
    char nul[] = "GET /b/k HTTP/1.1\r\nA: \0\r\n\r\n";
    assert_int_equal(gw_http_parse(nul, sizeof(nul) - 1, &req), -400);
}

static int range(const char *r, uint64_t size, uint64_t *s, uint64_t *e)
{
    return gw_http_range(r, size, s, e);
}

static void test_ranges(void **state)
{
    (void)state;
    uint64_t s, e;
    assert_int_equal(range(NULL, 100, &s, &e), 200);
    assert_true(s == 0 && e == 100);
    assert_int_equal(range("bytes=10-19", 100, &s, &e), 206);
    assert_true(s == 10 && e == 20);
    assert_int_equal(range("bytes=90-", 100, &s, &e), 206);
    assert_true(s == 90 && e == 100);
    assert_int_equal(range("bytes=90-1000", 100, &s, &e), 206); /* last clipped to the size */
    assert_true(s == 90 && e == 100);
    assert_int_equal(range("bytes=-10", 100, &s, &e), 206);
    assert_true(s == 90 && e == 100);
    assert_int_equal(range("bytes=-1000", 100, &s, &e), 206);
    assert_true(s == 0 && e == 100);
    assert_int_equal(range("bytes=100-", 100, &s, &e), 416);
    assert_int_equal(range("bytes=-0", 100, &s, &e), 416);
    assert_int_equal(range("bytes=0-", 0, &s, &e), 416);
    assert_int_equal(range("bytes=-5", 0, &s, &e), 416);
    /* ignored: whole object */
    assert_int_equal(range("bytes=0-1,5-6", 100, &s, &e), 200);
    assert_int_equal(range("bytes=5-1", 100, &s, &e), 200);
    assert_int_equal(range("items=0-1", 100, &s, &e), 200);
    assert_int_equal(range("bytes=x-1", 100, &s, &e), 200);
    assert_int_equal(range("bytes=99999999999999999999-", 100, &s, &e), 200);
    assert_true(s == 0 && e == 100);
}

static void test_status_table(void **state)
{
    (void)state;
    assert_int_equal(gw_http_status_for(OSSIO_ENOTFOUND), 404);
    assert_int_equal(gw_http_status_for(OSSIO_EACCESS), 403);
    assert_int_equal(gw_http_status_for(OSSIO_EBADBUCKET), 400);
    assert_int_equal(gw_http_status_for(OSSIO_ETIMEDOUT), 504);
    assert_int_equal(gw_http_status_for(OSSIO_EDEADLINE), 504);
    assert_int_equal(gw_http_status_for(OSSIO_ETHROTTLED), 503);
    assert_int_equal(gw_http_status_for(OSSIO_ESERVER), 502);
    assert_int_equal(gw_http_status_for(OSSIO_ECONNREFUSED), 502);
    assert_int_equal(gw_http_status_for(OSSIO_ECHECKSUM), 502);
    assert_string_equal(gw_http_reason(416), "Range Not Satisfiable");
    assert_string_equal(gw_http_reason(431), "Request Header Fields Too Large");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_requests),
        cmocka_unit_test(test_parse_incomplete_and_bad),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_status_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
