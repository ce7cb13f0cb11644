/* Uploads: one PutObject up to the threshold or one part, else a multipart upload whose
 * parts go in parallel; each part's CRC-64 is checked by the operation, the
 * combination against CompleteMultipartUpload's (commit.c). Any failure
 * aborts, unless the object exists. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loop/client.h"
#include "transfer/transfer.h"
#include "util/bigbuf.h"

static void start_parts(ossio_transfer *t);

uint64_t ossio__upload_part_size(uint64_t size, uint64_t part_size)
{
    if (size / part_size >= MAX_PARTS) {
        part_size = (size + MAX_PARTS - 1) / MAX_PARTS; /* never more than 10,000 parts */
    }
    return part_size;
}

/* Parts read into memory before they are sent (file source, spilled push
 * parts) take their bytes from the memory budget first. */
static int needs_memory(const ossio_transfer *t, const part *p)
{
    return t->push ? p->spilled : t->data == NULL && t->size > 0;
}

/* Reserves a part's memory if it needs some: 0 if it has to wait. */
static int part_memory(ossio_transfer *t, part *p)
{
    if (!needs_memory(t, p) || p->mem > 0) {
        return 1;
    }
    if (!ossio__transfer_mem_take(t, p->len)) {
        return 0;
    }
    p->mem = p->len;
    return 1;
}

/* The bytes of [off, off+len): borrowed from a buffer source, read from
 * the file, or a push part's. */
static const uint8_t *part_bytes(ossio_transfer *t, part *p)
{
    if (t->push) {
        return ossio__push_part_bytes(t, p);
    }
    if (t->data != NULL || t->size == 0) {
        return t->data != NULL ? t->data + p->off : (const uint8_t *)"";
    }
    return ossio__part_read(p, t->fd, p->off);
}

const uint8_t *ossio__part_read(part *p, int fd, uint64_t off)
{
    p->buf = ossio__bigbuf_alloc((size_t)p->len);
    if (p->buf == NULL) {
        return NULL;
    }
    uint64_t done = 0;
    while (done < p->len) {
        ssize_t n = pread(fd, p->buf + done, (size_t)(p->len - done), (off_t)(off + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            free(p->buf);
            p->buf = NULL;
            return NULL;
        }
        done += (uint64_t)n;
    }
    return p->buf;
}

static ossio_status add_headers(ossio_transfer *t, ossio_op *op)
{
    for (size_t i = 0; i < t->hdrs.n; i++) {
        ossio_status st = ossio_op_set_header(op, t->hdrs.v[i].name, t->hdrs.v[i].value);
        if (st != OSSIO_OK) {
            return st;
        }
    }
    return OSSIO_OK;
}

static void part_done(ossio_op *op, const ossio_result *res, void *ud)
{
    part *p = ud;
    ossio_transfer *t = p->t;
    p->op = NULL;
    p->state = 2;
    t->in_flight--;
    ossio__transfer_account(t, res);
    ossio__transfer_part_free(t, p);
    ossio__push_part_sent(t, p);
    if (res->status != OSSIO_OK) {
        ossio__transfer_fail(t, res->status, res->detail, res);
        ossio__transfer_settle(t);
        return;
    }
    const ossio_object_info *info = ossio_op_object(op);
    snprintf(p->etag, sizeof(p->etag), "%s", info != NULL && info->etag ? info->etag : "");
    t->moved += p->len;
    t->done_parts++;
    ossio__transfer_note_progress(t, 0);
    if (!t->finishing) {
        if (t->done_parts == t->n_parts && (!t->push || t->push_ended)) {
            ossio__upload_complete(t);
        } else {
            start_parts(t);
        }
    }
    ossio__transfer_settle(t);
}

static void start_part(ossio_transfer *t, size_t i)
{
    part *p = &t->parts[i];
    const uint8_t *bytes = part_bytes(t, p);
    ossio_op *op = NULL;
    ossio_status st =
        bytes != NULL ? ossio_op_new(&op, t->cl, OSSIO_OP_MULTIPART_PART, t->uri) : OSSIO_EIO;
    if (st == OSSIO_OK) {
        st = ossio_op_set_upload(op, t->upload_id, (uint32_t)(i + 1));
    }
    if (st == OSSIO_OK) {
        st = ossio_op_set_body(op, bytes, (size_t)p->len);
    }
    if (st != OSSIO_OK) {
        ossio_op_free(op);
        ossio__transfer_part_free(t, p);
        ossio__transfer_fail(t, st, st == OSSIO_EIO ? "reading the source failed" : NULL, NULL);
        ossio__transfer_settle_later(t); /* nothing may be in flight to settle it */
        return;
    }
    p->crc = ossio_crc64(0, bytes, (size_t)p->len);
    p->op = op;
    p->state = 1;
    t->in_flight++;
    ossio__transfer_submit_op(op, part_done, p);
}

static void start_parts(ossio_transfer *t)
{
    if (t->upload_id[0] == '\0' || t->ctl_is_init) {
        return; /* parts go once InitiateMultipartUpload answered */
    }
    /* In part order, but a part waiting for memory does not hold back later
     * ones that need none (push parts still in memory): part numbers are
     * explicit, and those parts hold the memory the waiting one needs. */
    for (size_t i = t->next; !t->finishing && i < t->n_parts && t->in_flight < t->parallel; i++) {
        part *p = &t->parts[i];
        if (p->state != 0) {
            t->next += i == t->next; /* started, or already stored (resume) */
            continue;
        }
        if (t->cur_open && i == t->n_parts - 1) {
            return; /* still being filled */
        }
        if (!part_memory(t, p)) {
            continue; /* woken when memory is given back */
        }
        t->next += i == t->next;
        start_part(t, i);
    }
}

/* A push upload whose parts all went out before it ended: complete it now
 * (part_done completes the others). */
static void complete_if_all_sent(ossio_transfer *t)
{
    if (t->push && t->push_ended && t->multipart && t->upload_id[0] != '\0' && !t->ctl_is_init &&
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
    if (e->part_number == 0 || i >= t->n_parts || t->parts[i].state != 0 || e->etag == NULL) {
        return 0;
    }
    part *p = &t->parts[i];
    if (e->size != p->len) {
        return 0;
    }
    const uint8_t *bytes = part_bytes(t, p);
    if (bytes == NULL) {
        return 0;
    }
    uint64_t crc = ossio_crc64(0, bytes, (size_t)p->len);
    free(p->buf);
    p->buf = NULL;
    if (e->has_crc64 && e->crc64 != crc) {
        return 0; /* stored bytes differ from ours: send the part again */
    }
    p->crc = crc;
    snprintf(p->etag, sizeof(p->etag), "%s", e->etag);
    p->state = 2;
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
    for (size_t i = 0; i < t->n_parts; i++) {
        if (t->parts[i].state == 2) {
            t->done_parts++;
        }
    }
    ossio__log(t->cl, OSSIO_LOG_INFO, "resuming upload %s of %s: %zu of %zu parts already there",
               t->upload_id, t->uri, t->done_parts, t->n_parts);
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
            size_t n = strlen(t->detail);
            snprintf(t->detail + n, sizeof(t->detail) - n, "; %s", OSSIO__UPLOAD_MAY_BE_LEFT);
        }
    } else if (ossio_op_upload_id(op) == NULL) {
        ossio__transfer_fail(t, OSSIO_EXML, "InitiateMultipartUpload returned no UploadId", res);
    } else {
        snprintf(t->upload_id, sizeof(t->upload_id), "%s", ossio_op_upload_id(op));
        if (t->finishing) {
            /* canceled while initiating: the settle below aborts it */
        } else {
            start_parts(t);
            complete_if_all_sent(t);
        }
    }
    ossio__transfer_settle(t);
}

void ossio__upload_start(ossio_transfer *t)
{
    ossio_client *cl = t->cl;
    if (t->path != NULL) {
        t->fd = open(t->path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (t->fd < 0 || fstat(t->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            snprintf(t->detail, sizeof(t->detail), "cannot read %s: %s", t->path, strerror(errno));
            ossio__transfer_fail(t, OSSIO_EIO, t->detail, NULL);
            ossio__transfer_settle_later(t);
            return;
        }
        t->size = (uint64_t)st.st_size;
        t->size_known = 1;
    }
    uint64_t part_size = ossio__upload_part_size(t->size, t->part_size);
    t->n_parts = t->size <= cl->oss.upload_threshold || t->size <= part_size
                     ? 1
                     : (size_t)((t->size + part_size - 1) / part_size);
    t->parts = calloc(t->n_parts, sizeof(part));
    if (t->parts == NULL) {
        ossio__transfer_fail(t, OSSIO_ENOMEM, NULL, NULL);
        ossio__transfer_settle_later(t);
        return;
    }
    for (size_t i = 0; i < t->n_parts; i++) {
        t->parts[i].t = t;
        t->parts[i].off = (uint64_t)i * part_size;
        uint64_t left = t->size - t->parts[i].off;
        t->parts[i].len = t->n_parts == 1 ? t->size : (left < part_size ? left : part_size);
    }
    ossio_op *op = NULL;
    ossio_status st;
    if (t->n_parts == 1) {
        ossio__upload_single(t);
        return;
    } else if (t->resuming) {
        st = ossio_op_new(&op, cl, OSSIO_OP_MULTIPART_LIST_PARTS, t->uri);
        if (st == OSSIO_OK) {
            st = ossio_op_set_upload(op, t->upload_id, 0);
        }
        if (st == OSSIO_OK) {
            ossio_op_set_callbacks(op, NULL, listed_part, t);
            t->ctl = op;
            ossio__transfer_submit_op(op, listed_done, t);
            return;
        }
    } else {
        ossio__upload_init(t);
        return;
    }
    ossio_op_free(op);
    ossio__transfer_fail(t, st, "could not start the upload", NULL);
    ossio__transfer_settle_later(t);
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

/* The whole object in one PutObject (parts[0]), once its memory is there. */
void ossio__upload_single(ossio_transfer *t)
{
    part *p = &t->parts[0];
    if (t->finishing || p->state != 0 || !part_memory(t, p)) {
        return; /* woken when memory is given back */
    }
    const uint8_t *bytes = part_bytes(t, p);
    ossio_op *op = NULL;
    ossio_status st = bytes != NULL ? ossio_op_new(&op, t->cl, OSSIO_OP_PUT, t->uri) : OSSIO_EIO;
    if (st == OSSIO_OK) {
        st = ossio_op_set_body(op, bytes, (size_t)t->size);
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
    p->crc = ossio_crc64(0, bytes, (size_t)t->size);
    p->state = 1;
    t->ctl = op;
    t->ctl_is_put = 1;
    ossio__transfer_submit_op(op, ossio__upload_put_done, t);
}

void ossio__upload_pump(ossio_transfer *t)
{
    if (t->push) {
        ossio__push_pump(t);
    }
    if (t->finishing) {
        return;
    }
    if (t->n_parts == 1 && !t->multipart && (!t->push || t->push_ended)) {
        ossio__upload_single(t);
    } else {
        start_parts(t);
        complete_if_all_sent(t);
    }
    if (t->finishing) {
        ossio__transfer_settle_later(t); /* from the loop: pump runs inside push calls */
    }
}
