/* SPDX-License-Identifier: MIT */
/*
 * xenstore-hotplugd: the hotplug daemon of one backend domain, the role
 * `xl devd` has on a Xen host (docs/hotplug.md).  This file owns start-up,
 * the command line, the event loop and its signals; what a watch event
 * means is device.c's business, running a script is script.c's.  It stays
 * in the foreground (a service manager or the test suite supervises it).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <xenstore.h>

#include "device.h"
#include "log.h"
#include "script.h"

#ifdef XEN_SCRIPT_DIR
#define DEFAULT_SCRIPT_DIR XEN_SCRIPT_DIR
#else
#define DEFAULT_SCRIPT_DIR "/etc/xen/scripts"
#endif
#define DEFAULT_TIMEOUT 40	/* LIBXL_HOTPLUG_TIMEOUT */
#define DEFAULT_INIT_TIMEOUT 10 /* LIBXL_INIT_TIMEOUT */

static struct xs_handle *xs;
static struct event_base *base;
static int exit_status;

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: xenstore-hotplugd [options]\n"
		"  -d, --domid N         backend domain served (default 0)\n"
		"  -s, --script-dir DIR  scripts named relatively or by "
		"default\n"
		"                        (default " DEFAULT_SCRIPT_DIR ")\n"
		"  -t, --timeout SEC     per script run, 0 for none "
		"(default %d)\n"
		"  -i, --init-timeout SEC  for the backend driver's InitWait,\n"
		"                        0 for none (default %d)\n"
		"  -a, --absolute-path   give scripts an absolute XENBUS_PATH\n"
		"  -e, --early           add at state 1, not at InitWait\n"
		"  -p, --pid-file FILE   write the pid there\n"
		"  -v, --verbose         log every decision\n"
		"  -h, --help\n",
		DEFAULT_TIMEOUT, DEFAULT_INIT_TIMEOUT);
}

static unsigned int
parse_uint(const char *opt, const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v > 0x7fffffffUL) {
		fprintf(stderr, "xenstore-hotplugd: bad %s: %s\n", opt, s);
		exit(1);
	}
	return (unsigned int)v;
}

static void
main_watch_cb(evutil_socket_t fd, short what, void *arg)
{
	char **ev;

	(void)fd;
	(void)what;
	(void)arg;
	while ((ev = xs_check_watch(xs))) {
		if (!strcmp(ev[XS_WATCH_TOKEN], "hotplug"))
			device_event(ev[XS_WATCH_PATH]);
		free(ev);
	}
	if (errno != EAGAIN) {
		log_warn("%s: connection to xenstored lost", __func__);
		exit_status = 1;
		event_base_loopbreak(base);
	}
}

static void
main_sigchld_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	script_reap();
}

static void
main_sigterm_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	(void)arg;
	log_info("%s: signal %d, stopping", __func__, (int)sig);
	event_base_loopbreak(base);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{"domid", required_argument, NULL, 'd'},
		{"script-dir", required_argument, NULL, 's'},
		{"timeout", required_argument, NULL, 't'},
		{"init-timeout", required_argument, NULL, 'i'},
		{"absolute-path", no_argument, NULL, 'a'},
		{"early", no_argument, NULL, 'e'},
		{"pid-file", required_argument, NULL, 'p'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct device_config cfg = {
		.script_dir = DEFAULT_SCRIPT_DIR,
		.timeout = DEFAULT_TIMEOUT,
		.init_timeout = DEFAULT_INIT_TIMEOUT,
	};
	struct event *ev_watch, *ev_chld, *ev_term, *ev_int;
	const char *pidfile = NULL;
	int verbose = 0, c;

	while ((c = getopt_long(argc, argv, "d:s:t:i:aep:vh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'd':
			cfg.domid = parse_uint("domid", optarg);
			break;
		case 's':
			cfg.script_dir = optarg;
			break;
		case 't':
			cfg.timeout = parse_uint("timeout", optarg);
			break;
		case 'i':
			cfg.init_timeout = parse_uint("init-timeout", optarg);
			break;
		case 'a':
			cfg.absolute_path = true;
			break;
		case 'e':
			cfg.early = true;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	/* Its notes of what it runs are the point: shown without -v. */
	log_init("xenstore-hotplugd", true, verbose + 1);
	/* A script writing to a closed pipe must not take us down. */
	signal(SIGPIPE, SIG_IGN);

	base = event_base_new();
	if (!base)
		fatal("%s: event_base_new", __func__);
	xs = xs_open(0);
	if (!xs)
		fatal("%s: cannot connect to xenstored", __func__);
	ev_chld = evsignal_new(base, SIGCHLD, main_sigchld_cb, NULL);
	ev_term = evsignal_new(base, SIGTERM, main_sigterm_cb, NULL);
	ev_int = evsignal_new(base, SIGINT, main_sigterm_cb, NULL);
	if (!ev_chld || !ev_term || !ev_int || evsignal_add(ev_chld, NULL) ||
	    evsignal_add(ev_term, NULL) || evsignal_add(ev_int, NULL))
		fatal("%s: signal events", __func__);
	if (device_init(base, xs, &cfg) < 0)
		fatal("%s: cannot watch the backend of domain %u", __func__,
		      cfg.domid);
	ev_watch = event_new(base, xs_fileno(xs), EV_READ | EV_PERSIST,
			     main_watch_cb, NULL);
	if (!ev_watch || event_add(ev_watch, NULL))
		fatal("%s: watch event", __func__);
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (!f)
			fatal("%s: %s", __func__, pidfile);
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	log_info("%s: serving /local/domain/%u/backend", __func__, cfg.domid);

	event_base_dispatch(base);

	script_kill_all();
	device_shutdown();
	event_free(ev_watch);
	event_free(ev_chld);
	event_free(ev_term);
	event_free(ev_int);
	xs_close(xs);
	event_base_free(base);
	if (pidfile)
		unlink(pidfile);
	return exit_status;
}
