/* Child-process plumbing for the developer tools (emulate, serve, invoke). */
#include "CLambdaProcess.h"
#include "CLambdaSystem.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int lh_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}


#define LH_CHILDREN 64
static _Atomic pid_t children[LH_CHILDREN];
/* Held while a child's group is signalled and while a child is reaped, so that no signal
 * reaches a process id the system has given to someone else. */
static pthread_mutex_t reaping = PTHREAD_MUTEX_INITIALIZER;

void lh_children_add(pid_t pid) {
    for (int i = 0; i < LH_CHILDREN; i++) {
        pid_t empty = 0;
        if (atomic_compare_exchange_strong(&children[i], &empty, pid)) return;
    }
}

static int children_remove(pid_t pid) {
    for (int i = 0; i < LH_CHILDREN; i++) {
        pid_t expected = pid;
        if (atomic_compare_exchange_strong(&children[i], &expected, 0)) return 1;
    }
    return 0;
}

static int children_contain(pid_t pid) {
    for (int i = 0; i < LH_CHILDREN; i++)
        if (atomic_load(&children[i]) == pid) return 1;
    return 0;
}

int lh_child_signal(pid_t pid, int signal_number) {
    pthread_mutex_lock(&reaping);
    int sent = children_contain(pid) ? kill(-pid, signal_number) : -1;
    pthread_mutex_unlock(&reaping);
    return sent;
}

struct watch {
    pid_t pid;
    void (*done)(void *context, int status);
    void *context;
};

static void watch_child(void *argument) {
    struct watch watch = *(struct watch *)argument;
    free(argument);
    /* The termination handler must never run here: it waits for this thread to reap. */
    sigset_t termination;
    sigemptyset(&termination);
    sigaddset(&termination, SIGTERM);
    sigaddset(&termination, SIGINT);
    sigaddset(&termination, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &termination, NULL);
    siginfo_t info;
    while (waitid(P_PID, (id_t)watch.pid, &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {}
    int status = 0;
    pthread_mutex_lock(&reaping);
    /* The leader is gone: so is the rest of its environment, as in Lambda. Its group id
     * stays reserved until the leader is reaped just below. */
    kill(-watch.pid, SIGKILL);
    children_remove(watch.pid);
    while (waitpid(watch.pid, &status, __WALL) < 0 && errno == EINTR) {}
    pthread_mutex_unlock(&reaping);
    watch.done(watch.context, status);
}

int lh_child_watch(pid_t pid, void (*done)(void *context, int status), void *context) {
    struct watch *watch = malloc(sizeof *watch);
    if (watch == NULL) return ENOMEM;
    *watch = (struct watch){pid, done, context};
    int started = lh_thread_start(watch_child, watch);
    if (started != 0) {
        /* Nothing would reap it: it does not run at all. */
        free(watch);
        pthread_mutex_lock(&reaping);
        kill(-pid, SIGKILL);
        children_remove(pid);
        while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR) {}
        pthread_mutex_unlock(&reaping);
    }
    return started;
}

/* Paths to remove on a termination signal. A slot's path is written before its flag is
 * set and the flag is cleared before the slot is reused, so the signal handler reads
 * only whole paths. */
#define LH_CLEANUP_SLOTS 32
#define LH_CLEANUP_PATH 4096
static char cleanup_paths[LH_CLEANUP_SLOTS][LH_CLEANUP_PATH];
static _Atomic int cleanup_used[LH_CLEANUP_SLOTS];
static _Atomic int cleanup_claimed[LH_CLEANUP_SLOTS];

int lh_cleanup_add(const char *path) {
    size_t length = strlen(path);
    if (length >= LH_CLEANUP_PATH) return -1;
    for (int i = 0; i < LH_CLEANUP_SLOTS; i++) {
        int free_slot = 0;
        if (!atomic_compare_exchange_strong(&cleanup_claimed[i], &free_slot, 1)) continue;
        memcpy(cleanup_paths[i], path, length + 1);
        atomic_store(&cleanup_used[i], 1);
        return 0;
    }
    return -1;
}

void lh_cleanup_remove(const char *path) {
    for (int i = 0; i < LH_CLEANUP_SLOTS; i++) {
        if (atomic_load(&cleanup_used[i]) && strcmp(cleanup_paths[i], path) == 0) {
            atomic_store(&cleanup_used[i], 0);
            atomic_store(&cleanup_claimed[i], 0);
            return;
        }
    }
}

/* Async-signal-safe: unlink and rmdir only. Files first, then the folders they were in. */
static void remove_registered(void) {
    for (int i = 0; i < LH_CLEANUP_SLOTS; i++)
        if (atomic_load(&cleanup_used[i])) unlink(cleanup_paths[i]);
    for (int i = 0; i < LH_CLEANUP_SLOTS; i++)
        if (atomic_load(&cleanup_used[i])) rmdir(cleanup_paths[i]);
}

static int signal_children(int signal_number) {
    int left = 0;
    for (int i = 0; i < LH_CHILDREN; i++) {
        pid_t pid = atomic_load(&children[i]);
        if (pid > 0) {
            kill(-pid, signal_number);
            left++;
        }
    }
    return left;
}

/* Async-signal-safe: unlink, rmdir, kill, nanosleep, _exit. The paths go first, so that a
 * SIGKILL that comes while the runtimes are stopping leaves nothing behind. Then SIGTERM to
 * each runtime's group, LH_STOP_GRACE_MS for them to exit (the watch threads reap them and
 * empty their slots), and SIGKILL to what is left, as Lambda stops a runtime. */
/* The signal the tool is ending on, or 0. */
static volatile sig_atomic_t terminating;

int lh_termination_signal(void) { return terminating; }

/* While `forward` stops the runtimes, another thread may see one exit and end the tool on
 * its own: that exit waits for the signal's. */
static void wait_for_forward(void) {
    if (terminating == 0) return;
    for (;;) pause();
}

static void forward(int signal_number) {
    terminating = signal_number;
    remove_registered();
    if (signal_children(SIGTERM) > 0) {
        struct timespec tick = {0, 10 * 1000 * 1000};
        for (int waited = 0; waited < LH_STOP_GRACE_MS; waited += 10) {
            nanosleep(&tick, NULL);
            if (signal_children(0) == 0) break;
        }
        signal_children(SIGKILL);
    }
    _exit(128 + signal_number);
}

void lh_forward_termination(void) {
    atexit(wait_for_forward);
    lh_install_signal_handler(SIGTERM, forward);
    lh_install_signal_handler(SIGINT, forward);
    lh_install_signal_handler(SIGHUP, forward);
}

int lh_spawn_setup(posix_spawnattr_t *attributes) {
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(attributes, &none);
    posix_spawnattr_setsigdefault(attributes, &all);
    posix_spawnattr_setpgroup(attributes, 0);
    return posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
}
