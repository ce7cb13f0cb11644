/* Writers for the XML request bodies ossio sends (CompleteMultipartUpload,
 * Delete): exact bytes, escaped text, nothing XML 1.0 cannot carry. */
#include "xml/oss.h"

#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at |s[0..n)| that encodes an XML 1.0
 * Char, or 0. */
static size_t xml_char_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        return (c >= 0x20 || c == 0x09 || c == 0x0A || c == 0x0D) ? 1 : 0;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    /* Overlong forms, surrogates, beyond U+10FFFF, and U+FFFE/U+FFFF. */
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) {
        return 0;
    }
    return len;
}

static ossio_status escape(ossio__buf *out, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        size_t n = xml_char_len(s + i, len - i);
        if (n == 0) {
            return OSSIO_EINVAL;
        }
        const char *rep = NULL;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        case '\r': /* a literal CR would be normalized away by the reader */
            rep = "&#13;";
            break;
        default:
            break;
        }
        ossio_status st =
            rep ? ossio__buf_append(out, rep, strlen(rep)) : ossio__buf_append(out, s + i, n);
        if (st != OSSIO_OK) {
            return st;
        }
        i += n;
    }
    return OSSIO_OK;
}

static ossio_status lit(ossio__buf *out, const char *s)
{
    return ossio__buf_append(out, s, strlen(s));
}

ossio_status ossio__xml_escape(ossio__buf *out, const char *text, size_t len)
{
    size_t start = out->len;
    ossio_status st = escape(out, text, len);
    if (st != OSSIO_OK) {
        out->len = start;
    }
    return st;
}

static const char xml_decl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

static ossio_status complete_body(ossio__buf *out, const ossio__xml_part_ref *parts, size_t n)
{
    ossio_status st = lit(out, xml_decl);
    if (st == OSSIO_OK) {
        st = lit(out, "<CompleteMultipartUpload>");
    }
    uint32_t prev = 0;
    for (size_t i = 0; i < n && st == OSSIO_OK; i++) {
        const ossio__xml_part_ref *p = &parts[i];
        if (p->number < 1 || p->number > 10000 || p->number <= prev || (!p->etag && p->etag_len)) {
            return OSSIO_EINVAL;
        }
        prev = p->number;
        char num[64];
        int k = snprintf(num, sizeof num, "<Part><PartNumber>%u</PartNumber><ETag>",
                         (unsigned)p->number);
        st = ossio__buf_append(out, num, (size_t)k);
        if (st == OSSIO_OK) {
            st = escape(out, p->etag, p->etag_len);
        }
        if (st == OSSIO_OK) {
            st = lit(out, "</ETag>");
        }
        if (st == OSSIO_OK && p->sum_elem != NULL && p->sum != NULL) {
            char sum[96];
            k = snprintf(sum, sizeof sum, "<%s>%.16s</%s>", p->sum_elem, p->sum, p->sum_elem);
            st = ossio__buf_append(out, sum, (size_t)k);
        }
        if (st == OSSIO_OK) {
            st = lit(out, "</Part>");
        }
    }
    if (st == OSSIO_OK) {
        st = lit(out, "</CompleteMultipartUpload>");
    }
    return st;
}

ossio_status ossio__xml_write_complete(ossio__buf *out, const ossio__xml_part_ref *parts, size_t n)
{
    if (n == 0 || n > 10000 || !parts) {
        return OSSIO_EINVAL;
    }
    size_t start = out->len;
    ossio_status st = complete_body(out, parts, n);
    if (st != OSSIO_OK) {
        out->len = start;
    }
    return st;
}

static ossio_status delete_body(ossio__buf *out, bool quiet, const ossio__xml_key *keys, size_t n)
{
    ossio_status st = lit(out, xml_decl);
    if (st == OSSIO_OK) {
        st = lit(out, quiet ? "<Delete><Quiet>true</Quiet>" : "<Delete><Quiet>false</Quiet>");
    }
    for (size_t i = 0; i < n && st == OSSIO_OK; i++) {
        if (!keys[i].key || keys[i].len == 0) {
            return OSSIO_EINVAL;
        }
        st = lit(out, "<Object><Key>");
        if (st == OSSIO_OK) {
            st = escape(out, keys[i].key, keys[i].len);
        }
        if (st == OSSIO_OK) {
            st = lit(out, "</Key></Object>");
        }
    }
    if (st == OSSIO_OK) {
        st = lit(out, "</Delete>");
    }
    return st;
}

ossio_status ossio__xml_write_delete(ossio__buf *out, bool quiet, const ossio__xml_key *keys,
                                     size_t n)
{
    if (n == 0 || n > OSSIO__XML_DELETE_MAX || !keys) {
        return OSSIO_EINVAL;
    }
    size_t start = out->len;
    ossio_status st = delete_body(out, quiet, keys, n);
    if (st != OSSIO_OK) {
        out->len = start;
    }
    return st;
}
