/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * prometheus.h - `rootxdp stats --prometheus` (prometheus.c): counters of
 * the kernel paths and rootxdpd in labelled families, and the gauges an
 * operator alerts on.
 */
#ifndef RX_PROMETHEUS_H
#define RX_PROMETHEUS_H

#include <stdbool.h>
#include <stdio.h>
#include "rootxdp.h"

#define RX_PROM_KERNEL	1
#define RX_PROM_DAEMON	2

struct rx_prom_counter {
	const char *path;	/* kernel: "xdp" or "tc" */
	const char *name;	/* as in RX_STATS / FB_STATS */
	unsigned long long v;
};

struct rx_prom_input {
	const struct rx_prom_counter *k, *d;	/* kernel, rootxdpd */
	int nk, nd;
	unsigned path_mask;		/* kernel paths shown: 1 << RX_PATH_* */
	const char *version;
	unsigned image_format;
	unsigned long long now;		/* UNIX seconds */
	bool have_zone;			/* the maps hold a zone: */
	__u32 serial;
	__u64 loaded_ns;
	char sha256[65];
	bool have_age;			/* the served image was read: */
	__u64 sig_expire, stale_at;
	bool with_daemon;		/* rootxdpd's part wanted (no --path) */
	int daemon_up;
	bool have_dserial, have_dtime;	/* from rootxdpd's stats file */
	__u32 dserial;
	unsigned long long dtime;
};

/* Write the exposition to f; 0 or -errno. */
int rx_prom_write(FILE *f, const struct rx_prom_input *in);

#endif
