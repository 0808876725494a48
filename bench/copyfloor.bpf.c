// SPDX-License-Identifier: GPL-2.0-only
/*
 * copyfloor.bpf.c - the copy floor of the XDP lab: a reflector that does
 * what an answer must do and nothing else.  Every IPv4 UDP frame to port
 * 53 goes back with MACs, addresses and ports swapped and QR set (as
 * bench/reflector.bpf.c), and grows by floor_tail.len bytes copied from a
 * map value with one bpf_xdp_store_bytes; IP and UDP lengths and both
 * checksums are fixed incrementally (RFC 1624), the appended bytes' sum
 * coming precomputed with them (bench/lab.c fills floor_tail).  bench.sh
 * sets the length so that its frames are as long as rootxdp's mean answer
 * frame for the same queries.  No parse of the question, no lookup, no
 * DNS counts: the gap between it and rootxdp is what an answer costs
 * beyond its bytes.  IPv4 only, no VLAN, no IP options (the lab's frames
 * have none); anything else is passed.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct floor_tail);
} floor_tail SEC(".maps");

static __always_inline __u16 fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s;
}

SEC("xdp")
int bench_copyfloor(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	struct floor_tail *t;
	__u32 zero = 0, add, off, sum, tsum;
	__u16 *flags, old, ulen, nlen, ck;
	__u8 mac[ETH_ALEN];
	__be32 a;
	__be16 p;

	if ((void *)(udp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_UDP || udp->dest != bpf_htons(53))
		return XDP_PASS;
	flags = (void *)(udp + 1) + 2;
	if ((void *)(flags + 1) > end)
		return XDP_PASS;
	t = bpf_map_lookup_elem(&floor_tail, &zero);
	if (!t)
		return XDP_ABORTED;
	add = t->len;
	if (add < 1)
		return XDP_ABORTED;
	barrier_var(add);
	if (add > LAB_TAIL_MAX)
		return XDP_ABORTED;

	/* The reflector's part: swap, QR=1 (checksum unchanged by the swaps). */
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	a = ip->saddr, ip->saddr = ip->daddr, ip->daddr = a;
	p = udp->source, udp->source = udp->dest, udp->dest = p;
	old = *flags;
	*flags = old | bpf_htons(0x8000);
	ulen = bpf_ntohs(udp->len);
	nlen = ulen + add;
	/* UDP: QR, the length twice (header and pseudo-header), the bytes. */
	tsum = t->sum;
	if (ulen & 1)		/* appended at an odd offset: the sum byte-swapped */
		tsum = ((tsum & 0xff) << 8) | (tsum >> 8);
	sum = (__u16)~udp->check + (__u16)~old + *flags;
	sum += 2 * ((__u16)~bpf_htons(ulen) + (__u32)bpf_htons(nlen)) + tsum;
	ck = ~fold(sum);
	udp->check = ck ? ck : 0xffff;	/* RFC 768: 0 means none */
	udp->len = bpf_htons(nlen);
	/* IPv4: total length and header checksum. */
	off = ETH_HLEN + bpf_ntohs(ip->tot_len);
	sum = (__u16)~ip->check + (__u16)~ip->tot_len;
	ip->tot_len = bpf_htons(bpf_ntohs(ip->tot_len) + add);
	sum += ip->tot_len;
	ip->check = ~fold(sum);

	/* The copy: grow the frame, one store from the map value (at the
	 * end of the IP packet: a padded frame's padding is overwritten). */
	if (bpf_xdp_adjust_tail(ctx, (int)(off + add) - (int)bpf_xdp_get_buff_len(ctx)))
		return XDP_ABORTED;
	if (bpf_xdp_store_bytes(ctx, off, t->data, add))
		return XDP_ABORTED;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
