/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * dns.h - the query: header checks, QNAME walk, QTYPE/QCLASS, OPT
 * (design.md steps 2-7).  Works on the query copied to scratch->q.
 */
#ifndef RX_DNS_H
#define RX_DNS_H

#include "rootxdp.h"
#include "scratch.h"
#include "parse.h"
#include "dnsproto.h"

#define EDNS_OPT_MAX	8	/* more options than this: pass */

/* Global step functions return 0 to go on, RX_FORMERR to answer FORMERR,
 * else the RX_PASS_* counter of the reason to pass. */
#define RX_FORMERR	RX_STAT_MAX

struct rx_query {
	__u32 len;		/* DNS payload bytes in scratch->q */
	__u32 name_len;		/* wire length of QNAME, root byte included */
	__u32 qsz;		/* question size: name_len + 4 */
	__u32 tld_off;		/* offset of the last label's length byte in lname */
	__u32 tld_len;		/* 0 for the root */
	__u16 qtype;
	__u16 qclass;
	__u16 payload;		/* client EDNS payload (>= 512) */
	__u8  rd_cd[2];		/* RD (byte 2) and CD (byte 3) as received */
	__u8  edns;
	__u8  dobit;
	__u8  nsid;
	__u8  badvers;
	/* DNS cookie (RFC 7873): data in scratch->ck, sclen server bytes */
	__u8  cookie;		/* a COOKIE option was present */
	__u8  sclen;		/* 0, or 8..32 */
	__u8  verdict;		/* enum rx_cookie_verdict, set by cookie_step */
	__u8  minted;		/* ck_out is freshly made */
	__u8  cookie_formerr;	/* FORMERR because of the option's length */
};

/* ---- QNAME walk: one bpf_loop step per label (the verifier checks the
 * callback once, not each of up to 127 iterations) ---- */

#define WALK_RUN	0
#define WALK_DONE	1
#define WALK_FORMERR	2
#define WALK_POINTER	3
/* 127 one-byte labels and the root fill 255 bytes. */
#define WALK_STEPS	(RX_NAME_MAX / 2 + 1)

struct walk_ctx {
	struct rx_scratch *s;
	__u32 end;		/* query length */
	__u32 next;		/* offset of the next length byte */
	__u32 last;		/* name offset of the last label's length byte */
	__u32 llen;
	__u32 stop;		/* offset after the root label */
	__u32 state;
};

/* Eight bytes lowercased at once, ASCII only (RFC 4343): a byte below
 * 0x80 in 'A'..'Z' gets 0x20.  No carry crosses a byte: each sum is of a
 * 7-bit value and a constant below 0x80. */
static __always_inline __u64 lower8(__u64 x)
{
	const __u64 hi = 0x8080808080808080ULL;
	__u64 t = x & ~hi;
	__u64 ge_a = t + 0x3f3f3f3f3f3f3f3fULL;	/* high bit: t >= 'A' */
	__u64 gt_z = t + 0x2525252525252525ULL;	/* high bit: t > 'Z' */

	return x | ((ge_a & ~gt_z & ~x & hi) >> 2);
}

/* One label: its length byte, then its bytes copied to lname lowercased
 * eight at a time (lname and q have slack for the last word). */
static int walk_step(__u32 i, void *data)
{
	struct walk_ctx *w = data;
	struct rx_scratch *s = w->s;
	__u32 n = w->next - DNS_HLEN, k;
	const __u8 *l;
	__u8 c;

	/* The length byte inside the 255-byte name and the payload.  Every
	 * index below derives from n after its check (6.1 learns no bound
	 * for a p whose check clang made on p - 12). */
	if (n >= RX_NAME_MAX || DNS_HLEN + n >= w->end) {
		w->state = WALK_FORMERR;
		return 1;
	}
	l = s->q + DNS_HLEN + n;
	c = l[0];
	s->lname[n] = c;
	if (c == 0) {
		w->stop = DNS_HLEN + n + 1;
		w->state = WALK_DONE;
		return 1;
	}
	if ((c & 0xc0) == 0xc0) {	/* compression pointer: rootxdpd */
		w->state = WALK_POINTER;
		return 1;
	}
	/* 0x40, 0x80: reserved label types; or its last byte past the
	 * name's 255 bytes or the payload. */
	if ((c & 0xc0) || n + c >= RX_NAME_MAX || DNS_HLEN + n + c >= w->end) {
		w->state = WALK_FORMERR;
		return 1;
	}
#pragma unroll
	for (k = 0; k < 8; k++) {
		if (8 * k >= c)
			break;
		*(__u64 *)(s->lname + n + 1 + 8 * k) = lower8(*(const __u64 *)(l + 1 + 8 * k));
	}
	w->last = n;
	w->llen = c;
	w->next = DNS_HLEN + n + 1 + c;
	return 0;
}

/* Known options that need state or a reply we do not give: rootxdpd.
 * COOKIE is answered here (defend.h). */
static __always_inline int edns_needs_daemon(__u16 code)
{
	switch (code) {
	case EDNS_O_ECS:
	case EDNS_O_EXPIRE:
	case EDNS_O_KEEPALIVE:
	case EDNS_O_CHAIN:
		return 1;
	default:
		return 0;
	}
}

/*
 * Steps 3-7 (step 2 needs the frame and runs before).  q->len is set by
 * the caller.  Returns 0, RX_FORMERR or an RX_PASS_* reason.
 */
__noinline int dns_parse(struct rx_scratch *s, struct rx_query *q)
{
	struct walk_ctx w = {};
	__u32 p, arcount, i, rdlen, ttl;
	const __u8 *h;

	if (!s || !q || q->len > RX_QUERY_MAX)
		return RX_PASS_ERROR;
	h = s->q;

	q->rd_cd[0] = h[2] & DNS_RD;
	q->rd_cd[1] = h[3] & DNS_CD;
	/* Step 3.  (Step 2 ran before the copy.) */
	if (h[2] & DNS_OPCODE)
		return RX_PASS_OPCODE;
	/* Step 4.  An RR in the authority section is an IXFR's SOA (RFC
	 * 1995 3) or a mistake: rootxdpd tells which. */
	if (rd16(h + 4) != 1 || rd16(h + 6) != 0)
		return RX_FORMERR;
	if (rd16(h + 8) != 0)
		return RX_PASS_NSCOUNT;
	arcount = rd16(h + 10);
	if (arcount > 1)
		return RX_PASS_ARCOUNT;

	/* Step 5: the name. */
	w.s = s;
	w.end = q->len;
	w.next = DNS_HLEN;
	w.state = WALK_RUN;
	bpf_loop(WALK_STEPS, walk_step, &w, 0);
	if (w.state == WALK_POINTER)
		return RX_PASS_NAME;
	if (w.state != WALK_DONE)
		return RX_FORMERR;
	p = w.stop;
	if (p < DNS_HLEN + 1 || p > DNS_HLEN + RX_NAME_MAX)
		return RX_FORMERR;	/* cannot happen; bounds for below */
	q->name_len = p - DNS_HLEN;
	q->qsz = q->name_len + 4;
	q->tld_off = w.last & 0xff;
	q->tld_len = w.llen & 0x3f;
	if (p + 4 > q->len)
		return RX_FORMERR;
	q->qtype = rd16(s->q + p);
	q->qclass = rd16(s->q + p + 2);
	p += 4;

	/* Step 6: one additional RR, which must be an OPT at the root. */
	q->payload = 512;
	q->edns = q->dobit = q->nsid = q->badvers = 0;
	q->cookie = q->sclen = q->cookie_formerr = 0;
	if (arcount) {
		if (p + 11 > q->len)
			return RX_FORMERR;	/* RR cut short */
		p &= 0x1ff;			/* p <= 271 here; say so */
		if (s->q[p] != 0 || rd16(s->q + p + 1) != DNS_T_OPT)
			return RX_PASS_ARCOUNT;
		q->edns = 1;
		q->payload = rd16(s->q + p + 3);
		if (q->payload < 512)		/* RFC 6891 6.2.5 */
			q->payload = 512;
		ttl = ((__u32)rd16(s->q + p + 5) << 16) | rd16(s->q + p + 7);
		q->dobit = !!(ttl & 0x8000);
		q->badvers = ((ttl >> 16) & 0xff) != 0;
		rdlen = rd16(s->q + p + 9);
		p += 11;
		if (p + rdlen > q->len)
			return RX_FORMERR;
		/* Options: at most EDNS_OPT_MAX, a small constant loop. */
#pragma unroll
		for (i = 0; i < EDNS_OPT_MAX + 1; i++) {
			__u16 code, olen;

			if (rdlen == 0)
				break;
			if (i == EDNS_OPT_MAX)
				return RX_PASS_EDNS;
			if (rdlen < 4)
				return RX_FORMERR;
			p &= 0x1ff;		/* p < q->len <= 512 */
			code = rd16(s->q + p);
			olen = rd16(s->q + p + 2);
			if (olen > rdlen - 4)
				return RX_FORMERR;
			if (code == EDNS_O_COOKIE) {
				/* RFC 7873 5.2.2: 8 bytes of client cookie,
				 * optionally 8..32 of server cookie; any other
				 * length is FORMERR.  The first one counts. */
				if (olen != RX_COOKIE_CLIENT &&
				    (olen < RX_COOKIE_CLIENT + RX_COOKIE_SERVER_MIN ||
				     olen > RX_COOKIE_CLIENT + RX_COOKIE_SERVER_MAX)) {
					q->cookie_formerr = 1;
					return RX_FORMERR;
				}
				if (!q->cookie) {
					q->cookie = 1;
					q->sclen = olen - RX_COOKIE_CLIENT;
					/* Whole 40 bytes from p + 4 <= 515: inside
					 * q (RX_Q_MAX); bytes past olen unused. */
					__builtin_memcpy(&s->ck, s->q + (p & 0x1ff) + 4,
							 sizeof(s->ck));
				}
			} else if (code == EDNS_O_NSID) {
				/* RFC 5001 2.3: the query's option is empty. */
				if (olen)
					return RX_PASS_EDNS;
				q->nsid = 1;
			} else if (edns_needs_daemon(code))
				return RX_PASS_EDNS;
			/* Padding (12) and unknown options: ignored,
			 * RFC 6891 6.1.2 / RFC 7830. */
			p += 4 + olen;
			rdlen -= 4 + olen;
		}
	}
	/* Step 7. */
	if (p != q->len)
		return RX_PASS_TRAILING;
	return 0;
}

#endif
