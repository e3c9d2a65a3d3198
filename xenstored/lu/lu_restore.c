/* SPDX-License-Identifier: MIT */
/*
 * Taking over after a live update's exec (lu.h): a check of the whole
 * stream, then the event channels, then one pass over the stream, each
 * record applied as it comes.  A failure in any of these goes back to
 * the old binary (fall_back): nothing has been served yet.
 *
 * The order Xen's daemons write (GLOBAL first, each connection before
 * its watches, parents before children) is the order this needs; a
 * record naming an unknown connection, or a node without its parent, is
 * logged and skipped, not fatal: the stream may come from another
 * implementation.
 *
 * Nothing fires: watches come back without their first event, and the
 * nodes are made while the store is muted, so watchers see no change
 * that did not happen.  Descriptors the stream names are used only if
 * they are what the record says (a socket).
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <talloc.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "db.h"
#include "domain.h"
#include "guest.h"
#include "hold.h"
#include "hyp.h"
#include "log.h"
#include "lu_int.h"
#include "lu_stream.h"
#include "ring_conn.h"
#include "quota.h"
#include "path.h"
#include "store.h"
#include "stream.h"
#include "watch.h"

#define ANC_MAX 128

struct restore {
	void *ctx;
	uint32_t *ids;	     /* the stream's connection ids ... */
	struct conn **conns; /* ... and ours (NULL: not restored) */
	size_t n, cap;
	struct perm perms[LU_PERMS_MAX];
	bool have_rw, have_ro;
	int evtchn_fd; /* GLOBAL's event channel handle, or -1 */
	/* The store: its files (OWN_DB), births (OWN_BIRTHS), how many. */
	const char *stream_db;
	struct db_position pos; /* where its journal ends, if have_pos */
	bool have_pos;
	const uint64_t *births; /* [0]: how many follow */
	size_t nodes, node_i;
	int kept;	 /* open_store's answer, -2 before it is asked */
	int image_fd;	 /* OWN_STORE: the store came whole, or -1 */
	const char *why; /* why the check refused the stream */
	/* OWN_POOL_AGENT: the stream's reader, once the store is open. */
	struct conn *agent;
	const char *agent_prefixes[HOLD_MAX_PREFIXES];
	unsigned agent_n;
	/*
	 * The nodes come in pre-order: the last one's ancestors (each a
	 * prefix of last, anc_len[i] bytes long) hold the next one's parent.
	 */
	char last[XENSTORE_PAYLOAD_MAX + 1];
	struct node *anc[ANC_MAX];
	size_t anc_len[ANC_MAX];
	unsigned nanc;
};

static bool
is_socket(int fd)
{
	struct stat st;

	return fd > 2 && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

static struct conn *
find_conn(const struct restore *r, uint32_t id)
{
	size_t i;

	for (i = r->n; i-- > 0;)
		if (r->ids[i] == id)
			return r->conns[i];
	return NULL;
}

static int
remember(struct restore *r, uint32_t id, struct conn *c)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->ids = talloc_realloc(r->ctx, r->ids, uint32_t, r->cap);
		r->conns =
			talloc_realloc(r->ctx, r->conns, struct conn *, r->cap);
		if (r->ids == NULL || r->conns == NULL)
			return ENOMEM;
	}
	r->ids[r->n] = id;
	r->conns[r->n++] = c;
	return 0;
}

/* The event channels were taken before (take_channels). */
static int
on_global(void *arg, int socket_fd, int evtchn_fd)
{
	struct restore *r = arg;

	(void)evtchn_fd;
	if (is_socket(socket_fd) &&
	    lu_config.hooks->adopt_listener(socket_fd, false) == 0)
		r->have_rw = true;
	return 0;
}

/*
 * A guest's ring as the old binary left it, its event channel still
 * bound (our end in the stream); guest.h's guest_reattach, as after a
 * crash.  The guest's own end comes with OWN_CONN, from our binary.
 */
static struct conn *
reattach(const struct lu_conn *lc)
{
	struct guest_attach a = {
		.domid = lc->domid,
		.target = lc->target == XS_MIG_DOMID_INVALID ? DOMID_INVALID
							     : lc->target,
		.features = GUEST_FEATURES_KEPT,
		.local_port = (int)lc->port,
	};

	return guest_reattach(&a);
}

static int
on_conn(void *arg, const struct lu_conn *lc)
{
	struct restore *r = arg;
	struct conn *c = NULL;

	errno = 0;
	if (!lc->ring && is_socket(lc->fd))
		c = lu_config.hooks->adopt_conn(lc->fd, false);
	else if (lc->ring && hyp_available())
		c = reattach(lc);
	if (c == NULL) {
		/* One that died during the exec is torn down once we serve. */
		if (!lc->ring || errno != ESRCH)
			log_warnx("live-update: connection %u (%s %u) is lost",
				  lc->id, lc->ring ? "domain" : "fd",
				  lc->ring ? lc->domid : (unsigned)lc->fd);
	} else if (conn_restore(c, lc->in, lc->in_len, lc->out, lc->out_len,
				lc->resp_len) != 0)
		c = NULL;
	else if (c->transport == &ring_conn_transport)
		ring_conn_took_input(c, lc->in_len);
	return remember(r, lc->id, c);
}

static int
on_watch(void *arg, const struct lu_watch *w)
{
	struct restore *r = arg;
	struct conn *c = find_conn(r, w->conn_id);
	const char *path = w->path;
	size_t strip = 0;
	int err;

	if (c == NULL)
		return 0;
	/* A relative watch was written as the client gave it. */
	if (path[0] != '/' && path[0] != '@') {
		path = talloc_asprintf(r->ctx, "%s/%s", c->home, w->path);
		if (path == NULL)
			return ENOMEM;
		strip = strlen(c->home) + 1;
	}
	err = watch_add(c, path, strip, w->token, w->depth);
	if (err && err != EEXIST)
		log_warnx("live-update: watch %s of domain %u lost: %s",
			  w->path, c->who.domid, strerror(err));
	return 0;
}

/* The store's files, once, before the first node. */
static int
open_store(struct restore *r)
{
	if (r->kept != -2)
		return r->kept < 0 ? EIO : 0;
	if (r->nodes)
		store_reserve(r->nodes);
	r->kept = lu_config.hooks->open_store(
		r->stream_db, r->have_pos ? &r->pos : NULL, r->image_fd >= 0);
	if (r->kept < 0)
		log_warnx("live-update: cannot open the store's files");
	return r->kept < 0 ? EIO : 0;
}

/* path's parent among the last node's ancestors, or NULL: look it up. */
static struct node *
known_parent(struct restore *r, const char *path)
{
	size_t plen;

	if (path[0] != '/' || path[1] == '\0')
		return NULL;
	plen = path_parent_len(path);
	while (r->nanc && r->anc_len[r->nanc - 1] > plen)
		r->nanc--;
	if (r->nanc && r->anc_len[r->nanc - 1] == plen &&
	    memcmp(r->last, path, plen) == 0)
		return r->anc[r->nanc - 1];
	/* Not among them: the chain starts again with this node. */
	r->nanc = 0;
	return NULL;
}

static void
remember_node(struct restore *r, struct node *n, const char *path)
{
	size_t len = strlen(path);

	if (path[0] != '/' || len >= sizeof(r->last))
		return;
	if (r->nanc == ANC_MAX)
		r->nanc = 0; /* deeper: the lookups find them */
	memcpy(r->last, path, len + 1);
	r->anc[r->nanc] = n;
	r->anc_len[r->nanc++] = len;
}

/* A node as the files hold it, or a new one (quiet: nobody is told). */
static struct node *
make_node(struct restore *r, const struct lu_node *ln)
{
	uint64_t birth = r->node_i + 1;
	struct node *n;

	if (r->births && r->node_i < r->births[0])
		birth = r->births[r->node_i + 1];
	if (r->kept != 1)
		return store_create(ln->path, r->perms, ln->nperms, ln->value,
				    (uint32_t)ln->vlen, true);
	n = store_load_under(known_parent(r, ln->path), ln->path, r->perms,
			     ln->nperms, ln->value, (uint32_t)ln->vlen, birth);
	if (n)
		remember_node(r, n, ln->path);
	return n;
}

static int
on_node(void *arg, const struct lu_node *ln)
{
	static const unsigned access[] = {['n'] = PERM_NONE,
					  ['r'] = PERM_READ,
					  ['w'] = PERM_WRITE,
					  ['b'] = PERM_READ | PERM_WRITE};
	struct restore *r = arg;
	struct node *n;
	unsigned i;

	if (ln->in_txn || ln->nperms == 0)
		return 0;
	if (open_store(r) != 0)
		return EIO;
	for (i = 0; i < ln->nperms; i++) {
		r->perms[i].id = ln->perms[i].domid;
		r->perms[i].access = access[(unsigned char)ln->perms[i].type] |
				     (ln->perms[i].ignore ? PERM_IGNORE : 0);
	}
	/* Only a new store's base tree may be there already. */
	if (r->kept != 1 && (n = store_lookup(ln->path)) != NULL) {
		r->node_i++;
		if (store_update(n, ln->value, (uint32_t)ln->vlen, r->perms,
				 ln->nperms) == 0)
			return 0;
	} else if (make_node(r, ln) != NULL) {
		r->node_i++;
		return 0;
	}
	log_warn("live-update: node %s lost", ln->path);
	return errno == ENOMEM ? ENOMEM : 0;
}

/* Quotas by name into set; names we do not know are skipped. */
static void
set_quotas(struct quota_set *set, const struct lu_quota *q, unsigned n)
{
	unsigned i;
	bool soft;
	int id;

	for (i = 0; i < n; i++) {
		id = quota_lookup(q->names[i], &soft);
		if (id < 0)
			continue;
		if (soft)
			set->soft[id] = q->values[i];
		else
			set->hard[id] = q->values[i];
	}
}

static int
on_quota(void *arg, const struct lu_quota *q)
{
	(void)arg;
	/* The per-domain defaults; the global ones are not ours. */
	set_quotas(&quota_global, q, q->n - q->n_glob);
	return 0;
}

static int
on_domain(void *arg, const struct lu_quota *q)
{
	struct domain *d = domain_get(q->domid);

	(void)arg;
	if (d == NULL)
		return ENOMEM;
	set_quotas(&d->quota, q, q->n);
	/* Version 1 has no room for them: 0 there says nothing. */
	if (q->has_features)
		d->features = q->features & DOMAIN_FEATURES_SUPPORTED;
	/* The next update carries them on, introduced or not. */
	d->settings_set = true;
	return 0;
}

/* OWN_FEATURES, after the domain's DOMAIN record: they are its own. */
static int
own_features(const uint8_t *body, size_t len)
{
	struct xs_mig_own_features f;
	struct domain *d;

	if (len < sizeof(f))
		return 0;
	memcpy(&f, body, sizeof(f));
	if (f.domid > 0xffff)
		return 0;
	if ((d = domain_get(f.domid)) == NULL)
		return ENOMEM;
	d->features = f.features & DOMAIN_FEATURES_SUPPORTED;
	return 0;
}

/*
 * The caller of the update gets its reply from us: OK, or, when we are
 * the old binary taken back, why the new one refused.
 */
static void
owed_reply(struct restore *r, const uint8_t *body, size_t len)
{
	struct xs_mig_own_reply o;
	const char *refused = getenv(LU_ENV_REFUSED), *text = "OK";
	struct msg m;
	struct conn *c;

	if (len < sizeof(o))
		return;
	memcpy(&o, body, sizeof(o));
	if ((c = find_conn(r, o.conn_id)) == NULL)
		return;
	memset(&m, 0, sizeof(m));
	m.hdr.type = o.type;
	m.hdr.req_id = o.req_id;
	m.hdr.tx_id = o.tx_id;
	if (refused &&
	    (text = talloc_asprintf(r->ctx, LU_REFUSED_FMT, refused)) == NULL)
		text = "Error activating new binary.";
	conn_reply_str(c, &m, text);
}

/* The files' path, then (from newer binaries) where the journal ends. */
static void
own_db(struct restore *r, const uint8_t *body, size_t len)
{
	size_t plen = strlen((const char *)body) + 1;
	struct xs_mig_own_db_pos p;

	r->stream_db = (const char *)body;
	if (len - plen < sizeof(p))
		return;
	memcpy(&p, body + plen, sizeof(p));
	r->pos.journal_size = p.journal_size;
	r->pos.next_seq = p.next_seq;
	r->pos.entries = p.entries;
	r->have_pos = true;
}

/* The connection id, then the hold prefixes, each NUL-terminated. */
static void
pool_agent(struct restore *r, const uint8_t *body, size_t len)
{
	const char *p = (const char *)body + 4, *end = (const char *)body + len;
	const char *nul;
	uint32_t id;

	memcpy(&id, body, sizeof(id));
	r->agent = find_conn(r, id);
	r->agent_n = 0;
	while (p < end && r->agent_n < HOLD_MAX_PREFIXES &&
	       (nul = memchr(p, '\0', (size_t)(end - p))) != NULL &&
	       nul > p) { /* an empty one: the record's padding */
		r->agent_prefixes[r->agent_n++] = p;
		p = nul + 1;
	}
}

/*
 * The pool agent is the stream's reader again, and its commits' verdicts
 * are asked for again: otherwise its own changes would be published
 * back, and /pool's commits answered without etcd's verdict.
 */
static void
reattach_agent(struct restore *r)
{
	int err;

	if (r->agent == NULL)
		return;
	err = stream_reattach(r->agent);
	if (err == 0 && r->agent_n)
		err = hold_prefixes(r->agent, r->agent_prefixes, r->agent_n);
	if (err)
		log_warnx("live-update: the pool agent (conn %lu) is not the "
			  "stream's reader again: %s",
			  r->agent->id, strerror(err));
}

static int
on_other(void *arg, uint32_t type, const uint8_t *body, size_t len)
{
	struct restore *r = arg;
	struct xs_mig_global ro;
	struct xs_mig_own_conn own;
	struct conn *c;

	if (type == XS_MIG_OWN_SOCKET_RO && len >= sizeof(ro)) {
		memcpy(&ro, body, sizeof(ro));
		if (is_socket(ro.socket_fd) &&
		    lu_config.hooks->adopt_listener(ro.socket_fd, true) == 0)
			r->have_ro = true;
	} else if (type == XS_MIG_OWN_CONN &&
		   len >= offsetof(struct xs_mig_own_conn, remote_port)) {
		memset(&own, 0, sizeof(own));
		memcpy(&own, body, len < sizeof(own) ? len : sizeof(own));
		if ((c = find_conn(r, own.conn_id)) != NULL) {
			c->readonly = own.flags & XS_MIG_OWN_CONN_READONLY;
			if (own.remote_port && c->domain)
				c->domain->remote_port = own.remote_port;
		}
	} else if (type == XS_MIG_OWN_POOL_AGENT && len >= 4) {
		pool_agent(r, body, len);
	} else if (type == XS_MIG_OWN_LU_REPLY) {
		owed_reply(r, body, len);
	} else if (type == XS_MIG_OWN_DB && len > 0 &&
		   memchr(body, '\0', len) != NULL) {
		own_db(r, body, len);
	} else if (type == XS_MIG_OWN_BIRTHS && len >= 8 &&
		   ((const uint64_t *)(const void *)body)[0] <= len / 8 - 1) {
		r->births = (const uint64_t *)(const void *)body;
	} else if (type == XS_MIG_OWN_FEATURES) {
		return own_features(body, len);
	}
	return 0;
}

static const struct lu_visitor visitor = {
	on_global, on_conn, on_watch, on_node, on_quota, on_domain, on_other};

struct mapping {
	void *p;
	size_t len;
};

static int
destroy_mapping(struct mapping *m)
{
	munmap(m->p, m->len);
	return 0;
}

/*
 * The whole file, mapped (read-only, until ctx goes): no copy of what may
 * be a hundred megabytes.  NULL with errno.
 */
static const void *
slurp(void *ctx, const char *path, size_t *len)
{
	static const char empty[1];
	struct mapping *m;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	*len = 0;
	if (fstat(fd, &st) != 0 || st.st_size == 0 ||
	    (m = talloc(ctx, struct mapping)) == NULL) {
		close(fd);
		return st.st_size == 0 ? empty : NULL;
	}
	m->len = *len = (size_t)st.st_size;
	m->p = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (m->p == MAP_FAILED) {
		talloc_free(m);
		return NULL;
	}
	talloc_set_destructor(m, destroy_mapping);
	return m->p;
}

/* One argument of LU_ENV_FALLBACK_ARGS: len hexadecimal digits. */
static char *
unhex(void *ctx, const char *hex, size_t len)
{
	char *arg = len % 2 ? NULL : talloc_zero_size(ctx, len / 2 + 1);
	char pair[3] = "";
	size_t j;

	for (j = 0; arg && j < len / 2; j++) {
		memcpy(pair, hex + 2 * j, 2);
		if (!isxdigit((unsigned char)pair[0]) ||
		    !isxdigit((unsigned char)pair[1]))
			return NULL;
		arg[j] = (char)strtoul(pair, NULL, 16);
	}
	return arg;
}

/* The old binary's command line (LU_ENV_FALLBACK_ARGS), or NULL. */
static char **
old_argv(void)
{
	const char *hex = getenv(LU_ENV_FALLBACK_ARGS);
	size_t n = 1, i, k;
	char **argv;

	if (hex == NULL)
		return NULL;
	for (i = 0; hex[i]; i++)
		n += hex[i] == ' ';
	if ((argv = talloc_zero_array(NULL, char *, n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++, hex += k + (hex[k] == ' ')) {
		k = strcspn(hex, " ");
		if ((argv[i] = unhex(argv, hex, k)) == NULL) {
			talloc_free(argv);
			return NULL;
		}
	}
	return argv;
}

/*
 * We cannot take the state over (reason, for the caller; detail, for the
 * log): exec the old binary again if it left us a way back (it takes its
 * own state back and tells the caller).  Returns only if there is none,
 * or the exec fails.
 */
static void
fall_back(const char *reason, const char *detail)
{
	const char *fd = getenv(LU_ENV_FALLBACK);
	extern char **environ;
	char **argv;

	if (fd == NULL || getenv(LU_ENV_REFUSED) != NULL)
		return;
	argv = old_argv();
	log_warnx("live-update: %s (%s): going back to the old binary", reason,
		  detail);
	if (setenv(LU_ENV_REFUSED, reason, 1) == 0 &&
	    unsetenv(LU_ENV_FALLBACK) == 0 &&
	    unsetenv(LU_ENV_FALLBACK_ARGS) == 0)
		fexecve(atoi(fd), argv ? argv : lu_config.argv, environ);
	log_warn("live-update: cannot go back to the old binary");
	talloc_free(argv);
}

/*
 * A take-over that failed half-way goes back: what it adopted returns to
 * the old binary as the stream names it (sockets were made close-on-exec
 * when adopted), and VIRQ_DOM_EXC is left for it to bind again.  Nothing
 * was served: requests wait on their sockets and rings.
 */
static void
hand_back(void)
{
	struct conn *c;
	int fd;

	for (c = conn_first(); c; c = c->next)
		if (c->fd >= 0)
			fcntl(c->fd, F_SETFD, 0);
	if ((fd = lu_config.hooks->listener_fd(false)) >= 0)
		fcntl(fd, F_SETFD, 0);
	if ((fd = lu_config.hooks->listener_fd(true)) >= 0)
		fcntl(fd, F_SETFD, 0);
	if (hyp_available() && (fd = hyp_exec_prepare()) >= 0)
		fcntl(fd, F_SETFD, 0);
}

/* Done with the way back (ours, or the old binary's after going back). */
static void
forget_fallback(void)
{
	const char *fd = getenv(LU_ENV_FALLBACK);

	if (fd != NULL)
		close(atoi(fd));
	unsetenv(LU_ENV_FALLBACK);
	unsetenv(LU_ENV_FALLBACK_ARGS);
	if (getenv(LU_ENV_REFUSED))
		log_warnx("live-update: back in the old binary: the new one "
			  "failed (%s)",
			  getenv(LU_ENV_REFUSED));
	unsetenv(LU_ENV_REFUSED);
}

/* The check notes the event channel handle, for take_channels. */
static int
note_channels(void *arg, int socket_fd, int evtchn_fd)
{
	struct restore *r = arg;

	(void)socket_fd;
	r->evtchn_fd = evtchn_fd;
	return 0;
}

/*
 * The guests' event channels, first of all: a binary that cannot have
 * them (built for another hypervisor's interface, say) would serve on
 * with every guest lost, so it goes back to the old one, as for a
 * stream it cannot read.  Without a way back (the old daemon was not
 * ours) it serves the sockets at least.
 */
static void
take_channels(const struct restore *r)
{
	char detail[48];

	if (r->evtchn_fd < 0 || hyp_adopt(r->evtchn_fd) == 0)
		return;
	snprintf(detail, sizeof(detail), "the handle's fd %d", r->evtchn_fd);
	fall_back(LU_WHY_CHANNELS, detail);
	log_warnx("live-update: the event channels (fd %d) cannot be taken "
		  "over: guests are lost",
		  r->evtchn_fd);
}

static int
count_node(void *arg, const struct lu_node *ln)
{
	struct restore *r = arg;

	r->nodes += !ln->in_txn;
	return 0;
}

/*
 * The store's image is taken while the stream is checked: it changes
 * nothing outside this process, and one that does not fit (another
 * layout, a short file) refuses the stream before anything is taken.
 */
static int
take_image(void *arg, uint32_t type, const uint8_t *body, size_t len)
{
	struct restore *r = arg;
	struct xs_mig_own_store o;
	struct stat st;

	if (type != XS_MIG_OWN_STORE)
		return 0;
	r->why = "the store's image cannot be taken";
	if (len < sizeof(o) || r->image_fd >= 0)
		return EINVAL;
	memcpy(&o, body, sizeof(o));
	if (o.fd <= 2 || fstat(o.fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size != o.bytes || store_image_load(o.fd) != 0) {
		log_warn("live-update: store image (fd %d)", o.fd);
		return EINVAL;
	}
	r->image_fd = o.fd;
	log_info("live-update: store image taken whole (%zu nodes, %llu "
		 "bytes)",
		 store_count(), (unsigned long long)o.bytes);
	return 0;
}

int
lu_restore(bool *have_rw, bool *have_ro)
{
	static const struct lu_visitor counting = {.global = note_channels,
						   .node = count_node,
						   .other = take_image};
	struct restore r = {.ctx = talloc_new(NULL),
			    .evtchn_fd = -1,
			    .kept = -2,
			    .image_fd = -1};
	char *path = lu_state_path(r.ctx);
	const char *why = "out of memory";
	unsigned version = 0;
	struct timespec t0, t1;
	size_t len = 0;
	const void *buf = path ? slurp(r.ctx, path, &len) : NULL;
	int err = -1;

	if (buf == NULL)
		log_warn("live-update: cannot read %s", path ? path : "state");
	/* All of it is checked before anything is taken over. */
	else if (lu_read(buf, len, &counting, &r, &version, &why) != 0)
		fall_back(LU_WHY_STATE, why ? why : r.why);
	else {
		take_channels(&r);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		store_mute(true);
		err = lu_read(buf, len, &visitor, &r, &version, &why);
		store_mute(false);
		if (err == 0 && r.kept == -2)
			err = open_store(&r);
		if (err == 0)
			reattach_agent(&r);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (err) {
			log_warnx("live-update: %s: %s", path,
				  err < 0 ? why : strerror(err));
			/* Nothing was served yet: the old binary takes it. */
			if (getenv(LU_ENV_FALLBACK) != NULL)
				hand_back();
			fall_back(LU_WHY_TAKEOVER,
				  err < 0 ? why : strerror(err));
		} else
			log_info("live-update: state of version %u taken over "
				 "in %ld ms (%zu bytes, %zu connections)",
				 version,
				 (long)((t1.tv_sec - t0.tv_sec) * 1000 +
					(t1.tv_nsec - t0.tv_nsec) / 1000000),
				 len, r.n);
	}
	if (err == 0)
		forget_fallback();
	if (r.image_fd >= 0)
		close(r.image_fd);
	if (path)
		unlink(path);
	*have_rw = r.have_rw;
	*have_ro = r.have_ro;
	talloc_free(r.ctx);
	return err ? -1 : 0;
}

int
lu_check_file(const char *path)
{
	static const struct lu_visitor none;
	void *ctx = talloc_new(NULL);
	size_t len = 0;
	const void *buf = ctx ? slurp(ctx, path, &len) : NULL;
	const char *why = "cannot read it";
	int err = buf ? lu_read(buf, len, &none, NULL, NULL, &why) : -1;

	if (err)
		fprintf(stderr, "%s: %s\n", path, why);
	talloc_free(ctx);
	return err ? -1 : 0;
}
