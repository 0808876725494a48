/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * l234.h - design.md step 15: turn the query's L2-L4 headers around for
 * the response (MACs, addresses, ports, lengths) and sum the checksums.
 * Beside parse.h, which read them; the DNS payload is respond.h's.
 */
#ifndef RX_L234_H
#define RX_L234_H

#include "rootxdp.h"
#include "scratch.h"
#include "parse.h"
#include "respond.h"
#include "csum.h"

static __always_inline void swap_bytes(__u8 *a, __u8 *b, __u32 n)
{
	__u32 i;

#pragma unroll
	for (i = 0; i < n; i++) {
		__u8 t = a[i];

		a[i] = b[i];
		b[i] = t;
	}
}

/*
 * Swap MACs, addresses and ports, set lengths, TTL/hop limit 64, DF, IPv4
 * checksum, and put the DNS header right after them (s->frame then holds
 * everything up to the question: one store); leave the UDP checksum 0 and
 * return its two partial sums, the fix-ups' changes left out (the
 * XDP program folds them, the TC program lets the kernel combine them with
 * whatever checksum offload state the skb carries).
 */
__noinline int rewrite_l234(struct rx_scratch *s, const struct rx_l234 *p,
			    struct rx_out *o)
{
	__u32 l3, l4, ulen;
	__u8 *f, *ip, *udp;
	__u8 ph[8] __attribute__((aligned(8))) = {};
	__u32 sum;

	if (!s || !p || !o)
		return RX_PASS_ERROR;
	l3 = p->l3off;
	ulen = sizeof(struct udphdr) + o->resp_len;
	f = s->frame;
	if (l3 > ETH_HLEN + 8 || o->resp_len > RX_RESP_MAX)
		return RX_PASS_ERROR;
	swap_bytes(f, f + ETH_ALEN, ETH_ALEN);
	ip = f + l3;
	if (!p->v6) {
		l4 = l3 + sizeof(struct iphdr);
		ip[0] = 0x45;
		ip[1] = 0;			/* DSCP 0, not ECN capable */
		wr16(ip + 2, sizeof(struct iphdr) + ulen);
		wr16(ip + 4, 0);		/* ID: atomic datagram, RFC 6864 */
		wr16(ip + 6, 0x4000);		/* DF */
		ip[8] = 64;
		wr16(ip + 10, 0);
		swap_bytes(ip + 12, ip + 16, 4);
		sum = csum_words(ip, 5, 0);
		*(__u16 *)(ip + 10) = csum_fold(sum);
		/* Pseudo header: addresses, zero, protocol, UDP length. */
		ph[1] = IPPROTO_UDP;
		wr16(ph + 2, ulen);
		sum = csum_words(ip + 12, 2, 0);
		sum = csum_words(ph, 1, sum);
	} else {
		l4 = l3 + sizeof(struct ipv6hdr);
		ip[0] = 0x60;			/* traffic class 0, no flow label */
		ip[1] = 0;
		ip[2] = 0;
		ip[3] = 0;
		wr16(ip + 4, ulen);
		ip[7] = 64;
		swap_bytes(ip + 8, ip + 24, 16);
		/* Pseudo header (RFC 8200 8.1): addresses, 32-bit length,
		 * three zero bytes, next header. */
		wr16(ph + 2, ulen);
		ph[7] = IPPROTO_UDP;
		sum = csum_words(ip + 8, 8, 0);
		sum = csum_words(ph, 2, sum);
	}
	o->sum_pseudo = sum;
	udp = f + l4;
	swap_bytes(udp, udp + 2, 2);
	wr16(udp + 4, ulen);
	wr16(udp + 6, 0);
	sum = csum_words(udp, 2, 0);
	/* The payload's sum from its parts (respond.h), no pass over it. */
	o->sum_data = csum_add(sum, payload_sum(s, o));
	o->l4off = l4;
	o->hdr_len = l4 + sizeof(struct udphdr);
	__builtin_memcpy(udp + sizeof(struct udphdr), s->out, DNS_HLEN);
	o->new_len = o->hdr_len + o->resp_len;
	return 0;
}

#endif
