/* Child-process plumbing for the developer tools (emulate, serve, invoke). */
#include "CLambdaProcess.h"
#include "CLambdaSystem.h"

#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

int lh_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}


static _Atomic pid_t children[64];

void lh_children_add(pid_t pid) {
    for (int i = 0; i < 64; i++) {
        pid_t empty = 0;
        if (atomic_compare_exchange_strong(&children[i], &empty, pid)) return;
    }
}

void lh_children_remove(pid_t pid) {
    for (int i = 0; i < 64; i++) {
        pid_t expected = pid;
        if (atomic_compare_exchange_strong(&children[i], &expected, 0)) return;
    }
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

static void forward(int signal_number) {
    for (int i = 0; i < 64; i++) {
        pid_t pid = atomic_load(&children[i]);
        if (pid > 0) kill(pid, SIGTERM);
    }
    remove_registered();
    _exit(128 + signal_number);
}

void lh_forward_termination(void) {
    lh_install_signal_handler(SIGTERM, forward);
    lh_install_signal_handler(SIGINT, forward);
    lh_install_signal_handler(SIGHUP, forward);
}

int lh_spawn_reset_signals(posix_spawnattr_t *attributes) {
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(attributes, &none);
    posix_spawnattr_setsigdefault(attributes, &all);
    return posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
}
