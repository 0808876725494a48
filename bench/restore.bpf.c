// SPDX-License-Identifier: GPL-2.0-only
/*
 * restore.bpf.c - makes BPF_PROG_TEST_RUN's `repeat` mean something for a
 * program that rewrites its input.
 *
 * With repeat > 1 the kernel runs the program again and again on the SAME
 * buffer (net/bpf/test_run.c: bpf_test_run() loops over one xdp_buff or
 * skb): run 2 of rootxdp sees the response run 1 wrote, a QR=1 frame, and
 * drops it.  So repeat = 1e6 of rootxdp alone times the drop path.
 *
 * These wrappers put the original query back first (length and bytes, from
 * the one-entry rb_frame map the bench tool fills) and then tail-call the
 * program under test from a one-slot prog array.  Every run of the repeat
 * loop then answers a fresh query.  The bench subtracts the cost of the
 * same wrapper tail-calling an empty program (bench_empty_*), so what is
 * left is the program's own cost per packet.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define RB_FRAME_MAX 1024

struct rb_frame {
	__u32 len;
	__u8 data[RB_FRAME_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rb_frame);
} rb_frame SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} rb_jmp_xdp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} rb_jmp_tc SEC(".maps");

SEC("xdp")
int bench_restore_xdp(struct xdp_md *ctx)
{
	__u32 zero = 0, len, cur;
	struct rb_frame *f = bpf_map_lookup_elem(&rb_frame, &zero);

	if (!f)
		return XDP_ABORTED;
	len = f->len;
	if (len < 14)
		return XDP_ABORTED;
	barrier_var(len);
	if (len > RB_FRAME_MAX)
		return XDP_ABORTED;
	cur = bpf_xdp_get_buff_len(ctx);
	if (cur != len && bpf_xdp_adjust_tail(ctx, (int)len - (int)cur))
		return XDP_ABORTED;
	if (bpf_xdp_store_bytes(ctx, 0, f->data, len))
		return XDP_ABORTED;
	bpf_tail_call(ctx, &rb_jmp_xdp, 0);
	return XDP_ABORTED;
}

SEC("tc")
int bench_restore_tc(struct __sk_buff *skb)
{
	__u32 zero = 0, len;
	struct rb_frame *f = bpf_map_lookup_elem(&rb_frame, &zero);

	if (!f)
		return TC_ACT_SHOT;
	len = f->len;
	if (len < 14)
		return TC_ACT_SHOT;
	barrier_var(len);
	if (len > RB_FRAME_MAX)
		return TC_ACT_SHOT;
	if (skb->len != len && bpf_skb_change_tail(skb, len, 0))
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, 0, f->data, len, 0))
		return TC_ACT_SHOT;
	bpf_tail_call(skb, &rb_jmp_tc, 0);
	return TC_ACT_SHOT;
}

/* The baselines: what the wrappers cost with nothing behind them. */
SEC("xdp")
int bench_empty_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc")
int bench_empty_tc(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
