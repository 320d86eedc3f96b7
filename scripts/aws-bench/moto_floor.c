#define _GNU_SOURCE
/*
 * moto's own time per GetItem (scripts/aws-bench.sh): the same request N times, each after
 * the previous answer, each on a new connection (moto's server answers
 * "Connection: close", so every client connects per request). moto does not check the
 * signature while authentication is off, so the request is signed once, by the host's
 * rules but with a fixed date; what is left per request is moto's work and loopback.
 *
 *   moto_floor PORT COUNT TABLE   -> prints "moto_us=<mean microseconds per request>"
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: moto_floor PORT COUNT TABLE\n"); return 2; }
    int port = atoi(argv[1]), count = atoi(argv[2]);
    char body[512], request[2048];
    int body_size = snprintf(body, sizeof body, "{\"TableName\":\"%s\",\"Key\":{\"id\":{\"S\":\"home\"}}}", argv[3]);
    int size = snprintf(request, sizeof request,
                        "POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Amz-Target: DynamoDB_20120810.GetItem\r\n"
                        "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Date: 20261203T000000Z\r\n"
                        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261203/us-east-1/dynamodb/aws4_request, "
                        "SignedHeaders=host;x-amz-date, Signature=0000\r\nContent-Length: %d\r\n\r\n%s",
                        port, body_size, body);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    struct timespec start, end;
    char buffer[65536];
    for (int i = -20; i < count; i++) {  /* 20 unmeasured requests first */
        if (i == 0) clock_gettime(CLOCK_MONOTONIC, &start);
        int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("connect"); return 1; }
        if (write(fd, request, (size_t)size) != size) { perror("write"); return 1; }
        size_t have = 0;
        long want = -1;
        for (;;) {
            ssize_t got = read(fd, buffer + have, sizeof buffer - have - 1);
            if (got <= 0) { fprintf(stderr, "moto closed the connection\n"); return 1; }
            have += (size_t)got;
            buffer[have] = 0;
            char *head_end = strstr(buffer, "\r\n\r\n");
            if (!head_end) continue;
            if (want < 0) {
                char *length = strcasestr(buffer, "\r\nContent-Length:");
                if (!length || length > head_end) { fprintf(stderr, "no Content-Length\n"); return 1; }
                want = (head_end + 4 - buffer) + atol(length + 17);
            }
            if ((long)have >= want) break;
        }
        close(fd);
        if (strncmp(buffer, "HTTP/1.1 200", 12) != 0 && strncmp(buffer, "HTTP/1.0 200", 12) != 0) {
            fprintf(stderr, "moto answered: %.80s\n", buffer);
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double us = ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / 1e3 / count;
    printf("moto_us=%.1f\n", us);
    return 0;
}
