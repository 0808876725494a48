/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * siphash.h - SipHash-2-4 (Aumasson & Bernstein) with a 64-bit output,
 * shared by the BPF programs and rootxdpd, so that the kernel paths and
 * the daemon mint the same DNS cookies (RFC 9018) from one piece of code.
 *
 * Sized for what cookies hash: at most RX_SIP_MAX bytes, from a buffer
 * zero padded to RX_SIP_MAX + 8 and 8-byte aligned.  No loop whose count
 * the verifier cannot see: four message blocks at most, unrolled.
 */
#ifndef RX_SIPHASH_H
#define RX_SIPHASH_H

#include <linux/types.h>

#include "inline.h"

#define RX_SIP_MAX	32	/* client cookie 8 + header 8 + IPv6 16 */

/* Little-endian 64-bit load from an 8-byte aligned buffer. */
static __always_inline __u64 rx_le64(const __u8 *p)
{
	__u64 v = *(const __u64 *)p;

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static __always_inline __u64 rx_rotl64(__u64 x, int b)
{
	return (x << b) | (x >> (64 - b));
}

#define RX_SIPROUND(v0, v1, v2, v3)					\
	do {								\
		v0 += v1; v1 = rx_rotl64(v1, 13); v1 ^= v0;		\
		v0 = rx_rotl64(v0, 32);					\
		v2 += v3; v3 = rx_rotl64(v3, 16); v3 ^= v2;		\
		v0 += v3; v3 = rx_rotl64(v3, 21); v3 ^= v0;		\
		v2 += v1; v1 = rx_rotl64(v1, 17); v1 ^= v2;		\
		v2 = rx_rotl64(v2, 32);					\
	} while (0)

/*
 * SipHash-2-4 of in[0, len), len <= RX_SIP_MAX, key k0/k1 = the 16-byte
 * key read as two little-endian words.  in must be 8-byte aligned and hold
 * zeros from len up to the next multiple of 8 (the final block is read
 * whole).  Returns the hash; its little-endian bytes are the 8-byte output
 * of the reference implementation.
 */
static __always_inline __u64 rx_siphash24(__u64 k0, __u64 k1, const __u8 *in, __u32 len)
{
	__u64 v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	__u64 v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	__u64 m;
	__u32 i, full = len / 8;

RX_UNROLL
	for (i = 0; i < RX_SIP_MAX / 8; i++) {
		if (i < full) {
			m = rx_le64(in + 8 * i);
			v3 ^= m;
			RX_SIPROUND(v0, v1, v2, v3);
			RX_SIPROUND(v0, v1, v2, v3);
			v0 ^= m;
		}
	}
	/* Last block: the remaining bytes (zero padded) and the length.
	 * full <= RX_SIP_MAX / 8, so the read stays in the padded buffer. */
	if (full > RX_SIP_MAX / 8)
		full = RX_SIP_MAX / 8;
	m = ((__u64)len << 56) | rx_le64(in + 8 * full);
	v3 ^= m;
	RX_SIPROUND(v0, v1, v2, v3);
	RX_SIPROUND(v0, v1, v2, v3);
	v0 ^= m;
	v2 ^= 0xff;
	RX_SIPROUND(v0, v1, v2, v3);
	RX_SIPROUND(v0, v1, v2, v3);
	RX_SIPROUND(v0, v1, v2, v3);
	RX_SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

#endif
