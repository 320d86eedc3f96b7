// The Swift runtime's locks (swift::threading_impl::linux::ulock, behind every swift_once
// and metadata cache) are priority-inheritance futexes that hold their owner's thread id,
// and the runtime caches that id in a thread-local variable the first time a thread takes
// one. fork() copies the cache: the child's main thread would go on writing its parent's
// thread id into the runtime's locks. Uncontended, nothing shows; once another thread of
// the child waits on such a lock, the kernel attaches the wait to the parent's thread,
// FUTEX_UNLOCK_PI then refuses the child's unlock (it is not the owner the kernel knows),
// and every thread that needs that lock waits forever. The supervisor forks its workers
// (AWS_LAMBDA_MAX_CONCURRENCY > 1) and each runs threads of its own: a child handler
// registered with pthread_atfork clears the cache, so the child's main thread asks the
// kernel for its own id at its next lock. The variable is the runtime's (static libswiftCore
// is linked into this binary); its mangled name is that of the function-local static in
// ulock_get_tid(). Cost: one registration at start, one store per fork.
#include <pthread.h>

#include "lambda_startup.h"

extern __thread int _ZZN5swift14threading_impl5linux13ulock_get_tidEvE3tid;

static void forget_cached_thread_id(void) { _ZZN5swift14threading_impl5linux13ulock_get_tidEvE3tid = 0; }

__attribute__((constructor)) static void register_fork_handler(void) {
    pthread_atfork(NULL, NULL, forget_cached_thread_id);
}
