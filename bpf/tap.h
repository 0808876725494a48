/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * tap.h - the kernel paths' dnstap sample (design.md "Watching the
 * traffic"): 1 in N answers (rx_cfg.tap.sample_rate) goes to the rx_tap
 * ring buffer as one struct rx_tap_rec, query and response copied from
 * the frame itself, for rootxdpd to write as AUTH_QUERY/AUTH_RESPONSE.
 *
 * The response is written over the query, so the record is made in two
 * steps in a per-CPU buffer (rx_tap_buf): tap_query() copies the query,
 * addresses and ports out of the untouched frame once the answer is
 * built, tap_response() copies the response out of the frame once it is
 * written, then hands the record to the ring (bpf_ringbuf_output).  The
 * buffer, not the stack, carries the record from one to the other: both
 * programs' stacks are nearly full.  It is marked with the path and the
 * `answered` count it was armed at, so a query whose answer was not sent
 * after all (XDP without tailroom passes it to TC) is never paired with
 * another answer: the next answer of that path has the same count and
 * arms the buffer again.
 *
 * Which answers: per CPU and path, those whose number in that row's
 * `answered` counter is a multiple of N, so Q answers on one CPU give
 * floor(Q/N) or ceil(Q/N) samples.  tap_sampled counts the records sent
 * to the ring, tap_lost those the ring had no room for (reader behind).
 */
#ifndef RX_TAP_H
#define RX_TAP_H

#include "rootxdp.h"
#include "parse.h"
#include "stats.h"
#include "top.h"

/* rx_tap: the sample, read by rootxdpd (fallback/ktap.c).  Sized by the
 * loader at attach (dnstap-ring-size); kept by an upgrade. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RX_TAP_RING_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rx_tap SEC(".maps");

/* rx_tap_buf: one record under construction per CPU (not pinned: nothing
 * in it outlives a packet). */
struct rx_tap_buf {
	struct rx_tap_rec rec;
	__u64 armed;		/* answered + 1 when armed, 0 = not */
	__u32 path;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rx_tap_buf);
} rx_tap_buf SEC(".maps");

static __always_inline long tap_load(void *ctx, int xdp, __u32 off, void *to, __u32 len)
{
	if (xdp)
		return bpf_xdp_load_bytes(ctx, off, to, len);
	return bpf_skb_load_bytes(ctx, off, to, len);
}

/*
 * v clamped to [1, max] in the register the helper gets it in.  Written
 * in C, clang 14 copies v and compares the original, and 6.1 bounds only
 * the one it compared ("invalid access to map value, value_size=2064
 * off=576 size=4607"); and 6.1 learns no lower bound from "!= 0".
 */
#define TAP_CLAMP(v, max)						\
	({								\
		__u64 __v = (v);					\
		asm volatile("if %[x] <= %[m] goto +1; %[x] = %[m]; "	\
			     "if %[x] > 0 goto +1; %[x] = 1"		\
			     : [x] "+r"(__v) : [m] "i"(max));		\
		__v;							\
	})

/* UNIX time in ns (rx_cfg.tai_offset: see rootxdp.h). */
static __always_inline __u64 tap_now(const struct rx_cfg *cfg)
{
	return bpf_ktime_get_tai_ns() - (__u64)cfg->tai_offset * RX_NS_PER_S;
}

/* Both steps are subprograms (static, so verified with the caller's
 * types): inlined, their locals pushed the programs' frames over 6.1's
 * 512-byte stack ("combined stack size of 3 calls is 544"). */

/* rx_core() has built the answer, the frame is not yet touched: if this
 * answer is one in N, copy the query, addresses and ports into the CPU's
 * buffer.  All from the frame: rx_out gives where UDP starts (34, 38 or
 * 42 for IPv4 behind 0..2 VLAN tags, 54, 58 or 62 for IPv6: options and
 * extension headers are passed), UDP's length field the query's. */
static __noinline void tap_query(void *ctx, int xdp, struct rx_stats *st,
				 const struct rx_out *o)
{
	const struct rx_cfg *cfg;
	__u32 zero = 0, l3, l4, v6;
	__u64 n;
	struct rx_tap_buf *b;
	__u16 ports[2], ulen;

	cfg = bpf_map_lookup_elem(&rx_cfg, &zero);
	if (!cfg || !o || !st || !cfg->tap.sample_rate || st->answered % cfg->tap.sample_rate)
		return;
	b = bpf_map_lookup_elem(&rx_tap_buf, &zero);
	if (!b)
		return;
	l4 = o->l4off & 0x7f;
	v6 = l4 >= ETH_HLEN + RX_IP6_HLEN;
	l3 = l4 - (v6 ? RX_IP6_HLEN : RX_IP4_HLEN);
	b->armed = 0;
	b->path = xdp ? RX_PATH_XDP : RX_PATH_TC;
	b->rec.qtime_ns = tap_now(cfg);
	b->rec.path = b->path;
	b->rec.flags = v6 ? RX_TAP_V6 : 0;
	__builtin_memset(b->rec.client, 0, sizeof(b->rec.client));
	__builtin_memset(b->rec.server, 0, sizeof(b->rec.server));
	if (v6) {
		if (tap_load(ctx, xdp, l3 + 8, b->rec.client, 16) ||
		    tap_load(ctx, xdp, l3 + 24, b->rec.server, 16))
			return;
	} else {
		if (tap_load(ctx, xdp, l3 + 12, b->rec.client, 4) ||
		    tap_load(ctx, xdp, l3 + 16, b->rec.server, 4))
			return;
	}
	if (tap_load(ctx, xdp, l4, ports, sizeof(ports)) ||
	    tap_load(ctx, xdp, l4 + 4, &ulen, sizeof(ulen)))
		return;
	b->rec.cport = bpf_ntohs(ports[0]);
	b->rec.sport = bpf_ntohs(ports[1]);
	n = TAP_CLAMP(bpf_ntohs(ulen) - 8, RX_TAP_Q_MAX);
	if (tap_load(ctx, xdp, l4 + 8, b->rec.q, n))
		return;
	b->rec.qlen = n;
	b->armed = st->answered + 1;
}

/* The response is in the frame, len bytes at off: if the buffer holds
 * this answer's query, add the response (at most RX_TAP_R_MAX bytes) and
 * send the record.  Before count_answer(), which moves `answered` on. */
static __noinline void tap_response(void *ctx, int xdp, struct rx_stats *st, __u32 off,
				    __u32 len)
{
	const struct rx_cfg *cfg;
	struct rx_tap_buf *b;
	__u32 zero = 0, path = xdp ? RX_PATH_XDP : RX_PATH_TC;
	__u64 n;

	if (!st)
		return;
	b = bpf_map_lookup_elem(&rx_tap_buf, &zero);
	if (!b || b->armed != st->answered + 1 || b->path != path)
		return;
	b->armed = 0;
	cfg = bpf_map_lookup_elem(&rx_cfg, &zero);
	if (!cfg)
		return;
	n = TAP_CLAMP(len, RX_TAP_R_MAX);
	if (tap_load(ctx, xdp, off & 0x7f, b->rec.r, n))
		return;
	b->rec.rlen = n;
	b->rec.rlen_full = len;
	b->rec.rtime_ns = tap_now(cfg);
	stat_inc(st, RX_ST_TAP_SAMPLED);
	if (bpf_ringbuf_output(&rx_tap, &b->rec, sizeof(b->rec), 0))
		stat_inc(st, RX_ST_TAP_LOST);
}

/* After the answer is sent, before count_answer(): the dnstap sample's
 * response and the name counters (bpf/top.h).  One call with the
 * response where rx_out says it is: fewer values live across it in the
 * programs, whose frames 6.1 allows no larger. */
static __noinline void watch_sent(void *ctx, int xdp, const struct rx_out *o,
				  struct rx_stats *st)
{
	if (!o)
		return;
	tap_response(ctx, xdp, st, o->hdr_len, o->resp_len);
	/* the scratch looked up again: keeping the programs' pointer alive
	 * until here cost them a register, and 6.1 the stack slot */
	top_count(scratch_get(), o, st);
}

#endif
