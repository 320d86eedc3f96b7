#ifndef LAMBDA_STARTUP_H
#define LAMBDA_STARTUP_H

/* What the runtime binary, and only it, changes about how the Swift runtime linked into it
 * starts (Package.swift, `runtimeInside`; docs/architecture.md). */

/* Ends the start-up window: from now on dladdr() is glibc's own. The runtime binary's
 * main calls it first. Not thread-safe, and it needs not be: only main calls it, before
 * any thread exists. */
void lh_startup_finished(void);

#endif
