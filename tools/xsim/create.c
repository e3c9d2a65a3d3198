/* SPDX-License-Identifier: MIT */
/*
 * The create command (create.h).  Which form: `-f CONFIG`, or a first
 * argument that names an existing file or ends in ".cfg", is xl's;
 * otherwise the first argument is the new domain's name.
 *
 * xl's form: the file is parsed, then each KEY=VALUE after it as one
 * more line of it (so it wins; bare words are strings there, so
 * `name=g2` needs no quotes).  The guest kernel's arguments come from
 * `extra` (or `cmdline`), split as sh splits words, so one xsim-guest
 * operation with blanks is one quoted word:
 *
 *   extra = "-t 5 'write data/greeting hello' sleep"
 *     -> xsim-guest -t 5 "write data/greeting hello" sleep
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "create.h"
#include "dom.h"
#include "host.h"
#include "util.h"

#define CONFIG_MAX_BYTES 65536

static int
usage(void)
{
	fprintf(stderr, "usage: xsim create [-F] [-f] CONFIG [KEY=VALUE...]\n"
			"       xsim create NAME [-F] [-k KERNEL] [-c "
			"destroy|preserve] "
			"[-p destroy|preserve] [-- KERNEL-ARG...]\n");
	return 2;
}

static int
action(const char *s, enum dom_action *a)
{
	if (strcmp(s, "destroy") == 0)
		*a = DOM_DESTROY;
	else if (strcmp(s, "preserve") == 0)
		*a = DOM_PRESERVE;
	else
		return -1;
	return 0;
}

/* The whole file, malloc()ed and NUL-terminated; NULL after a message. */
static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (f == NULL) {
		util_err("cannot open %s", path);
		return NULL;
	}
	buf = malloc(CONFIG_MAX_BYTES + 1);
	n = buf != NULL ? fread(buf, 1, CONFIG_MAX_BYTES + 1, f) : 0;
	fclose(f);
	if (buf == NULL || n > CONFIG_MAX_BYTES) {
		util_errx("%s: larger than %d bytes", path, CONFIG_MAX_BYTES);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* The file and the settings after it into c; 0 or -1 after a message. */
static int
load(struct config *c, const char *file, char **settings, int n)
{
	char err[512], *text = read_file(file);
	int i, r;

	if (text == NULL)
		return -1;
	config_init(c);
	r = config_parse(c, text, file, false, err, sizeof(err));
	free(text);
	for (i = 0; r == 0 && i < n; i++) {
		if (strchr(settings[i], '=') == NULL) {
			snprintf(err, sizeof(err),
				 "command line: %s is not "
				 "KEY=VALUE",
				 settings[i]);
			r = -1;
		} else {
			r = config_parse(c, settings[i], "command line", true,
					 err, sizeof(err));
		}
	}
	if (r < 0)
		util_errx("%s", err);
	else if (c->name[0] == '\0') {
		util_errx("%s: no name", file);
		r = -1;
	}
	return r;
}

/* Build and start the guest c describes (uuid: see dom_opts). */
static int
create_config(struct config *c, const char *file, bool fg, const char *uuid)
{
	const char *disks[CONFIG_MAX_DEVS], *vifs[CONFIG_MAX_DEVS];
	struct dom_opts o = {.foreground = fg, .uuid = uuid};
	char **args = NULL;
	unsigned i;
	int r = 1;

	if (config_split_args(c->extra, &args) < 0) {
		util_errx("%s: extra: unterminated quote", file);
		goto out;
	}
	o.name = c->name;
	o.kernel = c->kernel[0] != '\0' ? c->kernel : NULL;
	o.args = args;
	action(c->on_poweroff[0] ? c->on_poweroff : "destroy", &o.on_poweroff);
	action(c->on_crash[0] ? c->on_crash : "destroy", &o.on_crash);
	o.memory_mb = c->memory;
	o.maxmem_mb = c->maxmem;
	o.vcpus = c->vcpus > 0 ? (unsigned)c->vcpus : 1;
	o.driver_domain = c->driver_domain != 0;
	for (i = 0; i < c->ndisks; i++)
		disks[i] = c->disks[i];
	for (i = 0; i < c->nvifs; i++)
		vifs[i] = c->vifs[i];
	o.disks = disks;
	o.ndisks = c->ndisks;
	o.vifs = vifs;
	o.nvifs = c->nvifs;
	r = dom_create(&o);
out:
	config_free_args(args);
	return r;
}

static int
create_from_config(const char *file, char **settings, int n, bool fg,
		   const char *rundir)
{
	struct config *c = malloc(sizeof(*c));
	int r = 1;

	if (c != NULL && load(c, file, settings, n) == 0 &&
	    host_init(rundir, false) == 0)
		r = create_config(c, file, fg, NULL);
	free(c);
	return r;
}

int
create_from_text(const char *text, const char *source, const char *uuid)
{
	struct config *c = malloc(sizeof(*c));
	char err[512];
	int r = 1;

	if (c == NULL)
		return 1;
	config_init(c);
	if (config_parse(c, text, source, false, err, sizeof(err)) < 0)
		util_errx("%s", err);
	else if (c->name[0] == '\0')
		util_errx("%s: no name", source);
	else
		r = create_config(c, source, false, uuid);
	free(c);
	return r;
}

/* The older form: NAME [-F] [-k KERNEL] [-c A] [-p A] [-- ARGS]. */
static int
create_named(int argc, char **argv, const char **rundir)
{
	struct dom_opts o = {.on_poweroff = DOM_DESTROY,
			     .on_crash = DOM_DESTROY,
			     .memory_mb = -1,
			     .maxmem_mb = -1};
	int c;

	o.name = argv[1];
	argc--;
	argv++;
	while ((c = getopt(argc, argv, "+r:Fk:c:p:")) != -1) {
		if (c == 'r')
			*rundir = optarg;
		else if (c == 'F')
			o.foreground = true;
		else if (c == 'k')
			o.kernel = optarg;
		else if (c != 'c' && c != 'p')
			return usage();
		else if (action(optarg,
				c == 'c' ? &o.on_crash : &o.on_poweroff) < 0) {
			util_errx("unknown action %s (destroy or preserve)",
				  optarg);
			return usage();
		}
	}
	o.args = argv + optind;
	if (host_init(*rundir, false) < 0)
		return 1;
	return dom_create(&o);
}

static bool
is_config(const char *arg)
{
	size_t n = strlen(arg);
	struct stat st;

	return stat(arg, &st) == 0 ||
	       (n > 4 && strcmp(arg + n - 4, ".cfg") == 0);
}

int
create_main(int argc, char **argv, const char **rundir)
{
	bool fg = false, file = false;
	int c;

	if (argc >= 2 && argv[1][0] != '-' && !is_config(argv[1]))
		return create_named(argc, argv, rundir);
	while ((c = getopt(argc, argv, "+r:Ff")) != -1) {
		if (c == 'r')
			*rundir = optarg;
		else if (c == 'F')
			fg = true;
		else if (c == 'f')
			file = true;
		else
			return usage();
	}
	(void)file; /* xl's -f only says the next argument is the file */
	if (optind >= argc)
		return usage();
	return create_from_config(argv[optind], argv + optind + 1,
				  argc - optind - 1, fg, *rundir);
}
