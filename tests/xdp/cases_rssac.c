/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cases_rssac.c - the RSSAC002 counters and sketch of both programs
 * (bpf/rssac_bpf.h).
 *
 * Counters: known queries through each path; the expected rx_rssac row
 * is built here from what was sent and from the decoded answers (sizes,
 * rcodes), then compared field by field with the difference of two reads
 * of the map.  Sketch: 512 IPv4 and 10^3..10^6 IPv6 distinct sources (and
 * a quarter as many /64s) through both programs; the estimate must be
 * within the bound rootxdp states, 3 standard errors = 3 * 1.04 / sqrt(m).
 */
#include <math.h>
#include "fixture.h"
#include "rssac002.h"

static int rssac_read(struct rx_rssac_snap *s)
{
	memset(s, 0, sizeof(*s));
	return rx_rssac_kernel_read(bpf_map__fd(T.skel->maps.rx_rssac),
				    bpf_map__fd(T.skel->maps.rx_hll), s);
}

static int rssac_rcode_of(const struct pkt_dec *d)
{
	/* header rcode; these cases send no BADVERS/BADCOOKIE */
	return d->dnslen >= 4 ? d->dns[3] & 0x0f : -1;
}

/* Send one query, count what is expected of it into want. */
static void rssac_send(int tc, const struct pkt_spec *ps, const uint8_t *dns, size_t n,
		       struct rx_rssac *want)
{
	static uint8_t out[PKT_MAX];
	struct pkt_dec d;
	uint32_t ret = run1(tc, ps, dns, n, &d, out);
	int f = ps->v6 ? RX_RS_IPV6 : RX_RS_IPV4, rc;

	CHECK_MSG(answered(tc, ret), "rssac: %s answers the query", path_name(tc));
	if (!answered(tc, ret))
		return;
	want->queries[RX_RS_UDP][f]++;
	want->req_size[RX_RS_UDP][n / 16 < 18 ? n / 16 : 18]++;
	want->responses[RX_RS_UDP][f]++;
	want->resp_size[RX_RS_UDP][d.dnslen / 16 < 256 ? d.dnslen / 16 : 256]++;
	rc = rssac_rcode_of(&d);
	if (rc >= 0)
		want->rcode[rc]++;
}

static void rssac_counters(void)
{
	static struct rx_rssac_snap a, b;
	struct q qs[] = {
		{ .name = tld_str(T.signed_tld), .type = LDNS_RR_TYPE_NS, .edns = 1, .dobit = 1 },
		{ .name = tld_str(T.big_tld), .type = LDNS_RR_TYPE_A },
		{ .name = "nosuchtld-rssac.", .type = LDNS_RR_TYPE_A, .edns = 1 },
		{ .name = ".", .type = LDNS_RR_TYPE_SOA, .edns = 1, .udp = 4096 },
	};
	uint8_t w[512];
	struct raw fe;

	for (int tc = 0; tc < 2; tc++) {
		struct rx_rssac want = { 0 }, got;
		const __u64 *x, *y;
		__u64 *g;
		int same = 1;

		CHECK(rssac_read(&a) == 0);
		for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
			for (int v6 = 0; v6 < 2; v6++)
				for (unsigned k = 0; k <= i + (unsigned)v6; k++) {
					size_t n = q_wire(&qs[i], w, sizeof(w));

					rssac_send(tc, v6 ? &V6 : &V4, w, n, &want);
				}
		/* FORMERR (two questions): rcode 1 */
		raw_hdr(&fe, 0x0100, 2, 0, 0, 0);
		raw_q(&fe, "\2ab\0", 4, 1);
		raw_q(&fe, "\2ab\0", 4, 1);
		rssac_send(tc, &V4, fe.b, fe.n, &want);
		CHECK(rssac_read(&b) == 0);
		x = (const __u64 *)&a.src[tc];
		y = (const __u64 *)&b.src[tc];
		g = (__u64 *)&got;
		for (size_t i = 0; i < sizeof(got) / 8; i++)
			g[i] = y[i] - x[i];
		for (size_t i = 0; i < sizeof(got) / 8; i++)
			if (g[i] != ((const __u64 *)&want)[i]) {
				same = 0;
				CHECK_MSG(0, "rssac %s: word %zu of rx_rssac is %llu, sent %llu",
					  path_name(tc), i, (unsigned long long)g[i],
					  (unsigned long long)((const __u64 *)&want)[i]);
			}
		CHECK_MSG(same && want.queries[RX_RS_UDP][RX_RS_IPV4] == 11 &&
			  want.queries[RX_RS_UDP][RX_RS_IPV6] == 14 && want.rcode[3] == 7 &&
			  want.rcode[1] == 1,
			  "rssac %s: every counter is what was sent (v4 %llu, v6 %llu)",
			  path_name(tc), (unsigned long long)want.queries[RX_RS_UDP][RX_RS_IPV4],
			  (unsigned long long)want.queries[RX_RS_UDP][RX_RS_IPV6]);
		/* the other path's row did not move */
		CHECK(!memcmp(&a.src[!tc], &b.src[!tc], sizeof(a.src[0])));
	}
}

static void rssac_check_est(const char *what, double est, double n)
{
	double bound = 3 * 1.04 / sqrt(RX_HLL_M);

	CHECK_MSG(fabs(est - n) <= bound * n, "rssac sketch %s: %.0f for %.0f sources (bound %.2f%%)",
		  what, est, n, 100 * bound);
	printf("# rssac sketch %-9s %8.0f sources: estimate %9.0f (%+.3f%%, bound %.2f%%)\n", what,
	       n, est, 100 * (est - n) / n, 100 * bound);
}

static void rssac_sketch(void)
{
	static struct rx_rssac_snap s;
	static uint8_t in[PKT_MAX];
	struct q q = { .name = tld_str(T.signed_tld), .type = LDNS_RR_TYPE_NS };
	const unsigned levels[] = { 1000, 10000, 100000, 1000000 };
	uint8_t w[512];
	size_t n = q_wire(&q, w, sizeof(w));
	uint32_t day = (uint32_t)(time(NULL) / RX_DAY_S), sent = 0;
	struct pkt_spec ps = V4;
	const struct rx_rssac_sketch *sk;

	/* IPv4: every address of 198.51.100.0/24 and 203.0.113.0/24. */
	ps.saddr_set = 1;
	for (unsigned i = 0; i < 512; i++) {
		size_t len, ol;
		uint32_t ret;
		static uint8_t out[PKT_MAX];

		memcpy(ps.saddr, i < 256 ? "\xc6\x33\x64" : "\xcb\x00\x71", 3);
		ps.saddr[3] = (uint8_t)i;
		len = pkt_build(&ps, w, n, in);
		pkt_run(T.fd[i & 1], !(i & 1), in, len, out, &ol, &ret);
	}
	/* IPv6: source i is in the /64 2001:db8:8000+(i/4 >> 16):(i/4 & 0xffff). */
	ps = V6;
	ps.saddr_set = 1;
	for (int l = 0; l < 4; l++) {
		for (; sent < levels[l]; sent++) {
			static uint8_t out[PKT_MAX];
			uint32_t agg = sent / 4, ret;
			size_t len, ol;

			memset(ps.saddr, 0, 16);
			memcpy(ps.saddr, "\x20\x01\x0d\xb8", 4);
			ps.saddr[4] = 0x80 | agg >> 24;
			ps.saddr[5] = agg >> 16;
			ps.saddr[6] = agg >> 8;
			ps.saddr[7] = agg;
			ps.saddr[15] = sent % 4 + 1;
			len = pkt_build(&ps, w, n, in);
			if (pkt_run(T.fd[sent & 1], !(sent & 1), in, len, out, &ol, &ret))
				break;
		}
		if (rssac_read(&s) || !(sk = rx_rssac_day(&s, day))) {
			CHECK_MSG(0, "rssac: no sketch for today (day %u)", day);
			return;
		}
		/* + the PKT_CLIENT* sources of the other cases */
		if (l == 0)
			rssac_check_est("ipv4", rx_hll_estimate(sk->reg[RX_HLL_IPV4]), 512);
		rssac_check_est("ipv6", rx_hll_estimate(sk->reg[RX_HLL_IPV6]), levels[l] + 1.0);
		rssac_check_est("ipv6/64", rx_hll_estimate(sk->reg[RX_HLL_IPV6_AGG]),
				levels[l] / 4 + 1.0);
	}
}

/* The programs' clock moved by `days` (rx_cfg.tai_offset), as at a UTC
 * midnight: no real day has to pass. */
static void rssac_shift(int days)
{
	struct rx_cfg c;
	__u32 zero = 0;

	cfg_set(NULL, MTU);
	if (bpf_map_lookup_elem(T.maps.cfg, &zero, &c))
		return;
	c.tai_offset -= (__s64)days * RX_DAY_S;
	bpf_map_update_elem(T.maps.cfg, &zero, &c, BPF_ANY);
}

/* Day rollover: the next day starts a sketch of its own and leaves the
 * finished day's alone; 4 days on, the slot is reused and cleared first
 * (by each CPU for itself), so nothing of the old day leaks in. */
static void rssac_days(void)
{
	static struct rx_rssac_snap s0, s1, s4;
	static uint8_t in[PKT_MAX], out[PKT_MAX];
	struct q q = { .name = tld_str(T.signed_tld), .type = LDNS_RR_TYPE_NS };
	uint32_t day = (uint32_t)(time(NULL) / RX_DAY_S), ret;
	struct pkt_spec ps = V6;
	const struct rx_rssac_sketch *a, *b;
	uint8_t w[512];
	size_t n = q_wire(&q, w, sizeof(w)), len, ol;
	double before;

	CHECK(rssac_read(&s0) == 0 && (a = rx_rssac_day(&s0, day)) != NULL);
	before = a ? rx_hll_estimate(a->reg[RX_HLL_IPV6]) : 0;
	ps.saddr_set = 1;
	for (int shift = 1; shift <= 4; shift += 3) {
		rssac_shift(shift);
		for (unsigned i = 0; i < 300; i++) {
			memset(ps.saddr, 0, 16);
			memcpy(ps.saddr, "\x20\x01\x0d\xb8\x00\x02", 6);
			ps.saddr[14] = (uint8_t)shift;
			ps.saddr[15] = (uint8_t)i;
			ps.saddr[13] = (uint8_t)(i >> 8);
			len = pkt_build(&ps, w, n, in);
			pkt_run(T.fd[i & 1], !(i & 1), in, len, out, &ol, &ret);
		}
		CHECK(rssac_read(shift == 1 ? &s1 : &s4) == 0);
	}
	cfg_set(NULL, MTU);
	a = rx_rssac_day(&s1, day);
	b = rx_rssac_day(&s1, day + 1);
	CHECK_MSG(a && fabs(rx_hll_estimate(a->reg[RX_HLL_IPV6]) - before) < 0.5,
		  "rssac: the finished day's sketch is left alone");
	CHECK_MSG(b && fabs(rx_hll_estimate(b->reg[RX_HLL_IPV6]) - 300) <= 300 * 0.0244,
		  "rssac: the next day counts its own 300 sources (%.0f)",
		  b ? rx_hll_estimate(b->reg[RX_HLL_IPV6]) : -1.0);
	b = rx_rssac_day(&s4, day + 4);
	CHECK_MSG(b && fabs(rx_hll_estimate(b->reg[RX_HLL_IPV6]) - 300) <= 300 * 0.0244,
		  "rssac: 4 days on, the reused slot holds only that day's 300 sources (%.0f, "
		  "the old day had %.0f)", b ? rx_hll_estimate(b->reg[RX_HLL_IPV6]) : -1.0, before);
}

void cases_rssac(void)
{
	T.rrl_rate = 0;
	cfg_set(NULL, MTU);
	rssac_counters();
	rssac_sketch();
	rssac_days();
}
