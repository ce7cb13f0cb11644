/* One connection: resolve, connect (each address in turn), TLS handshake,
 * then bytes between the socket and the protocol chosen by ALPN. */
#ifndef OSSIO__POOL_CONN_H
#define OSSIO__POOL_CONN_H

#include "pool/pool.h"

/* Starts a new connection for |o| (counted in o->n_connecting until it is
 * ready or fails). */
ossio_status ossio__conn_open(ossio__origin *o);

/* OpenSSL's new-session callback: keeps the origin's latest session. */
int ossio__conn_new_session(SSL *ssl, SSL_SESSION *sess);

#endif /* OSSIO__POOL_CONN_H */
