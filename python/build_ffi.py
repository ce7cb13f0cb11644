"""Generates the C source of ossio's cffi extension module (ossio._ossio_cffi).

The declarations below are the part of include/ossio.h the binding uses, in
cffi's API mode: the generated C includes <ossio.h> and the C compiler checks
every declaration against it (structs end with "...;", so their layout is
taken from the header, never guessed). CMake compiles the output
(python/CMakeLists.txt); no compiler runs here.

    python3 build_ffi.py OUTPUT.c
"""

import sys

import cffi

CDEF = r"""
typedef int... ossio_status;
typedef int... ossio_log_level;
typedef int... ossio_stat;
typedef int... ossio_op_kind;
typedef int... ossio_written;

const char *ossio_version(void);
const char *ossio_strerror(ossio_status st);
const char *ossio_status_name(ossio_status st);

typedef struct ossio_config ossio_config;
ossio_config *ossio_config_new(void);
void ossio_config_free(ossio_config *cfg);
ossio_status ossio_config_set(ossio_config *cfg, const char *key, const char *value);
const char *ossio_config_get(const ossio_config *cfg, const char *key);
const char *ossio_config_error(const ossio_config *cfg);
ossio_status ossio_config_load_hadoop(ossio_config *cfg, const char *path);
ossio_status ossio_config_load_flink(ossio_config *cfg, const char *path);
ossio_status ossio_config_load_env(ossio_config *cfg);
ossio_status ossio_config_load_defaults(ossio_config *cfg);

struct ev_loop;
typedef struct ossio_client ossio_client;
ossio_status ossio_client_new(ossio_client **out, const ossio_config *cfg, struct ev_loop *loop);
void ossio_client_destroy(ossio_client *cl);
typedef void (*ossio_log_cb)(ossio_log_level level, const char *msg, void *user_data);
void ossio_client_set_log(ossio_client *cl, ossio_log_cb cb, ossio_log_level max_level,
                          void *user_data);
uint64_t ossio_client_stat(const ossio_client *cl, ossio_stat which);
const char *ossio_client_error(const ossio_client *cl);

#define OSSIO_LOG_ERROR ...
#define OSSIO_LOG_WARN ...
#define OSSIO_LOG_INFO ...
#define OSSIO_LOG_DEBUG ...
#define OSSIO_STAT_CONNECTIONS_OPENED ...
#define OSSIO_STAT_REQUESTS_DONE ...
#define OSSIO_STAT_MEMORY_PEAK ...
#define OSSIO_STAT_BYTES_RECEIVED ...
#define OSSIO_OK ...
#define OSSIO_ECANCELED ...
#define OSSIO_EBODYSIZE ...
#define OSSIO_EINVAL ...
#define OSSIO_OP_HEAD ...
#define OSSIO_OP_GET ...
#define OSSIO_OP_DELETE ...
#define OSSIO_OP_LIST ...

typedef struct ossio_result {
    ossio_status status;
    int http_status;
    const char *protocol;
    const char *detail;
    uint64_t bytes_received;
    uint64_t bytes_sent;
    unsigned replays;
    const char *code;
    const char *message;
    const char *request_id;
    const char *host_id;
    const char *ec;
    unsigned retries;
    const char *checksum;
    ...;
} ossio_result;

typedef struct ossio_op ossio_op;
typedef struct ossio_object_info {
    uint64_t size;
    const char *etag;
    const char *last_modified;
    const char *content_type;
    uint64_t crc64;
    int has_crc64;
    ...;
} ossio_object_info;
typedef struct ossio_list_entry {
    const char *key;
    int is_prefix;
    uint64_t size;
    const char *etag;
    const char *last_modified;
    uint64_t crc64;
    int has_crc64;
    ...;
} ossio_list_entry;
typedef int (*ossio_op_data_cb)(ossio_op *op, const uint8_t *data, size_t len, void *user_data);
typedef int (*ossio_op_entry_cb)(ossio_op *op, const ossio_list_entry *entry, void *user_data);
typedef void (*ossio_op_done_cb)(ossio_op *op, const ossio_result *result, void *user_data);
ossio_status ossio_op_new(ossio_op **out, ossio_client *cl, ossio_op_kind kind, const char *uri);
ossio_status ossio_op_set_range(ossio_op *op, uint64_t offset, int64_t length);
ossio_status ossio_op_set_header(ossio_op *op, const char *name, const char *value);
ossio_status ossio_op_set_list(ossio_op *op, const char *delimiter, uint32_t page_size,
                               const char *start_token);
void ossio_op_set_callbacks(ossio_op *op, ossio_op_data_cb on_data, ossio_op_entry_cb on_entry,
                            void *user_data);
ossio_status ossio_op_submit(ossio_op *op, ossio_op_done_cb done, void *user_data);
void ossio_op_cancel(ossio_op *op);
void ossio_op_free(ossio_op *op);
const ossio_object_info *ossio_op_object(const ossio_op *op);

typedef struct ossio_transfer ossio_transfer;
typedef void (*ossio_transfer_done_cb)(ossio_transfer *t, const ossio_result *result,
                                       void *user_data);
ossio_status ossio_download_new(ossio_transfer **out, ossio_client *cl, const char *uri);
ossio_status ossio_upload_new(ossio_transfer **out, ossio_client *cl, const char *uri);
ossio_status ossio_transfer_to_file(ossio_transfer *t, const char *path);
ossio_status ossio_transfer_to_buffer(ossio_transfer *t, void *buf, size_t cap);
ossio_status ossio_transfer_from_file(ossio_transfer *t, const char *path);
ossio_status ossio_transfer_from_buffer(ossio_transfer *t, const void *data, size_t len);
ossio_status ossio_transfer_set_header(ossio_transfer *t, const char *name, const char *value);
ossio_status ossio_transfer_submit(ossio_transfer *t, ossio_transfer_done_cb done,
                                   void *user_data);
void ossio_transfer_cancel(ossio_transfer *t);
void ossio_transfer_free(ossio_transfer *t);
uint64_t ossio_transfer_size(const ossio_transfer *t);
uint64_t ossio_transfer_bytes(const ossio_transfer *t);
uint64_t ossio_transfer_memory_peak(const ossio_transfer *t);

typedef struct ossio_split {
    unsigned index;
    const char *uri;
    uint64_t start;
    uint64_t length;
    uint64_t object_size;
    const char *etag;
    int unsplittable;
    ...;
} ossio_split;
typedef struct ossio_split_plan ossio_split_plan;
void ossio_split_plan_free(ossio_split_plan *plan);
size_t ossio_split_plan_count(const ossio_split_plan *plan);
const ossio_split *ossio_split_plan_get(const ossio_split_plan *plan, size_t i);
typedef void (*ossio_plan_done_cb)(ossio_split_plan *plan, const ossio_result *result,
                                   void *user_data);
ossio_status ossio_splits_plan(ossio_client *cl, const char *uri, unsigned min_splits,
                               ossio_plan_done_cb done, void *user_data);
typedef struct ossio_record {
    const uint8_t *data;
    size_t len;
    ...;
} ossio_record;
typedef int (*ossio_records_cb)(const ossio_split *split, const ossio_record *records, size_t n,
                                void *user_data);
typedef struct ossio_split_reader ossio_split_reader;
typedef void (*ossio_split_done_cb)(ossio_split_reader *r, const ossio_result *result,
                                    void *user_data);
ossio_status ossio_split_reader_new(ossio_split_reader **out, ossio_client *cl,
                                    const ossio_split *split);
ossio_status ossio_split_reader_set_delimiter(ossio_split_reader *r, const void *delim,
                                              size_t len);
ossio_status ossio_split_reader_set_max_record(ossio_split_reader *r, size_t max);
void ossio_split_reader_set_callbacks(ossio_split_reader *r, ossio_records_cb cb,
                                      void *user_data);
ossio_status ossio_split_reader_submit(ossio_split_reader *r, ossio_split_done_cb done,
                                       void *user_data);
void ossio_split_reader_cancel(ossio_split_reader *r);
void ossio_split_reader_free(ossio_split_reader *r);
uint64_t ossio_split_reader_records(const ossio_split_reader *r);
uint64_t ossio_split_reader_bytes(const ossio_split_reader *r);

/* The binding's own C (SHIM below). */
typedef struct pyo_sink {
    unsigned char *buf;
    size_t cap;
    size_t len;
    int overflow;
} pyo_sink;
int pyo_sink_data(ossio_op *op, const uint8_t *data, size_t len, void *user_data);
struct ev_loop *pyo_loop_new(void);
void pyo_loop_run_once(struct ev_loop *loop);
void pyo_loop_destroy(struct ev_loop *loop);

/* Completions and streams that Python handles (cffi takes the GIL for them). */
extern "Python" void pyo_on_op_done(ossio_op *, const ossio_result *, void *);
extern "Python" int pyo_on_entry(ossio_op *, const ossio_list_entry *, void *);
extern "Python" void pyo_on_transfer_done(ossio_transfer *, const ossio_result *, void *);
extern "Python" void pyo_on_plan_done(ossio_split_plan *, const ossio_result *, void *);
extern "Python" int pyo_on_records(const ossio_split *, const ossio_record *, size_t, void *);
extern "Python" void pyo_on_split_done(ossio_split_reader *, const ossio_result *, void *);
extern "Python" void pyo_on_log(ossio_log_level, const char *, void *);
"""

# The byte path stays in C: a GET's body is copied into a buffer Python
# allocated, without taking the GIL. The loop is the client's own libev loop
# (ossio_client_new's host-loop mode), run one iteration per call so Python
# decides when to stop: between two calls nothing runs, so a consumer that
# does not read applies back-pressure through TCP / HTTP/2 flow control.
SHIM = r"""
#include <string.h>
#include <ev.h>
#include <ossio.h>

typedef struct pyo_sink {
    unsigned char *buf;
    size_t cap;
    size_t len;
    int overflow;
} pyo_sink;

static int pyo_sink_data(ossio_op *op, const uint8_t *data, size_t len, void *user_data)
{
    pyo_sink *s = user_data;
    (void)op;
    if (len > s->cap - s->len) {
        s->overflow = 1;
        return 1; /* more than the range asked for: stop (OSSIO_ECANCELED) */
    }
    memcpy(s->buf + s->len, data, len);
    s->len += len;
    return 0;
}

static struct ev_loop *pyo_loop_new(void)
{
    return ev_loop_new(EVFLAG_AUTO);
}

static void pyo_loop_run_once(struct ev_loop *loop)
{
    ev_run(loop, EVRUN_ONCE);
}

static void pyo_loop_destroy(struct ev_loop *loop)
{
    ev_loop_destroy(loop);
}
"""


def make_ffi() -> cffi.FFI:
    ffi = cffi.FFI()
    ffi.cdef(CDEF)
    ffi.set_source("ossio._ossio_cffi", SHIM)
    return ffi


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: build_ffi.py OUTPUT.c")
    make_ffi().emit_c_code(sys.argv[1])
