// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * health.c - `rootxdp health`: one line per problem and a non-zero exit,
 * for an anycast announcement to follow (withdraw the route while it
 * fails).  The checks are also used by `rootxdp status` (warnings) and
 * `rootxdp refresh` (the SOA query to rootxdpd):
 *   - XDP attached to at least one live interface, a zone in the maps;
 *   - rootxdpd running and answering SOA over TCP with the maps' serial;
 *   - the served zone confirmed within its SOA expire interval (image
 *     build time, or the last successful refresh of that serial);
 *   - its earliest RRSIG expiration beyond sig-expire-margin.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <ldns/ldns.h>
#include "utc.h"
#include "cmd.h"
#include "image.h"
#include "log.h"
#include "multiprog.h"
#include "opts.h"
#include "rootxdp.h"
#include "zone_maps.h"

/* ---- shared with refresh.c and status.c ---- */

void rx_daemon_addr(const struct rx_config *c, char *buf, size_t len)
{
	const char *a = c->nlisten ? c->listen[0] : "0.0.0.0";

	/* A wildcard listener answers on loopback. */
	if (!strcmp(a, "0.0.0.0") || !*a)
		a = "127.0.0.1";
	else if (!strcmp(a, "::"))
		a = "::1";
	rx_strlcpy(buf, a, len);
}

int rx_soa_query(const char *addr, unsigned port, bool tcp, unsigned timeout_ms,
		 __u32 *serial, char *err, size_t errlen)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	ldns_resolver *r = NULL;
	ldns_rdf *ns = NULL, *root = NULL;
	ldns_rr_list *soa = NULL;
	ldns_pkt *p = NULL;
	ldns_status s;
	struct in6_addr a6;
	int rc = -EIO;

	r = ldns_resolver_new();
	root = ldns_dname_new_frm_str(".");
	ns = ldns_rdf_new_frm_str(inet_pton(AF_INET6, addr, &a6) == 1 ? LDNS_RDF_TYPE_AAAA
									: LDNS_RDF_TYPE_A, addr);
	if (!r || !root || !ns) {
		snprintf(err, errlen, "'%s' is not an IP address", addr);
		rc = -EINVAL;
		goto out;
	}
	ldns_resolver_push_nameserver(r, ns);
	ldns_resolver_set_port(r, (uint16_t)port);
	ldns_resolver_set_usevc(r, tcp);
	ldns_resolver_set_timeout(r, tv);
	ldns_resolver_set_retry(r, 1);
	ldns_resolver_set_retrans(r, 1);
	ldns_resolver_set_recursive(r, false);
	ldns_resolver_set_fail(r, true);
	s = ldns_resolver_query_status(&p, r, root, LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, 0);
	if (s != LDNS_STATUS_OK || !p) {
		snprintf(err, errlen, "no answer to . SOA from %s port %u over %s: %s", addr, port,
			 tcp ? "TCP" : "UDP", ldns_get_errorstr_by_id(s));
		goto out;
	}
	if (ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR) {
		snprintf(err, errlen, ". SOA from %s port %u: rcode %d", addr, port,
			 ldns_pkt_get_rcode(p));
		goto out;
	}
	soa = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_SOA, LDNS_SECTION_ANSWER);
	if (!soa || ldns_rr_list_rr_count(soa) < 1 ||
	    ldns_rr_rd_count(ldns_rr_list_rr(soa, 0)) < 3) {
		snprintf(err, errlen, ". SOA from %s port %u: no SOA in the answer", addr, port);
		goto out;
	}
	*serial = ldns_rdf2native_int32(ldns_rr_rdf(ldns_rr_list_rr(soa, 0), 2));
	rc = 0;
out:
	ldns_rr_list_deep_free(soa);
	ldns_pkt_free(p);
	ldns_rdf_deep_free(root);
	if (r)
		ldns_resolver_deep_free(r);	/* frees ns */
	else
		ldns_rdf_deep_free(ns);
	return rc;
}

int rx_stamp_read(const struct rx_config *c, __u32 *serial, __u64 *when)
{
	char path[PATH_MAX];
	unsigned long long t;
	unsigned s;
	FILE *f;
	int n;

	if (rx_fmt(path, sizeof(path), "%s/refresh.stamp", c->state_dir))
		return -ENAMETOOLONG;
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fscanf(f, "serial %u checked %llu", &s, &t);
	fclose(f);
	if (n != 2)
		return -EINVAL;
	*serial = s;
	*when = t;
	return 0;
}

/* Which image file holds the zone the maps serve: the configured image or
 * IMAGE.prev (after `load --previous`), told apart by the body SHA-256. */
static int served_image(const struct rx_config *c, const struct rx_meta *live,
			struct rx_image *img, char *which, size_t wlen)
{
	char path[PATH_MAX], e[256];
	int i;

	for (i = 0; i < 2; i++) {
		if (rx_fmt(path, sizeof(path), "%s%s", c->image, i ? ".prev" : ""))
			continue;
		if (rx_image_open(path, img, e, sizeof(e)))
			continue;
		if (!live || !memcmp(img->hdr->body_sha256, live->sha256, 32)) {
			rx_strlcpy(which, path, wlen);
			return 0;
		}
		rx_image_close(img);
		if (!live)
			break;
	}
	return -ENOENT;
}

static void fmt_dur(__u64 s, char *buf, size_t len)
{
	if (s && s % 86400 == 0)
		snprintf(buf, len, "%llud", (unsigned long long)(s / 86400));
	else if (s && s % 3600 == 0)
		snprintf(buf, len, "%lluh", (unsigned long long)(s / 3600));
	else
		snprintf(buf, len, "%llus", (unsigned long long)s);
}

struct problems {
	char (*line)[RX_HEALTH_LINE];
	int n, max;
};

static void add(struct problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct problems *p, const char *fmt, ...)
{
	va_list ap;

	if (p->n >= p->max)
		return;
	va_start(ap, fmt);
	vsnprintf(p->line[p->n++], RX_HEALTH_LINE, fmt, ap);
	va_end(ap);
}

int rx_zone_problems(const struct rx_config *c, const struct rx_meta *live, __u64 now,
		     char (*lines)[RX_HEALTH_LINE], int max, struct rx_zone_age *age)
{
	struct problems p = { lines, 0, max };
	struct rx_image img;
	char which[PATH_MAX], t1[32], t2[32];
	__u32 st_serial;
	__u64 st_when, ref, expire;
	const struct rx_image_hdr *h;

	memset(age, 0, sizeof(*age));
	if (served_image(c, live, &img, which, sizeof(which))) {
		if (live)
			add(&p, "cannot check the age and signatures of the served zone (serial %u): "
			    "neither %s nor %s.prev holds it", live->serial, c->image, c->image);
		else
			add(&p, "no zone: %s does not read as an image", c->image);
		return p.n;
	}
	h = img.hdr;
	age->serial = h->serial;
	ref = h->build_time;
	if (rx_stamp_read(c, &st_serial, &st_when) == 0 && st_serial == h->serial && st_when > ref)
		ref = st_when;
	age->confirmed = ref;
	age->sig_expire = h->sig_expire_min;
	expire = h->soa_expire;
	age->stale_at = ref + expire;
	if (now > ref + expire) {
		rx_utc(ref, t1, sizeof(t1));
		fmt_dur(expire, t2, sizeof(t2));
		add(&p, "zone serial %u is stale: last confirmed %s, longer ago than its SOA "
		    "expire (%s): check rootxdp refresh", h->serial, t1, t2);
	}
	if (h->sig_expire_min) {
		rx_utc(h->sig_expire_min, t1, sizeof(t1));
		fmt_dur(c->sig_expire_margin_s, t2, sizeof(t2));
		if (h->sig_expire_min <= now)
			add(&p, "zone serial %u: signatures expired at %s", h->serial, t1);
		else if (h->sig_expire_min < now + c->sig_expire_margin_s)
			add(&p, "zone serial %u: signatures expire at %s, within sig-expire-margin "
			    "(%s)", h->serial, t1, t2);
	}
	rx_image_close(&img);
	return p.n;
}

/* ---- rootxdp health ---- */

struct health_args {
	const char *conf, *pin_root, *netns;
	unsigned long long now;
	bool quiet;
};

static const struct rx_opt health_opts[] = {
	RX_OPT_FLAG(struct health_args, quiet, "quiet", 'q', "print nothing, only the exit status"),
	RX_OPT_CONFIG(struct health_args, conf),
	RX_OPT_PIN_ROOT(struct health_args, pin_root),
	RX_OPT_NETNS(struct health_args, netns, "query rootxdpd from network namespace NAME"),
	{ .name = "now", .type = RX_OPT_U64, .off = offsetof(struct health_args, now),
	  .arg = "T", .help = "judge ages at unix time T (testing)", .min = 1,
	  .max = 1ull << 40 },
	RX_OPT_VERBOSE("say what is fine too"),
	{ 0 }
};

static const struct rx_cmd_spec health_spec = {
	.name = "health",
	.about = "Exit 0 when this instance should be announced, else 1 with one line per\n"
		 "problem: XDP not attached (a live link, or rootxdp's program in libxdp's\n"
		 "dispatcher), no zone in the maps, rootxdpd not running or not serving\n"
		 "the maps' serial, the zone older than its SOA expire, its signatures\n"
		 "expiring within sig-expire-margin.\n",
	.opts = health_opts,
};

/* Interfaces where XDP runs rootxdp: a pinned link still on an
 * interface, or our program in the libxdp dispatcher there (multiprog). */
static int live_links(const struct rx_config *c, const char *pin_root)
{
	char names[RX_STATE_MAX][IF_NAMESIZE], path[PATH_MAX];
	struct rx_state st;
	int n, i, live = 0, fd;

	if (rx_state_read(c, pin_root, &st))
		memset(&st, 0, sizeof(st));
	n = rx_pinned_ifaces(pin_root, names, RX_STATE_MAX);
	for (i = 0; i < n; i++) {
		struct bpf_link_info li;
		__u32 len = sizeof(li);

		if (rx_mp_pinned(pin_root, names[i])) {
			const struct rx_state_if *s = rx_state_find(&st, names[i]);
			struct rx_mp_info mi;

			if (!rx_mp_query_ns(pin_root, names[i], s ? s->netns : "", &mi))
				live++;
			continue;
		}
		if (rx_fmt(path, sizeof(path), "%s/" RX_PIN_LINK_XDP "%s", pin_root, names[i]))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		memset(&li, 0, sizeof(li));
		if (bpf_obj_get_info_by_fd(fd, &li, &len) == 0 && li.xdp.ifindex)
			live++;
		close(fd);
	}
	return live;
}

int rx_health_problems(const struct rx_config *c, const char *pin_root, const char *netns,
		       __u64 now, unsigned timeout_ms, char (*lines)[RX_HEALTH_LINE], int max,
		       struct rx_health_info *info)
{
	struct problems p = { lines, 0, max };
	struct rx_meta meta;
	struct rx_maps m;
	char addr[64], e[300];
	bool have_zone = false;
	int dst;

	memset(info, 0, sizeof(*info));
	/* XDP and the maps: no pins is a problem, not an error of ours. */
	if (!access(pin_root, F_OK) && rx_pin_exists(pin_root, "rx_ctl") &&
	    rx_maps_from_pins(pin_root, &m, e, sizeof(e)) == 0) {
		have_zone = rx_zone_live(&m, &meta) == 0;
		rx_maps_close(&m);
		info->nlive = live_links(c, pin_root);
		if (!info->nlive)
			add(&p, "XDP is not attached to any interface (pins under %s, no live link): "
			    "rootxdp attach", pin_root);
		else if (!have_zone)
			add(&p, "no zone in the maps (queries all go to rootxdpd): rootxdp load");
	} else {
		add(&p, "XDP is not attached (no pins under %s): rootxdp attach", pin_root);
	}

	/* rootxdpd: running, and serving the same serial as the maps. */
	dst = rx_daemon_pid(c, &info->pid);
	if (dst == 0) {
		add(&p, "rootxdpd is not running (no %s/rootxdpd.pid)", c->run_dir);
	} else if (dst < 0) {
		add(&p, "rootxdpd is not running (stale %s/rootxdpd.pid, pid %d)", c->run_dir,
		    info->pid);
	} else {
		int saved = -1;

		rx_daemon_addr(c, addr, sizeof(addr));
		if (netns && rx_netns_enter(netns, &saved)) {
			add(&p, "cannot enter network namespace %s to ask rootxdpd", netns);
		} else {
			e[0] = '\0';
			if (rx_soa_query(addr, c->port, true, timeout_ms, &info->dserial, e, sizeof(e)))
				add(&p, "rootxdpd (pid %d) does not answer: %s", info->pid, e);
			else if (have_zone && info->dserial != meta.serial)
				add(&p, "rootxdpd serves serial %u, XDP serial %u: rootxdp reload",
				    info->dserial, meta.serial);
			rx_netns_restore(saved);
		}
	}

	/* The zone: the one in the maps, else the image rootxdpd loads. */
	p.n += rx_zone_problems(c, have_zone ? &meta : NULL, now, lines + p.n, p.max - p.n,
				&info->age);
	return p.n;
}

int cmd_health(int argc, char **argv)
{
	struct health_args a = { 0 };
	char lines[16][RX_HEALTH_LINE], pin_root[PATH_MAX], t1[32], t2[32];
	struct rx_health_info hi;
	struct rx_config c;
	int i, n;

	if ((n = rx_opts_parse(&health_spec, argc, argv, &a, &i)) >= 0)
		return n;
	if (rx_cli_config(&c, a.conf))
		return RX_EXIT_FAIL;
	rx_cli_pin_root(&c, a.pin_root, pin_root, sizeof(pin_root));

	n = rx_health_problems(&c, pin_root, a.netns, a.now ? a.now : (__u64)time(NULL), 2000, lines,
			       16, &hi);
	if (!a.quiet) {
		for (i = 0; i < n; i++)
			printf("%s\n", lines[i]);
		if (!n && rx_verbose) {
			rx_utc(hi.age.stale_at, t1, sizeof(t1));
			if (hi.age.sig_expire)
				rx_utc(hi.age.sig_expire, t2, sizeof(t2));
			else
				snprintf(t2, sizeof(t2), "(unsigned)");
			printf("healthy: serial %u, XDP on %d interface(s), rootxdpd pid %d serves %u, "
			       "fresh until %s, signatures until %s\n", hi.age.serial, hi.nlive, hi.pid,
			       hi.dserial, t1, t2);
		}
	}
	return n ? RX_EXIT_FAIL : RX_EXIT_OK;
}
