/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * anycast.h - announce the service prefixes while healthy: `rootxdp
 * anycast watch` keeps a marker route per prefix in a kernel table of its
 * own while `rootxdp health` passes (with hysteresis), and BIRD exports
 * what is there (docs/anycast.md).
 */
#ifndef RX_ANYCAST_H
#define RX_ANYCAST_H

#include <stdbool.h>
#include <stddef.h>

struct rx_prefix {
	int family;			/* AF_INET, AF_INET6 */
	int len;
	unsigned char addr[16];
	char text[80];			/* as printed: ADDR/LEN */
};

/* "198.51.100.0/24", "2001:db8::/48", or an address alone (a host
 * prefix).  Host bits must be zero. */
int rx_prefix_parse(const char *s, struct rx_prefix *p, char *err, size_t errlen);

/* Add (replace) or delete the blackhole marker route of p in table, in
 * the current network namespace.  Deleting one that is absent is 0. */
int rx_marker_set(const struct rx_prefix *p, unsigned table, bool add);
/* 1 if the marker of p is in table, 0 if not, -errno. */
int rx_marker_present(const struct rx_prefix *p, unsigned table);

#endif
