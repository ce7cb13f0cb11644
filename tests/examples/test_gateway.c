/* The gateway example (examples/gateway.c) against the local endpoint, over
 * h2 or HTTP/1.1 to the store: objects byte-exact to 8 clients at once,
 * Range/HEAD/404/4xx answers, a slow client that the upstream transfer never
 * runs ahead of by more than the bound, clients that vanish mid-body (their
 * operations canceled, nothing left), the CRC-64 check, 502/503/504 from the
 * store's failures, and an exit on SIGTERM that ASan finds leak-free.
 *   test_gateway <gateway binary> h2|h1 */
#define _GNU_SOURCE /* memmem, strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../transport/test_support.h"
#include "gateway_client.h"

#define BOUND (4u << 20)
#define WAIT_S 180 /* overall limit of a poll loop: generous, never a timing assertion */

static const char *gw_bin, *mode;
static gwproc gw;
static char prefix[64]; /* gateway/<pid>: this program's keys */
static char base[128];  /* /bucket/gateway/<pid>: the gateway's path for them */
static uint8_t *big, *med, *mid;
static size_t big_len = (16u << 20) + 5, med_len = (6u << 20) + 3, mid_len = (3u << 20) + 17;
static const char small[] = "hello, gateway\n";

static void fill(uint8_t *p, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        p[i] = (uint8_t)seed;
    }
}

static void upload_done(ossio_transfer *t, const ossio_result *r, void *ud)
{
    (void)t;
    *(ossio_status *)ud = r->status;
}

static void put(ossio_client *cl, const char *name, const void *data, size_t len)
{
    char uri[256];
    snprintf(uri, sizeof(uri), "oss://%s/%s/%s", ep("BUCKET"), prefix, name);
    ossio_transfer *t = NULL;
    ossio_status st = OSSIO_EINTERNAL;
    assert_int_equal(ossio_upload_new(&t, cl, uri), OSSIO_OK);
    assert_int_equal(ossio_transfer_from_buffer(t, data, len), OSSIO_OK);
    assert_int_equal(ossio_transfer_submit(t, upload_done, &st), OSSIO_OK);
    ossio_client_run(cl);
    assert_int_equal(st, OSSIO_OK);
}

/* Starts a gateway on the store with |extra| arguments (NULL-terminated):
 * h2 over TLS to Node's own http2 server, or plain HTTP/1.1, both straight to
 * the OSS front, so that no proxy ends a stalled response early; and with
 * ossio's stall detection off, so that only a cancel ends one (the
 * disconnect cases tell a cancel from an operation that ends by itself). */
static void start(gwproc *g, const char *const *extra)
{
    static char a_ep[128], a_ca[600];
    if (strcmp(mode, "h1") == 0) {
        snprintf(a_ep, sizeof(a_ep), "fs.oss.endpoint=http://localhost:%d", ep_port("HTTP"));
    } else {
        snprintf(a_ep, sizeof(a_ep), "fs.oss.endpoint=https://localhost:%d", ep_port("H2_TLS_RAW"));
    }
    snprintf(a_ca, sizeof(a_ca), "fs.oss.connection.ca.file=%s", ep("CA_FILE"));
    const char *fixed[] = {"-D",
                           a_ep,
                           "-D",
                           a_ca,
                           "-D",
                           "fs.oss.path.style.access=true",
                           "-D",
                           "fs.oss.low-speed.limit=0",
                           "-D",
                           "fs.oss.connection.timeout=3600000",
                           "--listen",
                           "127.0.0.1:0",
                           "--bound",
                           "4M",
                           "--chunk",
                           "1M",
                           "--idle-timeout",
                           "600",
                           "-v",
                           NULL};
    const char *args[48];
    size_t n = 0;
    for (const char *const *a = fixed; *a != NULL; a++) {
        args[n++] = *a;
    }
    for (; extra != NULL && *extra != NULL && n < 47; extra++) {
        args[n++] = *extra;
    }
    args[n] = NULL;
    /* credentials through the environment, as a deployment passes secrets: never argv */
    setenv("OSS_ACCESS_KEY_ID", ep("ACCESS_KEY_ID"), 1);
    setenv("OSS_ACCESS_KEY_SECRET", ep("ACCESS_KEY_SECRET"), 1);
    assert_int_equal(gw_start(g, gw_bin, args), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(prefix, sizeof(prefix), "gateway/%d", (int)getpid());
    snprintf(base, sizeof(base), "/%s/%s", ep("BUCKET"), prefix);
    big = malloc(big_len);
    mid = malloc(mid_len);
    med = malloc(med_len);
    fill(big, big_len, 0x9e3779b97f4a7c15ull);
    fill(med, med_len, 0x94d049bb133111ebull);
    fill(mid, mid_len, 0x2545f4914f6cdd1dull);
    char endpoint[128];
    snprintf(endpoint, sizeof(endpoint), "https://localhost:%d", ep_port("H2_TLS"));
    ossio_client *cl =
        client_with(NULL, "fs.oss.endpoint", endpoint, "fs.oss.accessKeyId", ep("ACCESS_KEY_ID"),
                    "fs.oss.accessKeySecret", ep("ACCESS_KEY_SECRET"), "fs.oss.path.style.access",
                    "true", NULL);
    put(cl, "big", big, big_len);
    put(cl, "mid", mid, mid_len);
    put(cl, "med", med, med_len);
    put(cl, "mid2", mid, mid_len);
    put(cl, "small", small, strlen(small));
    put(cl, "empty", "", 0);
    ossio_client_destroy(cl);
    start(&gw, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    int status = gw_stop(&gw);
    free(big);
    free(med);
    free(mid);
    char stored[80];
    snprintf(stored, sizeof(stored), "%s/", prefix);
    remove_prefix(stored);
    /* an ASan leak report (abort_on_error) or any failure shows here */
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "gateway exit status %d: not a clean exit\n", status);
        return -1;
    }
    return 0;
}

static void get(const char *method, const char *name, const char *headers, hresp *r)
{
    char req[12000];
    snprintf(req, sizeof(req), "%s %s/%s HTTP/1.1\r\nHost: t\r\n%sConnection: close\r\n\r\n",
             method, base, name, headers ? headers : "");
    assert_int_equal(gw_request(&gw, req, r), 0);
}

static void test_answers(void **state)
{
    (void)state;
    hresp r;
    get("GET", "small", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.content_length, (long long)strlen(small));
    assert_string_equal((char *)r.body, small);
    assert_non_null(strstr(r.head, "\r\nETag: \""));
    free(r.body);
    get("HEAD", "mid", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.content_length, (long long)mid_len);
    assert_int_equal(r.body_len, 0);
    free(r.body);
    get("GET", "empty", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.content_length, 0);
    free(r.body);
    get("GET", "missing", NULL, &r);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr((char *)r.body, "NoSuchKey"));
    free(r.body);
    /* a range across two 1 MiB upstream ranges; a suffix; one past the end */
    get("GET", "mid", "Range: bytes=1048570-2097160\r\n", &r);
    assert_int_equal(r.status, 206);
    assert_int_equal(r.body_len, 2097160 - 1048570 + 1);
    assert_memory_equal(r.body, mid + 1048570, r.body_len);
    assert_non_null(strstr(r.head, "Content-Range: bytes 1048570-2097160/3145745"));
    free(r.body);
    get("GET", "mid", "Range: bytes=-100\r\n", &r);
    assert_int_equal(r.status, 206);
    assert_memory_equal(r.body, mid + mid_len - 100, 100);
    free(r.body);
    get("GET", "small", "Range: bytes=99-\r\n", &r);
    assert_int_equal(r.status, 416);
    assert_non_null(strstr(r.head, "Content-Range: bytes */15"));
    free(r.body);
    get("POST", "small", NULL, &r);
    assert_int_equal(r.status, 405);
    free(r.body);
    char huge[9500];
    memset(huge, 'a', sizeof(huge));
    memcpy(huge, "X-Big: ", 7);
    memcpy(huge + sizeof(huge) - 3, "\r\n", 3);
    get("GET", "small", huge, &r);
    assert_int_equal(r.status, 431);
    free(r.body);
    assert_int_equal(gw_request(&gw, "GET /nokey HTTP/1.1\r\n\r\n", &r), 0);
    assert_int_equal(r.status, 400);
    free(r.body);
}

/* Keep-alive with two pipelined requests in one write. */
static void test_pipelined(void **state)
{
    (void)state;
    hconn *c = calloc(1, sizeof(*c));
    c->fd = gw_connect(&gw, 0);
    char req[1024];
    snprintf(req, sizeof(req),
             "GET %s/mid HTTP/1.1\r\nHost: t\r\n\r\nGET %s/small HTTP/1.1\r\nHost: t\r\n\r\n", base,
             base);
    assert_int_equal(send_all(c->fd, req, strlen(req)), 0);
    hresp r;
    assert_int_equal(hc_read_head(c, &r), 0);
    hc_read_body(c, &r, 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, mid_len);
    assert_memory_equal(r.body, mid, mid_len);
    free(r.body);
    assert_int_equal(hc_read_head(c, &r), 0);
    hc_read_body(c, &r, 0);
    assert_int_equal(r.status, 200);
    assert_string_equal((char *)r.body, small);
    free(r.body);
    close(c->fd);
    free(c);
}

/* 8 clients at once: each has its response head before any reads its body
 * (the gateway shows 8 responses in progress: the objects are larger than
 * what the socket buffers hold), then all read; byte-exact. */
static void test_concurrent(void **state)
{
    (void)state;
    enum { N = 8 };
    int ready[2], go[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);
    pid_t kids[N];
    for (int i = 0; i < N; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            const uint8_t *want = i % 2 ? med : big;
            size_t want_len = i % 2 ? med_len : big_len;
            hconn *c = calloc(1, sizeof(*c));
            c->fd = gw_connect(&gw, 128 * 1024); /* no autotuning to tens of MiB */
            char req[512];
            snprintf(req, sizeof(req), "GET %s/%s HTTP/1.1\r\nHost: t\r\n\r\n", base,
                     i % 2 ? "med" : "big");
            hresp r;
            if (send_all(c->fd, req, strlen(req)) != 0 || hc_read_head(c, &r) != 0) {
                _exit(2);
            }
            char b = 1, g;
            if (write(ready[1], &b, 1) != 1 || read(go[0], &g, 1) != 1) {
                _exit(3);
            }
            hc_read_body(c, &r, 0);
            int ok = r.status == 200 && r.body_len == want_len &&
                     ossio_crc64(0, r.body, r.body_len) == ossio_crc64(0, want, want_len);
            _exit(ok ? 0 : 1);
        }
    }
    for (int i = 0; i < N; i++) {
        char b;
        assert_int_equal(read(ready[0], &b, 1), 1);
    }
    char *js = gw_stats(&gw);
    assert_non_null(js);
    int responding = 0;
    for (const char *p = strstr(js, "\"state\":\"respond\""); p;
         p = strstr(p + 1, "\"state\":\"respond\"")) {
        responding++;
    }
    assert_true(responding >= N);
    free(js);
    char gobuf[N] = {0};
    assert_int_equal(write(go[1], gobuf, N), N);
    for (int i = 0; i < N; i++) {
        int st = -1;
        waitpid(kids[i], &st, 0);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
    }
    close(ready[0]);
    close(ready[1]);
    close(go[0]);
    close(go[1]);
}

/* Every object byte the store sent over this time, and every byte the gateway wrote. */
static void totals(const char *js, long long *from_store, long long *to_clients)
{
    const char *o = strstr(js, "\"ossio\":");
    assert_non_null(o);
    *from_store = jnum(o, "bytes_received");
    *to_clients = jnum(js, "bytes_written");
}

static void test_slow_client(void **state)
{
    (void)state;
    char *js = gw_stats(&gw);
    long long r0, w0, r, w;
    totals(js, &r0, &w0);
    free(js);
    hconn *c = calloc(1, sizeof(*c));
    c->fd = gw_connect(&gw, 4096); /* a small receive buffer: the gateway's sends block soon */
    char req[512], path[256], line[1024];
    snprintf(path, sizeof(path), "%s/big", base);
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
    assert_int_equal(send_all(c->fd, req, strlen(req)), 0);
    hresp h;
    assert_int_equal(hc_read_head(c, &h), 0);
    assert_int_equal(h.status, 200);
    uint8_t *got = malloc(big_len);
    size_t n = 0;
    while (n < 65536) {
        ssize_t k = hc_read_some(c, got + n, 65536 - n);
        assert_true(k > 0);
        n += (size_t)k;
    }
    /* the client stops reading: the gateway stops fetching (no operation in
     * flight) because its window is full, with at most the bound ahead */
    time_t deadline = time(NULL) + WAIT_S;
    for (;;) {
        js = gw_stats(&gw);
        if (jconn(js, path, "respond", line, sizeof(line)) == 0 && jnum(line, "ops") == 0) {
            break;
        }
        free(js);
        assert_true(time(NULL) < deadline);
        nap();
    }
    long long fetched = jnum(line, "fetched"), written = jnum(line, "written");
    print_message("stopped: fetched %lld, written %lld, client read %zu\n", fetched, written, n);
    assert_non_null(strstr(line, "\"window_full\":true"));
    assert_true(fetched - written <= BOUND);
    assert_true(fetched < (long long)big_len);
    totals(js, &r, &w);
    assert_true((r - r0) - (w - w0) <= BOUND); /* ossio's own count of bytes from the store */
    free(js);
    /* then it reads slowly, and the bound holds at every look */
    unsigned looks = 0;
    while (n < big_len) {
        size_t step = big_len - n < 262144 ? big_len - n : 262144;
        for (size_t end = n + step; n < end;) {
            ssize_t k = hc_read_some(c, got + n, end - n);
            assert_true(k > 0);
            n += (size_t)k;
        }
        js = gw_stats(&gw);
        totals(js, &r, &w);
        assert_true((r - r0) - (w - w0) <= BOUND);
        if (jconn(js, path, "respond", line, sizeof(line)) == 0) {
            assert_true(jnum(line, "fetched") - jnum(line, "written") <= BOUND);
            looks++;
        }
        free(js);
    }
    assert_true(looks > 10);
    assert_memory_equal(got, big, big_len);
    js = gw_stats(&gw);
    assert_true(jnum(js, "peak_ahead") <= BOUND);
    assert_true(jnum(js, "peak_ahead") > 0);
    free(js);
    free(got);
    free(h.body);
    close(c->fd);
    free(c);
}

/* A client that reads part of a body whose ranges the store stalls, then
 * goes away (RST, or FIN): its operations are canceled, its connection freed. */
static void vanish(int rst)
{
    char path[256], req[512], line[1024], fault[512];
    snprintf(path, sizeof(path), "%s/big", base);
    snprintf(fault, sizeof(fault),
             "{\"kind\":\"stall\",\"ms\":3600000,\"after\":262144,\"count\":1000,"
             "\"match\":{\"method\":\"GET\",\"path\":\"%s\"}}",
             path);
    assert_int_equal(control("POST", "/faults", fault), 201);
    char *js = gw_stats(&gw);
    long long canceled0 = jnum(js, "ops_canceled"), gone0 = jnum(js, "clients_gone");
    free(js);
    hconn *c = calloc(1, sizeof(*c));
    c->fd = gw_connect(&gw, 0);
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
    assert_int_equal(send_all(c->fd, req, strlen(req)), 0);
    hresp h;
    assert_int_equal(hc_read_head(c, &h), 0);
    assert_int_equal(h.status, 200);
    /* wait until all 4 ranges are in flight and stalled at 256 KiB each */
    time_t deadline = time(NULL) + WAIT_S;
    for (;;) {
        js = gw_stats(&gw);
        int in = jconn(js, path, "respond", line, sizeof(line)) == 0;
        free(js);
        if (in && jnum(line, "ops") == 4 && jnum(line, "fetched") == 4 * 262144) {
            break;
        }
        assert_true(time(NULL) < deadline);
        nap();
    }
    if (rst) {
        struct linger lg = {1, 0};
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        close(c->fd);
    } else {
        shutdown(c->fd, SHUT_WR);
    }
    for (;;) {
        js = gw_stats(&gw);
        int still = jconn(js, path, "respond", line, sizeof(line)) == 0;
        long long in_flight = jnum(js, "ops_in_flight"), canceled = jnum(js, "ops_canceled");
        long long gone = jnum(js, "clients_gone");
        free(js);
        if (!still && in_flight == 0 && canceled - canceled0 >= 4) {
            assert_int_equal(gone - gone0, 1);
            break;
        }
        assert_true(time(NULL) < deadline);
        nap();
    }
    if (!rst) {
        close(c->fd);
    }
    free(h.body);
    free(c);
    clear_faults(path);
}

static void test_client_vanishes_rst(void **state)
{
    (void)state;
    vanish(1);
}

static void test_client_vanishes_fin(void **state)
{
    (void)state;
    vanish(0);
}

/* One flipped byte in a range: the CRC-64 of the whole object does not
 * match, and the client gets one byte less than Content-Length. */
static void test_crc_mismatch(void **state)
{
    (void)state;
    char path[256], fault[512];
    snprintf(path, sizeof(path), "%s/mid", base);
    snprintf(fault, sizeof(fault),
             "{\"kind\":\"flip\",\"count\":1,\"match\":{\"method\":\"GET\",\"path\":\"%s\"}}",
             path);
    assert_int_equal(control("POST", "/faults", fault), 201);
    char *js = gw_stats(&gw);
    long long bad0 = jnum(js, "crc_mismatches");
    free(js);
    hresp r;
    get("GET", "mid", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.content_length, (long long)mid_len);
    assert_true(r.cut);
    assert_int_equal(r.body_len, mid_len - 1);
    assert_true(memcmp(r.body, mid, r.body_len) != 0); /* the flipped byte is in there */
    free(r.body);
    js = gw_stats(&gw);
    assert_int_equal(jnum(js, "crc_mismatches") - bad0, 1);
    free(js);
    clear_faults(path);
}

/* The store failing: HEAD 500 → 502, SlowDown → 503, no answer → 504, and a
 * first range failing before any body byte → 502 (a second gateway with
 * 2 attempts and a 1 s first-byte timeout). */
static void test_upstream_failures(void **state)
{
    (void)state;
    static const char *const extra[] = {"-D", "fs.oss.attempts.maximum=2", "-D",
                                        "fs.oss.request.first-byte.timeout=1000", NULL};
    gwproc g2;
    start(&g2, extra);
    static const struct {
        const char *name, *fault, *method;
        int want;
    } cases[] = {{"e500", "\"kind\":\"internal\"", "HEAD", 502},
                 {"e503", "\"kind\":\"slowdown\"", "HEAD", 503},
                 {"e504", "\"kind\":\"stall\",\"ms\":30000,\"after\":0", "HEAD", 504},
                 {"mid2", "\"kind\":\"internal\"", "GET", 502}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[256], fault[512], req[512];
        snprintf(path, sizeof(path), "%s/%s", base, cases[i].name);
        snprintf(fault, sizeof(fault),
                 "{%s,\"count\":100,\"match\":{\"method\":\"%s\",\"path\":\"%s\"}}", cases[i].fault,
                 cases[i].method, path);
        assert_int_equal(control("POST", "/faults", fault), 201);
        snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", path);
        hresp r;
        assert_int_equal(gw_request(&g2, req, &r), 0);
        print_message("%s: %d %s", cases[i].name, r.status, r.body ? (char *)r.body : "");
        assert_int_equal(r.status, cases[i].want);
        assert_false(r.cut);
        free(r.body);
        clear_faults(path);
    }
    int st = gw_stop(&g2);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

/* After all that: nothing in flight, no connection but the one asking. */
static void test_nothing_left(void **state)
{
    (void)state;
    char *js = gw_stats(&gw);
    assert_int_equal(jnum(js, "ops_in_flight"), 0);
    assert_int_equal(jnum(js, "connections"), 1);
    assert_int_equal(jnum(js, "bytes_fetched") >= jnum(js, "bytes_written"), 1);
    free(js);
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[2], "h2") != 0 && strcmp(argv[2], "h1") != 0)) {
        fprintf(stderr, "usage: test_gateway <gateway binary> h2|h1\n");
        return 2;
    }
    gw_bin = argv[1];
    mode = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_pipelined),
        cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_slow_client),
        cmocka_unit_test(test_client_vanishes_rst),
        cmocka_unit_test(test_client_vanishes_fin),
        cmocka_unit_test(test_crc_mismatch),
        cmocka_unit_test(test_upstream_failures),
        cmocka_unit_test(test_nothing_left),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
