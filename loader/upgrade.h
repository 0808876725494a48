/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * upgrade.h - replace the programs under the live links (upgrade.c).
 */
#ifndef RX_UPGRADE_H
#define RX_UPGRADE_H

#include <stdbool.h>
#include <linux/types.h>
#include "config.h"

struct btf;

/* With the pin root locked: check that every pinned map has the layout
 * this binary's programs need, load them against those maps and switch
 * every XDP link and TC filter over, in place; check_only stops after the
 * check.  netns overrides the attach state's namespace.  Prints its own
 * lines; returns 0 or -errno (-EPROTO: a map layout differs, nothing
 * changed). */
int rx_upgrade(const struct rx_config *c, const char *pin_root, const char *netns,
	       bool check_only);

/* Canonical text of a BTF type's layout (malloc'ed; NULL on no memory):
 * equal texts, interchangeable map values. */
char *rx_btf_sig(const struct btf *btf, __u32 id);

#endif
