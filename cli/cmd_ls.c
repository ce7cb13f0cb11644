/* ossio ls: a listing printed entry by entry as the pages stream in
 * (OSSIO_OP_LIST's on_entry); "/" as delimiter unless -r. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_RECURSIVE, OPT_LONG };

static const cli_opt opts[] = {
    {OPT_RECURSIVE, 'r', "recursive", 0},
    {OPT_LONG, 'l', "long", 0},
    {-1, 0, NULL, 0},
};

typedef struct ls_state {
    cli *c;
    char base[80]; /* "oss://bucket/" */
    int long_form;
    uint64_t objects, prefixes, bytes;
} ls_state;

static int on_entry(ossio_op *op, const ossio_list_entry *e, void *ud)
{
    (void)op;
    ls_state *s = ud;
    if (e->is_prefix) {
        s->prefixes++;
    } else {
        s->objects++;
        s->bytes += e->size;
    }
    if (s->c->json) {
        cli_json j;
        cli_json_begin(&j, stdout);
        size_t n = strlen(s->base) + strlen(e->key) + 1;
        char *uri = malloc(n);
        if (uri == NULL) {
            return 1;
        }
        snprintf(uri, n, "%s%s", s->base, e->key);
        cli_json_str(&j, "uri", uri);
        free(uri);
        cli_json_str(&j, "key", e->key);
        cli_json_str(&j, "type", e->is_prefix ? "prefix" : "object");
        if (!e->is_prefix) {
            cli_json_u64(&j, "size", e->size);
            cli_json_str(&j, "last_modified", e->last_modified);
            cli_json_str(&j, "etag", e->etag);
        }
        cli_json_end(&j);
        fputc('\n', stdout);
    } else if (s->long_form) {
        if (e->is_prefix) {
            printf("%12s  %-24s  %-34s  %s%s\n", "DIR", "", "", s->base, e->key);
        } else {
            printf("%12llu  %-24s  %-34s  %s%s\n", (unsigned long long)e->size,
                   e->last_modified ? e->last_modified : "", e->etag ? e->etag : "", s->base,
                   e->key);
        }
    } else {
        printf("%s%s\n", s->base, e->key);
    }
    return ferror(stdout) ? 1 : 0;
}

static int run(cli *c, const cli_args *a)
{
    int rc = 0;
    ls_state s = {.c = c, .long_form = a->set[OPT_LONG]};
    char bucket[64];
    const char *key = NULL;
    if (a->npos != 1) {
        rc = cli_usage_error(c, "needs one oss://bucket[/prefix]");
    } else if (cli_split_uri(a->pos[0], bucket, sizeof(bucket), &key) != 0) {
        rc = cli_bad_uri(c, a->pos[0], "expected oss://bucket[/prefix]");
    }
    ossio_op *op = NULL;
    if (rc == 0) {
        snprintf(s.base, sizeof(s.base), "%.*s%s/", (int)(strstr(a->pos[0], "://") - a->pos[0] + 3),
                 a->pos[0], bucket);
        rc = cli_op_new(c, &op, OSSIO_OP_LIST, a->pos[0]);
    }
    if (rc == 0) {
        if (!a->set[OPT_RECURSIVE]) {
            ossio_op_set_list(op, "/", 0, NULL);
        }
        ossio_op_set_callbacks(op, NULL, on_entry, &s);
        rc = cli_op_run(c, op, a->pos[0], NULL, NULL);
    }
    if (rc == 0 && a->set[OPT_LONG] && !c->json && !c->quiet) {
        printf("%llu objects, %llu bytes%s\n", (unsigned long long)s.objects,
               (unsigned long long)s.bytes, s.prefixes ? " (prefixes not entered)" : "");
    }
    return rc;
}

const cli_command cli_cmd_ls = {
    "ls",
    "ls [-r] [-l] oss://bucket[/prefix]",
    "list objects and common prefixes, as they arrive",
    "  -r, --recursive  every object under the prefix (no '/' delimiter)\n"
    "  -l, --long       size, last-modified and ETag; a total line at the end\n",
    opts,
    run,
};
