/* SPDX-License-Identifier: MIT */
/*
 * restart_client: a dom0 client of our libxenstore that must not notice
 * the daemon being killed and restarted under it (tests/integration/
 * client_restart.sh).
 *
 *   restart_client <rounds>
 *	watches /restart/w, then for each round increments /restart/tx in
 *	a transaction (retrying on EAGAIN), writes /restart/p/<i> and reads
 *	it back; any other failure ends it with status 1.  At the end it
 *	writes /restart/w/end and waits (5 s) for the watch to report it,
 *	and prints "commits <n>": the increments it saw committed.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

static void
die(const char *what, int i)
{
	fprintf(stderr, "restart_client: %s (round %d): %s\n", what, i,
		strerror(errno));
	exit(1);
}

static void
increment(struct xs_handle *h, int i)
{
	xs_transaction_t t;
	unsigned len;
	char *v, buf[32];

	for (;;) {
		if ((t = xs_transaction_start(h)) == XBT_NULL)
			die("transaction_start", i);
		v = xs_read(h, t, "/restart/tx", &len);
		if (v == NULL && errno != ENOENT)
			die("read in transaction", i);
		snprintf(buf, sizeof(buf), "%ld",
			 v ? strtol(v, NULL, 10) + 1 : 1);
		free(v);
		if (!xs_write(h, t, "/restart/tx", buf, strlen(buf)))
			die("write in transaction", i);
		if (xs_transaction_end(h, t, false))
			return;
		if (errno != EAGAIN)
			die("commit", i);
	}
}

static void
write_read(struct xs_handle *h, int i)
{
	char path[64], val[32], *v;
	unsigned len;

	snprintf(path, sizeof(path), "/restart/p/%d", i);
	snprintf(val, sizeof(val), "%d", i);
	if (!xs_write(h, XBT_NULL, path, val, strlen(val)))
		die("write", i);
	if ((v = xs_read(h, XBT_NULL, path, &len)) == NULL)
		die("read", i);
	if (strcmp(v, val) != 0) {
		errno = EIO;
		die("read back", i);
	}
	free(v);
}

/* Wait up to 5 s for an event on path. */
static int
await_event(struct xs_handle *h, const char *path)
{
	struct pollfd p = {xs_fileno(h), POLLIN, 0};
	char **ev;
	unsigned n;

	while (poll(&p, 1, 5000) > 0) {
		if ((ev = xs_read_watch(h, &n)) == NULL)
			return -1;
		if (strcmp(ev[XS_WATCH_PATH], path) == 0) {
			free(ev);
			return 0;
		}
		free(ev);
	}
	return -1;
}

int
main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 100, i;
	struct xs_handle *h = xs_open(0);

	if (h == NULL)
		die("open", 0);
	if (!xs_watch(h, "/restart/w", "tok"))
		die("watch", 0);
	for (i = 1; i <= rounds; i++) {
		increment(h, i);
		write_read(h, i);
	}
	if (!xs_write(h, XBT_NULL, "/restart/w/end", "1", 1))
		die("write end", i);
	if (await_event(h, "/restart/w/end") != 0) {
		errno = ETIMEDOUT;
		die("watch after the restarts", i);
	}
	printf("commits %d\n", rounds);
	xs_close(h);
	return 0;
}
