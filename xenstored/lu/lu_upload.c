/* SPDX-License-Identifier: MIT */
/*
 * A xenstore domain's new kernel, uploaded by dom0 (lu_int.h), as Xen's
 * stub domain takes it: a xenstore domain cannot read dom0's files, so
 * xenstore-control, seeing /tool/xenstored/domid, sends the image
 * itself:
 *
 *   live-update\0-b\0<size>\0              open the session, allocate
 *   live-update\0-d\0<len>\0<len bytes>\0  a chunk (2048 bytes from Xen's
 *                                          tool), appended
 *   live-update\0-s\0...                   "Kernel not complete." until
 *                                          all <size> bytes came
 *
 * The image lives on the heap, a child of the session: it counts against
 * the domain's memory (its data limit), it is refused when it would not
 * leave the daemon its headroom, and it goes when the session does (-a,
 * a second -b, a failure, the connection closing).  Only privileged
 * connections reach CONTROL at all.
 *
 * The exec is the domain's kexec: the image is copied into anonymous
 * memory (a memfd, no file in anybody's file system) and exec'd in
 * place, so the domain keeps its process, hence its hypercall channel
 * (its domid), its memory limit, its event channel handle and its
 * consoles; the state goes through the domain's own directory, as Xen's
 * goes through its 9pfs share.  Only an image that is ours is taken (an
 * ELF that knows --check-state): another would get a stream it may not
 * read and no way back, and a xenstore domain that dies takes xenstore
 * with it.  The domain cannot run the image to ask its --help which
 * store layout it takes (lu_probe), so the same words are looked for in
 * its text: a kernel of our layout gets the store as one image.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <talloc.h>
#include <unistd.h>

#include "conn.h"
#include "dispatch.h"
#include "log.h"
#include "lu_int.h"
#include "mem.h"
#include "store.h"
#include "xs_wire.h"

/* The most -b may announce without a data limit to bound it. */
#define IMAGE_MAX (256u << 20)
/* Newer kernels want memfds that may be exec'd to say so. */
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

struct lu_image {
	char *data;
	size_t size, off;
};

static bool enabled;

void
lu_upload_enable(void)
{
	enabled = true;
}

bool
lu_upload_enabled(void)
{
	return enabled;
}

size_t
lu_upload_size(const char *s, size_t max)
{
	size_t v = 0;

	if (*s == '\0')
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (size_t)(*s - '0')) / 10)
			return 0;
		v = v * 10 + (size_t)(*s - '0');
	}
	return v;
}

/* What -b may announce: the domain's memory bounds it. */
static size_t
size_max(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < IMAGE_MAX)
		return (size_t)rl.rlim_cur;
	return IMAGE_MAX;
}

const char *
lu_upload_begin(struct conn *c, const char *arg, int *err)
{
	struct lu_session *s = lu_session();
	size_t size = lu_upload_size(arg, SIZE_MAX);
	struct lu_image *img;
	const char *why;

	if (size == 0) {
		*err = EINVAL;
		return NULL;
	}
	log_info("live-update: kernel of %zu bytes", size);
	/* -b again on its own session starts the upload again. */
	if (s != NULL && s->conn == c && !s->started)
		talloc_free(s);
	if (size > size_max())
		return "Allocation failure.";
	if ((why = lu_session_open(c)) != NULL)
		return why;
	s = lu_session();
	s->file = talloc_strdup(s, "(uploaded kernel)");
	img = talloc_zero(s, struct lu_image);
	if (s->file == NULL || img == NULL ||
	    (img->data = talloc_size(img, size)) == NULL ||
	    mem_headroom() != 0) {
		log_warnx("live-update: no memory for a kernel of %zu bytes",
			  size);
		talloc_free(s);
		return "Allocation failure.";
	}
	img->size = size;
	s->kernel = img;
	/* dom0's ring carries every dom0 client: dispatch.h says why. */
	dispatch_hold_exempt(c);
	return NULL;
}

int
lu_upload_chunk(const char *body, size_t len, const char **data, size_t *n)
{
	const char *p = body, *end = body + len, *nul;
	int i;

	*n = 0;
	/* Past "live-update", "-d" and the length: the chunk's bytes. */
	for (i = 0; i < 3; i++) {
		if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL)
			return EINVAL;
		if (i == 1 && strcmp(p, "-d") != 0)
			return EINVAL;
		if (i == 2)
			*n = lu_upload_size(p, XENSTORE_PAYLOAD_MAX);
		p = nul + 1;
	}
	if (*n == 0 || *n > (size_t)(end - p))
		return EINVAL;
	*data = p;
	return 0;
}

const char *
lu_upload_data(struct conn *c, const struct msg *m, int *err)
{
	struct lu_session *s = lu_session();
	const char *p = NULL;
	size_t len;

	if ((*err = lu_upload_chunk(m->body, m->hdr.len, &p, &len)) != 0)
		return NULL;
	if (s == NULL || s->conn != c || s->kernel == NULL || s->started)
		return "Not in live-update session.";
	if (len > s->kernel->size - s->kernel->off)
		return "Too much kernel data.";
	memcpy(s->kernel->data + s->kernel->off, p, len);
	s->kernel->off += len;
	return NULL;
}

bool
lu_upload_is_xenstored(const void *img, size_t size)
{
	static const char elf[] = "\177ELF", mark[] = "--check-state";

	return size > 4 && memcmp(img, elf, 4) == 0 &&
	       memmem(img, size, mark, sizeof(mark) - 1) != NULL;
}

const char *
lu_upload_ready(struct lu_session *s)
{
	const struct lu_image *img = s->kernel;

	if (img->off != img->size)
		return "Kernel not complete.";
	s->ours = lu_upload_is_xenstored(img->data, img->size);
	if (!s->ours) {
		log_warnx(
			"live-update: the uploaded kernel is not a xenstored");
		return "Error activating new binary.";
	}
	s->image = memmem(img->data, img->size, LU_IMAGE_HELP,
			  sizeof(LU_IMAGE_HELP) - 1) != NULL;
	return NULL;
}

/* The image in anonymous memory that may be exec'd; -1 with errno. */
static int
image_fd(const struct lu_image *img)
{
	int fd = memfd_create("xenstored", MFD_CLOEXEC | MFD_EXEC), err;
	size_t done = 0;
	ssize_t n;

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("xenstored", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	while (done < img->size) {
		n = write(fd, img->data + done, img->size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : EIO;
			close(fd);
			errno = err;
			return -1;
		}
		done += (size_t)n;
	}
	return fd;
}

void
lu_upload_exec(const struct lu_image *img, char **argv)
{
	extern char **environ;
	int fd = image_fd(img), err;

	if (fd < 0)
		return;
	fexecve(fd, argv, environ);
	err = errno;
	close(fd);
	errno = err;
}
