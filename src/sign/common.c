/* Shared signer plumbing: RFC 3986 encoding, HTTP and ISO 8601 dates computed
 * from the epoch without the C library's time zone, input checks, sorting. */
#include "sign/sign_internal.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/hmac.h>

static const char HEX_UP[] = "0123456789ABCDEF";

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

ossio_status ossio__uri_encode(ossio__buf *out, const char *s, size_t len, int keep_slash)
{
    size_t start = out->len;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        ossio_status st;
        if (unreserved(c) || (keep_slash && c == '/')) {
            st = ossio__buf_append_byte(out, c);
        } else {
            char e[3] = {'%', HEX_UP[c >> 4], HEX_UP[c & 15]};
            st = ossio__buf_append(out, e, 3);
        }
        if (st != OSSIO_OK) {
            ossio__sign_rewind(out, start);
            return st;
        }
    }
    return OSSIO_OK;
}

/* --- dates ---------------------------------------------------------------- */

typedef struct civil {
    int64_t y;
    unsigned mon, d, h, min, s, wday;
} civil;

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm). */
static civil to_civil(time_t t)
{
    int64_t secs = (int64_t)t;
    int64_t days = secs / 86400;
    int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    civil c;
    c.h = (unsigned)(rem / 3600);
    c.min = (unsigned)(rem % 3600 / 60);
    c.s = (unsigned)(rem % 60);
    int64_t wd = (days + 4) % 7; /* 1970-01-01 was a Thursday */
    c.wday = (unsigned)(wd < 0 ? wd + 7 : wd);
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    c.d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    c.mon = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    c.y = yoe + era * 400 + (c.mon <= 2);
    if (c.y < 0) {
        c = (civil){0, 1, 1, 0, 0, 0, 6}; /* 0000-01-01 was a Saturday */
    } else if (c.y > 9999) {
        c = (civil){9999, 12, 31, 23, 59, 59, 5};
    }
    return c;
}

static void put_num(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

void ossio__http_date(time_t t, char out[30])
{
    static const char days[] = "SunMonTueWedThuFriSat";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    civil c = to_civil(t);
    memcpy(out, days + 3 * c.wday, 3);
    memcpy(out + 3, ", ", 2);
    put_num(out + 5, c.d, 2);
    out[7] = ' ';
    memcpy(out + 8, months + 3 * (c.mon - 1), 3);
    out[11] = ' ';
    put_num(out + 12, (unsigned)c.y, 4);
    out[16] = ' ';
    put_num(out + 17, c.h, 2);
    out[19] = ':';
    put_num(out + 20, c.min, 2);
    out[22] = ':';
    put_num(out + 23, c.s, 2);
    memcpy(out + 25, " GMT", 5); /* includes the NUL */
}

void ossio__iso8601_basic(time_t t, char out[17])
{
    civil c = to_civil(t);
    put_num(out, (unsigned)c.y, 4);
    put_num(out + 4, c.mon, 2);
    put_num(out + 6, c.d, 2);
    out[8] = 'T';
    put_num(out + 9, c.h, 2);
    put_num(out + 11, c.min, 2);
    put_num(out + 13, c.s, 2);
    out[15] = 'Z';
    out[16] = '\0';
}

/* --- sink ----------------------------------------------------------------- */

void ossio__sign_sink_put(ossio__sign_sink *s, const void *p, size_t n)
{
    if (s->st != OSSIO_OK || n == 0) {
        return;
    }
    if (s->copy != NULL) {
        ossio_status st = ossio__buf_append(s->copy, p, n);
        if (st != OSSIO_OK) {
            s->st = st;
            return;
        }
    }
    if (s->md != NULL && EVP_DigestUpdate(s->md, p, n) != 1) {
        s->st = OSSIO_EINTERNAL;
    }
    if (s->mac != NULL && EVP_MAC_update(s->mac, p, n) != 1) {
        s->st = OSSIO_EINTERNAL;
    }
}

void ossio__sign_sink_str(ossio__sign_sink *s, const char *str)
{
    ossio__sign_sink_put(s, str, strlen(str));
}

void ossio__sign_sink_byte(ossio__sign_sink *s, char c)
{
    ossio__sign_sink_put(s, &c, 1);
}

void ossio__sign_sink_enc(ossio__sign_sink *s, const char *p, size_t n, int keep_slash)
{
    size_t run = 0; /* unreserved bytes not yet written */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (unreserved(c) || (keep_slash && c == '/')) {
            run++;
            continue;
        }
        ossio__sign_sink_put(s, p + i - run, run);
        run = 0;
        char e[3] = {'%', HEX_UP[c >> 4], HEX_UP[c & 15]};
        ossio__sign_sink_put(s, e, 3);
    }
    ossio__sign_sink_put(s, p + n - run, run);
}

void ossio__sign_sink_lower(ossio__sign_sink *s, const char *p, size_t n)
{
    char tmp[64];
    while (n > 0) {
        size_t k = n < sizeof tmp ? n : sizeof tmp;
        for (size_t i = 0; i < k; i++) {
            tmp[i] = (char)lower((unsigned char)p[i]);
        }
        ossio__sign_sink_put(s, tmp, k);
        p += k;
        n -= k;
    }
}

/* --- input ---------------------------------------------------------------- */

int ossio__sign_ieq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen) {
        return 0;
    }
    for (size_t i = 0; i < alen; i++) {
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) {
            return 0;
        }
    }
    return 1;
}

int ossio__sign_has_prefix_i(const char *a, size_t alen, const char *prefix)
{
    size_t plen = strlen(prefix);
    return alen >= plen && ossio__sign_ieq(a, plen, prefix);
}

static int names_ieq(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen) {
        return 0;
    }
    for (size_t i = 0; i < alen; i++) {
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) {
            return 0;
        }
    }
    return 1;
}

ossio_status ossio__sign_check_input(const ossio__sign_input *in)
{
    if (in == NULL || in->method == NULL || in->method[0] == '\0') {
        return OSSIO_EINVAL;
    }
    for (const char *m = in->method; *m; m++) {
        if (*m < 'A' || *m > 'Z') {
            return OSSIO_EINVAL;
        }
    }
    int has_bucket = in->bucket != NULL && in->bucket[0] != '\0';
    if (!has_bucket && in->key != NULL && in->key[0] != '\0') {
        return OSSIO_EINVAL;
    }
    if (in->n_headers > OSSIO__SIGN_MAX_HEADERS || in->n_query > OSSIO__SIGN_MAX_QUERY ||
        (in->n_headers > 0 && in->headers == NULL) || (in->n_query > 0 && in->query == NULL)) {
        return OSSIO_EINVAL;
    }
    for (size_t i = 0; i < in->n_headers; i++) {
        const ossio__hdr *h = &in->headers[i];
        if (h->name == NULL || (h->value == NULL && h->value_len > 0) ||
            !ossio__hdr_valid(h->name, h->name_len, h->value ? h->value : "", h->value_len)) {
            return OSSIO_EINVAL;
        }
        for (size_t k = 0; k < h->value_len; k++) {
            unsigned char c = (unsigned char)h->value[k];
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return OSSIO_EINVAL;
            }
        }
        for (size_t j = 0; j < i; j++) {
            if (names_ieq(h->name, h->name_len, in->headers[j].name, in->headers[j].name_len)) {
                return OSSIO_EINVAL;
            }
        }
    }
    for (size_t i = 0; i < in->n_query; i++) {
        if (in->query[i].name == NULL || in->query[i].name[0] == '\0') {
            return OSSIO_EINVAL;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(in->query[i].name, in->query[j].name) == 0) {
                return OSSIO_EINVAL;
            }
        }
    }
    return OSSIO_OK;
}

int ossio__sign_find_header(const ossio__sign_input *in, const char *name)
{
    for (size_t i = 0; i < in->n_headers; i++) {
        if (ossio__sign_ieq(in->headers[i].name, in->headers[i].name_len, name)) {
            return (int)i;
        }
    }
    return -1;
}

ossio__sign_field ossio__sign_header_field(const ossio__sign_input *in, size_t i)
{
    const ossio__hdr *h = &in->headers[i];
    const char *v = h->value ? h->value : "";
    size_t a = 0, b = h->value_len;
    while (a < b && (v[a] == ' ' || v[a] == '\t')) {
        a++;
    }
    while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t')) {
        b--;
    }
    return (ossio__sign_field){h->name, h->name_len, v + a, b - a};
}

int ossio__sign_header_matches(const ossio__sign_input *in, const char *name, const char *want)
{
    int i = ossio__sign_find_header(in, name);
    if (want == NULL || want[0] == '\0') {
        return i < 0;
    }
    if (i < 0) {
        return 0;
    }
    ossio__sign_field f = ossio__sign_header_field(in, (size_t)i);
    return f.value_len == strlen(want) && memcmp(f.value, want, f.value_len) == 0;
}

/* --- sorting (insertion sort: n is small and bounded) --------------------- */

static int field_cmp(const ossio__sign_field *a, const ossio__sign_field *b)
{
    size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = lower((unsigned char)a->name[i]);
        unsigned char y = lower((unsigned char)b->name[i]);
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
    return a->name_len < b->name_len ? -1 : a->name_len > b->name_len;
}

void ossio__sign_sort_fields(ossio__sign_field *f, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        ossio__sign_field t = f[i];
        size_t j = i;
        while (j > 0 && field_cmp(&f[j - 1], &t) > 0) {
            f[j] = f[j - 1];
            j--;
        }
        f[j] = t;
    }
}

/* Yields the percent-encoded form of a string one byte at a time, so two
 * strings compare in encoded order without being encoded into memory. */
typedef struct enc_iter {
    const unsigned char *s;
    size_t i;
    char pend[2];
    int npend;
} enc_iter;

static int enc_next(enc_iter *e)
{
    if (e->npend > 0) {
        int c = (unsigned char)e->pend[2 - e->npend];
        e->npend--;
        return c;
    }
    unsigned char c = e->s[e->i];
    if (c == '\0') {
        return -1;
    }
    e->i++;
    if (unreserved(c)) {
        return c;
    }
    e->pend[0] = HEX_UP[c >> 4];
    e->pend[1] = HEX_UP[c & 15];
    e->npend = 2;
    return '%';
}

static int enc_cmp(const char *a, const char *b)
{
    enc_iter x = {(const unsigned char *)(a ? a : ""), 0, {0, 0}, 0};
    enc_iter y = {(const unsigned char *)(b ? b : ""), 0, {0, 0}, 0};
    for (;;) {
        int p = enc_next(&x);
        int q = enc_next(&y);
        if (p != q) {
            return p < q ? -1 : 1;
        }
        if (p < 0) {
            return 0;
        }
    }
}

static int qparam_cmp(const ossio__qparam *a, const ossio__qparam *b)
{
    int r = enc_cmp(a->name, b->name);
    return r != 0 ? r : enc_cmp(a->value, b->value);
}

void ossio__sign_sort_query(ossio__qparam *q, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        ossio__qparam t = q[i];
        size_t j = i;
        while (j > 0 && qparam_cmp(&q[j - 1], &t) > 0) {
            q[j] = q[j - 1];
            j--;
        }
        q[j] = t;
    }
}

/* --- crypto helpers ------------------------------------------------------- */

int ossio__sign_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                            unsigned char out[32])
{
    unsigned int out_len = 0;
    if (key_len > (size_t)INT32_MAX) {
        return 0;
    }
    return HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &out_len) != NULL && out_len == 32;
}

int ossio__sign_v4_key(const char *prefix, const char *secret, const char *date8,
                       const char *region, const char *service, const char *terminator,
                       unsigned char out[32])
{
    unsigned char k0[16 + OSSIO__SIGN_MAX_SECRET];
    size_t plen = strlen(prefix), slen = strlen(secret);
    if (plen > 16 || slen > OSSIO__SIGN_MAX_SECRET) {
        return 0;
    }
    memcpy(k0, prefix, plen);
    memcpy(k0 + plen, secret, slen);
    unsigned char a[32], b[32];
    int ok = ossio__sign_hmac_sha256(k0, plen + slen, date8, strlen(date8), a) &&
             ossio__sign_hmac_sha256(a, 32, region, strlen(region), b) &&
             ossio__sign_hmac_sha256(b, 32, service, strlen(service), a) &&
             ossio__sign_hmac_sha256(a, 32, terminator, strlen(terminator), out);
    OPENSSL_cleanse(k0, sizeof k0);
    OPENSSL_cleanse(a, sizeof a);
    OPENSSL_cleanse(b, sizeof b);
    return ok;
}

void ossio__sign_hex(const unsigned char *p, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = '\0';
}

size_t ossio__sign_scope_part_len(const char *s)
{
    if (s == NULL) {
        return 0;
    }
    size_t n = strlen(s);
    if (n == 0 || n > OSSIO__SIGN_MAX_SCOPE_PART) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7f || c == '/' || c == ',' || c == ';') {
            return 0;
        }
    }
    return n;
}

void ossio__sign_rewind(ossio__buf *b, size_t len)
{
    if (b != NULL && b->len > len) {
        b->len = len;
    }
}

EVP_MD_CTX *ossio__sign_sha256_new(void)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        md = NULL;
    }
    return md;
}

ossio_status ossio__sign_v4_signature(EVP_MD_CTX *md, ossio_status st, const char *algo,
                                      const char *key_prefix, const char *secret, const char *iso,
                                      const char *region, const char *service,
                                      const char *terminator, char sig[65])
{
    unsigned char hash[32];
    unsigned int hash_len = 0;
    if (st == OSSIO_OK && (EVP_DigestFinal_ex(md, hash, &hash_len) != 1 || hash_len != 32)) {
        st = OSSIO_EINTERNAL;
    }
    EVP_MD_CTX_free(md);
    if (st != OSSIO_OK) {
        return st;
    }
    char date8[9];
    memcpy(date8, iso, 8);
    date8[8] = '\0';
    char hex[65];
    ossio__sign_hex(hash, 32, hex);
    char sts[320];
    int n = snprintf(sts, sizeof sts, "%s\n%s\n%s/%s/%s/%s\n%s", algo, iso, date8, region, service,
                     terminator, hex);
    unsigned char key[32], mac[32];
    int ok = n > 0 && (size_t)n < sizeof sts &&
             ossio__sign_v4_key(key_prefix, secret, date8, region, service, terminator, key) &&
             ossio__sign_hmac_sha256(key, 32, sts, (size_t)n, mac);
    OPENSSL_cleanse(key, sizeof key);
    if (!ok) {
        return OSSIO_EINTERNAL;
    }
    ossio__sign_hex(mac, 32, sig);
    return OSSIO_OK;
}
