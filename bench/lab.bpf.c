// SPDX-License-Identifier: GPL-2.0-only
/*
 * lab.bpf.c - the two ends of the XDP lab (bench/lab.c drives them).
 *
 * lab_gen: run by BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES in the
 * client namespace.  Each run writes query k of lab_tmpl into its frame
 * (length and every byte: the kernel resets a recycled page's pointers but
 * not its contents, which still hold the answer the server wrote, see
 * bench/restore.bpf.c) and redirects it to the client veth.  veth hands
 * the xdp_frame to its peer, where the server's native XDP program sees
 * it as a NIC's frame: in a page, with ~3.5 KB of tailroom.
 *
 * lab_sink: native XDP on the client veth.  Counts the UDP frames from
 * port 53 (the answers, whichever path sent them: XDP_TX, TC or a daemon's
 * socket) and drops them; passes everything else (ARP, ND).  With per_id
 * set it also counts answers per DNS ID (the generator's query k has ID k),
 * so a test can see that every query got exactly its answers.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LAB_TMPL_MAX);
	__type(key, __u32);
	__type(value, struct lab_tmpl);
} lab_tmpl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lab_ctl);
} lab_ctl SEC(".maps");

/* The generator's next k, per CPU (bench/lab.c pins itself to one CPU). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} lab_next SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lab_sink);
} lab_sink SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LAB_TMPL_MAX);
	__type(key, __u32);
	__type(value, __u64);
} lab_ids SEC(".maps");

SEC("xdp")
int lab_gen(struct xdp_md *ctx)
{
	__u32 zero = 0, k, len, cur;
	struct lab_ctl *c = bpf_map_lookup_elem(&lab_ctl, &zero);
	__u32 *next = bpf_map_lookup_elem(&lab_next, &zero);
	struct lab_tmpl *t;

	if (!c || !next || !c->count)
		return XDP_ABORTED;
	k = *next;
	if (k >= c->count)
		k = 0;
	*next = k + 1;
	t = bpf_map_lookup_elem(&lab_tmpl, &k);
	if (!t)
		return XDP_ABORTED;
	len = t->len;
	if (len < ETH_HLEN)
		return XDP_ABORTED;
	barrier_var(len);
	if (len > LAB_FRAME_MAX)
		return XDP_ABORTED;
	cur = bpf_xdp_get_buff_len(ctx);
	if (cur != len && bpf_xdp_adjust_tail(ctx, (int)len - (int)cur))
		return XDP_ABORTED;
	if (bpf_xdp_store_bytes(ctx, 0, t->data, len))
		return XDP_ABORTED;
	return bpf_redirect(c->ifindex, 0);
}

SEC("xdp")
int lab_sink_prog(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	struct lab_sink *s;
	struct lab_ctl *c;
	__u32 zero = 0;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP)
			goto other;
		udp = (void *)ip + ip->ihl * 4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_UDP)
			goto other;
		udp = (void *)(ip6 + 1);
	} else {
		goto other;
	}
	if ((void *)(udp + 1) > end || udp->source != bpf_htons(53))
		goto other;
	s = bpf_map_lookup_elem(&lab_sink, &zero);
	if (s) {
		s->answers++;
		s->bytes += bpf_xdp_get_buff_len(ctx);
	}
	c = bpf_map_lookup_elem(&lab_ctl, &zero);
	if (c && c->per_id) {
		__u8 *id = (void *)(udp + 1);
		__u32 k;
		__u64 *n;

		if ((void *)(id + 2) <= end) {
			k = id[0] << 8 | id[1];
			n = bpf_map_lookup_elem(&lab_ids, &k);
			if (n)
				__sync_fetch_and_add(n, 1);
		}
	}
	return XDP_DROP;
other:
	s = bpf_map_lookup_elem(&lab_sink, &zero);
	if (s)
		s->other++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
