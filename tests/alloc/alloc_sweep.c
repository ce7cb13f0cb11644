/* The allocation-failure sweep (issue 14.2, docs/testing.md "Allocation
 * failures"): for n = 1, 2, … each run of an operation, in a child process,
 * fails the n-th allocation (failing_alloc.c) and must end with success or a
 * named error: never a crash, a hang (alarm) or a leak (LSan at the child's
 * exit); an upload that fails leaves no multipart upload behind. The sweep
 * of an operation ends at the first n its run never reached.
 *
 *   alloc_sweep SCENARIO [STRIDE]
 *
 * SCENARIO: download (h2+TLS), upload (HTTP/1.1+TLS), list (HTTP/1.1),
 * split (h2c), text-write (h2+TLS). STRIDE 1 (default) tries every n; a
 * larger one tries every n up to 64, then steps by 1..STRIDE (seeded by
 * OSSIO_SEED, printed) — the sampled sweep of ./dev test. */
#define _DEFAULT_SOURCE /* dprintf, fdopen under -std=c11 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../transport/endpoint_env.h"
#include "failing_alloc.h"
#include "scenarios.h"

typedef struct scenario {
    const char *name;
    int (*run)(ossio_client *cl, const sc_fixture *fx);
    const char *scheme;
    const char *port; /* endpoint.env port name */
    const char *proto_key;
    const char *proto_value;
} scenario;

static const scenario scenarios[] = {
    {"download", sc_download, "https", "H2_TLS_RAW", "fs.oss.http2.enabled", "true"},
    {"upload", sc_upload, "https", "H2_TLS_RAW", "fs.oss.http2.enabled", "false"},
    {"list", sc_list, "http", "HTTP", "fs.oss.http2.cleartext", "false"},
    {"split", sc_split, "http", "H2C_RAW", "fs.oss.http2.cleartext", "true"},
    {"text-write", sc_text_write, "https", "H2_TLS_RAW", "fs.oss.http2.enabled", "true"},
};

static sc_fixture fx;

static int port_of(const char *name)
{
    char key[64];
    snprintf(key, sizeof(key), "PORT_%s", name);
    return atoi(ep(key));
}

static void log_line(ossio_log_level level, const char *msg, void *ud)
{
    (void)ud;
    fprintf(stderr, "[ossio %d] %s\n", (int)level, msg);
}

/* A client for |sc|, or NULL (an allocation failed: the status is named). */
static ossio_client *make_client(const scenario *sc, ossio_status *st)
{
    char endpoint[128];
    snprintf(endpoint, sizeof(endpoint), "%s://localhost:%d", sc->scheme, port_of(sc->port));
    const char *kv[] = {
        "fs.oss.endpoint",
        endpoint,
        "fs.oss.accessKeyId",
        ep("ACCESS_KEY_ID"),
        "fs.oss.accessKeySecret",
        ep("ACCESS_KEY_SECRET"),
        "fs.oss.path.style.access",
        "true",
        "fs.oss.connection.ca.file",
        ep("CA_FILE"),
        sc->proto_key,
        sc->proto_value,
        "fs.oss.multipart.upload.threshold",
        "1M",
        "fs.oss.multipart.upload.size",
        "1M",
        "fs.oss.multipart.download.size",
        "1M",
        "fs.oss.block.size",
        "65536",
        "fs.oss.attempts.maximum",
        "3",
        "fs.oss.connection.establish.timeout",
        "5000",
        "fs.oss.request.first-byte.timeout",
        "5000",
        "fs.oss.operation.deadline",
        "30000",
    };
    ossio_config *cfg = ossio_config_new();
    *st = cfg ? OSSIO_OK : OSSIO_ENOMEM;
    for (size_t i = 0; *st == OSSIO_OK && i < sizeof(kv) / sizeof(kv[0]); i += 2) {
        *st = ossio_config_set(cfg, kv[i], kv[i + 1]);
    }
    ossio_client *cl = NULL;
    if (*st == OSSIO_OK) {
        *st = ossio_client_new(&cl, cfg, NULL);
    }
    ossio_config_free(cfg);
    if (cl != NULL && getenv("OSSIO_TEST_LOG") != NULL) {
        ossio_client_set_log(cl, log_line, (ossio_log_level)atoi(getenv("OSSIO_TEST_LOG")), NULL);
    }
    return cl;
}

/* Multipart uploads still open under |uri| (an upload or text write that
 * failed must leave none); aborts them so the next run starts clean. */
static int open_uploads(const scenario *sc, const char *uri, int abort_them);

/* One child's run with the n-th allocation failing; its exit code. */
static int child(const scenario *sc, uint64_t n, int report_fd)
{
    alarm(90); /* a hang is a failure: SIGALRM kills the child */
    fa_arm(n);
    ossio_status st;
    ossio_client *cl = make_client(sc, &st);
    int rc = cl ? sc->run(cl, &fx) : (ossio_status_name(st) ? SC_NAMED : SC_WRONG);
    ossio_client_destroy(cl);
    fa_disarm();
    int failed = fa_failed();
    uint64_t count = fa_count();
    fa_forgive_openssl();
    int reported = strstr(sc_last_detail, "may keep an upload") != NULL;
    dprintf(report_fd, "%d %llu %d\n", failed, (unsigned long long)count, reported);
    return rc;
}

/* After a failed upload or text write, from the parent: a child whose
 * failure landed inside OpenSSL can keep a broken OpenSSL for the rest of
 * its life, so the check runs where OpenSSL never failed. */
static int left_over(const scenario *sc, uint64_t n, int reported)
{
    const char *uri = strcmp(sc->name, "upload") == 0 ? fx.up_uri : fx.out_uri;
    int left = open_uploads(sc, uri, 0);
    if (left > 0 && reported) {
        /* reported, not silent: InitiateMultipartUpload's answer was lost */
        fprintf(stderr, "n=%llu: upload left behind, and the result says so\n",
                (unsigned long long)n);
        open_uploads(sc, uri, 1);
        return 0;
    }
    if (left != 0) {
        fprintf(stderr, "n=%llu: %d multipart upload(s) left behind\n", (unsigned long long)n,
                left);
        return 1;
    }
    return 0;
}

static char left_ids[8][256];

static int on_upload_entry(ossio_op *op, const ossio_list_entry *e, void *ud)
{
    (void)op;
    int *n = ud;
    if (*n >= 0 && *n < 8 && e->upload_id != NULL) {
        snprintf(left_ids[*n], sizeof(left_ids[*n]), "%s", e->upload_id);
    }
    (*n)++;
    return 0;
}

static void on_list_done(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)op;
    if (res->status != OSSIO_OK || res->http_status != 200) {
        fprintf(stderr, "listing uploads: %s %d (%s)\n", ossio_status_name(res->status),
                res->http_status, res->detail ? res->detail : "");
        *(int *)ud = -1000; /* cannot tell: counts as left behind */
    }
}

static void on_abort_done(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)op;
    (void)res;
    (void)ud;
}

static int open_uploads(const scenario *sc, const char *uri, int abort_them)
{
    ossio_status st;
    ossio_client *cl = make_client(sc, &st);
    ossio_op *op = NULL;
    int n = 0;
    if (cl == NULL || ossio_op_new(&op, cl, OSSIO_OP_MULTIPART_LIST_UPLOADS, uri) != OSSIO_OK) {
        ossio_client_destroy(cl);
        return -1;
    }
    ossio_op_set_callbacks(op, NULL, on_upload_entry, &n);
    ossio_op_submit(op, on_list_done, &n);
    ossio_client_run(cl);
    for (int i = 0; abort_them && i < n && i < 8; i++) {
        if (ossio_op_new(&op, cl, OSSIO_OP_MULTIPART_ABORT, uri) == OSSIO_OK &&
            ossio_op_set_upload(op, left_ids[i], 0) == OSSIO_OK) {
            ossio_op_submit(op, on_abort_done, NULL);
        }
    }
    ossio_client_run(cl);
    ossio_client_destroy(cl);
    return n;
}

/* Runs one n in a child; 0 when it ended well, and whether the failure
 * was reached. */
static int try_n(const scenario *sc, uint64_t n, int *reached, uint64_t *count)
{
    int fds[2];
    if (pipe(fds) != 0) {
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        exit(child(sc, n, fds[1]));
    }
    close(fds[1]);
    char line[64] = "";
    FILE *f = fdopen(fds[0], "r");
    if (f == NULL || fgets(line, sizeof(line), f) == NULL) {
        line[0] = '\0';
    }
    if (f) {
        fclose(f);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    unsigned long long c = 0;
    int reported = 0;
    *reached = 1;
    if (sscanf(line, "%d %llu %d", reached, &c, &reported) == 3) {
        *count = c;
    }
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "%s n=%llu: killed by signal %d%s\n", sc->name, (unsigned long long)n,
                WTERMSIG(status), WTERMSIG(status) == SIGALRM ? " (hang)" : "");
        return -1;
    }
    int code = WEXITSTATUS(status);
    if (code == SC_NAMED &&
        (strcmp(sc->name, "upload") == 0 || strcmp(sc->name, "text-write") == 0) &&
        left_over(sc, n, reported)) {
        code = SC_WRONG;
    }
    if (code != SC_OK && code != SC_NAMED) {
        fprintf(stderr, "%s n=%llu: exit %d (wrong answer, left-over or leak)\n", sc->name,
                (unsigned long long)n, code);
        return -1;
    }
    return code;
}

/* ---- the fixture, written without failures ---- */

static void on_put(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)op;
    if (res->status != OSSIO_OK || res->http_status != 200) {
        fprintf(stderr, "fixture PUT: %s %d\n", ossio_strerror(res->status), res->http_status);
        *(int *)ud = 1;
    }
}

static void put(ossio_client *cl, const char *uri, const void *data, size_t len)
{
    ossio_op *op = NULL;
    int bad = 0;
    if (ossio_op_new(&op, cl, OSSIO_OP_PUT, uri) != OSSIO_OK ||
        ossio_op_set_body(op, data, len) != OSSIO_OK ||
        ossio_op_submit(op, on_put, &bad) != OSSIO_OK) {
        fprintf(stderr, "fixture PUT %s: %s\n", uri, ossio_client_error(cl));
        exit(3);
    }
    ossio_client_run(cl);
    if (bad) {
        exit(3);
    }
}

static void make_fixture(void)
{
    const char *b = ep("BUCKET");
    int pid = (int)getpid();
    snprintf(fx.big_uri, sizeof(fx.big_uri), "oss://%s/alloc/%d/big", b, pid);
    snprintf(fx.up_uri, sizeof(fx.up_uri), "oss://%s/alloc/%d/up", b, pid);
    snprintf(fx.list_uri, sizeof(fx.list_uri), "oss://%s/alloc/%d/list/", b, pid);
    snprintf(fx.text_uri, sizeof(fx.text_uri), "oss://%s/alloc/%d/text.txt", b, pid);
    snprintf(fx.out_uri, sizeof(fx.out_uri), "oss://%s/alloc/%d/out.txt", b, pid);
    fx.big_len = 3 * 1024 * 1024 - 12345; /* three parts, the last one short */
    fx.big = malloc(fx.big_len);
    for (size_t i = 0; i < fx.big_len; i++) {
        fx.big[i] = (uint8_t)(i * 2654435761u >> 13);
    }
    fx.big_crc = ossio_crc64(0, fx.big, fx.big_len);
    ossio_status st;
    ossio_client *cl = make_client(&scenarios[2], &st);
    if (cl == NULL) {
        fprintf(stderr, "fixture client: %s\n", ossio_strerror(st));
        exit(3);
    }
    put(cl, fx.big_uri, fx.big, fx.big_len);
    fx.list_count = 5;
    for (unsigned i = 0; i < fx.list_count; i++) {
        char uri[600];
        snprintf(uri, sizeof(uri), "%sk%u", fx.list_uri, i);
        put(cl, uri, "x", 1);
    }
    fx.text_lines = 4000;
    char *text = malloc((size_t)fx.text_lines * 48);
    size_t len = 0;
    for (unsigned i = 0; i < fx.text_lines; i++) {
        len += (size_t)sprintf(text + len, "line %u of the split read fixture\n", i);
    }
    put(cl, fx.text_uri, text, len);
    free(text);
    ossio_client_destroy(cl);
}

static uint64_t next_n(uint64_t n, unsigned stride)
{
    if (stride <= 1 || n < 64) {
        return n + 1;
    }
    return n + 1 + (uint64_t)(rand() % (int)stride);
}

int main(int argc, char **argv)
{
    const scenario *sc = NULL;
    for (size_t i = 0; argc > 1 && i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
        if (strcmp(argv[1], scenarios[i].name) == 0) {
            sc = &scenarios[i];
        }
    }
    if (sc == NULL) {
        fprintf(stderr, "usage: alloc_sweep download|upload|list|split|text-write [STRIDE]\n");
        return 2;
    }
    unsigned stride = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
    unsigned seed =
        getenv("OSSIO_SEED") ? (unsigned)atoi(getenv("OSSIO_SEED")) : (unsigned)time(NULL);
    srand(seed);
    signal(SIGPIPE, SIG_IGN);
    fa_install();
    make_fixture();

    unsigned runs = 0, ok = 0, named = 0, bad = 0;
    uint64_t total = 0;
    uint64_t from = getenv("OSSIO_ALLOC_FROM") ? strtoull(getenv("OSSIO_ALLOC_FROM"), NULL, 10) : 1;
    for (uint64_t n = from; bad < 5; n = next_n(n, stride)) {
        int reached = 1;
        uint64_t count = 0;
        int rc = try_n(sc, n, &reached, &count);
        runs++;
        bad += rc < 0;
        ok += rc == SC_OK;
        named += rc == SC_NAMED;
        if (!reached && rc >= 0) {
            total = count; /* the whole operation took fewer than n allocations */
            break;
        }
    }
    printf("%s: %llu allocations in a run; %u runs (stride %u, seed %u): %u succeeded, %u ended "
           "with a named error, %u crashed, hung, leaked or answered wrong\n",
           sc->name, (unsigned long long)total, runs, stride, seed, ok, named, bad);
    free(fx.big);
    return bad == 0 ? 0 : 1;
}
