/* SPDX-License-Identifier: MIT */
/*
 * Handlers that read and change nodes: READ, WRITE, MKDIR, RM, DIRECTORY,
 * DIRECTORY_PART, GET_PERMS, SET_PERMS.  They see the tree through view.h,
 * so each works the same inside and outside a transaction.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "domain.h"
#include "frame.h"
#include "guest.h"
#include "ops.h"
#include "path.h"
#include "view.h"

int
ops_path(void *ctx, struct conn *c, const char *in, bool special_ok, char **out)
{
	int err = path_canonical(ctx, c->home, in, special_ok, out);

	if (err || c->who.privileged || c->domain == NULL)
		return err;
	return domain_quota_check(c->domain, QUOTA_PATH_MAX,
				  path_quota_len(*out));
}

const char *
ops_onearg(const struct msg *m)
{
	return frame_one_string(m->body, m->hdr.len) ? m->body : NULL;
}

static unsigned
access_to(const struct conn *c, const struct nodeview *nv)
{
	return perms_access(nv->perms, nv->nperms, &c->who);
}

/*
 * The error to give for a node that is missing or refused: the real one
 * only if the caller has the same access to the nearest existing
 * ancestor, so that errors never reveal unreadable nodes (Xen's
 * errno_from_parents).
 */
static int
hide(void *ctx, struct conn *c, struct txn *t, const char *path, int errnum,
     unsigned perm)
{
	struct nodeview nv;
	/* Special nodes hang off no directory: "/" speaks for them. */
	char *p = talloc_strdup(ctx, path_is_special(path) ? "/@" : path);

	if (p == NULL)
		return ENOMEM;
	do {
		p[path_parent_len(p)] = '\0';
		if (view_lookup(t, p, &nv) != 0)
			return EACCES;
		if (nv.exists)
			return (access_to(c, &nv) & perm) ? errnum : EACCES;
	} while (strcmp(p, "/") != 0);
	return EACCES;
}

/* Look path up and check the caller has perm on it; 0 or an errno. */
static int
get_node(void *ctx, struct conn *c, struct txn *t, const char *path,
	 unsigned perm, struct nodeview *nv)
{
	int err = view_lookup(t, path, nv);

	if (err)
		return err;
	if (nv->exists && (access_to(c, nv) & perm) == perm)
		return 0;
	return hide(ctx, c, t, path, nv->exists ? EACCES : ENOENT, perm);
}

int
do_read(void *ctx, struct conn *c, struct msg *m)
{
	const char *arg = ops_onearg(m);
	struct nodeview nv;
	const void *value;
	uint32_t vlen;
	char *path;
	int err;

	if (arg == NULL)
		return EINVAL;
	if ((err = ops_path(ctx, c, arg, false, &path)) ||
	    (err = get_node(ctx, c, m->txn, path, PERM_READ, &nv)) ||
	    (err = view_read_value(m->txn, path, &value, &vlen)))
		return err;
	conn_reply(c, m, XS_READ, value, vlen);
	return 0;
}

/*
 * The node-size and memory quotas of an unprivileged caller writing a
 * record of nperms permissions, vlen bytes of value and child_bytes of
 * children's names.  Memory counts the new record in full, also when it
 * replaces an old one: a guest at its limit frees before it writes.
 */
static int
check_size(struct conn *c, unsigned nperms, size_t vlen, size_t child_bytes)
{
	int err;

	if (c->who.privileged || c->domain == NULL)
		return 0;
	err = domain_quota_check(c->domain, QUOTA_NODE_SIZE,
				 16 + nperms * 8 + vlen + child_bytes);
	if (err)
		return err;
	return domain_quota_check(c->domain, QUOTA_MEMORY,
				  domain_memory_used(c->domain) + 16 +
					  nperms * 8 + vlen);
}

/* How many nodes creating path below its existing ancestor p makes. */
static unsigned long
new_nodes(const char *path, const char *p)
{
	unsigned long k = 0;

	for (path += strcmp(p, "/") == 0 ? 0 : strlen(p); *path; path++)
		k += *path == '/';
	return k;
}

/*
 * The quotas of creating k nodes as c: all of them are checked before the
 * first is made, so that a refusal leaves the tree as it was (XSA-414).
 */
static int
check_create(struct conn *c, unsigned nperms, uint32_t vlen, unsigned long k)
{
	int err;

	if (c->who.privileged || c->domain == NULL)
		return 0;
	if ((err = check_size(c, nperms, vlen, 0)))
		return err;
	if ((err = domain_quota_check(c->domain, QUOTA_MEMORY,
				      domain_memory_used(c->domain) +
					      k * (16 + nperms * 8UL) + vlen)))
		return err;
	return domain_quota_check(c->domain, QUOTA_NODES, c->domain->nodes + k);
}

/*
 * Create path and any missing parents.  The caller needs write access to
 * the nearest existing ancestor; each new node copies its parent's
 * permissions, and an unprivileged creator becomes its owner.  Either
 * every node is made or none: a failure half-way (a transaction's node
 * quota, ENOMEM) removes the parents made so far.
 */
static int
create_path(void *ctx, struct conn *c, struct txn *t, const char *path,
	    const void *value, uint32_t vlen)
{
	struct nodeview nv;
	struct perm *perms;
	char *p = talloc_strdup(ctx, path), *first;
	size_t pos, next;
	bool last, made = false;
	int err;

	if (p == NULL)
		return ENOMEM;
	do {
		p[path_parent_len(p)] = '\0';
		if ((err = view_lookup(t, p, &nv)))
			return err;
	} while (!nv.exists);
	if (!(access_to(c, &nv) & PERM_WRITE))
		return EACCES;
	perms = talloc_memdup(ctx, nv.perms, nv.nperms * sizeof(*perms));
	if (perms == NULL)
		return ENOMEM;
	if (!c->who.privileged)
		perms[0].id = c->who.domid;
	if ((err = check_create(c, nv.nperms, vlen, new_nodes(path, p))))
		return err;
	pos = strcmp(p, "/") == 0 ? 0 : strlen(p);
	first = talloc_strndup(ctx, path,
			       pos + 1 + strcspn(path + pos + 1, "/"));
	if (first == NULL)
		return ENOMEM;
	do {
		next = pos + 1 + strcspn(path + pos + 1, "/");
		last = path[next] == '\0';
		memcpy(p, path, next);
		p[next] = '\0';
		err = view_create(t, p, perms, nv.nperms, last ? value : NULL,
				  last ? vlen : 0, !last);
		made |= !err;
		pos = next;
	} while (!err && !last);
	if (err && made)
		view_uncreate(t, first);
	return err;
}

static int
write_node(void *ctx, struct conn *c, struct txn *t, const char *path,
	   const void *value, uint32_t vlen, bool mkdir)
{
	struct nodeview nv;
	int err = get_node(ctx, c, t, path, PERM_WRITE, &nv);

	if (err == ENOENT)
		return create_path(ctx, c, t, path, value, vlen);
	if (err || mkdir)
		return err;
	if ((err = check_size(c, nv.nperms, vlen, nv.child_bytes)))
		return err;
	return view_set_value(t, path, value, vlen);
}

int
do_write(void *ctx, struct conn *c, struct msg *m)
{
	size_t plen = strlen(m->body);
	char *path;
	int err;

	if ((err = ops_path(ctx, c, m->body, false, &path)) ||
	    (err = write_node(ctx, c, m->txn, path, m->body + plen + 1,
			      m->hdr.len - (uint32_t)plen - 1, false)))
		return err;
	conn_reply_str(c, m, "OK");
	return 0;
}

int
do_mkdir(void *ctx, struct conn *c, struct msg *m)
{
	const char *arg = ops_onearg(m);
	char *path;
	int err;

	if (arg == NULL)
		return EINVAL;
	if ((err = ops_path(ctx, c, arg, false, &path)) ||
	    (err = write_node(ctx, c, m->txn, path, "", 0, true)))
		return err;
	conn_reply_str(c, m, "OK");
	return 0;
}

int
do_rm(void *ctx, struct conn *c, struct msg *m)
{
	const char *arg = ops_onearg(m);
	struct nodeview nv;
	char *path, *parent;
	int err;

	if (arg == NULL)
		return EINVAL;
	if ((err = ops_path(ctx, c, arg, false, &path)))
		return err;
	err = get_node(ctx, c, m->txn, path, PERM_WRITE, &nv);
	if (err == ENOENT) {
		/* Already gone: fine, if its parent is there. */
		parent = path_parent(ctx, path);
		if (parent == NULL)
			return ENOMEM;
		if ((err = view_lookup(m->txn, parent, &nv)))
			return err;
		if (!nv.exists)
			return ENOENT;
		conn_reply_str(c, m, "OK");
		return 0;
	}
	if (err)
		return err;
	if (strcmp(path, "/") == 0)
		return EINVAL;
	if ((err = view_rm(m->txn, path)))
		return err;
	conn_reply_str(c, m, "OK");
	return 0;
}

int
do_directory(void *ctx, struct conn *c, struct msg *m)
{
	const char *arg = ops_onearg(m);
	struct children ch = {.offset = 0, .max = XENSTORE_PAYLOAD_MAX};
	struct nodeview nv;
	char *path;
	int err;

	if (arg == NULL)
		return EINVAL;
	if ((err = ops_path(ctx, c, arg, false, &path)) ||
	    (err = get_node(ctx, c, m->txn, path, PERM_READ, &nv)) ||
	    (err = view_children(ctx, m->txn, path, &ch)))
		return err;
	if (ch.len < ch.total)
		return E2BIG; /* as a reply over the payload limit is */
	conn_reply(c, m, XS_DIRECTORY, ch.names, ch.len);
	return 0;
}

/*
 * Reply: the list's generation, then the whole "name\0" entries from byte
 * offset that fit; an extra NUL marks the end of the list.
 */
int
do_directory_part(void *ctx, struct conn *c, struct msg *m)
{
	const char *vec[2];
	struct children ch = {0};
	struct nodeview nv;
	unsigned long offset;
	char *path, gen[24], *reply;
	size_t glen;
	bool end;
	int err;

	if (frame_get_strings(m->body, m->hdr.len, vec, 2) != 2)
		return EINVAL;
	/*
	 * The node first, then the offset: a missing node is ENOENT whatever
	 * the offset says, as in Xen (docs/differences.md, row 19).
	 */
	if ((err = ops_path(ctx, c, vec[0], false, &path)) ||
	    (err = get_node(ctx, c, m->txn, path, PERM_READ, &nv)))
		return err;
	if (frame_parse_uint(vec[1], 0xffffffffUL, &offset))
		return EINVAL;
	ch.offset = offset;
	ch.max = XENSTORE_PAYLOAD_MAX;
	if ((err = view_children(ctx, m->txn, path, &ch)))
		return err;
	/* The generation and the end's NUL take their room first. */
	glen = (size_t)snprintf(gen, sizeof(gen), "%" PRIu64, ch.gen) + 1;
	ch.len = view_entries_fitting(ch.names, ch.len,
				      XENSTORE_PAYLOAD_MAX - glen - 1);
	end = ch.offset + ch.len >= ch.total;
	if ((reply = talloc_size(ctx, glen + ch.len + 1)) == NULL)
		return ENOMEM;
	memcpy(reply, gen, glen);
	memcpy(reply + glen, ch.names, ch.len);
	reply[glen + ch.len] = '\0';
	conn_reply(c, m, XS_DIRECTORY_PART, reply,
		   glen + ch.len + (end ? 1 : 0));
	return 0;
}

int
do_get_perms(void *ctx, struct conn *c, struct msg *m)
{
	const char *arg = ops_onearg(m);
	struct nodeview nv;
	char *path, *out;
	size_t len = 0;
	unsigned i;
	int err;

	if (arg == NULL)
		return EINVAL;
	if ((err = ops_path(ctx, c, arg, true, &path)) ||
	    (err = get_node(ctx, c, m->txn, path, PERM_READ, &nv)))
		return err;
	out = talloc_size(ctx, nv.nperms * PERM_STRLEN_MAX);
	if (out == NULL)
		return ENOMEM;
	for (i = 0; i < nv.nperms; i++)
		len += (size_t)perms_format_one(&nv.perms[i], out + len) + 1;
	conn_reply(c, m, XS_GET_PERMS, out, len);
	return 0;
}

/*
 * An entry naming a domain that does not exist is kept but not honoured
 * (XSA-322): a domain created later with that id must not inherit it.
 * DOMID_ANY names every domain and is never stale.
 */
static void
mark_stale(struct perm *perms, unsigned n)
{
	unsigned i;

	for (i = 1; i < n; i++)
		if (perms[i].id != DOMID_ANY &&
		    (perms[i].id >= DOMID_FIRST_RESERVED ||
		     !guest_domain_exists(perms[i].id)))
			perms[i].access |= PERM_IGNORE;
}

/*
 * True if the only fault of a list perms_parse refused is an owner
 * outside 0..65535 written as a plain number ("n-1", "r70000"): that
 * names a domain that cannot exist, which Xen answers with ENOENT.  An
 * ACL entry out of range stays EINVAL (docs/differences.md, row 10).
 */
static bool
no_such_owner(const char *strings, size_t len, struct perm *scratch)
{
	const char *owner = strings, *rest;
	char *end;
	long id;

	if (len == 0 || memchr(strings, '\0', len) == NULL ||
	    strchr("nrwb", owner[0]) == NULL || owner[0] == '\0' ||
	    (owner[1] != '-' && (owner[1] < '0' || owner[1] > '9')))
		return false;
	/*
	 * Xen keeps the id in 32 bits: a number that wraps onto a domain
	 * that exists (4294967297 is domain 1) is that domain there, so
	 * only ids that wrap to no domain count.
	 */
	errno = 0;
	id = strtol(owner + 1, &end, 10);
	if (*end != '\0' || errno != 0 || (id >= 0 && id <= 65535) ||
	    id < -2147483647L || id >= 4294967296L - 65536)
		return false;
	rest = owner + strlen(owner) + 1;
	return rest == strings + len ||
	       perms_parse(rest, len - (size_t)(rest - strings), scratch,
			   XENSTORE_PAYLOAD_MAX / 2) > 0;
}

int
do_set_perms(void *ctx, struct conn *c, struct msg *m)
{
	size_t plen = strlen(m->body);
	struct perm perms[XENSTORE_PAYLOAD_MAX / 2];
	struct nodeview nv;
	struct txn *t = m->txn;
	char *path;
	int n, err;

	if (plen + 1 >= m->hdr.len)
		return EINVAL;
	n = perms_parse(m->body + plen + 1, m->hdr.len - plen - 1, perms,
			sizeof(perms) / sizeof(perms[0]));
	if (n < 0)
		return no_such_owner(m->body + plen + 1, m->hdr.len - plen - 1,
				     perms)
			       ? ENOENT
			       : EINVAL;
	if (!c->who.privileged && c->domain &&
	    (err = domain_quota_check(c->domain, QUOTA_PERMS, (unsigned)n)))
		return err;
	/*
	 * The owner must be a domain that can exist: Xen answers ENOENT for
	 * an owner the hypervisor does not know, and no domain ever has a
	 * reserved id (DOMID_SELF, DOMID_ANY, ...).  ACL entries may name
	 * any id; Xen keeps them and ignores those of unknown domains.  Xen
	 * asks before it looks at the path, so ENOENT comes before EINVAL
	 * for a bad path and EACCES for a refused node.
	 */
	if (perms[0].id >= DOMID_FIRST_RESERVED ||
	    !guest_domain_exists(perms[0].id))
		return ENOENT;
	if ((err = ops_path(ctx, c, m->body, true, &path)))
		return err;
	if (path_is_special(path))
		t = NULL; /* special nodes live outside transactions */
	if ((err = get_node(ctx, c, t, path, PERM_WRITE | PERM_OWNER, &nv)))
		return err;
	if (!c->who.privileged && perms[0].id != nv.perms[0].id)
		return EPERM;
	/* Its count is kept from now on: its record must be there first. */
	if (domain_get(perms[0].id) == NULL)
		return ENOMEM;
	mark_stale(perms, (unsigned)n);
	if ((err = view_set_perms(t, path, perms, (unsigned)n)))
		return err;
	conn_reply_str(c, m, "OK");
	return 0;
}
