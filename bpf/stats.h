/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * stats.h - per-CPU counters, one rx_stats block per path (XDP, TC) in
 * rx_stats[0].
 *
 * The block is looked up once per packet; counters are plain increments
 * because a per-CPU value is only written by the CPU running the packet.
 */
#ifndef RX_BPF_STATS_H
#define RX_BPF_STATS_H

#include "rootxdp.h"

/* path is a constant in each program, so the block is a fixed offset. */
static __always_inline struct rx_stats *stats_row(__u32 path)
{
	__u32 zero = 0;
	struct rx_stats_paths *v = bpf_map_lookup_elem(&rx_stats, &zero);

	if (!v)
		return NULL;
	return path == RX_PATH_TC ? &v->tc : &v->xdp;
}

/* idx is a compile-time constant or was bounded by the caller. */
static __always_inline void stat_inc(struct rx_stats *st, __u32 idx)
{
	if (st && idx < RX_STAT_MAX)
		(*rx_stat_ref(st, idx))++;
}

static __always_inline void stat_add(struct rx_stats *st, __u32 idx, __u64 n)
{
	if (st && idx < RX_STAT_MAX)
		*rx_stat_ref(st, idx) += n;
}

static __always_inline __u32 stat_qtype(__u16 qtype)
{
	switch (qtype) {
	case 1:  return RX_ST_QT_A;
	case 2:  return RX_ST_QT_NS;
	case 6:  return RX_ST_QT_SOA;
	case 12: return RX_ST_QT_PTR;
	case 15: return RX_ST_QT_MX;
	case 16: return RX_ST_QT_TXT;
	case 28: return RX_ST_QT_AAAA;
	case 43: return RX_ST_QT_DS;
	case 48: return RX_ST_QT_DNSKEY;
	case 47: return RX_ST_QT_NSEC;
	default: return RX_ST_QT_OTHER;
	}
}

/* Response DNS payload size buckets. */
static __always_inline __u32 stat_size(__u32 len)
{
	if (len < 128)
		return RX_ST_SZ_128;
	if (len < 512)
		return RX_ST_SZ_512;
	if (len < 1232)
		return RX_ST_SZ_1232;
	return RX_ST_SZ_BIG;
}

#endif
