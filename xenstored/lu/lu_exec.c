/* SPDX-License-Identifier: MIT */
/*
 * The new binary of a live update (lu_int.h): finding out, before the
 * exec, whether it starts at all and whether it is ours (run once with
 * --help, as oxenstored does; ours lists --check-state), and the exec in
 * place.
 *
 * A binary that cannot start fails the probe, with the old daemon
 * serving.  Ours gets a descriptor of the old binary (LU_ENV_FALLBACK):
 * if it cannot read the stream or take the event channels over, it
 * execs the old binary again, which takes its own state back and tells
 * the caller why.  Checking the stream before the exec instead would
 * add its reading to every update's blackout, and whether the new
 * binary can have the channels is known only once it runs in our place.
 * For the exec, the descriptors the stream names (listeners, client
 * sockets, the event channel handle) lose close-on-exec, and
 * VIRQ_DOM_EXC is unbound for the new binary to bind; if execv fails
 * all of it is put back and the domains that died meanwhile are
 * noticed (Xen 4.17 forgets to bind the VIRQ again there).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <talloc.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "guest.h"
#include "hyp.h"
#include "log.h"
#include "lu_int.h"
#include "store.h"

#define PROBE_MS 5000
#define PROBE_OUT 65536

extern char **environ;

static long
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Read what fd gives until EOF or the deadline; NUL-terminated.  A signal
 * (a fold's child ending: SIGCHLD) does not cut it short: a help text
 * read half would take our own binary for another daemon.
 */
static void
read_until(int fd, char *buf, size_t size, int ms)
{
	struct pollfd p = {fd, POLLIN, 0};
	long end = now_ms() + ms, left;
	size_t len = 0;
	ssize_t n;
	int r;

	while (len + 1 < size && (left = end - now_ms()) > 0) {
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
}

/* Its exit status; one that hangs is killed (it would hang us). */
static int
reap(pid_t pid)
{
	struct timespec ms = {0, 1000000};
	int status, i;

	for (i = 0; i < PROBE_MS; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		nanosleep(&ms, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* Run argv (stdout and stderr into out); its exit status or -1. */
static int
run(char *const argv[], char *out, size_t size)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], status = -1, err;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (err == 0) {
		read_until(pipefd[0], out, size, PROBE_MS);
		status = reap(pid);
	}
	close(pipefd[0]);
	return status;
}

int
lu_probe(char *file, bool *ours, bool *image, const char **why)
{
	static char help[] = "--help";
	char *argv[] = {file, help, NULL};
	char *out = malloc(PROBE_OUT);
	int status;

	*why = "Error activating new binary.";
	if (out == NULL)
		return -1;
	status = run(argv, out, PROBE_OUT);
	*ours = strstr(out, "--check-state") != NULL;
	*image = *ours && strstr(out, LU_IMAGE_HELP) != NULL;
	free(out);
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_warnx("live-update: %s --help does not run", file);
		return -1;
	}
	return 0;
}

static char opt_u[] = "-U";

/* argv of the new binary: -c's words or ours again, with -U. */
static char **
new_argv(void *ctx, const struct lu_session *s)
{
	char **argv,
		*words = s->cmdline ? talloc_strdup(ctx, s->cmdline) : NULL, *w,
		*save;
	int n = 0, max = lu_config.argc + 3, i;
	bool has_u = false;

	if (words)
		for (w = words; *w; w++)
			max += *w == ' ' || *w == '\t';
	if ((argv = talloc_array(ctx, char *, (size_t)max)) == NULL)
		return NULL;
	/* An uploaded kernel has no file name: it keeps ours. */
	argv[n++] = s->kernel ? lu_config.argv[0] : s->file;
	if (words) {
		for (w = strtok_r(words, " \t", &save); w;
		     w = strtok_r(NULL, " \t", &save))
			argv[n++] = w;
	} else {
		for (i = 1; i < lu_config.argc; i++)
			argv[n++] = lu_config.argv[i];
	}
	for (i = 1; i < n; i++)
		has_u |= strcmp(argv[i], "-U") == 0 ||
			 strcmp(argv[i], "--live-update") == 0;
	if (!has_u)
		argv[n++] = opt_u;
	argv[n] = NULL;
	return argv;
}

/* Close-on-exec off (inherit) or on again, for what the stream names. */
static void
set_inherit(const struct lu_session *s, bool inherit)
{
	int flag = inherit ? 0 : FD_CLOEXEC, fd;
	struct conn *c;

	if ((fd = lu_config.hooks->listener_fd(false)) >= 0)
		fcntl(fd, F_SETFD, flag);
	if (s->ours && (fd = lu_config.hooks->listener_fd(true)) >= 0)
		fcntl(fd, F_SETFD, flag);
	for (c = conn_first(); c; c = c->next)
		if (c->fd >= 0 && !c->closing && (s->ours || !c->readonly))
			fcntl(c->fd, F_SETFD, flag);
	if (s->image_fd >= 0)
		fcntl(s->image_fd, F_SETFD, flag);
}

/* argv in LU_ENV_FALLBACK_ARGS's form (lu_int.h); NULL on ENOMEM. */
static char *
hex_args(void *ctx, char **argv)
{
	char *out = talloc_strdup(ctx, "");
	const unsigned char *p;
	int i;

	for (i = 0; argv[i] && out; i++) {
		if (i > 0)
			out = talloc_strdup_append(out, " ");
		for (p = (const unsigned char *)argv[i]; *p && out; p++)
			out = talloc_asprintf_append(out, "%02x", *p);
	}
	return out;
}

/*
 * Our binary may come back to us: a descriptor of it, and our command
 * line with -U, in the environment.
 */
static int
offer_fallback(void *ctx)
{
	const struct lu_session ours = {.file = lu_config.argv[0]};
	char **back = new_argv(ctx, &ours);
	char *args = back ? hex_args(ctx, back) : NULL;
	char num[16];
	int fd;

	if (args == NULL || setenv(LU_ENV_FALLBACK_ARGS, args, 1) != 0)
		return -1;
	if ((fd = open("/proc/self/exe", O_RDONLY)) < 0)
		return -1;
	snprintf(num, sizeof(num), "%d", fd);
	if (setenv(LU_ENV_FALLBACK, num, 1) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

const char *
lu_exec(void *ctx, const struct lu_session *s)
{
	char **argv = new_argv(ctx, s);
	int fallback = -1;

	if (argv == NULL)
		return "Allocation failure.";
	log_info("live-update: exec %s", s->file);
	if (s->ours && (fallback = offer_fallback(ctx)) < 0)
		log_warn("live-update: no way back for %s", s->file);
	set_inherit(s, true);
	hyp_exec_prepare();
	if (s->kernel)
		lu_upload_exec(s->kernel, argv);
	else
		execv(s->file, argv);
	log_warn("live-update: exec %s", s->file);
	unsetenv(LU_ENV_FALLBACK_ARGS);
	if (fallback >= 0) {
		unsetenv(LU_ENV_FALLBACK);
		close(fallback);
	}
	set_inherit(s, false);
	if (hyp_exec_failed() != 0)
		log_warnx("live-update: VIRQ_DOM_EXC lost");
	guest_check_domains();
	return "Error activating new binary.";
}
