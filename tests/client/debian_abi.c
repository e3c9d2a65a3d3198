/* SPDX-License-Identifier: MIT */
/*
 * The drop-in proof for programs: built against Debian's <xenstore.h>
 * (libxen-dev) and linked with Debian's libxenstore, this program is run
 * twice against the same daemon, once with Debian's library and once
 * with ours (LD_LIBRARY_PATH), and the two transcripts it prints must be
 * identical.  It uses the VERS_4.0 calls Debian's library has, and prints
 * results and errno names, never addresses or timings.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

static const char *
ename(int e)
{
	switch (e) {
	case 0:
		return "0";
	case ENOENT:
		return "ENOENT";
	case EINVAL:
		return "EINVAL";
	case EACCES:
		return "EACCES";
	case EEXIST:
		return "EEXIST";
	case EAGAIN:
		return "EAGAIN";
	case E2BIG:
		return "E2BIG";
	case EBUSY:
		return "EBUSY";
	case ENOSPC:
		return "ENOSPC";
	default:
		return "other";
	}
}

static void
show_read(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	unsigned int len = 0;
	char *v;

	errno = 0;
	v = xs_read(h, t, path, &len);
	if (v == NULL)
		printf("read %s: NULL %s\n", path, ename(errno));
	else
		printf("read %s: [%.*s] len %u nul %d\n", path, (int)len, v,
		       len, v[len] == '\0');
	free(v);
}

static void
show_dir(struct xs_handle *h, const char *path)
{
	unsigned int num = 0, i;
	char **d;

	errno = 0;
	d = xs_directory(h, XBT_NULL, path, &num);
	if (d == NULL) {
		printf("dir %s: NULL %s\n", path, ename(errno));
		return;
	}
	printf("dir %s: %u", path, num);
	for (i = 0; i < num; i++)
		printf(" %s", d[i]);
	printf("\n");
	free(d);
}

static void
show_bool(const char *what, bool ok)
{
	printf("%s: %s %s\n", what, ok ? "true" : "false",
	       ok ? "" : ename(errno));
}

int
main(void)
{
	struct xs_permissions p[2] = {{0, XS_PERM_NONE}, {5, XS_PERM_READ}},
			      *got;
	struct xs_handle *h = xs_open(0), *h2;
	xs_transaction_t t;
	struct pollfd pfd;
	unsigned int num, i;
	char **ev, *s, big[5000];

	if (h == NULL) {
		perror("xs_open");
		return 1;
	}
	h2 = xs_daemon_open();
	show_bool("write", xs_write(h, XBT_NULL, "/abi/a", "hello", 5));
	show_bool("write empty", xs_write(h, XBT_NULL, "/abi/b", "", 0));
	show_read(h, XBT_NULL, "/abi/a");
	show_read(h, XBT_NULL, "/abi/b");
	show_read(h, XBT_NULL, "/abi/missing");
	show_read(h, XBT_NULL, "bad//path");
	show_bool("mkdir", xs_mkdir(h, XBT_NULL, "/abi/dir"));
	show_bool("mkdir again", xs_mkdir(h, XBT_NULL, "/abi/dir"));
	show_dir(h, "/abi");
	show_dir(h, "/abi/dir");
	show_dir(h, "/abi/missing");
	memset(big, 'x', sizeof(big));
	show_bool("write too big",
		  xs_write(h, XBT_NULL, "/abi/big", big, sizeof(big)));
	show_bool("set perms", xs_set_permissions(h, XBT_NULL, "/abi/a", p, 2));
	errno = 0;
	got = xs_get_permissions(h, XBT_NULL, "/abi/a", &num);
	printf("get perms: %u", got ? num : 0);
	for (i = 0; got != NULL && i < num; i++)
		printf(" %u/%u", got[i].id, got[i].perms);
	printf("\n");
	free(got);
	show_bool("rm leaf missing", xs_rm(h, XBT_NULL, "/abi/nothere"));
	show_bool("rm parent missing", xs_rm(h, XBT_NULL, "/abi/no/there"));

	/* A transaction, and a conflict with another handle. */
	t = xs_transaction_start(h);
	printf("transaction: %s\n", t != XBT_NULL ? "started" : "failed");
	show_read(h, t, "/abi/a");
	show_bool("write in t", xs_write(h, t, "/abi/a", "t1", 2));
	show_read(h, XBT_NULL, "/abi/a");
	show_bool("other write", xs_write(h2, XBT_NULL, "/abi/a", "o", 1));
	show_bool("commit", xs_transaction_end(h, t, false));
	t = xs_transaction_start(h);
	show_bool("write in t2", xs_write(h, t, "/abi/c", "c", 1));
	show_bool("abort", xs_transaction_end(h, t, true));
	show_read(h, XBT_NULL, "/abi/c");

	/* Watches: the initial event, then one per change. */
	pfd.fd = xs_fileno(h);
	pfd.events = POLLIN;
	show_bool("watch", xs_watch(h, "/abi/w", "tok"));
	ev = xs_read_watch(h, &num);
	printf("event: %u %s %s\n", num, ev[XS_WATCH_PATH], ev[XS_WATCH_TOKEN]);
	free(ev);
	show_bool("write watched", xs_write(h2, XBT_NULL, "/abi/w/x", "1", 1));
	printf("poll: %d\n", poll(&pfd, 1, -1));
	ev = xs_check_watch(h);
	printf("check: %s %s\n", ev ? ev[XS_WATCH_PATH] : "NULL",
	       ev ? ev[XS_WATCH_TOKEN] : ename(errno));
	free(ev);
	errno = 0;
	ev = xs_check_watch(h);
	printf("check empty: %s %s\n", ev ? "event" : "NULL", ename(errno));
	free(ev);
	show_bool("watch twice", xs_watch(h, "/abi/w", "tok"));
	show_bool("unwatch", xs_unwatch(h, "/abi/w", "tok"));
	show_bool("unwatch again", xs_unwatch(h, "/abi/w", "tok"));

	s = xs_get_domain_path(h, 3);
	printf("domain path: %s\n", s ? s : "NULL");
	free(s);
	printf("subpath: %d %d %d\n", xs_path_is_subpath("/a", "/a/b"),
	       xs_path_is_subpath("/a", "/ab"), xs_path_is_subpath("/", "/a"));
	printf("strings_to_perms: %d\n", xs_strings_to_perms(p, 2, "b7\0n0x3"));
	printf("perms: %u/%u %u/%u\n", p[0].id, p[0].perms, p[1].id,
	       p[1].perms);
	printf("socket ends with /socket: %d\n",
	       strstr(xs_daemon_socket(), "socket") != NULL);
	printf("restrict: %d\n", xs_restrict(h, 1));
	show_bool("rm", xs_rm(h, XBT_NULL, "/abi"));
	xs_close(h2);
	xs_daemon_close(h);
	xs_close(NULL);
	return 0;
}
