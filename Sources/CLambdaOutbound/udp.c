/*
 * Datagrams to the X-Ray daemon. The socket is connect()ed once, so each send is one
 * send(2) with no address, and it never blocks: a daemon that is slow, absent or flooded
 * costs the caller a failed send, never a wait.
 */
#include "connection.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int lh_udp_address(const char *host, uint16_t port, struct sockaddr_storage *out, socklen_t *length) {
    memset(out, 0, sizeof *out);
    struct sockaddr_in *v4 = (struct sockaddr_in *)out;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        *length = sizeof *v4;
        return 1;
    }
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        *length = sizeof *v6;
        return 1;
    }
    memset(out, 0, sizeof *out);
    return 0;
}

int lh_udp_open(const struct sockaddr_storage *address, socklen_t length, int *error) {
    int fd = socket(address->ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        *error = errno;
        return -1;
    }
    /* connect() on UDP sends nothing: it fixes the peer, so sends need no address. */
    if (connect(fd, (const struct sockaddr *)address, length) != 0) {
        *error = errno;
        close(fd);
        return -1;
    }
    *error = 0;
    return fd;
}

int lh_udp_send(int fd, const void *data, size_t size) {
    for (;;) {
        ssize_t sent = send(fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (sent == (ssize_t)size) return 0;
        if (sent >= 0) return EMSGSIZE; /* a datagram goes whole or not at all */
        if (errno != EINTR) return errno;
    }
}
