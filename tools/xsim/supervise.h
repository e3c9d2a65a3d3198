/* SPDX-License-Identifier: MIT */
/*
 * Supervision of the host's xenstored, as systemd's Restart=on-failure
 * does it: a supervisor process starts the daemon, and when the daemon
 * ends abnormally (killed by a signal other than SIGTERM, SIGINT, SIGHUP
 * or SIGPIPE, or exiting non-zero) starts it again, recording each new
 * pid in RUNDIR/<name>.pid.  Rate limited as systemd's StartLimitBurst
 * and StartLimitIntervalSec: more than XSIM_RESTART_BURST starts (5) in
 * XSIM_RESTART_INTERVAL seconds (10) and it gives up; XSIM_RESTART_MS
 * (100, systemd's RestartSec) passes before each restart.
 */
#ifndef SUPERVISE_H
#define SUPERVISE_H

#include <sys/types.h>

/*
 * Fork the supervisor of argv, detached as host_spawn does, with its pid
 * in RUNDIR/<name>-supervisor.pid and its messages and the daemon's
 * output in RUNDIR/<name>.log.  SIGTERM to the supervisor stops the
 * daemon (SIGTERM, SIGKILL after 10 s) and then the supervisor.  Returns
 * the supervisor's pid, or -1 after a message.
 */
pid_t supervise_spawn(const char *name, char *const *argv);

#endif /* SUPERVISE_H */
