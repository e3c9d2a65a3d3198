/* SPDX-License-Identifier: MIT */
/*
 * The change stream (stream.h).  It owns <db>.stream, a journal file
 * (journal.h: numbered, checksummed records) of StreamGroup records
 * (record.proto), and <db>.stream-prefixes, one prefix a line.  It sees
 * the store only through its observer and, at open, through lookups.
 *
 * Grouping.  The dispatcher brackets every request with
 * stream_request_begin/end; what the store reports in between is one
 * group.  What it reports outside any request (a dead domain's nodes
 * removed from the hypervisor's event) forms a group of its own, closed
 * when the next request begins or at the flush.  A removal is listed by
 * its top only: it stands for the whole subtree (the store reports the
 * nodes below one by one, and a large subtree's over several later
 * turns, store_reap; listing them would split one RM into many groups).
 *
 * Ordering against the database.  The connections' before-output hook
 * (wiring.c) calls stream_flush, then db_flush: the groups of a turn are
 * appended, the last one marked turn_end, then the journal record that
 * holds the same changes.  A crash between the two leaves the stream one
 * turn ahead of the store.  stream_open finds the last turn (the groups
 * after the turn_end before the last one) and compares what it says
 * with the loaded store; if any path differs, the turn never reached the
 * store and its groups are cut off.  Example:
 *
 *	turn 7: WRITE /pool/a 1		stream #12 {/pool/a=1} turn_end
 *					journal record: /pool/a = 1
 *	turn 8: WRITE /pool/b 2		stream #13 {/pool/b=2} turn_end
 *	-- killed before the journal record of turn 8 --
 *	open: store has no /pool/b	-> #13 is cut; the next group is #13
 *
 * Nobody saw #13: a reader's request is served in a later turn.  A
 * crash in the middle of a turn's groups leaves groups without a
 * turn_end after the last one: cut off the same way.  A change under a
 * prefix that the stream could not record (no memory, a failed write)
 * makes the next group written a "lost" one: the reader then reads the
 * tree again instead of trusting the stream.
 *
 * Numbers for a request.  A group is numbered when it is appended, at
 * the flush; a request that must learn its group's number (a commit
 * whose reply waits for the agent's verdict, hold.c) tags the open group
 * (stream_request_tag), and the numbered hook hears (tag, number) as it
 * is appended, before any reply of the turn goes out, or (tag, 0) if it
 * never is.
 *
 * Trimming.  Groups up to the reader's acknowledgement are dropped in
 * batches (journal_drop_before); the last group always stays, so that
 * numbering goes on after a restart (stream_open reads the first
 * record's number before opening).  Past STREAM_KEEP unacknowledged
 * groups, the oldest half goes: a reader coming back finds its next
 * group gone (ENOSPC) and reads the tree again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include <unistd.h>

#include "db.h"
#include "journal.h"
#include "log.h"
#include "record.pb-c.h"
#include "store.h"
#include "stream.h"

/* Acknowledged groups dropped in one go. */
#define ACK_BATCH 256

struct pchange {
	char *path;
	void *value;
	uint32_t vlen;
	bool removed;
};

struct pgroup {
	struct pgroup *next;
	struct pchange *v;
	unsigned n;
	bool agent;
	bool lost;
	uint64_t tag; /* stream_request_tag: say its number once written */
};

static void *ctx; /* everything of an open stream */
static struct journal *file;
static char *file_path;
static char *prefix_path;
static char *prefixes[STREAM_MAX_PREFIXES];
static unsigned nprefixes;
static void *owner;    /* the registered reader's connection */
static uint64_t first; /* first group in the file (0: none yet) */
static uint64_t acked;
/* Groups closed this turn, in order, and the open ones. */
static struct pgroup *pending, **pending_tail = &pending;
static struct pgroup *cur;     /* the request's */
static struct pgroup *outside; /* changes outside any request */
static bool in_request, cur_agent;
static bool lost; /* a change was not recorded */
static stream_numbered_fn *numbered;

static bool
path_under(const char *path, const char *prefix)
{
	size_t l = strlen(prefix);

	return strncmp(path, prefix, l) == 0 &&
	       (path[l] == '\0' || path[l] == '/' || l == 1);
}

static bool
under_prefix(const char *path)
{
	unsigned i;

	for (i = 0; i < nprefixes; i++)
		if (path_under(path, prefixes[i]))
			return true;
	return false;
}

static struct pgroup *
group_new(bool agent)
{
	struct pgroup *g = talloc_zero(ctx, struct pgroup);

	if (g)
		g->agent = agent;
	return g;
}

static void
close_group(struct pgroup **gp)
{
	if (*gp == NULL)
		return;
	*pending_tail = *gp;
	pending_tail = &(*gp)->next;
	*gp = NULL;
}

void
stream_observe(const struct store_change *ch)
{
	struct pgroup **gp = in_request ? &cur : &outside;
	struct pchange *v, *c;

	/* A removal is its top: the nodes below go with it. */
	if (file == NULL || ch->loading || ch->path[0] != '/' ||
	    (ch->op == STORE_REMOVE && ch->below) || !under_prefix(ch->path))
		return;
	if (*gp == NULL && (*gp = group_new(in_request && cur_agent)) == NULL)
		goto nomem;
	v = talloc_realloc(*gp, (*gp)->v, struct pchange, (*gp)->n + 1);
	if (v == NULL)
		goto nomem;
	(*gp)->v = v;
	c = &v[(*gp)->n];
	memset(c, 0, sizeof(*c));
	c->path = talloc_strdup(*gp, ch->path);
	if (c->path == NULL)
		goto nomem;
	if (ch->op == STORE_REMOVE) {
		c->removed = true;
	} else if (ch->node->vlen > 0) {
		c->value = talloc_memdup(*gp, node_value(ch->node),
					 ch->node->vlen);
		if (c->value == NULL)
			goto nomem;
		c->vlen = ch->node->vlen;
	}
	(*gp)->n++;
	return;
nomem:
	lost = true;
}

void
stream_request_begin(const void *who)
{
	close_group(&outside);
	in_request = true;
	cur_agent = owner != NULL && who == owner;
}

void
stream_request_end(void)
{
	close_group(&cur);
	in_request = false;
}

bool
stream_request_under(const char *prefix)
{
	unsigned i;

	if (!in_request || cur == NULL || cur->agent)
		return false;
	for (i = 0; i < cur->n; i++)
		if (path_under(cur->v[i].path, prefix))
			return true;
	return false;
}

bool
stream_request_tag(uint64_t tag)
{
	if (!in_request || cur == NULL || tag == 0)
		return false;
	cur->tag = tag;
	return true;
}

void
stream_set_numbered(stream_numbered_fn *fn)
{
	numbered = fn;
}

bool
stream_is_reader(const void *who)
{
	return owner != NULL && who == owner;
}

static int
append(const struct pgroup *g, bool turn_end)
{
	StreamGroup sg = STREAM_GROUP__INIT;
	StreamChange *cs, **cps;
	uint8_t *buf;
	size_t len;
	unsigned i;
	int ret;

	cs = talloc_array(NULL, StreamChange, g->n ? g->n : 1);
	cps = talloc_array(cs, StreamChange *, g->n ? g->n : 1);
	if (cs == NULL || cps == NULL) {
		talloc_free(cs);
		return -1;
	}
	for (i = 0; i < g->n; i++) {
		stream_change__init(&cs[i]);
		cs[i].path = g->v[i].path;
		cs[i].has_removed = g->v[i].removed;
		cs[i].removed = g->v[i].removed;
		cs[i].has_value = g->v[i].vlen > 0;
		cs[i].value.data = g->v[i].value;
		cs[i].value.len = g->v[i].vlen;
		cps[i] = &cs[i];
	}
	sg.n_change = g->n;
	sg.change = cps;
	sg.has_agent = sg.agent = g->agent;
	sg.has_lost = sg.lost = g->lost;
	sg.has_turn_end = sg.turn_end = turn_end;
	len = stream_group__get_packed_size(&sg);
	buf = talloc_size(cs, len ? len : 1);
	ret = -1;
	if (buf) {
		stream_group__pack(&sg, buf);
		ret = journal_append(file, buf, len);
	}
	talloc_free(cs);
	return ret;
}

static uint64_t
last_seq(void)
{
	return journal_next_seq(file) - 1;
}

/* Offset of group seq in the file (or of the end, past the last). */
struct seek {
	uint64_t seq;
	off_t off;
};

static int
seek_cb(uint64_t seq, const uint8_t *data, size_t len, void *arg)
{
	struct seek *s = arg;

	(void)data;
	if (seq >= s->seq)
		return 1;
	s->off += JOURNAL_HDR_SIZE + (off_t)len;
	return 0;
}

/* Drop the groups before seq (keeping at least the last one). */
static void
drop_before(uint64_t seq)
{
	struct seek s = {.seq = seq, .off = 0};

	if (seq > last_seq())
		seq = s.seq = last_seq();
	if (seq <= first)
		return;
	if (journal_foreach(file, 0, journal_size(file), seek_cb, &s) < 0 ||
	    journal_drop_before(file, s.off) != 0) {
		log_warn("%s: trimming the stream", __func__);
		return;
	}
	first = seq;
}

int
stream_flush(void)
{
	struct pgroup *g, *lost_g = NULL;
	int ret = 0;

	close_group(&outside);
	if (file == NULL || (pending == NULL && !lost))
		goto out;
	if (lost && (lost_g = group_new(false)) != NULL) {
		/* Where the loss happened is unknown: before all of them. */
		lost_g->lost = true;
		lost_g->next = pending;
		pending = lost_g;
		lost = false;
	}
	for (g = pending; g; g = g->next) {
		if (append(g, g->next == NULL) != 0) {
			log_warn("%s: the stream loses changes", __func__);
			lost = true;
			ret = -1;
			break;
		}
		if (first == 0)
			first = last_seq();
		if (g->tag && numbered) {
			numbered(g->tag, last_seq());
			g->tag = 0;
		}
	}
	if (last_seq() - first + 1 > STREAM_KEEP) {
		log_warnx("%s: %d groups not acknowledged: the oldest go",
			  __func__, STREAM_KEEP);
		drop_before(last_seq() - STREAM_KEEP / 2);
	}
out:
	for (g = pending; g; g = pending) {
		pending = g->next;
		if (g->tag && numbered) /* not written: nobody will read it */
			numbered(g->tag, 0);
		talloc_free(g);
	}
	pending_tail = &pending;
	return ret;
}

int
stream_ack(uint64_t seq)
{
	if (file == NULL)
		return ENOSYS;
	if (seq > last_seq())
		return EINVAL;
	if (seq > acked)
		acked = seq;
	if (first && acked >= first + ACK_BATCH)
		drop_before(acked + 1);
	return 0;
}

void
stream_bounds(uint64_t *f, uint64_t *l)
{
	*f = file ? first : 0;
	*l = file && first ? last_seq() : 0;
}

struct read_arg {
	void *ctx;
	struct stream_group *g;
	int err;
};

static int
read_cb(uint64_t seq, const uint8_t *data, size_t len, void *arg)
{
	struct read_arg *a = arg;
	struct stream_group *g;
	StreamGroup *sg;
	size_t i;

	sg = stream_group__unpack(NULL, len, data);
	if (sg == NULL) {
		a->err = EIO;
		return 1;
	}
	g = talloc_zero(a->ctx, struct stream_group);
	if (g)
		g->changes = talloc_zero_array(g, struct stream_change,
					       sg->n_change ? sg->n_change : 1);
	if (g == NULL || g->changes == NULL)
		goto nomem;
	g->seq = seq;
	g->agent = sg->agent;
	g->lost = sg->lost;
	for (i = 0; i < sg->n_change; i++) {
		struct stream_change *c = &g->changes[i];
		const StreamChange *s = sg->change[i];

		c->path = talloc_strdup(g, s->path ? s->path : "");
		c->removed = s->removed;
		c->vlen = (uint32_t)s->value.len;
		c->value = s->value.len ? talloc_memdup(g, s->value.data,
							s->value.len)
					: talloc_zero(g, char);
		if (c->path == NULL || c->value == NULL)
			goto nomem;
	}
	g->n = (unsigned)sg->n_change;
	a->g = g;
	stream_group__free_unpacked(sg, NULL);
	return 1;
nomem:
	talloc_free(g);
	stream_group__free_unpacked(sg, NULL);
	a->err = ENOMEM;
	return 1;
}

/*
 * Where the group last read and the one after it start: the agent reads
 * the groups in order (a long one in several pages, each a read), and
 * walking the file from its start each time cost a scan of the whole
 * backlog per read (quadratic; the daemon's time went into mmap, page
 * faults and munmap).  Void when the file's gen changes (a trim moves
 * every offset; a reopen is another file).
 */
static struct {
	uint64_t seq, gen; /* seq: the group last read (0: none) */
	off_t off, next;
} last_read;

/* The offset of group seq in the file; 0 or -1. */
static int
group_offset(uint64_t seq, off_t *off)
{
	if (last_read.seq != 0 && last_read.gen == journal_gen(file)) {
		if (seq == last_read.seq) {
			*off = last_read.off;
			return 0;
		}
		if (seq == last_read.seq + 1) {
			*off = last_read.next;
			return 0;
		}
	}
	return journal_locate(file, seq, off);
}

int
stream_read(void *c, uint64_t seq, struct stream_group **out)
{
	struct read_arg a = {.ctx = c};
	off_t off, next;

	if (file == NULL)
		return ENOSYS;
	if (first == 0 || seq > last_seq())
		return ENOENT;
	if (seq < first)
		return ENOSPC;
	if (group_offset(seq, &off) != 0 ||
	    journal_read_at(file, off, read_cb, &a, &next) < 0)
		return EIO;
	if (a.g != NULL && a.g->seq != seq) { /* cannot happen: gen holds */
		last_read.seq = 0;
		talloc_free(a.g);
		return EIO;
	}
	last_read.seq = seq;
	last_read.gen = journal_gen(file);
	last_read.off = off;
	last_read.next = next;
	if (a.err == 0 && a.g == NULL)
		a.err = EIO;
	*out = a.g;
	return a.err;
}

/* --- registration --- */

static int
destroy_mark(void **m)
{
	(void)m;
	owner = NULL;
	return 0;
}

static bool
prefix_ok(const char *p)
{
	size_t l = strlen(p);

	return p[0] == '/' && l < 1024 && strstr(p, "//") == NULL &&
	       (l == 1 || p[l - 1] != '/');
}

static bool
same_prefixes(const char **p, unsigned n)
{
	unsigned i;

	if (n != nprefixes)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(p[i], prefixes[i]) != 0)
			return false;
	return true;
}

static int
save_prefixes(void)
{
	char *tmp = talloc_asprintf(NULL, "%s.new", prefix_path);
	FILE *f;
	unsigned i;
	int ret = -1;

	if (tmp == NULL || (f = fopen(tmp, "w")) == NULL)
		goto out;
	for (i = 0; i < nprefixes; i++)
		fprintf(f, "%s\n", prefixes[i]);
	if (fflush(f) == 0 && fsync(fileno(f)) == 0 && fclose(f) == 0)
		ret = rename(tmp, prefix_path);
	else
		fclose(f);
out:
	talloc_free(tmp);
	return ret;
}

static void
set_prefixes(const char **p, unsigned n)
{
	unsigned i;

	for (i = 0; i < nprefixes; i++)
		talloc_free(prefixes[i]);
	nprefixes = 0;
	for (i = 0; i < n; i++)
		if ((prefixes[nprefixes] = talloc_strdup(ctx, p[i])) != NULL)
			nprefixes++;
}

/* who is the registered reader until it is freed. */
static int
own(void *who)
{
	void **mark = talloc(who, void *);

	if (mark == NULL)
		return ENOMEM;
	talloc_set_destructor(mark, destroy_mark);
	owner = who;
	return 0;
}

int
stream_register(void *who, const char **p, unsigned n)
{
	unsigned i;

	if (file == NULL)
		return ENOSYS;
	if (n == 0 || n > STREAM_MAX_PREFIXES)
		return EINVAL;
	for (i = 0; i < n; i++)
		if (!prefix_ok(p[i]))
			return EINVAL;
	if (owner != NULL && owner != who)
		return EBUSY;
	if (!same_prefixes(p, n)) {
		set_prefixes(p, n);
		if (nprefixes != n || save_prefixes() != 0) {
			log_warn("%s: %s", __func__, prefix_path);
			return EIO;
		}
		log_info("stream: following %u prefixes from group %llu", n,
			 (unsigned long long)journal_next_seq(file));
	}
	return owner == NULL ? own(who) : 0;
}

int
stream_reattach(void *who)
{
	/* The file is opened after the state is taken over (main.c). */
	if (owner != NULL)
		return owner == who ? 0 : EBUSY;
	return own(who);
}

/* --- opening: the last turn against the store --- */

static int
load_prefixes(void)
{
	const char *p[STREAM_MAX_PREFIXES];
	char line[1100];
	unsigned n = 0;
	FILE *f = fopen(prefix_path, "r");

	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	while (n < STREAM_MAX_PREFIXES && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (prefix_ok(line) && (p[n] = talloc_strdup(ctx, line)))
			n++;
	}
	fclose(f);
	set_prefixes(p, n);
	return 0;
}

/* The number of the file's first record, 0 if it has none. */
static uint64_t
peek_first(const char *path)
{
	uint8_t h[JOURNAL_HDR_SIZE];
	uint64_t seq = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int i;

	if (fd < 0)
		return 0;
	if (read(fd, h, sizeof(h)) == (ssize_t)sizeof(h) &&
	    memcmp(h, "XSJ1", 4) == 0)
		for (i = 7; i >= 0; i--)
			seq = seq << 8 | h[8 + i];
	close(fd);
	return seq;
}

/* What the open pass learns: where the last complete turn starts. */
struct scan {
	off_t off;	 /* of the record being visited */
	off_t turn_off;	 /* start of the turn after the last turn_end */
	off_t prev_turn; /* start of the last complete turn */
	uint64_t turn_seq, prev_seq;
	int err;
};

static int
scan_cb(uint64_t seq, const uint8_t *data, size_t len, void *arg)
{
	struct scan *s = arg;
	StreamGroup *sg = stream_group__unpack(NULL, len, data);

	if (sg == NULL) {
		s->err = EBADMSG;
		return 1;
	}
	if (s->turn_seq == 0)
		s->turn_seq = seq;
	s->off += JOURNAL_HDR_SIZE + (off_t)len;
	if (sg->turn_end) {
		s->prev_turn = s->turn_off;
		s->prev_seq = s->turn_seq;
		s->turn_off = s->off;
		s->turn_seq = 0;
	}
	stream_group__free_unpacked(sg, NULL);
	return 0;
}

/*
 * The last turn's net effect, path by path (a later change of a path
 * replaces an earlier one), to compare with the loaded store.  A turn
 * is small: a linear search per change is fine.
 */
struct turn_paths {
	char **path;
	bool *removed;
	ProtobufCBinaryData *value;
	size_t n;
};

static int
collect_cb(uint64_t seq, const uint8_t *data, size_t len, void *arg)
{
	struct turn_paths *t = arg;
	StreamGroup *sg = stream_group__unpack(NULL, len, data);
	size_t i, j;
	int ret;

	(void)seq;
	if (sg == NULL)
		return 1;
	for (i = 0; i < sg->n_change; i++) {
		StreamChange *c = sg->change[i];
		const char *p = c->path ? c->path : "";

		for (j = 0; j < t->n && strcmp(t->path[j], p) != 0; j++)
			;
		if (j == t->n) {
			t->path = talloc_realloc(ctx, t->path, char *, j + 1);
			t->removed =
				talloc_realloc(ctx, t->removed, bool, j + 1);
			t->value = talloc_realloc(ctx, t->value,
						  ProtobufCBinaryData, j + 1);
			if (!t->path || !t->removed || !t->value)
				break;
			if ((t->path[j] = talloc_strdup(ctx, p)) == NULL)
				break;
			t->n++;
		}
		t->removed[j] = c->removed;
		t->value[j].len = c->value.len;
		/* A copy with a NUL after it (the record's has none). */
		t->value[j].data = talloc_size(ctx, c->value.len + 1);
		if (t->value[j].data == NULL)
			break;
		if (c->value.len)
			memcpy(t->value[j].data, c->value.data, c->value.len);
		t->value[j].data[c->value.len] = '\0';
	}
	ret = i == sg->n_change ? 0 : 1;
	stream_group__free_unpacked(sg, NULL);
	return ret;
}

static bool
turn_in_store(uint64_t after, off_t limit)
{
	struct turn_paths t = {0};
	struct node *n;
	bool ok = true;
	size_t i;

	if (journal_foreach(file, after, limit, collect_cb, &t) != 0)
		return false;
	for (i = 0; i < t.n && ok; i++) {
		n = store_lookup(t.path[i]);
		if (t.removed[i])
			ok = n == NULL;
		else
			ok = n != NULL && n->vlen == t.value[i].len &&
			     memcmp(node_value(n), t.value[i].data,
				    t.value[i].len) == 0;
	}
	return ok;
}

/* Cut the file at off (reopening it); 0 or -1. */
static int
cut(const char *path, uint64_t folded, off_t off, bool durable)
{
	journal_close(file);
	file = NULL;
	if (truncate(path, off) != 0)
		return -1;
	file = journal_open(path, folded, durable);
	return file ? 0 : -1;
}

/* --reset-db: stream.h. */
static int
start_over(void)
{
	uint64_t last;
	char *aside;

	if (file == NULL)
		return -1;
	last = last_seq();
	aside = talloc_asprintf(ctx, "%s.damaged", file_path);
	journal_close(file);
	file = NULL;
	if (aside == NULL || rename(file_path, aside) != 0) {
		log_warn("stream: cannot move %s aside", file_path);
		return -1;
	}
	file = journal_open(file_path, last, db_sync_mode() == DB_SYNC_FSYNC);
	if (file == NULL)
		return -1;
	first = acked = 0;
	lost = true;
	log_warnx("stream: groups up to %llu belong to the store reset: kept "
		  "as %s; group %llu tells the reader to read the tree",
		  (unsigned long long)last, aside,
		  (unsigned long long)last + 1);
	return stream_flush();
}

int
stream_open(const char *db_path, bool store_reset)
{
	struct scan s = {0};
	bool durable = db_sync_mode() == DB_SYNC_FSYNC;
	uint64_t folded;
	char *path;

	ctx = talloc_new(NULL);
	path = file_path = talloc_asprintf(ctx, "%s.stream", db_path);
	prefix_path = talloc_asprintf(ctx, "%s.stream-prefixes", db_path);
	if (path == NULL || prefix_path == NULL)
		goto fail;
	folded = peek_first(path);
	folded = folded ? folded - 1 : 0;
	file = journal_open(path, folded, durable);
	if (file == NULL || load_prefixes() != 0)
		goto fail;
	if (store_reset) {
		if (start_over() != 0)
			goto fail;
		return 0;
	}
	if (journal_foreach(file, 0, journal_size(file), scan_cb, &s) != 0 ||
	    s.err)
		goto fail;
	if (s.turn_off < journal_size(file)) {
		log_warnx("stream: a turn cut short is dropped");
		if (cut(path, folded, s.turn_off, durable) != 0)
			goto fail;
	}
	if (s.prev_seq && !turn_in_store(s.prev_seq - 1, s.turn_off)) {
		log_warnx("stream: groups %llu-%llu never reached the store: "
			  "dropped",
			  (unsigned long long)s.prev_seq,
			  (unsigned long long)last_seq());
		if (cut(path, folded, s.prev_turn, durable) != 0)
			goto fail;
	}
	first = last_seq() > folded ? folded + 1 : 0;
	return 0;
fail:
	log_warn("stream: cannot open %s.stream; no change stream", db_path);
	journal_close(file);
	file = NULL;
	talloc_free(ctx);
	ctx = NULL;
	nprefixes = 0;
	return -1;
}

void
stream_close(void)
{
	stream_flush();
	journal_close(file);
	file = NULL;
	talloc_free(ctx);
	ctx = NULL;
	nprefixes = 0;
	first = acked = 0;
}
