/* The few facts of the process the AWS signer reads: the wall clock, the environment and a
 * small file (the container authorization token). See lh_outbound.h. */
#include "lh_outbound.h"

#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int64_t lh_realtime_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec;
}

char **lh_environment(void) { return environ; }

long lh_read_small_file(const char *path, void *buffer, size_t capacity) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t count = 0;
    while (count < capacity) {
        ssize_t got = read(fd, (char *)buffer + count, capacity - count);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            close(fd);
            return -1;
        }
        if (got == 0) break;
        count += (size_t)got;
    }
    close(fd);
    return (long)count;
}
