/* When cp --resume writes its checkpoint: at once when asked, else at most
 * every MIN_GAP seconds while parts keep coming (each write is two fsyncs),
 * and once more at the end; a failed write is remembered, not fatal. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define MIN_GAP 0.2 /* seconds between checkpoint writes */

static void on_later(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    cli_saver_flush(w->data);
}

void cli_saver_init(cli_saver *s, struct ev_loop *loop, int (*write)(void *, char *, size_t),
                    void *ud)
{
    memset(s, 0, sizeof(*s));
    s->loop = loop;
    s->write = write;
    s->ud = ud;
    ev_timer_init(&s->later, on_later, 0, 0);
    s->later.data = s;
}

void cli_saver_now(cli_saver *s)
{
    s->dirty = 0;
    s->last_save = ev_now(s->loop);
    if (s->write(s->ud, s->why, sizeof(s->why)) != 0) {
        s->failed = 1; /* said at the end: the transfer itself goes on */
    } else {
        s->saved = 1;
    }
}

void cli_saver_soon(cli_saver *s)
{
    s->dirty = 1;
    double wait = s->last_save + MIN_GAP - ev_now(s->loop);
    if (wait <= 0) {
        cli_saver_now(s);
    } else if (!ev_is_active(&s->later)) {
        ev_timer_set(&s->later, wait, 0);
        ev_timer_start(s->loop, &s->later);
    }
}

void cli_saver_flush(cli_saver *s)
{
    ev_timer_stop(s->loop, &s->later);
    if (s->dirty) {
        cli_saver_now(s);
    }
}

void cli_saver_stop(cli_saver *s)
{
    ev_timer_stop(s->loop, &s->later);
}
