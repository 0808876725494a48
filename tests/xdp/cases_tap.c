// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cases_tap.c - the dnstap sample (bpf/tap.h) and the name counters (bpf/top.h).
 */
#include "fixture.h"

/* ---- the dnstap sample (bpf/tap.h) and the name counters (bpf/top.h) ---- */

#define TAP_KEEP 16
static struct {
	struct rx_tap_rec rec[TAP_KEEP];
	int n;
} tapped;

static int tap_cb(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size == sizeof(struct rx_tap_rec) && tapped.n < TAP_KEEP)
		memcpy(&tapped.rec[tapped.n], data, size);
	tapped.n++;
	return 0;
}

static __u64 top_qt(unsigned qtype)
{
	struct rx_top_qt *v = calloc(T.ncpu, sizeof(*v));
	__u32 zero = 0;
	__u64 n = 0;

	if (v && !bpf_map_lookup_elem(bpf_map__fd(T.skel->maps.rx_top_qt), &zero, v))
		for (int c = 0; c < T.ncpu; c++)
			n += v[c].n[qtype];
	free(v);
	return n;
}

static __u64 top_label(int exists, const char *label)
{
	struct rx_label k = { .len = strlen(label) };
	__u64 *v = calloc(T.ncpu, sizeof(*v)), n = 0;
	int fd = bpf_map__fd(exists ? T.skel->maps.rx_top_tld : T.skel->maps.rx_top_nx);

	memcpy(k.name, label, k.len);
	if (v && !bpf_map_lookup_elem(fd, &k, v))
		for (int c = 0; c < T.ncpu; c++)
			n += v[c];
	free(v);
	return n;
}

void cases_tap(void)
{
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(T.skel->maps.rx_tap), tap_cb,
						  NULL, NULL);
	const char *tld = tld_str(T.signed_tld);
	char name[300], label[64];
	uint8_t qb[512], out[PKT_MAX];
	struct pkt_dec d;

	CHECK_MSG(rb != NULL, "tap: ring_buffer__new on rx_tap: %s", strerror(errno));
	if (!rb)
		return;
	snprintf(label, sizeof(label), "%.*s", (int)strcspn(tld, "."), tld);
	snprintf(name, sizeof(name), "Tap.%s", tld);
	ring_buffer__consume(rb);
	tapped.n = 0;
	T.tap_rate = 1;
	cfg_set(NULL, MTU);
	for (int tc = 0; tc < 2; tc++)
		for (int v6 = 0; v6 < 2; v6++) {
			struct pkt_spec ps = spec(v6, v6 ? 2 : 0);
			struct q q = { .name = name, .type = LDNS_RR_TYPE_NS, .edns = 1, .dobit = 1,
				       .udp = 1232 };
			size_t qlen = q_wire(&q, qb, sizeof(qb));
			__u64 ns0 = top_qt(LDNS_RR_TYPE_NS), l0 = top_label(1, label);
			__u64 s0 = stat_get(tc, RX_ST_TAP_SAMPLED);
			struct timespec now;
			uint8_t c[16], sv[16];
			const struct rx_tap_rec *r = &tapped.rec[0];
			const char *w = tc ? "tc" : "xdp";

			tapped.n = 0;
			if (!answered(tc, run1(tc, &ps, qb, qlen, &d, out))) {
				CHECK_MSG(0, "tap [%s v%d]: not answered", w, v6 ? 6 : 4);
				continue;
			}
			ring_buffer__consume(rb);
			clock_gettime(CLOCK_REALTIME, &now);
			CHECK_MSG(tapped.n == 1, "tap [%s v%d]: one record (%d)", w, v6 ? 6 : 4,
				  tapped.n);
			CHECK_MSG(stat_get(tc, RX_ST_TAP_SAMPLED) == s0 + 1, "tap [%s]: tap_sampled", w);
			if (tapped.n != 1)
				continue;
			inet_pton(v6 ? AF_INET6 : AF_INET, v6 ? PKT_CLIENT6 : PKT_CLIENT4, c);
			inet_pton(v6 ? AF_INET6 : AF_INET, v6 ? PKT_SERVER6 : PKT_SERVER4, sv);
			CHECK_MSG(r->path == (tc ? RX_PATH_TC : RX_PATH_XDP) &&
				  !!(r->flags & RX_TAP_V6) == v6, "tap [%s v%d]: path, family", w,
				  v6 ? 6 : 4);
			CHECK_MSG(!memcmp(r->client, c, v6 ? 16 : 4) &&
				  !memcmp(r->server, sv, v6 ? 16 : 4) && r->cport == PKT_CPORT &&
				  r->sport == 53, "tap [%s v%d]: addresses and ports", w, v6 ? 6 : 4);
			CHECK_MSG(r->qlen == qlen && !memcmp(r->q, qb, qlen),
				  "tap [%s v%d]: the query as sent (%u/%zu bytes)", w, v6 ? 6 : 4,
				  r->qlen, qlen);
			CHECK_MSG(r->rlen == d.dnslen && r->rlen_full == d.dnslen &&
				  !memcmp(r->r, d.dns, d.dnslen),
				  "tap [%s v%d]: the response as sent (%u/%zu bytes)", w, v6 ? 6 : 4,
				  r->rlen, d.dnslen);
			CHECK_MSG(r->rtime_ns >= r->qtime_ns &&
				  llabs((long long)(r->qtime_ns / 1000000000ull) - (long long)now.tv_sec) < 5,
				  "tap [%s]: UNIX times (%llu)", w, (unsigned long long)r->qtime_ns);
			CHECK_MSG(top_qt(LDNS_RR_TYPE_NS) == ns0 + 1 && top_label(1, label) == l0 + 1,
				  "top [%s v%d]: NS and %s. counted once, lowercased", w, v6 ? 6 : 4,
				  label);
		}
	/* 1 in 3 on one CPU: 6 answers, 2 records, every third (the
	 * sample is per CPU: this process stays on the one it is on) */
	{
		cpu_set_t one;
		int cpu = sched_getcpu();

		CPU_ZERO(&one);
		CPU_SET(cpu < 0 ? 0 : cpu, &one);
		CHECK_MSG(sched_setaffinity(0, sizeof(one), &one) == 0, "tap: pinned to a CPU");
	}
	T.tap_rate = 3;
	cfg_set(NULL, MTU);
	tapped.n = 0;
	for (int i = 0; i < 6; i++) {
		struct q q = { .name = name, .type = LDNS_RR_TYPE_A };
		size_t qlen;

		snprintf(name, sizeof(name), "n%d.%s", i, tld);
		qlen = q_wire(&q, qb, sizeof(qb));
		run1(0, &V4, qb, qlen, &d, out);
	}
	ring_buffer__consume(rb);
	/* q[12] = 2, "n", the digit */
	CHECK_MSG(tapped.n == 2 && tapped.rec[0].q[14] + 3 == tapped.rec[1].q[14],
		  "tap: 1 in 3 of 6 answers: %d records, 3 names apart", tapped.n);
	/* a query passed up is not sampled; nor any answer with the rate 0 */
	tapped.n = 0;
	{
		struct q q = { .name = ".", .type = LDNS_RR_TYPE_RRSIG };	/* pass_qtype */
		size_t qlen = q_wire(&q, qb, sizeof(qb));

		for (int i = 0; i < 3; i++)
			run1(0, &V4, qb, qlen, &d, out);
		T.tap_rate = 0;
		cfg_set(NULL, MTU);
		q.name = name;
		q.type = LDNS_RR_TYPE_A;
		qlen = q_wire(&q, qb, sizeof(qb));
		for (int i = 0; i < 3; i++)
			run1(0, &V4, qb, qlen, &d, out);
	}
	ring_buffer__consume(rb);
	CHECK_MSG(tapped.n == 0, "tap: nothing from passes or with the rate 0 (%d)", tapped.n);
	ring_buffer__free(rb);
	{
		cpu_set_t all;

		CPU_ZERO(&all);
		for (int c = 0; c < T.ncpu && c < CPU_SETSIZE; c++)
			CPU_SET(c, &all);
		sched_setaffinity(0, sizeof(all), &all);
	}
}
