/*
 * TLS over a connected non-blocking socket: the handshake (SNI, host name or IP
 * verification, resumption), reads, writes and the idle check. Every OpenSSL call is
 * non-blocking; WANT_READ / WANT_WRITE become a poll with the time left.
 */
#include "connection.h"
#include "tls_context.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* OpenSSL writes with write(2), which raises SIGPIPE on a closed peer. Blocking SIGPIPE on
 * this thread around the call, then taking back a SIGPIPE the call caused, keeps the
 * process alive without touching the process-wide disposition (which a plugin may own).
 * Costs two pthread_sigmask calls per OpenSSL call; a thread that blocks SIGPIPE already
 * pays nothing more. */
struct sigpipe_guard {
    sigset_t previous;
    int was_blocked;
};

static void sigpipe_block(struct sigpipe_guard *guard) {
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &guard->previous);
    guard->was_blocked = sigismember(&guard->previous, SIGPIPE);
}

static void sigpipe_restore(struct sigpipe_guard *guard, int failed) {
    if (guard->was_blocked) return;
    if (failed) {
        /* SIGPIPE was unblocked before, so none was pending then: one pending now is ours. */
        sigset_t pending;
        if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
            sigset_t pipe_only;
            sigemptyset(&pipe_only);
            sigaddset(&pipe_only, SIGPIPE);
            struct timespec none = {0, 0};
            while (sigtimedwait(&pipe_only, NULL, &none) < 0 && errno == EINTR) {
            }
        }
    }
    pthread_sigmask(SIG_SETMASK, &guard->previous, NULL);
}

/* Whether an SSL_get_error answer ended the call for good (not success, not "wait"). */
static int ended(int failure) {
    return failure != 0 && failure != LH_SSL_ERROR_WANT_READ && failure != LH_SSL_ERROR_WANT_WRITE;
}

static int is_ip_literal(const char *host) {
    unsigned char buffer[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, buffer) == 1 || inet_pton(AF_INET6, host, buffer) == 1;
}

/* The system error behind an SSL_ERROR_SYSCALL or SSL_ERROR_SSL: OpenSSL 3 records it in
 * its queue; errno is the fallback. 0 when the peer closed without an error. */
static int system_error(const lh_tls_functions *f, int saved_errno) {
    unsigned long code = f->ERR_peek_error();
    if (code & LH_ERR_SYSTEM_FLAG) return (int)(code & ~LH_ERR_SYSTEM_FLAG);
    return saved_errno;
}

static const char *openssl_reason(const lh_tls_functions *f) {
    unsigned long code = f->ERR_peek_error();
    const char *reason = code != 0 && !(code & LH_ERR_SYSTEM_FLAG) ? f->ERR_reason_error_string(code) : NULL;
    return reason != NULL ? reason : "no reason given";
}

static int verification_failure(const lh_tls_functions *f, lh_conn *c, const char *host, char *message,
                                size_t message_size) {
    long result = f->SSL_get_verify_result(c->ssl);
    const char *reason = f->X509_verify_cert_error_string(result);
    const char *detail = "";
    if (result == LH_X509_V_ERR_HOSTNAME_MISMATCH) detail = ": the certificate's names do not match the host name";
    if (result == LH_X509_V_ERR_IP_ADDRESS_MISMATCH) detail = ": the certificate's addresses do not match the address";
    lho_message(message, message_size, "%s: TLS certificate of %s not accepted: %s%s", c->address, host,
                   reason != NULL ? reason : "unknown verification error", detail);
    return LH_NET_TLS_VERIFY;
}

int lho_tls_start(lh_conn *c, const char *host, uint16_t port, int64_t deadline_ms, char *message,
                 size_t message_size) {
    const lh_tls_functions *f = NULL;
    lh_ssl_ctx *context = lho_tls_context(&f, message, message_size);
    if (context == NULL) return LH_NET_TLS_UNAVAILABLE;
    if (snprintf(c->session_key, sizeof c->session_key, "%s:%u", host, (unsigned)port) >=
        (int)sizeof c->session_key) {
        lho_message(message, message_size, "TLS host name too long (%zu bytes)", strlen(host));
        return LH_NET_TLS_HANDSHAKE;
    }
    f->ERR_clear_error();
    c->ssl = f->SSL_new(context);
    if (c->ssl == NULL || f->SSL_set_fd(c->ssl, c->fd) != 1 || f->SSL_set_ex_data(c->ssl, 0, c) != 1) {
        lho_message(message, message_size, "%s: TLS setup failed: %s", c->address, openssl_reason(f));
        return LH_NET_TLS_HANDSHAKE;
    }
    /* RFC 6066 allows no IP literal in SNI; an address is checked against the
     * certificate's IP entries instead of its DNS names. */
    int named = is_ip_literal(host) ? f->X509_VERIFY_PARAM_set1_ip_asc(f->SSL_get0_param(c->ssl), host)
                                    : f->SSL_ctrl(c->ssl, LH_SSL_CTRL_SET_TLSEXT_HOSTNAME,
                                                  LH_TLSEXT_NAMETYPE_HOST_NAME, (void *)host) == 1 &&
                                          f->SSL_set1_host(c->ssl, host) == 1;
    if (!named) {
        lho_message(message, message_size, "%s: TLS host name %s could not be set: %s", c->address, host,
                       openssl_reason(f));
        return LH_NET_TLS_HANDSHAKE;
    }
    lh_ssl_session *offered = lho_tls_sessions_take(f, c->session_key);
    if (offered != NULL) {
        f->SSL_set_session(c->ssl, offered);
        f->SSL_SESSION_free(offered);
    }
    for (;;) {
        f->ERR_clear_error();
        struct sigpipe_guard guard;
        sigpipe_block(&guard);
        errno = 0;
        int result = f->SSL_connect(c->ssl);
        int saved_errno = errno;
        int failure = result == 1 ? 0 : f->SSL_get_error(c->ssl, result);
        sigpipe_restore(&guard, ended(failure));
        if (failure == 0) break;
        if (failure == LH_SSL_ERROR_WANT_READ || failure == LH_SSL_ERROR_WANT_WRITE) {
            int ready = lho_wait_fd(c->fd, failure == LH_SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline_ms);
            if (ready > 0) continue;
            if (offered != NULL) lho_tls_sessions_forget(f, c->session_key);
            if (ready == 0) {
                lho_message(message, message_size, "%s: TLS handshake with %s timed out", c->address, host);
                return LH_NET_TIMEOUT;
            }
            lho_message(message, message_size, "%s: TLS handshake failed: %s", c->address, strerror(errno));
            return LH_NET_TLS_HANDSHAKE;
        }
        if (offered != NULL) lho_tls_sessions_forget(f, c->session_key);
        if (f->SSL_get_verify_result(c->ssl) != LH_X509_V_OK) {
            return verification_failure(f, c, host, message, message_size);
        }
        int number = system_error(f, saved_errno);
        if (failure == LH_SSL_ERROR_SYSCALL || (number != 0 && (f->ERR_peek_error() & LH_ERR_SYSTEM_FLAG))) {
            lho_message(message, message_size, "%s: connection %s during the TLS handshake with %s", c->address,
                           number != 0 ? strerror(number) : "closed by the peer", host);
        } else {
            lho_message(message, message_size, "%s: TLS handshake with %s failed: %s", c->address, host,
                           openssl_reason(f));
        }
        return LH_NET_TLS_HANDSHAKE;
    }
    c->handshake_done = 1;
    c->resumed = f->SSL_session_reused(c->ssl) == 1;
    return LH_NET_OK;
}

/* The code and message for a failed SSL_read or SSL_write (not WANT_*). */
static int io_failure(const lh_tls_functions *f, lh_conn *c, int failure, int saved_errno, const char *what,
                      char *message, size_t message_size) {
    unsigned long code = f->ERR_peek_error();
    /* After the peer's close_notify OpenSSL answers ZERO_RETURN even for a write that
     * failed with EPIPE: either way the peer has closed. */
    if (failure == LH_SSL_ERROR_ZERO_RETURN) {
        lho_message(message, message_size, "%s: TLS %s failed: the peer closed the connection%s%s", c->address, what,
                    saved_errno != 0 ? ": " : "", saved_errno != 0 ? strerror(saved_errno) : "");
        return LH_NET_RESET;
    }
    if (failure == LH_SSL_ERROR_SSL && !(code & LH_ERR_SYSTEM_FLAG) &&
        (code & LH_ERR_REASON_MASK) == LH_SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        lho_message(message, message_size, "%s: the peer closed the connection without TLS close_notify",
                       c->address);
        return LH_NET_RESET;
    }
    int number = system_error(f, saved_errno);
    if (failure == LH_SSL_ERROR_SYSCALL || (code & LH_ERR_SYSTEM_FLAG)) {
        if (number == 0) {
            lho_message(message, message_size, "%s: the peer closed the connection during a TLS %s", c->address,
                           what);
            return LH_NET_RESET;
        }
        lho_message(message, message_size, "%s: TLS %s failed: %s", c->address, what, strerror(number));
        return lho_code_for_errno(number);
    }
    lho_message(message, message_size, "%s: TLS %s failed: %s", c->address, what, openssl_reason(f));
    return LH_NET_IO;
}

ssize_t lho_tls_read(lh_conn *c, void *buffer, size_t capacity, int64_t deadline_ms, int *error, char *message,
                    size_t message_size) {
    const lh_tls_functions *f = lho_tls_library_loaded();
    int size = capacity > INT_MAX ? INT_MAX : (int)capacity;
    for (;;) {
        f->ERR_clear_error();
        struct sigpipe_guard guard;
        sigpipe_block(&guard);
        errno = 0;
        int got = f->SSL_read(c->ssl, buffer, size);
        int saved_errno = errno;
        int failure = got > 0 ? 0 : f->SSL_get_error(c->ssl, got);
        sigpipe_restore(&guard, ended(failure));
        if (failure == 0) return got;
        if (failure == LH_SSL_ERROR_ZERO_RETURN) return 0;
        if (failure == LH_SSL_ERROR_WANT_READ || failure == LH_SSL_ERROR_WANT_WRITE) {
            int ready = lho_wait_fd(c->fd, failure == LH_SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline_ms);
            if (ready > 0) continue;
            if (ready == 0) {
                lho_fail(error, LH_NET_TIMEOUT, message, message_size, "%s: read timed out", c->address);
            } else {
                int number = errno;
                lho_fail(error, LH_NET_IO, message, message_size, "%s: read failed: %s", c->address,
                            strerror(number));
            }
            return -1;
        }
        int code = io_failure(f, c, failure, saved_errno, "read", message, message_size);
        if (error != NULL) *error = code;
        return -1;
    }
}

size_t lho_tls_write(lh_conn *c, const void *data, size_t size, int64_t deadline_ms, int *error, char *message,
                    size_t message_size) {
    const lh_tls_functions *f = lho_tls_library_loaded();
    size_t done = 0;
    while (done < size) {
        size_t left = size - done;
        int chunk = left > INT_MAX ? INT_MAX : (int)left;
        f->ERR_clear_error();
        struct sigpipe_guard guard;
        sigpipe_block(&guard);
        /* After WANT_WRITE OpenSSL needs the same call again; `done` moves only on
         * success, so the retry repeats it exactly. */
        errno = 0;
        int written = f->SSL_write(c->ssl, (const char *)data + done, chunk);
        int saved_errno = errno;
        int failure = written > 0 ? 0 : f->SSL_get_error(c->ssl, written);
        sigpipe_restore(&guard, ended(failure));
        if (failure == 0) {
            done += (size_t)written;
            continue;
        }
        if (failure == LH_SSL_ERROR_WANT_READ || failure == LH_SSL_ERROR_WANT_WRITE) {
            int ready = lho_wait_fd(c->fd, failure == LH_SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline_ms);
            if (ready > 0) continue;
            if (ready == 0) {
                lho_fail(error, LH_NET_TIMEOUT, message, message_size, "%s: write timed out after %zu of %zu bytes",
                            c->address, done, size);
            } else {
                int number = errno;
                lho_fail(error, LH_NET_IO, message, message_size, "%s: write failed: %s", c->address,
                            strerror(number));
            }
            return done;
        }
        int code = io_failure(f, c, failure, saved_errno, "write", message, message_size);
        if (error != NULL) *error = code;
        return done;
    }
    return done;
}

int lho_tls_idle_usable(lh_conn *c) {
    const lh_tls_functions *f = lho_tls_library_loaded();
    if (f->SSL_pending(c->ssl) > 0) return 0;
    int waiting = lho_tcp_waiting(c->fd);
    if (waiting <= 0) return waiting == 0;
    /* Records arrived while idle. TLS 1.3 servers send session tickets after the
     * handshake; OpenSSL processes them (and keeps the tickets through the new-session
     * callback) inside SSL_read, which then finds no application data and wants more. */
    for (;;) {
        char byte;
        f->ERR_clear_error();
        struct sigpipe_guard guard;
        sigpipe_block(&guard);
        int got = f->SSL_read(c->ssl, &byte, 1);
        int failure = got > 0 ? 0 : f->SSL_get_error(c->ssl, got);
        sigpipe_restore(&guard, ended(failure));
        f->ERR_clear_error();
        /* Application data while idle (e.g. a 408 before a close): the next response
         * would start in the middle of it. */
        if (failure == 0) return 0;
        return failure == LH_SSL_ERROR_WANT_READ || failure == LH_SSL_ERROR_WANT_WRITE;
    }
}

void lho_tls_free(lh_conn *c) {
    const lh_tls_functions *f = lho_tls_library_loaded();
    if (f == NULL || c->ssl == NULL) return;
    /* OpenSSL marks the session of a connection freed without a shutdown as not
     * resumable; saying the shutdown happened (nothing is sent) keeps it for the next
     * connection, which is the point of pooling it. A failed handshake has no session to keep. */
    if (c->handshake_done) f->SSL_set_shutdown(c->ssl, LH_SSL_SENT_SHUTDOWN | LH_SSL_RECEIVED_SHUTDOWN);
    f->SSL_free(c->ssl);
    c->ssl = NULL;
}
