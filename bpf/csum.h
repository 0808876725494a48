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

/* The unfolded sum of n (a constant) 32-bit words at p, in memory order:
 * what bpf_csum_diff() returns for them, without a helper call for the
 * few fixed-size words of a header (any alignment: BPF loads on x86 and
 * arm64 need none). */
static __always_inline __u32 csum_words(const void *p, const int n, __u32 sum)
{
	int i;

#pragma unroll
	for (i = 0; i < n; i++)
		sum = csum_add(sum, ((const __u32 *)p)[i]);
	return sum;
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
