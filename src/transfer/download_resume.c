/* Download resume: a pinned version (If-Match, size and CRC-64 checked on
 * every answer), parts already in the sink that are not fetched again, and
 * parts reported to the part-done callback only once fdatasync made them
 * durable, so a checkpoint never names bytes a crash could lose. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "transfer/context.h"
#include "transfer/transfer.h"

#define SYNC_GAP 0.2 /* seconds between fdatasyncs of a download's parts */

ossio_status ossio_transfer_pin(ossio_transfer *t, const char *etag, uint64_t size, int has_crc64,
                                uint64_t crc64)
{
    if (t == NULL || t->submitted || t->upload || etag == NULL || *etag == '\0' ||
        strlen(etag) >= sizeof(t->dl.etag)) {
        return OSSIO_EINVAL;
    }
    snprintf(t->dl.etag, sizeof(t->dl.etag), "%s", etag);
    t->dl.res.pinned = 1;
    t->dl.res.size = size;
    t->dl.res.has_crc64 = has_crc64 != 0;
    t->dl.res.crc64 = has_crc64 ? crc64 : 0;
    return OSSIO_OK;
}

ossio_status ossio_transfer_set_present(ossio_transfer *t, const ossio_part_info *parts, size_t n)
{
    if (t == NULL || t->submitted || t->upload || !t->dl.res.pinned || (parts == NULL && n > 0) ||
        n > MAX_PARTS) {
        return OSSIO_EINVAL;
    }
    ossio_part_info *v = NULL;
    if (n > 0) {
        v = malloc(n * sizeof(*v));
        if (v == NULL) {
            return OSSIO_ENOMEM;
        }
        memcpy(v, parts, n * sizeof(*v));
        for (size_t i = 0; i < n; i++) {
            v[i].etag = NULL; /* borrowed from the caller: not kept */
        }
    }
    free(t->dl.res.present);
    t->dl.res.present = v;
    t->dl.res.n_present = n;
    return OSSIO_OK;
}

const char *ossio_transfer_etag(const ossio_transfer *t)
{
    return t != NULL && !t->upload && t->dl.etag[0] != '\0' ? t->dl.etag : NULL;
}

int ossio_transfer_server_crc64(const ossio_transfer *t, uint64_t *crc64)
{
    if (t == NULL || t->upload || !t->dl.has_server_crc) {
        return 0;
    }
    if (crc64 != NULL) {
        *crc64 = t->dl.server_crc;
    }
    return 1;
}

/* ---- the pin ------------------------------------------------------------ */

int ossio__dl_resume_check(ossio_transfer *t, const ossio_object_info *info)
{
    const ossio__download_resume *r = &t->dl.res;
    if (!r->pinned || info == NULL) {
        return 1;
    }
    char d[300];
    if (info->etag != NULL && strcmp(info->etag, t->dl.etag) != 0) {
        snprintf(d, sizeof(d), "the object changed: its ETag is %.120s, not %.120s", info->etag,
                 t->dl.etag);
    } else if (info->size != r->size) {
        snprintf(d, sizeof(d), "the object changed: its size is %llu, not %llu",
                 (unsigned long long)info->size, (unsigned long long)r->size);
    } else if (r->has_crc64 && info->has_crc64 && info->crc64 != r->crc64) {
        snprintf(d, sizeof(d), "the object changed: its CRC-64 is %llu, not %llu",
                 (unsigned long long)info->crc64, (unsigned long long)r->crc64);
    } else {
        return 1;
    }
    ossio__transfer_fail(t, OSSIO_ECHANGED, d, NULL);
    return 0;
}

static void head_done(ossio_op *op, const ossio_result *res, void *ud)
{
    ossio_transfer *t = ud;
    t->ctl = NULL;
    ossio__transfer_account(t, res);
    if (res->status != OSSIO_OK) {
        ossio__transfer_fail(t, res->status, res->detail, res);
    } else if (ossio__dl_resume_check(t, ossio_op_object(op))) {
        ossio__download_finish_if_done(t);
    }
    ossio__transfer_settle(t);
}

/* Every part is there: one HEAD with If-Match says whether it is still the
 * object's (a checkpoint of a replaced object is refused, not completed). */
static void head_check(ossio_transfer *t)
{
    ossio_op *op = NULL;
    ossio_status st = ossio_op_new(&op, t->cl, OSSIO_OP_HEAD, t->uri);
    if (st == OSSIO_OK) {
        st = ossio_op_set_header(op, "If-Match", t->dl.etag);
    }
    if (st != OSSIO_OK) {
        ossio_op_free(op);
        ossio__transfer_fail(t, st, "could not build the HEAD that checks the pinned object", NULL);
        ossio__transfer_settle_later(t);
        return;
    }
    t->ctl = op;
    ossio__transfer_submit_op(op, head_done, t);
}

/* ---- planning ----------------------------------------------------------- */

static int mark_present(ossio_transfer *t)
{
    const ossio__download_resume *r = &t->dl.res;
    for (size_t i = 0; i < r->n_present; i++) {
        const ossio_part_info *q = &r->present[i];
        part *p = q->number >= 1 && q->number <= t->n_parts ? &t->parts[q->number - 1] : NULL;
        if (p == NULL || p->off != q->offset || p->len != q->size || p->len == 0) {
            char d[200];
            snprintf(d, sizeof(d),
                     "present part %u (%llu bytes at %llu) is not a part of this download "
                     "(another part size?)",
                     (unsigned)q->number, (unsigned long long)q->size,
                     (unsigned long long)q->offset);
            ossio__transfer_fail(t, OSSIO_EINVAL, d, NULL);
            return -1;
        }
        if (p->state != OSSIO__PART_DONE) {
            p->state = OSSIO__PART_DONE;
            p->crc = q->crc64;
            p->got = p->len;
            t->done_parts++;
        }
    }
    return 0;
}

int ossio__dl_resume_plan(ossio_transfer *t)
{
    ossio__download_resume *r = &t->dl.res;
    if (t->dl.sink.ops->ordered) {
        ossio__transfer_fail(t, OSSIO_EINVAL, "a pinned download needs a positional sink", NULL);
        return -1;
    }
    if (!t->dl.sink.ops->fits(&t->dl.sink, r->size)) {
        const char *why = NULL;
        ossio_status st = t->dl.sink.ops->describe(&t->dl.sink, &why);
        ossio__transfer_fail(t, st, why, NULL);
        return -1;
    }
    t->size = r->size;
    t->size_known = 1;
    t->dl.has_server_crc = r->has_crc64;
    t->dl.server_crc = r->crc64;
    uint64_t first = r->size < t->part_size ? r->size : t->part_size;
    size_t n = 1 + ossio__download_rest_count(first, r->size, t->part_size);
    t->parts = calloc(n, sizeof(part));
    if (t->parts == NULL) {
        ossio__transfer_fail(t, OSSIO_ENOMEM, NULL, NULL);
        return -1;
    }
    t->n_parts = n;
    for (size_t i = 0; i < n; i++) {
        t->parts[i].t = t;
        if (i == 0) {
            t->parts[0].len = first;
        } else {
            ossio__part_span(first, r->size, t->part_size, i - 1, &t->parts[i].off,
                             &t->parts[i].len);
        }
    }
    if (mark_present(t) != 0) {
        return -1;
    }
    if (r->size == 0 && t->parts[0].state != OSSIO__PART_DONE) {
        t->parts[0].state = OSSIO__PART_DONE; /* nothing to fetch: the HEAD checks the pin */
        t->done_parts++;
    }
    if (t->done_parts == t->n_parts) {
        head_check(t);
    }
    return 0;
}

/* ---- durable reports ---------------------------------------------------- */

void ossio__dl_resume_identity(ossio_transfer *t)
{
    ossio__download_resume *r = &t->dl.res;
    if (r->part_done != NULL && !r->pinned && !t->dl.sink.ops->ordered) {
        ossio_part_info info = {0, t->size, NULL, t->dl.server_crc, 0};
        r->part_done(t, &info, r->part_done_ud);
    }
}

/* One fdatasync for every part written since the last, then their reports
 * (a part fetched again after a CRC-64 mismatch is reported when done again). */
static void sync_and_report(ossio_transfer *t)
{
    ossio__download_resume *r = &t->dl.res;
    r->last_sync = ev_now(ossio__cl_tp(t->cl)->loop);
    if (r->n_unsynced == 0) {
        return;
    }
    if (t->dl.sink.fd >= 0 && fdatasync(t->dl.sink.fd) != 0) {
        r->n_unsynced = 0;
        ossio__transfer_fail(t, OSSIO_EIO, "could not sync the download's file (fdatasync)", NULL);
        return;
    }
    size_t n = r->n_unsynced;
    r->n_unsynced = 0;
    for (size_t i = 0; i < n; i++) {
        const part *p = &t->parts[r->unsynced[i]];
        if (p->state == OSSIO__PART_DONE && p->got == p->len) {
            ossio_part_info info = {(uint32_t)r->unsynced[i] + 1, p->len, NULL, p->crc, p->off};
            r->part_done(t, &info, r->part_done_ud);
        }
    }
}

static void on_sync_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    sync_and_report(w->data);
}

void ossio__dl_resume_written(ossio_transfer *t, part *p)
{
    ossio__download_resume *r = &t->dl.res;
    if (r->part_done == NULL || t->dl.sink.ops->ordered || p->len == 0) {
        return;
    }
    if (r->n_unsynced == r->cap_unsynced) {
        size_t cap = r->cap_unsynced ? 2 * r->cap_unsynced : 16;
        size_t *v = realloc(r->unsynced, cap * sizeof(*v));
        if (v == NULL) {
            return; /* not reported: fetched again by a resume, no harm */
        }
        r->unsynced = v;
        r->cap_unsynced = cap;
    }
    r->unsynced[r->n_unsynced++] = (size_t)(p - t->parts);
    struct ev_loop *loop = ossio__cl_tp(t->cl)->loop;
    if (!ev_is_active(&r->sync_timer)) {
        double wait = r->last_sync + SYNC_GAP - ev_now(loop);
        ev_timer_init(&r->sync_timer, on_sync_timer, wait > 0 ? wait : 0, 0);
        r->sync_timer.data = t;
        ev_timer_start(loop, &r->sync_timer);
    }
}

void ossio__dl_resume_settling(ossio_transfer *t)
{
    ossio__download_resume *r = &t->dl.res;
    ev_timer_stop(ossio__cl_tp(t->cl)->loop, &r->sync_timer);
    if (r->part_done != NULL) {
        sync_and_report(t);
    }
}

void ossio__dl_resume_release(ossio_transfer *t)
{
    ossio__download_resume *r = &t->dl.res;
    ev_timer_stop(ossio__cl_tp(t->cl)->loop, &r->sync_timer);
    free(r->present);
    free(r->unsynced);
    r->present = NULL;
    r->unsynced = NULL;
}
