/*
 * Worker processes for AWS_LAMBDA_MAX_CONCURRENCY = N > 1 (docs/concurrency.md): the host
 * becomes a supervisor that forks N workers, each of which runs the ordinary INIT and
 * run loop with its own Runtime API connection.
 *
 * The supervisor stays single-threaded and loads nothing, so fork() is safe at any time
 * in it. One page shared by all (MAP_SHARED, made before the first fork) holds what the
 * workers must agree on: which one posts the init error, which one registers the
 * SIGTERM extension. Outside worker mode the claims below always succeed, so the
 * single-process host behaves as before.
 */
#ifndef LH_WORKERS_H
#define LH_WORKERS_H

#include <sys/types.h>

/* Makes the shared page and blocks SIGTERM and SIGCHLD in the calling thread (the
 * supervisor waits for them with lh_supervisor_wait). Call before any thread exists.
 * Returns 0 or an errno value. */
int lh_supervisor_prepare(void);

/* Forks a worker. In the worker: the signal mask from before lh_supervisor_prepare is
 * back, the kernel kills the worker with SIGKILL when the supervisor dies, and 0 is
 * returned. In the supervisor: the worker's pid, or -1 with errno set. */
pid_t lh_supervisor_fork(void);

/* Waits at most timeout_ms (negative: without limit) for SIGTERM, SIGCHLD or SIGUSR1 (a
 * worker announced the model). Returns the signal, or 0 when the time ran out. */
int lh_supervisor_wait(int timeout_ms);

/* Collects one ended worker: its pid, with *code its exit status or 128 + the signal
 * that ended it. Without `block`, returns 0 when no worker has ended yet; -1 when there
 * is no worker left. */
pid_t lh_supervisor_reap(int block, int *code);

/* The pid of the worker that claimed the init error, or 0. */
pid_t lh_supervisor_init_error_worker(void);

/* Claims the right to post /runtime/init/error: 1 for the first worker that asks, 0
 * for every other one (which then just exits). Always 1 outside worker mode.
 * Async-signal-safe (the crash guard calls it). */
int lh_worker_claim_init_error(void);

/* Claims the registration of the host's SIGTERM extension, which one worker makes for
 * all: 1 the first time, 0 after. Always 1 outside worker mode. */
int lh_worker_claim_extension(void);

/* How the workers run, decided by the first worker once it has loaded the plugin (its
 * descriptor's LAMBDA_PLUGIN_THREAD_SAFE flag): the supervisor forks one worker, waits for
 * the decision, then forks the others (processes) or none (threads: that worker runs
 * N threads). */
#define LH_MODEL_UNDECIDED 0
#define LH_MODEL_PROCESSES 1
#define LH_MODEL_THREADS 2

/* The model announced so far (LH_MODEL_*); LH_MODEL_UNDECIDED outside worker mode. */
int lh_supervisor_model(void);

/* Announces the model, once: the first call decides and wakes the supervisor (SIGUSR1);
 * later calls change nothing. Does nothing outside worker mode. */
void lh_worker_announce_model(int model);

#endif
