/*
 * Probe (test fixture): reports what the host gave it, and misbehaves on request.
 *
 * Environment, read when the host calls the entry point or the init hook:
 *   PROBE_ABI_MAJOR=N        descriptor abi_major = N
 *   PROBE_ABI_MINOR=N        descriptor abi_minor = N
 *   PROBE_MAGIC=N            descriptor magic = N
 *   PROBE_STRUCT_SIZE=N      descriptor struct_size = N
 *   PROBE_SWIFT_TOOLCHAIN=S  descriptor swift_toolchain = S
 *   PROBE_NO_SHUTDOWN=1      no shutdown hook (SIGTERM then ends the host at once)
 *   PROBE_INIT=fail          init hook names a failure and returns LAMBDA_ERROR
 *   PROBE_INIT=silent        init hook returns LAMBDA_ERROR without naming it
 *   PROBE_INIT=crash         init hook writes through a NULL pointer (SIGSEGV)
 *   PROBE_INIT=abort         init hook calls abort()
 *   PROBE_INIT=exit          init hook calls exit(5)
 *   PROBE_INIT=atexit        init hook registers an atexit handler that logs "probe: atexit
 *                            ran" to stderr
 *   PROBE_INIT=host-calls    init hook calls the invocation services with NULL and logs
 *                            what they returned: "probe init calls: respond N ..."
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
 *   crash-null      write through a NULL pointer (SIGSEGV), in probe_crash_null()
 *   abort           call abort() (SIGABRT)
 *   divide-zero     divide an integer by zero (SIGFPE on x86_64)
 *   trap            __builtin_trap() (SIGILL on x86_64, SIGTRAP on arm64)
 *   exit-call       call exit(4) without answering
 *   respond-exit    respond "bye", then call exit(0)
 *   stream-crash    stream "partial", then crash (SIGSEGV)
 *   thread-crash    crash on a thread of the plugin's while the handler waits for it
 *   late-respond    start a thread that, once the next invocation is "late-release",
 *                   calls respond, fail, stream_write, stream_end, remaining_time_ms and
 *                   log with this invocation's pointer
 *   late-release    release that thread, wait for it, then respond with what its calls
 *                   returned: "late respond N fail N stream_write N stream_end N remaining N"
 *   log-storm       4 threads log 250 lines each ("storm T N") while the handler waits,
 *                   then respond "stormed"
 *   forged          call respond, fail, stream_begin, log and remaining_time_ms with a copy
 *                   of the invocation struct, then respond with what they returned
 *   fail-null       call fail(NULL, ...) (the init hook's form), then respond with its code
 *   fork-exit       fork a child that calls exit(0) (or crashes, with PROBE_CHILD=crash);
 *                   wait for it, then respond "parent"
 *   smash-stack     overwrite this frame's saved frame pointer and return address, then
 *                   crash: the stack cannot be unwound
 *   race-crash      start a thread that crashes while the handler responds "raced"
 *   stream-race     stream 64 KiB chunks until a thread of the plugin's crashes (after the
 *                   tenth chunk)
 *   bad-pointer     respond with 100 bytes at address 16, then respond "N" with what
 *                   that returned
 *   raise-bus       raise(SIGBUS): a signal sent, not a fault
 *   printf          printf a line (to stdout, no flush), then respond "printed"
 *   printf-partial  printf text without a newline, then respond "printed"
 *   anything else   respond with a JSON object of every invocation field
 */
#include <lambda_plugin.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/wait.h>
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
    if (getenv("PROBE_NO_SHUTDOWN")) descriptor.shutdown = NULL;
    return &descriptor;
}

static const lambda_host_api *probe_host;

static void probe_atexit(void) {
    const char line[] = "probe: atexit ran\n";
    write(2, line, sizeof line - 1);
}

static lambda_status probe_init(const lambda_host_api *host, void **state) {
    probe_host = host;
    const char *mode = getenv("PROBE_INIT");
    if (mode && strcmp(mode, "fail") == 0) {
        host->fail(NULL, "Probe.InitFailed", "the probe was told to fail its init hook");
        return LAMBDA_ERROR;
    }
    if (mode && strcmp(mode, "silent") == 0) return LAMBDA_ERROR;
    if (mode && strcmp(mode, "crash") == 0) *(volatile int *)NULL = 1;
    if (mode && strcmp(mode, "abort") == 0) abort();
    if (mode && strcmp(mode, "exit") == 0) exit(5);
    if (mode && strcmp(mode, "atexit") == 0) atexit(probe_atexit);
    if (mode && strcmp(mode, "host-calls") == 0) {
        char line[160];
        int n = snprintf(line, sizeof line,
                         "probe init calls: respond %d stream_begin %d stream_write %d stream_end %d remaining %lld",
                         host->respond(NULL, "x", 1), host->stream_begin(NULL, NULL), host->stream_write(NULL, "x", 1),
                         host->stream_end(NULL), (long long)host->remaining_time_ms(NULL));
        host->log(NULL, LAMBDA_LOG_INFO, line, (size_t)n);
    }
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

/* Exported and never inlined, so that a crash report can name it. */
LAMBDA_EXPORT __attribute__((noinline)) void probe_crash_null(void) { *(volatile int *)NULL = 42; }

static void *crash_thread(void *unused) {
    (void)unused;
    probe_crash_null();
    return NULL;
}

static void *race_thread(void *unused) {
    (void)unused;
    probe_crash_null();
    return NULL;
}

/* stream-race: the crashing thread waits for the tenth chunk. */
static sem_t stream_chunks;

static void *stream_race_thread(void *unused) {
    (void)unused;
    for (int i = 0; i < 10; i++) sem_wait(&stream_chunks);
    probe_crash_null();
    return NULL;
}

/* Overwrites its own frame's links, then crashes: nothing above it can be unwound. */
LAMBDA_EXPORT __attribute__((noinline)) void probe_smash_stack(void) {
    void **frame = __builtin_frame_address(0);
    frame[0] = (void *)0x4141414141414141;
    frame[1] = (void *)0x4242424242424242;
    probe_crash_null();
}

/* The late-respond thread and the invocation that releases it. */
static sem_t late_go, late_done;
static char late_report[128];

static void *late_thread(void *raw) {
    const lambda_invocation *stale = raw;
    const lambda_host_api *host = stale->host;
    sem_wait(&late_go);
    lambda_status r = host->respond(stale, "stale", 5);
    lambda_status f = host->fail(stale, "Probe.Stale", "stale");
    lambda_status w = host->stream_write(stale, "stale", 5);
    lambda_status e = host->stream_end(stale);
    long long left = (long long)host->remaining_time_ms(stale);
    snprintf(late_report, sizeof late_report, "late respond %d fail %d stream_write %d stream_end %d remaining %lld", r,
             f, w, e, left);
    const char line[] = "probe: late log line";
    host->log(stale, LAMBDA_LOG_INFO, line, sizeof line - 1);
    sem_post(&late_done);
    return NULL;
}

static void *storm_thread(void *raw) {
    const lambda_invocation *inv = raw;
    static _Atomic int next_thread;
    int t = next_thread++;
    for (int i = 0; i < 250; i++) {
        char line[32];
        int n = snprintf(line, sizeof line, "storm %d %d", t, i);
        inv->host->log(inv, LAMBDA_LOG_INFO, line, (size_t)n);
    }
    return NULL;
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
    if (is(inv, "crash-null")) probe_crash_null();
    if (is(inv, "abort")) abort();
    if (is(inv, "divide-zero")) {
        volatile int zero = 0;
        volatile int result = 1 / zero;
        (void)result;
    }
    if (is(inv, "trap")) __builtin_trap();
    if (is(inv, "exit-call")) exit(4);
    if (is(inv, "respond-exit")) {
        host->respond(inv, "bye", 3);
        exit(0);
    }
    if (is(inv, "stream-crash")) {
        host->stream_begin(inv, "text/plain");
        host->stream_write(inv, "partial", 7);
        probe_crash_null();
    }
    if (is(inv, "thread-crash")) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, crash_thread, NULL) == 0) pthread_join(thread, NULL);
        return host->respond(inv, "survived", 8);
    }
    if (is(inv, "fork-exit")) {
        const char *child = getenv("PROBE_CHILD");
        pid_t pid = fork();
        if (pid == 0) {
            if (child && strcmp(child, "crash") == 0) probe_crash_null();
            exit(0);
        }
        if (pid > 0) waitpid(pid, NULL, 0);
        return host->respond(inv, "parent", 6);
    }
    if (is(inv, "smash-stack")) probe_smash_stack();
    if (is(inv, "race-crash")) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, race_thread, NULL) != 0) return LAMBDA_ERROR;
        host->respond(inv, "raced", 5);
        pthread_join(thread, NULL);
        return LAMBDA_OK;
    }
    if (is(inv, "stream-race")) {
        static char chunk[64 * 1024];
        memset(chunk, 's', sizeof chunk);
        sem_init(&stream_chunks, 0, 0);
        pthread_t thread;
        if (pthread_create(&thread, NULL, stream_race_thread, NULL) != 0) return LAMBDA_ERROR;
        host->stream_begin(inv, NULL);
        for (;;) {
            if (host->stream_write(inv, chunk, sizeof chunk) != LAMBDA_OK) break;
            sem_post(&stream_chunks);
        }
        return LAMBDA_ERROR;
    }
    if (is(inv, "bad-pointer")) {
        lambda_status status = host->respond(inv, (const void *)16, 100);
        char line[48];
        int n = snprintf(line, sizeof line, "bad-pointer respond returned %d", status);
        host->log(inv, LAMBDA_LOG_INFO, line, (size_t)n);
        return LAMBDA_OK;
    }
    if (is(inv, "raise-bus")) raise(SIGBUS);
    if (is(inv, "late-respond")) {
        sem_init(&late_go, 0, 0);
        sem_init(&late_done, 0, 0);
        pthread_t thread;
        if (pthread_create(&thread, NULL, late_thread, (void *)inv) != 0) return LAMBDA_ERROR;
        pthread_detach(thread);
        return host->respond(inv, "started", 7);
    }
    if (is(inv, "late-release")) {
        sem_post(&late_go);
        sem_wait(&late_done);
        return host->respond(inv, late_report, strlen(late_report));
    }
    if (is(inv, "log-storm")) {
        pthread_t threads[4];
        int started = 0;
        for (; started < 4; started++)
            if (pthread_create(&threads[started], NULL, storm_thread, (void *)inv) != 0) break;
        for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
        return host->respond(inv, "stormed", 7);
    }
    if (is(inv, "forged")) {
        lambda_invocation copy = *inv;
        lambda_status r = host->respond(&copy, "forged", 6);
        lambda_status f = host->fail(&copy, "Probe.Forged", "forged");
        lambda_status b = host->stream_begin(&copy, NULL);
        int64_t left = host->remaining_time_ms(&copy);
        const char line[] = "probe: forged log line";
        host->log(&copy, LAMBDA_LOG_INFO, line, sizeof line - 1);
        char text[96];
        int n = snprintf(text, sizeof text, "respond %d fail %d stream_begin %d remaining %lld", r, f, b,
                         (long long)left);
        return host->respond(inv, text, (size_t)n);
    }
    if (is(inv, "fail-null")) {
        char text[48];
        int n = snprintf(text, sizeof text, "fail(NULL) returned %d", host->fail(NULL, "Probe.Late", "after INIT"));
        return host->respond(inv, text, (size_t)n);
    }
    if (is(inv, "printf")) {
        printf("probe: printf line\n");
        return host->respond(inv, "printed", 7);
    }
    if (is(inv, "printf-partial")) {
        printf("probe: partial line without a newline");
        return host->respond(inv, "printed", 7);
    }
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
