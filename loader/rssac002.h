/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rssac002.h - `rootxdp rssac002` (loader/rssac002.c): snapshots of the
 * RSSAC002 counters and sketches, and the published YAML files made from
 * two of them.  The readers are here for the packet tests too.
 */
#ifndef RX_RSSAC002_H
#define RX_RSSAC002_H

#include <stdint.h>
#include "rootxdp.h"

enum { RX_SRC_XDP = 0, RX_SRC_TC = 1, RX_SRC_DAEMON = 2, RX_SRCS };

/* One UTC day's merged registers (kernel CPUs and rootxdpd). */
struct rx_rssac_sketch {
	uint32_t day;
	uint8_t reg[RX_HLL_KINDS][RX_HLL_M];
};

#define RX_RSSAC_LOADS_MAX	64
struct rx_rssac_load {
	uint32_t serial;
	uint64_t avail, served;		/* unix seconds */
	uint64_t size;			/* zone octets */
};

struct rx_rssac_snap {
	uint64_t time;			/* unix seconds, UTC */
	uint32_t serial;		/* live zone (0: none) */
	uint64_t zone_size;		/* its octets (0: unknown) */
	struct rx_rssac src[RX_SRCS];
	int nsk;
	struct rx_rssac_sketch sk[RX_HLL_DAYS * 2];
	int nload;
	struct rx_rssac_load load[RX_RSSAC_LOADS_MAX];
};

/* Sum rx_rssac over CPUs into s->src[RX_SRC_XDP], [RX_SRC_TC]; merge the
 * rx_hll registers of every CPU into s->sk by day.  0 or -errno. */
int rx_rssac_kernel_read(int fd_rssac, int fd_hll, struct rx_rssac_snap *s);
/* HyperLogLog estimate of one register set (RX_HLL_M registers). */
double rx_hll_estimate(const uint8_t *reg);
/* The sketch of day in s, or NULL. */
const struct rx_rssac_sketch *rx_rssac_day(const struct rx_rssac_snap *s, uint32_t day);

/* load-time: `rootxdp refresh` calls this once serial is served by both
 * paths (attached: the maps and rootxdpd; else rootxdpd only); zone is
 * the file it compiled, whose mtime is when the source had the zone (an
 * HTTP download carries Last-Modified, an AXFR the transfer's time).
 * Appends "serial available served size" to state-dir/rssac002.loads. */
struct rx_config;
void rx_rssac_loaded(const struct rx_config *c, uint32_t serial, const char *zone);

#endif
