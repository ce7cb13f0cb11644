/* OpenSSL client side: one SSL_CTX per client, SSL objects reading straight
 * from the socket (no memory BIO copies), verification on unless the caller
 * asked for the loudly named insecure switch. */
#include "tls/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <pthread.h>
#include <sys/socket.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

static const unsigned char alpn_h2[] = "\x02h2\x08http/1.1";
static const unsigned char alpn_h1[] = "\x08http/1.1";

ossio_status ossio__tls_ctx_new(SSL_CTX **out, const char *ca_file, int insecure, int h2)
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

/* OpenSSL's socket BIO writes with write(2): to a connection the server
 * closed, that raises SIGPIPE, which kills a host program that did not ignore
 * it (a library must not ask it to). Our BIO is the socket BIO with its write
 * replaced by send(2) with MSG_NOSIGNAL: the write fails with EPIPE instead. */
static BIO_METHOD *nosig_method;
static pthread_once_t nosig_once = PTHREAD_ONCE_INIT;

static int nosig_write(BIO *b, const char *buf, int len)
{
    int fd = -1;
    BIO_get_fd(b, &fd);
    errno = 0;
    int n = (int)send(fd, buf, (size_t)len, MSG_NOSIGNAL);
    BIO_clear_retry_flags(b);
    if (n <= 0 && BIO_sock_should_retry(n)) {
        BIO_set_retry_write(b);
    }
    return n;
}

static void nosig_init(void)
{
    const BIO_METHOD *sock = BIO_s_socket();
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                                 "ossio socket");
    if (m == NULL || BIO_meth_set_write(m, nosig_write) != 1 ||
        BIO_meth_set_read(m, BIO_meth_get_read(sock)) != 1 ||
        BIO_meth_set_puts(m, BIO_meth_get_puts(sock)) != 1 ||
        BIO_meth_set_ctrl(m, BIO_meth_get_ctrl(sock)) != 1 ||
        BIO_meth_set_create(m, BIO_meth_get_create(sock)) != 1 ||
        BIO_meth_set_destroy(m, BIO_meth_get_destroy(sock)) != 1) {
        BIO_meth_free(m);
        return;
    }
    nosig_method = m;
}

/* A BIO on |fd| (not closed with the BIO) that never raises SIGPIPE. */
static BIO *nosig_bio(int fd)
{
    if (pthread_once(&nosig_once, nosig_init) != 0 || nosig_method == NULL) {
        return NULL;
    }
    BIO *b = BIO_new(nosig_method);
    if (b != NULL) {
        BIO_set_fd(b, fd, BIO_NOCLOSE);
    }
    return b;
}

ossio_status ossio__tls_new(SSL **out, SSL_CTX *ctx, int fd, const char *host, SSL_SESSION *session)
{
    *out = NULL;
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL) {
        return OSSIO_ENOMEM;
    }
    BIO *bio = nosig_bio(fd);
    if (bio == NULL) {
        SSL_free(ssl);
        ERR_clear_error();
        return OSSIO_ENOMEM;
    }
    SSL_set_bio(ssl, bio, bio); /* the SSL owns it now */
    int ok = 1;
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

ossio__tls_step ossio__tls_handshake(SSL *ssl, ossio_status *st, char *detail, size_t detail_len)
{
    ERR_clear_error();
    int rv = SSL_do_handshake(ssl);
    if (rv == 1) {
        return OSSIO__TLS_DONE;
    }
    int err = SSL_get_error(ssl, rv);
    if (err == SSL_ERROR_WANT_READ) {
        return OSSIO__TLS_WANT_READ;
    }
    if (err == SSL_ERROR_WANT_WRITE) {
        return OSSIO__TLS_WANT_WRITE;
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
    return OSSIO__TLS_FAILED;
}

const char *ossio__tls_alpn(SSL *ssl)
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

int ossio__tls_unexpected_eof(unsigned long e)
{
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
    return ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
#else
    (void)e;
    return 0; /* OpenSSL 1.1: SSL_ERROR_SYSCALL with errno 0 says it */
#endif
}

ssize_t ossio__tls_read(SSL *ssl, void *buf, size_t len, ossio_status *st)
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
    case SSL_ERROR_SSL:
        if (ossio__tls_unexpected_eof(ERR_peek_error())) {
            /* OpenSSL 3 reports a peer that closed without close_notify as an
             * SSL error (1.1 said SYSCALL with errno 0): the connection
             * dropped, as a cleartext read of 0 says. What it means for a
             * response in progress is the protocol's to decide. */
            ERR_clear_error();
            return 0;
        }
        /* fall through */
    default:
        *st = OSSIO_ETLS;
        ERR_clear_error();
        return -3;
    }
}

ssize_t ossio__tls_write(SSL *ssl, const void *buf, size_t len, ossio_status *st)
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
