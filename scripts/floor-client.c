/*
 * floor-client: the project's own floor for the benchmarks. The least any Lambda runtime
 * must do per invocation: on one keep-alive TCP connection, GET /next, then POST the event
 * back unchanged as the response. No handler, no JSON, no context: what it reaches
 * against the Runtime API simulator (Tests/Fixtures/lambda-service-sim.c) is the limit of
 * this machine and that simulator, which every other client is measured against.
 *
 *   cc -O2 -o floor-client scripts/floor-client.c
 *   lambda-service-sim --count 20000 --payload 100 --echo -- ./floor-client
 *
 * Exits 0 when the simulator closes the connection, 1 on a reply it cannot read.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* Bytes read from the connection and not yet consumed: [start, end) of data. */
struct input {
    int fd;
    char data[(6 << 20) + 64 * 1024];
    size_t start, end;
};

static struct input in;

/* Reads more; 0 once the peer has closed. Moves what is left to the front first. */
static int more(void) {
    if (in.start > 0) {
        memmove(in.data, in.data + in.start, in.end - in.start);
        in.end -= in.start;
        in.start = 0;
    }
    if (in.end == sizeof in.data) return 0;
    ssize_t got = read(in.fd, in.data + in.end, sizeof in.data - in.end);
    if (got <= 0) return 0;
    in.end += (size_t)got;
    return 1;
}

/* One HTTP reply's head and body, as offsets into in.data. */
struct reply {
    size_t head, head_length, body, body_length;
};

/* The value of header `name` (with its ':') in the head, or NULL; `length` gets its size. */
static const char *header(const struct reply *r, const char *name, size_t *length) {
    size_t name_length = strlen(name);
    const char *line = in.data + r->head;
    const char *stop = line + r->head_length;
    while (line < stop) {
        const char *eol = memmem(line, (size_t)(stop - line), "\r\n", 2);
        if (eol == NULL) eol = stop;
        if ((size_t)(eol - line) > name_length && strncasecmp(line, name, name_length) == 0) {
            const char *value = line + name_length;
            while (value < eol && (*value == ' ' || *value == '\t')) value++;
            *length = (size_t)(eol - value);
            return value;
        }
        line = eol + 2;
    }
    return NULL;
}

/* Reads one whole reply (head, then Content-Length bytes); 0 if the peer closed. */
static int read_reply(struct reply *r) {
    const char *blank;
    while ((blank = memmem(in.data + in.start, in.end - in.start, "\r\n\r\n", 4)) == NULL)
        if (!more()) return 0;
    r->head = in.start;
    r->head_length = (size_t)(blank - (in.data + in.start)) + 2;
    size_t length_size = 0;
    const char *length = header(r, "Content-Length:", &length_size);
    r->body_length = length ? strtoul(length, NULL, 10) : 0;
    size_t body_offset = r->head_length + 2;
    while (in.end - in.start < body_offset + r->body_length) {
        if (!more()) return 0;
        /* more() may have moved the data to the front. */
        r->head = in.start;
    }
    r->body = in.start + body_offset;
    return 1;
}

static void consume(const struct reply *r) { in.start = r->body + r->body_length; }

static int send_all(const struct iovec *parts, int count) {
    size_t total = 0;
    for (int i = 0; i < count; i++) total += parts[i].iov_len;
    return writev(in.fd, parts, count) == (ssize_t)total;
}

int main(void) {
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    char host[64];
    unsigned port;
    if (api == NULL || sscanf(api, "%63[^:]:%u", host, &port) != 2) {
        fprintf(stderr, "floor-client: AWS_LAMBDA_RUNTIME_API must be HOST:PORT\n");
        return 1;
    }
    in.fd = socket(AF_INET, SOCK_STREAM, 0);
    int on = 1;
    setsockopt(in.fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1 || connect(in.fd, (struct sockaddr *)&address, sizeof address) != 0) {
        perror("floor-client: connect");
        return 1;
    }
    static char next[] = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: runtime\r\n\r\n";
    for (;;) {
        struct iovec ask = {next, sizeof next - 1};
        if (!send_all(&ask, 1)) return 0;
        struct reply event;
        if (!read_reply(&event)) return 0;
        size_t id_length = 0;
        const char *id = header(&event, "Lambda-Runtime-Aws-Request-Id:", &id_length);
        if (id == NULL || id_length > 128) return 1;
        char head[256];
        int head_length = snprintf(head, sizeof head,
                                   "POST /2018-06-01/runtime/invocation/%.*s/response HTTP/1.1\r\nHost: runtime\r\n"
                                   "Content-Length: %zu\r\n\r\n",
                                   (int)id_length, id, event.body_length);
        struct iovec answer[2] = {{head, (size_t)head_length}, {in.data + event.body, event.body_length}};
        if (!send_all(answer, 2)) return 0;
        consume(&event);
        struct reply accepted;
        if (!read_reply(&accepted)) return 0;
        consume(&accepted);
    }
}
