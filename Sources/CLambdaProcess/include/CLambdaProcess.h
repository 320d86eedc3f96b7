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
 * default action, whatever the spawning thread had: a runtime must see SIGTERM. */
int lh_spawn_reset_signals(posix_spawnattr_t *attributes);

/* Remembers a child process (at most 64) so that lh_forward_termination() can stop it. */
void lh_children_add(pid_t pid);

/* Forgets a child that has exited. */
void lh_children_remove(pid_t pid);

/* Remembers a file or an empty-once-its-files-are-gone folder (at most 32, each under
 * 4096 bytes) to remove if a termination signal ends the process; -1 if it cannot. */
int lh_cleanup_add(const char *path);

/* Forgets a path given to lh_cleanup_add (it was removed another way). */
void lh_cleanup_remove(const char *path);

/* On SIGTERM, SIGINT or SIGHUP: sends SIGTERM to every remembered child, removes every
 * remembered path (files, then folders), then exits with 128 + the signal, so that a
 * developer tool never leaves its runtimes or its temporary copies behind. */
void lh_forward_termination(void);

#endif
