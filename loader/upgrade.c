// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * upgrade.c - `rootxdp upgrade` (and `rootxdp attach --upgrade`): put this
 * binary's programs under the live attachments without taking them off.
 *
 * XDP: each interface's pinned bpf_link gets the new program through
 * bpf_link_update(), naming the old one (BPF_F_REPLACE): one RCU pointer
 * swap in the driver, so every packet meets the old program or the new.
 * TC: the cls_bpf filter is replaced in place (same handle and priority,
 * BPF_TC_F_REPLACE), which cls_bpf also does with one RCU list replace.
 * Neither leaves a moment with no program, so no query is passed up to
 * rootxdpd and none is lost by the switch.
 *
 * The new programs are loaded against the pinned maps (libbpf reuses a
 * pin), so the zone, the configuration and the counters stay.  That is
 * only right when every shared map has the layout the new programs were
 * compiled for, so that is checked first: map type, key and value size,
 * max_entries, flags, the BTF of the value (member names, offsets and
 * types, so a same-size reshuffle is caught too) and, for the zone's
 * outer maps, the inner maps now in them.  On any difference the upgrade
 * is refused before anything changes, with what to do instead.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "cmd.h"
#include "log.h"
#include "multiprog.h"
#include "opts.h"
#include "rootxdp.h"
#include "rootxdp.skel.h"
#include "upgrade.h"

/* ---- layout of a map: BTF signature ---- */

/* A canonical text for type id: what the layout depends on (kinds,
 * sizes, member names and bit offsets, array lengths, integer encodings),
 * with typedefs and qualifiers looked through.  Two maps whose value
 * signatures are equal can be shared by programs built from either. */
static void btf_sig_rec(const struct btf *btf, __u32 id, FILE *f, int depth)
{
	const struct btf_type *t;
	const char *name;
	__u16 i, n;

	if (depth > 16) {
		fputs("...", f);
		return;
	}
	for (;;) {
		t = btf__type_by_id(btf, id);
		if (!t) {
			fprintf(f, "?%u", id);
			return;
		}
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		default:
			break;
		}
		break;
	}
	name = btf__name_by_offset(btf, t->name_off);
	if (!name)
		name = "";
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		fprintf(f, "int%u:%u:%u", t->size, btf_int_bits(t), btf_int_encoding(t));
		break;
	case BTF_KIND_PTR:
		fputs("*", f);
		break;		/* pointers in map values are opaque u64s */
	case BTF_KIND_ARRAY:
		fprintf(f, "[%u]", btf_array(t)->nelems);
		btf_sig_rec(btf, btf_array(t)->type, f, depth + 1);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_members(t);

		n = btf_vlen(t);
		fprintf(f, "%s %s/%u{", btf_is_struct(t) ? "struct" : "union", name, t->size);
		for (i = 0; i < n; i++, m++) {
			const char *mn = btf__name_by_offset(btf, m->name_off);

			fprintf(f, "%s%s@%u", i ? "," : "", mn ? mn : "",
				btf_member_bit_offset(t, i));
			if (btf_member_bitfield_size(t, i))
				fprintf(f, ":%u", btf_member_bitfield_size(t, i));
			fputc('=', f);
			btf_sig_rec(btf, m->type, f, depth + 1);
		}
		fputc('}', f);
		break;
	}
	case BTF_KIND_ENUM:
		fprintf(f, "enum%u", t->size);
		break;
	case BTF_KIND_FWD:
		fprintf(f, "fwd %s", name);
		break;
	default:
		fprintf(f, "kind%u %s/%u", btf_kind(t), name, t->size);
		break;
	}
}

char *rx_btf_sig(const struct btf *btf, __u32 id)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	btf_sig_rec(btf, id, f, 0);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The name a BTF type is known by, for messages. */
static const char *btf_type_name(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *n = t ? btf__name_by_offset(btf, t->name_off) : NULL;

	return n && *n ? n : "(anonymous)";
}

/* ---- the check ---- */

struct problems {
	char line[16][256];
	int n;
};

static void add(struct problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct problems *p, const char *fmt, ...)
{
	va_list ap;

	if (p->n >= (int)(sizeof(p->line) / sizeof(p->line[0])))
		return;
	va_start(ap, fmt);
	vsnprintf(p->line[p->n++], sizeof(p->line[0]), fmt, ap);
	va_end(ap);
}

static int map_info(int fd, struct bpf_map_info *mi)
{
	__u32 len = sizeof(*mi);

	memset(mi, 0, sizeof(*mi));
	return bpf_obj_get_info_by_fd(fd, mi, &len) ? -errno : 0;
}

/* Compare the value BTF of a live map (mi) with type vid of the new
 * object's BTF.  A side without BTF cannot be compared: sizes decide. */
static void value_btf_check(struct problems *p, const char *what, const struct bpf_map_info *mi,
			    const struct btf *nbtf, __u32 vid)
{
	struct btf *obtf;
	char *a, *b;

	if (!mi->btf_id || !mi->btf_value_type_id || !nbtf || !vid)
		return;
	obtf = btf__load_from_kernel_by_id(mi->btf_id);
	if (!obtf) {
		rx_info("%s: cannot read its BTF (id %u): comparing sizes only", what, mi->btf_id);
		return;
	}
	a = rx_btf_sig(obtf, mi->btf_value_type_id);
	b = rx_btf_sig(nbtf, vid);
	if (a && b && strcmp(a, b)) {
		add(p, "%s: the layout of its value (struct %s) changed", what,
		    btf_type_name(nbtf, vid));
		rx_debug("%s: pinned %s", what, a);
		rx_debug("%s: new    %s", what, b);
	}
	free(a);
	free(b);
	btf__free(obtf);
}

/* The inner maps now in an outer map against the new inner template. */
static void inner_check(struct problems *p, const char *name, int outer_fd,
			const struct bpf_map_info *omi, struct bpf_map *tmpl, const struct btf *nbtf)
{
	struct bpf_map_info ii;
	char what[96];
	__u32 k, id;
	int fd;

	if (!tmpl)
		return;
	for (k = 0; k < omi->max_entries; k++) {
		if (bpf_map_lookup_elem(outer_fd, &k, &id))
			continue;	/* an empty slot */
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		if (map_info(fd, &ii) == 0) {
			snprintf(what, sizeof(what), "map %s, inner map in slot %u", name, k);
			if (ii.type != bpf_map__type(tmpl))
				add(p, "%s: type %u, the new programs need %u", what, ii.type,
				    bpf_map__type(tmpl));
			if (ii.key_size != bpf_map__key_size(tmpl))
				add(p, "%s: key size %u, the new programs need %u", what,
				    ii.key_size, bpf_map__key_size(tmpl));
			if (ii.value_size != bpf_map__value_size(tmpl))
				add(p, "%s: value size %u, the new programs need %u", what,
				    ii.value_size, bpf_map__value_size(tmpl));
			else
				value_btf_check(p, what, &ii, nbtf, bpf_map__btf_value_type_id(tmpl));
		}
		close(fd);
	}
}

/* Every map of the new object that has a pin must match it.  *missing
 * counts the maps the new programs add (libbpf creates and pins them). */
static void layout_check(struct bpf_object *obj, const char *pin_root, struct problems *p,
			 int *missing)
{
	const struct btf *nbtf = bpf_object__btf(obj);
	struct bpf_map_info mi;
	struct bpf_map *map;
	char path[PATH_MAX], what[96];
	int fd;

	*missing = 0;
	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);

		if (!bpf_map__pin_path(map))
			continue;	/* internal or stateless: fresh for each load */
		if (rx_pin_path(path, sizeof(path), pin_root, name))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0) {
			if (errno == ENOENT)
				(*missing)++;
			else
				add(p, "map %s: cannot open %s: %s", name, path, strerror(errno));
			continue;
		}
		snprintf(what, sizeof(what), "map %s", name);
		if (map_info(fd, &mi)) {
			add(p, "%s: cannot read its info: %s", what, strerror(errno));
		} else if (mi.type != bpf_map__type(map)) {
			add(p, "%s: type %u, the new programs need %u", what, mi.type,
			    bpf_map__type(map));
		} else {
			if (mi.key_size != bpf_map__key_size(map))
				add(p, "%s: key size %u, the new programs need %u", what,
				    mi.key_size, bpf_map__key_size(map));
			if (mi.value_size != bpf_map__value_size(map))
				add(p, "%s: value size %u, the new programs need %u", what,
				    mi.value_size, bpf_map__value_size(map));
			if (mi.max_entries != bpf_map__max_entries(map))
				add(p, "%s: %u entries, the new programs need %u", what,
				    mi.max_entries, bpf_map__max_entries(map));
			if (mi.map_flags != bpf_map__map_flags(map))
				add(p, "%s: flags 0x%x, the new programs need 0x%x", what,
				    mi.map_flags, bpf_map__map_flags(map));
			if (mi.value_size == bpf_map__value_size(map))
				value_btf_check(p, what, &mi, nbtf, bpf_map__btf_value_type_id(map));
			if (mi.type == BPF_MAP_TYPE_ARRAY_OF_MAPS)
				inner_check(p, name, fd, &mi, bpf_map__inner_map(map), nbtf);
		}
		close(fd);
	}
}

/* ---- the switch ---- */

struct up_xdp {
	char name[IF_NAMESIZE];
	int link_fd;
	bool done;
};

struct up_tc {
	char name[IF_NAMESIZE];
	char netns[64];
	int ifindex;
	__u32 handle, prio;
	bool done;
};

static int tc_replace(const struct up_tc *t, int prog_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = t->ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, to, .handle = t->handle, .priority = t->prio,
		    .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE);
	int saved = -1, err;

	if ((err = rx_netns_enter(t->netns, &saved)))
		return err;
	err = bpf_tc_attach(&hook, &to);
	rx_netns_restore(saved);
	return err;
}

/* Our filter on t: 1 running prog_id, 0 absent or another program's. */
static int tc_ours(struct up_tc *t, __u32 prog_id)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, to, .handle = t->handle, .priority = t->prio);
	int saved = -1, err;

	if (rx_netns_enter(t->netns, &saved))
		return 0;
	t->ifindex = (int)if_nametoindex(t->name);
	hook.ifindex = t->ifindex;
	err = t->ifindex ? bpf_tc_query(&hook, &to) : -ENODEV;
	rx_netns_restore(saved);
	if (err) {
		rx_warn("%s: no rootxdp TC filter %x:%x at ingress (%s): left as is; "
			"rootxdp attach --iface %s puts it back", t->name, t->handle, t->prio,
			rx_strerr(err), t->name);
		return 0;
	}
	if (to.prog_id != prog_id) {
		rx_warn("%s: TC filter %x:%x runs program %u, not rootxdp's %u: left alone",
			t->name, t->handle, t->prio, to.prog_id, prog_id);
		return 0;
	}
	return 1;
}

static int pin_tmp(int fd, const char *pin_root, const char *name, char *path, size_t len)
{
	char tmp[64];

	/* No dot: bpffs refuses names with one. */
	snprintf(tmp, sizeof(tmp), "%s-next", name);
	if (rx_pin_path(path, len, pin_root, tmp))
		return -ENAMETOOLONG;
	unlink(path);		/* left by an upgrade that was killed */
	if (bpf_obj_pin(fd, path))
		return -errno;
	return 0;
}

/* Pins under pin_root of maps the loaded object does not pin (any more):
 * stale after the switch (rx_scratch of an older attach, a map a newer
 * version dropped). */
static void stale_pins_remove(struct bpf_object *obj, const char *pin_root)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	d = opendir(pin_root);
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct bpf_map *m;

		if (strncmp(de->d_name, "rx_", 3))
			continue;
		m = bpf_object__find_map_by_name(obj, de->d_name);
		if (m && bpf_map__pin_path(m))
			continue;
		if (rx_pin_path(path, sizeof(path), pin_root, de->d_name) == 0 && unlink(path) == 0)
			rx_info("removed the pin of %s: the new programs do not share it", de->d_name);
	}
	closedir(d);
}

/* Our program in a libxdp dispatcher runs under a freplace link, which
 * has no program update; replacing it would mean a second program in
 * the dispatcher for a moment, answering or counting twice.  Refused
 * before anything changes. */
static int multiprog_refuse(const char *pin_root)
{
	char names[RX_STATE_MAX][IF_NAMESIZE];
	int n, i, mp = 0;

	n = rx_pinned_ifaces(pin_root, names, RX_STATE_MAX);
	for (i = 0; i < n; i++) {
		if (!rx_mp_pinned(pin_root, names[i]))
			continue;
		rx_err("cannot upgrade in place: %s runs rootxdp in libxdp's dispatcher (xdp-mode "
		       "multiprog), where a program cannot be replaced under its link", names[i]);
		mp++;
	}
	if (!mp)
		return 0;
	rx_err("replace the programs with a gap instead: withdraw the route (rootxdp anycast "
	       "drain), rootxdp detach, rootxdp attach, rootxdp anycast undrain");
	return -EOPNOTSUPP;
}

int rx_upgrade(const struct rx_config *c, const char *pin_root, const char *netns, bool check_only)
{
	char names[RX_STATE_MAX][IF_NAMESIZE], path[PATH_MAX], xtmp[PATH_MAX], ttmp[PATH_MAX];
	char newpins[32][64];
	struct up_xdp xdp[RX_STATE_MAX];
	struct up_tc tc[RX_STATE_MAX];
	struct problems p = { .n = 0 };
	struct rootxdp *skel = NULL;
	struct rx_state st;
	struct bpf_map *map;
	int old_xdp = -1, old_tc = -1, new_xdp, new_tc, nx = 0, nt = 0, nnew = 0, missing;
	int i, j, err = 0;
	__u32 old_xdp_id = 0, old_tc_id = 0, new_xdp_id = 0, new_tc_id = 0;

	xtmp[0] = ttmp[0] = '\0';
	if (!rx_pin_exists(pin_root, RX_PIN_PROG_XDP) || !rx_pin_exists(pin_root, RX_PIN_PROG_TC)) {
		rx_err("nothing to upgrade: no programs pinned under %s (rootxdp attach)", pin_root);
		return -ENOENT;
	}
	rx_pin_path(path, sizeof(path), pin_root, RX_PIN_PROG_XDP);
	old_xdp = bpf_obj_get(path);
	rx_pin_path(path, sizeof(path), pin_root, RX_PIN_PROG_TC);
	old_tc = old_xdp >= 0 ? bpf_obj_get(path) : -1;
	if (old_xdp < 0 || old_tc < 0) {
		err = -errno;
		rx_err("cannot open %s: %s" RX_HINT_FMT, path, rx_strerr(err), RX_HINT_ARGS(err));
		goto out;
	}
	rx_prog_id(old_xdp, &old_xdp_id);
	rx_prog_id(old_tc, &old_tc_id);
	if ((err = multiprog_refuse(pin_root)))
		goto out;

	skel = rootxdp__open();
	if (!skel) {
		err = -errno;
		rx_err("cannot open the BPF object: %s", rx_strerr(err));
		goto out;
	}
	if ((err = rx_obj_pin_maps(skel->obj, pin_root)))
		goto out;
	/* rx_rrl and rx_tap keep their live sizes, and with them the
	 * buckets and the ring rootxdpd reads. */
	rx_map_size_as_pinned(skel->maps.rx_rrl, pin_root);
	rx_map_size_as_pinned(skel->maps.rx_tap, pin_root);
	layout_check(skel->obj, pin_root, &p, &missing);
	if (p.n) {
		for (i = 0; i < p.n; i++)
			rx_err("cannot upgrade in place: %s", p.line[i]);
		rx_err("these programs need maps of another layout than the live ones: an upgrade "
		       "in place would let them misread the zone or counters.  Replace the "
		       "programs and maps with a gap instead: withdraw the route (rootxdp anycast "
		       "drain), rootxdp detach, rootxdp attach, rootxdp anycast undrain");
		err = -EPROTO;
		goto out;
	}
	if (check_only) {
		printf("an upgrade in place is possible: every pinned map has the layout the new "
		       "programs need%s\n", missing ? " (they add maps of their own)" : "");
		goto out;
	}
	/* Which maps the load will create and pin: undone on failure. */
	bpf_object__for_each_map(map, skel->obj)
		if (bpf_map__pin_path(map) && access(bpf_map__pin_path(map), F_OK) &&
		    nnew < (int)(sizeof(newpins) / sizeof(newpins[0])))
			rx_strlcpy(newpins[nnew++], bpf_map__name(map), sizeof(newpins[0]));
	err = rootxdp__load(skel);
	if (err) {
		rx_err("cannot load the new programs: %s (run with -v for the libbpf log; "
		       "the old programs keep serving)", rx_strerr(err));
		goto undo_maps;
	}
	new_xdp = bpf_program__fd(skel->progs.rootxdp_xdp);
	new_tc = bpf_program__fd(skel->progs.rootxdp_tc);
	rx_prog_id(new_xdp, &new_xdp_id);
	rx_prog_id(new_tc, &new_tc_id);
	/* Pinned beside the old ones first; renamed over them at the end. */
	if ((err = pin_tmp(new_xdp, pin_root, RX_PIN_PROG_XDP, xtmp, sizeof(xtmp))) ||
	    (err = pin_tmp(new_tc, pin_root, RX_PIN_PROG_TC, ttmp, sizeof(ttmp)))) {
		rx_err("cannot pin the new programs under %s: %s", pin_root, rx_strerr(err));
		goto undo_maps;
	}

	/* What runs the old programs: the pinned XDP links, the TC filters
	 * of the attach state (and of the links' interfaces, if it is lost). */
	if (rx_state_read(c, pin_root, &st))
		memset(&st, 0, sizeof(st));
	j = rx_pinned_ifaces(pin_root, names, RX_STATE_MAX);
	for (i = 0; i < j; i++) {
		char lname[64];
		struct bpf_link_info li;
		__u32 len = sizeof(li);
		int fd;

		rx_link_pin_name(lname, sizeof(lname), names[i]);
		rx_pin_path(path, sizeof(path), pin_root, lname);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			rx_warn("cannot open %s: %s", path, strerror(errno));
			continue;
		}
		memset(&li, 0, sizeof(li));
		if (bpf_obj_get_info_by_fd(fd, &li, &len) || !li.xdp.ifindex) {
			rx_warn("%s: the interface is gone (rootxdp detach --iface %s): skipped",
				names[i], names[i]);
			close(fd);
			continue;
		}
		memset(&xdp[nx], 0, sizeof(xdp[nx]));
		rx_strlcpy(xdp[nx].name, names[i], IF_NAMESIZE);
		xdp[nx++].link_fd = fd;
	}
	for (i = 0; i < j; i++) {
		struct rx_state_if *s = rx_state_find(&st, names[i]);
		struct up_tc *t = &tc[nt];

		memset(t, 0, sizeof(*t));
		rx_strlcpy(t->name, names[i], IF_NAMESIZE);
		rx_strlcpy(t->netns, netns ? netns : s ? s->netns : "", sizeof(t->netns));
		t->handle = s ? s->tc_handle : RX_TC_HANDLE;
		t->prio = s ? s->tc_prio : RX_TC_PRIO;
		if (tc_ours(t, old_tc_id))
			nt++;
	}

	for (i = 0; i < nx; i++) {
		LIBBPF_OPTS(bpf_link_update_opts, uo, .flags = BPF_F_REPLACE,
			    .old_prog_fd = (__u32)old_xdp);

		if (bpf_link_update(xdp[i].link_fd, new_xdp, &uo)) {
			err = -errno;
			rx_err("%s: cannot put the new XDP program under its link: %s%s", xdp[i].name,
			       rx_strerr(err), err == -EPERM ? " (the link runs a program that is "
			       "not the pinned prog-xdp: rootxdp status)" : "");
			goto rollback;
		}
		xdp[i].done = true;
	}
	for (i = 0; i < nt; i++) {
		if ((err = tc_replace(&tc[i], new_tc))) {
			rx_err("%s: cannot replace the TC filter: %s" RX_HINT_FMT, tc[i].name,
			       rx_strerr(err), RX_HINT_ARGS(err));
			goto rollback;
		}
		tc[i].done = true;
	}
	/* Switched: the pins name the new programs (rename is atomic on
	 * bpffs, so prog-xdp always names a program). */
	rx_pin_path(path, sizeof(path), pin_root, RX_PIN_PROG_XDP);
	if (rename(xtmp, path))
		rx_warn("cannot rename %s to %s: %s", xtmp, path, strerror(errno));
	else
		xtmp[0] = '\0';
	rx_pin_path(path, sizeof(path), pin_root, RX_PIN_PROG_TC);
	if (rename(ttmp, path))
		rx_warn("cannot rename %s to %s: %s", ttmp, path, strerror(errno));
	else
		ttmp[0] = '\0';
	stale_pins_remove(skel->obj, pin_root);
	for (i = 0; i < nx; i++)
		printf("%s: XDP program %u -> %u (link kept)\n", xdp[i].name, old_xdp_id, new_xdp_id);
	for (i = 0; i < nt; i++)
		printf("%s: TC program %u -> %u (filter %x:%x replaced)\n", tc[i].name, old_tc_id,
		       new_tc_id, tc[i].handle, tc[i].prio);
	printf("upgraded: xdp id %u, tc id %u; maps kept%s\n", new_xdp_id, new_tc_id,
	       missing ? ", new maps pinned" : "");
	err = 0;
	goto out;

rollback:
	/* Put back what was switched: the old programs are still loaded
	 * (we hold them), and maps are shared, so this is as seamless. */
	for (i = 0; i < nx; i++) {
		LIBBPF_OPTS(bpf_link_update_opts, uo, .flags = BPF_F_REPLACE,
			    .old_prog_fd = (__u32)new_xdp);

		if (xdp[i].done && bpf_link_update(xdp[i].link_fd, old_xdp, &uo))
			rx_err("%s: cannot put the old XDP program back: %s", xdp[i].name,
			       strerror(errno));
	}
	for (i = 0; i < nt; i++)
		if (tc[i].done && tc_replace(&tc[i], old_tc))
			rx_err("%s: cannot put the old TC program back", tc[i].name);
	rx_err("upgrade undone: the old programs (xdp id %u, tc id %u) serve", old_xdp_id,
	       old_tc_id);
undo_maps:
	for (i = 0; i < nnew; i++)
		if (rx_pin_path(path, sizeof(path), pin_root, newpins[i]) == 0)
			unlink(path);
out:
	if (xtmp[0])
		unlink(xtmp);
	if (ttmp[0])
		unlink(ttmp);
	for (i = 0; i < nx; i++)
		close(xdp[i].link_fd);
	if (skel)
		rootxdp__destroy(skel);
	if (old_xdp >= 0)
		close(old_xdp);
	if (old_tc >= 0)
		close(old_tc);
	return err;
}

/* ---- rootxdp upgrade ---- */

struct upgrade_args {
	const char *conf, *pin_root, *netns;
	bool check;
};

static const struct rx_opt upgrade_opts[] = {
	RX_OPT_FLAG(struct upgrade_args, check, "check", 'C',
		    "only say whether an upgrade in place is possible"),
	RX_OPT_CONFIG(struct upgrade_args, conf),
	RX_OPT_PIN_ROOT(struct upgrade_args, pin_root),
	RX_OPT_NETNS(struct upgrade_args, netns,
		     "network namespace of the interfaces (default: as attached)"),
	RX_OPT_VERBOSE("more detail (twice: the layouts compared)"),
	{ 0 }
};

static const struct rx_cmd_spec upgrade_spec = {
	.name = "upgrade",
	.about = "Put the programs of this rootxdp binary under the live attachments without\n"
		 "a gap: the XDP links are updated in place, the TC filters replaced in\n"
		 "place, the pinned maps (zone, configuration, counters) kept.  Refused,\n"
		 "with nothing changed, when a map the programs share changed its layout,\n"
		 "or when an interface is attached in multiprog mode (libxdp's dispatcher\n"
		 "cannot replace a program in place).\n",
	.opts = upgrade_opts,
};

int cmd_upgrade(int argc, char **argv)
{
	struct upgrade_args a = { 0 };
	char pin_root[PATH_MAX];
	struct rx_config c;
	int first, lock, err;

	if ((err = rx_opts_parse(&upgrade_spec, argc, argv, &a, &first)) >= 0)
		return err;
	if (rx_cli_config(&c, a.conf))
		return RX_EXIT_FAIL;
	rx_cli_pin_root(&c, a.pin_root, pin_root, sizeof(pin_root));
	if (access(pin_root, F_OK)) {
		rx_err("nothing to upgrade: no pins under %s (rootxdp attach)", pin_root);
		return RX_EXIT_FAIL;
	}
	lock = rx_lock(pin_root);
	if (lock < 0) {
		rx_err("cannot lock %s: %s", pin_root, rx_strerr(lock));
		return RX_EXIT_FAIL;
	}
	err = rx_upgrade(&c, pin_root, a.netns, a.check);
	close(lock);
	return err ? RX_EXIT_FAIL : RX_EXIT_OK;
}
