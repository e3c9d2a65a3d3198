/* SPDX-License-Identifier: MIT */
/*
 * The journal file (journal.h): appending, checking at open, reading
 * back, and dropping what the database has taken in.  Nothing here knows
 * what a record holds.
 *
 * Why pwritev at a known offset rather than O_APPEND: after a failed or
 * short write the file is cut back to where the record started, so the
 * next append cannot leave a half record between two whole ones (which
 * the next start would take for damage).
 *
 * A record too large to build in memory is written in pieces
 * (journal_begin/put/commit) through a buffer the journal keeps: its
 * header, with the length known in advance, goes first, and its checksum
 * last (into the buffer while the record still fits, else patched into
 * the header on disk), so a crash half-way leaves a torn record at the
 * end, as a short pwritev would.  No piece allocates memory: a daemon
 * out of memory can still write what it acknowledges.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>

#include "journal.h"
#include "log.h"

static const uint8_t magic[4] = {'X', 'S', 'J', '1'};
/* No turn writes a record this large: a longer length is garbage. */
#define RECORD_MAX (1u << 30)
/* The buffer of a record written in pieces. */
#define STAGE_SIZE (64u << 10)

struct journal {
	int fd;
	char *path;
	bool durable;
	off_t size;
	uint64_t next_seq;
	/*
	 * A drop under way (drop_fd >= 0): the bytes of fd from drop_from
	 * on are being copied into drop_tmp, drop_done of fd so far; the
	 * file was drop_seen bytes long at the previous step.
	 */
	int drop_fd;
	char *drop_tmp;
	off_t drop_from, drop_done, drop_seen;
	/* The record being written in pieces, from journal_begin on. */
	uint8_t *stage;
	size_t staged;	    /* bytes in stage, not yet in the file */
	size_t flushed;	    /* bytes of the record already in the file */
	uint64_t want, put; /* data bytes announced, and given so far */
	uLong crc;
	uint64_t gen; /* journal_gen */
};

/* The last journal_gen given: each open and each drop takes a new one. */
static uint64_t last_gen;

static void
put_le(uint8_t *p, uint64_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
get_le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t
record_crc(const uint8_t *hdr, const uint8_t *data, size_t len)
{
	uLong crc = crc32(0L, Z_NULL, 0);

	crc = crc32(crc, hdr + 4, 12);
	/* zlib takes a uInt length: feed a large payload in pieces. */
	while (len > 0) {
		uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;

		crc = crc32(crc, data, n);
		data += n;
		len -= n;
	}
	return (uint32_t)crc;
}

/*
 * Whether a whole, intact record starts at off of the mapped file; if so
 * its length (header included) and number.
 */
static bool
record_at(const uint8_t *map, size_t size, size_t off, size_t *total,
	  uint64_t *seq)
{
	const uint8_t *h = map + off;
	size_t len;

	if (size - off < JOURNAL_HDR_SIZE || memcmp(h, magic, 4) != 0)
		return false;
	len = get_le(h + 4, 4);
	if (len > RECORD_MAX || size - off - JOURNAL_HDR_SIZE < len ||
	    get_le(h + 16, 4) != record_crc(h, h + JOURNAL_HDR_SIZE, len))
		return false;
	*total = JOURNAL_HDR_SIZE + len;
	*seq = get_le(h + 8, 8);
	return true;
}

/* Whether an intact record numbered above prev starts after off. */
static bool
good_record_after(const uint8_t *map, size_t size, size_t off, uint64_t prev)
{
	const uint8_t *p;
	size_t total;
	uint64_t seq;

	while (off < size &&
	       (p = memmem(map + off, size - off, magic, sizeof(magic)))) {
		off = (size_t)(p - map);
		if (record_at(map, size, off, &total, &seq) && seq > prev)
			return true;
		off++;
	}
	return false;
}

/*
 * Walk the records of the mapped file.  Returns the offset where the good
 * records end, or -1 if a bad one is followed by good ones (damage).
 * The numbers must run on by one, starting at most at folded + 1.
 */
static ssize_t
check_records(const struct journal *j, const uint8_t *map, size_t size,
	      uint64_t folded, uint64_t *last, size_t *folded_end)
{
	size_t off = 0, total;
	uint64_t seq, prev = 0;
	bool first = true;

	while (off < size) {
		if (!record_at(map, size, off, &total, &seq))
			break;
		if (first ? seq == 0 || seq > folded + 1 : seq != prev + 1) {
			log_warnx("journal %s: record %llu at offset %zu does "
				  "not follow record %llu",
				  j->path, (unsigned long long)seq, off,
				  (unsigned long long)(first ? folded : prev));
			return -1;
		}
		first = false;
		prev = seq;
		off += total;
		if (seq <= folded)
			*folded_end = off;
	}
	if (off < size && good_record_after(map, size, off + 1, prev)) {
		log_warnx("journal %s: damaged record at offset %zu, followed "
			  "by good ones",
			  j->path, off);
		return -1;
	}
	*last = prev;
	return (ssize_t)off;
}

/* Check the file, cut off a torn tail, and find the next number. */
static int
check_file(struct journal *j, uint64_t folded)
{
	struct stat st;
	uint8_t *map;
	uint64_t last = 0;
	size_t folded_end = 0;
	ssize_t end;

	if (fstat(j->fd, &st) != 0)
		return -1;
	j->size = st.st_size;
	j->next_seq = folded + 1;
	if (st.st_size == 0)
		return 0;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, j->fd, 0);
	if (map == MAP_FAILED)
		return -1;
	end = check_records(j, map, (size_t)st.st_size, folded, &last,
			    &folded_end);
	munmap(map, (size_t)st.st_size);
	if (end < 0) {
		errno = EBADMSG;
		return -1;
	}
	if (end < st.st_size) {
		log_warnx("journal %s: dropping a torn record at its end "
			  "(%lld bytes at offset %zd)",
			  j->path, (long long)(st.st_size - end), end);
		if (ftruncate(j->fd, end) != 0)
			return -1;
		j->size = end;
	}
	if (last > folded)
		j->next_seq = last + 1;
	/* A fold was cut short before dropping what it wrote: drop it now. */
	if (folded_end > 0)
		return journal_drop_before(j, (off_t)folded_end);
	return 0;
}

/* Make a new or renamed entry in the directory of path durable. */
static int
sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, ret = -1;

	if (copy == NULL)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		ret = fsync(fd);
		close(fd);
	}
	free(copy);
	return ret;
}

/* What the caller knows of the file already; NULL: nothing. */
struct known {
	off_t size;
	uint64_t next_seq;
};

/* The file as known, or, if it is not that any more, checked. */
static int
check_or_trust(struct journal *j, uint64_t folded, const struct known *k)
{
	struct stat st;

	if (k && k->next_seq > folded && fstat(j->fd, &st) == 0 &&
	    st.st_size == k->size) {
		j->size = k->size;
		j->next_seq = k->next_seq;
		return 0;
	}
	return check_file(j, folded);
}

static struct journal *
open_journal(const char *path, uint64_t folded, bool durable,
	     const struct known *k)
{
	struct journal *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	j->durable = durable;
	j->drop_fd = -1;
	j->gen = ++last_gen;
	j->path = strdup(path);
	j->stage = malloc(STAGE_SIZE);
	j->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (j->path == NULL || j->stage == NULL || j->fd < 0) {
		log_warn("journal %s: cannot open", path);
		goto fail;
	}
	if (check_or_trust(j, folded, k) != 0) {
		if (errno != EBADMSG)
			log_warn("journal %s: cannot read", path);
		goto fail;
	}
	if (durable && sync_dir(path) != 0) {
		log_warn("journal %s: cannot sync its directory", path);
		goto fail;
	}
	return j;
fail:
	journal_close(j);
	return NULL;
}

struct journal *
journal_open(const char *path, uint64_t folded, bool durable)
{
	return open_journal(path, folded, durable, NULL);
}

struct journal *
journal_open_known(const char *path, uint64_t folded, bool durable, off_t size,
		   uint64_t next_seq)
{
	struct known k = {size, next_seq};

	return open_journal(path, folded, durable, &k);
}

void
journal_close(struct journal *j)
{
	int saved = errno;

	if (j == NULL)
		return;
	if (j->drop_fd >= 0) {
		/* The journal is whole without it. */
		close(j->drop_fd);
		unlink(j->drop_tmp);
	}
	free(j->drop_tmp);
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j->stage);
	free(j);
	errno = saved;
}

/* Write all of buf at off; 0 or -1 with errno (ENOSPC if short). */
static int
pwrite_all(int fd, const uint8_t *buf, size_t len, off_t off)
{
	ssize_t n;

	while (len > 0) {
		n = pwrite(fd, buf, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* The staged bytes go into the file after those already there. */
static int
stage_flush(struct journal *j)
{
	if (pwrite_all(j->fd, j->stage, j->staged, j->size + (off_t)j->flushed))
		return -1;
	j->flushed += j->staged;
	j->staged = 0;
	return 0;
}

int
journal_begin(struct journal *j, size_t len)
{
	if (len > RECORD_MAX) {
		errno = EFBIG;
		return -1;
	}
	memcpy(j->stage, magic, 4);
	put_le(j->stage + 4, len, 4);
	put_le(j->stage + 8, j->next_seq, 8);
	put_le(j->stage + 16, 0, 4); /* the checksum, at the end */
	j->crc = crc32(crc32(0L, Z_NULL, 0), j->stage + 4, 12);
	j->staged = JOURNAL_HDR_SIZE;
	j->flushed = 0;
	j->want = len;
	j->put = 0;
	return 0;
}

int
journal_put(struct journal *j, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t n;

	if (len > j->want - j->put) {
		errno = EINVAL;
		return -1;
	}
	j->put += len;
	while (len > 0) {
		n = STAGE_SIZE - j->staged;
		n = n < len ? n : len;
		/* n <= STAGE_SIZE: fits zlib's uInt. */
		j->crc = crc32(j->crc, p, (uInt)n);
		memcpy(j->stage + j->staged, p, n);
		j->staged += n;
		p += n;
		len -= n;
		if (j->staged == STAGE_SIZE && stage_flush(j) != 0)
			return -1;
	}
	return 0;
}

int
journal_commit(struct journal *j)
{
	bool header_on_disk = j->flushed > 0;
	uint8_t crc[4];
	int saved;

	if (j->put != j->want) {
		errno = EINVAL;
		goto fail;
	}
	put_le(crc, j->crc, 4);
	if (!header_on_disk)
		memcpy(j->stage + 16, crc, 4);
	if (stage_flush(j) != 0 ||
	    (header_on_disk && pwrite_all(j->fd, crc, 4, j->size + 16) != 0))
		goto fail;
	if (j->durable && fdatasync(j->fd) != 0)
		goto fail;
	j->size += (off_t)j->flushed;
	j->next_seq++;
	return 0;
fail:
	saved = errno;
	journal_cancel(j);
	errno = saved;
	return -1;
}

void
journal_cancel(struct journal *j)
{
	j->staged = 0;
	if (j->flushed > 0 && ftruncate(j->fd, j->size) != 0)
		log_warn("journal %s: cannot cut a failed write", j->path);
	j->flushed = 0;
}

uint64_t
journal_next_seq(const struct journal *j)
{
	return j->next_seq;
}

off_t
journal_size(const struct journal *j)
{
	return j->size;
}

int
journal_append(struct journal *j, const void *data, size_t len)
{
	uint8_t hdr[JOURNAL_HDR_SIZE];
	struct iovec iov[2] = {{hdr, sizeof(hdr)},
			       {(void *)(uintptr_t)data, len}};
	ssize_t n;
	int saved;

	if (len > RECORD_MAX) {
		errno = EFBIG;
		return -1;
	}
	memcpy(hdr, magic, 4);
	put_le(hdr + 4, len, 4);
	put_le(hdr + 8, j->next_seq, 8);
	put_le(hdr + 16, record_crc(hdr, data, len), 4);
	do
		n = pwritev(j->fd, iov, 2, j->size);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)(sizeof(hdr) + len)) {
		if (!j->durable || fdatasync(j->fd) == 0) {
			j->size += n;
			j->next_seq++;
			return 0;
		}
		saved = errno;
	} else {
		saved = n < 0 ? errno : ENOSPC; /* short: the disk is full */
	}
	if (ftruncate(j->fd, j->size) != 0)
		log_warn("journal %s: cannot cut a failed write", j->path);
	errno = saved;
	return -1;
}

int
journal_foreach(struct journal *j, uint64_t after, off_t limit, journal_fn fn,
		void *arg)
{
	uint8_t *map;
	size_t off = 0, len, size = (size_t)limit;
	uint64_t seq;
	int ret = 0;

	if (limit > j->size)
		size = (size_t)j->size;
	if (size == 0)
		return 0;
	map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, j->fd, 0);
	if (map == MAP_FAILED)
		return -1;
	while (ret == 0 && size - off >= JOURNAL_HDR_SIZE) {
		len = get_le(map + off + 4, 4);
		seq = get_le(map + off + 8, 8);
		if (len > size - off - JOURNAL_HDR_SIZE)
			break; /* cannot happen: the file was checked */
		if (seq > after)
			ret = fn(seq, map + off + JOURNAL_HDR_SIZE, len, arg);
		off += JOURNAL_HDR_SIZE + len;
	}
	munmap(map, size);
	return ret;
}

uint64_t
journal_gen(const struct journal *j)
{
	return j->gen;
}

struct locate {
	uint64_t seq;
	off_t off;
	bool found;
};

static int
locate_cb(uint64_t seq, const uint8_t *data, size_t len, void *arg)
{
	struct locate *l = arg;

	(void)data;
	if (seq == l->seq) {
		l->found = true;
		return 1;
	}
	l->off += JOURNAL_HDR_SIZE + (off_t)len;
	return 0;
}

int
journal_locate(struct journal *j, uint64_t seq, off_t *off)
{
	struct locate l = {.seq = seq};

	if (journal_foreach(j, 0, j->size, locate_cb, &l) < 0)
		return -1;
	if (!l.found) {
		errno = ENOENT;
		return -1;
	}
	*off = l.off;
	return 0;
}

/* n bytes at off of j's file into buf; 0, or -1 with errno. */
static int
read_fully(struct journal *j, void *buf, size_t n, off_t off)
{
	ssize_t k;

	while (n > 0) {
		k = pread(j->fd, buf, n, off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO;
			return -1;
		}
		buf = (uint8_t *)buf + k;
		n -= (size_t)k;
		off += k;
	}
	return 0;
}

int
journal_read_at(struct journal *j, off_t off, journal_fn fn, void *arg,
		off_t *next)
{
	uint8_t hdr[JOURNAL_HDR_SIZE], *data;
	size_t len;
	int ret;

	if (off < 0 || j->size - off < JOURNAL_HDR_SIZE) {
		errno = EINVAL;
		return -1;
	}
	if (read_fully(j, hdr, sizeof(hdr), off) != 0)
		return -1;
	len = get_le(hdr + 4, 4);
	if (memcmp(hdr, magic, 4) != 0 ||
	    len > (size_t)(j->size - off - JOURNAL_HDR_SIZE)) {
		errno = EINVAL;
		return -1;
	}
	data = malloc(len ? len : 1);
	if (data == NULL)
		return -1;
	if (read_fully(j, data, len, off + JOURNAL_HDR_SIZE) != 0) {
		free(data);
		return -1;
	}
	ret = fn(get_le(hdr + 8, 8), data, len, arg);
	free(data);
	*next = off + JOURNAL_HDR_SIZE + (off_t)len;
	return ret;
}

/* Copy bytes [from, end) of j's file into the new one; 0 or -1. */
static int
copy_range(struct journal *j, off_t from, off_t end)
{
	char buf[65536];
	size_t want;
	ssize_t n;

	while (from < end) {
		want = end - from < (off_t)sizeof(buf) ? (size_t)(end - from)
						       : sizeof(buf);
		n = pread(j->fd, buf, want, from);
		if (n <= 0 || pwrite(j->drop_fd, buf, (size_t)n,
				     from - j->drop_from) != n)
			return -1;
		from += n;
	}
	return 0;
}

/* Give up a drop under way: the journal stays as it is. */
static void
drop_abandon(struct journal *j)
{
	log_warn("journal %s: cannot drop what the database holds", j->path);
	close(j->drop_fd);
	unlink(j->drop_tmp);
	free(j->drop_tmp);
	j->drop_fd = -1;
	j->drop_tmp = NULL;
}

/* The copy has caught up: the new file replaces the journal. */
static int
drop_finish(struct journal *j)
{
	if ((j->durable && fdatasync(j->drop_fd) != 0) ||
	    rename(j->drop_tmp, j->path) != 0) {
		drop_abandon(j);
		return -1;
	}
	if (j->durable && sync_dir(j->path) != 0)
		log_warn("journal %s: cannot sync its directory", j->path);
	close(j->fd);
	j->fd = j->drop_fd;
	j->size -= j->drop_from;
	j->gen = ++last_gen; /* every offset moved */
	free(j->drop_tmp);
	j->drop_fd = -1;
	j->drop_tmp = NULL;
	return 0;
}

int
journal_drop_start(struct journal *j, off_t off)
{
	if (j->drop_fd >= 0) {
		errno = EBUSY;
		return -1;
	}
	if (asprintf(&j->drop_tmp, "%s.new", j->path) < 0) {
		j->drop_tmp = NULL;
		log_warn("journal %s: cannot drop what the database holds",
			 j->path);
		return -1;
	}
	j->drop_fd =
		open(j->drop_tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (j->drop_fd < 0) {
		log_warn("journal %s: cannot drop what the database holds",
			 j->path);
		free(j->drop_tmp);
		j->drop_tmp = NULL;
		return -1;
	}
	j->drop_from = j->drop_done = off;
	j->drop_seen = j->size;
	return 0;
}

bool
journal_dropping(const struct journal *j)
{
	return j->drop_fd >= 0;
}

int
journal_drop_step(struct journal *j, size_t budget)
{
	size_t appended = (size_t)(j->size - j->drop_seen);
	size_t left = (size_t)(j->size - j->drop_done);
	off_t end;

	if (j->drop_fd < 0)
		return 1;
	/* At least what was appended meanwhile: the copy never falls behind. */
	if (budget < appended)
		budget = appended;
	end = left <= budget ? j->size : j->drop_done + (off_t)budget;
	if (copy_range(j, j->drop_done, end) != 0) {
		drop_abandon(j);
		return -1;
	}
	j->drop_done = end;
	j->drop_seen = j->size;
	if (end < j->size)
		return 0;
	return drop_finish(j) == 0 ? 1 : -1;
}

int
journal_drop_before(struct journal *j, off_t off)
{
	if (journal_drop_start(j, off) != 0)
		return -1;
	return journal_drop_step(j, SIZE_MAX) == 1 ? 0 : -1;
}
