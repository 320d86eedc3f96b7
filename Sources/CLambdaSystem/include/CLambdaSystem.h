/*
 * CLambdaSystem: the part of libc the host uses, without Swift's Glibc overlay.
 *
 * The host links only libswiftCore.so: the toolchain's libswiftGlibc.so needs
 * GLIBC_2.35, which Lambda's provided.al2023 (glibc 2.34) does not have. Importing the
 * system headers through this module gives Swift the declarations without the overlay.
 * The lh_ functions wrap what Swift cannot call directly: errno, variadic or
 * macro-based calls, and signal or thread plumbing with C callbacks.
 */
#ifndef CLAMBDA_SYSTEM_H
#define CLAMBDA_SYSTEM_H

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "lh_crash_guard.h"
#include "lh_symbols.h"
#include "lh_workers.h"

/* errno of the calling thread (a macro in C, so Swift cannot read it). */
int lh_errno(void);

/* open(path, O_RDONLY | O_CLOEXEC): open(2) is variadic, which Swift cannot call. */
int lh_open_read(const char *path);

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t lh_now_ms(void);

/* Microseconds on CLOCK_MONOTONIC (for durations; one vDSO call, no system call). */
int64_t lh_monotonic_us(void);

/* How long ago the kernel started this process, in microseconds (from /proc/self/stat's
 * start time and CLOCK_BOOTTIME, so its resolution is one clock tick, 10 ms on Lambda),
 * or -1 when it cannot be read. Reads one small file: call it once, not per invocation. */
int64_t lh_process_age_us(void);

/* Opens a blocking TCP connection with TCP_NODELAY to host:port, where host is an IPv4
 * or IPv6 literal or a name. Returns the socket, or -1 with errno set (or -2 when the
 * name does not resolve). */
int lh_tcp_connect(const char *host, uint16_t port);

/* Starts a detached thread that runs fn(arg). Returns 0 or an errno value. */
int lh_thread_start(void (*fn)(void *), void *arg);

/* lh_thread_start with a stack of `stack_bytes` (reserved, touched only as used): the
 * worker threads that run handlers get what a main thread would (8 MiB). */
int lh_thread_start_sized(void (*fn)(void *), void *arg, size_t stack_bytes);

/* Sleeps `milliseconds`, resuming after signals. */
void lh_sleep_ms(int64_t milliseconds);

/* The request id the calling thread's host log lines carry (NULL: none). Set by a worker
 * thread for the invocation it runs; the pointer must stay valid until reset. */
void lh_log_set_request_id(const char *request_id);
const char *lh_log_request_id(void);

/* Guards the hand-over between INIT and the SIGTERM thread (whether the shutdown hook may
 * run yet, and with which state); each worker has its own lock around its handler. */
void lh_invocation_lock(void);
void lh_invocation_unlock(void);

/* A mutex for Swift code of the host, which has no Synchronization module (it would be a
 * library the layer does not carry). lh_mutex_create returns NULL when out of memory. */
typedef struct lh_mutex lh_mutex;
lh_mutex *lh_mutex_create(void);
void lh_mutex_lock(lh_mutex *mutex);
void lh_mutex_unlock(lh_mutex *mutex);

/* Blocks SIGTERM in the calling thread (and every thread it starts later), then starts a
 * thread that waits for SIGTERM and calls on_sigterm(). Call it before starting other
 * threads. Returns 0 or an errno value. */
int lh_watch_sigterm(void (*on_sigterm)(void));

/* Makes SIGTERM end the process with status 0 (for plugins without a shutdown hook). */
void lh_exit_on_sigterm(void);

/* Writes the current UTC time as RFC 3339 with milliseconds ("2026-11-23T10:31:34.123Z")
 * into out, which must hold 25 bytes; returns the length written (24). */
int lh_format_utc_now(char *out);


/* Replaces the process with the executable `name` that sits next to this one, passing
 * argv on. Returns only on failure (with errno set). */
int lh_exec_sibling(const char *name, char *const argv[]);

/* Installs `handler` for `signal_number` (sigaction, no flags). */
void lh_install_signal_handler(int signal_number, void (*handler)(int));


/* Makes stdout line-buffered, as AWS's runtimes do, so that a plugin's printf or print()
 * reaches the log when its line ends, not when a 4 KiB buffer fills. */
void lh_stdout_line_buffered(void);

/* Flushes stdout from a signal handler, unless another thread is inside stdio (the lock
 * is tried, never waited for). */
void lh_flush_stdout_from_signal(void);

/* exit(3) by the host itself (stdout is flushed; the crash guard's exit hook stays
 * silent), for a Swift caller that has no Glibc overlay. */
_Noreturn void lh_exit(int code);

#endif
