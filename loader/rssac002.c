// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rssac002.c - `rootxdp rssac002`: RSSAC002 version 5 from the box.
 *
 *   snapshot  every counter (rx_rssac per path, rootxdpd's file) and every
 *             day's unique-source sketch, with the UTC time, to a text file
 *   report    one YAML file per metric for the interval between two
 *             snapshots, named and laid out as the published ones
 *
 * Counters are never reset under the programs: an interval is the
 * difference of two snapshots.  docs/design.md "RSSAC002" is the
 * contract, docs/operator-guide.md says how to run it.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <math.h>
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
#include "rootxdp.h"
#include "opts.h"
#include "rssac002.h"
#include "rssac_file.h"
#include "utc.h"
#include "zone_maps.h"

#define SNAP_MAGIC	"# rootxdp rssac002 snapshot"
#define SNAP_VERSION	1
#define LOADS_FILE	"rssac002.loads"
#define SNAP_DIR	"rssac002"
/* A --date report takes the snapshots nearest to the two midnights, if
 * within this many seconds of them. */
#define DATE_SLACK	3600

static const char *const src_names[RX_SRCS] = { "xdp", "tc", "rootxdpd" };
static const char *const kind_names[RX_HLL_KINDS] = { "ipv4", "ipv6", "ipv6-agg" };
static const char *const tr_names[RX_RS_TRANSPORTS] = { "udp", "tcp" };
static const char *const fam_names[RX_RS_FAMILIES] = { "ipv4", "ipv6" };

/* ---- sketches ---- */

double rx_hll_estimate(const uint8_t *reg)
{
	const double m = RX_HLL_M, alpha = 0.7213 / (1.0 + 1.079 / m);
	double sum = 0, e;
	unsigned zeros = 0;

	for (unsigned i = 0; i < RX_HLL_M; i++) {
		sum += ldexp(1.0, -reg[i]);
		zeros += !reg[i];
	}
	e = alpha * m * m / sum;
	/* Small range: linear counting (Flajolet et al. 2007, section 4). With
	 * a 64-bit hash no large-range correction is needed. */
	if (e <= 2.5 * m && zeros)
		e = m * log(m / zeros);
	return e;
}

static struct rx_rssac_sketch *sketch_for(struct rx_rssac_snap *s, uint32_t day)
{
	for (int i = 0; i < s->nsk; i++)
		if (s->sk[i].day == day)
			return &s->sk[i];
	if (s->nsk >= (int)(sizeof(s->sk) / sizeof(s->sk[0])))
		return NULL;
	memset(&s->sk[s->nsk], 0, sizeof(s->sk[0]));
	s->sk[s->nsk].day = day;
	return &s->sk[s->nsk++];
}

const struct rx_rssac_sketch *rx_rssac_day(const struct rx_rssac_snap *s, uint32_t day)
{
	for (int i = 0; i < s->nsk; i++)
		if (s->sk[i].day == day)
			return &s->sk[i];
	return NULL;
}

static void merge(uint8_t *dst, const uint8_t *src)
{
	for (unsigned i = 0; i < RX_HLL_M; i++)
		if (src[i] > dst[i])
			dst[i] = src[i];
}

static int nonzero(const uint8_t *reg)
{
	for (unsigned i = 0; i < RX_HLL_M; i++)
		if (reg[i])
			return 1;
	return 0;
}

static void add_counters(struct rx_rssac *dst, const struct rx_rssac *src)
{
	const __u64 *s = (const __u64 *)src;
	__u64 *d = (__u64 *)dst;

	for (size_t i = 0; i < sizeof(*dst) / 8; i++)
		d[i] += s[i];
}

/* ---- reading the kernel and rootxdpd ---- */

int rx_rssac_kernel_read(int fd_rssac, int fd_hll, struct rx_rssac_snap *s)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	size_t vsz;
	char *buf;

	if (ncpu <= 0)
		return -EINVAL;
	vsz = (sizeof(struct rx_hll) + 7) & ~(size_t)7;
	if (vsz < ((sizeof(struct rx_rssac) + 7) & ~(size_t)7))
		vsz = (sizeof(struct rx_rssac) + 7) & ~(size_t)7;
	buf = calloc((size_t)ncpu, vsz);
	if (!buf)
		return -ENOMEM;
	for (__u32 path = 0; path < RX_PATHS && fd_rssac >= 0; path++) {
		size_t rsz = (sizeof(struct rx_rssac) + 7) & ~(size_t)7;

		if (bpf_map_lookup_elem(fd_rssac, &path, buf)) {
			err = -errno;
			goto out;
		}
		for (int cpu = 0; cpu < ncpu; cpu++)
			add_counters(&s->src[path], (const void *)(buf + (size_t)cpu * rsz));
	}
	for (__u32 key = 0; key < RX_HLL_DAYS * RX_HLL_KINDS && fd_hll >= 0; key++) {
		size_t hsz = (sizeof(struct rx_hll) + 7) & ~(size_t)7;

		if (bpf_map_lookup_elem(fd_hll, &key, buf)) {
			err = -errno;
			goto out;
		}
		for (int cpu = 0; cpu < ncpu; cpu++) {
			const struct rx_hll *h = (const void *)(buf + (size_t)cpu * hsz);
			struct rx_rssac_sketch *sk;

			/* A slot whose day is not its own was never written. */
			if (h->day % RX_HLL_DAYS != key / RX_HLL_KINDS || !nonzero(h->reg))
				continue;
			sk = sketch_for(s, h->day);
			if (sk)
				merge(sk->reg[key % RX_HLL_KINDS], h->reg);
		}
	}
out:
	free(buf);
	return err;
}

static int daemon_read(const struct rx_config *c, struct rx_rssac_snap *s)
{
	char path[PATH_MAX + 32];
	struct rx_rssac_dfile *f;
	ssize_t n;
	int fd;

	if (rx_fmt(path, sizeof(path), "%s/%s", c->state_dir, RX_RSSAC_FILE))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	f = malloc(sizeof(*f));
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, f, sizeof(*f));
	close(fd);
	if (n != (ssize_t)sizeof(*f) || memcmp(f->magic, RX_RSSAC_FILE_MAGIC, 8) ||
	    f->version != RX_RSSAC_FILE_VERSION || f->size != sizeof(*f)) {
		rx_warn("%s is not this rootxdpd's RSSAC002 file: rootxdpd counters left out", path);
		free(f);
		return 0;
	}
	for (int b = 0; b < RX_RSSAC_DBLOCKS; b++)
		add_counters(&s->src[RX_SRC_DAEMON], &f->blk[b]);
	for (int k = 0; k < RX_HLL_DAYS * RX_HLL_KINDS; k++) {
		const struct rx_hll *h = &f->hll[k];
		struct rx_rssac_sketch *sk;

		if (h->day % RX_HLL_DAYS != (unsigned)k / RX_HLL_KINDS || !nonzero(h->reg))
			continue;
		sk = sketch_for(s, h->day);
		if (sk)
			merge(sk->reg[k % RX_HLL_KINDS], h->reg);
	}
	free(f);
	return 0;
}

static void loads_path(const struct rx_config *c, char *buf, size_t len)
{
	if (rx_fmt(buf, len, "%s/%s", c->state_dir, LOADS_FILE))
		buf[0] = 0;
}

/* The load-time records served within the last RX_HLL_DAYS * 2 days. */
static void loads_read(const struct rx_config *c, struct rx_rssac_snap *s)
{
	char path[PATH_MAX + 32], line[256];
	struct rx_rssac_load l;
	FILE *f;

	loads_path(c, path, sizeof(path));
	f = path[0] ? fopen(path, "r") : NULL;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b, z;

		if (sscanf(line, "%u %llu %llu %llu", &l.serial, &a, &b, &z) != 4)
			continue;
		l.avail = a;
		l.served = b;
		l.size = z;
		if (l.served + 2ull * RX_HLL_DAYS * RX_DAY_S < s->time)
			continue;
		if (s->nload == RX_RSSAC_LOADS_MAX) {
			memmove(s->load, s->load + 1, sizeof(s->load[0]) * (RX_RSSAC_LOADS_MAX - 1));
			s->nload--;
		}
		s->load[s->nload++] = l;
	}
	fclose(f);
}

static uint64_t image_zone_size(const char *image, uint32_t serial)
{
	struct rx_image img;
	char e[256];
	uint64_t n = 0;

	if (rx_image_open(image, &img, e, sizeof(e)))
		return 0;
	if (img.hdr->serial == serial)
		n = img.hdr->zone_len;
	rx_image_close(&img);
	return n;
}

void rx_rssac_loaded(const struct rx_config *c, uint32_t serial, const char *zone)
{
	char path[PATH_MAX + 32];
	struct stat st;
	time_t now = time(NULL);
	uint64_t avail = now;
	FILE *f;

	if (zone && !stat(zone, &st) && st.st_mtime <= now)
		avail = (uint64_t)st.st_mtime;
	loads_path(c, path, sizeof(path));
	f = path[0] ? fopen(path, "a") : NULL;
	if (!f) {
		rx_warn("cannot record the load time of serial %u in %s: %s", serial, path,
			strerror(errno));
		return;
	}
	fprintf(f, "%u %llu %llu %llu\n", serial, (unsigned long long)avail,
		(unsigned long long)now, (unsigned long long)image_zone_size(c->image, serial));
	fclose(f);
}

/* ---- snapshot files ---- */

static void put_counters(FILE *f, const char *src, const struct rx_rssac *r)
{
	for (int t = 0; t < RX_RS_TRANSPORTS; t++) {
		for (int a = 0; a < RX_RS_FAMILIES; a++) {
			if (r->queries[t][a])
				fprintf(f, "c %s queries.%s.%s %llu\n", src, tr_names[t], fam_names[a],
					(unsigned long long)r->queries[t][a]);
			if (r->responses[t][a])
				fprintf(f, "c %s responses.%s.%s %llu\n", src, tr_names[t],
					fam_names[a], (unsigned long long)r->responses[t][a]);
		}
		for (int b = 0; b < RX_RSSAC_REQ_BINS; b++)
			if (r->req_size[t][b])
				fprintf(f, "c %s req.%s.%d %llu\n", src, tr_names[t], b,
					(unsigned long long)r->req_size[t][b]);
		for (int b = 0; b < RX_RSSAC_RESP_BINS; b++)
			if (r->resp_size[t][b])
				fprintf(f, "c %s resp.%s.%d %llu\n", src, tr_names[t], b,
					(unsigned long long)r->resp_size[t][b]);
	}
	for (int i = 0; i < RX_RSSAC_RCODES; i++)
		if (r->rcode[i])
			fprintf(f, "c %s rcode.%d %llu\n", src, i, (unsigned long long)r->rcode[i]);
}

static int snap_write(const char *path, const struct rx_rssac_snap *s)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[PATH_MAX + 8], when[32];
	FILE *f;
	int err = 0;

	if (rx_fmt(tmp, sizeof(tmp), "%s.tmp", path))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "%s\nversion %d\ntime %llu %s\n", SNAP_MAGIC, SNAP_VERSION,
		(unsigned long long)s->time, rx_utc(s->time, when, sizeof(when)));
	if (s->serial)
		fprintf(f, "zone %u %llu\n", s->serial, (unsigned long long)s->zone_size);
	for (int i = 0; i < RX_SRCS; i++)
		put_counters(f, src_names[i], &s->src[i]);
	for (int i = 0; i < s->nsk; i++)
		for (int k = 0; k < RX_HLL_KINDS; k++) {
			fprintf(f, "hll %u %s ", s->sk[i].day, kind_names[k]);
			for (unsigned j = 0; j < RX_HLL_M; j++) {
				/* ranks are < 64: two hex digits each */
				fputc(hex[s->sk[i].reg[k][j] >> 4], f);
				fputc(hex[s->sk[i].reg[k][j] & 15], f);
			}
			fputc('\n', f);
		}
	for (int i = 0; i < s->nload; i++)
		fprintf(f, "load %u %llu %llu %llu\n", s->load[i].serial,
			(unsigned long long)s->load[i].avail, (unsigned long long)s->load[i].served,
			(unsigned long long)s->load[i].size);
	fprintf(f, "end\n");
	if (fflush(f) || ferror(f) || fsync(fileno(f)))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static int idx_of(const char *const *names, int n, const char *s, size_t len)
{
	for (int i = 0; i < n; i++)
		if (strlen(names[i]) == len && !strncmp(names[i], s, len))
			return i;
	return -1;
}

/* "queries.udp.ipv4" etc. into r. */
static int set_counter(struct rx_rssac *r, const char *key, unsigned long long v)
{
	char what[16], tr[8], rest[16];
	int t, a, b;

	if (sscanf(key, "rcode.%d", &b) == 1) {
		if (b < 0 || b >= RX_RSSAC_RCODES)
			return -1;
		r->rcode[b] = v;
		return 0;
	}
	if (sscanf(key, "%15[a-z].%7[a-z].%15s", what, tr, rest) != 3)
		return -1;
	t = idx_of(tr_names, RX_RS_TRANSPORTS, tr, strlen(tr));
	if (t < 0)
		return -1;
	if (!strcmp(what, "queries") || !strcmp(what, "responses")) {
		a = idx_of(fam_names, RX_RS_FAMILIES, rest, strlen(rest));
		if (a < 0)
			return -1;
		if (what[0] == 'q')
			r->queries[t][a] = v;
		else
			r->responses[t][a] = v;
		return 0;
	}
	b = atoi(rest);
	if (!strcmp(what, "req") && b >= 0 && b < RX_RSSAC_REQ_BINS)
		r->req_size[t][b] = v;
	else if (!strcmp(what, "resp") && b >= 0 && b < RX_RSSAC_RESP_BINS)
		r->resp_size[t][b] = v;
	else
		return -1;
	return 0;
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* 0, or -1 with a line on stderr. */
static int snap_read(const char *path, struct rx_rssac_snap *s)
{
	size_t cap = 2 * RX_HLL_M + 64, lineno = 0;
	char *line = malloc(cap);
	int ok = 0, end = 0;
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = line ? fopen(path, "r") : NULL;
	if (!f) {
		rx_err("cannot read snapshot %s: %s", path, strerror(errno));
		free(line);
		return -1;
	}
	while (fgets(line, (int)cap, f)) {
		char src[16], key[32], kind[16];
		unsigned long long a, b, z, v;
		unsigned day, serial;
		int n, i;

		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (lineno == 1) {
			ok = !strcmp(line, SNAP_MAGIC);
			if (!ok)
				break;
			continue;
		}
		if (sscanf(line, "version %d", &n) == 1) {
			if (n != SNAP_VERSION) {
				ok = 0;
				break;
			}
		} else if (sscanf(line, "time %llu", &a) == 1) {
			s->time = a;
		} else if (sscanf(line, "zone %u %llu", &serial, &a) == 2) {
			s->serial = serial;
			s->zone_size = a;
		} else if (sscanf(line, "c %15s %31s %llu", src, key, &v) == 3) {
			i = idx_of(src_names, RX_SRCS, src, strlen(src));
			if (i < 0 || set_counter(&s->src[i], key, v)) {
				ok = 0;
				break;
			}
		} else if (sscanf(line, "hll %u %15s %n", &day, kind, &n) == 2) {
			struct rx_rssac_sketch *sk = sketch_for(s, day);
			const char *h = line + n;

			i = idx_of(kind_names, RX_HLL_KINDS, kind, strlen(kind));
			if (!sk || i < 0 || strlen(h) != 2 * RX_HLL_M) {
				ok = 0;
				break;
			}
			for (unsigned j = 0; j < RX_HLL_M; j++) {
				int hi = hexval(h[2 * j]), lo = hexval(h[2 * j + 1]);

				if (hi < 0 || lo < 0) {
					ok = 0;
					break;
				}
				sk->reg[i][j] = (uint8_t)(hi << 4 | lo);
			}
			if (!ok)
				break;
		} else if (sscanf(line, "load %u %llu %llu %llu", &serial, &a, &b, &z) == 4) {
			if (s->nload < RX_RSSAC_LOADS_MAX)
				s->load[s->nload++] = (struct rx_rssac_load){ serial, a, b, z };
		} else if (!strcmp(line, "end")) {
			end = 1;
		} else if (line[0] && line[0] != '#') {
			ok = 0;
			break;
		}
	}
	fclose(f);
	free(line);
	if (!ok || !end || !s->time) {
		rx_err("%s: not a complete rootxdp rssac002 snapshot (line %zu)", path, lineno);
		return -1;
	}
	return 0;
}

static int take_snapshot(const struct rx_config *c, const char *pin_root, struct rx_rssac_snap *s)
{
	char path[PATH_MAX];
	int fd_r = -1, fd_h = -1, err = 0;
	struct rx_maps m;
	struct rx_meta meta;

	memset(s, 0, sizeof(*s));
	s->time = (uint64_t)time(NULL);
	if (!access(pin_root, F_OK) && rx_pin_exists(pin_root, "rx_ctl")) {
		if (!rx_fmt(path, sizeof(path), "%s/rx_rssac", pin_root))
			fd_r = bpf_obj_get(path);
		if (!rx_fmt(path, sizeof(path), "%s/rx_hll", pin_root))
			fd_h = bpf_obj_get(path);
		if (fd_r < 0 || fd_h < 0) {
			rx_err("cannot open the pinned RSSAC002 maps under %s: %s (programs from "
			       "an older rootxdp? rootxdp upgrade)", pin_root, strerror(errno));
			err = -ENOENT;
		} else {
			err = rx_rssac_kernel_read(fd_r, fd_h, s);
			if (err)
				rx_err("cannot read the RSSAC002 maps under %s: %s", pin_root,
				       rx_strerr(err));
		}
		if (!err && rx_maps_from_pins(pin_root, &m, path, sizeof(path)) == 0) {
			if (rx_zone_live(&m, &meta) == 0)
				s->serial = meta.serial;
			rx_maps_close(&m);
		}
	} else {
		rx_warn("not attached (no pins under %s): the kernel paths count nothing",
			pin_root);
	}
	if (fd_r >= 0)
		close(fd_r);
	if (fd_h >= 0)
		close(fd_h);
	if (err)
		return err;
	err = daemon_read(c, s);
	if (err) {
		rx_err("cannot read rootxdpd's RSSAC002 counters: %s", rx_strerr(err));
		return err;
	}
	if (!s->serial) {
		struct rx_image img;
		char e[256];

		if (rx_image_open(c->image, &img, e, sizeof(e)) == 0) {
			s->serial = img.hdr->serial;
			rx_image_close(&img);
		}
	}
	if (s->serial)
		s->zone_size = image_zone_size(c->image, s->serial);
	loads_read(c, s);
	return 0;
}

/* ---- reports ---- */

/* b - a, or b alone where a counter went backwards (it restarted from 0:
 * pins removed by detach, rootxdpd's file removed). */
static __u64 diff(__u64 a, __u64 b, int *reset)
{
	if (b >= a)
		return b - a;
	*reset = 1;
	return b;
}

static void interval(const struct rx_rssac_snap *a, const struct rx_rssac_snap *b,
		     struct rx_rssac *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < RX_SRCS; i++) {
		const __u64 *x = (const __u64 *)&a->src[i], *y = (const __u64 *)&b->src[i];
		__u64 *o = (__u64 *)out;
		int reset = 0;

		for (size_t k = 0; k < sizeof(*out) / 8; k++)
			o[k] += diff(x[k], y[k], &reset);
		if (reset)
			rx_warn("%s counters restarted from zero between the snapshots: what they "
				"counted before the restart is missing", src_names[i]);
	}
}

struct report {
	const char *dir, *service, *prefix;
	char start[32];		/* 'YYYY-MM-DDTHH:MM:SSZ' */
	char date[16];		/* YYYYMMDD */
	int nfiles;
};

static FILE *yaml_open(struct report *r, const char *metric, char *path, size_t len)
{
	FILE *f;

	if (rx_fmt(path, len, "%s/%s-%s-%s.yaml", r->dir, r->prefix, r->date, metric))
		return NULL;
	f = fopen(path, "w");
	if (!f) {
		rx_err("cannot write %s: %s", path, strerror(errno));
		return NULL;
	}
	fprintf(f, "---\nversion: rssac002v5\nservice: %s\nstart-period: '%s'\nmetric: %s\n",
		r->service, r->start, metric);
	return f;
}

static int yaml_close(struct report *r, FILE *f, const char *path)
{
	int err = ferror(f);

	if (fclose(f) || err) {
		rx_err("cannot write %s", path);
		return -1;
	}
	r->nfiles++;
	return 0;
}

static void sizes(FILE *f, const char *key, const __u64 *bins, int n)
{
	int any = 0;

	for (int i = 0; i < n; i++)
		any |= bins[i] != 0;
	fprintf(f, "%s:%s\n", key, any ? "" : " {}");
	for (int i = 0; i < n; i++) {
		if (!bins[i])
			continue;
		if (i == n - 1)
			fprintf(f, "  %d-: %llu\n", i * RX_RSSAC_BIN, (unsigned long long)bins[i]);
		else
			fprintf(f, "  %d-%d: %llu\n", i * RX_RSSAC_BIN, i * RX_RSSAC_BIN + 15,
				(unsigned long long)bins[i]);
	}
}

static int report(struct report *r, const struct rx_rssac_snap *a, const struct rx_rssac_snap *b,
		  uint32_t day0, uint32_t day1)
{
	char path[PATH_MAX + 64];
	struct rx_rssac t;
	uint8_t reg[RX_HLL_KINDS][RX_HLL_M];
	int missing = 0, any;
	FILE *f;

	if (mkdir(r->dir, 0755) && errno != EEXIST) {
		rx_err("cannot create %s: %s", r->dir, strerror(errno));
		return -1;
	}
	interval(a, b, &t);

	f = yaml_open(r, "traffic-volume", path, sizeof(path));
	if (!f)
		return -1;
	for (int tr = 0; tr < RX_RS_TRANSPORTS; tr++)
		for (int fa = 0; fa < RX_RS_FAMILIES; fa++)
			fprintf(f, "dns-%s-queries-received-%s: %llu\n", tr_names[tr], fam_names[fa],
				(unsigned long long)t.queries[tr][fa]);
	for (int tr = 0; tr < RX_RS_TRANSPORTS; tr++)
		for (int fa = 0; fa < RX_RS_FAMILIES; fa++)
			fprintf(f, "dns-%s-responses-sent-%s: %llu\n", tr_names[tr], fam_names[fa],
				(unsigned long long)t.responses[tr][fa]);
	if (yaml_close(r, f, path))
		return -1;

	f = yaml_open(r, "traffic-sizes", path, sizeof(path));
	if (!f)
		return -1;
	sizes(f, "udp-request-sizes", t.req_size[RX_RS_UDP], RX_RSSAC_REQ_BINS);
	sizes(f, "udp-response-sizes", t.resp_size[RX_RS_UDP], RX_RSSAC_RESP_BINS);
	sizes(f, "tcp-request-sizes", t.req_size[RX_RS_TCP], RX_RSSAC_REQ_BINS);
	sizes(f, "tcp-response-sizes", t.resp_size[RX_RS_TCP], RX_RSSAC_RESP_BINS);
	if (yaml_close(r, f, path))
		return -1;

	f = yaml_open(r, "rcode-volume", path, sizeof(path));
	if (!f)
		return -1;
	for (int i = 0; i < RX_RSSAC_RCODES; i++)
		if (t.rcode[i])
			fprintf(f, "'%d': %llu\n", i, (unsigned long long)t.rcode[i]);
	if (yaml_close(r, f, path))
		return -1;

	/* unique-sources: the union of the UTC days the interval covers, from
	 * the later snapshot (it holds the sketches of the last days). */
	memset(reg, 0, sizeof(reg));
	for (uint32_t d = day0; d <= day1; d++) {
		const struct rx_rssac_sketch *sk = rx_rssac_day(b, d);

		if (!sk) {
			missing++;
			continue;
		}
		for (int k = 0; k < RX_HLL_KINDS; k++)
			merge(reg[k], sk->reg[k]);
	}
	if (missing)
		rx_warn("%d of the %u days have no sketch in the later snapshot (no traffic, or "
			"older than %d days)", missing, day1 - day0 + 1, RX_HLL_DAYS);
	f = yaml_open(r, "unique-sources", path, sizeof(path));
	if (!f)
		return -1;
	fprintf(f, "num-sources-ipv4: %.0f\n", nonzero(reg[0]) ? rx_hll_estimate(reg[0]) : 0.0);
	fprintf(f, "num-sources-ipv6: %.0f\n", nonzero(reg[1]) ? rx_hll_estimate(reg[1]) : 0.0);
	fprintf(f, "num-sources-ipv6-aggregate: %.0f\n",
		nonzero(reg[2]) ? rx_hll_estimate(reg[2]) : 0.0);
	if (yaml_close(r, f, path))
		return -1;

	/* zone-size: the zone served at the start and every one loaded
	 * within the interval; load-time: those loads. */
	f = yaml_open(r, "zone-size", path, sizeof(path));
	if (!f)
		return -1;
	any = a->serial && a->zone_size;
	for (int i = 0; i < b->nload; i++)
		any |= b->load[i].served > a->time && b->load[i].served <= b->time &&
		       b->load[i].size;
	fprintf(f, "size:%s\n", any ? "" : " {}");
	if (a->serial && a->zone_size)
		fprintf(f, "  %u: %llu\n", a->serial, (unsigned long long)a->zone_size);
	for (int i = 0; i < b->nload; i++)
		if (b->load[i].served > a->time && b->load[i].served <= b->time &&
		    b->load[i].size && b->load[i].serial != a->serial)
			fprintf(f, "  %u: %llu\n", b->load[i].serial,
				(unsigned long long)b->load[i].size);
	if (yaml_close(r, f, path))
		return -1;

	f = yaml_open(r, "load-time", path, sizeof(path));
	if (!f)
		return -1;
	any = 0;
	for (int i = 0; i < b->nload; i++)
		any |= b->load[i].served > a->time && b->load[i].served <= b->time;
	fprintf(f, "time:%s\n", any ? "" : " {}");
	for (int i = 0; i < b->nload; i++)
		if (b->load[i].served > a->time && b->load[i].served <= b->time)
			fprintf(f, "  %u: %llu\n", b->load[i].serial,
				(unsigned long long)(b->load[i].served - b->load[i].avail));
	return yaml_close(r, f, path);
}

/* "a.root-servers.net" -> "a-root" (the published files' prefix). */
static void service_prefix(const char *service, char *buf, size_t len)
{
	const char *dot = strchr(service, '.');

	if (dot && dot - service == 1 && !strcmp(dot, ".root-servers.net"))
		snprintf(buf, len, "%c-root", service[0]);
	else
		snprintf(buf, len, "%s", service);
}

static void snap_dir(const struct rx_config *c, char *buf, size_t len)
{
	if (rx_fmt(buf, len, "%s/%s", c->state_dir, SNAP_DIR))
		buf[0] = 0;
}

/* The snapshot in dir whose time is nearest to t, within DATE_SLACK. */
static int pick_snapshot(const char *dir, uint64_t t, char *out, size_t len)
{
	uint64_t best = DATE_SLACK + 1;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d) {
		rx_err("cannot read %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char p[PATH_MAX + 300], line[128];
		unsigned long long st;
		uint64_t dist;
		FILE *f;

		if (!strstr(de->d_name, ".snap") || strstr(de->d_name, ".tmp"))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		f = fopen(p, "r");
		if (!f)
			continue;
		st = 0;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "time %llu", &st) == 1)
				break;
		fclose(f);
		if (!st)
			continue;
		dist = st > t ? st - t : t - st;
		if (dist < best) {
			best = dist;
			snprintf(out, len, "%s", p);
		}
	}
	closedir(d);
	if (best > DATE_SLACK) {
		char when[32];

		rx_err("no snapshot in %s within %ds of %s", dir, DATE_SLACK,
		       rx_utc(t, when, sizeof(when)));
		return -1;
	}
	return 0;
}

struct rssac_args {
	const char *out, *from, *to, *date, *service, *conf, *pin_root;
};

static const struct rx_opt rssac_opts[] = {
	RX_OPT_ARG(struct rssac_args, out, "out", 'o', "PATH", "where to write: the snapshot FILE, the report DIR"),
	RX_OPT_ARG(struct rssac_args, from, "from", 'f', "SNAP", "snapshot at the start of the interval"),
	RX_OPT_ARG(struct rssac_args, to, "to", 't', "SNAP", "snapshot at its end"),
	RX_OPT_ARG(struct rssac_args, date, "date", 'd', "DAY", "the UTC day YYYY-MM-DD"),
	RX_OPT_ARG(struct rssac_args, service, "service", 's', "NAME",
		   "service name in the files (default: the identity;\n"
		   "X.root-servers.net names the files X-root-...)"),
	RX_OPT_CONFIG(struct rssac_args, conf),
	RX_OPT_PIN_ROOT(struct rssac_args, pin_root),
	{ 0 }
};

static const struct rx_cmd_spec rssac_spec = {
	.name = "rssac002",
	.args = "snapshot|report",
	.min_args = 1,
	.max_args = 1,
	.about = "  snapshot [--out FILE]\n"
		 "  report --from SNAP --to SNAP [--out DIR] [--service NAME]\n"
		 "  report --date YYYY-MM-DD [--out DIR] [--service NAME]\n"
		 "RSSAC002 version 5 metrics.  snapshot saves every counter and unique-source\n"
		 "sketch (kernel paths and rootxdpd) with the UTC time, by default to\n"
		 "state-dir/rssac002/YYYYMMDDTHHMMSSZ.snap (the shipped timer runs it at\n"
		 "00:00 UTC).  report writes one YAML file per metric for the interval\n"
		 "between two snapshots, as X-root-YYYYMMDD-METRIC.yaml (default DIR:\n"
		 "state-dir/rssac002); --date takes that day's two midnight snapshots.\n",
	.opts = rssac_opts,
};

int cmd_rssac002(int argc, char **argv)
{
	const char *out, *from, *to, *date, *service;
	const char *conf, *pin_arg, *verb;
	char pin_root[PATH_MAX], dir[PATH_MAX], fa[PATH_MAX + 300], fb[PATH_MAX + 300];
	char prefix[128], when[32];
	static struct rx_rssac_snap A, B;
	struct rx_config c;
	struct report r = { 0 };
	uint64_t t0 = 0, t1 = 0;
	struct rssac_args a = { 0 };
	int first, err;

	if ((err = rx_opts_parse(&rssac_spec, argc, argv, &a, &first)) >= 0)
		return err;
	verb = argv[first];
	out = a.out;
	from = a.from;
	to = a.to;
	date = a.date;
	service = a.service;
	conf = a.conf;
	pin_arg = a.pin_root;
	if (strcmp(verb, "snapshot") && strcmp(verb, "report")) {
		rx_err("rssac002: expected snapshot or report, not '%s'", verb);
		goto bad;
	}
	if (rx_cli_config(&c, conf))
		return RX_EXIT_FAIL;
	rx_cli_pin_root(&c, pin_arg, pin_root, sizeof(pin_root));
	snap_dir(&c, dir, sizeof(dir));

	if (!strcmp(verb, "snapshot")) {
		char path[PATH_MAX + 64];
		struct tm tm;
		time_t tt;

		if (from || to || date || service)
			goto bad;
		if (take_snapshot(&c, pin_root, &A))
			return RX_EXIT_FAIL;
		if (!out) {
			tt = (time_t)A.time;
			gmtime_r(&tt, &tm);
			if (mkdir(dir, 0755) && errno != EEXIST) {
				rx_err("cannot create %s: %s", dir, strerror(errno));
				return RX_EXIT_FAIL;
			}
			snprintf(path, sizeof(path), "%s/%04d%02d%02dT%02d%02d%02dZ.snap", dir,
				 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
				 tm.tm_sec);
			out = path;
		}
		err = snap_write(out, &A);
		if (err) {
			rx_err("cannot write %s: %s", out, rx_strerr(err));
			return RX_EXIT_FAIL;
		}
		rx_info("snapshot %s at %s", out, rx_utc(A.time, when, sizeof(when)));
		return RX_EXIT_OK;
	}
	if (strcmp(verb, "report"))
		goto bad;
	if (date) {
		struct tm tm = { 0 };
		char *end;

		if (from || to)
			goto bad;
		end = strptime(date, "%Y-%m-%d", &tm);
		if (!end || *end) {
			rx_err("--date: expected YYYY-MM-DD, not '%s'", date);
			return RX_EXIT_USAGE;
		}
		t0 = (uint64_t)timegm(&tm);
		t1 = t0 + RX_DAY_S;
		if (pick_snapshot(dir, t0, fa, sizeof(fa)) || pick_snapshot(dir, t1, fb, sizeof(fb)))
			return RX_EXIT_FAIL;
		from = fa;
		to = fb;
	} else if (!from || !to) {
		goto bad;
	}
	if (snap_read(from, &A) || snap_read(to, &B))
		return RX_EXIT_FAIL;
	if (B.time < A.time) {
		rx_err("--to %s is older than --from %s", to, from);
		return RX_EXIT_FAIL;
	}
	/* The period: the nominal day for --date, else the first snapshot's
	 * time; unique sources cover the UTC days the interval touches. */
	if (!date) {
		t0 = A.time;
		t1 = B.time;
	}
	rx_utc(t0, r.start, sizeof(r.start));
	{
		time_t tt = (time_t)t0;
		struct tm tm;

		gmtime_r(&tt, &tm);
		snprintf(r.date, sizeof(r.date), "%04d%02d%02d", (tm.tm_year + 1900) % 10000,
			 (tm.tm_mon + 1) % 100, tm.tm_mday % 100);
	}
	r.service = service ? service : c.identity[0] ? c.identity : "localhost";
	service_prefix(r.service, prefix, sizeof(prefix));
	r.prefix = prefix;
	r.dir = out ? out : dir;
	if (report(&r, &A, &B, (uint32_t)(t0 / RX_DAY_S),
		   (uint32_t)((t1 > t0 ? t1 - 1 : t0) / RX_DAY_S)))
		return RX_EXIT_FAIL;
	rx_info("%d files in %s for %s", r.nfiles, r.dir, r.start);
	return RX_EXIT_OK;
bad:
	rx_opts_usage(&rssac_spec, stderr);
	return RX_EXIT_USAGE;
}
