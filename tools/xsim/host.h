/* SPDX-License-Identifier: MIT */
/*
 * The simulated host: one run directory holding the hypervisor (xenhyp,
 * in RUNDIR/hyp), the xenstore daemon (xenstored, in RUNDIR/xenstored),
 * their pid files and logs, and the guests' records (RUNDIR/domains).
 * Starting and stopping the two daemons; the environment every other
 * part of xsim (and every program it starts) uses to reach them.
 */
#ifndef HOST_H
#define HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Use rundir (made absolute; created when create is true) and export
 * XENHYP_RUNDIR, XENSTORED_RUNDIR, XENSTORED_PATH and XSIM_NET_DIR for
 * it.  0, or -1
 * after printing what failed.
 */
int host_init(const char *rundir, bool create);

/* The run directory. */
const char *host_dir(void);

/*
 * RUNDIR/<fmt...> into buf; 0, or -1 with ENAMETOOLONG.
 */
int host_file(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* True while both daemons of the host run. */
bool host_running(void);

/*
 * Start xenhyp, wait for its socket, then xenstored (with an empty
 * store) under its supervisor (supervise.h), and wait for its socket.
 * extra_args are added to xenstored's command line (NULL-terminated, may be
 * NULL).  0, or -1 after printing what failed (with the daemon's log) and
 * stopping what was started.
 */
int host_start(char *const *extra_args);

/*
 * Stop xenstored's supervisor and xenstored, then xenhyp (SIGTERM,
 * then SIGKILL after a bounded wait).  Guests are the caller's to stop first.
 * 0, or -1 after printing what failed.
 */
int host_stop(void);

/*
 * Fork and exec argv detached (own session, stdin /dev/null, output
 * appended to RUNDIR/<name>.log), record its pid in RUNDIR/<name>.pid.
 * The pid, or -1 after a message.
 */
pid_t host_spawn(const char *name, char *const *argv);

/*
 * In a freshly forked child: own session, stdin /dev/null, stdout and
 * stderr appended to RUNDIR/<name>.log.  0 or -1.
 */
int host_detach(const char *name);

/* Write pid to RUNDIR/<name>.pid; on failure kill pid, say so, -1. */
int host_record_pid(const char *name, pid_t pid);

/* The pid in RUNDIR/<name>.pid, or -1. */
pid_t host_daemon_pid(const char *name);

/*
 * Stop the daemon of RUNDIR/<name>.pid (SIGTERM, SIGKILL after a bounded
 * wait) and remove its pid file.  0, or -1 after a message.
 */
int host_stop_daemon(const char *name);

/*
 * Where the hotplug scripts are: $XSIM_SCRIPT_DIR, else the build's
 * etc/xen/scripts beside bin/, else /etc/xen/scripts.
 */
const char *host_script_dir(void);

/*
 * Set this process's environment for running hotplug scripts: PATH
 * with the simulated `ip` (libexec/xsim) and the xenstore tools first,
 * XEN_HOTPLUG_LOCKDIR=RUNDIR/hotplug-lock.  (XSIM_NET_DIR=RUNDIR/net is
 * set by host_init for every program xsim starts.)  0 or -1.
 */
int host_hotplug_env(void);

#endif /* HOST_H */
