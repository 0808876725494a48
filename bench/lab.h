/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * lab.h - what the XDP lab's programs (bench/lab.bpf.c, bench/copyfloor.bpf.c)
 * and its driver (bench/lab.c) agree on: map values, sizes.
 */
#ifndef RX_BENCH_LAB_H
#define RX_BENCH_LAB_H

#include <linux/types.h>

#define LAB_TMPL_MAX	4096	/* query templates (lab_tmpl entries) */
#define LAB_FRAME_MAX	512	/* one query frame, Ethernet header included */
#define LAB_TAIL_MAX	2048	/* bytes the copy floor may append */

/* lab_tmpl[k]: query frame k, as the generator writes it into its frame. */
struct lab_tmpl {
	__u32 len;
	__u8 data[LAB_FRAME_MAX];
};

/* lab_ctl[0]: set by bench/lab.c before the run. */
struct lab_ctl {
	__u32 ifindex;		/* generator: bpf_redirect target (client veth) */
	__u32 count;		/* templates in use, 1..LAB_TMPL_MAX */
	__u32 per_id;		/* sink: count answers per DNS ID in lab_ids */
	__u32 pad;
};

/* lab_sink[0] (per CPU): what the sink saw. */
struct lab_sink {
	__u64 answers;		/* UDP frames from port 53, dropped */
	__u64 bytes;		/* their frame bytes (Ethernet header included) */
	__u64 other;		/* anything else, passed */
};

/* floor_tail[0]: the copy floor's appended bytes and their checksum. */
struct floor_tail {
	__u32 len;		/* bytes appended, 1..LAB_TAIL_MAX */
	__u32 sum;		/* one's complement sum of data[0..len), folded to
				 * 16 bits, as if it started at an even offset */
	__u8 data[LAB_TAIL_MAX];
};

#endif
