/* TLS with OpenSSL 3: the client context (verification on by default, ALPN,
 * session cache) and the per-connection handshake and record I/O. */
#ifndef OSSIO__TLS_TLS_H
#define OSSIO__TLS_TLS_H

#include <openssl/ssl.h>
#include <stddef.h>
#include <sys/types.h>

#include "ossio.h"

/* A client context: system trust store, or only |ca_file| when it is not
 * empty; peer verification unless |insecure|; ALPN "h2,http/1.1" (or only
 * "http/1.1" without |h2|). OSSIO_ETLS if the CA file cannot be loaded. */
ossio_status ossio__tls_ctx_new(SSL_CTX **out, const char *ca_file, int insecure, int h2);

/* A connection's SSL over |fd| for |host| (SNI and name verification; IP
 * literals are checked against IP SANs), resuming |session| if given. */
ossio_status ossio__tls_new(SSL **out, SSL_CTX *ctx, int fd, const char *host,
                            SSL_SESSION *session);

/* Result of one step: done, needs I/O, or failed. */
typedef enum ossio__tls_step {
    OSSIO__TLS_DONE,
    OSSIO__TLS_WANT_READ,
    OSSIO__TLS_WANT_WRITE,
    OSSIO__TLS_FAILED
} ossio__tls_step;

/* Advances the handshake. On failure |*st| is OSSIO_ETLSVERIFY,
 * OSSIO_ETLSHOSTNAME or OSSIO_ETLS, with a message in |detail|. */
ossio__tls_step ossio__tls_handshake(SSL *ssl, ossio_status *st, char *detail, size_t detail_len);

/* The protocol ALPN chose ("h2", "http/1.1") or NULL. */
const char *ossio__tls_alpn(SSL *ssl);

/* Whether OpenSSL error |e| says the peer closed the connection without a
 * close_notify alert (OpenSSL 3: "unexpected eof while reading"). */
int ossio__tls_unexpected_eof(unsigned long e);

/* Reads up to |len| decrypted bytes: >0 bytes, 0 when the peer closed (with
 * close_notify, or without it: a dropped connection, as a cleartext read of 0),
 * -1 want read, -2 want write, -3 error (|*st| set). */
ssize_t ossio__tls_read(SSL *ssl, void *buf, size_t len, ossio_status *st);
/* Writes: >0 bytes taken, -1 want write, -2 want read, -3 error. */
ssize_t ossio__tls_write(SSL *ssl, const void *buf, size_t len, ossio_status *st);

#endif /* OSSIO__TLS_TLS_H */
