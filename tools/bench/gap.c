/* SPDX-License-Identifier: MIT */
/*
 * The gap probe of xs-bench: while a workload runs, a separate client
 * READs one node back to back, one request in flight, and records the
 * longest time any one READ took.  That is the longest stall another
 * client sees: a daemon whose loop turn stops for half a second (say, to
 * rebuild an index) shows a half-second gap however fast it is on
 * average.
 *
 * The probe is a forked process with its own connection, so that it
 * never waits for the workload's client; what it measures lives in a
 * shared anonymous mapping.  A process rather than a thread keeps
 * xs-bench free of locks; both run on the client's CPU and are mostly
 * blocked in read(), so the scheduler's wake-up latency (microseconds)
 * is all the probe adds.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frame.h"
#include "xsb.h"

struct gap_shared {
	volatile int ready; /* the child's first READ came back */
	volatile int stop;  /* set by the parent: end the loop */
	volatile int failed;
	double max; /* longest READ, seconds */
	unsigned long reads;
};

struct xsb_gap {
	pid_t pid;
	struct gap_shared *sh;
};

/* The child: READ path until told to stop; never returns. */
static void
probe(const char *socket, const char *path, struct gap_shared *sh)
{
	struct xsb_conn *c = xsb_connect(socket);
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t len = xsb_args(buf, sizeof(buf), path, NULL, false);
	struct xsb_msg m;
	double t0, t;

	while (!sh->stop) {
		t0 = xsb_now();
		xsb_call(c, XS_READ, 0, buf, len, &m);
		t = xsb_now() - t0;
		if (m.hdr.type != XS_READ) {
			sh->failed = 1;
			break;
		}
		if (sh->ready && t > sh->max)
			sh->max = t;
		sh->reads++;
		sh->ready = 1;
	}
	xsb_close(c);
	_exit(0);
}

struct xsb_gap *
xsb_gap_start(const struct xsb_opts *o, const char *path)
{
	struct xsb_gap *g = calloc(1, sizeof(*g));

	if (g == NULL)
		xsb_die("out of memory");
	g->sh = mmap(NULL, sizeof(*g->sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g->sh == MAP_FAILED)
		xsb_die("mmap: %s", strerror(errno));
	memset(g->sh, 0, sizeof(*g->sh));
	fflush(stdout);
	g->pid = fork();
	if (g->pid < 0)
		xsb_die("fork: %s", strerror(errno));
	if (g->pid == 0)
		probe(o->socket, path, g->sh);
	while (!g->sh->ready) {
		int status;

		if (waitpid(g->pid, &status, WNOHANG) == g->pid)
			xsb_die("gap probe: READ %s failed", path);
		usleep(1000);
	}
	return g;
}

double
xsb_gap_stop(struct xsb_gap *g, unsigned long *reads)
{
	double max;
	int status;

	g->sh->stop = 1;
	while (waitpid(g->pid, &status, 0) < 0)
		if (errno != EINTR)
			xsb_die("waitpid: %s", strerror(errno));
	if (g->sh->failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		xsb_die("gap probe: a READ failed");
	max = g->sh->max;
	if (reads)
		*reads = g->sh->reads;
	munmap(g->sh, sizeof(*g->sh));
	free(g);
	return max;
}
