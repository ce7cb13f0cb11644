/* Output of the ossio program: exit codes from statuses, the one-line error
 * message, and a small JSON writer (escaping included, no library). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_exit_code(ossio_status st)
{
    switch (st) {
    case OSSIO_OK:
        return CLI_OK;
    case OSSIO_ENOTFOUND:
        return CLI_ENOTFOUND;
    case OSSIO_EACCESS:
    case OSSIO_ESIGNATURE:
        return CLI_EACCESS;
    case OSSIO_ECONFIG:
    case OSSIO_ENOENDPOINT:
    case OSSIO_ENOCREDENTIALS:
        return CLI_ECONFIG;
    case OSSIO_EBADURI:
    case OSSIO_ESCHEME:
    case OSSIO_EBADBUCKET:
    case OSSIO_EKEYTOOLONG:
        return CLI_EUSAGE;
    default:
        break;
    }
    /* dns, net and tls blocks: the endpoint could not be reached. */
    if (st <= -200 && st > -500) {
        return CLI_ENET;
    }
    return CLI_EFAIL;
}

/* Writes |s| on one line: CR, LF and other control bytes become spaces. */
static void one_line(FILE *f, const char *s)
{
    for (; s != NULL && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        fputc(ch < 0x20 || ch == 0x7f ? ' ' : ch, f);
    }
}

static int keep(cli *c, int rc)
{
    if (c->rc == 0) {
        c->rc = rc;
    }
    return rc;
}

static void prefix(cli *c, const char *uri)
{
    fprintf(stderr, "%s: %s", c->tag, c->command != NULL ? c->command->name : "");
    if (uri != NULL && *uri) {
        fputc(' ', stderr);
        one_line(stderr, uri);
    }
    fputs(": ", stderr);
}

int cli_fail_status(cli *c, const char *uri, ossio_status st, const char *detail)
{
    if (st == OSSIO_ECANCELED && c->interrupted) {
        return keep(c, CLI_EINTR); /* one "interrupted" line is printed by main */
    }
    prefix(c, uri);
    one_line(stderr, ossio_strerror(st));
    if (detail != NULL && *detail) {
        fputs(": ", stderr);
        one_line(stderr, detail);
    }
    fputc('\n', stderr);
    return keep(c, cli_exit_code(st));
}

int cli_fail(cli *c, const char *uri, const ossio_result *res)
{
    if (res->code == NULL || *res->code == '\0' ||
        (res->status == OSSIO_ECANCELED && c->interrupted)) {
        return cli_fail_status(c, uri, res->status, res->detail);
    }
    prefix(c, uri);
    one_line(stderr, res->code);
    fputs(": ", stderr);
    one_line(stderr, res->message != NULL ? res->message : "");
    if (res->request_id != NULL && *res->request_id) {
        fputs(" (RequestId ", stderr);
        one_line(stderr, res->request_id);
        fputc(')', stderr);
    }
    fputc('\n', stderr);
    return keep(c, cli_exit_code(res->status));
}

int cli_usage_error(cli *c, const char *fmt, ...)
{
    if (c->silent) {
        return keep(c, CLI_EUSAGE);
    }
    fprintf(stderr, "%s: %s%s", c->tag, c->command != NULL ? c->command->name : "",
            c->command != NULL ? ": " : "");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see '%s %s%s--help')\n", c->name, c->command != NULL ? c->command->name : "",
            c->command != NULL ? " " : "");
    return keep(c, CLI_EUSAGE);
}

/* Length of the valid UTF-8 sequence at |s|, or 0. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n;
    unsigned min;
    unsigned cp;
    if (s[0] < 0x80) {
        return 1;
    } else if ((s[0] & 0xe0) == 0xc0) {
        n = 2, min = 0x80, cp = s[0] & 0x1fu;
    } else if ((s[0] & 0xf0) == 0xe0) {
        n = 3, min = 0x800, cp = s[0] & 0x0fu;
    } else if ((s[0] & 0xf8) == 0xf0) {
        n = 4, min = 0x10000, cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return n;
}

void cli_json_string(FILE *f, const char *s)
{
    if (s == NULL) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p == '"' || *p == '\\') {
            fputc('\\', f);
            fputc(*p++, f);
        } else if (*p == '\n') {
            fputs("\\n", f), p++;
        } else if (*p == '\t') {
            fputs("\\t", f), p++;
        } else if (*p < 0x20 || *p == 0x7f) {
            fprintf(f, "\\u%04x", *p++);
        } else {
            size_t n = utf8_len(p);
            if (n == 0) {
                fputs("\\ufffd", f); /* not UTF-8: JSON cannot carry the byte */
                p++;
            } else {
                fwrite(p, 1, n, f);
                p += n;
            }
        }
    }
    fputc('"', f);
}

void cli_json_begin(cli_json *j, FILE *f)
{
    j->f = f;
    j->fields = 0;
    fputc('{', f);
}

void cli_json_key(cli_json *j, const char *key)
{
    if (j->fields++ > 0) {
        fputc(',', j->f);
    }
    cli_json_string(j->f, key);
    fputc(':', j->f);
}

void cli_json_str(cli_json *j, const char *key, const char *value)
{
    cli_json_key(j, key);
    cli_json_string(j->f, value);
}

void cli_json_u64(cli_json *j, const char *key, uint64_t value)
{
    cli_json_key(j, key);
    fprintf(j->f, "%llu", (unsigned long long)value);
}

void cli_json_num(cli_json *j, const char *key, double value)
{
    cli_json_key(j, key);
    fprintf(j->f, "%.3f", value);
}

void cli_json_bool(cli_json *j, const char *key, int value)
{
    cli_json_key(j, key);
    fputs(value ? "true" : "false", j->f);
}

void cli_json_end(cli_json *j)
{
    fputc('}', j->f);
}
