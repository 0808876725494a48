// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * verify_kernel.c - does the running kernel's verifier accept rootxdp.bpf.o,
 * and do the accepted programs answer?  Built statically by
 * scripts/verify-kernel.sh and run as /init of a throw-away initramfs under
 * qemu with Debian 12's own kernel (6.1), so that a program that only the
 * developers' newer verifier accepts is caught before an operator loads it.
 *
 *   verify_kernel [OBJECT [IMAGE]]   default /rootxdp/rootxdp.bpf.o,
 *                                    /rootxdp/root.img
 *
 * 1. Loads the object once with pinning off and BPF_LOG_STATS on each
 *    program, printing the verifier's statistics ("processed N insns").
 * 2. If that load fails, loads each program alone (so one rejection does
 *    not hide the other's verdict) and prints the last RX_LOG_TAIL lines of
 *    the verifier's level-1 log for each program the kernel refuses.
 * 3. Fills the zone maps from IMAGE with loader/zone_maps.c (the code
 *    `rootxdp load` runs) and sends a few queries through both programs
 *    with BPF_PROG_TEST_RUN (tests/xdp/pkt.c builds and checks the frames).
 *
 * 4. A real driver: loads the virtio-net modules from /rootxdp/modules,
 *    gives eth0 198.51.100.15/24 (the script's qemu user network, which
 *    forwards a host UDP port to port 53 here), attaches rootxdp_xdp to it
 *    in native mode, says "verify: virtio-net: ready" and waits for the
 *    host's "done K" on UDP port 5353 (after its K queries with dig).  Then
 *    the XDP counters must show K answers and no pass_no_room: the frames
 *    of a real driver carry the tailroom the answers need.
 *
 * 5. If /rootxdp/test_xdp is there (the packet suite of tests/xdp, linked
 *    statically, with rootxdp-compile and the zone beside it), runs it too:
 *    every case of `make test`'s packet level, on this kernel.
 * 5. If /rootxdp/test_multiprog is there (tests/kernel/multiprog_kernel.c),
 *    runs it: rootxdp beside another program in libxdp's dispatcher.
 *
 * Output: "verify: ..." lines, a "N passed, N failed" line and finally
 * "ROOTXDP-VERIFY: PASS" or "ROOTXDP-VERIFY: FAIL", which the script greps
 * from the serial console.  As PID 1 it mounts /proc and /sys (libbpf reads
 * /sys/kernel/btf/vmlinux and /proc for feature probes) and powers off.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "rootxdp.h"
#include "config.h"
#include "image.h"
#include "zone_maps.h"
#include "pkt.h"
#include "../unit/check.h"

#define RX_LOG_TAIL	40
#define STATS_LOG_SIZE	(1u << 20)
#define FULL_LOG_MIN	(64u << 20)
#define FULL_LOG_MAX	(512u << 20)

static const char *const prog_names[2] = { "rootxdp_xdp", "rootxdp_tc" };

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stdout, fmt, ap);
}

static int libbpf_silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

/* Open obj_path with every pin path cleared (nothing lands in bpffs,
 * which is not even mounted here). */
static struct bpf_object *open_obj(const char *obj_path)
{
	struct bpf_object *obj = bpf_object__open_file(obj_path, NULL);
	struct bpf_map *m;

	if (!obj) {
		printf("verify: cannot open %s: %s\n", obj_path, strerror(errno));
		return NULL;
	}
	bpf_object__for_each_map(m, obj)
		bpf_map__set_pin_path(m, NULL);
	return obj;
}

/* The BPF_LOG_STATS lines: "verification time", "stack depth",
 * "processed N insns ...". */
static void print_stats(const char *name, const char *log)
{
	const char *p = log, *e;

	while (*p) {
		e = strchrnul(p, '\n');
		if (!strncmp(p, "processed ", 10) || !strncmp(p, "verification time", 17) ||
		    !strncmp(p, "stack depth", 11))
			printf("verify: %s: %.*s\n", name, (int)(e - p), p);
		p = *e ? e + 1 : e;
	}
}

static void print_tail(const char *name, const char *log, int lines)
{
	const char *p = log + strlen(log);
	int n = 0;

	while (p > log && n <= lines) {
		p--;
		if (*p == '\n' && p[1])
			n++;
	}
	if (*p == '\n')
		p++;
	printf("verify: ---- %s: last %d lines of the verifier log ----\n", name, lines);
	fputs(p, stdout);
	if (*p && p[strlen(p) - 1] != '\n')
		putchar('\n');
	printf("verify: ---- end of %s verifier log ----\n", name);
}

/*
 * Load only program `which` at log level 1 and print the tail of the log.
 * Before 6.4 a full log buffer fails the load with ENOSPC and keeps the
 * head, not the tail: grow the buffer until the log fits.  Returns 0 if
 * the kernel accepts the program alone.
 */
static int diagnose(const char *obj_path, int which)
{
	size_t size = FULL_LOG_MIN;
	int err = -1;

	for (;;) {
		struct bpf_object *obj = open_obj(obj_path);
		struct bpf_program *p;
		char *log = NULL;

		if (!obj)
			return -1;
		log = calloc(1, size);
		if (!log) {
			printf("verify: %s: no memory for a %zu MiB log\n", prog_names[which],
			       size >> 20);
			bpf_object__close(obj);
			return -1;
		}
		bpf_object__for_each_program(p, obj) {
			int me = !strcmp(bpf_program__name(p), prog_names[which]);

			bpf_program__set_autoload(p, me);
			if (me) {
				bpf_program__set_log_level(p, 1 | 4);
				bpf_program__set_log_buf(p, log, size);
			}
		}
		libbpf_set_print(libbpf_silent);
		err = bpf_object__load(obj);
		libbpf_set_print(libbpf_print);
		if (err == -ENOSPC && size < FULL_LOG_MAX) {
			free(log);
			bpf_object__close(obj);
			size *= 2;
			continue;
		}
		if (err) {
			printf("verify: %s REJECTED alone: %s\n", prog_names[which], strerror(-err));
			print_tail(prog_names[which], log, RX_LOG_TAIL);
		} else {
			printf("verify: %s accepted when loaded alone\n", prog_names[which]);
			print_stats(prog_names[which], log);
		}
		free(log);
		bpf_object__close(obj);
		return err;
	}
}

/* ---- queries ---- */

struct query {
	const char *desc;
	const uint8_t *name;	/* wire format */
	size_t name_len;
	uint16_t qtype;
	int edns, dobit, v6, nvlan;
	int rcode, aa;		/* expected */
	int need_an, need_ns;	/* minimum ANCOUNT / NSCOUNT */
};

static size_t query_wire(const struct query *q, uint16_t id, uint8_t *b)
{
	size_t n = 0;

	b[n++] = id >> 8, b[n++] = id;
	b[n++] = 0x00, b[n++] = 0x00;			/* QUERY, RD=0 */
	b[n++] = 0, b[n++] = 1;				/* QDCOUNT */
	b[n++] = 0, b[n++] = 0, b[n++] = 0, b[n++] = 0;
	b[n++] = 0, b[n++] = q->edns ? 1 : 0;		/* ARCOUNT */
	memcpy(b + n, q->name, q->name_len);
	n += q->name_len;
	b[n++] = q->qtype >> 8, b[n++] = q->qtype;
	b[n++] = 0, b[n++] = 1;				/* IN */
	if (q->edns) {
		b[n++] = 0;				/* owner "." */
		b[n++] = 0, b[n++] = 41;		/* OPT */
		b[n++] = 1232 >> 8, b[n++] = 1232 & 0xff;
		b[n++] = 0, b[n++] = 0;			/* ext rcode, version */
		b[n++] = q->dobit ? 0x80 : 0, b[n++] = 0;
		b[n++] = 0, b[n++] = 0;			/* RDLEN */
	}
	return n;
}

static void run_query(const int fd[2], const struct query *q, uint16_t id)
{
	static uint8_t in[PKT_MAX], out[2][PKT_MAX];
	struct pkt_spec ps = { .v6 = q->v6, .nvlan = q->nvlan };
	uint8_t dns[600];
	size_t dnslen = query_wire(q, id, dns), inlen, outlen[2] = { 0, 0 };
	const uint8_t *r[2] = { NULL, NULL };
	size_t rlen[2] = { 0, 0 };

	inlen = pkt_build(&ps, dns, dnslen, in);
	CHECK_MSG(inlen > 0, "%s: frame built", q->desc);
	if (!inlen)
		return;
	for (int tc = 0; tc < 2; tc++) {
		const char *path = tc ? "tc" : "xdp", *why = "";
		uint32_t ret = 0, want = tc ? TC_ACT_REDIRECT : XDP_TX;
		struct pkt_dec d;
		int err = pkt_run(fd[tc], !tc, in, inlen, out[tc], &outlen[tc], &ret);

		CHECK_MSG(!err, "%s [%s]: BPF_PROG_TEST_RUN: %s", q->desc, path, strerror(-err));
		if (err)
			continue;
		CHECK_MSG(ret == want, "%s [%s]: verdict %u, want %u", q->desc, path, ret, want);
		if (ret != want)
			continue;
		if (pkt_decode(out[tc], outlen[tc], &d, &why)) {
			CHECK_MSG(0, "%s [%s]: response frame: %s", q->desc, path, why);
			continue;
		}
		CHECK_MSG(d.ip_csum_ok && d.udp_csum_ok, "%s [%s]: checksums", q->desc, path);
		CHECK_MSG(d.dnslen >= 12, "%s [%s]: DNS header", q->desc, path);
		if (d.dnslen < 12)
			continue;
		r[tc] = d.dns;
		rlen[tc] = d.dnslen;
	}
	if (!r[0] || !r[1])
		return;
	{
		const uint8_t *h = r[0];
		int rcode = h[3] & 0x0f, aa = !!(h[2] & 0x04);
		int an = h[6] << 8 | h[7], ns = h[8] << 8 | h[9], ar = h[10] << 8 | h[11];

		CHECK_MSG(rlen[0] == rlen[1] && !memcmp(r[0], r[1], rlen[0]),
			  "%s: XDP and TC answers differ (%zu / %zu bytes)", q->desc, rlen[0],
			  rlen[1]);
		CHECK_MSG(h[0] == (id >> 8) && h[1] == (id & 0xff) && (h[2] & 0x80),
			  "%s: ID echoed, QR set", q->desc);
		CHECK_MSG(rcode == q->rcode && aa == q->aa, "%s: rcode %d AA %d, want %d %d",
			  q->desc, rcode, aa, q->rcode, q->aa);
		CHECK_MSG(an >= q->need_an && ns >= q->need_ns, "%s: AN %d NS %d, want >= %d %d",
			  q->desc, an, ns, q->need_an, q->need_ns);
		printf("verify: %-34s rcode %d AA %d AN %d NS %d AR %d, %zu bytes (xdp = tc)\n",
		       q->desc, rcode, aa, an, ns, ar, rlen[0]);
	}
}

static void queries(const int fd[2], const struct rx_image *img)
{
	static const uint8_t root[] = { 0 };
	static const uint8_t nx[] = "\x13zz--no-such-tld--zz";	/* + final 0 */
	uint8_t tld[RX_LABEL_MAX + 2];
	size_t tlen = 0;
	char tname[RX_LABEL_MAX + 1] = "";
	uint16_t id = 0x6100;

	/* The first TLD of the image (canonical order), for a referral. */
	if (img->hdr->ntld) {
		const struct rx_label *l = &img->tld[0].label;

		tlen = l->len > RX_LABEL_MAX ? RX_LABEL_MAX : l->len;
		tld[0] = tlen;
		memcpy(tld + 1, l->name, tlen);
		tld[tlen + 1] = 0;
		memcpy(tname, l->name, tlen);
		tname[tlen] = 0;
		tlen += 2;
	}
	CHECK_MSG(tlen > 2, "the image holds a TLD");
	{
		char d_ref[128], d_ref6[128];
		const struct query q[] = {
			{ "v4 . SOA DO", root, 1, 6, 1, 1, 0, 0, 0, 1, 2, 0 },
			{ "v4 . NS (priming)", root, 1, 2, 1, 0, 0, 0, 0, 1, 1, 0 },
			{ d_ref, tld, tlen, 1, 0, 0, 0, 0, 0, 0, 0, 1 },
			{ d_ref6, tld, tlen, 28, 1, 1, 1, 2, 0, 0, 0, 1 },
			{ "v6 nonexistent TLD DO", nx, sizeof(nx), 1, 1, 1, 1, 0, 3, 1, 0, 1 },
		};

		snprintf(d_ref, sizeof(d_ref), "v4 %s. A (referral)", tname);
		snprintf(d_ref6, sizeof(d_ref6), "v6 2xVLAN %s. AAAA DO", tname);
		if (tlen <= 2)
			return;
		for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
			run_query(fd, &q[i], id++);
	}
}

/* ---- a real driver: virtio-net ---- */

#define VNET_MODS	"/rootxdp/modules"
#define VNET_DEV	"eth0"
#define VNET_ADDR	"198.51.100.15"	/* qemu user net: net=198.51.100.0/24 */
#define VNET_MASK	"255.255.255.0"
#define VNET_DONE_PORT	5353
#define VNET_WAIT_S	300		/* for the host's queries (TCG is slow) */

/* Loaded in passes until none is left: a module whose dependency is not
 * in yet fails with ENOENT/unknown symbol and is retried. */
static int vnet_modules(void)
{
	static const char *const mod[] = { "failover", "net_failover", "virtio_ring", "virtio",
					   "virtio_pci_modern_dev", "virtio_pci_legacy_dev",
					   "virtio_pci", "virtio_net" };
	enum { N = sizeof(mod) / sizeof(mod[0]) };
	int done[N] = { 0 }, left = N, err[N] = { 0 };
	char path[128];

	for (int pass = 0; pass < N && left; pass++)
		for (int i = 0; i < N; i++) {
			int fd;

			if (done[i])
				continue;
			snprintf(path, sizeof(path), VNET_MODS "/%s.ko", mod[i]);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				err[i] = errno;
				continue;
			}
			if (!syscall(SYS_finit_module, fd, "", 0) || errno == EEXIST)
				done[i] = 1, left--;
			else
				err[i] = errno;
			close(fd);
		}
	for (int i = 0; i < N; i++)
		if (!done[i])
			printf("verify: virtio-net: module %s: %s\n", mod[i], strerror(err[i]));
	return left ? -1 : 0;
}

static int vnet_up(void)
{
	struct ifreq r = {};
	struct sockaddr_in *a = (struct sockaddr_in *)&r.ifr_addr;
	int s, ifindex = 0;

	for (int i = 0; i < 100 && !(ifindex = if_nametoindex(VNET_DEV)); i++)
		usleep(100000);	/* the probe may finish after the module loads */
	if (!ifindex)
		return -1;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	snprintf(r.ifr_name, sizeof(r.ifr_name), VNET_DEV);
	a->sin_family = AF_INET;
	inet_pton(AF_INET, VNET_ADDR, &a->sin_addr);
	if (ioctl(s, SIOCSIFADDR, &r))
		goto fail;
	inet_pton(AF_INET, VNET_MASK, &a->sin_addr);
	if (ioctl(s, SIOCSIFNETMASK, &r) || ioctl(s, SIOCGIFFLAGS, &r))
		goto fail;
	r.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &r))
		goto fail;
	close(s);
	return ifindex;
fail:
	printf("verify: virtio-net: configuring %s: %s\n", VNET_DEV, strerror(errno));
	close(s);
	return -1;
}

/* The XDP block of rx_stats, summed over CPUs. */
static int xdp_stats(int fd, struct rx_stats *sum)
{
	int n = libbpf_num_possible_cpus();
	struct rx_stats_paths *v = n > 0 ? calloc(n, sizeof(*v)) : NULL;
	__u32 key = 0;

	memset(sum, 0, sizeof(*sum));
	if (!v || bpf_map_lookup_elem(fd, &key, v)) {
		free(v);
		return -1;
	}
	for (int c = 0; c < n; c++)
		for (int i = 0; i < RX_STAT_MAX; i++)
			*rx_stat_ref(sum, i) += *rx_stat_ref(&v[c].xdp, i);
	free(v);
	return 0;
}

static void virtio_net_check(int xdp_fd, const struct rx_maps *m)
{
	struct rx_stats b, a;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(VNET_DONE_PORT) };
	struct timeval tv = { .tv_sec = VNET_WAIT_S };
	char msg[64] = "";
	int ifindex, s, err, k = -1;
	struct timespec t0, t1;
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &t0);

	printf("verify: ---- virtio-net: native XDP on a real driver ----\n");
	CHECK_MSG(!vnet_modules(), "virtio-net: the driver's modules load");
	ifindex = vnet_up();
	CHECK_MSG(ifindex > 0, "virtio-net: %s is up as " VNET_ADDR, VNET_DEV);
	if (ifindex <= 0)
		goto out;
	err = bpf_xdp_attach(ifindex, xdp_fd, XDP_FLAGS_DRV_MODE, NULL);
	CHECK_MSG(!err, "virtio-net: rootxdp_xdp attached to %s in native mode: %s", VNET_DEV,
		  strerror(-err));
	if (err)
		goto out;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		CHECK_MSG(0, "virtio-net: UDP socket on port %d: %s", VNET_DONE_PORT, strerror(errno));
		goto detach;
	}
	CHECK_MSG(!xdp_stats(m->stats, &b), "virtio-net: rx_stats readable");
	printf("verify: virtio-net: ready\n");
	fflush(stdout);
	n = recv(s, msg, sizeof(msg) - 1, 0);
	close(s);
	if (n > 0)
		msg[n] = 0;
	CHECK_MSG(n > 0 && sscanf(msg, "done %d", &k) == 1 && k > 0,
		  "virtio-net: the host's queries are done (%s)", n > 0 ? msg : strerror(errno));
	if (k <= 0 || xdp_stats(m->stats, &a))
		goto detach;
	printf("verify: virtio-net: %d queries from the host; xdp answered %llu, pass_no_room "
	       "%llu, packets %llu, pass_not_dns %llu\n", k,
	       (unsigned long long)(a.answered - b.answered),
	       (unsigned long long)(a.pass_no_room - b.pass_no_room),
	       (unsigned long long)(a.packets - b.packets),
	       (unsigned long long)(a.pass_not_dns - b.pass_not_dns));
	CHECK_MSG(a.answered - b.answered == (__u64)k,
		  "virtio-net: the XDP program answered the host's %d queries (answered %llu)", k,
		  (unsigned long long)(a.answered - b.answered));
	CHECK_MSG(a.pass_no_room == b.pass_no_room, "virtio-net: pass_no_room = 0 (%llu)",
		  (unsigned long long)(a.pass_no_room - b.pass_no_room));
detach:
	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
out:
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("verify: virtio-net: the step took %.1f s\n",
	       t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("verify: ---- end of virtio-net ----\n");
}

/* ---- the check ---- */

static int verify(const char *obj_path, const char *img_path)
{
	struct bpf_object *obj = open_obj(obj_path);
	struct bpf_program *prog[2] = { NULL, NULL };
	char *log[2] = { NULL, NULL }, e[512] = "";
	struct rx_maps maps;
	struct rx_image img;
	struct rx_config cfg;
	struct utsname u;
	int fd[2], err, ok = 1;

	if (!uname(&u))
		printf("verify: kernel %s %s\n", u.release, u.version);
	printf("verify: BTF %s\n", access("/sys/kernel/btf/vmlinux", R_OK) ? "absent" :
	       "/sys/kernel/btf/vmlinux");
	CHECK_MSG(obj != NULL, "open %s", obj_path);
	if (!obj)
		return 0;
	for (int i = 0; i < 2; i++) {
		prog[i] = bpf_object__find_program_by_name(obj, prog_names[i]);
		CHECK_MSG(prog[i] != NULL, "program %s in %s", prog_names[i], obj_path);
		if (!prog[i])
			return 0;
		log[i] = calloc(1, STATS_LOG_SIZE);
		if (!log[i])
			return 0;
		bpf_program__set_log_level(prog[i], 4);	/* BPF_LOG_STATS */
		bpf_program__set_log_buf(prog[i], log[i], STATS_LOG_SIZE);
	}
	err = bpf_object__load(obj);
	for (int i = 0; i < 2; i++) {
		fd[i] = bpf_program__fd(prog[i]);
		if (fd[i] >= 0) {
			printf("verify: %s accepted\n", prog_names[i]);
			print_stats(prog_names[i], log[i]);
		}
	}
	if (err) {
		printf("verify: loading %s failed: %s; loading each program alone\n", obj_path,
		       strerror(-err));
		bpf_object__close(obj);
		for (int i = 0; i < 2; i++) {
			int r = diagnose(obj_path, i);

			CHECK_MSG(!r, "%s accepted by the verifier", prog_names[i]);
		}
		free(log[0]);
		free(log[1]);
		return 0;
	}
	CHECK_MSG(1, "both programs accepted");
	free(log[0]);
	free(log[1]);

	/* The zone, through the loader's own code. */
	if (rx_maps_from_obj(obj, &maps)) {
		CHECK_MSG(0, "rx_maps_from_obj");
		bpf_object__close(obj);
		return 0;
	}
	rx_config_defaults(&cfg);
	snprintf(cfg.identity, sizeof(cfg.identity), "verify-6.1");
	/* The verifier checks the cookie and RRL code whatever the config;
	 * at run time the packet suite wants every answer, so RRL is off and
	 * the secret is fixed (no state-dir in the VM). */
	snprintf(cfg.cookie_secret, sizeof(cfg.cookie_secret), "30313233343536373839616263646566");
	cfg.rrl_rate = 0;
	CHECK_MSG(!rx_cfg_write(&maps, &cfg, 1500, e, sizeof(e)), "rx_cfg_write: %s", e);
	if (rx_image_open(img_path, &img, e, sizeof(e))) {
		CHECK_MSG(0, "rx_image_open %s: %s", img_path, e);
		ok = 0;
	} else {
		struct rx_meta live;

		err = rx_zone_swap(&maps, &img, e, sizeof(e));
		CHECK_MSG(!err, "rx_zone_swap: %s", e);
		CHECK_MSG(!err && !rx_zone_live(&maps, &live) && live.serial == img.hdr->serial,
			  "zone serial %u live", img.hdr->serial);
		if (!err) {
			printf("verify: zone serial %u swapped in (%u TLDs, %u responses)\n",
			       img.hdr->serial, img.hdr->ntld, img.hdr->nresp);
			queries(fd, &img);
			if (!access(VNET_MODS, R_OK))
				virtio_net_check(fd[0], &maps);
			else
				CHECK_MSG(0, "virtio-net: " VNET_MODS " is in the archive");
		}
		rx_image_close(&img);
	}
	rx_maps_close(&maps);
	bpf_object__close(obj);
	return ok;
}

/* A suite the script put in the archive (bin, what it is): its output goes
 * to the console between two marker lines. */
static void suite(const char *bin, const char *what)
{
	const char *dir = "/rootxdp", *name = strrchr(bin, '/') + 1;
	int st = 0;
	pid_t pid;

	if (access(bin, X_OK))
		return;
	printf("verify: ---- %s: %s ----\n", name, what);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)bin, NULL };

		if (chdir(dir))
			_exit(127);
		setenv("O", dir, 1);
		setenv("RX_ZONE_DIR", "/rootxdp/zones", 1);
		execv(bin, argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		st = -1;
	printf("verify: ---- end of %s ----\n", name);
	CHECK_MSG(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "%s: %s %d", name, st >= 0 && WIFEXITED(st) ? "exit" : "status",
		  st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : st);
}

static void pid1_setup(void)
{
	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	/* No /dev/console in the archive: the kernel gave us no fds. */
	if (fcntl(1, F_GETFD) < 0) {
		int fd = open("/dev/console", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
	mkdir("/proc", 0755);
	mkdir("/sys", 0755);
	mkdir("/tmp", 01777);
	if (mount("proc", "/proc", "proc", 0, NULL))
		printf("verify: mount /proc: %s\n", strerror(errno));
	if (mount("sysfs", "/sys", "sysfs", 0, NULL))
		printf("verify: mount /sys: %s\n", strerror(errno));
}

int main(int argc, char **argv)
{
	const char *obj = argc > 1 ? argv[1] : "/rootxdp/rootxdp.bpf.o";
	const char *img = argc > 2 ? argv[2] : "/rootxdp/root.img";
	int pid1 = getpid() == 1, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	setvbuf(stderr, NULL, _IOLBF, 0);
	if (pid1)
		pid1_setup();
	libbpf_set_print(libbpf_print);
	verify(obj, img);
	if (!check_failed)
		suite("/rootxdp/test_xdp", "the packet suite (tests/xdp)");
	if (!check_failed)
		suite("/rootxdp/test_multiprog", "xdp-mode multiprog in libxdp's dispatcher "
		      "(tests/kernel/multiprog_kernel.c)");
	printf("verify: ");
	rc = check_done();
	printf("ROOTXDP-VERIFY: %s\n", rc ? "FAIL" : "PASS");
	fflush(stdout);
	if (pid1) {
		sync();
		reboot(RB_POWER_OFF);
		for (;;)
			pause();
	}
	return rc;
}
