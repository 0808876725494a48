/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * multiprog.h - rootxdp's XDP program as one program among others in
 * libxdp's dispatcher (xdp-mode multiprog), so that an operator's XDP
 * program (a DDoS filter, a load balancer) and rootxdp share a NIC.
 *
 * libxdp puts a dispatcher program on the interface whose slots run the
 * component programs in order of their run priority (lowest first); a
 * component's verdict ends the chain unless it is one of that program's
 * chain-call actions.  Ours is XDP_PASS only: what rootxdp answers
 * (XDP_TX) or drops ends there, what it passes up goes on to the next
 * program.  libxdp pins the dispatcher and the links under
 * /sys/fs/bpf/xdp/dispatch-IFINDEX-ID/ (`xdp-loader status` reads them).
 *
 * The component is loaded from this binary's BPF object as an freplace
 * (BPF_PROG_TYPE_EXT) program against the maps pinned under the pin root,
 * so the zone, the configuration and the counters are the same as for
 * the bpf_link mode and the TC program.  rootxdp pins it once more at
 * PINROOT/mprog-xdp-IFNAME: that names the interface as attached in this
 * mode and identifies our program in the dispatcher (by id) for status,
 * health and detach.  Every function runs in the interface's network
 * namespace (ifindex is per namespace); the pins are on the host bpffs.
 */
#ifndef RX_MULTIPROG_H
#define RX_MULTIPROG_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "config.h"

#define RX_PIN_MPROG_XDP	"mprog-xdp-"	/* + interface name */

/* Where our program sits in the dispatcher of an interface. */
struct rx_mp_info {
	__u32 prog_id;		/* our component program */
	__u32 dispatcher_id;	/* libxdp's dispatcher on the interface */
	unsigned prio;		/* our run priority */
	int pos, count;		/* 1-based position among count programs */
	int native;		/* dispatcher in driver (1) or skb (0) mode */
	int ifindex;		/* of the interface (rx_mp_query_ns) */
};

/* PINROOT-relative pin name of ifname's component program. */
void rx_mp_pin_name(char *buf, size_t n, const char *ifname);
bool rx_mp_pinned(const char *pin_root, const char *ifname);

/* Load this binary's XDP program against the maps pinned under pin_root
 * as a libxdp component with run priority prio (XDP_PASS chain-called)
 * and add it to the dispatcher of ifindex, creating one or joining the
 * one there (in its mode); mode native/generic/auto chooses the mode of a
 * new dispatcher.  Pins it at PINROOT/mprog-xdp-IFNAME.  Prints its own
 * error; 0 or -errno. */
int rx_mp_attach(const char *pin_root, const char *ifname, int ifindex, enum rx_xdp_mode mode,
		 unsigned prio, struct rx_mp_info *info);

/* Our program (the pinned one) in the dispatcher of ifindex: 0 found,
 * -ENOENT not there (no pin, no dispatcher, or not in it), -errno. */
int rx_mp_query(const char *pin_root, const char *ifname, int ifindex, struct rx_mp_info *info);

/* rx_mp_query for ifname in network namespace netns ("" or NULL: ours),
 * from any namespace (status, health). */
int rx_mp_query_ns(const char *pin_root, const char *ifname, const char *netns,
		   struct rx_mp_info *info);

/* Take our program out of the dispatcher of ifindex (the other programs
 * stay and keep running; libxdp removes the dispatcher with its last
 * program) and remove our pin.  ifindex 0: the interface is gone, only
 * the pin goes.  Prints its own error; 0 or -errno. */
int rx_mp_detach(const char *pin_root, const char *ifname, int ifindex);

#endif
