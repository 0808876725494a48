/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * scratch.h - per-CPU working memory of the programs (not operator visible).
 *
 * The BPF stack is 512 bytes, so the frame headers, the query, its
 * lowercased name, the lookup key and the response under construction all
 * live in one PERCPU_ARRAY entry.  It is reused by every packet on the CPU,
 * so nothing in it may be trusted before this packet wrote it.  XDP and TC
 * run with preemption/migration disabled, so one packet owns the entry.
 */
#ifndef RX_SCRATCH_H
#define RX_SCRATCH_H

#include "rootxdp.h"

/* Ethernet + 2 VLAN tags + IPv6 + UDP = 14 + 8 + 40 + 8 = 70. */
#define RX_HDR_MAX	72
/* What of the response is built here (respond.h struct rx_out): the header
 * and the tail (CHAOS TXT, OPT) after a question's room: < 480 bytes.  Zone
 * bodies go from their map straight into the frame. */
#define RX_OUT_MAX	512
/* Query copy: 512 bytes plus slack: the question is copied with a
 * constant size, OPT fields are read at offsets masked to 511, and the
 * COOKIE option's 40 bytes are copied whole from such an offset. */
#define RX_Q_MAX	(RX_QUERY_MAX + 64)
/* Lowercased wire name plus room for a 64-byte key read at any label. */
#define RX_LNAME_MAX	(RX_NAME_MAX + 1 + 64)

struct rx_scratch {
	/* eth..udp, rewritten in place, then the DNS header (l234.h) */
	__u8 frame[RX_HDR_MAX + 16] __attribute__((aligned(8)));
	__u8 q[RX_Q_MAX];		/* DNS query as received */
	__u8 lname[RX_LNAME_MAX];	/* qname, wire form, lowercased */
	struct rx_label key __attribute__((aligned(8)));	/* TLD label */
	__u8 out[RX_OUT_MAX] __attribute__((aligned(8)));	/* DNS response */
	/* DNS cookie: the option's data as received (client cookie, server
	 * cookie), the SipHash input, the server cookie to send. */
	struct rx_cookie_opt ck;
	struct rx_cookie_buf ckbuf;
	__u64 ck_out[RX_COOKIE_SERVER / 8];
	/* the client's address (defend.h src_addr), for cookies and RRL */
	__u64 src[2];
	/* RSSAC002 (rssac_bpf.h): the query's size and family, noted by
	 * rx_core() for rssac_count() */
	__u32 rs_qlen;
	__u8  rs_v6;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rx_scratch);
} rx_scratch SEC(".maps");

static __always_inline struct rx_scratch *scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&rx_scratch, &zero);
}

#endif
