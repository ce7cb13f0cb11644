/* Flushes gathered until the end of the loop's turn (transport/write_soon.h). */
#include "transport/write_soon.h"

static void on_prepare(struct ev_loop *loop, ev_prepare *w, int revents)
{
    (void)revents;
    ossio__transport *tp = w->data;
    /* Only those queued now: a connection queued again while it is flushed
     * waits for the next turn instead of keeping this one going. */
    size_t n = tp->write_soon_n;
    for (size_t i = 0; i < n && tp->write_soon != NULL; i++) {
        ossio__conn *c = tp->write_soon;
        ossio__write_soon_remove(c);
        ossio__conn_write_ready(c); /* may free c */
    }
    if (tp->write_soon == NULL) {
        ev_prepare_stop(loop, w);
    }
}

void ossio__write_soon_init(ossio__transport *tp)
{
    ev_prepare_init(&tp->write_prep, on_prepare);
    tp->write_prep.data = tp;
    tp->write_soon = NULL;
    tp->write_soon_n = 0;
}

void ossio__write_soon_add(ossio__conn *c)
{
    ossio__transport *tp = c->tp;
    if (c->write_soon) {
        return;
    }
    c->write_soon = 1;
    c->ws_prev = NULL;
    c->ws_next = tp->write_soon;
    if (tp->write_soon != NULL) {
        tp->write_soon->ws_prev = c;
    }
    tp->write_soon = c;
    tp->write_soon_n++;
    if (!ev_is_active(&tp->write_prep)) {
        ev_prepare_start(tp->loop, &tp->write_prep);
    }
}

void ossio__write_soon_remove(ossio__conn *c)
{
    if (!c->write_soon) {
        return;
    }
    ossio__transport *tp = c->tp;
    if (c->ws_prev != NULL) {
        c->ws_prev->ws_next = c->ws_next;
    } else {
        tp->write_soon = c->ws_next;
    }
    if (c->ws_next != NULL) {
        c->ws_next->ws_prev = c->ws_prev;
    }
    c->ws_next = c->ws_prev = NULL;
    c->write_soon = 0;
    tp->write_soon_n--;
}

void ossio__write_soon_stop(ossio__transport *tp)
{
    if (tp->loop != NULL) {
        ev_prepare_stop(tp->loop, &tp->write_prep);
    }
}
