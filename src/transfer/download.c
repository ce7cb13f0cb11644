/* Auto-ranged download: part 0 tells the size and ETag; the other parts run
 * in parallel with If-Match on that ETag; bytes go to the sink at their
 * offsets as they arrive (no reassembly copy); part CRC-64s are combined and
 * checked against the object's. */
#define _GNU_SOURCE /* mkstemp in the target directory */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ev.h>

#include "transfer/context.h"
#include "transfer/budget.h"
#include "transfer/transfer.h"
#include "util/bigbuf.h"

static void start_parts(ossio_transfer *t);

static int sink_write(ossio_transfer *t, uint64_t off, const uint8_t *data, size_t len)
{
    if (t->fd == -2) {
        if (off + len > t->cap) {
            return -1;
        }
        memcpy(t->buf + off, data, len);
        return 0;
    }
    while (len > 0) {
        ssize_t n = pwrite(t->fd, data, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        data += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
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
    if (p->stage != NULL) {
        if (t->n_stages < sizeof(t->stages) / sizeof(t->stages[0])) {
            t->stages[t->n_stages++] = p->stage;
        } else {
            free(p->stage);
        }
    }
    p->stage = NULL;
    p->stage_len = 0;
}

static int staged_write(ossio_transfer *t, part *p, uint64_t off, const uint8_t *data, size_t len)
{
    if (t->fd < 0 || len >= STAGE) { /* the buffer sink copies anyway */
        return stage_flush(t, p) != 0 ? -1 : sink_write(t, off, data, len);
    }
    if (p->stage == NULL) {
        p->stage = t->n_stages > 0 ? t->stages[--t->n_stages] : malloc(STAGE);
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
    if (p->buf != NULL && p->mem == t->part_size && t->next < t->n_parts) {
        if (t->n_spare == t->cap_spare) {
            unsigned cap = t->cap_spare ? 2 * t->cap_spare : 16;
            uint8_t **v = realloc(t->spare, cap * sizeof(*v));
            if (v == NULL) {
                ossio__transfer_part_free(t, p);
                return;
            }
            t->spare = v;
            t->cap_spare = cap;
        }
        t->spare[t->n_spare++] = p->buf;
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
    while (t->deliver_next < t->n_parts) {
        part *p = &t->parts[t->deliver_next];
        if (p->buf != NULL && p->delivered < p->got) {
            if (t->stream(t, p->buf + p->delivered, (size_t)(p->got - p->delivered),
                          t->stream_ud) != 0) {
                return 1;
            }
            p->delivered = p->got;
        }
        if (p->state != 2 || !t->size_known) {
            return 0; /* the head part is still arriving: its bytes now go straight out */
        }
        recycle(t, p);
        t->deliver_next++;
    }
    return 0;
}

static int stream_data(ossio_transfer *t, part *p, const uint8_t *data, size_t len)
{
    if (p == &t->parts[t->deliver_next] && p->delivered == p->got) {
        p->delivered += len; /* in turn: straight to the caller, no copy */
        return t->stream(t, data, len, t->stream_ud);
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
static void count_progress(ossio_transfer *t, part *p, uint64_t got)
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
    if (t->stream != NULL) {
        /* part 0's length is only a bound until its answer tells the size */
        int rc = p->got + len > p->len ? -1 : stream_data(t, p, data, len);
        if (rc != 0) {
            ossio__transfer_fail(t, rc > 0 ? OSSIO_ECANCELED : OSSIO_ENOMEM,
                                 rc > 0 ? "stopped by the stream callback" : NULL, NULL);
            return 1;
        }
    } else if (staged_write(t, p, p->off + p->got, data, len) != 0) {
        ossio__transfer_fail(t, t->fd == -2 ? OSSIO_EBODYSIZE : OSSIO_EIO,
                             t->fd == -2 ? "the object does not fit the buffer"
                                         : "writing the download failed",
                             NULL);
        return 1;
    }
    p->crc = ossio_crc64(p->crc, data, len);
    p->got += len;
    count_progress(t, p, p->got);
    return 0;
}

static void finish_if_done(ossio_transfer *t)
{
    if (t->finishing || t->done_parts < t->n_parts) {
        return;
    }
    uint64_t crc = 0;
    for (size_t i = 0; i < t->n_parts; i++) {
        crc = i == 0 ? t->parts[0].crc : ossio_crc64_combine(crc, t->parts[i].crc, t->parts[i].len);
    }
    t->crc = crc;
    if (t->has_server_crc && crc != t->server_crc && !t->crc_refetched && t->stream == NULL) {
        /* Which part is wrong cannot be told (OSS gives the whole object's
         * CRC only): fetch every part once more, over the same bytes. A
         * stream sink has handed its bytes on already: no second chance. */
        ossio__log(t->cl, OSSIO_LOG_WARN,
                   "CRC-64 of %s differs from x-oss-hash-crc64ecma: fetching its %zu parts again",
                   t->uri, t->n_parts);
        t->crc_refetched = 1;
        t->retries++;
        for (size_t i = 0; i < t->n_parts; i++) {
            part *p = &t->parts[i];
            free(p->hedge);
            p->hedge = NULL;
            p->hedge_won = 0;
            p->state = 0;
            p->got = 0;
            p->crc = 0;
        }
        t->done_parts = 0;
        t->next = 0; /* the caller starts them */
        return;
    }
    if (t->has_server_crc && crc != t->server_crc) {
        char d[160];
        snprintf(d, sizeof(d),
                 "CRC-64 of the parts (%llu) differs from x-oss-hash-crc64ecma (%llu)",
                 (unsigned long long)crc, (unsigned long long)t->server_crc);
        ossio__transfer_fail(t, OSSIO_ECHECKSUM, d, NULL);
        return;
    }
    ossio__transfer_complete(t);
}

static void part_done(ossio_op *op, const ossio_result *res, void *ud)
{
    part *p = ud;
    ossio_transfer *t = p->t;
    p->op = NULL;
    t->in_flight--;
    ossio__transfer_account(t, res);
    if (res->status != OSSIO_OK || p->hedge_won) {
        stage_release(t, p);
    } else if (stage_flush(t, p) != 0) {
        stage_release(t, p);
        ossio__transfer_fail(t, OSSIO_EIO, "writing the download failed", NULL);
    } else {
        stage_release(t, p);
    }
    if (p->hedge_won || (res->status != OSSIO_OK && p->hedge != NULL && p->hedge->op != NULL)) {
        /* Its hedge won, or is still running and decides the part. */
        ossio__transfer_settle(t);
        return;
    }
    p->state = 2;
    if (p->hedge != NULL && p->hedge->op != NULL) {
        ossio_op_cancel(p->hedge->op); /* the first request won */
    }
    if (res->status == OSSIO_OK && p != &t->parts[0]) {
        t->done_time_sum += ev_now(ossio__cl_tp(t->cl)->loop) - p->started;
        t->done_time_count++;
    }
    if (res->status != OSSIO_OK) {
        if (res->status == OSSIO_EHTTP && res->http_status == 416 && p == &t->parts[0]) {
            /* An empty object has no byte 0: it is complete as it is. */
            t->size = 0;
            t->size_known = 1;
            t->done_parts = t->n_parts = 1;
            p->len = 0;
            finish_if_done(t);
            if (!t->finishing) {
                start_parts(t);
            }
        } else {
            ossio__transfer_fail(t, res->status, res->detail, res);
        }
        ossio__transfer_settle(t);
        return;
    }
    if (p == &t->parts[0] && !t->size_known) {
        const ossio_object_info *info = ossio_op_object(op);
        if (info == NULL) {
            ossio__transfer_fail(t, OSSIO_EPROTO, "the first part had no object metadata", res);
            ossio__transfer_settle(t);
            return;
        }
        t->size = info->size;
        t->size_known = 1;
        snprintf(t->etag, sizeof(t->etag), "%s", info->etag ? info->etag : "");
        t->has_server_crc = info->has_crc64;
        t->server_crc = info->crc64;
        p->len = p->got;
        if (t->fd == -2 && t->size > t->cap) {
            ossio__transfer_fail(t, OSSIO_EBODYSIZE, "the object does not fit the buffer", NULL);
            ossio__transfer_settle(t);
            return;
        }
        /* The rest of the parts, now that the size is known. */
        uint64_t rest = t->size > p->len ? t->size - p->len : 0;
        size_t n = 1 + (size_t)((rest + t->part_size - 1) / t->part_size);
        part *v = realloc(t->parts, n * sizeof(*v));
        if (v == NULL) {
            ossio__transfer_fail(t, OSSIO_ENOMEM, NULL, NULL);
            ossio__transfer_settle(t);
            return;
        }
        t->parts = v;
        p = &t->parts[0];
        for (size_t i = 1; i < n; i++) {
            memset(&t->parts[i], 0, sizeof(part));
            t->parts[i].t = t;
            t->parts[i].off = p->len + (uint64_t)(i - 1) * t->part_size;
            uint64_t left = t->size - t->parts[i].off;
            t->parts[i].len = left < t->part_size ? left : t->part_size;
        }
        t->n_parts = n;
    } else if (p->got != p->len) {
        ossio__transfer_fail(t, OSSIO_EPROTO, "a part returned fewer bytes than asked for", res);
        ossio__transfer_settle(t);
        return;
    }
    t->done_parts++;
    if (t->stream != NULL && deliver(t) != 0) {
        ossio__transfer_fail(t, OSSIO_ECANCELED, "stopped by the stream callback", NULL);
        ossio__transfer_settle(t);
        return;
    }
    finish_if_done(t);
    if (!t->finishing) {
        start_parts(t);
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
    if (st == OSSIO_OK && t->etag[0] != '\0') {
        st = ossio_op_set_header(op, "If-Match", t->etag);
    }
    if (st != OSSIO_OK) {
        ossio_op_free(op);
        ossio__transfer_fail(t, st, "could not build a part request", NULL);
        ossio__transfer_settle_later(t); /* nothing may be in flight to settle it */
        return;
    }
    ossio_op_set_callbacks(op, part_data, NULL, p);
    p->op = op;
    p->state = 1;
    p->started = ev_now(ossio__cl_tp(t->cl)->loop);
    t->in_flight++;
    ossio__cl_ops(t->cl)->oss.hedge_parts++;
    ossio__transfer_submit_op(op, part_done, p);
}

/* Once every part has started, kept buffers serve nobody: their memory
 * goes back to the budget (other transfers may be waiting for it). */
static void drop_spares(ossio_transfer *t)
{
    while (t->n_spare > 0) {
        free(t->spare[--t->n_spare]);
        t->mem_held -= t->part_size;
        ossio__mem_release(t->cl, t->part_size);
    }
}

static void start_parts(ossio_transfer *t)
{
    while (!t->finishing && t->next < t->n_parts && t->in_flight < t->parallel) {
        part *p = &t->parts[t->next];
        /* Stream sink: a part ahead of the head may wait in memory; the head's
         * bytes go straight out, so it never waits for the budget. At most
         * 1.5 × parallel parts ahead of the head: a bounded reorder window. */
        if (t->stream != NULL && t->next != t->deliver_next) {
            if (t->next >= t->deliver_next + (size_t)t->parallel + t->parallel / 2) {
                return; /* started again as the head moves */
            }
            if (t->n_spare > 0) {
                p->buf = t->spare[--t->n_spare];
                p->mem = t->part_size; /* the spare's reservation */
            } else if (!ossio__transfer_mem_take(t, p->len)) {
                return; /* woken when memory is given back */
            } else {
                p->mem = p->len;
            }
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

static int hedge_data(ossio_op *op, const uint8_t *data, size_t len, void *ud)
{
    (void)op;
    hedge *h = ud;
    part *p = h->p;
    ossio_transfer *t = p->t;
    if (t->finishing || p->state == 2 || h->got + len > p->len) {
        return 1;
    }
    if (sink_write(t, p->off + h->got, data, len) != 0) {
        return 1; /* the first request may still succeed */
    }
    h->crc = ossio_crc64(h->crc, data, len);
    h->got += len;
    count_progress(t, p, h->got);
    return 0;
}

static void hedge_done(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)op;
    hedge *h = ud;
    part *p = h->p;
    ossio_transfer *t = p->t;
    h->op = NULL;
    t->in_flight--;
    ossio__transfer_account(t, res);
    if (p->state == 2 || t->finishing) {
        ossio__transfer_settle(t);
        return;
    }
    if (res->status != OSSIO_OK || h->got != p->len) {
        if (p->op == NULL) { /* both requests failed */
            ossio__transfer_fail(t, res->status != OSSIO_OK ? res->status : OSSIO_EPROTO,
                                 res->detail, res);
        }
        ossio__transfer_settle(t);
        return;
    }
    ossio__log(t->cl, OSSIO_LOG_DEBUG, "hedged part at %llu of %s won", (unsigned long long)p->off,
               t->uri);
    p->hedge_won = 1;
    p->state = 2;
    p->crc = h->crc;
    p->got = p->len;
    if (p->op != NULL) {
        ossio_op_cancel(p->op);
    }
    t->done_parts++;
    finish_if_done(t);
    if (!t->finishing) {
        start_parts(t);
    }
    ossio__transfer_settle(t);
}

/* Every 200 ms: re-request a part far slower than the parts done so far. */
static void on_hedge_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)revents;
    ossio_transfer *t = w->data;
    if (t->finishing) {
        ev_timer_stop(loop, w);
        return;
    }
    if (t->done_time_count < 2) {
        return;
    }
    double mean = t->done_time_sum / t->done_time_count;
    double limit = 4 * mean > 1.0 ? 4 * mean : 1.0;
    double now = ev_now(loop);
    for (size_t i = 1; i < t->n_parts; i++) {
        part *p = &t->parts[i];
        if (p->state != 1 || p->hedge != NULL || now - p->started < limit) {
            continue;
        }
        /* The budget: hedges stay within 5 % of the client's download parts,
         * so a slow server is not sent 2x the load (docs/transfers.md). */
        ossio__oss_settings *o = &ossio__cl_ops(t->cl)->oss;
        if ((double)(o->hedges + 1) > 0.05 * (double)o->hedge_parts) {
            return;
        }
        o->hedges++;
        hedge *h = calloc(1, sizeof(*h));
        ossio_op *op = NULL;
        if (h == NULL || ossio_op_new(&op, t->cl, OSSIO_OP_GET, t->uri) != OSSIO_OK ||
            ossio_op_set_range(op, p->off, (int64_t)p->len) != OSSIO_OK ||
            (t->etag[0] && ossio_op_set_header(op, "If-Match", t->etag) != OSSIO_OK)) {
            free(h);
            ossio_op_free(op);
            return;
        }
        h->p = p;
        h->op = op;
        p->hedge = h;
        t->hedges++;
        t->in_flight++;
        ossio__log(t->cl, OSSIO_LOG_INFO,
                   "hedging the part at %llu of %s (running %.2f s, mean %.2f s)",
                   (unsigned long long)p->off, t->uri, now - p->started, mean);
        ossio_op_set_callbacks(op, hedge_data, NULL, h);
        ossio__transfer_submit_op(op, hedge_done, h);
    }
}

/* Whether |path| reaches its file through /proc: a descriptor alias such
 * as /dev/stdout (-> /proc/self/fd/1) or /dev/fd/N. Opening one opens the
 * file anew at offset 0, and renaming over what it resolves to replaces the
 * file the shell redirected into: neither is what the caller meant. */
static int through_proc(const char *path)
{
    char cur[PATH_MAX], dir[PATH_MAX], target[PATH_MAX];
    if (snprintf(cur, sizeof(cur), "%s", path) >= (int)sizeof(cur)) {
        return 0;
    }
    for (int hop = 0; hop < 40; hop++) {
        memcpy(dir, cur, sizeof(dir));
        char *slash = strrchr(dir, '/');
        if (slash == NULL) {
            strcpy(dir, ".");
        } else {
            slash[slash == dir ? 1 : 0] = '\0';
        }
        char *real = realpath(dir, NULL);
        int proc = real != NULL && strncmp(real, "/proc/", 6) == 0;
        free(real);
        ssize_t n = readlink(cur, target, sizeof(target) - 1);
        if (proc || n < 0) {
            return proc;
        }
        target[n] = '\0';
        int w = target[0] == '/' ? snprintf(cur, sizeof(cur), "%s", target)
                                 : snprintf(cur, sizeof(cur), "%s/%s", dir, target);
        if (w >= (int)sizeof(cur)) {
            return 0;
        }
        if (strncmp(cur, "/proc/", 6) == 0) {
            return 1;
        }
    }
    return 0;
}

/* to_file: a regular file (or none yet) is written to a temporary file in
 * the same directory and renamed over the path on success; through a
 * symbolic link, the file it names is the one replaced, not the link.
 * A seekable device (/dev/null) is written in place with pwrite: a rename
 * would replace the device node itself. Refused before any request: a
 * directory, a pipe or terminal (a FIFO would block the loop: use a stream
 * sink), a descriptor alias (/dev/stdout), a symbolic link to nothing.
 * Returns NULL or why it failed. */
static const char *open_destination(ossio_transfer *t)
{
    if (through_proc(t->path)) {
        return "the destination names an open file descriptor (such as /dev/stdout): "
               "download to a stream instead";
    }
    struct stat st, lst;
    int link = lstat(t->path, &lst) == 0 && S_ISLNK(lst.st_mode);
    if (stat(t->path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            return "the destination is a directory";
        }
        if (!S_ISREG(st.st_mode)) {
            t->fd = open(t->path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
            if (t->fd < 0) {
                return errno == ENXIO ? "the destination is a FIFO with no reader"
                                      : "could not open the destination for writing";
            }
            if (lseek(t->fd, 0, SEEK_CUR) < 0) {
                close(t->fd);
                t->fd = -1;
                return "the destination cannot seek (a pipe or a terminal): download to a "
                       "stream instead";
            }
            t->own_fd = 1;
            return NULL;
        }
        if (link) {
            char *real = realpath(t->path, NULL);
            if (real != NULL) {
                free(t->path);
                t->path = real;
            }
        }
    } else if (link) {
        return "the destination is a symbolic link to nothing";
    }
    size_t n = strlen(t->path);
    t->tmp_path = malloc(n + 16);
    if (t->tmp_path != NULL) {
        snprintf(t->tmp_path, n + 16, "%s.ossio-XXXXXX", t->path);
        t->fd = mkstemp(t->tmp_path);
    }
    if (t->fd < 0) {
        free(t->tmp_path);
        t->tmp_path = NULL;
        return "could not create the download's temporary file";
    }
    return NULL;
}

void ossio__download_start(ossio_transfer *t)
{
    if (t->path != NULL) {
        const char *why = open_destination(t);
        if (why != NULL) {
            t->n_parts = 0;
            ossio__transfer_fail(t, OSSIO_EIO, why, NULL);
        }
    }
    if (t->hedging && t->stream == NULL && !t->finishing) {
        ev_timer_init(&t->hedge_timer, on_hedge_timer, 0.2, 0.2);
        t->hedge_timer.data = t;
        ev_timer_start(ossio__cl_tp(t->cl)->loop, &t->hedge_timer);
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
