// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * prometheus.c - `rootxdp stats --prometheus`: the counters of the XDP and
 * TC programs (bpf/rootxdp.h RX_STATS) and of rootxdpd (fallback/fb.h
 * FB_STATS) as Prometheus text exposition 0.0.4, one family per concept
 * with labels for its dimensions, kernel and daemon in the same families
 * (label path="xdp", "tc" or "rootxdpd").
 *
 * Table-driven: every counter name is matched against rules[] below (all
 * rules that match apply, in order).  A rule names the family and the
 * labels the sample gets; the part a trailing '*' matched can become a
 * label value.  Samples with the same family and labels are added (the
 * kernel's ipv4 and ipv6 are two samples, rootxdpd's two marginals are
 * skipped in favour of its cross counters).  A counter no rule matches
 * is still exported, as rootxdp_<name>_total{path}: a counter added to
 * either X-macro shows up without a code change, and gets its family by
 * adding one line here (docs/operator-guide.md, "Prometheus").
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include "prometheus.h"

#define K	RX_PROM_KERNEL
#define D	RX_PROM_DAEMON
#define KD	(K | D)

enum ptype { P_COUNTER, P_GAUGE, P_HISTOGRAM };
enum rtype { R_SAMPLE, R_BUCKET, R_SUM, R_SKIP };

struct family {
	const char *name;
	enum ptype type;
	const char *help;
};

/* Families in output order.  Units in names (_bytes, _seconds), counters
 * end in _total (Prometheus naming conventions). */
static const struct family families[] = {
	{ "rootxdp_packets_total", P_COUNTER,
	  "Frames a kernel program saw (all traffic on the interface; a frame passed on is seen again by the next path)" },
	{ "rootxdp_queries_total", P_COUNTER,
	  "DNS queries received, by transport and address family (a query passed on is counted again by the next path)" },
	{ "rootxdp_responses_total", P_COUNTER,
	  "Responses sent, by RCODE (RRL slips included: TC=1 as NOERROR, BADCOOKIE)" },
	{ "rootxdp_responses_by_qtype_total", P_COUNTER,
	  "Responses sent, by the query's QTYPE (FORMERR not counted); OTHER = any type not listed" },
	{ "rootxdp_responses_by_transport_total", P_COUNTER, "Responses sent, by transport" },
	{ "rootxdp_answers_total", P_COUNTER, "Responses sent, by kind of answer" },
	{ "rootxdp_truncated_responses_total", P_COUNTER, "Responses sent with TC=1" },
	{ "rootxdp_glue_cut_responses_total", P_COUNTER,
	  "Responses that left optional glue out to fit the size limit" },
	{ "rootxdp_response_size_bytes", P_HISTOGRAM, "DNS payload size of the responses sent" },
	{ "rootxdp_received_bytes_total", P_COUNTER, "DNS payload bytes of the queries received" },
	{ "rootxdp_sent_bytes_total", P_COUNTER, "DNS payload bytes of the responses sent" },
	{ "rootxdp_edns_queries_total", P_COUNTER, "Queries with an EDNS OPT record" },
	{ "rootxdp_dnssec_ok_queries_total", P_COUNTER, "Queries with the DO bit" },
	{ "rootxdp_vlan_queries_total", P_COUNTER, "Queries that arrived with a VLAN tag" },
	{ "rootxdp_passed_total", P_COUNTER,
	  "Packets a kernel program passed on (TC, then the stack and rootxdpd), by reason" },
	{ "rootxdp_dropped_total", P_COUNTER, "Packets a kernel program dropped, by reason" },
	{ "rootxdp_unanswered_total", P_COUNTER,
	  "Queries that got no response (a DNS response, a short header, an RRL drop)" },
	{ "rootxdp_cookies_total", P_COUNTER,
	  "Queries with a DNS COOKIE option, by what their server cookie was (RFC 7873)" },
	{ "rootxdp_cookies_minted_total", P_COUNTER, "Fresh server cookies sent" },
	{ "rootxdp_cookie_responses_total", P_COUNTER, "Responses carrying a COOKIE option" },
	{ "rootxdp_nsid_responses_total", P_COUNTER, "Responses carrying an NSID option" },
	{ "rootxdp_rrl_decisions_total", P_COUNTER,
	  "Response rate limiting: not limited (exempt, cookie), limited (log_only, slipped, dropped)" },
	{ "rootxdp_rrl_limited_total", P_COUNTER,
	  "Responses over the rate (log_only + slipped + dropped)" },
	{ "rootxdp_rrl_buckets_created_total", P_COUNTER, "RRL buckets created (or an evicted one reused)" },
	{ "rootxdp_tcp_connections_total", P_COUNTER, "rootxdpd TCP connections, by event" },
	{ "rootxdp_reloads_total", P_COUNTER, "rootxdpd zone reloads (SIGHUP), by result" },
	{ "rootxdp_dnstap_messages_total", P_COUNTER, "dnstap messages, by result" },
	{ "rootxdp_dnstap_kernel_samples_total", P_COUNTER,
	  "The kernel paths' dnstap sample: picked and lost (ring full) in the kernel, read and cut (response longer than a record) by rootxdpd" },
	{ "rootxdp_top_uncounted_total", P_COUNTER, "Answers whose name the --top tables had no room for" },
};

/*
 * match: a counter name, or a prefix ending in '*'.  label/value: the
 * label the rule adds (value NULL: what '*' matched, upper-cased with
 * UP); more: fixed labels.  Every matching rule applies, in order, until
 * one with STOP (cookie_minted is not a cookie_* result).  R_BUCKET adds to a histogram bucket (le; the
 * buckets are per-bucket counts, made cumulative on output), R_SUM its
 * _sum, R_SKIP exports nothing (the counter is covered by others).
 */
#define UP	1	/* label value upper-cased (RCODE, QTYPE names) */
#define STOP	2	/* no later rule applies to this counter */
struct rule {
	unsigned src;
	const char *match;
	const char *family;
	enum rtype type;
	const char *label, *value, *more;
	unsigned flags;
	double le;
};

static const struct rule rules[] = {
	{ .src = K, .match = "packets", .family = "rootxdp_packets_total" },
	{ .src = K, .match = "ipv4", .family = "rootxdp_queries_total", .more = "transport=\"udp\",family=\"ipv4\"" },
	{ .src = K, .match = "ipv6", .family = "rootxdp_queries_total", .more = "transport=\"udp\",family=\"ipv6\"" },
	{ .src = D, .match = "queries_udp_ipv4", .family = "rootxdp_queries_total", .more = "transport=\"udp\",family=\"ipv4\"" },
	{ .src = D, .match = "queries_udp_ipv6", .family = "rootxdp_queries_total", .more = "transport=\"udp\",family=\"ipv6\"" },
	{ .src = D, .match = "queries_tcp_ipv4", .family = "rootxdp_queries_total", .more = "transport=\"tcp\",family=\"ipv4\"" },
	{ .src = D, .match = "queries_tcp_ipv6", .family = "rootxdp_queries_total", .more = "transport=\"tcp\",family=\"ipv6\"" },
	{ .src = D, .match = "queries_udp", .family = NULL, .type = R_SKIP },	/* marginals of the four above */
	{ .src = D, .match = "queries_tcp", .family = NULL, .type = R_SKIP },
	{ .src = D, .match = "ipv4", .family = NULL, .type = R_SKIP },
	{ .src = D, .match = "ipv6", .family = NULL, .type = R_SKIP },
	{ .src = KD, .match = "rcode_*", .family = "rootxdp_responses_total", .label = "rcode", .flags = UP },
	{ .src = KD, .match = "qtype_*", .family = "rootxdp_responses_by_qtype_total", .label = "qtype", .flags = UP },
	{ .src = K, .match = "answered", .family = "rootxdp_responses_by_transport_total", .more = "transport=\"udp\"" },
	{ .src = D, .match = "answers_udp", .family = "rootxdp_responses_by_transport_total", .more = "transport=\"udp\"" },
	{ .src = D, .match = "answers_tcp", .family = "rootxdp_responses_by_transport_total", .more = "transport=\"tcp\"" },
	{ .src = KD, .match = "kind_*", .family = "rootxdp_answers_total", .label = "kind" },
	{ .src = KD, .match = "truncated", .family = "rootxdp_truncated_responses_total" },
	{ .src = K, .match = "glue_cut", .family = "rootxdp_glue_cut_responses_total" },
	{ .src = K, .match = "size_lt_128", .family = "rootxdp_response_size_bytes", .type = R_BUCKET, .le = 127 },
	{ .src = K, .match = "size_lt_512", .family = "rootxdp_response_size_bytes", .type = R_BUCKET, .le = 511 },
	{ .src = K, .match = "size_lt_1232", .family = "rootxdp_response_size_bytes", .type = R_BUCKET, .le = 1231 },
	{ .src = K, .match = "size_ge_1232", .family = "rootxdp_response_size_bytes", .type = R_BUCKET, .le = INFINITY },
	{ .src = K, .match = "bytes_out", .family = "rootxdp_response_size_bytes", .type = R_SUM },
	{ .src = KD, .match = "bytes_in", .family = "rootxdp_received_bytes_total" },
	{ .src = KD, .match = "bytes_out", .family = "rootxdp_sent_bytes_total" },
	{ .src = KD, .match = "edns", .family = "rootxdp_edns_queries_total" },
	{ .src = K, .match = "do_bit", .family = "rootxdp_dnssec_ok_queries_total" },
	{ .src = D, .match = "do", .family = "rootxdp_dnssec_ok_queries_total" },
	{ .src = K, .match = "vlan", .family = "rootxdp_vlan_queries_total" },
	{ .src = K, .match = "pass_*", .family = "rootxdp_passed_total", .label = "reason" },
	{ .src = K, .match = "drop_qr", .family = "rootxdp_dropped_total", .label = "reason", .value = "qr" },
	{ .src = K, .match = "drop_short_header", .family = "rootxdp_dropped_total", .label = "reason", .value = "short_header" },
	{ .src = K, .match = "drop_*", .family = "rootxdp_unanswered_total" },
	{ .src = K, .match = "rrl_dropped", .family = "rootxdp_unanswered_total" },
	{ .src = D, .match = "dropped", .family = "rootxdp_unanswered_total" },
	{ .src = KD, .match = "cookie_minted", .family = "rootxdp_cookies_minted_total", .flags = STOP },
	{ .src = KD, .match = "cookie_*", .family = "rootxdp_cookies_total", .label = "result" },
	{ .src = D, .match = "cookie", .family = "rootxdp_cookie_responses_total" },
	{ .src = D, .match = "nsid", .family = "rootxdp_nsid_responses_total" },
	{ .src = KD, .match = "rrl_limited", .family = "rootxdp_rrl_limited_total", .flags = STOP },
	{ .src = KD, .match = "rrl_new_bucket", .family = "rootxdp_rrl_buckets_created_total", .flags = STOP },
	{ .src = KD, .match = "rrl_*", .family = "rootxdp_rrl_decisions_total", .label = "decision" },
	{ .src = D, .match = "tcp_*", .family = "rootxdp_tcp_connections_total", .label = "event" },
	{ .src = D, .match = "reloads", .family = "rootxdp_reloads_total", .label = "result", .value = "ok" },
	{ .src = D, .match = "reload_failed", .family = "rootxdp_reloads_total", .label = "result", .value = "failed" },
	{ .src = KD, .match = "dnstap_*", .family = "rootxdp_dnstap_messages_total", .label = "result" },
	{ .src = K, .match = "tap_sampled", .family = "rootxdp_dnstap_kernel_samples_total", .label = "result", .value = "sampled" },
	{ .src = K, .match = "tap_lost", .family = "rootxdp_dnstap_kernel_samples_total", .label = "result", .value = "lost" },
	{ .src = D, .match = "kernel_tap_read", .family = "rootxdp_dnstap_kernel_samples_total", .label = "result", .value = "read" },
	{ .src = D, .match = "kernel_tap_cut", .family = "rootxdp_dnstap_kernel_samples_total", .label = "result", .value = "cut" },
	{ .src = KD, .match = "top_full", .family = "rootxdp_top_uncounted_total" },
};

/* ---- samples ---- */

struct sample {
	int fam;		/* index into fams */
	int idx;		/* order of creation: output order within a family */
	char labels[192];	/* without le */
	double le;		/* histogram buckets */
	enum rtype type;
	unsigned long long v;
};

struct fam {
	char name[96];
	enum ptype type;
	char help[256];
};

struct out {
	struct fam *fams;
	int nfam, capfam;
	struct sample *s;
	int ns, caps;
};

static int fam_find(struct out *o, const char *name, enum ptype type, const char *help)
{
	int i;

	for (i = 0; i < o->nfam; i++)
		if (!strcmp(o->fams[i].name, name))
			return i;
	if (o->nfam == o->capfam) {
		int cap = o->capfam ? 2 * o->capfam : 64;
		struct fam *n = realloc(o->fams, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		o->fams = n;
		o->capfam = cap;
	}
	snprintf(o->fams[o->nfam].name, sizeof(o->fams[0].name), "%s", name);
	o->fams[o->nfam].type = type;
	snprintf(o->fams[o->nfam].help, sizeof(o->fams[0].help), "%s", help);
	return o->nfam++;
}

static int add(struct out *o, int fam, const char *labels, enum rtype type, double le,
	       unsigned long long v)
{
	int i;

	for (i = 0; i < o->ns; i++) {
		struct sample *s = &o->s[i];

		if (s->fam == fam && s->type == type && s->le == le && !strcmp(s->labels, labels)) {
			s->v += v;
			return 0;
		}
	}
	if (o->ns == o->caps) {
		int cap = o->caps ? 2 * o->caps : 256;
		struct sample *n = realloc(o->s, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		o->s = n;
		o->caps = cap;
	}
	o->s[o->ns] = (struct sample){ .fam = fam, .idx = o->ns, .type = type, .le = le, .v = v };
	snprintf(o->s[o->ns].labels, sizeof(o->s[0].labels), "%s", labels);
	o->ns++;
	return 0;
}

/* Does rule r match name?  *rest gets what '*' matched. */
static bool matches(const struct rule *r, unsigned src, const char *name, const char **rest)
{
	size_t n = strlen(r->match);

	if (!(r->src & src))
		return false;
	if (n && r->match[n - 1] == '*') {
		if (strncmp(name, r->match, n - 1) || !name[n - 1])
			return false;
		*rest = name + n - 1;
		return true;
	}
	*rest = "";
	return !strcmp(name, r->match);
}

static const struct family *family_meta(const char *name)
{
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (!strcmp(families[i].name, name))
			return &families[i];
	return NULL;
}

/* Label values are [a-z0-9_] names here; escape anyway (\\, \", \n). */
static void label_value(char *out, size_t len, const char *v, bool up)
{
	size_t j = 0;

	for (; *v && j + 3 < len; v++) {
		char ch = up ? (char)toupper((unsigned char)*v) : *v;

		if (ch == '\\' || ch == '"') {
			out[j++] = '\\';
			out[j++] = ch;
		} else if (ch == '\n') {
			out[j++] = '\\';
			out[j++] = 'n';
		} else {
			out[j++] = ch;
		}
	}
	out[j] = '\0';
}

static int counter(struct out *o, unsigned src, const char *path, const char *name,
		   unsigned long long v)
{
	char labels[192], val[64], fname[96], help[256];
	bool hit = false;
	const char *rest;
	int f, err;

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct rule *r = &rules[i];
		const struct family *m;
		int n;

		if (!matches(r, src, name, &rest))
			continue;
		hit = true;
		if (r->type == R_SKIP)
			break;
		m = family_meta(r->family);
		if (!m)
			return -EINVAL;	/* a rule naming no family: a bug here */
		f = fam_find(o, m->name, m->type, m->help);
		if (f < 0)
			return f;
		n = snprintf(labels, sizeof(labels), "path=\"%s\"", path);
		if (r->more)
			n += snprintf(labels + n, sizeof(labels) - n, ",%s", r->more);
		if (r->label) {
			label_value(val, sizeof(val), r->value ? r->value : rest, r->flags & UP);
			snprintf(labels + n, sizeof(labels) - n, ",%s=\"%s\"", r->label, val);
		}
		err = add(o, f, labels, r->type, r->le, v);
		if (err)
			return err;
		if (r->flags & STOP)
			break;
	}
	if (hit)
		return 0;
	/* No rule: a family of its own, shared by kernel and daemon. */
	snprintf(fname, sizeof(fname), "rootxdp_%s_total", name);
	snprintf(help, sizeof(help), "Counter '%s' (no family rule for it yet)", name);
	f = fam_find(o, fname, P_COUNTER, help);
	if (f < 0)
		return f;
	snprintf(labels, sizeof(labels), "path=\"%s\"", path);
	return add(o, f, labels, R_SAMPLE, 0, v);
}

static void gauge(FILE *f, const char *name, const char *help, const char *labels, double v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n%s%s%s%s %.17g\n", name, help, name, name,
		labels ? "{" : "", labels ? labels : "", labels ? "}" : "", v);
}

static int cmp_le(const void *a, const void *b)
{
	const struct sample *x = a, *y = b;

	if (x->fam != y->fam)
		return x->fam - y->fam;
	if (x->le != y->le)
		return x->le < y->le ? -1 : 1;
	return x->idx - y->idx;
}

static void print_family(FILE *f, struct out *o, int fi)
{
	const struct fam *fm = &o->fams[fi];
	static const char *const tn[] = { "counter", "gauge", "histogram" };
	int i, j;

	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", fm->name, fm->help, fm->name, tn[fm->type]);
	if (fm->type != P_HISTOGRAM) {
		for (i = 0; i < o->ns; i++)
			if (o->s[i].fam == fi)
				fprintf(f, "%s{%s} %llu\n", fm->name, o->s[i].labels, o->s[i].v);
		return;
	}
	/* Histogram: per label set, buckets by le made cumulative; _count is
	 * the +Inf bucket. */
	for (i = 0; i < o->ns; i++) {
		struct sample *s = &o->s[i], b[16];
		unsigned long long cum = 0, sum = 0;
		int nb = 0;
		bool seen = false;

		if (s->fam != fi || s->type != R_BUCKET)
			continue;
		for (j = 0; j < i; j++)
			if (o->s[j].fam == fi && o->s[j].type == R_BUCKET &&
			    !strcmp(o->s[j].labels, s->labels))
				seen = true;
		if (seen)
			continue;
		for (j = 0; j < o->ns && nb < 16; j++) {
			if (o->s[j].fam != fi || strcmp(o->s[j].labels, s->labels))
				continue;
			if (o->s[j].type == R_BUCKET)
				b[nb++] = o->s[j];
			else if (o->s[j].type == R_SUM)
				sum = o->s[j].v;
		}
		qsort(b, nb, sizeof(b[0]), cmp_le);
		for (j = 0; j < nb; j++) {
			cum += b[j].v;
			if (isinf(b[j].le))
				fprintf(f, "%s_bucket{%s,le=\"+Inf\"} %llu\n", fm->name, s->labels, cum);
			else
				fprintf(f, "%s_bucket{%s,le=\"%g\"} %llu\n", fm->name, s->labels,
					b[j].le, cum);
		}
		fprintf(f, "%s_sum{%s} %llu\n%s_count{%s} %llu\n", fm->name, s->labels, sum,
			fm->name, s->labels, cum);
	}
}

int rx_prom_write(FILE *f, const struct rx_prom_input *in)
{
	struct out o = { 0 };
	char lab[160];
	int i, err = 0;

	/* Families of the table first, in its order, then any other. */
	for (i = 0; i < (int)(sizeof(families) / sizeof(families[0])); i++)
		if (fam_find(&o, families[i].name, families[i].type, families[i].help) < 0) {
			err = -ENOMEM;
			goto out;
		}
	for (i = 0; i < in->nk; i++) {
		err = counter(&o, K, in->k[i].path, in->k[i].name, in->k[i].v);
		if (err)
			goto out;
	}
	for (i = 0; i < in->nd; i++) {
		err = counter(&o, D, "rootxdpd", in->d[i].name, in->d[i].v);
		if (err)
			goto out;
	}
	qsort(o.s, o.ns, sizeof(o.s[0]), cmp_le);	/* by family, le, creation */
	for (i = 0; i < o.nfam; i++) {
		bool any = false;

		for (int j = 0; j < o.ns && !any; j++)
			any = o.s[j].fam == i;
		if (any)
			print_family(f, &o, i);
	}

	/* Gauges an operator alerts on. */
	fprintf(f, "# HELP rootxdp_build_info The rootxdp that wrote this\n"
		"# TYPE rootxdp_build_info gauge\n"
		"rootxdp_build_info{version=\"%s\",image_format=\"%u\"} 1\n",
		in->version, in->image_format);
	if (in->have_zone || in->have_dserial) {
		fprintf(f, "# HELP rootxdp_zone_serial SOA serial of the zone each path serves\n"
			"# TYPE rootxdp_zone_serial gauge\n");
		if (in->have_zone)
			for (i = 0; i < RX_PATHS; i++)
				if (in->path_mask & (1u << i))
					fprintf(f, "rootxdp_zone_serial{path=\"%s\"} %u\n",
						i ? "tc" : "xdp", in->serial);
		if (in->have_dserial)
			fprintf(f, "rootxdp_zone_serial{path=\"rootxdpd\"} %u\n", in->dserial);
	}
	if (in->have_zone) {
		snprintf(lab, sizeof(lab), "serial=\"%u\",sha256=\"%s\"", in->serial, in->sha256);
		gauge(f, "rootxdp_zone_info", "The zone in the maps (image SHA-256)", lab, 1);
		gauge(f, "rootxdp_zone_loaded_timestamp_seconds",
		      "When the zone in the maps was swapped in (UNIX time)", NULL,
		      (double)(in->loaded_ns / 1000000000ull));
		gauge(f, "rootxdp_zone_seconds_since_load",
		      "Seconds from the swap to the writing of these metrics", NULL,
		      in->loaded_ns / 1e9 > (double)in->now ? 0 :
		      (double)in->now - (double)(in->loaded_ns / 1000000000ull));
	}
	if (in->have_age) {
		if (in->sig_expire)
			gauge(f, "rootxdp_zone_rrsig_expiry_timestamp_seconds",
			      "Earliest RRSIG expiration in the served zone (UNIX time)", NULL,
			      in->sig_expire);
		gauge(f, "rootxdp_zone_stale_timestamp_seconds",
		      "When the served zone goes stale: last confirmed + SOA expire (UNIX time)",
		      NULL, (double)in->stale_at);
	}
	if (in->with_daemon)
		gauge(f, "rootxdp_rootxdpd_up",
		      "1 if rootxdpd runs (its pid file names a live process)", NULL, in->daemon_up);
	if (in->have_dtime)
		gauge(f, "rootxdp_rootxdpd_stats_timestamp_seconds",
		      "When rootxdpd last wrote its counters (every second while it runs)", NULL,
		      (double)in->dtime);
	gauge(f, "rootxdp_stats_timestamp_seconds", "When these metrics were written (UNIX time)",
	      NULL, (double)in->now);
	if (ferror(f))
		err = -EIO;
out:
	free(o.s);
	free(o.fams);
	return err;
}
