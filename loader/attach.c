// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * attach.c - `rootxdp attach` and `rootxdp detach` (see attach.h).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "cmd.h"
#include "image.h"
#include "log.h"
#include "rootxdp.h"
#include "rootxdp.skel.h"
#include "upgrade.h"

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
		/* Only what rootxdp pins: programs, links, rx_* maps. */
		if (strncmp(de->d_name, "prog-", 5) && strncmp(de->d_name, "link-", 5) &&
		    strncmp(de->d_name, "rx_", 3))
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

/* ---- per interface ---- */

static int iface_mtu(const char *name, unsigned *mtu)
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

static int link_info(int fd, struct bpf_link_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
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

/* Attach XDP through a link; *native says how it went. */
static int xdp_link(int prog_fd, const char *ifname, int ifindex, enum rx_xdp_mode mode,
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
static int clsact_remove(const char *ifname, int ifindex)
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

static int tc_attach(int prog_fd, const char *ifname, int ifindex, int *created)
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
			clsact_remove(ifname, ifindex);
			*created = 0;
		}
		return err;
	}
	return 0;
}

/* Remove our TC filter, if it is still ours (same handle/priority and
 * the pinned program, when we know its id). */
static int tc_detach(const char *ifname, int ifindex, __u32 handle, __u32 prio, __u32 our_id)
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
static int xdp_unlink(const char *pin_root, const char *ifname)
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

/* ---- rootxdp attach ---- */

static const char attach_usage[] =
	"usage: rootxdp attach [--iface IF]... [--mode native|generic|auto] [--config FILE]\n"
	"                      [--netns NAME] [--pin-root DIR] [--upgrade] [-v] [IMAGE]\n"
	"Load the programs (or reuse the pinned ones), fill the maps from IMAGE\n"
	"(default: 'image' in the config) and attach XDP and TC ingress to each\n"
	"interface (default: 'interface' in the config).\n"
	"  -i, --iface IF     interface to attach to (repeatable)\n"
	"  -m, --mode MODE    native: driver mode or fail; generic: skb mode;\n"
	"                     auto: native, else generic with a warning (default)\n"
	"  -c, --config FILE  configuration (default " RX_CONF_DEFAULT ", may be absent)\n"
	"  -n, --netns NAME   the interfaces are in network namespace NAME (/run/netns/NAME)\n"
	"  -p, --pin-root DIR where maps, programs and links are pinned (default "
	RX_PIN_ROOT ")\n"
	"  -U, --upgrade      first put this binary's programs under the links that are\n"
	"                     attached already, without a gap (see rootxdp upgrade)\n"
	"  -v, --verbose      more detail (twice: libbpf debug)\n";

static int parse_mode(const char *s, enum rx_xdp_mode *m)
{
	if (!strcmp(s, "auto"))
		*m = RX_MODE_AUTO;
	else if (!strcmp(s, "native") || !strcmp(s, "drv"))
		*m = RX_MODE_NATIVE;
	else if (!strcmp(s, "generic") || !strcmp(s, "skb"))
		*m = RX_MODE_GENERIC;
	else
		return -1;
	return 0;
}

struct want_if {
	char name[IF_NAMESIZE];
	int ifindex;
	unsigned mtu;
	bool new_link;		/* linked by this run: undone on failure */
	bool new_clsact;	/* clsact created by this run: likewise */
};

/* Fill the maps from the image unless the live zone is as new. */
static int zone_fill(struct rx_maps *m, const char *image, bool explicit)
{
	struct rx_image img;
	struct rx_meta live;
	char e[512] = "";
	bool have_live;
	int err;

	have_live = rx_zone_live(m, &live) == 0;
	err = rx_image_open(image, &img, e, sizeof(e));
	if (err) {
		if (!e[0])
			rx_fmt(e, sizeof(e), "%s: %s", image, rx_strerr(err));
		if (have_live) {
			/* Attaching one more interface needs no image. */
			rx_log(explicit ? RX_LOG_WARN : RX_LOG_INFO,
			       "cannot use image: %s (keeping the live zone, serial %u)", e,
			       live.serial);
			return 0;
		}
		rx_err("cannot use image: %s (give a compiled image: rootxdp-compile)", e);
		return err < 0 ? err : -EINVAL;
	}
	if (have_live && !rx_serial_newer(img.hdr->serial, live.serial)) {
		if (img.hdr->serial != live.serial)
			rx_warn("image %s has serial %u, older than the live %u: keeping the live "
				"zone (rootxdp load --force to go back)", image, img.hdr->serial,
				live.serial);
		else
			rx_info("serial %u is live already", live.serial);
		rx_image_close(&img);
		return 0;
	}
	err = rx_zone_swap(m, &img, e, sizeof(e));
	if (err)
		rx_err("cannot load image %s into the maps: %s" RX_HINT_FMT, image,
		       e[0] ? e : rx_strerr(err), RX_HINT_ARGS(err));
	else
		rx_info("zone serial %u loaded from %s", img.hdr->serial, image);
	rx_image_close(&img);
	return err;
}

int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "interface", required_argument, NULL, 'i' },
		{ "mode", required_argument, NULL, 'm' },
		{ "config", required_argument, NULL, 'c' },
		{ "netns", required_argument, NULL, 'n' },
		{ "pin-root", required_argument, NULL, 'p' },
		{ "upgrade", no_argument, NULL, 'U' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct want_if want[RX_STATE_MAX] = { 0 };
	bool upgrade = false;
	int nwant = 0, nopt_if = 0, done = 0, lock = -1, rc = RX_EXIT_FAIL, i, o, err;
	const char *conf = NULL, *netns = NULL, *pin_arg = NULL, *mode_arg = NULL;
	const char *image;
	char opt_if[RX_STATE_MAX][IF_NAMESIZE];
	struct rx_progs p = { .xdp_fd = -1, .tc_fd = -1 };
	struct rx_config c;
	struct rx_state st;
	enum rx_xdp_mode mode;
	char pin_root[PATH_MAX];
	bool got_progs = false;
	unsigned mtu = 0;
	__u32 tc_id = 0;
	struct rx_meta live;

	while ((o = getopt_long(argc, argv, "i:m:c:n:p:Uvh", opts, NULL)) != -1) {
		switch (o) {
		case 'U': upgrade = true; break;
		case 'i':
			if (nopt_if == RX_STATE_MAX || strlen(optarg) >= IF_NAMESIZE) {
				rx_err("bad interface name '%s'", optarg);
				return RX_EXIT_USAGE;
			}
			rx_strlcpy(opt_if[nopt_if++], optarg, IF_NAMESIZE);
			break;
		case 'm': mode_arg = optarg; break;
		case 'c': conf = optarg; break;
		case 'n': netns = optarg; break;
		case 'p': pin_arg = optarg; break;
		case 'v': rx_verbose_set(rx_verbose + 1); break;
		case 'h': fputs(attach_usage, stdout); return RX_EXIT_OK;
		default: fputs(attach_usage, stderr); return RX_EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fputs(attach_usage, stderr);
		return RX_EXIT_USAGE;
	}
	if (rx_cli_config(&c, conf))
		return RX_EXIT_FAIL;
	mode = c.xdp_mode;
	if (mode_arg && parse_mode(mode_arg, &mode)) {
		rx_err("--mode: expected native, generic or auto, not '%s'", mode_arg);
		return RX_EXIT_USAGE;
	}
	if (nopt_if) {
		for (i = 0; i < nopt_if; i++)
			rx_strlcpy(want[nwant++].name, opt_if[i], IF_NAMESIZE);
	} else {
		for (i = 0; i < c.ninterfaces; i++)
			rx_strlcpy(want[nwant++].name, c.interfaces[i], IF_NAMESIZE);
	}
	if (!nwant) {
		rx_err("no interface to attach to: give --iface IF, or set 'interface' in %s",
		       c.path[0] ? c.path : RX_CONF_DEFAULT);
		return RX_EXIT_USAGE;
	}
	rx_cli_pin_root(&c, pin_arg, pin_root, sizeof(pin_root));
	image = optind < argc ? argv[optind] : c.image;

	if (rx_check_bpffs(pin_root))
		return RX_EXIT_FAIL;
	if (mkdir(pin_root, 0700) && errno != EEXIST) {
		err = -errno;
		rx_err("cannot create %s: %s" RX_HINT_FMT, pin_root, rx_strerr(err),
		       RX_HINT_ARGS(err));
		return RX_EXIT_FAIL;
	}
	lock = rx_lock(pin_root);
	if (lock < 0) {
		rx_err("cannot lock %s: %s", pin_root, rx_strerr(lock));
		return RX_EXIT_FAIL;
	}
	if ((err = rx_state_read(&c, pin_root, &st))) {
		rx_err("cannot read the attach state: %s", rx_strerr(err));
		goto out;
	}

	/* Programs of an older rootxdp under the links: replace them in
	 * place first, so that what follows reuses the new ones. */
	if (upgrade && rx_pin_exists(pin_root, RX_PIN_PROG_XDP) &&
	    rx_upgrade(&c, pin_root, NULL, false))
		goto out;
	p.rrl_entries = c.rrl_table_size;
	p.tap_ring = c.dnstap_ring_size;
	if (rx_progs_get(pin_root, &p))
		goto out;
	got_progs = true;
	if (rx_prog_id(p.tc_fd, &tc_id))
		tc_id = 0;
	/* Now the interfaces' namespace (network only: the pins, the image
	 * and the config are files and stay reachable). */
	if (rx_netns_enter(netns, NULL))
		goto out;
	for (i = 0; i < nwant; i++) {
		want[i].ifindex = (int)if_nametoindex(want[i].name);
		if (!want[i].ifindex) {
			rx_err("no interface '%s'%s%s: check the name with `ip link`", want[i].name,
			       netns ? " in network namespace " : "", netns ? netns : "");
			goto out;
		}
		if ((err = iface_mtu(want[i].name, &want[i].mtu))) {
			rx_err("cannot read the MTU of %s: %s", want[i].name, rx_strerr(err));
			goto out;
		}
	}
	/* Interfaces checked: fill the zone before any packet can arrive. */
	if (zone_fill(&p.maps, image, optind < argc))
		goto out;
	/* The programs never send a packet larger than the smallest MTU of
	 * any interface they serve: this run's and the earlier ones'. */
	for (i = 0; i < nwant; i++)
		if (!mtu || want[i].mtu < mtu)
			mtu = want[i].mtu;
	for (i = 0; i < st.n; i++) {
		char name[64];

		for (o = 0; o < nwant; o++)
			if (!strcmp(want[o].name, st.ifs[i].name))
				break;
		rx_link_pin_name(name, sizeof(name), st.ifs[i].name);
		if (o == nwant && rx_pin_exists(pin_root, name) && st.ifs[i].mtu &&
		    st.ifs[i].mtu < mtu)
			mtu = st.ifs[i].mtu;
	}
	{
		char e[256] = "";

		if ((err = rx_cfg_write(&p.maps, &c, mtu, e, sizeof(e)))) {
			rx_err("cannot write the configuration map: %s", e[0] ? e : rx_strerr(err));
			goto out;
		}
	}

	for (i = 0; i < nwant; i++) {
		struct want_if *w = &want[i];
		struct rx_state_if *s = rx_state_find(&st, w->name);
		char name[64], path[PATH_MAX];
		struct bpf_link_info li;
		int lfd, native = 0, created = 0;
		bool have_link = false;

		rx_link_pin_name(name, sizeof(name), w->name);
		rx_pin_path(path, sizeof(path), pin_root, name);
		lfd = bpf_obj_get(path);
		if (lfd >= 0) {
			if (link_info(lfd, &li) == 0 && li.xdp.ifindex == (__u32)w->ifindex) {
				have_link = true;
				native = s ? s->native : 0;
				if (s && mode != RX_MODE_AUTO && native != (mode == RX_MODE_NATIVE))
					rx_warn("%s is attached in %s mode already: rootxdp detach --iface "
						"%s first to change the mode", w->name,
						native ? "native" : "generic", w->name);
				rx_info("%s: XDP link %u kept", w->name, li.id);
			} else {
				/* The interface went away (or is another one now). */
				rx_info("%s: removing the stale XDP link pin", w->name);
				close(lfd);
				lfd = -1;
				unlink(path);
			}
		}
		if (!have_link) {
			lfd = xdp_link(p.xdp_fd, w->name, w->ifindex, mode, &native);
			if (lfd < 0)
				goto rollback;
			if (bpf_obj_pin(lfd, path)) {
				err = -errno;
				rx_err("cannot pin the XDP link at %s: %s", path, rx_strerr(err));
				close(lfd);	/* the link goes with its last fd */
				goto rollback;
			}
			if (link_info(lfd, &li))
				li.id = 0;
			w->new_link = true;
		}
		close(lfd);
		if (tc_attach(p.tc_fd, w->name, w->ifindex, &created)) {
			if (!have_link)
				xdp_unlink(pin_root, w->name);
			w->new_link = false;	/* undone already */
			goto rollback;
		}
		w->new_clsact = created;
		if (!s) {
			if (st.n == RX_STATE_MAX) {
				rx_err("more than %d interfaces", RX_STATE_MAX);
				goto rollback;
			}
			s = &st.ifs[st.n++];
			memset(s, 0, sizeof(*s));
			s->clsact_created = created;
		} else if (created) {
			s->clsact_created = 1;
		}
		rx_strlcpy(s->name, w->name, sizeof(s->name));
		rx_strlcpy(s->netns, netns ? netns : "", sizeof(s->netns));
		s->ifindex = w->ifindex;
		s->native = native;
		s->mtu = w->mtu;
		s->tc_handle = RX_TC_HANDLE;
		s->tc_prio = RX_TC_PRIO;
		s->link_id = li.id;
		done++;
		continue;
rollback:
		/* Leave no half-attached interface from this run: this one
		 * (its link and filter, when only the state table was full)
		 * and every one before it. */
		for (; i >= 0; i--) {
			if (want[i].new_link) {
				tc_detach(want[i].name, want[i].ifindex, RX_TC_HANDLE, RX_TC_PRIO,
					  tc_id);
				xdp_unlink(pin_root, want[i].name);
				rx_state_del(&st, want[i].name);
			}
			if (want[i].new_clsact)
				clsact_remove(want[i].name, want[i].ifindex);
		}
		done = 0;
		goto out;
	}
	if (rx_state_write(&c, pin_root, &st))
		rx_warn("the attach state was not saved: rootxdp detach will fall back to the pins");

	for (i = 0; i < nwant; i++) {
		struct rx_state_if *s = rx_state_find(&st, want[i].name);

		printf("%s: attached (%s mode, XDP link %u, TC ingress filter %x:%x)\n", want[i].name,
		       s->native ? "native" : "generic", s->link_id, RX_TC_HANDLE, RX_TC_PRIO);
	}
	if (rx_zone_live(&p.maps, &live) == 0)
		printf("serving serial %u, mtu %u\n", live.serial, mtu);
	rc = RX_EXIT_OK;
out:
	if (got_progs) {
		bool fresh = p.fresh;
		char names[1][IF_NAMESIZE];

		rx_progs_put(&p);
		/* A first attach that failed leaves nothing pinned behind. */
		if (rc != RX_EXIT_OK && fresh && rx_pinned_ifaces(pin_root, names, 1) == 0)
			rx_pins_remove(pin_root);
	} else if (rc != RX_EXIT_OK) {
		rmdir(pin_root);	/* only goes if empty */
	}
	if (lock >= 0)
		close(lock);
	return rc;
}

/* ---- rootxdp detach ---- */

static const char detach_usage[] =
	"usage: rootxdp detach [--iface IF]... [--netns NAME] [--config FILE]\n"
	"                      [--pin-root DIR] [-v]\n"
	"Take XDP and the TC filter off the interfaces (default: all attached).\n"
	"When no interface remains, every pin under the pin root goes too.\n"
	"Note: `ip link set dev IF xdp off` cannot remove rootxdp's XDP link\n"
	"(\"Can't replace active BPF XDP link\"): use this command.\n"
	"  -i, --iface IF     interface to detach (repeatable)\n"
	"  -n, --netns NAME   network namespace of the interfaces (default: as attached)\n"
	"  -c, --config FILE  configuration (default " RX_CONF_DEFAULT ")\n"
	"  -p, --pin-root DIR pin root (default " RX_PIN_ROOT ")\n"
	"  -v, --verbose      more detail\n";

int cmd_detach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "interface", required_argument, NULL, 'i' },
		{ "config", required_argument, NULL, 'c' },
		{ "netns", required_argument, NULL, 'n' },
		{ "pin-root", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char names[RX_STATE_MAX][IF_NAMESIZE], pinned[RX_STATE_MAX][IF_NAMESIZE];
	const char *conf = NULL, *netns = NULL, *pin_arg = NULL;
	int nnames = 0, npinned, i, j, o, lock = -1, rc = RX_EXIT_OK;
	char pin_root[PATH_MAX], path[PATH_MAX];
	struct rx_config c;
	struct rx_state st;
	__u32 tc_id = 0;
	int fd;

	while ((o = getopt_long(argc, argv, "i:c:n:p:vh", opts, NULL)) != -1) {
		switch (o) {
		case 'i':
			if (nnames == RX_STATE_MAX || strlen(optarg) >= IF_NAMESIZE) {
				rx_err("bad interface name '%s'", optarg);
				return RX_EXIT_USAGE;
			}
			rx_strlcpy(names[nnames++], optarg, IF_NAMESIZE);
			break;
		case 'c': conf = optarg; break;
		case 'n': netns = optarg; break;
		case 'p': pin_arg = optarg; break;
		case 'v': rx_verbose_set(rx_verbose + 1); break;
		case 'h': fputs(detach_usage, stdout); return RX_EXIT_OK;
		default: fputs(detach_usage, stderr); return RX_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(detach_usage, stderr);
		return RX_EXIT_USAGE;
	}
	if (rx_cli_config(&c, conf))
		return RX_EXIT_FAIL;
	rx_cli_pin_root(&c, pin_arg, pin_root, sizeof(pin_root));

	if (access(pin_root, F_OK)) {
		if (nnames) {
			rx_err("not attached (no pins under %s): nothing to detach", pin_root);
			return RX_EXIT_FAIL;
		}
		printf("not attached (no pins under %s): nothing to do\n", pin_root);
		return RX_EXIT_OK;
	}
	lock = rx_lock(pin_root);
	if (lock < 0) {
		rx_err("cannot lock %s: %s", pin_root, rx_strerr(lock));
		return RX_EXIT_FAIL;
	}
	if (rx_state_read(&c, pin_root, &st))
		memset(&st, 0, sizeof(st));
	npinned = rx_pinned_ifaces(pin_root, pinned, RX_STATE_MAX);
	if (npinned < 0)
		npinned = 0;
	if (!nnames) {
		/* Everything: what is pinned, and what the state knows. */
		for (i = 0; i < npinned; i++)
			rx_strlcpy(names[nnames++], pinned[i], IF_NAMESIZE);
		for (i = 0; i < st.n && nnames < RX_STATE_MAX; i++) {
			for (j = 0; j < nnames; j++)
				if (!strcmp(names[j], st.ifs[i].name))
					break;
			if (j == nnames)
				rx_strlcpy(names[nnames++], st.ifs[i].name, IF_NAMESIZE);
		}
	} else {
		for (i = 0; i < nnames; i++) {
			for (j = 0; j < npinned; j++)
				if (!strcmp(names[i], pinned[j]))
					break;
			if (j == npinned && !rx_state_find(&st, names[i])) {
				rx_err("%s is not attached (see rootxdp status)", names[i]);
				rc = RX_EXIT_FAIL;
				goto out;
			}
		}
	}

	rx_pin_path(path, sizeof(path), pin_root, RX_PIN_PROG_TC);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		if (rx_prog_id(fd, &tc_id))
			tc_id = 0;
		close(fd);
	}

	for (i = 0; i < nnames; i++) {
		struct rx_state_if *s = rx_state_find(&st, names[i]);
		const char *ns = netns ? netns : s ? s->netns : "";
		const char *qd = "";
		int saved = -1, ifindex;

		if (xdp_unlink(pin_root, names[i]))
			rc = RX_EXIT_FAIL;
		if (rx_netns_enter(ns, &saved)) {
			rc = RX_EXIT_FAIL;
			continue;
		}
		ifindex = (int)if_nametoindex(names[i]);
		if (ifindex && tc_detach(names[i], ifindex, s ? s->tc_handle : RX_TC_HANDLE,
					 s ? s->tc_prio : RX_TC_PRIO, tc_id)) {
			rc = RX_EXIT_FAIL;
		} else if (ifindex && s && s->clsact_created) {
			/* Ours to remove, unless others use it now.  A clsact
			 * that was there before attach is never touched. */
			int r = clsact_remove(names[i], ifindex);

			qd = r > 0 ? " (removed the clsact qdisc it had created)" :
			     r == 0 ? " (kept the clsact qdisc it had created: other filters "
				      "use it now)" : "";
		}
		if (rx_netns_restore(saved)) {
			rc = RX_EXIT_FAIL;
			goto out;
		}
		rx_state_del(&st, names[i]);
		printf("%s: detached%s\n", names[i], qd);
	}

	npinned = rx_pinned_ifaces(pin_root, pinned, RX_STATE_MAX);
	if (npinned == 0) {
		st.n = 0;
		if (rx_pins_remove(pin_root))
			rc = RX_EXIT_FAIL;
		else
			printf("no interface left: removed the pins under %s\n", pin_root);
	}
	if (rx_state_write(&c, pin_root, &st))
		rc = RX_EXIT_FAIL;
out:
	close(lock);
	return rc;
}
