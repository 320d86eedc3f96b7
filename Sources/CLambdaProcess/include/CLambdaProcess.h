/*
 * CLambdaProcess: starting and stopping runtime processes, for the developer tools
 * (invoke, serve, emulate). Never linked into the Lambda runtime binary.
 */
#ifndef CLAMBDA_PROCESS_H
#define CLAMBDA_PROCESS_H

#include <signal.h>
#include <spawn.h>
#include <sys/types.h>

/* Makes a posix_spawn close every descriptor from `lowest` up in the child, so that it
 * inherits nothing but what it should (glibc's posix_spawn_file_actions_addclosefrom_np,
 * a GNU extension that Swift's Glibc module does not show). Used by the emulator. */
int lh_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest);

/* Makes a posix_spawn start the child with no signal blocked and every signal at its
 * default action, whatever the spawning thread had (a runtime must see SIGTERM), as the
 * leader of a process group of its own: what it starts (a shell script's children) is
 * stopped with it, and a terminal's Ctrl-C reaches only the tool, which stops it. */
int lh_spawn_setup(posix_spawnattr_t *attributes);

/* How long a runtime is given to exit after SIGTERM before SIGKILL (Lambda gives 500 ms). */
#define LH_STOP_GRACE_MS 500

/* Remembers a child process (at most 64) so that lh_forward_termination() can stop it. */
void lh_children_add(pid_t pid);

/* Waits for the remembered child `pid` on a thread of its own (blocked in waitid: no
 * polling, no CPU while it runs), then SIGKILLs what is left of its process group, reaps
 * it, forgets it, and calls done(context, wait status) on that thread. 0, or an errno (then the child has been killed and reaped). */
int lh_child_watch(pid_t pid, void (*done)(void *context, int status), void *context);

/* Sends `signal_number` to the process group of the remembered child `pid`; -1 once it has
 * been reaped, so that a signal never reaches a recycled process id. */
int lh_child_signal(pid_t pid, int signal_number);

/* Remembers a file or an empty-once-its-files-are-gone folder (at most 32, each under
 * 4096 bytes) to remove if a termination signal ends the process; -1 if it cannot. */
int lh_cleanup_add(const char *path);

/* Forgets a path given to lh_cleanup_add (it was removed another way). */
void lh_cleanup_remove(const char *path);

/* On SIGTERM, SIGINT or SIGHUP: removes every remembered path (files, then folders), sends
 * SIGTERM to every remembered child's process group, SIGKILL to those still there after
 * LH_STOP_GRACE_MS, then exits with 128 + the signal, so that a developer tool never leaves
 * its runtimes or its temporary copies behind. Meanwhile an exit() from another thread
 * (one that saw a runtime stop) waits, so the tool ends with the signal's status. */
void lh_forward_termination(void);

/* The signal the tool is ending on (lh_forward_termination), or 0: an answer that comes
 * from runtimes being stopped for it is not the function's, and is not printed. */
int lh_termination_signal(void);

#endif
