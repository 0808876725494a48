// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * stats.c - `rootxdp stats`: the per-CPU rx_stats summed per path (xdp,
 * tc), and rootxdpd's counters from run-dir/rootxdpd.stats, as text, JSON
 * or Prometheus text exposition (version 0.0.4).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cmd.h"
#include "log.h"
#include "rootxdp.h"
#include "stats.h"
#include "zone_maps.h"

#define RX_STAT_NAME(e, s) [e] = #s,
const char *const rx_stat_names[RX_STAT_MAX] = { RX_STATS(RX_STAT_NAME) };
#undef RX_STAT_NAME

const char *const rx_path_names[RX_PATHS] = {
	[RX_PATH_XDP] = "xdp",
	[RX_PATH_TC] = "tc",
};

int rx_stats_read(int fd, struct rx_stats out[RX_PATHS])
{
	struct bpf_map_info mi;
	__u32 len = sizeof(mi), path;
	size_t vsz = (sizeof(struct rx_stats) + 7) & ~(size_t)7;
	int ncpu, cpu, i, err = 0;
	char *buf;

	memset(&mi, 0, sizeof(mi));
	if (bpf_obj_get_info_by_fd(fd, &mi, &len))
		return -errno;
	if (mi.value_size != sizeof(struct rx_stats)) {
		rx_err("rx_stats holds %u-byte values, this rootxdp expects %zu: the pinned "
		       "programs come from another build (rootxdp detach, then attach)",
		       mi.value_size, sizeof(struct rx_stats));
		return -EINVAL;
	}
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		return ncpu < 0 ? ncpu : -EINVAL;
	/* A per-CPU lookup fills one 8-aligned value per possible CPU. */
	buf = calloc((size_t)ncpu, vsz);
	if (!buf)
		return -ENOMEM;
	memset(out, 0, sizeof(struct rx_stats) * RX_PATHS);
	for (path = 0; path < RX_PATHS; path++) {
		if (bpf_map_lookup_elem(fd, &path, buf)) {
			err = -errno;
			break;
		}
		for (cpu = 0; cpu < ncpu; cpu++) {
			const struct rx_stats *v = (const void *)(buf + (size_t)cpu * vsz);

			for (i = 0; i < RX_STAT_MAX; i++)
				*rx_stat_ref(&out[path], i) += *rx_stat_ref((struct rx_stats *)v, i);
		}
	}
	free(buf);
	return err;
}

/* rootxdpd writes "name value" lines; keep what parses. */
#define DSTAT_MAX 256
struct dstat {
	char name[64];
	unsigned long long v;
};

static int daemon_stats(const struct rx_config *c, struct dstat *d, int max)
{
	char path[PATH_MAX], line[256];
	FILE *f;
	int n = 0;

	if (rx_fmt(path, sizeof(path), "%s/rootxdpd.stats", c->run_dir))
		return 0;
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f) && n < max) {
		char *p;

		if (line[0] == '#' || sscanf(line, "%63s %llu", d[n].name, &d[n].v) != 2)
			continue;
		/* Prometheus names: [a-zA-Z0-9_] */
		for (p = d[n].name; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_')
				*p = '_';
		n++;
	}
	fclose(f);
	return n;
}

static const char stats_usage[] =
	"usage: rootxdp stats [--json | --prometheus] [--path xdp|tc] [--config FILE]\n"
	"                     [--pin-root DIR]\n"
	"       rootxdp stats --top [N] [--json] [--config FILE] [--pin-root DIR]\n"
	"The BPF counters summed over CPUs, per path (xdp, tc), and rootxdpd's\n"
	"counters when run-dir/rootxdpd.stats exists.\n"
	"  -T, --top [N]      the N (default 10) most asked existent and nonexistent\n"
	"                     TLDs and qtypes, kernel paths and rootxdpd, with shares\n"
	"  -j, --json         one JSON object\n"
	"  -P, --prometheus   Prometheus text format (node_exporter textfile collector)\n"
	"  -t, --path PATH    only the xdp or the tc counters\n"
	"  -c, --config FILE  configuration (default " RX_CONF_DEFAULT ")\n"
	"  -p, --pin-root DIR pin root (default " RX_PIN_ROOT ")\n";

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'P' },
		{ "path", required_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'c' },
		{ "pin-root", required_argument, NULL, 'p' },
		{ "top", optional_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	enum { TEXT, JSON, PROM } fmt = TEXT;
	struct rx_stats s[RX_PATHS];
	static struct dstat d[DSTAT_MAX];
	const char *conf = NULL, *pin_arg = NULL;
	char pin_root[PATH_MAX];
	struct rx_config c;
	struct rx_maps m;
	struct rx_meta meta;
	int o, i, p, nd, err, only = -1;
	long top = 0;
	bool have_zone, first;
	char *end;

	while ((o = getopt_long(argc, argv, "jPt:c:p:T::vh", opts, NULL)) != -1) {
		switch (o) {
		case 'T':
			/* --top, --top=N, or --top N */
			if (!optarg && optind < argc && isdigit((unsigned char)argv[optind][0]))
				optarg = argv[optind++];
			top = optarg ? strtol(optarg, &end, 10) : 10;
			if (optarg && (*end || top < 1 || top > 100000)) {
				rx_err("--top: expected a count from 1, not '%s'", optarg);
				return RX_EXIT_USAGE;
			}
			break;
		case 'j': fmt = JSON; break;
		case 'P': fmt = PROM; break;
		case 't':
			if (!strcmp(optarg, "xdp"))
				only = RX_PATH_XDP;
			else if (!strcmp(optarg, "tc"))
				only = RX_PATH_TC;
			else {
				rx_err("--path: expected xdp or tc, not '%s'", optarg);
				return RX_EXIT_USAGE;
			}
			break;
		case 'c': conf = optarg; break;
		case 'p': pin_arg = optarg; break;
		case 'v': rx_verbose_set(rx_verbose + 1); break;
		case 'h': fputs(stats_usage, stdout); return RX_EXIT_OK;
		default: fputs(stats_usage, stderr); return RX_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(stats_usage, stderr);
		return RX_EXIT_USAGE;
	}
	if (rx_cli_config(&c, conf))
		return RX_EXIT_FAIL;
	rx_cli_pin_root(&c, pin_arg, pin_root, sizeof(pin_root));
	if (top) {
		if (fmt == PROM || only >= 0) {
			rx_err("--top: with --json or as text, for both paths together");
			return RX_EXIT_USAGE;
		}
		return rx_top_print(pin_root, c.run_dir, top, fmt == JSON);
	}
	if (rx_open_pinned(pin_root, &m))
		return RX_EXIT_FAIL;
	err = rx_stats_read(m.stats, s);
	have_zone = rx_zone_live(&m, &meta) == 0;
	rx_maps_close(&m);
	if (err) {
		if (err != -EINVAL)
			rx_err("cannot read rx_stats under %s: %s" RX_HINT_FMT, pin_root,
			       rx_strerr(err), RX_HINT_ARGS(err));
		return RX_EXIT_FAIL;
	}
	nd = daemon_stats(&c, d, DSTAT_MAX);

	switch (fmt) {
	case TEXT:
		for (p = 0; p < RX_PATHS; p++) {
			if (only >= 0 && p != only)
				continue;
			for (i = 0; i < RX_STAT_MAX; i++)
				printf("%s.%s %llu\n", rx_path_names[p], rx_stat_names[i],
				       (unsigned long long)*rx_stat_ref(&s[p], i));
		}
		for (i = 0; i < nd && only < 0; i++)
			printf("rootxdpd.%s %llu\n", d[i].name, d[i].v);
		break;
	case JSON:
		putchar('{');
		first = true;
		for (p = 0; p < RX_PATHS; p++) {
			if (only >= 0 && p != only)
				continue;
			printf("%s\"%s\":{", first ? "" : ",", rx_path_names[p]);
			first = false;
			for (i = 0; i < RX_STAT_MAX; i++)
				printf("%s\"%s\":%llu", i ? "," : "", rx_stat_names[i],
				       (unsigned long long)*rx_stat_ref(&s[p], i));
			putchar('}');
		}
		if (only < 0 && have_zone)
			printf(",\"zone\":{\"serial\":%u,\"loaded_ns\":%llu}", meta.serial,
			       (unsigned long long)meta.loaded_ns);
		if (only < 0 && nd) {
			printf(",\"rootxdpd\":{");
			for (i = 0; i < nd; i++)
				printf("%s\"%s\":%llu", i ? "," : "", d[i].name, d[i].v);
			putchar('}');
		}
		printf("}\n");
		break;
	case PROM:
		for (i = 0; i < RX_STAT_MAX; i++) {
			printf("# HELP rootxdp_%s_total rootxdp BPF counter '%s' (rootxdp(8)), "
			       "summed over CPUs\n", rx_stat_names[i], rx_stat_names[i]);
			printf("# TYPE rootxdp_%s_total counter\n", rx_stat_names[i]);
			for (p = 0; p < RX_PATHS; p++)
				if (only < 0 || p == only)
					printf("rootxdp_%s_total{path=\"%s\"} %llu\n", rx_stat_names[i],
					       rx_path_names[p], (unsigned long long)*rx_stat_ref(&s[p], i));
		}
		if (have_zone && only < 0) {
			printf("# HELP rootxdp_zone_serial SOA serial of the zone in the maps\n"
			       "# TYPE rootxdp_zone_serial gauge\nrootxdp_zone_serial %u\n",
			       meta.serial);
			printf("# HELP rootxdp_zone_loaded_timestamp_seconds when that zone was "
			       "swapped in\n# TYPE rootxdp_zone_loaded_timestamp_seconds gauge\n"
			       "rootxdp_zone_loaded_timestamp_seconds %llu\n",
			       (unsigned long long)(meta.loaded_ns / 1000000000ull));
		}
		for (i = 0; i < nd && only < 0; i++)
			printf("# HELP rootxdpd_%s rootxdpd counter '%s'\n# TYPE rootxdpd_%s untyped\n"
			       "rootxdpd_%s %llu\n", d[i].name, d[i].name, d[i].name, d[i].name, d[i].v);
		break;
	}
	return RX_EXIT_OK;
}
