/* ossio rm: objects deleted in batches (DeleteMultipleObjects, 1000 keys a
 * request); with -r every object under each prefix, listed first. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_RECURSIVE };

static const cli_opt opts[] = {
    {OPT_RECURSIVE, 'r', "recursive", 0},
    {-1, 0, NULL, 0},
};

/* The keys to delete in one bucket. */
typedef struct batch {
    char bucket_uri[80]; /* "oss://bucket/" */
    char **keys;
    size_t n, cap;
} batch;

typedef struct rm_state {
    cli *c;
    batch *b;
    size_t nb;
    batch *listing; /* the batch a running listing adds to */
    int rc;
    int json_open;     /* the --json document was begun */
    size_t json_items; /* URIs printed into it */
    uint64_t deleted;
} rm_state;

/* --json: begins the document before its first entry (or at the end). */
static void json_begin(rm_state *s)
{
    if (!s->json_open) {
        fputs("{\"command\":\"rm\",\"deleted\":[", stdout);
        s->json_open = 1;
    }
}

static batch *batch_for(rm_state *s, const char *uri, const char **key)
{
    char bucket[64];
    if (cli_split_uri(uri, bucket, sizeof(bucket), key) != 0) {
        return NULL;
    }
    char base[80];
    snprintf(base, sizeof(base), "%.*s%s/", (int)(strstr(uri, "://") - uri + 3), uri, bucket);
    for (size_t i = 0; i < s->nb; i++) {
        if (strcmp(s->b[i].bucket_uri, base) == 0) {
            return &s->b[i];
        }
    }
    batch *v = realloc(s->b, (s->nb + 1) * sizeof(*v));
    if (v == NULL) {
        return NULL;
    }
    s->b = v;
    batch *b = &s->b[s->nb++];
    memset(b, 0, sizeof(*b));
    snprintf(b->bucket_uri, sizeof(b->bucket_uri), "%s", base);
    return b;
}

static int batch_add(batch *b, const char *key)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        char **k = realloc(b->keys, cap * sizeof(*k));
        if (k == NULL) {
            return -1;
        }
        b->keys = k;
        b->cap = cap;
    }
    b->keys[b->n] = strdup(key);
    return b->keys[b->n] != NULL ? (int)(b->n++, 0) : -1;
}

static int on_entry(ossio_op *op, const ossio_list_entry *e, void *ud)
{
    (void)op;
    rm_state *s = ud;
    if (!e->is_prefix && batch_add(s->listing, e->key) != 0) {
        s->rc = cli_fail_status(s->c, s->listing->bucket_uri, OSSIO_ENOMEM, NULL);
        return 1;
    }
    return 0;
}

/* Lists |uri| as a "directory" (prefix + '/', or the whole bucket) into its batch. */
static int list_into(rm_state *s, const char *uri, batch *b, const char *key)
{
    size_t n = strlen(uri) + 2;
    char *prefix = malloc(n);
    if (prefix == NULL) {
        return cli_fail_status(s->c, uri, OSSIO_ENOMEM, NULL);
    }
    int slash = *key != '\0' && key[strlen(key) - 1] != '/';
    snprintf(prefix, n, "%s%s", uri, slash ? "/" : "");
    ossio_op *op = NULL;
    int rc = cli_op_new(s->c, &op, OSSIO_OP_LIST, prefix);
    if (rc == 0) {
        s->listing = b;
        ossio_op_set_callbacks(op, NULL, on_entry, s);
        rc = cli_op_run(s->c, op, prefix, NULL, NULL);
    }
    free(prefix);
    return rc != 0 ? rc : s->rc;
}

static int delete_batch(rm_state *s, batch *b)
{
    if (b->n == 0) {
        return 0;
    }
    ossio_op *op = NULL;
    int rc = cli_op_new(s->c, &op, OSSIO_OP_DELETE_MANY, b->bucket_uri);
    for (size_t i = 0; rc == 0 && i < b->n; i++) {
        if (ossio_op_add_key(op, b->keys[i]) != OSSIO_OK) {
            ossio_op_free(op);
            rc = cli_fail_status(s->c, b->bucket_uri, OSSIO_ENOMEM, NULL);
        }
    }
    if (rc == 0) {
        rc = cli_op_run(s->c, op, b->bucket_uri, NULL, NULL);
    }
    if (rc != 0) {
        return rc;
    }
    s->deleted += b->n;
    for (size_t i = 0; i < b->n && (s->c->json || !s->c->quiet); i++) {
        if (s->c->json) {
            json_begin(s);
            fputs(s->json_items++ > 0 ? "," : "", stdout);
            size_t n = strlen(b->bucket_uri) + strlen(b->keys[i]) + 1;
            char *uri = malloc(n);
            if (uri != NULL) {
                snprintf(uri, n, "%s%s", b->bucket_uri, b->keys[i]);
            }
            cli_json_string(stdout, uri);
            free(uri);
        } else {
            printf("deleted %s%s\n", b->bucket_uri, b->keys[i]);
        }
    }
    return 0;
}

static int run(cli *c, const cli_args *a)
{
    int rc = 0;
    rm_state s = {.c = c};
    if (a->npos < 1) {
        rc = cli_usage_error(c, "needs oss://bucket/key...");
    }
    for (int i = 0; rc == 0 && i < a->npos; i++) {
        const char *key = NULL;
        batch *b = batch_for(&s, a->pos[i], &key);
        if (b == NULL) {
            rc = cli_bad_uri(c, a->pos[i], "expected oss://bucket/key");
        } else if (a->set[OPT_RECURSIVE]) {
            rc = list_into(&s, a->pos[i], b, key);
        } else if (*key == '\0' || key[strlen(key) - 1] == '/') {
            rc = cli_usage_error(c, "'%s' names no object (use -r for a prefix)", a->pos[i]);
        } else if (batch_add(b, key) != 0) {
            rc = cli_fail_status(c, a->pos[i], OSSIO_ENOMEM, NULL);
        }
    }
    for (size_t i = 0; rc == 0 && i < s.nb; i++) {
        rc = delete_batch(&s, &s.b[i]);
    }
    if (c->json && (rc == 0 || s.json_open)) {
        /* One whole document, also when a later batch failed (its error
         * line is on stderr): what was deleted is listed. */
        json_begin(&s);
        printf("],\"count\":%llu,\"ok\":%s}\n", (unsigned long long)s.deleted,
               rc == 0 ? "true" : "false");
    }
    for (size_t i = 0; i < s.nb; i++) {
        for (size_t k = 0; k < s.b[i].n; k++) {
            free(s.b[i].keys[k]);
        }
        free(s.b[i].keys);
    }
    free(s.b);
    return rc;
}

const cli_command cli_cmd_rm = {
    "rm",
    "rm [-r] oss://bucket/key...",
    "delete objects (DeleteMultipleObjects, 1000 keys a request)",
    "  -r, --recursive  every object under each prefix (oss://b/dir: dir/...; oss://b: all)\n",
    opts,
    run,
};
