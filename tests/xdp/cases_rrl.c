// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cases_rrl.c - response rate limiting, path by path.
 */
#include "fixture.h"

/* A query for a name under a TLD that does not exist: the NXDOMAIN class
 * (one bucket per prefix whatever the name). */
static size_t nx_query(struct raw *w, unsigned k, const uint8_t *ck, size_t cklen)
{
	char label[16];
	uint8_t name[32];
	int n = snprintf(label, sizeof(label), "nx%05u", k);

	name[0] = n;
	memcpy(name + 1, label, n);
	name[1 + n] = 0;
	raw_hdr(w, 0x0100, 1, 0, 0, cklen ? 1 : 0);
	raw_q(w, (const char *)name, n + 2, 1);
	if (cklen) {
		uint8_t o[4 + 40] = { 0, 10, 0, cklen };

		memcpy(o + 4, ck, cklen);
		raw_opt(w, o, 4 + cklen);
	}
	return w->n;
}

static void cases_rrl_path(int tc)
{
	static uint8_t out[PKT_MAX];
	static const uint8_t cc[8] = { 0x72, 0x72, 0x6c, 0, 0, 0, 0, 1 };
	const char *p = path_name(tc);
	struct pkt_dec d;
	struct raw w;
	unsigned k = tc * 1000, i, sent = 0, dropn = 0, slipped = 0;
	__u64 lim0 = stat_get(tc, RX_ST_RRL_LIMITED), drop0 = stat_get(tc, RX_DROP_RRL);
	__u64 slip0 = stat_get(tc, RX_ST_RRL_SLIPPED);
	uint8_t ck[24], sc[16];
	uint32_t ret;

	/* A fresh table for each path: both share it. */
	{
		struct rx_rrl_key key;

		while (!bpf_map_get_next_key(T.maps.rrl, NULL, &key))
			if (bpf_map_delete_elem(T.maps.rrl, &key))
				break;
	}
	/* rate 2, slip 2: a new bucket allows 2 at once (one second of
	 * credit), then every second limited response slips. */
	T.rrl_rate = 2;
	T.rrl_slip = 2;
	cfg_set(NULL, MTU);
	for (i = 0; i < 8; i++) {
		nx_query(&w, k++, NULL, 0);
		ret = run1(tc, &V4, w.b, w.n, &d, out);
		if (i < 2) {
			CHECK_MSG(answered(tc, ret) && d.dnslen > 12 && (d.dns[3] & 15) == 3 &&
				  !(d.dns[2] & 2), "rrl [%s]: NXDOMAIN %u within the rate", p, i);
		} else if (i % 2 == 0) {
			CHECK_MSG(dropped(tc, ret), "rrl [%s]: limited %u dropped (verdict %u)", p, i,
				  ret);
			dropn += dropped(tc, ret);
		} else {
			/* Slip: header + question, TC=1, no records, no OPT
			 * (the query had none): the query's own size. */
			CHECK_MSG(answered(tc, ret) && d.dnslen == w.n && (d.dns[2] & 0x02) &&
				  (d.dns[3] & 15) == 0 && !memcmp(d.dns + 4, "\0\1\0\0\0\0\0\0", 8) &&
				  !memcmp(d.dns + 12, w.b + 12, w.n - 12),
				  "rrl [%s]: limited %u slipped as TC=1 (%zu bytes)", p, i, d.dnslen);
			CHECK(d.udp_csum_ok && (tc || d.ip_csum_ok));
			slipped += answered(tc, ret);
		}
		sent++;
	}
	CHECK_MSG(stat_get(tc, RX_ST_RRL_LIMITED) - lim0 == 6 &&
		  stat_get(tc, RX_DROP_RRL) - drop0 == dropn && dropn == 3 &&
		  stat_get(tc, RX_ST_RRL_SLIPPED) - slip0 == slipped && slipped == 3,
		  "rrl [%s]: counters limited 6, dropped 3, slipped 3", p);
	/* Class separation: a referral from the same prefix is its own bucket. */
	{
		struct q q = { .name = tld_str(T.signed_tld), .type = LDNS_RR_TYPE_A };
		uint8_t qw[512];
		size_t n = q_wire(&q, qw, sizeof(qw));

		ret = run1(tc, &V4, qw, n, &d, out);
		CHECK_MSG(answered(tc, ret) && d.dnslen > 12 && (d.dns[3] & 15) == 0 &&
			  d.dns[9] > 0, "rrl [%s]: a referral is another bucket", p);
	}
	/* Another prefix (IPv6 here) is not touched by the flood of this one. */
	nx_query(&w, k++, NULL, 0);
	ret = run1(tc, &V6, w.b, w.n, &d, out);
	CHECK_MSG(answered(tc, ret) && (d.dns[3] & 15) == 3, "rrl [%s]: other prefix answered", p);
	/* A client cookie in the limited bucket: its slip is BADCOOKIE with a
	 * fresh cookie (it was dropped on odd turns: ask until it slips). */
	memcpy(ck, cc, 8);
	for (i = 0; i < 2; i++) {
		uint32_t t0 = away_from_second_edge();

		nx_query(&w, k++, ck, 8);
		ret = run1(tc, &V4, w.b, w.n, &d, out);
		if (!answered(tc, ret))
			continue;
		/* OPT 11 + COOKIE 28 bytes where the query had OPT 11 + 12. */
		CHECK_MSG(d.dnslen == w.n + 16 && !(d.dns[2] & 2) && (d.dns[3] & 15) == 7 &&
			  d.dns[11] == 1 && d.dns[d.dnslen - 39 + 5] == 1 /* ext rcode 1: 23 */ &&
			  !memcmp(d.dns + d.dnslen - 28, "\0\12\0\30", 4) &&
			  !memcmp(d.dns + d.dnslen - 24, cc, 8),
			  "rrl [%s]: cookie client's slip is BADCOOKIE (%zu bytes)", p, d.dnslen);
		memcpy(sc, d.dns + d.dnslen - 16, 16);
		CHECK_MSG(cookie_is_fresh(sc, CK_SECRET, cc, 0, t0), "rrl [%s]: BADCOOKIE's cookie",
			  p);
		/* With that cookie it is never limited. */
		memcpy(ck + 8, sc, 16);
		for (int j = 0; j < 4; j++) {
			__u64 c0 = stat_get(tc, RX_ST_RRL_COOKIE);

			nx_query(&w, k++, ck, 24);
			ret = run1(tc, &V4, w.b, w.n, &d, out);
			CHECK_MSG(answered(tc, ret) && (d.dns[3] & 15) == 3 &&
				  stat_get(tc, RX_ST_RRL_COOKIE) == c0 + 1,
				  "rrl [%s]: valid cookie %d not limited", p, j);
		}
		break;
	}
	CHECK_MSG(i < 2, "rrl [%s]: a BADCOOKIE slip came", p);
	/* Exempt prefix, then log-only: answered, and counted. */
	T.rrl_exempt = 1;
	cfg_set(NULL, MTU);
	{
		__u64 e0 = stat_get(tc, RX_ST_RRL_EXEMPT);

		nx_query(&w, k++, NULL, 0);
		ret = run1(tc, &V4, w.b, w.n, &d, out);
		CHECK_MSG(answered(tc, ret) && (d.dns[3] & 15) == 3 &&
			  stat_get(tc, RX_ST_RRL_EXEMPT) == e0 + 1, "rrl [%s]: exempt prefix", p);
	}
	T.rrl_exempt = 0;
	T.rrl_log_only = 1;
	cfg_set(NULL, MTU);
	{
		__u64 l0 = stat_get(tc, RX_ST_RRL_LOG_ONLY);

		nx_query(&w, k++, NULL, 0);
		ret = run1(tc, &V4, w.b, w.n, &d, out);
		CHECK_MSG(answered(tc, ret) && (d.dns[3] & 15) == 3 &&
			  stat_get(tc, RX_ST_RRL_LOG_ONLY) == l0 + 1, "rrl [%s]: log-only", p);
	}
	T.rrl_log_only = 0;
	T.rrl_rate = 0;
	cfg_set(NULL, MTU);
	(void)sent;
}

void cases_rrl(void)
{
	cases_rrl_path(0);
	cases_rrl_path(1);
}
