/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * maps.h - every map of rootxdp.bpf.o, with who writes it and when.
 *
 * Zone data is double-buffered: each outer ARRAY_OF_MAPS has RX_SLOTS
 * slots, rx_ctl names the live one.  The loader (loader/zone_maps.c)
 * creates fresh inner maps for the idle slot, fills them, writes
 * rx_meta[idle], then flips rx_ctl.slot: one 4-byte store, so every packet
 * sees one zone version (it reads the slot once, see rootxdp.bpf.c).
 * Inner maps carry BPF_F_INNER_MAP so their sizes may follow the zone.
 */
#ifndef ROOTXDP_MAPS_H
#define ROOTXDP_MAPS_H

#include "rootxdp.h"

/* Templates for the inner maps.  max_entries here is only the template's;
 * the loader sizes each inner map for the zone it holds. */
struct rx_resp_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rx_resp);
};

struct rx_blob_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rx_chunk);
};

struct rx_tld_inner {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1);
	__type(key, struct rx_label);
	__type(value, struct rx_tld);
};

struct rx_nsec_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rx_nsec);
};

/* Outer maps: written by the loader on every swap (rootxdp load). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, RX_SLOTS);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct rx_resp_inner);
} rx_resp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, RX_SLOTS);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct rx_blob_inner);
} rx_blob SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, RX_SLOTS);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct rx_tld_inner);
} rx_tld SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, RX_SLOTS);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct rx_nsec_inner);
} rx_nsec SEC(".maps");

/* rx_meta[slot]: written by the loader after the slot's inner maps. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RX_SLOTS);
	__type(key, __u32);
	__type(value, struct rx_meta);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rx_meta SEC(".maps");

/* rx_ctl[0]: the live slot; written by the loader last, one store. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rx_ctl);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rx_ctl SEC(".maps");

/* rx_cfg[0]: identity, payload size, MTU; written by the loader at attach
 * and on `rootxdp load`. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rx_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rx_cfg SEC(".maps");

/* rx_stats[0]: per-CPU counters, a named block per path (xdp, tc),
 * written by the programs, summed by `rootxdp stats`. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rx_stats_paths);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rx_stats SEC(".maps");

/*
 * rx_rrl: the RRL buckets, one per (prefix, class, name), shared by every
 * CPU (a per-CPU table would multiply the rate by the CPU count).  An LRU
 * hash: memory is fixed whatever the traffic; when it is full the least
 * recently used bucket goes, which can only give its owner a fresh
 * allowance, never lock anyone out.  The loader sizes it (rrl-table-size).
 */
#ifndef RX_RRL_TABLE_DEFAULT
#define RX_RRL_TABLE_DEFAULT	65536
#endif
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, RX_RRL_TABLE_DEFAULT);
	__type(key, struct rx_rrl_key);
	__type(value, struct rx_rrl_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rx_rrl SEC(".maps");

/* rx_rrl_exempt: rrl-exempt prefixes, written by the loader. */
#define RX_RRL_EXEMPT_MAX	1024
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, RX_RRL_EXEMPT_MAX);
	__type(key, struct rx_rrl_exempt_key);
	__type(value, __u8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rx_rrl_exempt SEC(".maps");

#endif /* ROOTXDP_MAPS_H */
