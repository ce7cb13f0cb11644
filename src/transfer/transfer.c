/* What downloads and uploads share: construction, sinks and sources, the
 * decision of the outcome (the first failure wins and stops the rest),
 * progress, and the one completion. */
#include "transfer/transfer.h"

#include <ev.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop/client.h"
#include "ops/op.h"
#include "transfer/budget.h"

static void wake(ossio__waiter *w)
{
    ossio_transfer *t = (ossio_transfer *)((char *)w - offsetof(ossio_transfer, mem_waiter));
    if (t->upload) {
        ossio__upload_pump(t);
    } else {
        ossio__download_pump(t);
    }
}

/* The transfer ran out of time: it fails as a cancel does (an upload is
 * aborted; a Complete or PutObject already being written is awaited, and its
 * answer decides). */
static void on_deadline(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    ossio_transfer *t = w->data;
    char detail[128];
    snprintf(detail, sizeof(detail), "not done within its deadline of %.3f s", t->deadline);
    ossio__transfer_fail(t, OSSIO_EDEADLINE, detail, NULL);
    ossio__transfer_settle_later(t);
}

static ossio_status make(ossio_transfer **out, ossio_client *cl, const char *uri, int upload)
{
    if (out == NULL) {
        return OSSIO_EINVAL;
    }
    *out = NULL;
    if (cl == NULL || uri == NULL) {
        return OSSIO_EINVAL;
    }
    /* Check the URI and configuration now, with ossio_op_new()'s messages. */
    ossio_op *probe = NULL;
    ossio_status st = ossio_op_new(&probe, cl, upload ? OSSIO_OP_PUT : OSSIO_OP_GET, uri);
    if (st != OSSIO_OK) {
        return st;
    }
    ossio_op_free(probe);
    ossio_transfer *t = calloc(1, sizeof(*t));
    if (t == NULL || (t->uri = strdup(uri)) == NULL) {
        free(t);
        return OSSIO_ENOMEM;
    }
    t->cl = cl;
    t->upload = upload;
    t->fd = -1;
    t->spill_fd = -1;
    t->mem_waiter.wake = wake;
    ev_init(&t->hedge_timer, NULL);
    ev_init(&t->deadline_timer, on_deadline);
    t->deadline_timer.data = t;
    t->deadline = cl->set.deadline;
    t->hedging = !upload && cl->oss.hedging;
    ossio__hdrs_init(&t->hdrs, 64 * 1024, 64);
    *out = t;
    return OSSIO_OK;
}

ossio_status ossio_download_new(ossio_transfer **out, ossio_client *cl, const char *uri)
{
    return make(out, cl, uri, 0);
}

ossio_status ossio_upload_new(ossio_transfer **out, ossio_client *cl, const char *uri)
{
    return make(out, cl, uri, 1);
}

static int settable(const ossio_transfer *t, int upload)
{
    return t != NULL && !t->submitted && t->upload == upload;
}

ossio_status ossio_transfer_to_fd(ossio_transfer *t, int fd)
{
    if (!settable(t, 0) || fd < 0) {
        return OSSIO_EINVAL;
    }
    t->fd = fd;
    return OSSIO_OK;
}

ossio_status ossio_transfer_to_file(ossio_transfer *t, const char *path)
{
    if (!settable(t, 0) || path == NULL || *path == '\0') {
        return OSSIO_EINVAL;
    }
    free(t->path);
    t->path = strdup(path);
    return t->path != NULL ? OSSIO_OK : OSSIO_ENOMEM;
}

ossio_status ossio_transfer_to_buffer(ossio_transfer *t, void *buf, size_t cap)
{
    if (!settable(t, 0) || (buf == NULL && cap > 0)) {
        return OSSIO_EINVAL;
    }
    t->buf = buf;
    t->cap = cap;
    t->fd = -2; /* marks the buffer sink */
    return OSSIO_OK;
}

ossio_status ossio_transfer_to_stream(ossio_transfer *t, ossio_stream_cb cb, void *user_data)
{
    if (!settable(t, 0) || cb == NULL) {
        return OSSIO_EINVAL;
    }
    t->stream = cb;
    t->stream_ud = user_data;
    t->fd = -3; /* marks the stream sink */
    return OSSIO_OK;
}

ossio_status ossio_transfer_from_file(ossio_transfer *t, const char *path)
{
    if (!settable(t, 1) || path == NULL) {
        return OSSIO_EINVAL;
    }
    free(t->path);
    t->path = strdup(path);
    return t->path != NULL ? OSSIO_OK : OSSIO_ENOMEM;
}

ossio_status ossio_transfer_from_buffer(ossio_transfer *t, const void *data, size_t len)
{
    if (!settable(t, 1) || (data == NULL && len > 0)) {
        return OSSIO_EINVAL;
    }
    t->data = data;
    t->size = len;
    t->size_known = 1;
    return OSSIO_OK;
}

ossio_status ossio_transfer_set_parts(ossio_transfer *t, uint64_t part_size, unsigned parallel)
{
    if (t == NULL || t->submitted || parallel > 1000 ||
        (t->upload && part_size != 0 && part_size < 100 * 1024)) {
        return OSSIO_EINVAL;
    }
    if (part_size != 0) {
        t->part_size = part_size;
    }
    if (parallel != 0) {
        t->parallel = parallel;
    }
    return OSSIO_OK;
}

ossio_status ossio_transfer_set_header(ossio_transfer *t, const char *name, const char *value)
{
    if (!settable(t, 1) || name == NULL || value == NULL ||
        !ossio__hdr_valid(name, strlen(name), value, strlen(value))) {
        return OSSIO_EINVAL;
    }
    return ossio__hdrs_add(&t->hdrs, name, strlen(name), value, strlen(value));
}

ossio_status ossio_transfer_set_keep_on_failure(ossio_transfer *t, int keep)
{
    if (!settable(t, 1)) {
        return OSSIO_EINVAL;
    }
    t->keep_on_failure = keep != 0;
    return OSSIO_OK;
}

ossio_status ossio_transfer_resume(ossio_transfer *t, const char *upload_id)
{
    if (!settable(t, 1) || upload_id == NULL || *upload_id == '\0' ||
        strlen(upload_id) >= sizeof(t->upload_id)) {
        return OSSIO_EINVAL;
    }
    snprintf(t->upload_id, sizeof(t->upload_id), "%s", upload_id);
    t->resuming = 1;
    return OSSIO_OK;
}

const char *ossio_transfer_upload_id(const ossio_transfer *t)
{
    return t != NULL && t->upload_id[0] ? t->upload_id : NULL;
}

ossio_status ossio_transfer_set_hedging(ossio_transfer *t, int on)
{
    if (!settable(t, 0)) {
        return OSSIO_EINVAL;
    }
    t->hedging = on != 0;
    return OSSIO_OK;
}

double ossio_transfer_elapsed(const ossio_transfer *t)
{
    return t != NULL ? t->elapsed : 0;
}

unsigned ossio_transfer_hedges(const ossio_transfer *t)
{
    return t != NULL ? t->hedges : 0;
}

void ossio_transfer_set_progress(ossio_transfer *t, ossio_progress_cb cb, void *user_data)
{
    if (t != NULL && !t->submitted) {
        t->progress = cb;
        t->progress_ud = user_data;
    }
}

int ossio__transfer_mem_try(ossio_transfer *t, uint64_t n)
{
    if (!ossio__mem_reserve(t->cl, n)) {
        return 0;
    }
    t->mem_held += n;
    if (t->mem_held > t->mem_peak) {
        t->mem_peak = t->mem_held;
    }
    return 1;
}

int ossio__transfer_mem_take(ossio_transfer *t, uint64_t n)
{
    if (!ossio__transfer_mem_try(t, n)) {
        ossio__mem_wait(t->cl, &t->mem_waiter);
        return 0;
    }
    return 1;
}

void ossio__transfer_part_free(ossio_transfer *t, part *p)
{
    free(p->buf);
    p->buf = NULL;
    if (p->mem > 0) {
        t->mem_held -= p->mem;
        ossio__mem_release(t->cl, p->mem);
        p->mem = 0;
    }
}

static void release(ossio_transfer *t)
{
    if (t->submitted) {
        ossio_client *cl = t->cl;
        ossio__mem_unwait(cl, &t->mem_waiter);
        if (t->mem_held > 0) {
            ossio__mem_release(cl, t->mem_held);
        }
        if (t->live_prev != NULL) {
            t->live_prev->live_next = t->live_next;
        } else {
            cl->transfers = t->live_next;
        }
        if (t->live_next != NULL) {
            t->live_next->live_prev = t->live_prev;
        }
    }
    ossio__push_release(t);
    for (unsigned i = 0; i < t->n_spare; i++) {
        free(t->spare[i]);
    }
    free(t->spare);
    for (unsigned i = 0; i < t->n_stages; i++) {
        free(t->stages[i]);
    }
    if (t->parts != NULL) {
        for (size_t i = 0; i < t->n_parts; i++) {
            free(t->parts[i].buf);
            free(t->parts[i].stage);
            free(t->parts[i].hedge);
        }
    }
    free(t->parts);
    ossio__hdrs_free(&t->hdrs);
    free(t->uri);
    free(t->path);
    free(t->tmp_path);
    free(t);
}

void ossio_transfer_free(ossio_transfer *t)
{
    if (t != NULL && !t->submitted) {
        release(t);
    }
}

ossio_status ossio_transfer_submit(ossio_transfer *t, ossio_transfer_done_cb done, void *user_data)
{
    if (t == NULL || t->submitted || done == NULL) {
        return OSSIO_EINVAL;
    }
    if (t->upload ? (t->path == NULL && !t->size_known && !t->push)
                  : (t->fd == -1 && t->path == NULL)) {
        return OSSIO_EINVAL;
    }
    t->submitted = 1;
    ossio_client *cl = t->cl;
    t->live_next = cl->transfers;
    if (cl->transfers != NULL) {
        cl->transfers->live_prev = t;
    }
    cl->transfers = t;
    t->started = ev_now(t->cl->loop);
    if (t->deadline > 0) {
        ev_timer_set(&t->deadline_timer, t->deadline, 0.);
        ev_timer_start(cl->loop, &t->deadline_timer);
    }
    t->done = done;
    t->done_ud = user_data;
    if (t->part_size == 0) {
        t->part_size = t->upload ? cl->oss.upload_part_size : cl->oss.download_part_size;
    }
    if (t->parallel == 0) {
        t->parallel = t->upload ? cl->oss.upload_parallel : cl->oss.download_parallel;
    }
    /* Bytes held in memory (stream-sink reordering, file and push upload
     * parts) come out of the client's budget: parts wait for it (budget.h). */
    if (t->push) {
        ossio__push_start(t);
    } else if (t->upload) {
        ossio__upload_start(t);
    } else {
        ossio__download_start(t);
    }
    return OSSIO_OK;
}

void ossio__transfer_note_progress(ossio_transfer *t, int force)
{
    if (t->progress == NULL) {
        return;
    }
    double now = ev_now(t->cl->loop);
    if (!force && now - t->last_progress < 0.1) {
        return;
    }
    t->last_progress = now;
    t->progress(t, t->moved, t->size_known ? t->size : 0, t->progress_ud);
}

void ossio__transfer_account(ossio_transfer *t, const ossio_result *res)
{
    t->retries += res->retries;
    if (res->protocol != NULL) {
        t->protocol = res->protocol;
    }
    if (res->connection != 0) {
        t->last_conn = res->connection;
        unsigned i = 0;
        while (i < t->n_conns && t->conns[i] != res->connection) {
            i++;
        }
        if (i == t->n_conns && i < sizeof(t->conns) / sizeof(t->conns[0])) {
            t->conns[t->n_conns++] = res->connection;
        }
    }
}

unsigned ossio_transfer_connections(const ossio_transfer *t)
{
    return t != NULL ? t->n_conns : 0;
}

void ossio__transfer_fail(ossio_transfer *t, ossio_status st, const char *detail,
                          const ossio_result *from)
{
    if (t->finishing) {
        return;
    }
    t->finishing = 1;
    t->status = st;
    if (detail != t->detail) {
        snprintf(t->detail, sizeof(t->detail), "%s", detail != NULL ? detail : ossio_strerror(st));
    }
    if (from != NULL) {
        t->result.http_status = from->http_status;
        snprintf(t->code, sizeof(t->code), "%s", from->code ? from->code : "");
        snprintf(t->message, sizeof(t->message), "%s", from->message ? from->message : "");
        snprintf(t->request_id, sizeof(t->request_id), "%s",
                 from->request_id ? from->request_id : "");
    }
    /* Stop what is in flight; each settles through its completion. */
    for (size_t i = 0; i < t->n_parts; i++) {
        if (t->parts[i].op != NULL) {
            ossio_op_cancel(t->parts[i].op);
        }
        if (t->parts[i].hedge != NULL && t->parts[i].hedge->op != NULL) {
            ossio_op_cancel(t->parts[i].hedge->op);
        }
    }
    /* An InitiateMultipartUpload in flight is left to finish: its UploadId is
     * needed to abort the upload it may already have created. So is a
     * CompleteMultipartUpload in flight, and a single PutObject whose body
     * has been sent: the server may already be writing the object (an abort
     * could lose the race, a reset may come too late); that attempt's answer
     * tells, and no other attempt starts. Waiting to retry, they are
     * canceled like the rest. */
    int committing = (t->ctl_is_complete && ossio__op_in_flight(t->ctl)) ||
                     (t->ctl_is_put && ossio__op_body_sent(t->ctl));
    if (committing) {
        ossio__op_last_attempt(t->ctl); /* this attempt's answer, but no new attempt */
    }
    if (t->ctl != NULL && !t->ctl_is_init && !committing) {
        ossio_op_cancel(t->ctl);
    }
}

void ossio__transfer_complete(ossio_transfer *t)
{
    if (!t->finishing) {
        t->finishing = 1;
        t->status = OSSIO_OK;
    }
}

#define ABORT_TRIES 3

static void abort_done(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)op;
    ossio_transfer *t = ud;
    t->ctl = NULL;
    if (res->status == OSSIO_OK || res->http_status == 404) {
        t->upload_id[0] = '\0'; /* aborted (404: nothing left to abort) */
    } else if (t->abort_tries >= ABORT_TRIES) {
        /* Never silently: the result says the upload is left, and
         * ossio_transfer_upload_id() still names it. */
        ossio__log(t->cl, OSSIO_LOG_WARN, "aborting multipart upload %s of %s failed: %s",
                   t->upload_id, t->uri, res->detail);
        size_t n = strlen(t->detail);
        snprintf(t->detail + n, sizeof(t->detail) - n,
                 "%smultipart upload left behind (abort failed: %s)", n ? "; " : "",
                 res->detail ? res->detail : "");
        t->abort_tries = ABORT_TRIES + 1; /* settle: do not try again */
    }
    ossio__transfer_settle(t);
}

void ossio__transfer_settle(ossio_transfer *t)
{
    /* A queued deferred settle will do it: completing now would free |t|
     * under that queued node. */
    if (!t->finishing || t->in_flight > 0 || t->ctl != NULL || t->settle_node.queued ||
        t->writable_node.queued) {
        return; /* the queued call settles it when it runs */
    }
    while (t->upload && t->status != OSSIO_OK && t->upload_id[0] != '\0' && !t->keep_on_failure &&
           t->abort_tries < ABORT_TRIES) {
        /* Leave nothing behind: abort the multipart upload (again, up to
         * ABORT_TRIES times, whatever failed: a transport error on the
         * abort is as passing as the one that failed the upload), then
         * complete. */
        t->abort_tries++;
        ossio_op *op = NULL;
        if (ossio_op_new(&op, t->cl, OSSIO_OP_MULTIPART_ABORT, t->uri) == OSSIO_OK &&
            ossio_op_set_upload(op, t->upload_id, 0) == OSSIO_OK) {
            t->ctl = op;
            ossio__transfer_submit_op(op, abort_done, t);
            return;
        }
        ossio_op_free(op);
        if (t->abort_tries == ABORT_TRIES) {
            size_t n = strlen(t->detail);
            snprintf(t->detail + n, sizeof(t->detail) - n,
                     "%smultipart upload left behind (its abort could not be started)",
                     n ? "; " : "");
        }
    }
    if (!t->upload) {
        if (t->tmp_path != NULL) {
            if (t->status == OSSIO_OK && rename(t->tmp_path, t->path) != 0) {
                t->status = OSSIO_EIO;
                snprintf(t->detail, sizeof(t->detail), "could not rename the download into %s",
                         t->path);
            }
            if (t->status != OSSIO_OK) {
                unlink(t->tmp_path);
            }
        }
        if (t->tmp_path != NULL && t->fd >= 0) {
            close(t->fd);
            t->fd = -1;
        }
    } else if (t->path != NULL && t->fd >= 0) {
        close(t->fd);
        t->fd = -1;
    }
    if (t->own_fd && t->fd >= 0) {
        close(t->fd);
        t->fd = -1;
    }
    ev_timer_stop(t->cl->loop, &t->hedge_timer);
    ev_timer_stop(t->cl->loop, &t->deadline_timer);
    ev_now_update(t->cl->loop);
    t->elapsed = ev_now(t->cl->loop) - t->started;
    ossio__transfer_note_progress(t, 1);
    t->result.status = t->status;
    t->result.protocol = t->protocol;
    t->result.detail = t->status == OSSIO_OK ? "" : t->detail;
    t->result.code = t->code[0] ? t->code : NULL;
    t->result.message = t->message[0] ? t->message : NULL;
    t->result.request_id = t->request_id[0] ? t->request_id : NULL;
    t->result.retries = t->retries;
    t->result.connection = t->last_conn;
    t->result.bytes_received = t->upload ? 0 : t->moved;
    t->result.bytes_sent = t->upload ? t->moved : 0;
    t->result.written = t->upload ? t->written : OSSIO_WRITTEN_NO;
    t->done(t, &t->result, t->done_ud);
    release(t);
}

static void settle_deferred(ossio__deferred *d)
{
    ossio_transfer *t = (ossio_transfer *)((char *)d - offsetof(ossio_transfer, settle_node));
    ossio__transfer_settle(t);
}

void ossio__transfer_settle_later(ossio_transfer *t)
{
    ossio__defer(&t->cl->defer, &t->settle_node, settle_deferred);
}

void ossio__transfers_cancel_all(ossio_client *cl)
{
    for (ossio_transfer *t = cl->transfers; t != NULL; t = t->live_next) {
        ossio_transfer_cancel(t);
    }
}

uint64_t ossio_transfer_memory_peak(const ossio_transfer *t)
{
    return t != NULL ? t->mem_peak : 0;
}

ossio_status ossio_transfer_set_deadline(ossio_transfer *t, uint64_t ms)
{
    if (t == NULL || t->submitted) {
        return OSSIO_EINVAL;
    }
    t->deadline = (double)ms / 1e3;
    return OSSIO_OK;
}

void ossio_transfer_cancel(ossio_transfer *t)
{
    if (t != NULL && t->submitted) {
        ossio__transfer_fail(t, OSSIO_ECANCELED, "canceled", NULL);
        ossio__transfer_settle_later(t);
    }
}

uint64_t ossio_transfer_size(const ossio_transfer *t)
{
    return t != NULL && t->size_known ? t->size : 0;
}

uint64_t ossio_transfer_bytes(const ossio_transfer *t)
{
    return t != NULL ? t->moved : 0;
}

unsigned ossio_transfer_parts(const ossio_transfer *t)
{
    return t != NULL ? (unsigned)t->n_parts : 0;
}

uint64_t ossio_transfer_crc64(const ossio_transfer *t)
{
    return t != NULL ? t->crc : 0;
}
