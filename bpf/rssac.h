/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rssac.h - the RSSAC002 (version 5) counters and unique-source sketch,
 * shared by the BPF programs (bpf/rssac_bpf.h counts), rootxdpd
 * (fallback/rssac.c counts into state-dir/rootxdpd.rssac) and
 * `rootxdp rssac002` (loader/rssac002.c reads, snapshots and reports).
 * docs/design.md "RSSAC002" is the contract.
 *
 * Counters never reset: every reader takes absolute values and an
 * interval is the difference of two snapshots.
 *
 * Unique sources: a HyperLogLog sketch (Flajolet et al. 2007) of
 * RX_HLL_M = 2^14 one-byte registers per kind (IPv4 addresses, IPv6
 * addresses, IPv6 /64 aggregates) and per UTC day.  Standard error
 * 1.04 / sqrt(2^14) = 0.81%; `rootxdp rssac002` states +-2.44% (3 sigma)
 * as its bound, and tests/xdp checks it at 10^3..10^6 sources.  The BPF
 * programs keep one register set per CPU (PERCPU_ARRAY), rootxdpd one in
 * its file; a reader merges them by taking each register's maximum, which
 * is exactly the sketch of the union.  Registers are kept for
 * RX_HLL_DAYS days (slot = day % RX_HLL_DAYS), each tagged with its day;
 * a slot is cleared by its writer when a new day first reaches it.
 */
#ifndef RX_RSSAC_H
#define RX_RSSAC_H

#include <linux/types.h>

/* traffic-sizes: 16-byte bins as the published files have them.  Requests:
 * 0-15 .. 272-287 and "288-"; responses: 0-15 .. 4080-4095 and "4096-". */
#define RX_RSSAC_BIN		16
#define RX_RSSAC_REQ_BINS	19
#define RX_RSSAC_RESP_BINS	257
/* rcode-volume: rcodes 0..31 (BADVERS 16, BADCOOKIE 23 included). */
#define RX_RSSAC_RCODES		32

enum rx_rssac_transport { RX_RS_UDP = 0, RX_RS_TCP = 1, RX_RS_TRANSPORTS };
enum rx_rssac_family { RX_RS_IPV4 = 0, RX_RS_IPV6 = 1, RX_RS_FAMILIES };

/* One value per path (rx_rssac[RX_PATH_XDP|TC], per CPU) and one per
 * rootxdpd worker block.  Only what the path itself answers (or drops by
 * RRL) is counted there: a query passed on is counted where it ends. */
struct rx_rssac {
	__u64 queries[RX_RS_TRANSPORTS][RX_RS_FAMILIES];	/* received */
	__u64 responses[RX_RS_TRANSPORTS][RX_RS_FAMILIES];	/* sent */
	__u64 req_size[RX_RS_TRANSPORTS][RX_RSSAC_REQ_BINS];	/* DNS message */
	__u64 resp_size[RX_RS_TRANSPORTS][RX_RSSAC_RESP_BINS];	/* octets */
	__u64 rcode[RX_RSSAC_RCODES];				/* responses */
};

#ifndef RX_HLL_P
#define RX_HLL_P	14
#endif
#define RX_HLL_M	(1u << RX_HLL_P)
#define RX_HLL_RANK_MAX	(64 - RX_HLL_P + 1)
#define RX_HLL_DAYS	4
#define RX_DAY_S	86400

enum rx_hll_kind { RX_HLL_IPV4 = 0, RX_HLL_IPV6 = 1, RX_HLL_IPV6_AGG = 2, RX_HLL_KINDS };

/* rx_hll[(day % RX_HLL_DAYS) * RX_HLL_KINDS + kind], per CPU. */
struct rx_hll {
	__u32 day;		/* UTC day (unix seconds / 86400) counted */
	__u32 pad;
	__u8  reg[RX_HLL_M];	/* max rank seen per bucket */
};

static inline __u32 rx_rssac_req_bin(__u32 len)
{
	__u32 b = len / RX_RSSAC_BIN;

	return b < RX_RSSAC_REQ_BINS - 1 ? b : RX_RSSAC_REQ_BINS - 1;
}

static inline __u32 rx_rssac_resp_bin(__u32 len)
{
	__u32 b = len / RX_RSSAC_BIN;

	return b < RX_RSSAC_RESP_BINS - 1 ? b : RX_RSSAC_RESP_BINS - 1;
}

/* MurmurHash3's 64-bit finalizer: every input bit reaches every output
 * bit; two rounds over the address words.  No key: the sketch only needs
 * a uniform hash, and the kernel and rootxdpd must hash alike so that a
 * source seen by both counts once. */
static inline __u64 rx_fmix64(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* hi, lo: the address's 16 bytes as two words in memory order (IPv4: its
 * 4 bytes in hi, the rest 0; a /64 aggregate: hi only). */
static inline __u64 rx_hll_hash(__u64 hi, __u64 lo, __u32 kind)
{
	return rx_fmix64(rx_fmix64(hi ^ ((__u64)(kind + 1) * 0x9e3779b97f4a7c15ULL)) ^ lo);
}

/* Leading zeros of a 64-bit word, without a clz instruction (BPF has none). */
static inline __u32 rx_clz64(__u64 x)
{
	__u32 n = 0;

	if (!x)
		return 64;
	if (!(x >> 32)) { n += 32; x <<= 32; }
	if (!(x >> 48)) { n += 16; x <<= 16; }
	if (!(x >> 56)) { n += 8; x <<= 8; }
	if (!(x >> 60)) { n += 4; x <<= 4; }
	if (!(x >> 62)) { n += 2; x <<= 2; }
	if (!(x >> 63)) n += 1;
	return n;
}

/* Register index and rank of a hash: the top RX_HLL_P bits choose the
 * register, the position of the first 1 in the rest is the rank. */
static inline __u32 rx_hll_index(__u64 h)
{
	return (__u32)(h >> (64 - RX_HLL_P)) & (RX_HLL_M - 1);
}

static inline __u8 rx_hll_rank(__u64 h)
{
	__u32 r = rx_clz64(h << RX_HLL_P) + 1;

	return r > RX_HLL_RANK_MAX ? RX_HLL_RANK_MAX : r;
}

#endif /* RX_RSSAC_H */
