// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * multiprog_kernel.c - xdp-mode multiprog on the running kernel: rootxdp's
 * XDP program beside another owner's in libxdp's dispatcher, in both run
 * orders.  Built statically by scripts/verify-kernel.sh and run by
 * verify_kernel (as /rootxdp/test_multiprog) under qemu with Debian 12's
 * 6.1, because a kernel that refuses freplace programs (the developers'
 * sandbox does) cannot run libxdp's dispatcher, so tests/netns/
 * tests/manual/multiprog.sh cannot pass there.
 *
 * On lo (generic XDP; the VM has no other interface) with the code
 * `rootxdp attach --mode multiprog` runs (loader/progs.c, multiprog.c):
 *   1. the counter (tests/netns/xdp_count.bpf.o: counts UDP/53 frames in
 *      xc_count[0], all frames in [1], passes everything) attached by
 *      libxdp at priority 20: a dispatcher, one program;
 *   2. rootxdp at priority 10 (first): two programs, rootxdp first; a
 *      query through the dispatcher (BPF_PROG_TEST_RUN) comes back XDP_TX
 *      and the counter never sees it; a query rootxdp passes up (qtype
 *      ANY) comes back XDP_PASS and the counter sees it;
 *   3. rootxdp detached: the counter alone, still in a dispatcher, still
 *      counting;
 *   4. rootxdp at priority 30 (second): the counter sees the query, and
 *      the answer is still XDP_TX.
 *   5. The same two orders on the virtio-net NIC (native mode), with the
 *      host's dig through qemu's forwarded port (scripts/verify-kernel.sh
 *      sends the queries and checks the answers against the zone file when
 *      this prints "multiprog: virtio-net: ready N", then "done K"):
 *      rootxdp first answers all K in XDP and the counter sees none of
 *      them; rootxdp second answers all K and the counter sees all K.
 * Prints "N passed, N failed"; exit 0 when all passed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "attach.h"
#include "cmd.h"
#include "config.h"
#include "image.h"
#include "multiprog.h"
#include "pkt.h"
#include "../../loader/stats.h"	/* rx_stats_read (bpf/ has a stats.h too) */
#include "zone_maps.h"
#include "../unit/check.h"

#define PIN_ROOT	"/sys/fs/bpf/rootxdp"
#define COUNTER		"/rootxdp/xdp_count.bpf.o"
#define IMAGE		"/rootxdp/root.img"
/* verify_kernel's virtio-net step left the NIC up with its address. */
#define VNET_DEV	"eth0"
#define VNET_DONE_PORT	5353
#define VNET_WAIT_S	300

static int lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0), err = 0;

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr))
			err = -errno;
	} else {
		err = -errno;
	}
	close(s);
	return err;
}

/* ". SOA" (answered in XDP) or ". ANY" (passed up: RFC 8482 is rootxdpd's). */
static size_t query(uint16_t qtype, uint8_t *frame)
{
	uint8_t dns[64];
	struct pkt_spec ps = { 0 };
	size_t n = 0;

	dns[n++] = 0x42, dns[n++] = 0x42;
	dns[n++] = 0, dns[n++] = 0;
	dns[n++] = 0, dns[n++] = 1;
	memset(dns + n, 0, 6), n += 6;
	dns[n++] = 0;					/* "." */
	dns[n++] = qtype >> 8, dns[n++] = qtype & 0xff;
	dns[n++] = 0, dns[n++] = 1;
	return pkt_build(&ps, dns, n, frame);
}

/* Run a frame through the dispatcher on lo; the verdict, or -1. */
static int through_dispatcher(uint16_t qtype)
{
	static uint8_t in[PKT_MAX], out[PKT_MAX];
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(1);
	size_t inlen = query(qtype, in), outlen = 0;
	uint32_t ret = 0;
	int err;

	if (!mp || libxdp_get_error(mp) || xdp_multiprog__is_legacy(mp)) {
		CHECK_MSG(0, "a libxdp dispatcher on lo");
		return -1;
	}
	err = pkt_run(xdp_program__fd(xdp_multiprog__main_prog(mp)), 1, in, inlen, out, &outlen,
		      &ret);
	xdp_multiprog__close(mp);
	CHECK_MSG(!err, "BPF_PROG_TEST_RUN on the dispatcher: %s", strerror(-err));
	return err ? -1 : (int)ret;
}

static __u64 counted(int map_fd, __u32 k)
{
	__u64 v = 0;

	bpf_map_lookup_elem(map_fd, &k, &v);
	return v;
}

/* Our place in the dispatcher: position and count. */
static void expect_place(int pos, int count, unsigned prio, const char *when)
{
	struct rx_mp_info mi;
	int err = rx_mp_query(PIN_ROOT, "lo", 1, &mi);

	CHECK_MSG(!err, "%s: rootxdp found in the dispatcher: %s", when, strerror(-err));
	CHECK_MSG(mi.pos == pos && mi.count == count && mi.prio == prio,
		  "%s: rootxdp is program %d of %d at priority %u, want %d of %d at %u", when,
		  mi.pos, mi.count, mi.prio, pos, count, prio);
	printf("multiprog: %s: rootxdp program %u is %d of %d (priority %u) in dispatcher %u\n",
	       when, mi.prog_id, mi.pos, mi.count, mi.prio, mi.dispatcher_id);
}

/* rootxdp's XDP counters summed over CPUs (the loader's reader). */
static int xdp_stats(int fd, struct rx_stats *sum)
{
	struct rx_stats both[RX_PATHS];

	memset(sum, 0, sizeof(*sum));
	if (rx_stats_read(fd, both))
		return -1;
	*sum = both[RX_PATH_XDP];
	return 0;
}

/* One round of the host's queries: "ready N", then wait for "done K".
 * K, or -1. */
static int host_round(int round)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(VNET_DONE_PORT) };
	struct timeval tv = { .tv_sec = VNET_WAIT_S };
	char msg[64] = "";
	int s, k = -1;
	ssize_t n;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		CHECK_MSG(0, "virtio-net: UDP socket on port %d: %s", VNET_DONE_PORT, strerror(errno));
		if (s >= 0)
			close(s);
		return -1;
	}
	printf("multiprog: virtio-net: ready %d\n", round);
	fflush(stdout);
	n = recv(s, msg, sizeof(msg) - 1, 0);
	close(s);
	if (n > 0)
		msg[n] = 0;
	CHECK_MSG(n > 0 && sscanf(msg, "done %d", &k) == 1 && k > 0,
		  "virtio-net round %d: the host's queries are done (%s)", round,
		  n > 0 ? msg : strerror(errno));
	printf("multiprog: virtio-net: round %d done\n", round);
	return n > 0 ? k : -1;
}

/* 5: both orders on a real NIC, with the host's queries. */
static void virtio_rounds(const struct rx_maps *m)
{
	DECLARE_LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = "/sys/fs/bpf/count-eth0");
	int ifindex = (int)if_nametoindex(VNET_DEV), map_fd, k, round;
	static const unsigned prio[2] = { 10, 30 };
	struct xdp_program *cnt;
	struct rx_mp_info mi;
	struct rx_stats b, a;
	__u64 q0;
	int err;

	CHECK_MSG(ifindex > 0, "virtio-net: %s is there", VNET_DEV);
	if (ifindex <= 0)
		return;
	cnt = xdp_program__open_file(COUNTER, "xdp", &oo);
	if (!cnt || libxdp_get_error(cnt)) {
		CHECK_MSG(0, "open %s", COUNTER);
		return;
	}
	xdp_program__set_run_prio(cnt, 20);
	err = xdp_program__attach(cnt, ifindex, XDP_MODE_NATIVE, 0);
	CHECK_MSG(!err, "virtio-net: counter attached natively by libxdp: %s", strerror(-err));
	map_fd = bpf_map__fd(bpf_object__find_map_by_name(xdp_program__bpf_obj(cnt), "xc_count"));
	for (round = 1; !err && round <= 2; round++) {
		err = rx_mp_attach(PIN_ROOT, VNET_DEV, ifindex, RX_MODE_AUTO, prio[round - 1], &mi);
		CHECK_MSG(!err, "virtio-net: rootxdp joins at priority %u: %s", prio[round - 1],
			  strerror(-err));
		if (err)
			break;
		CHECK_MSG(mi.native && mi.count == 2 && mi.pos == round,
			  "virtio-net: native dispatcher, rootxdp %d of %d (want %d of 2)", mi.pos,
			  mi.count, round);
		q0 = counted(map_fd, 0);
		CHECK_MSG(!xdp_stats(m->stats, &b), "rx_stats readable");
		k = host_round(round);
		CHECK_MSG(!xdp_stats(m->stats, &a), "rx_stats readable");
		printf("multiprog: virtio-net: rootxdp %s (priority %u): %d queries from the host; "
		       "rootxdp's XDP answered %llu; the counter saw %llu of them\n",
		       round == 1 ? "first" : "second", prio[round - 1], k,
		       (unsigned long long)(a.answered - b.answered),
		       (unsigned long long)(counted(map_fd, 0) - q0));
		if (k > 0) {
			CHECK_MSG(a.answered - b.answered == (__u64)k,
				  "virtio-net round %d: rootxdp's XDP answered all %d", round, k);
			CHECK_MSG(counted(map_fd, 0) - q0 == (round == 1 ? 0 : (__u64)k),
				  "virtio-net round %d: the counter saw %s", round,
				  round == 1 ? "none (rootxdp answered first)" : "every query");
		}
		CHECK_MSG(rx_mp_detach(PIN_ROOT, VNET_DEV, ifindex) == 0, "virtio-net: rootxdp detached");
	}
	CHECK_MSG(xdp_program__detach(cnt, ifindex, XDP_MODE_NATIVE, 0) == 0,
		  "virtio-net: counter detached");
	xdp_program__close(cnt);
	unlink("/sys/fs/bpf/count-eth0/xc_count");
	rmdir("/sys/fs/bpf/count-eth0");
}

int main(void)
{
	DECLARE_LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = "/sys/fs/bpf/count");
	struct xdp_program *cnt;
	struct rx_progs p;
	struct rx_config c;
	struct rx_image img;
	struct rx_mp_info mi;
	char e[512] = "";
	__u64 q0, a0;
	int map_fd, v, err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	rx_verbose_set(0);
	mkdir("/sys/fs/bpf", 0755);
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL) && errno != EBUSY)
		printf("multiprog: mount bpffs: %s\n", strerror(errno));
	CHECK_MSG(lo_up() == 0, "lo up");
	mkdir(PIN_ROOT, 0700);

	/* The programs and maps, and a zone, as rootxdp attach does. */
	memset(&p, 0, sizeof(p));
	err = rx_progs_get(PIN_ROOT, &p);
	CHECK_MSG(!err, "programs loaded and pinned: %s", strerror(-err));
	if (err)
		return check_done();
	err = rx_image_open(IMAGE, &img, e, sizeof(e));
	CHECK_MSG(!err, "image %s: %s", IMAGE, e);
	if (!err) {
		err = rx_zone_swap(&p.maps, &img, e, sizeof(e));
		CHECK_MSG(!err, "zone loaded: %s", e);
		rx_image_close(&img);
	}
	rx_config_defaults(&c);
	c.rrl_rate = 0;
	snprintf(c.state_dir, sizeof(c.state_dir), "/tmp");	/* the cookie secret's home */
	err = rx_cfg_write(&p.maps, &c, 1500, e, sizeof(e));
	CHECK_MSG(!err, "rx_cfg written: %s", e);

	/* 1. The other owner's program first, alone in a dispatcher. */
	cnt = xdp_program__open_file(COUNTER, "xdp", &oo);
	if (!cnt || libxdp_get_error(cnt)) {
		CHECK_MSG(0, "open %s", COUNTER);
		return check_done();
	}
	xdp_program__set_run_prio(cnt, 20);
	err = xdp_program__attach(cnt, 1, XDP_MODE_SKB, 0);
	CHECK_MSG(!err, "counter attached by libxdp: %s", strerror(-err));
	map_fd = bpf_map__fd(bpf_object__find_map_by_name(xdp_program__bpf_obj(cnt), "xc_count"));
	CHECK_MSG(map_fd >= 0, "the counter's map");
	v = through_dispatcher(6);
	CHECK_MSG(v == XDP_PASS && counted(map_fd, 0) == 1,
		  "the counter alone: passes (%d) and counts (%llu)", v,
		  (unsigned long long)counted(map_fd, 0));

	/* 2. rootxdp first. */
	err = rx_mp_attach(PIN_ROOT, "lo", 1, RX_MODE_AUTO, 10, &mi);
	CHECK_MSG(!err, "rootxdp joins the dispatcher at priority 10: %s", strerror(-err));
	expect_place(1, 2, 10, "rootxdp at 10, counter at 20");
	q0 = counted(map_fd, 0), a0 = counted(map_fd, 1);
	v = through_dispatcher(6);
	CHECK_MSG(v == XDP_TX, ". SOA through the dispatcher: verdict %d, want XDP_TX", v);
	CHECK_MSG(counted(map_fd, 1) == a0,
		  "rootxdp first: the counter does not see the query rootxdp answered");
	v = through_dispatcher(255);
	CHECK_MSG(v == XDP_PASS, ". ANY through the dispatcher: verdict %d, want XDP_PASS", v);
	CHECK_MSG(counted(map_fd, 0) == q0 + 1,
		  "rootxdp first: the counter sees the query rootxdp passed up");
	printf("multiprog: rootxdp first: SOA answered (XDP_TX, counter +%llu), ANY passed "
	       "(counter +%llu)\n", (unsigned long long)(counted(map_fd, 1) - a0 - 1),
	       (unsigned long long)(counted(map_fd, 0) - q0));

	/* 3. rootxdp out again: the counter stays and counts. */
	err = rx_mp_detach(PIN_ROOT, "lo", 1);
	CHECK_MSG(!err, "rootxdp leaves the dispatcher: %s", strerror(-err));
	CHECK_MSG(rx_mp_query(PIN_ROOT, "lo", 1, &mi) == -ENOENT, "rootxdp no longer there");
	q0 = counted(map_fd, 0);
	v = through_dispatcher(6);
	CHECK_MSG(v == XDP_PASS && counted(map_fd, 0) == q0 + 1,
		  "the counter alone again: passes (%d) and counts", v);

	/* 4. rootxdp second. */
	err = rx_mp_attach(PIN_ROOT, "lo", 1, RX_MODE_AUTO, 30, &mi);
	CHECK_MSG(!err, "rootxdp joins again at priority 30: %s", strerror(-err));
	expect_place(2, 2, 30, "counter at 20, rootxdp at 30");
	q0 = counted(map_fd, 0);
	v = through_dispatcher(6);
	CHECK_MSG(v == XDP_TX, "rootxdp second: . SOA answered (verdict %d)", v);
	CHECK_MSG(counted(map_fd, 0) == q0 + 1, "rootxdp second: the counter saw the query");
	printf("multiprog: rootxdp second: SOA answered (XDP_TX), counter +%llu\n",
	       (unsigned long long)(counted(map_fd, 0) - q0));

	CHECK_MSG(rx_mp_detach(PIN_ROOT, "lo", 1) == 0, "rootxdp detached");
	CHECK_MSG(xdp_program__detach(cnt, 1, XDP_MODE_SKB, 0) == 0, "counter detached");

	/* 5. A real NIC and the host's queries. */
	virtio_rounds(&p.maps);
	xdp_program__close(cnt);
	unlink("/sys/fs/bpf/count/xc_count");
	rmdir("/sys/fs/bpf/count");
	rx_progs_put(&p);
	rx_pins_remove(PIN_ROOT);
	printf("multiprog: ");
	return check_done();
}
