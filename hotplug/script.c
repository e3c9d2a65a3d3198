/* SPDX-License-Identifier: MIT */
/*
 * Hotplug script runs (script.h): fork, a process group per run, the
 * timeout that kills that group, and reaping.  A slow script only holds
 * its own run: nothing here waits, the daemon's loop goes on while
 * children work.  The environment and argument vector are built in the
 * parent, so that the child only calls async-signal-safe functions
 * between fork() and execve() (the xenstore handle has a thread).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>
#include <talloc.h>

#include "log.h"
#include "script.h"

extern char **environ;

struct script_run {
	struct script_run *next;
	pid_t pid;
	bool timed_out;
	struct event *timer;
	script_done_fn *done;
	void *arg;
};

static struct script_run *runs;

static int
destroy_script_run(struct script_run *run)
{
	struct script_run **p;

	for (p = &runs; *p; p = &(*p)->next) {
		if (*p == run) {
			*p = run->next;
			break;
		}
	}
	if (run->timer)
		event_free(run->timer);
	return 0;
}

static void
script_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct script_run *run = arg;

	(void)fd;
	(void)what;
	run->timed_out = true;
	/* The group: the script's own children (sleep, ip...) go too. */
	if (kill(-run->pid, SIGKILL) < 0 && errno != ESRCH)
		log_warn("%s: kill process group %d", __func__, (int)run->pid);
}

/* A copy of a NULL-terminated vector on ctx, strings included. */
static char **
copy_vec(void *ctx, const char *const v[], size_t extra, size_t *count)
{
	size_t n = 0, i;
	char **out;

	while (v[n])
		n++;
	out = talloc_zero_array(ctx, char *, n + extra + 1);
	for (i = 0; out && i < n; i++)
		if (!(out[i] = talloc_strdup(out, v[i])))
			return NULL;
	*count = n;
	return out;
}

/* name=value entries of env, then those of environ not named in env. */
static char **
build_env(void *ctx, const char *const env[])
{
	size_t n, m = 0, i, j;
	char **out;

	while (environ[m])
		m++;
	out = copy_vec(ctx, env, m, &n);
	if (!out)
		return NULL;
	i = n;
	for (j = 0; j < m; j++) {
		const char *eq = strchr(environ[j], '=');
		size_t len = eq ? (size_t)(eq - environ[j]) + 1 : 0;
		size_t k;

		for (k = 0; len && k < n; k++)
			if (!strncmp(env[k], environ[j], len))
				break;
		if (len && k == n)
			out[i++] = environ[j];
	}
	out[i] = NULL;
	return out;
}

/* In the child: only async-signal-safe calls until execve(). */
static void __attribute__((noreturn)) child_exec(char **argv, char **envp)
{
	static const char msg[] = "xenstore-hotplugd: cannot execute script\n";
	sigset_t none;
	int fd;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != 0) {
		dup2(fd, 0);
		close(fd);
	}
	dup2(2, 1);
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	execve(argv[0], argv, envp);
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(127);
	_exit(127);
}

struct script_run *
script_start(struct event_base *base, const char *const argv[],
	     const char *const env[], unsigned int timeout_s,
	     script_done_fn *done, void *arg)
{
	struct script_run *run = talloc_zero(NULL, struct script_run);
	char **envp, **args;
	size_t n;

	if (!run) {
		errno = ENOMEM;
		return NULL;
	}
	envp = build_env(run, env);
	args = copy_vec(run, argv, 0, &n);
	if (timeout_s)
		run->timer = evtimer_new(base, script_timeout_cb, run);
	if (!envp || !args || (timeout_s && !run->timer)) {
		talloc_free(run);
		errno = ENOMEM;
		return NULL;
	}
	talloc_set_destructor(run, destroy_script_run);
	run->done = done;
	run->arg = arg;
	run->pid = fork();
	if (run->pid < 0) {
		int err = errno;

		talloc_free(run);
		errno = err;
		return NULL;
	}
	if (run->pid == 0)
		child_exec(args, envp);
	/* Also here, so that a kill at the timeout never misses the group. */
	setpgid(run->pid, run->pid);
	talloc_free(envp);
	talloc_free(args);
	run->next = runs;
	runs = run;
	if (timeout_s) {
		struct timeval tv = {.tv_sec = timeout_s};

		evtimer_add(run->timer, &tv);
	}
	return run;
}

void
script_reap(void)
{
	struct script_run *run;
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (run = runs; run; run = run->next)
			if (run->pid == pid)
				break;
		if (!run) {
			log_debug("%s: reaped unknown child %d", __func__,
				  (int)pid);
			continue;
		}
		run->done(run->arg, status, run->timed_out);
		talloc_free(run);
	}
}

void
script_kill_all(void)
{
	struct script_run *run;

	for (run = runs; run; run = run->next)
		kill(-run->pid, SIGKILL);
}

int
script_pid(const struct script_run *run)
{
	return (int)run->pid;
}
