/*
 * What the files of CLambdaOutbound share: the connection record, the message helper and
 * the deadline wait. Not part of the public header. Internal names start with lho_ so
 * that they never meet CLambdaSystem's lh_ names (e.g. its lh_tcp_connect) in one binary.
 */
#ifndef LH_OUTBOUND_CONNECTION_H
#define LH_OUTBOUND_CONNECTION_H

#include "lh_outbound.h"

#include <stdarg.h>

/* Longest "host:port" key of the TLS session cache (a DNS name is at most 253 bytes). */
#define LH_SESSION_KEY_SIZE 264
/* Longest "[address]:port" text of an IPv6 address with its port. */
#define LH_ADDRESS_TEXT_SIZE 64

struct lh_ssl;

struct lh_conn {
    int fd;
    /* The OpenSSL SSL object, or NULL for a plain connection. */
    struct lh_ssl *ssl;
    int resumed;
    /* Set after any read or write failure or a failed idle check: such a connection is
     * never reported reusable again. */
    int failed;
    /* Set once the TLS handshake completed: only then is the session kept resumable when
     * the connection closes. */
    int handshake_done;
    /* The peer's address as text, for messages. */
    char address[LH_ADDRESS_TEXT_SIZE];
    /* "host:port" for the session cache (TLS only). */
    char session_key[LH_SESSION_KEY_SIZE];
};

/* Writes a formatted message into the caller's buffer (NULL or size 0: nothing). */
void lho_message(char *message, size_t message_size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets *error (when not NULL) and the message; returns `code`. */
int lho_fail(int *error, int code, char *message, size_t message_size, const char *format, ...)
    __attribute__((format(printf, 5, 6)));

/* Waits until `fd` has one of `events` (POLLIN/POLLOUT) or an error, or the deadline
 * passes. Returns 1 ready, 0 at the deadline, -1 on a poll failure (errno set). */
int lho_wait_fd(int fd, short events, int64_t deadline_ms);

/* The LH_NET_* code for an errno from recv/send. */
int lho_code_for_errno(int number);

/* "a.b.c.d:port" or "[v6]:port" for a socket address. */
void lho_address_text(const struct sockaddr *address, socklen_t length, char *text, size_t size);

/* Plain TCP (tcp.c). lho_tcp_connect sets c->fd and c->address, or returns the code with
 * the message set. */
int lho_tcp_connect(lh_conn *c, const lh_addresses *addresses, int64_t deadline_ms, char *message,
                   size_t message_size);
size_t lho_tcp_write(lh_conn *c, const void *data, size_t size, int64_t deadline_ms, int *error, char *message,
                    size_t message_size);
ssize_t lho_tcp_read(lh_conn *c, void *buffer, size_t capacity, int64_t deadline_ms, int *error, char *message,
                    size_t message_size);
/* Without blocking, what waits on the socket: 0 nothing, 1 bytes, -1 EOF or an error. */
int lho_tcp_waiting(int fd);

/* TLS half of lh_conn_open: the handshake over c->fd. Returns LH_NET_OK or the code with
 * the message set. On failure c->ssl may be set; lh_conn_close frees it. */
int lho_tls_start(lh_conn *c, const char *host, uint16_t port, int64_t deadline_ms, char *message,
                 size_t message_size);
ssize_t lho_tls_read(lh_conn *c, void *buffer, size_t capacity, int64_t deadline_ms, int *error, char *message,
                    size_t message_size);
size_t lho_tls_write(lh_conn *c, const void *data, size_t size, int64_t deadline_ms, int *error, char *message,
                    size_t message_size);
int lho_tls_idle_usable(lh_conn *c);
void lho_tls_free(lh_conn *c);

#endif
