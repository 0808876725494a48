/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cookie.h - DNS cookies (RFC 7873) with the interoperable server cookie
 * of RFC 9018, shared by the BPF programs and rootxdpd: one piece of code
 * decides whether a server cookie is ours and which one to send back, so
 * both paths give the same bytes for the same query, time and secrets.
 *
 * Server cookie (16 bytes): Version 1 | Reserved (3) | Timestamp (4, UNIX
 * seconds, big-endian) | Hash (8), Hash = SipHash-2-4(Client Cookie |
 * Version | Reserved | Timestamp | Client-IP, Server Secret), its bytes as
 * the reference implementation writes them (little-endian).  BIND 9.18
 * (cookie-algorithm siphash24) and Knot DNS make and check the same, so
 * one secret serves a mixed anycast fleet.
 */
#ifndef RX_COOKIE_H
#define RX_COOKIE_H

#include <linux/types.h>
#include "siphash.h"

#define RX_COOKIE_CLIENT	8	/* client cookie, RFC 7873 4.1 */
#define RX_COOKIE_SERVER	16	/* our server cookie, RFC 9018 4.2 */
#define RX_COOKIE_SERVER_MIN	8	/* RFC 7873 4.2: 8..32 bytes */
#define RX_COOKIE_SERVER_MAX	32
#define RX_COOKIE_OPT_LEN	(RX_COOKIE_CLIENT + RX_COOKIE_SERVER)
/* RFC 9018 4.3: a cookie is good for an hour, may come from a clock up to
 * five minutes ahead, and is renewed when older than half an hour. */
#define RX_COOKIE_LIFETIME	3600
#define RX_COOKIE_SKEW		300
#define RX_COOKIE_RENEW		1800

/* What the query's COOKIE option was. */
enum rx_cookie_verdict {
	RX_CK_NONE = 0,		/* no COOKIE option */
	RX_CK_CLIENT_ONLY,	/* client cookie alone */
	RX_CK_GOOD,		/* a server cookie we (or our fleet) made */
	RX_CK_BAD,		/* a server cookie that is not ours, or too old */
};

/* The secrets as SipHash key words (little-endian reads of the 16 bytes),
 * current and previous; npre = 0 when there is no previous one. */
struct rx_cookie_keys {
	__u64 cur[2];
	__u64 prev[2];
	__u32 nprev;
	__u32 pad;
};

/* Hash input, 8-byte aligned and zero padded for rx_siphash24(). */
struct rx_cookie_buf {
	__u8 b[RX_SIP_MAX + 8];
} __attribute__((aligned(8)));

/* The COOKIE option's data as received: the client cookie, then up to 32
 * bytes of server cookie.  Words, so that the steps below move them whole
 * (a byte loop costs the kernel path tens of ns). */
struct rx_cookie_opt {
	__u64 client;
	__u64 server[RX_COOKIE_SERVER_MAX / 8];
};

static __always_inline __u32 rx_be32(const __u8 *p)
{
	return ((__u32)p[0] << 24) | ((__u32)p[1] << 16) | ((__u32)p[2] << 8) | p[3];
}

/* The 8 bytes the reference SipHash writes for h (little-endian), as the
 * word that holds them in memory. */
static __always_inline __u64 rx_le64_word(__u64 h)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64(h);
#else
	return h;
#endif
}

/* RFC 9018 4.3 with RFC 1982 style wrap: seconds are a 32-bit circle. */
static __always_inline int rx_cookie_ts_usable(__u32 ts, __u32 now)
{
	__s32 age = (__s32)(now - ts);

	return age <= RX_COOKIE_LIFETIME && age >= -RX_COOKIE_SKEW;
}

/* Young enough to be echoed as it is (else a fresh one is sent). */
static __always_inline int rx_cookie_ts_fresh(__u32 ts, __u32 now)
{
	__s32 age = (__s32)(now - ts);

	return age < RX_COOKIE_RENEW && age >= -RX_COOKIE_SKEW;
}

/*
 * The server cookie to send for a query (RFC 7873 5.2, RFC 9018 4):
 *   o      the option's data; sclen server cookie bytes (0: none; the
 *          caller has checked 8 <= sclen <= 32 already, else FORMERR)
 *   ip     the client's address, iplen 4 or 16 bytes from the first byte
 *          of ip, the rest zero (an IPv4-mapped IPv6 address is the
 *          caller's to turn into 4 bytes)
 *   in     scratch for the hash input
 * Writes the 16-byte server cookie to out: the query's own when it is good
 * and younger than RX_COOKIE_RENEW, else a fresh one stamped now with the
 * current secret.  *minted says which.  Returns the verdict.
 */
static __always_inline int rx_cookie_answer(const struct rx_cookie_keys *k,
					    struct rx_cookie_buf *in,
					    const struct rx_cookie_opt *o, __u32 sclen,
					    const __u64 ip[2], __u32 iplen, __u32 now,
					    __u64 out[2], int *minted)
{
	const __u8 *sc = (const __u8 *)o->server;
	__u64 *w = (__u64 *)in->b, h, want;
	int verdict = sclen ? RX_CK_BAD : RX_CK_CLIENT_ONLY;
	__u32 len = 16 + (iplen > 4 ? 16 : 4), ts;

	/* Client Cookie | Version | Reserved | Timestamp | Client-IP | 0 */
	w[0] = o->client;
	w[2] = ip[0];
	w[3] = ip[1];
	w[4] = 0;
	if (sclen == RX_COOKIE_SERVER && sc[0] == 1) {
		ts = rx_be32(sc + 4);
		if (rx_cookie_ts_usable(ts, now)) {
			/* Version, reserved and timestamp as the client sent
			 * them: they are part of what was hashed. */
			w[1] = o->server[0];
			want = rx_le64((const __u8 *)&o->server[1]);
			h = rx_siphash24(k->cur[0], k->cur[1], in->b, len);
			if (h == want) {
				if (rx_cookie_ts_fresh(ts, now)) {
					out[0] = o->server[0];
					out[1] = o->server[1];
					*minted = 0;
					return RX_CK_GOOD;
				}
				verdict = RX_CK_GOOD;
			} else if (k->nprev &&
				   rx_siphash24(k->prev[0], k->prev[1], in->b, len) == want) {
				/* Made with the old secret: good, but renewed
				 * with the current one at once. */
				verdict = RX_CK_GOOD;
			}
		}
	}
	in->b[8] = 1;			/* version */
	in->b[9] = 0;
	in->b[10] = 0;
	in->b[11] = 0;
	in->b[12] = now >> 24;
	in->b[13] = now >> 16;
	in->b[14] = now >> 8;
	in->b[15] = now;
	h = rx_siphash24(k->cur[0], k->cur[1], in->b, len);
	out[0] = w[1];
	out[1] = rx_le64_word(h);
	*minted = 1;
	return verdict;
}

#endif
