/* SPDX-License-Identifier: MIT */
/*
 * xenhyp-ctl: the smallest toolstack for the simulated hypervisor, for
 * tests and for trying things by hand (the real toolstack is tools/).
 * It acts as dom0 and only uses the library API plus xensim.h.
 *
 *   xenhyp-ctl launch [-w] [-d DOMID] PROGRAM [ARG...]
 *	create a domain (with -d, that domid, as when a toolstack reuses a
 *	dead domain's id) and its xenstore port (remote dom0), write the port
 *	into the start info, start PROGRAM as the domain's guest (it
 *	inherits the channel as $XENHYP_CHANNEL_FD), print
 *	"<domid> <store-port> <pid>"; with -w wait for the guest and exit
 *	with its status (128 + signal if it died of one).
 *   xenhyp-ctl list
 *	one line per domain: "<domid> running|paused|shutdown|dying <reason>"
 *   xenhyp-ctl destroy DOMID | shutdown DOMID REASON
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenforeignmemory.h>

#include "xensim.h"

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, "xenhyp-ctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: xenhyp-ctl launch [-w] [-d DOMID] PROGRAM [ARG...]\n"
		"       xenhyp-ctl list\n"
		"       xenhyp-ctl destroy DOMID\n"
		"       xenhyp-ctl shutdown DOMID REASON\n");
	exit(2);
}

static uint32_t
domid_arg(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v >= DOMID_FIRST_RESERVED)
		usage();
	return (uint32_t)v;
}

/* Build the domain as Xen's domain builder would, up to the channel. */
static int
build(xc_interface *xch, uint32_t *domid, uint32_t *port)
{
	struct xen_domctl_createdomain cfg = {.max_vcpus = 1};
	xenforeignmemory_handle *fmem = xenforeignmemory_open(NULL, 0);
	xen_pfn_t pfn = XSIM_START_INFO_PFN;
	struct xsim_start_info *si;
	int p, chan;

	if (fmem == NULL)
		die("xenforeignmemory_open");
	if (xc_domain_create(xch, domid, &cfg) < 0)
		die("create domain");
	p = xc_evtchn_alloc_unbound(xch, *domid, 0);
	if (p < 0)
		die("allocate xenstore port");
	*port = (uint32_t)p;
	si = xenforeignmemory_map(fmem, *domid, PROT_READ | PROT_WRITE, 1, &pfn,
				  NULL);
	if (si == NULL)
		die("map start info");
	si->store_evtchn = *port;
	xenforeignmemory_unmap(fmem, si, 1);
	xenforeignmemory_close(fmem);
	chan = xsim_domain_channel(xch, *domid);
	if (chan < 0)
		die("channel of dom%u", *domid);
	if (xc_domain_unpause(xch, *domid) < 0)
		die("unpause");
	return chan;
}

static int
launch(xc_interface *xch, int argc, char **argv)
{
	uint32_t domid = 0, port;
	int wait_for = 0, chan, status;
	char num[16];
	pid_t pid;

	if (argc > 0 && strcmp(argv[0], "-w") == 0) {
		wait_for = 1;
		argc--;
		argv++;
	}
	if (argc > 1 && strcmp(argv[0], "-d") == 0) {
		domid = domid_arg(argv[1]);
		argc -= 2;
		argv += 2;
	}
	if (argc < 1)
		usage();
	chan = build(xch, &domid, &port);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		snprintf(num, sizeof(num), "%d", chan);
		setenv(XENHYP_CHANNEL_ENV, num, 1);
		/* Our own dom0 handles are close-on-exec: only chan passes. */
		execvp(argv[0], argv);
		die("exec %s", argv[0]);
	}
	/* The guest must hold the only copy, or its domain never dies. */
	close(chan);
	printf("%u %u %ld\n", domid, port, (long)pid);
	fflush(stdout);
	xc_interface_close(xch);
	if (!wait_for)
		return 0;
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int
list(xc_interface *xch)
{
	xc_dominfo_t info[64];
	uint32_t next = 0;
	int n, i;

	while ((n = xc_domain_getinfo(xch, next, 64, info)) > 0) {
		for (i = 0; i < n; i++) {
			const char *state = info[i].dying      ? "dying"
					    : info[i].shutdown ? "shutdown"
					    : info[i].paused   ? "paused"
							       : "running";

			printf("%u %s %u\n", info[i].domid, state,
			       info[i].shutdown ? info[i].shutdown_reason : 0);
		}
		next = info[n - 1].domid + 1;
	}
	if (n < 0)
		die("getinfo");
	return 0;
}

int
main(int argc, char **argv)
{
	xc_interface *xch;
	int ret = 0;

	if (argc < 2)
		usage();
	xch = xc_interface_open(NULL, NULL, 0);
	if (xch == NULL)
		die("cannot reach the hypervisor");
	if (strcmp(argv[1], "launch") == 0)
		return launch(xch, argc - 2, argv + 2); /* closes xch */
	if (strcmp(argv[1], "list") == 0 && argc == 2) {
		ret = list(xch);
	} else if (strcmp(argv[1], "destroy") == 0 && argc == 3) {
		if (xc_domain_destroy(xch, domid_arg(argv[2])) < 0)
			die("destroy");
	} else if (strcmp(argv[1], "shutdown") == 0 && argc == 4) {
		if (xc_domain_shutdown(xch, domid_arg(argv[2]), atoi(argv[3])) <
		    0)
			die("shutdown");
	} else {
		usage();
	}
	xc_interface_close(xch);
	return ret;
}
