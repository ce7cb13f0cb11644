/* Pieces shared by the three signers: a sink that copies canonical bytes and
 * hashes them as they are produced, field selection and sorting on the stack. */
#ifndef OSSIO_SIGN_INTERNAL_H
#define OSSIO_SIGN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "sign/sign.h"

/* Canonical bytes go to |copy| (if any) and into |md| (SHA-256 of the
 * canonical request) or |mac| (V1's HMAC-SHA1); the first error sticks. */
typedef struct sign_sink {
    ossio_buf *copy;
    EVP_MD_CTX *md;
    EVP_MAC_CTX *mac;
    ossio_status st;
} sign_sink;

void sink_put(sign_sink *s, const void *p, size_t n);
void sink_str(sign_sink *s, const char *str);
void sink_byte(sign_sink *s, char c);
/* Percent-encoded as ossio_uri_encode(). */
void sink_enc(sign_sink *s, const char *p, size_t n, int keep_slash);
/* Lower-cased (names are ASCII tokens). */
void sink_lower(sign_sink *s, const char *p, size_t n);

/* A header as signed: |name| in the caller's case, |value| trimmed. */
typedef struct sign_field {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} sign_field;

/* Checks method, headers (valid, no control bytes but tab, no duplicate
 * names), query names (not NULL, no duplicates), bucket/key (key needs a
 * bucket) and the counts. OSSIO_EINVAL if anything is off. */
ossio_status sign_check_input(const ossio_sign_input *in);

/* Index of the header named |name| (case-insensitive), or -1. */
int sign_find_header(const ossio_sign_input *in, const char *name);

/* The trimmed value of header |i|. */
sign_field sign_header_field(const ossio_sign_input *in, size_t i);

/* Sorts fields by lower-cased name (ASCII byte order). */
void sign_sort_fields(sign_field *f, size_t n);

/* Sorts query parameters by percent-encoded name, then encoded value
 * (byte order, as SigV4 specifies). */
void sign_sort_query(ossio_qparam *q, size_t n);

int sign_ieq(const char *a, size_t alen, const char *b);
int sign_has_prefix_i(const char *a, size_t alen, const char *prefix);

/* Header |name| equals |want| (after trimming) or is absent when |want| is
 * NULL/"": the STS / date consistency checks. 1 if consistent. */
int sign_header_matches(const ossio_sign_input *in, const char *name, const char *want);

/* HMAC-SHA256 of |data| with |key| into out[32]. 0 on failure. */
int sign_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                     unsigned char out[32]);

/* The V4 signing key: HMAC chain from |prefix|+secret over date, region,
 * service, terminator. 0 on failure. */
int sign_v4_key(const char *prefix, const char *secret, const char *date8, const char *region,
                const char *service, const char *terminator, unsigned char out[32]);

void sign_hex(const unsigned char *p, size_t n, char *out); /* 2n chars + NUL */

/* A SHA-256 context for hashing a canonical request through a sign_sink;
 * NULL on failure. */
EVP_MD_CTX *sign_sha256_new(void);

/* The tail OSS V4 and AWS SigV4 share, given |md| holding the canonical
 * request's hash (|st|: how writing it went): the string to sign
 * "<algo>\n<iso>\n<date>/<region>/<service>/<terminator>\n<hex hash>", the
 * key chain from <key_prefix><secret>, and the hex signature in sig[65].
 * Frees |md|. */
ossio_status sign_v4_signature(EVP_MD_CTX *md, ossio_status st, const char *algo,
                               const char *key_prefix, const char *secret, const char *iso,
                               const char *region, const char *service, const char *terminator,
                               char sig[65]);

/* Length of |s| if it is a non-empty scope part of at most
 * OSSIO_SIGN_MAX_SCOPE_PART bytes without '/', control bytes or spaces; else 0. */
size_t sign_scope_part_len(const char *s);

/* Restores |b| to |len| bytes (undo of a failed append). */
void sign_rewind(ossio_buf *b, size_t len);

#endif /* OSSIO_SIGN_INTERNAL_H */
