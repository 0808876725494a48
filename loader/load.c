// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * load.c - `rootxdp load` (swap a new image into the live maps) and
 * `rootxdp reload` (SIGHUP to rootxdpd).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "cmd.h"
#include "image.h"
#include "log.h"
#include "opts.h"
#include "rootxdp.h"
#include "zone_maps.h"

struct load_args {
	const char *conf, *pin_root;
	bool force, previous;
};

static const struct rx_opt load_opts[] = {
	RX_OPT_FLAG(struct load_args, force, "force", 'f',
		    "load even if the serial is not newer (going back)"),
	RX_OPT_FLAG(struct load_args, previous, "previous", 'P',
		    "load IMAGE.prev (the image before the last refresh),\n"
		    "forced: it is older by design"),
	RX_OPT_CONFIG(struct load_args, conf),
	RX_OPT_PIN_ROOT(struct load_args, pin_root),
	RX_OPT_VERBOSE("more detail"),
	{ 0 }
};

static const struct rx_cmd_spec load_spec = {
	.name = "load",
	.args = "[IMAGE]",
	.max_args = 1,
	.about = "Swap IMAGE (default: 'image' in the config) into the live maps, atomically:\n"
		 "every query is answered from the old zone or the new one, never a mix.\n"
		 "An image whose serial is not newer than the live one (RFC 1982) is refused.\n"
		 "A refused or bad image leaves the live zone serving.\n",
	.opts = load_opts,
};

/* Open the pinned maps, or say "not attached" in one line. */
int rx_open_pinned(const char *pin_root, struct rx_maps *m)
{
	char e[256] = "";
	int err;

	if (access(pin_root, F_OK) || !rx_pin_exists(pin_root, "rx_ctl")) {
		rx_err("not attached (no pins under %s): run rootxdp attach first", pin_root);
		return -ENOENT;
	}
	err = rx_maps_from_pins(pin_root, m, e, sizeof(e));
	if (err) {
		rx_err("cannot open the maps pinned under %s: %s" RX_HINT_FMT, pin_root,
		       e[0] ? e : rx_strerr(err), RX_HINT_ARGS(err));
		return err < 0 ? err : -EINVAL;
	}
	return 0;
}

int rx_load_image(const struct rx_config *c, const char *pin_root, const char *image,
		  unsigned flags, __u32 *was, __u32 *now)
{
	char e[512] = "";
	struct rx_maps m;
	struct rx_image img;
	struct rx_meta live;
	struct rx_cfg cfg;
	bool have_live;
	int err, lock, rc = -EINVAL;
	__u32 key = 0;
	unsigned mtu;

	if (was)
		*was = 0;
	if (now)
		*now = 0;
	err = rx_open_pinned(pin_root, &m);
	if (err)
		return err;
	lock = rx_lock(pin_root);
	if (lock < 0) {
		rx_err("cannot lock %s: %s", pin_root, rx_strerr(lock));
		rx_maps_close(&m);
		return lock;
	}
	have_live = rx_zone_live(&m, &live) == 0;
	if (have_live && was)
		*was = live.serial;

	err = rx_image_open(image, &img, e, sizeof(e));
	if (err) {
		if (!e[0])
			rx_fmt(e, sizeof(e), "%s: %s", image, rx_strerr(err));
		if (have_live)
			rx_err("refusing image: %s (still serving serial %u)", e, live.serial);
		else
			rx_err("refusing image: %s", e);
		rc = err < 0 ? err : -EINVAL;
		goto out;
	}
	if (have_live && !(flags & RX_LOAD_FORCE) && !rx_serial_newer(img.hdr->serial, live.serial)) {
		if (img.hdr->serial == live.serial)
			rx_err("refusing image %s: serial %u is the live one already "
			       "(--force to load it anyway)", image, img.hdr->serial);
		else
			rx_err("refusing image %s: serial %u is older than the live %u (RFC 1982; "
			       "--force to go back)", image, img.hdr->serial, live.serial);
		rc = -ESTALE;
		goto close_img;
	}

	/* Keep the MTU attach computed; refresh identity, NSID, payload. */
	memset(&cfg, 0, sizeof(cfg));
	mtu = bpf_map_lookup_elem(m.cfg, &key, &cfg) == 0 && cfg.mtu ? cfg.mtu : RX_MTU_DEFAULT;
	err = rx_cfg_write(&m, c, mtu, e, sizeof(e));
	if (err) {
		rx_err("cannot write the configuration map: %s", e[0] ? e : rx_strerr(err));
		rc = err < 0 ? err : -EIO;
		goto close_img;
	}
	err = rx_zone_swap(&m, &img, e, sizeof(e));
	if (err) {
		if (have_live)
			rx_err("cannot load image %s: %s (still serving serial %u)", image,
			       e[0] ? e : rx_strerr(err), live.serial);
		else
			rx_err("cannot load image %s: %s" RX_HINT_FMT, image,
			       e[0] ? e : rx_strerr(err), RX_HINT_ARGS(err));
		rc = err < 0 ? err : -EIO;
		goto close_img;
	}
	if (now)
		*now = img.hdr->serial;
	if (!(flags & RX_LOAD_QUIET)) {
		if (have_live)
			printf("serving serial %u (was %u)\n", img.hdr->serial, live.serial);
		else
			printf("serving serial %u\n", img.hdr->serial);
	}
	rc = 0;
close_img:
	rx_image_close(&img);
out:
	close(lock);
	rx_maps_close(&m);
	return rc;
}

/*
 * After `load --previous` swapped the maps: exchange IMAGE and IMAGE.prev
 * in one step (renameat2 RENAME_EXCHANGE), so that rootxdpd, a restart and
 * the next refresh's --previous all see the rolled-back zone, then ask
 * rootxdpd to load it although it is older (SIGUSR1).  The zone that was
 * rolled back stays in IMAGE.prev; the next refresh offers it again if the
 * source still has it, so stop the refresh timer until the source is fixed.
 */
static int rollback_files(const struct rx_config *c, const char *prev)
{
	int pid, st;

	if (renameat2(AT_FDCWD, prev, AT_FDCWD, c->image, RENAME_EXCHANGE)) {
		rx_err("the maps serve %s, but exchanging it with %s failed: %s "
		       "(rootxdpd still serves %s)", prev, c->image, strerror(errno), c->image);
		return RX_EXIT_FAIL;
	}
	st = rx_daemon_pid(c, &pid);
	if (st <= 0) {
		rx_warn("rootxdpd is not running: it will load the rolled-back %s when it starts",
			c->image);
		return RX_EXIT_OK;
	}
	if (kill(pid, SIGUSR1)) {
		rx_err("cannot signal rootxdpd (pid %d) to roll back: %s", pid, strerror(errno));
		return RX_EXIT_FAIL;
	}
	printf("rolled back: %s is now the previous image; rootxdpd (pid %d) told to load it\n",
	       c->image, pid);
	return RX_EXIT_OK;
}

int cmd_load(int argc, char **argv)
{
	struct load_args a = { 0 };
	char pin_root[PATH_MAX], image[PATH_MAX];
	struct rx_config c;
	int first, rc;

	if ((rc = rx_opts_parse(&load_spec, argc, argv, &a, &first)) >= 0)
		return rc;
	if (a.previous && first < argc) {
		rx_err("load --previous takes no IMAGE: it loads the config's image.prev");
		rx_opts_usage(&load_spec, stderr);
		return RX_EXIT_USAGE;
	}
	if (rx_cli_config(&c, a.conf))
		return RX_EXIT_FAIL;
	rx_cli_pin_root(&c, a.pin_root, pin_root, sizeof(pin_root));
	if (a.previous) {
		/* The image `rootxdp refresh` replaced: older by design, so forced. */
		if (rx_fmt(image, sizeof(image), "%s.prev", c.image)) {
			rx_err("image path %s.prev is too long", c.image);
			return RX_EXIT_FAIL;
		}
		if (access(image, F_OK)) {
			rx_err("no previous image %s: rootxdp refresh keeps one after its first "
			       "successful swap", image);
			return RX_EXIT_FAIL;
		}
		a.force = true;
	} else {
		rx_strlcpy(image, first < argc ? argv[first] : c.image, sizeof(image));
	}
	if (rx_load_image(&c, pin_root, image, a.force ? RX_LOAD_FORCE : 0, NULL, NULL))
		return RX_EXIT_FAIL;
	return a.previous ? rollback_files(&c, image) : RX_EXIT_OK;
}

struct reload_args {
	const char *conf;
};

static const struct rx_opt reload_opts[] = {
	RX_OPT_CONFIG(struct reload_args, conf),
	RX_OPT_VERBOSE("more detail"),
	{ 0 }
};

static const struct rx_cmd_spec reload_spec = {
	.name = "reload",
	.about = "Tell rootxdpd to read its image again (SIGHUP to the pid in\n"
		 "run-dir/rootxdpd.pid).\n",
	.opts = reload_opts,
};

int cmd_reload(int argc, char **argv)
{
	struct reload_args a = { 0 };
	struct rx_config c;
	int pid, st;

	if ((st = rx_opts_parse(&reload_spec, argc, argv, &a, &pid)) >= 0)
		return st;
	if (rx_cli_config(&c, a.conf))
		return RX_EXIT_FAIL;
	st = rx_daemon_pid(&c, &pid);
	if (st == 0) {
		rx_err("rootxdpd is not running (no %s/rootxdpd.pid): start it with "
		       "systemctl start rootxdpd", c.run_dir);
		return RX_EXIT_FAIL;
	}
	if (st < 0) {
		rx_err("rootxdpd is not running (stale %s/rootxdpd.pid, pid %d): start it with "
		       "systemctl start rootxdpd", c.run_dir, pid);
		return RX_EXIT_FAIL;
	}
	if (kill(pid, SIGHUP)) {
		rx_err("cannot signal rootxdpd (pid %d): %s%s", pid, strerror(errno),
		       errno == EPERM ? " (run as root)" : "");
		return RX_EXIT_FAIL;
	}
	printf("rootxdpd (pid %d) told to reload\n", pid);
	return RX_EXIT_OK;
}
