/* Where a sequential delimiter scan is known to stand before a split's start,
 * for delimiters that overlap themselves ("||", "aa", "abab"): the scan state
 * there depends on earlier bytes, so a split looks back. Pure: no I/O. */
#ifndef OSSIO__SPLIT_ALIGN_H
#define OSSIO__SPLIT_ALIGN_H

#include <stddef.h>
#include <stdint.h>

#include "split/lines.h"

/* 1 if a proper prefix of the delimiter is also its suffix ("||", "aba",
 * "abab"): then two occurrences can overlap, and a scan that starts inside a
 * run of them may match other occurrences than a scan from the object's
 * start. 0 for "\n", "\r\n", "|;#" and any other delimiter. */
int ossio__delim_overlaps(const uint8_t *delim, size_t dlen);

/*
 * Looks back from a split's start s for an anchor: an offset y <= s - dlen + 1
 * that no occurrence of the delimiter straddles (none starts in (y - dlen,
 * y)). A sequential left-to-right scan, which resumes after each match, is
 * between matches at y, so a scan from y meets exactly its matches; offset 0
 * is always an anchor. The bytes come in windows [from, to), the first
 * ending at s, each further one ending just after where the previous one's
 * anchors began; the largest anchor of the first window that has one wins.
 * In a window, offsets count whose straddling occurrences lie wholly in it:
 * from + dlen - 1 (or 0 when from is 0) <= y <= to - dlen + 1.
 */
typedef struct ossio__align {
    uint8_t delim[OSSIO__LINES_DELIM_MAX];
    size_t dlen;
    uint8_t border[OSSIO__LINES_DELIM_MAX]; /* KMP: longest proper border of delim[0..i] */
    uint64_t limit;                         /* s - dlen + 1: the largest anchor wanted */
    uint64_t from, to;                      /* the window */
    uint64_t pos;                           /* object offset of the window's next byte */
    size_t matched;                         /* delimiter bytes matched before pos */
    uint64_t clear;                         /* no occurrence seen straddles an offset >= clear */
    int found;                              /* an anchor was seen ... */
    uint64_t anchor;                        /* ... the largest so far */
} ossio__align;

/* Prepares |a| for split start |s| (>= dlen) and its first window of up to
 * |window| (>= 2 * dlen) bytes. |delim| is 1..16 bytes (copied). */
void ossio__align_init(ossio__align *a, const uint8_t *delim, size_t dlen, uint64_t s,
                       uint64_t window);

/* Feeds the window's next |len| bytes (in order, chunks of any size; at
 * most to - pos). */
void ossio__align_feed(ossio__align *a, const uint8_t *data, size_t len);

/* Once the window was fed to its end: 1 and the largest anchor in it in
 * *anchor, or 0 when it has none. */
int ossio__align_result(const ossio__align *a, uint64_t *anchor);

/* After a window without anchor (never one from 0): the next window back,
 * of up to |window| (>= 2 * dlen) bytes. */
void ossio__align_back(ossio__align *a, uint64_t window);

#endif /* OSSIO__SPLIT_ALIGN_H */
