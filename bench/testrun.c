// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * testrun.c - the bench's BPF-side measurements (scripts/bench.sh builds
 * it into $O/bench/testrun with libbpf; it needs root).
 *
 *   testrun perpkt --xdp PIN --tc PIN --reflector OBJ --restore OBJ
 *                  --tld TLD [--repeat N] [--calls N] [--reps N]
 *       ns per packet of rootxdp_xdp, rootxdp_tc and the reflector, for
 *       each answer kind over IPv4 and IPv6, through BPF_PROG_TEST_RUN.
 *       One TSV row per (kind, family, program): the median over --reps of
 *         repeat_ns  restore wrapper + program, repeat N, minus the same
 *                    wrapper + an empty program (bench/restore.bpf.c)
 *         single_ns  program alone, repeat 1, mean over --calls syscalls,
 *                    minus an empty program timed the same way
 *         naive      retval of the program alone with repeat N (XDP_PASS
 *                    for rootxdp: runs 2..N see its own response)
 *         direct_ns  ns per run of that naive repeat: right for the
 *                    reflector (its output is again a UDP/53 frame), the
 *                    pass path for rootxdp
 *       plus the verdict and DNS size of the answer, checked (QR=1, rcode,
 *       counts) after the repeat run.
 *   testrun stats-hold
 *       BPF_ENABLE_STATS(run time) until killed: the kernel keeps
 *       run_time_ns/run_cnt while any such fd is open (reference counted,
 *       so it neither clashes with nor changes kernel.bpf_stats_enabled).
 *   testrun progstats PIN|id:N ...
 *       "run_cnt run_time_ns" summed over the programs named.
 *   testrun maps PIN|id:N ...
 *       the maps the programs use, inner maps of map-in-maps included:
 *       "count memlock_bytes" (the kernel's memlock charge from fdinfo,
 *       the figure bpftool map show prints).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "pkt.h"

#define RB_FRAME_MAX 1024	/* bench/restore.bpf.c */

struct rb_frame {
	__u32 len;
	__u8 data[RB_FRAME_MAX];
};

static int libbpf_quiet(enum libbpf_print_level l, const char *f, va_list a)
{
	return l == LIBBPF_WARN ? vfprintf(stderr, f, a) : 0;
}

static void die(const char *what)
{
	fprintf(stderr, "testrun: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A pin path or "id:N" -> program fd. */
static int prog_fd(const char *s)
{
	int fd = strncmp(s, "id:", 3) ? bpf_obj_get(s) : bpf_prog_get_fd_by_id(atoi(s + 3));

	if (fd < 0) {
		fprintf(stderr, "testrun: cannot open program %s: %s\n", s, strerror(errno));
		exit(1);
	}
	return fd;
}

/* ---- DNS query frames ---- */

static size_t put_name(const char *name, uint8_t *w)
{
	size_t n = 0;
	const char *p = name;

	while (*p && strcmp(p, ".")) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		w[n++] = l;
		memcpy(w + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
	}
	w[n++] = 0;
	return n;
}

/* cookie: 0 none, 1 a client cookie alone (the server mints one), 2 with a
 * current-looking server cookie that is not ours (checked, then minted:
 * the most SipHash work a query can ask for). */
static size_t query(const char *name, int qtype, int edns, int dobit, int cookie, uint8_t *w)
{
	size_t n = 12;

	memset(w, 0, 12);
	w[0] = 0x12, w[1] = 0x34;	/* ID; RD=0 as a resolver asks a root */
	w[5] = 1;			/* QDCOUNT */
	w[11] = edns ? 1 : 0;		/* ARCOUNT */
	n += put_name(name, w + n);
	w[n++] = qtype >> 8, w[n++] = qtype & 0xff;
	w[n++] = 0, w[n++] = 1;		/* IN */
	if (edns) {			/* OPT: payload 1232, DO */
		uint8_t opt[11] = { 0, 0, 41, 1232 >> 8, 1232 & 0xff, 0, 0,
				    dobit ? 0x80 : 0, 0, 0, 0 };

		memcpy(w + n, opt, sizeof(opt));
		n += sizeof(opt);
		if (cookie) {
			uint32_t now = (uint32_t)time(NULL);
			size_t olen = cookie == 1 ? 8 : 24;
			uint8_t ck[4 + 24] = { 0, 10, 0, olen, 0xc0, 0x0c, 0x1e, 1, 2, 3, 4, 5,
					       1, 0, 0, 0, now >> 24, now >> 16, now >> 8, now,
					       0xba, 0xd0, 0xba, 0xd0, 0xba, 0xd0, 0xba, 0xd0 };

			memcpy(w + n, ck, 4 + olen);
			n += 4 + olen;
			w[n - 4 - olen - 1] = 4 + olen;	/* OPT RDLEN */
		}
	}
	return n;
}

/* ---- timing ---- */

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Mean ns per run as the kernel reports it, over `repeat` runs. */
static double run_repeat(int fd, const uint8_t *in, size_t len, int repeat, __u32 *retval,
			 uint8_t *out, __u32 *outlen)
{
	static uint8_t scratch[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = len,
		    .data_out = out ? out : scratch, .data_size_out = PKT_MAX, .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &o))
		die("BPF_PROG_TEST_RUN");
	if (retval)
		*retval = o.retval;
	if (outlen)
		*outlen = o.data_size_out;
	return o.duration;
}

/* repeat = 1, `calls` syscalls, mean of the kernel's per-call duration. */
static double run_single(int fd, const uint8_t *in, size_t len, int calls)
{
	double tot = 0;

	for (int i = 0; i < calls; i++)
		tot += run_repeat(fd, in, len, 1, NULL, NULL, NULL);
	return tot / calls;
}

struct wrap {
	int restore[2], empty[2];	/* [0] XDP, [1] TC */
	int frame, jmp[2];
};

static void wrap_set(struct wrap *w, int tc, int target, const uint8_t *in, size_t len)
{
	static struct rb_frame f;
	__u32 zero = 0;

	memset(&f, 0, sizeof(f));
	f.len = len;
	memcpy(f.data, in, len);
	if (bpf_map_update_elem(w->frame, &zero, &f, 0))
		die("rb_frame update");
	if (bpf_map_update_elem(w->jmp[tc], &zero, &target, 0))
		die("prog array update (tail call target incompatible?)");
}

/* Check the answer: verdict, QR=1, rcode, counts.  Returns "ok" or why. */
static const char *check_answer(const uint8_t *out, size_t len, __u32 retval, int tc,
				int refl, int rcode, int aa, size_t *dnslen)
{
	struct pkt_dec d;
	const char *why = NULL;

	*dnslen = 0;
	if (retval != (tc ? TC_ACT_REDIRECT : XDP_TX))
		return "verdict";
	if (pkt_decode(out, len, &d, &why))
		return why ? why : "decode";
	if (!d.udp_csum_ok || (!d.v6 && !d.ip_csum_ok))
		return "checksum";
	*dnslen = d.dnslen;
	if (d.dnslen < 12 || !(d.dns[2] & 0x80) || d.sport != 53)
		return "not a response";
	if (refl)
		return "ok";
	if ((d.dns[3] & 0x0f) != rcode)
		return "rcode";
	if (!!(d.dns[2] & 0x04) != aa)
		return "aa";
	if (d.dns[2] & 0x02)
		return "tc=1";
	if (!d.dns[7] && !d.dns[9])	/* no answer and no authority */
		return "empty";
	return "ok";
}

static int perpkt(int argc, char **argv)
{
	const char *xdp_pin = NULL, *tc_pin = NULL, *refl_obj = NULL, *rest_obj = NULL;
	const char *tld = "com";
	int repeat = 1000000, calls = 100000, reps = 3;
	struct bpf_object *ro, *wo;
	struct wrap w;
	int fds[3];
	char ref[300];

	for (int i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--xdp")) xdp_pin = argv[i + 1];
		else if (!strcmp(argv[i], "--tc")) tc_pin = argv[i + 1];
		else if (!strcmp(argv[i], "--reflector")) refl_obj = argv[i + 1];
		else if (!strcmp(argv[i], "--restore")) rest_obj = argv[i + 1];
		else if (!strcmp(argv[i], "--tld")) tld = argv[i + 1];
		else if (!strcmp(argv[i], "--repeat")) repeat = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--calls")) calls = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
		else { fprintf(stderr, "testrun perpkt: unknown option %s\n", argv[i]); return 2; }
	}
	if (!xdp_pin || !tc_pin || !refl_obj || !rest_obj || repeat < 1 || calls < 1 ||
	    reps < 1 || reps > 99) {
		fprintf(stderr, "usage: testrun perpkt --xdp PIN --tc PIN --reflector OBJ "
			"--restore OBJ [--tld TLD] [--repeat N] [--calls N] [--reps N]\n");
		return 2;
	}
	fds[0] = prog_fd(xdp_pin);
	fds[1] = prog_fd(tc_pin);
	ro = bpf_object__open_file(refl_obj, NULL);
	if (!ro || bpf_object__load(ro))
		die(refl_obj);
	fds[2] = bpf_program__fd(bpf_object__find_program_by_name(ro, "bench_reflector"));
	wo = bpf_object__open_file(rest_obj, NULL);
	if (!wo || bpf_object__load(wo))
		die(rest_obj);
	w.restore[0] = bpf_program__fd(bpf_object__find_program_by_name(wo, "bench_restore_xdp"));
	w.restore[1] = bpf_program__fd(bpf_object__find_program_by_name(wo, "bench_restore_tc"));
	w.empty[0] = bpf_program__fd(bpf_object__find_program_by_name(wo, "bench_empty_xdp"));
	w.empty[1] = bpf_program__fd(bpf_object__find_program_by_name(wo, "bench_empty_tc"));
	w.frame = bpf_map__fd(bpf_object__find_map_by_name(wo, "rb_frame"));
	w.jmp[0] = bpf_map__fd(bpf_object__find_map_by_name(wo, "rb_jmp_xdp"));
	w.jmp[1] = bpf_map__fd(bpf_object__find_map_by_name(wo, "rb_jmp_tc"));

	snprintf(ref, sizeof(ref), "www.example.%s", tld);
	struct {
		const char *kind, *name;
		int qtype, edns, dobit, rcode, aa, cookie;
	} cases[] = {
		{ "referral", ref, 1, 0, 0, 0, 0, 0 },
		{ "referral_do", ref, 1, 1, 1, 0, 0, 0 },
		{ "referral_do_cookie", ref, 1, 1, 1, 0, 0, 1 },
		{ "referral_do_badcookie", ref, 1, 1, 1, 0, 0, 2 },
		{ "nxdomain_do", "rootxdp-bench-nx", 1, 1, 1, 3, 1, 0 },
		{ "ds_do", tld, 43, 1, 1, 0, 1, 0 },
		{ "apex_dnskey_do", ".", 48, 1, 1, 0, 1, 0 },
	};
	static const char *const pname[] = { "rootxdp_xdp", "rootxdp_tc", "reflector" };

	printf("kind\tfamily\tprog\trepeat_ns\tsingle_ns\tnaive\tverdict\tdns_bytes\tcheck\t"
	       "direct_ns\n");
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		for (int v6 = 0; v6 < 2; v6++) {
			struct pkt_spec spec = { .v6 = v6 };
			uint8_t dns[512], in[PKT_MAX], out[PKT_MAX];
			size_t dlen = query(cases[c].name, cases[c].qtype, cases[c].edns,
					    cases[c].dobit, cases[c].cookie, dns), len;

			len = pkt_build(&spec, dns, dlen, in);
			if (!len || len > RB_FRAME_MAX) {
				fprintf(stderr, "testrun: frame too large\n");
				return 1;
			}
			for (int p = 0; p < 3; p++) {
				int tc = p == 1;
				double rv[99], sv[99], dv[99];
				__u32 ret = 0, naive = 0, olen = 0;
				size_t dnslen;
				const char *ok;

				for (int r = 0; r < reps; r++) {
					double base;

					wrap_set(&w, tc, w.empty[tc], in, len);
					base = run_repeat(w.restore[tc], in, len, repeat, NULL, NULL,
							  NULL);
					wrap_set(&w, tc, fds[p], in, len);
					rv[r] = run_repeat(w.restore[tc], in, len, repeat, &ret, out,
							   &olen) - base;
					sv[r] = run_single(fds[p], in, len, calls) -
						run_single(w.empty[tc], in, len, calls);
					dv[r] = run_repeat(fds[p], in, len, repeat, &naive, NULL, NULL);
				}
				ok = check_answer(out, olen, ret, tc, p == 2, cases[c].rcode,
						  cases[c].aa, &dnslen);
				printf("%s\t%s\t%s\t%.1f\t%.1f\t%u\t%u\t%zu\t%s\t%.1f\n", cases[c].kind,
				       v6 ? "ipv6" : "ipv4", pname[p], median(rv, reps),
				       median(sv, reps), naive, ret, dnslen, ok, median(dv, reps));
				fflush(stdout);
			}
		}
	bpf_object__close(ro);
	bpf_object__close(wo);
	return 0;
}

/* ---- stats, maps ---- */

static void on_signal(int s)
{
	(void)s;
	_exit(0);
}

static __attribute__((noreturn)) int stats_hold(void)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	if (fd < 0)
		die("BPF_ENABLE_STATS");
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

static int progstats(int argc, char **argv)
{
	unsigned long long cnt = 0, ns = 0;

	for (int i = 0; i < argc; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = prog_fd(argv[i]);

		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			die("prog info");
		cnt += info.run_cnt;
		ns += info.run_time_ns;
		close(fd);
	}
	printf("%llu %llu\n", cnt, ns);
	return 0;
}

static unsigned long long memlock(int fd)
{
	char path[64], line[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

#define MAX_MAPS 256

static int add_id(__u32 *ids, int n, __u32 id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return n;
	if (n < MAX_MAPS)
		ids[n++] = id;
	return n;
}

static int maps(int argc, char **argv)
{
	__u32 ids[MAX_MAPS];
	unsigned long long total = 0;
	int n = 0;

	for (int i = 0; i < argc; i++) {
		__u32 mids[64], len;
		struct bpf_prog_info info = {};
		int fd = prog_fd(argv[i]);

		info.nr_map_ids = 64;
		info.map_ids = (__u64)(unsigned long)mids;
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			die("prog info");
		for (__u32 k = 0; k < info.nr_map_ids && k < 64; k++)
			n = add_id(ids, n, mids[k]);
		close(fd);
	}
	/* Inner maps: the values of every map-in-map. */
	for (int i = 0, outer = n; i < outer; i++) {
		struct bpf_map_info mi = {};
		__u32 len = sizeof(mi), key, next, inner;
		int fd = bpf_map_get_fd_by_id(ids[i]), more;

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &mi, &len))
			die("map info");
		if (mi.type == BPF_MAP_TYPE_ARRAY_OF_MAPS || mi.type == BPF_MAP_TYPE_HASH_OF_MAPS) {
			for (more = !bpf_map_get_next_key(fd, NULL, &key); more;
			     more = !bpf_map_get_next_key(fd, &key, &next), key = next)
				if (!bpf_map_lookup_elem(fd, &key, &inner) && inner)
					n = add_id(ids, n, inner);
		}
		close(fd);
	}
	for (int i = 0; i < n; i++) {
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0)
			die("map fd");
		total += memlock(fd);
		close(fd);
	}
	printf("%d %llu\n", n, total);
	return 0;
}

int main(int argc, char **argv)
{
	libbpf_set_print(libbpf_quiet);
	if (argc >= 2 && !strcmp(argv[1], "perpkt"))
		return perpkt(argc - 2, argv + 2);
	if (argc == 2 && !strcmp(argv[1], "stats-hold"))
		return stats_hold();
	if (argc >= 3 && !strcmp(argv[1], "progstats"))
		return progstats(argc - 2, argv + 2);
	if (argc >= 3 && !strcmp(argv[1], "maps"))
		return maps(argc - 2, argv + 2);
	fprintf(stderr, "usage: testrun perpkt ... | stats-hold | progstats PROG... | "
		"maps PROG...   (PROG: a pin path or id:N)\n");
	return 2;
}
