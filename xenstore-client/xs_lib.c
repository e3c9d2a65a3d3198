/* SPDX-License-Identifier: MIT */
/*
 * The calls of libxenstore that need no connection of their own: the
 * daemon's paths, writing a whole buffer, parsing permission strings,
 * comparing paths; and the transaction retry loop (our extension), which
 * only combines public calls.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perms.h"
#include "xenstore.h"

/* The public bits are the protocol's: the daemon's perms.h agrees. */
_Static_assert(XS_PERM_READ == PERM_READ && XS_PERM_WRITE == PERM_WRITE &&
		       XS_PERM_OWNER == PERM_OWNER &&
		       XS_PERM_IGNORE == PERM_IGNORE,
	       "permission bits differ from perms.h");

const char *
xs_daemon_rundir(void)
{
	const char *s = getenv("XENSTORED_RUNDIR");

	return s != NULL ? s : "/var/run/xenstored";
}

const char *
xs_daemon_socket(void)
{
	static char buf[PATH_MAX];
	const char *s = getenv("XENSTORED_PATH");

	if (s != NULL)
		return s;
	if (snprintf(buf, sizeof(buf), "%s/socket", xs_daemon_rundir()) >=
	    (int)sizeof(buf))
		return NULL;
	return buf;
}

const char *
xs_daemon_socket_ro(void)
{
	return xs_daemon_socket();
}

bool
xs_write_all(int fd, const void *data, unsigned int len)
{
	const char *p = data;
	ssize_t n;
	int saved = errno;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (unsigned int)n;
	}
	errno = saved; /* an EINTR retried is no failure */
	return true;
}

/*
 * As Xen's library: a letter, then a number as strtol() base 0 reads it,
 * all of the rest consumed.  Lax on purpose (no range check): the daemon
 * judges the ids, and strtol()'s ERANGE does not reach the caller.
 */
bool
xs_strings_to_perms(struct xs_permissions *perms, unsigned int num,
		    const char *strings)
{
	const char *p = strings;
	char *end;
	unsigned int i;
	int saved = errno;

	for (i = 0; i < num; i++) {
		switch (*p) {
		case 'n':
			perms[i].perms = XS_PERM_NONE;
			break;
		case 'r':
			perms[i].perms = XS_PERM_READ;
			break;
		case 'w':
			perms[i].perms = XS_PERM_WRITE;
			break;
		case 'b':
			perms[i].perms = XS_PERM_READ | XS_PERM_WRITE;
			break;
		default:
			errno = EINVAL;
			return false;
		}
		p++;
		perms[i].id = (unsigned int)strtol(p, &end, 0);
		if (*end != '\0' || *p == '\0') {
			errno = EINVAL;
			return false;
		}
		p = end + 1;
	}
	errno = saved;
	return true;
}

bool
xs_path_is_subpath(const char *parent, const char *child)
{
	size_t plen = strlen(parent), clen = strlen(child);

	if (clen < plen || memcmp(child, parent, plen) != 0)
		return false;
	return clen == plen || child[plen] == '/';
}

bool
xs_transaction_retry(struct xs_handle *h, xs_transaction_fn *fn, void *arg,
		     unsigned int max_attempts)
{
	unsigned int attempt;
	xs_transaction_t t;
	int err;

	for (attempt = 0; max_attempts == 0 || attempt < max_attempts;
	     attempt++) {
		t = xs_transaction_start(h);
		if (t == XBT_NULL)
			return false;
		if (!fn(h, t, arg)) {
			err = errno;
			xs_transaction_end(h, t, true);
			errno = err;
			return false;
		}
		if (xs_transaction_end(h, t, false))
			return true;
		if (errno != EAGAIN)
			return false;
	}
	errno = EAGAIN;
	return false;
}
