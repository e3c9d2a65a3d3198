/* SPDX-License-Identifier: MIT */
/*
 * Running hotplug scripts as child processes: each run is its own
 * process group with stdin on /dev/null and stdout on our stderr, bounded
 * by a timeout after which the whole group is killed.  This module owns
 * the children and their timers; it knows nothing of xenstore or devices.
 * Children are reaped by script_reap(), which main.c calls on SIGCHLD.
 */
#ifndef HOTPLUG_SCRIPT_H
#define HOTPLUG_SCRIPT_H

#include <stdbool.h>

struct event_base;
struct script_run;

/*
 * Called once per run when its process has been reaped: status as from
 * waitpid(), timed_out if the run was killed at its timeout.  The run is
 * freed by this module when the callback returns.
 */
typedef void script_done_fn(void *arg, int status, bool timed_out);

/*
 * Start argv[0] (an absolute path) with argv, and with our environment
 * plus env ("NAME=value" strings, NULL-terminated; they replace variables
 * of the same name).  timeout_s 0 means no timeout.  Returns the run
 * (owned by this module) or NULL with errno if the fork failed.
 */
struct script_run *script_start(struct event_base *base,
				const char *const argv[],
				const char *const env[], unsigned int timeout_s,
				script_done_fn *done, void *arg);

/* Reap every exited child and call their done callbacks. */
void script_reap(void);

/* Kill the process group of every run (at shutdown); no callbacks. */
void script_kill_all(void);

/* The pid of a run, for log messages. */
int script_pid(const struct script_run *run);

#endif /* HOTPLUG_SCRIPT_H */
