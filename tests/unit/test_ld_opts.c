// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* test_ld_opts.c - loader/opts.c: a table parses into its struct (flags,
 * strings, bounded numbers, repeatable lists with an alias, positional
 * argument counts), refuses what the table does not allow with exit code
 * 2, answers --help with 0, and its usage text names every option with
 * its argument and meaning. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "cmd.h"
#include "opts.h"

struct args {
	char ifs[3][8];
	int nifs;
	const char *conf;
	unsigned n;
	unsigned long long t;
	bool flag;
};

static const struct rx_opt opts[] = {
	{ .name = "iface", .short_name = 'i', .type = RX_OPT_STRS, .off = offsetof(struct args, ifs),
	  .arg = "IF", .help = "an interface\n(repeatable)", .size = 8,
	  .count_off = offsetof(struct args, nifs), .count_max = 3, .alias = "interface" },
	RX_OPT_CONFIG(struct args, conf),
	RX_OPT_NUM(struct args, n, "number", 'N', "N", 2, 9, "a number from 2 to 9"),
	{ .name = "time", .type = RX_OPT_U64, .off = offsetof(struct args, t), .arg = "T",
	  .help = "a long number", .min = 0, .max = 1ull << 40 },
	RX_OPT_FLAG(struct args, flag, "flag", 'f', "a flag"),
	RX_OPT_VERBOSE("more detail"),
	{ 0 }
};

static const struct rx_cmd_spec spec = {
	.name = "thing", .args = "[ARG]", .max_args = 1, .about = "Does a thing.\n", .opts = opts,
};

/* Parse a space-separated command line; rc and *a as rx_opts_parse left them. */
static int parse(const char *line, struct args *a, int *first, int *argc_out)
{
	static char buf[512];
	static char *argv[32];
	int argc = 0;
	char *t;

	snprintf(buf, sizeof(buf), "thing %s", line);
	for (t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	memset(a, 0, sizeof(*a));
	*argc_out = argc;
	return rx_opts_parse(&spec, argc, argv, a, first);
}

int main(void)
{
	struct args a;
	char *text = NULL;
	size_t len = 0;
	int first, argc, rc;
	FILE *f;

	rc = parse("-i eth0 --interface eth1 -c /x.conf -N 5 --time 1099511627776 -f img", &a,
		   &first, &argc);
	CHECK(rc == -1);
	CHECK(a.nifs == 2 && !strcmp(a.ifs[0], "eth0") && !strcmp(a.ifs[1], "eth1"));
	CHECK(a.conf && !strcmp(a.conf, "/x.conf"));
	CHECK(a.n == 5 && a.t == 1ull << 40 && a.flag);
	CHECK(first == argc - 1);

	CHECK(parse("", &a, &first, &argc) == -1 && first == argc && !a.flag && !a.nifs);
	CHECK(parse("--help", &a, &first, &argc) == RX_EXIT_OK);
	CHECK(parse("-N 10", &a, &first, &argc) == RX_EXIT_USAGE);		/* above max */
	CHECK(parse("-N 1", &a, &first, &argc) == RX_EXIT_USAGE);		/* below min */
	CHECK(parse("-N 5x", &a, &first, &argc) == RX_EXIT_USAGE);
	CHECK(parse("-N -3", &a, &first, &argc) == RX_EXIT_USAGE);
	CHECK(parse("--time 1099511627777", &a, &first, &argc) == RX_EXIT_USAGE);
	CHECK(parse("-i a -i b -i c -i d", &a, &first, &argc) == RX_EXIT_USAGE);	/* 3 at most */
	CHECK(parse("-i toolongname", &a, &first, &argc) == RX_EXIT_USAGE);	/* > 7 chars */
	CHECK(parse("--bogus", &a, &first, &argc) == RX_EXIT_USAGE);
	CHECK(parse("one two", &a, &first, &argc) == RX_EXIT_USAGE);		/* max_args 1 */
	CHECK(parse("-c", &a, &first, &argc) == RX_EXIT_USAGE);		/* no argument */

	f = open_memstream(&text, &len);
	rx_opts_usage(&spec, f);
	fclose(f);
	CHECK(strstr(text, "usage: rootxdp thing [--iface IF]... [--config FILE] [--number N]") != NULL);
	CHECK(strstr(text, "[--flag] [-v] [ARG]") != NULL);
	CHECK(strstr(text, "\nDoes a thing.\n") != NULL);
	CHECK(strstr(text, "  -i, --iface IF     an interface\n                     (repeatable)\n"));
	CHECK(strstr(text, "  -c, --config FILE  configuration (default " RX_CONF_DEFAULT ")\n"));
	CHECK(strstr(text, "  -N, --number N     a number from 2 to 9\n"));
	CHECK(strstr(text, "      --time T       a long number\n"));
	CHECK(strstr(text, "  -f, --flag         a flag\n"));
	CHECK(strstr(text, "  -v, --verbose      more detail\n"));
	CHECK(!strstr(text, "--interface"));	/* the alias is accepted, not shown */
	free(text);
	return check_done();
}
