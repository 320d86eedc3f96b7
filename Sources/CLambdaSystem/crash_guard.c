/*
 * The crash guard (lh_crash_guard.h): reports a plugin's crash or exit() to the Runtime
 * API as the error of whatever is in flight, then lets the process die as it would have.
 *
 * Everything the signal handler touches is prepared at INIT or stored per invocation;
 * in the handler only async-signal-safe calls are made (signal-safety(7)), through
 * crash_report.c, plus two exceptions that cannot deadlock: libgcc's unwinder, found at
 * INIT in the already loaded libgcc_s (glibc's backtrace() would dlopen it on first use;
 * if unwinding faults on a damaged stack, the guard jumps back and reports without
 * frames), and a try-locked flush of stdout after the report.
 *
 * One answer per invocation: the guard claims the phase with a compare-and-swap to
 * LH_PHASE_REPORTING before it sends anything, and the host moves between phases the
 * same way, so whichever comes first answers and the other stands down (the host's thread
 * parks until the process ends).
 */
#include "lh_crash_guard.h"

#include "CLambdaSystem.h"
#include "crash_libraries.h"
#include "crash_report.h"
#include "crash_text.h"

#include <unwind.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>

enum { max_frames = 24, reported_frames = 16 };

/* What one worker (a thread answering invocations) is doing. With
 * AWS_LAMBDA_MAX_CONCURRENCY > 1 in one process there is one per worker thread; else one. */
struct guard_slot {
    _Atomic int phase;
    /* The invocation in flight (LH_PHASE_INVOKE, LH_PHASE_STREAM, LH_PHASE_SENDING). */
    const char *request_id;
    size_t request_id_size;
    const char *invocation_id;
    size_t invocation_id_size;
    _Atomic int stream_fd;
};

static struct guard_slot first_slot = {.stream_fd = -1};

static int alternate_stack(void);

static struct {
    /* Set once at INIT (lh_guard_set_workers), before any worker thread starts. */
    struct guard_slot *slots;
    int slot_count;
    int installed;
    int json_logs;
    /* libgcc's unwinder, or NULL: no frames are listed then. */
    _Unwind_Reason_Code (*unwind_backtrace)(_Unwind_Trace_Fn, void *);
    _Unwind_Ptr (*unwind_ip)(struct _Unwind_Context *);
    /* The process the guard was installed in: a fork()ed child reports nothing. */
    pid_t process;
    /* The thread that is reporting (0: none), and the signal it reports (0: an exit). */
    _Atomic long reporter;
    int original_signal;
    /* Set while the reporter unwinds its stack: a fault then jumps back to `unwind`. */
    volatile sig_atomic_t unwinding;
    sigjmp_buf unwind;
} guard = {.slots = &first_slot, .slot_count = 1};

/* The worker a host thread answers for (lh_guard_bind_thread), or -1: a crash on a worker's
 * own thread is named as its handler's; the other invocations in flight are told that
 * another one crashed the process. */
static __thread int thread_worker = -1;

static struct guard_slot *slot_at(int worker) {
    return worker >= 0 && worker < guard.slot_count ? &guard.slots[worker] : &guard.slots[0];
}

static char message_data[4096];
static char slot_message_data[4096 + 160];
static char frames_data[reported_frames * 320];

static const int guarded_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT};

/* ---- Phases ------------------------------------------------------------------------ */

/* A thread of the host's that finds a report under way waits for it to end the process. */
static _Noreturn void park(void) {
    for (;;) pause();
}

void lh_guard_set_phase(int worker, int phase) {
    struct guard_slot *slot = slot_at(worker);
    int current = atomic_load_explicit(&slot->phase, memory_order_acquire);
    for (;;) {
        if (current == LH_PHASE_REPORTING) park();
        if (atomic_compare_exchange_weak_explicit(&slot->phase, &current, phase, memory_order_acq_rel,
                                                  memory_order_acquire)) {
            /* The guard waited for what was being sent: it is whole now (a stream between
             * chunks, or an answer), and the guard takes over from here. */
            if (current == LH_PHASE_WAITING) park();
            return;
        }
    }
}

void lh_guard_exiting(void) {
    for (int i = 0; i < guard.slot_count; i++) lh_guard_set_phase(i, LH_PHASE_EXITING);
}

void lh_guard_begin(int worker, const char *request_id, size_t request_id_size, const char *invocation_id,
                    size_t invocation_id_size) {
    struct guard_slot *slot = slot_at(worker);
    slot->request_id = request_id;
    slot->request_id_size = request_id_size;
    slot->invocation_id = invocation_id;
    slot->invocation_id_size = invocation_id_size;
    lh_guard_set_phase(worker, LH_PHASE_INVOKE);
}

void lh_guard_stream_socket(int worker, int fd) {
    atomic_store_explicit(&slot_at(worker)->stream_fd, fd, memory_order_relaxed);
}

static int is_owed(int phase) {
    return phase == LH_PHASE_INIT || phase == LH_PHASE_INVOKE || phase == LH_PHASE_STREAM ||
           phase == LH_PHASE_SENDING || phase == LH_PHASE_WAITING;
}

void lh_guard_remember_libraries(const void *plugin) { lh_guard_libraries_snapshot(plugin); }

int lh_guard_set_workers(int count) {
    if (count > LH_GUARD_MAX_WORKERS) return EINVAL;
    if (count <= 1 || guard.slot_count > 1) return 0;
    struct guard_slot *slots = calloc((size_t)count, sizeof *slots);
    if (slots == NULL) return ENOMEM;
    for (int i = 0; i < count; i++) {
        atomic_init(&slots[i].phase, i == 0 ? atomic_load(&first_slot.phase) : LH_PHASE_IDLE);
        atomic_init(&slots[i].stream_fd, -1);
    }
    guard.slots = slots;
    guard.slot_count = count;
    return 0;
}

int lh_guard_bind_thread(int worker) {
    thread_worker = worker;
    /* Each thread needs its own alternate stack for the handler to run after a stack
     * overflow; the main thread got one at install. */
    if (!guard.installed) return 0;
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return 0;
    return alternate_stack();
}

/* Claims the phase for a report: returns what it was, which says what is owed. While the
 * host sends (LH_PHASE_SENDING: an answer, or a chunk of a stream), the guard asks it to
 * stop when that is whole (LH_PHASE_WAITING) and waits until `deadline` for the phase it
 * then moves to; something still half sent at the deadline owes nothing (it is cut). */
static int claim_phase(struct guard_slot *slot, int64_t deadline) {
    int current = atomic_load_explicit(&slot->phase, memory_order_acquire);
    for (;;) {
        int claim = LH_PHASE_REPORTING;
        if (current == LH_PHASE_SENDING) claim = LH_PHASE_WAITING;
        if (current == LH_PHASE_WAITING && lh_report_now_ms() < deadline) {
            struct timespec millisecond = {0, 1000000};
            nanosleep(&millisecond, NULL);
            current = atomic_load_explicit(&slot->phase, memory_order_acquire);
            continue;
        }
        if (atomic_compare_exchange_weak_explicit(&slot->phase, &current, claim, memory_order_acq_rel,
                                                  memory_order_acquire)) {
            if (claim == LH_PHASE_REPORTING) return current == LH_PHASE_WAITING ? LH_PHASE_SENDING : current;
            current = LH_PHASE_WAITING;
        }
    }
}

static lh_report_target target_for(const struct guard_slot *slot, int phase) {
    lh_report_target target = {.phase = phase, .stream_fd = -1};
    if (phase == LH_PHASE_INVOKE || phase == LH_PHASE_STREAM || phase == LH_PHASE_SENDING || phase == LH_PHASE_ANSWERED) {
        target.request_id = slot->request_id;
        target.request_id_size = slot->request_id_size;
        target.invocation_id = slot->invocation_id;
        target.invocation_id_size = slot->invocation_id_size;
        target.stream_fd = atomic_load_explicit(&slot->stream_fd, memory_order_relaxed);
    }
    return target;
}

/* Sends what `phase` owes for `slot`, typed `type`, and logs the FATAL line with the
 * outcome. */
static void report(const struct guard_slot *slot, int phase, const char *type, const lh_text *message,
                   const lh_text *frames, int64_t deadline) {
    lh_report_target target = target_for(slot, phase);
    /* Of several worker processes, only the first to fail INIT posts the init error. */
    int status = 0;
    if (phase != LH_PHASE_INIT || lh_worker_claim_init_error())
        status = lh_report_send(&target, type, message, frames, deadline);
    lh_report_log(&target, guard.json_logs, type, message, status);
}

/* The worker whose handler failed, given the crashing thread and the claimed `phases`:
 * worker 0 when there is only one (a plugin's thread then fails the one invocation) or
 * during INIT (whatever thread INIT's code runs on), else the thread's own worker, or -1. */
static int culprit(const int *phases) {
    return guard.slot_count == 1 || phases[0] == LH_PHASE_INIT ? 0 : thread_worker;
}

/* Claims every worker's phase into `phases` (waiting for what each is sending until
 * `deadline`), so that no worker sends anything more; returns the phase whose words open
 * the message: the culprit's, or "no invocation" when the culprit is unknown. */
static int claim_all(int *phases, int64_t deadline) {
    for (int i = 0; i < guard.slot_count; i++) phases[i] = claim_phase(&guard.slots[i], deadline);
    int worker = culprit(phases);
    return worker >= 0 ? phases[worker] : LH_PHASE_IDLE;
}

/* Reports `message` for every worker that owes an answer: the culprit's in those words,
 * every other one after a sentence saying another invocation ended the process. When none
 * owes anything, the line is logged once. */
static void report_all(const int *phases, const char *type, const lh_text *message, const lh_text *frames) {
    int reported = 0, worker = culprit(phases);
    for (int i = 0; i < guard.slot_count; i++) {
        if (!is_owed(phases[i])) continue;
        int64_t deadline = lh_report_now_ms() + LH_GUARD_REPLY_MS;
        if (i == worker) {
            report(&guard.slots[i], phases[i], type, message, frames, deadline);
        } else {
            lh_text shared = {slot_message_data, 0, sizeof slot_message_data};
            text_str(&shared, "another invocation in this process ended it, and this one with it: ");
            text_bytes(&shared, message->data, message->size);
            report(&guard.slots[i], phases[i], type, &shared, frames, deadline);
        }
        reported = 1;
    }
    if (!reported) {
        int first = worker >= 0 ? worker : 0;
        report(&guard.slots[first], phases[first], type, message, frames, lh_report_now_ms() + LH_GUARD_REPLY_MS);
    }
}

/* ---- Frames ------------------------------------------------------------------------ */

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

struct trace_state {
    void **trace;
    int count;
};

static _Unwind_Reason_Code collect_frame(struct _Unwind_Context *context, void *raw) {
    struct trace_state *state = raw;
    if (state->count >= max_frames) return _URC_END_OF_STACK;
    state->trace[state->count++] = (void *)guard.unwind_ip(context);
    return _URC_NO_REASON;
}

/* The stack's return addresses, or 0 of them when unwinding faults (a damaged stack). */
static int unwind(void **trace) {
    if (guard.unwind_backtrace == NULL || guard.unwind_ip == NULL) return 0;
    struct trace_state state = {trace, 0};
    if (sigsetjmp(guard.unwind, 1) != 0) {
        guard.unwinding = 0;
        return 0;
    }
    guard.unwinding = 1;
    guard.unwind_backtrace(collect_frame, &state);
    guard.unwinding = 0;
    return state.count;
}

/* Names the frames of the current stack as JSON strings into `frames`: from the one at
 * `pc` on (a crash), or, when `pc` is 0, from the first frame outside the host's own
 * binary (an exit hook, called by exit()). Returns the index in `trace` of the first
 * caller frame in the handler's library, or -1. */
static int describe_frames(uintptr_t pc, lh_text *frames, void **trace) {
    int count = unwind(trace), first = 0;
    if (pc == 0) {
        int self = lh_guard_library_of((uintptr_t)describe_frames);
        while (first + 1 < count && lh_guard_library_of((uintptr_t)trace[first]) == self) first++;
    } else {
        /* Skip the guard's own frames and the signal trampoline, up to the crash. */
        for (int i = 0; i < count; i++)
            if ((uintptr_t)trace[i] == pc) first = i;
        if (count == 0 || (uintptr_t)trace[first] != pc) {
            trace[0] = (void *)pc;
            count = 1;
            first = 0;
        }
    }
    int plugin = lh_guard_plugin_library(), caller = -1;
    for (int i = first, listed = 0; i < count && listed < reported_frames; i++, listed++) {
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

static const char *who(int phase) {
    switch (phase) {
    case LH_PHASE_INIT: return "the plugin, during INIT,";
    case LH_PHASE_INVOKE:
    case LH_PHASE_STREAM:
    case LH_PHASE_SENDING:
    case LH_PHASE_ANSWERED: return "the handler";
    default: return "plugin code, while no invocation was running,";
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

/* Claims the report for this thread (1). A fault while this thread unwinds jumps back;
 * any other fault in the reporting thread dies at once with the first signal; another
 * thread waits for the reporter to end the process (0). */
static int claim_thread(int sig) {
    long self = syscall(SYS_gettid), none = 0;
    if (atomic_compare_exchange_strong(&guard.reporter, &none, self)) {
        guard.original_signal = sig;
        return 1;
    }
    if (none != self) return 0;
    if (guard.unwinding) siglongjmp(guard.unwind, 1);
    die(guard.original_signal ? guard.original_signal : sig);
}

static void on_signal(int sig, siginfo_t *info, void *context) {
    /* A child the plugin forked owes nothing to the parent's invocation. */
    if (getpid() != guard.process) die(sig);
    if (!claim_thread(sig)) park();
    int phases[LH_GUARD_MAX_WORKERS];
    int phase = claim_all(phases, lh_report_now_ms() + LH_GUARD_REPLY_MS);
    uintptr_t pc, sp;
    registers(context, &pc, &sp);
    lh_text message = {message_data, 0, sizeof message_data};
    lh_text frames = {frames_data, 0, sizeof frames_data};
    void *trace[max_frames];
    int caller = describe_frames(pc, &frames, trace);
    text_str(&message, who(phase));
    text_str(&message, " crashed: ");
    text_str(&message, signal_name(sig));
    text_str(&message, " at ");
    lh_guard_name_address(&message, pc, 0);
    /* si_addr is the faulting address only for a fault the kernel raised (si_code > 0);
     * a signal sent with kill() or raise() carries the sender's pid there. */
    if ((sig == SIGSEGV || sig == SIGBUS) && info->si_code > 0) {
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
    report_all(phases, LH_CRASH_ERROR_TYPE, &message, &frames);
    lh_flush_stdout_from_signal();
    die(sig);
}

static void on_exit_hook(int status, void *unused) {
    (void)unused;
    if (getpid() != guard.process || atomic_load(&guard.reporter) != 0) return;
    int owed = 0;
    for (int i = 0; i < guard.slot_count; i++)
        owed |= is_owed(atomic_load_explicit(&guard.slots[i].phase, memory_order_acquire));
    if (!owed) return;
    if (!claim_thread(0)) return;
    int phases[LH_GUARD_MAX_WORKERS];
    int phase = claim_all(phases, lh_report_now_ms() + LH_GUARD_REPLY_MS);
    lh_text message = {message_data, 0, sizeof message_data};
    lh_text frames = {frames_data, 0, sizeof frames_data};
    void *trace[max_frames];
    int caller = describe_frames(0, &frames, trace);
    text_str(&message, who(phase));
    text_str(&message, " called exit(");
    text_decimal(&message, status);
    text_str(&message, phase == LH_PHASE_INIT ? ")" : ") before answering the invocation");
    if (caller >= 0) {
        text_str(&message, ", from ");
        lh_guard_name_address(&message, (uintptr_t)trace[caller], 1);
    }
    text_str(&message, "; a plugin reports failures with host->fail() and returns instead of ending the process");
    report_all(phases, LH_EXIT_ERROR_TYPE, &message, &frames);
}

/* ---- Installing ---------------------------------------------------------------------- */

/* Gives the calling thread an alternate signal stack, so that the handler can run after
 * a stack overflow. */
static int alternate_stack(void) {
    long minimum = sysconf(_SC_SIGSTKSZ);
    size_t size = 64 * 1024;
    if (minimum > 0 && (size_t)minimum * 4 > size) size = (size_t)minimum * 4;
    void *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (stack == MAP_FAILED) return errno;
    stack_t alternate = {.ss_sp = stack, .ss_size = size};
    return sigaltstack(&alternate, NULL) == 0 ? 0 : errno;
}

int lh_guard_install(const char *host, uint16_t port, int json_logs) {
    if (guard.installed) return 0;
    guard.json_logs = json_logs;
    guard.process = getpid();
    atomic_store(&first_slot.phase, LH_PHASE_INIT);
    int rc = lh_report_resolve(host, port);
    if (rc != 0) return rc;
    rc = alternate_stack();
    if (rc != 0) return rc;
    /* The unwinder, looked up in libgcc_s only (the Swift runtime has loaded it already):
     * nothing is loaded or unwound at INIT, and nothing needs loading in a crash. */
    void *libgcc = dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_NOLOAD);
    if (libgcc != NULL) {
        guard.unwind_backtrace = (_Unwind_Reason_Code(*)(_Unwind_Trace_Fn, void *))dlsym(libgcc, "_Unwind_Backtrace");
        guard.unwind_ip = (_Unwind_Ptr(*)(struct _Unwind_Context *))dlsym(libgcc, "_Unwind_GetIP");
    }
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

void lh_guard_initialized(void) {
    /* Exit handlers run last-registered first: registering again now puts the hook before
     * those the plugin's constructors, C++ statics and init hook registered, so that an
     * exit() during an invocation is reported before any of them can block or exit. */
    if (guard.installed) on_exit(on_exit_hook, NULL);
    for (int i = 0; i < guard.slot_count; i++) lh_guard_set_phase(i, LH_PHASE_IDLE);
}
