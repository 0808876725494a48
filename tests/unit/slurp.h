/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * slurp.h - a whole file, plain or gzip, into memory, for the unit tests
 * that read a zone independently of the code under test.
 */
#ifndef RX_TEST_SLURP_H
#define RX_TEST_SLURP_H

#include <stdlib.h>
#include <zlib.h>

/* The file (inflated if gzip), NUL terminated, its length in *len; NULL
 * if it cannot be opened. */
static char *slurp(const char *path, size_t *len)
{
	gzFile gz = gzopen(path, "rb");
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	int r;

	if (!gz || !buf)
		return NULL;
	while ((r = gzread(gz, buf + n, cap - n - 1)) > 0) {
		n += r;
		if (cap - n < 65536)
			buf = realloc(buf, cap *= 2);
	}
	gzclose(gz);
	buf[n] = '\0';
	*len = n;
	return buf;
}

#endif
