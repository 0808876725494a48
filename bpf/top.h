/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * top.h - which names are asked (design.md "Watching the traffic"):
 * every query the kernel paths answer from the zone counts once for its
 * TLD label (existent: rx_top_tld, "." for the apex; nonexistent:
 * rx_top_nx, an LRU table) and every answered question for its qtype
 * (rx_top_qt), when rx_cfg.tap.top is set (top-names).  Counted once the
 * answer is sent (as count_answer), so that a query XDP gives up on for
 * want of tailroom counts once, at TC; what RRL drops is not counted.
 * Per-CPU values: plain increments, summed by `rootxdp stats --top`.
 */
#ifndef RX_TOP_H
#define RX_TOP_H

#include "rootxdp.h"
#include "scratch.h"
#include "stats.h"
#include "dns.h"

/* Written by the programs; read (never reset) by rootxdp stats --top. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, RX_TOP_TLD_MAX);
	__type(key, struct rx_label);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rx_top_tld SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, RX_TOP_NX_MAX);
	__type(key, struct rx_label);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rx_top_nx SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rx_top_qt);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rx_top_qt SEC(".maps");

/* The apex's key (all zero): a global, not 64 bytes of the stack. */
struct rx_label rx_top_root;

/* One more for key in map: 1 when new; a label that finds rx_top_tld
 * full is counted in top_full (the LRU table is never full). */
static __always_inline void top_bump(void *map, const struct rx_label *key,
				     struct rx_stats *st)
{
	__u64 *v = bpf_map_lookup_elem(map, key), one = 1;
	long err;

	if (v) {
		(*v)++;
		return;
	}
	err = bpf_map_update_elem(map, key, &one, BPF_NOEXIST);
	if (err == -17 /* EEXIST: another CPU put it in first */) {
		v = bpf_map_lookup_elem(map, key);
		if (v)
			(*v)++;
	} else if (err) {
		stat_inc(st, RX_ST_TOP_FULL);
	}
}

/* A subprogram, not inlined: the programs' frames have no room left.
 * An answer was sent: its qtype (the question ends at o->base, QTYPE
 * then QCLASS; FORMERR has no question: qt_stat RX_STAT_MAX), and its
 * TLD by the answer's kind (s->key: the last label, lowercased). */
static __noinline void top_count(struct rx_scratch *s, const struct rx_out *o,
				 struct rx_stats *st)
{
	const struct rx_cfg *cfg;
	struct rx_top_qt *qt;
	__u32 zero = 0, i;
	__u64 qtype;

	cfg = bpf_map_lookup_elem(&rx_cfg, &zero);
	if (!cfg || !cfg->tap.top || !s || !o || o->qt_stat >= RX_STAT_MAX)
		return;
	i = (o->base - 4) & 0x1ff;	/* base <= 12 + 259: within q[] */
	/* 64-bit on purpose: with a 32-bit compare 6.1 loses the upper half
	 * ("math between map_value pointer and register with unbounded min
	 * value is not allowed"). */
	qtype = (__u64)s->q[i] << 8 | s->q[i + 1];
	if (qtype > RX_TOP_QT - 1)
		qtype = RX_TOP_QT - 1;
	barrier_var(qtype);
	qt = bpf_map_lookup_elem(&rx_top_qt, &zero);
	if (qt && qtype < RX_TOP_QT)
		qt->n[qtype]++;
	switch (o->kind) {
	case RX_ST_K_REFERRAL:
	case RX_ST_K_DS:
		top_bump(&rx_top_tld, &s->key, st);
		break;
	case RX_ST_K_NXDOMAIN:
		top_bump(&rx_top_nx, &s->key, st);
		break;
	case RX_ST_K_APEX:
	case RX_ST_K_NODATA:
		/* "." has no label: key_build() did not run, s->key is stale. */
		top_bump(&rx_top_tld, &rx_top_root, st);
		break;
	default:
		break;
	}
}

#endif
