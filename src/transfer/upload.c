/* Uploads: one PutObject up to the threshold or one part, else a multipart upload whose
 * parts go in parallel; each part's CRC-64 is checked by the operation, the
 * combination against CompleteMultipartUpload's (commit.c). Any failure
 * aborts, unless the object exists. The bytes come from the source's table
 * (source.c, push.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/checksum.h"
#include "transfer/context.h"
#include "transfer/transfer.h"
#include "util/crc32.h"
#include "util/file_sums.h"

static void start_parts(ossio_transfer *t);

static const ossio__source_ops *source(const ossio_transfer *t)
{
    return t->up.source.ops;
}

/* The part's CRC-64 (and in the s3 dialect its CRC-32C/CRC-32) into |p|,
 * from one read of its range when it lies in a file (*bytes NULL then),
 * else from its bytes in memory (*bytes set). */
static ossio_status part_sums(ossio_transfer *t, part *p, const uint8_t **bytes)
{
    int kind = ossio__ops_sum_kind(&ossio__cl_ops(t->cl)->oss);
    uint64_t off;
    int fd = source(t)->file(t, p, &off);
    *bytes = NULL;
    if (fd >= 0) {
        ossio__file_sums s = {.want_crc64 = 1, .crc32_kind = kind};
        ossio_status st = ossio__file_sums_read(fd, off, p->len, &s);
        p->crc = s.crc64;
        p->sum = s.crc32;
        return st;
    }
    if ((*bytes = source(t)->bytes(t, p)) == NULL) {
        return OSSIO_EIO;
    }
    p->crc = ossio_crc64(0, *bytes, (size_t)p->len);
    if (kind >= 0) {
        p->sum = ossio__crc32_update((ossio__crc32_kind)kind, 0, *bytes, (size_t)p->len);
    }
    return OSSIO_OK;
}

/* Gives |op| the part's bytes with their sums, computed once: from the file
 * they lie in (sent with pread, never held in memory) or from memory. */
static ossio_status part_body(ossio_transfer *t, part *p, ossio_op *op)
{
    const uint8_t *bytes;
    ossio_status st = part_sums(t, p, &bytes);
    if (st == OSSIO_OK && bytes == NULL) {
        uint64_t off;
        int fd = source(t)->file(t, p, &off); /* sets off: not in the same expression */
        st = ossio_op_set_body_file(op, fd, off, p->len);
    } else if (st == OSSIO_OK) {
        st = ossio_op_set_body(op, bytes, (size_t)p->len);
    }
    if (st == OSSIO_OK) {
        ossio__op_set_body_crc64(op, p->crc);
        if (ossio__ops_sum_kind(&ossio__cl_ops(t->cl)->oss) >= 0) {
            ossio__op_set_body_sum(op, p->sum);
        }
    }
    return st;
}

static ossio_status add_headers(ossio_transfer *t, ossio_op *op)
{
    for (size_t i = 0; i < t->up.hdrs.n; i++) {
        ossio_status st = ossio_op_set_header(op, t->up.hdrs.v[i].name, t->up.hdrs.v[i].value);
        if (st != OSSIO_OK) {
            return st;
        }
    }
    return OSSIO_OK;
}

/* Tells ossio_transfer_set_part_done()'s callback: |p| stored, or the upload id known (NULL). */
static void report_part(ossio_transfer *t, const part *p)
{
    if (t->up.part_done == NULL) {
        return;
    }
    ossio_part_info info = {0, 0, NULL, 0, 0};
    if (p != NULL) {
        info.number = (uint32_t)(p - t->parts) + 1;
        info.size = p->len;
        info.etag = p->etag;
        info.crc64 = p->crc;
        info.offset = p->off;
    }
    t->up.part_done(t, &info, t->up.part_done_ud);
}

static void part_done(ossio_op *op, const ossio_result *res, void *ud)
{
    part *p = ud;
    ossio_transfer *t = p->t;
    p->op = NULL;
    p->state = OSSIO__PART_DONE;
    t->in_flight--;
    ossio__transfer_account(t, res);
    ossio__transfer_part_free(t, p);
    source(t)->sent(t, p);
    if (res->status != OSSIO_OK) {
        ossio__transfer_fail(t, res->status, res->detail, res);
        ossio__transfer_settle(t);
        return;
    }
    const ossio_object_info *info = ossio_op_object(op);
    snprintf(p->etag, sizeof(p->etag), "%s", info != NULL && info->etag ? info->etag : "");
    t->moved += p->len;
    t->done_parts++;
    report_part(t, p);
    ossio__transfer_note_progress(t, 0);
    if (!t->finishing) {
        if (t->done_parts == t->n_parts && source(t)->ended(t)) {
            ossio__upload_complete(t);
        } else {
            start_parts(t);
            ossio__push_part_sent(t); /* a push writer held back by its queue */
        }
    }
    ossio__transfer_settle(t);
}

static void start_part(ossio_transfer *t, size_t i)
{
    part *p = &t->parts[i];
    ossio_op *op = NULL;
    ossio_status st = ossio_op_new(&op, t->cl, OSSIO_OP_MULTIPART_PART, t->uri);
    if (st == OSSIO_OK) {
        st = ossio_op_set_upload(op, t->up.upload_id, (uint32_t)(i + 1));
    }
    if (st == OSSIO_OK) {
        st = part_body(t, p, op);
    }
    if (st != OSSIO_OK) {
        ossio_op_free(op);
        ossio__transfer_part_free(t, p);
        ossio__transfer_fail(t, st, st == OSSIO_EIO ? "reading the source failed" : NULL, NULL);
        ossio__transfer_settle_later(t); /* nothing may be in flight to settle it */
        return;
    }
    p->op = op;
    p->state = OSSIO__PART_INFLIGHT;
    t->in_flight++;
    ossio__transfer_submit_op(op, part_done, p);
}

static void start_parts(ossio_transfer *t)
{
    if (t->up.upload_id[0] == '\0' || t->ctl_is_init) {
        return; /* parts go once InitiateMultipartUpload answered */
    }
    /* In part order; parts need no memory to start (a push part holds its
     * own, a file's are sent from the file). */
    for (size_t i = t->next; !t->finishing && i < t->n_parts && t->in_flight < t->parallel; i++) {
        part *p = &t->parts[i];
        if (p->state != OSSIO__PART_IDLE) {
            t->next += i == t->next; /* started, or already stored (resume) */
            continue;
        }
        if (t->push.cur_open && i == t->n_parts - 1) {
            return; /* still being filled */
        }
        t->next += i == t->next;
        start_part(t, i);
    }
}

/* A push upload whose parts all went out before it ended: complete it now
 * (part_done completes the others). */
static void complete_if_all_sent(ossio_transfer *t)
{
    if (t->push.multipart && source(t)->ended(t) && t->up.upload_id[0] != '\0' && !t->ctl_is_init &&
        t->ctl == NULL && t->in_flight == 0 && t->done_parts == t->n_parts && !t->finishing) {
        ossio__upload_complete(t);
    }
}

/* Resume: a part already stored with our size and CRC-64 is not sent again. */
static int listed_part(ossio_op *op, const ossio_list_entry *e, void *ud)
{
    (void)op;
    ossio_transfer *t = ud;
    size_t i = (size_t)e->part_number - 1;
    if (e->part_number == 0 || i >= t->n_parts || t->parts[i].state != OSSIO__PART_IDLE ||
        e->etag == NULL) {
        return 0;
    }
    part *p = &t->parts[i];
    if (e->size != p->len) {
        return 0;
    }
    const uint8_t *bytes;
    if (part_sums(t, p, &bytes) != OSSIO_OK || (e->has_crc64 && e->crc64 != p->crc)) {
        return 0; /* unreadable, or the stored bytes differ from ours: send the part again */
    }
    snprintf(p->etag, sizeof(p->etag), "%s", e->etag);
    p->state = OSSIO__PART_DONE;
    return 0;
}

static void listed_done(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)op;
    ossio_transfer *t = ud;
    t->ctl = NULL;
    ossio__transfer_account(t, res);
    if (res->status != OSSIO_OK) {
        ossio__transfer_fail(t, res->status, res->detail, res);
        ossio__transfer_settle(t);
        return;
    }
    t->done_parts += ossio__parts_count_state(t->parts, t->n_parts, OSSIO__PART_DONE);
    ossio__log(t->cl, OSSIO_LOG_INFO, "resuming upload %s of %s: %zu of %zu parts already there",
               t->up.upload_id, t->uri, t->done_parts, t->n_parts);
    report_part(t, NULL);
    for (size_t i = 0; i < t->n_parts; i++) {
        if (t->parts[i].state == OSSIO__PART_DONE) {
            report_part(t, &t->parts[i]);
        }
    }
    if (t->done_parts == t->n_parts) {
        ossio__upload_complete(t);
    } else {
        start_parts(t);
    }
    ossio__transfer_settle(t);
}

static void init_done(ossio_op *op, const ossio_result *res, void *ud)
{
    ossio_transfer *t = ud;
    t->ctl = NULL;
    t->ctl_is_init = 0;
    ossio__transfer_account(t, res);
    if (res->status != OSSIO_OK) {
        ossio__transfer_fail(t, res->status, res->detail, res);
        if (res->http_status == 200 || (res->http_status == 0 && res->connection != 0)) {
            /* Sent, and an answer lost or unreadable: the server may have created an upload whose
             * id never arrived. Nothing can abort it by name: say so. */
            size_t n = strlen(t->out.detail);
            snprintf(t->out.detail + n, sizeof(t->out.detail) - n, "; %s",
                     OSSIO__UPLOAD_MAY_BE_LEFT);
        }
    } else if (ossio_op_upload_id(op) == NULL) {
        ossio__transfer_fail(t, OSSIO_EXML, "InitiateMultipartUpload returned no UploadId", res);
    } else {
        snprintf(t->up.upload_id, sizeof(t->up.upload_id), "%s", ossio_op_upload_id(op));
        if (t->finishing) {
            /* canceled while initiating: the settle below aborts it */
        } else {
            report_part(t, NULL);
            start_parts(t);
            complete_if_all_sent(t);
        }
    }
    ossio__transfer_settle(t);
}

/* Resume: lists the parts already stored; their answer starts the rest. */
static ossio_status list_parts(ossio_transfer *t)
{
    ossio_op *op = NULL;
    ossio_status st = ossio_op_new(&op, t->cl, OSSIO_OP_MULTIPART_LIST_PARTS, t->uri);
    if (st == OSSIO_OK) {
        st = ossio_op_set_upload(op, t->up.upload_id, 0);
    }
    if (st != OSSIO_OK) {
        ossio_op_free(op);
        return st;
    }
    ossio_op_set_callbacks(op, NULL, listed_part, t);
    t->ctl = op;
    ossio__transfer_submit_op(op, listed_done, t);
    return OSSIO_OK;
}

/* Cuts the object into parts: 0, or the failure was recorded. */
static int plan_parts(ossio_transfer *t)
{
    uint64_t part_size = ossio__upload_part_size(t->size, t->part_size);
    t->n_parts =
        ossio__upload_part_count(t->size, part_size, ossio__cl_ops(t->cl)->oss.upload_threshold);
    t->parts = calloc(t->n_parts, sizeof(part));
    if (t->parts == NULL) {
        ossio__transfer_fail(t, OSSIO_ENOMEM, NULL, NULL);
        return -1;
    }
    for (size_t i = 0; i < t->n_parts; i++) {
        part *p = &t->parts[i];
        p->t = t;
        ossio__part_span(0, t->size, part_size, i, &p->off, &p->len);
    }
    if (t->n_parts == 1) {
        t->parts[0].len = t->size; /* one PutObject, up to the threshold */
    }
    return 0;
}

static void upload_start(ossio_transfer *t)
{
    ossio_status st = source(t)->open(t);
    if (st != OSSIO_OK) {
        ossio__transfer_fail(t, st, t->out.detail, NULL);
        ossio__transfer_settle_later(t);
        return;
    }
    if (plan_parts(t) != 0) {
        ossio__transfer_settle_later(t);
        return;
    }
    if (t->n_parts == 1) {
        ossio__upload_single(t);
    } else if (!t->up.resuming) {
        ossio__upload_init(t);
    } else if ((st = list_parts(t)) != OSSIO_OK) {
        ossio__transfer_fail(t, st, "could not start the upload", NULL);
        ossio__transfer_settle_later(t);
    }
}

void ossio__upload_init(ossio_transfer *t)
{
    ossio_op *op = NULL;
    ossio_status st = ossio_op_new(&op, t->cl, OSSIO_OP_MULTIPART_INIT, t->uri);
    if (st == OSSIO_OK) {
        st = add_headers(t, op);
    }
    if (st != OSSIO_OK) {
        ossio_op_free(op);
        ossio__transfer_fail(t, st, "could not start the upload", NULL);
        ossio__transfer_settle_later(t);
        return;
    }
    t->ctl = op;
    t->ctl_is_init = 1;
    ossio__transfer_submit_op(op, init_done, t);
}

/* The whole object in one PutObject (parts[0]). */
void ossio__upload_single(ossio_transfer *t)
{
    part *p = &t->parts[0];
    if (t->finishing || p->state != OSSIO__PART_IDLE) {
        return;
    }
    ossio_op *op = NULL;
    ossio_status st = ossio_op_new(&op, t->cl, OSSIO_OP_PUT, t->uri);
    if (st == OSSIO_OK) {
        st = part_body(t, p, op);
    }
    if (st == OSSIO_OK) {
        st = add_headers(t, op);
    }
    if (st != OSSIO_OK) {
        ossio_op_free(op);
        ossio__transfer_part_free(t, p);
        ossio__transfer_fail(t, st, st == OSSIO_EIO ? "reading the source failed" : NULL, NULL);
        ossio__transfer_settle_later(t);
        return;
    }
    p->state = OSSIO__PART_INFLIGHT;
    t->ctl = op;
    t->ctl_is_put = 1;
    ossio__transfer_submit_op(op, ossio__upload_put_done, t);
}

void ossio__upload_pump(ossio_transfer *t)
{
    if (t->finishing) {
        return;
    }
    if (t->n_parts == 1 && !t->push.multipart && source(t)->ended(t)) {
        ossio__upload_single(t);
    } else {
        start_parts(t);
        complete_if_all_sent(t);
    }
    if (t->finishing) {
        ossio__transfer_settle_later(t); /* from the loop: pump runs inside push calls */
    }
}

int ossio__upload_ready(const ossio_transfer *t)
{
    return t->up.source.ops != NULL;
}

/* AbortMultipartUpload attempts after a failure: a transport error on the
 * abort is as passing as the one that failed the upload. */
#define ABORT_TRIES 3

/* Appends |what| to the failure's detail ("; " between). */
static void detail_append(ossio_transfer *t, const char *what, const char *why)
{
    size_t n = strlen(t->out.detail);
    snprintf(t->out.detail + n, sizeof(t->out.detail) - n, "%s%s%s", n ? "; " : "", what,
             why != NULL ? why : "");
}

static void abort_done(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)op;
    ossio_transfer *t = ud;
    t->ctl = NULL;
    if (res->status == OSSIO_OK || res->http_status == 404) {
        t->up.upload_id[0] = '\0'; /* aborted (404: nothing left to abort) */
    } else if (t->up.abort_tries >= ABORT_TRIES) {
        /* Never silently: the result says the upload is left, and
         * ossio_transfer_upload_id() still names it. */
        ossio__log(t->cl, OSSIO_LOG_WARN, "aborting multipart upload %s of %s failed: %s",
                   t->up.upload_id, t->uri, res->detail);
        detail_append(t, "multipart upload left behind (abort failed: ", res->detail);
        size_t n = strlen(t->out.detail);
        snprintf(t->out.detail + n, sizeof(t->out.detail) - n, ")");
        t->up.abort_tries = ABORT_TRIES + 1; /* settling: do not try again */
    }
    ossio__transfer_settle(t);
}

int ossio__upload_settling(ossio_transfer *t)
{
    while (t->out.status != OSSIO_OK && t->up.upload_id[0] != '\0' && !t->up.keep_on_failure &&
           t->up.abort_tries < ABORT_TRIES) {
        /* Leave nothing behind: abort the multipart upload (again, up to
         * ABORT_TRIES times), then complete. */
        t->up.abort_tries++;
        ossio_op *op = NULL;
        if (ossio_op_new(&op, t->cl, OSSIO_OP_MULTIPART_ABORT, t->uri) == OSSIO_OK &&
            ossio_op_set_upload(op, t->up.upload_id, 0) == OSSIO_OK) {
            t->ctl = op;
            ossio__transfer_submit_op(op, abort_done, t);
            return 1;
        }
        ossio_op_free(op);
        if (t->up.abort_tries == ABORT_TRIES) {
            detail_append(t, "multipart upload left behind (its abort could not be started)", NULL);
        }
    }
    if (source(t) != NULL) {
        source(t)->close(t);
    }
    return 0;
}

void ossio__upload_release(ossio_transfer *t)
{
    free(t->up.source.path);
    t->up.source.path = NULL;
}

const ossio__transfer_kind ossio__upload_kind = {
    .name = "upload",
    .ready = ossio__upload_ready,
    .start = upload_start,
    .pump = ossio__upload_pump,
    .settling = ossio__upload_settling,
    .release = ossio__upload_release,
};
