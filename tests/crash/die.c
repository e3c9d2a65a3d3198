/* SPDX-License-Identifier: MIT */
/*
 * The I/O seam of die.h: libc's calls that change files, interposed by
 * definitions of the same names in the test program, reaching the real
 * ones through dlsym(RTLD_NEXT).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "die.h"

#define NAMED_STEPS 64

struct die_state {
	atomic_uint steps;
	unsigned at; /* 0: not armed */
	bool torn;
	atomic_bool died;
	char names[NAMED_STEPS][48]; /* what each step was, for reports */
};

static struct die_state *st;

int
die_init(void)
{
	void *p = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	st = p;
	return 0;
}

void
die_arm(unsigned n, bool torn)
{
	st->steps = 0;
	st->at = n;
	st->torn = torn;
	st->died = false;
}

const char *
die_step_name(unsigned n)
{
	return n >= 1 && n <= NAMED_STEPS ? st->names[n - 1] : "?";
}

unsigned
die_steps(void)
{
	return st->steps;
}

bool
die_died(void)
{
	return st->died;
}

static void *
real(const char *name)
{
	void *fn = dlsym(RTLD_NEXT, name);

	if (fn == NULL) {
		fprintf(stderr, "die: no %s\n", name);
		_exit(2);
	}
	return fn;
}

#define REAL(name) ((__typeof__(&name))real(#name))

static void
die_now(void)
{
	st->died = true;
	_exit(DIE_STATUS);
}

/*
 * A step begins: true if the caller is to write only half and die (the
 * torn variant of the step it dies at); ends the process before the step
 * otherwise.
 */
static bool
step(const char *name, size_t len)
{
	unsigned n;

	if (st == NULL || st->at == 0)
		return false;
	if (st->died)
		die_now();
	n = atomic_fetch_add(&st->steps, 1) + 1;
	if (n <= NAMED_STEPS)
		snprintf(st->names[n - 1], sizeof(st->names[0]), "%s %s%zu",
			 name, len ? "of " : "", len);
	if (n != st->at)
		return false;
	if (st->torn)
		return true;
	die_now();
	return false;
}

/* Only regular files: what goes to a terminal or a pipe is no step. */
static bool
is_file(int fd)
{
	struct stat s;

	return fstat(fd, &s) == 0 && S_ISREG(s.st_mode);
}

/*
 * How much of a write at off a crash may leave: up to a sector (512-byte)
 * boundary of the file inside it, near its middle.  A write within one
 * sector is not torn: it happens whole, then the process dies.
 */
static size_t
torn_len(off_t off, size_t len)
{
	off_t mid = off + (off_t)(len / 2), cut = mid - mid % 512;

	if (cut <= off)
		cut = off - off % 512 + 512;
	return cut < off + (off_t)len ? (size_t)(cut - off) : len;
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	if (is_file(fd) && step("pwrite", len)) {
		REAL(pwrite)(fd, buf, torn_len(off, len), off);
		die_now();
	}
	return REAL(pwrite)(fd, buf, len, off);
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	if (is_file(fd) && step("write", len)) {
		REAL(write)(fd, buf, torn_len(lseek(fd, 0, SEEK_CUR), len));
		die_now();
	}
	return REAL(write)(fd, buf, len);
}

ssize_t
pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
	size_t total = 0, n;
	int i;

	for (i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	if (is_file(fd) && step("pwritev", total)) {
		for (i = 0, total = torn_len(off, total); i < cnt && total > 0;
		     i++) {
			n = iov[i].iov_len < total ? iov[i].iov_len : total;
			REAL(pwrite)(fd, iov[i].iov_base, n, off);
			off += (off_t)n;
			total -= n;
		}
		die_now();
	}
	return REAL(pwritev)(fd, iov, cnt, off);
}

/* The rest happen whole or not at all: torn is the same as before. */
#define WHOLE_STEP(name)                                                       \
	do {                                                                   \
		if (step(name, 0))                                             \
			die_now();                                             \
	} while (0)

int
fsync(int fd)
{
	WHOLE_STEP("fsync");
	return REAL(fsync)(fd);
}

int
fdatasync(int fd)
{
	WHOLE_STEP("fdatasync");
	return REAL(fdatasync)(fd);
}

int
msync(void *addr, size_t len, int flags)
{
	WHOLE_STEP("msync");
	return REAL(msync)(addr, len, flags);
}

int
ftruncate(int fd, off_t len)
{
	WHOLE_STEP("ftruncate");
	return REAL(ftruncate)(fd, len);
}

int
posix_fallocate(int fd, off_t off, off_t len)
{
	WHOLE_STEP("posix_fallocate");
	return REAL(posix_fallocate)(fd, off, len);
}

int
rename(const char *from, const char *to)
{
	WHOLE_STEP("rename");
	return REAL(rename)(from, to);
}

int
unlink(const char *path)
{
	WHOLE_STEP("unlink");
	return REAL(unlink)(path);
}

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (st != NULL && st->at != 0 && fd >= 0 && (flags & MAP_SHARED) &&
	    (prot & PROT_WRITE)) {
		errno = ENODEV;
		return MAP_FAILED;
	}
	return REAL(mmap)(addr, len, prot, flags, fd, off);
}
