/* Randomized signing vectors for the cross-check against Aliyun's and AWS's
 * signers (crosscheck.test.js): one JSON line per signed request.
 * Usage: sign_vectors SEED COUNT  -> COUNT requests for each of the 6 schemes. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "sign/sign.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t pick(size_t n)
{
    return (size_t)(rnd() % n);
}

static int coin(int percent)
{
    return (int)pick(100) < percent;
}

/* All strings of one request live in this arena, reset per request. */
static char arena[1 << 16];
static size_t arena_used;

static const char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    if (arena_used + n > sizeof arena) {
        fprintf(stderr, "arena full\n");
        exit(2);
    }
    char *p = arena + arena_used;
    memcpy(p, s, n);
    arena_used += n;
    return p;
}

static const char *KEY_PARTS[] = {
    "a",
    "dir/",
    "file.txt",
    " ",
    "+",
    "~",
    "\xc3\xbc" /* ü */,
    "//",
    "%",
    "?",
    "#",
    "=",
    "&",
    "\xe6\x97\xa5\xe6\x9c\xac",
    "*",
    "'",
    "(x)",
    "!",
    "..",
    "\xf0\x9f\x98\x80" /* emoji */,
    "-_",
    "100%25 done",
    "a+b=c",
    "\\",
    ":",
    "@",
    ",;",
    "$",
    "\xc2\xa0nbsp",
    "[]",
    "{\"j\":1}",
    "<tag>",
    "x\xe2\x80\x8by",
};

static const char *random_key(void)
{
    char k[256];
    size_t n = 0;
    size_t parts = 1 + pick(6);
    k[0] = '\0';
    for (size_t i = 0; i < parts; i++) {
        const char *p = KEY_PARTS[pick(sizeof KEY_PARTS / sizeof KEY_PARTS[0])];
        size_t l = strlen(p);
        if (n + l >= sizeof k) {
            break;
        }
        memcpy(k + n, p, l + 1);
        n += l;
    }
    if (k[0] == '/') {
        k[0] = 'k';
    }
    return dup_str(k);
}

static const char *ODD_VALUES[] = {
    "plain",           "  spaced  value  ", "tab\there",
    "\ttabs around\t", "quote\"d",          "comma, semi; colon: x",
    "UPPER lower",     "=&?#/%+",           "",
    "a  b   c",        "~!@$^*()[]{}|<>",   "trailing ",
};

static const char *odd_value(void)
{
    return ODD_VALUES[pick(sizeof ODD_VALUES / sizeof ODD_VALUES[0])];
}

static const char *QUERY_VALUES[] = {
    "",          "2",
    "abc/def==", "a+b c",
    "1/2/3=&x",  "\xc3\xa9t\xc3\xa9",
    "~._-*",     "text/plain; charset=utf-8",
    "%41",       "'quoted'",
    "(paren)!",
};

static const char *qvalue(void)
{
    return QUERY_VALUES[pick(sizeof QUERY_VALUES / sizeof QUERY_VALUES[0])];
}

typedef struct req {
    ossio__sign_input in;
    ossio__hdr h[24];
    ossio__qparam q[16];
    const char *additional[4];
    size_t n_additional;
    ossio__credentials cred;
    time_t now;
} req;

static void add_hdr(req *r, const char *name, const char *value)
{
    ossio__hdr *h = &r->h[r->in.n_headers++];
    h->name = dup_str(name);
    h->value = dup_str(value);
    h->name_len = strlen(name);
    h->value_len = strlen(value);
}

static void add_q(req *r, const char *name, const char *value)
{
    for (size_t i = 0; i < r->in.n_query; i++) {
        if (strcmp(r->q[i].name, name) == 0) {
            return;
        }
    }
    r->q[r->in.n_query].name = dup_str(name);
    r->q[r->in.n_query].value = value ? dup_str(value) : NULL;
    r->in.n_query++;
}

enum scheme { OSS_V1, OSS_V1_URL, OSS_V4, OSS_V4_URL, AWS_V4, AWS_V4_URL, N_SCHEMES };
static const char *SCHEME_NAMES[] = {"oss-v1",     "oss-v1-url", "oss-v4",
                                     "oss-v4-url", "aws-sigv4",  "aws-sigv4-url"};

static void random_request(req *r, int scheme)
{
    static const char *methods[] = {"GET", "PUT", "POST", "DELETE", "HEAD"};
    memset(r, 0, sizeof *r);
    arena_used = 0;
    int aws = scheme == AWS_V4 || scheme == AWS_V4_URL;
    r->in.method = methods[pick(5)];
    r->in.headers = r->h;
    r->in.query = r->q;
    int level = (int)pick(10); /* 0: service, 1-2: bucket, else object */
    r->in.bucket = level == 0 ? NULL : "ossio-test";
    r->in.key = level >= 3 ? random_key() : NULL;
    r->in.path_style = coin(50);
    r->in.host = r->in.path_style ? "localhost:8443"
                                  : (aws ? "ossio-test.s3.us-east-1.amazonaws.com"
                                         : "ossio-test.oss-cn-hangzhou.aliyuncs.com");
    if (level == 0) {
        r->in.host = aws ? "s3.amazonaws.com" : "oss-cn-hangzhou.aliyuncs.com";
    }
    r->now = (time_t)(1700000000 + (int64_t)pick(300000000));
    r->cred.access_key_id = coin(50) ? "LTAI5tExampleKeyId" : "AKIDEXAMPLE";
    r->cred.access_key_secret = coin(50) ? "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" : "s3cr3t";
    r->cred.security_token = coin(30) ? "CAIS+token/with=odd&chars~" : NULL;

    /* query: sub-resources and plain parameters */
    size_t nq = pick(5);
    for (size_t i = 0; i < nq; i++) {
        switch (pick(14)) {
        case 0:
            add_q(r, "uploads", coin(50) ? NULL : "");
            break;
        case 1:
            add_q(r, "uploadId", "0004B9894A22E5B1888A1E29F823****");
            break;
        case 2:
            add_q(r, "partNumber", coin(50) ? "1" : "10000");
            break;
        case 3:
            add_q(r, "acl", NULL);
            break;
        case 4:
            add_q(r, "tagging", coin(50) ? NULL : "");
            break;
        case 5:
            add_q(r, "response-content-type", qvalue());
            break;
        case 6:
            add_q(r, "prefix", qvalue());
            break;
        case 7:
            add_q(r, "max-keys", "1000");
            break;
        case 8:
            add_q(r, "list-type", "2");
            break;
        case 9:
            add_q(r, "continuation-token", "Ch4xL2FiYy9kZWY=/+x==");
            break;
        case 10:
            add_q(r, "delimiter", "/");
            break;
        case 11:
            add_q(r, "versionId", qvalue());
            break;
        case 12:
            add_q(r, "marker", qvalue());
            break;
        default:
            add_q(r, "encoding-type", "url");
            break;
        }
    }

    /* headers */
    char date[30], iso[17];
    ossio__http_date(r->now, date);
    ossio__iso8601_basic(r->now, iso);
    const char *pfx = aws ? "x-amz-" : "x-oss-";
    if (coin(60)) {
        add_hdr(r, coin(50) ? "Content-Type" : "content-type",
                coin(50) ? "text/plain; charset=utf-8" : "application/octet-stream");
    }
    if (coin(40)) {
        add_hdr(r, "Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==");
    }
    if (coin(50)) {
        add_hdr(r, "User-Agent", "ossio/test  (odd)");
    }
    if (coin(30)) {
        add_hdr(r, "Range", "bytes=0-99");
    }
    if (coin(30)) {
        add_hdr(r, "Content-Length", "0");
    }
    if (coin(50)) {
        add_hdr(r, "Host", r->in.host);
    }
    size_t nmeta = pick(4);
    static const char *meta_names[] = {"meta-author", "Meta-Odd-Name", "meta-x", "storage-class",
                                       "tagging"};
    for (size_t i = 0; i < nmeta && i < 5; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s%s", coin(30) ? (aws ? "X-Amz-" : "X-Oss-") : pfx,
                 meta_names[i]);
        add_hdr(r, name, odd_value());
    }
    switch (scheme) {
    case OSS_V1:
        if (coin(50)) {
            add_hdr(r, "x-oss-date", date);
        } else {
            add_hdr(r, "Date", date);
        }
        break;
    case OSS_V4:
        add_hdr(r, "x-oss-date", iso);
        /* fallthrough */
    case OSS_V4_URL:
        if (coin(70)) {
            add_hdr(r, "x-oss-content-sha256",
                    coin(80) ? "UNSIGNED-PAYLOAD"
                             : "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        }
        if (coin(40)) {
            static const char *cands[] = {"host",         "Range",        "content-length",
                                          "Content-Type", "x-oss-meta-x", "HOST"};
            size_t n = 1 + pick(3);
            for (size_t i = 0; i < n; i++) {
                const char *c = cands[pick(6)];
                int present = strcmp(c, "host") == 0 || strcmp(c, "HOST") == 0;
                for (size_t k = 0; k < r->in.n_headers && !present; k++) {
                    present = strcasecmp(r->h[k].name, c) == 0;
                }
                if (present) {
                    r->additional[r->n_additional++] = c;
                }
            }
        }
        if (coin(20)) {
            add_q(r, "x-oss-process", "image/resize,w_100");
        }
        break;
    case AWS_V4:
        add_hdr(r, "x-amz-date", iso);
        if (coin(90)) {
            add_hdr(r, "x-amz-content-sha256",
                    coin(80) ? "UNSIGNED-PAYLOAD"
                             : "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        }
        break;
    default:
        break;
    }
    if (r->cred.security_token != NULL) {
        if (scheme == OSS_V1 || scheme == OSS_V4) {
            add_hdr(r, "x-oss-security-token", r->cred.security_token);
        } else if (scheme == AWS_V4) {
            add_hdr(r, "X-Amz-Security-Token", r->cred.security_token);
        }
    }
}

static void json_str(const char *s, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            printf("\\%c", c);
        } else if (c < 0x20 || c == 0x7f) {
            printf("\\u%04x", c);
        } else {
            putchar(c);
        }
    }
    putchar('"');
}

static void json_cstr(const char *s)
{
    if (s == NULL) {
        fputs("null", stdout);
    } else {
        json_str(s, strlen(s));
    }
}

static int emit(const req *r, int scheme, const char *region, int64_t expires, ossio_status st,
                const ossio__buf *out, const ossio__buf *canonical)
{
    printf("{\"scheme\":\"%s\",\"status\":%d,\"method\":", SCHEME_NAMES[scheme], (int)st);
    json_cstr(r->in.method);
    fputs(",\"bucket\":", stdout);
    json_cstr(r->in.bucket);
    fputs(",\"key\":", stdout);
    json_cstr(r->in.key);
    printf(",\"path_style\":%s,\"host\":", r->in.path_style ? "true" : "false");
    json_cstr(r->in.host);
    fputs(",\"headers\":[", stdout);
    for (size_t i = 0; i < r->in.n_headers; i++) {
        printf("%s[", i ? "," : "");
        json_str(r->h[i].name, r->h[i].name_len);
        putchar(',');
        json_str(r->h[i].value, r->h[i].value_len);
        putchar(']');
    }
    fputs("],\"query\":[", stdout);
    for (size_t i = 0; i < r->in.n_query; i++) {
        printf("%s[", i ? "," : "");
        json_cstr(r->q[i].name);
        putchar(',');
        json_cstr(r->q[i].value);
        putchar(']');
    }
    fputs("],\"additional\":[", stdout);
    for (size_t i = 0; i < r->n_additional; i++) {
        printf("%s", i ? "," : "");
        json_cstr(r->additional[i]);
    }
    fputs("],\"access_key_id\":", stdout);
    json_cstr(r->cred.access_key_id);
    fputs(",\"secret\":", stdout);
    json_cstr(r->cred.access_key_secret);
    fputs(",\"token\":", stdout);
    json_cstr(r->cred.security_token);
    fputs(",\"region\":", stdout);
    json_cstr(region);
    printf(",\"now\":%" PRId64 ",\"expires\":%" PRId64 ",\"canonical\":", (int64_t)r->now, expires);
    json_str((const char *)canonical->data, canonical->len);
    fputs(",\"result\":", stdout);
    json_str((const char *)out->data, out->len);
    fputs("}\n", stdout);
    return st == OSSIO_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s SEED COUNT\n", argv[0]);
        return 2;
    }
    rng_state = strtoull(argv[1], NULL, 10) * 2654435761ULL + 0x9E3779B97F4A7C15ULL;
    long count = strtol(argv[2], NULL, 10);
    int failures = 0;
    for (long i = 0; i < count; i++) {
        for (int scheme = 0; scheme < N_SCHEMES; scheme++) {
            req r;
            random_request(&r, scheme);
            ossio__buf out, canonical;
            ossio__buf_init(&out, 1 << 16, OSSIO_EHEADERSIZE);
            ossio__buf_init(&canonical, 1 << 16, OSSIO_EHEADERSIZE);
            const char *region = scheme >= AWS_V4 ? "us-east-1" : "cn-hangzhou";
            int64_t expires = 0;
            ossio_status st = OSSIO_EINVAL;
            switch (scheme) {
            case OSS_V1:
                st = ossio__sign_oss_v1(&r.in, &r.cred, &out, &canonical);
                break;
            case OSS_V1_URL:
                expires = (int64_t)r.now + 60 + (int64_t)pick(86400);
                st = ossio__presign_oss_v1(&r.in, &r.cred, expires, &out, &canonical);
                break;
            case OSS_V4:
                st = ossio__sign_oss_v4(&r.in, &r.cred, region, r.now, r.additional, r.n_additional,
                                        &out, &canonical);
                break;
            case OSS_V4_URL:
                expires = 1 + (int64_t)pick(OSSIO__SIGN_MAX_EXPIRES);
                st = ossio__presign_oss_v4(&r.in, &r.cred, region, r.now, expires, r.additional,
                                           r.n_additional, &out, &canonical);
                break;
            case AWS_V4:
                st = ossio__sign_aws_v4(&r.in, &r.cred, region, "s3", r.now, &out, &canonical);
                break;
            default:
                expires = 1 + (int64_t)pick(OSSIO__SIGN_MAX_EXPIRES);
                st = ossio__presign_aws_v4(&r.in, &r.cred, region, "s3", r.now, expires, &out,
                                           &canonical);
                break;
            }
            failures += emit(&r, scheme, region, expires, st, &out, &canonical);
            ossio__buf_free(&out);
            ossio__buf_free(&canonical);
        }
    }
    if (failures) {
        fprintf(stderr, "%d requests failed to sign\n", failures);
    }
    return failures ? 1 : 0;
}
