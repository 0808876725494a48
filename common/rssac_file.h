/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rssac_file.h - rootxdpd's RSSAC002 counters, kept in a file:
 * state-dir/rootxdpd.rssac, mapped shared by rootxdpd (fallback/rssac.c)
 * and read by `rootxdp rssac002` (loader/rssac002.c).
 *
 * Why a file: the counters must outlive rootxdpd (a restart in the middle
 * of a day loses nothing, the interval is a difference of snapshots).  The
 * pages belong to the page cache, so a crash of rootxdpd loses nothing
 * either; the kernel writes them back (a power cut may lose the last ~30
 * seconds).  state-dir survives reboots, unlike run-dir.
 */
#ifndef RX_RSSAC_FILE_H
#define RX_RSSAC_FILE_H

#include <stdint.h>
#include "rootxdp.h"

#define RX_RSSAC_FILE		"rootxdpd.rssac"
#define RX_RSSAC_FILE_MAGIC	"RXRSSAC\0"
#define RX_RSSAC_FILE_VERSION	1
/* One block per worker thread (a thread takes block n % this): writers
 * never share a cache line of counters. */
#define RX_RSSAC_DBLOCKS	16

struct rx_rssac_dfile {
	char     magic[8];
	uint32_t version;
	uint32_t size;			/* sizeof(struct rx_rssac_dfile) */
	uint64_t created;		/* unix seconds */
	struct rx_rssac blk[RX_RSSAC_DBLOCKS];
	/* hll[(day % RX_HLL_DAYS) * RX_HLL_KINDS + kind]; written only
	 * while its day tag is today (rootxdpd's main thread prepares the
	 * slots of today and the next two days). */
	struct rx_hll hll[RX_HLL_DAYS * RX_HLL_KINDS];
};

#endif
