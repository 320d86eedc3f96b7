/*
 * Worker processes (lh_workers.h). The shared page costs one 4 KiB mapping, made only
 * when AWS_LAMBDA_MAX_CONCURRENCY > 1.
 */
#include "lh_workers.h"

#include "CLambdaSystem.h"

#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

struct shared_page {
    _Atomic pid_t init_error_worker;
    _Atomic int extension_claimed;
    _Atomic int model;
};

static struct shared_page *shared;
static sigset_t mask_before;
static pid_t supervisor;

int lh_supervisor_prepare(void) {
    void *page = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) return errno;
    shared = page;
    supervisor = getpid();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGUSR1);
    return pthread_sigmask(SIG_BLOCK, &set, &mask_before);
}

pid_t lh_supervisor_fork(void) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    pthread_sigmask(SIG_SETMASK, &mask_before, NULL);
    /* A worker must not outlive the supervisor; the supervisor may have died before the
     * request took effect, and the worker is then a child of another process. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != supervisor) _exit(1);
    return 0;
}

int lh_supervisor_wait(int timeout_ms) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGUSR1);
    for (;;) {
        int sig;
        if (timeout_ms < 0) {
            sig = sigwaitinfo(&set, NULL);
        } else {
            struct timespec wait = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
            sig = sigtimedwait(&set, NULL, &wait);
        }
        if (sig > 0) return sig;
        if (errno == EAGAIN) return 0;
        if (errno != EINTR) return 0;
    }
}

pid_t lh_supervisor_reap(int block, int *code) {
    int status = 0;
    pid_t pid;
    do {
        pid = waitpid(-1, &status, block ? 0 : WNOHANG);
    } while (pid < 0 && errno == EINTR);
    if (pid <= 0) return pid;
    if (WIFEXITED(status)) *code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) *code = 128 + WTERMSIG(status);
    else *code = 1;
    return pid;
}

pid_t lh_supervisor_init_error_worker(void) {
    return shared ? atomic_load(&shared->init_error_worker) : 0;
}

int lh_worker_claim_init_error(void) {
    if (shared == NULL) return 1;
    pid_t none = 0;
    return atomic_compare_exchange_strong(&shared->init_error_worker, &none, getpid());
}

int lh_worker_claim_extension(void) {
    if (shared == NULL) return 1;
    int none = 0;
    return atomic_compare_exchange_strong(&shared->extension_claimed, &none, 1);
}

int lh_supervisor_model(void) { return shared ? atomic_load(&shared->model) : LH_MODEL_UNDECIDED; }

void lh_worker_announce_model(int model) {
    if (shared == NULL) return;
    int undecided = LH_MODEL_UNDECIDED;
    if (atomic_compare_exchange_strong(&shared->model, &undecided, model)) kill(supervisor, SIGUSR1);
}
