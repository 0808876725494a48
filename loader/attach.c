// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * attach.c - `rootxdp attach`: load the programs (or reuse the pinned
 * ones), fill the maps, hook XDP and TC to each interface, and record
 * what it did in the attach state; all or nothing for the interfaces of
 * one run.  The mechanics are in progs.c, hooks.c and multiprog.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "attach.h"
#include "cmd.h"
#include "image.h"
#include "log.h"
#include "multiprog.h"
#include "opts.h"
#include "rootxdp.h"
#include "upgrade.h"

struct attach_args {
	char ifs[RX_STATE_MAX][IF_NAMESIZE];
	int nifs;
	const char *mode, *conf, *netns, *pin_root;
	unsigned prio;
	bool upgrade;
};

static const struct rx_opt attach_opts[] = {
	{ .name = "iface", .short_name = 'i', .type = RX_OPT_STRS,
	  .off = offsetof(struct attach_args, ifs), .arg = "IF",
	  .help = "interface to attach to (repeatable; default: 'interface'\n"
		  "in the config)",
	  .size = IF_NAMESIZE, .count_off = offsetof(struct attach_args, nifs),
	  .count_max = RX_STATE_MAX, .alias = "interface" },
	RX_OPT_ARG(struct attach_args, mode, "mode", 'm', "MODE",
		   "native: driver mode or fail; generic: skb mode;\n"
		   "auto: native, else generic with a warning;\n"
		   "multiprog: through libxdp's dispatcher, beside other\n"
		   "XDP programs (xdp-loader status lists them)\n"
		   "(default: xdp-mode in the config, auto)"),
	RX_OPT_NUM(struct attach_args, prio, "priority", 'P', "N", 1, 1000,
		   "multiprog: run priority in the dispatcher, lower runs\n"
		   "first (default: xdp-priority in the config, 50)"),
	RX_OPT_ARG(struct attach_args, conf, "config", 'c', "FILE",
		   "configuration (default " RX_CONF_DEFAULT ", may be absent)"),
	RX_OPT_NETNS(struct attach_args, netns,
		     "the interfaces are in network namespace NAME (/run/netns/NAME)"),
	RX_OPT_ARG(struct attach_args, pin_root, "pin-root", 'p', "DIR",
		   "where maps, programs and links are pinned\n(default " RX_PIN_ROOT ")"),
	RX_OPT_FLAG(struct attach_args, upgrade, "upgrade", 'U',
		    "first put this binary's programs under the links that are\n"
		    "attached already, without a gap (see rootxdp upgrade)"),
	RX_OPT_VERBOSE("more detail (twice: libbpf debug)"),
	{ 0 }
};

static const struct rx_cmd_spec attach_spec = {
	.name = "attach",
	.args = "[IMAGE]",
	.max_args = 1,
	.about = "Load the programs (or reuse the pinned ones), fill the maps from IMAGE\n"
		 "(default: 'image' in the config) and attach XDP and TC ingress to each\n"
		 "interface.\n",
	.opts = attach_opts,
};

static int parse_mode(const char *s, enum rx_xdp_mode *m)
{
	if (!strcmp(s, "auto"))
		*m = RX_MODE_AUTO;
	else if (!strcmp(s, "native") || !strcmp(s, "drv"))
		*m = RX_MODE_NATIVE;
	else if (!strcmp(s, "generic") || !strcmp(s, "skb"))
		*m = RX_MODE_GENERIC;
	else if (!strcmp(s, "multiprog"))
		*m = RX_MODE_MULTIPROG;
	else
		return -1;
	return 0;
}

struct want_if {
	char name[IF_NAMESIZE];
	int ifindex;
	unsigned mtu;
	bool new_link;		/* XDP hooked by this run: undone on failure */
	bool multiprog;		/* ... through libxdp's dispatcher */
	bool new_clsact;	/* clsact created by this run: likewise */
};

/* One run of `rootxdp attach`. */
struct attach_run {
	struct rx_config c;
	char pin_root[PATH_MAX];
	const char *netns, *image;
	bool explicit_image, upgrade;
	enum rx_xdp_mode mode;
	unsigned prio;
	struct want_if want[RX_STATE_MAX];
	int nwant;
	struct rx_state st;
	struct rx_progs p;
	__u32 tc_id;
	unsigned mtu;
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

/* Options and config into r: -1 to go on, else the exit code. */
static int attach_setup(struct attach_run *r, int argc, char **argv)
{
	struct attach_args a = { 0 };
	int first, rc, i;

	rc = rx_opts_parse(&attach_spec, argc, argv, &a, &first);
	if (rc >= 0)
		return rc;
	if (rx_cli_config(&r->c, a.conf))
		return RX_EXIT_FAIL;
	r->mode = r->c.xdp_mode;
	if (a.mode && parse_mode(a.mode, &r->mode)) {
		rx_err("--mode: expected native, generic, auto or multiprog, not '%s'", a.mode);
		return RX_EXIT_USAGE;
	}
	r->prio = a.prio ? a.prio : r->c.xdp_priority;
	if (a.nifs) {
		for (i = 0; i < a.nifs; i++)
			rx_strlcpy(r->want[r->nwant++].name, a.ifs[i], IF_NAMESIZE);
	} else {
		for (i = 0; i < r->c.ninterfaces; i++)
			rx_strlcpy(r->want[r->nwant++].name, r->c.interfaces[i], IF_NAMESIZE);
	}
	if (!r->nwant) {
		rx_err("no interface to attach to: give --iface IF, or set 'interface' in %s",
		       r->c.path[0] ? r->c.path : RX_CONF_DEFAULT);
		return RX_EXIT_USAGE;
	}
	rx_cli_pin_root(&r->c, a.pin_root, r->pin_root, sizeof(r->pin_root));
	r->explicit_image = first < argc;
	r->image = r->explicit_image ? argv[first] : r->c.image;
	r->netns = a.netns;
	r->upgrade = a.upgrade;
	return -1;
}

/* Every interface exists (in the namespace we are in now); its MTU. */
static int attach_check_ifaces(struct attach_run *r)
{
	int i, err;

	for (i = 0; i < r->nwant; i++) {
		struct want_if *w = &r->want[i];

		w->ifindex = (int)if_nametoindex(w->name);
		if (!w->ifindex) {
			rx_err("no interface '%s'%s%s: check the name with `ip link`", w->name,
			       r->netns ? " in network namespace " : "", r->netns ? r->netns : "");
			return -ENODEV;
		}
		if ((err = rx_iface_mtu(w->name, &w->mtu))) {
			rx_err("cannot read the MTU of %s: %s", w->name, rx_strerr(err));
			return err;
		}
	}
	return 0;
}

/* The programs never send a packet larger than the smallest MTU of any
 * interface they serve, this run's and the earlier ones': rx_cfg. */
static int attach_write_cfg(struct attach_run *r)
{
	char e[256] = "";
	int i, j, err;

	r->mtu = 0;
	for (i = 0; i < r->nwant; i++)
		if (!r->mtu || r->want[i].mtu < r->mtu)
			r->mtu = r->want[i].mtu;
	for (i = 0; i < r->st.n; i++) {
		const struct rx_state_if *s = &r->st.ifs[i];
		char name[64];

		for (j = 0; j < r->nwant; j++)
			if (!strcmp(r->want[j].name, s->name))
				break;
		rx_link_pin_name(name, sizeof(name), s->name);
		if (j == r->nwant && (rx_pin_exists(r->pin_root, name) ||
				      rx_mp_pinned(r->pin_root, s->name)) &&
		    s->mtu && s->mtu < r->mtu)
			r->mtu = s->mtu;
	}
	if ((err = rx_cfg_write(&r->p.maps, &r->c, r->mtu, e, sizeof(e))))
		rx_err("cannot write the configuration map: %s", e[0] ? e : rx_strerr(err));
	return err;
}

static const char *mode_word(enum rx_xdp_mode m)
{
	return m == RX_MODE_MULTIPROG ? "multiprog" : m == RX_MODE_NATIVE ? "native" :
	       m == RX_MODE_GENERIC ? "generic" : "auto";
}

/* XDP already on w from an earlier run, kept: 1 its bpf_link, 2 our
 * program in libxdp's dispatcher, 0 none (stale pins removed), -errno. */
static int xdp_kept(struct attach_run *r, struct want_if *w, struct rx_state_if *s,
		    __u32 *id)
{
	char name[64], path[PATH_MAX];
	struct bpf_link_info li;
	struct rx_mp_info mi;
	bool mp = r->mode == RX_MODE_MULTIPROG;
	int lfd, err;

	rx_link_pin_name(name, sizeof(name), w->name);
	rx_pin_path(path, sizeof(path), r->pin_root, name);
	lfd = bpf_obj_get(path);
	if (lfd >= 0) {
		err = rx_link_info(lfd, &li);
		close(lfd);
		if (!err && li.xdp.ifindex == (__u32)w->ifindex) {
			if (mp || (s && r->mode != RX_MODE_AUTO &&
				   s->native != (r->mode == RX_MODE_NATIVE)))
				rx_warn("%s is attached in %s mode already: rootxdp detach --iface %s "
					"first to change to %s", w->name, s && s->native ? "native" :
					"generic", w->name, mode_word(r->mode));
			rx_info("%s: XDP link %u kept", w->name, li.id);
			*id = li.id;
			return 1;
		}
		/* The interface went away (or is another one now). */
		rx_info("%s: removing the stale XDP link pin", w->name);
		unlink(path);
	}
	if (rx_mp_pinned(r->pin_root, w->name)) {
		err = rx_mp_query(r->pin_root, w->name, w->ifindex, &mi);
		if (!err) {
			if (!mp)
				rx_warn("%s is attached in multiprog mode already: rootxdp detach "
					"--iface %s first to change to %s", w->name, w->name,
					mode_word(r->mode));
			rx_info("%s: program %u kept in libxdp's dispatcher", w->name, mi.prog_id);
			*id = mi.prog_id;
			return 2;
		}
		rx_info("%s: rootxdp's program is no longer in a dispatcher there: attaching "
			"it again", w->name);
		if ((err = rx_mp_detach(r->pin_root, w->name, w->ifindex)))
			return err;
	}
	return 0;
}

/* Hook XDP to w: keep what is there, or attach in the run's mode. */
static int attach_xdp(struct attach_run *r, struct want_if *w, struct rx_state_if *s,
		      struct rx_state_if *rec)
{
	char name[64], path[PATH_MAX];
	struct bpf_link_info li;
	struct rx_mp_info mi;
	__u32 id = 0;
	int lfd, native = 0, err;

	err = xdp_kept(r, w, s, &id);
	if (err < 0)
		return err;
	if (err > 0) {
		if (s) {
			rec->native = s->native;
			rec->prio = s->prio;
		}
		rec->multiprog = err == 2;
		rec->link_id = id;
		return 0;
	}
	if (r->mode == RX_MODE_MULTIPROG) {
		err = rx_mp_attach(r->pin_root, w->name, w->ifindex, RX_MODE_AUTO, r->prio, &mi);
		if (err)
			return err;
		w->new_link = w->multiprog = true;
		rec->multiprog = 1;
		rec->native = mi.native;
		rec->prio = mi.prio;
		rec->link_id = mi.prog_id;
		return 0;
	}
	lfd = rx_xdp_link(r->p.xdp_fd, w->name, w->ifindex, r->mode, &native);
	if (lfd < 0)
		return lfd;
	rx_link_pin_name(name, sizeof(name), w->name);
	rx_pin_path(path, sizeof(path), r->pin_root, name);
	if (bpf_obj_pin(lfd, path)) {
		err = -errno;
		rx_err("cannot pin the XDP link at %s: %s", path, rx_strerr(err));
		close(lfd);	/* the link goes with its last fd */
		return err;
	}
	if (rx_link_info(lfd, &li))
		li.id = 0;
	close(lfd);
	w->new_link = true;
	rec->multiprog = 0;
	rec->native = native;
	rec->link_id = li.id;
	return 0;
}

/* Take the XDP this run hooked to w off again. */
static void xdp_undo(struct attach_run *r, struct want_if *w)
{
	if (!w->new_link)
		return;
	if (w->multiprog)
		rx_mp_detach(r->pin_root, w->name, w->ifindex);
	else
		rx_xdp_unlink(r->pin_root, w->name);
	w->new_link = false;
}

/* XDP, TC and the state line for one interface. */
static int attach_one(struct attach_run *r, struct want_if *w)
{
	struct rx_state_if *s = rx_state_find(&r->st, w->name), rec;
	int created = 0, err;

	memset(&rec, 0, sizeof(rec));
	if ((err = attach_xdp(r, w, s, &rec)))
		return err;
	if ((err = rx_tc_attach(r->p.tc_fd, w->name, w->ifindex, &created))) {
		xdp_undo(r, w);
		return err;
	}
	w->new_clsact = created;
	if (!s) {
		if (r->st.n == RX_STATE_MAX) {
			rx_err("more than %d interfaces", RX_STATE_MAX);
			return -ENOSPC;
		}
		s = &r->st.ifs[r->st.n++];
		memset(s, 0, sizeof(*s));
	}
	rec.clsact_created = s->clsact_created || created;
	rx_strlcpy(rec.name, w->name, sizeof(rec.name));
	rx_strlcpy(rec.netns, r->netns ? r->netns : "", sizeof(rec.netns));
	rec.ifindex = w->ifindex;
	rec.mtu = w->mtu;
	rec.tc_handle = RX_TC_HANDLE;
	rec.tc_prio = RX_TC_PRIO;
	*s = rec;
	return 0;
}

/* Leave no half-attached interface from this run: interfaces 0..last
 * (last included: its link and filter when only the state table was
 * full). */
static void attach_rollback(struct attach_run *r, int last)
{
	int i;

	for (i = last; i >= 0; i--) {
		struct want_if *w = &r->want[i];

		if (w->new_link) {
			rx_tc_detach(w->name, w->ifindex, RX_TC_HANDLE, RX_TC_PRIO, r->tc_id);
			xdp_undo(r, w);
			rx_state_del(&r->st, w->name);
		}
		if (w->new_clsact)
			rx_clsact_remove(w->name, w->ifindex);
	}
}

static void attach_report(struct attach_run *r)
{
	struct rx_meta live;
	int i;

	for (i = 0; i < r->nwant; i++) {
		const struct rx_state_if *s = rx_state_find(&r->st, r->want[i].name);

		if (s->multiprog)
			printf("%s: attached (multiprog, libxdp dispatcher in %s mode, XDP program %u "
			       "at priority %u, TC ingress filter %x:%x)\n", s->name,
			       s->native ? "native" : "generic", s->link_id, s->prio, RX_TC_HANDLE,
			       RX_TC_PRIO);
		else
			printf("%s: attached (%s mode, XDP link %u, TC ingress filter %x:%x)\n",
			       s->name, s->native ? "native" : "generic", s->link_id, RX_TC_HANDLE,
			       RX_TC_PRIO);
	}
	if (rx_zone_live(&r->p.maps, &live) == 0)
		printf("serving serial %u, mtu %u\n", live.serial, r->mtu);
}

/* The pin root exists and is ours to use: the lock fd, or -errno. */
static int pin_root_lock(const char *pin_root)
{
	int lock, err;

	if (rx_check_bpffs(pin_root))
		return -EINVAL;
	if (mkdir(pin_root, 0700) && errno != EEXIST) {
		err = -errno;
		rx_err("cannot create %s: %s" RX_HINT_FMT, pin_root, rx_strerr(err),
		       RX_HINT_ARGS(err));
		return err;
	}
	lock = rx_lock(pin_root);
	if (lock < 0)
		rx_err("cannot lock %s: %s", pin_root, rx_strerr(lock));
	return lock;
}

int cmd_attach(int argc, char **argv)
{
	static struct attach_run r;	/* the config and state: too big for the stack */
	int lock, rc = RX_EXIT_FAIL, i, err;
	bool got_progs = false;

	memset(&r, 0, sizeof(r));
	r.p.xdp_fd = r.p.tc_fd = -1;
	if ((rc = attach_setup(&r, argc, argv)) >= 0)
		return rc;
	rc = RX_EXIT_FAIL;
	lock = pin_root_lock(r.pin_root);
	if (lock < 0)
		return RX_EXIT_FAIL;
	if ((err = rx_state_read(&r.c, r.pin_root, &r.st))) {
		rx_err("cannot read the attach state: %s", rx_strerr(err));
		goto out;
	}
	/* Programs of an older rootxdp under the links: replace them in
	 * place first, so that what follows reuses the new ones. */
	if (r.upgrade && rx_pin_exists(r.pin_root, RX_PIN_PROG_XDP) &&
	    rx_upgrade(&r.c, r.pin_root, NULL, false))
		goto out;
	r.p.rrl_entries = r.c.rrl_table_size;
	r.p.tap_ring = r.c.dnstap_ring_size;
	if (rx_progs_get(r.pin_root, &r.p))
		goto out;
	got_progs = true;
	if (rx_prog_id(r.p.tc_fd, &r.tc_id))
		r.tc_id = 0;
	/* Now the interfaces' namespace (network only: the pins, the image
	 * and the config are files and stay reachable). */
	if (rx_netns_enter(r.netns, NULL) || attach_check_ifaces(&r))
		goto out;
	/* Interfaces checked: fill the zone before any packet can arrive. */
	if (zone_fill(&r.p.maps, r.image, r.explicit_image) || attach_write_cfg(&r))
		goto out;
	for (i = 0; i < r.nwant; i++) {
		if (attach_one(&r, &r.want[i])) {
			attach_rollback(&r, i);
			goto out;
		}
	}
	if (rx_state_write(&r.c, r.pin_root, &r.st))
		rx_warn("the attach state was not saved: rootxdp detach will fall back to the pins");
	attach_report(&r);
	rc = RX_EXIT_OK;
out:
	if (got_progs) {
		bool fresh = r.p.fresh;
		char names[1][IF_NAMESIZE];

		rx_progs_put(&r.p);
		/* A first attach that failed leaves nothing pinned behind. */
		if (rc != RX_EXIT_OK && fresh && rx_pinned_ifaces(r.pin_root, names, 1) == 0)
			rx_pins_remove(r.pin_root);
	} else if (rc != RX_EXIT_OK) {
		rmdir(r.pin_root);	/* only goes if empty */
	}
	close(lock);
	return rc;
}
