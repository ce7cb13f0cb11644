/* The rules that keep a paged listing honest: a truncated page must say where
 * the next one starts (V1 without a delimiter may leave it to the last key,
 * as OSS and S3 document), and that place must lie ahead, so a broken server
 * ends the listing with OSSIO_EPAGING instead of a subset or a loop. */
#include "ops/paging.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/context.h"
#include "ops/kind.h"

/* What each listing calls its way forward, for the error text. */
typedef struct listing_names {
    const char *op;
    const char *marker;
} listing_names;

static listing_names names_of(const ossio_op *op)
{
    switch (op->kind) {
    case OSSIO_OP_MULTIPART_LIST_PARTS:
        return (listing_names){"ListParts", "NextPartNumberMarker"};
    case OSSIO_OP_MULTIPART_LIST_UPLOADS:
        return (listing_names){"ListMultipartUploads", "NextKeyMarker"};
    default:
        return ossio__cl_ops(op->cl)->oss.list_v1
                   ? (listing_names){"ListObjects", "NextMarker"}
                   : (listing_names){"ListObjectsV2", "NextContinuationToken"};
    }
}

static int is_listing(const ossio_op *op)
{
    return ossio__op_kind(op->kind)->paged;
}

static const char *or_empty(const char *s)
{
    return s != NULL ? s : "";
}

/* Whether the next marker lies ahead of the one this page was asked with.
 * Keys (V1 markers, key markers) come in ascending byte order and part
 * numbers ascend; V2 tokens are opaque, so only a repeat can be seen. */
static int advances(const ossio_op *op)
{
    const char *sent = op->token;
    const char *next = op->next_token;
    if (sent == NULL) {
        return 1; /* the first page */
    }
    switch (op->kind) {
    case OSSIO_OP_MULTIPART_LIST_PARTS:
        return strtoull(next, NULL, 10) > strtoull(sent, NULL, 10);
    case OSSIO_OP_MULTIPART_LIST_UPLOADS: {
        int c = strcmp(next, sent);
        /* Uploads of one key page by upload id: the same key may come back,
         * with another upload id. */
        return c > 0 || (c == 0 && strcmp(or_empty(op->paging.next_upload_marker),
                                          or_empty(op->paging.upload_marker)) != 0);
    }
    default:
        return ossio__cl_ops(op->cl)->oss.list_v1 ? strcmp(next, sent) > 0
                                                  : strcmp(next, sent) != 0;
    }
}

/* Whether the server brought the listing back to a marker it named before:
 * one marker is kept and compared with every later one, and it is replaced
 * after 2, 4, 8, … pages (Brent), so a cycle of any length is caught in
 * bounded pages with bounded memory. */
static int seen_before(ossio_op *op)
{
    ossio__paging *pg = &op->paging;
    const char *up = or_empty(pg->next_upload_marker);
    size_t n = strlen(op->next_token) + 1 + strlen(up) + 1;
    char *key = malloc(n);
    if (key == NULL) {
        return 0; /* out of memory: the check against the sent marker remains */
    }
    snprintf(key, n, "%s\n%s", op->next_token, up);
    if (pg->seen != NULL && strcmp(pg->seen, key) == 0) {
        free(key);
        return 1;
    }
    if (++pg->seen_steps >= pg->seen_span) {
        free(pg->seen);
        pg->seen = key;
        key = NULL;
        pg->seen_span = pg->seen_span != 0 ? pg->seen_span * 2 : 2;
        pg->seen_steps = 0;
    }
    free(key);
    return 0;
}

/* Fails the page: |what| follows "<operation>: <marker> ". */
static ossio_status broken(ossio_op *op, const char *what)
{
    listing_names n = names_of(op);
    snprintf(op->out.detail, sizeof(op->out.detail), "%s: %s %s", n.op, n.marker, what);
    free(op->next_token);
    op->next_token = NULL; /* nowhere to resume from */
    return OSSIO_EPAGING;
}

static ossio_status set(char **dst, const char *src)
{
    char *copy = src != NULL ? strdup(src) : NULL;
    if (src != NULL && copy == NULL) {
        return OSSIO_ENOMEM;
    }
    free(*dst);
    *dst = copy;
    return OSSIO_OK;
}

ossio_status ossio__paging_next(ossio_op *op, int *more)
{
    *more = 0;
    if (!is_listing(op) || !op->truncated) {
        return OSSIO_OK; /* complete */
    }
    char what[448]; /* with the longest "<operation>: <marker> " it fits a detail */
    if (op->next_token == NULL) {
        int v1 = op->kind == OSSIO_OP_LIST && ossio__cl_ops(op->cl)->oss.list_v1;
        return broken(op, v1 ? "missing from a truncated page (IsTruncated true) that does not "
                               "end with a key to go on from"
                             : "missing from a truncated page (IsTruncated true)");
    }
    if (!advances(op)) {
        if (op->kind == OSSIO_OP_LIST && !ossio__cl_ops(op->cl)->oss.list_v1) {
            snprintf(what, sizeof(what),
                     "\"%.190s\" already used: it is the one this page was asked with",
                     op->next_token);
        } else {
            snprintf(what, sizeof(what),
                     "\"%.190s\" does not advance past \"%.190s\", the one this page was "
                     "asked with",
                     op->next_token, op->token);
        }
        return broken(op, what);
    }
    if (seen_before(op)) {
        snprintf(what, sizeof(what), "\"%.190s\" already used: the pages go round in a circle",
                 op->next_token);
        return broken(op, what);
    }
    ossio_status st = set(&op->token, op->next_token);
    if (st == OSSIO_OK && op->kind == OSSIO_OP_MULTIPART_LIST_UPLOADS) {
        st = set(&op->paging.upload_marker, op->paging.next_upload_marker);
    }
    *more = st == OSSIO_OK;
    return st;
}

void ossio__paging_free(ossio_op *op)
{
    free(op->paging.upload_marker);
    free(op->paging.next_upload_marker);
    free(op->paging.seen);
    memset(&op->paging, 0, sizeof(op->paging));
}
