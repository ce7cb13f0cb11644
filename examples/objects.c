/* A small object tool on ossio's public API: put, get, ls, rm one object at a
 * time, configured like Flink/Hadoop (-D key=value, the environment, or the
 * files ossio_config_load_defaults() finds). Used by ./dev demo.
 *
 *   objects [-D key=value]... put  oss://bucket/key FILE
 *   objects [-D key=value]... get  oss://bucket/key        (to stdout)
 *   objects [-D key=value]... ls   oss://bucket/prefix
 *   objects [-D key=value]... stat oss://bucket/key
 *   objects [-D key=value]... rm   oss://bucket/key
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ossio.h>

typedef struct state {
    FILE *out;
    uint64_t bytes;
    uint64_t crc;
    int entries;
} state;

static int on_data(ossio_op *op, const uint8_t *data, size_t len, void *ud)
{
    (void)op;
    state *s = ud;
    s->bytes += len;
    s->crc = ossio_crc64(s->crc, data, len);
    return fwrite(data, 1, len, s->out) == len ? 0 : 1;
}

static int on_entry(ossio_op *op, const ossio_list_entry *e, void *ud)
{
    (void)op;
    state *s = ud;
    s->entries++;
    if (e->is_prefix) {
        printf("%12s  %s\n", "DIR", e->key);
    } else {
        printf("%12" PRIu64 "  %s  %s\n", e->size, e->last_modified ? e->last_modified : "",
               e->key);
    }
    return 0;
}

static ossio_result last;
static int crc_checked;
static char detail[512];
static char protocol[16];
static char request_id[128];
static void on_done(ossio_op *op, const ossio_result *res, void *ud)
{
    (void)ud;
    last = *res;
    snprintf(detail, sizeof(detail), "%s", res->detail ? res->detail : "");
    last.detail = detail;
    /* |res| and its strings live only during this call */
    snprintf(request_id, sizeof(request_id), "%s", res->request_id ? res->request_id : "");
    last.request_id = res->request_id ? request_id : NULL;
    const ossio_object_info *info = ossio_op_object(op);
    crc_checked = info != NULL && info->has_crc64;
    if (info != NULL && res->status == OSSIO_OK) {
        fprintf(stderr, "  size %" PRIu64 ", ETag %s, CRC-64 %s%" PRIu64 "\n", info->size,
                info->etag ? info->etag : "-", info->has_crc64 ? "" : "(none) ",
                info->has_crc64 ? info->crc64 : 0);
    }
}

static void on_log(ossio_log_level level, const char *msg, void *ud)
{
    (void)ud;
    if (level <= OSSIO_LOG_INFO) {
        fprintf(stderr, "ossio: %s\n", msg);
    }
    if (strncmp(msg, "connected to ", 13) == 0) {
        const char *over = strstr(msg, " over ");
        if (over != NULL) {
            snprintf(protocol, sizeof(protocol), "%.*s", (int)strcspn(over + 6, " "), over + 6);
        }
    }
}

static int usage(void)
{
    fprintf(stderr,
            "usage: objects [-D key=value]... put|get|ls|stat|rm oss://bucket/key [FILE]\n");
    return 2;
}

int main(int argc, char **argv)
{
    ossio_config *cfg = ossio_config_new();
    ossio_config_load_defaults(cfg);
    int i = 1;
    for (; i + 1 < argc && strcmp(argv[i], "-D") == 0; i += 2) {
        char *eq = strchr(argv[i + 1], '=');
        if (eq == NULL) {
            return usage();
        }
        *eq = '\0';
        if (ossio_config_set(cfg, argv[i + 1], eq + 1) != OSSIO_OK) {
            fprintf(stderr, "objects: %s\n", ossio_config_error(cfg));
            return 2;
        }
    }
    if (argc - i < 2) {
        return usage();
    }
    const char *cmd = argv[i], *uri = argv[i + 1], *file = argc - i > 2 ? argv[i + 2] : NULL;
    ossio_client *cl = NULL;
    ossio_status st = ossio_client_new(&cl, cfg, NULL);
    ossio_config_free(cfg);
    if (st != OSSIO_OK) {
        fprintf(stderr, "objects: %s\n", ossio_strerror(st));
        return 1;
    }
    ossio_client_set_log(cl, on_log, OSSIO_LOG_DEBUG, NULL);
    ossio_op_kind kind;
    if (strcmp(cmd, "put") == 0 && file != NULL) {
        kind = OSSIO_OP_PUT;
    } else if (strcmp(cmd, "get") == 0) {
        kind = OSSIO_OP_GET;
    } else if (strcmp(cmd, "ls") == 0) {
        kind = OSSIO_OP_LIST;
    } else if (strcmp(cmd, "stat") == 0) {
        kind = OSSIO_OP_HEAD;
    } else if (strcmp(cmd, "rm") == 0) {
        kind = OSSIO_OP_DELETE;
    } else {
        ossio_client_destroy(cl);
        return usage();
    }
    ossio_op *op = NULL;
    st = ossio_op_new(&op, cl, kind, uri);
    if (st != OSSIO_OK) {
        fprintf(stderr, "objects: %s %s: %s\n", cmd, uri, ossio_client_error(cl));
        ossio_client_destroy(cl);
        return st == OSSIO_ESCHEME || st == OSSIO_EBADURI ? 2 : 1;
    }
    state s = {stdout, 0, 0, 0};
    uint8_t *body = NULL;
    if (kind == OSSIO_OP_PUT) {
        FILE *f = fopen(file, "rb");
        if (f == NULL) {
            perror(file);
            ossio_op_free(op);
            ossio_client_destroy(cl);
            return 1;
        }
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        body = malloc(n > 0 ? (size_t)n : 1);
        size_t got = fread(body, 1, (size_t)n, f);
        fclose(f);
        ossio_op_set_body(op, body, got);
    }
    if (kind == OSSIO_OP_LIST) {
        ossio_op_set_list(op, "/", 0, NULL);
    }
    ossio_op_set_callbacks(op, on_data, on_entry, &s);
    ossio_op_submit(op, on_done, NULL);
    ossio_client_run(cl);
    int rc = 0;
    if (last.status != OSSIO_OK) {
        fprintf(stderr, "objects: %s %s: %s\n", cmd, uri, last.detail);
        rc = last.status == OSSIO_ENOTFOUND ? 3 : last.status == OSSIO_EACCESS ? 4 : 1;
    } else {
        fprintf(stderr, "objects: %s %s: OK over %s (HTTP %d%s%s)", cmd, uri,
                protocol[0] ? protocol : "?", last.http_status,
                last.request_id ? ", RequestId " : "", last.request_id ? last.request_id : "");
        if (kind == OSSIO_OP_GET) {
            fprintf(stderr, ", %" PRIu64 " bytes, CRC-64 %" PRIu64 "%s", s.bytes, s.crc,
                    crc_checked ? " = x-oss-hash-crc64ecma" : " (the server sent none)");
        }
        if (kind == OSSIO_OP_LIST) {
            fprintf(stderr, ", %d entries", s.entries);
        }
        fprintf(stderr, "\n");
    }
    free(body);
    ossio_client_destroy(cl);
    return rc;
}
