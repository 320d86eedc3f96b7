/*
 * lambda_plugin_swift.h: what the host and the Swift SDK share beyond the ABI.
 * C plugins do not need this file.
 */
#ifndef LAMBDA_PLUGIN_SWIFT_H
#define LAMBDA_PLUGIN_SWIFT_H

#include <stdint.h>

/* The Swift toolchain this package was built with, as "major.minor" (e.g. "6.3"). The
 * SDK writes it into a Swift plugin's descriptor; the host refuses a plugin whose value
 * differs from its own. */
const char *lambda_plugin_swift_toolchain(void);

/* getenv(name), for the SDK's LambdaEnvironment: a Swift plugin reaches libc through this
 * rather than through the Glibc overlay or Foundation, neither of which it loads. */
const char *lambda_plugin_environment(const char *name);

/* The wall clock in milliseconds since the Unix epoch (CLOCK_REALTIME), the clock of
 * lambda_invocation.deadline_ms: for LambdaPluginTesting's fake remaining_time_ms. */
int64_t lambda_plugin_now_ms(void);

#endif
