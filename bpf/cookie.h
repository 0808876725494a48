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

static __always_inline __u32 rx_be32(const __u8 *p)
{
	return ((__u32)p[0] << 24) | ((__u32)p[1] << 16) | ((__u32)p[2] << 8) | p[3];
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

static __always_inline __u64 rx_cookie_hash(const __u64 k[2], const struct rx_cookie_buf *in,
					    __u32 iplen)
{
	return rx_siphash24(k[0], k[1], in->b, 16 + iplen);
}

/*
 * The server cookie to send for a query (RFC 7873 5.2, RFC 9018 4):
 *   cc    the client cookie (8 bytes)
 *   sc    the server cookie the query carried, sclen bytes (0: none; the
 *         caller has checked 8 <= sclen <= 32 already, else FORMERR)
 *   ip    the client's address, iplen 4 or 16 (an IPv4-mapped IPv6
 *         address is the caller's to turn into 4 bytes)
 * Writes 16 bytes to out: the query's own server cookie when it is good
 * and younger than RX_COOKIE_RENEW, else a fresh one stamped now with the
 * current secret.  *minted says which.  Returns the verdict.
 */
static __always_inline int rx_cookie_answer(const struct rx_cookie_keys *k,
					    struct rx_cookie_buf *in,
					    const __u8 *cc, const __u8 *sc, __u32 sclen,
					    const __u8 *ip, __u32 iplen, __u32 now,
					    __u8 *out, int *minted)
{
	int verdict = sclen ? RX_CK_BAD : RX_CK_CLIENT_ONLY, echo = 0;
	__u64 h, want;
	__u32 i, ts;

	if (iplen > 16)
		iplen = 16;
RX_UNROLL
	for (i = 0; i < sizeof(in->b) / 8; i++)
		((__u64 *)in->b)[i] = 0;
RX_UNROLL
	for (i = 0; i < RX_COOKIE_CLIENT; i++)
		in->b[i] = cc[i];
RX_UNROLL
	for (i = 0; i < 16; i++)
		if (i < iplen)
			in->b[16 + i] = ip[i];

	if (sclen == RX_COOKIE_SERVER && sc[0] == 1) {
		ts = rx_be32(sc + 4);
		if (rx_cookie_ts_usable(ts, now)) {
			/* Version, reserved and timestamp as the client sent
			 * them: they are part of what was hashed. */
RX_UNROLL
			for (i = 0; i < 8; i++)
				in->b[8 + i] = sc[i];
			want = 0;
RX_UNROLL
			for (i = 0; i < 8; i++)
				want |= (__u64)sc[8 + i] << (8 * i);
			h = rx_cookie_hash(k->cur, in, iplen);
			if (h == want) {
				verdict = RX_CK_GOOD;
				echo = rx_cookie_ts_fresh(ts, now);
			} else if (k->nprev) {
				h = rx_cookie_hash(k->prev, in, iplen);
				/* Made with the old secret: good, but renewed
				 * with the current one at once. */
				if (h == want)
					verdict = RX_CK_GOOD;
			}
		}
	}
	if (echo) {
RX_UNROLL
		for (i = 0; i < RX_COOKIE_SERVER; i++)
			out[i] = sc[i];
		*minted = 0;
		return verdict;
	}
	in->b[8] = 1;			/* version */
	in->b[9] = 0;
	in->b[10] = 0;
	in->b[11] = 0;
	in->b[12] = now >> 24;
	in->b[13] = now >> 16;
	in->b[14] = now >> 8;
	in->b[15] = now;
	h = rx_cookie_hash(k->cur, in, iplen);
RX_UNROLL
	for (i = 0; i < 8; i++)
		out[i] = in->b[8 + i];
RX_UNROLL
	for (i = 0; i < 8; i++)
		out[8 + i] = h >> (8 * i);
	*minted = 1;
	return verdict;
}

#endif
