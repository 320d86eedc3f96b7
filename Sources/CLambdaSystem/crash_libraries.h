/* The crash guard's table of loaded libraries (crash_libraries.c). Internal. */
#ifndef LH_CRASH_LIBRARIES_H
#define LH_CRASH_LIBRARIES_H

#include "crash_text.h"

/* Replaces the table with the libraries loaded now; `plugin` marks the handler's. */
void lh_guard_libraries_snapshot(const void *plugin);

/* The index of the library that holds `address`, or -1. Async-signal-safe. */
int lh_guard_library_of(uintptr_t address);

/* The index of the handler's library, or -1. */
int lh_guard_plugin_library(void);

/* Appends "libfoo.so+0x1234 (symbol+0x12)", or the bare address when no library in the
 * table holds it. `return_address`: the address follows a call (a caller's frame).
 * Async-signal-safe. */
void lh_guard_name_address(lh_text *text, uintptr_t address, int return_address);

#endif
