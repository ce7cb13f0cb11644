/* The transport context's own work: the log and the orderly close (every
 * live request completes, connections close, the queue runs dry). */
#include "transport/transport.h"

#include <stdarg.h>
#include <stdio.h>

#include "transport/pool.h"
#include "transport/request.h"
#include "transport/write_soon.h"

void ossio__tp_vlog(ossio__transport *tp, ossio_log_level level, const char *fmt, va_list ap)
{
    if (tp->log == NULL || level > tp->log_level) {
        return;
    }
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    tp->log(level, msg, tp->log_ud);
}

void ossio__tp_log(ossio__transport *tp, ossio_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ossio__tp_vlog(tp, level, fmt, ap);
    va_end(ap);
}

void ossio__transport_close(ossio__transport *tp)
{
    /* Every live request completes now with ECANCELED (or the outcome it
     * already had), connections close, then the queue runs dry. */
    while (tp->all != NULL) {
        ossio_request *r = tp->all;
        while (r != NULL && (r->state == OSSIO__REQ_FINISHING || r->state == OSSIO__REQ_DONE)) {
            r = r->all_next;
        }
        if (r == NULL) {
            break;
        }
        ossio__request_finish(r, OSSIO_ECANCELED, "client destroyed");
    }
    if (tp->loop != NULL) {
        ossio__defer_drain(&tp->defer);
        ossio__pool_destroy(tp);
        ossio__defer_drain(&tp->defer);
        ossio__write_soon_stop(tp);
    }
    if (tp->resolver != NULL) {
        ossio__resolver_destroy(tp->resolver);
        tp->resolver = NULL;
    }
    if (tp->ssl_ctx != NULL) {
        SSL_CTX_free(tp->ssl_ctx);
        tp->ssl_ctx = NULL;
    }
}
