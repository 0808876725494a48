/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * parse.h - L2/L3/L4 of a query frame (design.md step 1).
 *
 * The programs copy the frame's first bytes into per-CPU scratch
 * (bpf_xdp_load_bytes / bpf_skb_load_bytes) and parse the copy.  That one
 * path serves XDP (also multi-buffer frames) and TC (also non-linear skbs)
 * alike, and the cursor is an offset with a constant upper bound, so every
 * access is provable without comparing against data_end.
 */
#ifndef RX_PARSE_H
#define RX_PARSE_H

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include "rootxdp.h"
#include "scratch.h"

#ifndef ETH_P_8021AD
#define ETH_P_8021AD	0x88A8
#endif

/* What step 1 learnt about the frame. */
struct rx_l234 {
	__u32 frame_len;	/* whole frame as the program got it */
	__u32 l3off;		/* 14, 18 or 22 */
	__u32 l4off;		/* l3off + 20 or 40 */
	__u32 dnsoff;		/* l4off + 8 */
	__u32 dns_len;		/* UDP length - 8 */
	__u8  v6;
	__u8  nvlan;
};

/* Cursor over the scratch copy: off never exceeds RX_HDR_MAX. */
struct cursor {
	__u32 off;
	__u32 len;		/* bytes of frame[] that hold this frame */
};

static __always_inline int cursor_has(const struct cursor *c, __u32 n)
{
	return c->off + n <= c->len;
}

static __always_inline __u16 rd16(const __u8 *p)
{
	return ((__u16)p[0] << 8) | p[1];
}

static __always_inline void wr16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static __always_inline int is_vlan(__u16 proto)
{
	return proto == ETH_P_8021Q || proto == ETH_P_8021AD;
}

/* IPv6 next-header values that are extension headers (RFC 8200 4,
 * IANA "IPv6 Extension Header Types"). */
static __always_inline int is_ipv6_ext(__u8 nh)
{
	switch (nh) {
	case 0: case 43: case 50: case 51: case 60:
	case 135: case 139: case 140: case 253: case 254:
		return 1;
	default:
		return 0;
	}
}

/*
 * Step 1.  Returns 0 for a UDP/53 datagram whose lengths agree with the
 * frame, else the RX_PASS_* reason.  s->frame holds min(frame_len,
 * RX_HDR_MAX) bytes of the frame.
 *
 * This and the other steps are global (noinline, non-static) functions:
 * the verifier checks each once, from its argument types, instead of once
 * per path through the caller.  Inlined, the six header layouts times the
 * DNS branches made it give up: "BPF program is too large. Processed
 * 1000001 insn".
 *
 * Lengths: the IP length must fit the frame; bytes after the IP packet are
 * accepted only as Ethernet minimum-size padding (frames of up to 64
 * bytes), anything longer with trailing bytes goes to the stack, which
 * trims and decides.  UDP length must equal the IP payload length.
 */
__noinline int parse_l234(struct rx_scratch *s, struct rx_l234 *p)
{
	struct cursor cur = {}, *c = &cur;
	const __u8 *f;
	__u32 iplen, ulen;
	__u16 proto;
	int i;

	if (!s || !p)
		return RX_PASS_ERROR;
	f = s->frame;
	c->len = p->frame_len < RX_HDR_MAX ? p->frame_len : RX_HDR_MAX;

	if (!cursor_has(c, ETH_HLEN))
		return RX_PASS_L2;
	proto = rd16(f + 12);
	c->off = ETH_HLEN;
	p->nvlan = 0;
	/* Two tags at most: 802.1ad outer + 802.1Q inner, or either alone. */
#pragma unroll
	for (i = 0; i < 2; i++) {
		if (!is_vlan(proto))
			break;
		if (!cursor_has(c, 4))
			return RX_PASS_L2;
		proto = rd16(f + c->off + 2);
		c->off += 4;
		p->nvlan++;
	}
	if (is_vlan(proto))
		return RX_PASS_L2;
	p->l3off = c->off;

	if (proto == ETH_P_IP) {
		if (!cursor_has(c, sizeof(struct iphdr)))
			return RX_PASS_BAD_LENGTH;
		const __u8 *ip = f + c->off;

		if ((ip[0] >> 4) != 4)
			return RX_PASS_NOT_DNS;
		if ((ip[0] & 0x0f) != 5)	/* IHL > 5: options */
			return (ip[0] & 0x0f) < 5 ? RX_PASS_BAD_LENGTH :
						    RX_PASS_IP_OPTIONS;
		if (rd16(ip + 6) & 0x3fff)	/* MF or a fragment offset */
			return RX_PASS_FRAGMENT;
		if (ip[9] != IPPROTO_UDP)
			return RX_PASS_NOT_DNS;
		c->off += sizeof(struct iphdr);
		if (!cursor_has(c, sizeof(struct udphdr)))
			return RX_PASS_BAD_LENGTH;
		if (rd16(f + c->off + 2) != RX_PORT)
			return RX_PASS_NOT_DNS;
		iplen = rd16(ip + 2);
		if (iplen < sizeof(struct iphdr) + sizeof(struct udphdr))
			return RX_PASS_BAD_LENGTH;
		ulen = iplen - sizeof(struct iphdr);
		p->v6 = 0;
	} else if (proto == ETH_P_IPV6) {
		if (!cursor_has(c, sizeof(struct ipv6hdr)))
			return RX_PASS_BAD_LENGTH;
		const __u8 *ip = f + c->off;

		if ((ip[0] >> 4) != 6)
			return RX_PASS_NOT_DNS;
		if (ip[6] == 44)		/* Fragment header */
			return RX_PASS_FRAGMENT;
		if (is_ipv6_ext(ip[6]))
			return RX_PASS_IPV6_EXT;
		if (ip[6] != IPPROTO_UDP)
			return RX_PASS_NOT_DNS;
		c->off += sizeof(struct ipv6hdr);
		if (!cursor_has(c, sizeof(struct udphdr)))
			return RX_PASS_BAD_LENGTH;
		if (rd16(f + c->off + 2) != RX_PORT)
			return RX_PASS_NOT_DNS;
		ulen = rd16(ip + 4);		/* 0 = jumbogram: not ours */
		iplen = ulen + sizeof(struct ipv6hdr);
		p->v6 = 1;
	} else {
		return RX_PASS_NOT_DNS;
	}

	p->l4off = c->off;
	p->dnsoff = c->off + sizeof(struct udphdr);
	if (p->l3off + iplen > p->frame_len)
		return RX_PASS_BAD_LENGTH;
	if (p->l3off + iplen < p->frame_len && p->frame_len > 64)
		return RX_PASS_BAD_LENGTH;
	if (rd16(f + p->l4off + 4) != ulen || ulen < sizeof(struct udphdr))
		return RX_PASS_BAD_LENGTH;
	p->dns_len = ulen - sizeof(struct udphdr);
	return 0;
}

#endif
