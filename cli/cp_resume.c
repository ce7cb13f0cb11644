/* cp --resume for one file upload: checks the checkpoint against the file
 * and destination, continues the upload it names, and keeps it current as
 * parts are stored (checkpoint.c writes it). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

struct cli_resume {
    char *path; /* the checkpoint */
    cli_ucp now;
    int resumed;
    cli_saver saver;
    char why[600];
};

static int write_checkpoint(void *ud, char *why, size_t why_len)
{
    cli_resume *r = ud;
    return cli_ucp_save(&r->now, r->path, why, why_len);
}

static void on_part(ossio_transfer *t, const ossio_part_info *p, void *ud)
{
    cli_resume *r = ud;
    if (p->number == 0) {
        const char *id = ossio_transfer_upload_id(t);
        snprintf(r->now.upload_id, sizeof(r->now.upload_id), "%s", id != NULL ? id : "");
        cli_saver_now(&r->saver); /* from now on a crash can continue this upload */
        return;
    }
    if (cli_ucp_add_part(&r->now, p->number, p->size, p->etag, p->crc64) != 0) {
        return; /* not recorded: the resumed upload lists the server's parts anyway */
    }
    cli_saver_soon(&r->saver);
}

/* What the checkpoint of this run says: the file as it is now. */
static ossio_status describe(cli_resume *r, const char *src, const char *dst, uint64_t part_size)
{
    char abs[PATH_MAX];
    struct stat sb;
    if (realpath(src, abs) == NULL || stat(abs, &sb) != 0) {
        snprintf(r->why, sizeof(r->why), "%s", strerror(errno));
        return OSSIO_EIO;
    }
    r->now.source = strdup(abs);
    r->now.dest = strdup(dst);
    r->now.size = (uint64_t)sb.st_size;
    r->now.mtime_ns = (uint64_t)sb.st_mtim.tv_sec * 1000000000u + (uint64_t)sb.st_mtim.tv_nsec;
    r->now.part_size = part_size;
    if (r->now.source == NULL || r->now.dest == NULL) {
        return OSSIO_ENOMEM;
    }
    return OSSIO_OK;
}

/* Loads the checkpoint if there is one and checks it: OSSIO_OK (|*id| set
 * when there is an upload to continue), or a refusal with r->why. */
static ossio_status check_existing(cli_resume *r, const char *dir, const char **id)
{
    cli_ucp old;
    char why[400];
    *id = NULL;
    r->path = cli_ckpt_path(r->now.source, r->now.dest, dir, ".ossio-ucp");
    if (r->path == NULL) {
        return OSSIO_ENOMEM;
    }
    int rc = cli_ucp_load(&old, r->path, why, sizeof(why));
    if (rc == 1) {
        return OSSIO_OK; /* none: a fresh upload, checkpointed */
    }
    if (rc == 0 && cli_ucp_check(&old, &r->now, why, sizeof(why)) == 0) {
        snprintf(r->now.upload_id, sizeof(r->now.upload_id), "%s", old.upload_id);
        for (size_t i = 0; i < old.n_parts; i++) {
            const cli_ucp_part *p = &old.parts[i];
            cli_ucp_add_part(&r->now, p->number, p->size, p->etag, p->crc64);
        }
        cli_ucp_free(&old);
        *id = r->now.upload_id;
        return OSSIO_OK;
    }
    cli_ucp_free(&old);
    snprintf(r->why, sizeof(r->why), "checkpoint %s %s: %s; remove it to start over", r->path,
             rc == 0 ? "does not match" : "cannot be used", why);
    return OSSIO_EINVAL;
}

ossio_status cli_resume_begin(cli_resume **out, struct ev_loop *loop, ossio_transfer *t,
                              const char *src, const char *dst, const char *dir, uint64_t part_size,
                              char *why, size_t why_len)
{
    *out = NULL;
    cli_resume *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return OSSIO_ENOMEM;
    }
    cli_saver_init(&r->saver, loop, write_checkpoint, r);
    const char *id = NULL;
    ossio_status st = describe(r, src, dst, part_size);
    if (st == OSSIO_OK) {
        st = check_existing(r, dir, &id);
    }
    if (st == OSSIO_OK && id != NULL) {
        st = ossio_transfer_resume(t, id);
        r->resumed = 1;
    }
    if (st == OSSIO_OK) {
        st = ossio_transfer_set_keep_on_failure(t, 1); /* the checkpoint names it */
    }
    if (st == OSSIO_OK) {
        st = ossio_transfer_set_part_done(t, on_part, r);
    }
    if (st != OSSIO_OK) {
        snprintf(why, why_len, "%s", r->why);
        cli_resume_free(r);
        return st;
    }
    *out = r;
    return OSSIO_OK;
}

/* At completion: success removes the checkpoint; a failure leaves it
 * current. 1 with |why| when the failure needs saying in other words than
 * the server's (the upload is gone, the checkpoint could not be written). */
int cli_resume_end(cli_resume *r, const ossio_result *res, char *why, size_t why_len)
{
    cli_saver_stop(&r->saver);
    if (res->status == OSSIO_OK) {
        if (cli_ckpt_remove(r->path) != 0) {
            snprintf(why, why_len, "uploaded, but the checkpoint %s could not be removed: %s",
                     r->path, strerror(errno));
            return 1;
        }
        return 0;
    }
    cli_saver_flush(&r->saver);
    if (r->resumed && res->code != NULL && strcmp(res->code, "NoSuchUpload") == 0) {
        snprintf(why, why_len,
                 "the upload %s named by checkpoint %s no longer exists on the server "
                 "(NoSuchUpload); remove the checkpoint to start over",
                 r->now.upload_id, r->path);
        return 1;
    }
    if (r->saver.failed) {
        snprintf(why, why_len, "the checkpoint could not be kept: %s", r->saver.why);
        return 1;
    }
    return 0;
}

void cli_resume_free(cli_resume *r)
{
    if (r == NULL) {
        return;
    }
    cli_saver_stop(&r->saver);
    cli_ucp_free(&r->now);
    free(r->path);
    free(r);
}
