// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_fb_answer.c - rootxdpd's responder (fallback/answer.c) fed crafted
 * queries; answers decoded with ldns and checked against independent
 * lookups in the zone file parsed with ldns (not through fallback/zone.c).
 *
 * Zone: $RX_ZONE_DIR/root.zone (tests/run.sh sets it), else generated with
 * tests/zones/mkzone.sh into a temporary directory; the image is compiled
 * with $O/rootxdp-compile (O defaults to build).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ldns/ldns.h>
#include "check.h"
#include "fb.h"
#include "secret.h"

static struct fb_zone *Z;
static ldns_rr_list *ZRR;	/* the zone, independently parsed */
static struct fb_conf CF;
static struct rx_cookie_keys CK;

static uint8_t out[DNS_MSG_MAX];

/* ---- query builder ---- */

struct qopt {
	int edns;		/* -1: no OPT, else the version */
	uint16_t payload;
	bool do_bit;
	const uint8_t *opts;
	size_t optlen;
	uint16_t id;
	uint8_t f1, f2;		/* extra header flag bits */
};

static size_t name_wire(const char *s, uint8_t *w)
{
	size_t n = 0;

	if (!strcmp(s, ".")) {
		w[0] = 0;
		return 1;
	}
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);

		w[n++] = l;
		memcpy(w + n, s, l);
		n += l;
		s += l + (dot ? 1 : 0);
	}
	w[n++] = 0;
	return n;
}

static size_t mkq(uint8_t *b, const char *name, uint16_t type, uint16_t cls,
		  const struct qopt *o)
{
	size_t n = 12;

	memset(b, 0, 12);
	b[0] = o->id >> 8;
	b[1] = o->id & 0xff;
	b[2] = o->f1;
	b[3] = o->f2;
	b[5] = 1;
	n += name_wire(name, b + n);
	b[n++] = type >> 8;
	b[n++] = type;
	b[n++] = cls >> 8;
	b[n++] = cls;
	if (o->edns >= 0) {
		b[11] = 1;
		b[n++] = 0;
		b[n++] = 0;
		b[n++] = 41;
		b[n++] = o->payload >> 8;
		b[n++] = o->payload;
		b[n++] = 0;
		b[n++] = o->edns;
		b[n++] = o->do_bit ? 0x80 : 0;
		b[n++] = 0;
		b[n++] = o->optlen >> 8;
		b[n++] = o->optlen;
		if (o->optlen)
			memcpy(b + n, o->opts, o->optlen);
		n += o->optlen;
	}
	return n;
}

static struct fb_client udp4(void)
{
	struct fb_client c = { .transport = FB_UDP, .now = 1767225600 };
	struct sockaddr_in *s = (struct sockaddr_in *)&c.addr;

	s->sin_family = AF_INET;
	inet_pton(AF_INET, "198.51.100.7", &s->sin_addr);
	return c;
}

static struct fb_client tcp6(const char *a)
{
	struct fb_client c = { .transport = FB_TCP, .now = 1767225600 };
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&c.addr;

	s->sin6_family = AF_INET6;
	inet_pton(AF_INET6, a, &s->sin6_addr);
	return c;
}

static size_t ask(const uint8_t *q, size_t qlen, const struct fb_client *cl,
		  struct fb_result *res)
{
	return fb_answer(&CF, Z, q, qlen, cl, out, sizeof(out), res);
}

static ldns_pkt *decode(size_t len)
{
	ldns_pkt *p = NULL;

	if (ldns_wire2pkt(&p, out, len) != LDNS_STATUS_OK)
		return NULL;
	return p;
}

/* ---- independent zone lookups ---- */

static ldns_rr_list *zone_set(const char *owner, ldns_rr_type t)
{
	ldns_rdf *o = ldns_dname_new_frm_str(owner);
	ldns_rr_list *l = ldns_rr_list_new();

	for (size_t i = 0; i < ldns_rr_list_rr_count(ZRR); i++) {
		ldns_rr *rr = ldns_rr_list_rr(ZRR, i);

		if (ldns_rr_get_type(rr) == t && ldns_dname_compare(ldns_rr_owner(rr), o) == 0)
			ldns_rr_list_push_rr(l, rr);
	}
	ldns_rdf_deep_free(o);
	return l;
}

static bool in_zone(const ldns_rr *rr)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(ZRR); i++)
		if (ldns_rr_compare(ldns_rr_list_rr(ZRR, i), rr) == 0 &&
		    ldns_rr_ttl(ldns_rr_list_rr(ZRR, i)) == ldns_rr_ttl(rr))
			return true;
	return false;
}

/* Does section hold exactly the RRs of set (any order)? */
static bool same_rrs(const ldns_rr_list *sec, ldns_rr_type t, const ldns_rr_list *set)
{
	size_t n = 0;

	for (size_t i = 0; i < ldns_rr_list_rr_count(sec); i++) {
		ldns_rr *rr = ldns_rr_list_rr(sec, i);

		if (ldns_rr_get_type(rr) != t)
			continue;
		n++;
		if (!ldns_rr_list_contains_rr(set, rr))
			return false;
	}
	return n == ldns_rr_list_rr_count(set);
}

static bool all_in_zone(const ldns_rr_list *sec)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(sec); i++)
		if (!in_zone(ldns_rr_list_rr(sec, i)))
			return false;
	return true;
}

static size_t count_type(const ldns_rr_list *sec, ldns_rr_type t)
{
	size_t n = 0;

	for (size_t i = 0; i < ldns_rr_list_rr_count(sec); i++)
		n += ldns_rr_get_type(ldns_rr_list_rr(sec, i)) == t;
	return n;
}

/* The EDNS option `code` in the response's OPT, or NULL. */
static const uint8_t *resp_opt(size_t len, uint16_t code, uint16_t *olen)
{
	/* walk the message: the OPT is the last RR (no TSIG in these) */
	ldns_pkt *p = decode(len);
	ldns_rdf *d;
	static uint8_t buf[1024];
	const uint8_t *res = NULL;

	if (!p)
		return NULL;
	d = ldns_pkt_edns_data(p);
	if (d) {
		const uint8_t *o = ldns_rdf_data(d);
		size_t n = ldns_rdf_size(d), i = 0;

		while (i + 4 <= n) {
			uint16_t c = o[i] << 8 | o[i + 1], l = o[i + 2] << 8 | o[i + 3];

			if (i + 4 + l > n)
				break;
			if (c == code && l <= sizeof(buf)) {
				memcpy(buf, o + i + 4, l);
				*olen = l;
				res = buf;
				break;
			}
			i += 4 + l;
		}
	}
	ldns_pkt_free(p);
	return res;
}

/* ---- cases ---- */

static const struct qopt NOEDNS = { .edns = -1, .id = 0x1234 };

static void test_referral(void)
{
	uint8_t q[512];
	struct fb_result r;
	struct fb_client cl = udp4();
	struct qopt o = { .edns = 0, .payload = 1232, .do_bit = true, .id = 7 };
	size_t qlen, len;
	ldns_pkt *p;
	ldns_rr_list *ns, *ds;

	qlen = mkq(q, "www.Com", DNS_T_A, DNS_C_IN, &o);
	len = ask(q, qlen, &cl, &r);
	p = decode(len);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(r.kind == FB_K_REFERRAL);
	CHECK(ldns_pkt_get_rcode(p) == LDNS_RCODE_NOERROR);
	CHECK(!ldns_pkt_aa(p) && !ldns_pkt_tc(p) && !ldns_pkt_ra(p) && !ldns_pkt_ad(p));
	CHECK(ldns_pkt_id(p) == 7);
	ns = zone_set("com.", LDNS_RR_TYPE_NS);
	ds = zone_set("com.", LDNS_RR_TYPE_DS);
	CHECK(ldns_rr_list_rr_count(ns) == 13);
	CHECK(same_rrs(ldns_pkt_authority(p), LDNS_RR_TYPE_NS, ns));
	CHECK(same_rrs(ldns_pkt_authority(p), LDNS_RR_TYPE_DS, ds));
	CHECK(count_type(ldns_pkt_authority(p), LDNS_RR_TYPE_RRSIG) == 1);
	CHECK(all_in_zone(ldns_pkt_authority(p)));
	CHECK(all_in_zone(ldns_pkt_additional(p)));
	CHECK(ldns_pkt_edns_do(p));
	CHECK(ldns_pkt_edns_udp_size(p) == 1232);
	CHECK(len <= 1232);
	/* the question echoed byte for byte (0x20 case) */
	CHECK(memcmp(out + 12, q + 12, qlen - 12 - 11) == 0);
	/* the NS owner points at the question's last label, "Com" at offset
	 * 12 + 4 (RX_FIX_QTLD): its case is the query's */
	CHECK(out[12 + 13] == 0xc0 && out[12 + 13 + 1] == 12 + 4);
	{
		char *o = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_authority(p), 0)));

		CHECK(o && !strcmp(o, "Com."));
		free(o);
	}
	ldns_rr_list_free(ns);
	ldns_rr_list_free(ds);
	ldns_pkt_free(p);

	/* net: in-domain glue alone exceeds 512: TC=1 without EDNS */
	qlen = mkq(q, "net", DNS_T_A, DNS_C_IN, &NOEDNS);
	len = ask(q, qlen, &cl, &r);
	p = decode(len);
	CHECK(p && ldns_pkt_tc(p) && len <= 512);
	CHECK(r.tc);
	if (p) {
		ns = zone_set("net.", LDNS_RR_TYPE_NS);
		CHECK(same_rrs(ldns_pkt_authority(p), LDNS_RR_TYPE_NS, ns));
		ldns_rr_list_free(ns);
		ldns_pkt_free(p);
	}
	/* the same over TCP: the whole body, never TC */
	{
		struct fb_client t = tcp6("2001:db8::7");

		len = ask(q, qlen, &t, &r);
		p = decode(len);
		CHECK(p && !ldns_pkt_tc(p) && ldns_pkt_arcount(p) == 26);
		CHECK(len > 512);
		if (p)
			ldns_pkt_free(p);
	}
	/* com without EDNS: only sibling glue, cut without TC */
	qlen = mkq(q, "com", DNS_T_NS, DNS_C_IN, &NOEDNS);
	len = ask(q, qlen, &cl, &r);
	p = decode(len);
	CHECK(p && !ldns_pkt_tc(p) && len <= 512 && ldns_pkt_arcount(p) < 26);
	if (p)
		ldns_pkt_free(p);
	/* payload 100 counts as 512; payload 4096 is capped at 1232 */
	o.payload = 100;
	o.do_bit = false;
	qlen = mkq(q, "net", DNS_T_A, DNS_C_IN, &o);
	len = ask(q, qlen, &cl, &r);
	CHECK(len <= 512 && (out[2] & 0x02));
	o.payload = 4096;
	o.do_bit = true;
	qlen = mkq(q, "manyinzonens", DNS_T_A, DNS_C_IN, &o);
	len = ask(q, qlen, &cl, &r);
	CHECK(len > 0 && len <= 1232);
}

static void test_ds_nx_apex(void)
{
	uint8_t q[512];
	struct fb_result r;
	struct fb_client cl = udp4();
	struct qopt o = { .edns = 0, .payload = 1232, .do_bit = true, .id = 9 };
	size_t qlen, len;
	ldns_pkt *p;
	ldns_rr_list *set;

	/* DS at a TLD: AA answer + RRSIG */
	qlen = mkq(q, "com", DNS_T_DS, DNS_C_IN, &o);
	len = ask(q, qlen, &cl, &r);
	p = decode(len);
	CHECK(p && r.kind == FB_K_DS && ldns_pkt_aa(p));
	if (p) {
		set = zone_set("com.", LDNS_RR_TYPE_DS);
		CHECK(same_rrs(ldns_pkt_answer(p), LDNS_RR_TYPE_DS, set));
		CHECK(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_RRSIG) == 1);
		ldns_rr_list_free(set);
		ldns_pkt_free(p);
	}
	/* DS at an unsigned TLD: NODATA with SOA + NSEC */
	qlen = mkq(q, "unsignedtld", DNS_T_DS, DNS_C_IN, &o);
	len = ask(q, qlen, &cl, &r);
	p = decode(len);
	CHECK(p && ldns_pkt_aa(p) && ldns_pkt_ancount(p) == 0 &&
	      count_type(ldns_pkt_authority(p), LDNS_RR_TYPE_SOA) == 1 &&
	      count_type(ldns_pkt_authority(p), LDNS_RR_TYPE_NSEC) == 1);
	if (p)
		ldns_pkt_free(p);

	/* NXDOMAIN with DO: SOA, covering NSEC, wildcard NSEC, signatures */
	qlen = mkq(q, "www.no-such-tld-here", DNS_T_A, DNS_C_IN, &o);
	len = ask(q, qlen, &cl, &r);
	p = decode(len);
	CHECK(p && ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN && ldns_pkt_aa(p));
	CHECK(r.kind == FB_K_NXDOMAIN);
	if (p) {
		ldns_rr_list *auth = ldns_pkt_authority(p);
		ldns_rdf *qn = ldns_dname_new_frm_str("no-such-tld-here.");
		ldns_rdf *wc = ldns_dname_new_frm_str("*.");
		bool covers = false, wildcard = false;

		CHECK(count_type(auth, LDNS_RR_TYPE_SOA) == 1);
		CHECK(all_in_zone(auth));
		for (size_t i = 0; i < ldns_rr_list_rr_count(auth); i++) {
			ldns_rr *rr = ldns_rr_list_rr(auth, i);

			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC)
				continue;
			covers |= ldns_nsec_covers_name(rr, qn);
			wildcard |= ldns_nsec_covers_name(rr, wc);
		}
		CHECK(covers && wildcard);
		CHECK(count_type(auth, LDNS_RR_TYPE_RRSIG) ==
		      count_type(auth, LDNS_RR_TYPE_NSEC) + 1);
		ldns_rdf_deep_free(qn);
		ldns_rdf_deep_free(wc);
		ldns_pkt_free(p);
	}
	/* NXDOMAIN without DO: the SOA only */
	qlen = mkq(q, "no-such-tld-here", DNS_T_A, DNS_C_IN, &NOEDNS);
	len = ask(q, qlen, &cl, &r);
	p = decode(len);
	CHECK(p && ldns_pkt_nscount(p) == 1 && ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN);
	if (p)
		ldns_pkt_free(p);

	/* apex: SOA, DNSKEY, priming NS; NODATA for MX */
	qlen = mkq(q, ".", DNS_T_SOA, DNS_C_IN, &NOEDNS);
	len = ask(q, qlen, &cl, &r);
	p = decode(len);
	CHECK(p && ldns_pkt_aa(p) && ldns_pkt_ancount(p) == 1 && r.kind == FB_K_APEX);
	if (p) {
		CHECK(all_in_zone(ldns_pkt_answer(p)));
		ldns_pkt_free(p);
	}
	qlen = mkq(q, ".", LDNS_RR_TYPE_DNSKEY, DNS_C_IN, &o);
	len = ask(q, qlen, &cl, &r);
	p = decode(len);
	if (p) {
		set = zone_set(".", LDNS_RR_TYPE_DNSKEY);
		CHECK(same_rrs(ldns_pkt_answer(p), LDNS_RR_TYPE_DNSKEY, set));
		CHECK(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_RRSIG) >= 1);
		ldns_rr_list_free(set);
		ldns_pkt_free(p);
	} else {
		CHECK(!"DNSKEY decodes");
	}
	qlen = mkq(q, ".", DNS_T_NS, DNS_C_IN, &NOEDNS);
	len = ask(q, qlen, &cl, &r);
	p = decode(len);
	CHECK(p && ldns_pkt_ancount(p) == 13 && ldns_pkt_arcount(p) > 0 && !ldns_pkt_tc(p) &&
	      len <= 512);
	if (p) {
		CHECK(all_in_zone(ldns_pkt_additional(p)));
		ldns_pkt_free(p);
	}
	qlen = mkq(q, ".", DNS_T_MX, DNS_C_IN, &o);
	len = ask(q, qlen, &cl, &r);
	p = decode(len);
	CHECK(p && ldns_pkt_aa(p) && ldns_pkt_ancount(p) == 0 && r.kind == FB_K_NODATA &&
	      count_type(ldns_pkt_authority(p), LDNS_RR_TYPE_NSEC) == 1);
	if (p)
		ldns_pkt_free(p);
	/* meta qtypes at the apex: NODATA like Knot DNS; TYPE0: NOTIMP */
	qlen = mkq(q, ".", DNS_T_TKEY, DNS_C_IN, &NOEDNS);
	len = ask(q, qlen, &cl, &r);
	CHECK(len > 12 && r.kind == FB_K_NODATA);
	qlen = mkq(q, ".", 0, DNS_C_IN, &NOEDNS);
	len = ask(q, qlen, &cl, &r);
	CHECK(len > 12 && r.rcode == DNS_R_NOTIMP);
}

static void test_any_rrsig(void)
{
	uint8_t q[512];
	struct fb_result r;
	struct fb_client cl = udp4(), t = tcp6("2001:db8::9");
	struct qopt o = { .edns = 0, .payload = 1232, .do_bit = true, .id = 11 };
	size_t qlen, len;
	ldns_pkt *p;

	qlen = mkq(q, ".", DNS_T_ANY, DNS_C_IN, &o);
	len = ask(q, qlen, &cl, &r);
	p = decode(len);
	CHECK(p && r.kind == FB_K_ANY);
	if (p) {
		/* minimal: the NS RRset (+ RRSIG), as Knot DNS */
		CHECK(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_NS) == 13);
		CHECK(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_SOA) == 0);
		CHECK(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_RRSIG) == 1);
		ldns_pkt_free(p);
	}
	len = ask(q, qlen, &t, &r);
	p = decode(len);
	CHECK(p && !ldns_pkt_tc(p));
	if (p) {
		ldns_rr_list *a = ldns_pkt_answer(p);

		CHECK(count_type(a, LDNS_RR_TYPE_NS) == 13 && count_type(a, LDNS_RR_TYPE_SOA) == 1 &&
		      count_type(a, LDNS_RR_TYPE_DNSKEY) >= 2 &&
		      count_type(a, LDNS_RR_TYPE_NSEC) == 1 &&
		      count_type(a, LDNS_RR_TYPE_RRSIG) >= 5);
		CHECK(all_in_zone(a));
		CHECK(all_in_zone(ldns_pkt_additional(p)));
		ldns_pkt_free(p);
	}
	/* minimal-any = no: full over UDP too */
	CF.minimal_any = false;
	len = ask(q, qlen, &cl, &r);
	p = decode(len);
	CHECK(p && count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_SOA) + ldns_pkt_tc(p) >= 1);
	CHECK(len <= 1232);
	if (p)
		ldns_pkt_free(p);
	CF.minimal_any = true;
	/* ANY below the apex: still a referral */
	qlen = mkq(q, "com", DNS_T_ANY, DNS_C_IN, &o);
	ask(q, qlen, &cl, &r);
	CHECK(r.kind == FB_K_REFERRAL);

	/* RRSIG at the apex: one RRSIG, as Knot DNS */
	qlen = mkq(q, ".", DNS_T_RRSIG, DNS_C_IN, &NOEDNS);
	len = ask(q, qlen, &cl, &r);
	p = decode(len);
	CHECK(p && ldns_pkt_ancount(p) == 1 && ldns_pkt_aa(p) && r.kind == FB_K_RRSIG);
	if (p) {
		CHECK(all_in_zone(ldns_pkt_answer(p)));
		ldns_pkt_free(p);
	}
}

static void test_header_errors(void)
{
	uint8_t q[1024];
	struct fb_result r;
	struct fb_client cl = udp4();
	struct qopt o = { .edns = 0, .payload = 1232, .id = 0xbeef, .f1 = 0x01, .f2 = 0x10 };
	size_t qlen, len;
	ldns_pkt *p;

	/* responses and short headers are dropped */
	qlen = mkq(q, "com", DNS_T_A, DNS_C_IN, &NOEDNS);
	q[2] |= 0x80;
	CHECK(ask(q, qlen, &cl, &r) == 0 && r.kind == FB_K_DROP);
	CHECK(ask(q, 11, &cl, &r) == 0);

	/* NOTIMP for an opcode: only QR (and the opcode) set */
	qlen = mkq(q, "com", DNS_T_A, DNS_C_IN, &o);
	q[2] = (2 << 3) | 0x01;	/* STATUS, RD */
	q[3] = 0x30;		/* AD, CD */
	len = ask(q, qlen, &cl, &r);
	CHECK(len == 12 && out[2] == (0x80 | (2 << 3)) && out[3] == DNS_R_NOTIMP);
	CHECK(out[0] == 0xbe && out[1] == 0xef);

	/* FORMERR cases: 12 bytes, ID, opcode and RD echoed, nothing else */
	for (int k = 0; k < 11; k++) {
		o.opts = NULL;
		o.optlen = 0;
		qlen = mkq(q, "com", DNS_T_A, DNS_C_IN, &o);
		switch (k) {
		case 0:	/* QDCOUNT 2 */
			q[5] = 2;
			break;
		case 1:	/* ANCOUNT 1 */
			q[7] = 1;
			break;
		case 2:	/* NSCOUNT 1 (UDP, design.md step 4) */
			q[9] = 1;
			break;
		case 3:	/* reserved label type 0x40 */
			q[12] = 0x43;
			break;
		case 4:	/* question cut short */
			qlen = 12 + 5;
			q[11] = 0;
			break;
		case 5:	/* trailing garbage */
			q[qlen++] = 0;
			break;
		case 6:	/* two OPTs */
			memcpy(q + qlen, q + qlen - 11, 11);
			qlen += 11;
			q[11] = 2;
			break;
		case 7:	/* OPT not at the root */
			memmove(q + qlen - 10, q + qlen - 11, 11);
			memcpy(q + qlen - 11, "\1x\0", 3);
			memmove(q + qlen - 8, q + qlen - 9, 9);
			qlen += 2;
			q[qlen - 11 - 2] = 1;	/* label "x" */
			break;
		case 8: {	/* malformed cookie: 5 bytes */
			static const uint8_t c5[] = { 0, 10, 0, 5, 1, 2, 3, 4, 5 };

			o.opts = c5;
			o.optlen = sizeof(c5);
			qlen = mkq(q, "com", DNS_T_A, DNS_C_IN, &o);
			break;
		}
		case 9: {	/* option running past the OPT */
			static const uint8_t bad[] = { 0, 3, 0, 9 };

			o.opts = bad;
			o.optlen = sizeof(bad);
			qlen = mkq(q, "com", DNS_T_A, DNS_C_IN, &o);
			break;
		}
		case 10: {	/* a name longer than 255 bytes */
			size_t n = 12;

			for (int l = 0; l < 5; l++) {
				q[n++] = 60;
				memset(q + n, 'a', 60);
				n += 60;
			}
			q[n++] = 0;
			memcpy(q + n, "\0\1\0\1", 4);
			qlen = n + 4;
			q[11] = 0;
			break;
		}
		}
		len = ask(q, qlen, &cl, &r);
		CHECK_MSG(len == 12 && out[3] == DNS_R_FORMERR && out[2] == 0x81 &&
			  out[0] == 0xbe && !memcmp(out + 4, "\0\0\0\0\0\0\0\0", 8),
			  "FORMERR case %d: len %zu rcode %u flags %02x", k, len, out[3] & 15, out[2]);
	}

	/* a compression pointer in the qname: followed, question echoed whole */
	{
		static const uint8_t cq[] = {
			0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
			3, 'w', 'w', 'w', 3, 'c', 'o', 'm', 0xc0, 11, 0, 1, 0, 1,
		};

		len = ask(cq, sizeof(cq), &cl, &r);
		p = decode(len);
		CHECK(p && r.kind == FB_K_REFERRAL);
		CHECK(len > 12 + 14 && !memcmp(out + 12, "\3www\3com\0\0\1\0\1", 13));
		if (p)
			ldns_pkt_free(p);
		/* a pointer forward or to itself: FORMERR */
		uint8_t bad[sizeof(cq)];

		memcpy(bad, cq, sizeof(cq));
		bad[21] = 20;
		CHECK(ask(bad, sizeof(bad), &cl, &r) == 12 && r.rcode == DNS_R_FORMERR);
	}

	/* RD and CD echoed, AD never set */
	qlen = mkq(q, "com", DNS_T_A, DNS_C_IN, &o);
	q[3] |= 0x20;	/* AD in the query */
	len = ask(q, qlen, &cl, &r);
	CHECK(len > 12 && (out[2] & 0x01) && (out[3] & 0x10) && !(out[3] & 0x20) &&
	      !(out[3] & 0x80));

	/* BADVERS: rcode 0 in the header, ext-rcode 1 in the OPT, no RRs */
	o.edns = 1;
	qlen = mkq(q, "com", DNS_T_A, DNS_C_IN, &o);
	len = ask(q, qlen, &cl, &r);
	p = decode(len);
	CHECK(p && (out[3] & 0x0f) == 0 && ldns_pkt_ancount(p) == 0 && ldns_pkt_nscount(p) == 0 &&
	      ldns_pkt_arcount(p) == 0 && ldns_pkt_edns(p) && ldns_pkt_edns_extended_rcode(p) == 1);
	CHECK(r.rcode == DNS_R_BADVERS);
	if (p)
		ldns_pkt_free(p);
	o.edns = 0;

	/* other classes: REFUSED, empty, AA=0 */
	qlen = mkq(q, "com", DNS_T_A, 4, &o);
	len = ask(q, qlen, &cl, &r);
	CHECK(len > 12 && (out[3] & 0x0f) == DNS_R_REFUSED && !(out[2] & 0x04) &&
	      out[7] == 0 && out[9] == 0);

	/* unknown options ignored; a query over 512 bytes answered */
	{
		static uint8_t pad[700];

		pad[0] = 0;
		pad[1] = 12;	/* padding */
		pad[2] = (sizeof(pad) - 4) >> 8;
		pad[3] = (sizeof(pad) - 4) & 0xff;
		o.opts = pad;
		o.optlen = sizeof(pad);
		qlen = mkq(q, "com", DNS_T_A, DNS_C_IN, &o);
		CHECK(qlen > 512);
		len = ask(q, qlen, &cl, &r);
		CHECK(len > 12 && r.kind == FB_K_REFERRAL);
		static const uint8_t unk[] = { 0xfd, 0xe9, 0, 2, 1, 2 };

		o.opts = unk;
		o.optlen = sizeof(unk);
		qlen = mkq(q, "com", DNS_T_A, DNS_C_IN, &o);
		len = ask(q, qlen, &cl, &r);
		CHECK(len > 12 && r.kind == FB_K_REFERRAL);
		o.opts = NULL;
		o.optlen = 0;
	}

	/* TSIG with a key we do not have: NOTAUTH, TSIG error BADKEY */
	{
		uint8_t t[512];
		size_t n = mkq(t, "com", DNS_T_A, DNS_C_IN, &NOEDNS);
		static const uint8_t tsig[] = {
			3, 'k', 'e', 'y', 0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 29,
			11, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '2', '5', '6', 0,
			0, 0, 0x69, 0x55, 0, 0, 1, 44, 0, 0, 0x12, 0x34, 0, 0, 0, 0,
		};

		memcpy(t + n, tsig, sizeof(tsig));
		n += sizeof(tsig);
		t[11] = 1;
		len = ask(t, n, &cl, &r);
		p = decode(len);
		CHECK(p && ldns_pkt_get_rcode(p) == LDNS_RCODE_NOTAUTH);
		if (p) {
			ldns_rr *ts = ldns_pkt_tsig(p);

			CHECK(ts && ldns_rdf2native_int16(ldns_rr_rdf(ts, 5)) == 17);
			ldns_pkt_free(p);
		}
	}
}

/* Test-side views of fb_cookie_answer(): the daemon itself needs only it. */
static void siphash24_bytes(const uint8_t key[16], const uint8_t *in, size_t len, uint8_t out[8])
{
	struct rx_cookie_buf b, k;
	uint64_t h;

	memset(&b, 0, sizeof(b));
	memset(&k, 0, sizeof(k));
	if (len > RX_SIP_MAX)
		len = RX_SIP_MAX;	/* callers hash cookies: 32 bytes at most */
	memcpy(b.b, in, len);
	memcpy(k.b, key, 16);
	h = rx_siphash24(rx_le64(k.b), rx_le64(k.b + 8), b.b, len);
	for (int i = 0; i < 8; i++)
		out[i] = h >> (8 * i);
}

static void cookie_server(const struct rx_cookie_keys *k, const uint8_t client[8],
		      const struct sockaddr_storage *addr, uint32_t now, uint8_t out[16])
{
	bool minted;

	fb_cookie_answer(k, client, NULL, 0, addr, now, out, &minted);
}

static bool cookie_valid(const struct rx_cookie_keys *k, const uint8_t client[8],
		     const uint8_t *server, size_t len,
		     const struct sockaddr_storage *addr, uint32_t now)
{
	uint8_t out[16];
	bool minted;

	if (len < RX_COOKIE_SERVER_MIN || len > RX_COOKIE_SERVER_MAX)
		return false;
	return fb_cookie_answer(k, client, server, len, addr, now, out, &minted) == RX_CK_GOOD;
}

static void test_chaos_nsid_cookie(void)
{
	uint8_t q[512], sc[16];
	struct fb_result r;
	struct fb_client cl = udp4(), t = tcp6("2001:db8::10");
	struct qopt o = { .edns = 0, .payload = 1232, .id = 3 };
	size_t qlen, len;
	uint16_t olen = 0;
	const uint8_t *v;
	ldns_pkt *p;

	qlen = mkq(q, "ID.server", DNS_T_TXT, DNS_C_CH, &NOEDNS);
	len = ask(q, qlen, &cl, &r);
	p = decode(len);
	CHECK(p && ldns_pkt_aa(p) && ldns_pkt_ancount(p) == 1 && r.kind == FB_K_CHAOS);
	if (p) {
		ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(p), 0);
		ldns_rdf *txt = ldns_rr_rdf(rr, 0);

		CHECK(ldns_rr_ttl(rr) == 0 && ldns_rr_get_class(rr) == LDNS_RR_CLASS_CH);
		CHECK(ldns_rdf_size(txt) == CF.ident_len + 1 &&
		      !memcmp(ldns_rdf_data(txt) + 1, CF.ident, CF.ident_len));
		ldns_pkt_free(p);
	}
	/* owner compressed to the question */
	CHECK(len > 12 + qlen - 12 + 2 && out[qlen] == 0xc0 && out[qlen + 1] == 12);
	qlen = mkq(q, "hostname.bind", DNS_T_TXT, DNS_C_CH, &NOEDNS);
	CHECK(ask(q, qlen, &cl, &r) > 12 && r.kind == FB_K_CHAOS);
	qlen = mkq(q, "version.bind", DNS_T_TXT, DNS_C_CH, &NOEDNS);
	ask(q, qlen, &cl, &r);
	CHECK(r.rcode == DNS_R_REFUSED);	/* hidden by default */
	memcpy(CF.version, "9.9.9", 5);
	CF.version_len = 5;
	ask(q, qlen, &cl, &r);
	CHECK(r.rcode == DNS_R_NOERROR && r.kind == FB_K_CHAOS);
	CF.version_len = 0;
	qlen = mkq(q, "authors.bind", DNS_T_TXT, DNS_C_CH, &NOEDNS);
	ask(q, qlen, &cl, &r);
	CHECK(r.rcode == DNS_R_REFUSED);
	qlen = mkq(q, "id.server", DNS_T_A, DNS_C_CH, &NOEDNS);
	ask(q, qlen, &cl, &r);
	CHECK(r.rcode == DNS_R_REFUSED);

	/* NSID */
	{
		static const uint8_t nsid[] = { 0, 3, 0, 0 };

		o.opts = nsid;
		o.optlen = sizeof(nsid);
		qlen = mkq(q, "com", DNS_T_A, DNS_C_IN, &o);
		len = ask(q, qlen, &cl, &r);
		v = resp_opt(len, 3, &olen);
		CHECK(v && olen == CF.ident_len && !memcmp(v, CF.ident, olen));
		CF.nsid = false;
		len = ask(q, qlen, &cl, &r);
		CHECK(!resp_opt(len, 3, &olen));
		CF.nsid = true;
	}
	/* cookies: a client cookie gets a valid RFC 9018 server cookie */
	{
		static const uint8_t c8[] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
		uint8_t c24[4 + 24] = { 0, 10, 0, 24, 1, 2, 3, 4, 5, 6, 7, 8 };

		o.opts = c8;
		o.optlen = sizeof(c8);
		qlen = mkq(q, "com", DNS_T_A, DNS_C_IN, &o);
		len = ask(q, qlen, &cl, &r);
		v = resp_opt(len, 10, &olen);
		CHECK(v && olen == 24 && !memcmp(v, c8 + 4, 8));
		CHECK(v && cookie_valid(&CK, c8 + 4, v + 8, 16, &cl.addr, cl.now));
		CHECK(r.kind == FB_K_REFERRAL && r.cookie);
		/* the cookie is bound to the address */
		if (v) {
			memcpy(sc, v + 8, 16);
			CHECK(!cookie_valid(&CK, c8 + 4, sc, 16, &t.addr, cl.now));
			/* send it back: answered, and echoed as it is (it is
			 * good and younger than half an hour, RFC 9018 4.3) */
			memcpy(c24 + 12, sc, 16);
		}
		o.opts = c24;
		o.optlen = sizeof(c24);
		qlen = mkq(q, "com", DNS_T_A, DNS_C_IN, &o);
		len = ask(q, qlen, &cl, &r);
		v = resp_opt(len, 10, &olen);
		CHECK(v && olen == 24 && r.kind == FB_K_REFERRAL);
		CHECK(v && !memcmp(v + 8, sc, 16) && r.cookie_verdict == RX_CK_GOOD &&
		      !r.cookie_minted);
		/* a bad server cookie: still answered (RFC 7873 5.2.3 option 3),
		 * with a fresh cookie */
		c24[20] ^= 0xff;
		qlen = mkq(q, "com", DNS_T_A, DNS_C_IN, &o);
		len = ask(q, qlen, &cl, &r);
		v = resp_opt(len, 10, &olen);
		CHECK(v && r.rcode == DNS_R_NOERROR && r.cookie_verdict == RX_CK_BAD &&
		      r.cookie_minted);
		CHECK(v && cookie_valid(&CK, c8 + 4, v + 8, 16, &cl.addr, cl.now));
	}
	/* keepalive: in TCP responses when asked, never over UDP */
	{
		static const uint8_t ka[] = { 0, 11, 0, 0 };
		static const uint8_t ka2[] = { 0, 11, 0, 2, 0, 10 };

		o.opts = ka;
		o.optlen = sizeof(ka);
		qlen = mkq(q, ".", DNS_T_SOA, DNS_C_IN, &o);
		len = ask(q, qlen, &t, &r);
		v = resp_opt(len, 11, &olen);
		CHECK(v && olen == 2 && (unsigned)(v[0] << 8 | v[1]) == CF.tcp_idle_timeout_ms / 100);
		len = ask(q, qlen, &cl, &r);
		CHECK(len > 12 && !resp_opt(len, 11, &olen));
		o.opts = ka2;
		o.optlen = sizeof(ka2);
		qlen = mkq(q, ".", DNS_T_SOA, DNS_C_IN, &o);
		len = ask(q, qlen, &t, &r);
		CHECK(r.rcode == DNS_R_FORMERR);
	}
}

static void test_xfr(void)
{
	uint8_t q[512];
	struct fb_result r;
	struct fb_client cl = udp4(), ok = tcp6("2001:db8:1::5"), no = tcp6("2001:db8:2::5");
	struct qopt o = { .edns = -1, .id = 77 };
	size_t qlen, len, total_rr = 0, msgs = 0;
	ldns_pkt *p;

	qlen = mkq(q, ".", DNS_T_AXFR, DNS_C_IN, &o);
	ask(q, qlen, &cl, &r);
	CHECK(r.rcode == DNS_R_NOTIMP);		/* AXFR over UDP, as Knot DNS */
	ask(q, qlen, &no, &r);
	CHECK(r.rcode == DNS_R_REFUSED && r.kind == FB_K_XFR_REFUSED);
	len = ask(q, qlen, &ok, &r);
	CHECK(r.kind == FB_K_AXFR && r.xfr);
	{
		/* collect the whole stream and compare with the zone */
		ldns_rr_list *got = ldns_rr_list_new();
		bool first = true;

		while (len) {
			p = decode(len);
			CHECK(p != NULL);
			if (!p)
				break;
			msgs++;
			CHECK(ldns_pkt_id(p) == 77 && ldns_pkt_aa(p) && len <= DNS_MSG_MAX);
			CHECK(ldns_pkt_qdcount(p) == (first ? 1 : 0));
			first = false;
			for (size_t i = 0; i < ldns_rr_list_rr_count(ldns_pkt_answer(p)); i++)
				ldns_rr_list_push_rr(got,
					ldns_rr_clone(ldns_rr_list_rr(ldns_pkt_answer(p), i)));
			ldns_pkt_free(p);
			len = r.xfr ? fb_xfr_next(Z, &r, out, sizeof(out)) : 0;
		}
		total_rr = ldns_rr_list_rr_count(got);
		CHECK(total_rr >= 2 &&
		      ldns_rr_get_type(ldns_rr_list_rr(got, 0)) == LDNS_RR_TYPE_SOA &&
		      ldns_rr_get_type(ldns_rr_list_rr(got, total_rr - 1)) == LDNS_RR_TYPE_SOA);
		/* every zone RR transferred, nothing else (the SOA twice) */
		ldns_rr_list_sort(got);
		bool all = true;

		for (size_t i = 0; i < ldns_rr_list_rr_count(ZRR); i++)
			if (!ldns_rr_list_contains_rr(got, ldns_rr_list_rr(ZRR, i)))
				all = false;
		CHECK(all);
		CHECK(total_rr == Z->nrrs + 1);
		CHECK_MSG(msgs > 1, "AXFR in %zu messages", msgs);
		ldns_rr_list_deep_free(got);
	}
	/* IXFR: the client's serial current -> our SOA only; older -> AXFR-style */
	{
		uint8_t t[512];
		size_t n = mkq(t, ".", DNS_T_IXFR, DNS_C_IN, &o);
		static const uint8_t soa[] = { 0, 0, 6, 0, 1, 0, 0, 0, 0, 0, 22,
					       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
		uint32_t s = Z->serial;

		memcpy(t + n, soa, sizeof(soa));
		t[n + 13] = s >> 24;
		t[n + 14] = s >> 16;
		t[n + 15] = s >> 8;
		t[n + 16] = s;
		t[9] = 1;
		n += sizeof(soa);
		len = ask(t, n, &ok, &r);
		p = decode(len);
		CHECK(p && r.kind == FB_K_IXFR && !r.xfr && ldns_pkt_ancount(p) == 1);
		if (p)
			ldns_pkt_free(p);
		s--;
		t[n - sizeof(soa) + 13] = s >> 24;
		t[n - sizeof(soa) + 14] = s >> 16;
		t[n - sizeof(soa) + 15] = s >> 8;
		t[n - sizeof(soa) + 16] = s;
		len = ask(t, n, &ok, &r);
		CHECK(r.kind == FB_K_IXFR && r.xfr);
		ask(t, n, &no, &r);
		CHECK(r.rcode == DNS_R_REFUSED);
		ask(t, n, &cl, &r);
		CHECK(r.rcode == DNS_R_REFUSED);	/* UDP, not in the ACL */
		{
			/* UDP from the ACL, client older: RFC 1995 2, our SOA only */
			struct fb_client u = ok;

			u.transport = FB_UDP;
			len = ask(t, n, &u, &r);
			p = decode(len);
			CHECK(p && r.kind == FB_K_IXFR && !r.xfr && ldns_pkt_ancount(p) == 1 &&
			      ldns_pkt_get_rcode(p) == LDNS_RCODE_NOERROR);
			ldns_pkt_free(p);
		}
	}
}

/* The same question under every transport gives a response that decodes
 * and respects the size limit; random corruptions never crash. */
static void test_fuzz_invariants(void)
{
	uint8_t q[600], m[600];
	struct fb_result r;
	struct fb_client cl = udp4();
	struct qopt o = { .edns = 0, .payload = 512, .do_bit = true, .id = 5 };
	const char *names[] = { "com", ".", "net", "no-such", "a.b.manyinzonens", "unsignedtld" };
	unsigned seed = 12345, bad = 0, over = 0;

	for (int i = 0; i < 20000; i++) {
		size_t qlen, len;

		o.payload = 400 + (i % 7) * 300;
		o.do_bit = i & 1;
		qlen = mkq(q, names[i % 6], (i % 3) ? DNS_T_A : DNS_T_ANY, DNS_C_IN, &o);
		memcpy(m, q, qlen);
		for (int k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245 + 12345;
			m[(seed >> 8) % qlen] ^= 1 << ((seed >> 4) & 7);
		}
		m[2] &= 0x7f;	/* keep it a query */
		len = ask(m, qlen - (i % 5 == 0 ? (seed >> 3) % qlen : 0), &cl, &r);
		if (len) {
			ldns_pkt *p = decode(len);
			size_t lim = 512;

			if (len > 12 && out[11] && (out[3] & 0x0f) != DNS_R_FORMERR)
				lim = 1232;
			if (!p && len != 12)
				bad++;
			if (len > lim)
				over++;
			if (p)
				ldns_pkt_free(p);
		}
	}
	CHECK_MSG(bad == 0, "%u responses did not decode", bad);
	CHECK_MSG(over == 0, "%u responses over the size limit", over);
}

static void test_no_zone(void)
{
	uint8_t q[512];
	struct fb_result r;
	struct fb_client cl = udp4();
	size_t qlen = mkq(q, "com", DNS_T_A, DNS_C_IN, &NOEDNS), len;

	len = fb_answer(&CF, NULL, q, qlen, &cl, out, sizeof(out), &r);
	CHECK(len > 12 && r.rcode == DNS_R_SERVFAIL);
}

static void test_acl(void)
{
	struct fb_acl a[2];
	struct fb_client c = udp4();

	CHECK(fb_acl_parse("198.51.100.0/25", &a[0]) == 0);
	CHECK(fb_acl_parse("2001:db8::/33", &a[1]) == 0);
	CHECK(fb_acl_parse("198.51.100.0/33", &a[0]) != 0);
	CHECK(fb_acl_parse("nonsense", &a[0]) != 0);
	fb_acl_parse("198.51.100.0/25", &a[0]);
	CHECK(fb_acl_match(a, 2, &c.addr));	/* .7 */
	((struct sockaddr_in *)&c.addr)->sin_addr.s_addr = inet_addr("198.51.100.200");
	CHECK(!fb_acl_match(a, 2, &c.addr));
	c = tcp6("2001:db8:7fff::1");
	CHECK(fb_acl_match(a, 2, &c.addr));
	c = tcp6("2001:db8:8000::1");
	CHECK(!fb_acl_match(a, 2, &c.addr));
	CHECK(rx_serial_newer(2, 1) && !rx_serial_newer(1, 2) && rx_serial_newer(1, 0xffffffff) &&
	      !rx_serial_newer(5, 5));
}

static void test_siphash(void)
{
	/* SipHash-2-4 paper, appendix A: key 00..0f, input 00..0e gives
	 * 0xa129ca6149be45e5, output little-endian */
	uint8_t k[16], in[15], h[8];
	static const uint8_t want[8] = { 0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca, 0x29, 0xa1 };

	for (int i = 0; i < 16; i++)
		k[i] = i;
	for (int i = 0; i < 15; i++)
		in[i] = i;
	siphash24_bytes(k, in, 15, h);
	CHECK(!memcmp(h, want, 8));

	/* RFC 9018 Appendix A.1 and A.3 (public test vectors) */
	static const struct {
		const char *ip;
		uint8_t client[8];
		uint32_t ts;
		uint8_t want[16];
	} v[] = {
		{ "198.51.100.100", { 0x24, 0x64, 0xc4, 0xab, 0xcf, 0x10, 0xc9, 0x57 }, 1559731985,
		  { 0x01, 0, 0, 0, 0x5c, 0xf7, 0x9f, 0x11,
		    0x1f, 0x81, 0x30, 0xc3, 0xee, 0xe2, 0x94, 0x80 } },
		{ "203.0.113.203", { 0xfc, 0x93, 0xfc, 0x62, 0x80, 0x7d, 0xdb, 0x86 }, 1559734700,
		  { 0x01, 0, 0, 0, 0x5c, 0xf7, 0xa9, 0xac,
		    0xf7, 0x3a, 0x78, 0x10, 0xac, 0xa2, 0x38, 0x1e } },
	};
	static const uint8_t secret[16] = { 0xe5, 0xe9, 0x73, 0xe5, 0xa6, 0xb2, 0xa4, 0x3f,
					    0x48, 0xe7, 0xdc, 0x84, 0x9e, 0x37, 0xbf, 0xcf };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct sockaddr_storage ss = { 0 };
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		uint8_t sc[16];

		struct rx_secrets sec = { 0 };
		struct rx_cookie_keys k;

		memcpy(sec.cur, secret, 16);
		rx_secrets_keys(&sec, &k);
		s4->sin_family = AF_INET;
		inet_pton(AF_INET, v[i].ip, &s4->sin_addr);
		cookie_server(&k, v[i].client, &ss, v[i].ts, sc);
		CHECK_MSG(!memcmp(sc, v[i].want, 16), "RFC 9018 vector %zu", i);
		CHECK(cookie_valid(&k, v[i].client, sc, 16, &ss, v[i].ts + 60));
		CHECK(!cookie_valid(&k, v[i].client, sc, 16, &ss, v[i].ts + 7200));
	}
}

static int setup(char *err, size_t errlen)
{
	const char *zdir = getenv("RX_ZONE_DIR"), *o = getenv("O");
	static char tmp[] = "/tmp/rx-fbtest-XXXXXX";
	char cmd[4096], zone[1024], img[1100];
	FILE *fp;
	ldns_zone *lz;

	if (!mkdtemp(tmp))
		return snprintf(err, errlen, "mkdtemp failed"), -1;
	if (!zdir) {
		snprintf(cmd, sizeof(cmd), "tests/zones/mkzone.sh --out %s/zone >/dev/null", tmp);
		if (system(cmd))
			return snprintf(err, errlen, "%.400s failed (run from the top directory)", cmd), -1;
		snprintf(zone, sizeof(zone), "%s/zone/root.zone", tmp);
	} else {
		snprintf(zone, sizeof(zone), "%s/root.zone", zdir);
	}
	snprintf(img, sizeof(img), "%s/root.img", tmp);
	snprintf(cmd, sizeof(cmd), "%s/rootxdp-compile --allow-no-zonemd -o %s %s >/dev/null",
		 o ? o : "build", img, zone);
	if (system(cmd))
		return snprintf(err, errlen, "%.400s failed", cmd), -1;
	Z = fb_zone_load(img, err, errlen);
	if (!Z)
		return -1;
	fp = fopen(zone, "r");
	if (!fp || ldns_zone_new_frm_fp(&lz, fp, NULL, 0, LDNS_RR_CLASS_IN) != LDNS_STATUS_OK)
		return snprintf(err, errlen, "ldns cannot read %.400s", zone), -1;
	fclose(fp);
	ZRR = ldns_rr_list_clone(ldns_zone_rrs(lz));
	ldns_rr_list_push_rr(ZRR, ldns_rr_clone(ldns_zone_soa(lz)));
	ldns_zone_deep_free(lz);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd))
		return snprintf(err, errlen, "cannot remove %s", tmp), -1;

	CF.max_payload = 1232;
	CF.nsid = true;
	memcpy(CF.ident, "unit-test-1", 11);
	CF.ident_len = 11;
	CF.minimal_any = true;
	CF.tcp_idle_timeout_ms = 10000;
	fb_acl_parse("2001:db8:1::/48", &CF.axfr_allow[0]);
	CF.naxfr_allow = 1;
	{
		struct rx_secrets sec = { 0 };

		memcpy(sec.cur, "0123456789abcdef", 16);
		rx_secrets_keys(&sec, &CK);
		CF.cookie_keys = &CK;
	}
	return 0;
}

int main(void)
{
	char err[600];

	if (setup(err, sizeof(err))) {
		fprintf(stderr, "test_fb_answer: setup: %s\n", err);
		CHECK(!"setup");
		return check_done();
	}
	test_siphash();
	test_acl();
	test_referral();
	test_ds_nx_apex();
	test_any_rrsig();
	test_header_errors();
	test_chaos_nsid_cookie();
	test_xfr();
	test_no_zone();
	test_fuzz_invariants();
	fb_zone_unref(Z);
	ldns_rr_list_deep_free(ZRR);
	return check_done();
}
