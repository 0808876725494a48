/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * utc.h - UNIX seconds as the UTC time operators read in logs and status
 * output (RFC 3339, "2026-12-03T18:48:09Z").
 */
#ifndef RX_UTC_H
#define RX_UTC_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* Writes buf and returns it; the number itself if the time is out of
 * range for the C library. */
static inline const char *rx_utc(uint64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "%llu", (unsigned long long)t);
	return buf;
}

#endif
