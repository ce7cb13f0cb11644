/* Push uploads: bytes arrive from the caller in pieces, length unknown.
 * They fill parts of the upload's part size; a full part is sent as soon as
 * the multipart upload exists and a slot is free. Up to one part in all, the
 * object goes with one PutObject at the end. Bytes waiting are held in
 * memory within the client's budget; beyond it they spill to a temporary
 * file in fs.oss.buffer.dir (as hadoop-aliyun's disk buffer does), or the
 * push is refused with OSSIO_EAGAIN until memory is given back. */
#define _GNU_SOURCE /* fallocate: give sent parts' disk space back */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transfer/context.h"
#include "transfer/transfer.h"
#include "util/bigbuf.h"

ossio_status ossio_transfer_from_push(ossio_transfer *t)
{
    if (t == NULL || t->submitted || !t->upload) {
        return OSSIO_EINVAL;
    }
    t->kind = &ossio__push_kind;
    ossio__source_select(&t->up.source, &ossio__source_push);
    return OSSIO_OK;
}

void ossio_transfer_set_writable(ossio_transfer *t, ossio_writable_cb cb, void *user_data)
{
    if (t != NULL && !t->submitted) {
        t->push.writable = cb;
        t->push.writable_ud = user_data;
    }
}

ossio_status ossio_transfer_set_push_queue(ossio_transfer *t, unsigned parts)
{
    if (t == NULL || t->submitted) {
        return OSSIO_EINVAL;
    }
    t->push.queue = parts;
    return OSSIO_OK;
}

/* Full parts waiting to be sent: neither in flight, nor stored, nor open. */
static size_t waiting_parts(const ossio_transfer *t)
{
    size_t busy = t->done_parts + t->in_flight + (t->push.cur_open ? 1 : 0);
    return t->n_parts > busy ? t->n_parts - busy : 0;
}

static int queue_full(const ossio_transfer *t)
{
    return t->push.queue > 0 && waiting_parts(t) >= t->push.queue;
}

/* The smallest part a multipart upload accepts (all but the last). */
static uint64_t min_part(const ossio_transfer *t)
{
    return ossio__cl_ops(t->cl)->oss.s3 ? 5u << 20 : 100u << 10;
}

/* Starts the multipart upload once a full part exists and more follows. */
static void start_multipart(ossio_transfer *t)
{
    if (!t->push.multipart && t->n_parts == 1 && !t->push.cur_open) {
        t->push.multipart = 1;
        ossio__upload_init(t);
    }
}

/* The budget is full: every push upload of the client sends its open part
 * now if it is large enough to be a part, so the memory it holds comes back
 * (otherwise writers each holding half a part could wait for one another). */
static void relieve(ossio_client *cl)
{
    for (ossio_transfer *t = ossio__cl_xfer(cl)->transfers; t != NULL; t = t->live_next) {
        if (t->kind == &ossio__push_kind && !t->finishing && !t->push.ended && t->push.cur_open &&
            t->parts[t->n_parts - 1].len >= min_part(t)) {
            t->push.cur_open = 0;
            start_multipart(t);
            ossio__push_kind.pump(t);
        }
    }
}

static void push_start(ossio_transfer *t)
{
    /* Two parts (one filling, one leaving) fit the budget. */
    uint64_t cap = ossio__cl_ops(t->cl)->oss.memory_limit / 2;
    if (t->part_size > cap) {
        t->part_size = cap > min_part(t) ? cap : min_part(t);
    }
    /* Parts in flight point at their slot, so the slots never move: all
     * 10,000 at once (calloc'd pages stay untouched until used). Nothing is
     * sent before the first part fills or the push ends. */
    t->n_parts = 0;
    t->parts = calloc(MAX_PARTS, sizeof(part));
    if (t->parts == NULL) {
        ossio__transfer_fail(t, OSSIO_ENOMEM, NULL, NULL);
        ossio__transfer_settle_later(t);
    }
}

static void fail_now(ossio_transfer *t, ossio_status st, const char *detail)
{
    ossio__transfer_fail(t, st, detail, NULL);
    ossio__transfer_settle_later(t);
}

/* Takes |n| bytes of the budget without queuing for more (spill instead);
 * transfers already waiting for memory go first. */
static int try_take(ossio_transfer *t, uint64_t n)
{
    return ossio__cl_xfer(t->cl)->mem_waiters == NULL && ossio__transfer_mem_try(t, n);
}

static int spill_write(ossio_transfer *t, uint64_t off, const uint8_t *data, size_t len)
{
    if (t->push.spill_fd < 0) {
        const char *dir = ossio__cl_ops(t->cl)->oss.buffer_dir;
        size_t n = strlen(dir) + 32;
        char *path = malloc(n);
        if (path == NULL) {
            return -1;
        }
        snprintf(path, n, "%s/ossio-spill-XXXXXX", dir);
        t->push.spill_fd = mkstemp(path);
        if (t->push.spill_fd >= 0) {
            unlink(path); /* gone with the descriptor, whatever happens */
        }
        free(path);
        if (t->push.spill_fd < 0) {
            return -1;
        }
    }
    while (len > 0) {
        ssize_t w = pwrite(t->push.spill_fd, data, len, (off_t)off);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return -1;
        }
        data += w;
        len -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

/* Moves a part's bytes from memory to the spill file. */
static int spill_part(ossio_transfer *t, part *p)
{
    if (spill_write(t, t->push.spill_end, p->buf, (size_t)p->len) != 0) {
        return -1;
    }
    p->spill_off = t->push.spill_end;
    t->push.spill_end += p->len;
    p->spilled = 1;
    ossio__transfer_part_free(t, p);
    t->push.cur_cap = 0;
    return 0;
}

static part *open_part(ossio_transfer *t)
{
    if (t->n_parts == MAX_PARTS) {
        return NULL;
    }
    part *p = &t->parts[t->n_parts++];
    memset(p, 0, sizeof(*p));
    p->t = t;
    p->off = t->size;
    t->push.cur_open = 1;
    t->push.cur_cap = 0;
    return p;
}

/* Makes the open part's buffer hold |need| bytes. A part starts with
 * SMALL_CAP (a short push stays small); past that it gets its whole part
 * size at once: growing by doubling copied every part about twice more
 * (measured: 28 % of a pipe upload's CPU in memmove, 10 % in page clearing). */
#define SMALL_CAP ((size_t)64 * 1024)
static int grow(ossio_transfer *t, part *p, uint64_t need)
{
    if (t->push.cur_cap == 0 && need <= SMALL_CAP && SMALL_CAP < t->part_size) {
        uint8_t *b = malloc(SMALL_CAP);
        if (b == NULL) {
            return -1;
        }
        p->buf = b;
        t->push.cur_cap = SMALL_CAP;
        return 0;
    }
    uint8_t *b = ossio__bigbuf_alloc((size_t)t->part_size);
    if (b == NULL) {
        return -1;
    }
    if (p->len > 0) {
        memcpy(b, p->buf, (size_t)p->len);
    }
    free(p->buf);
    p->buf = b;
    t->push.cur_cap = (size_t)t->part_size;
    return 0;
}

/* Appends to the open part (opening parts as they fill); |reserved|: the
 * bytes' memory was taken up front (no spill directory). */
static ossio_status append(ossio_transfer *t, const uint8_t *data, size_t len, int reserved)
{
    while (len > 0) {
        part *p = t->push.cur_open ? &t->parts[t->n_parts - 1] : open_part(t);
        if (p == NULL) {
            if (t->n_parts == MAX_PARTS) {
                char d[200];
                snprintf(d, sizeof(d),
                         "the upload needs more than 10,000 parts of %llu bytes: raise "
                         "fs.oss.multipart.upload.size",
                         (unsigned long long)t->part_size);
                fail_now(t, OSSIO_EBODYSIZE, d);
                return OSSIO_EBODYSIZE;
            }
            fail_now(t, OSSIO_ENOMEM, NULL);
            return OSSIO_ENOMEM;
        }
        size_t n = (size_t)(t->part_size - p->len) < len ? (size_t)(t->part_size - p->len) : len;
        if (!p->spilled && !reserved && !try_take(t, n) && spill_part(t, p) != 0) {
            fail_now(t, OSSIO_EIO, "writing to fs.oss.buffer.dir failed");
            return OSSIO_EIO;
        }
        if (p->spilled) {
            if (spill_write(t, p->spill_off + p->len, data, n) != 0) {
                fail_now(t, OSSIO_EIO, "writing to fs.oss.buffer.dir failed");
                return OSSIO_EIO;
            }
            t->push.spill_end += n;
        } else {
            if (p->len + n > t->push.cur_cap && grow(t, p, p->len + n) != 0) {
                fail_now(t, OSSIO_ENOMEM, NULL);
                return OSSIO_ENOMEM;
            }
            memcpy(p->buf + p->len, data, n);
            p->mem += n;
        }
        p->len += n;
        t->size += n;
        data += n;
        len -= n;
        if (p->len == t->part_size) {
            t->push.cur_open = 0;
        }
    }
    return OSSIO_OK;
}

/* Takes |alen| + |blen| bytes as one piece: all or nothing. */
ossio_status ossio__transfer_push2(ossio_transfer *t, const void *a, size_t alen, const void *b,
                                   size_t blen)
{
    if (t == NULL || t->kind != &ossio__push_kind || !t->submitted || t->push.ended ||
        (a == NULL && alen > 0) || (b == NULL && blen > 0)) {
        return OSSIO_EINVAL;
    }
    if (t->finishing) {
        return t->out.status != OSSIO_OK ? t->out.status : OSSIO_EINVAL;
    }
    if (alen + blen == 0) {
        return OSSIO_OK;
    }
    /* The first part is full and more follows: multipart, now (the full part
     * may hold the memory these bytes wait for). */
    start_multipart(t);
    if (queue_full(t)) {
        t->push.want_writable = 1; /* ossio__push_part_sent() wakes us */
        return OSSIO_EAGAIN;
    }
    int reserved = 0;
    if (ossio__cl_ops(t->cl)->oss.buffer_dir == NULL) {
        if (!ossio__transfer_mem_take(t, alen + blen)) {
            t->push.want_writable = 1; /* the memory waiter wakes us */
            relieve(t->cl);
            return OSSIO_EAGAIN;
        }
        reserved = 1;
    }
    ossio_status st = append(t, a, alen, reserved);
    if (st == OSSIO_OK) {
        st = append(t, b, blen, reserved);
    }
    if (st == OSSIO_OK) {
        ossio__push_kind.pump(t);
    }
    return st;
}

ossio_status ossio_transfer_push(ossio_transfer *t, const void *data, size_t len)
{
    return ossio__transfer_push2(t, data, len, NULL, 0);
}

ossio_status ossio_transfer_push_end(ossio_transfer *t)
{
    if (t == NULL || t->kind != &ossio__push_kind || !t->submitted || t->push.ended) {
        return OSSIO_EINVAL;
    }
    if (t->finishing) {
        return t->out.status != OSSIO_OK ? t->out.status : OSSIO_EINVAL;
    }
    t->push.ended = 1;
    if (t->n_parts == 0 && open_part(t) == NULL) {
        fail_now(t, OSSIO_ENOMEM, NULL);
        return OSSIO_ENOMEM;
    }
    t->push.cur_open = 0;
    t->size_known = 1;
    ossio__push_kind.pump(t);
    return OSSIO_OK;
}

static void writable_deferred(ossio__deferred *d)
{
    ossio_transfer *t =
        (ossio_transfer *)((char *)d - offsetof(ossio_transfer, push.writable_node));
    if (t->finishing) {
        ossio__transfer_settle(t); /* it waited for this node */
    } else if (t->push.writable != NULL) {
        t->push.writable(t, t->push.writable_ud);
    }
}

/* A writer refused for memory or a full queue hears it is writable once
 * neither holds it back. */
static void wake_writer(ossio_transfer *t)
{
    if (t->push.want_writable && !t->mem_waiter.waiting && !queue_full(t)) {
        t->push.want_writable = 0;
        ossio__defer(&ossio__cl_tp(t->cl)->defer, &t->push.writable_node, writable_deferred);
    }
}

/* Before the parts: a second part means the first is full and more
 * follows (multipart); a writer refused for memory hears it is writable. */
static void push_pump(ossio_transfer *t)
{
    if (!t->finishing) {
        if (!t->push.multipart && t->n_parts >= 2) {
            t->push.multipart = 1;
            ossio__upload_init(t);
        }
        wake_writer(t);
    }
    ossio__upload_pump(t);
}

void ossio__push_part_sent(ossio_transfer *t)
{
    if (t->kind == &ossio__push_kind && !t->finishing) {
        wake_writer(t);
    }
}

static ossio_status push_open(ossio_transfer *t)
{
    (void)t;
    return OSSIO_OK;
}

/* A spilled part is sent from the spill file; the others from memory. */
static int push_file(const ossio_transfer *t, const part *p, uint64_t *off)
{
    *off = p->spill_off;
    return p->spilled ? t->push.spill_fd : -1;
}

static const uint8_t *push_bytes(ossio_transfer *t, part *p)
{
    (void)t;
    return p->buf != NULL ? p->buf : (const uint8_t *)"";
}

static void push_sent(ossio_transfer *t, part *p)
{
    if (p->spilled && t->push.spill_fd >= 0 && p->len > 0) {
        /* Its disk space is not needed any more (best effort). */
        (void)fallocate(t->push.spill_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                        (off_t)p->spill_off, (off_t)p->len);
    }
}

static int push_ended(const ossio_transfer *t)
{
    return t->push.ended;
}

static void push_close(ossio_transfer *t)
{
    (void)t; /* the spill file goes with the transfer (push_release) */
}

const ossio__source_ops ossio__source_push = {
    .name = "push",
    .open = push_open,
    .file = push_file,
    .bytes = push_bytes,
    .sent = push_sent,
    .ended = push_ended,
    .close = push_close,
};

/* A writable callback still queued settles the transfer when it runs. */
static int push_settling(ossio_transfer *t)
{
    return t->push.writable_node.queued || ossio__upload_settling(t);
}

static void push_release(ossio_transfer *t)
{
    if (t->push.spill_fd >= 0) {
        close(t->push.spill_fd);
        t->push.spill_fd = -1;
    }
    ossio__upload_release(t);
}

const ossio__transfer_kind ossio__push_kind = {
    .name = "push",
    .ready = ossio__upload_ready,
    .start = push_start,
    .pump = push_pump,
    .settling = push_settling,
    .release = push_release,
};
