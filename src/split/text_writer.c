/* Flink's writeAsText over a push upload: each record and a "\n" go in as
 * one piece; the upload is one PutObject when it ends within a part, else a
 * multipart upload whose parts leave as they fill. NO_OVERWRITE asks the
 * store first (HEAD, for an early and clear error) and makes the write
 * itself conditional (x-oss-forbid-overwrite on PutObject and
 * CompleteMultipartUpload), so a racing writer cannot be overwritten either.
 * A failure or cancel aborts the upload: nothing is left behind. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transfer/context.h"
#include "split/split.h"
#include "transfer/transfer.h"

/* Flink's FileOutputFormat wording for the same situation. */
#define EXISTS_MSG                                                                                 \
    "File or directory already exists. Existing files and directories are not overwritten in "     \
    "NO_OVERWRITE mode. Use OVERWRITE mode to overwrite existing files and directories."

struct ossio_text_writer {
    ossio_client *cl;
    ossio_transfer *t; /* until its completion */
    ossio_op *head;    /* NO_OVERWRITE's existence check, until its completion */
    int closing;
    int abandoned; /* canceled before close: nobody to tell, free when settled */
    int exists;    /* the check found the object */
    int end_held;  /* closed while the check ran: the upload ends after it */
    int waiting;   /* the last write returned OSSIO_EAGAIN: the caller waits for writable */
    ossio__deferred done_node;
    ossio__deferred wake_node; /* tells a waiting caller that the write failed */
    ossio__outcome out;
    ossio_text_writer_done_cb done;
    void *done_ud;
    ossio_text_writable_cb writable;
    void *writable_ud;
    uint64_t records, bytes, crc;
    char uri[];
};

/* Completes once both the upload and the check have settled, and the
 * caller has closed (or abandoned) the writer: until then it stays theirs. */
static void settle(ossio_text_writer *w)
{
    if (w->t != NULL || w->head != NULL || (!w->closing && !w->abandoned) || w->wake_node.queued ||
        w->done_node.queued) {
        return; /* the queued call settles it when it runs */
    }
    if (!w->abandoned && w->done != NULL) {
        ossio__outcome_result(&w->out, 0);
        w->out.result.bytes_sent = w->out.status == OSSIO_OK ? w->bytes : 0;
        w->done(w, &w->out.result, w->done_ud);
    }
    free(w);
}

static void settle_deferred(ossio__deferred *d)
{
    settle((ossio_text_writer *)((char *)d - offsetof(ossio_text_writer, done_node)));
}

static void wake_deferred(ossio__deferred *d)
{
    ossio_text_writer *w =
        (ossio_text_writer *)((char *)d - offsetof(ossio_text_writer, wake_node));
    if (w->waiting && !w->closing && !w->abandoned && w->writable != NULL) {
        w->waiting = 0;
        w->writable(w, w->writable_ud); /* its next write returns the failure */
    }
    settle(w);
}

/* A caller that got OSSIO_EAGAIN waits for the writable callback, which the
 * budget would never send once the write has failed: send it, so that the
 * caller's next write returns the failure instead of waiting forever. */
static void wake_on_failure(ossio_text_writer *w)
{
    if (w->out.decided && w->waiting && !w->closing && !w->abandoned && w->writable != NULL) {
        ossio__defer(&ossio__cl_tp(w->cl)->defer, &w->wake_node, wake_deferred);
    }
}

static void upload_done(ossio_transfer *t, const ossio_result *res, void *ud)
{
    ossio_text_writer *w = ud;
    w->t = NULL;
    w->abandoned |= ossio__cl_tp(w->cl)->destroying && !w->closing; /* freed with the client */
    ossio__outcome_account(&w->out, res);
    if (res->status == OSSIO_OK && w->out.decided && w->out.status == OSSIO_ECANCELED) {
        /* canceled after the upload's Complete left: the object exists, say so */
        w->crc = ossio_transfer_crc64(t);
        ossio__outcome_written(&w->out);
    } else if (w->exists) {
        /* the check decided it; the upload was canceled for it */
    } else if (res->status != OSSIO_OK) {
        /* The conditional write lost a race (or beat the check): same words. */
        ossio__outcome_fail(&w->out, res->status,
                            res->status == OSSIO_EEXISTS ? EXISTS_MSG : res->detail, res);
    } else {
        w->crc = ossio_transfer_crc64(t);
        ossio__outcome_ok(&w->out);
    }
    wake_on_failure(w);
    settle(w);
}

static void head_done(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)op;
    ossio_text_writer *w = ud;
    w->head = NULL;
    w->abandoned |= ossio__cl_tp(w->cl)->destroying && !w->closing; /* freed with the client */
    ossio__outcome_account(&w->out, res);
    if (res->status == OSSIO_OK) {
        w->exists = 1;
        ossio__outcome_fail(&w->out, OSSIO_EEXISTS, EXISTS_MSG, NULL);
    } else if (res->status != OSSIO_ENOTFOUND && res->status != OSSIO_ECANCELED) {
        ossio__outcome_fail(&w->out, res->status, res->detail, res);
    }
    if (w->out.decided && w->t != NULL) {
        ossio_transfer_cancel(w->t); /* aborts whatever was started */
    } else if (w->end_held && w->t != NULL) {
        (void)ossio_transfer_push_end(w->t); /* the object did not exist: write it now */
    }
    wake_on_failure(w);
    settle(w);
}

static void on_writable(ossio_transfer *t, void *ud)
{
    (void)t;
    ossio_text_writer *w = ud;
    w->waiting = 0;
    if (w->writable != NULL && !w->abandoned) {
        w->writable(w, w->writable_ud);
    }
}

ossio_status ossio_text_writer_open(ossio_text_writer **out, ossio_client *cl, const char *uri,
                                    ossio_write_mode mode)
{
    if (out == NULL) {
        return OSSIO_EINVAL;
    }
    *out = NULL;
    if (cl == NULL || uri == NULL || (mode != OSSIO_NO_OVERWRITE && mode != OSSIO_OVERWRITE)) {
        return OSSIO_EINVAL;
    }
    size_t n = strlen(uri) + 1;
    ossio_text_writer *w = calloc(1, sizeof(*w) + n);
    if (w == NULL) {
        return OSSIO_ENOMEM;
    }
    memcpy(w->uri, uri, n);
    w->cl = cl;
    ossio_transfer *t = NULL;
    ossio_op *head = NULL;
    ossio_status st = ossio_upload_new(&t, cl, uri);
    if (st == OSSIO_OK) {
        st = ossio_transfer_from_push(t);
    }
    if (st == OSSIO_OK && mode == OSSIO_NO_OVERWRITE) {
        if (!ossio__cl_ops(cl)->oss.s3) { /* S3 has no such header: the check alone guards it */
            st = ossio_transfer_set_header(t, "x-oss-forbid-overwrite", "true");
        }
        if (st == OSSIO_OK) {
            st = ossio_op_new(&head, cl, OSSIO_OP_HEAD, uri);
        }
    }
    if (st != OSSIO_OK) {
        ossio_transfer_free(t);
        free(w);
        return st;
    }
    ossio_transfer_set_writable(t, on_writable, w);
    w->t = t;
    ossio_transfer_submit(t, upload_done, w);
    if (head != NULL) {
        w->head = head;
        ossio_op_submit(head, head_done, w);
    }
    *out = w;
    return OSSIO_OK;
}

ossio_status ossio_text_writer_write(ossio_text_writer *w, const void *data, size_t len)
{
    if (w == NULL || w->closing || w->abandoned || (data == NULL && len > 0)) {
        return OSSIO_EINVAL;
    }
    if (w->out.decided || w->t == NULL) {
        return w->out.status != OSSIO_OK ? w->out.status : OSSIO_EINVAL;
    }
    ossio_status st = ossio__transfer_push2(w->t, data, len, "\n", 1);
    if (st == OSSIO_OK) {
        w->records++;
        w->bytes += len + 1;
    }
    w->waiting = st == OSSIO_EAGAIN;
    return st;
}

void ossio_text_writer_set_writable(ossio_text_writer *w, ossio_text_writable_cb cb,
                                    void *user_data)
{
    if (w != NULL) {
        w->writable = cb;
        w->writable_ud = user_data;
    }
}

ossio_status ossio_text_writer_close(ossio_text_writer *w, ossio_text_writer_done_cb done,
                                     void *user_data)
{
    if (w == NULL || w->closing || w->abandoned || done == NULL) {
        return OSSIO_EINVAL;
    }
    w->closing = 1;
    w->done = done;
    w->done_ud = user_data;
    if (w->t != NULL && !w->out.decided) {
        if (w->head != NULL) {
            /* NO_OVERWRITE: the object may only come into being once the
             * check said it does not exist (on S3 nothing else guards it). */
            w->end_held = 1;
        } else {
            /* A failure here is the upload's: its completion reports it. */
            (void)ossio_transfer_push_end(w->t);
        }
    }
    if (w->t == NULL && w->head == NULL) {
        /* Everything settled before close: complete from the loop. */
        ossio__defer(&ossio__cl_tp(w->cl)->defer, &w->done_node, settle_deferred);
    }
    return OSSIO_OK;
}

void ossio_text_writer_cancel(ossio_text_writer *w)
{
    if (w == NULL || w->abandoned) {
        return;
    }
    if (!w->closing) {
        w->abandoned = 1; /* the caller is done with it; freed once settled */
        if (w->t == NULL && w->head == NULL) {
            ossio__defer(&ossio__cl_tp(w->cl)->defer, &w->done_node, settle_deferred);
            return;
        }
    }
    ossio__outcome_fail(&w->out, OSSIO_ECANCELED, "canceled", NULL);
    if (w->head != NULL) {
        ossio_op_cancel(w->head);
    }
    if (w->t != NULL) {
        ossio_transfer_cancel(w->t);
    }
}

uint64_t ossio_text_writer_records(const ossio_text_writer *w)
{
    return w != NULL ? w->records : 0;
}

uint64_t ossio_text_writer_bytes(const ossio_text_writer *w)
{
    return w != NULL ? w->bytes : 0;
}

uint64_t ossio_text_writer_crc64(const ossio_text_writer *w)
{
    return w != NULL ? w->crc : 0;
}
