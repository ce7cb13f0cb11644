/* Auto-ranged download: part 0 tells the size and ETag; the other parts run
 * in parallel with If-Match on that ETag; bytes go to the sink at their
 * offsets as they arrive (no reassembly copy), or in order to an ordered
 * sink (stream) with parts ahead of their turn held in memory; part CRC-64s
 * are combined and checked against the object's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "ops/checksum.h"
#include "transfer/context.h"
#include "transfer/budget.h"
#include "transfer/transfer.h"
#include "util/bigbuf.h"
#include "util/crc32.h"

static void start_parts(ossio_transfer *t);

static int ordered(const ossio_transfer *t)
{
    return t->dl.sink.ops->ordered;
}

static int sink_write(ossio_transfer *t, uint64_t off, const uint8_t *data, size_t len)
{
    return t->dl.sink.ops->write(&t->dl.sink, off, data, len);
}

/* fd/file sinks: the DATA chunks (16 KiB on h2) of a part are gathered and
 * written with one pwrite per STAGE bytes instead of one per chunk. */
#define STAGE (256 * 1024)

static int stage_flush(ossio_transfer *t, part *p)
{
    int rc = 0;
    if (p->stage_len > 0) {
        rc = sink_write(t, p->stage_off, p->stage, p->stage_len);
    }
    p->stage_len = 0;
    return rc;
}

/* Unwritten bytes are dropped (the part failed, or its hedge wrote them). */
static void stage_release(ossio_transfer *t, part *p)
{
    ossio__download *d = &t->dl;
    if (p->stage != NULL) {
        if (d->n_stages < sizeof(d->stages) / sizeof(d->stages[0])) {
            d->stages[d->n_stages++] = p->stage;
        } else {
            free(p->stage);
        }
    }
    p->stage = NULL;
    p->stage_len = 0;
}

static int staged_write(ossio_transfer *t, part *p, uint64_t off, const uint8_t *data, size_t len)
{
    ossio__download *d = &t->dl;
    if (!d->sink.ops->staged || len >= STAGE) { /* the buffer sink copies anyway */
        return stage_flush(t, p) != 0 ? -1 : sink_write(t, off, data, len);
    }
    if (p->stage == NULL) {
        p->stage = d->n_stages > 0 ? d->stages[--d->n_stages] : malloc(STAGE);
        if (p->stage == NULL) {
            return sink_write(t, off, data, len);
        }
    }
    if (p->stage_len > 0 && (p->stage_off + p->stage_len != off || p->stage_len + len > STAGE)) {
        if (stage_flush(t, p) != 0) {
            return -1;
        }
    }
    if (p->stage_len == 0) {
        p->stage_off = off;
    }
    memcpy(p->stage + p->stage_len, data, len);
    p->stage_len += len;
    return 0;
}

/* Stream sink: a delivered part's buffer is kept for a later part, with
 * its reservation, instead of being freed and allocated again (a fresh
 * 8 MiB buffer is 2,048 page faults: with only 16 kept, a 24-part window
 * spent a third of its CPU faulting). Their number is bounded by the
 * window; none is kept once no part is left to start. */
static void recycle(ossio_transfer *t, part *p)
{
    ossio__download *d = &t->dl;
    if (p->buf != NULL && p->mem == t->part_size && t->next < t->n_parts) {
        if (d->n_spare == d->cap_spare) {
            unsigned cap = d->cap_spare ? 2 * d->cap_spare : 16;
            uint8_t **v = realloc(d->spare, cap * sizeof(*v));
            if (v == NULL) {
                ossio__transfer_part_free(t, p);
                return;
            }
            d->spare = v;
            d->cap_spare = cap;
        }
        d->spare[d->n_spare++] = p->buf;
        p->buf = NULL;
        p->mem = 0; /* stays in t->mem_held */
        return;
    }
    ossio__transfer_part_free(t, p);
}

/* Stream sink: hands over every part that is complete or in progress at the
 * head of the object, in order. */
static int deliver(ossio_transfer *t)
{
    while (t->dl.deliver_next < t->n_parts) {
        part *p = &t->parts[t->dl.deliver_next];
        if (p->buf != NULL && p->delivered < p->got) {
            if (sink_write(t, p->off + p->delivered, p->buf + p->delivered,
                           (size_t)(p->got - p->delivered)) != 0) {
                return 1;
            }
            p->delivered = p->got;
        }
        if (p->state != OSSIO__PART_DONE || !t->size_known) {
            return 0; /* the head part is still arriving: its bytes now go straight out */
        }
        recycle(t, p);
        t->dl.deliver_next++;
    }
    return 0;
}

static int stream_data(ossio_transfer *t, part *p, const uint8_t *data, size_t len)
{
    if (p == &t->parts[t->dl.deliver_next] && p->delivered == p->got) {
        p->delivered += len; /* in turn: straight to the caller, no copy */
        return sink_write(t, p->off + p->got, data, len);
    }
    if (p->buf == NULL) {
        p->buf = ossio__bigbuf_alloc(t->part_size); /* reusable by any later part */
        if (p->buf == NULL) {
            return -1;
        }
    }
    memcpy(p->buf + p->got, data, len);
    return 0;
}

/* Bytes moved count once per part, whichever of its requests is ahead. */
void ossio__download_count_progress(ossio_transfer *t, part *p, uint64_t got)
{
    if (got > p->progress) {
        t->moved += got - p->progress;
        p->progress = got;
        ossio__transfer_note_progress(t, 0);
    }
}

static int part_data(ossio_op *op, const uint8_t *data, size_t len, void *ud)
{
    (void)op;
    part *p = ud;
    ossio_transfer *t = p->t;
    if (t->finishing || p->hedge_won) {
        return 1;
    }
    if (p->got + len > p->len && t->size_known) {
        ossio__transfer_fail(t, OSSIO_EPROTO, "a part returned more bytes than asked for", NULL);
        return 1;
    }
    if (ordered(t)) {
        /* part 0's length is only a bound until its answer tells the size */
        int rc = p->got + len > p->len ? -1 : stream_data(t, p, data, len);
        if (rc != 0) {
            ossio__transfer_fail(t, rc > 0 ? OSSIO_ECANCELED : OSSIO_ENOMEM,
                                 rc > 0 ? "stopped by the stream callback" : NULL, NULL);
            return 1;
        }
    } else if (staged_write(t, p, p->off + p->got, data, len) != 0) {
        const char *why = NULL;
        ossio_status st = t->dl.sink.ops->describe(&t->dl.sink, &why);
        ossio__transfer_fail(t, st, why, NULL);
        return 1;
    }
    p->crc = ossio_crc64(p->crc, data, len);
    int kind = ossio__ops_sum_kind(&ossio__cl_ops(t->cl)->oss);
    if (kind >= 0) { /* from the first byte: whether the server has one is known later */
        p->sum = ossio__crc32_update((ossio__crc32_kind)kind, p->sum, data, len);
    }
    p->got += len;
    ossio__download_count_progress(t, p, p->got);
    return 0;
}

/* Which part is wrong cannot be told (OSS gives the whole object's CRC
 * only): every part is fetched once more, over the same bytes. */
static void refetch(ossio_transfer *t)
{
    ossio__log(t->cl, OSSIO_LOG_WARN,
               "%s of %s differs from the server's: fetching its %zu parts again", t->checksum,
               t->uri, t->n_parts);
    t->dl.crc_refetched = 1;
    t->retries++;
    for (size_t i = 0; i < t->n_parts; i++) {
        part *p = &t->parts[i];
        free(p->hedge);
        p->hedge = NULL;
        p->hedge_won = 0;
        p->state = OSSIO__PART_IDLE;
        p->got = 0;
        p->crc = 0;
        p->sum = 0;
    }
    t->done_parts = 0;
    t->next = 0; /* the caller starts them */
}

void ossio__download_finish_if_done(ossio_transfer *t)
{
    if (t->finishing || t->done_parts < t->n_parts) {
        return;
    }
    uint64_t crc = ossio__parts_crc(t->parts, t->n_parts);
    t->crc = crc;
    int kind = ossio__ops_sum_kind(&ossio__cl_ops(t->cl)->oss);
    uint32_t sum = t->dl.has_server_sum ? ossio__parts_sum(t->parts, t->n_parts, kind) : 0;
    int bad_sum = t->dl.has_server_sum && sum != t->dl.server_sum;
    int bad_crc = t->dl.has_server_crc && crc != t->dl.server_crc;
    /* The s3 dialect's own checksum is named first: on AWS it is the only one. */
    t->checksum = t->dl.has_server_sum   ? (kind == OSSIO__CRC32C ? "crc32c" : "crc32")
                  : t->dl.has_server_crc ? "crc64"
                                         : NULL;
    if (bad_crc && !bad_sum) {
        t->checksum = "crc64";
    }
    if ((bad_sum || bad_crc) && !t->dl.crc_refetched && !ordered(t)) {
        /* An ordered sink has handed its bytes on already: no second chance. */
        refetch(t);
        return;
    }
    char d[200];
    if (bad_sum) {
        snprintf(d, sizeof(d), "%s of the parts (%08x) differs from the server's (%08x)",
                 kind == OSSIO__CRC32C ? "CRC32C" : "CRC32", sum, t->dl.server_sum);
    } else if (bad_crc) {
        snprintf(d, sizeof(d),
                 "CRC-64 of the parts (%llu) differs from x-oss-hash-crc64ecma (%llu)",
                 (unsigned long long)crc, (unsigned long long)t->dl.server_crc);
    }
    if (bad_sum || bad_crc) {
        ossio__transfer_fail(t, OSSIO_ECHECKSUM, d, NULL);
        return;
    }
    ossio__transfer_complete(t);
}

/* Part 0 answered: the object's size, ETag and CRC-64 are known, and the
 * rest of the parts are planned. 0, or the failure was recorded. */
static int plan_rest(ossio_transfer *t, ossio_op *op, const ossio_result *res)
{
    part *p = &t->parts[0];
    const ossio_object_info *info = ossio_op_object(op);
    if (info == NULL) {
        ossio__transfer_fail(t, OSSIO_EPROTO, "the first part had no object metadata", res);
        return -1;
    }
    t->size = info->size;
    t->size_known = 1;
    snprintf(t->dl.etag, sizeof(t->dl.etag), "%s", info->etag ? info->etag : "");
    t->dl.has_server_crc = info->has_crc64;
    t->dl.server_crc = info->crc64;
    /* A full-object value of the algorithm the parts were summed with (a
     * COMPOSITE "<b64>-<parts>" value does not parse). */
    int kind = ossio__ops_sum_kind(&ossio__cl_ops(t->cl)->oss);
    const char *sum = kind == OSSIO__CRC32C ? info->checksum_crc32c : info->checksum_crc32;
    t->dl.has_server_sum =
        kind >= 0 &&
        (info->checksum_type == NULL || strcmp(info->checksum_type, "COMPOSITE") != 0) &&
        ossio__crc32_parse_base64(sum, &t->dl.server_sum);
    p->len = p->got;
    if (!t->dl.sink.ops->fits(&t->dl.sink, t->size)) {
        const char *why = NULL;
        ossio_status st = t->dl.sink.ops->describe(&t->dl.sink, &why);
        ossio__transfer_fail(t, st, why, NULL);
        return -1;
    }
    size_t n = 1 + ossio__download_rest_count(p->len, t->size, t->part_size);
    part *v = realloc(t->parts, n * sizeof(*v));
    if (v == NULL) {
        ossio__transfer_fail(t, OSSIO_ENOMEM, NULL, NULL);
        return -1;
    }
    t->parts = v;
    for (size_t i = 1; i < n; i++) {
        memset(&v[i], 0, sizeof(part));
        v[i].t = t;
        ossio__part_span(v[0].len, t->size, t->part_size, i - 1, &v[i].off, &v[i].len);
    }
    t->n_parts = n;
    return 0;
}

/* A part's request failed (and no hedge of it runs). */
static void part_failed(ossio_transfer *t, part *p, const ossio_result *res)
{
    if (res->status == OSSIO_EHTTP && res->http_status == 416 && p == &t->parts[0]) {
        /* An empty object has no byte 0: it is complete as it is. */
        t->size = 0;
        t->size_known = 1;
        t->done_parts = t->n_parts = 1;
        p->len = 0;
        ossio__download_finish_if_done(t);
        if (!t->finishing) {
            start_parts(t);
        }
    } else if (res->status == OSSIO_ECHANGED && t->dl.res.pinned) {
        char d[200];
        snprintf(d, sizeof(d), "the object changed: its ETag is no longer %.120s (If-Match failed)",
                 t->dl.etag);
        ossio__transfer_fail(t, res->status, d, res);
    } else {
        ossio__transfer_fail(t, res->status, res->detail, res);
    }
}

/* The part's bytes reached the sink, or its request failed. */
static void flush_part(ossio_transfer *t, part *p, const ossio_result *res)
{
    if (res->status == OSSIO_OK && !p->hedge_won && stage_flush(t, p) != 0) {
        stage_release(t, p);
        ossio__transfer_fail(t, OSSIO_EIO, "writing the download failed", NULL);
        return;
    }
    stage_release(t, p);
}

static void part_done(ossio_op *op, const ossio_result *res, void *ud)
{
    part *p = ud;
    ossio_transfer *t = p->t;
    p->op = NULL;
    t->in_flight--;
    ossio__transfer_account(t, res);
    flush_part(t, p, res);
    if (p->hedge_won || (res->status != OSSIO_OK && p->hedge != NULL && p->hedge->op != NULL)) {
        /* Its hedge won, or is still running and decides the part. */
        ossio__transfer_settle(t);
        return;
    }
    p->state = OSSIO__PART_DONE;
    if (p->hedge != NULL && p->hedge->op != NULL) {
        ossio_op_cancel(p->hedge->op); /* the first request won */
    }
    if (res->status == OSSIO_OK && p != &t->parts[0]) {
        t->dl.done_time_sum += ev_now(ossio__cl_tp(t->cl)->loop) - p->started;
        t->dl.done_time_count++;
    }
    int failed = 0;
    if (res->status != OSSIO_OK) {
        part_failed(t, p, res);
        failed = 1;
    } else if (p == &t->parts[0] && !t->size_known) {
        failed = plan_rest(t, op, res) != 0;
        p = &t->parts[0]; /* the parts were reallocated */
        if (!failed) {
            ossio__dl_resume_identity(t);
        }
    } else if (!ossio__dl_resume_check(t, ossio_op_object(op))) {
        failed = 1;
    } else if (p->got != p->len) {
        ossio__transfer_fail(t, OSSIO_EPROTO, "a part returned fewer bytes than asked for", res);
        failed = 1;
    }
    if (!failed) {
        t->done_parts++;
        ossio__dl_resume_written(t, p);
        if (ordered(t) && deliver(t) != 0) {
            ossio__transfer_fail(t, OSSIO_ECANCELED, "stopped by the stream callback", NULL);
        } else {
            ossio__download_finish_if_done(t);
            if (!t->finishing) {
                start_parts(t);
            }
        }
    }
    ossio__transfer_settle(t);
}

static void start_part(ossio_transfer *t, part *p)
{
    ossio_op *op = NULL;
    ossio_status st = ossio_op_new(&op, t->cl, OSSIO_OP_GET, t->uri);
    if (st == OSSIO_OK) {
        st = ossio_op_set_range(op, p->off, (int64_t)p->len);
    }
    if (st == OSSIO_OK && t->dl.etag[0] != '\0') {
        st = ossio_op_set_header(op, "If-Match", t->dl.etag);
    }
    if (st != OSSIO_OK) {
        ossio_op_free(op);
        ossio__transfer_fail(t, st, "could not build a part request", NULL);
        ossio__transfer_settle_later(t); /* nothing may be in flight to settle it */
        return;
    }
    ossio_op_set_callbacks(op, part_data, NULL, p);
    p->op = op;
    p->state = OSSIO__PART_INFLIGHT;
    p->started = ev_now(ossio__cl_tp(t->cl)->loop);
    t->in_flight++;
    ossio__cl_ops(t->cl)->oss.hedge_parts++;
    ossio__transfer_submit_op(op, part_done, p);
}

/* Once every part has started, kept buffers serve nobody: their memory
 * goes back to the budget (other transfers may be waiting for it). */
static void drop_spares(ossio_transfer *t)
{
    while (t->dl.n_spare > 0) {
        free(t->dl.spare[--t->dl.n_spare]);
        t->mem_held -= t->part_size;
        ossio__mem_release(t->cl, t->part_size);
    }
}

/* Ordered sink: a part ahead of the head may wait in memory; the head's
 * bytes go straight out, so it never waits for the budget. At most
 * 1.5 × parallel parts ahead of the head: a bounded reorder window.
 * 0 if the part must wait. */
static int reorder_room(ossio_transfer *t, part *p)
{
    ossio__download *d = &t->dl;
    if (t->next == d->deliver_next) {
        return 1;
    }
    if (t->next >= d->deliver_next + (size_t)t->parallel + t->parallel / 2) {
        return 0; /* started again as the head moves */
    }
    if (d->n_spare > 0) {
        p->buf = d->spare[--d->n_spare];
        p->mem = t->part_size; /* the spare's reservation */
    } else if (!ossio__transfer_mem_take(t, p->len)) {
        return 0; /* woken when memory is given back */
    } else {
        p->mem = p->len;
    }
    return 1;
}

static void start_parts(ossio_transfer *t)
{
    while (!t->finishing && t->next < t->n_parts && t->in_flight < t->parallel) {
        part *p = &t->parts[t->next];
        if (p->state == OSSIO__PART_DONE) {
            t->next++; /* present from an earlier run (ossio_transfer_set_present) */
            continue;
        }
        if (ordered(t) && !reorder_room(t, p)) {
            return;
        }
        t->next++;
        start_part(t, p);
    }
    if (t->size_known && t->next >= t->n_parts) {
        drop_spares(t);
    }
}

void ossio__download_pump(ossio_transfer *t)
{
    start_parts(t);
}

static int download_ready(const ossio_transfer *t)
{
    return t->dl.sink.ops != NULL;
}

static void download_start(ossio_transfer *t)
{
    if (t->dl.sink.ops->open != NULL) {
        const char *why = t->dl.sink.ops->open(&t->dl.sink);
        if (why != NULL) {
            t->n_parts = 0;
            ossio__transfer_fail(t, OSSIO_EIO, why, NULL);
        }
    }
    if (t->dl.hedging && !ordered(t) && !t->finishing) {
        ossio__hedge_start(t);
    }
    if (t->dl.res.pinned && !t->finishing) {
        if (ossio__dl_resume_plan(t) != 0) {
            ossio__transfer_settle_later(t);
        } else {
            start_parts(t);
        }
        return;
    }
    t->parts = calloc(1, sizeof(part));
    if (t->parts == NULL && !t->finishing) {
        ossio__transfer_fail(t, OSSIO_ENOMEM, NULL, NULL);
    }
    if (t->finishing) {
        ossio__transfer_settle_later(t); /* the callback still comes from the loop */
        return;
    }
    t->n_parts = 1;
    t->parts[0].t = t;
    t->parts[0].len = t->part_size;
    start_parts(t);
}

/* The sink commits or discards what it was given. */
static int download_settling(ossio_transfer *t)
{
    ossio__dl_resume_settling(t); /* the parts written are reported before the sink finishes */
    t->dl.sink.ops->finish(&t->dl.sink, &t->out.status, t->out.detail, sizeof(t->out.detail));
    ev_timer_stop(ossio__cl_tp(t->cl)->loop, &t->dl.hedge_timer);
    return 0;
}

static void download_release(ossio_transfer *t)
{
    ossio__download *d = &t->dl;
    for (unsigned i = 0; i < d->n_spare; i++) {
        free(d->spare[i]);
    }
    free(d->spare);
    for (unsigned i = 0; i < d->n_stages; i++) {
        free(d->stages[i]);
    }
    ossio__sink_free(&d->sink);
    ossio__dl_resume_release(t);
}

const ossio__transfer_kind ossio__download_kind = {
    .name = "download",
    .ready = download_ready,
    .start = download_start,
    .pump = ossio__download_pump,
    .settling = download_settling,
    .release = download_release,
};
