/* cp --resume for one download: the bytes go to DEST.ossio-partial, a
 * checkpoint (dcp.c) names the object's version and the parts written and
 * synced; the next run checks both and fetches only what is missing. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

struct cli_dresume {
    ossio_transfer *t;
    char *path;    /* the checkpoint */
    char *partial; /* DEST.ossio-partial */
    int fd;
    cli_dcp now;
    int known; /* the object's version is in |now| */
    int fresh; /* the partial file was created by this run */
    int resumed;
    cli_saver saver;
    char why[600];
};

static int write_checkpoint(void *ud, char *why, size_t why_len)
{
    cli_dresume *r = ud;
    return cli_dcp_save(&r->now, r->path, why, why_len);
}

/* Number 0: the object is known; the partial file takes its size at once,
 * so the checkpoint can name that size. */
static void on_object(cli_dresume *r, ossio_transfer *t)
{
    const char *etag = ossio_transfer_etag(t);
    struct stat sb;
    snprintf(r->now.etag, sizeof(r->now.etag), "%s", etag != NULL ? etag : "");
    r->now.size = ossio_transfer_size(t);
    r->now.has_crc64 = ossio_transfer_server_crc64(t, &r->now.crc64);
    if (ftruncate(r->fd, (off_t)r->now.size) != 0 || fstat(r->fd, &sb) != 0) {
        snprintf(r->saver.why, sizeof(r->saver.why), "cannot size %s: %s", r->partial,
                 strerror(errno));
        r->saver.failed = 1;
        return;
    }
    r->now.inode = (uint64_t)sb.st_ino;
    r->now.file_size = (uint64_t)sb.st_size;
    r->known = 1;
    cli_saver_now(&r->saver); /* from now on a crash can continue this download */
}

static void on_part(ossio_transfer *t, const ossio_part_info *p, void *ud)
{
    cli_dresume *r = ud;
    if (p->number == 0) {
        on_object(r, t);
        return;
    }
    if (!r->known || cli_dcp_add_part(&r->now, p->number, p->size, p->crc64) != 0) {
        return; /* not recorded: fetched again by a resumed run */
    }
    cli_saver_soon(&r->saver);
}

/* The destination's absolute path (it need not exist yet). */
static char *absolute(const char *dst)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(dst, '/');
    const char *base = slash != NULL ? slash + 1 : dst;
    size_t dn = slash == NULL ? 1 : slash == dst ? 1 : (size_t)(slash - dst);
    char *d = strndup(slash == NULL ? "." : dst, dn);
    char *real = d != NULL ? realpath(d, dir) : NULL;
    free(d);
    if (real == NULL || *base == '\0') {
        return NULL;
    }
    size_t n = strlen(dir) + strlen(base) + 2;
    char *s = malloc(n);
    if (s != NULL) {
        snprintf(s, n, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", base);
    }
    return s;
}

/* The parts the checkpoint lists are still in the partial file: its inode,
 * its size and each part's CRC-64, read back. NULL, or what differs. */
static const char *partial_matches(cli_dresume *r, const cli_dcp *old, char *buf, size_t cap)
{
    struct stat sb;
    r->fd = open(r->partial, O_RDWR | O_CLOEXEC);
    if (r->fd < 0 || fstat(r->fd, &sb) != 0) {
        return "the partial file is gone";
    }
    if ((uint64_t)sb.st_ino != old->inode) {
        return "the partial file was replaced (another inode)";
    }
    if ((uint64_t)sb.st_size != old->file_size) {
        return "the partial file's size changed";
    }
    for (size_t i = 0; i < old->n_parts; i++) {
        const cli_dcp_part *p = &old->parts[i];
        uint64_t off = (uint64_t)(p->number - 1) * old->part_size, done = 0, crc = 0;
        while (done < p->size) {
            size_t want = p->size - done < cap ? (size_t)(p->size - done) : cap;
            ssize_t got = pread(r->fd, buf, want, (off_t)(off + done));
            if (got <= 0) {
                return "the partial file cannot be read back";
            }
            crc = ossio_crc64(crc, buf, (size_t)got);
            done += (uint64_t)got;
        }
        if (crc != p->crc64) {
            snprintf(r->why, sizeof(r->why), "the partial file was modified (part %u differs)",
                     (unsigned)p->number);
            return r->why;
        }
    }
    return NULL;
}

/* Pins |t| to the checkpoint's version with its parts present. */
static ossio_status continue_from(cli_dresume *r, ossio_transfer *t, cli_dcp *old)
{
    ossio_part_info *v = calloc(old->n_parts + 1, sizeof(*v));
    if (v == NULL) {
        return OSSIO_ENOMEM;
    }
    for (size_t i = 0; i < old->n_parts; i++) {
        const cli_dcp_part *p = &old->parts[i];
        v[i] = (ossio_part_info){p->number, p->size, NULL, p->crc64,
                                 (uint64_t)(p->number - 1) * old->part_size};
    }
    ossio_status st = ossio_transfer_pin(t, old->etag, old->size, old->has_crc64, old->crc64);
    if (st == OSSIO_OK) {
        st = ossio_transfer_set_present(t, v, old->n_parts);
    }
    free(v);
    /* |now| takes the checkpoint's record: it is what stays true. */
    free(r->now.parts);
    r->now.parts = old->parts;
    r->now.n_parts = old->n_parts;
    r->now.cap = old->cap;
    old->parts = NULL;
    memcpy(r->now.etag, old->etag, sizeof(r->now.etag));
    r->now.size = old->size;
    r->now.crc64 = old->crc64;
    r->now.has_crc64 = old->has_crc64;
    r->now.inode = old->inode;
    r->now.file_size = old->file_size;
    r->known = r->resumed = 1;
    return st;
}

/* Loads the checkpoint if there is one and checks it; with none, a fresh
 * partial file. OSSIO_OK, or a refusal with r->why. */
static ossio_status check_existing(cli_dresume *r, ossio_transfer *t, const char *dir)
{
    cli_dcp old;
    char why[400];
    const char *what = NULL;
    r->path = cli_ckpt_path(r->now.dest, r->now.source, dir, ".ossio-dcp");
    if (r->path == NULL) {
        return OSSIO_ENOMEM;
    }
    int rc = cli_dcp_load(&old, r->path, why, sizeof(why));
    if (rc == 1) {
        r->fd = open(r->partial, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (r->fd < 0) {
            snprintf(r->why, sizeof(r->why), "cannot create %s: %s", r->partial, strerror(errno));
            return OSSIO_EIO;
        }
        r->fresh = 1;
        return OSSIO_OK;
    }
    if (rc == 0 && cli_dcp_check(&old, &r->now, why, sizeof(why)) == 0) {
        char *buf = malloc(1 << 20);
        what = buf == NULL ? "out of memory" : partial_matches(r, &old, buf, 1 << 20);
        free(buf);
        if (what == NULL) {
            ossio_status st = continue_from(r, t, &old);
            cli_dcp_free(&old);
            return st;
        }
        snprintf(why, sizeof(why), "%.300s", what);
    }
    cli_dcp_free(&old);
    snprintf(r->why, sizeof(r->why), "checkpoint %s %s: %s; remove it to start over", r->path,
             rc == 0 ? "does not match" : "cannot be used", why);
    return OSSIO_EINVAL;
}

static ossio_status describe(cli_dresume *r, const char *src, const char *dst, uint64_t part_size)
{
    struct stat sb;
    if (stat(dst, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        snprintf(r->why, sizeof(r->why), "--resume downloads to a regular file only");
        return OSSIO_EINVAL;
    }
    r->now.source = strdup(src);
    r->now.dest = absolute(dst);
    r->now.part_size = part_size;
    if (r->now.source == NULL || r->now.dest == NULL) {
        snprintf(r->why, sizeof(r->why), "cannot resolve %s: %s", dst, strerror(errno));
        return OSSIO_EIO;
    }
    size_t n = strlen(r->now.dest) + 16;
    r->partial = malloc(n);
    if (r->partial == NULL) {
        return OSSIO_ENOMEM;
    }
    snprintf(r->partial, n, "%s.ossio-partial", r->now.dest);
    return OSSIO_OK;
}

ossio_status cli_dresume_begin(cli_dresume **out, struct ev_loop *loop, ossio_transfer *t,
                               const char *src, const char *dst, const char *dir,
                               uint64_t part_size, char *why, size_t why_len)
{
    *out = NULL;
    cli_dresume *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return OSSIO_ENOMEM;
    }
    r->t = t;
    r->fd = -1;
    cli_saver_init(&r->saver, loop, write_checkpoint, r);
    ossio_status st = describe(r, src, dst, part_size);
    if (st == OSSIO_OK) {
        st = check_existing(r, t, dir);
    }
    if (st == OSSIO_OK) {
        st = ossio_transfer_set_parts(t, part_size, 0);
    }
    if (st == OSSIO_OK) {
        st = ossio_transfer_to_fd(t, r->fd);
    }
    if (st == OSSIO_OK) {
        st = ossio_transfer_set_part_done(t, on_part, r);
    }
    if (st != OSSIO_OK) {
        snprintf(why, why_len, "%s", r->why[0] ? r->why : ossio_strerror(st));
        if (r->fresh) {
            unlink(r->partial);
        }
        cli_dresume_free(r);
        return st;
    }
    *out = r;
    return OSSIO_OK;
}

/* Success: the partial file, synced, takes the destination's name. */
static int commit(cli_dresume *r, char *why, size_t why_len)
{
    int rc = fsync(r->fd);
    close(r->fd);
    r->fd = -1;
    if (rc != 0 || rename(r->partial, r->now.dest) != 0 || cli_ckpt_sync_dir(r->now.dest) != 0) {
        snprintf(why, why_len, "downloaded, but %s could not be renamed into place: %s", r->partial,
                 strerror(errno));
        return 1;
    }
    if (cli_ckpt_remove(r->path) != 0) {
        snprintf(why, why_len, "downloaded, but the checkpoint %s could not be removed: %s",
                 r->path, strerror(errno));
        return 1;
    }
    return 0;
}

int cli_dresume_end(cli_dresume *r, const ossio_result *res, char *why, size_t why_len)
{
    cli_saver_stop(&r->saver);
    if (res->status == OSSIO_OK) {
        return commit(r, why, why_len);
    }
    cli_saver_flush(&r->saver);
    if (!r->saver.saved && !r->resumed) {
        unlink(r->partial); /* no checkpoint names it: nothing to resume from */
    }
    if (res->status == OSSIO_ECHANGED && (r->saver.saved || r->resumed)) {
        snprintf(why, why_len,
                 "the object is no longer the one checkpoint %s names (%s); nothing was "
                 "written to %s; remove the checkpoint and %s to start over",
                 r->path, res->detail != NULL ? res->detail : "ETag, size or CRC-64 differ",
                 r->now.dest, r->partial);
        return 1;
    }
    if (r->saver.failed) {
        snprintf(why, why_len, "the checkpoint could not be kept: %s", r->saver.why);
        return 1;
    }
    return 0;
}

void cli_dresume_free(cli_dresume *r)
{
    if (r == NULL) {
        return;
    }
    cli_saver_stop(&r->saver);
    if (r->fd >= 0) {
        close(r->fd);
    }
    cli_dcp_free(&r->now);
    free(r->path);
    free(r->partial);
    free(r);
}
