/* The text and files of cp --resume's checkpoints (.ossio-ucp, .ossio-dcp):
 * a strict line cursor for bytes that may be damaged or hostile, the
 * closing checksum line, and crash-safe save and removal. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* A value written on one line: no control bytes (a newline would end it). */
int cli_ckpt_one_line(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            return 0;
        }
    }
    return 1;
}

int cli_ckpt_bad(cli_ckpt_cur *c, const char *what)
{
    snprintf(c->why, c->why_len, "line %u: %s", c->line, what);
    return -1;
}

/* The next line without its '\n' (which must be there): |*s|, |*n|. */
int cli_ckpt_line(cli_ckpt_cur *c, const char **s, size_t *n)
{
    c->line++;
    if (c->off >= c->len) {
        return cli_ckpt_bad(c, "missing (the file ends early)");
    }
    const char *nl = memchr(c->p + c->off, '\n', c->len - c->off);
    if (nl == NULL) {
        return cli_ckpt_bad(c, "not ended by a newline (the file was cut)");
    }
    *s = c->p + c->off;
    *n = (size_t)(nl - *s);
    c->off += *n + 1;
    for (size_t i = 0; i < *n; i++) {
        unsigned char ch = (unsigned char)(*s)[i];
        if (ch < 0x20 || ch == 0x7f) {
            return cli_ckpt_bad(c, "a control byte");
        }
    }
    return 0;
}

/* "NAME VALUE": the value (rest of the line), which must not be empty. */
int cli_ckpt_field(cli_ckpt_cur *c, const char *name, const char **v, size_t *vn)
{
    const char *s;
    size_t n, k = strlen(name);
    if (cli_ckpt_line(c, &s, &n) != 0) {
        return -1;
    }
    if (n <= k + 1 || memcmp(s, name, k) != 0 || s[k] != ' ') {
        char what[64];
        snprintf(what, sizeof(what), "expected \"%s VALUE\"", name);
        return cli_ckpt_bad(c, what);
    }
    *v = s + k + 1;
    *vn = n - k - 1;
    return 0;
}

/* A decimal without sign or leading zero; |*used| digits read. */
int cli_ckpt_dec(const char *s, size_t n, uint64_t *out, size_t *used)
{
    uint64_t v = 0;
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && i < 20) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) {
            return -1;
        }
        v = v * 10 + d;
        i++;
    }
    if (i == 0 || (s[0] == '0' && i > 1)) {
        return -1;
    }
    *out = v;
    *used = i;
    return 0;
}

int cli_ckpt_dec_field(cli_ckpt_cur *c, const char *name, uint64_t *out)
{
    const char *v;
    size_t n, used;
    if (cli_ckpt_field(c, name, &v, &n) != 0) {
        return -1;
    }
    if (cli_ckpt_dec(v, n, out, &used) != 0 || used != n) {
        return cli_ckpt_bad(c, "not a decimal number");
    }
    return 0;
}

int cli_ckpt_hex16(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n != 16) {
        return -1;
    }
    for (size_t i = 0; i < 16; i++) {
        const char *h = memchr("0123456789abcdef", s[i], 16);
        if (h == NULL || s[i] == '\0') {
            return -1;
        }
        v = v << 4 | (uint64_t)(h - "0123456789abcdef");
    }
    *out = v;
    return 0;
}

int cli_ckpt_str_field(cli_ckpt_cur *c, const char *name, char **out)
{
    const char *v;
    size_t n;
    if (cli_ckpt_field(c, name, &v, &n) != 0) {
        return -1;
    }
    *out = malloc(n + 1); /* not strndup: the text has no NUL to stop at */
    if (*out == NULL) {
        return cli_ckpt_bad(c, "out of memory");
    }
    memcpy(*out, v, n);
    (*out)[n] = '\0';
    return 0;
}

int cli_ckpt_magic(cli_ckpt_cur *c, const char *magic)
{
    const char *s;
    size_t n, k = strcspn(magic, " ") + 1; /* "ossio-ucp " */
    if (cli_ckpt_line(c, &s, &n) != 0) {
        return -1;
    }
    if (n != strlen(magic) || memcmp(s, magic, n) != 0) {
        return cli_ckpt_bad(c, n >= k && memcmp(s, magic, k) == 0
                                   ? "a version this ossio cannot read"
                                   : "not an ossio checkpoint");
    }
    return 0;
}

int cli_ckpt_end(cli_ckpt_cur *c, const char *s, size_t n, size_t start)
{
    uint64_t crc;
    if (cli_ckpt_hex16(s + 4, n - 4, &crc) != 0) {
        return cli_ckpt_bad(c, "bad \"end\" checksum");
    }
    if (c->off != c->len) {
        return cli_ckpt_bad(c, "bytes after \"end\"");
    }
    if (crc != ossio_crc64(0, c->p, start)) {
        return cli_ckpt_bad(c, "checksum mismatch (the file was changed or damaged)");
    }
    return 0;
}

int cli_ckpt_parse(const cli_ckpt_format *f, void *obj, const char *text, size_t len, char *why,
                   size_t why_len)
{
    memset(obj, 0, f->size);
    cli_ckpt_cur c = {text, len, 0, 0, why, why_len};
    if (len > CLI_CKPT_MAX_TEXT) {
        snprintf(why, why_len, "larger than %u bytes", CLI_CKPT_MAX_TEXT);
        return -1;
    }
    int rc = f->head(&c, obj);
    while (rc == 0) {
        const char *s;
        size_t n, start = c.off;
        if ((rc = cli_ckpt_line(&c, &s, &n)) != 0) {
            break;
        }
        if (n >= 4 && memcmp(s, "end ", 4) == 0) {
            rc = cli_ckpt_end(&c, s, n, start);
            break;
        }
        rc = f->part(&c, obj, s, n);
    }
    if (rc != 0) {
        f->free(obj);
    }
    return rc;
}

char *cli_ckpt_seal(char *s, size_t n, size_t cap, size_t *len)
{
    if (n + 32 >= cap) {
        free(s);
        return NULL;
    }
    *len = n + (size_t)snprintf(s + n, cap - n, "end %016llx\n",
                                (unsigned long long)ossio_crc64(0, s, n));
    return s;
}

int cli_ckpt_part_number(cli_ckpt_cur *c, const char **s, size_t *n, uint64_t *num)
{
    size_t used;
    if (*n < 5 || memcmp(*s, "part ", 5) != 0) {
        return cli_ckpt_bad(c, "expected \"part\" or \"end\"");
    }
    if (cli_ckpt_dec(*s + 5, *n - 5, num, &used) != 0 || used == *n - 5 || (*s)[5 + used] != ' ' ||
        *num == 0 || *num > 10000) {
        return cli_ckpt_bad(c, "part number not in 1..10000");
    }
    *s += 5 + used + 1;
    *n -= 5 + used + 1;
    return 0;
}

/* ---- files -------------------------------------------------------------- */

char *cli_ckpt_path(const char *local_abs, const char *remote, const char *dir, const char *ext)
{
    size_t n = strlen(local_abs) + (dir != NULL ? strlen(dir) : 0) + strlen(ext) + 64;
    char *s = malloc(n);
    if (s == NULL) {
        return NULL;
    }
    if (dir == NULL) {
        snprintf(s, n, "%s%s", local_abs, ext);
        return s;
    }
    /* Several sources and destinations share the directory: named by both. */
    const char *base = strrchr(local_abs, '/');
    base = base != NULL ? base + 1 : local_abs;
    uint64_t h = ossio_crc64(0, local_abs, strlen(local_abs) + 1);
    h = ossio_crc64(h, remote, strlen(remote));
    snprintf(s, n, "%s%s%.*s-%016llx%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", 40,
             base, (unsigned long long)h, ext);
    return s;
}

int cli_ckpt_read(const char *path, char **text, size_t *len, char *why, size_t why_len)
{
    *text = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, why_len, "%s", strerror(errno));
        return errno == ENOENT ? 1 : -1;
    }
    char *buf = malloc(CLI_CKPT_MAX_TEXT + 1);
    size_t n = 0;
    ssize_t r = 1;
    while (buf != NULL && n <= CLI_CKPT_MAX_TEXT &&
           (r = read(fd, buf + n, CLI_CKPT_MAX_TEXT + 1 - n)) > 0) {
        n += (size_t)r;
    }
    close(fd);
    if (buf == NULL || r < 0) {
        snprintf(why, why_len, "%s", buf == NULL ? "out of memory" : strerror(errno));
        free(buf);
        return -1;
    }
    *text = buf;
    *len = n;
    return 0;
}

int cli_ckpt_load(const cli_ckpt_format *f, void *obj, const char *path, char *why, size_t why_len)
{
    memset(obj, 0, f->size);
    char *text;
    size_t n;
    int rc = cli_ckpt_read(path, &text, &n, why, why_len);
    if (rc == 0) {
        rc = cli_ckpt_parse(f, obj, text, n, why, why_len);
    }
    free(text);
    return rc;
}

int cli_ckpt_save(const cli_ckpt_format *f, const void *obj, const char *path, char *why,
                  size_t why_len)
{
    size_t len = 0;
    char *text = f->format(obj, &len);
    return cli_ckpt_write(path, text, len, why, why_len);
}

static int write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return -1;
        }
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

/* fsync of |path|'s directory, so the rename (or unlink) survives a crash. */
int cli_ckpt_sync_dir(const char *path)
{
    char *d = strdup(path);
    if (d == NULL) {
        return -1;
    }
    char *slash = strrchr(d, '/');
    const char *dir = slash == NULL ? "." : slash == d ? "/" : (*slash = '\0', d);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = fd >= 0 && fsync(fd) == 0 ? 0 : -1;
    if (fd >= 0) {
        close(fd);
    }
    free(d);
    return rc;
}

int cli_ckpt_write(const char *path, char *text, size_t len, char *why, size_t why_len)
{
    size_t tn = strlen(path) + 32;
    char *tmp = malloc(tn);
    if (text == NULL || tmp == NULL) {
        free(text);
        free(tmp);
        snprintf(why, why_len, "cannot format it (a newline in a name?)");
        return -1;
    }
    snprintf(tmp, tn, "%s.tmp%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc = fd >= 0 && write_all(fd, text, len) == 0 && fsync(fd) == 0 ? 0 : -1;
    if (rc != 0) {
        snprintf(why, why_len, "cannot write %s: %s", tmp, strerror(errno));
    }
    if (fd >= 0 && close(fd) != 0 && rc == 0) {
        snprintf(why, why_len, "cannot write %s: %s", tmp, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        snprintf(why, why_len, "cannot rename %s: %s", tmp, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && cli_ckpt_sync_dir(path) != 0) {
        snprintf(why, why_len, "cannot sync the directory of %s: %s", path, strerror(errno));
        rc = -1;
    }
    if (rc != 0 && fd >= 0) {
        unlink(tmp);
    }
    free(tmp);
    free(text);
    return rc;
}

int cli_ckpt_remove(const char *path)
{
    if (unlink(path) != 0 && errno != ENOENT) {
        return -1;
    }
    return cli_ckpt_sync_dir(path);
}
