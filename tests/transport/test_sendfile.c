/* ossio__sendfile on real loopback sockets: a file range reaches the peer
 * byte-exact; a peer that went away is an error (EPIPE or ECONNRESET), never
 * a SIGPIPE in this process (its default action would end the test); a
 * SIGPIPE the host had pending stays pending; the signal mask is restored. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "transport/sendfile.h"

#define LEN (4 * 1024 * 1024)

/* A connected TCP pair on loopback: *a connects, *b is accepted. */
static void tcp_pair(int *a, int *b)
{
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(l, 1), 0);
    assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &len), 0);
    *a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(connect(*a, (struct sockaddr *)&sa, sizeof(sa)), 0);
    *b = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    assert_true(*b >= 0);
    close(l);
}

static int temp_file(uint8_t **data)
{
    char path[] = "/tmp/ossio-sendfile-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    *data = malloc(LEN);
    for (size_t i = 0; i < LEN; i++) {
        (*data)[i] = (uint8_t)(i * 7 + (i >> 12));
    }
    assert_int_equal(write(fd, *data, LEN), LEN);
    return fd;
}

static int pipe_blocked(void)
{
    sigset_t cur;
    pthread_sigmask(SIG_SETMASK, NULL, &cur);
    return sigismember(&cur, SIGPIPE);
}

/* A range from an offset arrives byte-exact; the file position is untouched. */
static void t_range_arrives(void **state)
{
    (void)state;
    uint8_t *data;
    int fd = temp_file(&data);
    int a, b;
    tcp_pair(&a, &b);
    uint64_t off = 1000;
    size_t want = 100000;
    while (off < 1000 + want) {
        ssize_t n = ossio__sendfile(a, fd, &off, 1000 + want - (size_t)off);
        assert_true(n > 0);
    }
    assert_int_equal(off, 1000 + want);
    uint8_t *got = malloc(want);
    size_t have = 0;
    while (have < want) {
        ssize_t n = read(b, got + have, want - have);
        assert_true(n > 0);
        have += (size_t)n;
    }
    assert_memory_equal(got, data + 1000, want);
    assert_int_equal(lseek(fd, 0, SEEK_CUR), LEN); /* where write left it */
    uint64_t end = LEN;
    assert_int_equal(ossio__sendfile(a, fd, &end, 10), 0); /* past the end: 0 */
    free(got);
    free(data);
    close(a);
    close(b);
    close(fd);
}

/* Sends until the closed peer makes it fail; returns the errno. */
static int send_until_error(int a, int fd)
{
    for (int i = 0; i < 1000; i++) {
        uint64_t off = 0;
        ssize_t n = ossio__sendfile(a, fd, &off, LEN);
        if (n < 0) {
            return errno;
        }
        usleep(1000);
    }
    return 0;
}

static void t_closed_peer_is_an_error_not_a_signal(void **state)
{
    (void)state;
    uint8_t *data;
    int fd = temp_file(&data);
    for (int round = 0; round < 5; round++) {
        int a, b;
        tcp_pair(&a, &b);
        close(b); /* unread data makes the close an RST */
        int err = send_until_error(a, fd);
        assert_true(err == EPIPE || err == ECONNRESET);
        assert_false(pipe_blocked()); /* the mask is back */
        sigset_t pending;
        sigpending(&pending);
        assert_false(sigismember(&pending, SIGPIPE));
        close(a);
    }
    free(data);
    close(fd);
}

/* The host blocks SIGPIPE and has one pending: it is still pending after. */
static void t_hosts_pending_sigpipe_is_kept(void **state)
{
    (void)state;
    uint8_t *data;
    int fd = temp_file(&data);
    sigset_t pipe_only, old;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    raise(SIGPIPE);
    int a, b;
    tcp_pair(&a, &b);
    close(b);
    int err = send_until_error(a, fd);
    assert_true(err == EPIPE || err == ECONNRESET);
    assert_true(pipe_blocked()); /* the host's own mask is kept */
    static const struct timespec now = {0, 0};
    assert_int_equal(sigtimedwait(&pipe_only, NULL, &now), SIGPIPE);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(a);
    free(data);
    close(fd);
}

int main(void)
{
    signal(SIGPIPE, SIG_DFL); /* a SIGPIPE that escapes ends this program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_range_arrives),
        cmocka_unit_test(t_closed_peer_is_an_error_not_a_signal),
        cmocka_unit_test(t_hosts_pending_sigpipe_is_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
