/* sendfile(2) without SIGPIPE (transport/sendfile.h). */
#include "transport/sendfile.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/sendfile.h>
#include <time.h>

ssize_t ossio__sendfile(int sock, int fd, uint64_t *off, size_t len)
{
    sigset_t pipe_only, old, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    /* A SIGPIPE already pending is the host's: it stays pending. */
    int was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
    off_t pos = (off_t)*off;
    ssize_t n = sendfile(sock, fd, &pos, len);
    int err = errno;
    /* Not only when it failed with EPIPE: a sendfile that moved some bytes
     * before the peer went returns their count, and the kernel raised
     * SIGPIPE for the piece that failed (test_file_body saw it). */
    if (!was_pending && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
        static const struct timespec now = {0, 0};
        while (sigtimedwait(&pipe_only, NULL, &now) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (n > 0) {
        *off += (uint64_t)n;
    }
    errno = err;
    return n;
}
