/* cp --resume's checkpoint (a ".ossio-ucp" file): its text format, a strict
 * parser for bytes that may be damaged or hostile, and a crash-safe save. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define MAGIC "ossio-ucp 1"
#define MAX_TEXT (4u << 20) /* 10,000 parts of ~120 bytes fit well under it */
#define MAX_PARTS 10000u

void cli_ucp_free(cli_ucp *u)
{
    free(u->source);
    free(u->dest);
    free(u->parts);
    memset(u, 0, sizeof(*u));
}

int cli_ucp_add_part(cli_ucp *u, uint32_t number, uint64_t size, const char *etag, uint64_t crc64)
{
    if (number == 0 || number > MAX_PARTS || etag == NULL || *etag == '\0' ||
        strlen(etag) >= sizeof(u->parts[0].etag) || strpbrk(etag, " \n\r\t") != NULL) {
        return -1;
    }
    size_t i = 0;
    while (i < u->n_parts && u->parts[i].number < number) {
        i++;
    }
    if (i == u->n_parts || u->parts[i].number != number) {
        if (u->n_parts == u->cap) {
            size_t cap = u->cap ? u->cap * 2 : 16;
            cli_ucp_part *v = realloc(u->parts, cap * sizeof(*v));
            if (v == NULL) {
                return -1;
            }
            u->parts = v;
            u->cap = cap;
        }
        memmove(&u->parts[i + 1], &u->parts[i], (u->n_parts - i) * sizeof(*u->parts));
        u->n_parts++;
    }
    cli_ucp_part *p = &u->parts[i];
    p->number = number;
    p->size = size;
    p->crc64 = crc64;
    snprintf(p->etag, sizeof(p->etag), "%s", etag);
    return 0;
}

/* A value written on one line: no control bytes (a newline would end it). */
static int one_line(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            return 0;
        }
    }
    return 1;
}

char *cli_ucp_format(const cli_ucp *u, size_t *len)
{
    if (u->source == NULL || u->dest == NULL || !one_line(u->source) || !one_line(u->dest) ||
        !one_line(u->upload_id) || u->upload_id[0] == '\0' || strchr(u->upload_id, ' ')) {
        return NULL;
    }
    size_t cap = strlen(u->source) + strlen(u->dest) + strlen(u->upload_id) + 256 +
                 u->n_parts * (sizeof(u->parts[0].etag) + 64);
    char *s = malloc(cap);
    if (s == NULL) {
        return NULL;
    }
    size_t n = (size_t)snprintf(
        s, cap,
        MAGIC "\nsource %s\nsize %llu\nmtime_ns %llu\ndest %s\npart_size %llu\nupload_id %s\n",
        u->source, (unsigned long long)u->size, (unsigned long long)u->mtime_ns, u->dest,
        (unsigned long long)u->part_size, u->upload_id);
    for (size_t i = 0; i < u->n_parts && n < cap; i++) {
        const cli_ucp_part *p = &u->parts[i];
        n += (size_t)snprintf(s + n, cap - n, "part %u %llu %s %016llx\n", (unsigned)p->number,
                              (unsigned long long)p->size, p->etag, (unsigned long long)p->crc64);
    }
    if (n + 32 >= cap) {
        free(s);
        return NULL;
    }
    n +=
        (size_t)snprintf(s + n, cap - n, "end %016llx\n", (unsigned long long)ossio_crc64(0, s, n));
    *len = n;
    return s;
}

/* ---- parsing: a cursor over the text, one line at a time ---------------- */

typedef struct cur {
    const char *p;
    size_t len, off;
    unsigned line;
    char *why;
    size_t why_len;
} cur;

static int bad(cur *c, const char *what)
{
    snprintf(c->why, c->why_len, "line %u: %s", c->line, what);
    return -1;
}

/* The next line without its '\n' (which must be there): |*s|, |*n|. */
static int next_line(cur *c, const char **s, size_t *n)
{
    c->line++;
    if (c->off >= c->len) {
        return bad(c, "missing (the file ends early)");
    }
    const char *nl = memchr(c->p + c->off, '\n', c->len - c->off);
    if (nl == NULL) {
        return bad(c, "not ended by a newline (the file was cut)");
    }
    *s = c->p + c->off;
    *n = (size_t)(nl - *s);
    c->off += *n + 1;
    for (size_t i = 0; i < *n; i++) {
        unsigned char ch = (unsigned char)(*s)[i];
        if (ch < 0x20 || ch == 0x7f) {
            return bad(c, "a control byte");
        }
    }
    return 0;
}

/* "NAME VALUE": the value (rest of the line), which must not be empty. */
static int field(cur *c, const char *name, const char **v, size_t *vn)
{
    const char *s;
    size_t n, k = strlen(name);
    if (next_line(c, &s, &n) != 0) {
        return -1;
    }
    if (n <= k + 1 || memcmp(s, name, k) != 0 || s[k] != ' ') {
        char what[64];
        snprintf(what, sizeof(what), "expected \"%s VALUE\"", name);
        return bad(c, what);
    }
    *v = s + k + 1;
    *vn = n - k - 1;
    return 0;
}

/* A decimal without sign or leading zero; |*used| digits read. */
static int dec(const char *s, size_t n, uint64_t *out, size_t *used)
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

static int dec_field(cur *c, const char *name, uint64_t *out)
{
    const char *v;
    size_t n, used;
    if (field(c, name, &v, &n) != 0) {
        return -1;
    }
    if (dec(v, n, out, &used) != 0 || used != n) {
        return bad(c, "not a decimal number");
    }
    return 0;
}

static int hex16(const char *s, size_t n, uint64_t *out)
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

static int str_field(cur *c, const char *name, char **out)
{
    const char *v;
    size_t n;
    if (field(c, name, &v, &n) != 0) {
        return -1;
    }
    *out = malloc(n + 1); /* not strndup: the text has no NUL to stop at */
    if (*out == NULL) {
        return bad(c, "out of memory");
    }
    memcpy(*out, v, n);
    (*out)[n] = '\0';
    return 0;
}

/* "part N SIZE ETAG CRC64", numbers strictly increasing. */
static int part_line(cur *c, cli_ucp *u, const char *s, size_t n)
{
    uint64_t num, size, crc;
    size_t used;
    if (n < 5 || memcmp(s, "part ", 5) != 0) {
        return bad(c, "expected \"part\" or \"end\"");
    }
    s += 5;
    n -= 5;
    if (dec(s, n, &num, &used) != 0 || used == n || s[used] != ' ' || num == 0 || num > MAX_PARTS) {
        return bad(c, "part number not in 1..10000");
    }
    s += used + 1;
    n -= used + 1;
    if (dec(s, n, &size, &used) != 0 || used == n || s[used] != ' ' || size == 0 ||
        size > u->size) {
        return bad(c, "bad part size");
    }
    s += used + 1;
    n -= used + 1;
    const char *sp = memchr(s, ' ', n);
    size_t en = sp != NULL ? (size_t)(sp - s) : 0;
    if (sp == NULL || en == 0 || en >= sizeof(u->parts[0].etag) ||
        hex16(sp + 1, n - en - 1, &crc) != 0) {
        return bad(c, "bad part ETag or CRC-64");
    }
    if (u->n_parts > 0 && u->parts[u->n_parts - 1].number >= num) {
        return bad(c, "part numbers not increasing");
    }
    char etag[sizeof(u->parts[0].etag)];
    memcpy(etag, s, en);
    etag[en] = '\0';
    return cli_ucp_add_part(u, (uint32_t)num, size, etag, crc) != 0 ? bad(c, "bad part") : 0;
}

static int parse_head(cur *c, cli_ucp *u)
{
    const char *s, *v;
    size_t n, vn;
    if (next_line(c, &s, &n) != 0) {
        return -1;
    }
    if (n != strlen(MAGIC) || memcmp(s, MAGIC, n) != 0) {
        return bad(c, n >= 10 && memcmp(s, "ossio-ucp ", 10) == 0
                          ? "a version this ossio cannot read"
                          : "not an ossio checkpoint");
    }
    if (str_field(c, "source", &u->source) != 0 || dec_field(c, "size", &u->size) != 0 ||
        dec_field(c, "mtime_ns", &u->mtime_ns) != 0 || str_field(c, "dest", &u->dest) != 0 ||
        dec_field(c, "part_size", &u->part_size) != 0) {
        return -1;
    }
    if (u->part_size == 0) {
        return bad(c, "part size 0");
    }
    if (field(c, "upload_id", &v, &vn) != 0) {
        return -1;
    }
    if (vn >= sizeof(u->upload_id) || memchr(v, ' ', vn) != NULL) {
        return bad(c, "bad upload id");
    }
    memcpy(u->upload_id, v, vn);
    u->upload_id[vn] = '\0';
    return 0;
}

int cli_ucp_parse(cli_ucp *u, const char *text, size_t len, char *why, size_t why_len)
{
    memset(u, 0, sizeof(*u));
    cur c = {text, len, 0, 0, why, why_len};
    if (len > MAX_TEXT) {
        snprintf(why, why_len, "larger than %u bytes", MAX_TEXT);
        return -1;
    }
    int rc = parse_head(&c, u);
    while (rc == 0) {
        const char *s;
        size_t n, start = c.off;
        uint64_t crc;
        if ((rc = next_line(&c, &s, &n)) != 0) {
            break;
        }
        if (n >= 4 && memcmp(s, "end ", 4) == 0) {
            if (hex16(s + 4, n - 4, &crc) != 0) {
                rc = bad(&c, "bad \"end\" checksum");
            } else if (c.off != len) {
                rc = bad(&c, "bytes after \"end\"");
            } else if (crc != ossio_crc64(0, text, start)) {
                rc = bad(&c, "checksum mismatch (the file was changed or damaged)");
            }
            break;
        }
        rc = part_line(&c, u, s, n);
    }
    if (rc != 0) {
        cli_ucp_free(u);
    }
    return rc;
}

/* ---- files -------------------------------------------------------------- */

char *cli_ucp_path(const char *source_abs, const char *dest, const char *dir)
{
    size_t n = strlen(source_abs) + (dir != NULL ? strlen(dir) : 0) + 64;
    char *s = malloc(n);
    if (s == NULL) {
        return NULL;
    }
    if (dir == NULL) {
        snprintf(s, n, "%s.ossio-ucp", source_abs);
        return s;
    }
    /* Several sources and destinations share the directory: named by both. */
    const char *base = strrchr(source_abs, '/');
    base = base != NULL ? base + 1 : source_abs;
    uint64_t h = ossio_crc64(0, source_abs, strlen(source_abs) + 1);
    h = ossio_crc64(h, dest, strlen(dest));
    snprintf(s, n, "%s%s%.*s-%016llx.ossio-ucp", dir,
             dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", 40, base, (unsigned long long)h);
    return s;
}

int cli_ucp_load(cli_ucp *u, const char *path, char *why, size_t why_len)
{
    memset(u, 0, sizeof(*u));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, why_len, "%s", strerror(errno));
        return errno == ENOENT ? 1 : -1;
    }
    char *buf = malloc(MAX_TEXT + 1);
    size_t n = 0;
    ssize_t r = 1;
    while (buf != NULL && n <= MAX_TEXT && (r = read(fd, buf + n, MAX_TEXT + 1 - n)) > 0) {
        n += (size_t)r;
    }
    close(fd);
    int rc;
    if (buf == NULL || r < 0) {
        snprintf(why, why_len, "%s", buf == NULL ? "out of memory" : strerror(errno));
        rc = -1;
    } else {
        rc = cli_ucp_parse(u, buf, n, why, why_len);
    }
    free(buf);
    return rc;
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
static int sync_dir(const char *path)
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

int cli_ucp_save(const cli_ucp *u, const char *path, char *why, size_t why_len)
{
    size_t len = 0;
    char *text = cli_ucp_format(u, &len);
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
    if (rc == 0 && sync_dir(path) != 0) {
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

int cli_ucp_remove(const char *path)
{
    if (unlink(path) != 0 && errno != ENOENT) {
        return -1;
    }
    return sync_dir(path);
}

int cli_ucp_check(const cli_ucp *u, const cli_ucp *now, char *why, size_t why_len)
{
    const char *what = NULL;
    if (strcmp(u->source, now->source) != 0) {
        what = "it is about another source file";
    } else if (u->size != now->size) {
        what = "the source file's size changed";
    } else if (u->mtime_ns != now->mtime_ns) {
        what = "the source file was modified (its mtime changed)";
    } else if (strcmp(u->dest, now->dest) != 0) {
        what = "the destination differs";
    } else if (u->part_size != now->part_size) {
        what = "the part size (fs.oss.multipart.upload.size) differs";
    }
    if (what != NULL) {
        snprintf(why, why_len, "%s", what);
        return -1;
    }
    return 0;
}
