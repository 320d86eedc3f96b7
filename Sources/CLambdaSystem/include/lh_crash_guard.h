/*
 * The crash guard: a plugin that crashes or calls exit() still answers its invocation.
 *
 * When a plugin raises SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP or SIGABRT, the guard's
 * signal handler (on an alternate stack, async-signal-safe calls only) posts the error
 * that the current phase owes: /runtime/init/error during INIT, the invocation's /error
 * while its handler runs, or error trailers that end a stream already begun. It waits at
 * most LH_GUARD_REPLY_MS for the service's reply, then lets the signal's default action
 * end the process, so that Lambda still sees the signal and restarts the environment.
 * exit() from a plugin during INIT or before an answer is reported the same way (an
 * on_exit hook), then the exit goes on with the plugin's status. _exit() cannot be seen.
 *
 * Cost: nothing is formatted before a crash. Per invocation the host stores two
 * pointers, their lengths and the phase; everything else is prepared at INIT (the
 * Runtime API's address, the alternate stack, the table of loaded libraries).
 */
#ifndef LH_CRASH_GUARD_H
#define LH_CRASH_GUARD_H

#include <stddef.h>
#include <stdint.h>

/* What the host is doing, which decides what a crash or an exit() owes the service. */
/* Host code between invocations: nothing is owed, the default action follows. */
#define LH_PHASE_IDLE 0
/* INIT (loading the plugin, its init hook): POST /runtime/init/error. */
#define LH_PHASE_INIT 1
/* A handler runs and has not answered: POST /runtime/invocation/{id}/error. */
#define LH_PHASE_INVOKE 2
/* A handler runs and its stream is open, between chunks: end the stream with the error
 * in its trailers, on the stream's own connection. */
#define LH_PHASE_STREAM 3
/* An answer is being sent or was sent: nothing more may be sent. */
#define LH_PHASE_ANSWERED 4
/* The host itself exits: its exit hook stays silent. */
#define LH_PHASE_EXITING 5
/* The host is sending the answer, or a chunk of the stream: a report waits for it to be
 * whole (within LH_GUARD_REPLY_MS). */
#define LH_PHASE_SENDING 6
/* The guard is reporting: nothing else may be sent, and a host thread that tries to move
 * to another phase waits for the process to end. */
#define LH_PHASE_REPORTING 7
/* The guard waits for what the host is sending: when it is whole, the host moves to the
 * next phase (LH_PHASE_STREAM, LH_PHASE_ANSWERED), hands over, and sends nothing more. A
 * child process the plugin forks reports nothing: the guard remembers its own pid. */
#define LH_PHASE_WAITING 8

/* The error type of a crash report. */
#define LH_CRASH_ERROR_TYPE "Runtime.Crash"
/* The error type of an exit() from a plugin (Lambda's own name for a runtime exit). */
#define LH_EXIT_ERROR_TYPE "Runtime.ExitError"
/* How long the guard waits for the service to accept its report. */
#define LH_GUARD_REPLY_MS 1000

/* Installs the guard, once, before the plugin is loaded: resolves the Runtime API at
 * host:port, sets up the alternate signal stack of the calling thread (the one that
 * runs INIT and worker 0's handlers), the signal handlers and the exit hook, and enters LH_PHASE_INIT.
 * json_logs chooses the format of the guard's own log line. Returns 0, or an errno
 * value when the guard could not be installed (the host then runs without it). */
int lh_guard_install(const char *host, uint16_t port, int json_logs);

/* Takes a snapshot of the loaded libraries (ranges and dynamic symbol tables), so that a
 * crash address can be named as library+offset (symbol+offset). `plugin` is an address
 * inside the handler's library, whose frames a report names first; NULL if none. Call
 * after loading the plugin and after its init hook (which may load more). */
void lh_guard_remember_libraries(const void *plugin);

/* The most workers (invocations at once in one process) the guard follows. */
#define LH_GUARD_MAX_WORKERS 1024

/* Follows `count` workers (threads that each answer one invocation at a time; worker 0 is
 * the one that ran INIT) instead of one. Call once after lh_guard_install and before any
 * worker thread starts. A crash or exit() then reports for every invocation in flight:
 * the failing thread's own in its words, the others as cut short by it. Returns 0, or
 * EINVAL (count over LH_GUARD_MAX_WORKERS) or ENOMEM. */
int lh_guard_set_workers(int count);

/* Binds the calling thread to `worker`, so that a crash on it is named as that worker's
 * handler's, and gives the thread its own alternate signal stack. Call first thing in
 * each worker thread. Returns 0 or an errno value. */
int lh_guard_bind_thread(int worker);

/* Starts an invocation on `worker`: its request id and invocation id (may be NULL) stay
 * valid, in that worker's Runtime API client buffer, until its phase leaves
 * LH_PHASE_INVOKE/STREAM. */
void lh_guard_begin(int worker, const char *request_id, size_t request_id_size, const char *invocation_id,
                    size_t invocation_id_size);

/* Moves `worker` to another phase (LH_PHASE_*). Called before anything is sent for an
 * invocation (ANSWERED, SENDING), so that a report and an answer never both go out: if
 * the guard has already claimed the phase, the calling thread waits there for the
 * process to end. Any thread may call it for any worker (a plugin's thread answering). */
void lh_guard_set_phase(int worker, int phase);

/* The host itself is ending the process: every worker moves to LH_PHASE_EXITING, so that
 * the exit hook stays silent (or the caller waits, when a report is under way).
 * Async-signal-safe. */
void lh_guard_exiting(void);

/* INIT is over: the phase becomes LH_PHASE_IDLE, and the exit hook is registered again,
 * ahead of the exit handlers the plugin registered during INIT. */
void lh_guard_initialized(void);

/* The handler's stream of `worker` is being opened on connection `fd`: once its phase is
 * LH_PHASE_STREAM, a report ends it with error trailers there. */
void lh_guard_stream_socket(int worker, int fd);


#endif
