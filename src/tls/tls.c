/* OpenSSL client side: one SSL_CTX per client, SSL objects reading straight
 * from the socket (no memory BIO copies), verification on unless the caller
 * asked for the loudly named insecure switch. */
#include "tls/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

static const unsigned char alpn_h2[] = "\x02h2\x08http/1.1";
static const unsigned char alpn_h1[] = "\x08http/1.1";

ossio_status ossio_tls_ctx_new(SSL_CTX **out, const char *ca_file, int insecure, int h2)
{
    *out = NULL;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) {
        return OSSIO_ENOMEM;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    /* Large socket reads: up to 64 KiB per read(2) instead of one record. */
    SSL_CTX_set_read_ahead(ctx, 1);
    SSL_CTX_set_default_read_buffer_len(ctx, 64 * 1024);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    int ok = ca_file != NULL && *ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
                                         : SSL_CTX_set_default_verify_paths(ctx);
    if (ok != 1) {
        SSL_CTX_free(ctx);
        ERR_clear_error();
        return OSSIO_ETLS;
    }
    SSL_CTX_set_verify(ctx, insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
    if (h2) {
        SSL_CTX_set_alpn_protos(ctx, alpn_h2, sizeof(alpn_h2) - 1);
    } else {
        SSL_CTX_set_alpn_protos(ctx, alpn_h1, sizeof(alpn_h1) - 1);
    }
    *out = ctx;
    return OSSIO_OK;
}

static int is_ip(const char *host)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

ossio_status ossio_tls_new(SSL **out, SSL_CTX *ctx, int fd, const char *host, SSL_SESSION *session)
{
    *out = NULL;
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL) {
        return OSSIO_ENOMEM;
    }
    int ok = SSL_set_fd(ssl, fd);
    if (ok == 1 && is_ip(host)) {
        ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
    } else if (ok == 1) {
        ok = SSL_set_tlsext_host_name(ssl, host) == 1 && SSL_set1_host(ssl, host) == 1;
        SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    }
    if (ok == 1 && session != NULL) {
        ok = SSL_set_session(ssl, session);
    }
    if (ok != 1) {
        SSL_free(ssl);
        ERR_clear_error();
        return OSSIO_ETLS;
    }
    SSL_set_connect_state(ssl);
    *out = ssl;
    return OSSIO_OK;
}

static void describe(char *detail, size_t len, const char *what)
{
    unsigned long e = ERR_get_error();
    if (e != 0) {
        char buf[200];
        ERR_error_string_n(e, buf, sizeof(buf));
        snprintf(detail, len, "%s: %s", what, buf);
    } else {
        snprintf(detail, len, "%s", what);
    }
    ERR_clear_error();
}

ossio_tls_step ossio_tls_handshake(SSL *ssl, ossio_status *st, char *detail, size_t detail_len)
{
    ERR_clear_error();
    int rv = SSL_do_handshake(ssl);
    if (rv == 1) {
        return OSSIO_TLS_DONE;
    }
    int err = SSL_get_error(ssl, rv);
    if (err == SSL_ERROR_WANT_READ) {
        return OSSIO_TLS_WANT_READ;
    }
    if (err == SSL_ERROR_WANT_WRITE) {
        return OSSIO_TLS_WANT_WRITE;
    }
    long vr = SSL_get_verify_result(ssl);
    if (vr == X509_V_ERR_HOSTNAME_MISMATCH || vr == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        *st = OSSIO_ETLSHOSTNAME;
        snprintf(detail, detail_len, "TLS: certificate does not match the host name (%s)",
                 X509_verify_cert_error_string(vr));
        ERR_clear_error();
    } else if (vr != X509_V_OK) {
        *st = OSSIO_ETLSVERIFY;
        snprintf(detail, detail_len, "TLS: certificate verification failed: %s",
                 X509_verify_cert_error_string(vr));
        ERR_clear_error();
    } else {
        *st = OSSIO_ETLS;
        if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
            snprintf(detail, detail_len, "TLS handshake: connection closed by peer (%s)",
                     errno ? strerror(errno) : "EOF");
        } else {
            describe(detail, detail_len, "TLS handshake failed");
        }
    }
    return OSSIO_TLS_FAILED;
}

const char *ossio_tls_alpn(SSL *ssl)
{
    const unsigned char *p = NULL;
    unsigned int len = 0;
    SSL_get0_alpn_selected(ssl, &p, &len);
    if (len == 2 && memcmp(p, "h2", 2) == 0) {
        return "h2";
    }
    if (len == 8 && memcmp(p, "http/1.1", 8) == 0) {
        return "http/1.1";
    }
    return NULL;
}

ssize_t ossio_tls_read(SSL *ssl, void *buf, size_t len, ossio_status *st)
{
    size_t n = 0;
    ERR_clear_error();
    errno = 0;
    int rv = SSL_read_ex(ssl, buf, len, &n);
    if (rv == 1) {
        return (ssize_t)n;
    }
    switch (SSL_get_error(ssl, rv)) {
    case SSL_ERROR_WANT_READ:
        return -1;
    case SSL_ERROR_WANT_WRITE:
        return -2;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0) {
            /* errno 0: EOF without close_notify (many servers do that). */
            int was = errno;
            ERR_clear_error();
            if (was == 0 || was == EAGAIN) {
                return was == 0 ? 0 : -1;
            }
            *st = OSSIO_ECONNRESET;
            return -3;
        }
        /* fall through */
    default:
        *st = OSSIO_ETLS;
        ERR_clear_error();
        return -3;
    }
}

ssize_t ossio_tls_write(SSL *ssl, const void *buf, size_t len, ossio_status *st)
{
    size_t n = 0;
    ERR_clear_error();
    errno = 0;
    int rv = SSL_write_ex(ssl, buf, len, &n);
    if (rv == 1) {
        return (ssize_t)n;
    }
    switch (SSL_get_error(ssl, rv)) {
    case SSL_ERROR_WANT_WRITE:
        return -1;
    case SSL_ERROR_WANT_READ:
        return -2;
    default:
        *st = errno == EPIPE || errno == ECONNRESET ? OSSIO_ECONNRESET : OSSIO_ETLS;
        ERR_clear_error();
        return -3;
    }
}
