/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rssac_bpf.h - the kernel side of RSSAC002 (bpf/rssac.h has the types).
 *
 * rx_core() notes (rssac_note()) every query it reads far enough to know
 * its source; rssac_count() counts it when the answer has left (the entry
 * program, after count_answer()) or when RRL drops it (rx_core()).
 * Between the two, the facts sit in the per-CPU scratch (its src and two
 * fields of its own): the XDP program may still pass the frame to TC (no
 * tailroom), and then TC's own note replaces XDP's, so a query is counted
 * once, by the path that ended it.  A note left by a query that was
 * passed on is never counted: every rssac_count() follows its own
 * packet's note.
 */
#ifndef RX_RSSAC_BPF_H
#define RX_RSSAC_BPF_H

#include "rootxdp.h"

/* rx_rssac[path]: per-CPU counters, summed by `rootxdp rssac002`. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RX_PATHS);
	__type(key, __u32);
	__type(value, struct rx_rssac);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rx_rssac SEC(".maps");

/* rx_hll[(day % RX_HLL_DAYS) * RX_HLL_KINDS + kind]: per-CPU registers. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RX_HLL_DAYS * RX_HLL_KINDS);
	__type(key, __u32);
	__type(value, struct rx_hll);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rx_hll SEC(".maps");

/* Plain stores into the per-CPU scratch, no call: the programs' frames are
 * at the limit 6.1 allows with their deepest call chain. */
static __always_inline void rssac_note(struct rx_scratch *s, const struct rx_l234 *p)
{
	s->rs_qlen = p->dns_len;
	s->rs_v6 = p->v6;
}

/* Out of line, like rssac_count(): the programs' own frames are near the
 * 512-byte stack limit. */
static __noinline int rssac_hll_add(__u32 day, __u32 kind, __u64 hi, __u64 lo)
{
	__u32 key = (day % RX_HLL_DAYS) * RX_HLL_KINDS + kind;
	struct rx_hll *h = bpf_map_lookup_elem(&rx_hll, &key);
	__u64 x;
	__u32 i;
	__u8 r;

	if (!h)
		return 0;
	if (h->day != day) {
		/* First packet of a new day on this CPU: the slot held the
		 * day RX_HLL_DAYS ago (or nothing); only this CPU writes it.
		 * Straight-line stores: no bpf_loop frame on the stack. */
#pragma clang loop unroll(full)
		for (i = 0; i < RX_HLL_M / 8; i++)
			((volatile __u64 *)h->reg)[i] = 0;	/* not a memset call */
		h->day = day;
	}
	x = rx_hll_hash(hi, lo, kind);
	i = rx_hll_index(x);
	r = rx_hll_rank(x);
	if (h->reg[i] < r)
		h->reg[i] = r;
	return 0;
}

static __always_inline __u32 rssac_rcode(__u32 rc_stat)
{
	switch (rc_stat) {
	case RX_ST_RC_NOERROR:   return 0;
	case RX_ST_RC_FORMERR:   return 1;
	case RX_ST_RC_NXDOMAIN:  return 3;
	case RX_ST_RC_REFUSED:   return 5;
	case RX_ST_RC_BADVERS:   return 16;
	case RX_ST_RC_BADCOOKIE: return 23;
	default:                 return RX_RSSAC_RCODES;
	}
}

/* The query noted in the scratch by rx_core() ended on this path: sent as o (NULL:
 * dropped by RRL, received but not answered). */
static __noinline int rssac_count(__u32 path, const struct rx_out *o)
{
	const struct rx_scratch *s = scratch_get();	/* the caller's, per CPU */
	const struct rx_cfg *cfg;
	struct rx_rssac *c;
	__u32 zero = 0, f, b, rc, day;
	__s64 secs;

	if (!s)
		return 0;
	c = bpf_map_lookup_elem(&rx_rssac, &path);
	cfg = bpf_map_lookup_elem(&rx_cfg, &zero);
	if (!c || !cfg)
		return 0;
	f = s->rs_v6 ? RX_RS_IPV6 : RX_RS_IPV4;
	c->queries[RX_RS_UDP][f]++;
	b = rx_rssac_req_bin(s->rs_qlen);
	if (b < RX_RSSAC_REQ_BINS)
		c->req_size[RX_RS_UDP][b]++;
	if (o) {
		c->responses[RX_RS_UDP][f]++;
		b = rx_rssac_resp_bin(o->resp_len);
		if (b < RX_RSSAC_RESP_BINS)
			c->resp_size[RX_RS_UDP][b]++;
		rc = rssac_rcode(o->rc_stat);
		if (rc < RX_RSSAC_RCODES)
			c->rcode[rc]++;
	}
	secs = (__s64)(bpf_ktime_get_tai_ns() / RX_NS_PER_S) - cfg->tai_offset;
	day = secs > 0 ? (__u32)((__u64)secs / RX_DAY_S) : 0;
	if (s->rs_v6) {
		rssac_hll_add(day, RX_HLL_IPV6, s->src[0], s->src[1]);
		rssac_hll_add(day, RX_HLL_IPV6_AGG, s->src[0], 0);
	} else {
		rssac_hll_add(day, RX_HLL_IPV4, s->src[0], 0);
	}
	return 0;
}

#endif /* RX_RSSAC_BPF_H */
