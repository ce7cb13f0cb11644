/* One split's records over ranged GETs: the first GET covers the split and a
 * little past it, later ones (growing) only while the last owned record is
 * still open; compressed objects stream through the inflater in one GET. A
 * delimiter that overlaps itself first looks back for an anchor. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transfer/context.h"
#include "transport/defer.h"
#include "ossio.h"
#include "split/align.h"
#include "split/inflate.h"
#include "split/lines.h"
#include "split/split.h"

#define FIRST_OVERREAD (64u * 1024)    /* past the split's end in the first GET */
#define NEXT_CHUNK_MIN (1u << 20)      /* later GETs: 1 MiB, doubling ... */
#define NEXT_CHUNK_MAX (8u << 20)      /* ... up to 8 MiB */
#define DEFAULT_MAX_RECORD (16u << 20) /* when the client has none configured */
#define LOOK_FIRST 4096u               /* look-back bytes the first GET starts with */
#define LOOK_NEXT (64u * 1024)         /* further look-back windows: 64 KiB, doubling */

/* Looking back from the split's start for an anchor (split/align.h), for
 * a delimiter that overlaps itself. The first window is read by the first
 * GET, which goes on into the split: its bytes are held, then fed to the
 * splitter from the anchor. Windows further back are GETs of their own;
 * then the records' GET starts at the anchor. */
typedef struct lookback {
    int active;
    ossio__align align;
    uint64_t size; /* of the next window back */
    uint8_t *held; /* the first window's bytes */
} lookback;

struct ossio_split_reader {
    ossio_client *cl;
    ossio_split split; /* uri and etag point to the copies below */
    char *uri;
    char *etag;
    ossio__record_opts rec;
    ossio_split_done_cb done;
    void *done_ud;
    int submitted;
    ossio__outcome out;
    ossio__lines lines;
    ossio__inflate *z; /* compressed input */
    ossio_op *op;      /* the GET in flight */
    uint64_t next;     /* next object byte to fetch */
    uint64_t chunk;    /* size of the next follow-up GET */
    int stopped;       /* the GET was stopped: the split is complete, or restart */
    int restart;       /* the next GET starts at r->next (a look-back step) */
    lookback look;
    int in_data; /* inside the GET's data callback: cancel there by returning nonzero */
    uint64_t bytes;
    ossio__deferred settle_node;
};

ossio_status ossio_split_reader_new(ossio_split_reader **out, ossio_client *cl,
                                    const ossio_split *split)
{
    if (out == NULL) {
        return OSSIO_EINVAL;
    }
    *out = NULL;
    if (cl == NULL || split == NULL || split->uri == NULL) {
        return OSSIO_EINVAL;
    }
    ossio_op *probe = NULL; /* checks the URI and configuration with ossio_op_new()'s messages */
    ossio_status st = ossio_op_new(&probe, cl, OSSIO_OP_GET, split->uri);
    if (st != OSSIO_OK) {
        return st;
    }
    ossio_op_free(probe);
    ossio_split_reader *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return OSSIO_ENOMEM;
    }
    r->uri = strdup(split->uri);
    r->etag = split->etag != NULL ? strdup(split->etag) : NULL;
    if (r->uri == NULL || (split->etag != NULL && r->etag == NULL)) {
        free(r->uri);
        free(r->etag); /* the URI's copy may be the one that failed */
        free(r);
        return OSSIO_ENOMEM;
    }
    r->cl = cl;
    r->split = *split;
    r->split.uri = r->uri;
    r->split.etag = r->etag;
    uint64_t max = ossio__cl_ops(cl)->oss.split_record_max;
    ossio__record_opts_init(&r->rec, max > 0 && max <= SIZE_MAX ? (size_t)max : DEFAULT_MAX_RECORD);
    *out = r;
    return OSSIO_OK;
}

ossio_status ossio_split_reader_set_delimiter(ossio_split_reader *r, const void *delim, size_t len)
{
    if (r == NULL || r->submitted) {
        return OSSIO_EINVAL;
    }
    return ossio__record_opts_set_delimiter(&r->rec, delim, len);
}

ossio_status ossio_split_reader_set_max_record(ossio_split_reader *r, size_t max)
{
    if (r == NULL || r->submitted) {
        return OSSIO_EINVAL;
    }
    return ossio__record_opts_set_max_record(&r->rec, max);
}

void ossio_split_reader_set_callbacks(ossio_split_reader *r, ossio_records_cb cb, void *user_data)
{
    if (r != NULL && !r->submitted) {
        r->rec.cb = cb;
        r->rec.cb_ud = user_data;
    }
}

static void release(ossio_split_reader *r)
{
    free(r->look.held);
    ossio__lines_free(&r->lines);
    ossio__inflate_free(r->z);
    free(r->uri);
    free(r->etag);
    free(r);
}

void ossio_split_reader_free(ossio_split_reader *r)
{
    if (r != NULL && !r->submitted) {
        release(r);
    }
}

uint64_t ossio_split_reader_records(const ossio_split_reader *r)
{
    return r != NULL ? r->lines.records : 0;
}

uint64_t ossio_split_reader_bytes(const ossio_split_reader *r)
{
    return r != NULL ? r->bytes : 0;
}

static void fail(ossio_split_reader *r, ossio_status st, const char *detail,
                 const ossio_result *from)
{
    ossio__outcome_fail(&r->out, st, detail, from);
}

static void settle(ossio_split_reader *r)
{
    if (!r->out.decided || r->op != NULL || r->settle_node.queued) {
        return;
    }
    r->done(r, ossio__outcome_result(&r->out, r->bytes), r->done_ud);
    release(r);
}

static void settle_deferred(ossio__deferred *d)
{
    settle((ossio_split_reader *)((char *)d - offsetof(ossio_split_reader, settle_node)));
}

static void settle_later(ossio_split_reader *r)
{
    ossio__defer(&ossio__cl_tp(r->cl)->defer, &r->settle_node, settle_deferred);
}

static int emit(const ossio_record *records, size_t n, void *ud)
{
    ossio_split_reader *r = ud;
    return r->rec.cb != NULL ? r->rec.cb(&r->split, records, n, r->rec.cb_ud) : 0;
}

static ossio_status inflated(const uint8_t *data, size_t len, void *ud)
{
    ossio_split_reader *r = ud;
    return ossio__lines_feed(&r->lines, data, len);
}

static const char *why(const ossio_split_reader *r, ossio_status st)
{
    switch (st) {
    case OSSIO_ERECORDSIZE:
        return "a record is longer than the maximum record size (fs.oss.split.record.maximum)";
    case OSSIO_ECANCELED:
        return "stopped by the records callback";
    case OSSIO_EIO:
        return r->z != NULL ? ossio__inflate_error(r->z) : NULL;
    default:
        return NULL;
    }
}

/* Starts looking back from the split's start (docs/splits.md). */
static ossio_status look_begin(ossio_split_reader *r)
{
    lookback *lb = &r->look;
    ossio__align_init(&lb->align, r->rec.delim, r->rec.dlen, r->split.start, LOOK_FIRST);
    lb->size = LOOK_NEXT;
    lb->held = malloc((size_t)(lb->align.to - lb->align.from));
    if (lb->held == NULL) {
        return OSSIO_ENOMEM;
    }
    lb->active = 1;
    r->next = lb->align.from;
    return OSSIO_OK;
}

/* Bytes of a look-back window (the GET's next |len|, or their first part):
 * at the window's end, decides where the splitter starts. The bytes taken. */
static size_t look_feed(ossio_split_reader *r, const uint8_t *data, size_t len, ossio_status *st)
{
    lookback *lb = &r->look;
    ossio__align *a = &lb->align;
    size_t n = a->to - a->pos < len ? (size_t)(a->to - a->pos) : len;
    if (lb->held != NULL) {
        memcpy(lb->held + (a->pos - a->from), data, n);
    }
    ossio__align_feed(a, data, n);
    r->next += n;
    uint64_t y;
    if (a->pos < a->to) {
        return n;
    }
    if (!ossio__align_result(a, &y)) {
        ossio__align_back(a, lb->size); /* no anchor yet: further back, in a GET of its own */
        lb->size = lb->size * 2 > NEXT_CHUNK_MAX ? NEXT_CHUNK_MAX : lb->size * 2;
        r->next = a->from;
        r->restart = 1;
    } else {
        lb->active = 0;
        *st = ossio__lines_set_scan_start(&r->lines, y);
        if (lb->held == NULL) {
            r->next = y; /* the records' GET */
            r->restart = 1;
        } else if (*st == OSSIO_OK) {
            *st = ossio__lines_feed(&r->lines, lb->held + (y - a->from), (size_t)(a->to - y));
        }
    }
    free(lb->held);
    lb->held = NULL;
    return n;
}

static int on_data(ossio_op *op, const uint8_t *data, size_t len, void *ud)
{
    (void)op;
    ossio_split_reader *r = ud;
    if (r->out.decided) {
        return 1;
    }
    r->bytes += len;
    r->in_data = 1;
    ossio_status st = OSSIO_OK;
    if (r->look.active) {
        size_t n = look_feed(r, data, len, &st);
        data += n;
        len -= n;
    }
    if (st == OSSIO_OK && !r->restart && len > 0) {
        r->next += len;
        st = r->z != NULL ? ossio__inflate_feed(r->z, data, len)
                          : ossio__lines_feed(&r->lines, data, len);
    }
    r->in_data = 0;
    if (st != OSSIO_OK) {
        fail(r, st, why(r, st), NULL);
        return 1;
    }
    if (r->out.decided) {
        return 1; /* canceled from the records callback */
    }
    if (r->restart || ossio__lines_done(&r->lines)) {
        r->stopped = 1; /* the rest of the range is not needed */
        return 1;
    }
    return 0;
}

static void start_get(ossio_split_reader *r, uint64_t len);

/* The records' first GET: through the split's end and a little past. */
static uint64_t first_len(const ossio_split_reader *r)
{
    uint64_t size = r->split.object_size, e = r->lines.end;
    uint64_t end = e >= size || size - e <= FIRST_OVERREAD ? size : e + FIRST_OVERREAD;
    return end - r->next;
}

/* A follow-up GET while the last owned record is open: growing. */
static uint64_t next_len(ossio_split_reader *r)
{
    uint64_t left = r->split.object_size - r->next;
    uint64_t len = left < r->chunk ? left : r->chunk;
    r->chunk = r->chunk * 2 > NEXT_CHUNK_MAX ? NEXT_CHUNK_MAX : r->chunk * 2;
    return len;
}

static void on_get_done(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)op;
    ossio_split_reader *r = ud;
    r->op = NULL;
    ossio__outcome_account(&r->out, res);
    if (r->out.decided) {
        /* decided already (a failure in on_data, or a cancel) */
    } else if (res->status != OSSIO_OK && !(res->status == OSSIO_ECANCELED && r->stopped)) {
        fail(r, res->status, res->detail, res);
    } else if (r->restart) {
        r->restart = r->stopped = 0;
        start_get(r, r->look.active ? r->look.align.to - r->next : first_len(r));
    } else if (r->stopped || ossio__lines_done(&r->lines)) {
        ossio__outcome_ok(&r->out);
    } else if (r->look.active) {
        start_get(r, r->look.align.to - r->next); /* the window's rest */
    } else if (r->z != NULL || r->next >= r->split.object_size) {
        ossio_status st = r->z != NULL ? ossio__inflate_finish(r->z) : OSSIO_OK;
        if (st == OSSIO_OK) {
            st = ossio__lines_finish(&r->lines);
        }
        if (st != OSSIO_OK) {
            fail(r, st, why(r, st), NULL);
        } else {
            ossio__outcome_ok(&r->out);
        }
    } else {
        start_get(r, next_len(r)); /* the last owned record is still open */
    }
    settle(r);
}

/* A GET of [r->next, r->next + len) (the whole object when compressed). */
static void start_get(ossio_split_reader *r, uint64_t len)
{
    ossio_op *op = NULL;
    ossio_status st = ossio_op_new(&op, r->cl, OSSIO_OP_GET, r->uri);
    /* A compressed object is read whole, so the op checks its CRC-64 too. */
    if (st == OSSIO_OK && r->z == NULL) {
        st = ossio_op_set_range(op, r->next, (int64_t)len);
    }
    if (st == OSSIO_OK && r->etag != NULL) {
        st = ossio_op_set_header(op, "If-Match", r->etag);
    }
    if (st != OSSIO_OK) {
        ossio_op_free(op);
        fail(r, st, "could not build the GET", NULL);
        return;
    }
    ossio_op_set_callbacks(op, on_data, NULL, r);
    r->op = op;
    ossio_op_submit(op, on_get_done, r);
}

ossio_status ossio_split_reader_submit(ossio_split_reader *r, ossio_split_done_cb done,
                                       void *user_data)
{
    if (r == NULL || r->submitted || done == NULL) {
        return OSSIO_EINVAL;
    }
    r->submitted = 1;
    r->done = done;
    r->done_ud = user_data;
    r->chunk = NEXT_CHUNK_MIN;
    ossio__codec codec = r->split.unsplittable ? ossio__split_codec(r->uri) : OSSIO__CODEC_NONE;
    int whole = codec == OSSIO__CODEC_ZLIB;
    ossio_status st = ossio__lines_init(&r->lines, r->rec.delim, r->rec.dlen, r->rec.max_record,
                                        whole ? 0 : r->split.start,
                                        whole ? UINT64_MAX : r->split.length, emit, r);
    /* A scan from before the split's start is exact only from an anchor. */
    int look = !whole && r->split.start >= r->rec.dlen && r->split.start < r->split.object_size &&
               ossio__delim_overlaps(r->rec.delim, r->rec.dlen);
    if (codec == OSSIO__CODEC_UNSUPPORTED) {
        fail(r, OSSIO_ENOTSUP,
             "ossio inflates .gz, .gzip and .deflate objects only (not .bz2, .xz or .zst)", NULL);
    } else if (st != OSSIO_OK) {
        fail(r, st, NULL, NULL);
    } else if (whole && (r->z = ossio__inflate_new(inflated, r)) == NULL) {
        fail(r, OSSIO_ENOMEM, NULL, NULL);
    } else if (look && (st = look_begin(r)) != OSSIO_OK) {
        fail(r, st, NULL, NULL);
    } else {
        r->next = whole || look ? r->next : ossio__lines_scan_start(&r->lines);
        if (r->split.object_size == 0 || r->next >= r->split.object_size) {
            ossio__outcome_ok(&r->out); /* no byte to read: no record */
        } else {
            start_get(r, first_len(r));
        }
    }
    if (r->op == NULL) {
        settle_later(r);
    }
    return OSSIO_OK;
}

void ossio_split_reader_cancel(ossio_split_reader *r)
{
    if (r == NULL || !r->submitted || r->out.decided) {
        return;
    }
    fail(r, OSSIO_ECANCELED, "canceled", NULL);
    if (r->op == NULL) {
        settle_later(r);
    } else if (!r->in_data) {
        ossio_op_cancel(r->op); /* settles from its completion */
    }                           /* else on_data stops the GET when the records callback returns */
}
