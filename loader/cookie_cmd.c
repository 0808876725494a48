// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cookie_cmd.c - `rootxdp cookie-secret`: show where the DNS cookie
 * secrets come from, rotate them (current -> previous, a new current) and
 * install them in both paths: rx_cfg in the kernel, SIGHUP to rootxdpd,
 * which reads them again.  An anycast fleet rotates on a schedule with the
 * same --secret on every instance (and in BIND's or Knot's config).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include "cmd.h"
#include "log.h"
#include "opts.h"
#include "rootxdp.h"
#include "secret.h"
#include "zone_maps.h"

struct cookie_args {
	const char *conf, *pin_root, *secret;
};

static const struct rx_opt cookie_opts[] = {
	RX_OPT_ARG(struct cookie_args, secret, "secret", 's', "HEX",
		   "rotate: the new secret, 32 hex digits (default: random)"),
	RX_OPT_CONFIG(struct cookie_args, conf),
	RX_OPT_PIN_ROOT(struct cookie_args, pin_root),
	RX_OPT_VERBOSE("more detail"),
	{ 0 }
};

static const struct rx_cmd_spec cookie_spec = {
	.name = "cookie-secret",
	.args = "show|rotate|reload",
	.min_args = 1,
	.max_args = 1,
	.about = "  show    where the secrets come from, and their values (root only)\n"
		 "  rotate  current -> previous, a new current (--secret HEX, or random),\n"
		 "          kept in state-dir/cookie-secret, installed in both paths\n"
		 "  reload  install the secrets of the config or the file in both paths\n",
	.opts = cookie_opts,
};

/* Both paths: the secrets in rx_cfg (the rest of it as it is), SIGHUP. */
static int install(const struct rx_config *c, const char *pin_root, const struct rx_secrets *s)
{
	struct rx_maps m;
	struct rx_cfg cfg;
	__u32 zero = 0;
	char e[512];
	int pid, st, rc = 0;

	if (rx_maps_from_pins(pin_root, &m, e, sizeof(e))) {
		rx_warn("kernel paths: %s", e);
		rc = -1;
	} else {
		if (bpf_map_lookup_elem(m.cfg, &zero, &cfg)) {
			rx_err("cannot read rx_cfg: %s", strerror(errno));
			rc = -1;
		} else {
			rx_secrets_keys(s, &cfg.cookie);
			if (bpf_map_update_elem(m.cfg, &zero, &cfg, BPF_ANY)) {
				rx_err("cannot write rx_cfg: %s", strerror(errno));
				rc = -1;
			} else {
				printf("kernel paths: new secrets installed\n");
			}
		}
		rx_maps_close(&m);
	}
	st = rx_daemon_pid(c, &pid);
	if (st > 0 && kill(pid, SIGHUP) == 0)
		printf("rootxdpd (pid %d): told to read them (SIGHUP)\n", pid);
	else if (st > 0)
		rx_warn("cannot signal rootxdpd (pid %d): %s", pid, strerror(errno));
	else
		printf("rootxdpd: not running (it reads them when it starts)\n");
	return rc;
}

int cmd_cookie_secret(int argc, char **argv)
{
	struct cookie_args a = { 0 };
	const char *hex, *what;
	unsigned char next[16];
	char pin_root[4096], e[600], h1[33], h2[33];
	struct rx_secrets s;
	struct rx_config c;
	int first, rc;

	if ((rc = rx_opts_parse(&cookie_spec, argc, argv, &a, &first)) >= 0)
		return rc;
	hex = a.secret;
	what = argv[first];
	if (hex && (strcmp(what, "rotate") || rx_hex16(hex, next))) {
		rx_err("--secret: 32 hex digits, with rotate only");
		return RX_EXIT_USAGE;
	}
	if (rx_cli_config(&c, a.conf))
		return RX_EXIT_FAIL;
	rx_cli_pin_root(&c, a.pin_root, pin_root, sizeof(pin_root));
	if (!strcmp(what, "show")) {
		if (rx_secrets_load(&c, &s, e, sizeof(e))) {
			rx_err("%s", e);
			return RX_EXIT_FAIL;
		}
		rx_hex_put(s.cur, 16, h1);
		rx_hex_put(s.prev, 16, h2);
		printf("source: %s\ncurrent: %s\nprevious: %s\n",
		       s.from_config ? (c.path[0] ? c.path : "config") : s.path, h1,
		       s.has_prev ? h2 : "(none)");
		return RX_EXIT_OK;
	}
	if (!strcmp(what, "rotate")) {
		if (rx_secrets_rotate(&c, hex ? next : NULL, &s, e, sizeof(e))) {
			rx_err("%s", e);
			return RX_EXIT_FAIL;
		}
		printf("rotated: %s (the old secret's cookies stay good until the next rotation)\n",
		       s.path);
	} else if (!strcmp(what, "reload")) {
		if (rx_secrets_load(&c, &s, e, sizeof(e))) {
			rx_err("%s", e);
			return RX_EXIT_FAIL;
		}
	} else {
		rx_err("cookie-secret %s: expected show, rotate or reload", what);
		rx_opts_usage(&cookie_spec, stderr);
		return RX_EXIT_USAGE;
	}
	return install(&c, pin_root, &s) ? RX_EXIT_FAIL : RX_EXIT_OK;
}
