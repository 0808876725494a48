// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * refresh.c - `rootxdp refresh`, the cron/timer job: get the zone from
 * zone-source (a file, an http(s) URL through curl with a conditional
 * download, or AXFR from a primary), verify and compile it with
 * rootxdp-compile, put the image in place (the old one kept as
 * IMAGE.prev), swap the maps (rx_load_image, as `rootxdp load`), SIGHUP
 * rootxdpd and check that both serve the new serial.
 *
 * Silent when nothing changed or all went well (cron mails output); one
 * line on stderr when something is refused or fails, and serving is then
 * untouched.  Exit: 0 done or nothing to do, 1 refused/failed, 2 usage,
 * 3 another refresh holds state-dir/refresh.lock.
 *
 * This file is the order of the steps; refresh.h lists the files that do
 * them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "utc.h"
#include "cmd.h"
#include "rssac002.h"
#include "image.h"
#include "log.h"
#include "rootxdp.h"
#include "opts.h"
#include "refresh.h"
#include "zone_maps.h"

struct refresh_args {
	const char *conf, *source, *key, *pin_root, *netns;
};

static const struct rx_opt refresh_opts[] = {
	RX_OPT_CONFIG(struct refresh_args, conf),
	RX_OPT_ARG(struct refresh_args, source, "source", 's', "SRC",
		   "zone source instead of zone-source: a file,\n"
		   "http(s)://..., or axfr://HOST[:PORT]"),
	RX_OPT_ARG(struct refresh_args, key, "key", 'k', "NAME",
		   "TSIG key for axfr:// instead of zone-source-key\n('' for none)"),
	RX_OPT_PIN_ROOT(struct refresh_args, pin_root),
	RX_OPT_NETNS(struct refresh_args, netns, "network namespace for the download and rootxdpd"),
	RX_OPT_VERBOSE("say what is done"),
	{ 0 }
};

static const struct rx_cmd_spec refresh_spec = {
	.name = "refresh",
	.about = "Fetch the zone from zone-source, verify and compile it (rootxdp-compile),\n"
		 "install it as 'image' (the old one kept as IMAGE.prev), swap it into the\n"
		 "maps, reload rootxdpd and check that both serve the new serial.  The same\n"
		 "serial is a silent no-op; an older, unverifiable or expiring zone is\n"
		 "refused and serving is untouched.  Silent on success (cron).\n"
		 "exit: 0 new zone served or nothing to do, 1 refused or failed, 2 usage,\n"
		 "3 another refresh is running\n",
	.opts = refresh_opts,
};

static int do_refresh(struct refresh *r)
{
	char img_new[PATH_MAX], e[300];
	struct rx_image img;
	struct rx_maps m;
	struct rx_meta live;
	__u32 zserial = 0, was = 0, now_serial = 0;
	bool prev_ok = false, had_old;
	int got, err;

	/* What is served now: the maps when attached, else the image file
	 * (what rootxdpd loads). */
	r->attached = !access(r->pin_root, F_OK) && rx_pin_exists(r->pin_root, "rx_ctl");
	if (r->attached) {
		if (rx_open_pinned(r->pin_root, &m))
			return -1;
		if (rx_zone_live(&m, &live) == 0) {
			r->have_served = true;
			r->served = live.serial;
		}
		rx_maps_close(&m);
	}
	if (rx_image_open(r->c.image, &img, e, sizeof(e)) == 0) {
		if (!r->have_served) {
			r->have_served = true;
			r->served = img.hdr->serial;
		}
		/* --previous IMAGE when it is the one served (the usual case). */
		prev_ok = img.hdr->serial == r->served;
		rx_image_close(&img);
	} else if (!access(r->c.image, F_OK)) {
		/* Left as it is, rootxdpd and the next attach would refuse it
		 * until the zone's next serial, half a day away. */
		r->recompile = true;
		rx_info("%s: %s: compiling the zone again even at the served serial", r->c.image, e);
	}
	if (r->have_served)
		rx_info("serving serial %u%s", r->served, r->attached ? "" : " (from the image; XDP is not attached)");

	switch (src_kind(r->source)) {
	case SRC_HTTP:
		got = fetch_http(r);
		break;
	case SRC_AXFR:
		got = fetch_axfr(r);
		break;
	default:
		rx_strlcpy(r->zone, strncmp(r->source, "file://", 7) ? r->source : r->source + 7,
			   sizeof(r->zone));
		if (access(r->zone, R_OK)) {
			rx_err("cannot read the zone %s: %s (still serving serial %u)", r->zone,
			       strerror(errno), r->served);
			return -1;
		}
		/* read by the user: a copy it can reach */
		if (refresh_dropping() &&
		    refresh_take_in(r, r->zone, "zone.file", r->zone, sizeof(r->zone)))
			return -1;
		got = 1;
		break;
	}
	if (got < 0)
		return -1;
	if (got == 0) {
		/* Not modified / the primary has the served serial. */
		if (r->have_served) {
			if (daemon_sync(r, r->served, false))
				return -1;
			stamp(r, r->served);
		}
		return 0;
	}

	/* The serial first: the same one is a no-op without compiling. */
	if (zone_serial(r->zone, &zserial, e, sizeof(e)) == 0) {
		rx_info("zone %s has serial %u", r->zone, zserial);
		if (r->have_served && zserial == r->served && !r->recompile) {
			rx_info("serial %u is served already: nothing to do", zserial);
			http_keep(r);
			if (daemon_sync(r, r->served, false))
				return -1;
			stamp(r, r->served);
			return 0;
		}
		if (r->have_served && !rx_serial_newer(zserial, r->served) &&
		    !(r->recompile && zserial == r->served)) {
			rx_err("refusing the zone from %s: serial %u is older than the served %u",
			       r->source, zserial, r->served);
			http_drop(r);
			return -1;
		}
	} else {
		rx_info("cannot read the serial (%s): the compiler will say more", e);
	}

	if (rx_fmt(img_new, sizeof(img_new), "%s.new", r->c.image)) {
		rx_err("image path %s: too long", r->c.image);
		return -1;
	}
	if (refresh_dropping()) {
		/* compiled by the user in its directory, installed by root */
		char work_new[PATH_MAX];

		if (rx_fmt(work_new, sizeof(work_new), "%s/image.new", r->work_dir)) {
			rx_err("%s: path too long", r->work_dir);
			return -1;
		}
		if (compile(r, work_new, prev_ok) || refresh_take_out(work_new, img_new)) {
			unlink(work_new);
			http_drop(r);
			return -1;
		}
	} else if (compile(r, img_new, prev_ok)) {
		http_drop(r);
		return -1;
	}
	/* What the compiler cannot know: how close to expiry is too close. */
	err = rx_image_open(img_new, &img, e, sizeof(e));
	if (err) {
		rx_err("the new image does not read: %s", e);
		unlink(img_new);
		http_drop(r);
		return -1;
	}
	zserial = img.hdr->serial;
	if (img.hdr->sig_expire_min &&
	    (__u64)img.hdr->sig_expire_min < (__u64)time(NULL) + r->c.sig_expire_margin_s) {
		char when[32];

		rx_utc(img.hdr->sig_expire_min, when, sizeof(when));
		rx_err("zone refused (still serving serial %u): serial %u has signatures expiring "
		       "at %s, within sig-expire-margin (%us)", r->served, zserial, when,
		       r->c.sig_expire_margin_s);
		rx_image_close(&img);
		unlink(img_new);
		http_drop(r);
		return -1;
	}
	rx_image_close(&img);

	if (install_image(r, img_new, &had_old)) {
		unlink(img_new);
		http_drop(r);
		return -1;
	}
	if (r->attached) {
		/* the same serial again only when recompiling for this build */
		err = rx_load_image(&r->c, r->pin_root, r->c.image,
				    RX_LOAD_QUIET | (r->recompile ? RX_LOAD_FORCE : 0), &was,
				    &now_serial);
		if (err) {
			/* rx_load_image said why; the maps are as they were. */
			if (had_old)
				uninstall_image(r);
			http_drop(r);
			return -1;
		}
		if (rx_open_pinned(r->pin_root, &m) == 0) {
			err = rx_zone_live(&m, &live);
			rx_maps_close(&m);
			if (err || live.serial != zserial) {
				rx_err("the maps serve serial %u after the swap, not %u", err ? 0 : live.serial,
				       zserial);
				return -1;
			}
		}
	} else {
		rx_info("XDP is not attached: %s is what rootxdp attach will load", r->c.image);
	}
	http_keep(r);
	if (daemon_sync(r, zserial, true))
		return -1;
	rx_rssac_loaded(&r->c, zserial, r->zone);	/* RSSAC002 load-time */
	stamp(r, zserial);
	if (rx_verbose)
		printf("serving serial %u (was %u)\n", zserial, r->served);
	return 0;
}

int cmd_refresh(int argc, char **argv)
{
	struct refresh_args a = { 0 };
	const char *conf, *pin_arg, *src, *netns, *key;
	char e[512];
	struct refresh r;
	int first, lock, rc;

	if ((rc = rx_opts_parse(&refresh_spec, argc, argv, &a, &first)) >= 0)
		return rc;
	conf = a.conf;
	pin_arg = a.pin_root;
	src = a.source;
	netns = a.netns;
	key = a.key;
	memset(&r, 0, sizeof(r));
	if (rx_cli_config(&r.c, conf))
		return RX_EXIT_FAIL;
	/* Quiet for cron: warnings stay, info only with -v. */
	if (!rx_verbose)
		rx_log_max = RX_LOG_WARN;
	rx_cli_pin_root(&r.c, pin_arg, r.pin_root, sizeof(r.pin_root));
	r.source = src ? src : r.c.zone_source;
	r.key_name = key ? key : r.c.zone_source_key;
	if (rx_tsig_keys_load(&r.c, &r.keys, e, sizeof(e))) {
		rx_err("%s", e);
		return RX_EXIT_FAIL;
	}
	if (!r.source[0]) {
		rx_err("no zone source: set zone-source in %s (a file, an http(s) URL or "
		       "axfr://HOST), or give --source", r.c.path[0] ? r.c.path : RX_CONF_DEFAULT);
		return RX_EXIT_FAIL;
	}
	if (mkdir(r.c.state_dir, 0755) && errno != EEXIST) {
		rx_err("cannot create state-dir %s: %s", r.c.state_dir, strerror(errno));
		return RX_EXIT_FAIL;
	}
	lock = refresh_lock(&r.c);
	if (lock == -2)
		return RX_EXIT_LOCKED;
	if (lock < 0)
		return RX_EXIT_FAIL;
	if (refresh_drop_to(r.c.user) || refresh_work_dir(&r)) {
		close(lock);
		return RX_EXIT_FAIL;
	}
	if (netns && rx_netns_enter(netns, NULL)) {
		close(lock);
		return RX_EXIT_FAIL;
	}
	rc = do_refresh(&r) ? RX_EXIT_FAIL : RX_EXIT_OK;
	close(lock);
	return rc;
}
