/*
 * The process's one TLS client context and its session cache (shared by tls_context.c,
 * tls_sessions.c and tls_connection.c).
 */
#ifndef LH_TLS_CONTEXT_H
#define LH_TLS_CONTEXT_H

#include "tls_library.h"

#include <stddef.h>

/* The SSL_CTX, made on the first call (pthread_once): OpenSSL loaded, the CA bundle
 * parsed, peer verification on, TLS 1.2 minimum, client sessions handed to
 * lho_tls_sessions_keep. Returns NULL with LH_NET_TLS_UNAVAILABLE's message when OpenSSL or
 * a CA bundle could not be loaded (the same answer for the whole process). */
lh_ssl_ctx *lho_tls_context(const lh_tls_functions **functions, char *message, size_t message_size);

/* The newest session kept for `key` ("host:port") with a reference the caller owns
 * (SSL_SESSION_free after SSL_set_session), or NULL. */
lh_ssl_session *lho_tls_sessions_take(const lh_tls_functions *f, const char *key);
/* Keeps `session` (the caller's reference moves in) as the newest one for `key`,
 * dropping the one it replaces or, when full, the least recently kept. */
void lho_tls_sessions_keep(const lh_tls_functions *f, const char *key, lh_ssl_session *session);
/* Drops the session kept for `key` (after a handshake that offered it failed). */
void lho_tls_sessions_forget(const lh_tls_functions *f, const char *key);

#endif
