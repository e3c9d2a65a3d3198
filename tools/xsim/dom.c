/* SPDX-License-Identifier: MIT */
/*
 * Domain lifecycle of the xsim toolstack (dom.h).  Building a domain
 * follows libxl's order:
 *
 *   1. xc_domain_create (paused), with a fresh UUID as its handle;
 *   2. the xenstore event channel: xc_evtchn_alloc_unbound(domid, X),
 *      X being the xenstore domain (/tool/xenstored/domid, as libxl
 *      reads it; 0 without one), whose reserved grant 1 it gets too;
 *   3. the start info (foreign mapping of frame XSIM_START_INFO_PFN):
 *      store_evtchn, as Xen's domain builder writes it;
 *   4. the xenstore layout (layout.c), one transaction;
 *   5. INTRODUCE(domid, store gfn, port), after ~/store/port and ring-ref
 * exist;
 *   6. the domain's hypercall channel and unpause;
 *   7. its devices (device.c), each attached and waited for (InitWait,
 *      hotplug) as libxl does before the guest runs;
 *   8. the guest kernel started with the channel under a monitor.
 *
 * The monitor is xl's per-domain process: it is the guest's parent,
 * waits for it, and then applies on_poweroff / on_crash (destroy, or
 * preserve the dead domain for inspection).  `xsim destroy` marks the
 * record first, so that a monitor waking up at the same time leaves the
 * teardown to it.  Teardown is idempotent: every step tolerates that
 * another already did it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenforeignmemory.h>

#include "device.h"
#include "dom.h"
#include "dom0.h"
#include "domcfg.h"
#include "host.h"
#include "layout.h"
#include "record.h"
#include "txn.h"
#include "util.h"
#include "xenstore.h"
#include "xensim.h"

#define GONE_TIMEOUT_MS 10000
#define XSIM_MAX_XENSTORE_DOMID 0x7FEFUL
#define SHUTDOWN_TIMEOUT_MS 30000

/* What building a domain yields. */
struct built {
	uint32_t domid;
	uint32_t store_domid; /* the domain serving xenstore */
	int chan;
	struct layout_dom lay;
};

/* The xenstore domain's id, as libxl reads it: 0 if xenstore is dom0's. */
static uint32_t
xenstore_domid(struct xs_handle *xsh)
{
	unsigned len;
	char *s = xs_read(xsh, XBT_NULL, "/tool/xenstored/domid", &len);
	unsigned long v = s ? strtoul(s, NULL, 10) : 0;

	free(s);
	return v <= XSIM_MAX_XENSTORE_DOMID ? (uint32_t)v : 0;
}

static xc_interface *
open_xc(void)
{
	xc_interface *xch = xc_interface_open(NULL, NULL, 0);

	if (xch == NULL)
		util_err("cannot reach the hypervisor in %s/hyp", host_dir());
	return xch;
}

/* Step 3: tell the guest its store port; learn its store frame. */
static int
write_start_info(uint32_t domid, struct layout_dom *lay, uint32_t store_domid)
{
	xenforeignmemory_handle *fmem = xenforeignmemory_open(NULL, 0);
	xen_pfn_t pfn = XSIM_START_INFO_PFN;
	struct xsim_start_info *si;

	if (fmem == NULL) {
		util_err("xenforeignmemory_open");
		return -1;
	}
	si = xenforeignmemory_map(fmem, domid, PROT_READ | PROT_WRITE, 1, &pfn,
				  NULL);
	if (si == NULL) {
		util_err("cannot map the start info of domain %u", domid);
		xenforeignmemory_close(fmem);
		return -1;
	}
	if (memcmp(si->magic, XSIM_START_MAGIC, sizeof(si->magic)) != 0) {
		util_errx("domain %u has no start info", domid);
		xenforeignmemory_unmap(fmem, si, 1);
		xenforeignmemory_close(fmem);
		return -1;
	}
	si->store_evtchn = lay->store_port;
	si->store_domid = store_domid;
	lay->store_gfn = si->store_pfn;
	lay->memkb = (unsigned long)si->nr_pages * XSIM_PAGE_SIZE / 1024;
	xenforeignmemory_unmap(fmem, si, 1);
	xenforeignmemory_close(fmem);
	return 0;
}

/* Undo a partly built domain. */
static void
unbuild(xc_interface *xch, struct xs_handle *xsh, struct built *b)
{
	if (b->chan >= 0)
		close(b->chan);
	layout_domain_remove(xsh, b->domid, b->lay.keep_vm);
	xc_domain_destroy(xch, b->domid);
}

/* The 16 bytes of a uuid's text form; 0 or -1. */
static int
parse_uuid(const char *s, unsigned char b[16])
{
	unsigned i = 0, v;

	if (strlen(s) != LAYOUT_UUID_LEN)
		return -1;
	for (; *s && i < 16; s += 2) {
		if (*s == '-')
			s++;
		if (sscanf(s, "%2x", &v) != 1)
			return -1;
		b[i++] = (unsigned char)v;
	}
	return i == 16 ? 0 : -1;
}

/* Steps 1 to 6 but starting the guest; 0 or -1 after a message. */
static int
build(xc_interface *xch, struct xs_handle *xsh, const struct dom_opts *o,
      struct built *b)
{
	struct xen_domctl_createdomain cfg = {.max_vcpus = 1};
	int port;

	memset(b, 0, sizeof(*b));
	b->chan = -1;
	b->lay.name = o->name;
	b->lay.vcpus = o->vcpus > 0 ? o->vcpus : 1;
	b->lay.driver_domain = o->driver_domain;
	cfg.max_vcpus = b->lay.vcpus;
	if (o->uuid != NULL) {
		if (parse_uuid(o->uuid, cfg.handle) < 0) {
			util_errx("bad uuid %s", o->uuid);
			return -1;
		}
		snprintf(b->lay.uuid, sizeof(b->lay.uuid), "%s", o->uuid);
		b->lay.keep_vm = true;
	} else if (layout_new_uuid(cfg.handle, b->lay.uuid) < 0) {
		util_err("cannot make a UUID");
		return -1;
	}
	if (xc_domain_create(xch, &b->domid, &cfg) < 0) {
		util_err("cannot create domain %s", o->name);
		return -1;
	}
	b->lay.domid = b->domid;
	b->store_domid = xenstore_domid(xsh);
	if (b->store_domid != 0 &&
	    xc_dom_gnttab_seed(xch, b->domid, false, XSIM_CONSOLE_PFN,
			       XSIM_STORE_PFN, 0, b->store_domid) < 0) {
		util_err("cannot grant the ring of domain %u to xenstore",
			 b->domid);
		goto fail;
	}
	port = xc_evtchn_alloc_unbound(xch, b->domid, b->store_domid);
	if (port < 0) {
		util_err("cannot allocate the xenstore port of domain %u",
			 b->domid);
		goto fail;
	}
	b->lay.store_port = (unsigned)port;
	if (write_start_info(b->domid, &b->lay, b->store_domid) < 0)
		goto fail;
	/* The configuration's sizes, as libxl writes them. */
	if (o->memory_mb >= 0)
		b->lay.memkb = (unsigned long)o->memory_mb * 1024;
	if (o->maxmem_mb >= 0)
		b->lay.maxkb = (unsigned long)o->maxmem_mb * 1024;
	if (layout_domain_create(xsh, &b->lay) < 0) {
		util_err("cannot write the xenstore nodes of domain %u",
			 b->domid);
		goto fail;
	}
	if (!xs_introduce_domain(xsh, b->domid, b->lay.store_gfn,
				 b->lay.store_port)) {
		util_err("xenstored refused to introduce domain %u", b->domid);
		goto fail;
	}
	b->chan = xsim_domain_channel(xch, b->domid);
	if (b->chan < 0) {
		util_err("cannot get the channel of domain %u", b->domid);
		goto fail;
	}
	if (xc_domain_unpause(xch, b->domid) < 0) {
		util_err("cannot unpause domain %u", b->domid);
		goto fail;
	}
	return 0;
fail:
	unbuild(xch, xsh, b);
	return -1;
}

/*
 * Tear a domain down: stop its guest, destroy it in the hypervisor,
 * remove its nodes and its record.  Everything may be done already.
 */
static int
teardown(const struct record *r, bool keep_vm)
{
	struct xs_handle *xsh;
	xc_interface *xch;
	int ret = 0;

	if (r->pid > 0 && util_pid_alive(r->pid)) {
		kill(r->pid, SIGKILL);
		if (util_wait_gone(r->pid, GONE_TIMEOUT_MS) < 0)
			util_err("guest of %s (pid %ld) does not die", r->name,
				 (long)r->pid);
	}
	/* Devices first, so their backends close and hotplug runs remove. */
	xsh = txn_open();
	if (xsh == NULL || device_remove_all(xsh, r->domid, true) < 0)
		ret = -1;
	xch = open_xc();
	if (xch == NULL)
		ret = -1;
	else if (xc_domain_destroy(xch, r->domid) < 0 && errno != ESRCH) {
		util_err("cannot destroy domain %u", r->domid);
		ret = -1;
	}
	xc_interface_close(xch);
	if (xsh != NULL && layout_domain_remove(xsh, r->domid, keep_vm) < 0) {
		util_err("cannot remove the nodes of domain %u", r->domid);
		ret = -1;
	}
	xs_close(xsh);
	record_remove(r->name);
	return ret;
}

/* The guest stopped: apply its on_poweroff / on_crash action. */
static void
reap(const char *name)
{
	struct record r;
	xc_interface *xch;
	xc_dominfo_t info;
	int crashed = 1, n;

	if (record_destroying(name) || record_read(name, &r) < 0)
		return; /* `xsim destroy` has it */
	xch = open_xc();
	if (xch == NULL)
		return;
	n = xc_domain_getinfo(xch, r.domid, 1, &info);
	xc_interface_close(xch);
	if (n == 1 && info.domid == r.domid && info.shutdown)
		crashed = info.shutdown_reason == SHUTDOWN_crash;
	if ((crashed ? r.on_crash : r.on_poweroff) == DOM_DESTROY)
		teardown(&r, false);
}

static int
wait_guest(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return 1;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* The guest kernel's argv: its path, -b, the arguments and a NULL. */
#define GUEST_ARGV_MAX 256

/* How many kernel arguments fit in it beside the rest. */
static unsigned
args_room(const struct dom_opts *o)
{
	return GUEST_ARGV_MAX - 2 - (o->driver_domain ? 1 : 0);
}

/*
 * Refuse what would not reach the guest whole: the guest would run a
 * script cut after its 254th operation, and nobody would learn it.
 */
static int
args_fit(const struct dom_opts *o)
{
	unsigned n = 0;

	while (o->args != NULL && o->args[n] != NULL)
		n++;
	if (n <= args_room(o))
		return 0;
	util_errx("%s: %u kernel arguments, at most %u fit", o->name, n,
		  args_room(o));
	return -1;
}

/*
 * In the child: become the guest kernel, with the channel as its only
 * hypercall descriptor (our dom0 handles are close-on-exec).  The
 * arguments fit: args_fit() said so before the domain was built.
 */
static void __attribute__((noreturn))
exec_guest(const struct dom_opts *o, int chan, int log_fd)
{
	char kernel[PATH_MAX], num[16];
	char *argv[GUEST_ARGV_MAX];
	int i, n = 0, fd;

	if (o->kernel != NULL)
		snprintf(kernel, sizeof(kernel), "%s", o->kernel);
	else
		snprintf(kernel, sizeof(kernel), "%s/xsim-guest",
			 util_bindir());
	if (log_fd >= 0) {
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, STDIN_FILENO);
		dup2(log_fd, STDOUT_FILENO);
		dup2(log_fd, STDERR_FILENO);
	}
	argv[n++] = kernel;
	if (o->driver_domain) {
		static char opt_b[] = "-b";

		argv[n++] = opt_b; /* run the backend drivers */
	}
	for (i = 0;
	     o->args != NULL && o->args[i] != NULL && n < GUEST_ARGV_MAX - 1;
	     i++)
		argv[n++] = o->args[i];
	argv[n] = NULL;
	snprintf(num, sizeof(num), "%d", chan);
	setenv(XENHYP_CHANNEL_ENV, num, 1);
	unsetenv("XENSTORED_PATH");
	execv(kernel, argv);
	fprintf(stderr, "xsim: cannot run the guest kernel %s: %s\n", kernel,
		strerror(errno));
	_exit(127);
}

static void
fill_record(struct record *r, const struct dom_opts *o, const struct built *b,
	    pid_t pid, pid_t monitor)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", o->name);
	snprintf(r->uuid, sizeof(r->uuid), "%s", b->lay.uuid);
	r->domid = b->domid;
	r->pid = pid;
	r->monitor = monitor;
	r->start = time(NULL);
	r->on_poweroff = o->on_poweroff;
	r->on_crash = o->on_crash;
}

/* Foreground: we are the monitor; the guest has our stdio. */
static int
run_foreground(const struct dom_opts *o, struct built *b)
{
	struct record r;
	pid_t pid;
	int status;

	if (o->driver_domain && dom0_driver_hotplugd(b->domid) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		util_err("cannot fork the guest");
		return -1;
	}
	if (pid == 0)
		exec_guest(o, b->chan, -1);
	close(b->chan);
	b->chan = -1;
	fill_record(&r, o, b, pid, getpid());
	if (record_write(&r) < 0)
		util_err("cannot write the record of %s", o->name);
	status = wait_guest(pid);
	if (o->driver_domain)
		dom0_driver_hotplugd_stop(b->domid);
	reap(o->name);
	return status;
}

/*
 * Background: fork the monitor, which forks the guest, records both and
 * says "ok" on the pipe before it waits.
 */
static int
run_background(const struct dom_opts *o, struct built *b, struct xs_handle *xsh,
	       xc_interface *xch)
{
	char log[PATH_MAX], ok[3] = "";
	struct record r;
	int sync[2], log_fd, fd;
	pid_t monitor, pid;

	if (record_log_path(o->name, log, sizeof(log)) < 0 ||
	    (log_fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			   0600)) < 0) {
		util_err("cannot open the guest's log");
		return -1;
	}
	if (pipe2(sync, O_CLOEXEC) < 0) {
		util_err("pipe");
		close(log_fd);
		return -1;
	}
	fflush(NULL);
	monitor = fork();
	if (monitor < 0) {
		util_err("cannot fork the monitor");
		close(log_fd);
		return -1;
	}
	if (monitor == 0) {
		close(sync[0]);
		setsid();
		xs_daemon_destroy_postfork(xsh);
		xc_interface_close(xch);
		/* The driver domain's hotplug daemon lives as long as it. */
		if (o->driver_domain && dom0_driver_hotplugd(b->domid) < 0)
			_exit(1);
		pid = fork();
		if (pid < 0)
			_exit(1);
		if (pid == 0)
			exec_guest(o, b->chan, log_fd);
		close(b->chan);
		fill_record(&r, o, b, pid, getpid());
		if (record_write(&r) < 0)
			_exit(1);
		if (write(sync[1], "ok", 2) != 2)
			_exit(1);
		close(sync[1]);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
		}
		dup2(log_fd, STDERR_FILENO);
		close(log_fd);
		wait_guest(pid);
		if (o->driver_domain)
			dom0_driver_hotplugd_stop(b->domid);
		reap(o->name);
		_exit(0);
	}
	close(sync[1]);
	close(log_fd);
	close(b->chan);
	b->chan = -1;
	if (read(sync[0], ok, 2) != 2 || strcmp(ok, "ok") != 0) {
		util_errx("the monitor of %s failed", o->name);
		close(sync[0]);
		return -1;
	}
	close(sync[0]);
	return 0;
}

/*
 * Every device of the configuration, in order, each waited for as libxl
 * does before it unpauses the guest; on a failure the ones attached
 * already are removed.  0, or -1 after the failing device's message.
 */
static int
attach_devices(struct xs_handle *xsh, const struct dom_opts *o, unsigned domid)
{
	unsigned i;

	for (i = 0; i < o->ndisks; i++)
		if (device_attach(xsh, domid, DEVICE_VBD, o->disks[i]) < 0)
			goto fail;
	for (i = 0; i < o->nvifs; i++)
		if (device_attach(xsh, domid, DEVICE_VIF, o->vifs[i]) < 0)
			goto fail;
	return 0;
fail:
	util_errx("domain %s not created", o->name);
	device_remove_all(xsh, domid, true);
	return -1;
}

int
dom_create(const struct dom_opts *o)
{
	struct xs_handle *xsh;
	xc_interface *xch;
	struct record old;
	struct built b;
	int ret = 1;

	if (!record_name_ok(o->name)) {
		util_errx("bad domain name \"%s\" (1-%d of A-Z a-z 0-9 _ -)",
			  o->name, RECORD_NAME_MAX);
		return 1;
	}
	if (args_fit(o) < 0)
		return 1;
	if (record_read(o->name, &old) == 0) {
		util_errx("domain %s already exists (id %u)", o->name,
			  old.domid);
		return 1;
	}
	xch = open_xc();
	xsh = xch != NULL ? txn_open() : NULL;
	if (xch == NULL || xsh == NULL)
		goto out;
	if (build(xch, xsh, o, &b) < 0)
		goto out;
	if (attach_devices(xsh, o, b.domid) < 0) {
		unbuild(xch, xsh, &b);
		goto out;
	}
	if (domcfg_save(o, xsh, b.domid) < 0)
		util_err("warning: cannot save the configuration of %s (it "
			 "cannot migrate)",
			 o->name);
	if (o->foreground) {
		xs_close(xsh);
		xc_interface_close(xch);
		return run_foreground(o, &b);
	}
	if (run_background(o, &b, xsh, xch) < 0) {
		device_remove_all(xsh, b.domid, true);
		unbuild(xch, xsh, &b);
		record_remove(o->name);
		goto out;
	}
	ret = 0;
out:
	xs_close(xsh);
	xc_interface_close(xch);
	return ret;
}

static void
close_devices(unsigned domid)
{
	struct xs_handle *xsh = txn_open();

	if (xsh != NULL)
		device_remove_all(xsh, domid, false);
	xs_close(xsh);
}

int
dom_destroy(const char *which)
{
	struct record r;

	if (record_get(which, &r) < 0)
		return -1;
	if (record_mark_destroying(r.name) < 0) {
		util_err("cannot mark %s for destruction", r.name);
		return -1;
	}
	/*
	 * While the guest runs, its frontends close with their backends:
	 * the graceful walk, which also works for backends in a driver
	 * domain, which cannot see a guest die.
	 */
	if (r.pid > 0 && util_pid_alive(r.pid))
		close_devices(r.domid);
	/* The monitor sees the mark once its guest is gone, and leaves. */
	if (r.pid > 0 && util_pid_alive(r.pid))
		kill(r.pid, SIGKILL);
	if (r.monitor > 0 && r.monitor != getpid())
		util_wait_gone(r.monitor, GONE_TIMEOUT_MS);
	return teardown(&r, false);
}

int
dom_destroy_migrated(const char *name)
{
	struct record r;

	if (record_get(name, &r) < 0)
		return -1;
	if (record_mark_destroying(r.name) < 0) {
		util_err("cannot mark %s for destruction", r.name);
		return -1;
	}
	/* Paused: it cannot close its frontends; the walk is forced. */
	if (r.pid > 0 && util_pid_alive(r.pid))
		kill(r.pid, SIGKILL);
	if (r.monitor > 0 && r.monitor != getpid())
		util_wait_gone(r.monitor, GONE_TIMEOUT_MS);
	return teardown(&r, true);
}

struct destroy_pass {
	bool all; /* else only the domains that host no backends */
	int ret;
};

/* True if domid hosts backends (a driver domain serving a guest). */
static bool
hosts_backends(unsigned domid)
{
	struct xs_handle *xsh = xs_open(0);
	char path[64], **ents;
	unsigned n = 0;

	if (xsh == NULL)
		return false;
	snprintf(path, sizeof(path), "/local/domain/%u/backend", domid);
	ents = xs_directory(xsh, XBT_NULL, path, &n);
	free(ents);
	xs_close(xsh);
	return ents != NULL && n > 0;
}

static int
destroy_one(const struct record *r, void *arg)
{
	struct destroy_pass *p = arg;

	if ((p->all || !hosts_backends(r->domid)) && dom_destroy(r->name) < 0)
		p->ret = -1;
	return 0;
}

/*
 * Guests first, driver domains last: a guest's devices close only while
 * the domain serving them still runs.
 */
int
dom_destroy_all(void)
{
	struct destroy_pass p = {false, 0};

	if (record_foreach(destroy_one, &p) < 0)
		return -1;
	p.all = true;
	if (record_foreach(destroy_one, &p) < 0)
		return -1;
	return p.ret;
}

struct list_name {
	unsigned domid;
	struct record r;
	bool found;
};

static int
record_by_domid(const struct record *r, void *arg)
{
	struct list_name *ln = arg;

	if (r->domid != ln->domid)
		return 0;
	ln->r = *r;
	ln->found = true;
	return 1;
}

/*
 * Memory (MB) and vcpus as the toolstack set them in xenstore: the
 * simulated hypervisor gives every domain the same few pages and one vcpu.
 * A xenstore domain's is the hypervisor's: it grows on demand.
 */
static void
list_size(struct xs_handle *xsh, const xc_dominfo_t *info, unsigned long *mb,
	  unsigned *vcpus)
{
	char path[64], *v, **cpus;
	unsigned n;

	*mb = info->max_memkb / 1024;
	*vcpus = info->nr_online_vcpus;
	snprintf(path, sizeof(path), "/local/domain/%u/memory/target",
		 info->domid);
	v = info->xenstore && info->domid != 0
		    ? NULL
		    : xs_read(xsh, XBT_NULL, path, NULL);
	if (v != NULL && *v != '\0')
		*mb = strtoul(v, NULL, 10) / 1024;
	else if (info->xenstore && info->domid != 0)
		*mb = info->nr_pages * (XSIM_PAGE_SIZE / 1024) / 1024;
	free(v);
	snprintf(path, sizeof(path), "/local/domain/%u/cpu", info->domid);
	cpus = xs_directory(xsh, XBT_NULL, path, &n);
	if (cpus != NULL && n > 0)
		*vcpus = n;
	free(cpus);
}

static void
list_one(struct xs_handle *xsh, const xc_dominfo_t *info)
{
	unsigned long mb;
	unsigned vcpus;
	struct list_name ln = {.domid = info->domid};
	char *name = layout_domain_name(xsh, info->domid);
	double secs = 0;

	list_size(xsh, info, &mb, &vcpus);
	record_foreach(record_by_domid, &ln);
	if (ln.found && ln.r.start > 0)
		secs = difftime(time(NULL), ln.r.start);
	printf("%-40s %5u %5lu %5u     %c%c%c%c%c%c  %8.1f\n",
	       name != NULL	  ? name
	       : info->domid == 0 ? "Domain-0"
	       : ln.found	  ? ln.r.name
				  : "(null)",
	       info->domid, mb, vcpus,
	       !info->paused && !info->shutdown && !info->dying ? 'r' : '-',
	       info->blocked ? 'b' : '-', info->paused ? 'p' : '-',
	       info->shutdown ? 's' : '-',
	       info->shutdown && info->shutdown_reason == SHUTDOWN_crash ? 'c'
									 : '-',
	       info->dying ? 'd' : '-', secs);
	free(name);
}

int
dom_list(void)
{
	xc_dominfo_t info[64];
	struct xs_handle *xsh;
	xc_interface *xch;
	uint32_t next = 0;
	int n, i;

	xch = open_xc();
	xsh = xch != NULL ? txn_open() : NULL;
	if (xsh == NULL) {
		xc_interface_close(xch);
		return -1;
	}
	printf("Name                                        ID   Mem VCPUs\t"
	       "State\tTime(s)\n");
	while ((n = xc_domain_getinfo(xch, next, 64, info)) > 0) {
		for (i = 0; i < n; i++)
			list_one(xsh, &info[i]);
		next = info[n - 1].domid + 1;
	}
	if (n < 0)
		util_err("cannot list the domains");
	xs_close(xsh);
	xc_interface_close(xch);
	return n < 0 ? -1 : 0;
}

int
dom_show(const char *which, const char *what)
{
	struct record r;

	if (record_get(which, &r) < 0)
		return -1;
	if (strcmp(what, "pid") == 0)
		printf("%ld\n", (long)r.pid);
	else
		printf("%u\n", r.domid);
	return 0;
}

int
dom_set_paused(const struct record *r, bool paused)
{
	xc_interface *xch = open_xc();
	int ret = -1;

	if (xch != NULL) {
		ret = paused ? xc_domain_pause(xch, r->domid)
			     : xc_domain_unpause(xch, r->domid);
		xc_interface_close(xch);
	}
	if (ret < 0)
		util_err("cannot %s domain %u", paused ? "pause" : "unpause",
			 r->domid);
	if (r->pid > 0 && util_pid_alive(r->pid))
		kill(r->pid, paused ? SIGSTOP : SIGCONT);
	return ret < 0 ? -1 : 0;
}

int
dom_pause(const char *which, bool paused)
{
	struct record r;

	if (record_get(which, &r) < 0)
		return -1;
	return dom_set_paused(&r, paused);
}

int
dom_shutdown(const char *which, bool wait)
{
	struct xs_handle *xsh;
	struct record r;
	char path[64];
	bool ok;

	if (record_get(which, &r) < 0)
		return -1;
	xsh = txn_open();
	if (xsh == NULL)
		return -1;
	snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown",
		 r.domid);
	ok = xs_write(xsh, XBT_NULL, path, "poweroff", 8);
	if (!ok)
		util_err("cannot write %s", path);
	xs_close(xsh);
	if (!ok)
		return -1;
	if (wait && util_wait_gone(r.monitor, SHUTDOWN_TIMEOUT_MS) < 0) {
		util_err("domain %s did not shut down", r.name);
		return -1;
	}
	return 0;
}
