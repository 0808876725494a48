// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * status.c - `rootxdp status`: what is attached where, which zone is live,
 * how much map memory it takes, and whether rootxdpd runs.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "utc.h"
#include "cmd.h"
#include "log.h"
#include "multiprog.h"
#include "opts.h"
#include "rootxdp.h"
#include "zone_maps.h"

struct status_args {
	const char *conf, *pin_root;
	bool json;
};

static const struct rx_opt status_opts[] = {
	RX_OPT_FLAG(struct status_args, json, "json", 'j', "one JSON object"),
	RX_OPT_CONFIG(struct status_args, conf),
	RX_OPT_PIN_ROOT(struct status_args, pin_root),
	RX_OPT_VERBOSE("more detail"),
	{ 0 }
};

static const struct rx_cmd_spec status_spec = {
	.name = "status",
	.about = "Interfaces and modes (in multiprog mode: libxdp's dispatcher, rootxdp's\n"
		 "priority and place in it), program ids, the live zone (serial, slot,\n"
		 "image SHA-256, load time), map memory and rootxdpd.  Exits 1 when\n"
		 "nothing is attached.\n",
	.opts = status_opts,
};

struct st_if {
	char name[IF_NAMESIZE];
	__u32 link_id, prog_id, ifindex;
	const struct rx_state_if *s;
	bool mp;		/* in libxdp's dispatcher */
	struct rx_mp_info mi;
};

/* The kernel's own charge for a map ("memlock:" in fdinfo), else a
 * max_entries * (key + value) estimate. */
static unsigned long long map_mem(int fd, const struct bpf_map_info *mi)
{
	char path[64], line[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "memlock: %llu", &v) == 1)
				break;
		fclose(f);
	}
	if (v)
		return v;
	return (unsigned long long)mi->max_entries * (mi->key_size + mi->value_size);
}

static int map_info(int fd, struct bpf_map_info *mi)
{
	__u32 len = sizeof(*mi);

	memset(mi, 0, sizeof(*mi));
	return bpf_obj_get_info_by_fd(fd, mi, &len) ? -errno : 0;
}

/* Sum over the pinned maps and, for the outer maps, their inner maps. */
static unsigned long long maps_memory(const char *pin_root, int *nmaps)
{
	unsigned long long total = 0;
	char path[PATH_MAX];
	struct bpf_map_info mi, ii;
	struct dirent *de;
	DIR *d;
	int fd, ifd;
	__u32 k, id;

	*nmaps = 0;
	d = opendir(pin_root);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "rx_", 3) ||
		    rx_pin_path(path, sizeof(path), pin_root, de->d_name))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (map_info(fd, &mi) == 0) {
			total += map_mem(fd, &mi);
			(*nmaps)++;
			if (mi.type == BPF_MAP_TYPE_ARRAY_OF_MAPS || mi.type == BPF_MAP_TYPE_HASH_OF_MAPS) {
				for (k = 0; k < mi.max_entries && mi.type == BPF_MAP_TYPE_ARRAY_OF_MAPS; k++) {
					if (bpf_map_lookup_elem(fd, &k, &id))
						continue;	/* empty slot */
					ifd = bpf_map_get_fd_by_id(id);
					if (ifd < 0)
						continue;
					if (map_info(ifd, &ii) == 0) {
						total += map_mem(ifd, &ii);
						(*nmaps)++;
					}
					close(ifd);
				}
			}
		}
		close(fd);
	}
	closedir(d);
	return total;
}

static int prog_id_of(const char *pin_root, const char *name, __u32 *id)
{
	struct bpf_prog_info pi;
	__u32 len = sizeof(pi);
	char path[PATH_MAX];
	int fd, err = 0;

	*id = 0;
	if (rx_pin_path(path, sizeof(path), pin_root, name))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	memset(&pi, 0, sizeof(pi));
	if (bpf_obj_get_info_by_fd(fd, &pi, &len))
		err = -errno;
	else
		*id = pi.id;
	close(fd);
	return err;
}

static void fmt_time(__u64 ns, char *buf, size_t len)
{
	if (!ns)
		snprintf(buf, len, "-");
	else
		rx_utc(ns / 1000000000ull, buf, len);
}

static void fmt_size(unsigned long long b, char *buf, size_t len)
{
	if (b >= 10ull << 20)
		snprintf(buf, len, "%.1f MiB", (double)b / (1 << 20));
	else if (b >= 10ull << 10)
		snprintf(buf, len, "%.1f KiB", (double)b / (1 << 10));
	else
		snprintf(buf, len, "%llu bytes", b);
}

/* What `rootxdp status` shows, gathered before any of it is printed. */
struct status {
	char pin_root[PATH_MAX], run_dir[PATH_MAX];
	struct st_if ifs[RX_STATE_MAX];
	int nif, nlive;
	__u32 xdp_id, tc_id;
	bool have_zone;
	struct rx_meta meta;
	struct rx_ctl ctl;
	char hex[65], when[64], size[32];
	unsigned long long mem;
	int nmaps, dstate, pid, nwarn;
	char warn[8][RX_HEALTH_LINE];
};

static void print_json(const struct status *S)
{
	int i;

	printf("{\"pin_root\":");
	rx_json_str(S->pin_root);
	printf(",\"attached\":%s,\"programs\":{\"xdp\":%u,\"tc\":%u},\"interfaces\":[",
	       S->nlive ? "true" : "false", S->xdp_id, S->tc_id);
	for (i = 0; i < S->nif; i++) {
		const struct rx_state_if *s = S->ifs[i].s;

		printf("%s{\"name\":", i ? "," : "");
		rx_json_str(S->ifs[i].name);
		printf(",\"mode\":\"%s\",\"ifindex\":%u,\"netns\":",
		       S->ifs[i].mp ? "multiprog" : s ? (s->native ? "native" : "generic") :
		       "unknown", S->ifs[i].ifindex);
		rx_json_str(s ? s->netns : "");
		if (S->ifs[i].mp)
			printf(",\"dispatcher\":{\"id\":%u,\"mode\":\"%s\",\"priority\":%u,"
			       "\"position\":%d,\"programs\":%d}", S->ifs[i].mi.dispatcher_id,
			       S->ifs[i].mi.native ? "native" : "generic", S->ifs[i].mi.prio,
			       S->ifs[i].mi.pos, S->ifs[i].mi.count);
		printf(",\"xdp_link\":%u,\"xdp_prog\":%u,\"tc_filter\":\"%x:%x\",\"mtu\":%u}",
		       S->ifs[i].link_id, S->ifs[i].prog_id, s ? s->tc_handle : 0,
		       s ? s->tc_prio : 0, s ? s->mtu : 0);
	}
	printf("],\"zone\":");
	if (S->have_zone)
		printf("{\"serial\":%u,\"slot\":%u,\"gen\":%u,\"sha256\":\"%s\","
		       "\"loaded\":\"%s\",\"loaded_ns\":%llu,\"tlds\":%u,\"responses\":%u}",
		       S->meta.serial, S->ctl.slot, S->ctl.gen, S->hex, S->when,
		       (unsigned long long)S->meta.loaded_ns, S->meta.ntld, S->meta.nresp);
	else
		printf("null");
	printf(",\"maps\":%d,\"map_memory_bytes\":%llu,\"rootxdpd\":{\"running\":%s,"
	       "\"pid\":%d},\"warnings\":[", S->nmaps, S->mem, S->dstate > 0 ? "true" : "false",
	       S->dstate > 0 ? S->pid : 0);
	for (i = 0; i < S->nwarn; i++) {
		if (i)
			putchar(',');
		rx_json_str(S->warn[i]);
	}
	printf("]}\n");
}

static void print_text(const struct status *S)
{
	int i;

	printf("pin root:   %s\n", S->pin_root);
	printf("programs:   xdp id %u, tc id %u\n", S->xdp_id, S->tc_id);
	if (!S->nif)
		printf("interfaces: none\n");
	for (i = 0; i < S->nif; i++) {
		const struct rx_state_if *s = S->ifs[i].s;

		if (S->ifs[i].mp && S->ifs[i].ifindex)
			printf("interface:  %s multiprog (libxdp dispatcher %u, %s mode, priority "
			       "%u, program %d of %d)", S->ifs[i].name, S->ifs[i].mi.dispatcher_id,
			       S->ifs[i].mi.native ? "native" : "generic", S->ifs[i].mi.prio,
			       S->ifs[i].mi.pos, S->ifs[i].mi.count);
		else
			printf("interface:  %s %s", S->ifs[i].name, S->ifs[i].mp ? "multiprog" :
			       s ? (s->native ? "native" : "generic") : "(mode unknown)");
		if (S->ifs[i].mp && !S->ifs[i].ifindex)
			printf(", not in a libxdp dispatcher any more (the interface went, or "
			       "xdp-loader unloaded it: rootxdp detach --iface %s)", S->ifs[i].name);
		else if (!S->ifs[i].ifindex)
			printf(", gone (the interface was removed: rootxdp detach --iface %s)",
			       S->ifs[i].name);
		else
			printf(", ifindex %u", S->ifs[i].ifindex);
		if (s && s->netns[0])
			printf(", netns %s", s->netns);
		if (S->ifs[i].mp)
			printf(", xdp prog %u", S->ifs[i].prog_id);
		else
			printf(", xdp link %u (prog %u)", S->ifs[i].link_id, S->ifs[i].prog_id);
		if (s)
			printf(", tc filter %x:%x, mtu %u", s->tc_handle, s->tc_prio, s->mtu);
		putchar('\n');
	}
	if (S->have_zone) {
		printf("zone:       serial %u, slot %u (swap %u), %u TLDs, %u responses\n",
		       S->meta.serial, S->ctl.slot, S->ctl.gen, S->meta.ntld, S->meta.nresp);
		printf("image:      sha256 %s\n", S->hex);
		printf("loaded:     %s\n", S->when);
	} else {
		printf("zone:       none loaded (queries go to rootxdpd: rootxdp load IMAGE)\n");
	}
	printf("maps:       %d, %s\n", S->nmaps, S->size);
	if (S->dstate > 0)
		printf("rootxdpd:   running, pid %d\n", S->pid);
	else if (S->dstate < 0)
		printf("rootxdpd:   not running (stale pid file %s/rootxdpd.pid)\n", S->run_dir);
	else
		printf("rootxdpd:   not running\n");
	for (i = 0; i < S->nwarn; i++)
		printf("warning:    %s\n", S->warn[i]);
}

/* Each interface with rootxdp's XDP pinned: its link, or its program in
 * libxdp's dispatcher (multiprog), and whether it still runs. */
static void gather_ifaces(struct status *S, const struct rx_state *st)
{
	char names[RX_STATE_MAX][IF_NAMESIZE], path[PATH_MAX];
	int i, fd;

	S->nif = rx_pinned_ifaces(S->pin_root, names, RX_STATE_MAX);
	if (S->nif < 0)
		S->nif = 0;
	for (i = 0; i < S->nif; i++) {
		struct st_if *f = &S->ifs[i];
		struct bpf_link_info li;
		__u32 len = sizeof(li);

		memset(f, 0, sizeof(*f));
		rx_strlcpy(f->name, names[i], sizeof(f->name));
		f->s = rx_state_find((struct rx_state *)st, names[i]);
		if (rx_mp_pinned(S->pin_root, names[i])) {
			/* multiprog: our program, if still in the dispatcher */
			f->mp = true;
			if (!rx_mp_query_ns(S->pin_root, names[i], f->s ? f->s->netns : "", &f->mi)) {
				f->ifindex = (__u32)f->mi.ifindex;
				S->nlive++;
			}
			f->prog_id = f->mi.prog_id;
			continue;
		}
		if (rx_fmt(path, sizeof(path), "%s/" RX_PIN_LINK_XDP "%s", S->pin_root, names[i]))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		memset(&li, 0, sizeof(li));
		if (bpf_obj_get_info_by_fd(fd, &li, &len) == 0) {
			f->link_id = li.id;
			f->prog_id = li.prog_id;
			f->ifindex = li.xdp.ifindex;	/* 0: the interface is gone */
			if (li.xdp.ifindex)
				S->nlive++;
		}
		close(fd);
	}
}

/* Programs, zone, maps, rootxdpd and warnings. */
static void gather(struct status *S, const struct rx_config *c, const struct rx_maps *m)
{
	struct rx_zone_age age;
	__u32 key = 0;
	int i;

	prog_id_of(S->pin_root, RX_PIN_PROG_XDP, &S->xdp_id);
	prog_id_of(S->pin_root, RX_PIN_PROG_TC, &S->tc_id);
	S->have_zone = rx_zone_live(m, &S->meta) == 0;
	bpf_map_lookup_elem(m->ctl, &key, &S->ctl);
	if (S->have_zone) {
		for (i = 0; i < 32; i++)
			snprintf(S->hex + 2 * i, 3, "%02x", S->meta.sha256[i]);
		fmt_time(S->meta.loaded_ns, S->when, sizeof(S->when));
	}
	S->mem = maps_memory(S->pin_root, &S->nmaps);
	fmt_size(S->mem, S->size, sizeof(S->size));
	S->dstate = rx_daemon_pid(c, &S->pid);
	rx_strlcpy(S->run_dir, c->run_dir, sizeof(S->run_dir));
	/* Stale zone, signatures close to expiry (rootxdp health fails then). */
	S->nwarn = rx_zone_problems(c, S->have_zone ? &S->meta : NULL, (__u64)time(NULL), S->warn,
				    8, &age);
}

int cmd_status(int argc, char **argv)
{
	static struct status S;		/* RX_STATE_MAX interfaces: not on the stack */
	struct status_args a = { 0 };
	struct rx_config c;
	struct rx_state st;
	struct rx_maps m;
	int first, rc;

	if ((rc = rx_opts_parse(&status_spec, argc, argv, &a, &first)) >= 0)
		return rc;
	if (rx_cli_config(&c, a.conf))
		return RX_EXIT_FAIL;
	memset(&S, 0, sizeof(S));
	rx_cli_pin_root(&c, a.pin_root, S.pin_root, sizeof(S.pin_root));
	if (rx_open_pinned(S.pin_root, &m))
		return RX_EXIT_FAIL;
	if (rx_state_read(&c, S.pin_root, &st))
		memset(&st, 0, sizeof(st));
	gather_ifaces(&S, &st);
	gather(&S, &c, &m);
	rx_maps_close(&m);
	if (a.json)
		print_json(&S);
	else
		print_text(&S);
	if (!S.nlive) {
		rx_err("not attached to any interface: run rootxdp attach");
		return RX_EXIT_FAIL;
	}
	return RX_EXIT_OK;
}
