/* Writes gathered until the end of the loop's turn: a connection asked to
 * write (a request dispatched to it, a window update) is flushed from an
 * ev_prepare watcher, which runs after this turn's callbacks and before
 * libev applies watcher changes and polls. The socket almost always takes
 * the bytes then, so write interest (an epoll_ctl to add it and another to
 * drop it, and a loop turn) is armed only when it did not. */
#ifndef OSSIO__TRANSPORT_WRITE_SOON_H
#define OSSIO__TRANSPORT_WRITE_SOON_H

#include "transport/conn.h"
#include "transport/transport.h"

void ossio__write_soon_init(ossio__transport *tp);
/* Queues |c| for a flush at the end of this turn (once however often asked). */
void ossio__write_soon_add(ossio__conn *c);
/* Takes |c| off the queue (it closed). */
void ossio__write_soon_remove(ossio__conn *c);
/* Stops the watcher (the client is destroyed; connections are closed). */
void ossio__write_soon_stop(ossio__transport *tp);

#endif /* OSSIO__TRANSPORT_WRITE_SOON_H */
