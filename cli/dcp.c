/* cp --resume's download checkpoint (a ".ossio-dcp" file): the object's
 * identity, the partial file's, and the parts already in it; its text format
 * and a strict parser, sharing ckpt_text.c with the upload's .ossio-ucp. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAGIC "ossio-dcp 1"
#define MAX_PARTS 10000u

void cli_dcp_free(cli_dcp *d)
{
    free(d->source);
    free(d->dest);
    free(d->parts);
    memset(d, 0, sizeof(*d));
}

int cli_dcp_add_part(cli_dcp *d, uint32_t number, uint64_t size, uint64_t crc64)
{
    if (number == 0 || number > MAX_PARTS || d->part_size > UINT64_MAX / MAX_PARTS) {
        return -1;
    }
    uint64_t off = (uint64_t)(number - 1) * d->part_size;
    if (size == 0 || size > d->part_size || off >= d->size || size > d->size - off) {
        return -1;
    }
    size_t i = 0;
    while (i < d->n_parts && d->parts[i].number < number) {
        i++;
    }
    if (i == d->n_parts || d->parts[i].number != number) {
        if (d->n_parts == d->cap) {
            size_t cap = d->cap ? d->cap * 2 : 16;
            cli_dcp_part *v = realloc(d->parts, cap * sizeof(*v));
            if (v == NULL) {
                return -1;
            }
            d->parts = v;
            d->cap = cap;
        }
        memmove(&d->parts[i + 1], &d->parts[i], (d->n_parts - i) * sizeof(*d->parts));
        d->n_parts++;
    }
    d->parts[i] = (cli_dcp_part){number, size, crc64};
    return 0;
}

char *cli_dcp_format(const cli_dcp *d, size_t *len)
{
    if (d->source == NULL || d->dest == NULL || !cli_ckpt_one_line(d->source) ||
        !cli_ckpt_one_line(d->dest) || !cli_ckpt_one_line(d->etag) || d->etag[0] == '\0' ||
        d->part_size == 0) {
        return NULL;
    }
    size_t cap = strlen(d->source) + strlen(d->dest) + strlen(d->etag) + 400 + d->n_parts * 64;
    char *s = malloc(cap);
    if (s == NULL) {
        return NULL;
    }
    char crc[24] = "none";
    if (d->has_crc64) {
        snprintf(crc, sizeof(crc), "%016llx", (unsigned long long)d->crc64);
    }
    size_t n = (size_t)snprintf(
        s, cap,
        MAGIC "\nsource %s\netag %s\nsize %llu\ncrc64 %s\npart_size %llu\ndest %s\n"
              "partial_inode %llu\npartial_size %llu\n",
        d->source, d->etag, (unsigned long long)d->size, crc, (unsigned long long)d->part_size,
        d->dest, (unsigned long long)d->inode, (unsigned long long)d->file_size);
    for (size_t i = 0; i < d->n_parts && n < cap; i++) {
        const cli_dcp_part *p = &d->parts[i];
        n += (size_t)snprintf(s + n, cap - n, "part %u %llu %016llx\n", (unsigned)p->number,
                              (unsigned long long)p->size, (unsigned long long)p->crc64);
    }
    return cli_ckpt_seal(s, n, cap, len);
}

/* "part N SIZE CRC64", numbers strictly increasing, inside the object. */
static int part_line(cli_ckpt_cur *c, void *obj, const char *s, size_t n)
{
    cli_dcp *d = obj;
    uint64_t num, size, crc;
    size_t used;
    if (cli_ckpt_part_number(c, &s, &n, &num) != 0) {
        return -1;
    }
    if (cli_ckpt_dec(s, n, &size, &used) != 0 || used == n || s[used] != ' ' ||
        cli_ckpt_hex16(s + used + 1, n - used - 1, &crc) != 0) {
        return cli_ckpt_bad(c, "bad part size or CRC-64");
    }
    if (d->n_parts > 0 && d->parts[d->n_parts - 1].number >= num) {
        return cli_ckpt_bad(c, "part numbers not increasing");
    }
    return cli_dcp_add_part(d, (uint32_t)num, size, crc) != 0
               ? cli_ckpt_bad(c, "part outside the object or larger than the part size")
               : 0;
}

static int parse_head(cli_ckpt_cur *c, void *obj)
{
    cli_dcp *d = obj;
    const char *v;
    size_t vn;
    if (cli_ckpt_magic(c, MAGIC) != 0 || cli_ckpt_str_field(c, "source", &d->source) != 0 ||
        cli_ckpt_field(c, "etag", &v, &vn) != 0) {
        return -1;
    }
    if (vn >= sizeof(d->etag)) {
        return cli_ckpt_bad(c, "ETag too long");
    }
    memcpy(d->etag, v, vn);
    d->etag[vn] = '\0';
    if (cli_ckpt_dec_field(c, "size", &d->size) != 0 || cli_ckpt_field(c, "crc64", &v, &vn) != 0) {
        return -1;
    }
    d->has_crc64 = !(vn == 4 && memcmp(v, "none", 4) == 0);
    if (d->has_crc64 && cli_ckpt_hex16(v, vn, &d->crc64) != 0) {
        return cli_ckpt_bad(c, "expected 16 hex digits or \"none\"");
    }
    if (cli_ckpt_dec_field(c, "part_size", &d->part_size) != 0 ||
        cli_ckpt_str_field(c, "dest", &d->dest) != 0 ||
        cli_ckpt_dec_field(c, "partial_inode", &d->inode) != 0 ||
        cli_ckpt_dec_field(c, "partial_size", &d->file_size) != 0) {
        return -1;
    }
    return d->part_size == 0 ? cli_ckpt_bad(c, "part size 0") : 0;
}

static char *format_any(const void *obj, size_t *len)
{
    return cli_dcp_format(obj, len);
}

static void free_any(void *obj)
{
    cli_dcp_free(obj);
}

static const cli_ckpt_format format = {sizeof(cli_dcp), parse_head, part_line, format_any,
                                       free_any};

int cli_dcp_parse(cli_dcp *d, const char *text, size_t len, char *why, size_t why_len)
{
    return cli_ckpt_parse(&format, d, text, len, why, why_len);
}

int cli_dcp_load(cli_dcp *d, const char *path, char *why, size_t why_len)
{
    return cli_ckpt_load(&format, d, path, why, why_len);
}

int cli_dcp_save(const cli_dcp *d, const char *path, char *why, size_t why_len)
{
    return cli_ckpt_save(&format, d, path, why, why_len);
}

int cli_dcp_check(const cli_dcp *d, const cli_dcp *now, char *why, size_t why_len)
{
    const char *what = NULL;
    if (strcmp(d->source, now->source) != 0) {
        what = "it is about another object";
    } else if (strcmp(d->dest, now->dest) != 0) {
        what = "it is about another destination file";
    } else if (d->part_size != now->part_size) {
        what = "the part size (fs.oss.multipart.download.size) differs";
    }
    if (what != NULL) {
        snprintf(why, why_len, "%s", what);
        return -1;
    }
    return 0;
}
