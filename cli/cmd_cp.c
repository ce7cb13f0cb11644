/* ossio cp SRC DST: upload, download, server-side copy, stdin and stdout;
 * with -r a local tree or a listing becomes one job per object, run in
 * parallel by jobs.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* An existing FIFO or a device that cannot seek (a terminal): written in
 * order, as standard output is. (/dev/null seeks: the library writes it.) */
static int is_stream_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        return 0;
    }
    if (S_ISFIFO(st.st_mode)) {
        return 1;
    }
    if (!S_ISCHR(st.st_mode)) {
        return 0;
    }
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    int stream = fd >= 0 && lseek(fd, 0, SEEK_CUR) < 0;
    if (fd >= 0) {
        close(fd);
    }
    return stream;
}

enum { OPT_RECURSIVE, OPT_PARALLEL, OPT_RESUME, OPT_CKPT_DIR };

static const cli_opt opts[] = {
    {OPT_RECURSIVE, 'r', "recursive", 0},
    {OPT_PARALLEL, 'j', "parallel", 1},
    {OPT_RESUME, 0, "resume", 0},
    {OPT_CKPT_DIR, 0, "checkpoint-dir", 1},
    {-1, 0, NULL, 0},
};

/* "a" + "/" + "b", with one slash; the caller frees. */
static char *join(const char *a, const char *b)
{
    size_t la = strlen(a);
    int slash = la > 0 && a[la - 1] != '/';
    char *s = malloc(la + (size_t)slash + strlen(b) + 1);
    if (s != NULL) {
        memcpy(s, a, la);
        if (slash) {
            s[la] = '/';
        }
        strcpy(s + la + (size_t)slash, b);
    }
    return s;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s != NULL ? s + 1 : path;
}

static int ends_with_slash(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[n - 1] == '/';
}

/* A remote destination naming a "directory" (bucket only, or ending in '/'). */
static int remote_dir(const char *uri)
{
    char bucket[64];
    const char *key = NULL;
    return cli_split_uri(uri, bucket, sizeof(bucket), &key) == 0 &&
           (*key == '\0' || ends_with_slash(key));
}

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* One object or file: the destination's name is completed from the source's
 * when it names a directory. */
static int plan_one(cli *c, cli_jobs *js, const char *src, const char *dst)
{
    int src_remote = cli_is_remote(src), dst_remote = cli_is_remote(dst);
    char *target = NULL;
    int rc = 0;
    if (!src_remote) {
        struct stat sb;
        int from_stdin = strcmp(src, "-") == 0;
        if (!from_stdin && stat(src, &sb) != 0) {
            return cli_fail_status(c, src, OSSIO_EIO, strerror(errno));
        }
        if (!from_stdin && S_ISDIR(sb.st_mode)) {
            return cli_usage_error(c, "'%s' is a directory (use -r)", src);
        }
        if (remote_dir(dst) && from_stdin) {
            return cli_usage_error(c, "'%s' names no object for standard input", dst);
        }
        target = remote_dir(dst) ? join(dst, base_name(src)) : strdup(dst);
        rc = cli_jobs_add(js, from_stdin ? CLI_JOB_STDIN : CLI_JOB_UPLOAD, src, target,
                          from_stdin ? 0 : (uint64_t)sb.st_size);
    } else if (ends_with_slash(src) || remote_dir(src)) {
        return cli_usage_error(c, "'%s' names no object (use -r for a prefix)", src);
    } else if (dst_remote) {
        target = remote_dir(dst) ? join(dst, base_name(src)) : strdup(dst);
        rc = cli_jobs_add(js, CLI_JOB_COPY, src, target, 0);
    } else if (strcmp(dst, "-") == 0 || strcmp(dst, "/dev/stdout") == 0) {
        rc = cli_jobs_add(js, CLI_JOB_STDOUT, src, "-", 0);
    } else if (is_stream_file(dst)) {
        rc = cli_jobs_add(js, CLI_JOB_STDOUT, src, dst, 0);
    } else {
        target = ends_with_slash(dst) || is_dir(dst) ? join(dst, base_name(src)) : strdup(dst);
        rc = cli_jobs_add(js, CLI_JOB_DOWNLOAD, src, target, 0);
    }
    free(target);
    return rc != 0 ? cli_fail_status(c, src, OSSIO_ENOMEM, NULL) : 0;
}

/* Local tree → objects: every regular file under |dir|, as |prefix| + its
 * relative path. An entry that cannot be read gets its error line (and the
 * exit code) and the others still go; only running out of memory stops the
 * walk. Symbolic links to files are followed, links to directories are not
 * (a link back up would repeat the tree). */
static int walk(cli *c, cli_jobs *js, const char *dir, const char *prefix, int depth)
{
    if (depth > 64) {
        cli_fail_status(c, dir, OSSIO_EIO, "directories nested too deep");
        return 0;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        cli_fail_status(c, dir, OSSIO_EIO, strerror(errno));
        return 0;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char *path = join(dir, e->d_name);
        char *key = join(prefix, e->d_name);
        struct stat sb, lsb;
        if (path == NULL || key == NULL) {
            rc = cli_fail_status(c, dir, OSSIO_ENOMEM, NULL);
        } else if (stat(path, &sb) != 0) {
            cli_fail_status(c, path, OSSIO_EIO, strerror(errno)); /* e.g. a dangling link */
        } else if (S_ISDIR(sb.st_mode) && lstat(path, &lsb) == 0 && S_ISLNK(lsb.st_mode)) {
            if (!c->quiet) {
                fprintf(stderr, "%s: cp %s: skipped: a symbolic link to a directory\n", c->tag,
                        path);
            }
        } else if (S_ISDIR(sb.st_mode)) {
            rc = walk(c, js, path, key, depth + 1);
        } else if (S_ISREG(sb.st_mode)) {
            rc = cli_jobs_add(js, CLI_JOB_UPLOAD, path, key, (uint64_t)sb.st_size) != 0
                     ? cli_fail_status(c, path, OSSIO_ENOMEM, NULL)
                     : 0;
        }
        free(path);
        free(key);
    }
    closedir(d);
    return rc;
}

/* Listing → jobs: each object under the source prefix, named by the rest of its key. */
typedef struct lister {
    cli *c;
    cli_jobs *js;
    const char *src_prefix; /* "oss://b/dir/" */
    size_t key_skip;        /* bytes of the key that are the prefix */
    const char *dst;
    int remote_dst;
    int rc;
} lister;

/* A key's relative part is used as a local path only if it cannot escape the
 * destination: no empty, "." or ".." segment. */
static int safe_relative(const char *rel)
{
    if (*rel == '\0' || *rel == '/') {
        return 0;
    }
    for (const char *s = rel; *s;) {
        size_t n = strcspn(s, "/");
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) {
            return 0;
        }
        s += n;
        if (*s == '/') {
            s++;
            if (*s == '\0') {
                return 0; /* a "directory" marker */
            }
        }
    }
    return 1;
}

static int on_entry(ossio_op *op, const ossio_list_entry *e, void *ud)
{
    (void)op;
    lister *l = ud;
    if (e->is_prefix || strlen(e->key) < l->key_skip) {
        return 0;
    }
    const char *rel = e->key + l->key_skip;
    if (*rel == '\0' || ends_with_slash(rel)) {
        return 0; /* the prefix itself, or a directory marker */
    }
    char *src = join(l->src_prefix, rel);
    char *dst = join(l->dst, rel);
    if (src == NULL || dst == NULL) {
        l->rc = cli_fail_status(l->c, l->src_prefix, OSSIO_ENOMEM, NULL);
    } else if (!l->remote_dst && !safe_relative(rel)) {
        cli_fail_status(l->c, src, OSSIO_EINVAL, "key cannot be a local path; skipped");
    } else if (cli_jobs_add(l->js, l->remote_dst ? CLI_JOB_COPY : CLI_JOB_DOWNLOAD, src, dst,
                            e->size) != 0) {
        l->rc = cli_fail_status(l->c, src, OSSIO_ENOMEM, NULL);
    }
    free(src);
    free(dst);
    return l->rc != 0;
}

static int plan_listing(cli *c, cli_jobs *js, const char *src, const char *dst)
{
    char bucket[64];
    const char *key = NULL;
    if (cli_split_uri(src, bucket, sizeof(bucket), &key) != 0) {
        return cli_bad_uri(c, src, "expected oss://bucket[/prefix]");
    }
    /* The source names a "directory": "oss://b/dir" lists "dir/", "oss://b" everything. */
    char *prefix = join(src, "");
    if (prefix == NULL) {
        return cli_fail_status(c, src, OSSIO_ENOMEM, NULL);
    }
    cli_split_uri(prefix, bucket, sizeof(bucket), &key);
    lister l = {c, js, prefix, strlen(key), dst, cli_is_remote(dst), 0};
    ossio_op *op = NULL;
    int rc = cli_op_new(c, &op, OSSIO_OP_LIST, prefix);
    if (rc == 0) {
        ossio_op_set_callbacks(op, NULL, on_entry, &l);
        rc = cli_op_run(c, op, prefix, NULL, NULL);
        rc = rc != 0 ? rc : l.rc;
    }
    free(prefix);
    return rc;
}

/* The configured size |key| in |*out|: 0, or -1 after the error line. */
static int part_size_of(cli *c, ossio_config *cfg, const char *key, uint64_t *out)
{
    if (cli_parse_size(ossio_config_get(cfg, key), 1, UINT64_MAX, out) != 0) {
        char why[200];
        snprintf(why, sizeof(why), "%s: cannot tell the part size", key);
        cli_fail_status(c, NULL, OSSIO_ECONFIG, why);
        return -1;
    }
    return 0;
}

/* --resume takes one file upload or download; its checkpoint records the
 * configured part size. */
static int setup_resume(cli *c, const cli_args *a, cli_jobs *js)
{
    int down = cli_is_remote(a->pos[0]) && !cli_is_remote(a->pos[1]);
    int up = !cli_is_remote(a->pos[0]) && strcmp(a->pos[0], "-") != 0;
    if (a->set[OPT_RECURSIVE] || (!up && !down) || (down && strcmp(a->pos[1], "-") == 0)) {
        return cli_usage_error(c, "--resume takes one file upload or download: cp --resume FILE "
                                  "oss://bucket/key or cp --resume oss://bucket/key FILE");
    }
    const char *dir = a->set[OPT_CKPT_DIR] ? a->val[OPT_CKPT_DIR] : NULL;
    if (dir != NULL && !is_dir(dir)) {
        return cli_usage_error(c, "--checkpoint-dir '%s' is not a directory", dir);
    }
    ossio_config *cfg = cli_config(c);
    if (cfg == NULL) {
        return c->rc;
    }
    uint64_t up_part = 0, down_part = 0;
    int bad = part_size_of(c, cfg, "fs.oss.multipart.upload.size", &up_part) != 0 ||
              part_size_of(c, cfg, "fs.oss.multipart.download.size", &down_part) != 0;
    ossio_config_free(cfg);
    if (bad) {
        return c->rc;
    }
    cli_jobs_set_resume(js, dir, up_part, down_part);
    return 0;
}

static int run(cli *c, const cli_args *a)
{
    int rc = 0;
    uint64_t parallel = 4;
    if (a->npos != 2) {
        rc = cli_usage_error(c, "needs SRC and DST");
    } else if (a->set[OPT_PARALLEL] &&
               cli_parse_uint(a->val[OPT_PARALLEL], 1, 256, &parallel) != 0) {
        rc = cli_usage_error(c, "-j needs a number from 1 to 256");
    } else if (!cli_is_remote(a->pos[0]) && !cli_is_remote(a->pos[1])) {
        rc = cli_usage_error(c, "SRC or DST must be oss://bucket/key or s3://bucket/key");
    }
    c->min_connections = (unsigned)parallel;
    cli_jobs *js = rc == 0 ? cli_jobs_new(c, (unsigned)parallel) : NULL;
    if (rc == 0 && js == NULL) {
        rc = cli_fail_status(c, NULL, OSSIO_ENOMEM, NULL);
    }
    if (rc == 0 && a->set[OPT_CKPT_DIR] && !a->set[OPT_RESUME]) {
        rc = cli_usage_error(c, "--checkpoint-dir needs --resume");
    }
    if (rc == 0 && a->set[OPT_RESUME]) {
        rc = setup_resume(c, a, js);
    }
    if (rc == 0 && !a->set[OPT_RECURSIVE]) {
        rc = plan_one(c, js, a->pos[0], a->pos[1]);
    } else if (rc == 0 && !cli_is_remote(a->pos[0])) {
        if (!is_dir(a->pos[0])) {
            rc = cli_usage_error(c, "'%s' is not a directory", a->pos[0]);
        } else {
            /* Checked once here, not refused again for every file. */
            char bucket[64];
            const char *key = NULL;
            if (cli_split_uri(a->pos[1], bucket, sizeof(bucket), &key) != 0) {
                rc = cli_bad_uri(c, a->pos[1], "expected oss://bucket[/prefix]");
            } else if ((rc = cli_check_uri(c, a->pos[1])) == 0) {
                rc = walk(c, js, a->pos[0], a->pos[1], 0);
            }
        }
    } else if (rc == 0) {
        if (strcmp(a->pos[1], "-") == 0) {
            rc = cli_usage_error(c, "-r cannot write to standard output");
        } else {
            rc = plan_listing(c, js, a->pos[0], a->pos[1]);
        }
    }
    if (rc == 0) {
        rc = cli_jobs_run(js);
    } else if (c->interrupted) {
        rc = CLI_EINTR;
    }
    cli_jobs_free(js);
    return rc;
}

const cli_command cli_cmd_cp = {
    "cp",
    "cp [-r] [-j N] [--resume [--checkpoint-dir DIR]] SRC DST",
    "copy: file → object (upload), object → file or - (download), object → object (server-side)",
    "  -r, --recursive   a directory tree or every object under a prefix (SRC/... → DST/...)\n"
    "  -j, --parallel N  transfers at once with -r (default 4)\n"
    "  --resume          one file upload or download: keep a checkpoint; continue from it\n"
    "  --checkpoint-dir DIR  keep checkpoints in DIR (default: FILE.ossio-ucp or\n"
    "                    FILE.ossio-dcp beside FILE)\n"
    "  SRC '-'           standard input, streamed as it arrives\n"
    "  DST '-'           standard output\n",
    opts,
    run,
};
