// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * detach.c - `rootxdp detach`: take rootxdp's XDP (its bpf_link, or its
 * program in libxdp's dispatcher, leaving the others there) and its TC
 * filter off interfaces, the clsact qdisc it created too, and every pin
 * once no interface is left.  The mechanics are in hooks.c and
 * multiprog.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include "attach.h"
#include "cmd.h"
#include "log.h"
#include "multiprog.h"
#include "opts.h"
#include "rootxdp.h"

struct detach_args {
	char ifs[RX_STATE_MAX][IF_NAMESIZE];
	int nifs;
	const char *conf, *netns, *pin_root;
};

static const struct rx_opt detach_opts[] = {
	{ .name = "iface", .short_name = 'i', .type = RX_OPT_STRS,
	  .off = offsetof(struct detach_args, ifs), .arg = "IF",
	  .help = "interface to detach (repeatable; default: all attached)",
	  .size = IF_NAMESIZE, .count_off = offsetof(struct detach_args, nifs),
	  .count_max = RX_STATE_MAX, .alias = "interface" },
	RX_OPT_NETNS(struct detach_args, netns,
		     "network namespace of the interfaces (default: as attached)"),
	RX_OPT_CONFIG(struct detach_args, conf),
	RX_OPT_PIN_ROOT(struct detach_args, pin_root),
	RX_OPT_VERBOSE("more detail"),
	{ 0 }
};

static const struct rx_cmd_spec detach_spec = {
	.name = "detach",
	.about = "Take XDP and the TC filter off the interfaces (default: all attached).\n"
		 "In multiprog mode only rootxdp's program leaves libxdp's dispatcher;\n"
		 "the other programs there keep running.  When no interface remains,\n"
		 "every pin under the pin root goes too.\n"
		 "Note: `ip link set dev IF xdp off` cannot remove rootxdp's XDP link\n"
		 "(\"Can't replace active BPF XDP link\"): use this command.\n",
	.opts = detach_opts,
};

/* The interfaces to detach into names: those asked for (each must be
 * attached), or every one pinned or in the state.  -1 after an error. */
static int detach_names(const char *pin_root, const struct rx_state *st,
			const struct detach_args *a, char names[][IF_NAMESIZE])
{
	char pinned[RX_STATE_MAX][IF_NAMESIZE];
	int npinned, n = 0, i, j;

	npinned = rx_pinned_ifaces(pin_root, pinned, RX_STATE_MAX);
	if (npinned < 0)
		npinned = 0;
	if (a->nifs) {
		for (i = 0; i < a->nifs; i++) {
			for (j = 0; j < npinned; j++)
				if (!strcmp(a->ifs[i], pinned[j]))
					break;
			if (j == npinned && !rx_state_find((struct rx_state *)st, a->ifs[i])) {
				rx_err("%s is not attached (see rootxdp status)", a->ifs[i]);
				return -1;
			}
			rx_strlcpy(names[n++], a->ifs[i], IF_NAMESIZE);
		}
		return n;
	}
	/* Everything: what is pinned, and what the state knows. */
	for (i = 0; i < npinned; i++)
		rx_strlcpy(names[n++], pinned[i], IF_NAMESIZE);
	for (i = 0; i < st->n && n < RX_STATE_MAX; i++) {
		for (j = 0; j < n; j++)
			if (!strcmp(names[j], st->ifs[i].name))
				break;
		if (j == n)
			rx_strlcpy(names[n++], st->ifs[i].name, IF_NAMESIZE);
	}
	return n;
}

/* Take rootxdp off one interface; *qd gets what happened to the clsact.
 * 0, or -1 when something stayed. */
static int detach_one(const char *pin_root, const char *name, const struct rx_state_if *s,
		      const char *netns, __u32 tc_id, const char **qd)
{
	const char *ns = netns ? netns : s ? s->netns : "";
	bool mp = rx_mp_pinned(pin_root, name);
	int saved = -1, ifindex, rc = 0;

	*qd = "";
	if (!mp && rx_xdp_unlink(pin_root, name))
		rc = -1;
	if (rx_netns_enter(ns, &saved))
		return -1;
	ifindex = (int)if_nametoindex(name);
	/* A dispatcher belongs to an ifindex of this namespace. */
	if (mp && rx_mp_detach(pin_root, name, ifindex))
		rc = -1;
	if (ifindex && rx_tc_detach(name, ifindex, s ? s->tc_handle : RX_TC_HANDLE,
				    s ? s->tc_prio : RX_TC_PRIO, tc_id)) {
		rc = -1;
	} else if (ifindex && s && s->clsact_created) {
		/* Ours to remove, unless others use it now.  A clsact that
		 * was there before attach is never touched. */
		int r = rx_clsact_remove(name, ifindex);

		*qd = r > 0 ? " (removed the clsact qdisc it had created)" :
		      r == 0 ? " (kept the clsact qdisc it had created: other filters use it now)" :
		      "";
	}
	if (rx_netns_restore(saved))
		return -2;
	return rc;
}

int cmd_detach(int argc, char **argv)
{
	struct detach_args a;
	char names[RX_STATE_MAX][IF_NAMESIZE], pinned[1][IF_NAMESIZE];
	char pin_root[PATH_MAX], path[PATH_MAX];
	int nnames, first, i, lock, fd, r, rc;
	struct rx_config c;
	struct rx_state st;
	__u32 tc_id = 0;

	memset(&a, 0, sizeof(a));
	if ((rc = rx_opts_parse(&detach_spec, argc, argv, &a, &first)) >= 0)
		return rc;
	if (rx_cli_config(&c, a.conf))
		return RX_EXIT_FAIL;
	rx_cli_pin_root(&c, a.pin_root, pin_root, sizeof(pin_root));
	if (access(pin_root, F_OK)) {
		if (a.nifs) {
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
	rc = RX_EXIT_OK;
	if (rx_state_read(&c, pin_root, &st))
		memset(&st, 0, sizeof(st));
	nnames = detach_names(pin_root, &st, &a, names);
	if (nnames < 0) {
		rc = RX_EXIT_FAIL;
		goto out;
	}
	rx_pin_path(path, sizeof(path), pin_root, RX_PIN_PROG_TC);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		if (rx_prog_id(fd, &tc_id))
			tc_id = 0;
		close(fd);
	}
	for (i = 0; i < nnames; i++) {
		const char *qd;

		r = detach_one(pin_root, names[i], rx_state_find(&st, names[i]), a.netns, tc_id,
			       &qd);
		if (r == -2) {
			rc = RX_EXIT_FAIL;
			goto out;
		}
		if (r) {
			rc = RX_EXIT_FAIL;
			continue;
		}
		rx_state_del(&st, names[i]);
		printf("%s: detached%s\n", names[i], qd);
	}
	if (rx_pinned_ifaces(pin_root, pinned, 1) == 0) {
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
