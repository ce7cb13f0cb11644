/* Anchors for self-overlapping delimiters: a KMP pass over a window finds
 * every occurrence, overlapping ones included, and the offsets none straddles. */
#include "split/align.h"

#include <string.h>

#include "util/cursor.h"

/* border[i]: length of the longest proper prefix of delim[0..i] that is also its suffix. */
static void borders(const uint8_t *d, size_t dlen, uint8_t *border)
{
    border[0] = 0;
    size_t k = 0;
    for (size_t i = 1; i < dlen; i++) {
        while (k > 0 && d[i] != d[k]) {
            k = border[k - 1];
        }
        if (d[i] == d[k]) {
            k++;
        }
        border[i] = (uint8_t)k;
    }
}

int ossio__delim_overlaps(const uint8_t *delim, size_t dlen)
{
    if (delim == NULL || dlen < 2 || dlen > OSSIO__LINES_DELIM_MAX) {
        return 0;
    }
    uint8_t border[OSSIO__LINES_DELIM_MAX];
    borders(delim, dlen, border);
    return border[dlen - 1] > 0;
}

/* Starts the window [from, to): nothing seen in it yet. */
static void window(ossio__align *a, uint64_t from, uint64_t to)
{
    a->from = from;
    a->to = to;
    a->pos = from;
    a->matched = 0;
    /* An occurrence starting before the window straddles offsets below from + dlen - 1 only. */
    a->clear = from == 0 ? 0 : from + a->dlen - 1;
    a->found = from == 0; /* the object's start */
    a->anchor = 0;
}

void ossio__align_init(ossio__align *a, const uint8_t *delim, size_t dlen, uint64_t s,
                       uint64_t size)
{
    memset(a, 0, sizeof(*a));
    memcpy(a->delim, delim, dlen);
    a->dlen = dlen;
    borders(delim, dlen, a->border);
    a->limit = s >= dlen ? s - dlen + 1 : 0;
    window(a, s > size ? s - size : 0, s);
}

void ossio__align_back(ossio__align *a, uint64_t size)
{
    /* Anchors of this window began at from + dlen - 1; the next reaches them. */
    uint64_t to = a->from + 2 * (a->dlen - 1);
    window(a, to > size ? to - size : 0, to);
}

/* An occurrence starts at |m| (occurrences arrive in order). */
static void occurrence(ossio__align *a, uint64_t m)
{
    if (m > a->limit) {
        return; /* straddles no offset <= limit */
    }
    if (m >= a->clear) {
        a->found = 1; /* every offset in [clear, m] is an anchor */
        a->anchor = m;
    }
    a->clear = m + a->dlen;
}

void ossio__align_feed(ossio__align *a, const uint8_t *data, size_t len)
{
    ossio__cur c;
    ossio__cur_init(&c, data, len);
    uint8_t b;
    while (ossio__cur_take(&c, &b)) {
        size_t k = a->matched;
        while (k > 0 && a->delim[k] != b) {
            k = a->border[k - 1];
        }
        if (a->delim[k] == b) {
            k++;
        }
        a->pos++;
        if (k == a->dlen) {
            occurrence(a, a->pos - a->dlen);
            k = a->border[k - 1];
        }
        a->matched = k;
    }
}

int ossio__align_result(const ossio__align *a, uint64_t *anchor)
{
    /* Offsets up to pos - dlen + 1: an occurrence straddling them would have ended by now. */
    if (a->pos + 1 >= a->dlen) {
        uint64_t top = a->pos + 1 - a->dlen;
        top = top < a->limit ? top : a->limit;
        if (top >= a->clear) {
            *anchor = top;
            return 1;
        }
    }
    if (a->found) {
        *anchor = a->anchor;
        return 1;
    }
    return 0;
}
