// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
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
