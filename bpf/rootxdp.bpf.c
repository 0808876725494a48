// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rootxdp.bpf.c - answer root-zone queries in the kernel.
 *
 * Two entry programs share everything but the packet I/O:
 *   rootxdp_xdp  SEC("xdp"): grows the frame with bpf_xdp_adjust_tail and
 *                sends it back with XDP_TX; without tailroom it passes the
 *                frame (pass_no_room) so that
 *   rootxdp_tc   SEC("tc"), on clsact ingress, answers it from the same maps
 *                with bpf_skb_change_tail and bpf_redirect to the device's
 *                egress.
 * docs/design.md "Answering a query" is the contract; step numbers in the
 * comments refer to it.  Verdict policy (STYLE 6.9): TX = answered, PASS =
 * anything we do not fully handle, DROP = QR=1 or an unreadable header.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "rootxdp.h"
#include "maps.h"
#include "scratch.h"
#include "stats.h"
#include "parse.h"
#include "dns.h"
#include "respond.h"
#include "l234.h"
#include "defend.h"
#include "rssac_bpf.h"
#include "tap.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Clang 14 emits only a forward declaration for a struct
 * named solely inside __array(values, ...), and libbpf 1.1 then fails with
 * "map 'rx_zone.inner': can't determine value size".  These unused
 * globals anchor the inner maps' key/value types in BTF (the loader also
 * reads their type ids to give the inner maps typed BTF).
 */
struct rx_resp rx_anchor_resp __attribute__((unused));
struct rx_chunk rx_anchor_chunk __attribute__((unused));
struct rx_label rx_anchor_label __attribute__((unused));
struct rx_tld rx_anchor_tld __attribute__((unused));
struct rx_nsec rx_anchor_nsec __attribute__((unused));

#define RX_ANSWER	0
#define RX_PASS		1
#define RX_DROP		2

#ifndef RX_XDP_PROBE
#define RX_XDP_PROBE	256	/* smaller than nearly every zone answer's growth */
#endif

static __always_inline int xdp_has_room(void *ctx)
{
	if (bpf_xdp_adjust_tail(ctx, RX_XDP_PROBE))
		return 0;
	/* Shrinking back cannot fail: the frame is as received again. */
	bpf_xdp_adjust_tail(ctx, -RX_XDP_PROBE);
	return 1;
}

static __always_inline long load_bytes(void *ctx, int xdp, __u32 off, void *to, __u32 len)
{
	if (xdp)
		return bpf_xdp_load_bytes(ctx, off, to, len);
	return bpf_skb_load_bytes(ctx, off, to, len);
}

/*
 * Everything from the frame's first byte to a response ready in scratch:
 * s->frame holds the new eth..udp headers (UDP checksum 0), s->out the DNS
 * payload, o the lengths and the checksum sums.  Pass and drop reasons
 * are counted here; answers are counted by the caller once sent.
 */
static __always_inline int rx_core(void *ctx, int xdp, struct rx_scratch *s,
				   struct rx_stats *st, struct rx_out *o)
{
	struct rx_l234 p = {};
	struct rx_query q = {};
	struct rx_pick a = {};
	const struct rx_cfg *cfg;
	__u32 reason = RX_PASS_ERROR, n, zero = 0, mtu;

	p.frame_len = xdp ? bpf_xdp_get_buff_len(ctx) : ((struct __sk_buff *)ctx)->len;
	o->frame_len = p.frame_len;
	stat_inc(st, RX_ST_PACKETS);

	/* Step 1. */
	n = p.frame_len;
	if (n > RX_HDR_MAX)
		n = RX_HDR_MAX;
	/* Two checks with barrier_var() between them, else
	 * clang merges them and the verifier says "invalid zero-sized read". */
	barrier_var(n);
	if (n < ETH_HLEN) {
		reason = RX_PASS_L2;
		goto pass;
	}
	if (load_bytes(ctx, xdp, 0, s->frame, n))
		goto pass;
	reason = parse_l234(s, &p);
	if (reason)
		goto pass;
	stat_inc(st, p.v6 ? RX_ST_IPV6 : RX_ST_IPV4);
	if (p.nvlan)
		stat_inc(st, RX_ST_VLAN);

	/* Step 2. */
	if (p.dns_len < DNS_HLEN) {
		stat_inc(st, RX_DROP_SHORT);
		return RX_DROP;
	}
	n = p.dns_len;
	if (n > RX_QUERY_MAX)
		n = RX_QUERY_MAX;
	barrier_var(n);
	if (n < DNS_HLEN)
		goto pass;
	if (load_bytes(ctx, xdp, p.dnsoff, s->q, n))
		goto pass;
	if (s->q[2] & DNS_QR) {
		stat_inc(st, RX_DROP_QR);
		return RX_DROP;
	}
	if (p.dns_len > RX_QUERY_MAX) {
		reason = RX_PASS_BIG_QUERY;
		goto pass;
	}
	/*
	 * XDP only: where the driver leaves the frame no room to grow (veth
	 * and any driver that runs XDP on a buffer sized to the packet),
	 * building an answer only to fail bpf_xdp_adjust_tail afterwards is
	 * wasted work that TC then does again (make bench saw 93% of veth
	 * answers take that road).  A probe for RX_XDP_PROBE bytes, undone at
	 * once, sends such frames to TC before any work; answers that need
	 * more than the probe still meet the real resize below.
	 */
	if (xdp && !xdp_has_room(ctx)) {
		reason = RX_PASS_NO_ROOM;
		goto pass;
	}
	stat_add(st, RX_ST_BYTES_IN, p.dns_len);

	/* Steps 3-7. */
	q.len = p.dns_len;
	reason = dns_parse(s, &q);
	if (reason && reason != RX_FORMERR)
		goto pass;
	cfg = bpf_map_lookup_elem(&rx_cfg, &zero);
	if (!cfg) {
		reason = RX_PASS_ERROR;
		goto pass;
	}
	src_addr(s, &p, s->src);	/* for steps 7a and 14a */
	rssac_note(s, &p);	/* RSSAC002: counted where the query ends */
	if (reason == RX_FORMERR) {
		if (q.cookie_formerr)
			stat_inc(st, RX_ST_CK_FORMERR);
		build_formerr(s, o);
		o->kind = RX_ST_K_ERROR;
		o->rc_stat = RX_ST_RC_FORMERR;
		o->qt_stat = RX_STAT_MAX;	/* no question: not counted */
	} else {
		if (q.edns)
			stat_inc(st, RX_ST_EDNS);
		if (q.dobit)
			stat_inc(st, RX_ST_DO);
		/* Step 7a. */
		reason = cookie_step(s, &q, cfg, &p);
		if (reason)
			goto pass;
		if (q.verdict != RX_CK_NONE) {
			stat_inc(st, q.verdict == RX_CK_GOOD ? RX_ST_CK_GOOD :
				     q.verdict == RX_CK_BAD ? RX_ST_CK_BAD : RX_ST_CK_CLIENT);
			if (q.minted)
				stat_inc(st, RX_ST_CK_MINTED);
		}
		/* Steps 8-11. */
		reason = pick_answer(s, &q, cfg, &a);
		if (reason)
			goto pass;
		/* Steps 12-14. */
		reason = build_response(s, &q, cfg, &a, o);
		if (reason)
			goto pass;
		o->kind = a.kind;
		/* Zone bodies carry their rcode (NOERROR or NXDOMAIN). */
		if (a.body == BODY_ZONE)
			o->rc_stat = o->rcode == DNS_R_NXDOMAIN ? RX_ST_RC_NXDOMAIN :
								 RX_ST_RC_NOERROR;
		else
			o->rc_stat = a.rc_stat;
		o->qt_stat = stat_qtype(q.qtype);
	}

	/* Step 14a: rate limiting, on what was built (its class and size). */
	o->rrl_name = a.rrl_name;
	n = rrl_step(s, &q, cfg, &p, o);
	if (n) {
		stat_inc(st, n);
		if (n == RX_ST_RRL_LOG_ONLY || n == RX_ST_RRL_SLIPPED || n == RX_DROP_RRL)
			stat_inc(st, RX_ST_RRL_LIMITED);
	}
	if (n == RX_DROP_RRL) {
		rssac_count(xdp ? RX_PATH_XDP : RX_PATH_TC, NULL);	/* RSSAC002 */
		return RX_DROP;
	}
	/* A FORMERR is header-only already: as a slip it goes out as it is. */
	if (n == RX_ST_RRL_SLIPPED && o->rc_stat != RX_ST_RC_FORMERR) {
		reason = build_slip(s, &q, cfg, o);
		if (reason)
			goto pass;
		o->rc_stat = o->rcode ? RX_ST_RC_BADCOOKIE : RX_ST_RC_NOERROR;
	}

	/* Step 15: MTU (L3 size), then headers and checksums. */
	mtu = cfg->mtu ? cfg->mtu : RX_MTU_DEFAULT;
	if ((p.v6 ? RX_IP6_HLEN : RX_IP4_HLEN) + RX_UDP_HLEN + o->resp_len > mtu) {
		reason = RX_PASS_MTU;
		goto pass;
	}
	reason = rewrite_l234(s, &p, o);
	if (reason)
		goto pass;
	return RX_ANSWER;
pass:
	stat_inc(st, reason);
	return RX_PASS;
}

static __always_inline void count_answer(struct rx_stats *st, const struct rx_out *o)
{
	stat_inc(st, RX_ST_ANSWERED);
	stat_inc(st, o->kind);
	stat_inc(st, o->rc_stat);
	stat_inc(st, o->qt_stat);
	stat_inc(st, stat_size(o->resp_len));
	stat_add(st, RX_ST_BYTES_OUT, o->resp_len);
	if (o->tc)
		stat_inc(st, RX_ST_TRUNCATED);
	if (o->glue_cut)
		stat_inc(st, RX_ST_GLUE_CUT);
}

/* Lengths handed to the store helpers: clamped right before use. */
#define CLAMP_LEN(v, max)			\
	({					\
		__u32 __v = (v);		\
		if (__v > (max))		\
			__v = (max);		\
		barrier_var(__v);		\
		/* Signed: clang makes "< 1" an "== 0" test, and 6.1	\
		 * learns no lower bound from its false branch.  */	\
		if ((__s32)__v < 1)		\
			__v = 1;		\
		__v;				\
	})

/*
 * Step 15, the payload's bytes that are not in s->frame: a zone body from
 * its rx_blob chunks straight into the frame (one store per chunk, no
 * copy on the way), then the tail (OPT, CHAOS TXT) from s->out.
 */
static __always_inline int put_body_tail(void *ctx, int xdp, struct rx_scratch *s,
					 const struct rx_out *o)
{
	__u32 slot = o->slot, idx, i, done, len, off, src;
	const struct rx_chunk *ch;
	void *inner;

	if (o->body_len) {
		inner = bpf_map_lookup_elem(&rx_blob, &slot);
		if (!inner)
			return -1;
		for (i = 0; i < RX_CHUNKS_MAX; i++) {
			done = i * RX_CHUNK;
			if (done >= o->body_len)
				break;
			idx = o->body_chunk + i;
			ch = bpf_map_lookup_elem(inner, &idx);
			if (!ch)
				return -1;
			off = o->hdr_len + o->base + done;
			len = CLAMP_LEN(o->body_len - done, RX_CHUNK);
			if (xdp ? bpf_xdp_store_bytes(ctx, off, (void *)ch->b, len) :
				  bpf_skb_store_bytes(ctx, off, ch->b, len, 0))
				return -1;
		}
	}
	if (o->resp_len == o->tail_at)
		return 0;
	src = o->tail_src;
	if (src > RX_BASE_MAX)
		return -1;
	off = o->hdr_len + o->tail_at;
	len = CLAMP_LEN(o->resp_len - o->tail_at, RX_TAIL_MAX);
	if (xdp)
		return bpf_xdp_store_bytes(ctx, off, s->out + src, len) ? -1 : 0;
	return bpf_skb_store_bytes(ctx, off, s->out + src, len, 0) ? -1 : 0;
}

/*
 * The body's compression pointers, relocated in the frame (design.md "A
 * response body"): a plain one by the question's size, an RX_FIX_QTLD one
 * to QNAME's last label.  Returns what that changes in the checksum, or -1:
 * + ~old + new for each (RFC 1624), at the word's parity.  data..end is
 * the frame, linear where the body is (XDP without frags; TC after the
 * stores and a pull).
 */
static __always_inline __s64 put_fixes(__u8 *data, __u8 *end, const struct rx_out *o)
{
	__u32 slot = o->slot, idx = o->resp, n, i, sum = 0;
	const struct rx_resp *r;
	void *inner;

	if (!o->body_len)
		return 0;
	inner = bpf_map_lookup_elem(&rx_resp, &slot);
	if (!inner)
		return -1;
	r = bpf_map_lookup_elem(inner, &idx);
	if (!r)
		return -1;
	n = r->nfix;
	/* A constant bound (see cut_pick in respond.h). */
	for (i = 0; i < RX_FIX_MAX; i++) {
		__u32 f = r->fix[i], at = f & ~RX_FIX_QTLD, pos, off;
		__u16 old, new;
		__u8 *p;

		if (i >= n)
			break;
		if (at + 2 > o->body_len)	/* in the part cut away */
			continue;
		pos = o->base + at;
		off = o->hdr_len + pos;
		if (off > RX_HDR_MAX + RX_RESP_MAX)
			return -1;
		p = data + off;
		if (p + 2 > end)
			return -1;
		old = ((__u16)p[0] << 8) | p[1];
		new = f & RX_FIX_QTLD ? o->tld_ptr : old + o->qsz;
		p[0] = new >> 8;
		p[1] = new & 0xff;
		sum += 0xffff - word_at(old, pos);
		sum += word_at(new, pos);
	}
	return sum;
}

SEC("xdp")
int rootxdp_xdp(struct xdp_md *ctx)
{
	struct rx_stats *st = stats_row(RX_PATH_XDP);
	struct rx_scratch *s = scratch_get();
	struct rx_out o = {};
	__u32 hlen, l4;
	__s64 fsum;
	__u8 *data, *end, *udp;
	__u16 check;
	int ret;

	if (!s)
		return XDP_PASS;
	ret = rx_core(ctx, 1, s, st, &o);
	if (ret == RX_DROP)
		return XDP_DROP;
	if (ret != RX_ANSWER)
		return XDP_PASS;
	tap_query(ctx, 1, st, &o);

	/* Nothing is written before the frame has its final size: if the
	 * driver has no tailroom the query goes up intact, to the TC program. */
	if (bpf_xdp_adjust_tail(ctx, (int)o.new_len - (int)o.frame_len)) {
		stat_inc(st, RX_PASS_NO_ROOM);
		return XDP_PASS;
	}
	/* The frame was resized: only offsets from here on, no old pointers.
	 * Headers up to the DNS header in one store; the question is in
	 * place already; body and tail; fix-ups and checksum in place. */
	hlen = CLAMP_LEN(o.hdr_len + DNS_HLEN, RX_HDR_MAX + DNS_HLEN);
	if (bpf_xdp_store_bytes(ctx, 0, s->frame, hlen) || put_body_tail(ctx, 1, s, &o))
		goto abort;
	data = (__u8 *)(long)ctx->data;
	end = (__u8 *)(long)ctx->data_end;
	fsum = put_fixes(data, end, &o);
	if (fsum < 0)
		goto abort;
	check = csum_fold(csum_add(csum_add(o.sum_pseudo, o.sum_data), fsum));
	l4 = o.l4off;
	if (l4 > RX_HDR_MAX - 8)
		goto abort;
	udp = data + l4;
	if (udp + 8 > end)
		goto abort;
	/* RFC 768: a computed 0 is sent as all ones (0 = no checksum). */
	*(__u16 *)(udp + 6) = check ? check : 0xffff;
	watch_sent(ctx, 1, &o, st);
	count_answer(st, &o);
	rssac_count(RX_PATH_XDP, &o);
	return XDP_TX;
abort:
	/* Cannot happen: the frame has exactly the bytes written. */
	stat_inc(st, RX_PASS_ERROR);
	return XDP_ABORTED;
}

SEC("tc")
int rootxdp_tc(struct __sk_buff *skb)
{
	struct rx_stats *st = stats_row(RX_PATH_TC);
	struct rx_scratch *s = scratch_get();
	/* The MARK flags make a computed 0 all ones (RFC 768) and keep the
	 * helper from skipping a field that happens to be 0. */
	const __u64 mm = BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE;
	struct rx_out o = {};
	__u32 hlen, l4;
	__u8 *data, *end;
	__s64 fsum = 0;
	int ret;

	if (!s)
		return TC_ACT_OK;
	ret = rx_core(skb, 0, s, st, &o);
	if (ret == RX_DROP)
		return TC_ACT_SHOT;
	if (ret != RX_ANSWER)
		return TC_ACT_OK;
	tap_query(skb, 0, st, &o);

	/* One resize, to the final size. */
	if (bpf_skb_change_tail(skb, o.new_len, 0)) {
		stat_inc(st, RX_PASS_ERROR);
		return TC_ACT_OK;
	}
	l4 = o.l4off;
	if (l4 > RX_HDR_MAX - 8)
		return TC_ACT_SHOT;
	/* 0xffff is 0 in one's complement: the seed for the two updates.
	 * l4 lives on the stack across the helper calls below and clang
	 * spills it before the check above; 6.1 does not carry the check to
	 * the spilled copy ("R1 unbounded memory access"), so bound the
	 * offset again where it is used. */
	barrier_var(l4);
	*(__u16 *)(s->frame + (l4 & 0x7f) + 6) = 0xffff;
	/* Each length is clamped just before its helper: clamped up front,
	 * it was spilled before its check and refilled unbounded across the
	 * first call ("invalid access to map value ... size=0" on 6.1). */
	hlen = CLAMP_LEN(o.hdr_len + DNS_HLEN, RX_HDR_MAX + DNS_HLEN);
	if (bpf_skb_store_bytes(skb, 0, s->frame, hlen, 0) || put_body_tail(skb, 0, s, &o))
		goto shot;
	if (o.body_len) {
		/* Linear and writable to the end (the stores made it so; a
		 * no-op then), for the fix-ups' direct writes. */
		if (bpf_skb_pull_data(skb, o.new_len))
			goto shot;
		data = (__u8 *)(long)skb->data;
		end = (__u8 *)(long)skb->data_end;
		fsum = put_fixes(data, end, &o);
		if (fsum < 0)
			goto shot;
	}
	/*
	 * UDP checksum through the kernel's own helper, so that it is right
	 * whatever skb->ip_summed says (the program cannot read it): with
	 * CHECKSUM_PARTIAL (veth, local senders) the field must hold the
	 * pseudo-header seed and the device sums the rest, which is what the
	 * first call leaves and the second (no BPF_F_PSEUDO_HDR) does not
	 * touch; otherwise the two calls add up to the full checksum.
	 */
	if (bpf_l4_csum_replace(skb, l4 + 6, 0, o.sum_pseudo, BPF_F_PSEUDO_HDR | mm) ||
	    bpf_l4_csum_replace(skb, l4 + 6, 0, csum_add(o.sum_data, fsum), mm))
		goto shot;
	watch_sent(skb, 0, &o, st);
	count_answer(st, &o);
	rssac_count(RX_PATH_TC, &o);
	return bpf_redirect(skb->ifindex, 0);
shot:
	/* Cannot happen after a successful resize; the skb is half written. */
	stat_inc(st, RX_PASS_ERROR);
	return TC_ACT_SHOT;
}
