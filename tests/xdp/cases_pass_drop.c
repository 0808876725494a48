// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cases_pass_drop.c - what the programs pass up or drop, and FORMERR.
 */
#include "fixture.h"

/* Frames and queries XDP must not answer. */
void cases_pass_drop(void)
{
	struct result r;
	struct raw w;
	uint8_t qw[1024];
	struct q q = { .name = "example.com.", .type = LDNS_RR_TYPE_A, .edns = 1 };
	size_t n = q_wire(&q, qw, sizeof(qw));
	struct pkt_spec ps;

	ps = V4, ps.dport = 54;
	run_case("UDP to port 54", &ps, qw, n, EXP_PASS, RX_PASS_NOT_DNS, 0, &r);
	ps = V4, ps.l4proto = 6;
	run_case("TCP", &ps, qw, n, EXP_PASS, RX_PASS_NOT_DNS, 0, &r);
	ps = V4, ps.ip_options = 1;
	run_case("IPv4 options", &ps, qw, n, EXP_PASS, RX_PASS_IP_OPTIONS, 0, &r);
	ps = V4, ps.frag = 1;
	run_case("IPv4 fragment", &ps, qw, n, EXP_PASS, RX_PASS_FRAGMENT, 0, &r);
	ps = V6, ps.frag = 1;
	run_case("IPv6 fragment header", &ps, qw, n, EXP_PASS, RX_PASS_FRAGMENT, 0, &r);
	ps = V6, ps.v6_ext = 1;
	run_case("IPv6 hop-by-hop header", &ps, qw, n, EXP_PASS, RX_PASS_IPV6_EXT, 0, &r);
	ps = V4, ps.udp_len_delta = 1;
	run_case("UDP length too long", &ps, qw, n, EXP_PASS, RX_PASS_BAD_LENGTH, 0, &r);
	ps = V6, ps.udp_len_delta = -1;
	run_case("UDP length too short", &ps, qw, n, EXP_PASS, RX_PASS_BAD_LENGTH, 0, &r);
	ps = V4, ps.ip_len_delta = 2;
	run_case("IPv4 length past the frame", &ps, qw, n, EXP_PASS, RX_PASS_BAD_LENGTH, 0, &r);
	ps = V4, ps.trailing = 16;
	run_case("bytes after the IP packet", &ps, qw, n, EXP_PASS, RX_PASS_BAD_LENGTH, 0, &r);
	/* Three VLAN tags: build with two and insert one more. */
	{
		static uint8_t in[PKT_MAX], out[PKT_MAX];
		size_t len, ol;
		uint32_t ret;
		struct pkt_spec s2 = spec(0, 2);

		len = pkt_build(&s2, qw, n, in);
		memmove(in + 16, in + 12, len - 12);
		in[12] = 0x81, in[13] = 0, in[14] = 0, in[15] = 7;
		len += 4;
		for (int tc = 0; tc < 2; tc++) {
			__u64 b = stat_get(tc, RX_PASS_L2);

			CHECK(!pkt_run(T.fd[tc], !tc, in, len, out, &ol, &ret) &&
			      verdict_ok(tc, EXP_PASS, ret) && stat_get(tc, RX_PASS_L2) == b + 1);
		}
		/* IPv4 cut short inside the UDP header (the TC test run refuses an
		 * skb shorter than an IPv4 header: -EINVAL). */
		len = pkt_build(&V4, qw, n, in);
		for (int tc = 0; tc < 2; tc++) {
			__u64 b = stat_get(tc, RX_PASS_BAD_LENGTH);

			int rc = pkt_run(T.fd[tc], !tc, in, 38, out, &ol, &ret);

			CHECK_MSG(!rc && verdict_ok(tc, EXP_PASS, ret) &&
				  stat_get(tc, RX_PASS_BAD_LENGTH) == b + 1,
				  "IPv4 cut short [%s]: rc %d verdict %u", path_name(tc), rc, ret);
		}
	}

	/* DNS-level. */
	raw_hdr(&w, 0x8000, 1, 0, 0, 0);
	raw_q(&w, "\3com\0", 5, 1);
	run_case("QR=1: drop", &V4, w.b, w.n, EXP_DROP, RX_DROP_QR, 0, &r);
	run_case("11-byte DNS payload: drop", &V4, w.b, 11, EXP_DROP, RX_DROP_SHORT, 0, &r);
	raw_hdr(&w, 0x1000, 1, 0, 0, 0);		/* opcode 2 (STATUS) */
	raw_q(&w, "\3com\0", 5, 1);
	run_case("opcode STATUS: pass", &V4, w.b, w.n, EXP_PASS, RX_PASS_OPCODE, 0, &r);
	raw_hdr(&w, 0x0100, 1, 0, 0, 0);
	raw_q(&w, "\3www\300\014", 6, 1);
	run_case("compression pointer in the question: pass", &V4, w.b, w.n, EXP_PASS,
		 RX_PASS_NAME, 0, &r);
	raw_hdr(&w, 0x0100, 1, 0, 0, 2);
	raw_q(&w, "\3com\0", 5, 1);
	raw_opt(&w, NULL, 0);
	raw_opt(&w, NULL, 0);
	run_case("ARCOUNT 2: pass", &V4, w.b, w.n, EXP_PASS, RX_PASS_ARCOUNT, 0, &r);
	raw_hdr(&w, 0x0100, 1, 0, 0, 1);
	raw_q(&w, "\3com\0", 5, 1);
	raw_put(&w, "\3com\0\0\1\0\1\0\0\0\0\0\4\1\2\3\4", 19);	/* an A RR */
	run_case("ARCOUNT 1, not OPT: pass", &V4, w.b, w.n, EXP_PASS, RX_PASS_ARCOUNT, 0, &r);
	/* An IXFR query carries the client's SOA in the authority section. */
	raw_hdr(&w, 0x0000, 1, 0, 1, 0);
	raw_q(&w, "\0", 1, 251);
	raw_put(&w, "\0\0\6\0\1\0\0\0\0\0\026\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 33);
	run_case("IXFR with its SOA (NSCOUNT 1): pass", &V4, w.b, w.n, EXP_PASS,
		 RX_PASS_NSCOUNT, 0, &r);
	raw_hdr(&w, 0x0100, 1, 0, 0, 1);
	raw_q(&w, "\3com\0", 5, 1);
	raw_opt(&w, (const uint8_t *)"\0\10\0\7\0\1\30\0\300\0\2", 11);	/* ECS */
	run_case("EDNS client subnet: pass", &V4, w.b, w.n, EXP_PASS, RX_PASS_EDNS, 0, &r);
	raw_hdr(&w, 0x0100, 1, 0, 0, 0);
	raw_q(&w, "\3com\0", 5, 1);
	raw_put(&w, "\0\0", 2);
	run_case("bytes after the question: pass", &V4, w.b, w.n, EXP_PASS, RX_PASS_TRAILING,
		 0, &r);
	{
		static const uint16_t meta[] = { 0, 41, 249, 250, 251, 252, 253, 254 };

		for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++) {
			char d[64];

			raw_hdr(&w, 0x0100, 1, 0, 0, 0);
			raw_q(&w, "\3com\0", 5, meta[i]);
			snprintf(d, sizeof(d), "qtype %u: pass", meta[i]);
			run_case(d, &V6, w.b, w.n, EXP_PASS, RX_PASS_QTYPE, 0, &r);
		}
		raw_hdr(&w, 0x0100, 1, 0, 0, 0);
		raw_q(&w, "\0", 1, 255);
		run_case(". ANY: pass", &V4, w.b, w.n, EXP_PASS, RX_PASS_QTYPE, 0, &r);
		raw_hdr(&w, 0x0100, 1, 0, 0, 0);
		raw_q(&w, "\0", 1, 46);
		run_case(". RRSIG: pass", &V4, w.b, w.n, EXP_PASS, RX_PASS_QTYPE, 0, &r);
	}
	/* A query over 512 bytes (padding option). */
	{
		uint8_t pad[600] = { 0, 12, 0x02, 0x00 };

		raw_hdr(&w, 0x0100, 1, 0, 0, 1);
		raw_q(&w, "\3com\0", 5, 1);
		raw_opt(&w, pad, 4 + 512);
		run_case("query over 512 bytes: pass", &V4, w.b, w.n, EXP_PASS, RX_PASS_BIG_QUERY,
			 0, &r);
	}
	/* MTU: with an MTU of 100 a referral does not fit. */
	cfg_set(NULL, 100);
	{
		struct q q2 = { .name = "www.example.com.", .type = LDNS_RR_TYPE_A, .edns = 1,
				.dobit = 1 };
		char name[300];

		snprintf(name, sizeof(name), "www.%s", tld_str(T.signed_tld));
		q2.name = name;
		ask("answer over the MTU: pass", &V4, &q2, EXP_PASS, RX_PASS_MTU, &r);
	}
	cfg_set(NULL, MTU);
}

static void formerr_case(const char *desc, struct raw *w, const struct pkt_spec *ps)
{
	struct result r;

	if (run_case(desc, ps, w->b, w->n, EXP_ANSWER, 0, 512, &r)) {
		CHECK_MSG(res_ok_formerr(r.dns[0], r.dnslen[0], w->b), "%s: FORMERR form", desc);
	}
	result_free(&r);
}

void cases_formerr(void)
{
	struct raw w;
	uint8_t name[300];
	size_t n = 0;

	raw_hdr(&w, 0x0110, 2, 0, 0, 0);
	raw_q(&w, "\3com\0", 5, 1);
	raw_q(&w, "\3com\0", 5, 1);
	formerr_case("QDCOUNT 2: FORMERR", &w, &V4);
	raw_hdr(&w, 0x0100, 1, 1, 0, 0);
	raw_q(&w, "\3com\0", 5, 1);
	formerr_case("ANCOUNT 1: FORMERR", &w, &V6);
	raw_hdr(&w, 0x0000, 0, 0, 0, 0);
	formerr_case("QDCOUNT 0: FORMERR", &w, &V4);
	/* A 64-byte label (length byte 0x40: a reserved label type). */
	raw_hdr(&w, 0x0100, 1, 0, 0, 0);
	memset(name, 'a', sizeof(name));
	name[0] = 64;
	name[65] = 0;
	raw_q(&w, (const char *)name, 66, 1);
	formerr_case("64-byte label: FORMERR", &w, &V4);
	/* 0x80 label type. */
	raw_hdr(&w, 0x0100, 1, 0, 0, 0);
	raw_q(&w, "\200com\0", 5, 1);
	formerr_case("label type 0x80: FORMERR", &w, &V6);
	/* A 256-byte name: 4 x (63 + 1) = 256 before the root byte. */
	raw_hdr(&w, 0x0100, 1, 0, 0, 0);
	for (int i = 0, off = 0; i < 4; i++, off += 64) {
		name[off] = 63;
		memset(name + off + 1, 'b', 63);
		n = off + 64;
	}
	name[n++] = 0;
	raw_q(&w, (const char *)name, n, 1);
	formerr_case("257-byte name: FORMERR", &w, &V4);
	/* Exactly 255 bytes is legal: 3 x 64 + 62 + root -> referral or NX. */
	{
		struct result r;

		raw_hdr(&w, 0x0100, 1, 0, 0, 0);
		for (int i = 0, off = 0; i < 4; i++, off += 64) {
			name[off] = i == 3 ? 61 : 63;
			memset(name + off + 1, 'c', 63);
		}
		name[254] = 0;
		raw_q(&w, (const char *)name, 255, 1);
		if (run_case("255-byte name: answered", &V4, w.b, w.n, EXP_ANSWER, 0, 512, &r))
			CHECK(ldns_pkt_get_rcode(r.pkt) == LDNS_RCODE_NXDOMAIN);
		result_free(&r);
	}
	/* Name running past the payload, and QTYPE/QCLASS missing. */
	raw_hdr(&w, 0x0100, 1, 0, 0, 0);
	raw_put(&w, "\7example\3co", 12);
	formerr_case("name past the payload: FORMERR", &w, &V4);
	raw_hdr(&w, 0x0100, 1, 0, 0, 0);
	raw_put(&w, "\3com\0\0\1", 7);
	formerr_case("QCLASS missing: FORMERR", &w, &V4);
	/* OPT cut short, and an option longer than the OPT's data. */
	raw_hdr(&w, 0x0100, 1, 0, 0, 1);
	raw_q(&w, "\3com\0", 5, 1);
	raw_put(&w, "\0\0\51\4\320", 5);
	formerr_case("OPT cut short: FORMERR", &w, &V4);
	raw_hdr(&w, 0x0100, 1, 0, 0, 1);
	raw_q(&w, "\3com\0", 5, 1);
	raw_opt(&w, (const uint8_t *)"\0\3\0\10", 4);
	formerr_case("option longer than the OPT: FORMERR", &w, &V4);
}

/* After everything, counters add up on each path. */
/* ---- DNS cookies (RFC 7873, RFC 9018) ---- */
