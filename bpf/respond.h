/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * respond.h - the response builder shared by the XDP and TC programs
 * (design.md steps 8-15): pick the answer, assemble header + question +
 * body cut + OPT in scratch->out, rewrite L2-L4 in scratch->frame and sum
 * the checksums.  The entry programs only move bytes in and out.
 */
#ifndef RX_RESPOND_H
#define RX_RESPOND_H

#include "rootxdp.h"
#include "scratch.h"
#include "parse.h"
#include "dns.h"
#include "stats.h"

/* Where the body of the response comes from. */
#define BODY_NONE	0	/* REFUSED, BADVERS: question (+ OPT) only */
#define BODY_ZONE	1	/* a precomputed rx_resp */
#define BODY_TXT	2	/* CHAOS TXT from rx_cfg */

#define TXT_IDENT	1
#define TXT_VERSION	2

#define OPT_LEN		11	/* root owner, type, class, ttl, rdlen */
#define NSID_HDR	4

struct rx_pick {
	__u32 resp;		/* rx_resp index (BODY_ZONE) */
	__u32 slot;		/* live slot, read once (BODY_ZONE) */
	__u32 kind;		/* RX_ST_K_* */
	__u32 rc_stat;		/* RX_ST_RC_* */
	__u8  body;
	__u8  rcode;		/* header rcode (low 4 bits) */
	__u8  ercode;		/* OPT extended rcode (upper 8 bits) */
	__u8  aa;
	__u8  txt;
};

/* The finished response, for the entry program and the counters. */
struct rx_out {
	__u32 frame_len;	/* frame as received */
	__u32 new_len;		/* frame as sent */
	__u32 hdr_len;		/* eth..udp */
	__u32 resp_len;		/* DNS payload */
	__u32 l4off;
	__u32 sum_pseudo;	/* UDP pseudo header, unfolded */
	__u32 sum_data;		/* UDP header (check 0) + payload, unfolded */
	__u32 kind;
	__u32 rc_stat;
	__u32 qt_stat;
	__u8  rcode;		/* header rcode sent */
	__u8  tc;
	__u8  glue_cut;
};

/* ---- name helpers ---- */

/* lname (lowercased wire form) equals the constant wire name n? */
static __always_inline int lname_is(const struct rx_scratch *s,
				    const struct rx_query *q,
				    const char *n, __u32 nlen)
{
	__u32 i;

	if (q->name_len != nlen)
		return 0;
#pragma unroll
	for (i = 0; i < nlen; i++)
		if (s->lname[i] != (__u8)n[i])
			return 0;
	return 1;
}

#define LNAME_IS(s, q, lit) lname_is(s, q, lit, sizeof(lit))

/* Bytes [0, len) of the 8-byte word w of a label, little-endian load. */
static __always_inline __u64 keep_mask(__u32 len, __u32 w)
{
	__u32 k;

	if (len <= 8 * w)
		return 0;
	k = len - 8 * w;
	if (k >= 8)
		return ~0ULL;
	return (1ULL << (k * 8)) - 1;
}

/*
 * scratch->key = the last label of QNAME, lowercased, zero padded, len in
 * the last byte (struct rx_label).  Eight word copies from lname (which has
 * 64 bytes of slack past the longest name) and masks: no byte loop.
 */
static __always_inline void key_build(struct rx_scratch *s, const struct rx_query *q)
{
	__u32 off = q->tld_off & 0xff, len = q->tld_len & 0x3f, w;
	const __u8 *src = s->lname + off + 1;
	__u64 *dst = (__u64 *)&s->key;

#pragma unroll
	for (w = 0; w < 8; w++)
		dst[w] = *(const __u64 *)(src + 8 * w) & keep_mask(len, w);
	s->key.len = len;
}

/* RFC 4034 6.1 order of two rx_labels: compare as 8 big-endian words. */
static __always_inline int label_cmp(const struct rx_label *a, const struct rx_label *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;
	__u32 w;

#pragma unroll
	for (w = 0; w < 8; w++) {
		__u64 u = __builtin_bswap64(x[w]), v = __builtin_bswap64(y[w]);

		if (u != v)
			return u < v ? -1 : 1;
	}
	return 0;
}

/* ---- bpf_loop callbacks: verified once, whatever the count ---- */

/* NXDOMAIN with DO: last NSEC owner <= key.  Invariant: owner[lo] <= key
 * (lo starts at the apex, which sorts first), owner[hi] > key or hi = n. */
struct nsec_ctx {
	const struct rx_label *key;
	__u32 slot;
	__u32 lo, hi;
	__u32 err;
};

static int nsec_step(__u32 i, void *data)
{
	struct nsec_ctx *c = data;
	const struct rx_nsec *e;
	__u32 slot = c->slot, mid;
	void *inner;

	if (c->lo + 1 >= c->hi)
		return 1;
	mid = c->lo + (c->hi - c->lo) / 2;
	inner = bpf_map_lookup_elem(&rx_nsec, &slot);
	if (!inner) {
		c->err = 1;
		return 1;
	}
	e = bpf_map_lookup_elem(inner, &mid);
	if (!e) {
		c->err = 1;
		return 1;
	}
	if (label_cmp(&e->owner, c->key) <= 0)
		c->lo = mid;
	else
		c->hi = mid;
	return 0;
}

struct apex_ctx {
	const struct rx_meta *meta;
	__u32 qtype;
	__u32 dobit;
	__u32 resp;
	__u32 found;
};

static int apex_step(__u32 i, void *data)
{
	struct apex_ctx *c = data;
	const struct rx_apex *a;

	if (i >= c->meta->napex || i >= RX_APEX_MAX)
		return 1;
	a = &c->meta->apex[i & (RX_APEX_MAX - 1)];
	if (a->qtype != c->qtype)
		return 0;
	c->resp = c->dobit ? a->resp_do : a->resp;
	c->found = 1;
	return 1;
}

/* Largest cut that fits the room (cuts ascend, cut[0] is empty). */
struct cut_ctx {
	const struct rx_resp *r;
	__u32 room;
	__u32 best;
};

static int cut_step(__u32 i, void *data)
{
	struct cut_ctx *c = data;

	if (i >= c->r->ncut || i >= RX_CUT_MAX)
		return 1;
	if (c->r->cut[i & (RX_CUT_MAX - 1)].len > c->room)
		return 1;
	c->best = i;
	return 0;
}

/* Copy body chunk i (256 bytes, as eight-byte words) to out[base + 256 i]. */
struct chunk_ctx {
	struct rx_scratch *s;
	__u32 slot;
	__u32 chunk;
	__u32 base;
	__u32 err;
};

#define RX_CHUNKS_MAX	(RX_BODY_MAX / RX_CHUNK)
#define RX_BASE_MAX	(12 + RX_NAME_MAX + 4)	/* header + question */

static int chunk_step(__u32 i, void *data)
{
	struct chunk_ctx *c = data;
	__u32 slot = c->slot, idx = c->chunk + i, off = c->base, j;
	const struct rx_chunk *ch;
	void *inner;
	__u64 *d;

	inner = bpf_map_lookup_elem(&rx_blob, &slot);
	if (!inner)
		goto err;
	ch = bpf_map_lookup_elem(inner, &idx);
	if (!ch || off > RX_BASE_MAX || i >= RX_CHUNKS_MAX)
		goto err;
	off += (i & (RX_CHUNKS_MAX - 1)) * RX_CHUNK;
	d = (__u64 *)(c->s->out + off);
#pragma unroll
	for (j = 0; j < RX_CHUNK / 8; j++)
		d[j] = ((const __u64 *)ch->b)[j];
	return 0;
err:
	c->err = 1;
	return 1;
}

/* Relocate compression pointer i (design.md "A response body"): a plain
 * one by the question's size; an RX_FIX_QTLD one to QNAME's last label. */
struct fix_ctx {
	struct rx_scratch *s;
	const struct rx_resp *r;
	__u32 base;
	__u32 qsz;
	__u32 tld_ptr;		/* 0xC000 | (12 + q->tld_off) */
	__u32 cutlen;
};

static int fix_step(__u32 i, void *data)
{
	struct fix_ctx *c = data;
	__u32 f = c->r->fix[i & (RX_FIX_MAX - 1)], at = f & ~RX_FIX_QTLD, off;
	__u8 *p;

	if (at + 2 > c->cutlen)		/* in the part cut away */
		return 0;
	off = c->base;
	if (off > RX_BASE_MAX)
		return 1;
	p = c->s->out + off + (at & (RX_BODY_MAX - 1));
	if (f & RX_FIX_QTLD)
		wr16(p, c->tld_ptr);
	else
		wr16(p, rd16(p) + c->qsz);
	return 0;
}

/* ---- step 8-11: which answer ---- */

/* Design step 9: qtypes the maps never answer. */
static __always_inline int qtype_passed(__u16 qtype, int apex)
{
	if (qtype == 0 || qtype == DNS_T_OPT || (qtype >= 249 && qtype <= 254))
		return 1;
	return apex && (qtype == DNS_T_ANY || qtype == DNS_T_RRSIG);
}

/* Returns 0 with *a filled, or the RX_PASS_* reason. */
__noinline int pick_answer(struct rx_scratch *s, const struct rx_query *q,
			   const struct rx_cfg *cfg, struct rx_pick *a)
{
	const struct rx_meta *meta;
	const struct rx_ctl *ctl;
	const struct rx_nsec *e;
	const struct rx_tld *t;
	struct rx_label key;
	__u32 zero = 0, slot;
	void *inner;

	if (!s || !q || !cfg || !a)
		return RX_PASS_ERROR;

	a->body = BODY_NONE;
	a->rcode = 0;
	a->ercode = 0;
	a->aa = 0;
	a->txt = 0;
	a->resp = 0;

	/* Step 6: BADVERS (RFC 6891 6.1.3), rcode 16 = OPT 1, header 0. */
	if (q->badvers) {
		a->ercode = 1;
		a->kind = RX_ST_K_ERROR;
		a->rc_stat = RX_ST_RC_BADVERS;
		return 0;
	}
	/* Step 8: CHAOS and other classes. */
	if (q->qclass != DNS_C_IN) {
		a->kind = RX_ST_K_ERROR;
		a->rc_stat = RX_ST_RC_REFUSED;
		a->rcode = DNS_R_REFUSED;
		if (q->qclass != DNS_C_CH || q->qtype != DNS_T_TXT)
			return 0;
		if ((LNAME_IS(s, q, "\2id\6server") ||
		     LNAME_IS(s, q, "\10hostname\4bind")) && cfg->ident_len)
			a->txt = TXT_IDENT;
		else if ((LNAME_IS(s, q, "\7version\4bind") ||
			  LNAME_IS(s, q, "\7version\6server")) &&
			 (cfg->flags & RX_CFG_VERSION) && cfg->version_len)
			a->txt = TXT_VERSION;
		else
			return 0;
		a->body = BODY_TXT;
		a->aa = 1;
		a->rcode = 0;
		a->kind = RX_ST_K_CHAOS;
		a->rc_stat = RX_ST_RC_NOERROR;
		return 0;
	}
	/* Step 9. */
	if (qtype_passed(q->qtype, q->tld_len == 0))
		return RX_PASS_QTYPE;
	/* Step 10: the live slot, read once for every lookup below. */
	ctl = bpf_map_lookup_elem(&rx_ctl, &zero);
	if (!ctl)
		goto no_zone;
	slot = ctl->slot & (RX_SLOTS - 1);
	a->slot = slot;
	meta = bpf_map_lookup_elem(&rx_meta, &slot);
	if (!meta || !meta->nresp)
		goto no_zone;
	a->body = BODY_ZONE;

	/* Step 11. */
	if (q->tld_len == 0) {
		struct apex_ctx ac = { .meta = meta, .qtype = q->qtype,
				       .dobit = q->dobit };

		bpf_loop(RX_APEX_MAX, apex_step, &ac, 0);
		if (ac.found) {
			a->resp = ac.resp;
			a->kind = RX_ST_K_APEX;
		} else {
			a->resp = q->dobit ? meta->nodata_do : meta->nodata;
			a->kind = RX_ST_K_NODATA;
		}
		return 0;
	}
	key_build(s, q);
	/* The key goes on the stack: s is a global function's argument
	 * (PTR_TO_MEM to the verifier), which Debian 12's 6.1 refuses as a
	 * map key: "R2 type=mem expected=fp, pkt, pkt_meta, map_key,
	 * map_value" (newer kernels accept it). */
	__builtin_memcpy(&key, &s->key, sizeof(key));
	inner = bpf_map_lookup_elem(&rx_tld, &slot);
	if (!inner)
		goto no_zone;
	t = bpf_map_lookup_elem(inner, &key);
	if (t) {
		/* QNAME is the TLD itself: 1 length byte + label + root. */
		if (q->qtype == DNS_T_DS && q->name_len == q->tld_len + 2) {
			a->resp = q->dobit ? t->ds_do : t->ds;
			a->kind = RX_ST_K_DS;
		} else {
			a->resp = q->dobit ? t->ref_do : t->ref;
			a->kind = RX_ST_K_REFERRAL;
		}
		return 0;
	}
	a->kind = RX_ST_K_NXDOMAIN;
	if (!q->dobit) {
		a->resp = meta->nx;
		return 0;
	} else {
		struct nsec_ctx nc = { .key = &s->key, .slot = slot,
				       .lo = 0, .hi = meta->nnsec };

		/* 32 halvings cover any __u32 count; ~11 for the root. */
		bpf_loop(32, nsec_step, &nc, 0);
		inner = bpf_map_lookup_elem(&rx_nsec, &slot);
		if (nc.err || !nc.hi || !inner)
			goto error;
		e = bpf_map_lookup_elem(inner, &nc.lo);
		if (!e)
			goto error;
		a->resp = e->nx_do;
	}
	return 0;
no_zone:
	return RX_PASS_NO_ZONE;
error:
	return RX_PASS_ERROR;
}

/* ---- step 12-14: assemble the DNS response in scratch->out ---- */

static __always_inline void copy_words(__u8 *dst, const __u8 *src, __u32 nwords)
{
	__u32 i;

#pragma unroll
	for (i = 0; i < nwords; i++)
		((__u64 *)dst)[i] = ((const __u64 *)src)[i];
}

/*
 * Returns 0 with o->resp_len set, or the RX_PASS_* reason.
 * out layout: header | question (as received) | body cut | OPT.
 */
__noinline int build_response(struct rx_scratch *s, const struct rx_query *q,
			      const struct rx_cfg *cfg, const struct rx_pick *a,
			      struct rx_out *o)
{
	__u32 limit, maxp, optlen = 0, nsid = 0, room, base, cutlen = 0;
	__u32 an = 0, ns = 0, ar = 0, len, tc = 0, off, slot;
	__u8 rcode, aa, *out;

	if (!s || !q || !cfg || !a || !o)
		return RX_PASS_ERROR;
	rcode = a->rcode;
	aa = a->aa;
	slot = a->slot;
	out = s->out;

	/* Server payload: config, 512..RX_BODY_MAX, default 1232. */
	maxp = cfg->max_payload ? cfg->max_payload : RX_PAYLOAD_DEFAULT;
	if (maxp < 512)
		maxp = 512;
	if (maxp > RX_BODY_MAX)
		maxp = RX_BODY_MAX;
	/* Step 12: the size limit. */
	limit = 512;
	if (q->edns) {
		limit = q->payload < maxp ? q->payload : maxp;
		if (limit < 512)
			limit = 512;
		optlen = OPT_LEN;
		if (q->nsid && (cfg->flags & RX_CFG_NSID) && cfg->ident_len) {
			nsid = cfg->ident_len > RX_IDENT_MAX ? RX_IDENT_MAX :
							       cfg->ident_len;
			optlen += NSID_HDR + nsid;
		}
	}
	base = DNS_HLEN + (q->qsz & 0x1ff);
	if (base > RX_BASE_MAX)
		goto error;
	/* Question as received, byte for byte (0x20): a constant-size copy,
	 * the body overwrites whatever lands past the question. */
	copy_words(out + DNS_HLEN, s->q + DNS_HLEN, (RX_NAME_MAX + 4 + 7) / 8 + 1);
	room = limit - base - optlen;	/* >= 512 - 271 - 79 > 0 */

	if (a->body == BODY_ZONE) {
		struct cut_ctx cc = { .room = room };
		struct chunk_ctx kc = { .s = s, .slot = slot, .base = base };
		struct fix_ctx fc = { .s = s, .base = base, .qsz = q->qsz,
				      .tld_ptr = 0xc000 | (DNS_HLEN + (q->tld_off & 0xff)) };
		const struct rx_cut *cut;
		const struct rx_resp *r;
		__u32 idx = a->resp, nch, nfix;
		void *inner;

		inner = bpf_map_lookup_elem(&rx_resp, &slot);
		if (!inner)
			goto error;
		r = bpf_map_lookup_elem(inner, &idx);
		if (!r)
			goto error;
		cc.r = r;
		bpf_loop(RX_CUT_MAX, cut_step, &cc, 0);
		cut = &r->cut[cc.best & (RX_CUT_MAX - 1)];
		cutlen = cut->len;
		if (cutlen > RX_BODY_MAX || cutlen > room)
			goto error;
		an = cut->ancount;
		ns = cut->nscount;
		ar = cut->arcount;
		tc = cc.best < r->req;
		o->glue_cut = !tc && cc.best + 1 < r->ncut;
		rcode = r->rcode & 0x0f;
		aa = r->flags & RX_RF_AA;

		nch = (cutlen + RX_CHUNK - 1) / RX_CHUNK;
		kc.chunk = r->chunk;
		bpf_loop(nch, chunk_step, &kc, 0);
		if (kc.err)
			goto error;
		fc.r = r;
		fc.cutlen = cutlen;
		nfix = r->nfix;
		if (nfix > RX_FIX_MAX)
			nfix = RX_FIX_MAX;
		bpf_loop(nfix, fix_step, &fc, 0);
	} else if (a->body == BODY_TXT) {
		/* CHAOS TXT: owner = pointer to the question (offset 12),
		 * class CH, TTL 0, one character-string. */
		const __u8 *txt = a->txt == TXT_IDENT ? cfg->ident : cfg->version;
		__u32 tlen = a->txt == TXT_IDENT ? cfg->ident_len : cfg->version_len;
		__u8 *b = out + base;

		if (tlen > RX_IDENT_MAX)
			tlen = RX_IDENT_MAX;
		wr16(b, 0xc000 | DNS_HLEN);
		wr16(b + 2, DNS_T_TXT);
		wr16(b + 4, DNS_C_CH);
		wr16(b + 6, 0);
		wr16(b + 8, 0);
		wr16(b + 10, tlen + 1);
		b[12] = tlen;
		copy_words(b + 13, txt, RX_IDENT_MAX / 8);
		cutlen = 13 + tlen;
		an = 1;
	}

	/* Step 14: OPT. */
	off = base + cutlen;
	if (off > RX_BASE_MAX + RX_BODY_MAX)
		goto error;
	if (q->edns) {
		__u8 *p = out + off;

		p[0] = 0;
		wr16(p + 1, DNS_T_OPT);
		wr16(p + 3, maxp);
		p[5] = a->ercode;
		p[6] = 0;
		wr16(p + 7, q->dobit ? 0x8000 : 0);
		wr16(p + 9, nsid ? NSID_HDR + nsid : 0);
		if (nsid) {
			wr16(p + 11, EDNS_O_NSID);
			wr16(p + 13, nsid);
			copy_words(p + 15, cfg->ident, RX_IDENT_MAX / 8);
		}
		ar++;
	}
	len = off + optlen;

	/* Step 13: header. */
	out[0] = s->q[0];
	out[1] = s->q[1];
	out[2] = 0x80 | (aa ? DNS_AA : 0) | (tc ? DNS_TC : 0) | q->rd_cd[0];
	out[3] = q->rd_cd[1] | rcode;
	wr16(out + 4, 1);
	wr16(out + 6, an);
	wr16(out + 8, ns);
	wr16(out + 10, ar);

	o->resp_len = len;
	o->tc = tc;
	o->rcode = rcode;
	return 0;
error:
	return RX_PASS_ERROR;
}

/* FORMERR: ID, opcode (0) and RD echoed, QR=1, rcode 1, all counts 0. */
static __always_inline void build_formerr(struct rx_scratch *s, struct rx_out *o)
{
	__u8 *out = s->out;
	__u32 i;

	out[0] = s->q[0];
	out[1] = s->q[1];
	out[2] = 0x80 | (s->q[2] & DNS_RD);
	out[3] = DNS_R_FORMERR;
#pragma unroll
	for (i = 4; i < DNS_HLEN; i++)
		out[i] = 0;
	o->resp_len = DNS_HLEN;
	o->tc = 0;
	o->glue_cut = 0;
}

/* ---- step 15: L2-L4 and the checksums ---- */

static __always_inline __u32 csum_add(__u32 a, __u32 b)
{
	a += b;
	return a + (a < b);
}

static __always_inline __u16 csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return ~s;
}

static __always_inline void swap_bytes(__u8 *a, __u8 *b, __u32 n)
{
	__u32 i;

#pragma unroll
	for (i = 0; i < n; i++) {
		__u8 t = a[i];

		a[i] = b[i];
		b[i] = t;
	}
}

/*
 * Unfolded one's complement sum of out[0, len), zero padded to a multiple
 * of 4 (RFC 768: an odd final byte is padded with zero).  bpf_csum_diff()
 * takes at most 512 bytes, a multiple of 4, per call.
 */
static __always_inline __u32 csum_payload(struct rx_scratch *s, __u32 len)
{
	__u32 sum = 0, i, n, len4;

	if (len > RX_OUT_MAX - 4)
		return 0;
	s->out[len] = 0;
	s->out[len + 1] = 0;
	s->out[len + 2] = 0;
	len4 = (len + 3) & ~3U;
#pragma unroll
	for (i = 0; i < RX_OUT_MAX / RX_CSUM_CHUNK; i++) {
		if (i * RX_CSUM_CHUNK >= len4)
			break;
		n = len4 - i * RX_CSUM_CHUNK;
		if (n > RX_CSUM_CHUNK)
			n = RX_CSUM_CHUNK;
		barrier_var(n);
		if (n < 4)
			break;
		sum = bpf_csum_diff(NULL, 0, (__be32 *)(s->out + i * RX_CSUM_CHUNK),
				    n, sum);
	}
	return sum;
}

/*
 * Swap MACs, addresses and ports, set lengths, TTL/hop limit 64, DF, IPv4
 * checksum; leave the UDP checksum 0 and return its two partial sums (the
 * XDP program folds them, the TC program lets the kernel combine them with
 * whatever checksum offload state the skb carries).
 */
__noinline int rewrite_l234(struct rx_scratch *s, const struct rx_l234 *p,
			    struct rx_out *o)
{
	__u32 l3, l4, ulen;
	__u8 *f, *ip, *udp;
	__u8 ph[8] = {};
	__u32 sum;

	if (!s || !p || !o)
		return RX_PASS_ERROR;
	l3 = p->l3off;
	ulen = sizeof(struct udphdr) + o->resp_len;
	f = s->frame;
	if (l3 > ETH_HLEN + 8 || o->resp_len > RX_OUT_MAX - 4)
		return RX_PASS_ERROR;
	swap_bytes(f, f + ETH_ALEN, ETH_ALEN);
	ip = f + l3;
	if (!p->v6) {
		l4 = l3 + sizeof(struct iphdr);
		ip[0] = 0x45;
		ip[1] = 0;			/* DSCP 0, not ECN capable */
		wr16(ip + 2, sizeof(struct iphdr) + ulen);
		wr16(ip + 4, 0);		/* ID: atomic datagram, RFC 6864 */
		wr16(ip + 6, 0x4000);		/* DF */
		ip[8] = 64;
		wr16(ip + 10, 0);
		swap_bytes(ip + 12, ip + 16, 4);
		sum = bpf_csum_diff(NULL, 0, (__be32 *)ip, sizeof(struct iphdr), 0);
		*(__u16 *)(ip + 10) = csum_fold(sum);
		/* Pseudo header: addresses, zero, protocol, UDP length. */
		ph[1] = IPPROTO_UDP;
		wr16(ph + 2, ulen);
		sum = bpf_csum_diff(NULL, 0, (__be32 *)(ip + 12), 8, 0);
		sum = bpf_csum_diff(NULL, 0, (__be32 *)ph, 4, sum);
	} else {
		l4 = l3 + sizeof(struct ipv6hdr);
		ip[0] = 0x60;			/* traffic class 0, no flow label */
		ip[1] = 0;
		ip[2] = 0;
		ip[3] = 0;
		wr16(ip + 4, ulen);
		ip[7] = 64;
		swap_bytes(ip + 8, ip + 24, 16);
		/* Pseudo header (RFC 8200 8.1): addresses, 32-bit length,
		 * three zero bytes, next header. */
		wr16(ph + 2, ulen);
		ph[7] = IPPROTO_UDP;
		sum = bpf_csum_diff(NULL, 0, (__be32 *)(ip + 8), 32, 0);
		sum = bpf_csum_diff(NULL, 0, (__be32 *)ph, 8, sum);
	}
	o->sum_pseudo = sum;
	udp = f + l4;
	swap_bytes(udp, udp + 2, 2);
	wr16(udp + 4, ulen);
	wr16(udp + 6, 0);
	sum = bpf_csum_diff(NULL, 0, (__be32 *)udp, sizeof(struct udphdr), 0);
	o->sum_data = csum_add(sum, csum_payload(s, o->resp_len));
	o->l4off = l4;
	o->hdr_len = l4 + sizeof(struct udphdr);
	o->new_len = o->hdr_len + o->resp_len;
	return 0;
}

#endif
