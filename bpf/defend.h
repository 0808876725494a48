/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * defend.h - the steps that keep rootxdp from being an amplifier
 * (design.md steps 7a and 14a): DNS cookies and response rate limiting,
 * for the XDP and TC programs alike.  The arithmetic is shared with
 * rootxdpd (cookie.h, rrl.h); what is here is only where BPF keeps state
 * and where the packet's bytes are.
 */
#ifndef RX_DEFEND_H
#define RX_DEFEND_H

#include "rootxdp.h"
#include "maps.h"
#include "scratch.h"
#include "stats.h"
#include "parse.h"
#include "dns.h"
#include "respond.h"

/* The client's address out of the (not yet rewritten) frame copy: 4 or
 * 16 bytes from the first, the rest zero (what cookie.h and rrl.h take).
 * rx_core() keeps it in scratch->src once per packet for both steps. */
static __always_inline void src_addr(const struct rx_scratch *s, const struct rx_l234 *p,
				     __u64 ip[2])
{
	__u32 l3 = p->l3off & 0x1f;	/* 14, 18 or 22 */

	ip[0] = 0;
	ip[1] = 0;
	if (p->v6)
		__builtin_memcpy(ip, s->frame + l3 + 8, 16);
	else
		__builtin_memcpy(ip, s->frame + l3 + 12, 4);
}

/* UNIX seconds (see rx_cfg.tai_offset). */
static __always_inline __u32 unix_now(const struct rx_cfg *cfg)
{
	return (__u32)((__s64)(bpf_ktime_get_tai_ns() / RX_NS_PER_S) - cfg->tai_offset);
}

/*
 * Step 7a: the COOKIE option (RFC 7873 5.2, RFC 9018).  Decides whether
 * the query's server cookie is ours and puts the one to send back in
 * scratch->ck_out.  The option itself was checked and copied by
 * dns_parse().
 */
__noinline int cookie_step(struct rx_scratch *s, struct rx_query *q,
			   const struct rx_cfg *cfg, const struct rx_l234 *p)
{
	int minted = 0;

	if (!s || !q || !cfg || !p)
		return RX_PASS_ERROR;
	if (!q->cookie) {
		q->verdict = RX_CK_NONE;
		return 0;
	}
	q->verdict = rx_cookie_answer(&cfg->cookie, &s->ckbuf, &s->ck, q->sclen, s->src,
				      p->v6 ? 16 : 4, unix_now(cfg), s->ck_out, &minted);
	q->minted = minted;
	return 0;
}

/* Response class of what was built, by its kind (design.md 14a). */
static __always_inline __u32 rrl_class(const struct rx_out *o)
{
	switch (o->kind) {
	case RX_ST_K_REFERRAL:
		return RX_RRL_REFERRAL;
	case RX_ST_K_NXDOMAIN:
		return RX_RRL_NXDOMAIN;
	case RX_ST_K_NODATA:
		return RX_RRL_NODATA;
	case RX_ST_K_ERROR:
		return RX_RRL_ERROR;
	default:
		return RX_RRL_RESPONSE;	/* apex, DS, CHAOS */
	}
}

/* One compare-and-swap round on a bucket; *next is what it holds after. */
static __always_inline int rrl_take(const struct rx_rrl_params *rp, struct rx_rrl_val *v,
				    __u64 now)
{
	__u64 old = v->tat, next, seen;
	int ok;

	ok = rx_rrl_account(rp, old, now, &next);
	seen = __sync_val_compare_and_swap(&v->tat, old, next);
	if (seen == old)
		return ok;
	/* Another CPU moved the bucket in between: once more from what it
	 * wrote.  A second loss is taken as is (the bucket is off by one
	 * response at most): constant work per packet. */
	ok = rx_rrl_account(rp, seen, now, &next);
	__sync_val_compare_and_swap(&v->tat, seen, next);
	return ok;
}

/*
 * Step 14a: response rate limiting of what o holds (o->rrl_name names its
 * bucket).  Returns the decision as the counter that tells it:
 *   0                  sent, nothing to count (RRL off)
 *   RX_ST_RRL_COOKIE   sent: a valid server cookie proves the address
 *   RX_ST_RRL_EXEMPT   sent: an rrl-exempt prefix
 *   RX_ST_RRL_NEW      sent: a new bucket (starts whole)
 *   RX_ST_RRL_LOG_ONLY sent, but over the rate (rrl-log-only)
 *   RX_ST_RRL_SLIPPED  over the rate: send a slip instead (build_slip)
 *   RX_DROP_RRL  over the rate: send nothing
 * (Five arguments at most for a global function: the counting is the
 * caller's.)
 */
__noinline int rrl_step(struct rx_scratch *s, const struct rx_query *q,
			const struct rx_cfg *cfg, const struct rx_l234 *p,
			const struct rx_out *o)
{
	const struct rx_rrl_params *rp;
	struct rx_rrl_val *v, init = {};
	struct rx_rrl_key key = {};
	const __u64 *ip;
	__u64 now;
	__u32 n;

	if (!s || !q || !cfg || !p || !o)
		return 0;
	ip = s->src;
	rp = &cfg->rrl;
	if (!rp->rate)
		return 0;
	if (q->verdict == RX_CK_GOOD)
		return RX_ST_RRL_COOKIE;
	if (cfg->flags & RX_CFG_RRL_EXEMPT) {
		struct rx_rrl_exempt_key ek = {};

		ek.prefixlen = 128;
		if (p->v6) {
			__builtin_memcpy(ek.addr, ip, 16);
		} else {
			ek.addr[10] = 0xff;
			ek.addr[11] = 0xff;
			__builtin_memcpy(ek.addr + 12, ip, 4);
		}
		if (bpf_map_lookup_elem(&rx_rrl_exempt, &ek))
			return RX_ST_RRL_EXEMPT;
	}
	rx_rrl_prefix(rp, &key, (const __u8 *)ip, p->v6);
	rx_rrl_key_set(&key, rrl_class(o), o->rrl_name, o->resp_len, q->qtype == DNS_T_ANY);
	now = bpf_ktime_get_ns();

	v = bpf_map_lookup_elem(&rx_rrl, &key);
	if (!v) {
		/* A new bucket starts whole: this response is allowed.  Two
		 * CPUs may race to create it; one insert wins, and the other
		 * response is allowed too (a new bucket has rate to give). */
		rx_rrl_account(rp, 0, now, &init.tat);
		bpf_map_update_elem(&rx_rrl, &key, &init, BPF_NOEXIST);
		return RX_ST_RRL_NEW;
	}
	if (rrl_take(rp, v, now))
		return 0;
	if (rp->log_only)
		return RX_ST_RRL_LOG_ONLY;
	n = __sync_fetch_and_add(&v->limited, 1) + 1;
	return rx_rrl_slips(rp, n) ? RX_ST_RRL_SLIPPED : RX_DROP_RRL;
}

/*
 * A slip: header and question, no records, OPT when the query had one.
 * TC=1 tells a real client to come back over TCP; a client that sent a
 * cookie gets BADCOOKIE (RFC 7873 5.2.3, rcode 23) with a fresh server
 * cookie instead, as BIND does, so that it can retry over UDP at once
 * with a cookie that RRL lets through.  About the size of the query.
 */
static __always_inline int build_slip(struct rx_scratch *s, struct rx_query *q,
				      const struct rx_cfg *cfg, struct rx_out *o)
{
	__u32 base = o->base, optlen = 0;
	int badcookie = q->cookie;
	__u8 *out = s->out;

	if (base < DNS_HLEN + 5 || base > RX_BASE_MAX)
		return RX_PASS_ERROR;
	if (badcookie && !q->minted) {
		/* The echoed cookie was good, but a good cookie is never
		 * limited; a slip always carries a fresh one. */
		return RX_PASS_ERROR;
	}
	out[2] = 0x80 | (badcookie ? 0 : DNS_TC) | q->rd_cd[0];
	out[3] = q->rd_cd[1] | (badcookie ? (DNS_R_BADCOOKIE & 0x0f) : 0);
	wr16(out + 6, 0);
	wr16(out + 8, 0);
	wr16(out + 10, q->edns ? 1 : 0);
	if (q->edns) {
		optlen = put_opt(s, q, cfg, base, server_payload(cfg),
				 badcookie ? DNS_R_BADCOOKIE >> 4 : 0, 0);
		if (!optlen)
			return RX_PASS_ERROR;
	}
	o->resp_len = base + optlen;
	o->body_len = 0;		/* header, question, OPT: no body */
	o->tail_src = o->tail_at = base;
	o->tc = !badcookie;
	o->glue_cut = 0;
	o->rcode = badcookie ? DNS_R_BADCOOKIE & 0x0f : 0;
	return 0;
}

#endif
