// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <string.h>
#include "dname.h"

static inline uint8_t lc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

unsigned rx_dname_len(const uint8_t *n)
{
	unsigned len = 0;

	while (n[len])
		len += n[len] + 1;
	return len + 1;
}

unsigned rx_dname_labels(const uint8_t *n)
{
	unsigned k = 0;

	for (; *n; n += *n + 1)
		k++;
	return k;
}

bool rx_dname_eq(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		unsigned l = *a;

		if (l != *b)
			return false;
		if (!l)
			return true;
		for (unsigned i = 1; i <= l; i++)
			if (lc(a[i]) != lc(b[i]))
				return false;
		a += l + 1;
		b += l + 1;
	}
}

/* Label by label from the root, each label as lowercased bytes, a shorter
 * label that is a prefix of the other first; then the shorter name. */
int rx_dname_cmp(const uint8_t *a, const uint8_t *b)
{
	const uint8_t *la[128], *lb[128];
	int na = 0, nb = 0;

	for (; *a && na < 128; a += *a + 1)
		la[na++] = a;
	for (; *b && nb < 128; b += *b + 1)
		lb[nb++] = b;
	while (na && nb) {
		const uint8_t *x = la[--na], *y = lb[--nb];
		unsigned n = x[0] < y[0] ? x[0] : y[0];

		for (unsigned i = 1; i <= n; i++)
			if (lc(x[i]) != lc(y[i]))
				return lc(x[i]) < lc(y[i]) ? -1 : 1;
		if (x[0] != y[0])
			return x[0] < y[0] ? -1 : 1;
	}
	return na - nb;
}

/* Parse the (possibly compressed) name at off.  Each pointer must point
 * before every byte of the name read so far, so decoding always ends.
 * Writes the decompressed name to out (if not NULL) and returns the offset
 * after the name as it sits in the message, or -1: FORMERR. */
long rx_dname_unpack(const uint8_t *m, size_t len, size_t off, uint8_t *out,
		     unsigned *outlen)
{
	size_t pos = off, limit = off;
	long after = -1;
	unsigned n = 0;

	for (;;) {
		uint8_t l;

		if (pos >= len)
			return -1;
		l = m[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t to;

			if (pos + 1 >= len)
				return -1;
			to = ((size_t)(l & 0x3f) << 8) | m[pos + 1];
			if (to >= limit)
				return -1;
			if (after < 0)
				after = pos + 2;
			pos = limit = to;
			continue;
		}
		if (l & 0xc0)	/* 0x40, 0x80: reserved label types */
			return -1;
		if (n + l + 1 > 255)
			return -1;
		if (pos + 1 + l > len)
			return -1;
		if (out)
			memcpy(out + n, m + pos, l + 1);
		n += l + 1;
		pos += l + 1;
		if (!l)
			break;
	}
	if (outlen)
		*outlen = n;
	return after >= 0 ? after : (long)pos;
}
