// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * answer.c - the responder: query bytes + transport + client address ->
 * response bytes.  No I/O and no global state, so it can be unit-tested
 * and fuzzed.
 *
 * For every query the XDP/TC path answers, this follows the steps of
 * docs/design.md "Answering a query" over the same precomputed bodies, so
 * the bytes are the same.  What XDP passes up is answered here too: opcodes
 * other than QUERY, compressed qnames, more than one additional RR, EDNS
 * options with state (cookies, keepalive), trailing bytes, meta qtypes,
 * ANY and RRSIG at the apex, AXFR/IXFR; and over TCP the whole body.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "answer.h"

/* ---------------------------------------------------------------- parse */

/* Steps 4-7 of design.md; returns an rcode: 0 ok, DNS_R_FORMERR. */
static int parse_query(struct query *q, const struct fb_client *cl)
{
	const uint8_t *m = q->m;
	uint16_t qd = rd16(m + 4), an = rd16(m + 6), ns = rd16(m + 8), ar = rd16(m + 10);
	long pos;
	bool opt_seen = false;

	if (qd != 1 || an != 0)
		return DNS_R_FORMERR;
	pos = rx_dname_unpack(m, q->len, 12, q->qname, &q->qname_len);
	if (pos < 0 || (size_t)pos + 4 > q->len)
		return DNS_R_FORMERR;
	q->qtype = rd16(m + pos);
	q->qclass = rd16(m + pos + 2);
	pos += 4;
	/* design.md step 4: NSCOUNT != 0 is FORMERR, but for an IXFR, which
	 * carries the client's SOA there (RFC 1995 3), over UDP or TCP. */
	if (ns != 0 && !(q->qtype == DNS_T_IXFR && ns == 1))
		return DNS_R_FORMERR;
	for (unsigned i = 0; i < (unsigned)ns + ar; i++) {
		size_t start = pos;
		uint8_t owner[RX_NAME_MAX + 1];
		unsigned olen;
		uint16_t type, rclass, rdlen;
		uint32_t ttl;
		size_t rd;

		pos = rx_dname_unpack(m, q->len, pos, owner, &olen);
		if (pos < 0 || (size_t)pos + 10 > q->len)
			return DNS_R_FORMERR;
		type = rd16(m + pos);
		rclass = rd16(m + pos + 2);
		ttl = rd32(m + pos + 4);
		rdlen = rd16(m + pos + 8);
		rd = pos + 10;
		if (rd + rdlen > q->len)
			return DNS_R_FORMERR;
		pos = rd + rdlen;
		if (i < ns) {		/* the IXFR SOA */
			long a, b;

			if (type != DNS_T_SOA)
				return DNS_R_FORMERR;
			a = rx_dname_unpack(m, rd + rdlen, rd, NULL, NULL);
			b = a < 0 ? -1 : rx_dname_unpack(m, rd + rdlen, a, NULL, NULL);
			if (b < 0 || (size_t)b + 20 != rd + rdlen)
				return DNS_R_FORMERR;
			q->has_soa = true;
			q->soa_serial = rd32(m + b);
			continue;
		}
		if (type == DNS_T_OPT) {
			/* RFC 6891 6.1.1: one OPT, owner the root */
			if (opt_seen || olen != 1)
				return DNS_R_FORMERR;
			opt_seen = true;
			if (edns_parse(q, cl, rclass, ttl, m + rd, rdlen))
				return DNS_R_FORMERR;
		} else if (type == DNS_T_TSIG) {
			/* RFC 8945 5.1: TSIG is the last RR */
			if (i != (unsigned)ns + ar - 1)
				return DNS_R_FORMERR;
			q->tsig = true;
			q->tsig_name = start;
			q->tsig_rdata = rd;
			q->tsig_rdlen = rdlen;
		}
		/* any other additional RR is ignored */
	}
	if ((size_t)pos != q->len)	/* trailing bytes */
		return DNS_R_FORMERR;
	return 0;
}

/* ---------------------------------------------------------------- write */

/* FORMERR (design.md): ID, opcode and RD echoed, QR=1, rcode 1, no RRs;
 * never larger than the query.  NOTIMP for an opcode: ID, QR and the
 * opcode only. */
size_t ans_short_error(struct ctx *c, int rcode)
{
	const uint8_t *m = c->q->m;

	memset(c->out, 0, 12);
	c->out[0] = m[0];
	c->out[1] = m[1];
	c->out[2] = 0x80 | (m[2] & 0x78) | (rcode == DNS_R_FORMERR ? (m[2] & 0x01) : 0);
	c->out[3] = rcode;
	c->res->rcode = rcode;
	c->res->kind = FB_K_ERROR;
	return 12;
}

/* Size limit for a UDP response (design.md step 12). */
static size_t udp_limit(const struct ctx *c)
{
	size_t lim;

	if (c->cl->transport == FB_TCP)
		return c->cap;
	lim = dns_udp_limit(c->q->edns, c->q->payload, c->cf->max_payload);
	return lim < c->cap ? lim : c->cap;
}

/* Header and question; w->cap is left at the limit minus the OPT. */
void ans_begin(struct ctx *c, struct fb_wr *w, bool aa, int rcode)
{
	const struct query *q = c->q;

	fb_wr_init(w, c->out, c->cap);
	w->buf[0] = q->m[0];
	w->buf[1] = q->m[1];
	w->buf[2] = 0x80 | (aa ? 0x04 : 0) | (q->f1 & 0x01);
	w->buf[3] = (q->f2 & 0x10) | (rcode & 0x0f);
	put16(w->buf + 4, 1);
	put16(w->buf + 6, 0);
	put16(w->buf + 8, 0);
	put16(w->buf + 10, 0);
	w->len = 12;
	/* the question, as sent (0x20 case kept), decompressed */
	fb_wr_name(w, q->qname, true);
	fb_wr_u16(w, q->qtype);
	fb_wr_u16(w, q->qclass);
	w->cap = udp_limit(c) - edns_size(c) - tsig_room(c);
	c->res->rcode = rcode;
}

size_t ans_finish(struct ctx *c, struct fb_wr *w, uint8_t ext_rcode)
{
	edns_write(c, w, ext_rcode, OPT_ALL);
	c->res->tc = (w->buf[2] & 0x02) != 0;
	return w->len;
}

/* An empty answer with rcode (REFUSED, NOTIMP, SERVFAIL, NOTAUTH...). */
size_t ans_empty(struct ctx *c, int rcode, enum fb_kind kind)
{
	struct fb_wr w;

	ans_begin(c, &w, false, rcode);
	c->res->kind = kind;
	return ans_finish(c, &w, 0);
}

void ans_count(struct fb_wr *w, int section, int n)
{
	uint8_t *p = w->buf + 6 + 2 * section;

	put16(p, rd16(p) + n);
}

/* Write an RRset (rrs[i] and the RRs of its set) into section; with sigs,
 * its RRSIGs too.  All or nothing: returns 0, or -1 with nothing added. */
static int put_set(struct ctx *c, struct fb_wr *w, long i, int section, bool sigs)
{
	const struct fb_zone *z = c->z;
	size_t start = w->len;
	int n = 0;
	long j;

	for (j = i; j < (long)z->nrrs && fb_rr_same_set(&z->rrs[j], &z->rrs[i]); j++, n++)
		if (fb_wr_rr(w, &z->rrs[j]))
			goto full;
	if (sigs && z->rrs[i].type != DNS_T_RRSIG) {
		long s = fb_zone_find(z, z->rrs[i].owner, DNS_T_RRSIG, z->rrs[i].type);

		for (j = s; s >= 0 && j < (long)z->nrrs &&
			    fb_rr_same_set(&z->rrs[j], &z->rrs[s]); j++, n++)
			if (fb_wr_rr(w, &z->rrs[j]))
				goto full;
	}
	ans_count(w, section, n);
	return 0;
full:
	w->len = start;
	return -1;
}

/* ---------------------------------------------------------------- bodies */

/* Send precomputed body `ri` (design.md steps 12-14). */
static size_t send_body(struct ctx *c, uint32_t ri, enum fb_kind kind)
{
	const struct rx_image *img = &c->z->img;
	const struct rx_resp *r = &img->resp[ri];
	const uint8_t *body = img->chunk[r->chunk].b;
	struct fb_wr w;
	unsigned qsize = c->q->qname_len + 4, tld_off = 0, i, k;
	const struct rx_cut *cut;
	const uint8_t *n;
	size_t room;

	ans_begin(c, &w, r->flags & RX_RF_AA, r->rcode);
	room = w.cap - w.len;
	if (c->cl->transport == FB_TCP) {
		i = r->ncut - 1;
	} else {
		for (i = r->ncut - 1; i > 0 && r->cut[i].len > room; i--)
			;
	}
	cut = &r->cut[i];
	if (cut->len > room) {	/* TCP with a tiny cap: cannot happen */
		i = 0;
		cut = &r->cut[0];
	}
	if (i < r->req)
		w.buf[2] |= 0x02;	/* TC (RFC 9471, RFC 2181 9) */
	memcpy(w.buf + w.len, body, cut->len);
	/* Pointers (design.md "A response body"): plain ones move by the
	 * question's size, RX_FIX_QTLD ones point at QNAME's last label (the
	 * question was written whole at offset 12 by ans_begin()). */
	for (n = c->q->qname; *n; n += *n + 1)
		tld_off = n - c->q->qname;
	for (k = 0; k < r->nfix; k++) {
		unsigned off = r->fix[k] & ~RX_FIX_QTLD;
		uint8_t *p;
		unsigned v;

		if (off + 2 > cut->len)
			continue;
		p = w.buf + w.len + off;
		if (r->fix[k] & RX_FIX_QTLD)
			v = 12 + tld_off;
		else
			v = (((p[0] & 0x3f) << 8) | p[1]) + qsize;
		p[0] = 0xc0 | (v >> 8);
		p[1] = v & 0xff;
	}
	w.len += cut->len;
	put16(w.buf + 6, cut->ancount);
	put16(w.buf + 8, cut->nscount);
	put16(w.buf + 10, cut->arcount);
	c->res->kind = kind;
	return ans_finish(c, &w, 0);
}

static const struct rx_apex *apex_entry(const struct fb_zone *z, uint16_t qtype)
{
	const struct rx_meta *m = &z->img.hdr->meta;

	for (unsigned i = 0; i < m->napex; i++)
		if (m->apex[i].qtype == qtype)
			return &m->apex[i];
	return NULL;
}

static size_t apex_nodata(struct ctx *c)
{
	const struct rx_meta *m = &c->z->img.hdr->meta;

	c->res->rrl_name = c->q->qtype;
	return send_body(c, c->q->do_bit ? m->nodata_do : m->nodata, FB_K_NODATA);
}

/* ANY at the apex in full (TCP, or minimal-any = no): every RRset, with
 * RRSIGs when DO, in type order; the NS targets' addresses in ADDITIONAL
 * (optional: cut without TC). */
static size_t any_full(struct ctx *c)
{
	const struct fb_zone *z = c->z;
	struct fb_wr w;
	long i, ns = -1;

	ans_begin(&*c, &w, true, DNS_R_NOERROR);
	c->res->kind = FB_K_ANY;
	for (i = 0; i < (long)z->apex_end; i++) {
		if (i && fb_rr_same_set(&z->rrs[i], &z->rrs[i - 1]))
			continue;
		if (z->rrs[i].type == DNS_T_RRSIG)
			continue;	/* written after their set with DO */
		if (z->rrs[i].type == DNS_T_NS)
			ns = i;
		if (put_set(c, &w, i, 0, c->q->do_bit)) {
			w.buf[2] |= 0x02;
			return ans_finish(c, &w, 0);
		}
	}
	for (i = ns; ns >= 0 && i < (long)z->apex_end && z->rrs[i].type == DNS_T_NS; i++) {
		static const uint16_t t[2] = { DNS_T_A, DNS_T_AAAA };

		for (int k = 0; k < 2; k++) {
			long g = fb_zone_find(z, z->rrs[i].rdata, t[k], 0);

			if (g >= 0 && put_set(c, &w, g, 2, false))
				return ans_finish(c, &w, 0);
		}
	}
	return ans_finish(c, &w, 0);
}

/* qtype RRSIG at the apex: one RRSIG, as Knot DNS answers (the first in
 * canonical order, the one over NS). */
static size_t apex_rrsig(struct ctx *c)
{
	const struct fb_zone *z = c->z;
	struct fb_wr w;

	for (long i = 0; i < (long)z->apex_end; i++) {
		if (z->rrs[i].type != DNS_T_RRSIG)
			continue;
		ans_begin(c, &w, true, DNS_R_NOERROR);
		c->res->kind = FB_K_RRSIG;
		if (fb_wr_rr(&w, &z->rrs[i]))
			w.buf[2] |= 0x02;
		else
			ans_count(&w, 0, 1);
		return ans_finish(c, &w, 0);
	}
	return apex_nodata(c);
}

static size_t apex(struct ctx *c)
{
	const struct query *q = c->q;
	const struct rx_apex *a;
	long i;

	if (q->qtype == DNS_T_ANY) {
		if (c->cl->transport == FB_UDP && c->cf->minimal_any) {
			/* RFC 8482 4.1: one RRset.  Like Knot DNS, the first
			 * at the name: NS, the same body as ". NS". */
			a = apex_entry(c->z, DNS_T_NS);
			if (!a)
				a = apex_entry(c->z, DNS_T_SOA);
			if (a)
				return send_body(c, q->do_bit ? a->resp_do : a->resp, FB_K_ANY);
		}
		return any_full(c);
	}
	if (q->qtype == DNS_T_RRSIG)
		return apex_rrsig(c);
	a = apex_entry(c->z, q->qtype);
	if (a) {
		c->res->rrl_name = a->resp;
		return send_body(c, q->do_bit ? a->resp_do : a->resp, FB_K_APEX);
	}
	c->res->rrl_name = q->qtype;
	/* Not precomputed (more apex RRsets than RX_APEX_MAX): from the zone. */
	i = fb_zone_find(c->z, (const uint8_t *)"", q->qtype, 0);
	if (i >= 0 && q->qtype != DNS_T_RRSIG) {
		struct fb_wr w;

		ans_begin(c, &w, true, DNS_R_NOERROR);
		c->res->kind = FB_K_APEX;
		if (put_set(c, &w, i, 0, q->do_bit))
			w.buf[2] |= 0x02;
		return ans_finish(c, &w, 0);
	}
	return apex_nodata(c);
}

/* design.md step 11 */
static size_t lookup(struct ctx *c)
{
	const struct query *q = c->q;
	const struct rx_image *img = &c->z->img;
	const uint8_t *last = q->qname, *p;
	struct rx_label key;
	long lo, hi;

	if (q->qname_len == 1)
		return apex(c);
	for (p = q->qname; *p; p += *p + 1)
		last = p;
	rx_label_set(&key, last + 1, *last);
	lo = 0;
	hi = (long)img->hdr->ntld - 1;
	while (lo <= hi) {
		long mid = (lo + hi) / 2;
		int cmp = rx_label_cmp(&img->tld[mid].label, &key);

		if (cmp == 0) {
			const struct rx_tld *t = &img->tld[mid].v;

			if (last == q->qname && q->qtype == DNS_T_DS) {
				c->res->rrl_name = t->ds;
				return send_body(c, q->do_bit ? t->ds_do : t->ds, FB_K_DS);
			}
			c->res->rrl_name = t->ref;
			return send_body(c, q->do_bit ? t->ref_do : t->ref, FB_K_REFERRAL);
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	if (!q->do_bit)
		return send_body(c, img->hdr->meta.nx, FB_K_NXDOMAIN);
	/* the last NSEC owner <= the label; nsec[0] is the apex, <= all */
	lo = 0;
	hi = (long)img->hdr->nnsec - 1;
	while (lo < hi) {
		long mid = (lo + hi + 1) / 2;

		if (rx_label_cmp(&img->nsec[mid].owner, &key) <= 0)
			lo = mid;
		else
			hi = mid - 1;
	}
	return send_body(c, img->nsec[lo].nx_do, FB_K_NXDOMAIN);
}

/* ---------------------------------------------------------------- CHAOS */

static bool name_is(const uint8_t *n, const char *wire)
{
	return rx_dname_eq(n, (const uint8_t *)wire);
}

static size_t chaos(struct ctx *c)
{
	const struct query *q = c->q;
	const uint8_t *txt;
	unsigned len;
	struct fb_wr w;

	if (name_is(q->qname, "\2id\6server") || name_is(q->qname, "\10hostname\4bind")) {
		txt = c->cf->ident;
		len = c->cf->ident_len;
		c->res->rrl_name = 0x80000001;
	} else if (name_is(q->qname, "\7version\4bind") ||
		   name_is(q->qname, "\7version\6server")) {
		txt = c->cf->version;
		len = c->cf->version_len;
		c->res->rrl_name = 0x80000002;
	} else {
		return ans_empty(c, DNS_R_REFUSED, FB_K_ERROR);
	}
	if (q->qtype != DNS_T_TXT || len == 0)
		return ans_empty(c, DNS_R_REFUSED, FB_K_ERROR);
	ans_begin(c, &w, true, DNS_R_NOERROR);
	c->res->kind = FB_K_CHAOS;
	/* owner: a pointer to the question name */
	if (fb_wr_name(&w, q->qname, true) || fb_wr_u16(&w, DNS_T_TXT) ||
	    fb_wr_u16(&w, DNS_C_CH) || fb_wr_u32(&w, 0) || fb_wr_u16(&w, len + 1) ||
	    fb_wr_bytes(&w, (uint8_t[]){ len }, 1) || fb_wr_bytes(&w, txt, len))
		return ans_empty(c, DNS_R_SERVFAIL, FB_K_ERROR);
	ans_count(&w, 0, 1);
	return ans_finish(c, &w, 0);
}

/* ---------------------------------------------------------------- xfr */

static size_t xfr(struct ctx *c)
{
	const struct query *q = c->q;
	struct fb_result *res = c->res;
	bool axfr = q->qtype == DNS_T_AXFR;

	/* Knot DNS: AXFR over UDP is NOTIMP (RFC 5936 4.2: TCP only). */
	if (axfr && c->cl->transport == FB_UDP)
		return ans_empty(c, DNS_R_NOTIMP, FB_K_ERROR);
	if (!fb_acl_match(c->cf->axfr_allow, c->cf->naxfr_allow, &c->cl->addr)) {
		res->refused = "the address is not in axfr-allow";
		return ans_empty(c, DNS_R_REFUSED, FB_K_XFR_REFUSED);
	}
	if (c->cf->tsig && c->cf->tsig->axfr_need_key) {
		/* axfr-allow-key: a verified TSIG with one of those keys */
		const struct fb_tsig *t = c->cf->tsig;

		if (!q->tsig_ok || q->tsig_key < 0 || !t->axfr_key[q->tsig_key]) {
			res->refused = q->tsig_ok ? "the TSIG key is not in axfr-allow-key" :
				       "axfr-allow-key wants a TSIG key and the query has none";
			return ans_empty(c, DNS_R_REFUSED, FB_K_XFR_REFUSED);
		}
	}
	if (!axfr && !q->has_soa)	/* RFC 1995 3: IXFR carries an SOA */
		return ans_empty(c, DNS_R_FORMERR, FB_K_ERROR);
	if (!c->z)
		return ans_empty(c, DNS_R_SERVFAIL, FB_K_ERROR);
	if (q->qname_len != 1)
		return ans_empty(c, DNS_R_NOTAUTH, FB_K_XFR_REFUSED);
	if (!axfr && (c->cl->transport == FB_UDP ||
		      !rx_serial_newer(c->z->serial, q->soa_serial))) {
		/* RFC 1995 2: the client is up to date, or asked over UDP (a
		 * transfer does not fit: the SOA tells it to come over TCP):
		 * our SOA only */
		struct fb_wr w;

		ans_begin(c, &w, true, DNS_R_NOERROR);
		res->kind = FB_K_IXFR;
		if (put_set(c, &w, c->z->soa, 0, false) == 0)
			return ans_finish(c, &w, 0);
		return ans_empty(c, DNS_R_SERVFAIL, FB_K_ERROR);
	}
	/* AXFR, or IXFR answered AXFR-style (we keep no history) */
	res->kind = axfr ? FB_K_AXFR : FB_K_IXFR;
	res->xfr = true;
	res->xfr_pos = 0;
	res->xfr_id = rd16(q->m);
	res->xfr_f1 = q->f1;
	res->xfr_f2 = q->f2;
	memcpy(res->xfr_q, q->qname, q->qname_len);
	put16(res->xfr_q + q->qname_len, q->qtype);
	put16(res->xfr_q + q->qname_len + 2, q->qclass);
	res->xfr_qlen = q->qname_len + 4;
	return fb_xfr_next(c->z, res, c->out, c->cap);
}

/* ---------------------------------------------------------------- RRL */

/* An RRL slip (design.md 14a), the same bytes as the kernel's: header and
 * question, no records, OPT with only the COOKIE option; TC=1, or
 * BADCOOKIE with a fresh server cookie for a client that sent a cookie. */
static size_t slip(struct ctx *c)
{
	bool bad = c->q->cookie && c->q->cookie_keys;
	struct fb_wr w;

	ans_begin(c, &w, false, bad ? DNS_R_BADCOOKIE & 0x0f : 0);
	if (!bad)
		w.buf[2] |= 0x02;
	edns_write(c, &w, bad ? DNS_R_BADCOOKIE >> 4 : 0, OPT_COOKIE);
	c->res->rcode = bad ? DNS_R_BADCOOKIE : 0;
	c->res->tc = !bad;
	return w.len;
}

/* ---------------------------------------------------------------- main */

static size_t answer(struct ctx *c, const uint8_t *m, size_t len);

size_t fb_answer(const struct fb_conf *cf, const struct fb_zone *zone,
		 const uint8_t *m, size_t len, const struct fb_client *cl,
		 uint8_t *out, size_t cap, struct fb_result *res)
{
	const struct fb_conf *live = __atomic_load_n(&cf->live, __ATOMIC_ACQUIRE);
	struct query q;
	struct ctx c = { .cf = live ? live : cf, .z = zone, .cl = cl, .q = &q, .res = res,
			 .out = out, .cap = cap > DNS_MSG_MAX ? DNS_MSG_MAX : cap };
	size_t n;

	q.tsig_ok = false;
	n = answer(&c, m, len);

	/* A transfer signs its own messages (axfr.c). */
	if (n && q.tsig_ok && res->xfr_pos == 0)
		n = tsig_sign(&c, n);
	return n;
}

static size_t answer(struct ctx *c, const uint8_t *m, size_t len)
{
	struct query *q = c->q;
	struct fb_result *res = c->res;
	const struct fb_conf *cf = c->cf;
	const struct fb_client *cl = c->cl;
	const struct fb_zone *zone = c->z;
	int rc;

	memset(res, 0, sizeof(*res));
	res->kind = FB_K_DROP;
	/* step 2: unreadable header or a response: drop */
	if (len < 12 || (m[2] & 0x80) || c->cap < 512)
		return 0;
	memset(q, 0, sizeof(*q));
	q->tsig_key = -1;
	q->m = m;
	q->len = len;
	q->f1 = m[2];
	q->f2 = m[3];
	/* step 3 */
	if ((m[2] >> 3) & 0x0f)
		return ans_short_error(c, DNS_R_NOTIMP);
	/* steps 4-7 */
	rc = parse_query(q, cl);
	res->qtype = q->qtype;
	res->edns = q->edns;
	res->do_bit = q->do_bit;
	res->cookie = q->cookie;
	res->cookie_formerr = q->cookie_formerr;
	if (rc)
		return ans_short_error(c, rc);
	if (q->cookie) {
		const struct rx_cookie_keys *k = __atomic_load_n(&cf->cookie_keys, __ATOMIC_ACQUIRE);
		bool minted = false;

		/* Without secrets (a caller that set none) no COOKIE goes out:
		 * a server that does not do cookies, as RFC 7873 5.2.1 allows. */
		if (k) {
			res->cookie_verdict = fb_cookie_answer(k, q->ccookie, q->scookie,
							       q->scookie_len, &cl->addr, cl->now,
							       q->sc_out, &minted);
			res->cookie_minted = minted;
			q->cookie_keys = true;
		}
	}
	if (cl->slip)
		return slip(c);
	if (q->edns && q->version > 0) {
		/* RFC 6891 6.1.3: BADVERS, the OPT alone says so (with
		 * NSID when asked, as the XDP path builds it) */
		struct fb_wr w;

		ans_begin(c, &w, false, 0);
		res->kind = FB_K_ERROR;
		edns_write(c, &w, 1, OPT_ALL);
		res->rcode = DNS_R_BADVERS;
		return w.len;
	}
	if (q->tsig) {
		size_t n = tsig_check(c);

		if (n)
			return n;
	}
	/* step 8 */
	if (q->qclass == DNS_C_CH)
		return chaos(c);
	if (q->qclass != DNS_C_IN)
		return ans_empty(c, DNS_R_REFUSED, FB_K_ERROR);
	/* step 9 */
	if (q->qtype == 0)	/* reserved: NOTIMP, as Knot DNS */
		return ans_empty(c, DNS_R_NOTIMP, FB_K_ERROR);
	if (q->qtype == DNS_T_AXFR || q->qtype == DNS_T_IXFR)
		return xfr(c);
	/* step 10 */
	if (!zone)
		return ans_empty(c, DNS_R_SERVFAIL, FB_K_ERROR);
	return lookup(c);
}
