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

char *cli_ucp_format(const cli_ucp *u, size_t *len)
{
    if (u->source == NULL || u->dest == NULL || !cli_ckpt_one_line(u->source) ||
        !cli_ckpt_one_line(u->dest) || !cli_ckpt_one_line(u->upload_id) ||
        u->upload_id[0] == '\0' || strchr(u->upload_id, ' ')) {
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
    return cli_ckpt_seal(s, n, cap, len);
}

/* "part N SIZE ETAG CRC64", numbers strictly increasing. */
static int part_line(cli_ckpt_cur *c, void *obj, const char *s, size_t n)
{
    cli_ucp *u = obj;
    uint64_t num, size, crc;
    size_t used;
    if (cli_ckpt_part_number(c, &s, &n, &num) != 0) {
        return -1;
    }
    if (cli_ckpt_dec(s, n, &size, &used) != 0 || used == n || s[used] != ' ' || size == 0 ||
        size > u->size) {
        return cli_ckpt_bad(c, "bad part size");
    }
    s += used + 1;
    n -= used + 1;
    const char *sp = memchr(s, ' ', n);
    size_t en = sp != NULL ? (size_t)(sp - s) : 0;
    if (sp == NULL || en == 0 || en >= sizeof(u->parts[0].etag) ||
        cli_ckpt_hex16(sp + 1, n - en - 1, &crc) != 0) {
        return cli_ckpt_bad(c, "bad part ETag or CRC-64");
    }
    if (u->n_parts > 0 && u->parts[u->n_parts - 1].number >= num) {
        return cli_ckpt_bad(c, "part numbers not increasing");
    }
    char etag[sizeof(u->parts[0].etag)];
    memcpy(etag, s, en);
    etag[en] = '\0';
    return cli_ucp_add_part(u, (uint32_t)num, size, etag, crc) != 0 ? cli_ckpt_bad(c, "bad part")
                                                                    : 0;
}

static int parse_head(cli_ckpt_cur *c, void *obj)
{
    cli_ucp *u = obj;
    const char *v;
    size_t vn;
    if (cli_ckpt_magic(c, MAGIC) != 0) {
        return -1;
    }
    if (cli_ckpt_str_field(c, "source", &u->source) != 0 ||
        cli_ckpt_dec_field(c, "size", &u->size) != 0 ||
        cli_ckpt_dec_field(c, "mtime_ns", &u->mtime_ns) != 0 ||
        cli_ckpt_str_field(c, "dest", &u->dest) != 0 ||
        cli_ckpt_dec_field(c, "part_size", &u->part_size) != 0) {
        return -1;
    }
    if (u->part_size == 0) {
        return cli_ckpt_bad(c, "part size 0");
    }
    if (cli_ckpt_field(c, "upload_id", &v, &vn) != 0) {
        return -1;
    }
    if (vn >= sizeof(u->upload_id) || memchr(v, ' ', vn) != NULL) {
        return cli_ckpt_bad(c, "bad upload id");
    }
    memcpy(u->upload_id, v, vn);
    u->upload_id[vn] = '\0';
    return 0;
}

static char *format_any(const void *obj, size_t *len)
{
    return cli_ucp_format(obj, len);
}

static void free_any(void *obj)
{
    cli_ucp_free(obj);
}

static const cli_ckpt_format format = {sizeof(cli_ucp), parse_head, part_line, format_any,
                                       free_any};

int cli_ucp_parse(cli_ucp *u, const char *text, size_t len, char *why, size_t why_len)
{
    return cli_ckpt_parse(&format, u, text, len, why, why_len);
}

int cli_ucp_load(cli_ucp *u, const char *path, char *why, size_t why_len)
{
    return cli_ckpt_load(&format, u, path, why, why_len);
}

int cli_ucp_save(const cli_ucp *u, const char *path, char *why, size_t why_len)
{
    return cli_ckpt_save(&format, u, path, why, why_len);
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
