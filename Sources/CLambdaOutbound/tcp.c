/*
 * Plain TCP: resolution, a non-blocking connect bounded by a deadline, and reads and
 * writes that wait with poll. Sockets stay non-blocking for their whole life, so every
 * wait is a poll with the time left and nothing can block past a deadline.
 */
#include "connection.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int64_t lh_monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int lho_wait_fd(int fd, short events, int64_t deadline_ms) {
    for (;;) {
        int64_t left = deadline_ms - lh_monotonic_ms();
        if (left <= 0) return 0;
        struct pollfd entry = {.fd = fd, .events = events};
        int ready = poll(&entry, 1, left > 0x7fffffff ? 0x7fffffff : (int)left);
        if (ready > 0) return 1;
        if (ready < 0 && errno != EINTR) return -1;
    }
}

int lho_code_for_errno(int number) {
    switch (number) {
    case ECONNRESET:
    case EPIPE:
    case ECONNABORTED:
        return LH_NET_RESET;
    case ETIMEDOUT:
        return LH_NET_TIMEOUT;
    default:
        return LH_NET_IO;
    }
}

void lho_address_text(const struct sockaddr *address, socklen_t length, char *text, size_t size) {
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (address->sa_family == AF_INET && length >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)address;
        inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
        port = ntohs(v4->sin_port);
        snprintf(text, size, "%s:%u", host, port);
    } else if (address->sa_family == AF_INET6 && length >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)address;
        inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
        port = ntohs(v6->sin6_port);
        snprintf(text, size, "[%s]:%u", host, port);
    } else {
        snprintf(text, size, "(address family %d)", address->sa_family);
    }
}

/* One connect attempt. Returns the socket, or -1 with *failure = errno (ETIMEDOUT when
 * the deadline passed). */
static int connect_one(const struct sockaddr *address, socklen_t length, int64_t deadline_ms, int *failure) {
    int fd = socket(address->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0) {
        *failure = errno;
        return -1;
    }
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (connect(fd, address, length) == 0) return fd;
    if (errno != EINPROGRESS && errno != EINTR) {
        *failure = errno;
        close(fd);
        return -1;
    }
    int ready = lho_wait_fd(fd, POLLOUT, deadline_ms);
    if (ready <= 0) {
        *failure = ready == 0 ? ETIMEDOUT : errno;
        close(fd);
        return -1;
    }
    int problem = 0;
    socklen_t size = sizeof problem;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &problem, &size) != 0) problem = errno;
    if (problem != 0) {
        *failure = problem;
        close(fd);
        return -1;
    }
    return fd;
}

/* The least time an address that is not the last is given (Go's "sane minimum"), unless
 * less than that is left in all. */
#define LHO_CONNECT_SHARE_MIN_MS 2000

/* When the attempt on one of `left` remaining addresses must give up: an equal share of
 * the time left, at least LHO_CONNECT_SHARE_MIN_MS, so that one dead address (no answer
 * to its SYN) cannot use up the whole budget before a live one is tried. */
static int64_t partial_deadline(int64_t deadline_ms, int left) {
    int64_t now = lh_monotonic_ms();
    int64_t remaining = deadline_ms - now;
    if (left <= 1 || remaining <= 0) return deadline_ms;
    int64_t share = remaining / left;
    if (share < LHO_CONNECT_SHARE_MIN_MS) share = remaining < LHO_CONNECT_SHARE_MIN_MS ? remaining : LHO_CONNECT_SHARE_MIN_MS;
    return now + share;
}

int lho_tcp_connect(lh_conn *c, const lh_addresses *addresses, int64_t deadline_ms, char *message,
                   size_t message_size) {
    int refused = 0;
    int last_failure = 0;
    int count = addresses->count < 8 ? addresses->count : 8;
    char last_address[LH_ADDRESS_TEXT_SIZE] = "";
    for (int index = 0; index < count; index++) {
        const struct sockaddr *address = (const struct sockaddr *)&addresses->address[index];
        lho_address_text(address, addresses->length[index], c->address, sizeof c->address);
        int failure = 0;
        int fd = connect_one(address, addresses->length[index], partial_deadline(deadline_ms, count - index), &failure);
        if (fd >= 0) {
            c->fd = fd;
            return LH_NET_OK;
        }
        if (failure == ECONNREFUSED) refused += 1;
        last_failure = failure;
        memcpy(last_address, c->address, sizeof last_address);
        if (lh_monotonic_ms() >= deadline_ms) break;
    }
    if (addresses->count <= 0) {
        lho_message(message, message_size, "no address to connect to");
        return LH_NET_CONNECT;
    }
    if (last_failure == ETIMEDOUT) {
        lho_message(message, message_size, "%s: connect timed out", last_address);
        return LH_NET_TIMEOUT;
    }
    lho_message(message, message_size, "%s: connect failed: %s", last_address, strerror(last_failure));
    return refused == addresses->count ? LH_NET_REFUSED : LH_NET_CONNECT;
}

size_t lho_tcp_write(lh_conn *c, const void *data, size_t size, int64_t deadline_ms, int *error, char *message,
                    size_t message_size) {
    size_t done = 0;
    while (done < size) {
        ssize_t sent = send(c->fd, (const char *)data + done, size - done, MSG_NOSIGNAL);
        if (sent >= 0) {
            done += (size_t)sent;
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            int ready = lho_wait_fd(c->fd, POLLOUT, deadline_ms);
            if (ready > 0) continue;
            if (ready == 0) {
                lho_fail(error, LH_NET_TIMEOUT, message, message_size, "%s: write timed out after %zu of %zu bytes",
                            c->address, done, size);
                return done;
            }
        }
        int number = errno;
        lho_fail(error, lho_code_for_errno(number), message, message_size, "%s: write failed: %s", c->address,
                    strerror(number));
        return done;
    }
    return done;
}

ssize_t lho_tcp_read(lh_conn *c, void *buffer, size_t capacity, int64_t deadline_ms, int *error, char *message,
                    size_t message_size) {
    for (;;) {
        ssize_t got = recv(c->fd, buffer, capacity, 0);
        if (got >= 0) return got;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            int ready = lho_wait_fd(c->fd, POLLIN, deadline_ms);
            if (ready > 0) continue;
            if (ready == 0) {
                lho_fail(error, LH_NET_TIMEOUT, message, message_size, "%s: read timed out", c->address);
                return -1;
            }
        }
        int number = errno;
        lho_fail(error, lho_code_for_errno(number), message, message_size, "%s: read failed: %s", c->address,
                    strerror(number));
        return -1;
    }
}

int lho_tcp_waiting(int fd) {
    char byte;
    ssize_t got = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (got > 0) return 1;
    return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
}
