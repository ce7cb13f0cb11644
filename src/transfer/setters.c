/* A transfer's public setters and getters: what is set before submit (sink,
 * source, parts, headers, callbacks) and what is read after. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transfer/transfer.h"

static int settable(const ossio_transfer *t, int upload)
{
    return t != NULL && !t->submitted && t->upload == upload;
}

ossio_status ossio_transfer_to_fd(ossio_transfer *t, int fd)
{
    if (!settable(t, 0) || fd < 0) {
        return OSSIO_EINVAL;
    }
    t->dl.sink.fd = fd;
    ossio__sink_select(&t->dl.sink, &ossio__sink_fd);
    return OSSIO_OK;
}

ossio_status ossio_transfer_to_file(ossio_transfer *t, const char *path)
{
    if (!settable(t, 0) || path == NULL || *path == '\0') {
        return OSSIO_EINVAL;
    }
    free(t->dl.sink.path);
    t->dl.sink.path = strdup(path);
    if (t->dl.sink.path == NULL) {
        return OSSIO_ENOMEM;
    }
    ossio__sink_select(&t->dl.sink, &ossio__sink_file);
    return OSSIO_OK;
}

ossio_status ossio_transfer_to_buffer(ossio_transfer *t, void *buf, size_t cap)
{
    if (!settable(t, 0) || (buf == NULL && cap > 0)) {
        return OSSIO_EINVAL;
    }
    t->dl.sink.buf = buf;
    t->dl.sink.cap = cap;
    ossio__sink_select(&t->dl.sink, &ossio__sink_buffer);
    return OSSIO_OK;
}

ossio_status ossio_transfer_to_stream(ossio_transfer *t, ossio_stream_cb cb, void *user_data)
{
    if (!settable(t, 0) || cb == NULL) {
        return OSSIO_EINVAL;
    }
    t->dl.sink.stream = cb;
    t->dl.sink.stream_ud = user_data;
    t->dl.sink.owner = t;
    ossio__sink_select(&t->dl.sink, &ossio__sink_stream);
    return OSSIO_OK;
}

ossio_status ossio_transfer_from_file(ossio_transfer *t, const char *path)
{
    if (!settable(t, 1) || path == NULL) {
        return OSSIO_EINVAL;
    }
    free(t->up.source.path);
    t->up.source.path = strdup(path);
    if (t->up.source.path == NULL) {
        return OSSIO_ENOMEM;
    }
    ossio__source_select(&t->up.source, &ossio__source_file);
    return OSSIO_OK;
}

ossio_status ossio_transfer_from_buffer(ossio_transfer *t, const void *data, size_t len)
{
    if (!settable(t, 1) || (data == NULL && len > 0)) {
        return OSSIO_EINVAL;
    }
    t->up.source.data = data;
    t->size = len;
    t->size_known = 1;
    ossio__source_select(&t->up.source, &ossio__source_buffer);
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
    return ossio__hdrs_add(&t->up.hdrs, name, strlen(name), value, strlen(value));
}

ossio_status ossio_transfer_set_keep_on_failure(ossio_transfer *t, int keep)
{
    if (!settable(t, 1)) {
        return OSSIO_EINVAL;
    }
    t->up.keep_on_failure = keep != 0;
    return OSSIO_OK;
}

ossio_status ossio_transfer_set_part_done(ossio_transfer *t, ossio_part_done_cb cb, void *user_data)
{
    if (t == NULL || t->submitted) {
        return OSSIO_EINVAL;
    }
    if (t->upload) {
        t->up.part_done = cb;
        t->up.part_done_ud = user_data;
    } else {
        t->dl.res.part_done = cb;
        t->dl.res.part_done_ud = user_data;
    }
    return OSSIO_OK;
}

ossio_status ossio_transfer_resume(ossio_transfer *t, const char *upload_id)
{
    if (!settable(t, 1) || upload_id == NULL || *upload_id == '\0' ||
        strlen(upload_id) >= sizeof(t->up.upload_id)) {
        return OSSIO_EINVAL;
    }
    snprintf(t->up.upload_id, sizeof(t->up.upload_id), "%s", upload_id);
    t->up.resuming = 1;
    return OSSIO_OK;
}

const char *ossio_transfer_upload_id(const ossio_transfer *t)
{
    return t != NULL && t->up.upload_id[0] ? t->up.upload_id : NULL;
}

ossio_status ossio_transfer_set_hedging(ossio_transfer *t, int on)
{
    if (!settable(t, 0)) {
        return OSSIO_EINVAL;
    }
    t->dl.hedging = on != 0;
    return OSSIO_OK;
}

ossio_status ossio_transfer_set_deadline(ossio_transfer *t, uint64_t ms)
{
    if (t == NULL || t->submitted) {
        return OSSIO_EINVAL;
    }
    t->deadline = (double)ms / 1e3;
    return OSSIO_OK;
}

void ossio_transfer_set_progress(ossio_transfer *t, ossio_progress_cb cb, void *user_data)
{
    if (t != NULL && !t->submitted) {
        t->progress = cb;
        t->progress_ud = user_data;
    }
}

double ossio_transfer_elapsed(const ossio_transfer *t)
{
    return t != NULL ? t->elapsed : 0;
}

unsigned ossio_transfer_hedges(const ossio_transfer *t)
{
    return t != NULL ? t->dl.hedges : 0;
}

unsigned ossio_transfer_connections(const ossio_transfer *t)
{
    return t != NULL ? t->n_conns : 0;
}

uint64_t ossio_transfer_memory_peak(const ossio_transfer *t)
{
    return t != NULL ? t->mem_peak : 0;
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
