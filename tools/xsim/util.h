/* SPDX-License-Identifier: MIT */
/*
 * Small helpers of the xsim toolstack: error messages for humans, the
 * liveness of processes that are not our children, bounded waits, and
 * one-line files.  No hypervisor or xenstore knowledge.
 */
#ifndef UTIL_H
#define UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* "xsim: <message>: <strerror(errno)>" on stderr; keeps errno. */
void util_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "xsim: <message>" on stderr. */
void util_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * True if pid exists and is not a zombie (our daemons' parent may be an
 * init that does not reap them).
 */
bool util_pid_alive(pid_t pid);

/*
 * Wait until path exists, at most timeout_ms; give up early if pid (when
 * > 0) dies.  0, or -1 with errno ETIMEDOUT or ESRCH.
 */
int util_wait_path(const char *path, pid_t pid, int timeout_ms);

/* Wait until pid is gone, at most timeout_ms; 0 or -1 (ETIMEDOUT). */
int util_wait_gone(pid_t pid, int timeout_ms);

/* Read a decimal number from a file; 0 or -1 with errno. */
int util_read_long(const char *path, long *out);

/*
 * snprintf into buf, failing with ENAMETOOLONG instead of truncating;
 * 0 or -1.
 */
int util_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The directory this program was run from (for its sibling programs). */
const char *util_bindir(void);

#endif /* UTIL_H */
