/* SPDX-License-Identifier: MIT */
/*
 * confine_files (confine.h), with Landlock's raw system calls: the
 * xenstore domain's view of dom0's file system is its share and what the
 * dynamic loader reads to start a kernel again after a live update.
 * Every right the running kernel's Landlock knows is handled, so a right
 * that a newer kernel adds is denied too; the rights this file names but
 * an older kernel does not know are dropped (its ABI version says which).
 * Older headers (Debian 12's) lack the later constants: they are the
 * kernel's ABI, so they are given here.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/landlock.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "confine.h"

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

/* The ruleset's attributes as of ABI 6; older kernels take a prefix. */
struct ruleset_attr {
	uint64_t fs;
	uint64_t net;
	uint64_t scoped;
};

#define FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
/* The share: a directory of files, read and written, nothing special. */
#define FS_SHARE                                                               \
	(FS_READ | LANDLOCK_ACCESS_FS_WRITE_FILE |                             \
	 LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |      \
	 LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |           \
	 LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE)
/* What a rule on a file (not a directory) may grant. */
#define FS_FILE_RIGHTS                                                         \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |          \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |          \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV)

/* Every filesystem right ABI abi knows. */
static uint64_t
fs_rights(int abi)
{
	uint64_t all = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;

	if (abi >= 2)
		all |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		all |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		all |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return all;
}

/*
 * Allow rights beneath path (a file gets only a file's rights).  A path
 * that does not exist here (no /lib64 on some systems) is no error.
 */
static int
allow(int ruleset, const char *path, uint64_t rights, uint64_t handled)
{
	struct landlock_path_beneath_attr pb;
	struct stat st;
	int fd, err = 0;

	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		rights &= FS_FILE_RIGHTS;
	pb.allowed_access = rights & handled;
	pb.parent_fd = fd;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
		    &pb, 0) < 0)
		err = -1;
	close(fd);
	return err;
}

/*
 * The loader exec opens for the ELF file at fd (PT_INTERP) into buf, or
 * "" for a static one: exec opens it as it opens an executable.
 */
static void
elf_interp(int fd, char *buf, size_t size)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned i;

	buf[0] = '\0';
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64)
		return;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph),
			  (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
		    (ssize_t)sizeof(ph))
			return;
		if (ph.p_type != PT_INTERP || ph.p_filesz >= size)
			continue;
		if (pread(fd, buf, ph.p_filesz, (off_t)ph.p_offset) !=
		    (ssize_t)ph.p_filesz)
			ph.p_filesz = 0;
		buf[ph.p_filesz] = '\0';
		return;
	}
}

/* Allow executing the file at path, and the loader it names. */
static int
allow_run(int ruleset, const char *path, uint64_t handled)
{
	uint64_t run =
		LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE;
	char interp[PATH_MAX];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	elf_interp(fd, interp, sizeof(interp));
	close(fd);
	if (allow(ruleset, path, run, handled) < 0)
		return -1;
	return interp[0] == '/' ? allow(ruleset, interp, run, handled) : 0;
}

/*
 * What the dynamic loader reads when a live update execs the new kernel
 * (strace -f of one: the libraries under /usr and /lib*,
 * /etc/ld.so.cache, and what read names: the hypervisor's libraries), and
 * the process's own /proc directory (the caller's, resolved now: the
 * same process after every exec), where the event channel handle reads
 * its fdinfo when the new kernel takes it back, and AddressSanitizer its
 * maps.  A memfd an update execs is in no directory: no rule applies.
 */
static int
add_rules(int ruleset, uint64_t handled, const char *share,
	  const char *const *run, const char *const *read)
{
	static const char *const loader[] = {
		"/usr",	      "/lib", "/lib32", "/lib64", "/etc/ld.so.cache",
		"/proc/self", NULL,
	};
	const char *const *p;

	if (allow(ruleset, share, FS_SHARE, handled) < 0)
		return -1;
	for (p = run; p != NULL && *p != NULL; p++)
		if (allow_run(ruleset, *p, handled) < 0)
			return -1;
	for (p = loader; *p != NULL; p++)
		if (allow(ruleset, *p, FS_READ, handled) < 0)
			return -1;
	for (p = read; p != NULL && *p != NULL; p++)
		if (allow(ruleset, *p, FS_READ, handled) < 0)
			return -1;
	return 0;
}

int
confine_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
			   LANDLOCK_CREATE_RULESET_VERSION);

	return abi < 0 ? 0 : (int)abi;
}

int
confine_files(const char *share, const char *const *run,
	      const char *const *read)
{
	struct ruleset_attr attr = {0};
	size_t size = sizeof(attr.fs);
	int abi = confine_abi(), ruleset, err;

	if (abi <= 0)
		return 0;
	attr.fs = fs_rights(abi);
	if (abi >= 4) {
		attr.net = LANDLOCK_ACCESS_NET_BIND_TCP |
			   LANDLOCK_ACCESS_NET_CONNECT_TCP;
		size = offsetof(struct ruleset_attr, scoped);
	}
	if (abi >= 6) {
		attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET |
			      LANDLOCK_SCOPE_SIGNAL;
		size = sizeof(attr);
	}
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (ruleset < 0)
		return -1;
	err = add_rules(ruleset, attr.fs, share, run, read);
	/* No privilege to gain by exec: what Landlock needs unprivileged. */
	if (err == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		err = -1;
	if (err == 0 && syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
		err = -1;
	err = err < 0 ? errno : 0;
	close(ruleset);
	if (err) {
		errno = err;
		return -1;
	}
	return abi;
}
