// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * zone_maps.c - fill the BPF maps from an image and swap atomically
 * (zone_maps.h, docs/design.md "Maps and the swap").
 *
 * A swap builds four fresh inner maps sized for the image, fills and
 * verifies them, writes rx_meta[idle], stores the inner maps in the idle
 * slot of the outer maps and flips rx_ctl[0] in one update.  Until that
 * flip nothing the programs read has changed, so any failure leaves the
 * live zone serving.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "rootxdp.h"
#include "errf.h"
#include "zone_maps.h"
#include "secret.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524	/* kernel-internal "operation not supported" */
#endif

/* Map names: the names in bpf/maps.h, also the pin names under pin_root. */
static const struct {
	const char *name;
	size_t off;
} map_names[] = {
	{ "rx_ctl", offsetof(struct rx_maps, ctl) },
	{ "rx_cfg", offsetof(struct rx_maps, cfg) },
	{ "rx_meta", offsetof(struct rx_maps, meta) },
	{ "rx_stats", offsetof(struct rx_maps, stats) },
	{ "rx_resp", offsetof(struct rx_maps, resp) },
	{ "rx_blob", offsetof(struct rx_maps, blob) },
	{ "rx_tld", offsetof(struct rx_maps, tld) },
	{ "rx_nsec", offsetof(struct rx_maps, nsec) },
	{ "rx_rrl", offsetof(struct rx_maps, rrl) },
	{ "rx_rrl_exempt", offsetof(struct rx_maps, rrl_exempt) },
};
#define NMAPS (sizeof(map_names) / sizeof(map_names[0]))

static int *map_fd(struct rx_maps *m, size_t i)
{
	return (int *)((char *)m + map_names[i].off);
}

static void maps_init(struct rx_maps *m)
{
	for (size_t i = 0; i < NMAPS; i++)
		*map_fd(m, i) = -1;
}

void rx_maps_close(struct rx_maps *m)
{
	for (size_t i = 0; i < NMAPS; i++) {
		int *fd = map_fd(m, i);

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

/* The fds are dup()ed so that rx_maps_close() is right for both sources
 * and the caller may destroy the object independently. */
int rx_maps_from_obj(struct bpf_object *obj, struct rx_maps *m)
{
	maps_init(m);
	for (size_t i = 0; i < NMAPS; i++) {
		int fd = bpf_object__find_map_fd_by_name(obj, map_names[i].name);

		if (fd < 0 || (fd = dup(fd)) < 0) {
			int err = fd < 0 && errno ? -errno : -ENOENT;

			rx_maps_close(m);
			return err;
		}
		*map_fd(m, i) = fd;
	}
	return 0;
}

int rx_maps_from_pins(const char *pin_root, struct rx_maps *m, char *err, size_t errlen)
{
	char path[4096];

	maps_init(m);
	for (size_t i = 0; i < NMAPS; i++) {
		int fd;

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", pin_root,
				     map_names[i].name) >= sizeof(path)) {
			rx_maps_close(m);
			return rx_errf(err, errlen, -ENAMETOOLONG, "pin path too long under %s",
				    pin_root);
		}
		fd = bpf_obj_get(path);
		if (fd < 0) {
			int e = -errno;

			rx_maps_close(m);
			return rx_errf(err, errlen, e, "cannot open pinned map %s: %s%s", path,
				    strerror(-e),
				    e == -ENOENT ? " (is rootxdp attached? `rootxdp attach` "
						   "pins the maps)" : "");
		}
		*map_fd(m, i) = fd;
	}
	return 0;
}

/* ---- BTF for the inner maps (so `bpftool map dump` prints them typed) ---- */

/* Type ids of the inner maps' keys and values in the programs' BTF, so
 * that `bpftool map dump` prints typed entries.  The BTF object is the one
 * the loaded program's maps carry (rx_meta has it whether the fds came
 * from the skeleton or from pins); the value types are anchored in BTF by
 * globals in rootxdp.bpf.c. */
struct inner_btf {
	int fd;			/* -1: create without BTF */
	__u32 u32, resp, chunk, label, tld, nsec;
};

static __u32 find_type(const struct btf *btf, const char *name, int kind)
{
	__s32 id = btf__find_by_name_kind(btf, name, kind);

	return id > 0 ? (__u32)id : 0;
}

static void inner_btf_get(const struct rx_maps *m, struct inner_btf *ib)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct btf *btf;

	memset(ib, 0, sizeof(*ib));
	ib->fd = -1;
	if (bpf_obj_get_info_by_fd(m->meta, &info, &len) || !info.btf_id)
		return;
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf)
		return;
	ib->u32 = find_type(btf, "__u32", BTF_KIND_TYPEDEF);
	ib->resp = find_type(btf, "rx_resp", BTF_KIND_STRUCT);
	ib->chunk = find_type(btf, "rx_chunk", BTF_KIND_STRUCT);
	ib->label = find_type(btf, "rx_label", BTF_KIND_STRUCT);
	ib->tld = find_type(btf, "rx_tld", BTF_KIND_STRUCT);
	ib->nsec = find_type(btf, "rx_nsec", BTF_KIND_STRUCT);
	btf__free(btf);
	if (ib->u32 && ib->resp && ib->chunk && ib->label && ib->tld && ib->nsec)
		ib->fd = bpf_btf_get_fd_by_id(info.btf_id);
}

/* One inner map.  Types and flags must equal the templates in bpf/maps.h:
 * the kernel refuses an inner map whose type, key/value size or flags
 * differ from the outer map's template ("Invalid argument"). */
static int inner_create(const char *name, enum bpf_map_type type, __u32 ksz, __u32 vsz,
			__u32 n, __u32 flags, const struct inner_btf *ib, __u32 kid, __u32 vid)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	int fd;

	if (ib->fd >= 0) {
		o.btf_fd = ib->fd;
		o.btf_key_type_id = kid;
		o.btf_value_type_id = vid;
	}
	fd = bpf_map_create(type, name, ksz, vsz, n ? n : 1, &o);
	if (fd < 0 && ib->fd >= 0) {
		/* A BTF mismatch must not stop a zone load: retry untyped. */
		o.btf_fd = 0;
		o.btf_key_type_id = o.btf_value_type_id = 0;
		fd = bpf_map_create(type, name, ksz, vsz, n ? n : 1, &o);
	}
	return fd < 0 ? -errno : fd;
}

/* Fill with bpf_map_update_batch (5.6+) in slices; element by element if
 * the kernel refuses batches for this map type. */
static int fill(int fd, const void *keys, size_t ksz, const void *vals, size_t vsz, __u32 n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bo, .elem_flags = BPF_ANY);
	const __u32 slice = 1024;
	__u32 done = 0;

	while (done < n) {
		__u32 cnt = n - done < slice ? n - done : slice;

		if (bpf_map_update_batch(fd, (const char *)keys + done * ksz,
					 (const char *)vals + done * vsz, &cnt, &bo)) {
			if (errno != EINVAL && errno != ENOTSUPP && errno != EOPNOTSUPP)
				return -errno;
			break;
		}
		done += cnt;
	}
	for (; done < n; done++)
		if (bpf_map_update_elem(fd, (const char *)keys + done * ksz,
					(const char *)vals + done * vsz, BPF_ANY))
			return -errno;
	return 0;
}

/* Read element key back and compare with want. */
static int readback(int fd, const void *key, const void *want, size_t vsz, void *buf)
{
	if (bpf_map_lookup_elem(fd, key, buf))
		return -errno;
	return memcmp(buf, want, vsz) ? -EIO : 0;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * Time the programs get to finish with the old slot after the flip.  A
 * program reads rx_ctl and the outer maps inside one RCU read section
 * (the XDP/TC run), so deleting the old inner maps only after every
 * packet that could have read the old slot is done is what keeps a
 * response from reading freed memory or mixing versions.  Kernels before
 * 6.8 free an inner map removed from an outer map after a plain RCU grace
 * period that does not wait for all BPF readers, so we do not rely on the
 * kernel here: a packet is handled in microseconds; 50 ms is ample.
 */
#define RX_SWAP_QUIESCE_US	50000

int rx_zone_swap(const struct rx_maps *m, const struct rx_image *img, char *err, size_t errlen)
{
	const struct rx_image_hdr *h = img->hdr;
	int fd_resp = -1, fd_blob = -1, fd_tld = -1, fd_nsec = -1;
	struct rx_label *tkeys = NULL;
	struct rx_tld *tvals = NULL;
	__u32 *idx = NULL, zero = 0, idle, old, n, i;
	struct inner_btf ib;
	struct rx_ctl ctl;
	struct rx_meta meta;
	union {
		struct rx_resp r;
		struct rx_chunk c;
		struct rx_tld t;
		struct rx_nsec n;
	} buf;
	int rc = 0;

	if (!h->nresp || !h->nchunk || !h->nnsec)
		return rx_errf(err, errlen, -EINVAL, "image holds no responses (nresp %u, nchunk "
			    "%u, nnsec %u)", h->nresp, h->nchunk, h->nnsec);
	if (bpf_map_lookup_elem(m->ctl, &zero, &ctl))
		return rx_errf(err, errlen, -errno, "cannot read rx_ctl: %s", strerror(errno));
	old = ctl.slot & (RX_SLOTS - 1);
	idle = old ^ 1;
	inner_btf_get(m, &ib);

	/* Keys 0..n-1 for the arrays; the tld section splits into keys and
	 * values for the batch call. */
	n = h->nresp;
	if (h->nchunk > n)
		n = h->nchunk;
	if (h->nnsec > n)
		n = h->nnsec;
	idx = malloc(sizeof(*idx) * n);
	tkeys = calloc(h->ntld ? h->ntld : 1, sizeof(*tkeys));
	tvals = calloc(h->ntld ? h->ntld : 1, sizeof(*tvals));
	if (!idx || !tkeys || !tvals) {
		rc = rx_errf(err, errlen, -ENOMEM, "out of memory for %u map keys", n);
		goto out;
	}
	for (i = 0; i < n; i++)
		idx[i] = i;
	for (i = 0; i < h->ntld; i++) {
		tkeys[i] = img->tld[i].label;
		tvals[i] = img->tld[i].v;
	}

	fd_resp = inner_create("rx_resp_in", BPF_MAP_TYPE_ARRAY, 4, sizeof(struct rx_resp),
			       h->nresp, BPF_F_INNER_MAP, &ib, ib.u32, ib.resp);
	fd_blob = inner_create("rx_blob_in", BPF_MAP_TYPE_ARRAY, 4, sizeof(struct rx_chunk),
			       h->nchunk, BPF_F_INNER_MAP, &ib, ib.u32, ib.chunk);
	fd_tld = inner_create("rx_tld_in", BPF_MAP_TYPE_HASH, sizeof(struct rx_label),
			      sizeof(struct rx_tld), h->ntld, BPF_F_NO_PREALLOC, &ib, ib.label,
			      ib.tld);
	fd_nsec = inner_create("rx_nsec_in", BPF_MAP_TYPE_ARRAY, 4, sizeof(struct rx_nsec),
			       h->nnsec, BPF_F_INNER_MAP, &ib, ib.u32, ib.nsec);
	if (fd_resp < 0 || fd_blob < 0 || fd_tld < 0 || fd_nsec < 0) {
		int e = fd_resp < 0 ? fd_resp : fd_blob < 0 ? fd_blob : fd_tld < 0 ? fd_tld : fd_nsec;

		rc = rx_errf(err, errlen, e, "cannot create the zone maps (%u responses, %u chunks, "
			  "%u TLDs): %s", h->nresp, h->nchunk, h->ntld, strerror(-e));
		goto out;
	}

	if ((rc = fill(fd_resp, idx, 4, img->resp, sizeof(struct rx_resp), h->nresp)) ||
	    (rc = fill(fd_blob, idx, 4, img->chunk, sizeof(struct rx_chunk), h->nchunk)) ||
	    (rc = fill(fd_tld, tkeys, sizeof(*tkeys), tvals, sizeof(*tvals), h->ntld)) ||
	    (rc = fill(fd_nsec, idx, 4, img->nsec, sizeof(struct rx_nsec), h->nnsec))) {
		rc = rx_errf(err, errlen, rc, "cannot fill the zone maps: %s", strerror(-rc));
		goto out;
	}

	/* Read back the first and last element of each map. */
	for (i = 0; i < 2; i++) {
		__u32 r = i ? h->nresp - 1 : 0, c = i ? h->nchunk - 1 : 0;
		__u32 s = i ? h->nnsec - 1 : 0, t = i ? h->ntld - 1 : 0;

		if ((rc = readback(fd_resp, &r, &img->resp[r], sizeof(buf.r), &buf)) ||
		    (rc = readback(fd_blob, &c, &img->chunk[c], sizeof(buf.c), &buf)) ||
		    (rc = readback(fd_nsec, &s, &img->nsec[s], sizeof(buf.n), &buf)) ||
		    (h->ntld && (rc = readback(fd_tld, &tkeys[t], &tvals[t], sizeof(buf.t), &buf)))) {
			rc = rx_errf(err, errlen, rc, "zone maps read back wrong: %s", strerror(-rc));
			goto out;
		}
	}

	/* rx_meta[idle], then the inner maps, then the flip. */
	meta = h->meta;
	meta.loaded_ns = now_ns();
	if (bpf_map_update_elem(m->meta, &idle, &meta, BPF_ANY)) {
		rc = rx_errf(err, errlen, -errno, "cannot write rx_meta: %s", strerror(errno));
		goto out;
	}
	if (bpf_map_update_elem(m->resp, &idle, &fd_resp, BPF_ANY) ||
	    bpf_map_update_elem(m->blob, &idle, &fd_blob, BPF_ANY) ||
	    bpf_map_update_elem(m->tld, &idle, &fd_tld, BPF_ANY) ||
	    bpf_map_update_elem(m->nsec, &idle, &fd_nsec, BPF_ANY)) {
		rc = rx_errf(err, errlen, -errno, "cannot store the zone maps in slot %u: %s%s", idle,
			  strerror(errno), errno == EINVAL ? " (inner map does not match the "
			  "template: BPF object and loader from different builds?)" : "");
		goto undo_idle;
	}
	ctl.slot = idle;
	ctl.gen++;
	if (bpf_map_update_elem(m->ctl, &zero, &ctl, BPF_ANY)) {
		rc = rx_errf(err, errlen, -errno, "cannot write rx_ctl: %s", strerror(errno));
		goto undo_idle;
	}

	/* Old slot: wait for packets in flight (see above), then release. */
	usleep(RX_SWAP_QUIESCE_US);
	bpf_map_delete_elem(m->resp, &old);
	bpf_map_delete_elem(m->blob, &old);
	bpf_map_delete_elem(m->tld, &old);
	bpf_map_delete_elem(m->nsec, &old);
	memset(&meta, 0, sizeof(meta));
	bpf_map_update_elem(m->meta, &old, &meta, BPF_ANY);
	goto out;

undo_idle:
	/* The live slot was never touched; empty the idle one again. */
	bpf_map_delete_elem(m->resp, &idle);
	bpf_map_delete_elem(m->blob, &idle);
	bpf_map_delete_elem(m->tld, &idle);
	bpf_map_delete_elem(m->nsec, &idle);
	memset(&meta, 0, sizeof(meta));
	bpf_map_update_elem(m->meta, &idle, &meta, BPF_ANY);
out:
	/* The outer maps hold their own references to the inner maps. */
	if (fd_resp >= 0)
		close(fd_resp);
	if (fd_blob >= 0)
		close(fd_blob);
	if (fd_tld >= 0)
		close(fd_tld);
	if (fd_nsec >= 0)
		close(fd_nsec);
	if (ib.fd >= 0)
		close(ib.fd);
	free(idx);
	free(tkeys);
	free(tvals);
	return rc;
}

int rx_zone_live(const struct rx_maps *m, struct rx_meta *meta)
{
	struct rx_ctl ctl;
	__u32 zero = 0, slot;

	if (bpf_map_lookup_elem(m->ctl, &zero, &ctl))
		return -errno;
	slot = ctl.slot & (RX_SLOTS - 1);
	if (bpf_map_lookup_elem(m->meta, &slot, meta))
		return -errno;
	return meta->nresp ? 0 : -ENOENT;
}

/* The kernel's TAI offset in seconds (0 unless an NTP daemon set it). */
static __s64 tai_offset(void)
{
	struct timespec rt, tai;

	if (clock_gettime(CLOCK_REALTIME, &rt) || clock_gettime(CLOCK_TAI, &tai))
		return 0;
	return (__s64)(((tai.tv_sec - rt.tv_sec) * 1000000000LL + tai.tv_nsec - rt.tv_nsec +
			500000000LL) / 1000000000LL);
}

/* rrl-exempt into rx_rrl_exempt: IPv4 as ::ffff:0:0/96 + prefix. */
static int exempt_fill(int fd, const struct rx_config *c, char *err, size_t errlen)
{
	struct rx_rrl_exempt_key k, next;
	__u8 one = 1;

	/* Empty it first: a prefix taken out of the config must go. */
	while (!bpf_map_get_next_key(fd, NULL, &next))
		if (bpf_map_delete_elem(fd, &next))
			break;
	for (int i = 0; i < c->nrrl_exempt; i++) {
		char buf[64], *slash, *end;
		unsigned long plen;
		unsigned char a[16];
		int v4;

		snprintf(buf, sizeof(buf), "%s", c->rrl_exempt[i]);
		slash = strchr(buf, '/');
		if (slash)
			*slash = '\0';
		memset(&k, 0, sizeof(k));
		v4 = inet_pton(AF_INET, buf, a) == 1;
		if (!v4 && inet_pton(AF_INET6, buf, a) != 1)
			return rx_errf(err, errlen, -EINVAL, "rrl-exempt: '%s' is not an address "
				       "or prefix", c->rrl_exempt[i]);
		plen = v4 ? 32 : 128;
		if (slash) {
			plen = strtoul(slash + 1, &end, 10);
			if (!slash[1] || *end || plen > (v4 ? 32u : 128u))
				return rx_errf(err, errlen, -EINVAL, "rrl-exempt: bad prefix length "
					       "in '%s'", c->rrl_exempt[i]);
		}
		if (v4) {
			k.addr[10] = k.addr[11] = 0xff;
			memcpy(k.addr + 12, a, 4);
			k.prefixlen = 96 + plen;
		} else {
			memcpy(k.addr, a, 16);
			k.prefixlen = plen;
		}
		if (bpf_map_update_elem(fd, &k, &one, BPF_ANY))
			return rx_errf(err, errlen, -errno, "cannot write rx_rrl_exempt: %s",
				       strerror(errno));
	}
	return 0;
}

int rx_cfg_write(const struct rx_maps *m, const struct rx_config *c, unsigned mtu,
		 char *err, size_t errlen)
{
	struct rx_cfg cfg = {};
	struct rx_secrets sec;
	size_t n;
	__u32 zero = 0;
	int rc;

	cfg.max_payload = c->max_udp_payload < 512 ? 512 :
			  c->max_udp_payload > RX_BODY_MAX ? RX_BODY_MAX : c->max_udp_payload;
	cfg.mtu = mtu > 0xffff ? 0xffff : mtu;
	n = strnlen(c->identity, RX_IDENT_MAX);
	memcpy(cfg.ident, c->identity, n);
	cfg.ident_len = n;
	if (c->nsid && n)
		cfg.flags |= RX_CFG_NSID;
	n = strnlen(c->version, RX_IDENT_MAX);
	memcpy(cfg.version, c->version, n);
	cfg.version_len = n;
	if (n)
		cfg.flags |= RX_CFG_VERSION;
	if (rx_secrets_load(c, &sec, err, errlen))
		return -EINVAL;
	rx_secrets_keys(&sec, &cfg.cookie);
	explicit_bzero(&sec, sizeof(sec));
	cfg.tai_offset = tai_offset();
	rx_rrl_params_set(&cfg.rrl, c->rrl_rate, c->rrl_slip, c->rrl_window_s,
			  c->rrl_ipv4_prefix, c->rrl_ipv6_prefix, c->rrl_log_only);
	cfg.tap.sample_rate = c->dnstap_sample_rate;
	cfg.tap.top = c->top_names;
	if (m->rrl_exempt >= 0) {
		if ((rc = exempt_fill(m->rrl_exempt, c, err, errlen)))
			return rc;
		if (c->nrrl_exempt)
			cfg.flags |= RX_CFG_RRL_EXEMPT;
	}
	if (bpf_map_update_elem(m->cfg, &zero, &cfg, BPF_ANY))
		return rx_errf(err, errlen, -errno, "cannot write rx_cfg: %s", strerror(errno));
	return 0;
}
