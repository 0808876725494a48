// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * stats.c - `rootxdp stats`: the per-CPU rx_stats summed per path (xdp,
 * tc), and rootxdpd's counters from run-dir/rootxdpd.stats, as text, JSON
 * or Prometheus text exposition (version 0.0.4).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cmd.h"
#include "image.h"
#include "log.h"
#include "prometheus.h"
#include "rootxdp.h"
#include "opts.h"
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
	__u32 len = sizeof(mi), zero = 0;
	size_t vsz = (sizeof(struct rx_stats_paths) + 7) & ~(size_t)7;
	int ncpu, cpu, i, err = 0;
	char *buf;

	memset(&mi, 0, sizeof(mi));
	if (bpf_obj_get_info_by_fd(fd, &mi, &len))
		return -errno;
	if (mi.value_size != sizeof(struct rx_stats_paths)) {
		rx_err("rx_stats holds %u-byte values, this rootxdp expects %zu: the pinned "
		       "programs come from another build (rootxdp detach, then attach)",
		       mi.value_size, sizeof(struct rx_stats_paths));
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
	if (bpf_map_lookup_elem(fd, &zero, buf))
		err = -errno;
	for (cpu = 0; cpu < ncpu && !err; cpu++) {
		struct rx_stats_paths *v = (void *)(buf + (size_t)cpu * vsz);

		for (i = 0; i < RX_STAT_MAX; i++) {
			*rx_stat_ref(&out[RX_PATH_XDP], i) += *rx_stat_ref(&v->xdp, i);
			*rx_stat_ref(&out[RX_PATH_TC], i) += *rx_stat_ref(&v->tc, i);
		}
	}
	free(buf);
	return err;
}

/* rootxdpd writes "name value" lines (fallback/stats.c): "time" (when,
 * UNIX seconds) and "serial" first, then its counters; keep what parses. */
#define DSTAT_MAX 256
struct dstat {
	char name[64];
	unsigned long long v;
};

struct dinfo {
	bool have_time, have_serial;
	unsigned long long time;
	__u32 serial;
};

static int daemon_stats(const struct rx_config *c, struct dstat *d, int max, struct dinfo *di)
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
		if (!strcmp(d[n].name, "time")) {
			di->have_time = true;
			di->time = d[n].v;
			continue;
		}
		if (!strcmp(d[n].name, "serial")) {
			di->have_serial = d[n].v != 0;
			di->serial = (__u32)d[n].v;
			continue;
		}
		/* Prometheus names: [a-zA-Z0-9_] */
		for (p = d[n].name; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_')
				*p = '_';
		n++;
	}
	fclose(f);
	return n;
}

struct stats_args {
	const char *path, *out, *conf, *pin_root;
	bool json, prom;
	unsigned top;
};

static const struct rx_opt stats_opts[] = {
	RX_OPT_NUM_OPTIONAL(struct stats_args, top, "top", 'T', "N", 1, 100000, 10,
			    "the N (default 10) most asked existent and nonexistent\n"
			    "TLDs and qtypes, kernel paths and rootxdpd, with shares"),
	RX_OPT_FLAG(struct stats_args, json, "json", 'j', "one JSON object"),
	RX_OPT_FLAG(struct stats_args, prom, "prometheus", 'P',
		    "Prometheus text format: labelled families, kernel and\n"
		    "rootxdpd together, and zone/daemon gauges"),
	RX_OPT_ARG(struct stats_args, path, "path", 't', "PATH", "only the xdp or the tc counters"),
	RX_OPT_ARG(struct stats_args, out, "out", 'o', "FILE",
		   "write FILE atomically (a temporary file renamed over it,\n"
		   "mode 0644), as node_exporter's textfile collector needs"),
	RX_OPT_CONFIG(struct stats_args, conf),
	RX_OPT_PIN_ROOT(struct stats_args, pin_root),
	RX_OPT_VERBOSE("more detail"),
	{ 0 }
};

static const struct rx_cmd_spec stats_spec = {
	.name = "stats",
	.about = "The BPF counters summed over CPUs, per path (xdp, tc), and rootxdpd's\n"
		 "counters when run-dir/rootxdpd.stats exists.  --top: the names asked.\n",
	.opts = stats_opts,
};

/* FILE.XXXXXX in FILE's directory, renamed over FILE once complete: a
 * reader (node_exporter) sees the old file or the new, never a part. */
static FILE *out_open(const char *path, char *tmp, size_t len)
{
	FILE *f;
	int fd;

	if (rx_fmt(tmp, len, "%s.XXXXXX", path))
		return NULL;
	fd = mkstemp(tmp);
	if (fd < 0) {
		rx_err("cannot create %s: %s", tmp, strerror(errno));
		return NULL;
	}
	if (fchmod(fd, 0644) || !(f = fdopen(fd, "w"))) {
		rx_err("cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return NULL;
	}
	return f;
}

static int out_close(FILE *f, const char *tmp, const char *path)
{
	int err = 0;

	if (fflush(f) || ferror(f) || fsync(fileno(f)))
		err = errno ? errno : EIO;
	if (fclose(f) && !err)
		err = errno;
	if (!err && rename(tmp, path))
		err = errno;
	if (err) {
		rx_err("cannot write %s: %s", path, strerror(err));
		unlink(tmp);
		return -err;
	}
	return 0;
}

static int prometheus(FILE *f, const struct rx_config *c, const struct rx_stats s[RX_PATHS],
		      int only, const struct dstat *d, int nd, const struct dinfo *di,
		      bool have_zone, const struct rx_meta *meta)
{
	struct rx_prom_counter k[RX_PATHS * RX_STAT_MAX], dd[DSTAT_MAX];
	struct rx_prom_input in = { 0 };
	char warn[8][RX_HEALTH_LINE];
	struct rx_zone_age age;
	int p, i, pid;

	for (p = 0; p < RX_PATHS; p++) {
		if (only >= 0 && p != only)
			continue;
		in.path_mask |= 1u << p;
		for (i = 0; i < RX_STAT_MAX; i++)
			k[in.nk++] = (struct rx_prom_counter){ rx_path_names[p], rx_stat_names[i],
							       *rx_stat_ref((struct rx_stats *)&s[p], i) };
	}
	in.k = k;
	if (only < 0) {
		for (i = 0; i < nd; i++)
			dd[i] = (struct rx_prom_counter){ "rootxdpd", d[i].name, d[i].v };
		in.d = dd;
		in.nd = nd;
		in.have_dserial = di->have_serial;
		in.dserial = di->serial;
		in.have_dtime = di->have_time;
		in.dtime = di->time;
		in.with_daemon = true;
		in.daemon_up = rx_daemon_pid(c, &pid) > 0;
	}
	in.version = RX_VERSION;
	in.image_format = RX_IMAGE_VERSION;
	in.now = (unsigned long long)time(NULL);
	in.have_zone = have_zone;
	if (have_zone) {
		in.serial = meta->serial;
		in.loaded_ns = meta->loaded_ns;
		for (i = 0; i < 32; i++)
			snprintf(in.sha256 + 2 * i, 3, "%02x", meta->sha256[i]);
	}
	/* The served image: earliest RRSIG expiry, when it goes stale. */
	rx_zone_problems(c, have_zone ? meta : NULL, in.now, warn, 8, &age);
	if (age.serial) {
		in.have_age = true;
		in.sig_expire = age.sig_expire;
		in.stale_at = age.stale_at;
	}
	return rx_prom_write(f, &in);
}

int cmd_stats(int argc, char **argv)
{
	enum { TEXT, JSON, PROM } fmt = TEXT;
	struct rx_stats s[RX_PATHS];
	static struct dstat d[DSTAT_MAX];
	const char *conf, *pin_arg, *out;
	char pin_root[PATH_MAX], tmp[PATH_MAX];
	struct dinfo di = { 0 };
	FILE *f = stdout;
	struct rx_config c;
	struct rx_maps m;
	struct rx_meta meta;
	struct stats_args a = { 0 };
	int i, p, nd, err, only = -1, firstarg;
	long top;
	bool have_zone, first;

	if ((err = rx_opts_parse(&stats_spec, argc, argv, &a, &firstarg)) >= 0)
		return err;
	if (a.json && a.prom) {
		rx_err("stats: --json or --prometheus, not both");
		rx_opts_usage(&stats_spec, stderr);
		return RX_EXIT_USAGE;
	}
	fmt = a.json ? JSON : a.prom ? PROM : TEXT;
	if (a.path) {
		if (!strcmp(a.path, "xdp"))
			only = RX_PATH_XDP;
		else if (!strcmp(a.path, "tc"))
			only = RX_PATH_TC;
		else {
			rx_err("--path: expected xdp or tc, not '%s'", a.path);
			return RX_EXIT_USAGE;
		}
	}
	top = a.top;
	out = a.out;
	conf = a.conf;
	pin_arg = a.pin_root;
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
	nd = daemon_stats(&c, d, DSTAT_MAX, &di);
	if (out && !(f = out_open(out, tmp, sizeof(tmp))))
		return RX_EXIT_FAIL;

	switch (fmt) {
	case TEXT:
		for (p = 0; p < RX_PATHS; p++) {
			if (only >= 0 && p != only)
				continue;
			for (i = 0; i < RX_STAT_MAX; i++)
				fprintf(f, "%s.%s %llu\n", rx_path_names[p], rx_stat_names[i],
				       (unsigned long long)*rx_stat_ref(&s[p], i));
		}
		if (only < 0 && di.have_time)
			fprintf(f, "rootxdpd.time %llu\nrootxdpd.serial %u\n", di.time, di.serial);
		for (i = 0; i < nd && only < 0; i++)
			fprintf(f, "rootxdpd.%s %llu\n", d[i].name, d[i].v);
		break;
	case JSON:
		fputc('{', f);
		first = true;
		for (p = 0; p < RX_PATHS; p++) {
			if (only >= 0 && p != only)
				continue;
			fprintf(f, "%s\"%s\":{", first ? "" : ",", rx_path_names[p]);
			first = false;
			for (i = 0; i < RX_STAT_MAX; i++)
				fprintf(f, "%s\"%s\":%llu", i ? "," : "", rx_stat_names[i],
				       (unsigned long long)*rx_stat_ref(&s[p], i));
			fputc('}', f);
		}
		if (only < 0 && have_zone)
			fprintf(f, ",\"zone\":{\"serial\":%u,\"loaded_ns\":%llu}", meta.serial,
			       (unsigned long long)meta.loaded_ns);
		if (only < 0 && (nd || di.have_time)) {
			fprintf(f, ",\"rootxdpd\":{\"time\":%llu,\"serial\":%u", di.time, di.serial);
			for (i = 0; i < nd; i++)
				fprintf(f, ",\"%s\":%llu", d[i].name, d[i].v);
			fputc('}', f);
		}
		fprintf(f, "}\n");
		break;
	case PROM:
		err = prometheus(f, &c, s, only, d, nd, &di, have_zone, &meta);
		if (err) {
			rx_err("cannot write the metrics: %s", rx_strerr(err));
			if (out) {
				fclose(f);
				unlink(tmp);
			}
			return RX_EXIT_FAIL;
		}
		break;
	}
	if (out && out_close(f, tmp, out))
		return RX_EXIT_FAIL;
	return RX_EXIT_OK;
}
