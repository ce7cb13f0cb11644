/* The operation (internal view of ossio_op): a logical object-store call
 * that may take several HTTP attempts (retries) and, for listings and batch
 * deletes, several requests. */
#ifndef OSSIO__OPS_OP_H
#define OSSIO__OPS_OP_H

#include <ev.h>
#include <stdint.h>
#include <time.h>

#include "http/headers.h"
#include "transport/defer.h"
#include "ops/uri.h"
#include "ossio.h"
#include "util/buf.h"
#include "util/outcome.h"

/* An error answer's body is read up to this many bytes (its Code, Message). */
#define OSSIO__MAX_ERROR_BODY (64 * 1024)

typedef struct ossio__qp {
    char *name;
    char *value; /* NULL: bare key */
} ossio__qp;

typedef struct ossio__part_ref {
    uint32_t number;
    char *etag;
    uint32_t sum; /* s3 dialect: the part's CRC32C/CRC32, when has_sum */
    int has_sum;
} ossio__part_ref;

/* Paging of a listing beyond its token (ops/paging.c). */
typedef struct ossio__paging {
    char *upload_marker;      /* ListMultipartUploads: the upload-id-marker sent */
    char *next_upload_marker; /* the page's NextUploadIdMarker */
    char *seen;               /* the marker of an earlier page (a cycle comes back to it) */
    unsigned seen_steps, seen_span;
} ossio__paging;

struct ossio_op {
    ossio_client *cl;
    ossio_op *live_next; /* client's submitted operations */
    ossio_op *live_prev;
    ossio_op_kind kind;
    ossio__uri uri;
    int submitted;
    int finished;
    int canceled;
    /* caller's settings */
    ossio__hdrs hdrs;
    uint64_t range_off;
    int64_t range_len; /* -2: no range */
    const uint8_t *body;
    int64_t body_len;
    ossio_body_read_cb body_read;
    void *body_ud;
    int body_is_reader;
    int body_fd;            /* file body (ossio_op_set_body_file): borrowed; -1: none */
    uint64_t body_file_off; /* where the body starts in that file */
    uint64_t body_crc64;    /* CRC-64 of a buffer or file body, once known */
    int has_body_crc64;
    char *delimiter;
    uint32_t page_size;
    char *token;
    char *upload_id;
    uint32_t part_number;
    ossio__part_ref *parts;
    size_t n_parts, cap_parts;
    char **keys;
    size_t n_keys, cap_keys, keys_done;
    ossio__uri copy_src;
    int has_copy_src;
    ossio_op_data_cb on_data;
    ossio_op_entry_cb on_entry;
    void *cb_ud;
    ossio_op_done_cb on_done;
    void *done_ud;

    /* the attempt in flight */
    ossio_request *req;
    unsigned attempt;  /* 0-based attempts of the current request */
    unsigned retries;  /* total retries over the operation */
    int origin_worked; /* the attempt's origin has had a working connection */
    int last_attempt;  /* ossio__op_last_attempt(): no retry after this attempt */
    ev_timer backoff;
    double deadline; /* seconds from submit, all attempts; 0: none */
    ev_timer deadline_timer;
    ossio__buf err_body; /* error response body (bounded) */
    int err_capped;      /* the error body was longer: the rest was not read */
    ossio__buf req_body; /* XML we send (complete, delete) */
    void *parser;        /* response XML parser of this attempt, if any */
    uint64_t delivered;  /* GET body bytes handed to the caller */
    uint64_t crc;        /* GET: running CRC-64 of the delivered body */
    int whole_object;    /* GET of the whole object: CRC checkable */
    uint64_t reader_crc; /* CRC-64 of what a body reader produced */
    ossio_status parse_status;
    time_t server_date; /* Date of an error answer (clock skew) */
    int resume_bad;     /* a resumed GET was not answered from where it stopped */
    /* s3 dialect checksums (ops/checksum.c, fs.oss.s3.checksum) */
    uint32_t sum_body; /* CRC32C/CRC32 of a buffer body, sent as x-amz-checksum-* */
    int has_sum_body;
    char md5_body[32];   /* md5: Content-MD5 of a buffer body ("" until computed) */
    uint32_t sum_object; /* Complete: the whole object's CRC (FULL_OBJECT) */
    int has_sum_object;
    int sum_rx_kind; /* GET: the algorithm of the answer's full-object checksum; -1: none */
    uint32_t sum_rx; /* GET: running CRC of the delivered body */
    char sum_crc32c[24], sum_crc32[24], sum_type[24]; /* the answer's headers */
    const char *checked; /* the checksum compared (result.checksum), static */

    /* results */
    ossio_object_info info;
    char etag[128];
    char last_modified[64];
    char content_type[128];
    char upload_id_out[256];
    char *next_token;      /* listing continuation: the page's marker (V1: or its last key) */
    uint64_t page_emitted; /* entries of the current page handed to on_entry */
    int truncated;
    ossio__paging paging;
    ossio_result result;
    /* The attempt's HTTP status and server error (reset each attempt), then
     * the operation's decided status and detail (util/outcome.h). */
    ossio__outcome out;
    ossio__deferred done_node;
};

/* Client destroy: every submitted operation not finished completes with OSSIO_ECANCELED. */
void ossio__ops_cancel_all(ossio_client *cl);

/* Whether |op|'s current attempt has handed its whole request body to the
 * connection: the server may act on it (store the object) whatever the
 * client does now. 0 between attempts and for bodies of unknown length. */
int ossio__op_body_sent(const ossio_op *op);

/* The attempt in flight is the operation's last: it completes with this
 * attempt's outcome, never retries (a transfer canceled while its Complete
 * or PutObject was held lets that attempt finish, but starts no other). */
void ossio__op_last_attempt(ossio_op *op);

/* Whether an attempt of |op| is in flight (0 before submit, between
 * attempts while it waits to retry, and once finished). */
int ossio__op_in_flight(const ossio_op *op);

/* The s3 dialect's checksums, for transfers: the body's CRC already
 * computed by the caller (|op| does not compute it again); a part with its
 * CRC for Complete's XML (as ossio_op_add_part()); the whole object's CRC
 * for Complete's FULL_OBJECT header. Ignored outside the s3 dialect or with
 * fs.oss.s3.checksum md5|none. */
void ossio__op_set_body_sum(ossio_op *op, uint32_t crc);
/* The body's CRC-64, computed by the caller (a transfer's part): the
 * answer's x-oss-hash-crc64ecma is compared with it, nothing recomputed. */
void ossio__op_set_body_crc64(ossio_op *op, uint64_t crc);
ossio_status ossio__op_add_part_sum(ossio_op *op, uint32_t part_number, const char *etag,
                                    uint32_t crc);
void ossio__op_set_object_sum(ossio_op *op, uint32_t crc);

/* Between the files of src/ops/ (op.c: lifecycle and attempts; response.c:
 * what an attempt's answer does). */

/* Completes |op| with |st| (first call only); |detail| NULL: the status's text. */
void ossio__op_finish(ossio_op *op, ossio_status st, const char *detail);

/* After a failed attempt: retries with backoff when the policy
 * (ops/retry.h) says so, else completes with |st|. */
void ossio__op_fail_or_retry(ossio_op *op, ossio_status st, const char *detail);

/* Builds, signs and submits the operation's next request. */
void ossio__op_start_attempt(ossio_op *op);

/* The request callbacks of an attempt (response.c); |ud| is the op. */
int ossio__op_on_headers(ossio_request *r, int status, const ossio_response *resp, void *ud);
int ossio__op_on_data(ossio_request *r, const uint8_t *data, size_t len, void *ud);
void ossio__op_on_done(ossio_request *r, const ossio_result *res, void *ud);

#endif /* OSSIO__OPS_OP_H */
