/* SPDX-License-Identifier: MIT */
/*
 * The request calls of libxenstore: each builds its payload, hands it to
 * xs_talk() and shapes the reply into what xenstore.h promises (one
 * malloc()ed block per result).  No I/O and no locking here: xs_handle.c
 * owns both, and sets errno to 0 when a request succeeds, so a call that
 * succeeds after a failed step (DIRECTORY refused with E2BIG, no watch
 * depth) shows no trace of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "xs_handle.h"

#define IOV_STR(s)                                                             \
	{                                                                      \
		(s), strlen(s) + 1                                             \
	}

static char *
single(struct xs_handle *h, xs_transaction_t t, uint32_t type, const char *s,
       unsigned int *len)
{
	struct xs_iov iov[1] = {IOV_STR(s)};

	return xs_talk(h, type, t, iov, 1, len);
}

static bool
ok(char *reply)
{
	free(reply);
	return reply != NULL;
}

/* A reply that is one decimal number. */
static bool
uint_reply(char *reply, unsigned int *value)
{
	unsigned long v;
	int r;

	if (reply == NULL)
		return false;
	r = frame_parse_uint(reply, UINT32_MAX, &v);
	free(reply);
	if (r != 0) {
		errno = EINVAL;
		return false;
	}
	*value = (unsigned int)v;
	return true;
}

/*
 * Turn len bytes of NUL-terminated strings into one block: num pointers
 * followed by the strings.  Takes strings (freed).  Never NULL on success,
 * even when there are no strings.
 */
static char **
string_array(char *strings, unsigned int len, unsigned int *num)
{
	unsigned n = frame_count_strings(strings, len), i;
	char **ret, *s;
	int err;

	ret = malloc(n * sizeof(char *) + len + 1);
	if (ret == NULL) {
		err = errno;
		free(strings);
		errno = err;
		return NULL;
	}
	s = (char *)(ret + n);
	memcpy(s, strings, len);
	free(strings);
	for (i = 0; i < n; i++) {
		ret[i] = s;
		s += strlen(s) + 1;
	}
	*num = n;
	return ret;
}

/*
 * DIRECTORY_PART: the child list in chunks, "<gen>\0<name>\0...", the
 * last chunk ending in an extra NUL.  If the generation changes between
 * chunks the directory changed under us: start again.
 */
static char **
directory_part(struct xs_handle *h, xs_transaction_t t, const char *path,
	       unsigned int *num)
{
	char gen[32] = "", offstr[16], *reply, *all = NULL, *grown;
	unsigned int off = 0, len, glen;
	struct xs_iov iov[2] = {IOV_STR(path), {offstr, 0}};

	for (;;) {
		snprintf(offstr, sizeof(offstr), "%u", off);
		iov[1].len = strlen(offstr) + 1;
		reply = xs_talk(h, XS_DIRECTORY_PART, t, iov, 2, &len);
		if (reply == NULL) {
			if (errno == ENOSYS)
				errno = E2BIG;
			free(all);
			return NULL;
		}
		glen = (unsigned int)strlen(reply);
		if (glen >= len || glen >= sizeof(gen)) {
			free(reply);
			free(all);
			errno = EINVAL;
			return NULL;
		}
		if (off > 0 && strcmp(gen, reply) != 0) {
			free(reply);
			free(all);
			all = NULL;
			off = 0;
			continue;
		}
		memcpy(gen, reply, glen + 1);
		len -= glen + 1;
		grown = realloc(all, off + len + 1);
		if (grown == NULL) {
			free(reply);
			free(all);
			errno = ENOMEM;
			return NULL;
		}
		all = grown;
		memcpy(all + off, reply + glen + 1, len);
		free(reply);
		off += len;
		if (len == 0 || off <= 1 || all[off - 2] == '\0')
			break;
	}
	/* Drop the terminating extra NUL. */
	if (off > 0)
		off--;
	return string_array(all, off, num);
}

char **
xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path,
	     unsigned int *num)
{
	unsigned int len;
	char *strings = single(h, t, XS_DIRECTORY, path, &len);

	if (strings == NULL) {
		if (errno != E2BIG)
			return NULL;
		return directory_part(h, t, path, num);
	}
	return string_array(strings, len, num);
}

void *
xs_read(struct xs_handle *h, xs_transaction_t t, const char *path,
	unsigned int *len)
{
	return single(h, t, XS_READ, path, len);
}

bool
xs_write(struct xs_handle *h, xs_transaction_t t, const char *path,
	 const void *data, unsigned int len)
{
	struct xs_iov iov[2] = {IOV_STR(path), {data, len}};

	return ok(xs_talk(h, XS_WRITE, t, iov, 2, NULL));
}

bool
xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	return ok(single(h, t, XS_MKDIR, path, NULL));
}

bool
xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	return ok(single(h, t, XS_RM, path, NULL));
}

bool
xs_restrict(struct xs_handle *h, unsigned domid)
{
	(void)h;
	(void)domid;
	return false;
}

struct xs_permissions *
xs_get_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
		   unsigned int *num)
{
	struct xs_permissions *ret;
	unsigned int len, n;
	char *strings = single(h, t, XS_GET_PERMS, path, &len);
	int err;

	if (strings == NULL)
		return NULL;
	n = frame_count_strings(strings, len);
	ret = malloc((n ? n : 1) * sizeof(*ret));
	if (ret != NULL && !xs_strings_to_perms(ret, n, strings)) {
		err = errno;
		free(ret);
		ret = NULL;
		errno = err;
	}
	free(strings);
	if (ret != NULL)
		*num = n;
	return ret;
}

/* The text form of one entry, as Xen's library writes it: "r5". */
static int
perm_to_string(const struct xs_permissions *p, char *buf, size_t size)
{
	static const char letters[] = "nrwb";
	unsigned int access = p->perms & ~(unsigned int)XS_PERM_IGNORE;

	if (access > (XS_PERM_READ | XS_PERM_WRITE)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(buf, size, "%c%i", letters[access], (int)p->id);
	return 0;
}

bool
xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
		   struct xs_permissions *perms, unsigned int num_perms)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	struct xs_iov iov[2] = {IOV_STR(path), {buf, 0}};
	size_t used = 0;
	unsigned int i;
	char one[MAX_STRLEN(int) + 2];

	for (i = 0; i < num_perms; i++) {
		if (perm_to_string(&perms[i], one, sizeof(one)) != 0)
			return false;
		if (used + strlen(one) + 1 > XENSTORE_PAYLOAD_MAX) {
			errno = E2BIG;
			return false;
		}
		memcpy(buf + used, one, strlen(one) + 1);
		used += strlen(one) + 1;
	}
	iov[1].len = used;
	return ok(xs_talk(h, XS_SET_PERMS, t, iov, 2, NULL));
}

bool
xs_watch(struct xs_handle *h, const char *path, const char *token)
{
	struct xs_iov iov[2] = {IOV_STR(path), IOV_STR(token)};

	if (xs_handle_start_reader(h) != 0)
		return false;
	return ok(xs_talk(h, XS_WATCH, XBT_NULL, iov, 2, NULL));
}

bool
xs_watch_depth(struct xs_handle *h, const char *path, const char *token,
	       unsigned int depth)
{
	char d[MAX_STRLEN(depth)];
	struct xs_iov iov[3] = {IOV_STR(path), IOV_STR(token), {d, 0}};
	unsigned int features;

	if (!xs_get_features_supported(h, &features))
		return false;
	if (!(features & XENSTORE_SERVER_FEATURE_WATCHDEPTH)) {
		errno = ENOSYS;
		return false;
	}
	if (xs_handle_start_reader(h) != 0)
		return false;
	snprintf(d, sizeof(d), "%u", depth);
	iov[2].len = strlen(d) + 1;
	return ok(xs_talk(h, XS_WATCH, XBT_NULL, iov, 3, NULL));
}

bool
xs_watch_try_depth(struct xs_handle *h, const char *path, const char *token,
		   unsigned int depth)
{
	unsigned int features;

	if (xs_get_features_supported(h, &features) &&
	    (features & XENSTORE_SERVER_FEATURE_WATCHDEPTH))
		return xs_watch_depth(h, path, token, depth);
	return xs_watch(h, path, token);
}

xs_transaction_t
xs_transaction_start(struct xs_handle *h)
{
	char *id = single(h, XBT_NULL, XS_TRANSACTION_START, "", NULL);
	xs_transaction_t t;

	if (id == NULL)
		return XBT_NULL;
	t = (xs_transaction_t)strtoul(id, NULL, 0);
	free(id);
	return t;
}

bool
xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
	return ok(single(h, t, XS_TRANSACTION_END, abort ? "F" : "T", NULL));
}

bool
xs_introduce_domain(struct xs_handle *h, unsigned int domid, unsigned long mfn,
		    unsigned int eventchn)
{
	char d[MAX_STRLEN(domid)], m[MAX_STRLEN(mfn)], e[MAX_STRLEN(eventchn)];
	struct xs_iov iov[3];

	snprintf(d, sizeof(d), "%u", domid);
	snprintf(m, sizeof(m), "%lu", mfn);
	snprintf(e, sizeof(e), "%u", eventchn);
	iov[0] = (struct xs_iov)IOV_STR(d);
	iov[1] = (struct xs_iov)IOV_STR(m);
	iov[2] = (struct xs_iov)IOV_STR(e);
	return ok(xs_talk(h, XS_INTRODUCE, XBT_NULL, iov, 3, NULL));
}

bool
xs_set_target(struct xs_handle *h, unsigned int domid, unsigned int target)
{
	char d[MAX_STRLEN(domid)], t[MAX_STRLEN(target)];
	struct xs_iov iov[2];

	snprintf(d, sizeof(d), "%u", domid);
	snprintf(t, sizeof(t), "%u", target);
	iov[0] = (struct xs_iov)IOV_STR(d);
	iov[1] = (struct xs_iov)IOV_STR(t);
	return ok(xs_talk(h, XS_SET_TARGET, XBT_NULL, iov, 2, NULL));
}

static char *
with_domid(struct xs_handle *h, uint32_t type, unsigned int domid)
{
	char d[MAX_STRLEN(domid)];

	snprintf(d, sizeof(d), "%u", domid);
	return single(h, XBT_NULL, type, d, NULL);
}

bool
xs_release_domain(struct xs_handle *h, unsigned int domid)
{
	return ok(with_domid(h, XS_RELEASE, domid));
}

bool
xs_resume_domain(struct xs_handle *h, unsigned int domid)
{
	return ok(with_domid(h, XS_RESUME, domid));
}

char *
xs_get_domain_path(struct xs_handle *h, unsigned int domid)
{
	return with_domid(h, XS_GET_DOMAIN_PATH, domid);
}

bool
xs_is_domain_introduced(struct xs_handle *h, unsigned int domid)
{
	char *r = with_domid(h, XS_IS_DOMAIN_INTRODUCED, domid);
	bool yes;

	if (r == NULL)
		return false;
	yes = strcmp(r, "F") != 0;
	free(r);
	return yes;
}

bool
xs_get_features_supported(struct xs_handle *h, unsigned int *features)
{
	unsigned int f;

	if (xs_handle_features(h, features))
		return true;
	if (!uint_reply(xs_talk(h, XS_GET_FEATURE, XBT_NULL, NULL, 0, NULL),
			&f))
		return false;
	xs_handle_set_features(h, f);
	*features = f;
	return true;
}

bool
xs_get_features_domain(struct xs_handle *h, unsigned int domid,
		       unsigned int *features)
{
	return uint_reply(with_domid(h, XS_GET_FEATURE, domid), features);
}

bool
xs_set_features_domain(struct xs_handle *h, unsigned int domid,
		       unsigned int features)
{
	char d[MAX_STRLEN(domid)], f[MAX_STRLEN(features)];
	struct xs_iov iov[2];

	snprintf(d, sizeof(d), "%u", domid);
	snprintf(f, sizeof(f), "%u", features);
	iov[0] = (struct xs_iov)IOV_STR(d);
	iov[1] = (struct xs_iov)IOV_STR(f);
	return ok(xs_talk(h, XS_SET_FEATURE, XBT_NULL, iov, 2, NULL));
}

const char **
xs_get_quota_names(struct xs_handle *h, unsigned int *num)
{
	char *reply = xs_talk(h, XS_GET_QUOTA, XBT_NULL, NULL, 0, NULL), *s;
	const char **ret;
	unsigned int n = 1, i;
	size_t len;

	if (reply == NULL)
		return NULL;
	len = strlen(reply);
	for (s = reply; *s != '\0'; s++)
		n += *s == ' ';
	ret = malloc(n * sizeof(char *) + len + 1);
	if (ret == NULL) {
		free(reply);
		errno = ENOMEM;
		return NULL;
	}
	s = memcpy((char *)(ret + n), reply, len + 1);
	free(reply);
	for (i = 0; i < n; i++) {
		ret[i] = s;
		s = strchr(s, ' ');
		if (s != NULL)
			*s++ = '\0';
	}
	*num = n;
	return ret;
}

bool
xs_get_global_quota(struct xs_handle *h, const char *quota, unsigned int *value)
{
	return uint_reply(single(h, XBT_NULL, XS_GET_QUOTA, quota, NULL),
			  value);
}

bool
xs_set_global_quota(struct xs_handle *h, const char *quota, unsigned int value)
{
	char v[MAX_STRLEN(value)];
	struct xs_iov iov[2] = {IOV_STR(quota), {v, 0}};

	snprintf(v, sizeof(v), "%u", value);
	iov[1].len = strlen(v) + 1;
	return ok(xs_talk(h, XS_SET_QUOTA, XBT_NULL, iov, 2, NULL));
}

bool
xs_get_domain_quota(struct xs_handle *h, unsigned int domid, const char *quota,
		    unsigned int *value)
{
	char d[MAX_STRLEN(domid)];
	struct xs_iov iov[2] = {{d, 0}, IOV_STR(quota)};

	snprintf(d, sizeof(d), "%u", domid);
	iov[0].len = strlen(d) + 1;
	return uint_reply(xs_talk(h, XS_GET_QUOTA, XBT_NULL, iov, 2, NULL),
			  value);
}

bool
xs_set_domain_quota(struct xs_handle *h, unsigned int domid, const char *quota,
		    unsigned int value)
{
	char d[MAX_STRLEN(domid)], v[MAX_STRLEN(value)];
	struct xs_iov iov[3] = {{d, 0}, IOV_STR(quota), {v, 0}};

	snprintf(d, sizeof(d), "%u", domid);
	snprintf(v, sizeof(v), "%u", value);
	iov[0].len = strlen(d) + 1;
	iov[2].len = strlen(v) + 1;
	return ok(xs_talk(h, XS_SET_QUOTA, XBT_NULL, iov, 3, NULL));
}

char *
xs_control_command(struct xs_handle *h, const char *cmd, void *data,
		   unsigned int len)
{
	struct xs_iov iov[2] = {IOV_STR(cmd), {data, len}};

	return xs_talk(h, XS_CONTROL, XBT_NULL, iov, 2, NULL);
}

char *
xs_debug_command(struct xs_handle *h, const char *cmd, void *data,
		 unsigned int len)
{
	return xs_control_command(h, cmd, data, len);
}

int
xs_suspend_evtchn_port(int domid)
{
	char path[64];
	struct xs_handle *h = xs_open(0);
	unsigned int len = 0;
	char *port;
	int r = -1;

	if (h == NULL)
		return -1;
	snprintf(path, sizeof(path),
		 "/local/domain/%d/device/suspend/event-channel", domid);
	port = xs_read(h, XBT_NULL, path, &len);
	xs_close(h);
	if (port != NULL && len > 0)
		r = atoi(port);
	free(port);
	return r;
}
