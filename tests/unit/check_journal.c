/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the journal file (journal.c): records come back in
 * order, a torn end is cut off, damage before the end is refused, the
 * numbering is checked against what the database holds, dropping
 * folded records keeps the rest, at once or in steps while records are
 * appended, a record written in pieces is the same as one written
 * whole, and records are read one at a time from their offsets.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "suites.h"

static char dir[] = "/tmp/check_journal.XXXXXX";
static char path[64];

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/j", dir);
}

static void
teardown(void)
{
	char other[80];

	snprintf(other, sizeof(other), "%s.new", path);
	unlink(other);
	unlink(path);
	rmdir(dir);
	strcpy(dir, "/tmp/check_journal.XXXXXX");
}

/* What foreach saw: the records' numbers and their text, joined. */
struct seen {
	char text[256];
	uint64_t seqs[16];
	unsigned n;
};

static int
collect(uint64_t seq, const uint8_t *data, size_t len, void *arg)
{
	struct seen *s = arg;

	s->seqs[s->n++] = seq;
	strncat(s->text, (const char *)data, len);
	return 0;
}

static struct seen
read_all(struct journal *j, uint64_t after)
{
	struct seen s = {"", {0}, 0};

	ck_assert_int_eq(
		journal_foreach(j, after, journal_size(j), collect, &s), 0);
	return s;
}

/* A journal holding "a", "bb", "ccc" as records 1, 2, 3. */
static void
write_three(void)
{
	struct journal *j = journal_open(path, 0, false);

	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(journal_append(j, "a", 1), 0);
	ck_assert_int_eq(journal_append(j, "bb", 2), 0);
	ck_assert_int_eq(journal_append(j, "ccc", 3), 0);
	ck_assert_int_eq(journal_size(j), 3 * JOURNAL_HDR_SIZE + 6);
	journal_close(j);
}

static off_t
file_size(void)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_size;
}

START_TEST(append_and_read)
{
	struct journal *j;
	struct seen s;

	write_three();
	j = journal_open(path, 0, false);
	ck_assert_ptr_nonnull(j);
	ck_assert_uint_eq(journal_next_seq(j), 4);
	s = read_all(j, 0);
	ck_assert_str_eq(s.text, "abbccc");
	ck_assert_uint_eq(s.n, 3);
	ck_assert_uint_eq(s.seqs[2], 3);
	/* What the database holds already is skipped. */
	s = read_all(j, 2);
	ck_assert_str_eq(s.text, "ccc");
	journal_close(j);
}
END_TEST

START_TEST(torn_end)
{
	off_t whole;
	struct journal *j;
	int fd;

	write_three();
	whole = file_size();
	ck_assert_int_eq(truncate(path, whole - 2), 0);
	j = journal_open(path, 0, false);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(read_all(j, 0).text, "abb");
	ck_assert_int_eq(file_size(), whole - JOURNAL_HDR_SIZE - 3);
	/* The next record takes the torn one's number and place. */
	ck_assert_uint_eq(journal_next_seq(j), 3);
	ck_assert_int_eq(journal_append(j, "dd", 2), 0);
	journal_close(j);
	/* Garbage after the last record goes too. */
	fd = open(path, O_WRONLY | O_APPEND);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "garbage!", 8), 8);
	close(fd);
	j = journal_open(path, 0, false);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(read_all(j, 0).text, "abbdd");
	journal_close(j);
}
END_TEST

START_TEST(damage_in_the_middle)
{
	int fd;

	write_three();
	/* The payload of record 2: its checksum no longer matches. */
	fd = open(path, O_WRONLY);
	ck_assert_int_eq(pwrite(fd, "X", 1, 2 * JOURNAL_HDR_SIZE + 1), 1);
	close(fd);
	errno = 0;
	ck_assert_ptr_null(journal_open(path, 0, false));
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

START_TEST(numbering)
{
	struct journal *j;

	write_three();
	/* The database holds up to 1: record 1 goes, 2 and 3 follow on. */
	j = journal_open(path, 1, false);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(journal_size(j), 2 * JOURNAL_HDR_SIZE + 5);
	ck_assert_str_eq(read_all(j, 0).text, "bbccc");
	journal_close(j);
	/* It holds up to 5: a fold that was not dropped; next is 6. */
	j = journal_open(path, 5, false);
	ck_assert_ptr_nonnull(j);
	ck_assert_uint_eq(journal_next_seq(j), 6);
	ck_assert_str_eq(read_all(j, 5).text, "");
	journal_close(j);
}
END_TEST

START_TEST(gap_refused)
{
	struct journal *j = journal_open(path, 7, false);

	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(journal_append(j, "x", 1), 0); /* record 8 */
	journal_close(j);
	/* A database that holds only up to 3 misses 4..7. */
	ck_assert_ptr_null(journal_open(path, 3, false));
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

START_TEST(drop_before)
{
	struct journal *j;
	off_t two = 2 * JOURNAL_HDR_SIZE + 3;

	write_three();
	j = journal_open(path, 0, true);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(journal_drop_before(j, two), 0);
	ck_assert_int_eq(journal_size(j), JOURNAL_HDR_SIZE + 3);
	ck_assert_str_eq(read_all(j, 0).text, "ccc");
	ck_assert_int_eq(journal_append(j, "d", 1), 0);
	journal_close(j);
	/* Reopened with records 1-2 in the database: 3 and 4 are there. */
	j = journal_open(path, 2, false);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(read_all(j, 2).text, "cccd");
	ck_assert_uint_eq(journal_next_seq(j), 5);
	journal_close(j);
}
END_TEST

/*
 * One record at a time from its offset: located once, then each read
 * gives where the next starts; a drop moves the offsets and changes the
 * journal's gen, as does opening it again; no record at an offset that
 * is not a record's start.
 */
START_TEST(read_at)
{
	struct journal *j;
	struct seen s = {"", {0}, 0};
	off_t off, next;
	uint64_t gen;

	write_three();
	j = journal_open(path, 0, false);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(journal_locate(j, 2, &off), 0);
	ck_assert_int_eq(off, JOURNAL_HDR_SIZE + 1);
	ck_assert_int_eq(journal_read_at(j, off, collect, &s, &next), 0);
	ck_assert_int_eq(journal_read_at(j, next, collect, &s, &next), 0);
	ck_assert_str_eq(s.text, "bbccc");
	ck_assert_uint_eq(s.seqs[1], 3);
	ck_assert_int_eq(next, journal_size(j));
	ck_assert_int_eq(journal_read_at(j, next, collect, &s, &next), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(journal_read_at(j, off + 1, collect, &s, &next), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(journal_locate(j, 4, &off), -1);
	ck_assert_int_eq(errno, ENOENT);
	gen = journal_gen(j);
	ck_assert_int_eq(journal_append(j, "d", 1), 0);
	ck_assert_uint_eq(journal_gen(j), gen); /* appends move nothing */
	ck_assert_int_eq(journal_drop_before(j, JOURNAL_HDR_SIZE + 1), 0);
	ck_assert_uint_ne(journal_gen(j), gen);
	ck_assert_int_eq(journal_locate(j, 2, &off), 0);
	ck_assert_int_eq(off, 0);
	gen = journal_gen(j);
	journal_close(j);
	j = journal_open(path, 1, false); /* record 1 is in the database */
	ck_assert_ptr_nonnull(j);
	ck_assert_uint_ne(journal_gen(j), gen);
	journal_close(j);
}
END_TEST

/*
 * A drop in steps: records appended meanwhile are kept, each step copies
 * what it is given or what was appended since the last one, and the file
 * is replaced only once the copy has caught up.
 */
START_TEST(drop_in_steps)
{
	off_t two = 2 * JOURNAL_HDR_SIZE + 3, old;
	struct journal *j;
	int steps = 0, r;

	write_three();
	j = journal_open(path, 0, false);
	ck_assert_ptr_nonnull(j);
	old = journal_size(j);
	ck_assert_int_eq(journal_drop_start(j, two), 0);
	ck_assert(journal_dropping(j));
	ck_assert_int_eq(journal_drop_start(j, two), -1); /* one at a time */
	ck_assert_int_eq(journal_drop_step(j, 4), 0);
	/* Offsets are the old file's until the drop ends. */
	ck_assert_int_eq(journal_append(j, "dddddddddd", 10), 0);
	ck_assert_int_eq(journal_size(j), old + JOURNAL_HDR_SIZE + 10);
	ck_assert_int_eq(file_size(), journal_size(j));
	ck_assert_str_eq(read_all(j, 0).text, "abbcccdddddddddd");
	/* 30 bytes were appended: this step copies them, and 4 more. */
	ck_assert_int_eq(journal_drop_step(j, 4), 0);
	while ((r = journal_drop_step(j, 4)) == 0)
		steps++;
	ck_assert_int_eq(r, 1);
	ck_assert_int_eq(steps, 4); /* 19 bytes left: 4, 4, 4, 4, then 3 */
	ck_assert(!journal_dropping(j));
	ck_assert_int_eq(journal_size(j), 2 * JOURNAL_HDR_SIZE + 13);
	ck_assert_int_eq(file_size(), journal_size(j));
	ck_assert_str_eq(read_all(j, 0).text, "cccdddddddddd");
	ck_assert_int_eq(journal_drop_step(j, 4), 1); /* none under way */
	journal_close(j);
	j = journal_open(path, 2, false);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(read_all(j, 2).text, "cccdddddddddd");
	ck_assert_uint_eq(journal_next_seq(j), 5);
	journal_close(j);
}
END_TEST

/* A drop cut short by closing leaves the journal whole. */
START_TEST(drop_abandoned)
{
	char other[80];
	struct journal *j;

	write_three();
	j = journal_open(path, 0, false);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(journal_drop_start(j, 2 * JOURNAL_HDR_SIZE + 3), 0);
	ck_assert_int_eq(journal_drop_step(j, 4), 0);
	journal_close(j);
	snprintf(other, sizeof(other), "%s.new", path);
	ck_assert_int_eq(access(other, F_OK), -1);
	j = journal_open(path, 0, false);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(read_all(j, 0).text, "abbccc");
	journal_close(j);
}
END_TEST

/* What a record holds, compared byte for byte. */
struct whole {
	uint8_t data[200000];
	size_t len;
	unsigned n;
};

static int
keep(uint64_t seq, const uint8_t *data, size_t len, void *arg)
{
	struct whole *w = arg;

	(void)seq;
	ck_assert_uint_le(len, sizeof(w->data));
	memcpy(w->data, data, len);
	w->len = len;
	w->n++;
	return 0;
}

/*
 * A record given in pieces is the record journal_append writes, small
 * (its checksum goes with the one write) or larger than the buffer (its
 * checksum patched into the header on disk); a cancelled one leaves the
 * file as it was.
 */
START_TEST(pieces)
{
	static struct whole w;
	static uint8_t big[150000];
	struct journal *j;
	size_t i;
	off_t size;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	j = journal_open(path, 0, false);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(journal_begin(j, 5), 0);
	ck_assert_int_eq(journal_put(j, "ab", 2), 0);
	ck_assert_int_eq(journal_put(j, "cde", 3), 0);
	ck_assert_int_eq(journal_commit(j), 0);
	ck_assert_int_eq(journal_begin(j, sizeof(big)), 0);
	for (i = 0; i < sizeof(big); i += 1000)
		ck_assert_int_eq(journal_put(j, big + i, 1000), 0);
	ck_assert_int_eq(journal_commit(j), 0);
	size = journal_size(j);
	ck_assert_int_eq(journal_begin(j, sizeof(big)), 0);
	ck_assert_int_eq(journal_put(j, big, 100000), 0);
	journal_cancel(j);
	ck_assert_int_eq(journal_size(j), size);
	/* More than announced is refused, and cancelled by commit. */
	ck_assert_int_eq(journal_begin(j, 1), 0);
	ck_assert_int_ne(journal_put(j, "xy", 2), 0);
	journal_cancel(j);
	ck_assert_int_eq(journal_begin(j, 2), 0);
	ck_assert_int_eq(journal_put(j, "x", 1), 0);
	ck_assert_int_ne(journal_commit(j), 0);
	journal_close(j);
	ck_assert_int_eq(file_size(), size);

	/* Reopening checks every checksum. */
	j = journal_open(path, 0, false);
	ck_assert_ptr_nonnull(j);
	ck_assert_uint_eq(journal_next_seq(j), 3);
	ck_assert_int_eq(journal_foreach(j, 1, journal_size(j), keep, &w), 0);
	ck_assert_uint_eq(w.n, 1);
	ck_assert_uint_eq(w.len, sizeof(big));
	ck_assert_mem_eq(w.data, big, sizeof(big));
	w.n = 0;
	ck_assert_int_eq(journal_foreach(j, 0, JOURNAL_HDR_SIZE + 5, keep, &w),
			 0);
	ck_assert_uint_eq(w.n, 1);
	ck_assert_mem_eq(w.data, "abcde", 5);
	journal_close(j);
}
END_TEST

Suite *
journal_suite(void)
{
	Suite *s = suite_create("journal");
	TCase *tc = tcase_create("journal");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, append_and_read);
	tcase_add_test(tc, torn_end);
	tcase_add_test(tc, damage_in_the_middle);
	tcase_add_test(tc, numbering);
	tcase_add_test(tc, gap_refused);
	tcase_add_test(tc, drop_before);
	tcase_add_test(tc, drop_in_steps);
	tcase_add_test(tc, drop_abandoned);
	tcase_add_test(tc, pieces);
	tcase_add_test(tc, read_at);
	suite_add_tcase(s, tc);
	return s;
}
