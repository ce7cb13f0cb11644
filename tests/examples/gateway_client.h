/* Test side of the gateway example: start and stop it, talk HTTP/1.1 to it
 * over plain blocking sockets, and read numbers from its /_stats JSON.
 * Test code only (header-only, for test_gateway.c). */
#ifndef OSSIO_TESTS_EXAMPLES_GATEWAY_CLIENT_H
#define OSSIO_TESTS_EXAMPLES_GATEWAY_CLIENT_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A running gateway. */
typedef struct gwproc {
    pid_t pid;
    int port;
} gwproc;

/* Starts |bin| with |args| (NULL-terminated, after argv[0]) and reads the
 * port from its "listening on http://127.0.0.1:PORT" line. 0 on success. */
static int gw_start(gwproc *g, const char *bin, const char *const *args)
{
    int p[2];
    if (pipe(p) != 0) {
        return -1;
    }
    const char *argv[64];
    size_t n = 0;
    argv[n++] = bin;
    for (; args[n - 1] != NULL && n < 63; n++) {
        argv[n] = args[n - 1];
    }
    argv[n] = NULL;
    g->pid = fork();
    if (g->pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    char line[256];
    size_t got = 0;
    while (got + 1 < sizeof(line)) {
        ssize_t k = read(p[0], line + got, 1);
        if (k <= 0 || line[got] == '\n') {
            break;
        }
        got++;
    }
    line[got] = '\0';
    close(p[0]);
    const char *at = strstr(line, "127.0.0.1:");
    g->port = at != NULL ? atoi(at + 10) : 0;
    fprintf(stderr, "%s\n", line);
    return g->port > 0 ? 0 : -1;
}

/* SIGTERM, then its exit status as waitpid gives it. */
static int gw_stop(gwproc *g)
{
    int status = -1;
    kill(g->pid, SIGTERM);
    while (waitpid(g->pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

/* A blocking connection to the gateway; |rcvbuf| > 0 sets SO_RCVBUF before connecting. */
static int gw_connect(const gwproc *g, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)g->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t k = send(fd, c, n, MSG_NOSIGNAL);
        if (k <= 0) {
            return -1;
        }
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* A connection with a read buffer, so responses can follow each other on it. */
typedef struct hconn {
    int fd;
    uint8_t buf[64 * 1024];
    size_t len;
} hconn;

/* One response. */
typedef struct hresp {
    int status;
    char head[4096];
    long long content_length; /* -1 if absent */
    uint8_t *body;            /* malloc'd (NULL when none) */
    size_t body_len;
    int cut; /* EOF before Content-Length bytes */
} hresp;

static ssize_t hc_fill(hconn *c)
{
    if (c->len == sizeof(c->buf)) {
        return (ssize_t)c->len;
    }
    ssize_t k = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
    if (k > 0) {
        c->len += (size_t)k;
    }
    return k;
}

/* Reads a response's head into |r|. 0, or -1 on EOF/error before a whole head. */
static int hc_read_head(hconn *c, hresp *r)
{
    memset(r, 0, sizeof(*r));
    r->content_length = -1;
    for (;;) {
        uint8_t *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (end != NULL) {
            size_t hl = (size_t)(end - c->buf) + 4;
            size_t keep = hl < sizeof(r->head) ? hl : sizeof(r->head) - 1;
            memcpy(r->head, c->buf, keep);
            r->head[keep] = '\0';
            memmove(c->buf, c->buf + hl, c->len - hl);
            c->len -= hl;
            sscanf(r->head, "HTTP/1.1 %d", &r->status);
            const char *cl = strcasestr(r->head, "\r\nContent-Length:");
            if (cl != NULL) {
                r->content_length = atoll(cl + 17);
            }
            return 0;
        }
        if (hc_fill(c) <= 0) {
            return -1;
        }
    }
}

/* Takes up to |max| body bytes (what is buffered, else one recv). 0 at EOF. */
static ssize_t hc_read_some(hconn *c, uint8_t *out, size_t max)
{
    if (c->len == 0 && hc_fill(c) <= 0) {
        return 0;
    }
    size_t n = c->len < max ? c->len : max;
    memcpy(out, c->buf, n);
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
    return (ssize_t)n;
}

/* Reads the body of |r| (Content-Length bytes, none for HEAD). */
static void hc_read_body(hconn *c, hresp *r, int is_head)
{
    size_t want = is_head || r->content_length < 0 ? 0 : (size_t)r->content_length;
    r->body = malloc(want + 1);
    while (r->body_len < want) {
        ssize_t k = hc_read_some(c, r->body + r->body_len, want - r->body_len);
        if (k <= 0) {
            r->cut = 1;
            break;
        }
        r->body_len += (size_t)k;
    }
    r->body[r->body_len] = '\0';
}

/* Sends |req| on a new connection and reads one response. 0 or -1. */
static int gw_request(const gwproc *g, const char *req, hresp *r)
{
    hconn *c = calloc(1, sizeof(*c));
    c->fd = gw_connect(g, 0);
    int rc = -1;
    if (c->fd >= 0 && send_all(c->fd, req, strlen(req)) == 0 && hc_read_head(c, r) == 0) {
        hc_read_body(c, r, strncmp(req, "HEAD ", 5) == 0);
        rc = 0;
    }
    if (c->fd >= 0) {
        close(c->fd);
    }
    free(c);
    return rc;
}

/* GET /_stats: the JSON (malloc'd), or NULL. */
static char *gw_stats(const gwproc *g)
{
    hresp r;
    if (gw_request(g, "GET /_stats HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", &r) != 0 ||
        r.status != 200) {
        free(r.body);
        return NULL;
    }
    return (char *)r.body;
}

/* The number after "key": in |json| (first occurrence); -1 if absent. */
static long long jnum(const char *json, const char *key)
{
    char needle[96];
    snprintf(needle, sizeof(needle), "\"%s\":", key);
    const char *at = json ? strstr(json, needle) : NULL;
    return at ? atoll(at + strlen(needle)) : -1;
}

/* Copies the line of the connection entry serving |path| in state |state|
 * into |out|; 0 if found. */
static int jconn(const char *json, const char *path, const char *state, char *out, size_t cap)
{
    char needle[512];
    snprintf(needle, sizeof(needle), "\"state\":\"%s\",\"path\":\"%s\"", state, path);
    const char *at = json ? strstr(json, needle) : NULL;
    if (at == NULL) {
        return -1;
    }
    while (at > json && at[-1] != '\n') {
        at--;
    }
    size_t n = strcspn(at, "\n");
    snprintf(out, cap, "%.*s", (int)n, at);
    return 0;
}

/* A short pause between two polls of the stats (not a timing assertion). */
static void nap(void)
{
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

#endif /* OSSIO_TESTS_EXAMPLES_GATEWAY_CLIENT_H */
