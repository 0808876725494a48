/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * taptop.h - what the kernel paths share with userspace for watching
 * traffic (included by rootxdp.h):
 *   - the dnstap sample: 1 in N answered queries, query and response,
 *     as one fixed-size record in the rx_tap ring buffer (bpf/tap.h),
 *     read by rootxdpd (fallback/ktap.c) into its dnstap stream;
 *   - the names asked: per-CPU counters by TLD label (existent and not)
 *     and by qtype (bpf/top.h), read by `rootxdp stats --top`.
 * docs/design.md "Watching the traffic" is the contract.
 */
#ifndef RX_TAPTOP_H
#define RX_TAPTOP_H

#include <linux/types.h>

/* rx_cfg.tap, written by the loader from dnstap-sample-rate and top-names. */
struct rx_tap_cfg {
	__u32 sample_rate;	/* 1 in N answers to rx_tap; 0 = off */
	__u8  top;		/* count names and qtypes (rx_top_*) */
	__u8  pad[3];
};

/* Query bytes kept: every query the kernel answers fits (larger ones are
 * passed to rootxdpd, RX_QUERY_MAX). */
#define RX_TAP_Q_MAX	512
/* Response bytes kept: an Ethernet MTU's UDP payload.  Larger answers
 * (mtu above 1500 and a client payload above 1472) are cut to this many
 * bytes; the record says so (rlen_full > rlen) and rootxdpd counts it. */
#define RX_TAP_R_MAX	1472
/* rx_tap's default size in bytes (dnstap-ring-size): ~2000 records. */
#ifndef RX_TAP_RING_DEFAULT
#define RX_TAP_RING_DEFAULT	(4u << 20)
#endif

#define RX_TAP_V6	0x01	/* addresses are IPv6 (else the first 4 bytes, IPv4) */

/* One sampled exchange: 2048 bytes, reserved whole (a constant size, so
 * the verifier knows every offset), filled from the frame itself. */
struct rx_tap_rec {
	__u64 qtime_ns;		/* UNIX ns, when the program got the query */
	__u64 rtime_ns;		/* UNIX ns, when the response was written */
	__u16 qlen;		/* bytes in q[] */
	__u16 rlen;		/* bytes in r[] */
	__u16 rlen_full;	/* response size as sent (> rlen: cut) */
	__u16 cport;		/* client port, host order */
	__u16 sport;		/* server port (53) */
	__u8  path;		/* enum rx_path: xdp, tc */
	__u8  flags;		/* RX_TAP_* */
	__u8  client[16];
	__u8  server[16];
	__u32 pad;
	__u8  q[RX_TAP_Q_MAX];	/* the query as received */
	__u8  r[RX_TAP_R_MAX];	/* the response as sent */
};

/* rx_top_qt[0]: answered queries by qtype (0..255; 256 = any higher). */
#define RX_TOP_QT	257
struct rx_top_qt {
	__u64 n[RX_TOP_QT];
};

/* rx_top_tld: existent TLDs (and "." for the apex) by label, per CPU.
 * The root zone has ~1500 TLDs; a label that finds the table full is
 * counted in top_full instead. */
#ifndef RX_TOP_TLD_MAX
#define RX_TOP_TLD_MAX	4096
#endif
/* rx_top_nx: nonexistent TLDs, an LRU table (the least recently asked
 * label goes when a new one comes: heavy hitters stay, their count is
 * since they last came in). */
#ifndef RX_TOP_NX_MAX
#define RX_TOP_NX_MAX	16384
#endif

#ifndef __bpf__
_Static_assert(sizeof(struct rx_tap_cfg) == 8, "rx_tap_cfg layout");
_Static_assert(sizeof(struct rx_tap_rec) == 2048, "rx_tap_rec: 2 KiB a record");
#endif

#endif
