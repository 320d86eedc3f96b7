// The host links C++'s runtime statically (Package.swift, `runtimeInside`). The build
// machine's libstdc++.a names arc4random, which glibc gained in 2.36, while Lambda's
// provided.al2023 has glibc 2.34: this hidden definition satisfies that reference inside
// the host, so the binary asks nothing newer of libc. Nothing in the host calls it; the
// Swift runtime draws its random numbers from getrandom directly.
#include <sys/random.h>

__attribute__((visibility("hidden"))) unsigned int arc4random(void) {
    unsigned int value = 0;
    while (getrandom(&value, sizeof value, 0) != (ssize_t)sizeof value) {
    }
    return value;
}
