/*
 * HTTPAnswers (test fixture, compiled by the tests that use it): answers an HTTP API /
 * function URL event (payload 2.0 or 1.0) by the path it carries, to exercise what
 * `serve --http` makes of each kind of answer:
 *   .../status   status 201 with headers, multiValueHeaders and cookies, body "created"
 *   .../mirror   the request's body, sent back with isBase64Encoded (the bytes as they came)
 *   .../event    status 200 with the event itself as the body (in base64), to show it
 *   .../stream   a streamed function URL answer: status 202, headers, a cookie, "first\n";
 *                then, once the file the request's X-Marker header names exists (at most
 *                30 s), "second\n"; "no marker\n" if it never came
 *   .../fail     a function error
 *   .../cut      a streamed answer (status 200) that fails after "partial"
 *   .../raw      the request's body (sent in base64: a binary Content-Type) as the answer,
 *                byte for byte, to send what a careless plugin would
 *   .../rawstream  the same bytes as a stream with the function URL Content-Type
 *   otherwise    the JSON answer {"plain":true}, which has no statusCode
 */
#define _GNU_SOURCE
#include <lambda_plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

LAMBDA_PLUGIN_DEFINE("http-answers", "1.0.0", NULL, NULL)

/* Whether the event's path (2.0 rawPath or 1.0 path) ends with `suffix`. */
static int path_ends_with(const lambda_invocation *inv, const char *suffix) {
    const char *keys[] = {"\"rawPath\":\"", "\"path\":\""};
    for (int k = 0; k < 2; k++) {
        const char *start = memmem(inv->payload, inv->payload_size, keys[k], strlen(keys[k]));
        if (start == NULL) continue;
        start += strlen(keys[k]);
        const char *end = memchr(start, '"', (size_t)((const char *)inv->payload + inv->payload_size - start));
        size_t n = strlen(suffix);
        if (end != NULL && (size_t)(end - start) >= n && memcmp(end - n, suffix, n) == 0) return 1;
    }
    return 0;
}

static lambda_status mirror(const lambda_invocation *inv) {
    const char *key = "\"body\":\"";
    const char *start = memmem(inv->payload, inv->payload_size, key, strlen(key));
    if (start == NULL) return inv->host->fail(inv, "HTTPAnswers.NoBody", "the event has no body");
    start += strlen(key);
    const char *end = memchr(start, '"', (size_t)((const char *)inv->payload + inv->payload_size - start));
    if (end == NULL) return inv->host->fail(inv, "HTTPAnswers.NoBody", "the body does not end");
    const char *head = "{\"statusCode\":200,\"headers\":{\"Content-Type\":\"application/octet-stream\"},\"isBase64Encoded\":true,\"body\":\"";
    size_t size = strlen(head) + (size_t)(end - start) + 2;
    char *answer = malloc(size);
    if (answer == NULL) return inv->host->fail(inv, "HTTPAnswers.Memory", "out of memory");
    memcpy(answer, head, strlen(head));
    memcpy(answer + strlen(head), start, (size_t)(end - start));
    memcpy(answer + size - 2, "\"}", 2);
    lambda_status status = inv->host->respond(inv, answer, size);
    free(answer);
    return status;
}

/* The value of the string member `key` (`"name":"`), copied into `out`; "" if absent. */
static void member(const lambda_invocation *inv, const char *key, char *out, size_t size) {
    out[0] = 0;
    const char *start = memmem(inv->payload, inv->payload_size, key, strlen(key));
    if (start == NULL) return;
    start += strlen(key);
    const char *end = memchr(start, '"', (size_t)((const char *)inv->payload + inv->payload_size - start));
    if (end == NULL || (size_t)(end - start) >= size) return;
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = 0;
}

static lambda_status event(const lambda_invocation *inv) {
    static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *head = "{\"statusCode\":200,\"headers\":{\"Content-Type\":\"application/json\"},\"isBase64Encoded\":true,\"body\":\"";
    const unsigned char *in = (const unsigned char *)inv->payload;
    size_t n = inv->payload_size, size = strlen(head) + (n + 2) / 3 * 4 + 2, at = strlen(head);
    char *answer = malloc(size);
    if (answer == NULL) return inv->host->fail(inv, "HTTPAnswers.Memory", "out of memory");
    memcpy(answer, head, at);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        answer[at++] = table[v >> 18 & 63];
        answer[at++] = table[v >> 12 & 63];
        answer[at++] = i + 1 < n ? table[v >> 6 & 63] : '=';
        answer[at++] = i + 2 < n ? table[v & 63] : '=';
    }
    memcpy(answer + at, "\"}", 2);
    lambda_status status = inv->host->respond(inv, answer, size);
    free(answer);
    return status;
}

static lambda_status stream(const lambda_invocation *inv) {
    lambda_status status = lambda_stream_http_begin(inv, 202, "{\"Content-Type\":\"text/plain\",\"X-Stream\":\"yes\"}", "[\"c=1; Path=/\"]");
    if (status != LAMBDA_OK) return status;
    status = inv->host->stream_write(inv, "first\n", 6);
    if (status != LAMBDA_OK) return status;
    char marker[512];
    member(inv, "\"x-marker\":\"", marker, sizeof marker);
    int seen = 0;
    struct timespec tick = {0, 5 * 1000 * 1000};
    for (int i = 0; i < 6000 && marker[0] && !(seen = access(marker, F_OK) == 0); i++) nanosleep(&tick, NULL);
    status = seen ? inv->host->stream_write(inv, "second\n", 7) : inv->host->stream_write(inv, "no marker\n", 10);
    if (status != LAMBDA_OK) return status;
    return inv->host->stream_end(inv);
}

/* The request's body, base64-decoded, into a new buffer (NULL if none); its size in `size`. */
static char *raw_body(const lambda_invocation *inv, size_t *size) {
    const char *key = "\"body\":\"";
    const char *start = memmem(inv->payload, inv->payload_size, key, strlen(key));
    *size = 0;
    if (start == NULL) return NULL;
    start += strlen(key);
    const char *stop = (const char *)inv->payload + inv->payload_size;
    char *out = malloc(inv->payload_size);
    if (out == NULL) return NULL;
    unsigned value = 0;
    int bits = 0;
    for (const char *c = start; c < stop && *c != '"'; c++) {
        const char *at = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", *c);
        if (at == NULL || *c == 0) continue;
        value = value << 6 | (unsigned)(at - "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[(*size)++] = (char)(value >> bits & 0xFF);
        }
    }
    return out;
}

static lambda_status raw(const lambda_invocation *inv, int streamed) {
    size_t size;
    char *bytes = raw_body(inv, &size);
    if (bytes == NULL) return inv->host->fail(inv, "HTTPAnswers.NoBody", "send the answer as a binary body");
    lambda_status status;
    if (streamed) {
        status = inv->host->stream_begin(inv, LAMBDA_HTTP_INTEGRATION_CONTENT_TYPE);
        if (status == LAMBDA_OK) status = inv->host->stream_write(inv, bytes, size);
        if (status == LAMBDA_OK) status = inv->host->stream_end(inv);
    } else {
        status = inv->host->respond(inv, bytes, size);
    }
    free(bytes);
    return status;
}

LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) {
    if (path_ends_with(inv, "/status")) {
        static const char answer[] =
            "{\"statusCode\":201,\"headers\":{\"Content-Type\":\"text/plain\",\"X-Probe\":\"yes\"},"
            "\"multiValueHeaders\":{\"X-Many\":[\"a\",\"b\"]},\"cookies\":[\"s=1; Path=/\",\"t=2; HttpOnly\"],\"body\":\"created\"}";
        return inv->host->respond(inv, answer, sizeof answer - 1);
    }
    if (path_ends_with(inv, "/mirror")) return mirror(inv);
    if (path_ends_with(inv, "/stream")) return stream(inv);
    if (path_ends_with(inv, "/event")) return event(inv);
    if (path_ends_with(inv, "/raw")) return raw(inv, 0);
    if (path_ends_with(inv, "/rawstream")) return raw(inv, 1);
    if (path_ends_with(inv, "/cut")) {
        lambda_status status = lambda_stream_http_begin(inv, 200, "{\"Content-Type\":\"text/plain\"}", NULL);
        if (status == LAMBDA_OK) status = inv->host->stream_write(inv, "partial", 7);
        if (status != LAMBDA_OK) return status;
        return inv->host->fail(inv, "HTTPAnswers.Cut", "failed in the middle of the stream");
    }
    if (path_ends_with(inv, "/fail")) return inv->host->fail(inv, "HTTPAnswers.Failed", "asked to fail");
    static const char plain[] = "{\"plain\":true}";
    return inv->host->respond(inv, plain, sizeof plain - 1);
}
