#define _DEFAULT_SOURCE
/* Transport integration tests against the real local endpoint (nghttpx h2
 * and http/1.1-only TLS, h2c, Node's h2, nginx): protocol actually used,
 * connections opened, byte-exact bodies, failures with named errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ev.h>

#include "test_support.h"

#define MIB (1024 * 1024)

static uint8_t *medium; /* nginx's medium.bin, read from disk */
static size_t medium_len;
static uint8_t obj[1 * MIB]; /* uploaded to the store at setup as OBJ_KEY */
static char obj_key[128];
static char bad_key[128];
static char url[512];

static const char *fmt_url(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(url, sizeof(url), fmt, ap);
    va_end(ap);
    return url;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc((size_t)n);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* PUT |len| bytes at |data| to key over |base| ("https://localhost:PORT"), signed. */
static job put_object(ossio_client *cl, const char *base, const char *key, const uint8_t *data,
                      size_t len)
{
    job j;
    memset(&j, 0, sizeof(j));
    char u[512];
    snprintf(u, sizeof(u), "%s/%s/%s", base, ep("BUCKET"), key);
    assert_int_equal(ossio_request_new(&j.r, cl, "PUT", u), OSSIO_OK);
    sign_v1(j.r, "PUT", ep("BUCKET"), key);
    ossio_request_set_body(j.r, data, len);
    ossio_request_set_callbacks(j.r, job_on_headers, job_on_data, &j);
    assert_int_equal(ossio_request_submit(j.r, job_on_done, &j), OSSIO_OK);
    ossio_client_run(cl);
    return j;
}

static int setup(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof(path), "%s/medium.bin", ep("NGINX_ROOT"));
    medium = read_file(path, &medium_len);
    for (size_t i = 0; i < sizeof(obj); i++) {
        obj[i] = (uint8_t)(i * 2654435761u >> 13);
    }
    snprintf(obj_key, sizeof(obj_key), "transport/%d/object.bin", (int)getpid());
    snprintf(bad_key, sizeof(bad_key), "transport/%d/faulty.bin", (int)getpid());
    ossio_client *cl = client_with(NULL, NULL);
    char base[64];
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", ep_port("HTTP"));
    job a = put_object(cl, base, obj_key, obj, sizeof(obj));
    job b = put_object(cl, base, bad_key, obj, sizeof(obj));
    ossio_client_destroy(cl);
    assert_int_equal(a.st, OSSIO_OK);
    assert_int_equal(a.http, 200);
    assert_int_equal(b.http, 200);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(medium);
    return remove_own_prefix("transport");
}

/* n ranged GETs of medium.bin at |base|, each 16 KiB at a pseudo-random offset. */
static void ranged_gets(ossio_client *cl, const char *base, int n, const char *want_proto)
{
    job *jobs = calloc((size_t)n, sizeof(job));
    for (int i = 0; i < n; i++) {
        size_t len = 16384;
        size_t off = ((size_t)i * 7919u * 4099u) % (medium_len - len);
        char range[64];
        snprintf(range, sizeof(range), "bytes=%zu-%zu", off, off + len - 1);
        jobs[i].expect = medium + off;
        jobs[i].expect_len = len;
        start_get(cl, &jobs[i], fmt_url("%s/medium.bin", base), range);
        assert_int_equal(ossio_request_submit(jobs[i].r, job_on_done, &jobs[i]), OSSIO_OK);
    }
    ossio_client_run(cl);
    for (int i = 0; i < n; i++) {
        assert_int_equal(jobs[i].done, 1);
        if (jobs[i].st != OSSIO_OK) {
            fail_msg("request %d: %s (%s)", i, ossio_status_name(jobs[i].st), jobs[i].detail);
        }
        assert_int_equal(jobs[i].http, 206);
        assert_int_equal(jobs[i].got, 16384);
        assert_false(jobs[i].mismatch);
        assert_string_equal(jobs[i].proto, want_proto);
    }
    free(jobs);
}

static void t_h2_1000_ranged_gets_one_connection(void **state)
{
    (void)state;
    ossio_client *cl = client_with(NULL, NULL);
    char base[64];
    snprintf(base, sizeof(base), "https://localhost:%d", ep_port("NGINX_TLS"));
    ranged_gets(cl, base, 1000, "h2");
    /* nginx allows 1000 concurrent streams: one connection carries them all. */
    assert_int_equal(ossio_client_stat(cl, OSSIO_STAT_CONNECTIONS_OPENED), 1);
    assert_int_equal(ossio_client_stat(cl, OSSIO_STAT_CONNECTIONS_H2), 1);
    ossio_client_destroy(cl);
}

static void t_h1_1000_ranged_gets_spread(void **state)
{
    (void)state;
    ossio_client *cl =
        client_with(NULL, "fs.oss.http2.enabled", "false", "fs.oss.connection.maximum", "8", NULL);
    char base[64];
    snprintf(base, sizeof(base), "https://localhost:%d", ep_port("NGINX_TLS"));
    ranged_gets(cl, base, 1000, "http/1.1");
    uint64_t opened = ossio_client_stat(cl, OSSIO_STAT_CONNECTIONS_OPENED);
    assert_true(opened >= 2 && opened <= 8);
    assert_int_equal(ossio_client_stat(cl, OSSIO_STAT_CONNECTIONS_H2), 0);
    ossio_client_destroy(cl);
}

static void t_h2c_ranged_gets(void **state)
{
    (void)state;
    ossio_client *cl = client_with(NULL, "fs.oss.http2.cleartext", "true", NULL);
    char base[64];
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", ep_port("NGINX_H2C"));
    ranged_gets(cl, base, 300, "h2");
    assert_int_equal(ossio_client_stat(cl, OSSIO_STAT_CONNECTIONS_OPENED), 1);
    ossio_client_destroy(cl);
}

static void t_cleartext_without_h2c_is_http11(void **state)
{
    (void)state;
    ossio_client *cl = client_with(NULL, "fs.oss.connection.maximum", "4", NULL);
    char base[64];
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", ep_port("NGINX_HTTP"));
    ranged_gets(cl, base, 100, "http/1.1");
    assert_true(ossio_client_stat(cl, OSSIO_STAT_CONNECTIONS_OPENED) <= 4);
    ossio_client_destroy(cl);
}

/* GETs of the stored object through the OSS front, signed. */
static void signed_gets(ossio_client *cl, const char *base, int n, job *jobs, const char *key)
{
    for (int i = 0; i < n; i++) {
        memset(&jobs[i], 0, sizeof(job));
        jobs[i].expect = obj;
        jobs[i].expect_len = sizeof(obj);
        start_get(cl, &jobs[i], fmt_url("%s/%s/%s", base, ep("BUCKET"), key), NULL);
        sign_v1(jobs[i].r, "GET", ep("BUCKET"), key);
        assert_int_equal(ossio_request_submit(jobs[i].r, job_on_done, &jobs[i]), OSSIO_OK);
    }
}

static void t_nghttpx_stream_limit(void **state)
{
    (void)state;
    ossio_client *cl = client_with(NULL, NULL);
    char base[64];
    snprintf(base, sizeof(base), "https://localhost:%d", ep_port("H2_TLS"));
    enum { N = 250 };
    job *jobs = calloc(N, sizeof(job));
    signed_gets(cl, base, N, jobs, obj_key);
    ossio_client_run(cl);
    for (int i = 0; i < N; i++) {
        assert_int_equal(jobs[i].done, 1);
        if (jobs[i].st != OSSIO_OK || jobs[i].http != 200 || jobs[i].mismatch) {
            fail_msg("request %d: %s http %d (%s)", i, ossio_status_name(jobs[i].st), jobs[i].http,
                     jobs[i].detail);
        }
        assert_string_equal(jobs[i].proto, "h2");
    }
    /* nghttpx allows 100 streams per connection: at most ceil(250/100). */
    uint64_t opened = ossio_client_stat(cl, OSSIO_STAT_CONNECTIONS_OPENED);
    assert_true(opened >= 1 && opened <= 3);
    free(jobs);
    ossio_client_destroy(cl);
}

/* Streams |left| bytes of a pattern for a body reader. */
typedef struct pattern {
    uint64_t off;
    uint64_t len;
    uint64_t crc;
} pattern;

static long pattern_read(uint8_t *buf, size_t cap, void *ud)
{
    pattern *p = ud;
    size_t n = 0;
    while (n < cap && p->off < p->len) {
        buf[n++] = (uint8_t)((p->off * 31 + (p->off >> 11)) & 0xff);
        p->off++;
    }
    p->crc = ossio_crc64(p->crc, buf, n);
    return (long)n;
}

static void upload_64mib(const char *base, int known_length, const char *want_proto,
                         ossio_client *cl)
{
    pattern pat = {0, 64u * MIB, 0};
    char key[128];
    snprintf(key, sizeof(key), "transport/%d/upload-%s-%d.bin", (int)getpid(), want_proto,
             known_length);
    job j;
    memset(&j, 0, sizeof(j));
    assert_int_equal(
        ossio_request_new(&j.r, cl, "PUT", fmt_url("%s/%s/%s", base, ep("BUCKET"), key)), OSSIO_OK);
    sign_v1(j.r, "PUT", ep("BUCKET"), key);
    ossio_request_set_body_reader(j.r, known_length ? (int64_t)pat.len : -1, pattern_read, &pat);
    ossio_request_set_callbacks(j.r, job_on_headers, job_on_data, &j);
    ossio_request_submit(j.r, job_on_done, &j);
    ossio_client_run(cl);
    if (j.st != OSSIO_OK || j.http != 200) {
        fail_msg("upload: %s http %d (%s)", ossio_status_name(j.st), j.http, j.detail);
    }
    assert_string_equal(j.proto, want_proto);
    assert_int_equal(pat.off, pat.len);
    char crc[32];
    snprintf(crc, sizeof(crc), "%llu", (unsigned long long)pat.crc);
    assert_string_equal(j.crc_header, crc); /* the store got exactly our bytes */
}

static void t_upload_64mib_streamed(void **state)
{
    (void)state;
    char base[64];
    ossio_client *cl = client_with(NULL, NULL);
    snprintf(base, sizeof(base), "https://localhost:%d", ep_port("H2_TLS"));
    upload_64mib(base, 1, "h2", cl);
    snprintf(base, sizeof(base), "https://localhost:%d", ep_port("H1_TLS"));
    upload_64mib(base, 1, "http/1.1", cl);
    upload_64mib(base, 0, "http/1.1", cl); /* unknown length: chunked */
    ossio_client_destroy(cl);
}

static void expect_failure(ossio_client *cl, const char *u, ossio_status want)
{
    job j;
    memset(&j, 0, sizeof(j));
    start_get(cl, &j, u, NULL);
    ossio_request_submit(j.r, job_on_done, &j);
    assert_int_equal(j.done, 0); /* never inside submit */
    ossio_client_run(cl);
    assert_int_equal(j.done, 1);
    if (j.st != want) {
        fail_msg("%s: got %s (%s), want %s", u, ossio_status_name(j.st), j.detail,
                 ossio_status_name(want));
    }
    assert_true(strlen(j.detail) > 0);
}

static void t_tls_verification(void **state)
{
    (void)state;
    ossio_client *cl = client_with(NULL, NULL);
    expect_failure(cl, fmt_url("https://localhost:%d/x", ep_port("TLS_BADCA")), OSSIO_ETLSVERIFY);
    expect_failure(cl, fmt_url("https://localhost:%d/x", ep_port("TLS_BADHOST")),
                   OSSIO_ETLSHOSTNAME);
    assert_int_equal(ossio_client_stat(cl, OSSIO_STAT_CONNECTIONS_OPENED), 0);
    ossio_client_destroy(cl);
    /* The loudly named switch turns verification off (and only then it passes). */
    cl = client_with(NULL, "fs.oss.connection.ssl.insecure-skip-verify", "true", NULL);
    job j;
    memset(&j, 0, sizeof(j));
    start_get(cl, &j, fmt_url("https://localhost:%d/x", ep_port("TLS_BADCA")), NULL);
    ossio_request_submit(j.r, job_on_done, &j);
    ossio_client_run(cl);
    assert_int_equal(j.st, OSSIO_OK);
    assert_int_equal(j.http, 403); /* the front answered: unsigned */
    ossio_client_destroy(cl);
}

static void t_connection_refused_and_dns(void **state)
{
    (void)state;
    char dns[64];
    snprintf(dns, sizeof(dns), "127.0.0.1:%d", ep_port("DNS"));
    ossio_client *cl = client_with(NULL, "fs.oss.dns.servers", dns, NULL);
    expect_failure(cl, fmt_url("http://127.0.0.1:%d/x", closed_port()), OSSIO_ECONNREFUSED);
    expect_failure(cl, "https://nosuch.ossio.test/x", OSSIO_EDNS);
    /* multi.ossio.test: 127.0.0.2 first (nothing listens), then 127.0.0.1. */
    job j;
    memset(&j, 0, sizeof(j));
    j.expect = obj;
    j.expect_len = sizeof(obj);
    start_get(cl, &j,
              fmt_url("http://multi.ossio.test:%d/%s/%s", ep_port("HTTP"), ep("BUCKET"), obj_key),
              NULL);
    sign_v1(j.r, "GET", ep("BUCKET"), obj_key);
    ossio_request_submit(j.r, job_on_done, &j);
    ossio_client_run(cl);
    if (j.st != OSSIO_OK) {
        fail_msg("fallback: %s (%s)", ossio_status_name(j.st), j.detail);
    }
    assert_int_equal(j.http, 200);
    assert_false(j.mismatch);
    ossio_client_destroy(cl);
}

static void t_resolve_override_virtual_host(void **state)
{
    (void)state;
    char entry[128];
    snprintf(entry, sizeof(entry), "%s.oss.localhost:%d:127.0.0.1", ep("BUCKET"),
             ep_port("H2_TLS"));
    ossio_client *cl = client_with(NULL, "fs.oss.connection.resolve", entry, "fs.oss.dns.servers",
                                   "127.0.0.1:1", NULL);
    job j;
    memset(&j, 0, sizeof(j));
    j.expect = obj;
    j.expect_len = sizeof(obj);
    start_get(cl, &j,
              fmt_url("https://%s.oss.localhost:%d/%s", ep("BUCKET"), ep_port("H2_TLS"), obj_key),
              NULL);
    sign_v1(j.r, "GET", ep("BUCKET"), obj_key);
    ossio_request_submit(j.r, job_on_done, &j);
    ossio_client_run(cl);
    if (j.st != OSSIO_OK || j.http != 200) {
        fail_msg("%s http %d (%s)", ossio_status_name(j.st), j.http, j.detail);
    }
    assert_string_equal(j.proto, "h2");
    assert_false(j.mismatch);
    ossio_client_destroy(cl);
}

static void arm(const char *json)
{
    assert_int_equal(control("POST", "/faults", json), 201);
}

static void t_stall_times_out(void **state)
{
    (void)state;
    char f[256];
    snprintf(f, sizeof(f),
             "{\"kind\":\"stall\",\"ms\":3000,\"after\":1000,\"match\":{\"path\":\"%s\"}}",
             bad_key);
    arm(f);
    ossio_client *cl = client_with(NULL, "fs.oss.connection.timeout", "300", NULL);
    job j;
    char base[64];
    snprintf(base, sizeof(base), "https://localhost:%d", ep_port("H2_TLS"));
    signed_gets(cl, base, 1, &j, bad_key);
    ossio_client_run(cl);
    assert_int_equal(j.st, OSSIO_ETIMEDOUT);
    assert_non_null(strstr(j.detail, "fs.oss.connection.timeout"));
    ossio_client_destroy(cl);
    clear_faults(bad_key);
}

/* One faulted request among good ones: only it fails. */
static void reset_among_good(const char *port_name, int h2)
{
    char f[256];
    snprintf(f, sizeof(f), "{\"kind\":\"reset\",\"after\":100000,\"match\":{\"path\":\"%s\"}}",
             bad_key);
    arm(f);
    ossio_client *cl = client_with(NULL, "fs.oss.connection.maximum", "4", NULL);
    char base[64];
    snprintf(base, sizeof(base), "https://localhost:%d", ep_port(port_name));
    enum { N = 12 };
    job jobs[N];
    signed_gets(cl, base, N / 2, jobs, obj_key);
    signed_gets(cl, base, 1, &jobs[N / 2], bad_key);
    signed_gets(cl, base, N / 2 - 1, &jobs[N / 2 + 1], obj_key);
    ossio_client_run(cl);
    for (int i = 0; i < N; i++) {
        assert_int_equal(jobs[i].done, 1);
        if (i == N / 2) {
            assert_int_not_equal(jobs[i].st, OSSIO_OK);
            assert_true(jobs[i].st == OSSIO_ESTREAMRESET || jobs[i].st == OSSIO_ECONNRESET ||
                        jobs[i].st == OSSIO_EPROTO);
            assert_true(jobs[i].got < sizeof(obj));
        } else if (jobs[i].st != OSSIO_OK || jobs[i].http != 200 || jobs[i].mismatch) {
            fail_msg("request %d: %s (%s)", i, ossio_status_name(jobs[i].st), jobs[i].detail);
        }
    }
    if (h2) {
        /* The reset took down one stream, not the connection. */
        assert_int_equal(ossio_client_stat(cl, OSSIO_STAT_CONNECTIONS_OPENED), 1);
    }
    ossio_client_destroy(cl);
    clear_faults(bad_key);
}

static void t_reset_mid_body_h2(void **state)
{
    (void)state;
    reset_among_good("H2_TLS", 1);
}

static void t_reset_mid_body_h1(void **state)
{
    (void)state;
    reset_among_good("H1_TLS", 0);
}

static void t_goaway_resends_unprocessed(void **state)
{
    (void)state;
    char f[256];
    snprintf(f, sizeof(f), "{\"kind\":\"goaway\",\"match\":{\"path\":\"%s\"}}", bad_key);
    arm(f);
    ossio_client *cl = client_with(NULL, NULL);
    char base[64];
    snprintf(base, sizeof(base), "https://localhost:%d", ep_port("H2_TLS_RAW"));
    enum { N = 40 };
    job jobs[N];
    signed_gets(cl, base, 1, &jobs[0], bad_key);
    signed_gets(cl, base, N - 1, &jobs[1], obj_key);
    ossio_client_run(cl);
    for (int i = 0; i < N; i++) {
        assert_int_equal(jobs[i].done, 1);
        if (jobs[i].st != OSSIO_OK || jobs[i].http != 200 || jobs[i].mismatch) {
            fail_msg("request %d: %s (%s)", i, ossio_status_name(jobs[i].st), jobs[i].detail);
        }
    }
    assert_int_equal(ossio_client_stat(cl, OSSIO_STAT_CONNECTIONS_OPENED), 2);
    assert_true(ossio_client_stat(cl, OSSIO_STAT_REQUESTS_REPLAYED) >= 1);
    ossio_client_destroy(cl);
    clear_faults(bad_key);
}

static int ticks;
static int host_outstanding;
static void on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)revents;
    ticks++;
    if (host_outstanding == 0) {
        ev_timer_stop(loop, w);
    }
}

static void t_host_loop_embedding(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    int threads_before = thread_count();
    ossio_client *cl = client_with(loop, NULL);
    ev_timer tick;
    ev_timer_init(&tick, on_tick, 0.001, 0.001);
    ev_timer_start(loop, &tick);
    enum { N = 200 };
    job *jobs = calloc(N, sizeof(job));
    host_outstanding = N;
    for (int i = 0; i < N; i++) {
        jobs[i].outstanding = &host_outstanding;
        jobs[i].expect = medium;
        jobs[i].expect_len = medium_len;
        start_get(cl, &jobs[i], fmt_url("https://localhost:%d/medium.bin", ep_port("NGINX_TLS")),
                  "bytes=0-262143");
        ossio_request_submit(jobs[i].r, job_on_done, &jobs[i]);
    }
    assert_int_equal(ossio_client_run(cl), OSSIO_EINVAL); /* not ours to run */
    while (host_outstanding > 0) {
        ev_run(loop, EVRUN_ONCE);
        assert_int_equal(thread_count(), threads_before);
    }
    for (int i = 0; i < N; i++) {
        assert_int_equal(jobs[i].st, OSSIO_OK);
        assert_int_equal(jobs[i].got, 262144);
        assert_false(jobs[i].mismatch);
    }
    assert_true(ticks > 0);
    ev_timer_stop(loop, &tick);
    ossio_client_destroy(cl);
    /* Nothing of ossio's is left on the host's loop. */
    ev_run(loop, EVRUN_NOWAIT);
    assert_int_equal(ev_pending_count(loop), 0);
    free(jobs);
    ev_loop_destroy(loop);
}

static void t_destroy_with_500_in_flight(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    ossio_client *cl = client_with(loop, NULL);
    enum { N = 500 };
    job *jobs = calloc(N, sizeof(job));
    for (int i = 0; i < N; i++) {
        start_get(cl, &jobs[i], fmt_url("https://localhost:%d/medium.bin", ep_port("NGINX_TLS")),
                  NULL);
        ossio_request_submit(jobs[i].r, job_on_done, &jobs[i]);
    }
    /* Let connections open and data flow, then destroy mid-flight. */
    for (int spins = 0;
         spins < 100000 && ossio_client_stat(cl, OSSIO_STAT_BYTES_RECEIVED) < 8 * MIB; spins++) {
        ev_run(loop, EVRUN_ONCE);
    }
    assert_true(ossio_client_stat(cl, OSSIO_STAT_BYTES_RECEIVED) >= 8 * MIB);
    ossio_client_destroy(cl);
    int canceled = 0;
    for (int i = 0; i < N; i++) {
        assert_int_equal(jobs[i].done, 1);
        if (jobs[i].st == OSSIO_ECANCELED) {
            canceled++;
        } else {
            assert_int_equal(jobs[i].st, OSSIO_OK);
        }
    }
    assert_true(canceled > 0);
    ev_run(loop, EVRUN_NOWAIT);
    for (int i = 0; i < N; i++) {
        assert_int_equal(jobs[i].done, 1); /* still exactly once */
    }
    free(jobs);
    ev_loop_destroy(loop);
}

static void t_cancel_one(void **state)
{
    (void)state;
    ossio_client *cl = client_with(NULL, NULL);
    enum { N = 10 };
    job jobs[N];
    memset(jobs, 0, sizeof(jobs));
    for (int i = 0; i < N; i++) {
        start_get(cl, &jobs[i], fmt_url("https://localhost:%d/medium.bin", ep_port("NGINX_TLS")),
                  NULL);
        ossio_request_submit(jobs[i].r, job_on_done, &jobs[i]);
    }
    ossio_request_cancel(jobs[3].r);
    assert_int_equal(jobs[3].done, 0); /* completion comes from the loop */
    ossio_client_run(cl);
    for (int i = 0; i < N; i++) {
        assert_int_equal(jobs[i].done, 1);
        assert_int_equal(jobs[i].st, i == 3 ? OSSIO_ECANCELED : OSSIO_OK);
    }
    assert_int_equal(jobs[0].got, medium_len);
    ossio_client_destroy(cl);
}

static int saw_continue;
static void capture_log(ossio_log_level level, const char *msg, void *ud)
{
    (void)level;
    (void)ud;
    if (strstr(msg, "100 Continue") != NULL) {
        saw_continue++;
    }
}

static void t_expect_continue_upload(void **state)
{
    (void)state;
    const char *ports[] = {"HTTP", "H1_TLS"};
    for (int i = 0; i < 2; i++) {
        ossio_client *cl = client_with(NULL, "fs.oss.http2.enabled", "false",
                                       "fs.oss.http1.expect.continue", "65536", NULL);
        ossio_client_set_log(cl, capture_log, OSSIO_LOG_DEBUG, NULL);
        saw_continue = 0;
        char base[64];
        snprintf(base, sizeof(base), "%s://localhost:%d", i == 0 ? "http" : "https",
                 ep_port(ports[i]));
        char key[128];
        snprintf(key, sizeof(key), "transport/%d/expect-%d.bin", (int)getpid(), i);
        job j = put_object(cl, base, key, obj, sizeof(obj));
        if (j.st != OSSIO_OK || j.http != 200) {
            fail_msg("%s: %s http %d (%s)", ports[i], ossio_status_name(j.st), j.http, j.detail);
        }
        char crc[32];
        snprintf(crc, sizeof(crc), "%llu", (unsigned long long)ossio_crc64(0, obj, sizeof(obj)));
        assert_string_equal(j.crc_header, crc);
        /* Expect was sent and the server's 100 arrived (whether the body waited
         * for it or for the 1 s timer depends on load: not asserted). */
        assert_int_equal(saw_continue, 1);
        ossio_client_destroy(cl);
    }
}

static void t_tls_session_resumed(void **state)
{
    (void)state;
    ossio_client *cl = client_with(NULL, "fs.oss.http2.enabled", "false", NULL);
    char base[64];
    snprintf(base, sizeof(base), "https://localhost:%d", ep_port("NGINX_TLS"));
    ranged_gets(cl, base, 1, "http/1.1"); /* first connection: full handshake, session kept */
    assert_int_equal(ossio_client_stat(cl, OSSIO_STAT_TLS_RESUMED), 0);
    ranged_gets(cl, base, 4, "http/1.1"); /* more connections: they resume it */
    assert_true(ossio_client_stat(cl, OSSIO_STAT_CONNECTIONS_OPENED) >= 2);
    assert_true(ossio_client_stat(cl, OSSIO_STAT_TLS_RESUMED) >= 1);
    ossio_client_destroy(cl);
}

/* Cancel right after submit: the HEADERS are still in nghttp2's queue (no
 * stream yet). Regression: nghttp2 used to be left holding a pointer to the
 * freed request and called back with it when it sent the queued HEADERS. */
static void t_cancel_before_headers_leave(void **state)
{
    (void)state;
    ossio_client *cl = client_with(NULL, NULL);
    enum { N = 60 };
    job jobs[N];
    memset(jobs, 0, sizeof(jobs));
    /* One request first, so the connection is up and takes the next ones at once. */
    job first;
    memset(&first, 0, sizeof(first));
    start_get(cl, &first, fmt_url("https://localhost:%d/small.bin", ep_port("NGINX_TLS")), NULL);
    ossio_request_submit(first.r, job_on_done, &first);
    ossio_client_run(cl);
    assert_int_equal(first.st, OSSIO_OK);
    for (int i = 0; i < N; i++) {
        start_get(cl, &jobs[i], fmt_url("https://localhost:%d/small.bin", ep_port("NGINX_TLS")),
                  NULL);
        ossio_request_submit(jobs[i].r, job_on_done,
                             &jobs[i]); /* on the connection, not yet sent */
    }
    for (int i = 0; i < N; i += 2) {
        ossio_request_cancel(jobs[i].r);
    }
    ossio_client_run(cl);
    for (int i = 0; i < N; i++) {
        assert_int_equal(jobs[i].done, 1);
        assert_int_equal(jobs[i].st, i % 2 == 0 ? OSSIO_ECANCELED : OSSIO_OK);
    }
    ossio_client_destroy(cl);
}

static void t_bad_request_arguments(void **state)
{
    (void)state;
    ossio_client *cl = client_with(NULL, NULL);
    ossio_request *r = NULL;
    assert_int_equal(ossio_request_new(&r, cl, "GET", "ftp://x/"), OSSIO_EINVAL);
    assert_null(r);
    assert_int_equal(ossio_request_new(&r, cl, "GET", "https://a b/"), OSSIO_EINVAL);
    assert_int_equal(ossio_request_new(&r, cl, "get", "https://x/"), OSSIO_EINVAL);
    assert_int_equal(ossio_request_new(&r, cl, "GET", "https://x:99999/"), OSSIO_EINVAL);
    assert_int_equal(ossio_request_new(&r, cl, "GET", "https://x/a\r\nb"), OSSIO_EINVAL);
    assert_int_equal(ossio_request_new(&r, cl, "GET", "https://[::1]:8443/p?q=1"), OSSIO_OK);
    assert_int_equal(ossio_request_add_header(r, "X-Ok", "v"), OSSIO_OK);
    assert_int_equal(ossio_request_add_header(r, "X-Bad", "v\r\nInjected: 1"), OSSIO_EINVAL);
    assert_int_equal(ossio_request_add_header(r, "Bad Name", "v"), OSSIO_EINVAL);
    assert_int_equal(ossio_request_add_header(r, "Content-Length", "5"), OSSIO_EINVAL);
    assert_int_equal(ossio_request_add_header(r, "Host", "evil"), OSSIO_EINVAL);
    assert_int_equal(ossio_request_submit(r, NULL, NULL), OSSIO_EINVAL);
    ossio_request_free(r);
    /* A host no resolver accepts (over 253 characters) completes with an
     * error instead of waiting forever (review finding). */
    char long_host[400] = "https://";
    memset(long_host + 8, 'a', 300);
    strcpy(long_host + 308, ".test/x");
    job j;
    memset(&j, 0, sizeof(j));
    start_get(cl, &j, long_host, NULL);
    ossio_request_submit(j.r, job_on_done, &j);
    ossio_client_run(cl);
    assert_int_equal(j.done, 1);
    assert_int_not_equal(j.st, OSSIO_OK);
    ossio_config *cfg = ossio_config_new();
    assert_int_equal(ossio_config_set(cfg, "fs.oss.connection.maximum", "-3"), OSSIO_ECONFIG);
    assert_non_null(strstr(ossio_config_error(cfg), "fs.oss.connection.maximum"));
    assert_int_equal(ossio_config_set(cfg, "fs.oss.http2.stream.window", "16M"), OSSIO_OK);
    assert_int_equal(ossio_config_set(cfg, "fs.oss.connection.ca.file", "/nonexistent/ca.pem"),
                     OSSIO_OK);
    ossio_client *bad = NULL;
    assert_int_equal(ossio_client_new(&bad, cfg, NULL), OSSIO_ETLS);
    assert_null(bad);
    ossio_config_free(cfg);
    ossio_client_destroy(cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_bad_request_arguments),
        cmocka_unit_test(t_h2_1000_ranged_gets_one_connection),
        cmocka_unit_test(t_h1_1000_ranged_gets_spread),
        cmocka_unit_test(t_h2c_ranged_gets),
        cmocka_unit_test(t_cleartext_without_h2c_is_http11),
        cmocka_unit_test(t_nghttpx_stream_limit),
        cmocka_unit_test(t_upload_64mib_streamed),
        cmocka_unit_test(t_tls_verification),
        cmocka_unit_test(t_tls_session_resumed),
        cmocka_unit_test(t_expect_continue_upload),
        cmocka_unit_test(t_connection_refused_and_dns),
        cmocka_unit_test(t_resolve_override_virtual_host),
        cmocka_unit_test(t_stall_times_out),
        cmocka_unit_test(t_reset_mid_body_h2),
        cmocka_unit_test(t_reset_mid_body_h1),
        cmocka_unit_test(t_goaway_resends_unprocessed),
        cmocka_unit_test(t_host_loop_embedding),
        cmocka_unit_test(t_cancel_one),
        cmocka_unit_test(t_cancel_before_headers_leave),
        cmocka_unit_test(t_destroy_with_500_in_flight),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
