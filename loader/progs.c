// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * progs.c - the programs and maps every interface shares: load them (the
 * skeleton, maps pinned by name under the pin root) or reuse the pinned
 * ones, and remove the pins again (see attach.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "cmd.h"
#include "log.h"
#include "rootxdp.h"
#include "rootxdp.skel.h"

static void maps_init(struct rx_maps *m)
{
	m->ctl = m->cfg = m->meta = m->stats = -1;
	m->resp = m->blob = m->tld = m->nsec = -1;
}

static void load_failed(const char *what, int err)
{
	bool btf = access("/sys/kernel/btf/vmlinux", F_OK) == 0;

	if (err == -EPERM || err == -EACCES)
		rx_err("cannot %s: %s (%s)", what, rx_strerr(err), rx_hint(err));
	else if (!btf)
		rx_err("cannot %s: %s (the kernel has no BTF, /sys/kernel/btf/vmlinux: "
		       "rootxdp needs CONFIG_DEBUG_INFO_BTF=y; run with -v for the libbpf log)",
		       what, rx_strerr(err));
	else
		rx_err("cannot %s: %s (run with -v for the libbpf log; after an upgrade, "
		       "`rootxdp detach` first so the maps are made anew)", what, rx_strerr(err));
}

bool rx_map_stateless(const char *name)
{
	/* Per-CPU scratch space, nothing kept from one packet to the next:
	 * each set of programs gets its own, so that an upgrade may change
	 * its size.  Old attachments pinned it; upgrade removes that pin. */
	return !strcmp(name, "rx_scratch") || !strcmp(name, "rx_tap_buf");
}

/* rx_rrl and rx_tap were sized at the first attach (rrl-table-size,
 * dnstap-ring-size): another object (an upgrade, a multiprog component)
 * must ask for the live size, or libbpf refuses to reuse the pin, and the
 * buckets and the ring rootxdpd reads would be lost. */
void rx_map_size_as_pinned(struct bpf_map *map, const char *pin_root)
{
	struct bpf_map_info mi;
	char path[PATH_MAX];
	__u32 len = sizeof(mi);
	int fd;

	if (rx_pin_path(path, sizeof(path), pin_root, bpf_map__name(map)))
		return;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	memset(&mi, 0, sizeof(mi));
	if (!bpf_obj_get_info_by_fd(fd, &mi, &len))
		bpf_map__set_max_entries(map, mi.max_entries);
	close(fd);
}

int rx_obj_pin_maps(struct bpf_object *obj, const char *pin_root)
{
	char path[PATH_MAX];
	struct bpf_map *map;

	/* Every map that holds state pinned by name under the pin root, so
	 * a second attach, an upgrade (and bpftool) find the same maps;
	 * libbpf reuses a pin that is already there when its type and sizes
	 * match. */
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__is_internal(map) || rx_map_stateless(bpf_map__name(map)))
			continue;
		if (rx_pin_path(path, sizeof(path), pin_root, bpf_map__name(map)) ||
		    bpf_map__set_pin_path(map, path)) {
			rx_err("pin path too long under %s", pin_root);
			return -ENAMETOOLONG;
		}
	}
	return 0;
}

int rx_progs_get(const char *pin_root, struct rx_progs *p)
{
	char path[PATH_MAX];
	struct rootxdp *skel = NULL;
	/* The sizes are inputs: the memset below used to wipe them, and
	 * rrl-table-size was never applied. */
	unsigned rrl_entries = p->rrl_entries, tap_ring = p->tap_ring;
	int err;

	memset(p, 0, sizeof(*p));
	p->rrl_entries = rrl_entries;
	p->tap_ring = tap_ring;
	p->xdp_fd = p->tc_fd = -1;
	maps_init(&p->maps);

	if (rx_pin_exists(pin_root, RX_PIN_PROG_XDP) && rx_pin_exists(pin_root, RX_PIN_PROG_TC)) {
		char e[256] = "";

		/* Attached already (another interface, or again): the same
		 * programs and maps serve every interface. */
		rx_pin_path(path, sizeof(path), pin_root, RX_PIN_PROG_XDP);
		p->xdp_fd = bpf_obj_get(path);
		if (p->xdp_fd < 0)
			goto pin_err;
		rx_pin_path(path, sizeof(path), pin_root, RX_PIN_PROG_TC);
		p->tc_fd = bpf_obj_get(path);
		if (p->tc_fd < 0)
			goto pin_err;
		err = rx_maps_from_pins(pin_root, &p->maps, e, sizeof(e));
		if (err) {
			maps_init(&p->maps);
			rx_err("cannot open the pinned maps under %s: %s (rootxdp detach, then "
			       "attach again)", pin_root, e[0] ? e : rx_strerr(err));
			goto fail;
		}
		rx_info("reusing the programs and maps pinned under %s", pin_root);
		return 0;
pin_err:
		err = -errno;
		rx_err("cannot open %s: %s" RX_HINT_FMT, path, rx_strerr(err), RX_HINT_ARGS(err));
		goto fail;
	}

	skel = rootxdp__open();
	if (!skel) {
		err = -errno;
		load_failed("open the BPF object", err);
		return err;
	}
	if ((err = rx_obj_pin_maps(skel->obj, pin_root)))
		goto fail;
	if (p->rrl_entries && bpf_map__set_max_entries(skel->maps.rx_rrl, p->rrl_entries)) {
		err = -EINVAL;
		rx_err("cannot size rx_rrl to %u entries (rrl-table-size)", p->rrl_entries);
		goto fail;
	}
	if (p->tap_ring && bpf_map__set_max_entries(skel->maps.rx_tap, p->tap_ring)) {
		err = -EINVAL;
		rx_err("cannot size rx_tap to %u bytes (dnstap-ring-size)", p->tap_ring);
		goto fail;
	}
	err = rootxdp__load(skel);
	if (err) {
		load_failed("load the BPF programs", err);
		goto fail;
	}
	p->skel = skel;
	p->fresh = true;
	rx_pin_path(path, sizeof(path), pin_root, RX_PIN_PROG_XDP);
	err = bpf_program__pin(skel->progs.rootxdp_xdp, path);
	if (!err) {
		rx_pin_path(path, sizeof(path), pin_root, RX_PIN_PROG_TC);
		err = bpf_program__pin(skel->progs.rootxdp_tc, path);
	}
	if (err) {
		rx_err("cannot pin %s: %s" RX_HINT_FMT, path, rx_strerr(err), RX_HINT_ARGS(err));
		goto fail;
	}
	p->xdp_fd = bpf_program__fd(skel->progs.rootxdp_xdp);
	p->tc_fd = bpf_program__fd(skel->progs.rootxdp_tc);
	err = rx_maps_from_obj(skel->obj, &p->maps);
	if (err) {
		maps_init(&p->maps);
		rx_err("cannot find the maps in the BPF object: %s", rx_strerr(err));
		goto fail;
	}
	rx_info("loaded the programs, pinned under %s", pin_root);
	return 0;
fail:
	rx_progs_put(p);
	return err < 0 ? err : -EINVAL;
}

void rx_progs_put(struct rx_progs *p)
{
	if (p->maps.ctl >= 0)
		rx_maps_close(&p->maps);
	maps_init(&p->maps);
	if (p->skel) {
		rootxdp__destroy(p->skel);	/* closes the program fds */
	} else {
		if (p->xdp_fd >= 0)
			close(p->xdp_fd);
		if (p->tc_fd >= 0)
			close(p->tc_fd);
	}
	p->skel = NULL;
	p->xdp_fd = p->tc_fd = -1;
}

int rx_pins_remove(const char *pin_root)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int err = 0;

	d = opendir(pin_root);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		/* Only what rootxdp pins: programs, links, its programs in
		 * libxdp dispatchers (mprog-), rx_* maps. */
		if (strncmp(de->d_name, "prog-", 5) && strncmp(de->d_name, "link-", 5) &&
		    strncmp(de->d_name, "mprog-", 6) && strncmp(de->d_name, "rx_", 3))
			continue;
		if (rx_pin_path(path, sizeof(path), pin_root, de->d_name) == 0 && unlink(path)) {
			err = -errno;
			rx_warn("cannot remove %s: %s", path, rx_strerr(err));
		}
	}
	closedir(d);
	if (rmdir(pin_root) && errno != ENOENT) {
		err = -errno;
		rx_warn("left %s in place: %s (it holds files rootxdp did not make)", pin_root,
			rx_strerr(err));
	}
	return err;
}

int rx_prog_id(int fd, __u32 *id)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*id = info.id;
	return 0;
}
