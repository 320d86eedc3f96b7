/*
 * The public connection calls: they pick the plain or the TLS path, and keep the
 * "failed" mark so that a connection that failed once is never handed out as reusable.
 */
#include "connection.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void lho_message(char *message, size_t message_size, const char *format, ...) {
    if (message == NULL || message_size == 0) return;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, message_size, format, arguments);
    va_end(arguments);
}

int lho_fail(int *error, int code, char *message, size_t message_size, const char *format, ...) {
    if (error != NULL) *error = code;
    if (message != NULL && message_size > 0) {
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(message, message_size, format, arguments);
        va_end(arguments);
    }
    return code;
}

lh_conn *lh_conn_open(const lh_addresses *addresses, const char *tls_host, uint16_t port, int64_t deadline_ms,
                      int *error, char *message, size_t message_size) {
    if (addresses == NULL) {
        lho_fail(error, LH_NET_CONNECT, message, message_size, "no address to connect to");
        return NULL;
    }
    lh_conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        lho_fail(error, LH_NET_IO, message, message_size, "out of memory for a connection");
        return NULL;
    }
    c->fd = -1;
    int code = lho_tcp_connect(c, addresses, deadline_ms, message, message_size);
    if (code == LH_NET_OK && tls_host != NULL) code = lho_tls_start(c, tls_host, port, deadline_ms, message, message_size);
    if (code != LH_NET_OK) {
        c->failed = 1;
        lh_conn_close(c);
        if (error != NULL) *error = code;
        return NULL;
    }
    if (error != NULL) *error = LH_NET_OK;
    return c;
}

size_t lh_conn_write(lh_conn *c, const void *data, size_t size, int64_t deadline_ms, int *error, char *message,
                     size_t message_size) {
    if (c == NULL || (data == NULL && size > 0)) {
        lho_fail(error, LH_NET_IO, message, message_size, "write on no connection or from no buffer");
        return 0;
    }
    int code = LH_NET_OK;
    size_t done = c->ssl != NULL ? lho_tls_write(c, data, size, deadline_ms, &code, message, message_size)
                                 : lho_tcp_write(c, data, size, deadline_ms, &code, message, message_size);
    if (done < size) c->failed = 1;
    if (error != NULL) *error = done < size ? code : LH_NET_OK;
    return done;
}

ssize_t lh_conn_read(lh_conn *c, void *buffer, size_t capacity, int64_t deadline_ms, int *error, char *message,
                     size_t message_size) {
    if (c == NULL || buffer == NULL || capacity == 0) {
        lho_fail(error, LH_NET_IO, message, message_size, "read on no connection or into no buffer");
        return -1;
    }
    ssize_t got = c->ssl != NULL ? lho_tls_read(c, buffer, capacity, deadline_ms, error, message, message_size)
                                 : lho_tcp_read(c, buffer, capacity, deadline_ms, error, message, message_size);
    if (got < 0) c->failed = 1;
    return got;
}

int lh_conn_idle_usable(lh_conn *c) {
    if (c == NULL || c->failed) return 0;
    int usable = c->ssl != NULL ? lho_tls_idle_usable(c) : lho_tcp_waiting(c->fd) == 0;
    if (!usable) c->failed = 1;
    return usable;
}

int lh_conn_is_tls(const lh_conn *c) { return c != NULL && c->ssl != NULL; }

int lh_conn_resumed(const lh_conn *c) { return c != NULL && c->resumed; }

void lh_conn_close(lh_conn *c) {
    if (c == NULL) return;
    if (c->ssl != NULL) lho_tls_free(c);
    if (c->fd >= 0) close(c->fd);
    free(c);
}
