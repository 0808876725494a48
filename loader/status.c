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

int cmd_status(int argc, char **argv)
{
	struct status_args a = { 0 };
	char names[RX_STATE_MAX][IF_NAMESIZE], pin_root[PATH_MAX], path[PATH_MAX];
	char hex[65], when[64], size[32];
	static struct st_if ifs[RX_STATE_MAX];
	struct rx_config c;
	struct rx_state st;
	struct rx_maps m;
	struct rx_meta meta;
	struct rx_ctl ctl = { 0 };
	unsigned long long mem;
	int nif, nlive = 0, nmaps, i, o, fd, pid, dstate, nwarn;
	char warn[8][RX_HEALTH_LINE];
	struct rx_zone_age age;
	bool have_zone;
	__u32 xdp_id, tc_id, key = 0;

	if ((o = rx_opts_parse(&status_spec, argc, argv, &a, &i)) >= 0)
		return o;
	if (rx_cli_config(&c, a.conf))
		return RX_EXIT_FAIL;
	rx_cli_pin_root(&c, a.pin_root, pin_root, sizeof(pin_root));
	if (rx_open_pinned(pin_root, &m))
		return RX_EXIT_FAIL;
	if (rx_state_read(&c, pin_root, &st))
		memset(&st, 0, sizeof(st));

	nif = rx_pinned_ifaces(pin_root, names, RX_STATE_MAX);
	if (nif < 0)
		nif = 0;
	for (i = 0; i < nif; i++) {
		struct bpf_link_info li;
		__u32 len = sizeof(li);

		memset(&ifs[i], 0, sizeof(ifs[i]));
		rx_strlcpy(ifs[i].name, names[i], sizeof(ifs[i].name));
		ifs[i].s = rx_state_find(&st, names[i]);
		if (rx_mp_pinned(pin_root, names[i])) {
			/* multiprog: our program, if still in the dispatcher */
			ifs[i].mp = true;
			if (!rx_mp_query_ns(pin_root, names[i], ifs[i].s ? ifs[i].s->netns : "",
					    &ifs[i].mi)) {
				ifs[i].ifindex = (__u32)ifs[i].mi.ifindex;
				nlive++;
			}
			ifs[i].prog_id = ifs[i].mi.prog_id;
			continue;
		}
		if (rx_fmt(path, sizeof(path), "%s/" RX_PIN_LINK_XDP "%s", pin_root, names[i]))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		memset(&li, 0, sizeof(li));
		if (bpf_obj_get_info_by_fd(fd, &li, &len) == 0) {
			ifs[i].link_id = li.id;
			ifs[i].prog_id = li.prog_id;
			ifs[i].ifindex = li.xdp.ifindex;	/* 0: the interface is gone */
			if (li.xdp.ifindex)
				nlive++;
		}
		close(fd);
	}
	prog_id_of(pin_root, RX_PIN_PROG_XDP, &xdp_id);
	prog_id_of(pin_root, RX_PIN_PROG_TC, &tc_id);
	have_zone = rx_zone_live(&m, &meta) == 0;
	bpf_map_lookup_elem(m.ctl, &key, &ctl);
	if (have_zone) {
		for (i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", meta.sha256[i]);
		fmt_time(meta.loaded_ns, when, sizeof(when));
	}
	mem = maps_memory(pin_root, &nmaps);
	fmt_size(mem, size, sizeof(size));
	dstate = rx_daemon_pid(&c, &pid);
	rx_maps_close(&m);
	/* Stale zone, signatures close to expiry (rootxdp health fails then). */
	nwarn = rx_zone_problems(&c, have_zone ? &meta : NULL, (__u64)time(NULL), warn, 8, &age);

	if (a.json) {
		printf("{\"pin_root\":");
		rx_json_str(pin_root);
		printf(",\"attached\":%s,\"programs\":{\"xdp\":%u,\"tc\":%u},\"interfaces\":[",
		       nlive ? "true" : "false", xdp_id, tc_id);
		for (i = 0; i < nif; i++) {
			const struct rx_state_if *s = ifs[i].s;

			printf("%s{\"name\":", i ? "," : "");
			rx_json_str(ifs[i].name);
			printf(",\"mode\":\"%s\",\"ifindex\":%u,\"netns\":",
			       ifs[i].mp ? "multiprog" : s ? (s->native ? "native" : "generic") :
			       "unknown", ifs[i].ifindex);
			rx_json_str(s ? s->netns : "");
			if (ifs[i].mp)
				printf(",\"dispatcher\":{\"id\":%u,\"mode\":\"%s\",\"priority\":%u,"
				       "\"position\":%d,\"programs\":%d}", ifs[i].mi.dispatcher_id,
				       ifs[i].mi.native ? "native" : "generic", ifs[i].mi.prio,
				       ifs[i].mi.pos, ifs[i].mi.count);
			printf(",\"xdp_link\":%u,\"xdp_prog\":%u,\"tc_filter\":\"%x:%x\",\"mtu\":%u}",
			       ifs[i].link_id, ifs[i].prog_id, s ? s->tc_handle : 0,
			       s ? s->tc_prio : 0, s ? s->mtu : 0);
		}
		printf("],\"zone\":");
		if (have_zone)
			printf("{\"serial\":%u,\"slot\":%u,\"gen\":%u,\"sha256\":\"%s\","
			       "\"loaded\":\"%s\",\"loaded_ns\":%llu,\"tlds\":%u,\"responses\":%u}",
			       meta.serial, ctl.slot, ctl.gen, hex, when,
			       (unsigned long long)meta.loaded_ns, meta.ntld, meta.nresp);
		else
			printf("null");
		printf(",\"maps\":%d,\"map_memory_bytes\":%llu,\"rootxdpd\":{\"running\":%s,"
		       "\"pid\":%d},\"warnings\":[", nmaps, mem, dstate > 0 ? "true" : "false",
		       dstate > 0 ? pid : 0);
		for (i = 0; i < nwarn; i++) {
			if (i)
				putchar(',');
			rx_json_str(warn[i]);
		}
		printf("]}\n");
	} else {
		printf("pin root:   %s\n", pin_root);
		printf("programs:   xdp id %u, tc id %u\n", xdp_id, tc_id);
		if (!nif)
			printf("interfaces: none\n");
		for (i = 0; i < nif; i++) {
			const struct rx_state_if *s = ifs[i].s;

			if (ifs[i].mp && ifs[i].ifindex)
				printf("interface:  %s multiprog (libxdp dispatcher %u, %s mode, priority "
				       "%u, program %d of %d)", ifs[i].name, ifs[i].mi.dispatcher_id,
				       ifs[i].mi.native ? "native" : "generic", ifs[i].mi.prio,
				       ifs[i].mi.pos, ifs[i].mi.count);
			else
				printf("interface:  %s %s", ifs[i].name, ifs[i].mp ? "multiprog" :
				       s ? (s->native ? "native" : "generic") : "(mode unknown)");
			if (ifs[i].mp && !ifs[i].ifindex)
				printf(", not in a libxdp dispatcher any more (the interface went, or "
				       "xdp-loader unloaded it: rootxdp detach --iface %s)", ifs[i].name);
			else if (!ifs[i].ifindex)
				printf(", gone (the interface was removed: rootxdp detach --iface %s)",
				       ifs[i].name);
			else
				printf(", ifindex %u", ifs[i].ifindex);
			if (s && s->netns[0])
				printf(", netns %s", s->netns);
			if (ifs[i].mp)
				printf(", xdp prog %u", ifs[i].prog_id);
			else
				printf(", xdp link %u (prog %u)", ifs[i].link_id, ifs[i].prog_id);
			if (s)
				printf(", tc filter %x:%x, mtu %u", s->tc_handle, s->tc_prio, s->mtu);
			putchar('\n');
		}
		if (have_zone) {
			printf("zone:       serial %u, slot %u (swap %u), %u TLDs, %u responses\n",
			       meta.serial, ctl.slot, ctl.gen, meta.ntld, meta.nresp);
			printf("image:      sha256 %s\n", hex);
			printf("loaded:     %s\n", when);
		} else {
			printf("zone:       none loaded (queries go to rootxdpd: rootxdp load IMAGE)\n");
		}
		printf("maps:       %d, %s\n", nmaps, size);
		if (dstate > 0)
			printf("rootxdpd:   running, pid %d\n", pid);
		else if (dstate < 0)
			printf("rootxdpd:   not running (stale pid file %s/rootxdpd.pid)\n", c.run_dir);
		else
			printf("rootxdpd:   not running\n");
		for (i = 0; i < nwarn; i++)
			printf("warning:    %s\n", warn[i]);
	}
	if (!nlive) {
		rx_err("not attached to any interface: run rootxdp attach");
		return RX_EXIT_FAIL;
	}
	return RX_EXIT_OK;
}
