/* The record settings shared by the split reader and the text reader. */
#include <string.h>

#include "split/lines.h"
#include "split/split.h"

_Static_assert(sizeof(((ossio__record_opts *)0)->delim) == OSSIO__LINES_DELIM_MAX,
               "a record delimiter is at most OSSIO__LINES_DELIM_MAX bytes");

void ossio__record_opts_init(ossio__record_opts *o, size_t max_record)
{
    memset(o, 0, sizeof(*o));
    o->delim[0] = '\n';
    o->dlen = 1;
    o->max_record = max_record;
}

ossio_status ossio__record_opts_set_delimiter(ossio__record_opts *o, const void *delim, size_t len)
{
    if (delim == NULL || len == 0 || len > sizeof(o->delim)) {
        return OSSIO_EINVAL;
    }
    memcpy(o->delim, delim, len);
    o->dlen = len;
    return OSSIO_OK;
}

ossio_status ossio__record_opts_set_max_record(ossio__record_opts *o, size_t max)
{
    if (max == 0) {
        return OSSIO_EINVAL;
    }
    o->max_record = max;
    return OSSIO_OK;
}
