/* The log as the layers above the transport call it: by client. */
#include "ops/context.h"

#include <stdarg.h>

void ossio__log(ossio_client *cl, ossio_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ossio__tp_vlog(ossio__cl_tp(cl), level, fmt, ap);
    va_end(ap);
}
