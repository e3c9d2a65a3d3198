/* SPDX-License-Identifier: MIT */
/*
 * xenhyp, the simulated hypervisor: options, the run directory, the
 * event loop and signals.  Everything it simulates lives in domain.c,
 * evtchn.c and channel.c; this file only starts and stops them.
 *
 *   xenhyp [-v] [-r rundir] [-p pages] [-u dom0-uid] [-F pidfile]
 *
 * The dom0 socket is <rundir>/hypervisor (rundir: -r, else
 * $XENHYP_RUNDIR, else /var/run/xenhyp).  Runs in the foreground; SIGTERM
 * or SIGINT stop it, removing the socket.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "channel.h"
#include "domain.h"
#include "log.h"
#include "xensim.h"

static void
usage(void)
{
	fprintf(stderr, "usage: xenhyp [-v] [-r rundir] [-p pages] "
			"[-u dom0-uid] [-F pidfile]\n");
	exit(2);
}

static unsigned long
number(const char *s, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max)
		usage();
	return v;
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

/* Each domain holds a descriptor per page and per port end. */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char **argv)
{
	const char *rundir = getenv(XENHYP_RUNDIR_ENV), *pidfile = NULL;
	unsigned long pages = 16;
	uid_t uid = getuid();
	struct event_base *base;
	struct event *sigterm, *sigint;
	char path[PATH_MAX];
	int c;

	while ((c = getopt(argc, argv, "vr:p:u:F:")) != -1) {
		switch (c) {
		case 'v':
			log_verbose = true;
			break;
		case 'r':
			rundir = optarg;
			break;
		case 'p':
			pages = number(optarg, XSIM_FIRST_FREE_PFN + 1, 1024);
			break;
		case 'u':
			uid = (uid_t)number(optarg, 0, 0xfffffffeUL);
			break;
		case 'F':
			pidfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (rundir == NULL || *rundir == '\0')
		rundir = XENHYP_RUNDIR_DEFAULT;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", rundir,
			     XENHYP_SOCKET_NAME) >= sizeof(path))
		fatalx("run directory name too long");

	umask(077);
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	if (mkdir(rundir, 0755) < 0 && errno != EEXIST)
		fatal("mkdir %s", rundir);
	base = event_base_new();
	if (base == NULL)
		fatalx("event_base_new failed");
	if (domain_init((uint32_t)pages) != 0)
		fatal("cannot create dom0");
	if (channel_listen(base, path, uid) < 0)
		fatal("listen on %s", path);
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (f == NULL || fprintf(f, "%ld\n", (long)getpid()) < 0 ||
		    fclose(f) != 0)
			fatal("pid file %s", pidfile);
	}
	sigterm = evsignal_new(base, SIGTERM, signal_cb, base);
	sigint = evsignal_new(base, SIGINT, signal_cb, base);
	if (!sigterm || !sigint || event_add(sigterm, NULL) < 0 ||
	    event_add(sigint, NULL) < 0)
		fatalx("cannot handle signals");
	log_debug("listening on %s, %lu pages per domain", path, pages);

	event_base_dispatch(base);

	unlink(path);
	channel_exit();
	domain_exit();
	event_free(sigterm);
	event_free(sigint);
	event_base_free(base);
	return 0;
}
