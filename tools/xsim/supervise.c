/* SPDX-License-Identifier: MIT */
/*
 * The supervisor of the host's xenstored (supervise.h).  It forks the
 * daemon, writes its pid file before letting it exec (a pipe holds the
 * child until then, so nobody sees the daemon's socket before its pid),
 * and waits.  Signals only set flags; the loop does the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host.h"
#include "supervise.h"
#include "util.h"

#define STOP_TIMEOUT_S 10
#define MAX_BURST 1000

static volatile sig_atomic_t stopping;

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static long
env_long(const char *name, long dflt)
{
	const char *s = getenv(name);

	return s != NULL && *s != '\0' ? strtol(s, NULL, 10) : dflt;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
write_pid(const char *pidfile, pid_t pid)
{
	char tmp[PATH_MAX];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.new", pidfile) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	if (fprintf(f, "%ld\n", (long)pid) < 0 || fclose(f) != 0)
		return -1;
	return rename(tmp, pidfile);
}

/* Fork the daemon; exec only once its pid is on file.  Its pid, or -1. */
static pid_t
start_daemon(char *const *argv, const char *pidfile)
{
	sigset_t none;
	int gate[2];
	pid_t pid;
	char c;

	if (pipe2(gate, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(gate[1]);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		if (read(gate[0], &c, 1) == 1) {
			execv(argv[0], argv);
			fprintf(stderr, "xsim supervisor: cannot run %s: %s\n",
				argv[0], strerror(errno));
		}
		_exit(127);
	}
	close(gate[0]);
	if (pid > 0 && write_pid(pidfile, pid) == 0 &&
	    write(gate[1], "", 1) == 1) {
		close(gate[1]);
		return pid;
	}
	close(gate[1]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return -1;
}

/* Wait for pid; on a stop request pass SIGTERM on (SIGKILL later). */
static int
wait_daemon(pid_t pid)
{
	double deadline = 0;
	int status;

	for (;;) {
		if (waitpid(pid, &status, 0) == pid)
			return status;
		if (errno != EINTR)
			return 0;
		if (stopping && deadline == 0) {
			kill(pid, SIGTERM);
			deadline = now() + STOP_TIMEOUT_S;
			alarm(STOP_TIMEOUT_S + 1);
		} else if (stopping && now() >= deadline) {
			kill(pid, SIGKILL);
		}
	}
}

/* What Restart=on-failure counts as a failure. */
static bool
failed(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status) != 0;
	switch (WTERMSIG(status)) {
	case SIGTERM:
	case SIGINT:
	case SIGHUP:
	case SIGPIPE:
		return false;
	default:
		return true;
	}
}

static void __attribute__((noreturn))
supervise(const char *name, char *const *argv, const char *pidfile)
{
	long burst = env_long("XSIM_RESTART_BURST", 5);
	double interval = (double)env_long("XSIM_RESTART_INTERVAL", 10);
	long delay_ms = env_long("XSIM_RESTART_MS", 100);
	double starts[MAX_BURST + 1];
	struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000};
	long n = 0, i;
	pid_t pid;
	int status;

	burst = burst < 1 ? 1 : burst > MAX_BURST ? MAX_BURST : burst;
	for (;;) {
		/* Keep the start times of the last burst + 1 starts. */
		if (n == burst + 1) {
			for (i = 1; i < n; i++)
				starts[i - 1] = starts[i];
			n--;
		}
		starts[n++] = now();
		if (n == burst + 1 && starts[n - 1] - starts[0] < interval) {
			fprintf(stderr,
				"xsim supervisor: %s started %ld times in "
				"%.0f s: giving up\n",
				name, n, interval);
			break;
		}
		if ((pid = start_daemon(argv, pidfile)) < 0) {
			fprintf(stderr, "xsim supervisor: cannot start %s\n",
				name);
			break;
		}
		status = wait_daemon(pid);
		if (stopping || !failed(status))
			break;
		fprintf(stderr,
			"xsim supervisor: %s (pid %ld) %s %d: restarting\n",
			name, (long)pid,
			WIFSIGNALED(status) ? "killed by signal"
					    : "exited with status",
			WIFSIGNALED(status) ? WTERMSIG(status)
					    : WEXITSTATUS(status));
		if (!stopping)
			nanosleep(&ts, NULL);
		if (stopping)
			break;
	}
	unlink(pidfile);
	_exit(0);
}

pid_t
supervise_spawn(const char *name, char *const *argv)
{
	char pidfile[PATH_MAX], sup[PATH_MAX];
	struct sigaction sa;
	pid_t pid;

	if (host_file(pidfile, sizeof(pidfile), "%s.pid", name) < 0 ||
	    util_path(sup, sizeof(sup), "%s-supervisor", name) < 0) {
		util_err("%s", name);
		return -1;
	}
	/*
	 * host_spawn runs a program; the supervisor is this one, so it
	 * forks here and redirects as host_spawn does.
	 */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		util_err("cannot fork the supervisor of %s", name);
		return -1;
	}
	if (pid > 0)
		return host_record_pid(sup, pid) < 0 ? -1 : pid;
	if (host_detach(name) < 0)
		_exit(127);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	supervise(name, argv, pidfile);
}
