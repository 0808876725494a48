/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * stats.h - read the per-CPU rx_stats map and name its counters.
 * The names come from the RX_STATS X-macro in bpf/rootxdp.h, so a counter
 * added there shows up in `rootxdp stats` without touching this code.
 */
#ifndef RX_STATS_H
#define RX_STATS_H

#include "rootxdp.h"

extern const char *const rx_stat_names[RX_STAT_MAX];
extern const char *const rx_path_names[RX_PATHS];	/* "xdp", "tc" */

/* Sum rx_stats[0]'s block of each path over every possible CPU into out[path].
 * Returns 0 or -errno. */
int rx_stats_read(int stats_fd, struct rx_stats out[RX_PATHS]);

/* `rootxdp stats --top N` (top.c): the N most asked existent and
 * nonexistent TLDs and qtypes, kernel and rootxdpd, with their shares. */
int rx_top_print(const char *pin_root, const char *run_dir, unsigned n, bool json);

#endif
