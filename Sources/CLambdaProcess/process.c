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

static void forward(int signal_number) {
    for (int i = 0; i < 64; i++) {
        pid_t pid = atomic_load(&children[i]);
        if (pid > 0) kill(pid, SIGTERM);
    }
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
