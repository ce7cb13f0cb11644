/* Planning an input on the store: a HEAD says whether the URI is an object;
 * if not, a delimited LIST of "key/" gives the files of the "directory", as
 * Flink's FileInputFormat enumerates a directory (not recursively). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transfer/context.h"
#include "ops/uri.h"
#include "ossio.h"
#include "split/split.h"

struct ossio__split_planner {
    ossio_client *cl;
    char *uri;
    char *base;   /* "scheme://bucket/" */
    char *prefix; /* the listing prefix: "key/", or "" for the bucket */
    unsigned min_splits;
    ossio_plan_done_cb done;
    void *done_ud;
    ossio_split_plan *plan;
    size_t files;
    ossio_op *op;
    int canceled;
    ossio_status entry_status; /* a failure inside the entry callback */
    char detail[512];
    ossio_result result;
};

static void release(ossio__split_planner *p)
{
    ossio_split_plan_free(p->plan);
    free(p->uri);
    free(p->base);
    free(p->prefix);
    free(p);
}

/* Completes the planning (always from an operation's completion, so from the loop). */
static void finish(ossio__split_planner *p, ossio_status st, const char *detail,
                   const ossio_result *from)
{
    if (st == OSSIO_OK) {
        st = ossio_split_plan_compute(p->plan, p->min_splits, ossio__cl_ops(p->cl)->oss.block_size,
                                      ossio__cl_ops(p->cl)->oss.split_min_size);
        detail = st == OSSIO_OK ? "" : "could not compute the splits";
    }
    if (p->canceled) {
        st = OSSIO_ECANCELED;
        detail = "canceled";
    }
    ossio_result *res = &p->result;
    if (from != NULL) {
        *res = *from; /* the server's Code, Message, RequestId: valid during the call */
    }
    res->status = st;
    snprintf(p->detail, sizeof(p->detail), "%s", detail != NULL ? detail : ossio_strerror(st));
    res->detail = p->detail;
    ossio_split_plan *plan = st == OSSIO_OK ? p->plan : NULL;
    if (plan != NULL) {
        p->plan = NULL; /* the caller's now */
    }
    p->done(plan, res, p->done_ud);
    release(p);
}

static int on_entry(ossio_op *op, const ossio_list_entry *e, void *ud)
{
    (void)op;
    ossio__split_planner *p = ud;
    size_t plen = strlen(p->prefix);
    if (e->is_prefix || e->key == NULL || strncmp(e->key, p->prefix, plen) != 0) {
        return 0; /* nested "directories" are not entered */
    }
    const char *name = e->key + plen;
    if (strchr(name, '/') != NULL || !ossio_split_accept_name(name)) {
        return 0; /* hidden (_SUCCESS, .crc), or the directory marker itself */
    }
    size_t n = strlen(p->base) + strlen(e->key) + 1;
    char *uri = malloc(n);
    ossio_status st = OSSIO_ENOMEM;
    if (uri != NULL) {
        snprintf(uri, n, "%s%s", p->base, e->key);
        st = ossio_split_plan_add(p->plan, uri, e->size, e->etag);
        free(uri);
    }
    if (st != OSSIO_OK) {
        p->entry_status = st;
        return 1;
    }
    p->files++;
    return 0;
}

static void on_list_done(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)op;
    ossio__split_planner *p = ud;
    p->op = NULL;
    if (p->entry_status != OSSIO_OK) {
        finish(p, p->entry_status, NULL, NULL);
    } else if (res->status != OSSIO_OK) {
        finish(p, res->status, res->detail, res);
    } else if (p->files == 0) {
        snprintf(p->detail, sizeof(p->detail), "no object %s and no object under %s%s", p->uri,
                 p->base, p->prefix);
        finish(p, OSSIO_ENOTFOUND, p->detail, NULL);
    } else {
        finish(p, OSSIO_OK, NULL, NULL);
    }
}

static ossio_status start_list(ossio__split_planner *p)
{
    size_t n = strlen(p->base) + strlen(p->prefix) + 1;
    char *uri = malloc(n);
    if (uri == NULL) {
        return OSSIO_ENOMEM;
    }
    snprintf(uri, n, "%s%s", p->base, p->prefix);
    ossio_op *op = NULL;
    ossio_status st = ossio_op_new(&op, p->cl, OSSIO_OP_LIST, uri);
    free(uri);
    if (st == OSSIO_OK) {
        st = ossio_op_set_list(op, "/", 0, NULL);
    }
    if (st != OSSIO_OK) {
        ossio_op_free(op);
        return st;
    }
    ossio_op_set_callbacks(op, NULL, on_entry, p);
    p->op = op;
    return ossio_op_submit(op, on_list_done, p);
}

static void on_head_done(ossio_op *op, const ossio_result *res, void *ud)
{
    ossio__split_planner *p = ud;
    p->op = NULL;
    if (res->status == OSSIO_ENOTFOUND && !p->canceled) {
        ossio_status st = start_list(p); /* not an object: maybe a "directory" */
        if (st != OSSIO_OK) {
            finish(p, st, "could not start the listing", NULL);
        }
        return;
    }
    if (res->status != OSSIO_OK) {
        finish(p, res->status, res->detail, res);
        return;
    }
    const ossio_object_info *info = ossio_op_object(op);
    ossio_status st = ossio_split_plan_add(p->plan, p->uri, info != NULL ? info->size : 0,
                                           info != NULL ? info->etag : NULL);
    finish(p, st, NULL, NULL);
}

ossio_status ossio__split_planner_start(ossio_client *cl, const char *uri, unsigned min_splits,
                                        ossio_plan_done_cb done, void *user_data,
                                        ossio__split_planner **handle)
{
    if (handle != NULL) {
        *handle = NULL;
    }
    if (cl == NULL || uri == NULL || done == NULL || min_splits == 0) {
        return OSSIO_EINVAL;
    }
    ossio__uri u;
    char msg[256];
    ossio_status st = ossio__uri_parse(&u, uri, ossio__cl_ops(cl)->oss.s3, msg, sizeof(msg));
    if (st != OSSIO_OK) {
        snprintf(ossio__cl_ops(cl)->error, sizeof(ossio__cl_ops(cl)->error), "%s", msg);
        return st;
    }
    ossio__split_planner *p = calloc(1, sizeof(*p));
    size_t klen = strlen(u.key);
    int dir = klen == 0 || u.key[klen - 1] == '/';
    while (klen > 0 && u.key[klen - 1] == '/') {
        klen--; /* exactly one trailing '/' on the prefix */
    }
    size_t blen = strlen(u.scheme) + strlen(u.bucket) + 5;
    if (p != NULL) {
        p->uri = strdup(uri);
        p->base = malloc(blen);
        p->prefix = malloc(klen + 2);
        p->plan = ossio_split_plan_new();
    }
    if (p == NULL || p->uri == NULL || p->base == NULL || p->prefix == NULL || p->plan == NULL) {
        ossio__uri_free(&u);
        if (p != NULL) {
            release(p);
        }
        return OSSIO_ENOMEM;
    }
    snprintf(p->base, blen, "%s://%s/", u.scheme, u.bucket);
    snprintf(p->prefix, klen + 2, "%.*s%s", (int)klen, u.key, klen > 0 ? "/" : "");
    ossio__uri_free(&u);
    p->cl = cl;
    p->min_splits = min_splits;
    p->done = done;
    p->done_ud = user_data;
    if (dir) {
        st = start_list(p); /* "key/" or the bucket: only a listing can name files */
    } else {
        ossio_op *op = NULL;
        st = ossio_op_new(&op, cl, OSSIO_OP_HEAD, uri);
        if (st == OSSIO_OK) {
            p->op = op;
            st = ossio_op_submit(op, on_head_done, p);
        }
    }
    if (st != OSSIO_OK) {
        release(p);
        return st;
    }
    if (handle != NULL) {
        *handle = p;
    }
    return OSSIO_OK;
}

ossio_status ossio_splits_plan(ossio_client *cl, const char *uri, unsigned min_splits,
                               ossio_plan_done_cb done, void *user_data)
{
    return ossio__split_planner_start(cl, uri, min_splits, done, user_data, NULL);
}

void ossio__split_planner_cancel(ossio__split_planner *p)
{
    if (p != NULL && !p->canceled) {
        p->canceled = 1;
        if (p->op != NULL) {
            ossio_op_cancel(p->op);
        }
    }
}
