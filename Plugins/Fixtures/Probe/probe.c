/*
 * Probe (test fixture): reports what the host gave it, and misbehaves on request.
 *
 * Environment, read when the host calls the entry point or the init hook:
 *   PROBE_ABI_MAJOR=N        descriptor abi_major = N
 *   PROBE_ABI_MINOR=N        descriptor abi_minor = N
 *   PROBE_MAGIC=N            descriptor magic = N
 *   PROBE_STRUCT_SIZE=N      descriptor struct_size = N
 *   PROBE_SWIFT_TOOLCHAIN=S  descriptor swift_toolchain = S
 *   PROBE_INIT=fail          init hook names a failure and returns LAMBDA_ERROR
 *   PROBE_INIT=silent        init hook returns LAMBDA_ERROR without naming it
 *
 * Event (the raw payload) selects what the handler does:
 *   respond-twice   respond, then respond and fail again; answers with the codes seen
 *   no-answer       return LAMBDA_OK without answering
 *   error-code      return 7 without answering
 *   log             log one line per level, then respond "logged"
 *   long-error      fail with a message of 1 MiB
 *   sleep           sleep 3 seconds, then respond "slept"
 *   exit            end the process with status 3 without answering
 *   stream-fail     stream "partial", then fail with Probe.StreamFailed
 *   stream-open     stream "open", then return 5 with the stream still open
 *   stream-respond  stream "s", then try respond (refused), then end the stream
 *   http-stream     a function URL answer: status 201, a header, a cookie, body "created"
 *   stream-100mb    stream 100 MiB in 64 KiB chunks
 *   anything else   respond with a JSON object of every invocation field
 */
#include <lambda_plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static lambda_plugin_descriptor descriptor;

static void probe_shutdown(void *state);
static lambda_status probe_init(const lambda_host_api *host, void **state);

LAMBDA_EXPORT const lambda_plugin_descriptor *lambda_plugin_v1(void) {
    descriptor = (lambda_plugin_descriptor){LAMBDA_PLUGIN_MAGIC,  LAMBDA_PLUGIN_ABI_MAJOR, LAMBDA_PLUGIN_ABI_MINOR,
                                            sizeof descriptor,    0,
                                            "probe",              "1.0.0",
                                            NULL,                 probe_init,
                                            probe_shutdown};
    const char *v;
    if ((v = getenv("PROBE_ABI_MAJOR"))) descriptor.abi_major = (uint16_t)atoi(v);
    if ((v = getenv("PROBE_ABI_MINOR"))) descriptor.abi_minor = (uint16_t)atoi(v);
    if ((v = getenv("PROBE_MAGIC"))) descriptor.magic = (uint32_t)strtoul(v, NULL, 0);
    if ((v = getenv("PROBE_STRUCT_SIZE"))) descriptor.struct_size = (uint32_t)atoi(v);
    if ((v = getenv("PROBE_SWIFT_TOOLCHAIN"))) descriptor.swift_toolchain = v;
    return &descriptor;
}

static const lambda_host_api *probe_host;

static lambda_status probe_init(const lambda_host_api *host, void **state) {
    probe_host = host;
    const char *mode = getenv("PROBE_INIT");
    if (mode && strcmp(mode, "fail") == 0) {
        host->fail(NULL, "Probe.InitFailed", "the probe was told to fail its init hook");
        return LAMBDA_ERROR;
    }
    if (mode && strcmp(mode, "silent") == 0) return LAMBDA_ERROR;
    *state = (void *)"probe-state";
    return LAMBDA_OK;
}

static void probe_shutdown(void *state) {
    const char line[] = "probe: shutdown hook ran";
    if (probe_host && state && strcmp(state, "probe-state") == 0)
        probe_host->log(NULL, LAMBDA_LOG_INFO, line, sizeof line - 1);
}

/* Appends "name":"value" (JSON-escaped) or "name":null to out. */
static size_t field(char *out, size_t at, size_t cap, const char *name, const char *value) {
    at += (size_t)snprintf(out + at, cap - at, "%s\"%s\":", at > 1 ? "," : "", name);
    if (value == NULL) return at + (size_t)snprintf(out + at, cap - at, "null");
    out[at++] = '"';
    for (const char *p = value; *p && at + 8 < cap; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\') { out[at++] = '\\'; out[at++] = (char)c; }
        else if (c < 0x20) at += (size_t)snprintf(out + at, cap - at, "\\u%04x", c);
        else out[at++] = (char)c;
    }
    out[at++] = '"';
    out[at] = 0;
    return at;
}

static int is(const lambda_invocation *inv, const char *word) {
    return inv->payload_size == strlen(word) && memcmp(inv->payload, word, inv->payload_size) == 0;
}

LAMBDA_EXPORT lambda_status handler(const lambda_invocation *inv) {
    const lambda_host_api *host = inv->host;
    if (is(inv, "respond-twice")) {
        lambda_status first = host->respond(inv, "first", 5);
        lambda_status second = host->respond(inv, "second", 6);
        lambda_status third = host->fail(inv, "Probe.Late", "too late");
        char line[96];
        int n = snprintf(line, sizeof line, "respond-twice: %d %d %d", first, second, third);
        host->log(inv, LAMBDA_LOG_INFO, line, (size_t)n);
        return LAMBDA_OK;
    }
    if (is(inv, "no-answer")) return LAMBDA_OK;
    if (is(inv, "sleep")) {
        sleep(3);
        return host->respond(inv, "slept", 5);
    }
    if (is(inv, "exit")) _exit(3);
    if (is(inv, "stream-fail")) {
        host->stream_begin(inv, "text/plain");
        host->stream_write(inv, "partial", 7);
        host->fail(inv, "Probe.StreamFailed", "boom after the first chunk");
        return LAMBDA_ERROR;
    }
    if (is(inv, "stream-open")) {
        host->stream_begin(inv, NULL);
        host->stream_write(inv, "open", 4);
        return 5;
    }
    if (is(inv, "http-stream")) {
        lambda_status status = lambda_stream_http_begin(inv, 201, "{\"X-Probe\":\"yes\"}", "[\"a=b; Path=/\"]");
        if (status != LAMBDA_OK) return status;
        host->stream_write(inv, "created", 7);
        return host->stream_end(inv);
    }
    if (is(inv, "stream-100mb")) {
        static char chunk[64 * 1024];
        memset(chunk, 'z', sizeof chunk);
        host->stream_begin(inv, NULL);
        for (int i = 0; i < 1600; i++) {
            lambda_status status = host->stream_write(inv, chunk, sizeof chunk);
            if (status != LAMBDA_OK) return status;
        }
        return host->stream_end(inv);
    }
    if (is(inv, "stream-respond")) {
        host->stream_begin(inv, "text/plain");
        host->stream_write(inv, "s", 1);
        char line[64];
        int n = snprintf(line, sizeof line, "stream-respond: %d", host->respond(inv, "late", 4));
        host->log(inv, LAMBDA_LOG_INFO, line, (size_t)n);
        return host->stream_end(inv);
    }
    if (is(inv, "long-error")) {
        size_t size = 1024 * 1024;
        char *message = malloc(size + 1);
        if (message == NULL) return LAMBDA_ERROR;
        memset(message, 'x', size);
        message[size] = 0;
        host->fail(inv, "Probe.LongError", message);
        free(message);
        return LAMBDA_ERROR;
    }
    if (is(inv, "error-code")) return 7;
    if (is(inv, "log")) {
        for (int level = LAMBDA_LOG_TRACE; level <= LAMBDA_LOG_FATAL; level++) {
            char line[32];
            int n = snprintf(line, sizeof line, "probe log level %d", level);
            host->log(inv, level, line, (size_t)n);
        }
        return host->respond(inv, "logged", 6);
    }

    static char out[64 * 1024];
    size_t at = (size_t)snprintf(out, sizeof out, "{");
    char number[32];
    at = field(out, at, sizeof out, "requestId", inv->request_id);
    snprintf(number, sizeof number, "%lld", (long long)inv->deadline_ms);
    at = field(out, at, sizeof out, "deadlineMs", number);
    at = field(out, at, sizeof out, "functionArn", inv->invoked_function_arn);
    at = field(out, at, sizeof out, "traceId", inv->trace_id);
    at = field(out, at, sizeof out, "envTraceId", getenv("_X_AMZN_TRACE_ID"));
    at = field(out, at, sizeof out, "clientContext", inv->client_context);
    at = field(out, at, sizeof out, "cognitoIdentity", inv->cognito_identity);
    at = field(out, at, sizeof out, "tenantId", inv->tenant_id);
    snprintf(number, sizeof number, "%lld", (long long)host->remaining_time_ms(inv));
    at = field(out, at, sizeof out, "remainingMs", number);
    snprintf(number, sizeof number, "%zu", inv->payload_size);
    at = field(out, at, sizeof out, "payloadSize", number);
    at = field(out, at, sizeof out, "state", inv->state);
    at += (size_t)snprintf(out + at, sizeof out - at, "}");
    return host->respond(inv, out, at);
}
