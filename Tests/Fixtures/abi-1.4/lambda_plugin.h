/*
 * lambda_plugin.h: the C ABI between lambda-host and a handler plugin, version 1.
 *
 * A plugin is a shared object (libhello.so) that lambda-host loads with dlopen when a
 * Lambda execution environment starts. It is the only file a plugin needs to include.
 *
 * The contract, in the order things happen:
 *
 *   1. The host opens the plugin with dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) and
 *      looks up one function, lambda_plugin_v1(), that every plugin exports. It returns
 *      a descriptor (magic, ABI version, sizes, name, hooks) that the host checks before
 *      it calls anything else. A mismatch is reported as an init error that names the
 *      field, never a crash.
 *   2. The host finds the handler: the symbol _HANDLER names (lib.so:greet); when it
 *      names the library alone, the descriptor's `handler` (ABI 1.4) if the plugin sets
 *      it, else the symbol "handler". Either is a lambda_handler_fn.
 *   3. If the descriptor has an init hook, the host calls it once, before the first
 *      invocation. It may keep state for the life of the execution environment.
 *   4. For every invocation the host calls the handler with a lambda_invocation. The
 *      handler answers with host->respond() or host->fail(), then returns.
 *   5. On SIGTERM (Lambda's SHUTDOWN phase) the host calls the shutdown hook, if any,
 *      and exits.
 *
 * Rules that keep both sides safe:
 *
 *   - Only C types cross the boundary. No C++ exception, Rust panic, Swift error or
 *     longjmp may leave a plugin function.
 *   - Memory never changes owner. Everything the host passes in stays the host's and is
 *     valid only until the call returns; the host copies whatever the plugin hands it
 *     (respond, fail, log), so the plugin may free or reuse its buffers at once.
 *   - The host calls a plugin from one thread at a time unless the descriptor says
 *     LAMBDA_PLUGIN_THREAD_SAFE (then, with AWS_LAMBDA_MAX_CONCURRENCY > 1, handlers run
 *     on several threads at once, each with its own invocation pointer).
 *   - An invocation pointer is valid for its own invocation only: from the handler's call
 *     until the handler returns. The host tells invocations apart by the pointer's value
 *     (it never reads through a pointer it does not recognise), so a call made with the
 *     pointer afterwards, from a thread of the plugin's, is refused with LAMBDA_E_INVALID
 *     and logged, and log() writes its line without a request id. Never keep it: a
 *     pointer held for 1,024 invocations or more may name a later one.
 *   - A crash in plugin code (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT), or exit()
 *     called before the invocation or INIT is answered, is reported by the host as that
 *     invocation's error (Runtime.Crash, naming the signal and library+offset; or
 *     Runtime.ExitError), or as the init error during INIT; then the process dies as it
 *     would have, and Lambda starts a new one. _exit() cannot be seen.
 *   - Versioning by appending: a new minor version only adds fields at the end of a
 *     struct, and every struct starts with its struct_size, so each side knows what the
 *     other one has. A new major version changes the entry symbol (lambda_plugin_v2).
 *   - Old hosts load new plugins. The descriptor's abi_minor is the least host minor the
 *     plugin needs, not the header it was built with: LAMBDA_PLUGIN_DEFINE writes
 *     LAMBDA_PLUGIN_REQUIRED_MINOR, 0 unless the plugin defines it before including this
 *     header. A plugin that calls a function appended in 1.N either checks
 *     LAMBDA_HOST_HAS(host, field) first (the helpers below do, and return
 *     LAMBDA_E_UNSUPPORTED on an older host) or defines LAMBDA_PLUGIN_REQUIRED_MINOR N,
 *     so that an older host refuses it at INIT with a message instead of calling past the
 *     end of its table.
 *
 * Documentation with examples: docs/abi.md.
 */
#ifndef LAMBDA_PLUGIN_H
#define LAMBDA_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versions and identification ------------------------------------------------- */

/* First field of every descriptor: "LPLG" in ASCII. Anything else is not a plugin. */
#define LAMBDA_PLUGIN_MAGIC 0x4C504C47u

/* The ABI major version. It changes only with a break, and is also part of the entry
 * symbol's name, so a plugin for another major version is not even found. */
#define LAMBDA_PLUGIN_ABI_MAJOR 1

/* The ABI minor version of this header: fields appended since 1.0 (1.1 streaming, 1.2
 * outbound HTTP, 1.3 AWS requests signed by the host, 1.4 the descriptor's `handler`).
 * The host reports its own in lambda_host_api.abi_minor. */
#define LAMBDA_PLUGIN_ABI_MINOR 4

/* The least host minor version the plugin needs, written into its descriptor by
 * LAMBDA_PLUGIN_DEFINE. A host loads a plugin whose descriptor's abi_minor is lower than
 * or equal to its own. Define it (before including this header) only when the plugin
 * calls an appended function without checking LAMBDA_HOST_HAS. */
#ifndef LAMBDA_PLUGIN_REQUIRED_MINOR
#define LAMBDA_PLUGIN_REQUIRED_MINOR 0
#endif

/* The name of the function every plugin exports (see lambda_plugin_entry_fn). */
#define LAMBDA_PLUGIN_ENTRY_SYMBOL "lambda_plugin_v1"

/* The handler symbol the host looks up when _HANDLER names a library only and the
 * descriptor has no `handler` (ABI 1.4). */
#define LAMBDA_PLUGIN_DEFAULT_HANDLER "handler"

/* Marks a function as exported from the plugin's shared object. */
#define LAMBDA_EXPORT __attribute__((visibility("default")))

/* ---- Status codes ------------------------------------------------------------------ */

/* What plugin functions return, and what host services return to the plugin. */
typedef int32_t lambda_status;

/* Success. */
#define LAMBDA_OK 0
/* A handler or init hook failed. Name the failure first with host->fail(). */
#define LAMBDA_ERROR 1
/* respond() or fail() was called after this invocation was already answered. */
#define LAMBDA_E_ALREADY_ANSWERED (-1)
/* The response is larger than Lambda's 6 MiB limit for buffered responses. The host has
 * answered the invocation with a Function.ResponseSizeTooLarge error instead. */
#define LAMBDA_E_TOO_LARGE (-2)
/* An argument was invalid: a NULL pointer where data was required, or a call made
 * outside the invocation it belongs to. */
#define LAMBDA_E_INVALID (-3)
/* The Runtime API could not be reached. The host exits after the handler returns. */
#define LAMBDA_E_IO (-4)
/* The host is older than the function called: it lacks that field of lambda_host_api.
 * Returned by this header's helpers, never by a host. */
#define LAMBDA_E_UNSUPPORTED (-5)
/* http_request: nothing of the request reached the server, so it is safe to send it again:
 * the destination is not allowed, the name did not resolve, the connection was refused or
 * timed out, TLS verification or the handshake failed, or the time ran out first. */
#define LAMBDA_E_HTTP_NOT_SENT (-6)
/* http_request: the request was sent, at least in part, and then the exchange failed: the
 * connection was reset or closed, the time ran out while waiting for the reply, the reply
 * was malformed or larger than the host's cap. The server may have acted on it. */
#define LAMBDA_E_HTTP_FAILED (-7)

/* ---- Log levels (host->log) --------------------------------------------------------- */

#define LAMBDA_LOG_TRACE 0
#define LAMBDA_LOG_DEBUG 1
#define LAMBDA_LOG_INFO 2
#define LAMBDA_LOG_WARN 3
#define LAMBDA_LOG_ERROR 4
#define LAMBDA_LOG_FATAL 5

/* ---- Descriptor flags ---------------------------------------------------------------- */

/* The handler may be called from several threads at once. With AWS_LAMBDA_MAX_CONCURRENCY
 * = N > 1 (Lambda Managed Instances), the host then runs one INIT and N threads, each with
 * its own invocations; every host service may be called from any thread. Without it, the
 * host runs N processes, each with its own INIT, and calls each from one thread
 * (docs/concurrency.md). */
#define LAMBDA_PLUGIN_THREAD_SAFE (1u << 0)

/* ---- Types ----------------------------------------------------------------------------- */

typedef struct lambda_host_api lambda_host_api;
typedef struct lambda_invocation lambda_invocation;
typedef struct lambda_plugin_descriptor lambda_plugin_descriptor;

/* A handler: called once per invocation. Answer with host->respond() or host->fail()
 * before returning. Returning LAMBDA_OK without an answer responds `null` (what AWS's
 * runtimes send for a handler that returns nothing); returning anything else without
 * an answer reports a Runtime.HandlerFailed error. */
typedef lambda_status (*lambda_handler_fn)(const lambda_invocation *invocation);

/* The optional init hook: called once per execution environment, during Lambda's INIT
 * phase, before the first invocation. `host` stays valid for the life of the process.
 * Whatever the hook stores in *state is handed back in every invocation's `state` and
 * to the shutdown hook. Return LAMBDA_OK, or call host->fail(NULL, type, message) and
 * return LAMBDA_ERROR: the host then reports an init error and exits. */
typedef lambda_status (*lambda_init_fn)(const lambda_host_api *host, void **state);

/* The optional shutdown hook: called once on SIGTERM (Lambda's SHUTDOWN phase), after
 * any running invocation has returned. Lambda allows it about 300 ms. */
typedef void (*lambda_shutdown_fn)(void *state);

/* The entry point every plugin exports as LAMBDA_PLUGIN_ENTRY_SYMBOL. It must return a
 * pointer to a descriptor that lives as long as the plugin (a static one), and must not
 * do any other work: the host may call it more than once. */
typedef const lambda_plugin_descriptor *(*lambda_plugin_entry_fn)(void);

/* The size of a descriptor up to its 1.0 fields (56 bytes): the struct_size of a plugin
 * that leaves the 1.4 `handler` unset. */
#define LAMBDA_PLUGIN_DESCRIPTOR_SIZE_1_0 offsetof(lambda_plugin_descriptor, handler)

/* What a plugin says about itself. Checked by the host before anything else is called. */
struct lambda_plugin_descriptor {
    /* LAMBDA_PLUGIN_MAGIC. */
    uint32_t magic;
    /* LAMBDA_PLUGIN_ABI_MAJOR as the plugin was built. Must equal the host's. */
    uint16_t abi_major;
    /* LAMBDA_PLUGIN_ABI_MINOR as the plugin was built. Must not exceed the host's. */
    uint16_t abi_minor;
    /* How much of the descriptor the plugin fills in: sizeof(lambda_plugin_descriptor)
     * when it sets `handler` (ABI 1.4), else LAMBDA_PLUGIN_DESCRIPTOR_SIZE_1_0, so that
     * hosts before 1.4, which refuse a descriptor larger than their own, still load it. */
    uint32_t struct_size;
    /* LAMBDA_PLUGIN_* flags, or 0. */
    uint32_t flags;
    /* A short name for logs and errors, e.g. "echo". NUL-terminated, never NULL. */
    const char *name;
    /* The plugin's own version, e.g. "1.2.0". NUL-terminated, or NULL. */
    const char *version;
    /* For plugins written in Swift: the Swift toolchain they were built with, as
     * "major.minor". The host refuses a Swift plugin built with another toolchain than
     * its own, as Swift has no stable ABI on Linux. NULL for every other language. */
    const char *swift_toolchain;
    /* The init hook, or NULL. */
    lambda_init_fn init;
    /* The shutdown hook, or NULL. */
    lambda_shutdown_fn shutdown;

    /* ---- ABI 1.4 and later ---------------------------------------------------------- */

    /* The handler, or NULL. The host calls it for every invocation when _HANDLER names
     * the library alone (an explicit symbol, lib.so:greet, always wins), so that a plugin
     * need export nothing but its entry point. It must be a function defined inside the
     * plugin's own library (the host checks, and refuses anything else at INIT). A plugin
     * that sets it declares abi_minor 4: an older host would look for the symbol
     * "handler" instead. NULL: the host looks up "handler" as before 1.4. */
    lambda_handler_fn handler;
};

/* One invocation, as the handler sees it. Owned by the host; the struct and every
 * pointer in it are valid until the handler returns (after that the struct reads as an
 * empty invocation whose time is up). Strings are NUL-terminated UTF-8. */
struct lambda_invocation {
    /* sizeof(lambda_invocation) as the host was built. */
    uint32_t struct_size;
    /* Reserved; 0. */
    uint32_t reserved;
    /* The host services, the same table the init hook received. */
    const lambda_host_api *host;
    /* What the init hook stored in *state, or NULL. */
    void *state;
    /* The event, byte for byte as Lambda sent it (usually JSON). payload[payload_size]
     * is a NUL byte, so it can be read as a C string when it holds no NUL itself. */
    const char *payload;
    /* The event's length in bytes, without the NUL after it. */
    size_t payload_size;
    /* The AWS request id (Lambda-Runtime-Aws-Request-Id). Never NULL. */
    const char *request_id;
    /* When the invocation times out, in milliseconds since the Unix epoch
     * (Lambda-Runtime-Deadline-Ms). host->remaining_time_ms() does the arithmetic. */
    int64_t deadline_ms;
    /* The ARN the function was invoked with, alias or version included
     * (Lambda-Runtime-Invoked-Function-Arn). Never NULL; may be empty. */
    const char *invoked_function_arn;
    /* The X-Ray trace header (Lambda-Runtime-Trace-Id), or NULL. With one invocation at a
     * time the host also sets _X_AMZN_TRACE_ID to it for the duration of the invocation;
     * with AWS_LAMBDA_MAX_CONCURRENCY > 1 it never sets that variable (it is the whole
     * process's), and this field is the only place the trace id is (docs/concurrency.md). */
    const char *trace_id;
    /* The client context sent by a mobile SDK caller (Lambda-Runtime-Client-Context),
     * as JSON text, or NULL. */
    const char *client_context;
    /* The Amazon Cognito identity of the caller (Lambda-Runtime-Cognito-Identity), as
     * JSON text, or NULL. */
    const char *cognito_identity;
    /* The tenant id of a tenant-isolated function (Lambda-Runtime-Aws-Tenant-Id), or
     * NULL. */
    const char *tenant_id;
    /* The host's own data for this invocation. Opaque; do not touch. */
    void *host_private;
};

/* ---- Outbound HTTP (ABI 1.2) ----------------------------------------------------------
 * The host owns the connections: pooled per origin (scheme, host, port) and kept alive
 * across invocations, TLS verified against the system's CA bundle, loaded only when a
 * plugin first calls an https:// URL. Documentation with examples: docs/outbound-http.md. */

/* One header. Not NUL-terminated on the way in (sizes count); on the way out the host adds
 * a NUL after each name and value, so both can be read as C strings too. */
typedef struct lambda_http_header {
    const char *name;
    size_t name_size;
    const char *value;
    size_t value_size;
} lambda_http_header;

/* request.flags: do not add the invocation's X-Amzn-Trace-Id header to this request (the
 * host adds it by default, unless the plugin sets that header itself). */
#define LAMBDA_HTTP_NO_TRACE_HEADER (1u << 0)

/* request.flags (ABI 1.3), for an S3 request given as a path ("/bucket/key"): name the
 * bucket in the path (https://s3.<region>.amazonaws.com/bucket/key) rather than in the
 * host name (https://bucket.s3.<region>.amazonaws.com/key). The host uses path style
 * anyway for a bucket that is not a DNS label and when the endpoint is overridden. */
#define LAMBDA_HTTP_S3_PATH_STYLE (1u << 1)

/* What to send. Owned by the plugin, and read by the host only during the call. */
typedef struct lambda_http_request {
    /* sizeof(lambda_http_request) as the plugin was built. */
    uint32_t struct_size;
    /* LAMBDA_HTTP_* flags, or 0. */
    uint32_t flags;
    /* The method, e.g. "GET", "POST", NUL-terminated; NULL means "GET". */
    const char *method;
    /* The absolute URL, NUL-terminated: http:// or https://, host, optional port, path and
     * query, percent-encoded (no spaces, no bytes above 0x7E, no user:password@). It alone
     * chooses where the request goes; a Host header is refused. */
    const char *url;
    /* header_count headers, or NULL when header_count is 0. At most 100, 64 KiB together.
     * The host writes Host, Content-Length and Connection itself and refuses them here. */
    const lambda_http_header *headers;
    size_t header_count;
    /* The body: body_size bytes, or NULL when body_size is 0. */
    const void *body;
    size_t body_size;
    /* How long the whole exchange may take, in milliseconds; 0 means until the
     * invocation's deadline (10 s during INIT). Never past the deadline. */
    int64_t timeout_ms;

    /* ---- ABI 1.3: AWS requests (a host before 1.3 ignores these: check abi_minor) ----
     * The service's signing name ("dynamodb", "s3", "sqs"), NUL-terminated, or NULL for a
     * plain request. When set, the host signs the request with AWS Signature Version 4
     * and the function's credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
     * AWS_SESSION_TOKEN, or the container-credentials endpoint), adding X-Amz-Date,
     * X-Amz-Security-Token, X-Amz-Content-Sha256 (S3) and Authorization; the plugin must
     * not set those. `url` may then be a path and query ("/", "/bucket/key?x=1"), sent to
     * the service's endpoint: AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, else
     * https://<service>.<region>.amazonaws.com. No credential value ever reaches a log
     * line or last_error. Documentation: docs/aws-calls.md. */
    const char *aws_service;
    /* The region, e.g. "eu-west-1", NUL-terminated; NULL means AWS_REGION. */
    const char *aws_region;
} lambda_http_request;

/* What came back. The plugin sets struct_size; the host fills the rest. Everything it
 * points to is owned by the host, and valid until the next http_request made with the same
 * invocation, or until the handler returns (the init hook, for invocation NULL). */
typedef struct lambda_http_response {
    /* sizeof(lambda_http_response) as the plugin was built; set it before the call. */
    uint32_t struct_size;
    /* The HTTP status, e.g. 200; 0 when the call did not return LAMBDA_OK. */
    int32_t status;
    /* The response's headers in the order received (without 1xx interim responses). */
    const lambda_http_header *headers;
    size_t header_count;
    /* The body, decoded from chunked transfer encoding; body[body_size] is a NUL byte. */
    const char *body;
    size_t body_size;
} lambda_http_response;

/* The services the host offers a plugin (in the manner of SQLite's
 * sqlite3_api_routines). Fields are only ever appended; check struct_size before using
 * a field added after 1.0. Every function may be called while the handler runs, from its
 * thread or from a thread of the plugin's (the host serialises the calls); `log` and
 * `remaining_time_ms` at any time from any thread. A call that names an invocation whose
 * handler has returned, or a pointer the host never handed out, is refused
 * (LAMBDA_E_INVALID, or 0 from remaining_time_ms) and nothing is read through it. */
struct lambda_host_api {
    /* sizeof(lambda_host_api) as the host was built. */
    uint32_t struct_size;
    /* LAMBDA_PLUGIN_ABI_MAJOR of the host. */
    uint16_t abi_major;
    /* LAMBDA_PLUGIN_ABI_MINOR of the host. */
    uint16_t abi_minor;

    /* Answers the invocation with `size` bytes at `data` (usually JSON). The host sends
     * them to Lambda before it returns; the plugin keeps ownership of `data`. Once per
     * invocation. Returns LAMBDA_OK, LAMBDA_E_ALREADY_ANSWERED, LAMBDA_E_TOO_LARGE (over
     * 6 MiB: the invocation is answered with an error instead), LAMBDA_E_INVALID or
     * LAMBDA_E_IO. */
    lambda_status (*respond)(const lambda_invocation *invocation, const void *data, size_t size);

    /* Answers the invocation with an error: `error_type` (e.g. "InvalidInput"; it
     * becomes errorType and the Lambda-Runtime-Function-Error-Type header) and
     * `error_message` (free text), both NUL-terminated. Once per invocation. With
     * invocation == NULL, during the init hook only, it names the init failure (after
     * INIT it returns LAMBDA_E_INVALID). Same return codes as respond. */
    lambda_status (*fail)(const lambda_invocation *invocation, const char *error_type,
                          const char *error_message);

    /* Writes one log line of `size` bytes at `message` to the function's log (stderr,
     * which Lambda sends to CloudWatch), tagged with the invocation's request id when
     * `invocation` is not NULL. Lines below AWS_LAMBDA_LOG_LEVEL are dropped. */
    void (*log)(const lambda_invocation *invocation, int32_t level, const char *message, size_t size);

    /* Milliseconds left before the invocation times out; 0 once it has. */
    int64_t (*remaining_time_ms)(const lambda_invocation *invocation);

    /* ---- ABI 1.1 and later: response streaming ---------------------------------------
     * A streamed response reaches the caller while the handler still works (function
     * URLs in RESPONSE_STREAM mode, InvokeWithResponseStream), up to 200 MB. Check
     * LAMBDA_HOST_HAS(host, stream_end) first. */

    /* Starts answering the invocation with a stream whose Content-Type is
     * `content_type` (NULL: application/octet-stream). Counts as the invocation's one
     * answer: respond() is refused after it; fail() is then reported in the stream's
     * trailers (Lambda-Runtime-Function-Error-Type and -Body), as Lambda expects for an
     * error after the first byte. */
    lambda_status (*stream_begin)(const lambda_invocation *invocation, const char *content_type);

    /* Sends `size` bytes as one chunk of the stream, before it returns: nothing is
     * buffered beyond the socket. LAMBDA_E_INVALID before stream_begin or after
     * stream_end. */
    lambda_status (*stream_write)(const lambda_invocation *invocation, const void *data, size_t size);

    /* Ends the stream. A handler that returns without calling it has its stream ended
     * for it: cleanly when it returns LAMBDA_OK, with a Runtime.HandlerFailed error in
     * the trailers otherwise. */
    lambda_status (*stream_end)(const lambda_invocation *invocation);

    /* ---- ABI 1.2 and later: outbound HTTP --------------------------------------------
     * Check LAMBDA_HOST_HAS(host, last_error) first, or use the helpers below. */

    /* Sends `request` and waits for the whole response, which it describes in *response
     * (see lambda_http_response for how long it stays valid). One call at a time per
     * invocation: a second thread's call with the same invocation waits for the first.
     * `invocation` is NULL in the init and shutdown hooks. Returns LAMBDA_OK when a
     * response arrived, whatever its status; LAMBDA_E_HTTP_NOT_SENT or LAMBDA_E_HTTP_FAILED
     * (host->last_error tells why); LAMBDA_E_INVALID for a malformed request (also logged)
     * or a stale invocation. A reused connection that the server had closed is retried
     * once on a new one, only when nothing was sent or when the method is idempotent and
     * no byte of the response had arrived. */
    lambda_status (*http_request)(const lambda_invocation *invocation, const lambda_http_request *request,
                                  lambda_http_response *response);

    /* Opens one connection to `origin` ("https://host" or "http://host:port",
     * NUL-terminated), TLS handshake included, and keeps it in the pool, so that the first
     * request to it pays no set-up. Meant for the init hook (invocation NULL). Returns
     * LAMBDA_OK, LAMBDA_E_HTTP_NOT_SENT or LAMBDA_E_INVALID. */
    lambda_status (*http_prewarm)(const lambda_invocation *invocation, const char *origin);

    /* Why the last http_request or http_prewarm made with this invocation (NULL: during
     * INIT or SHUTDOWN) failed, as one line of text for a log, naming the destination
     * and the reason; "" after a success. Never NULL. Owned by the host and valid until
     * the next such call with the same invocation or the handler's return. */
    const char *(*last_error)(const lambda_invocation *invocation);
};

/* Whether the host's table has `field` (a host built with an older header does not):
 *     if (!LAMBDA_HOST_HAS(host, http_request)) ... */
#define LAMBDA_HOST_HAS(host, field)                                                            \
    ((host) != NULL && (host)->struct_size >= offsetof(lambda_host_api, field) + sizeof((host)->field) && \
     (host)->field != NULL)

/* Defines the entry point of a C or C++ plugin:
 *
 *     LAMBDA_PLUGIN_DEFINE("echo", "1.0.0", NULL, NULL)
 *     LAMBDA_PLUGIN_DEFINE_FLAGS("echo", "1.0.0", NULL, NULL, LAMBDA_PLUGIN_THREAD_SAFE)
 *
 * NAME and VERSION are string literals; INIT and SHUTDOWN are hooks or NULL; FLAGS are
 * LAMBDA_PLUGIN_* flags or'ed together (LAMBDA_PLUGIN_DEFINE: none). Declare
 * LAMBDA_PLUGIN_THREAD_SAFE only when the handler, and all it touches (globals, the init
 * hook's state), may run on several threads at once. In C++ the entry point gets C
 * linkage, so that it is exported as lambda_plugin_v1 and not under a mangled name the
 * host would not find. */
#ifdef __cplusplus
#define LAMBDA_PLUGIN_LINKAGE extern "C"
#else
#define LAMBDA_PLUGIN_LINKAGE
#endif
#define LAMBDA_PLUGIN_DEFINE_FLAGS(NAME, VERSION, INIT, SHUTDOWN, FLAGS)                    \
    LAMBDA_PLUGIN_LINKAGE LAMBDA_EXPORT const lambda_plugin_descriptor *lambda_plugin_v1(void) { \
        static const lambda_plugin_descriptor descriptor = {                                 \
            LAMBDA_PLUGIN_MAGIC, LAMBDA_PLUGIN_ABI_MAJOR, LAMBDA_PLUGIN_REQUIRED_MINOR,      \
            (uint32_t)LAMBDA_PLUGIN_DESCRIPTOR_SIZE_1_0, (uint32_t)(FLAGS), (NAME), (VERSION), \
            NULL, (INIT), (SHUTDOWN), NULL};                                                  \
        return &descriptor;                                                                   \
    }
#define LAMBDA_PLUGIN_DEFINE(NAME, VERSION, INIT, SHUTDOWN) LAMBDA_PLUGIN_DEFINE_FLAGS(NAME, VERSION, INIT, SHUTDOWN, 0)

/* ---- Helpers, built on the ABI (not part of it) -------------------------------------- */

/* The Content-Type of a streamed answer to a Lambda function URL (or API Gateway) that
 * sets the HTTP status, headers and cookies itself. */
#define LAMBDA_HTTP_INTEGRATION_CONTENT_TYPE "application/vnd.awslambda.http-integration-response"

/* Begins a streamed answer for a function URL: the stream's Content-Type is
 * LAMBDA_HTTP_INTEGRATION_CONTENT_TYPE, and its first bytes are the JSON prelude
 * {"statusCode":N,"headers":{...},"cookies":[...]} and the 8 NUL bytes that end it. The
 * body follows with stream_write. `headers_json` is a JSON object and `cookies_json` a
 * JSON array of strings, both written as they are; NULL means {} and []. */
static inline lambda_status lambda_stream_http_begin(const lambda_invocation *invocation, int status_code,
                                                     const char *headers_json, const char *cookies_json) {
    const lambda_host_api *host = invocation->host;
    if (!LAMBDA_HOST_HAS(host, stream_end)) return LAMBDA_E_UNSUPPORTED;
    lambda_status status = host->stream_begin(invocation, LAMBDA_HTTP_INTEGRATION_CONTENT_TYPE);
    if (status != LAMBDA_OK) return status;
    char code[32];
    int length = 0;
    for (int v = status_code < 0 ? 0 : status_code, d = 1000000; d > 0; d /= 10)
        if (v / d || length || d == 1) code[length++] = (char)('0' + (v / d) % 10);
    const char *parts[] = {"{\"statusCode\":", code, ",\"headers\":", headers_json ? headers_json : "{}",
                           ",\"cookies\":", cookies_json ? cookies_json : "[]", "}"};
    size_t sizes[] = {14, (size_t)length, 11, 0, 11, 0, 1};
    for (int i = 0; i < 7; i++) {
        if (i == 3 || i == 5) {
            sizes[i] = 0;
            while (parts[i][sizes[i]]) sizes[i]++;
        }
        status = host->stream_write(invocation, parts[i], sizes[i]);
        if (status != LAMBDA_OK) return status;
    }
    static const char delimiter[8] = {0};
    return host->stream_write(invocation, delimiter, sizeof delimiter);
}

/* Sends a request of `method` to `url` with an optional body (NULL/0) and Content-Type
 * (NULL: none), through `host` (the table the init hook got, or invocation->host), and
 * fills *response (status 0 and no body on any failure). LAMBDA_E_UNSUPPORTED when the
 * host predates ABI 1.2. */
static inline lambda_status lambda_http_send(const lambda_host_api *host, const lambda_invocation *invocation,
                                             const char *method, const char *url, const char *content_type,
                                             const void *body, size_t body_size, lambda_http_response *response) {
    lambda_http_response cleared = {(uint32_t)sizeof(lambda_http_response), 0, NULL, 0, NULL, 0};
    *response = cleared;
    if (!LAMBDA_HOST_HAS(host, last_error)) return LAMBDA_E_UNSUPPORTED;
    lambda_http_header header = {"Content-Type", 12, content_type, 0};
    if (content_type)
        while (content_type[header.value_size]) header.value_size++;
    lambda_http_request request = {(uint32_t)sizeof(lambda_http_request), 0, method, url,
                                   content_type ? &header : NULL, content_type ? 1u : 0u, body, body_size, 0,
                                   NULL, NULL};
    return host->http_request(invocation, &request, response);
}

/* GET `url`: lambda_http_get(inv->host, inv, "https://example.com/", &response). */
static inline lambda_status lambda_http_get(const lambda_host_api *host, const lambda_invocation *invocation,
                                            const char *url, lambda_http_response *response) {
    return lambda_http_send(host, invocation, "GET", url, NULL, NULL, 0, response);
}

/* POST `body_size` bytes of `body` with the given Content-Type to `url`. */
static inline lambda_status lambda_http_post(const lambda_host_api *host, const lambda_invocation *invocation,
                                             const char *url, const char *content_type, const void *body,
                                             size_t body_size, lambda_http_response *response) {
    return lambda_http_send(host, invocation, "POST", url, content_type, body, body_size, response);
}

/* The text of the last outbound error for `invocation`, or a fixed text on a host that
 * predates ABI 1.2. Never NULL. */
static inline const char *lambda_http_error(const lambda_host_api *host, const lambda_invocation *invocation) {
    if (!LAMBDA_HOST_HAS(host, last_error)) return "this lambda-host layer predates outbound HTTP (ABI 1.2); update it";
    return host->last_error(invocation);
}

/* Sends a request to an AWS service, signed by the host: `service` is the signing name
 * ("s3"), `path` the path and query ("/bucket/key") or an absolute URL, with
 * `header_count` headers of the plugin's; the region is AWS_REGION. LAMBDA_E_UNSUPPORTED
 * when the host predates ABI 1.3 (it would not sign). A refusal by AWS is not an error
 * here: read response->status (403 for bad credentials) and the error document in the
 * body. */
static inline lambda_status lambda_aws_send(const lambda_host_api *host, const lambda_invocation *invocation,
                                            const char *service, const char *method, const char *path,
                                            const lambda_http_header *headers, size_t header_count,
                                            const void *body, size_t body_size, lambda_http_response *response) {
    lambda_http_response cleared = {(uint32_t)sizeof(lambda_http_response), 0, NULL, 0, NULL, 0};
    *response = cleared;
    if (!LAMBDA_HOST_HAS(host, last_error) || host->abi_minor < 3) return LAMBDA_E_UNSUPPORTED;
    lambda_http_request request = {(uint32_t)sizeof(lambda_http_request), 0, method, path, headers, header_count,
                                   body, body_size, 0, service, NULL};
    return host->http_request(invocation, &request, response);
}

/* Calls an operation of an AWS JSON-protocol service (DynamoDB, SQS, Kinesis, ...): a
 * signed POST of `json` to the service's endpoint with X-Amz-Target `target` (e.g.
 * "DynamoDB_20120810.UpdateItem") and Content-Type application/x-amz-json-1.0. On
 * LAMBDA_OK, response->status is 200 with the answer in the body, or 4xx/5xx with AWS's
 * error document {"__type": "...#Code", "message": "..."}. */
static inline lambda_status lambda_aws_json(const lambda_host_api *host, const lambda_invocation *invocation,
                                            const char *service, const char *target, const char *json,
                                            size_t json_size, lambda_http_response *response) {
    size_t target_size = 0;
    while (target && target[target_size]) target_size++;
    lambda_http_header headers[2] = {{"Content-Type", 12, "application/x-amz-json-1.0", 26},
                                     {"X-Amz-Target", 12, target, target_size}};
    return lambda_aws_send(host, invocation, service, "POST", "/", headers, 2, json, json_size, response);
}

#ifdef __cplusplus
}
#endif

#endif /* LAMBDA_PLUGIN_H */
