/* Helpers for tests that talk to the local endpoint through ossio's public
 * API: clients from key/value lists, request bookkeeping, OSS V1 signing of
 * test requests (checked by the endpoint with Aliyun's code), the control
 * port, and a loop runner. Test code only. */
#ifndef OSSIO_TESTS_REQ_SUPPORT_H
#define OSSIO_TESTS_REQ_SUPPORT_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ossio.h>

#include "endpoint_env.h"

/* One request's outcome, filled by the callbacks below. */
typedef struct job {
    ossio_request *r;
    int done; /* completion callbacks seen (must end at 1) */
    ossio_status st;
    int http;
    char proto[16];
    char detail[200];
    uint64_t got;
    const uint8_t *expect; /* expected body bytes, or NULL */
    uint64_t expect_len;
    int mismatch;
    char crc_header[32];
    int *outstanding;
} job;

static int job_on_data(ossio_request *r, const uint8_t *d, size_t n, void *ud)
{
    (void)r;
    job *j = ud;
    if (j->expect != NULL) {
        if (j->got + n > j->expect_len || memcmp(j->expect + j->got, d, n) != 0) {
            j->mismatch = 1;
        }
    }
    j->got += n;
    return 0;
}

static int job_on_headers(ossio_request *r, int status, const ossio_response *resp, void *ud)
{
    (void)r;
    (void)status;
    job *j = ud;
    const char *crc = ossio_response_header(resp, "x-oss-hash-crc64ecma");
    if (crc != NULL) {
        snprintf(j->crc_header, sizeof(j->crc_header), "%s", crc);
    }
    return 0;
}

static void job_on_done(ossio_request *r, const ossio_result *res, void *ud)
{
    (void)r;
    job *j = ud;
    j->done++;
    j->st = res->status;
    j->http = res->http_status;
    snprintf(j->proto, sizeof(j->proto), "%s", res->protocol ? res->protocol : "");
    snprintf(j->detail, sizeof(j->detail), "%s", res->detail ? res->detail : "");
    if (j->outstanding != NULL) {
        (*j->outstanding)--;
    }
}

static void log_to_stderr(ossio_log_level level, const char *msg, void *ud)
{
    (void)ud;
    fprintf(stderr, "[ossio %d] %s\n", (int)level, msg);
}

/* A client with "key", "value", ..., NULL settings; asserts creation works.
 * OSSIO_TEST_LOG=3 in the environment shows the library's log up to that level. */
static ossio_client *client_with(struct ev_loop *loop, ...)
{
    ossio_config *cfg = ossio_config_new();
    ossio_config_set(cfg, "fs.oss.connection.ca.file", ep("CA_FILE"));
    va_list ap;
    va_start(ap, loop);
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (k == NULL) {
            break;
        }
        const char *v = va_arg(ap, const char *);
        if (ossio_config_set(cfg, k, v) != OSSIO_OK) {
            fprintf(stderr, "config: %s\n", ossio_config_error(cfg));
            exit(1);
        }
    }
    va_end(ap);
    ossio_client *cl = NULL;
    ossio_status st = ossio_client_new(&cl, cfg, loop);
    ossio_config_free(cfg);
    if (st != OSSIO_OK) {
        fprintf(stderr, "ossio_client_new: %s\n", ossio_strerror(st));
        exit(1);
    }
    if (getenv("OSSIO_TEST_LOG") != NULL) { /* debugging a test: the library's log on stderr */
        ossio_client_set_log(cl, log_to_stderr, (ossio_log_level)atoi(getenv("OSSIO_TEST_LOG")),
                             NULL);
    }
    return cl;
}

/* "Date" value for now. */
static void http_date(char *out, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* Adds Date and an OSS V1 Authorization for /bucket/key (no sub-resources,
 * no content type). Test-only: the library's signer arrives with the protocol layer. */
static void sign_v1(ossio_request *r, const char *method, const char *bucket, const char *key)
{
    char date[64];
    http_date(date, sizeof(date));
    char sts[1024];
    snprintf(sts, sizeof(sts), "%s\n\n\n%s\n/%s/%s", method, date, bucket, key);
    const char *secret = ep("ACCESS_KEY_SECRET");
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    HMAC(EVP_sha1(), secret, (int)strlen(secret), (const unsigned char *)sts, strlen(sts), mac,
         &mac_len);
    unsigned char b64[64];
    EVP_EncodeBlock(b64, mac, (int)mac_len);
    char auth[256];
    snprintf(auth, sizeof(auth), "OSS %s:%s", ep("ACCESS_KEY_ID"), b64);
    ossio_request_add_header(r, "Date", date);
    ossio_request_add_header(r, "Authorization", auth);
}

/* Starts a GET of |url| into |j| (body checked against j->expect if set). */
static void start_get(ossio_client *cl, job *j, const char *url, const char *range)
{
    j->done = 0;
    if (ossio_request_new(&j->r, cl, "GET", url) != OSSIO_OK) {
        fprintf(stderr, "bad url %s\n", url);
        exit(1);
    }
    if (range != NULL) {
        ossio_request_add_header(j->r, "Range", range);
    }
    ossio_request_set_callbacks(j->r, job_on_headers, job_on_data, j);
}

/* Blocking HTTP/1.1 call to the endpoint's control port; returns the status
 * and, if |out| is not NULL, the response body (NUL-terminated, truncated to |cap|). */
static int control_io(const char *method, const char *path, const char *json, char *out, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)ep_port("CONTROL"));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    char req[2048];
    size_t body_len = json ? strlen(json) : 0;
    int n = snprintf(req, sizeof(req),
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     method, path, body_len, json ? json : "");
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    static char resp[256 * 1024];
    ssize_t got = 0, k;
    while ((k = read(fd, resp + got, sizeof(resp) - 1 - (size_t)got)) > 0) {
        got += k;
    }
    close(fd);
    resp[got > 0 ? got : 0] = '\0';
    int status = 0;
    sscanf(resp, "HTTP/1.1 %d", &status);
    const char *body = strstr(resp, "\r\n\r\n");
    if (out != NULL && cap > 0) {
        snprintf(out, cap, "%s", body != NULL ? body + 4 : "");
    }
    return status;
}

static int control(const char *method, const char *path, const char *json)
{
    return control_io(method, path, json, NULL, 0);
}

/* How often the faults armed with match.path |path| fired (sum), from GET /faults. */
static int faults_fired(const char *path)
{
    static char body[256 * 1024];
    if (control_io("GET", "/faults", NULL, body, sizeof(body)) != 200) {
        return -1;
    }
    char needle[600];
    snprintf(needle, sizeof(needle), "\"path\":\"%s\"", path);
    int total = 0;
    for (char *m = strstr(body, needle); m != NULL; m = strstr(m + 1, needle)) {
        char *f = m;
        while (f > body && strncmp(f, "\"fired\":", 8) != 0) {
            f--; /* this fault's "fired" comes before its "match" */
        }
        total += atoi(f + 8);
    }
    return total;
}

/* Arms 500 InternalError for the next |count| requests on |path| whose query
 * contains |query| (e.g. "partNumber=3"); |path| needs no JSON escaping. */
static void arm_internal(const char *path, const char *query, int count)
{
    char f[768];
    snprintf(f, sizeof(f),
             "{\"kind\":\"internal\",\"count\":%d,\"match\":{\"path\":\"%s\",\"query\":\"%s\"}}",
             count, path, query);
    assert_int_equal(control("POST", "/faults", f), 201);
}

/* Removes the faults armed for |path| (only ours: other test programs share
 * the endpoint). |path| must need no URL encoding. */
static int clear_faults(const char *path)
{
    char route[512];
    snprintf(route, sizeof(route), "/faults?path=%s", path);
    return control("DELETE", route, NULL);
}

/* Removes every object this test program stored under |prefix| (a key prefix
 * ending with '/', no URL encoding needed), so a whole test run does not keep
 * hundreds of MiB in the endpoint's store. For cmocka's group teardown. */
static int remove_prefix(const char *prefix)
{
    char route[512];
    snprintf(route, sizeof(route), "/objects?prefix=%s", prefix);
    return control("DELETE", route, NULL) == 200 ? 0 : -1;
}

/* remove_prefix("<area>/<pid>/"), the prefix a test program's keys live
 * under; says so on stderr when it fails. 0 or 1, for main's exit code. */
static int remove_own_prefix(const char *area)
{
    char stored[128];
    snprintf(stored, sizeof(stored), "%s/%d/", area, (int)getpid());
    if (remove_prefix(stored) != 0) {
        fprintf(stderr, "could not remove %s from the endpoint's store\n", stored);
        return 1;
    }
    return 0;
}

/* A loopback TCP port nothing listens on (bound, then closed). */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    bind(fd, (struct sockaddr *)&a, sizeof(a));
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

/* Threads of this process (the client must add none). */
static int thread_count(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int n = -1;
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "Threads: %d", &n) == 1) {
            break;
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    return n;
}

#endif /* OSSIO_TESTS_REQ_SUPPORT_H */
