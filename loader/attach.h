/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * attach.h - put the programs on interfaces and take them off again: the
 * mechanics behind `rootxdp attach` (attach.c) and `rootxdp detach`
 * (detach.c).  progs.c loads or reuses the programs and maps, hooks.c
 * hooks them to one interface, multiprog.c does the XDP part through
 * libxdp's dispatcher instead (xdp-mode multiprog, multiprog.h).
 *
 * XDP goes on through a bpf_link (native, or generic when the driver has
 * no native XDP and the mode is auto), pinned at PINROOT/link-xdp-IFNAME:
 * the link lives as long as the pin.  TC goes on as a cls_bpf filter
 * (direct action) at clsact ingress with a fixed handle and priority: on
 * Debian's 6.1 a TC filter is not a link, so the state file records it.
 * Both programs are pinned once (PINROOT/prog-xdp, prog-tc) and shared by
 * every interface, with one set of maps.
 */
#ifndef RX_ATTACH_H
#define RX_ATTACH_H

#include <stdbool.h>
#include "config.h"
#include "zone_maps.h"

/* Our TC filter: "rx" twice.  Priority below the range tc allocates by
 * itself (0xc000 down), so it runs before filters added without one. */
#define RX_TC_HANDLE	0x7278
#define RX_TC_PRIO	0x7278

/* Programs and maps, either freshly loaded and pinned or from the pins. */
struct rx_progs {
	int xdp_fd, tc_fd;
	bool fresh;		/* loaded (and pinned) by this process */
	struct rx_maps maps;
	void *skel;		/* struct rootxdp *, when fresh */
	unsigned rrl_entries;	/* in: rx_rrl size when loading fresh (0: built-in) */
	unsigned tap_ring;	/* in: rx_tap bytes when loading fresh (0: built-in) */
};

/* Load the skeleton with every map pinned under pin_root (an existing pin
 * is reused by libbpf), pin the programs; or reuse pinned programs. */
int rx_progs_get(const char *pin_root, struct rx_progs *p);
void rx_progs_put(struct rx_progs *p);

/* Set the pin path of every map of obj that holds state (all but the
 * internal maps and rx_map_stateless() ones) under pin_root. */
struct bpf_object;
int rx_obj_pin_maps(struct bpf_object *obj, const char *pin_root);
struct bpf_map;
bool rx_map_stateless(const char *name);
/* Size map as its pin under pin_root is (rx_rrl, rx_tap), if pinned. */
void rx_map_size_as_pinned(struct bpf_map *map, const char *pin_root);
/* The kernel id of a program. */
int rx_prog_id(int fd, __u32 *id);

/* ---- hooks.c: one interface, in its network namespace ---- */
struct bpf_link_info;
int rx_iface_mtu(const char *name, unsigned *mtu);
int rx_link_info(int fd, struct bpf_link_info *info);
/* Attach XDP through a bpf_link: native, or generic on EOPNOTSUPP when
 * mode is auto; *native says how it went.  The link fd, or -errno. */
int rx_xdp_link(int prog_fd, const char *ifname, int ifindex, enum rx_xdp_mode mode,
		int *native);
/* Detach and unpin the XDP link of ifname (absent: 0). */
int rx_xdp_unlink(const char *pin_root, const char *ifname);
/* Our cls_bpf filter at clsact ingress (RX_TC_HANDLE, RX_TC_PRIO);
 * *created: this call created the clsact qdisc. */
int rx_tc_attach(int prog_fd, const char *ifname, int ifindex, int *created);
/* Remove our TC filter if it is still ours (our_id: the program's id,
 * 0 unknown). */
int rx_tc_detach(const char *ifname, int ifindex, __u32 handle, __u32 prio, __u32 our_id);
/* Remove the clsact qdisc rootxdp created unless others' filters hang
 * on it now: 1 removed, 0 kept, -errno. */
int rx_clsact_remove(const char *ifname, int ifindex);

/* How many filters (of anyone) hang on the clsact qdisc of ifindex, in
 * the current network namespace, ingress and egress; -errno on error.
 * detach removes a clsact it created only when this is 0 (clsact.c). */
int rx_clsact_filters(int ifindex);

/* Remove every pin rootxdp made under pin_root, then the directory. */
int rx_pins_remove(const char *pin_root);

#endif
