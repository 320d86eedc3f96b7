#include "CLambdaSystem.h"
#include "lh_crash_guard.h"

#include <pthread.h>

int lh_errno(void) { return errno; }

int lh_open_read(const char *path) { return open(path, O_RDONLY | O_CLOEXEC); }

int64_t lh_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t lh_monotonic_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t lh_process_age_us(void) {
    char text[1024];
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t length;
    do {
        length = read(fd, text, sizeof text - 1);
    } while (length < 0 && errno == EINTR);
    close(fd);
    if (length <= 0) return -1;
    text[length] = 0;
    /* The command name (field 2) may hold spaces and parentheses: count from its last ')'. */
    char *cursor = strrchr(text, ')');
    if (cursor == NULL) return -1;
    /* starttime is field 22: step to the space before each field from 3 to 22. */
    for (int field = 3; field <= 22; field++) {
        cursor = strchr(cursor + 1, ' ');
        if (cursor == NULL) return -1;
    }
    char *end = NULL;
    unsigned long long ticks = strtoull(cursor + 1, &end, 10);
    long hertz = sysconf(_SC_CLK_TCK);
    if (end == cursor + 1 || hertz <= 0) return -1;
    struct timespec boot;
    if (clock_gettime(CLOCK_BOOTTIME, &boot) != 0) return -1;
    int64_t now_us = (int64_t)boot.tv_sec * 1000000 + boot.tv_nsec / 1000;
    int64_t start_us = (int64_t)(ticks / (unsigned long long)hertz) * 1000000
        + (int64_t)(ticks % (unsigned long long)hertz) * 1000000 / hertz;
    return now_us >= start_us ? now_us - start_us : 0;
}

static int connect_address(const struct sockaddr *address, socklen_t length) {
    int fd = socket(address->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    while (connect(fd, address, length) != 0) {
        if (errno == EINTR) continue;
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int lh_tcp_connect(const char *host, uint16_t port) {
    /* Literals first: Lambda always gives 127.0.0.1, and getaddrinfo costs a file read. */
    struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, host, &v4.sin_addr) == 1)
        return connect_address((struct sockaddr *)&v4, sizeof v4);
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
    if (inet_pton(AF_INET6, host, &v6.sin6_addr) == 1)
        return connect_address((struct sockaddr *)&v6, sizeof v6);

    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *found = NULL;
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    if (getaddrinfo(host, service, &hints, &found) != 0 || found == NULL) return -2;
    int fd = -1;
    for (struct addrinfo *a = found; a != NULL && fd < 0; a = a->ai_next)
        fd = connect_address(a->ai_addr, a->ai_addrlen);
    freeaddrinfo(found);
    return fd;
}

struct thread_start {
    void (*fn)(void *);
    void *arg;
};

static void *thread_main(void *raw) {
    struct thread_start start = *(struct thread_start *)raw;
    free(raw);
    start.fn(start.arg);
    return NULL;
}

int lh_thread_start(void (*fn)(void *), void *arg) { return lh_thread_start_sized(fn, arg, 256 * 1024); }

int lh_thread_start_sized(void (*fn)(void *), void *arg, size_t stack_bytes) {
    struct thread_start *start = malloc(sizeof *start);
    if (start == NULL) return ENOMEM;
    start->fn = fn;
    start->arg = arg;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attributes, stack_bytes);
    pthread_t thread;
    int rc = pthread_create(&thread, &attributes, thread_main, start);
    pthread_attr_destroy(&attributes);
    if (rc != 0) free(start);
    return rc;
}

static pthread_mutex_t invocation_mutex = PTHREAD_MUTEX_INITIALIZER;

void lh_invocation_lock(void) { pthread_mutex_lock(&invocation_mutex); }
void lh_invocation_unlock(void) { pthread_mutex_unlock(&invocation_mutex); }

struct lh_mutex {
    pthread_mutex_t mutex;
};

lh_mutex *lh_mutex_create(void) {
    lh_mutex *made = malloc(sizeof *made);
    if (made) pthread_mutex_init(&made->mutex, NULL);
    return made;
}

void lh_mutex_lock(lh_mutex *mutex) { pthread_mutex_lock(&mutex->mutex); }
void lh_mutex_unlock(lh_mutex *mutex) { pthread_mutex_unlock(&mutex->mutex); }


static void (*sigterm_callback)(void);

static void sigterm_thread(void *unused) {
    (void)unused;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    for (;;) {
        int signal_number = 0;
        if (sigwait(&set, &signal_number) == 0 && signal_number == SIGTERM) {
            sigterm_callback();
            return;
        }
    }
}

int lh_watch_sigterm(void (*on_sigterm)(void)) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    int rc = pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (rc != 0) return rc;
    sigterm_callback = on_sigterm;
    return lh_thread_start(sigterm_thread, NULL);
}

void lh_exit(int code) {
    lh_guard_exiting();
    exit(code);
}

void lh_stdout_line_buffered(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

void lh_flush_stdout_from_signal(void) {
    /* Only when no thread is inside stdio: fflush would wait for it forever. */
    if (ftrylockfile(stdout) != 0) return;
    fflush_unlocked(stdout);
    funlockfile(stdout);
}

static void exit_zero(int signal_number) {
    (void)signal_number;
    lh_guard_exiting();
    lh_flush_stdout_from_signal();
    _exit(0);
}

void lh_install_signal_handler(int signal_number, void (*handler)(int)) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    sigaction(signal_number, &action, NULL);
}

void lh_exit_on_sigterm(void) {
    lh_install_signal_handler(SIGTERM, exit_zero);
    /* A parent may have started us with SIGTERM blocked; the handler must see it. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int lh_format_utc_now(char *out) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm utc;
    gmtime_r(&ts.tv_sec, &utc);
    return snprintf(out, 25, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                    utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, ts.tv_nsec / 1000000);
}

int lh_exec_sibling(const char *name, char *const argv[]) {
    char path[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
    if (length <= 0) return -1;
    path[length] = 0;
    char *slash = strrchr(path, '/');
    if (slash == NULL || (size_t)(slash - path) + 2 + strlen(name) > sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(slash + 1, name);
    execv(path, argv);
    return -1;
}


void lh_sleep_ms(int64_t milliseconds) {
    struct timespec wait = {(time_t)(milliseconds / 1000), (long)(milliseconds % 1000) * 1000000L};
    while (nanosleep(&wait, &wait) != 0 && errno == EINTR) {
    }
}

static __thread const char *log_request_id;

void lh_log_set_request_id(const char *request_id) { log_request_id = request_id; }

const char *lh_log_request_id(void) { return log_request_id; }
