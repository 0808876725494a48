// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * main.c - `rootxdp COMMAND ...`: the command table.
 * Exit codes: 0 ok, 1 failure, 2 usage (refresh: 3 another refresh runs).
 */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "cmd.h"
#include "log.h"
#include "opts.h"

#ifndef RX_VERSION
#define RX_VERSION "0.1"
#endif

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("rootxdp %s (libbpf %s)\n", RX_VERSION, libbpf_version_string());
	return RX_EXIT_OK;
}

static int cmd_help(int argc, char **argv);

struct config_args {
	const char *conf;
};

static const struct rx_opt config_opts[] = {
	RX_OPT_ARG(struct config_args, conf, "config", 'c', "FILE",
		   "configuration file (default " RX_CONF_DEFAULT ", may be absent)"),
	{ 0 }
};

static const struct rx_cmd_spec config_spec = {
	.name = "config",
	.about = "Print the configuration in effect (the file over the defaults), every key.\n",
	.opts = config_opts,
};

static int cmd_config(int argc, char **argv)
{
	struct config_args a = { 0 };
	struct rx_config c;
	int first, rc;

	if ((rc = rx_opts_parse(&config_spec, argc, argv, &a, &first)) >= 0)
		return rc;
	if (rx_cli_config(&c, a.conf))
		return RX_EXIT_FAIL;
	printf("# %s\n", c.path[0] ? c.path : "defaults (no configuration file)");
	rx_config_dump(&c, stdout);
	return RX_EXIT_OK;
}

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
} commands[] = {
	{ "attach", cmd_attach, "load the programs, fill the maps, attach to interfaces" },
	{ "detach", cmd_detach, "take the programs off interfaces (and the pins when none is left)" },
	{ "upgrade", cmd_upgrade, "put this binary's programs under the live links, no gap" },
	{ "load", cmd_load, "swap a newer zone image into the live maps, atomically" },
	{ "refresh", cmd_refresh, "fetch, verify, compile and swap in a new zone; reload rootxdpd" },
	{ "status", cmd_status, "interfaces, programs, live zone, map memory, rootxdpd" },
	{ "stats", cmd_stats, "counters as text, JSON or Prometheus" },
	{ "rssac002", cmd_rssac002, "RSSAC002 v5: snapshot the counters, report a day as YAML" },
	{ "health", cmd_health, "exit non-zero, one line per problem, when not fit to serve" },
	{ "anycast", cmd_anycast, "announce the service prefixes while healthy (watch, drain...)" },
	{ "config", cmd_config, "print the configuration in effect, every key" },
	{ "reload", cmd_reload, "tell rootxdpd to read its image again (SIGHUP)" },
	{ "cookie-secret", cmd_cookie_secret, "show, rotate or reload the DNS cookie secrets" },
	{ "version", cmd_version, "print the version" },
	{ "help", cmd_help, "this list; rootxdp COMMAND --help for one command" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: rootxdp [-v] COMMAND [OPTIONS]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].what);
	fprintf(f, "\nrootxdp COMMAND --help shows its options; see rootxdp(8), rootxdp.conf(5).\n");
}

static int cmd_help(int argc, char **argv)
{
	size_t i;

	if (argc > 1)
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strcmp(argv[1], commands[i].name) && commands[i].fn != cmd_help) {
				char *av[] = { argv[1], (char *)"--help", NULL };

				return commands[i].fn(2, av);
			}
	usage(stdout);
	return RX_EXIT_OK;
}

int main(int argc, char **argv)
{
	int verbose = 0, i = 1;
	size_t c;

	rx_prog = "rootxdp";
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			verbose++;
		else if (!strcmp(argv[i], "-vv"))
			verbose += 2;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return RX_EXIT_OK;
		} else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			return cmd_version(0, NULL);
		} else {
			rx_err("unknown option '%s' (rootxdp --help)", argv[i]);
			return RX_EXIT_USAGE;
		}
	}
	rx_verbose_set(verbose);
	if (i == argc) {
		usage(stderr);
		return RX_EXIT_USAGE;
	}
	for (c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].fn(argc - i, argv + i);
	rx_err("unknown command '%s' (rootxdp --help lists them)", argv[i]);
	return RX_EXIT_USAGE;
}
