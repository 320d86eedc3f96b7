/*
 * Layout checks for lambda_plugin.h, and the Swift toolchain string.
 *
 * The offsets below are the ABI: a change to any of them is a new major version.
 */
#include "lambda_plugin.h"
#include "lambda_plugin_swift.h"

#include <stdlib.h>
#include <time.h>

_Static_assert(sizeof(void *) == 8, "lambda-host supports 64-bit targets only (x86_64, arm64)");
_Static_assert(offsetof(lambda_plugin_descriptor, struct_size) == 8, "descriptor layout");
_Static_assert(offsetof(lambda_plugin_descriptor, name) == 16, "descriptor layout");
_Static_assert(offsetof(lambda_plugin_descriptor, shutdown) == 48, "descriptor layout");
_Static_assert(offsetof(lambda_plugin_descriptor, handler) == 56, "descriptor v1.4 appends after v1.0");
_Static_assert(sizeof(lambda_plugin_descriptor) == 64, "descriptor v1.4 size");
_Static_assert(offsetof(lambda_invocation, host) == 8, "invocation layout");
_Static_assert(offsetof(lambda_invocation, payload) == 24, "invocation layout");
_Static_assert(offsetof(lambda_invocation, host_private) == 96, "invocation layout");
_Static_assert(sizeof(lambda_invocation) == 104, "invocation v1.0 size");
_Static_assert(offsetof(lambda_host_api, respond) == 8, "host api layout");
_Static_assert(offsetof(lambda_host_api, remaining_time_ms) == 32, "host api v1.0 layout");
_Static_assert(offsetof(lambda_host_api, stream_begin) == 40, "host api v1.1 appends after v1.0");
_Static_assert(offsetof(lambda_host_api, http_request) == 64, "host api v1.2 appends after v1.1");
_Static_assert(sizeof(lambda_host_api) == 88, "host api v1.2 size");
_Static_assert(sizeof(lambda_http_header) == 32, "http header layout");
_Static_assert(offsetof(lambda_http_request, url) == 16, "http request layout");
_Static_assert(sizeof(lambda_http_request) == 80, "http request v1.3 size");
_Static_assert(offsetof(lambda_http_request, aws_service) == 64, "http request v1.3 appends after v1.2");
_Static_assert(sizeof(lambda_http_response) == 40, "http response v1.2 size");

/* The Swift toolchain (major.minor) this package was built with. Package.swift defines
 * it. Hidden, so that it is never exported from a plugin. */
__attribute__((visibility("hidden"))) const char *lambda_plugin_swift_toolchain(void) {
    return LAMBDA_SWIFT_TOOLCHAIN;
}

/* Hidden too: each Swift plugin carries its own copy, as it does the toolchain string. */
__attribute__((visibility("hidden"))) const char *lambda_plugin_environment(const char *name) {
    return getenv(name);
}

/* Hidden as well; only LambdaPluginTesting calls it. */
__attribute__((visibility("hidden"))) int64_t lambda_plugin_now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}
