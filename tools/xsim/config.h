/* SPDX-License-Identifier: MIT */
/*
 * xl-style domain configuration files (xl.cfg(5)), the subset the
 * simulated host uses: `KEY = VALUE` settings, one a line (or separated
 * by `;`), where VALUE is a string in '...' or "...", an integer, or a
 * list [ VALUE, ... ] that may span lines; `#` starts a comment.  Known
 * keys fill struct config; unknown ones are warned about and ignored,
 * as xl does.  Pure parsing: no xenstore, no files (the caller reads
 * the file), so a test can feed it anything.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MAX_DEVS 16
#define CONFIG_SPEC_LEN 512

struct config {
	char name[64];
	char kernel[256];  /* "": xsim-guest beside xsim */
	char extra[2048];  /* the guest kernel's arguments (extra/cmdline) */
	long memory;	   /* MB, -1 if unset */
	long maxmem;	   /* MB, -1 if unset */
	long vcpus;	   /* -1 if unset */
	int driver_domain; /* 0 or 1 */
	char on_poweroff[16];
	char on_crash[16];
	char disks[CONFIG_MAX_DEVS][CONFIG_SPEC_LEN];
	unsigned ndisks;
	char vifs[CONFIG_MAX_DEVS][CONFIG_SPEC_LEN];
	unsigned nvifs;
};

/* Empty configuration: everything unset. */
void config_init(struct config *c);

/*
 * Apply the settings in text (NUL-terminated) to c; later settings
 * replace earlier ones.  source names the text in messages ("FILE" or
 * "command line").  bare: a value may also be a bare word, taken as a
 * string (xsim create's KEY=VALUE arguments, so `name=g1` works
 * unquoted).  Warnings (unknown keys) go to stderr.  0, or -1 with
 * "SOURCE:LINE: what" in err.
 */
int config_parse(struct config *c, const char *text, const char *source,
		 bool bare, char *err, size_t errlen);

/*
 * Split s into arguments as sh splits words without expansions:
 * blanks separate, '...' quotes anything, "..." quotes with \" \\ and
 * \$ escapes, \ outside quotes escapes the next character.  *argv gets
 * a malloc()ed NULL-terminated array (free with config_free_args).
 * Returns the count, or -1 with EINVAL (unterminated quote) or ENOMEM.
 */
int config_split_args(const char *s, char ***argv);

void config_free_args(char **argv);

#endif /* CONFIG_H */
