// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * opts.c - command options from one table (see opts.h).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "log.h"
#include "opts.h"

#define MAX_OPTS	32
#define USAGE_WIDTH	80
#define HELP_COL	21	/* where an option's meaning starts */
#define OPT_HELP	0x100	/* getopt value of --help */
#define OPT_LONG	0x101	/* + index: options without a short name */

static int count(const struct rx_opt *o)
{
	int n = 0;

	while (o[n].name)
		n++;
	return n;
}

/* "[--name ARG]" (or "[-v]"), as the synopsis shows it. */
static void synopsis_item(const struct rx_opt *o, char *buf, size_t len)
{
	if (o->type == RX_OPT_VERBOSE)
		snprintf(buf, len, "[-v]");
	else if (o->optional)
		snprintf(buf, len, "[--%s [%s]]", o->name, o->arg);
	else if (o->arg)
		snprintf(buf, len, "[--%s %s]%s", o->name, o->arg,
			 o->type == RX_OPT_STRS ? "..." : "");
	else
		snprintf(buf, len, "[--%s]", o->name);
}

void rx_opts_usage(const struct rx_cmd_spec *spec, FILE *f)
{
	const struct rx_opt *o;
	char item[128], left[64];
	int col, indent;
	const char *h;

	col = fprintf(f, "usage: rootxdp %s", spec->name);
	indent = col;
	for (o = spec->opts; o->name; o++) {
		synopsis_item(o, item, sizeof(item));
		if (col + 1 + (int)strlen(item) > USAGE_WIDTH) {
			col = fprintf(f, "\n%*s", indent, "") - 1;
		}
		col += fprintf(f, " %s", item);
	}
	if (spec->args) {
		if (col + 1 + (int)strlen(spec->args) > USAGE_WIDTH)
			fprintf(f, "\n%*s", indent, "");
		fprintf(f, " %s", spec->args);
	}
	fputc('\n', f);
	if (spec->about)
		fputs(spec->about, f);
	for (o = spec->opts; o->name; o++) {
		if (o->short_name)
			snprintf(left, sizeof(left), "  -%c, --%s%s%s%s%s", o->short_name, o->name,
				 o->arg ? " " : "", o->optional ? "[" : "", o->arg ? o->arg : "",
				 o->optional ? "]" : "");
		else
			snprintf(left, sizeof(left), "      --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		col = fprintf(f, "%s", left);
		fprintf(f, "%*s", col < HELP_COL ? HELP_COL - col : 1, "");
		for (h = o->help ? o->help : ""; *h; h++) {
			fputc(*h, f);
			if (*h == '\n' && h[1])
				fprintf(f, "%*s", HELP_COL, "");
		}
		if (!o->help || !*o->help || h[-1] != '\n')
			fputc('\n', f);
	}
}

static int bad(const struct rx_cmd_spec *spec)
{
	rx_opts_usage(spec, stderr);
	return RX_EXIT_USAGE;
}

/* Store optarg for o into out; 0, or -1 after saying why not. */
static int store(const struct rx_opt *o, const char *arg, void *out)
{
	char *field = (char *)out + o->off, *end;
	unsigned long long v;

	switch (o->type) {
	case RX_OPT_BOOL:
		*(bool *)field = true;
		return 0;
	case RX_OPT_STR:
		*(const char **)field = arg;
		return 0;
	case RX_OPT_VERBOSE:
		rx_verbose_set(rx_verbose + 1);
		return 0;
	case RX_OPT_UINT:
	case RX_OPT_U64:
		errno = 0;
		v = strtoull(arg, &end, 10);
		if (errno || end == arg || *end || arg[0] == '-' || v < o->min || v > o->max) {
			rx_err("--%s %s: expected %s, a whole number from %llu to %llu", o->name, arg,
			       o->arg ? o->arg : "a number", o->min, o->max);
			return -1;
		}
		if (o->type == RX_OPT_UINT)
			*(unsigned *)field = (unsigned)v;
		else
			*(unsigned long long *)field = v;
		return 0;
	case RX_OPT_STRS: {
		int *n = (int *)((char *)out + o->count_off);

		if (*n >= o->count_max || strlen(arg) >= o->size || !arg[0]) {
			rx_err("--%s '%s': %s", o->name, arg, *n >= o->count_max ?
			       "given too often" : "bad value (empty or too long)");
			return -1;
		}
		memcpy(field + (size_t)*n * o->size, arg, strlen(arg) + 1);
		(*n)++;
		return 0;
	}
	}
	return -1;
}

int rx_opts_parse(const struct rx_cmd_spec *spec, int argc, char **argv, void *out,
		  int *first_arg)
{
	struct option lo[2 * MAX_OPTS + 2];
	char shorts[3 * MAX_OPTS + 2];
	int n = count(spec->opts), nl = 0, ns = 0, i, c, nargs;

	if (n > MAX_OPTS) {
		rx_err("%s: more than %d options in its table", spec->name, MAX_OPTS);
		return RX_EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		const struct rx_opt *o = &spec->opts[i];
		int val = o->short_name ? o->short_name : OPT_LONG + i;
		int has = o->optional ? optional_argument : o->arg ? required_argument : no_argument;

		lo[nl++] = (struct option){ o->name, has, NULL, val };
		if (o->alias)
			lo[nl++] = (struct option){ o->alias, has, NULL, val };
		if (o->short_name) {
			shorts[ns++] = (char)o->short_name;
			if (o->arg)
				shorts[ns++] = ':';
			if (o->optional)
				shorts[ns++] = ':';
		}
	}
	lo[nl++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	memset(&lo[nl], 0, sizeof(lo[nl]));
	shorts[ns++] = 'h';
	shorts[ns] = '\0';

	optind = 0;		/* glibc: start afresh (help runs a second command) */
	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		const struct rx_opt *o = NULL;

		if (c == OPT_HELP || c == 'h') {
			rx_opts_usage(spec, stdout);
			return RX_EXIT_OK;
		}
		if (c >= OPT_LONG && c < OPT_LONG + n)
			o = &spec->opts[c - OPT_LONG];
		for (i = 0; !o && i < n; i++)
			if (spec->opts[i].short_name == c)
				o = &spec->opts[i];
		if (!o)
			return bad(spec);	/* getopt said what */
		if (o->optional && !optarg) {
			/* "--top N" as well as "--top=N": a number next */
			if (optind < argc && isdigit((unsigned char)argv[optind][0])) {
				optarg = argv[optind++];
			} else {
				*(unsigned *)((char *)out + o->off) = (unsigned)o->dflt;
				continue;
			}
		}
		if (store(o, optarg, out))
			return bad(spec);
	}
	nargs = argc - optind;
	if (nargs < spec->min_args || nargs > spec->max_args) {
		if (nargs > spec->max_args)
			rx_err("%s: unexpected argument '%s'", spec->name,
			       argv[optind + spec->max_args]);
		else
			rx_err("%s: missing %s", spec->name, spec->args ? spec->args : "argument");
		return bad(spec);
	}
	*first_arg = optind;
	return -1;
}
