// SPDX-License-Identifier: GPL-2.0-only
/*
 * reflector.bpf.c - the trivial XDP "server" that bounds what a client can
 * measure: every UDP frame to port 53 goes back where it came from with
 * MACs, IP addresses and ports swapped and the DNS QR bit set (UDP checksum
 * patched incrementally, RFC 1624), XDP_TX.  Anything else (ARP, ND,
 * ICMP) is passed.  No VLAN tags, no IPv4 options, no IPv6 extension
 * headers: the bench frames have none.
 *
 * make bench attaches it, instead of rootxdp, on the server veth to measure
 * the client's own ceiling, and times it with BPF_PROG_TEST_RUN on the same
 * frames as rootxdp.  The reflected frame is itself a valid UDP/53 frame,
 * so test-run with repeat > 1 reflects it again and again (unlike rootxdp,
 * whose output is a response it drops).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

static __always_inline void swap(void *a, void *b, int n)
{
	__u8 t, *x = a, *y = b;

#pragma unroll
	for (int i = 0; i < 16; i++) {
		if (i >= n)
			break;
		t = x[i];
		x[i] = y[i];
		y[i] = t;
	}
}

SEC("xdp")
int bench_reflector(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__u16 *flags, old;
	__u32 sum;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
			return XDP_PASS;
		udp = (void *)(ip + 1);
		if ((void *)(udp + 1) > end)
			return XDP_PASS;
		swap(&ip->saddr, &ip->daddr, 4);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_UDP)
			return XDP_PASS;
		udp = (void *)(ip6 + 1);
		if ((void *)(udp + 1) > end)
			return XDP_PASS;
		swap(&ip6->saddr, &ip6->daddr, 16);
	} else {
		return XDP_PASS;
	}
	if (udp->dest != bpf_htons(53) && udp->source != bpf_htons(53))
		return XDP_PASS;
	flags = (void *)(udp + 1) + 2;
	if ((void *)(flags + 1) > end)
		return XDP_PASS;
	swap(eth->h_dest, eth->h_source, ETH_ALEN);
	swap(&udp->source, &udp->dest, 2);
	/* Addresses and ports swapped: the checksum is unchanged.  QR=1. */
	old = *flags;
	*flags = old | bpf_htons(0x8000);
	if (udp->check) {
		sum = (__u16)~udp->check + (__u16)~old + *flags;
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = ~sum & 0xffff;
		udp->check = sum ? sum : 0xffff;	/* RFC 768: 0 means none */
	}
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
