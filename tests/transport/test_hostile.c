/* A hostile server, run in-process on the test's own libev loop, answers
 * ossio with broken HTTP: every case must end in a named error on that
 * request, with no crash, no leak and bounded memory. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <ev.h>
#include <ossio.h>

typedef struct server {
    struct ev_loop *loop;
    int lfd;
    int port;
    ev_io accept_w;
    const uint8_t *resp;
    size_t resp_len;
    int close_after; /* close once the response is written */
    struct peer *peers[16];
} server;

typedef struct peer {
    server *s;
    int fd;
    ev_io w;
    size_t sent;
    int got_request;
} peer;

static void peer_free(peer *p)
{
    for (int i = 0; i < 16; i++) {
        if (p->s->peers[i] == p) {
            p->s->peers[i] = NULL;
        }
    }
    ev_io_stop(p->s->loop, &p->w);
    close(p->fd);
    free(p);
}

static void on_peer(struct ev_loop *loop, ev_io *w, int revents)
{
    peer *p = w->data;
    if (revents & EV_READ) {
        char buf[65536];
        ssize_t n = read(p->fd, buf, sizeof(buf));
        if (n == 0 || (n < 0 && errno != EAGAIN)) {
            peer_free(p);
            return;
        }
        if (n > 0 && !p->got_request) {
            p->got_request = 1;
            ev_io_stop(loop, &p->w);
            ev_io_set(&p->w, p->fd, EV_READ | EV_WRITE);
            ev_io_start(loop, &p->w);
        }
    }
    if ((revents & EV_WRITE) && p->got_request) {
        while (p->sent < p->s->resp_len) {
            ssize_t n = write(p->fd, p->s->resp + p->sent, p->s->resp_len - p->sent);
            if (n < 0) {
                if (errno == EAGAIN) {
                    return;
                }
                peer_free(p);
                return;
            }
            p->sent += (size_t)n;
        }
        if (p->s->close_after) {
            peer_free(p);
            return;
        }
        ev_io_stop(loop, &p->w);
        ev_io_set(&p->w, p->fd, EV_READ);
        ev_io_start(loop, &p->w);
    }
}

static void on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)revents;
    server *s = w->data;
    int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        return;
    }
    peer *p = calloc(1, sizeof(*p));
    p->s = s;
    for (int i = 0; i < 16; i++) {
        if (s->peers[i] == NULL) {
            s->peers[i] = p;
            break;
        }
    }
    p->fd = fd;
    ev_io_init(&p->w, on_peer, fd, EV_READ);
    p->w.data = p;
    ev_io_start(loop, &p->w);
}

static void server_start(server *s, struct ev_loop *loop)
{
    s->loop = loop;
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s->lfd, 16), 0);
    getsockname(s->lfd, (struct sockaddr *)&a, &len);
    s->port = ntohs(a.sin_port);
    ev_io_init(&s->accept_w, on_accept, s->lfd, EV_READ);
    s->accept_w.data = s;
    ev_io_start(loop, &s->accept_w);
}

typedef struct outcome {
    int done;
    ossio_status st;
    char detail[200];
    uint64_t got;
} outcome;

static int on_data(ossio_request *r, const uint8_t *d, size_t n, void *ud)
{
    (void)r;
    (void)d;
    ((outcome *)ud)->got += n;
    return 0;
}

static void on_done(ossio_request *r, const ossio_result *res, void *ud)
{
    (void)r;
    outcome *o = ud;
    o->done++;
    o->st = res->status;
    snprintf(o->detail, sizeof(o->detail), "%s", res->detail);
}

/* One GET against a server answering |resp|; returns the outcome. */
static outcome hostile(const void *resp, size_t len, int close_after, int h2c)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    server s;
    memset(&s, 0, sizeof(s));
    s.resp = resp;
    s.resp_len = len;
    s.close_after = close_after;
    server_start(&s, loop);
    ossio_config *cfg = ossio_config_new();
    ossio_config_set(cfg, "fs.oss.connection.timeout", "5000");
    if (h2c) {
        ossio_config_set(cfg, "fs.oss.http2.cleartext", "true");
    }
    ossio_client *cl = NULL;
    assert_int_equal(ossio_client_new(&cl, cfg, loop), OSSIO_OK);
    ossio_config_free(cfg);
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/object", s.port);
    ossio_request *r;
    assert_int_equal(ossio_request_new(&r, cl, "GET", url), OSSIO_OK);
    outcome o;
    memset(&o, 0, sizeof(o));
    ossio_request_set_callbacks(r, NULL, on_data, &o);
    ossio_request_submit(r, on_done, &o);
    while (!o.done) {
        ev_run(loop, EVRUN_ONCE);
    }
    ossio_client_destroy(cl);
    ev_io_stop(loop, &s.accept_w);
    close(s.lfd);
    for (int i = 0; i < 16; i++) {
        if (s.peers[i] != NULL) {
            peer_free(s.peers[i]);
        }
    }
    ev_loop_destroy(loop);
    assert_int_equal(o.done, 1);
    return o;
}

#define S(lit) lit, sizeof(lit) - 1

static void expect(outcome o, ossio_status want)
{
    if (o.st != want) {
        fail_msg("got %s (%s), want %s", ossio_status_name(o.st), o.detail,
                 ossio_status_name(want));
    }
}

static void t_sane_server_works(void **state)
{
    (void)state;
    outcome o = hostile(S("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), 0, 0);
    expect(o, OSSIO_OK);
    assert_int_equal(o.got, 5);
}

static void t_oversized_headers(void **state)
{
    (void)state;
    size_t n = 300 * 1024;
    char *resp = malloc(n);
    memset(resp, 'a', n);
    memcpy(resp, "HTTP/1.1 200 OK\r\nX-Big: ", 24);
    outcome o = hostile(resp, n, 0, 0); /* a header line that never ends */
    expect(o, OSSIO_EHEADERSIZE);
    free(resp);
}

static void t_invalid_status_line(void **state)
{
    (void)state;
    expect(hostile(S("HTTX/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), 0, 0), OSSIO_EPROTO);
    expect(hostile(S("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n"), 0, 0), OSSIO_EPROTO);
    expect(hostile(S("\x16\x03\x01garbage\r\n\r\n"), 0, 0), OSSIO_EPROTO);
}

static void t_body_longer_than_declared(void **state)
{
    (void)state;
    outcome o = hostile(S("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA BYTES"), 0, 0);
    expect(o, OSSIO_EPROTO);
}

static void t_huge_content_length_then_close(void **state)
{
    (void)state;
    outcome o =
        hostile(S("HTTP/1.1 200 OK\r\nContent-Length: 999999999999999999\r\n\r\nabc"), 1, 0);
    expect(o, OSSIO_ECONNRESET);
    assert_int_equal(o.got, 3);
}

static void t_bad_content_length_and_chunks(void **state)
{
    (void)state;
    expect(hostile(S("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"), 0, 0), OSSIO_EPROTO);
    expect(hostile(S("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"), 0, 0),
           OSSIO_EPROTO);
    expect(hostile(S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nhello\r\n"), 0, 0),
           OSSIO_EPROTO);
    expect(hostile(S("HTTP/1.1 200 OK\r\nX-Inj: a\x00b\r\nContent-Length: 0\r\n\r\n"), 0, 0),
           OSSIO_EPROTO);
}

static void t_closed_before_response(void **state)
{
    (void)state;
    expect(hostile(S(""), 1, 0), OSSIO_ECONNRESET);
    expect(hostile(S("HTTP/1.1 200 OK\r\nContent-Le"), 1, 0), OSSIO_ECONNRESET);
}

static void t_h2c_garbage(void **state)
{
    (void)state;
    /* Not HTTP/2 at all, then an invalid frame (SETTINGS with a bad length). */
    expect(hostile(S("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"), 0, 1), OSSIO_EPROTO);
    expect(hostile(S("\x00\x00\x05\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), 0, 1),
           OSSIO_EPROTO);
    /* A valid connection, then a response whose :status is not a number
     * (HPACK literal ":status: abc"): the request fails EPROTO, not as a
     * "reset by the server" (ossio resets that stream itself). */
    expect(hostile(S("\x00\x00\x00\x04\x00\x00\x00\x00\x00"
                     "\x00\x00\x0d\x01\x05\x00\x00\x00\x01"
                     "\x00\x07:status\x03"
                     "abc"),
                   0, 1),
           OSSIO_EPROTO);
}

typedef struct op_outcome {
    int done;
    ossio_status st;
    unsigned retries;
} op_outcome;

static void op_done(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)op;
    op_outcome *o = ud;
    o->done++;
    o->st = res->status;
    o->retries = res->retries;
}

static op_outcome head_once(struct ev_loop *loop, ossio_client *cl)
{
    ossio_op *op;
    assert_int_equal(ossio_op_new(&op, cl, OSSIO_OP_HEAD, "oss://bucket/key"), OSSIO_OK);
    op_outcome o;
    memset(&o, 0, sizeof(o));
    ossio_op_submit(op, op_done, &o);
    while (!o.done) {
        ev_run(loop, EVRUN_ONCE);
    }
    return o;
}

static ossio_client *op_client(struct ev_loop *loop, int port)
{
    char endpoint[64];
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", port);
    ossio_config *cfg = ossio_config_new();
    ossio_config_set(cfg, "fs.oss.endpoint", endpoint);
    ossio_config_set(cfg, "fs.oss.path.style.access", "true");
    ossio_config_set(cfg, "fs.oss.accessKeyId", "id");
    ossio_config_set(cfg, "fs.oss.accessKeySecret", "secret");
    ossio_config_set(cfg, "fs.oss.attempts.maximum", "3");
    ossio_client *cl = NULL;
    assert_int_equal(ossio_client_new(&cl, cfg, loop), OSSIO_OK);
    ossio_config_free(cfg);
    return cl;
}

/* Connection refused: at once from an endpoint that never answered (a wrong
 * port), retried with backoff from one that has worked (a restart). */
static void t_refused_retried_only_after_working(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    server s;
    memset(&s, 0, sizeof(s));
    s.resp = (const uint8_t *)"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    s.resp_len = strlen((const char *)s.resp);
    s.close_after = 1;
    server_start(&s, loop);
    ossio_client *cl = op_client(loop, s.port);
    op_outcome ok = head_once(loop, cl);
    assert_int_equal(ok.st, OSSIO_OK);
    /* The server goes away: its port now refuses. */
    ev_io_stop(loop, &s.accept_w);
    close(s.lfd);
    for (int i = 0; i < 16; i++) {
        if (s.peers[i] != NULL) {
            peer_free(s.peers[i]);
        }
    }
    op_outcome gone = head_once(loop, cl);
    assert_int_equal(gone.st, OSSIO_ECONNREFUSED);
    assert_int_equal(gone.retries, 2); /* fs.oss.attempts.maximum = 3 */
    ossio_client_destroy(cl);
    /* A client that never reached it: no retry. */
    cl = op_client(loop, s.port);
    op_outcome never = head_once(loop, cl);
    assert_int_equal(never.st, OSSIO_ECONNREFUSED);
    assert_int_equal(never.retries, 0);
    ossio_client_destroy(cl);
    ev_loop_destroy(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_sane_server_works),
        cmocka_unit_test(t_oversized_headers),
        cmocka_unit_test(t_invalid_status_line),
        cmocka_unit_test(t_body_longer_than_declared),
        cmocka_unit_test(t_huge_content_length_then_close),
        cmocka_unit_test(t_bad_content_length_and_chunks),
        cmocka_unit_test(t_closed_before_response),
        cmocka_unit_test(t_h2c_garbage),
        cmocka_unit_test(t_refused_retried_only_after_working),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
