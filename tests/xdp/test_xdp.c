// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_xdp.c - packet-level tests of rootxdp_xdp and rootxdp_tc through
 * BPF_PROG_TEST_RUN.
 *
 * Loads the skeleton with pinning disabled (nothing lands in /sys/fs/bpf),
 * compiles the test zone ($RX_ZONE_DIR, else $O/zones (O defaults to
 * build) from tests/zones/mkzone.sh) with rootxdp-compile, swaps it in with
 * rx_zone_swap(), and runs every case through BOTH programs.  Answers are
 * decoded with ldns and compared with an expectation computed here from
 * the zone file (ldns_zone), never from the image or the compiler.  Pass
 * and drop cases are asserted through the rx_stats counter they move.
 *
 * Layout (one file per scenario, as Cilium's bpf/tests): fixture.c/.h the
 * shared state T, query builders, test-run and the ldns expectations;
 * cases_answers.c, cases_pass_drop.c, cases_cookie.c, cases_rrl.c,
 * cases_rssac.c, cases_tap.c, csum.c the scenarios; this file loads,
 * swaps the zone in and runs them in order, then checks the totals.
 *
 *   RX_ZONE_DIR=build/zones build/tests/xdp/test_xdp [-v]
 *
 * (Timings are not this suite's business: bench/testrun.c measures the
 * same answer kinds for `make bench`.)
 */
#include "fixture.h"

static void check_totals(void)
{
	for (int tc = 0; tc < 2; tc++) {
		__u64 pk = stat_get(tc, RX_ST_PACKETS), sum = stat_get(tc, RX_ST_ANSWERED);

		/* drops and passes: RX_DROP_QR .. RX_PASS_ERROR; what follows
		 * (tap_*, top_full, ...) counts something else */
		for (int i = RX_DROP_QR; i <= RX_PASS_ERROR; i++)
			sum += stat_get(tc, i);
		CHECK_MSG(pk == sum, "[%s] packets %llu = answered + passed + dropped %llu",
			  path_name(tc), (unsigned long long)pk, (unsigned long long)sum);
		if (pk != sum || T.verbose)
			for (int i = 0; i < RX_STAT_MAX; i++)
				printf("#   %s %s %llu\n", path_name(tc), stat_names[i],
				       (unsigned long long)stat_get(tc, i));
	}
}

static void cleanup(void)
{
	char p[128];

	if (T.skel)
		rootxdp__destroy(T.skel);
	T.skel = NULL;
	if (T.tmpdir[0]) {
		snprintf(p, sizeof(p), "%s/root.img", T.tmpdir);
		unlink(p);
		rmdir(T.tmpdir);
		T.tmpdir[0] = 0;
	}
}

int main(int argc, char **argv)
{
	char image[4096], e[512] = "", zdir[4000];
	const char *dir = getenv("RX_ZONE_DIR");
	struct rx_image img;
	struct rx_meta live;
	struct bpf_map *m;
	const char *o = getenv("O");
	char zgen[4000];

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-v"))
			T.verbose = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_quiet);
	atexit(cleanup);
	T.ncpu = libbpf_num_possible_cpus();
	snprintf(T.tmpdir, sizeof(T.tmpdir), "/tmp/rootxdp-test-%d-XXXXXX", getpid());
	if (!mkdtemp(T.tmpdir)) {
		T.tmpdir[0] = 0;
		CHECK_MSG(0, "mkdtemp: %s", strerror(errno));
		return check_done();
	}
	if (!dir) {
		/* run by hand: the zone run.sh would generate, in $O/zones */
		char *argv2[] = { "tests/zones/mkzone.sh", "--out", zgen, NULL };
		char zf[4100];

		snprintf(zgen, sizeof(zgen), "%s/zones", o && *o ? o : "build");
		snprintf(zf, sizeof(zf), "%s/root.zone", zgen);
		dir = zgen;
		if (access(zf, R_OK) && run_cmd(argv2)) {
			CHECK_MSG(0, "tests/zones/mkzone.sh failed (RX_ZONE_DIR unset)");
			return check_done();
		}
	}
	snprintf(zdir, sizeof(zdir), "%s", dir);

	/* Skeleton with pinning off: a test leaves nothing behind in
	 * /sys/fs/bpf, where it would collide with an instance's pins. */
	T.skel = rootxdp__open();
	if (!T.skel) {
		CHECK_MSG(0, "rootxdp__open: %s", strerror(errno));
		return check_done();
	}
	bpf_object__for_each_map(m, T.skel->obj)
		bpf_map__set_pin_path(m, NULL);
	if (rootxdp__load(T.skel)) {
		CHECK_MSG(0, "rootxdp__load failed (verifier log above)");
		return check_done();
	}
	T.fd[0] = bpf_program__fd(T.skel->progs.rootxdp_xdp);
	T.fd[1] = bpf_program__fd(T.skel->progs.rootxdp_tc);
	if (rx_maps_from_obj(T.skel->obj, &T.maps)) {
		CHECK_MSG(0, "rx_maps_from_obj");
		return check_done();
	}
	cfg_set(NULL, MTU);
	CHECK(rx_zone_live(&T.maps, &live) == -ENOENT);
	cases_no_zone();

	if (zone_setup(zdir, image, sizeof(image))) {
		CHECK_MSG(0, "zone setup from %s", zdir);
		return check_done();
	}
	if (rx_image_open(image, &img, e, sizeof(e))) {
		CHECK_MSG(0, "rx_image_open %s: %s", image, e);
		return check_done();
	}
	CHECK_MSG(rx_zone_swap(&T.maps, &img, e, sizeof(e)) == 0, "rx_zone_swap: %s", e);
	CHECK(rx_zone_live(&T.maps, &live) == 0 && live.serial == img.hdr->serial &&
	      live.loaded_ns > 0);
	/* Inner maps carry BTF (typed `bpftool map dump`). */
	{
		__u32 slot = 0, id = 0, zero = 0, len;
		struct bpf_map_info info = {};
		struct rx_ctl c;
		int fd = -1;

		if (!bpf_map_lookup_elem(T.maps.ctl, &zero, &c))
			slot = c.slot;
		if (!bpf_map_lookup_elem(T.maps.resp, &slot, &id))
			fd = bpf_map_get_fd_by_id(id);
		len = sizeof(info);
		CHECK_MSG(fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) && info.btf_id &&
			  info.btf_value_type_id && info.max_entries == img.hdr->nresp,
			  "inner rx_resp map: typed BTF, sized to the image");
		if (fd >= 0)
			close(fd);
	}
	pick_tlds();
	if (!T.signed_tld || !T.unsigned_tld || !T.big_tld) {
		CHECK_MSG(0, "the test zone needs signed and unsigned TLDs");
		return check_done();
	}
	printf("# zone serial %u, signed TLD %s, unsigned TLD %s, most glue %s\n",
	       img.hdr->serial, tld_str(T.signed_tld), tld_str(T.unsigned_tld),
	       tld_str(T.big_tld));

	cases_referral();
	cases_ds();
	cases_nxdomain();
	cases_apex();
	cases_chaos();
	cases_edns();
	cases_size();
	cases_pass_drop();
	cases_formerr();
	cases_cookie();
	{
		/* tests/xdp/csum.c: every checksum of every answer kind */
		int cp = 0, cf = 0;	/* (counted in the shared counters already) */

		csum_cases(T.fd[0], T.fd[1], &T.maps, &img, &cp, &cf);
		cfg_set(NULL, MTU);
	}
	cases_rrl();
	cases_rssac();
	cases_tap();

	/* A second swap (into the other slot) keeps answering the same. */
	{
		struct rx_ctl c0, c1;
		__u32 zero = 0;

		bpf_map_lookup_elem(T.maps.ctl, &zero, &c0);
		CHECK_MSG(rx_zone_swap(&T.maps, &img, e, sizeof(e)) == 0, "second swap: %s", e);
		bpf_map_lookup_elem(T.maps.ctl, &zero, &c1);
		CHECK(c1.slot == (c0.slot ^ 1) && c1.gen == c0.gen + 1);
		cases_ds();
	}
	check_totals();
	rx_image_close(&img);
	rx_maps_close(&T.maps);
	return check_done();
}
