/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* errf.h - the "char *err, size_t errlen" convention of common/ and the
 * loader: write one line into the caller's buffer and return rc. */
#ifndef RX_ERRF_H
#define RX_ERRF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline int rx_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline int rx_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

#endif
