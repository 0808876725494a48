/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rootxdp.h - THE header shared by the BPF programs and userspace.
 *
 * Everything both sides must agree on lives here: limits, map keys and
 * values, the stats/reason enum and the pin names.  Only <linux/types.h>,
 * fixed-width fields, explicit zero pads (hash keys compare bytes).
 * See docs/design.md for how the pieces fit together.
 */
#ifndef ROOTXDP_H
#define ROOTXDP_H

#include <linux/types.h>
#include "rrl.h"
#include "cookie.h"
#include "rssac.h"
#include "taptop.h"

/* ---- limits (RX_LABEL_MAX and RX_BODY_MAX overridable at build time) ---- */
#ifndef RX_LABEL_MAX
#define RX_LABEL_MAX	63	/* RFC 1035 2.3.4 */
#endif
#define RX_NAME_MAX	255	/* wire length incl. root label */
#define RX_MTU_DEFAULT	1500	/* Ethernet's, when rx_cfg holds none (L3 bytes) */
#define RX_IP4_HLEN	20	/* IPv4 header without options (options: passed) */
#define RX_IP6_HLEN	40	/* IPv6 fixed header (extension headers: passed) */
#define RX_UDP_HLEN	8
#define RX_QUERY_MAX	512	/* larger DNS queries are passed to rootxdpd */
#define RX_CHUNK	256	/* rx_blob value size */
#ifndef RX_BODY_MAX
#define RX_BODY_MAX	4096	/* largest precomputed response body */
#endif
#define RX_CUT_MAX	32	/* cut points per response */
#define RX_FIX_MAX	64	/* compression pointers relocated per response */
/* A fix[] entry is a body offset (< RX_BODY_MAX, so bit 15 is free); with
 * this bit set the pointer there points at the question's last label (the
 * TLD of a per-TLD body): the sender sets it to 0xC000 | (12 + offset of
 * that label in QNAME).  Plain entries get the question's size added. */
#define RX_FIX_QTLD	0x8000
#define RX_APEX_MAX	16	/* apex RRsets answered from the maps */
#define RX_IDENT_MAX	64	/* identity / version string (CHAOS TXT, NSID) */
#define RX_SLOTS	2	/* zone slots: active + idle (atomic swap) */
#define RX_PATHS	2	/* stats blocks: RX_PATH_XDP, RX_PATH_TC */
#define RX_PAYLOAD_DEFAULT 1232	/* server EDNS payload (DNS flag day 2020) */
#define RX_PORT		53

/* ---- zone data: one set per slot, reached through the outer maps ---- */

/* A single label, lowercased (ASCII), zero padded.  Used as the rx_tld hash
 * key and as the rx_nsec sort key.  Comparing the 64 bytes as big-endian
 * words orders labels exactly as RFC 4034 6.1 canonical order does (bytes
 * first, then length: a prefix sorts first).  The root "." is len 0. */
struct rx_label {
	__u8 name[RX_LABEL_MAX];
	__u8 len;
};

/* One cut point of a response body: the body truncated after `len` bytes
 * (always at an RRset boundary) and the section counts that prefix holds. */
struct rx_cut {
	__u16 len;
	__u16 ancount;
	__u16 nscount;
	__u16 arcount;
};

#define RX_RF_AA	0x01	/* set AA in the header */

/* A precomputed response body: everything after the question, without OPT.
 * Bytes live in rx_blob chunks [chunk, chunk + ceil(len / RX_CHUNK)).
 * Compression pointers into the body are written as if the question were
 * empty (body at message offset 12); fix[] lists the body offsets of every
 * pointer, and the sender adds the question's size to each.  In the
 * per-TLD bodies (rx_tld) a name may point at the TLD in the question:
 * its fix[] entry has RX_FIX_QTLD and the sender points it at QNAME's last
 * label (the body holds 0xC00C, right when QNAME is the TLD alone).
 * cut[] is ascending by len; cut[0] is the empty body {0,0,0,0};
 * cut[ncut - 1].len == len.  cut[req] is the smallest prefix holding every
 * required RR (answer, authority, in-domain glue): sending a cut below req
 * sets TC=1 (RFC 9471, RFC 2181 9); cuts above req only add optional glue. */
struct rx_resp {
	__u32 chunk;
	__u16 len;
	__u8  rcode;		/* 0 NOERROR, 3 NXDOMAIN */
	__u8  flags;		/* RX_RF_* */
	__u8  ncut;		/* 1..RX_CUT_MAX */
	__u8  req;		/* < ncut */
	__u8  nfix;		/* 0..RX_FIX_MAX */
	__u8  pad;
	struct rx_cut cut[RX_CUT_MAX];
	__u16 fix[RX_FIX_MAX];
	/* csum[i]: the folded one's complement sum of body bytes [0,
	 * cut[i].len) as 16-bit words in memory order (an odd last byte
	 * padded with zero), pointers as the body holds them (before the
	 * sender's fix-ups): the programs add it to the sums of what they
	 * write around it instead of summing the body again (RFC 1071). */
	__u16 csum[RX_CUT_MAX];
};

struct rx_chunk {
	__u8 b[RX_CHUNK];
};

/* rx_tld value: indexes into rx_resp for one delegated TLD. */
struct rx_tld {
	__u32 ref;		/* referral, no DO */
	__u32 ref_do;		/* referral, DO: + DS/RRSIG or NSEC/RRSIG */
	__u32 ds;		/* qname = TLD, qtype DS: answer or NODATA */
	__u32 ds_do;
};

/* rx_nsec: the zone's NSEC owners in canonical order, index 0 = apex.
 * For a nonexistent TLD the covering NSEC is the last owner <= the label. */
struct rx_nsec {
	struct rx_label owner;
	__u32 nx_do;		/* NXDOMAIN + DO proof for names in this interval */
	__u32 pad;
};

struct rx_apex {
	__u16 qtype;
	__u16 pad;
	__u32 resp;
	__u32 resp_do;
};

/* rx_meta[slot]: the zone in that slot.  Written last when a slot is filled. */
struct rx_meta {
	__u32 serial;
	__u32 ntld;
	__u32 nnsec;
	__u32 nresp;
	__u32 nchunk;
	__u32 nx;		/* NXDOMAIN without DO (same for every name) */
	__u32 nodata;		/* apex NODATA, no DO */
	__u32 nodata_do;
	__u32 napex;
	__u32 pad;
	struct rx_apex apex[RX_APEX_MAX];
	__u8  sha256[32];	/* image body hash */
	__u64 loaded_ns;	/* CLOCK_REALTIME of the swap, ns */
};

/* rx_ctl[0]: which slot is live.  The programs read it once per packet. */
struct rx_ctl {
	__u32 slot;		/* 0 or 1 */
	__u32 gen;		/* bumped on every swap */
};

#define RX_CFG_NSID	0x01	/* answer the NSID option with ident */
#define RX_CFG_VERSION	0x02	/* answer version.bind/version.server */
#define RX_CFG_RRL_EXEMPT 0x04	/* rx_rrl_exempt has entries: look it up */

/* rx_cfg[0]: server configuration written by the loader (attach, load,
 * cookie-secret rotate).  One map value: a rotation that races a packet
 * can at worst give that one packet a cookie the client must renew. */
struct rx_cfg {
	__u16 max_payload;	/* server EDNS payload, >= 512 */
	__u16 mtu;		/* largest IP packet (L3) the programs send */
	__u8  flags;		/* RX_CFG_* */
	__u8  ident_len;
	__u8  version_len;
	__u8  pad;
	__u8  ident[RX_IDENT_MAX];	/* CHAOS id.server/hostname.bind, NSID */
	__u8  version[RX_IDENT_MAX];	/* CHAOS version.bind/version.server */
	/* UNIX seconds = CLOCK_TAI seconds - tai_offset: the kernel has no
	 * CLOCK_REALTIME helper; TAI follows every step of the system clock
	 * and differs from it by the kernel's TAI offset (0 unless an NTP
	 * daemon set it), which the loader reads at attach and every load. */
	__s64 tai_offset;
	struct rx_cookie_keys cookie;	/* RFC 9018 secrets (SipHash keys) */
	struct rx_rrl_params rrl;	/* rate 0: RRL off */
	struct rx_tap_cfg tap;		/* dnstap sample, name telemetry */
};

/* rx_rrl_exempt: LPM trie of prefixes RRL never limits.  IPv4 prefixes
 * are stored IPv4-mapped (::ffff:a.b.c.d, prefixlen + 96). */
struct rx_rrl_exempt_key {
	__u32 prefixlen;
	__u8  addr[16];
};

/* ---- stats: rx_stats is a one-entry PERCPU_ARRAY of struct rx_stats_paths ---- */
enum rx_path { RX_PATH_XDP = 0, RX_PATH_TC = 1 };

/* X-macro: name used by `rootxdp stats`, and the enum.  Order is ABI for
 * the pinned map only within one build; stats print names, never numbers.
 * packets = answered + RX_DROP_QR .. RX_PASS_ERROR (tests/xdp checks it);
 * counters after RX_PASS_ERROR count something else. */
#define RX_STATS(X)							\
	X(RX_ST_PACKETS,	packets)	/* frames seen: = answered + passes + drops */	\
	X(RX_ST_IPV4,		ipv4)						\
	X(RX_ST_IPV6,		ipv6)						\
	X(RX_ST_VLAN,		vlan)						\
	X(RX_ST_EDNS,		edns)						\
	X(RX_ST_DO,		do_bit)						\
	X(RX_ST_ANSWERED,	answered)					\
	X(RX_ST_TRUNCATED,	truncated)	/* TC=1 sent */		\
	X(RX_ST_GLUE_CUT,	glue_cut)	/* optional glue left out */	\
	X(RX_ST_BYTES_IN,	bytes_in)	/* DNS payload bytes */	\
	X(RX_ST_BYTES_OUT,	bytes_out)					\
	X(RX_ST_K_REFERRAL,	kind_referral)				\
	X(RX_ST_K_DS,		kind_ds)					\
	X(RX_ST_K_NXDOMAIN,	kind_nxdomain)				\
	X(RX_ST_K_APEX,		kind_apex)					\
	X(RX_ST_K_NODATA,	kind_apex_nodata)				\
	X(RX_ST_K_CHAOS,	kind_chaos)					\
	X(RX_ST_K_ERROR,	kind_error)	/* FORMERR/REFUSED/BADVERS */ \
	X(RX_ST_RC_NOERROR,	rcode_noerror)				\
	X(RX_ST_RC_FORMERR,	rcode_formerr)				\
	X(RX_ST_RC_NXDOMAIN,	rcode_nxdomain)				\
	X(RX_ST_RC_REFUSED,	rcode_refused)				\
	X(RX_ST_RC_BADVERS,	rcode_badvers)				\
	X(RX_ST_RC_BADCOOKIE,	rcode_badcookie) /* RRL slip to a cookie client */ \
	X(RX_ST_QT_A,		qtype_a)					\
	X(RX_ST_QT_NS,		qtype_ns)					\
	X(RX_ST_QT_SOA,		qtype_soa)					\
	X(RX_ST_QT_PTR,		qtype_ptr)					\
	X(RX_ST_QT_MX,		qtype_mx)					\
	X(RX_ST_QT_TXT,		qtype_txt)					\
	X(RX_ST_QT_AAAA,	qtype_aaaa)					\
	X(RX_ST_QT_DS,		qtype_ds)					\
	X(RX_ST_QT_DNSKEY,	qtype_dnskey)					\
	X(RX_ST_QT_NSEC,	qtype_nsec)					\
	X(RX_ST_QT_OTHER,	qtype_other)					\
	X(RX_ST_SZ_128,		size_lt_128)	/* response payload size */	\
	X(RX_ST_SZ_512,		size_lt_512)					\
	X(RX_ST_SZ_1232,	size_lt_1232)					\
	X(RX_ST_SZ_BIG,		size_ge_1232)					\
	X(RX_ST_CK_CLIENT,	cookie_client_only) /* no server cookie yet */ \
	X(RX_ST_CK_GOOD,	cookie_good)	/* our server cookie */	\
	X(RX_ST_CK_BAD,		cookie_bad)	/* not ours, or expired */ \
	X(RX_ST_CK_MINTED,	cookie_minted)	/* fresh server cookie sent */ \
	X(RX_ST_CK_FORMERR,	cookie_formerr)	/* malformed option length */ \
	X(RX_ST_RRL_LIMITED,	rrl_limited)	/* over the rate: dropped or slipped */ \
	X(RX_ST_RRL_SLIPPED,	rrl_slipped)	/* ...sent as TC=1 / BADCOOKIE */ \
	X(RX_ST_RRL_EXEMPT,	rrl_exempt)	/* rrl-exempt prefix */	\
	X(RX_ST_RRL_COOKIE,	rrl_cookie)	/* valid server cookie: not limited */ \
	X(RX_ST_RRL_LOG_ONLY,	rrl_log_only)	/* would be limited (rrl-log-only) */ \
	X(RX_ST_RRL_NEW,	rrl_new_bucket)	/* bucket created (or evicted one reused) */ \
	X(RX_DROP_QR,		drop_qr)	/* a response: never answer */	\
	X(RX_DROP_SHORT,	drop_short_header) /* < 12 DNS bytes */	\
	X(RX_DROP_RRL,		rrl_dropped)	/* over the rate, not sent */	\
	X(RX_PASS_NOT_DNS,	pass_not_dns)	/* not IP/UDP/53 */	\
	X(RX_PASS_L2,		pass_l2)	/* > 2 VLAN tags, odd L2 */	\
	X(RX_PASS_IP_OPTIONS,	pass_ip_options)				\
	X(RX_PASS_FRAGMENT,	pass_fragment)				\
	X(RX_PASS_IPV6_EXT,	pass_ipv6_ext)				\
	X(RX_PASS_BAD_LENGTH,	pass_bad_length) /* IP/UDP lengths disagree */ \
	X(RX_PASS_BIG_QUERY,	pass_big_query)				\
	X(RX_PASS_OPCODE,	pass_opcode)					\
	X(RX_PASS_QTYPE,	pass_qtype)	/* ANY/meta/RRSIG at apex... */	\
	X(RX_PASS_NAME,		pass_name)	/* compression pointer in qname */ \
	X(RX_PASS_EDNS,		pass_edns)	/* options we leave to rootxdpd */ \
	X(RX_PASS_ARCOUNT,	pass_arcount)	/* ARCOUNT > 1 (TSIG, 2 OPTs) */ \
	X(RX_PASS_NSCOUNT,	pass_nscount)	/* NSCOUNT > 0 (IXFR's SOA) */ \
	X(RX_PASS_TRAILING,	pass_trailing) /* bytes after the last RR */ \
	X(RX_PASS_NO_ZONE,	pass_no_zone)					\
	X(RX_PASS_MTU,		pass_mtu)	/* answer larger than the MTU */ \
	X(RX_PASS_NO_ROOM,	pass_no_room)	/* XDP: no tailroom -> TC */	\
	X(RX_PASS_ERROR,	pass_error)	/* helper failed */		\
	X(RX_ST_TAP_SAMPLED,	tap_sampled)	/* dnstap: answers picked (1 in N) */ \
	X(RX_ST_TAP_LOST,	tap_lost)	/* ...of which lost: ring buffer full */ \
	X(RX_ST_TOP_FULL,	top_full)	/* name not counted: rx_top_tld full */

#define RX_STAT_ENUM(e, s) e,
enum rx_stat { RX_STATS(RX_STAT_ENUM) RX_STAT_MAX };
#undef RX_STAT_ENUM

/* One named field per counter, so that `bpftool map dump` prints
 * {"packets": 3, "ipv4": 3, ...} per CPU; code indexes them through
 * rx_stat_ref() with the enum. */
#define RX_STAT_FIELD(e, s) __u64 s;
struct rx_stats {
	RX_STATS(RX_STAT_FIELD)
};
#undef RX_STAT_FIELD

/* rx_stats[0]: one block per path, by name, so that bpftool prints
 * {"xdp": {"packets": 3, ...}, "tc": {...}} per CPU.  Not a key per path:
 * the kernel takes only an integer as the BTF key of an array map (an enum
 * key fails map creation, and libbpf then drops BTF for the map). */
struct rx_stats_paths {
	struct rx_stats xdp;	/* RX_PATH_XDP */
	struct rx_stats tc;	/* RX_PATH_TC */
};

/* rx_resp.csum: one's complement sum of b[0, len) as 16-bit words in
 * memory order, folded (the compiler's; tests recompute it their way). */
static inline __u16 rx_csum16(const __u8 *b, __u32 len)
{
	__u32 s = 0, i;
	__u16 w;

	for (i = 0; i + 1 < len; i += 2) {
		__builtin_memcpy(&w, b + i, 2);
		s += w;
	}
	if (len & 1) {
		__u8 last[2] = { b[len - 1], 0 };

		__builtin_memcpy(&w, last, 2);
		s += w;
	}
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

static inline __u64 *rx_stat_ref(struct rx_stats *st, __u32 i)
{
	return (__u64 *)st + i;
}

/* ---- pin names under the pin root (default /sys/fs/bpf/rootxdp) ---- */
#define RX_PIN_ROOT	"/sys/fs/bpf/rootxdp"

#ifndef __bpf__
_Static_assert(sizeof(struct rx_label) == 64, "rx_label is a 64-byte key");
_Static_assert(sizeof(struct rx_resp) == 12 + 8 * RX_CUT_MAX + 2 * RX_FIX_MAX + 2 * RX_CUT_MAX,
	       "rx_resp has no hidden padding");
_Static_assert(sizeof(struct rx_nsec) == 72, "rx_nsec layout");
_Static_assert(sizeof(struct rx_apex) == 12, "rx_apex layout");
_Static_assert(sizeof(struct rx_cfg) == 8 + 2 * RX_IDENT_MAX + 8 +
	       sizeof(struct rx_cookie_keys) + sizeof(struct rx_rrl_params) +
	       sizeof(struct rx_tap_cfg), "rx_cfg layout");
_Static_assert(sizeof(struct rx_rrl_key) == 24, "rx_rrl_key has no hidden padding");
_Static_assert(sizeof(enum rx_rrl_class) == 1, "rx_rrl_key.cls is one byte");
_Static_assert(sizeof(struct rx_rrl_params) == 40, "rx_rrl_params layout");
_Static_assert(sizeof(struct rx_stats) == 8 * RX_STAT_MAX, "rx_stats: one word a counter");
_Static_assert(sizeof(struct rx_stats_paths) == RX_PATHS * sizeof(struct rx_stats),
	       "rx_stats_paths: one block a path");
_Static_assert(RX_BODY_MAX <= 0xffff, "body length fits in __u16");
_Static_assert(RX_BODY_MAX <= RX_FIX_QTLD, "fix[] offsets leave bit 15 free");
#endif

#endif /* ROOTXDP_H */
