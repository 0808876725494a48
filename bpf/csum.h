/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * csum.h - one's complement arithmetic (RFC 1071, RFC 1624) for the
 * response builder (sums from parts) and the L2-L4 rewrite.
 */
#ifndef RX_CSUM_H
#define RX_CSUM_H

#include <linux/types.h>

/* Addition of unfolded 32-bit partial sums, end-around carry. */
static __always_inline __u32 csum_add(__u32 a, __u32 b)
{
	a += b;
	return a + (a < b);
}

/* A partial sum folded to 16 bits, not inverted. */
static __always_inline __u32 csum_fold16(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s;
}

/* The checksum field's value for a partial sum: folded and inverted. */
static __always_inline __u16 csum_fold(__u32 s)
{
	return ~csum_fold16(s);
}

#endif
