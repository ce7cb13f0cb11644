/* Split planning as Flink's FileInputFormat.createInputSplits does it, over
 * objects instead of files. Pure: sizes in, splits out (docs/splits.md). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ossio.h"
#include "split/split.h"

typedef struct file {
    char *uri;
    char *etag;
    uint64_t size;
    ossio__codec codec;
} file;

struct ossio_split_plan {
    file *files;
    size_t n_files, cap_files;
    ossio_split *splits;
    size_t n_splits, cap_splits;
};

/* Flink's MAX_SPLIT_SIZE_DISCREPANCY: a float, so the product is computed in float. */
#define MAX_SPLIT_SIZE_DISCREPANCY 1.1f

ossio_split_plan *ossio_split_plan_new(void)
{
    return calloc(1, sizeof(ossio_split_plan));
}

void ossio_split_plan_free(ossio_split_plan *plan)
{
    if (plan == NULL) {
        return;
    }
    for (size_t i = 0; i < plan->n_files; i++) {
        free(plan->files[i].uri);
        free(plan->files[i].etag);
    }
    free(plan->files);
    free(plan->splits);
    free(plan);
}

int ossio_split_accept_name(const char *name)
{
    return name != NULL && name[0] != '\0' && name[0] != '_' && name[0] != '.';
}

ossio__codec ossio__split_codec(const char *name)
{
    if (name == NULL) {
        return OSSIO__CODEC_NONE;
    }
    const char *seg = strrchr(name, '/');
    seg = seg != NULL ? seg + 1 : name;
    const char *dot = strrchr(seg, '.');
    if (dot == NULL) {
        return OSSIO__CODEC_NONE;
    }
    const char *ext = dot + 1;
    /* Flink's registered inflater factories (flink-core api/common/io/compression). */
    static const char *const zlib_exts[] = {"gz", "gzip", "deflate"};
    static const char *const other_exts[] = {"bz2", "xz", "zst"};
    for (size_t i = 0; i < sizeof(zlib_exts) / sizeof(zlib_exts[0]); i++) {
        if (strcmp(ext, zlib_exts[i]) == 0) {
            return OSSIO__CODEC_ZLIB;
        }
    }
    for (size_t i = 0; i < sizeof(other_exts) / sizeof(other_exts[0]); i++) {
        if (strcmp(ext, other_exts[i]) == 0) {
            return OSSIO__CODEC_UNSUPPORTED;
        }
    }
    return OSSIO__CODEC_NONE;
}

ossio_status ossio_split_plan_add(ossio_split_plan *plan, const char *uri, uint64_t size,
                                  const char *etag)
{
    if (plan == NULL || uri == NULL) {
        return OSSIO_EINVAL;
    }
    if (plan->n_files == plan->cap_files) {
        size_t cap = plan->cap_files ? plan->cap_files * 2 : 8;
        file *f = realloc(plan->files, cap * sizeof(*f));
        if (f == NULL) {
            return OSSIO_ENOMEM;
        }
        plan->files = f;
        plan->cap_files = cap;
    }
    file *f = &plan->files[plan->n_files];
    memset(f, 0, sizeof(*f));
    f->uri = strdup(uri);
    f->etag = etag != NULL ? strdup(etag) : NULL;
    if (f->uri == NULL || (etag != NULL && f->etag == NULL)) {
        free(f->uri);
        free(f->etag);
        return OSSIO_ENOMEM;
    }
    f->size = size;
    f->codec = ossio__split_codec(uri);
    plan->n_files++;
    return OSSIO_OK;
}

static ossio_status push(ossio_split_plan *plan, const file *f, uint64_t start, uint64_t length)
{
    if (plan->n_splits == plan->cap_splits) {
        size_t cap = plan->cap_splits ? plan->cap_splits * 2 : 16;
        ossio_split *s = realloc(plan->splits, cap * sizeof(*s));
        if (s == NULL) {
            return OSSIO_ENOMEM;
        }
        plan->splits = s;
        plan->cap_splits = cap;
    }
    ossio_split *s = &plan->splits[plan->n_splits];
    s->index = (unsigned)plan->n_splits;
    s->uri = f->uri;
    s->start = start;
    s->length = length;
    s->object_size = f->size;
    s->etag = f->etag;
    s->unsplittable = f->codec != OSSIO__CODEC_NONE;
    plan->n_splits++;
    return OSSIO_OK;
}

/* One file's splits for a split size: full splits while more than 1.1 ×
 * splitSize is left, then the rest; an empty file is one empty split. */
static ossio_status cut(ossio_split_plan *plan, const file *f, uint64_t split_size)
{
    if (f->size == 0) {
        return push(plan, f, 0, 0);
    }
    /* As Java's (long) (splitSize * 1.1f): the long becomes a float first. */
    uint64_t max_last = (uint64_t)((float)split_size * MAX_SPLIT_SIZE_DISCREPANCY);
    uint64_t left = f->size, pos = 0;
    while (left > max_last) {
        ossio_status st = push(plan, f, pos, split_size);
        if (st != OSSIO_OK) {
            return st;
        }
        pos += split_size;
        left -= split_size;
    }
    return push(plan, f, pos, left);
}

ossio_status ossio_split_plan_compute(ossio_split_plan *plan, unsigned min_splits,
                                      uint64_t block_size, uint64_t min_split_size)
{
    if (plan == NULL || min_splits == 0 || block_size == 0) {
        return OSSIO_EINVAL;
    }
    plan->n_splits = 0;
    uint64_t total = 0;
    int unsplittable = 0;
    for (size_t i = 0; i < plan->n_files; i++) {
        total += plan->files[i].size;
        unsplittable |= plan->files[i].codec != OSSIO__CODEC_NONE;
    }
    ossio_status st = OSSIO_OK;
    if (unsplittable) {
        /* One compressed file makes the whole input unsplittable: every file is one split. */
        for (size_t i = 0; i < plan->n_files && st == OSSIO_OK; i++) {
            st = push(plan, &plan->files[i], 0, plan->files[i].size);
        }
        return st;
    }
    uint64_t max_split = total / min_splits + (total % min_splits == 0 ? 0 : 1);
    /* A minimum above the block size is lowered to it (Flink logs a warning). */
    uint64_t min_split = min_split_size <= block_size ? min_split_size : block_size;
    uint64_t split_size = max_split < block_size ? max_split : block_size;
    if (split_size < min_split) {
        split_size = min_split;
    }
    if (split_size == 0) {
        split_size = 1; /* only when every file is empty: cut() never divides then */
    }
    for (size_t i = 0; i < plan->n_files && st == OSSIO_OK; i++) {
        st = cut(plan, &plan->files[i], split_size);
    }
    return st;
}

size_t ossio_split_plan_count(const ossio_split_plan *plan)
{
    return plan != NULL ? plan->n_splits : 0;
}

const ossio_split *ossio_split_plan_get(const ossio_split_plan *plan, size_t i)
{
    return plan != NULL && i < plan->n_splits ? &plan->splits[i] : NULL;
}
