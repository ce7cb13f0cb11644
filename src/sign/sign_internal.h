/* Pieces shared by the three signers: a sink that copies canonical bytes and
 * hashes them as they are produced, field selection and sorting on the stack. */
#ifndef OSSIO__SIGN_INTERNAL_H
#define OSSIO__SIGN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "sign/sign.h"

/* Canonical bytes go to |copy| (if any) and into |md| (SHA-256 of the
 * canonical request) or |mac| (V1's HMAC-SHA1); the first error sticks. */
typedef struct ossio__sign_sink {
    ossio__buf *copy;
    EVP_MD_CTX *md;
    EVP_MAC_CTX *mac;
    ossio_status st;
} ossio__sign_sink;

void ossio__sign_sink_put(ossio__sign_sink *s, const void *p, size_t n);
void ossio__sign_sink_str(ossio__sign_sink *s, const char *str);
void ossio__sign_sink_byte(ossio__sign_sink *s, char c);
/* Percent-encoded as ossio__uri_encode(). */
void ossio__sign_sink_enc(ossio__sign_sink *s, const char *p, size_t n, int keep_slash);
/* Lower-cased (names are ASCII tokens). */
void ossio__sign_sink_lower(ossio__sign_sink *s, const char *p, size_t n);

/* A header as signed: |name| in the caller's case, |value| trimmed. */
typedef struct ossio__sign_field {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} ossio__sign_field;

/* Checks method, headers (valid, no control bytes but tab, no duplicate
 * names), query names (not NULL, no duplicates), bucket/key (key needs a
 * bucket) and the counts. OSSIO_EINVAL if anything is off. */
ossio_status ossio__sign_check_input(const ossio__sign_input *in);

/* Index of the header named |name| (case-insensitive), or -1. */
int ossio__sign_find_header(const ossio__sign_input *in, const char *name);

/* The trimmed value of header |i|. */
ossio__sign_field ossio__sign_header_field(const ossio__sign_input *in, size_t i);

/* Sorts fields by lower-cased name (ASCII byte order). */
void ossio__sign_sort_fields(ossio__sign_field *f, size_t n);

/* Sorts query parameters by percent-encoded name, then encoded value
 * (byte order, as SigV4 specifies). */
void ossio__sign_sort_query(ossio__qparam *q, size_t n);

int ossio__sign_ieq(const char *a, size_t alen, const char *b);
int ossio__sign_has_prefix_i(const char *a, size_t alen, const char *prefix);

/* Header |name| equals |want| (after trimming) or is absent when |want| is
 * NULL/"": the STS / date consistency checks. 1 if consistent. */
int ossio__sign_header_matches(const ossio__sign_input *in, const char *name, const char *want);

/* HMAC-SHA256 of |data| with |key| into out[32]. 0 on failure. */
int ossio__sign_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                            unsigned char out[32]);

/* The V4 signing key: HMAC chain from |prefix|+secret over date, region,
 * service, terminator. 0 on failure. */
int ossio__sign_v4_key(const char *prefix, const char *secret, const char *date8,
                       const char *region, const char *service, const char *terminator,
                       unsigned char out[32]);

void ossio__sign_hex(const unsigned char *p, size_t n, char *out); /* 2n chars + NUL */

/* A SHA-256 context for hashing a canonical request through a ossio__sign_sink;
 * NULL on failure. */
EVP_MD_CTX *ossio__sign_sha256_new(void);

/* The tail OSS V4 and AWS SigV4 share, given |md| holding the canonical
 * request's hash (|st|: how writing it went): the string to sign
 * "<algo>\n<iso>\n<date>/<region>/<service>/<terminator>\n<hex hash>", the
 * key chain from <key_prefix><secret>, and the hex signature in sig[65].
 * Frees |md|. */
ossio_status ossio__sign_v4_signature(EVP_MD_CTX *md, ossio_status st, const char *algo,
                                      const char *key_prefix, const char *secret, const char *iso,
                                      const char *region, const char *service,
                                      const char *terminator, char sig[65]);

/* Length of |s| if it is a non-empty scope part of at most
 * OSSIO__SIGN_MAX_SCOPE_PART bytes without '/', control bytes or spaces; else 0. */
size_t ossio__sign_scope_part_len(const char *s);

/* Restores |b| to |len| bytes (undo of a failed append). */
void ossio__sign_rewind(ossio__buf *b, size_t len);

#endif /* OSSIO__SIGN_INTERNAL_H */
