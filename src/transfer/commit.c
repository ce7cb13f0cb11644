/* The requests that make an upload's object exist (PutObject,
 * CompleteMultipartUpload) and the truth about their outcome: the result
 * always says whether the object exists. When Complete's answer cannot tell
 * (a body no parser reads, an answer lost and a retry told NoSuchUpload), a
 * HEAD decides by the object's size and CRC-64 before anything is aborted. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ops/checksum.h"
#include "transfer/context.h"
#include "transfer/transfer.h"

/* The object exists as this upload made it. A cancel (or other failure) that
 * came while the request that makes it was past recall does not stand: the
 * result says "written" rather than "canceled, nothing written". */
static void written(ossio_transfer *t, const char *what)
{
    t->written = OSSIO_WRITTEN_YES;
    if (t->finishing && t->out.status != OSSIO_OK) {
        ossio__log(t->cl, OSSIO_LOG_INFO, "%s: %s came after %s was sent; the object is written",
                   t->uri, ossio_status_name(t->out.status), what);
        t->finishing = 0;
        ossio__outcome_written(&t->out);
        t->out.decided = 0; /* OK unless a later failure decides, as t->finishing says */
    }
}

/* Adds |what| to the failure's detail. */
static void tell(ossio_transfer *t, const char *what)
{
    size_t n = strlen(t->out.detail);
    snprintf(t->out.detail + n, sizeof(t->out.detail) - n, "; %s", what);
}

/* Whether a failed PutObject may have stored the object: its last answer
 * was no refusal, and it did not fail before sending (resolving, connecting,
 * TLS) on its only attempt; or the client was destroyed during it (a cancel
 * cancels a PutObject only before its body went out). */
static int put_may_exist(const ossio_transfer *t, const ossio_result *res)
{
    if (res->http_status >= 300) {
        return 0;
    }
    switch (res->status) {
    case OSSIO_ECANCELED:
        return ossio__cl_tp(t->cl)->destroying;
    case OSSIO_EDNS:
    case OSSIO_EDNSTIMEOUT:
    case OSSIO_ECONNREFUSED:
    case OSSIO_ECONNECT:
    case OSSIO_ECONNTIMEOUT:
    case OSSIO_ETLS:
    case OSSIO_ETLSVERIFY:
    case OSSIO_ETLSHOSTNAME:
        return res->retries > 0;
    case OSSIO_EIO:
    case OSSIO_ENOMEM:
    case OSSIO_EINVAL:
        return 0;
    default:
        return 1;
    }
}

void ossio__upload_put_done(ossio_op *op, const ossio_result *res, void *ud)
{
    ossio_transfer *t = ud;
    t->ctl = NULL;
    t->ctl_is_put = 0;
    ossio__transfer_account(t, res);
    ossio__transfer_part_free(t, &t->parts[0]);
    t->up.source.ops->sent(t, &t->parts[0]);
    t->checksum = res->checksum;
    if (res->status != OSSIO_OK) {
        t->written = put_may_exist(t, res) ? OSSIO_WRITTEN_UNKNOWN : OSSIO_WRITTEN_NO;
        ossio__transfer_fail(t, res->status, res->detail, res);
    } else {
        written(t, "PutObject's body");
        const ossio_object_info *info = ossio_op_object(op);
        t->crc = t->parts[0].crc;
        t->moved = t->size;
        if (info != NULL && info->has_crc64 && info->crc64 != t->crc) {
            ossio__transfer_fail(t, OSSIO_ECHECKSUM, "the stored object's CRC-64 differs from ours",
                                 res);
        } else {
            ossio__transfer_complete(t);
        }
    }
    ossio__transfer_settle(t);
}

/* The parts' combined CRC-64 and length: what the object must hold. */
static uint64_t parts_total(ossio_transfer *t)
{
    uint64_t len = 0;
    for (size_t i = 0; i < t->n_parts; i++) {
        len += t->parts[i].len;
    }
    t->crc = ossio__parts_crc(t->parts, t->n_parts);
    return len;
}

/* The HEAD's answer decides what the failed Complete did. */
static void head_done(ossio_op *op, const ossio_result *res, void *ud)
{
    ossio_transfer *t = ud;
    t->ctl = NULL;
    ossio__transfer_account(t, res);
    const ossio_object_info *info = ossio_op_object(op);
    uint64_t len = parts_total(t);
    char why[320];
    if (res->status == OSSIO_OK && info != NULL && info->size == len && info->has_crc64 &&
        info->crc64 == t->crc) {
        ossio__log(t->cl, OSSIO_LOG_INFO,
                   "%s: CompleteMultipartUpload failed (%s), but a HEAD shows the object with the "
                   "parts' size and CRC-64: it is written",
                   t->uri, t->out.detail);
        t->up.upload_id[0] = '\0'; /* completed: nothing to abort */
        written(t, "CompleteMultipartUpload");
        ossio__transfer_complete(t);
    } else if (res->status == OSSIO_ENOTFOUND) {
        t->written = OSSIO_WRITTEN_NO;
        tell(t, "a HEAD finds no object: not written");
    } else if (res->status == OSSIO_OK && info != NULL &&
               (info->size != len || (info->has_crc64 && info->crc64 != t->crc))) {
        t->written = OSSIO_WRITTEN_NO;
        snprintf(why, sizeof(why),
                 "a HEAD finds an object of another size or CRC-64 (%llu bytes): not this "
                 "upload's",
                 (unsigned long long)info->size);
        tell(t, why);
    } else {
        t->written = OSSIO_WRITTEN_UNKNOWN;
        snprintf(why, sizeof(why), "whether the object exists is unknown (HEAD: %.200s)",
                 res->status != OSSIO_OK ? res->detail : "no CRC-64 to compare");
        tell(t, why);
    }
    ossio__transfer_settle(t);
}

/* Asks whether the object exists; 0 if no HEAD could be sent. */
static int ask_head(ossio_transfer *t)
{
    ossio_op *op = NULL;
    if (ossio__cl_tp(t->cl)->destroying ||
        ossio_op_new(&op, t->cl, OSSIO_OP_HEAD, t->uri) != OSSIO_OK) {
        return 0;
    }
    t->ctl = op;
    ossio__transfer_submit_op(op, head_done, t);
    return 1;
}

static void complete_done(ossio_op *op, const ossio_result *res, void *ud)
{
    ossio_transfer *t = ud;
    t->ctl = NULL;
    t->ctl_is_complete = 0;
    ossio__transfer_account(t, res);
    t->checksum = res->checksum;
    if (res->status == OSSIO_ECHECKSUM && res->http_status >= 200 && res->http_status < 300) {
        /* The server completed an object whose checksum is not the parts':
         * it exists (not deleted), and is not what we sent. (A 400
         * BadDigest is a refusal: handled below with the other errors.) */
        t->up.upload_id[0] = '\0';
        written(t, "CompleteMultipartUpload");
        ossio__transfer_fail(t, res->status, res->detail, res);
        ossio__transfer_settle(t);
        return;
    }
    if (res->status != OSSIO_OK) {
        ossio__transfer_fail(t, res->status, res->detail, res);
        /* Only the server's refusal of the one attempt made is sure to have
         * written nothing. A 200 whose body could not be read, an answer
         * lost (its retry then hears NoSuchUpload), a reset: a HEAD tells. */
        if (res->retries == 0 && res->http_status >= 300) {
            t->written = OSSIO_WRITTEN_NO;
        } else if (!ask_head(t)) {
            t->written = OSSIO_WRITTEN_UNKNOWN;
            tell(t, "whether the object exists is unknown");
        }
        ossio__transfer_settle(t);
        return;
    }
    t->up.upload_id[0] = '\0'; /* completed: nothing to abort any more */
    written(t, "CompleteMultipartUpload");
    parts_total(t);
    const ossio_object_info *info = ossio_op_object(op);
    if (info != NULL && info->has_crc64 && (t->checksum == NULL || info->crc64 != t->crc)) {
        t->checksum = "crc64";
    }
    if (info != NULL && info->has_crc64 && info->crc64 != t->crc) {
        /* The object exists but is not what we sent: report it (it is not deleted). */
        ossio__transfer_fail(t, OSSIO_ECHECKSUM,
                             "the completed object's CRC-64 differs from the parts'", res);
    } else {
        ossio__transfer_complete(t);
    }
    ossio__transfer_settle(t);
}

/* Preconditions apply when the object comes into being: on Complete too. */
static ossio_status add_preconditions(ossio_transfer *t, ossio_op *op)
{
    for (size_t i = 0; i < t->up.hdrs.n; i++) {
        const char *n = t->up.hdrs.v[i].name;
        if (strcasecmp(n, "x-oss-forbid-overwrite") == 0 || strcasecmp(n, "if-none-match") == 0 ||
            strcasecmp(n, "if-match") == 0) {
            ossio_status st = ossio_op_set_header(op, n, t->up.hdrs.v[i].value);
            if (st != OSSIO_OK) {
                return st;
            }
        }
    }
    return OSSIO_OK;
}

void ossio__upload_complete(ossio_transfer *t)
{
    ossio_op *op = NULL;
    ossio_status st = ossio_op_new(&op, t->cl, OSSIO_OP_MULTIPART_COMPLETE, t->uri);
    if (st == OSSIO_OK) {
        st = ossio_op_set_upload(op, t->up.upload_id, 0);
    }
    if (st == OSSIO_OK) {
        st = add_preconditions(t, op);
    }
    /* The s3 dialect: each part's CRC in the XML, the object's (combined)
     * in the FULL_OBJECT header; the server's echo must equal it. */
    int kind = ossio__ops_sum_kind(&ossio__cl_ops(t->cl)->oss);
    for (size_t i = 0; i < t->n_parts && st == OSSIO_OK; i++) {
        st = kind >= 0
                 ? ossio__op_add_part_sum(op, (uint32_t)(i + 1), t->parts[i].etag, t->parts[i].sum)
                 : ossio_op_add_part(op, (uint32_t)(i + 1), t->parts[i].etag);
    }
    if (st == OSSIO_OK && kind >= 0) {
        ossio__op_set_object_sum(op, ossio__parts_sum(t->parts, t->n_parts, kind));
    }
    if (st != OSSIO_OK) {
        ossio_op_free(op);
        ossio__transfer_fail(t, st, "could not build CompleteMultipartUpload", NULL);
        return;
    }
    t->ctl = op;
    t->ctl_is_complete = 1;
    ossio__transfer_submit_op(op, complete_done, t);
}
