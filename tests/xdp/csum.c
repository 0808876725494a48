// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * csum.c - scenario: the IPv4 header and UDP checksums of every answer
 * kind, recomputed here in full over what the programs sent.
 *
 * The programs no longer sum what they send: a zone body's sum comes from
 * the image (per cut), the question's, header's and OPT's from small
 * sums, the compression fix-ups' change by RFC 1624 (respond.h).  Each of
 * those parts can be wrong in a way a handful of queries does not show
 * (an odd question length swaps the body's bytes in the sum, a fix-up
 * straddles a word, a cut drops fix-ups).  So this scenario asks, through
 * rootxdp_xdp and rootxdp_tc (BPF_PROG_TEST_RUN), over IPv4 and IPv6 with
 * 0, 1 and 2 VLAN tags:
 *   - for every TLD: a referral (names of both parities, mixed case) and
 *     DS, with and without DO, at every cut of the body that an EDNS
 *     payload can select (the payload is chosen so that the cut fills the
 *     room exactly) and without EDNS;
 *   - for every NSEC interval of the zone: NXDOMAIN with DO at every cut,
 *     names of both parities; NXDOMAIN without DO;
 *   - every apex RRset answered from the maps and apex NODATA, with and
 *     without DO, at every cut;
 *   - CHAOS TXT, REFUSED, BADVERS, FORMERR; NSID and a client COOKIE
 *     (tails of odd and even length).
 * Every answer: verdict XDP_TX / TC redirect, the frame's lengths agree,
 * the IPv4 header checksum and the UDP checksum (pseudo header + header +
 * payload, RFC 768/8200) recomputed from the bytes sum to 0xffff, the UDP
 * checksum is not 0, XDP and TC sent the same DNS payload, ldns parses
 * it, and for a targeted cut its length is header + question + cut + OPT.
 * Checksum arithmetic here is plain 16-bit big-endian words, written for
 * this test, nothing shared with the programs or tests/xdp/pkt.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <ldns/ldns.h>
#include "rootxdp.h"
#include "config.h"
#include "image.h"
#include "zone_maps.h"
#include "pkt.h"
#include "csum.h"
#include "../unit/check.h"

#define CS_PAYLOAD	4096	/* server payload for this scenario */
#define CS_MTU		9000
#define CS_IDENT	"csum-instance"	/* 13 bytes: an odd NSID */
/* What a test-run XDP buffer can grow to (one page less headroom and
 * skb_shared_info): larger answers pass to TC (pass_no_room). */
#define CS_XDP_ROOM	3400

static struct {
	int fd[2];
	const struct rx_image *img;
	unsigned ncase, nvlan, nfat;
} C;

/* ---- the independent checksum ---- */

static uint32_t be_sum(const uint8_t *b, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

struct frame {
	size_t l3, l4, ulen;
	int v6, nvlan;
	const uint8_t *dns;
	size_t dnslen;
};

/* Walk eth / VLAN / IP / UDP; check lengths and both checksums. */
static int frame_check(const char *desc, const uint8_t *f, size_t len, struct frame *fr)
{
	size_t off = 12;
	uint16_t et;
	uint32_t s;

	memset(fr, 0, sizeof(*fr));
	if (len < 14) {
		CHECK_MSG(0, "%s: frame of %zu bytes", desc, len);
		return -1;
	}
	et = f[off] << 8 | f[off + 1];
	while ((et == 0x8100 || et == 0x88a8) && off + 6 <= len) {
		off += 4;
		fr->nvlan++;
		et = f[off] << 8 | f[off + 1];
	}
	fr->l3 = off + 2;
	if (et == 0x0800) {
		const uint8_t *ip = f + fr->l3;

		if (fr->l3 + 28 > len || ip[0] != 0x45 || ip[9] != 17 ||
		    fr->l3 + (ip[2] << 8 | ip[3]) != len) {
			CHECK_MSG(0, "%s: IPv4 header or length", desc);
			return -1;
		}
		CHECK_MSG(fold(be_sum(ip, 20, 0)) == 0xffff, "%s: IPv4 header checksum", desc);
		fr->l4 = fr->l3 + 20;
		fr->ulen = len - fr->l4;
		s = be_sum(ip + 12, 8, 0);		/* addresses */
		s += 17 + fr->ulen;			/* zero, protocol, UDP length */
	} else if (et == 0x86dd) {
		const uint8_t *ip = f + fr->l3;

		if (fr->l3 + 48 > len || (ip[0] >> 4) != 6 || ip[6] != 17 ||
		    fr->l3 + 40 + (ip[4] << 8 | ip[5]) != len) {
			CHECK_MSG(0, "%s: IPv6 header or length", desc);
			return -1;
		}
		fr->v6 = 1;
		fr->l4 = fr->l3 + 40;
		fr->ulen = len - fr->l4;
		s = be_sum(ip + 8, 32, 0);		/* addresses */
		s += 17 + fr->ulen;			/* 32-bit length, next header */
	} else {
		CHECK_MSG(0, "%s: ethertype %04x", desc, et);
		return -1;
	}
	if ((size_t)(f[fr->l4 + 4] << 8 | f[fr->l4 + 5]) != fr->ulen) {
		CHECK_MSG(0, "%s: UDP length", desc);
		return -1;
	}
	CHECK_MSG((f[fr->l4 + 6] | f[fr->l4 + 7]) != 0, "%s: UDP checksum present", desc);
	s = be_sum(f + fr->l4, fr->ulen, s);
	CHECK_MSG(fold(s) == 0xffff, "%s: UDP checksum (sum %04x)", desc, fold(s));
	fr->dns = f + fr->l4 + 8;
	fr->dnslen = fr->ulen - 8;
	return 0;
}

/* ---- queries ---- */

struct cq {
	uint8_t name[256];	/* wire */
	size_t nlen;
	uint16_t type, class;
	int edns, dobit, nsid, cookie, version, qdcount;
	unsigned payload;
};

static size_t cq_wire(const struct cq *q, uint8_t *w)
{
	size_t n = 0;

	w[n++] = 0x5a;
	w[n++] = (uint8_t)C.ncase;
	w[n++] = 0x01;				/* RD */
	w[n++] = C.ncase & 1 ? 0x10 : 0;	/* CD, now and then */
	w[n++] = 0;
	w[n++] = q->qdcount;
	memset(w + n, 0, 4);
	n += 4;
	w[n++] = 0;
	w[n++] = q->edns ? 1 : 0;
	memcpy(w + n, q->name, q->nlen);
	n += q->nlen;
	w[n++] = q->type >> 8;
	w[n++] = q->type & 0xff;
	w[n++] = q->class >> 8;
	w[n++] = q->class & 0xff;
	if (q->edns) {
		size_t rd;

		w[n++] = 0;
		w[n++] = 0;
		w[n++] = 41;
		w[n++] = q->payload >> 8;
		w[n++] = q->payload & 0xff;
		w[n++] = 0;
		w[n++] = q->version;
		w[n++] = q->dobit ? 0x80 : 0;
		w[n++] = 0;
		rd = n;
		n += 2;
		if (q->nsid) {
			static const uint8_t o[] = { 0, 3, 0, 0 };

			memcpy(w + n, o, sizeof(o));
			n += sizeof(o);
		}
		if (q->cookie) {
			static const uint8_t o[] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };

			memcpy(w + n, o, sizeof(o));
			n += sizeof(o);
		}
		w[rd] = (n - rd - 2) >> 8;
		w[rd + 1] = (n - rd - 2) & 0xff;
	}
	return n;
}

/* name = [prefix label of plen bytes] + label (mixed case) + root */
static void cq_name(struct cq *q, size_t plen, const uint8_t *label, size_t llen)
{
	size_t n = 0, i;

	if (plen) {
		q->name[n++] = plen;
		for (i = 0; i < plen; i++)
			q->name[n++] = i & 1 ? 'Q' : 'q';
	}
	if (llen) {
		q->name[n++] = llen;
		for (i = 0; i < llen; i++) {
			uint8_t c = label[i];

			/* 0x20: every other letter upper case */
			q->name[n++] = (i & 1) && c >= 'a' && c <= 'z' ? c - 0x20 : c;
		}
	}
	q->name[n++] = 0;
	q->nlen = n;
}

/* OPT length the server sends for q (RFC 6891, NSID, COOKIE). */
static size_t opt_len(const struct cq *q)
{
	if (!q->edns)
		return 0;
	return 11 + (q->nsid ? 4 + strlen(CS_IDENT) : 0) + (q->cookie ? 4 + 8 + 16 : 0);
}

/*
 * Ask q through both programs; want_len: the DNS length it must have (0:
 * any).  Returns 0 when both answered.
 */
static int ask(const char *what, struct cq *q, size_t want_len)
{
	static uint8_t in[PKT_MAX], out[2][PKT_MAX];
	uint8_t w[1024];
	size_t wlen = cq_wire(q, w), inlen, outlen[2] = { 0, 0 };
	struct pkt_spec ps = { .v6 = C.ncase & 1, .nvlan = (C.ncase / 2) % 3 };
	struct frame fr[2];
	char desc[300];
	int ok = 1;

	snprintf(desc, sizeof(desc), "csum %s (%s, %d VLAN, %zu-byte name)", what,
		 ps.v6 ? "IPv6" : "IPv4", ps.nvlan, q->nlen);
	C.ncase++;
	inlen = pkt_build(&ps, w, wlen, in);
	if (!inlen) {
		CHECK_MSG(0, "%s: frame built", desc);
		return -1;
	}
	for (int tc = 0; tc < 2; tc++) {
		uint32_t ret = 0;

		if (pkt_run(C.fd[tc], !tc, in, inlen, out[tc], &outlen[tc], &ret)) {
			CHECK_MSG(0, "%s: test run", desc);
			return -1;
		}
		if (!tc && ret == XDP_PASS && want_len &&
		    want_len + inlen - wlen > CS_XDP_ROOM) {
			C.nfat++;	/* no room in a test-run XDP buffer */
			outlen[0] = 0;
			continue;
		}
		if (ret != (tc ? TC_ACT_REDIRECT : XDP_TX)) {
			CHECK_MSG(0, "%s [%s]: verdict %u", desc, tc ? "tc" : "xdp", ret);
			ok = 0;
			continue;
		}
		if (frame_check(desc, out[tc], outlen[tc], &fr[tc])) {
			ok = 0;
			continue;
		}
		CHECK_MSG(fr[tc].nvlan == ps.nvlan && fr[tc].v6 == ps.v6, "%s: L2/L3 kept", desc);
		if (want_len)
			CHECK_MSG(fr[tc].dnslen == want_len, "%s [%s]: %zu DNS bytes, want %zu",
				  desc, tc ? "tc" : "xdp", fr[tc].dnslen, want_len);
	}
	if (!ok)
		return -1;
	if (outlen[0])
		CHECK_MSG(fr[0].dnslen == fr[1].dnslen &&
			  !memcmp(fr[0].dns, fr[1].dns, fr[0].dnslen),
			  "%s: XDP and TC sent the same payload", desc);
	{
		ldns_pkt *p = NULL;

		CHECK_MSG(ldns_wire2pkt(&p, fr[1].dns, fr[1].dnslen) == LDNS_STATUS_OK,
			  "%s: ldns parses the answer", desc);
		if (p)
			ldns_pkt_free(p);
	}
	C.nvlan += ps.nvlan != 0;
	return 0;
}

/*
 * Every cut of rx_resp r that an EDNS payload can select, plus the answer
 * without EDNS.  q: name, type, dobit set.
 */
static void every_cut(const char *what, struct cq *q, uint32_t r)
{
	const struct rx_resp *rp = &C.img->resp[r];
	size_t base = 12 + q->nlen + 4;
	char d[200];

	q->edns = 0;
	snprintf(d, sizeof(d), "%s, no EDNS", what);
	ask(d, q, 0);
	q->edns = 1;
	for (unsigned i = 0; i < rp->ncut; i++) {
		size_t limit = base + opt_len(q) + rp->cut[i].len;

		if (limit < 512 || limit > CS_PAYLOAD)
			continue;
		if (i + 1 < rp->ncut && rp->cut[i + 1].len == rp->cut[i].len)
			continue;	/* the same cut again */
		q->payload = limit;
		snprintf(d, sizeof(d), "%s, cut %u (%u bytes)", what, i, rp->cut[i].len);
		ask(d, q, limit);
	}
}

static void cases_tlds(void)
{
	const struct rx_image_hdr *h = C.img->hdr;
	char what[200];
	struct cq q;

	for (uint32_t t = 0; t < h->ntld; t++) {
		const struct rx_image_tld *e = &C.img->tld[t];

		for (int dobit = 0; dobit < 2; dobit++) {
			/* prefix of 1 and 2 bytes: both parities of the question */
			for (size_t plen = 1; plen <= 2; plen++) {
				memset(&q, 0, sizeof(q));
				q.qdcount = 1;
				q.class = 1;
				q.type = 1;
				q.dobit = dobit;
				cq_name(&q, plen, e->label.name, e->label.len);
				snprintf(what, sizeof(what), "referral %.*s%s", e->label.len,
					 (const char *)e->label.name, dobit ? " DO" : "");
				every_cut(what, &q, dobit ? e->v.ref_do : e->v.ref);
			}
			memset(&q, 0, sizeof(q));
			q.qdcount = 1;
			q.class = 1;
			q.type = 43;
			q.dobit = dobit;
			cq_name(&q, 0, e->label.name, e->label.len);
			snprintf(what, sizeof(what), "DS %.*s%s", e->label.len,
				 (const char *)e->label.name, dobit ? " DO" : "");
			every_cut(what, &q, dobit ? e->v.ds_do : e->v.ds);
		}
	}
}

static void cases_nxdomain(void)
{
	const struct rx_image_hdr *h = C.img->hdr;
	uint8_t label[64];
	char what[200];
	struct cq q;

	for (uint32_t k = 0; k < h->nnsec; k++) {
		const struct rx_nsec *e = &C.img->nsec[k];

		if (e->owner.len >= 63)
			continue;
		/* owner + one zero byte: the next label in canonical order,
		 * so the covering NSEC is this one; not a TLD. */
		memcpy(label, e->owner.name, e->owner.len);
		label[e->owner.len] = 0;
		for (size_t plen = 1; plen <= 2; plen++) {
			memset(&q, 0, sizeof(q));
			q.qdcount = 1;
			q.class = 1;
			q.type = 28;
			q.dobit = 1;
			cq_name(&q, plen, label, e->owner.len + 1);
			snprintf(what, sizeof(what), "NXDOMAIN DO after NSEC %u", k);
			every_cut(what, &q, e->nx_do);
		}
	}
	memset(&q, 0, sizeof(q));
	q.qdcount = 1;
	q.class = 1;
	q.type = 1;
	cq_name(&q, 3, (const uint8_t *)"nosuchtld", 9);
	every_cut("NXDOMAIN", &q, h->meta.nx);
}

static void cases_apex(void)
{
	const struct rx_meta *m = &C.img->hdr->meta;
	char what[200];
	struct cq q;

	for (uint32_t i = 0; i <= m->napex && i < RX_APEX_MAX; i++)
		for (int dobit = 0; dobit < 2; dobit++) {
			int nodata = i == m->napex;

			memset(&q, 0, sizeof(q));
			q.qdcount = 1;
			q.class = 1;
			q.type = nodata ? 99 : m->apex[i].qtype;
			q.dobit = dobit;
			cq_name(&q, 0, NULL, 0);
			snprintf(what, sizeof(what), ". type %u%s", q.type, dobit ? " DO" : "");
			every_cut(what, &q, nodata ? (dobit ? m->nodata_do : m->nodata) :
						     (dobit ? m->apex[i].resp_do : m->apex[i].resp));
		}
}

/* The answers with no zone body: only header, question and tail. */
static void cases_small(void)
{
	static const struct {
		const char *what, *name;
		uint16_t type, class;
		int edns, nsid, cookie, version, qdcount;
	} s[] = {
		{ "CHAOS id.server", "\2id\6server", 16, 3, 0, 0, 0, 0, 1 },
		{ "CHAOS id.server EDNS NSID", "\2id\6SERVER", 16, 3, 1, 1, 0, 0, 1 },
		{ "CHAOS hostname.bind COOKIE", "\10hostname\4bind", 16, 3, 1, 0, 1, 0, 1 },
		{ "REFUSED CH A", "\1a\2ch", 1, 3, 0, 0, 0, 0, 1 },
		{ "REFUSED HS, NSID + COOKIE", "\1a\2hs", 1, 4, 1, 1, 1, 0, 1 },
		{ "BADVERS", "\3com", 1, 1, 1, 0, 0, 1, 1 },
		{ "BADVERS NSID", "\4xcom", 1, 1, 1, 1, 0, 1, 1 },
		{ "FORMERR (no question)", "", 1, 1, 0, 0, 0, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		for (int fam = 0; fam < 6; fam++) {	/* each family, each VLAN count */
			struct cq q;

			memset(&q, 0, sizeof(q));
			q.nlen = strlen(s[i].name) + (s[i].qdcount ? 1 : 0);
			memcpy(q.name, s[i].name, q.nlen);
			q.type = s[i].type;
			q.class = s[i].class;
			q.edns = s[i].edns;
			q.nsid = s[i].nsid;
			q.cookie = s[i].cookie;
			q.version = s[i].version;
			q.qdcount = s[i].qdcount;
			q.payload = 1232;
			if (!s[i].qdcount) {	/* header only: nothing after it */
				uint8_t w[12];
				static uint8_t in[PKT_MAX], out[PKT_MAX];
				struct pkt_spec ps = { .v6 = fam & 1, .nvlan = fam / 2 };
				struct frame fr;
				size_t inlen, olen;
				uint32_t ret;

				memset(w, 0, sizeof(w));
				w[0] = 0x77;
				w[2] = 1;
				inlen = pkt_build(&ps, w, sizeof(w), in);
				for (int tc = 0; tc < 2; tc++) {
					CHECK_MSG(!pkt_run(C.fd[tc], !tc, in, inlen, out, &olen, &ret) &&
						  ret == (tc ? TC_ACT_REDIRECT : XDP_TX),
						  "csum FORMERR [%d/%d]: answered", fam, tc);
					if (!frame_check("csum FORMERR", out, olen, &fr))
						CHECK_MSG(fr.dnslen == 12 && (fr.dns[3] & 15) == 1,
							  "csum FORMERR: header only, rcode 1");
				}
				continue;
			}
			C.ncase = (C.ncase & ~7U) + fam;
			ask(s[i].what, &q, 0);
		}
	/* Referral tails with NSID and COOKIE: odd and even OPT lengths after
	 * a body at either parity. */
	for (int k = 0; k < 8; k++) {
		const struct rx_image_tld *e = &C.img->tld[k % C.img->hdr->ntld];
		struct cq q;
		char what[200];

		memset(&q, 0, sizeof(q));
		q.qdcount = 1;
		q.class = 1;
		q.type = 1;
		q.dobit = k & 1;
		q.nsid = !!(k & 2);
		q.cookie = !!(k & 4);
		cq_name(&q, 1 + (k & 1), e->label.name, e->label.len);
		snprintf(what, sizeof(what), "referral %.*s%s%s%s", e->label.len,
			 (const char *)e->label.name, q.dobit ? " DO" : "", q.nsid ? " NSID" : "",
			 q.cookie ? " COOKIE" : "");
		every_cut(what, &q, q.dobit ? e->v.ref_do : e->v.ref);
	}
}

void csum_cases(int fd_xdp, int fd_tc, const struct rx_maps *maps, const struct rx_image *img,
		int *passed, int *failed)
{
	struct rx_config c;
	char e[256] = "";

	C.fd[0] = fd_xdp;
	C.fd[1] = fd_tc;
	C.img = img;
	rx_config_defaults(&c);
	snprintf(c.identity, sizeof(c.identity), "%s", CS_IDENT);
	c.nsid = true;
	snprintf(c.version, sizeof(c.version), "%s", "");
	c.max_udp_payload = CS_PAYLOAD;
	snprintf(c.cookie_secret, sizeof(c.cookie_secret), "%s",
		 "30313233343536373839616263646566");
	c.rrl_rate = 0;
	c.nrrl_exempt = 0;
	CHECK_MSG(rx_cfg_write(maps, &c, CS_MTU, e, sizeof(e)) == 0, "csum: config: %s", e);

	cases_tlds();
	cases_nxdomain();
	cases_apex();
	cases_small();
	printf("# csum: %u answers checked through both programs (%u with VLAN tags, "
	       "%u too big for a test-run XDP buffer: TC only)\n", C.ncase, C.nvlan, C.nfat);
	CHECK_MSG(C.ncase > 1000, "csum: %u cases", C.ncase);
	*passed = check_passed;
	*failed = check_failed;
}
