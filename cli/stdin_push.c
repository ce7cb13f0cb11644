/* cp - oss://b/k: standard input streamed into a push upload as it arrives.
 * A pipe or terminal is read when the loop says it is readable; a regular
 * file is read in slices from a 0-delay timer, so parts in flight keep
 * moving. When the memory budget is full the push is refused (EAGAIN): the
 * reading stops until the upload's writable callback. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define CHUNK (256 * 1024)
#define SLICE (8 * 1024 * 1024) /* bytes read per loop iteration at most */

static void arm(cli_stdin *s)
{
    if (s->pipe) {
        ev_io_start(s->loop, &s->io);
    } else {
        ev_timer_start(s->loop, &s->again);
    }
}

static void disarm(cli_stdin *s)
{
    ev_io_stop(s->loop, &s->io);
    ev_timer_stop(s->loop, &s->again);
}

/* Reads and pushes until input would block, the budget is full, a slice is
 * done, or the input ends. */
static void pump(cli_stdin *s)
{
    size_t moved = 0;
    while (!s->ended) {
        if (s->len == 0) {
            ssize_t n = read(STDIN_FILENO, s->buf, CHUNK);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0 && errno == EAGAIN) {
                return; /* the io watcher says when there is more */
            }
            if (n < 0) {
                s->failed = 1;
                s->ended = 1;
                disarm(s);
                ossio_transfer_cancel(s->t); /* reported as a read failure */
                return;
            }
            if (n == 0) {
                s->ended = 1;
                disarm(s);
                (void)ossio_transfer_push_end(s->t); /* a failure comes through completion */
                return;
            }
            s->len = (size_t)n;
        }
        ossio_status st = ossio_transfer_push(s->t, s->buf, s->len);
        if (st == OSSIO_EAGAIN) {
            disarm(s); /* until the writable callback */
            return;
        }
        if (st != OSSIO_OK) {
            s->ended = 1; /* the upload failed or was canceled: its completion says why */
            disarm(s);
            return;
        }
        moved += s->len;
        s->len = 0;
        if (moved >= SLICE) {
            arm(s); /* let the loop send; come back next iteration */
            return;
        }
    }
}

static void on_io(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    pump(w->data);
}

static void on_again(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    pump(w->data);
}

int cli_stdin_start(cli_stdin *s, struct ev_loop *loop, ossio_transfer *t)
{
    struct stat sb;
    s->loop = loop;
    s->t = t;
    s->buf = malloc(CHUNK);
    if (s->buf == NULL || fstat(STDIN_FILENO, &sb) != 0) {
        free(s->buf);
        s->buf = NULL;
        return -1;
    }
    s->pipe = !S_ISREG(sb.st_mode);
    if (s->pipe) {
        int fl = fcntl(STDIN_FILENO, F_GETFL);
        s->saved_flags = fl;
        if (fl < 0 || fcntl(STDIN_FILENO, F_SETFL, fl | O_NONBLOCK) != 0) {
            free(s->buf);
            s->buf = NULL;
            return -1;
        }
    }
    ev_io_init(&s->io, on_io, STDIN_FILENO, EV_READ);
    s->io.data = s;
    ev_timer_init(&s->again, on_again, 0., 0.);
    s->again.data = s;
    s->started = 1;
    arm(s);
    return 0;
}

void cli_stdin_resume(cli_stdin *s)
{
    if (s->started && !s->ended) {
        pump(s);
        if (!s->ended && s->pipe) {
            ev_io_start(s->loop, &s->io);
        }
    }
}

void cli_stdin_stop(cli_stdin *s)
{
    if (s->started) {
        disarm(s);
        s->started = 0;
        if (s->pipe && s->saved_flags >= 0) {
            /* the descriptor is shared with the shell: leave it as found */
            (void)fcntl(STDIN_FILENO, F_SETFL, s->saved_flags);
        }
    }
    free(s->buf);
    s->buf = NULL;
}
