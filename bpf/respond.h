/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * respond.h - the response builder shared by the XDP and TC programs
 * (design.md steps 8-14): pick the answer, assemble header + question +
 * body cut + OPT in scratch->out.  l234.h then turns the headers around
 * (step 15); the entry programs only move bytes in and out.
 */
#ifndef RX_RESPOND_H
#define RX_RESPOND_H

#include "rootxdp.h"
#include "scratch.h"
#include "parse.h"
#include "dns.h"
#include "stats.h"
#include "csum.h"

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
	__u32 rrl_name;		/* the RRL bucket's name (design.md) */
};

/*
 * The finished response, for the entry program and the counters.  The DNS
 * payload is never assembled in one buffer: the entry program writes it
 * into the frame in place (design.md step 15):
 *   [0, 12)                  header, scratch->out[0, 12)
 *   [12, base)               the question: already in the frame, as received
 *   [base, base + body_len)  a zone body: rx_blob chunks from body_chunk on,
 *                            straight from the map value; then the
 *                            compression fix-ups of rx_resp[slot][resp]
 *   [tail_at, resp_len)      scratch->out[tail_src, ...): OPT, CHAOS TXT
 * and the checksum is the sum of those parts (RFC 1071), each precomputed
 * or summed where it is small, plus the fix-ups' changes (RFC 1624).
 */
struct rx_out {
	__u32 frame_len;	/* frame as received */
	__u32 new_len;		/* frame as sent */
	__u32 hdr_len;		/* eth..udp */
	__u32 resp_len;		/* DNS payload */
	__u32 l4off;
	__u32 sum_pseudo;	/* UDP pseudo header, unfolded */
	__u32 sum_data;		/* UDP header (check 0) + payload, unfolded,
				 * without the fix-ups (the entry adds them) */
	__u32 bsum;		/* the body cut's sum, placed at base's parity */
	__u32 body_chunk;	/* the body's first rx_blob chunk */
	__u32 resp;		/* its rx_resp index (fix-ups) ... */
	__u32 rrl_name;		/* RRL bucket name (rx_pick.rrl_name) */
	/* (16 bits where that is enough: the stack is 512 bytes for all) */
	__u16 slot;		/* ... and zone slot */
	__u16 base;		/* header + question: 12 + qsz (12: FORMERR) */
	__u16 body_len;		/* zone body bytes (0: none) */
	__u16 qsz;		/* what plain fix-ups add */
	__u16 tld_ptr;		/* what RX_FIX_QTLD fix-ups become */
	__u16 tail_src;		/* tail bytes in scratch->out */
	__u16 tail_at;		/* ... and where they go in the payload */
	__u8  kind;		/* counters (enum rx_stat < 256) */
	__u8  rc_stat;
	__u8  qt_stat;
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

/* Largest cut that fits the room (cuts ascend, cut[0] is empty): a plain
 * bounded loop, which the verifier walks once per iteration (a bpf_loop
 * callback per cut cost more than the compare it makes). */
static __always_inline __u32 cut_pick(const struct rx_resp *r, __u32 room)
{
	__u32 i, best = 0, n = r->ncut;

	/* A constant bound: 6.1 lost the bound of "i < n" when clang turned
	 * the index into a moving pointer ("invalid access to map value,
	 * value_size=460 off=460"). */
#pragma clang loop unroll(disable)
	for (i = 1; i < RX_CUT_MAX; i++) {
		if (i >= n || r->cut[i].len > room)
			break;
		best = i;
	}
	return best & (RX_CUT_MAX - 1);
}

#define RX_CHUNKS_MAX	(RX_BODY_MAX / RX_CHUNK)
#define RX_BASE_MAX	(12 + RX_NAME_MAX + 4)	/* header + question */

/* What 2 bytes of value v (host order) at payload offset pos add to a one's
 * complement sum of 16-bit words in memory order: at an odd offset they
 * straddle two words, which is the same as their bytes swapped (RFC 1071
 * 2(B)). */
static __always_inline __u32 word_at(__u16 v, __u32 pos)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return pos & 1 ? v : __builtin_bswap16(v);
#else
	return pos & 1 ? __builtin_bswap16(v) : v;
#endif
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
	a->rrl_name = 0;

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
		a->rrl_name = 0x80000000 | a->txt;
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
		__u32 i, n = meta->napex, found = 0;

		/* A plain loop with a constant bound (see cut_pick): the
		 * verifier walks its 16 rounds once (a bpf_loop callback per
		 * entry cost more than the compare). */
#pragma clang loop unroll(disable)
		for (i = 0; i < RX_APEX_MAX; i++) {
			const struct rx_apex *ap = &meta->apex[i];

			if (i >= n)
				break;
			if (ap->qtype != q->qtype)
				continue;
			a->resp = q->dobit ? ap->resp_do : ap->resp;
			a->rrl_name = ap->resp;
			a->kind = RX_ST_K_APEX;
			found = 1;
			break;
		}
		if (!found) {
			a->resp = q->dobit ? meta->nodata_do : meta->nodata;
			a->rrl_name = q->qtype;
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
			a->rrl_name = t->ds;
			a->kind = RX_ST_K_DS;
		} else {
			a->resp = q->dobit ? t->ref_do : t->ref;
			a->rrl_name = t->ref;
			a->kind = RX_ST_K_REFERRAL;
		}
		return 0;
	}
	a->kind = RX_ST_K_NXDOMAIN;
	if (!q->dobit) {
		a->resp = meta->nx;
		return 0;
	} else {
		/* NXDOMAIN with DO: the last NSEC owner <= key, by halving.
		 * Invariant: owner[lo] <= key (lo starts at the apex, which
		 * sorts first), owner[hi] > key or hi = n.  32 halvings cover
		 * any __u32 count (~11 for the root); a plain bounded loop with
		 * the inner map looked up once, not a bpf_loop callback each. */
		__u32 lo = 0, hi = meta->nnsec, mid, i;

		inner = bpf_map_lookup_elem(&rx_nsec, &slot);
		if (!inner || !hi)
			goto error;
#pragma clang loop unroll(disable)
		for (i = 0; i < 32; i++) {
			if (lo + 1 >= hi)
				break;
			mid = lo + (hi - lo) / 2;
			e = bpf_map_lookup_elem(inner, &mid);
			if (!e)
				goto error;
			if (label_cmp(&e->owner, &key) <= 0)
				lo = mid;
			else
				hi = mid;
		}
		e = bpf_map_lookup_elem(inner, &lo);
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

/* The tail: a CHAOS TXT and an OPT at most; and the largest payload. */
#define RX_TAIL_MAX	(13 + RX_IDENT_MAX + OPT_LEN + NSID_HDR + RX_IDENT_MAX + COOKIE_OPT)
#define RX_RESP_MAX	(RX_BASE_MAX + RX_BODY_MAX + RX_TAIL_MAX)

static __always_inline void copy_words(__u8 *dst, const __u8 *src, __u32 nwords)
{
	__u32 i;

#pragma unroll
	for (i = 0; i < nwords; i++)
		((__u64 *)dst)[i] = ((const __u64 *)src)[i];
}

/* Server payload: config, 512..RX_BODY_MAX, default 1232. */
static __always_inline __u32 server_payload(const struct rx_cfg *cfg)
{
	__u32 maxp = cfg->max_payload ? cfg->max_payload : RX_PAYLOAD_DEFAULT;

	if (maxp < 512)
		maxp = 512;
	if (maxp > RX_BODY_MAX)
		maxp = RX_BODY_MAX;
	return maxp;
}

#define RX_OPT_AT_MAX	(RX_BASE_MAX + 13 + RX_IDENT_MAX)	/* after a TXT */
#define COOKIE_OPT	(4 + RX_COOKIE_OPT_LEN)

/*
 * Step 14: the OPT RR at out[off]: our payload, the extended rcode, DO
 * echoed, then NSID (nsid bytes of identity, 0 = none) and COOKIE (when
 * the query had one: its client cookie and scratch->ck_out).  Returns the
 * length written: OPT_LEN + (NSID_HDR + nsid) + (COOKIE_OPT).
 */
static __always_inline __u32 put_opt(struct rx_scratch *s, const struct rx_query *q,
				     const struct rx_cfg *cfg, __u32 off, __u32 maxp,
				     __u8 ercode, __u32 nsid)
{
	__u32 rdlen = (nsid ? NSID_HDR + nsid : 0) + (q->cookie ? COOKIE_OPT : 0);
	__u8 *p;

	/* Bounded here, where it is used: the caller's check may be on a
	 * copy the compiler spilled before it, which 6.1 does not carry over
	 * ("R3 max value is outside of the allowed memory range"). */
	barrier_var(off);
	if (off > RX_OPT_AT_MAX || nsid > RX_IDENT_MAX)
		return 0;
	p = s->out + off;
	p[0] = 0;
	wr16(p + 1, DNS_T_OPT);
	wr16(p + 3, maxp);
	p[5] = ercode;
	p[6] = 0;
	wr16(p + 7, q->dobit ? 0x8000 : 0);
	wr16(p + 9, rdlen);
	if (nsid) {
		wr16(p + 11, EDNS_O_NSID);
		wr16(p + 13, nsid);
		copy_words(p + 15, cfg->ident, RX_IDENT_MAX / 8);
	}
	if (q->cookie) {
		off += OPT_LEN + (nsid ? NSID_HDR + nsid : 0);
		barrier_var(off);
		if (off > RX_OPT_AT_MAX + NSID_HDR + RX_IDENT_MAX + OPT_LEN)
			return 0;
		p = s->out + off;
		wr16(p, EDNS_O_COOKIE);
		wr16(p + 2, RX_COOKIE_OPT_LEN);
		copy_words(p + 4, (const __u8 *)&s->ck.client, RX_COOKIE_CLIENT / 8);
		copy_words(p + 4 + RX_COOKIE_CLIENT, (const __u8 *)s->ck_out,
			   RX_COOKIE_SERVER / 8);
	}
	return OPT_LEN + rdlen;
}

/*
 * The unfolded sum of the question as received, s->q[12, 12 + qsz): one
 * bpf_csum_diff over whole words of the query copy, less the (up to three)
 * bytes after the question that the last word took in.
 */
static __always_inline __u32 question_sum(const struct rx_scratch *s, __u32 qsz)
{
	__u32 qlen4 = (qsz + 3) & ~3U, sum, extra = 0, j;

	if (qlen4 > RX_NAME_MAX + 4 + 3)
		return 0;
	barrier_var(qlen4);
	if (qlen4 < 4)
		return 0;
	sum = bpf_csum_diff(NULL, 0, (__be32 *)(s->q + DNS_HLEN), qlen4, 0);
#pragma unroll
	for (j = 0; j < 3; j++) {
		__u32 at = qsz + j;

		if (at >= qlen4)
			break;
		/* A byte at an even offset is the low half of its memory-order
		 * word on a little-endian host, at an odd one the high half. */
		extra += word_at((__u16)s->q[(DNS_HLEN + at) & 0x1ff] << 8, at);
	}
	return csum_add(sum, ~extra);
}

/*
 * Returns 0 with o describing the response (struct rx_out), or the
 * RX_PASS_* reason.  Writes the header and the tail (OPT, CHAOS TXT) into
 * s->out; a zone body stays in its map.
 */
__noinline int build_response(struct rx_scratch *s, const struct rx_query *q,
			      const struct rx_cfg *cfg, const struct rx_pick *a,
			      struct rx_out *o)
{
	__u32 limit, maxp, optlen = 0, nsid = 0, room, base, cutlen = 0;
	__u32 an = 0, ns = 0, ar = 0, tc = 0, slot, txtlen = 0;
	__u8 rcode, aa, *out;

	if (!s || !q || !cfg || !a || !o)
		return RX_PASS_ERROR;
	rcode = a->rcode;
	aa = a->aa;
	slot = a->slot;
	out = s->out;

	maxp = server_payload(cfg);
	/* Step 12: the size limit. */
	limit = dns_udp_limit(q->edns, q->payload, maxp);
	if (q->edns) {
		optlen = OPT_LEN;
		if (q->nsid && (cfg->flags & RX_CFG_NSID) && cfg->ident_len) {
			nsid = cfg->ident_len > RX_IDENT_MAX ? RX_IDENT_MAX :
							       cfg->ident_len;
			optlen += NSID_HDR + nsid;
		}
		if (q->cookie)
			optlen += COOKIE_OPT;
	}
	base = DNS_HLEN + (q->qsz & 0x1ff);
	if (base > RX_BASE_MAX)
		goto error;
	room = limit - base - optlen;	/* >= 512 - 271 - 107 > 0 */
	o->base = base;
	o->qsz = q->qsz;
	o->tld_ptr = 0xc000 | (DNS_HLEN + (q->tld_off & 0xff));
	/* The question goes out as received, byte for byte (0x20): it stays
	 * where it is in the frame; payload_sum() sums it in s->q. */
	o->body_len = 0;
	o->bsum = 0;
	o->slot = slot;
	o->resp = a->resp;

	if (a->body == BODY_ZONE) {
		const struct rx_cut *cut;
		const struct rx_resp *r;
		__u32 idx = a->resp, bsum, best;
		void *inner;

		inner = bpf_map_lookup_elem(&rx_resp, &slot);
		if (!inner)
			goto error;
		r = bpf_map_lookup_elem(inner, &idx);
		if (!r)
			goto error;
		best = cut_pick(r, room);
		cut = &r->cut[best];
		cutlen = cut->len;
		if (cutlen > RX_BODY_MAX || cutlen > room)
			goto error;
		an = cut->ancount;
		ns = cut->nscount;
		ar = cut->arcount;
		tc = best < r->req;
		o->glue_cut = !tc && best + 1 < r->ncut;
		rcode = r->rcode & 0x0f;
		aa = r->flags & RX_RF_AA;
		o->body_len = cutlen;
		o->body_chunk = r->chunk;
		/* The body's precomputed sum for this cut, its bytes swapped
		 * when it starts at an odd offset (RFC 1071 2(B)). */
		bsum = r->csum[best];
		o->bsum = base & 1 ? __builtin_bswap16(bsum) : bsum;
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
		txtlen = 13 + tlen;
		an = 1;
	}

	/* Step 14: OPT, in scratch after the TXT (if any); in the payload
	 * after the body. */
	if (q->edns) {
		if (put_opt(s, q, cfg, base + txtlen, maxp, a->ercode, nsid) != optlen)
			goto error;
		ar++;
	}
	o->tail_src = base;
	o->tail_at = base + cutlen;
	o->resp_len = base + cutlen + txtlen + optlen;

	/* Step 13: header. */
	out[0] = s->q[0];
	out[1] = s->q[1];
	out[2] = 0x80 | (aa ? DNS_AA : 0) | (tc ? DNS_TC : 0) | q->rd_cd[0];
	out[3] = q->rd_cd[1] | rcode;
	wr16(out + 4, 1);
	wr16(out + 6, an);
	wr16(out + 8, ns);
	wr16(out + 10, ar);

	o->tc = tc;
	o->rcode = rcode;
	return 0;
error:
	return RX_PASS_ERROR;
}

/*
 * The unfolded sum of the DNS payload o describes, without the fix-ups:
 * header + question + body cut (all precomputed) + the tail, summed here
 * (at most a TXT and an OPT: < 200 bytes).  After the RRL step, which may
 * have turned the response into a slip.
 */
static __always_inline __u32 payload_sum(struct rx_scratch *s, const struct rx_out *o)
{
	__u32 sum, n, n4, src = o->tail_src, t;

	sum = csum_words(s->out, DNS_HLEN / 4, 0);
	if (o->base > DNS_HLEN)
		sum = csum_add(sum, question_sum(s, o->base - DNS_HLEN));
	if (o->body_len)
		sum = csum_add(sum, o->bsum);
	n = o->resp_len - o->tail_at;
	if (n > RX_TAIL_MAX || src > RX_BASE_MAX)
		return sum;
	barrier_var(n);
	if ((__s32)n < 1)
		return sum;
	n4 = (n + 3) & ~3U;
	/* Zero pad to whole words (RFC 768: an odd last byte is padded). */
	s->out[src + n] = 0;
	s->out[src + n + 1] = 0;
	s->out[src + n + 2] = 0;
	barrier_var(n4);
	if (n4 > RX_TAIL_MAX + 3 || n4 < 4)
		return sum;
	t = bpf_csum_diff(NULL, 0, (__be32 *)(s->out + src), n4, 0);
	if (o->tail_at & 1)
		t = __builtin_bswap16(csum_fold16(t));
	return csum_add(sum, t);
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
	o->base = DNS_HLEN;	/* no question */
	o->body_len = 0;
	o->tail_src = o->tail_at = DNS_HLEN;
	o->tc = 0;
	o->glue_cut = 0;
}

#endif
