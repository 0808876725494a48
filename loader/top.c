// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * top.c - `rootxdp stats --top [N]`: which names and qtypes are asked.
 *
 * Sums the kernel paths' per-CPU name counters (bpf/top.h: rx_top_tld for
 * existent TLDs and ".", rx_top_nx for nonexistent ones, rx_top_qt by
 * qtype) and rootxdpd's (run-dir/rootxdpd.top, fallback/top.c), and
 * prints the N largest of each with its share of the queries counted
 * (the sum over every qtype: each counted query has exactly one).
 */
#include <ctype.h>
#include <errno.h>
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

struct top_ent {
	struct rx_label l;
	int exists;
	unsigned long long n;
};

struct top_set {
	struct top_ent *e;
	size_t n, cap;
	unsigned long long qt[RX_TOP_QT];
};

static int ent_add(struct top_set *s, const struct rx_label *l, int exists,
		   unsigned long long n)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		struct top_ent *e = realloc(s->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		s->e = e;
		s->cap = cap;
	}
	memset(&s->e[s->n], 0, sizeof(s->e[0]));
	s->e[s->n].l = *l;
	s->e[s->n].exists = exists;
	s->e[s->n].n = n;
	s->n++;
	return 0;
}

/* A per-CPU hash of rx_label -> __u64, summed over CPUs. */
static int read_labels(const char *pin_root, const char *name, int exists, struct top_set *s)
{
	char path[PATH_MAX];
	struct rx_label k, next;
	int ncpu = libbpf_num_possible_cpus(), fd, err = 0;
	__u64 *v;
	void *prev = NULL;

	if (rx_pin_path(path, sizeof(path), pin_root, name))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	v = calloc(ncpu > 0 ? ncpu : 1, sizeof(*v));
	if (!v) {
		close(fd);
		return -ENOMEM;
	}
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		unsigned long long sum = 0;

		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(fd, &k, v))
			continue;	/* evicted meanwhile (LRU) */
		for (int c = 0; c < ncpu; c++)
			sum += v[c];
		if ((err = ent_add(s, &k, exists, sum)))
			break;
	}
	free(v);
	close(fd);
	return err;
}

static int read_qtypes(const char *pin_root, struct top_set *s)
{
	char path[PATH_MAX];
	int ncpu = libbpf_num_possible_cpus(), fd, err = 0;
	struct rx_top_qt *v;
	__u32 zero = 0;

	if (rx_pin_path(path, sizeof(path), pin_root, "rx_top_qt"))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	v = calloc(ncpu > 0 ? ncpu : 1, sizeof(*v));
	if (!v) {
		close(fd);
		return -ENOMEM;
	}
	if (bpf_map_lookup_elem(fd, &zero, v) == 0) {
		for (int c = 0; c < ncpu; c++)
			for (int i = 0; i < RX_TOP_QT; i++)
				s->qt[i] += v[c].n[i];
	} else {
		err = -errno;
	}
	free(v);
	close(fd);
	return err;
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* rootxdpd's counts: "qtype T N" and "tld EXISTS HEXLABEL|- N" lines. */
static void read_daemon(const char *run_dir, struct top_set *s)
{
	char path[PATH_MAX], line[256], hex[160];
	unsigned long long n;
	unsigned t;
	int ex;
	FILE *f;

	if (rx_fmt(path, sizeof(path), "%s/rootxdpd.top", run_dir))
		return;
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct rx_label l;
		size_t len;

		if (sscanf(line, "qtype %u %llu", &t, &n) == 2 && t < RX_TOP_QT) {
			s->qt[t] += n;
			continue;
		}
		if (sscanf(line, "tld %d %159s %llu", &ex, hex, &n) != 3)
			continue;
		memset(&l, 0, sizeof(l));
		len = strcmp(hex, "-") ? strlen(hex) / 2 : 0;
		if (len > RX_LABEL_MAX || (len && strspn(hex, "0123456789abcdef") != 2 * len))
			continue;
		for (size_t i = 0; i < len; i++)
			l.name[i] = hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]);
		l.len = len;
		ent_add(s, &l, !!ex, n);
	}
	fclose(f);
}

static int by_key(const void *a, const void *b)
{
	const struct top_ent *x = a, *y = b;

	if (x->exists != y->exists)
		return x->exists - y->exists;
	if (x->l.len != y->l.len)
		return x->l.len - y->l.len;
	return memcmp(x->l.name, y->l.name, x->l.len);
}

/* Largest first; ties by name, so that the order is stable. */
static int by_count(const void *a, const void *b)
{
	const struct top_ent *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return by_key(a, b);
}

/* The label as it would be written in a zone file, with a final dot. */
static void label_str(const struct rx_label *l, char *out, size_t outlen)
{
	size_t o = 0;

	for (unsigned i = 0; i < l->len && i < RX_LABEL_MAX && o + 5 < outlen; i++) {
		unsigned char c = l->name[i];

		if (isalnum(c) || c == '-' || c == '_')
			out[o++] = c;
		else
			o += snprintf(out + o, outlen - o, "\\%03u", c);
	}
	snprintf(out + o, outlen - o, ".");
}

static const char *qtype_str(unsigned t, char *buf, size_t len)
{
	static const struct { unsigned t; const char *s; } names[] = {
		{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" }, { 12, "PTR" },
		{ 15, "MX" }, { 16, "TXT" }, { 28, "AAAA" }, { 33, "SRV" }, { 35, "NAPTR" },
		{ 43, "DS" }, { 46, "RRSIG" }, { 47, "NSEC" }, { 48, "DNSKEY" }, { 50, "NSEC3" },
		{ 52, "TLSA" }, { 63, "ZONEMD" }, { 64, "SVCB" }, { 65, "HTTPS" }, { 255, "ANY" },
	};

	if (t == RX_TOP_QT - 1)
		return "TYPE256+";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].t == t)
			return names[i].s;
	snprintf(buf, len, "TYPE%u", t);
	return buf;
}

static double share(unsigned long long n, unsigned long long total)
{
	return total ? 100.0 * n / total : 0.0;
}

int rx_top_print(const char *pin_root, const char *run_dir, unsigned n, bool json)
{
	struct top_set s = { 0 };
	struct top_ent qts[RX_TOP_QT];
	unsigned long long total = 0;
	size_t i, j, nq = 0;
	char name[RX_LABEL_MAX * 4 + 2], tb[16];
	int err;

	if ((err = read_labels(pin_root, "rx_top_tld", 1, &s)) ||
	    (err = read_labels(pin_root, "rx_top_nx", 0, &s)) ||
	    (err = read_qtypes(pin_root, &s))) {
		rx_err("cannot read the name counters under %s: %s (rootxdp attach; programs of "
		       "this version)" RX_HINT_FMT, pin_root, rx_strerr(err), RX_HINT_ARGS(err));
		free(s.e);
		return RX_EXIT_FAIL;
	}
	read_daemon(run_dir, &s);
	/* one entry per (existence, label): the kernel's and rootxdpd's added */
	if (s.n) {
		qsort(s.e, s.n, sizeof(s.e[0]), by_key);
		for (i = 1, j = 0; i < s.n; i++) {
			if (by_key(&s.e[i], &s.e[j]) == 0)
				s.e[j].n += s.e[i].n;
			else
				s.e[++j] = s.e[i];
		}
		s.n = j + 1;
		qsort(s.e, s.n, sizeof(s.e[0]), by_count);
	}
	for (i = 0; i < RX_TOP_QT; i++) {
		total += s.qt[i];
		if (s.qt[i]) {
			memset(&qts[nq], 0, sizeof(qts[0]));
			qts[nq].l.len = 0;
			qts[nq].exists = i;	/* the qtype, as the tie key */
			qts[nq++].n = s.qt[i];
		}
	}
	qsort(qts, nq, sizeof(qts[0]), by_count);

	if (json)
		printf("{\"queries\":%llu", total);
	else
		printf("queries counted: %llu (kernel paths and rootxdpd)\n", total);
	for (int ex = 1; ex >= 0; ex--) {
		unsigned shown = 0;

		if (json)
			printf(",\"%s\":[", ex ? "existent" : "nonexistent");
		else
			printf("%s TLDs, top %u:\n", ex ? "existent" : "nonexistent", n);
		for (i = 0; i < s.n && shown < n; i++) {
			if (s.e[i].exists != ex)
				continue;
			label_str(&s.e[i].l, name, sizeof(name));
			if (json) {
				/* labels with '"' or '\\' in them: escaped as \DDD already */
				printf("%s{\"name\":\"", shown ? "," : "");
				for (const char *p = name; *p; p++)
					printf(*p == '\\' ? "\\\\" : "%c", *p);
				printf("\",\"count\":%llu,\"share\":%.4f}", s.e[i].n,
				       share(s.e[i].n, total));
			} else {
				printf("  %-24s %12llu %7.2f%%\n", name, s.e[i].n,
				       share(s.e[i].n, total));
			}
			shown++;
		}
		if (json)
			printf("]");
	}
	if (json)
		printf(",\"qtypes\":[");
	else
		printf("qtypes, top %u:\n", n);
	for (i = 0; i < nq && i < n; i++) {
		const char *q = qtype_str(qts[i].exists, tb, sizeof(tb));

		if (json)
			printf("%s{\"qtype\":\"%s\",\"count\":%llu,\"share\":%.4f}", i ? "," : "", q,
			       qts[i].n, share(qts[i].n, total));
		else
			printf("  %-24s %12llu %7.2f%%\n", q, qts[i].n, share(qts[i].n, total));
	}
	if (json)
		printf("]}\n");
	free(s.e);
	return RX_EXIT_OK;
}
