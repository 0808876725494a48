// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdp_count.bpf.c - "another owner's" XDP program for tests/manual/multiprog.sh:
 * counts the frames it sees and passes every one.  xc_count[0]: UDP to
 * port 53 (IPv4 or IPv6, no VLAN: what the test sends), [1]: all frames.
 * Loaded with xdp-loader into libxdp's dispatcher beside rootxdp, so the
 * test can tell which DNS queries reached it in each run order.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);	/* xdp-loader load -p DIR pins it */
} xc_count SEC(".maps");

static __always_inline void bump(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&xc_count, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp = NULL;

	bump(1);
	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP || ip->ihl != 5)
			return XDP_PASS;
		udp = (void *)(ip + 1);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_UDP)
			return XDP_PASS;
		udp = (void *)(ip6 + 1);
	}
	if (udp && (void *)(udp + 1) <= end && udp->dest == bpf_htons(53))
		bump(0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
