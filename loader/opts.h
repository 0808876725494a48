/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * opts.h - one option table per command gives its getopt_long options,
 * the parsing into the command's own struct, and its usage text, so an
 * option cannot be parsed in one place and documented in another (after
 * xdp-tools' lib/util/params.h).  A command:
 *
 *	struct load_args { const char *conf, *pin_root; bool force; };
 *	static const struct rx_opt load_opts[] = {
 *		RX_OPT_FLAG(struct load_args, force, "force", 'f',
 *			    "load even if the serial is not newer"),
 *		RX_OPT_CONFIG(struct load_args, conf),
 *		RX_OPT_PIN_ROOT(struct load_args, pin_root),
 *		RX_OPT_VERBOSE("more detail"),
 *		{ 0 }
 *	};
 *	static const struct rx_cmd_spec load_spec = {
 *		.name = "load", .args = "[IMAGE]", .max_args = 1,
 *		.about = "Swap IMAGE into the live maps, atomically.\n",
 *		.opts = load_opts,
 *	};
 *	...
 *	struct load_args a = { 0 };
 *	int first, rc = rx_opts_parse(&load_spec, argc, argv, &a, &first);
 *	if (rc >= 0)
 *		return rc;	// --help (0) or a usage error (2), printed
 *
 * The usage text: "usage: rootxdp NAME [--opt ARG]... ARGS", the about
 * paragraph, then one line per option with its argument and meaning.
 * -h/--help comes with every table.
 */
#ifndef RX_OPTS_H
#define RX_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "config.h"
#include "rootxdp.h"

enum rx_opt_type {
	RX_OPT_BOOL,		/* no argument: sets a bool */
	RX_OPT_STR,		/* const char *: the argument */
	RX_OPT_UINT,		/* unsigned, from min to max */
	RX_OPT_U64,		/* unsigned long long, from min to max */
	RX_OPT_STRS,		/* repeatable: char[count_max][size] + int count */
	RX_OPT_VERBOSE,		/* -v: one more level of detail (no field) */
};

struct rx_opt {
	const char *name;	/* --name; NULL ends the table */
	int short_name;		/* 'x', or 0 for a long option only */
	enum rx_opt_type type;
	size_t off;		/* of the field in the command's struct */
	const char *arg;	/* the argument in the usage ("FILE") */
	const char *help;	/* its meaning; a '\n' starts an indented line */
	unsigned long long min, max;	/* UINT, U64 */
	size_t size;		/* STRS: size of one element (a char array) */
	size_t count_off;	/* STRS: offset of the int count */
	int count_max;		/* STRS: capacity */
	const char *alias;	/* another long name, accepted but not shown */
	bool optional;		/* UINT: the argument may be left out ("--top",
				 * "--top N", "--top=N"); then dflt */
	unsigned long long dflt;
};

struct rx_cmd_spec {
	const char *name;	/* "attach" */
	const char *args;	/* positional arguments in the usage ("[IMAGE]") */
	int min_args, max_args;
	const char *about;	/* lines between the usage line and the options */
	const struct rx_opt *opts;
};

/* Parse argv (argv[0] the command's name) into out.  Returns -1 to go
 * on, with *first_arg the index of the first positional argument (their
 * count checked); else the exit code after printing: 0 for --help (the
 * usage on stdout), 2 for a usage error (the error and the usage on
 * stderr). */
int rx_opts_parse(const struct rx_cmd_spec *spec, int argc, char **argv, void *out,
		  int *first_arg);
void rx_opts_usage(const struct rx_cmd_spec *spec, FILE *f);

#define RX_OPT_FLAG(T, f, n, s, h) \
	{ .name = n, .short_name = s, .type = RX_OPT_BOOL, .off = offsetof(T, f), .help = h }
#define RX_OPT_ARG(T, f, n, s, a, h) \
	{ .name = n, .short_name = s, .type = RX_OPT_STR, .off = offsetof(T, f), .arg = a, \
	  .help = h }
#define RX_OPT_NUM(T, f, n, s, a, lo, hi, h) \
	{ .name = n, .short_name = s, .type = RX_OPT_UINT, .off = offsetof(T, f), .arg = a, \
	  .help = h, .min = lo, .max = hi }
#define RX_OPT_NUM_OPTIONAL(T, f, n, s, a, lo, hi, d, h) \
	{ .name = n, .short_name = s, .type = RX_OPT_UINT, .off = offsetof(T, f), .arg = a, \
	  .help = h, .min = lo, .max = hi, .optional = true, .dflt = d }
#define RX_OPT_LIST(T, f, cnt, n, s, a, h) \
	{ .name = n, .short_name = s, .type = RX_OPT_STRS, .off = offsetof(T, f), .arg = a, \
	  .help = h, .size = sizeof(((T *)0)->f[0]), .count_off = offsetof(T, cnt), \
	  .count_max = (int)(sizeof(((T *)0)->f) / sizeof(((T *)0)->f[0])) }
#define RX_OPT_VERBOSE(h) { .name = "verbose", .short_name = 'v', .type = RX_OPT_VERBOSE, .help = h }

/* The options most commands share. */
#define RX_OPT_CONFIG(T, f) \
	RX_OPT_ARG(T, f, "config", 'c', "FILE", "configuration (default " RX_CONF_DEFAULT ")")
#define RX_OPT_PIN_ROOT(T, f) \
	RX_OPT_ARG(T, f, "pin-root", 'p', "DIR", "pin root (default " RX_PIN_ROOT ")")
#define RX_OPT_NETNS(T, f, h) RX_OPT_ARG(T, f, "netns", 'n', "NAME", h)

#endif
