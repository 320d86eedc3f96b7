/*
 * The crash guard (lh_crash_guard.h): reports a plugin's crash or exit() to the Runtime
 * API as the error of whatever is in flight, then lets the process die as it would have.
 *
 * Everything the signal handler touches is prepared at INIT or stored per invocation;
 * in the handler only async-signal-safe calls are made (signal-safety(7)): socket,
 * connect, sendmsg, recv, poll, close, clock_gettime, write, sigaction, raise, _exit,
 * and memcpy-level work. Two exceptions, each after the report is on its way or only
 * where it cannot deadlock: backtrace() (warmed up at INIT so that it loads nothing; the
 * unwinder only reads unwind tables) and a try-locked flush of stdout after the report.
 */
#include "lh_crash_guard.h"

#include "CLambdaSystem.h"
#include "crash_libraries.h"
#include "crash_text.h"

#include <execinfo.h>
#include <poll.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>

enum { max_frames = 24, reported_frames = 16 };

static struct {
    _Atomic int phase;
    /* The invocation in flight (LH_PHASE_INVOKE, LH_PHASE_STREAM). */
    const char *request_id;
    size_t request_id_size;
    const char *invocation_id;
    size_t invocation_id_size;
    _Atomic int stream_fd;
    /* The Runtime API, resolved at INIT. */
    struct sockaddr_storage address;
    socklen_t address_size;
    int installed;
    int json_logs;
    int backtrace_ready;
    /* The thread that is reporting (0: none), and the signal it reports. */
    _Atomic long reporter;
    int original_signal;
} guard = {.stream_fd = -1};

/* Static buffers: in .bss, so they cost no memory until a crash writes them. */
static char message_data[4096];
static char frames_data[reported_frames * 320];
static char body_data[64 * 1024];
static char request_data[3 * 64 * 1024 + 128 * 1024];
static char reply_data[512];

static const int guarded_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT};

/* ---- Phases ------------------------------------------------------------------------ */

void lh_guard_begin(const char *request_id, size_t request_id_size, const char *invocation_id,
                    size_t invocation_id_size) {
    guard.request_id = request_id;
    guard.request_id_size = request_id_size;
    guard.invocation_id = invocation_id;
    guard.invocation_id_size = invocation_id_size;
    atomic_store_explicit(&guard.phase, LH_PHASE_INVOKE, memory_order_release);
}

void lh_guard_set_phase(int phase) { atomic_store_explicit(&guard.phase, phase, memory_order_release); }

void lh_guard_stream_open(int fd) {
    atomic_store_explicit(&guard.stream_fd, fd, memory_order_relaxed);
    atomic_store_explicit(&guard.phase, LH_PHASE_STREAM, memory_order_release);
}

int lh_guard_phase(void) { return atomic_load_explicit(&guard.phase, memory_order_acquire); }

void lh_guard_remember_libraries(const void *plugin) { lh_guard_libraries_snapshot(plugin); }

/* ---- Talking to the Runtime API, async-signal-safely ------------------------------- */

static int64_t monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Waits for `events` on fd until `deadline`; 1 when ready. */
static int wait_for(int fd, short events, int64_t deadline) {
    for (;;) {
        int64_t left = deadline - monotonic_ms();
        if (left <= 0) return 0;
        struct pollfd entry = {.fd = fd, .events = events};
        int ready = poll(&entry, 1, (int)left);
        if (ready > 0) return 1;
        if (ready < 0 && errno != EINTR) return 0;
    }
}

static int connect_fresh(int64_t deadline) {
    int fd = socket(guard.address.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&guard.address, guard.address_size) != 0) {
        int error = 0;
        socklen_t size = sizeof error;
        if (errno != EINPROGRESS || !wait_for(fd, POLLOUT, deadline) ||
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0 || error != 0) {
            close(fd);
            return -1;
        }
    }
    return fd;
}

static int send_all(int fd, const char *data, size_t size, int64_t deadline) {
    while (size > 0) {
        ssize_t sent = send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent > 0) {
            data += sent;
            size -= (size_t)sent;
        } else if (sent < 0 && errno == EINTR) {
            continue;
        } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!wait_for(fd, POLLOUT, deadline)) return -1;
        } else {
            return -1;
        }
    }
    return 0;
}

/* Reads the status line of the reply; returns the status, or -1. */
static int read_status(int fd, int64_t deadline) {
    size_t have = 0;
    while (have < sizeof reply_data - 1) {
        if (!wait_for(fd, POLLIN, deadline)) return -1;
        ssize_t got = recv(fd, reply_data + have, sizeof reply_data - 1 - have, MSG_DONTWAIT);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (got <= 0) return -1;
        have += (size_t)got;
        for (size_t i = 0; i + 1 < have; i++) {
            if (reply_data[i] != '\r') continue;
            /* "HTTP/1.1 202 Accepted" */
            if (i < 12 || memcmp(reply_data, "HTTP/1.", 7) != 0) return -1;
            int status = 0;
            for (int d = 9; d < 12; d++) {
                if (reply_data[d] < '0' || reply_data[d] > '9') return -1;
                status = status * 10 + (reply_data[d] - '0');
            }
            return status;
        }
    }
    return -1;
}

/* {"errorMessage":...,"errorType":...,"stackTrace":[...]} */
static void error_document(lh_text *body, const char *type, const lh_text *message, const lh_text *frames) {
    text_str(body, "{\"errorMessage\":\"");
    text_json(body, message->data, message->size);
    text_str(body, "\",\"errorType\":\"");
    text_str(body, type);
    text_str(body, "\",\"stackTrace\":[");
    text_bytes(body, frames->data, frames->size);
    text_str(body, "]}");
}

static void error_request_head(lh_text *request, int phase, const char *type, size_t body_size) {
    if (phase == LH_PHASE_INIT) {
        text_str(request, "POST /2018-06-01/runtime/init/error HTTP/1.1\r\n");
    } else {
        text_str(request, "POST /2018-06-01/runtime/invocation/");
        text_path_segment(request, guard.request_id, guard.request_id_size);
        text_str(request, "/error HTTP/1.1\r\n");
        if (guard.invocation_id != NULL) {
            text_str(request, "Lambda-Runtime-Invocation-Id: ");
            text_header_value(request, guard.invocation_id, guard.invocation_id_size);
            text_str(request, "\r\n");
        }
    }
    text_str(request, "Host: lambda\r\nLambda-Runtime-Function-Error-Type: ");
    text_str(request, type);
    text_str(request, "\r\nContent-Type: application/vnd.aws.lambda.error+json\r\nContent-Length: ");
    text_decimal(request, (int64_t)body_size);
    text_str(request, "\r\nConnection: close\r\n\r\n");
}

/* Sends the error the phase owes; returns the service's status, 0 when nothing was
 * owed, or -1 when it could not be delivered. */
static int report(int phase, const char *type, const lh_text *message, const lh_text *frames) {
    if (phase != LH_PHASE_INIT && phase != LH_PHASE_INVOKE && phase != LH_PHASE_STREAM) return 0;
    int64_t deadline = monotonic_ms() + LH_GUARD_REPLY_MS;
    lh_text body = {body_data, 0, sizeof body_data};
    error_document(&body, type, message, frames);
    lh_text request = {request_data, 0, sizeof request_data};
    int fd, status = -1;
    if (phase == LH_PHASE_STREAM) {
        /* The error after the first byte: the trailers end the open chunked body. */
        fd = atomic_load_explicit(&guard.stream_fd, memory_order_relaxed);
        text_str(&request, "0\r\nLambda-Runtime-Function-Error-Type: ");
        text_str(&request, type);
        text_str(&request, "\r\nLambda-Runtime-Function-Error-Body: ");
        text_base64(&request, (const unsigned char *)body.data, body.size);
        text_str(&request, "\r\n\r\n");
        if (fd >= 0 && send_all(fd, request.data, request.size, deadline) == 0) status = read_status(fd, deadline);
        return status;
    }
    error_request_head(&request, phase, type, body.size);
    text_bytes(&request, body.data, body.size);
    fd = connect_fresh(deadline);
    if (fd < 0) return -1;
    if (send_all(fd, request.data, request.size, deadline) == 0) status = read_status(fd, deadline);
    close(fd);
    return status;
}

/* ---- The log line ------------------------------------------------------------------ */

/* Writes the UTC time as 2026-11-23T10:31:34.123Z without gmtime_r (which locks). */
static void text_utc_now(lh_text *t) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t days = now.tv_sec / 86400, seconds = now.tv_sec % 86400;
    /* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
    int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);
    int64_t parts[] = {year, month, day, seconds / 3600, seconds / 60 % 60, seconds % 60, now.tv_nsec / 1000000};
    const char *separators[] = {"", "-", "-", "T", ":", ":", "."};
    for (int i = 0; i < 7; i++) {
        text_str(t, separators[i]);
        int width = i == 0 ? 4 : i == 6 ? 3 : 2;
        for (int64_t scale = width == 4 ? 1000 : width == 3 ? 100 : 10; scale > 0; scale /= 10)
            text_byte(t, (char)('0' + parts[i] / scale % 10));
    }
    text_byte(t, 'Z');
}

static void log_report(int phase, const char *type, const lh_text *message, int status) {
    static char line_data[8192];
    lh_text line = {line_data, 0, sizeof line_data - 2};
    int with_id = phase == LH_PHASE_INVOKE || phase == LH_PHASE_STREAM;
    char outcome[64];
    lh_text what = {outcome, 0, sizeof outcome};
    if (status > 0) {
        text_str(&what, " (reported: ");
        text_decimal(&what, status);
        text_byte(&what, ')');
    } else if (status < 0) {
        text_str(&what, " (the report could not be delivered)");
    }
    if (guard.json_logs) {
        text_str(&line, "{\"timestamp\":\"");
        text_utc_now(&line);
        text_str(&line, "\",\"level\":\"FATAL\"");
        if (with_id) {
            text_str(&line, ",\"requestId\":\"");
            text_json(&line, guard.request_id, guard.request_id_size);
            text_byte(&line, '"');
        }
        text_str(&line, ",\"message\":\"");
        text_str(&line, type);
        text_str(&line, ": ");
        text_json(&line, message->data, message->size);
        text_json(&line, what.data, what.size);
        text_str(&line, "\",\"logger\":\"lambda-host\"}");
    } else {
        text_str(&line, "[FATAL]\t");
        if (with_id) {
            text_header_value(&line, guard.request_id, guard.request_id_size);
            text_byte(&line, '\t');
        }
        text_str(&line, "lambda-host: ");
        text_str(&line, type);
        text_str(&line, ": ");
        text_one_line(&line, message->data, message->size);
        text_bytes(&line, what.data, what.size);
    }
    line.capacity += 1;
    text_byte(&line, '\n');
    for (size_t done = 0; done < line.size;) {
        ssize_t written = write(2, line.data + done, line.size - done);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) break;
        done += (size_t)written;
    }
}

/* ---- Frames ------------------------------------------------------------------------ */

/* Names the frames of the current stack as JSON strings into `frames`: from the one at
 * `pc` on (a crash), or, when `pc` is 0, from the first frame outside the host's own
 * binary (an exit hook, called by exit()). Returns the index in `trace` of the first
 * caller frame in the handler's library, or -1. */
static int describe_frames(uintptr_t pc, lh_text *frames, void **trace, int *count) {
    *count = guard.backtrace_ready ? backtrace(trace, max_frames) : 0;
    int first = 0;
    if (pc == 0) {
        int self = lh_guard_library_of((uintptr_t)describe_frames);
        while (first + 1 < *count && lh_guard_library_of((uintptr_t)trace[first]) == self) first++;
    } else {
        /* Skip the guard's own frames and the signal trampoline, up to the crash. */
        for (int i = 0; i < *count; i++)
            if ((uintptr_t)trace[i] == pc) first = i;
        if (*count == 0 || (uintptr_t)trace[first] != pc) {
            trace[0] = (void *)pc;
            *count = 1;
            first = 0;
        }
    }
    if (*count == 0) return -1;
    int plugin = lh_guard_plugin_library(), caller = -1;
    for (int i = first, listed = 0; i < *count && listed < reported_frames; i++, listed++) {
        char name_data[288];
        lh_text name = {name_data, 0, sizeof name_data};
        lh_guard_name_address(&name, (uintptr_t)trace[i], i != first);
        if (listed > 0) text_byte(frames, ',');
        text_byte(frames, '"');
        text_json(frames, name.data, name.size);
        text_byte(frames, '"');
        int from_caller = i != first || pc == 0;
        if (caller < 0 && from_caller && plugin >= 0 && lh_guard_library_of((uintptr_t)trace[i]) == plugin)
            caller = i;
    }
    return caller;
}

/* ---- The signal handler and the exit hook ------------------------------------------ */

static const char *signal_name(int sig) {
    switch (sig) {
    case SIGSEGV: return "SIGSEGV (segmentation fault)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGFPE: return "SIGFPE (arithmetic error, such as an integer division by zero)";
    case SIGILL: return "SIGILL (illegal instruction; a Swift runtime trap on x86_64)";
    case SIGTRAP: return "SIGTRAP (trap; a Swift runtime trap on arm64)";
    case SIGABRT: return "SIGABRT (abort() was called)";
    default: return "a signal";
    }
}

static void registers(void *context, uintptr_t *pc, uintptr_t *sp) {
    ucontext_t *uc = context;
#if defined(__x86_64__)
    *pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    *sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
    *pc = (uintptr_t)uc->uc_mcontext.pc;
    *sp = (uintptr_t)uc->uc_mcontext.sp;
#else
    *pc = 0;
    *sp = 0;
#endif
}

/* Ends the process with `sig`'s default action, as if the guard had not been there. */
static _Noreturn void die(int sig) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    sigaction(sig, &action, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig);
}

/* Claims the report for this thread. A nested fault in the same thread dies at once
 * with the first signal; another thread waits for the reporter to end the process. */
static int claim(int sig) {
    long self = syscall(SYS_gettid), none = 0;
    if (atomic_compare_exchange_strong(&guard.reporter, &none, self)) {
        guard.original_signal = sig;
        return 1;
    }
    if (none == self) die(guard.original_signal ? guard.original_signal : sig);
    return 0;
}

static void on_signal(int sig, siginfo_t *info, void *context) {
    if (!claim(sig)) {
        for (;;) pause();
    }
    int phase = lh_guard_phase();
    uintptr_t pc, sp;
    registers(context, &pc, &sp);
    lh_text message = {message_data, 0, sizeof message_data};
    lh_text frames = {frames_data, 0, sizeof frames_data};
    void *trace[max_frames];
    int count = 0;
    int caller = describe_frames(pc, &frames, trace, &count);
    text_str(&message, phase == LH_PHASE_INIT ? "the plugin crashed during INIT: " : "the handler crashed: ");
    text_str(&message, signal_name(sig));
    text_str(&message, " at ");
    lh_guard_name_address(&message, pc, 0);
    if (sig == SIGSEGV || sig == SIGBUS) {
        uintptr_t address = (uintptr_t)info->si_addr;
        text_str(&message, ", accessing address ");
        text_hex(&message, address);
        uintptr_t distance = address > sp ? address - sp : sp - address;
        if (distance < 256 * 1024) text_str(&message, " (near the stack pointer: a stack overflow?)");
    }
    if (caller >= 0 && lh_guard_library_of(pc) != lh_guard_plugin_library()) {
        text_str(&message, ", called from ");
        lh_guard_name_address(&message, (uintptr_t)trace[caller], 1);
    }
    text_str(&message, "; the process ends with the signal and Lambda starts a new one");
    int status = report(phase, LH_CRASH_ERROR_TYPE, &message, &frames);
    log_report(phase, LH_CRASH_ERROR_TYPE, &message, status);
    lh_flush_stdout_from_signal();
    die(sig);
}

static void on_exit_hook(int status, void *unused) {
    (void)unused;
    int phase = lh_guard_phase();
    if (phase != LH_PHASE_INIT && phase != LH_PHASE_INVOKE && phase != LH_PHASE_STREAM) return;
    if (!claim(0)) return;
    lh_text message = {message_data, 0, sizeof message_data};
    lh_text frames = {frames_data, 0, sizeof frames_data};
    void *trace[max_frames];
    int count = 0;
    int caller = describe_frames(0, &frames, trace, &count);
    text_str(&message, phase == LH_PHASE_INIT ? "the plugin called exit(" : "the handler called exit(");
    text_decimal(&message, status);
    text_str(&message, phase == LH_PHASE_INIT ? ") during INIT" : ") before answering the invocation");
    if (caller >= 0) {
        text_str(&message, ", from ");
        lh_guard_name_address(&message, (uintptr_t)trace[caller], 1);
    }
    text_str(&message, "; a plugin reports failures with host->fail() and returns instead of ending the process");
    int reported = report(phase, LH_EXIT_ERROR_TYPE, &message, &frames);
    log_report(phase, LH_EXIT_ERROR_TYPE, &message, reported);
}

/* ---- Installing ---------------------------------------------------------------------- */

static int resolve(const char *host, uint16_t port) {
    struct sockaddr_in *v4 = (struct sockaddr_in *)&guard.address;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&guard.address;
    memset(&guard.address, 0, sizeof guard.address);
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        guard.address_size = sizeof *v4;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        guard.address_size = sizeof *v6;
        return 0;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *found = NULL;
    if (getaddrinfo(host, NULL, &hints, &found) != 0 || found == NULL) return EHOSTUNREACH;
    memcpy(&guard.address, found->ai_addr, found->ai_addrlen);
    guard.address_size = found->ai_addrlen;
    if (found->ai_family == AF_INET) v4->sin_port = htons(port);
    if (found->ai_family == AF_INET6) v6->sin6_port = htons(port);
    freeaddrinfo(found);
    return 0;
}

int lh_guard_install(const char *host, uint16_t port, int json_logs) {
    if (guard.installed) return 0;
    guard.json_logs = json_logs;
    atomic_store(&guard.phase, LH_PHASE_INIT);
    int rc = resolve(host, port);
    if (rc != 0) return rc;
    /* The alternate stack lets the handler run after a stack overflow. */
    long minimum = sysconf(_SC_SIGSTKSZ);
    size_t size = 64 * 1024;
    if (minimum > 0 && (size_t)minimum * 4 > size) size = (size_t)minimum * 4;
    void *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (stack == MAP_FAILED) return errno;
    stack_t alternate = {.ss_sp = stack, .ss_size = size};
    if (sigaltstack(&alternate, NULL) != 0) return errno;
    /* backtrace() loads its unwinder on first use: do that now, not in a crash. */
    void *warm[1];
    guard.backtrace_ready = backtrace(warm, 1) > 0;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_signal;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < sizeof guarded_signals / sizeof guarded_signals[0]; i++)
        if (sigaction(guarded_signals[i], &action, NULL) != 0) return errno;
    if (on_exit(on_exit_hook, NULL) != 0) return ENOMEM;
    lh_guard_libraries_snapshot(NULL);
    guard.installed = 1;
    return 0;
}
