/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * serial.h - RFC 1982 serial number arithmetic, the one copy for the
 * compiler (--min-serial, --previous), the loader (load, refresh) and
 * rootxdpd (reload, IXFR).
 */
#ifndef RX_SERIAL_H
#define RX_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

/* Is a newer than b?  RFC 1982 3.2 with SERIAL_BITS = 32: a > b iff the
 * forward distance (a - b) mod 2^32 is in (0, 2^31); at exactly 2^31 the
 * comparison is undefined, and so never "newer". */
static inline bool rx_serial_newer(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(a - b) < 0x80000000u;
}

#endif
