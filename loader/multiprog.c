// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * multiprog.c - rootxdp's XDP program in libxdp's dispatcher (see
 * multiprog.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "attach.h"
#include "cmd.h"
#include "log.h"
#include "multiprog.h"
#include "rootxdp.skel.h"

void rx_mp_pin_name(char *buf, size_t n, const char *ifname)
{
	snprintf(buf, n, "%s%s", RX_PIN_MPROG_XDP, ifname);
}

static int mp_pin_path(char *buf, size_t len, const char *pin_root, const char *ifname)
{
	char name[64];

	rx_mp_pin_name(name, sizeof(name), ifname);
	return rx_pin_path(buf, len, pin_root, name);
}

bool rx_mp_pinned(const char *pin_root, const char *ifname)
{
	char name[64];

	rx_mp_pin_name(name, sizeof(name), ifname);
	return rx_pin_exists(pin_root, name);
}

/* The dispatcher on ifindex, or NULL (none, or an error). */
static struct xdp_multiprog *mp_get(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);

	if (!mp || libxdp_get_error(mp))
		return NULL;
	return mp;
}

static const char *mode_name(enum xdp_attach_mode m)
{
	return m == XDP_MODE_NATIVE ? "native" : m == XDP_MODE_SKB ? "generic" :
	       m == XDP_MODE_HW ? "offload" : "unspecified";
}

/* Fill info from the dispatcher mp for program id. */
static int mp_find(const struct xdp_multiprog *mp, __u32 id, struct rx_mp_info *info)
{
	struct xdp_program *p = NULL;
	int pos = 0;

	info->dispatcher_id = xdp_program__id(xdp_multiprog__main_prog(mp));
	info->count = xdp_multiprog__program_count(mp);
	info->native = xdp_multiprog__attach_mode(mp) == XDP_MODE_NATIVE;
	while ((p = xdp_multiprog__next_prog(p, mp))) {
		pos++;
		if (xdp_program__id(p) == id) {
			info->pos = pos;
			info->prio = xdp_program__run_prio(p);
			return 0;
		}
	}
	return -ENOENT;
}

int rx_mp_query(const char *pin_root, const char *ifname, int ifindex, struct rx_mp_info *info)
{
	char path[PATH_MAX];
	struct xdp_multiprog *mp;
	int fd, err;

	memset(info, 0, sizeof(*info));
	if (mp_pin_path(path, sizeof(path), pin_root, ifname))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	err = rx_prog_id(fd, &info->prog_id);
	close(fd);
	if (err)
		return err;
	if (!ifindex)
		return -ENOENT;
	mp = mp_get(ifindex);
	if (!mp)
		return -ENOENT;
	err = xdp_multiprog__is_legacy(mp) ? -ENOENT : mp_find(mp, info->prog_id, info);
	xdp_multiprog__close(mp);
	return err;
}

int rx_mp_attach(const char *pin_root, const char *ifname, int ifindex, enum rx_xdp_mode mode,
		 unsigned prio, struct rx_mp_info *info)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xo);
	enum xdp_attach_mode xmode = mode == RX_MODE_NATIVE ? XDP_MODE_NATIVE :
				     mode == RX_MODE_GENERIC ? XDP_MODE_SKB : XDP_MODE_UNSPEC;
	struct xdp_program *prog = NULL;
	struct xdp_multiprog *mp;
	struct rootxdp *skel;
	char path[PATH_MAX];
	bool attached = false;
	__u32 id = 0;
	int err;

	memset(info, 0, sizeof(*info));
	if (mp_pin_path(path, sizeof(path), pin_root, ifname))
		return -ENAMETOOLONG;
	/* A dispatcher there already: join it in its mode (native and
	 * generic XDP cannot both run on one device).  A program there
	 * without a dispatcher (ip link, a bpf_link) cannot share. */
	mp = mp_get(ifindex);
	if (mp) {
		if (xdp_multiprog__is_legacy(mp)) {
			rx_err("cannot attach to %s through libxdp: it has an XDP program outside a "
			       "libxdp dispatcher (program %u; ip link show dev %s): load that one "
			       "with xdp-loader so that both can share the interface, or remove it",
			       ifname, xdp_program__id(xdp_multiprog__main_prog(mp)), ifname);
			xdp_multiprog__close(mp);
			return -EBUSY;
		}
		if (xmode != XDP_MODE_UNSPEC && xmode != xdp_multiprog__attach_mode(mp))
			rx_warn("%s: the libxdp dispatcher there runs in %s mode: joining it in that "
				"mode", ifname, mode_name(xdp_multiprog__attach_mode(mp)));
		xmode = xdp_multiprog__attach_mode(mp);
		xdp_multiprog__close(mp);
	}

	skel = rootxdp__open();
	if (!skel) {
		err = -errno;
		rx_err("cannot open the BPF object: %s", rx_strerr(err));
		return err;
	}
	if ((err = rx_obj_pin_maps(skel->obj, pin_root)))
		goto out;
	rx_map_size_as_pinned(skel->maps.rx_rrl, pin_root);
	rx_map_size_as_pinned(skel->maps.rx_tap, pin_root);
	/* Only the XDP program goes into the dispatcher; TC stays as it is. */
	bpf_program__set_autoload(skel->progs.rootxdp_tc, false);
	xo.obj = skel->obj;
	xo.prog_name = "rootxdp_xdp";
	prog = xdp_program__create(&xo);
	if (!prog) {
		err = -errno;
		rx_err("libxdp cannot take rootxdp's XDP program: %s", rx_strerr(err));
		goto out;
	}
	/* Only what we pass up goes on to the next program. */
	if ((err = xdp_program__set_run_prio(prog, prio)) ||
	    (err = xdp_program__set_chain_call_enabled(prog, XDP_PASS, true))) {
		rx_err("cannot set the run priority of rootxdp's XDP program: %s", rx_strerr(err));
		goto out;
	}
	err = xdp_program__attach(prog, ifindex, xmode, 0);
	if (err) {
		rx_err("cannot attach to %s through libxdp's dispatcher: %s (run with -v for "
		       "libxdp's log; xdp-loader status %s shows what is there)", ifname,
		       rx_strerr(err), ifname);
		goto out;
	}
	attached = true;
	id = xdp_program__id(prog);
	/* libxdp falls back to a lone program when the kernel cannot run
	 * its dispatcher (or LIBXDP_SKIP_DISPATCHER=1): that shares nothing. */
	mp = mp_get(ifindex);
	if (!mp || xdp_multiprog__is_legacy(mp)) {
		if (mp)
			xdp_multiprog__close(mp);
		rx_err("%s: libxdp attached rootxdp alone, without its dispatcher (a kernel "
		       "without freplace, or LIBXDP_SKIP_DISPATCHER set): taken off again; use "
		       "xdp-mode auto for an interface rootxdp has to itself", ifname);
		err = -EOPNOTSUPP;
		goto out;
	}
	xdp_multiprog__close(mp);
	unlink(path);		/* a stale pin of a program no longer there */
	if (bpf_obj_pin(xdp_program__fd(prog), path)) {
		err = -errno;
		rx_err("cannot pin rootxdp's XDP program at %s: %s", path, rx_strerr(err));
		goto out;
	}
	attached = false;	/* kept */
	err = rx_mp_query(pin_root, ifname, ifindex, info);
	if (err) {
		rx_err("%s: rootxdp's program %u is not in the dispatcher after attaching it: %s",
		       ifname, id, rx_strerr(err));
		rx_mp_detach(pin_root, ifname, ifindex);
	}
out:
	if (attached && xdp_program__detach(prog, ifindex, XDP_MODE_UNSPEC, 0))
		rx_warn("%s: cannot take rootxdp's program %u off again (xdp-loader unload %s "
			"--id %u)", ifname, id, ifname, id);
	if (prog)
		xdp_program__close(prog);
	rootxdp__destroy(skel);
	return err;
}

int rx_mp_detach(const char *pin_root, const char *ifname, int ifindex)
{
	struct xdp_multiprog *mp = NULL;
	struct xdp_program *p = NULL;
	char path[PATH_MAX];
	__u32 id = 0;
	int fd, err = 0;

	if (mp_pin_path(path, sizeof(path), pin_root, ifname))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT)
			return 0;
		rx_err("cannot open %s: %s" RX_HINT_FMT, path, rx_strerr(err), RX_HINT_ARGS(err));
		return err;
	}
	err = rx_prog_id(fd, &id);
	close(fd);
	if (err) {
		rx_err("cannot read the id of %s: %s", path, rx_strerr(err));
		return err;
	}
	if (ifindex)
		mp = mp_get(ifindex);
	if (mp && !xdp_multiprog__is_legacy(mp))
		while ((p = xdp_multiprog__next_prog(p, mp)))
			if (xdp_program__id(p) == id)
				break;
	if (p) {
		/* libxdp builds a dispatcher without ours and swaps it in:
		 * the others never stop running. */
		err = xdp_program__detach(p, ifindex, XDP_MODE_UNSPEC, 0);
		if (err) {
			rx_err("%s: cannot take rootxdp's program %u out of libxdp's dispatcher: %s "
			       "(xdp-loader status %s)", ifname, id, rx_strerr(err), ifname);
			goto out;
		}
	} else {
		rx_info("%s: rootxdp's program %u is no longer in a dispatcher there", ifname, id);
	}
	if (unlink(path) && errno != ENOENT) {
		err = -errno;
		rx_err("cannot remove %s: %s", path, rx_strerr(err));
	}
out:
	if (mp)
		xdp_multiprog__close(mp);
	return err;
}

int rx_mp_query_ns(const char *pin_root, const char *ifname, const char *netns,
		   struct rx_mp_info *info)
{
	int saved = -1, err;

	memset(info, 0, sizeof(*info));
	if ((err = rx_netns_enter(netns, &saved)))
		return err;
	err = rx_mp_query(pin_root, ifname, (int)if_nametoindex(ifname), info);
	if (!err)
		info->ifindex = (int)if_nametoindex(ifname);
	if (rx_netns_restore(saved) && !err)
		err = -EIO;
	return err;
}
