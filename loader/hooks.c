// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * hooks.c - rootxdp's hooks on one interface: the XDP bpf_link (native,
 * or generic where the driver has none and the mode allows), pinned at
 * PINROOT/link-xdp-IFNAME, and the TC filter at clsact ingress (see
 * attach.h).  Each function runs in the interface's network namespace.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "cmd.h"
#include "log.h"

int rx_iface_mtu(const char *name, unsigned *mtu)
{
	struct ifreq ifr;
	int s, err = 0;

	/* A socket made now belongs to the current network namespace. */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	rx_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	if (ioctl(s, SIOCGIFMTU, &ifr))
		err = -errno;
	else
		*mtu = (unsigned)ifr.ifr_mtu;
	close(s);
	return err;
}

int rx_link_info(int fd, struct bpf_link_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}


/* Attach XDP through a link; *native says how it went. */
int rx_xdp_link(int prog_fd, const char *ifname, int ifindex, enum rx_xdp_mode mode,
		    int *native)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo);
	int fd, err;

	if (mode != RX_MODE_GENERIC) {
		lo.flags = XDP_FLAGS_DRV_MODE;
		fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &lo);
		if (fd >= 0) {
			*native = 1;
			return fd;
		}
		err = -errno;
		if (err == -EOPNOTSUPP && mode == RX_MODE_NATIVE) {
			rx_err("cannot attach to %s in native mode: the driver has no native XDP "
			       "(use --mode generic or xdp-mode = auto)", ifname);
			return err;
		}
		if (err != -EOPNOTSUPP)
			goto fail;
		rx_warn("cannot attach to %s in native mode: %s (falling back to generic mode, "
			"slower; set xdp-mode = native or --mode native to refuse)",
			ifname, rx_strerr(err));
	}
	lo.flags = XDP_FLAGS_SKB_MODE;
	fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &lo);
	if (fd >= 0) {
		*native = 0;
		return fd;
	}
	err = -errno;
fail:
	if (err == -EBUSY || err == -EEXIST)
		rx_err("cannot attach to %s: it has an XDP program already (ip link show dev %s; "
		       "remove that one first, or rootxdp detach if it is ours)", ifname, ifname);
	else
		rx_err("cannot attach XDP to %s: %s" RX_HINT_FMT, ifname, rx_strerr(err),
		       RX_HINT_ARGS(err));
	return err;
}

/* Remove the clsact qdisc of ifindex (one rootxdp created) unless
 * filters of others hang on it now: 1 removed, 0 kept, -errno. */
int rx_clsact_remove(const char *ifname, int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	int n, err;

	n = rx_clsact_filters(ifindex);
	if (n < 0) {
		rx_warn("%s: cannot list the filters on its clsact qdisc: %s (left in place; "
			"tc qdisc del dev %s clsact removes it)", ifname, rx_strerr(n), ifname);
		return n;
	}
	if (n > 0) {
		rx_info("%s: %d filter(s) of others on the clsact qdisc rootxdp created: kept",
			ifname, n);
		return 0;
	}
	err = bpf_tc_hook_destroy(&hook);
	if (err && err != -ENOENT && err != -EINVAL) {
		rx_warn("%s: cannot remove the clsact qdisc rootxdp created: %s", ifname,
			rx_strerr(err));
		return err;
	}
	return 1;
}

int rx_tc_attach(int prog_fd, const char *ifname, int ifindex, int *created)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, to, .handle = RX_TC_HANDLE, .priority = RX_TC_PRIO,
		    .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE);
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		rx_err("cannot create the clsact qdisc on %s: %s" RX_HINT_FMT, ifname,
		       rx_strerr(err), RX_HINT_ARGS(err));
		return err;
	}
	*created = err == 0;
	err = bpf_tc_attach(&hook, &to);
	if (err) {
		rx_err("cannot add the TC filter on %s ingress: %s (an 'ingress' qdisc may be in "
		       "the way: tc qdisc show dev %s)", ifname, rx_strerr(err), ifname);
		if (*created) {
			rx_clsact_remove(ifname, ifindex);
			*created = 0;
		}
		return err;
	}
	return 0;
}

/* Remove our TC filter, if it is still ours (same handle/priority and
 * the pinned program, when we know its id). */
int rx_tc_detach(const char *ifname, int ifindex, __u32 handle, __u32 prio, __u32 our_id)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, to, .handle = handle, .priority = prio);
	int err;

	err = bpf_tc_query(&hook, &to);
	if (err == -ENOENT || err == -EINVAL)
		return 0;	/* no clsact or no such filter: nothing of ours */
	if (err) {
		rx_warn("cannot look up the TC filter on %s: %s", ifname, rx_strerr(err));
		return err;
	}
	if (our_id && to.prog_id != our_id) {
		rx_warn("TC filter %x:%x on %s runs program %u, not ours (%u): left alone",
			handle, prio, ifname, to.prog_id, our_id);
		return 0;
	}
	memset(&to, 0, sizeof(to));
	to.sz = sizeof(to);
	to.handle = handle;
	to.priority = prio;
	err = bpf_tc_detach(&hook, &to);
	if (err && err != -ENOENT) {
		rx_err("cannot remove the TC filter on %s: %s" RX_HINT_FMT, ifname,
		       rx_strerr(err), RX_HINT_ARGS(err));
		return err;
	}
	return 0;
}

/* Detach and unpin the XDP link of ifname.  Explicit BPF_LINK_DETACH
 * first, so the program is off the interface when we return (dropping
 * the last reference alone frees the link from a workqueue). */
int rx_xdp_unlink(const char *pin_root, const char *ifname)
{
	char name[64], path[PATH_MAX];
	int fd, err = 0;

	rx_link_pin_name(name, sizeof(name), ifname);
	if (rx_pin_path(path, sizeof(path), pin_root, name))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT)
			return 0;
		rx_err("cannot open %s: %s" RX_HINT_FMT, path, rx_strerr(err), RX_HINT_ARGS(err));
		return err;
	}
	if (bpf_link_detach(fd) && errno != ENOLINK && errno != EINVAL)
		rx_warn("cannot detach the XDP link of %s: %s (removing its pin anyway)", ifname,
			strerror(errno));
	close(fd);
	if (unlink(path) && errno != ENOENT) {
		err = -errno;
		rx_err("cannot remove %s: %s", path, rx_strerr(err));
	}
	return err;
}
