/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the xsim toolstack (util.h).  Waits poll every 20 ms with a
 * bound: they turn a hang into an error message, they do not measure.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define POLL_MS 20

void
util_err(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, "xsim: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	errno = err;
}

void
util_errx(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xsim: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool
util_pid_alive(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) S ...": comm may hold anything, so after the last ')'. */
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

static void
nap(void)
{
	struct timespec ts = {0, POLL_MS * 1000000L};

	nanosleep(&ts, NULL);
}

int
util_wait_path(const char *path, pid_t pid, int timeout_ms)
{
	int waited;

	for (waited = 0; access(path, F_OK) != 0; waited += POLL_MS) {
		if (pid > 0 && !util_pid_alive(pid)) {
			errno = ESRCH;
			return -1;
		}
		if (waited >= timeout_ms) {
			errno = ETIMEDOUT;
			return -1;
		}
		nap();
	}
	return 0;
}

int
util_wait_gone(pid_t pid, int timeout_ms)
{
	int waited;

	for (waited = 0; util_pid_alive(pid); waited += POLL_MS) {
		if (waited >= timeout_ms) {
			errno = ETIMEDOUT;
			return -1;
		}
		nap();
	}
	return 0;
}

int
util_read_long(const char *path, long *out)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (f == NULL)
		return -1;
	ok = fscanf(f, "%ld", out) == 1;
	fclose(f);
	if (!ok) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
util_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

const char *
util_bindir(void)
{
	static char dir[PATH_MAX];
	ssize_t n;
	char *slash;

	if (dir[0] != '\0')
		return dir;
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n <= 0)
		return ".";
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	return dir;
}
