/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rrl.h - response rate limiting: the bucket arithmetic shared by the BPF
 * programs and rootxdpd (one piece of code, so that both paths limit
 * alike).  The tables differ (an LRU hash map in the kernel, a fixed
 * table in the daemon); what a bucket allows does not.
 *
 * The scheme is BIND's and NSD's: one account per (client prefix,
 * response class, name), credited `rate` responses a second, at most one
 * second of credit banked, and a debt of at most `window` seconds that a
 * limited client must first work off.  It is kept as GCRA (the "virtual
 * scheduling" form of a token bucket): a single 64-bit time per bucket,
 * the theoretical arrival time (tat), so that an update is one
 * compare-and-swap and a bucket is correct across CPUs.
 *   allowed   iff tat - now <= burst         (burst = (rate - 1) interval)
 *   then      tat = max(tat, now) + interval
 *   limited:  tat = max(tat, min(max(tat, now) + interval, now + burst + window))
 * Limited responses count too, up to `window` seconds of debt: a flood
 * above the rate keeps its bucket in debt and gets nothing through (but
 * slips) while it lasts; with window 0 exactly `rate` a second get through.
 * Once it stops the bucket is whole again within burst + window.  Nothing
 * a flood does reaches another bucket.
 */
#ifndef RX_RRL_H
#define RX_RRL_H

#include <linux/types.h>

#include "inline.h"

#define RX_NS_PER_S	1000000000ULL

/* Response classes (one bucket per class, prefix and name).  Packed: one
 * byte, the type of rx_rrl_key.cls, so that bpftool prints its name. */
enum __attribute__((packed)) rx_rrl_class {
	RX_RRL_RESPONSE = 1,	/* positive answer: per qname + qtype */
	RX_RRL_REFERRAL,	/* per delegation */
	RX_RRL_NXDOMAIN,	/* per zone: every NXDOMAIN one bucket */
	RX_RRL_NODATA,		/* per qname + qtype */
	RX_RRL_ERROR,		/* FORMERR, REFUSED, BADVERS...: per prefix */
	RX_RRL_LARGE,		/* ANY, and answers of RX_RRL_LARGE_SIZE or more */
};

/* Knot DNS's line between a normal and a large answer. */
#define RX_RRL_LARGE_SIZE	1024

/* A bucket's key: 24 bytes, no hidden padding (hash keys compare bytes). */
struct rx_rrl_key {
	__u8  prefix[16];	/* source address, masked to the prefix */
	__u32 name;		/* the class's name: see design.md */
	enum rx_rrl_class cls;	/* one byte (packed) */
	__u8  v6;
	__u16 pad;
};

struct rx_rrl_val {
	__u64 tat;		/* ns, CLOCK_MONOTONIC (kernel) */
	__u32 limited;		/* limited responses, for slip */
	__u32 pad;
};

/* What the loader derives from the config (rx_cfg in the kernel). */
struct rx_rrl_params {
	__u64 interval;		/* ns per response: 1e9 / rate */
	__u64 burst;		/* (rate - 1) * interval */
	__u64 window;		/* ns of debt at most */
	__u32 rate;		/* 0 = RRL off */
	__u32 slip;		/* every slip-th limited response slips; 0 never */
	__u8  v4_prefix;	/* bits */
	__u8  v6_prefix;
	__u8  log_only;		/* count, never limit */
	__u8  pad[5];
};

static __always_inline void rx_rrl_params_set(struct rx_rrl_params *p, __u32 rate,
					      __u32 slip, __u32 window_s, __u32 v4, __u32 v6,
					      int log_only)
{
	p->rate = rate;
	p->interval = rate ? RX_NS_PER_S / rate : 0;
	p->burst = rate ? (rate - 1) * p->interval : 0;
	p->window = (__u64)window_s * RX_NS_PER_S;
	p->slip = slip;
	p->v4_prefix = v4 > 32 ? 32 : v4;
	p->v6_prefix = v6 > 128 ? 128 : v6;
	p->log_only = !!log_only;
}

/* One response against a bucket whose tat is `tat` at `now`: returns 1
 * (allowed) or 0 (limited) and the bucket's next tat in *next. */
static __always_inline int rx_rrl_account(const struct rx_rrl_params *p, __u64 tat,
					  __u64 now, __u64 *next)
{
	__u64 base = tat > now ? tat : now, cap;

	if (base - now <= p->burst) {
		*next = base + p->interval;
		return 1;
	}
	/* Debt grows by one interval a limited response, to window at most,
	 * and never shrinks but with time. */
	cap = now + p->burst + p->window;
	*next = base + p->interval < cap ? base + p->interval : cap;
	if (*next < base)
		*next = base;
	return 0;
}

/* The bucket a response counts against, once the caller has its class
 * by answer kind (and the name that kind is keyed by): an answer of
 * RX_RRL_LARGE_SIZE or more, or to ANY, is large whatever its kind;
 * NXDOMAIN and errors are one bucket per prefix (name 0). */
static __always_inline void rx_rrl_key_set(struct rx_rrl_key *k, __u32 cls, __u32 name,
					   __u32 len, int any)
{
	if (len >= RX_RRL_LARGE_SIZE || any)
		cls = RX_RRL_LARGE;
	k->cls = (enum rx_rrl_class)cls;
	k->name = cls == RX_RRL_NXDOMAIN || cls == RX_RRL_ERROR ? 0 : name;
}

/* The slip-th, 2*slip-th... limited response of a bucket goes out as a
 * slip (TC=1, or BADCOOKIE to a cookie client); n counts from 1. */
static __always_inline int rx_rrl_slips(const struct rx_rrl_params *p, __u32 n)
{
	return p->slip && n % p->slip == 0;
}

/* Fill key->prefix from a source address (4 or 16 bytes). */
static __always_inline void rx_rrl_prefix(const struct rx_rrl_params *p,
					  struct rx_rrl_key *key, const __u8 *ip, int v6)
{
	__u32 bits = v6 ? p->v6_prefix : p->v4_prefix, n = v6 ? 16 : 4, i, b;

RX_UNROLL
	for (i = 0; i < 16; i++) {
		__u8 m = 0;

		if (i < n) {
			b = 8 * i;
			if (bits >= b + 8)
				m = 0xff;
			else if (bits > b)
				m = (__u8)(0xff00 >> (bits - b));
			key->prefix[i] = ip[i] & m;
		} else {
			key->prefix[i] = 0;
		}
	}
	key->v6 = !!v6;
}

#endif
