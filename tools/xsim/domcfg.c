/* SPDX-License-Identifier: MIT */
/*
 * A guest's saved configuration (domcfg.h).  Strings are written in
 * "..." with a backslash before '"' and '\' (xl.cfg's escapes, which
 * config.c reads); the kernel's arguments become one `extra` string in
 * which each argument is single-quoted as sh would quote it, so that
 * config_split_args() gives back exactly the same words:
 *
 *   args {"write data/x 1", "it's"}
 *     -> extra = "'write data/x 1' 'it'\\''s'"
 *
 * The device specs are saved as given (a disk's target is a path every
 * host of the pool sees: shared storage), but a vif without mac= gets
 * the MAC it was given, so that the guest keeps it on another host.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dom.h"
#include "domcfg.h"
#include "record.h"
#include "util.h"
#include "xenstore.h"

#define DOMCFG_MAX_BYTES 65536

/* s as a "..." string of xl.cfg. */
static void
put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* The arguments, each sh-quoted, separated by blanks. */
static char *
sh_words(char *const *args)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *s;
	unsigned i;

	if (f == NULL)
		return NULL;
	for (i = 0; args != NULL && args[i] != NULL; i++) {
		fputs(i ? " '" : "'", f);
		for (s = args[i]; *s; s++) {
			if (*s == '\'')
				fputs("'\\''", f);
			else
				fputc(*s, f);
		}
		fputc('\'', f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void
put_list(FILE *f, const char *key, const char *const *v, unsigned n)
{
	unsigned i;

	if (n == 0)
		return;
	fprintf(f, "%s = [ ", key);
	for (i = 0; i < n; i++) {
		put_str(f, v[i]);
		fputs(i + 1 < n ? ", " : " ]\n", f);
	}
}

char *
domcfg_text(const struct dom_opts *o)
{
	char *buf = NULL, *words;
	size_t len = 0;
	FILE *f;

	if ((words = sh_words(o->args)) == NULL)
		return NULL;
	if ((f = open_memstream(&buf, &len)) == NULL) {
		free(words);
		return NULL;
	}
	fputs("name = ", f);
	put_str(f, o->name);
	fputc('\n', f);
	if (o->memory_mb >= 0)
		fprintf(f, "memory = %ld\n", o->memory_mb);
	if (o->maxmem_mb >= 0)
		fprintf(f, "maxmem = %ld\n", o->maxmem_mb);
	fprintf(f, "vcpus = %u\n", o->vcpus > 0 ? o->vcpus : 1);
	if (o->driver_domain)
		fputs("driver_domain = 1\n", f);
	fprintf(f, "on_poweroff = \"%s\"\non_crash = \"%s\"\n",
		o->on_poweroff == DOM_PRESERVE ? "preserve" : "destroy",
		o->on_crash == DOM_PRESERVE ? "preserve" : "destroy");
	if (o->kernel != NULL) {
		fputs("kernel = ", f);
		put_str(f, o->kernel);
		fputc('\n', f);
	}
	fputs("extra = ", f);
	put_str(f, words);
	fputc('\n', f);
	put_list(f, "disk", o->disks, o->ndisks);
	put_list(f, "vif", o->vifs, o->nvifs);
	free(words);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * Vif i's spec with the MAC its device got, if it named none (and no
 * devid: attached at creation, vif i is devid i); NULL: keep it.
 */
static char *
with_mac(struct xs_handle *xsh, unsigned domid, unsigned i, const char *spec)
{
	char path[128], *be, *mac, *s = NULL;

	if (strstr(spec, "mac=") != NULL || strstr(spec, "devid=") != NULL)
		return NULL;
	snprintf(path, sizeof(path), "/libxl/%u/device/vif/%u/backend", domid,
		 i);
	if ((be = xs_read(xsh, XBT_NULL, path, NULL)) == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/mac", be);
	free(be);
	if ((mac = xs_read(xsh, XBT_NULL, path, NULL)) == NULL)
		return NULL;
	if (asprintf(&s, "%s%smac=%s", spec, *spec ? "," : "", mac) < 0)
		s = NULL;
	free(mac);
	return s;
}

int
domcfg_save(const struct dom_opts *o, struct xs_handle *xsh, unsigned domid)
{
	char path[PATH_MAX], *text, *macs[CONFIG_MAX_DEVS] = {NULL};
	const char *vifs[CONFIG_MAX_DEVS];
	struct dom_opts copy = *o;
	unsigned i;
	FILE *f;
	int ok;

	for (i = 0; i < o->nvifs && i < CONFIG_MAX_DEVS; i++) {
		macs[i] = with_mac(xsh, domid, i, o->vifs[i]);
		vifs[i] = macs[i] != NULL ? macs[i] : o->vifs[i];
	}
	copy.vifs = vifs;
	text = domcfg_text(&copy);
	for (i = 0; i < CONFIG_MAX_DEVS; i++)
		free(macs[i]);

	if (text == NULL || record_cfg_path(o->name, path, sizeof(path)) < 0) {
		free(text);
		return -1;
	}
	f = fopen(path, "w");
	ok = f != NULL && fputs(text, f) >= 0;
	if (f != NULL && fclose(f) != 0)
		ok = 0;
	free(text);
	return ok ? 0 : -1;
}

char *
domcfg_load(const char *name)
{
	char path[PATH_MAX], *buf;
	FILE *f;
	size_t n;

	if (record_cfg_path(name, path, sizeof(path)) < 0 ||
	    (f = fopen(path, "r")) == NULL) {
		util_err("no saved configuration for %s", name);
		return NULL;
	}
	buf = malloc(DOMCFG_MAX_BYTES + 1);
	n = buf != NULL ? fread(buf, 1, DOMCFG_MAX_BYTES + 1, f) : 0;
	fclose(f);
	if (buf == NULL || n > DOMCFG_MAX_BYTES) {
		util_errx("%s: larger than %d bytes", path, DOMCFG_MAX_BYTES);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}
