/*
 * WordStream: streams the words of {"sentence": "...", "delay_ms": 500} one by one, as
 * JSON lines {"word": ..., "index": ..., "total": ...}, pausing delay_ms (default 500)
 * between them. Each line reaches the caller as it is written.
 *
 *   _HANDLER=libWordStream.so
 */
#include <lambda_plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

LAMBDA_PLUGIN_DEFINE("word-stream", "1.0.0", NULL, NULL)

/* Finds "key" in a flat JSON object and returns a pointer just past its colon. */
static const char *value_of(const char *json, size_t size, const char *key) {
    size_t length = strlen(key);
    for (size_t i = 0; i + length + 2 < size; i++) {
        if (json[i] == '"' && memcmp(json + i + 1, key, length) == 0 && json[i + 1 + length] == '"') {
            const char *p = json + i + length + 2;
            while (p < json + size && (*p == ' ' || *p == ':' || *p == '\t' || *p == '\n')) p++;
            return p;
        }
    }
    return NULL;
}

/* Copies a JSON string value (p at its opening quote) into out, unescaping \" and \\. */
static size_t copy_string(const char *p, const char *end, char *out, size_t capacity) {
    size_t n = 0;
    if (p >= end || *p != '"') return 0;
    for (p++; p < end && *p != '"' && n + 1 < capacity; p++) {
        if (*p == '\\' && p + 1 < end) p++;
        out[n++] = *p;
    }
    out[n] = 0;
    return n;
}

LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) {
    const lambda_host_api *host = inv->host;
    const char *end = inv->payload + inv->payload_size;
    const char *sentence_at = value_of(inv->payload, inv->payload_size, "sentence");
    static char sentence[64 * 1024];
    if (sentence_at == NULL || copy_string(sentence_at, end, sentence, sizeof sentence) == 0) {
        host->fail(inv, "WordStream.InvalidEvent", "send {\"sentence\": \"some words\", \"delay_ms\": 500}");
        return LAMBDA_ERROR;
    }
    long delay = 500;
    const char *delay_at = value_of(inv->payload, inv->payload_size, "delay_ms");
    if (delay_at != NULL) delay = strtol(delay_at, NULL, 10);
    if (delay < 0 || delay > 60000) delay = 500;

    int total = 0;
    for (char *p = sentence; *p;) {
        while (*p == ' ') p++;
        if (*p) total++;
        while (*p && *p != ' ') p++;
    }
    lambda_status status = host->stream_begin(inv, "application/x-ndjson");
    if (status != LAMBDA_OK) return status;
    int index = 0;
    char *save = NULL;
    for (char *word = strtok_r(sentence, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
        if (index > 0 && delay > 0) {
            struct timespec pause = {delay / 1000, (delay % 1000) * 1000000L};
            nanosleep(&pause, NULL);
        }
        char line[1024];
        int n = snprintf(line, sizeof line, "{\"word\":\"");
        for (char *c = word; *c && n < (int)sizeof line - 64; c++) {
            if (*c == '"' || *c == '\\') line[n++] = '\\';
            line[n++] = *c;
        }
        n += snprintf(line + n, sizeof line - (size_t)n, "\",\"index\":%d,\"total\":%d}\n", index, total);
        status = host->stream_write(inv, line, (size_t)n);
        if (status != LAMBDA_OK) return status;
        index++;
    }
    return host->stream_end(inv);
}
