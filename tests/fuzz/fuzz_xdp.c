// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_xdp.c - libFuzzer target for rootxdp_xdp and rootxdp_tc, run in the
 * kernel with BPF_PROG_TEST_RUN (needs root).
 *
 * Once per process (LLVMFuzzerInitialize): the skeleton is loaded with
 * every pin path cleared (nothing lands in /sys/fs/bpf), the test zone
 * (fuzz_common.c) compiled and swapped in with rx_zone_swap(), rx_cfg
 * written (identity FZ_IDENT, NSID on, version FZ_VERSION, payload 1232,
 * MTU 1500), and the same image loaded into rootxdpd's responder for the
 * two-path comparison.
 *
 * Input, byte 0:
 *   bit 7 set: raw mode, the rest is the whole Ethernet frame;
 *   else bit 0: IPv6, bits 1-2: VLAN tags (mod 3), bits 4-5: server
 *   configuration (below), bit 3: byte 1 holds
 *   faults (bit 0 IPv4 options, 1 fragment, 2 IPv6 hop-by-hop header,
 *   3-4 UDP length delta 0/-1/+1/-8, 5-6 trailing bytes 0/1/4/46, 7 IP
 *   length +1), and the rest is the DNS payload, sent from port 40123 to 53
 *   with correct checksums (tests/xdp/pkt.c).
 * Configurations (rx_cfg and rootxdpd's fb_conf alike; raw mode uses 0):
 *   0  identity FZ_IDENT, NSID on, version FZ_VERSION, payload 1232, MTU 1500
 *   1  the same with NSID off and the version hidden (REFUSED)
 *   2  MTU 576: larger answers are passed (pass_mtu)
 *   3  payload 4096, MTU 9000 (answers may outgrow the XDP test buffer:
 *      XDP passes with pass_no_room and TC answers, by design)
 *
 * Invariants (abort on violation), per design.md "Answering a query":
 *   - XDP returns PASS, DROP or TX; TC returns OK, SHOT or REDIRECT; both
 *     paths take the same decision (TX <-> REDIRECT, PASS <-> OK,
 *     DROP <-> SHOT).  Never XDP_ABORTED.
 *   - A frame that is not UDP/53 with agreeing lengths (step 1, restated
 *     here independently) is passed, untouched.  DROP only for a DNS
 *     payload under 12 bytes or QR=1; such a query is never answered.
 *   - A passed frame leaves the program unmodified.
 *   - An answer: the frame decodes (lengths, IPv4 header and UDP
 *     checksums), MACs/addresses/ports swapped, VLAN tags kept, TTL 64, DF;
 *     the DNS payload parses with ldns_wire2pkt, echoes the ID, QR=1,
 *     opcode 0, RD/CD echoed, AD/RA/Z 0; a FORMERR is the 12-byte header
 *     alone; otherwise the query was one XDP may answer (QUERY, one
 *     uncompressed question, no AN/NS, at most one RR, an OPT at ".",
 *     no trailing bytes, <= 512 bytes), the question is echoed byte for
 *     byte, the size is <= 512 without EDNS or max(512, min(payload,
 *     server payload)) with it, the IP packet fits the MTU,
 *     DO echoed, BADVERS for version > 0.
 *   - XDP and TC answers are the same frame, and the DNS payload is the
 *     same bytes rootxdpd's fb_answer() gives over UDP (design.md: "the
 *     bytes are the same"); RX_FUZZ_NO_DIFF=1 turns this last one off.
 * RX_FUZZ_VERBOSE=1 prints both verdicts of every frame.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ldns/ldns.h>
#include "rootxdp.h"
#include "rootxdp.skel.h"
#include "config.h"
#include "image.h"
#include "zone_maps.h"
#include "fb.h"
#include "secret.h"
#include "log.h"
#include "pkt.h"
#include "fuzz_common.h"

#define MTU		1500
#define FRAME_MAX	(MTU + 14 + 8)

static struct {
	struct rootxdp *skel;
	struct rx_maps maps;
	struct rx_image img;
	int fd[2];		/* [0] XDP, [1] TC */
	struct fb_zone *fz;
	struct fb_conf cf;
	bool diff, verbose;
	int ncpu;
	struct rx_stats *snap[2], *now;	/* per-CPU blocks: last seen, scratch */
	struct rx_stats_paths *both;	/* rx_stats[0] as read */
	bool moved[2][RX_STAT_MAX];	/* counters the last frame moved */
	int variant;			/* configuration in the maps, -1 none */
	unsigned payload, mtu;		/* of that configuration */
} F;

/*
 * The programs run in the kernel, where libFuzzer sees no edges.  What
 * they did shows in rx_stats: after every run the counters that moved
 * (pass/drop reason, answer kind, rcode, qtype, size, TC, glue cut...)
 * light up libFuzzer "extra counters" (Linux: this ELF section), one per
 * counter and path, plus one for the whole set of counters that moved
 * (hashed), so the fuzzer keeps inputs that reach new kernel paths and
 * new combinations of them.
 */
#define COMBO_SLOTS 4096
static uint8_t bpf_cov[2 * RX_STAT_MAX + COMBO_SLOTS]
	__attribute__((section("__libfuzzer_extra_counters"), used));

static void stats_feedback(void)
{
	__u32 key = 0;

	if (bpf_map_lookup_elem(F.maps.stats, &key, F.both))
		return;
	for (int path = 0; path < 2; path++) {
		uint64_t h = 1469598103934665603ull;

		for (int c = 0; c < F.ncpu; c++)
			F.now[c] = path ? F.both[c].tc : F.both[c].xdp;
		for (int i = 0; i < RX_STAT_MAX; i++) {
			uint64_t a = 0, b = 0;

			if (i == RX_ST_BYTES_IN || i == RX_ST_BYTES_OUT)
				continue;
			for (int c = 0; c < F.ncpu; c++) {
				a += *rx_stat_ref(&F.now[c], i);
				b += *rx_stat_ref(&F.snap[path][c], i);
			}
			F.moved[path][i] = a != b;
			if (a != b) {
				bpf_cov[path * RX_STAT_MAX + i]++;
				h = (h ^ (uint64_t)(i + 1)) * 1099511628211ull;
			}
		}
		if (path == 0)
			bpf_cov[2 * RX_STAT_MAX + h % COMBO_SLOTS]++;
		memcpy(F.snap[path], F.now, F.ncpu * sizeof(*F.now));
	}
}

static int libbpf_quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	return l == LIBBPF_WARN ? vfprintf(stderr, f, ap) : 0;
}

static void fuzz_exit(void)
{
	if (F.skel)
		rootxdp__destroy(F.skel);
	F.skel = NULL;
}

/* Write configuration v (0-3, see the top) to rx_cfg and F.cf (rootxdpd's
 * view of the same settings, as fallback/main.c derives it). */
static void set_variant(int v)
{
	struct rx_config c;
	char e[256] = "";

	if (v == F.variant)
		return;
	rx_config_defaults(&c);
	snprintf(c.identity, sizeof(c.identity), "%s", FZ_IDENT);
	snprintf(c.version, sizeof(c.version), "%s", v == 1 ? "" : FZ_VERSION);
	c.nsid = v != 1;
	c.max_udp_payload = v == 3 ? 4096 : FZ_PAYLOAD;
	F.payload = c.max_udp_payload;
	F.mtu = v == 2 ? 576 : v == 3 ? 9000 : MTU;
	/* The daemon below gets the same secret; RRL stays off: the fuzzer
	 * sends from one address at a rate no bucket would allow. */
	snprintf(c.cookie_secret, sizeof(c.cookie_secret), "%s", FZ_COOKIE_HEX);
	c.rrl_rate = 0;
	if (rx_cfg_write(&F.maps, &c, F.mtu, e, sizeof(e)))
		fz_fail("rx_cfg_write: %s", e);
	memset(&F.cf, 0, sizeof(F.cf));
	F.cf.max_payload = c.max_udp_payload;
	F.cf.nsid = c.nsid;
	memcpy(F.cf.ident, c.identity, strlen(c.identity));
	F.cf.ident_len = strlen(c.identity);
	memcpy(F.cf.version, c.version, strlen(c.version));
	F.cf.version_len = strlen(c.version);
	F.cf.minimal_any = true;
	F.cf.tcp_idle_timeout_ms = 10000;
	{
		static struct rx_cookie_keys k;
		struct rx_secrets sec = { 0 };

		rx_hex16(FZ_COOKIE_HEX, sec.cur);
		rx_secrets_keys(&sec, &k);
		F.cf.cookie_keys = &k;
	}
	F.variant = v;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[256], e[512] = "";
	struct bpf_map *m;

	(void)argc;
	(void)argv;
	rx_log_max = RX_LOG_ERR;
	libbpf_set_print(libbpf_quiet);
	F.verbose = getenv("RX_FUZZ_VERBOSE") != NULL;
	F.diff = !getenv("RX_FUZZ_NO_DIFF") || !strcmp(getenv("RX_FUZZ_NO_DIFF"), "0");
	F.skel = rootxdp__open();
	if (!F.skel) {
		fprintf(stderr, "fuzz_xdp: rootxdp__open: %s\n", strerror(errno));
		exit(1);
	}
	bpf_object__for_each_map(m, F.skel->obj)
		bpf_map__set_pin_path(m, NULL);
	if (rootxdp__load(F.skel)) {
		fprintf(stderr, "fuzz_xdp: rootxdp__load failed (root? verifier log above)\n");
		exit(1);
	}
	atexit(fuzz_exit);
	F.ncpu = libbpf_num_possible_cpus();
	F.snap[0] = calloc(F.ncpu, sizeof(struct rx_stats));
	F.snap[1] = calloc(F.ncpu, sizeof(struct rx_stats));
	F.now = calloc(F.ncpu, sizeof(struct rx_stats));
	F.both = calloc(F.ncpu, sizeof(struct rx_stats_paths));
	if (F.ncpu <= 0 || !F.snap[0] || !F.snap[1] || !F.now || !F.both)
		exit(1);
	F.fd[0] = bpf_program__fd(F.skel->progs.rootxdp_xdp);
	F.fd[1] = bpf_program__fd(F.skel->progs.rootxdp_tc);
	if (rx_maps_from_obj(F.skel->obj, &F.maps)) {
		fprintf(stderr, "fuzz_xdp: rx_maps_from_obj failed\n");
		exit(1);
	}
	F.variant = -1;
	set_variant(0);
	if (fz_image(path, sizeof(path)))
		exit(1);
	if (rx_image_open(path, &F.img, e, sizeof(e)) ||
	    rx_zone_swap(&F.maps, &F.img, e, sizeof(e))) {
		fprintf(stderr, "fuzz_xdp: %s\n", e);
		fz_image_done();
		exit(1);
	}
	F.fz = fb_zone_load(path, e, sizeof(e));
	fz_image_done();
	if (!F.fz) {
		fprintf(stderr, "fuzz_xdp: fb_zone_load: %s\n", e);
		exit(1);
	}
	return 0;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* design.md step 1, restated: is this frame UDP to port 53 over IPv4
 * (no options, not a fragment) or IPv6 (UDP next), up to two VLAN tags,
 * with IP and UDP lengths agreeing with the frame (bytes after the IP
 * packet only as padding of a frame of at most 64 bytes)? */
struct l234 {
	int v6, nvlan;
	size_t l3, l4, dns, dnslen;
};

static bool is_ours(const uint8_t *f, size_t len, struct l234 *p)
{
	size_t off = 14, iplen, ulen;
	uint16_t proto;
	const uint8_t *ip;

	memset(p, 0, sizeof(*p));
	if (len < 14)
		return false;
	proto = rd16(f + 12);
	while ((proto == 0x8100 || proto == 0x88a8) && p->nvlan < 2) {
		if (off + 4 > len)
			return false;
		proto = rd16(f + off + 2);
		off += 4;
		p->nvlan++;
	}
	p->l3 = off;
	ip = f + off;
	if (proto == 0x0800) {
		if (off + 28 > len || ip[0] != 0x45 || (rd16(ip + 6) & 0x3fff) || ip[9] != 17)
			return false;
		iplen = rd16(ip + 2);
		if (iplen < 28)
			return false;
		ulen = iplen - 20;
		p->l4 = off + 20;
	} else if (proto == 0x86dd) {
		if (off + 48 > len || (ip[0] >> 4) != 6 || ip[6] != 17)
			return false;
		ulen = rd16(ip + 4);
		iplen = ulen + 40;
		p->v6 = 1;
		p->l4 = off + 40;
	} else {
		return false;
	}
	if (rd16(f + p->l4 + 2) != 53)
		return false;
	if (off + iplen > len || (off + iplen < len && len > 64))
		return false;
	if (rd16(f + p->l4 + 4) != ulen || ulen < 8)
		return false;
	p->dns = p->l4 + 8;
	p->dnslen = ulen - 8;
	return true;
}

static const char *path_name(int tc)
{
	return tc ? "tc" : "xdp";
}

/* Every check on an answer from one path. */
static void check_answer(int tc, const uint8_t *in, const struct l234 *ip,
			 const uint8_t *out, size_t outlen)
{
	const char *pn = path_name(tc), *why = "";
	const uint8_t *q = in + ip->dns, *r;
	size_t qlen = ip->dnslen, n, lim, alen = ip->v6 ? 16 : 4;
	size_t saddr = ip->l3 + (ip->v6 ? 8 : 12), daddr = saddr + alen;
	struct pkt_dec d;
	struct fz_msg w;
	ldns_pkt *p = NULL;
	ldns_status st;

	if (pkt_decode(out, outlen, &d, &why))
		fz_fail("%s: answer frame: %s", pn, why);
	if (d.nvlan != ip->nvlan || memcmp(out + 12, in + 12, 4 * ip->nvlan))
		fz_fail("%s: VLAN tags not kept", pn);
	if (memcmp(d.dmac, in + 6, 6) || memcmp(d.smac, in, 6))
		fz_fail("%s: MACs not swapped", pn);
	if (d.v6 != ip->v6 || memcmp(d.daddr, in + saddr, alen) || memcmp(d.saddr, in + daddr, alen))
		fz_fail("%s: addresses not swapped", pn);
	if (d.sport != 53 || d.dport != rd16(in + ip->l4))
		fz_fail("%s: ports not swapped (%u -> %u)", pn, d.sport, d.dport);
	if (d.ttl != 64 || (!d.v6 && !d.df))
		fz_fail("%s: TTL %d / DF %d", pn, d.ttl, d.df);
	r = d.dns;
	n = d.dnslen;
	if (qlen < 12 || (q[2] & 0x80))
		fz_fail("%s: answered a %s", pn, qlen < 12 ? "short header" : "QR=1 query");
	if (n < 12)
		fz_fail("%s: %zu-byte DNS answer", pn, n);
	if (r[0] != q[0] || r[1] != q[1])
		fz_fail("%s: ID not echoed", pn);
	if ((r[2] & 0xf9) != (0x80 | (q[2] & 0x01)))
		fz_fail("%s: flags %02x%02x for query flags %02x%02x (QR, opcode 0, RD echoed)", pn,
			r[2], r[3], q[2], q[3]);
	if ((r[3] & 0xe0) != 0)
		fz_fail("%s: flags %02x%02x: RA/Z/AD set", pn, r[2], r[3]);
	if ((r[3] & 0x0f) != 1 && (r[3] & 0x10) != (q[3] & 0x10))
		fz_fail("%s: flags %02x%02x for query flags %02x%02x: CD not echoed", pn, r[2],
			r[3], q[2], q[3]);
	if ((q[2] & 0x78) != 0)
		fz_fail("%s: answered opcode %u (must pass)", pn, (q[2] >> 3) & 15);
	st = ldns_wire2pkt(&p, r, n);
	if (st != LDNS_STATUS_OK)
		fz_fail("%s: ldns cannot parse the %zu-byte answer: %s", pn, n,
			ldns_get_errorstr_by_id(st));
	ldns_pkt_free(p);

	if ((r[3] & 0x0f) == 1) {
		/* FORMERR: the header alone, never larger than the query. */
		if (n != 12 || rd16(r + 4) || rd16(r + 6) || rd16(r + 8) || rd16(r + 10))
			fz_fail("%s: FORMERR of %zu bytes / non-zero counts", pn, n);
		return;
	}
	fz_walk(q, qlen, &w);
	if (qlen > 512)
		fz_fail("%s: answered a %zu-byte query (> 512: pass)", pn, qlen);
	if (!w.ok || w.qdcount != 1 || w.ancount || w.nscount)
		fz_fail("%s: answered a malformed query with rcode %u", pn, r[3] & 15);
	if (!w.qname_plain)
		fz_fail("%s: answered a compressed qname (must pass)", pn);
	if (w.arcount > 1 || (w.arcount == 1 && (w.nopt != 1 || !w.opt_root)))
		fz_fail("%s: answered with ARCOUNT %u / %d OPT (must pass)", pn, w.arcount, w.nopt);
	if (w.end != qlen)
		fz_fail("%s: answered a query with %zu trailing bytes (must pass)", pn,
			qlen - w.end);
	lim = w.nopt == 1 ? w.opt_payload : 512;
	if (lim > F.payload)
		lim = F.payload;
	if (lim < 512)
		lim = 512;
	if (n > lim)
		fz_fail("%s: %zu-byte answer over the limit %zu", pn, n, lim);
	if ((ip->v6 ? 48 : 28) + n > F.mtu)
		fz_fail("%s: %zu-byte answer over the MTU %u", pn, n, F.mtu);
	if (rd16(r + 4) != 1 || n < w.qend || memcmp(r + 12, q + 12, w.qend - 12))
		fz_fail("%s: question not echoed byte for byte", pn);
	{
		struct fz_msg rw;

		fz_walk(r, n, &rw);
		if (!rw.ok || rw.end != n)
			fz_fail("%s: answer does not walk (counts vs bytes)", pn);
		if (rw.nopt != (w.nopt == 1 ? 1 : 0))
			fz_fail("%s: %d OPT in the answer, query had %d", pn, rw.nopt, w.nopt);
		if (rw.nopt && rw.opt_do != w.opt_do)
			fz_fail("%s: DO not echoed", pn);
		if (w.nopt == 1 && w.opt_version == 0 && rw.opt_ext_rcode != 0)
			fz_fail("%s: extended rcode %u for EDNS version 0", pn, rw.opt_ext_rcode);
		if (rw.nopt && rw.opt_payload != F.payload)
			fz_fail("%s: OPT payload %u, want %u", pn, rw.opt_payload, F.payload);
		if (w.nopt == 1 && w.opt_version > 0 &&
		    (rw.nopt != 1 || (r[3] & 15) || rw.opt_ext_rcode != 1 || rd16(r + 6) ||
		     rd16(r + 8)))
			fz_fail("%s: EDNS version %u without BADVERS", pn, w.opt_version);
	}
}

/* A frame only XDP could run: it must be passed, untouched. */
static void check_xdp_alone(const uint8_t *in, size_t inlen, uint32_t ret, const uint8_t *out,
			    size_t outlen)
{
	if (ret != XDP_PASS)
		fz_fail("xdp verdict %u for a frame with a truncated IP header", ret);
	if (outlen != inlen || memcmp(in, out, inlen))
		fz_fail("xdp: frame modified on pass");
}

/* design.md: rootxdpd gives the same bytes for every query XDP answers. */
static void diff_fallback(const uint8_t *in, const struct l234 *ip, const uint8_t *out,
			  size_t outlen)
{
	static uint8_t fb[DNS_MSG_MAX];
	struct fb_client cl = { .transport = FB_UDP, .now = 1767225600 };
	struct fb_result res;
	struct pkt_dec d;
	const char *why;
	uint8_t *q;
	size_t n, i = 0;

	if (!F.diff)
		return;
	/* An exact-size copy: ASan sees any read past the query. */
	q = malloc(ip->dnslen ? ip->dnslen : 1);
	if (!q)
		return;
	memcpy(q, in + ip->dns, ip->dnslen);
	if (ip->v6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&cl.addr;

		s->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, in + ip->l3 + 8, 16);
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *)&cl.addr;

		s->sin_family = AF_INET;
		memcpy(&s->sin_addr, in + ip->l3 + 12, 4);
	}
	if (pkt_decode(out, outlen, &d, &why))
		fz_fail("answer frame: %s", why);
	/* The kernel stamped its cookie with its clock: the daemon answers
	 * at that second (the COOKIE option, when there is one, ends the
	 * message: 0 10 0 24, client 8, server 16 = version 4, time 4, hash). */
	cl.now = (uint32_t)time(NULL);
	if (d.dnslen >= 12 + 28 && !memcmp(d.dns + d.dnslen - 28, "\0\12\0\30", 4))
		cl.now = (uint32_t)d.dns[d.dnslen - 12] << 24 | d.dns[d.dnslen - 11] << 16 |
			 d.dns[d.dnslen - 10] << 8 | d.dns[d.dnslen - 9];
	n = fb_answer(&F.cf, F.fz, q, ip->dnslen, &cl, fb, sizeof(fb), &res);
	free(q);
	if (n == d.dnslen && !memcmp(fb, d.dns, n))
		return;
	while (i < n && i < d.dnslen && fb[i] == d.dns[i])
		i++;
	fz_fail("XDP and rootxdpd answers differ: %zu / %zu bytes, first difference at byte %zu",
		d.dnslen, n, i);
}

/* Run one frame through both programs and check every invariant. */
static void run_frame(const uint8_t *in, size_t inlen)
{
	static uint8_t out[2][PKT_MAX];
	size_t outlen[2];
	uint32_t ret[2];
	struct l234 ip;
	bool ours = is_ours(in, inlen, &ip), no_room;
	int tc;

	for (tc = 0; tc < 2; tc++) {
		int err = pkt_run(F.fd[tc], !tc, in, inlen, out[tc], &outlen[tc], &ret[tc]);

		/* The kernel refuses to build a test skb around some
		 * malformed frames (an IPv4 ethertype with the header cut
		 * short: EINVAL).  Never one of ours: checked on XDP alone. */
		if (err == -EINVAL && tc && !ours) {
			stats_feedback();
			check_xdp_alone(in, inlen, ret[0], out[0], outlen[0]);
			return;
		}
		if (err)
			fz_fail("%s: BPF_PROG_TEST_RUN failed on a %zu-byte frame: %s", path_name(tc),
				inlen, strerror(-err));
	}
	stats_feedback();
	if (F.verbose)
		fprintf(stderr, "fuzz_xdp: %zu-byte frame: xdp %u (%zu bytes), tc %u (%zu bytes)\n",
			inlen, ret[0], outlen[0], ret[1], outlen[1]);
	if (ret[0] != XDP_PASS && ret[0] != XDP_DROP && ret[0] != XDP_TX)
		fz_fail("xdp: verdict %u (never ABORTED/REDIRECT)", ret[0]);
	if (ret[1] != TC_ACT_OK && ret[1] != TC_ACT_SHOT && ret[1] != TC_ACT_REDIRECT)
		fz_fail("tc: verdict %u", ret[1]);
	/* XDP without the tailroom for the answer passes it to TC (no_room). */
	no_room = ret[0] == XDP_PASS && ret[1] == TC_ACT_REDIRECT &&
		  F.moved[0][RX_PASS_NO_ROOM];
	if (no_room && F.variant != 3)
		fz_fail("xdp: pass_no_room for a %zu-byte frame in configuration %d", inlen,
			F.variant);
	if (!no_room && ((ret[0] == XDP_TX) != (ret[1] == TC_ACT_REDIRECT) ||
			 (ret[0] == XDP_DROP) != (ret[1] == TC_ACT_SHOT)))
		fz_fail("xdp verdict %u, tc verdict %u: the paths disagree", ret[0], ret[1]);
	if (!ours && ret[0] != XDP_PASS)
		fz_fail("xdp verdict %u for a frame that is not UDP/53 with agreeing lengths",
			ret[0]);
	if (ret[0] == XDP_DROP) {
		const uint8_t *q = in + ip.dns;

		if (!(ip.dnslen < 12 || (q[2] & 0x80)))
			fz_fail("dropped a query with a readable header and QR=0");
	} else if (ours && (ip.dnslen < 12 || (in[ip.dns + 2] & 0x80))) {
		fz_fail("verdict %u for a %s (must drop)", ret[0],
			ip.dnslen < 12 ? "short header" : "QR=1 message");
	}
	if (no_room) {
		if (outlen[0] != inlen || memcmp(in, out[0], inlen))
			fz_fail("xdp: frame modified on pass_no_room");
		check_answer(1, in, &ip, out[1], outlen[1]);
		diff_fallback(in, &ip, out[1], outlen[1]);
		return;
	}
	if (ret[0] != XDP_TX) {
		for (tc = 0; tc < 2; tc++)
			if (outlen[tc] != inlen || memcmp(in, out[tc], inlen))
				fz_fail("%s: frame modified on pass/drop", path_name(tc));
		return;
	}
	for (tc = 0; tc < 2; tc++)
		check_answer(tc, in, &ip, out[tc], outlen[tc]);
	if (outlen[0] != outlen[1] || memcmp(out[0], out[1], outlen[0])) {
		/* A fresh cookie is stamped with the second it is made: XDP and
		 * TC may straddle one.  Once more, both, before calling it. */
		for (tc = 0; tc < 2; tc++)
			pkt_run(F.fd[tc], !tc, in, inlen, out[tc], &outlen[tc], &ret[tc]);
		stats_feedback();
		if (outlen[0] != outlen[1] || memcmp(out[0], out[1], outlen[0]))
			fz_fail("XDP and TC answers differ (%zu / %zu bytes)", outlen[0],
				outlen[1]);
	}
	diff_fallback(in, &ip, out[0], outlen[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[PKT_MAX];
	struct pkt_spec s;
	size_t len;
	uint8_t b0;

	if (size < 1)
		return 0;
	b0 = data[0];
	data++, size--;
	if (b0 & 0x80) {
		if (size < 14 || size > FRAME_MAX)
			return 0;
		set_variant(0);
		memcpy(frame, data, size);
		run_frame(frame, size);
		return 0;
	}
	set_variant((b0 >> 4) & 3);
	memset(&s, 0, sizeof(s));
	s.v6 = b0 & 1;
	s.nvlan = ((b0 >> 1) & 3) % 3;
	if (b0 & 0x08) {
		static const int udpd[4] = { 0, -1, 1, -8 };
		static const size_t trail[4] = { 0, 1, 4, 46 };
		uint8_t f;

		if (size < 1)
			return 0;
		f = data[0];
		data++, size--;
		s.ip_options = f & 1;
		s.frag = (f >> 1) & 1;
		s.v6_ext = (f >> 2) & 1;
		s.udp_len_delta = udpd[(f >> 3) & 3];
		s.trailing = trail[(f >> 5) & 3];
		s.ip_len_delta = (f >> 7) & 1;
	}
	if (size > MTU - 28 - 8 - 4)
		return 0;
	len = pkt_build(&s, data, size, frame);
	if (len < 14)
		return 0;
	run_frame(frame, len);
	return 0;
}
