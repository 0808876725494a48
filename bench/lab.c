// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lab.c - the XDP lab's driver (scripts/bench.sh builds it into
 * $O/bench/lab; root).  One run:
 *
 *   lab --obj LAB.o --cli-ns NS --cli-dev DEV --srv-mac MAC --src IP --dst IP
 *       --wire MIX.wire [--count N] (--duration SECS | --frames N)
 *       [--server-obj OBJ --server-prog NAME --srv-ns NS --srv-dev DEV
 *        [--append BYTES]] [--cpu N] [--per-id] [--header]
 *
 * 1. Query frames: the first --count queries of MIX.wire (dnsperf -B
 *    format), query k with DNS ID k and UDP source port 20000 + k, in
 *    Ethernet/IPv4/UDP from --src (the client veth's MAC) to --dst/--srv-mac,
 *    checksums computed here; they fill lab_tmpl.
 * 2. With --server-obj: that program attached (bpf_link, native) on the
 *    server veth in --srv-ns for the run; with --append, floor_tail of
 *    bench/copyfloor.bpf.c filled with BYTES pseudo-random bytes and their
 *    one's complement sum.  (rootxdp is attached by `rootxdp attach`.)
 * 3. lab_sink attached (bpf_link, native) on the client veth in --cli-ns;
 *    the links go with this process, so nothing stays attached after it.
 * 4. lab_gen run by BPF_PROG_TEST_RUN, BPF_F_TEST_XDP_LIVE_FRAMES, batch
 *    64, in the client namespace on CPU --cpu (default 0): for --duration
 *    seconds (calls of 65536 frames) or exactly --frames frames.
 *
 * Output: one TSV row (--header: the names first):
 *   sent        frames the generator sent
 *   answers_end answers the sink had counted when the last call returned
 *   answers     answers after a settle time (0.3 s; with --frames up to
 *               3 s, until answers = sent)
 *   answer_bytes  their frame bytes (Ethernet header included)
 *   query_bytes   the mean query frame of the templates in use
 *   elapsed_ns  wall time of the generator's calls
 *   other       non-answer frames the sink passed (ARP, ND)
 *   ids_bad     with --per-id: templates whose answers differ from the
 *               number of times they were sent (else -1)
 * Generator, server program and sink run on the one CPU: answers_end /
 * elapsed is answers per second of one core, whole path included.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lab.h"

#define CALL_FRAMES	65536
#define BATCH		64

static int libbpf_quiet(enum libbpf_print_level l, const char *f, va_list a)
{
	return l == LIBBPF_WARN ? vfprintf(stderr, f, a) : 0;
}

static void die(const char *what)
{
	fprintf(stderr, "lab: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void enter_ns(const char *ns)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		die(path);
	close(fd);
}

static int ifindex_of(const char *dev, uint8_t mac[6])
{
	struct ifreq r = {};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), i = if_nametoindex(dev);

	if (!i || s < 0)
		die(dev);
	if (mac) {
		snprintf(r.ifr_name, sizeof(r.ifr_name), "%s", dev);
		if (ioctl(s, SIOCGIFHWADDR, &r))
			die("SIOCGIFHWADDR");
		memcpy(mac, r.ifr_hwaddr.sa_data, 6);
	}
	close(s);
	return i;
}

/* One's complement sum of n bytes as 16-bit words in memory order. */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	uint16_t w;

	for (; n > 1; p += 2, n -= 2) {
		memcpy(&w, p, 2);
		s += w;
	}
	if (n) {
		w = 0;
		memcpy(&w, p, 1);
		s += w;
	}
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* Ethernet/IPv4/UDP around dns; returns the frame length or 0. */
static size_t frame(const uint8_t dmac[6], const uint8_t smac[6], struct in_addr src,
		    struct in_addr dst, uint16_t sport, uint16_t id, const uint8_t *dns,
		    size_t dlen, uint8_t *f)
{
	size_t ulen = 8 + dlen, iplen = 20 + ulen;
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint16_t v;
	uint32_t s;

	if (14 + iplen > LAB_FRAME_MAX || dlen < 12)
		return 0;
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x08, f[13] = 0x00;
	ip[0] = 0x45, ip[1] = 0;
	ip[2] = iplen >> 8, ip[3] = iplen;
	ip[4] = id >> 8, ip[5] = id;
	ip[6] = 0x40, ip[7] = 0;		/* DF */
	ip[8] = 64, ip[9] = 17;
	ip[10] = ip[11] = 0;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	v = ~fold(sum16(ip, 20, 0));
	memcpy(ip + 10, &v, 2);
	udp[0] = sport >> 8, udp[1] = sport;
	udp[2] = 0, udp[3] = 53;
	udp[4] = ulen >> 8, udp[5] = ulen;
	udp[6] = udp[7] = 0;
	memcpy(udp + 8, dns, dlen);
	udp[8] = id >> 8, udp[9] = id;
	s = sum16(ip + 12, 8, 0) + htons(17) + htons(ulen);
	v = ~fold(sum16(udp, ulen, s));
	if (!v)
		v = 0xffff;
	memcpy(udp + 6, &v, 2);
	return 14 + iplen;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}

static int ncpu;

static void sink_read(int fd, struct lab_sink *tot)
{
	struct lab_sink v[ncpu];
	__u32 zero = 0;

	memset(tot, 0, sizeof(*tot));
	if (bpf_map_lookup_elem(fd, &zero, v))
		die("lab_sink lookup");
	for (int i = 0; i < ncpu; i++) {
		tot->answers += v[i].answers;
		tot->bytes += v[i].bytes;
		tot->other += v[i].other;
	}
}

/*
 * The server program when it is ours (reflector, copy floor): each template
 * through it once by plain BPF_PROG_TEST_RUN, the output checked here:
 * XDP_TX, IPv4 and UDP lengths consistent with the frame, both checksums
 * right, source port 53.  Returns the number of bad outputs.
 */
static int check_server(int fd, int tmpl_fd, long count)
{
	static struct lab_tmpl t;
	static uint8_t out[LAB_FRAME_MAX + LAB_TAIL_MAX + 64];
	int bad = 0;

	for (long k = 0; k < count; k++) {
		__u32 key = k;
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_out = out, .data_size_out = sizeof(out),
			    .repeat = 1);
		const uint8_t *ip = out + 14, *udp = ip + 20;
		size_t iplen, ulen;

		if (bpf_map_lookup_elem(tmpl_fd, &key, &t))
			die("lab_tmpl lookup");
		o.data_in = t.data;
		o.data_size_in = t.len;
		if (bpf_prog_test_run_opts(fd, &o))
			die("BPF_PROG_TEST_RUN (server check)");
		iplen = ip[2] << 8 | ip[3];
		ulen = udp[4] << 8 | udp[5];
		if (o.retval != XDP_TX || o.data_size_out != 14 + iplen || ulen + 20 != iplen ||
		    fold(sum16(ip, 20, 0)) != 0xffff ||
		    fold(sum16(udp, ulen, sum16(ip + 12, 8, 0) + htons(17) + htons(ulen))) != 0xffff ||
		    udp[0] != 0 || udp[1] != 53) {
			if (!bad)
				fprintf(stderr, "lab: the server program's output for query %ld is "
					"wrong (verdict %u, %u bytes)\n", k, o.retval, o.data_size_out);
			bad++;
		}
	}
	return bad;
}

static void usage(void)
{
	fprintf(stderr, "usage: lab --obj LAB.o --cli-ns NS --cli-dev DEV --srv-mac MAC --src IP "
		"--dst IP --wire FILE [--count N] (--duration S | --frames N)\n"
		"           [--server-obj OBJ --server-prog NAME --srv-ns NS --srv-dev DEV "
		"[--append BYTES]] [--cpu N] [--per-id] [--header]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *obj_path = NULL, *cli_ns = NULL, *cli_dev = NULL, *wire = NULL;
	const char *srv_obj = NULL, *srv_prog = NULL, *srv_ns = NULL, *srv_dev = NULL;
	const char *srv_mac = NULL, *src_s = NULL, *dst_s = NULL;
	long count = 256, frames = 0, append = 0, cpu = 0;
	double duration = 0;
	int per_id = 0, header = 0;
	uint8_t smac[6], dmac[6];
	struct in_addr src, dst;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--per-id")) { per_id = 1; continue; }
		if (!strcmp(a, "--header")) { header = 1; continue; }
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--obj")) obj_path = v;
		else if (!strcmp(a, "--cli-ns")) cli_ns = v;
		else if (!strcmp(a, "--cli-dev")) cli_dev = v;
		else if (!strcmp(a, "--srv-mac")) srv_mac = v;
		else if (!strcmp(a, "--src")) src_s = v;
		else if (!strcmp(a, "--dst")) dst_s = v;
		else if (!strcmp(a, "--wire")) wire = v;
		else if (!strcmp(a, "--count")) count = atol(v);
		else if (!strcmp(a, "--duration")) duration = atof(v);
		else if (!strcmp(a, "--frames")) frames = atol(v);
		else if (!strcmp(a, "--server-obj")) srv_obj = v;
		else if (!strcmp(a, "--server-prog")) srv_prog = v;
		else if (!strcmp(a, "--srv-ns")) srv_ns = v;
		else if (!strcmp(a, "--srv-dev")) srv_dev = v;
		else if (!strcmp(a, "--append")) append = atol(v);
		else if (!strcmp(a, "--cpu")) cpu = atol(v);
		else usage();
	}
	if (!obj_path || !cli_ns || !cli_dev || !srv_mac || !src_s || !dst_s || !wire ||
	    count < 1 || count > LAB_TMPL_MAX || (duration <= 0) == (frames <= 0) ||
	    (srv_obj && (!srv_prog || !srv_ns || !srv_dev)) || append < 0 ||
	    append > LAB_TAIL_MAX)
		usage();
	if (sscanf(srv_mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dmac[0], &dmac[1], &dmac[2],
		   &dmac[3], &dmac[4], &dmac[5]) != 6 || inet_pton(AF_INET, src_s, &src) != 1 ||
	    inet_pton(AF_INET, dst_s, &dst) != 1)
		usage();
	libbpf_set_print(libbpf_quiet);
	ncpu = libbpf_num_possible_cpus();
	{
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity");
	}

	/* The server program, when it is ours. */
	struct bpf_object *so = NULL;
	struct bpf_link *slink = NULL;

	if (srv_obj) {
		struct bpf_program *p;

		so = bpf_object__open_file(srv_obj, NULL);
		if (!so || bpf_object__load(so))
			die(srv_obj);
		p = bpf_object__find_program_by_name(so, srv_prog);
		if (!p) {
			errno = ENOENT;
			die(srv_prog);
		}
		if (append) {
			static struct floor_tail t;
			struct bpf_map *m = bpf_object__find_map_by_name(so, "floor_tail");
			uint32_t x = 2026;
			__u32 zero = 0;

			if (!m) {
				errno = ENOENT;
				die("floor_tail map");
			}
			t.len = append;
			for (long i = 0; i < append; i++) {
				x = x * 1103515245u + 12345u;
				t.data[i] = x >> 16;
			}
			t.sum = fold(sum16(t.data, append, 0));
			if (bpf_map_update_elem(bpf_map__fd(m), &zero, &t, 0))
				die("floor_tail update");
		}
		enter_ns(srv_ns);
		slink = bpf_program__attach_xdp(p, ifindex_of(srv_dev, NULL));
		if (!slink)
			die("attach the server program");
	}

	/* The client side: templates, sink, generator. */
	struct bpf_object *lo = bpf_object__open_file(obj_path, NULL);
	struct bpf_program *gen, *sink;
	struct bpf_link *klink;
	int tmpl_fd, ctl_fd, next_fd, sink_fd, ids_fd, cli_if;
	static struct lab_tmpl t;
	static uint8_t buf[65536 + 2];
	double qbytes = 0;

	if (!lo || bpf_object__load(lo))
		die(obj_path);
	gen = bpf_object__find_program_by_name(lo, "lab_gen");
	sink = bpf_object__find_program_by_name(lo, "lab_sink_prog");
	tmpl_fd = bpf_map__fd(bpf_object__find_map_by_name(lo, "lab_tmpl"));
	ctl_fd = bpf_map__fd(bpf_object__find_map_by_name(lo, "lab_ctl"));
	next_fd = bpf_map__fd(bpf_object__find_map_by_name(lo, "lab_next"));
	sink_fd = bpf_map__fd(bpf_object__find_map_by_name(lo, "lab_sink"));
	ids_fd = bpf_map__fd(bpf_object__find_map_by_name(lo, "lab_ids"));
	if (!gen || !sink || tmpl_fd < 0 || ctl_fd < 0 || next_fd < 0 || sink_fd < 0 || ids_fd < 0) {
		errno = ENOENT;
		die("lab programs or maps");
	}
	enter_ns(cli_ns);
	cli_if = ifindex_of(cli_dev, smac);

	FILE *wf = fopen(wire, "rb");

	if (!wf)
		die(wire);
	for (long k = 0; k < count; k++) {
		uint8_t lb[2];
		size_t n;
		__u32 key = k;

		n = fread(lb, 1, 2, wf) == 2 ? (size_t)(lb[0] << 8 | lb[1]) : 0;
		if (!n || fread(buf, 1, n, wf) != n) {
			count = k;	/* a shorter mix: all of it */
			break;
		}
		memset(&t, 0, sizeof(t));
		t.len = frame(dmac, smac, src, dst, 20000 + k, k, buf, n, t.data);
		if (!t.len) {
			fprintf(stderr, "lab: query %ld of %s does not fit a %d-byte frame\n", k,
				wire, LAB_FRAME_MAX);
			return 1;
		}
		qbytes += t.len;
		if (bpf_map_update_elem(tmpl_fd, &key, &t, 0))
			die("lab_tmpl update");
	}
	if (!count) {
		fprintf(stderr, "lab: no query in %s\n", wire);
		return 1;
	}
	fclose(wf);
	qbytes /= count;
	{
		struct lab_ctl c = { .ifindex = cli_if, .count = count, .per_id = per_id };
		__u32 zero = 0;

		if (bpf_map_update_elem(ctl_fd, &zero, &c, 0))
			die("lab_ctl update");
	}
	if (so && check_server(bpf_program__fd(bpf_object__find_program_by_name(so, srv_prog)),
			       tmpl_fd, count))
		return 1;
	klink = bpf_program__attach_xdp(sink, cli_if);
	if (!klink)
		die("attach the sink (is another XDP program on the client veth?)");

	/* The run. */
	uint8_t in[LAB_FRAME_MAX];
	struct lab_sink end, fin;
	uint64_t t0, t1, sent = 0;
	long ids_bad = -1;
	__u32 zero = 0;

	bpf_map_lookup_elem(tmpl_fd, &zero, &t);
	memset(in, 0, sizeof(in));
	memcpy(in, t.data, t.len);
	t0 = now_ns();
	t1 = t0;
	while (frames ? (long)sent < frames : (t1 - t0) < duration * 1e9) {
		__u32 n = frames ? (frames - sent > CALL_FRAMES ? CALL_FRAMES : frames - sent)
				 : CALL_FRAMES;
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = sizeof(in),
			    .repeat = n, .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = BATCH);

		if (bpf_prog_test_run_opts(bpf_program__fd(gen), &o))
			die("BPF_PROG_TEST_RUN (live frames)");
		sent += n;
		t1 = now_ns();
	}
	sink_read(sink_fd, &end);
	for (int i = 0; i < (frames ? 30 : 3); i++) {
		usleep(100000);
		sink_read(sink_fd, &fin);
		if (frames && fin.answers >= sent)
			break;
	}
	sink_read(sink_fd, &fin);
	if (per_id) {
		ids_bad = 0;
		for (long k = 0; k < count; k++) {
			__u32 key = k;
			__u64 got = 0, want = sent / count + ((uint64_t)k < sent % count);

			bpf_map_lookup_elem(ids_fd, &key, &got);
			if (got != want)
				ids_bad++;
		}
	}
	if (header)
		printf("sent\tanswers_end\tanswers\tanswer_bytes\tquery_bytes\telapsed_ns\tother\tids_bad\n");
	printf("%llu\t%llu\t%llu\t%llu\t%.1f\t%llu\t%llu\t%ld\n", (unsigned long long)sent,
	       (unsigned long long)end.answers, (unsigned long long)fin.answers,
	       (unsigned long long)fin.bytes, qbytes, (unsigned long long)(t1 - t0),
	       (unsigned long long)fin.other, ids_bad);
	bpf_link__destroy(klink);
	bpf_link__destroy(slink);
	bpf_object__close(lo);
	bpf_object__close(so);
	return 0;
}
