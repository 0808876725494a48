/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * zone_maps.h - fill the BPF maps from an image and swap atomically.
 * Used by `rootxdp attach/load` and by the packet tests (tests/xdp).
 */
#ifndef RX_ZONE_MAPS_H
#define RX_ZONE_MAPS_H

#include <stdint.h>
#include "config.h"
#include "image.h"

struct bpf_object;

/* File descriptors of every map the programs use. */
struct rx_maps {
	int ctl, cfg, meta, stats;
	int rrl, rrl_exempt;
	int resp, blob, tld, nsec;	/* outer ARRAY_OF_MAPS */
};

/* From a loaded object (skeleton->obj), or from the pins under pin_root. */
int rx_maps_from_obj(struct bpf_object *obj, struct rx_maps *m);
int rx_maps_from_pins(const char *pin_root, struct rx_maps *m, char *err, size_t errlen);
void rx_maps_close(struct rx_maps *m);

/* Create inner maps sized for img (with BTF, so bpftool prints typed
 * values), fill them, read back a sample, write rx_meta[idle], flip
 * rx_ctl.slot, wait for in-flight packets (RCU grace), then release the
 * old slot's inner maps.  Serving is untouched on any failure. */
int rx_zone_swap(const struct rx_maps *m, const struct rx_image *img,
		 char *err, size_t errlen);

/* Serial/meta of the live slot; -ENOENT if no zone is loaded. */
int rx_zone_live(const struct rx_maps *m, struct rx_meta *meta);

/* Write rx_cfg from the configuration (identity, version, NSID, max
 * payload, RRL, the cookie secrets: rx_secrets_load(), which may create
 * state-dir/cookie-secret) and the MTU the programs may fill; refill
 * rx_rrl_exempt. */
int rx_cfg_write(const struct rx_maps *m, const struct rx_config *c, unsigned mtu,
		 char *err, size_t errlen);

#endif
