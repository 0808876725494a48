// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_zone.c - libFuzzer target for the zone compiler's input path, in
 * process: zc_read (plain or gzip, told apart by content) -> zc_index ->
 * zc_check -> zc_verify_zonemd (a ZONEMD is not required; no trust anchor,
 * so no DNSSEC validation) -> zc_build, exactly as rootxdp-compile runs
 * them; a zone that passes is written (zc_write) to a private directory,
 * and must then open with rx_image_open and load into rootxdpd
 * (fb_zone_load, from the image's RR table): what the compiler accepts,
 * the readers accept.
 *
 * Input: byte 0 bit 0 set: the rest is gzip-compressed here first (so the
 * mutator works on zone text and the gzip path still reads it); else the
 * rest is the file as is (plain text, or a gzip stream to corrupt).
 * The file reaches zc_read through a memfd (/proc/self/fd/N); nothing is
 * written but the image of an accepted zone, in a directory of its own
 * under /dev/shm (else /tmp), removed at once.
 * ASan/UBSan report memory errors and UB; LeakSanitizer every leak.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sanitizer/lsan_interface.h>
#include <zlib.h>
#include "zc.h"
#include "fb.h"
#include "log.h"
#include "fuzz_common.h"

static int memfd = -1;
static char fdpath[64];
static const char *tmpbase;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	rx_log_max = RX_LOG_ERR;
	tmpbase = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";
	memfd = memfd_create("fuzz_zone", 0);
	if (memfd < 0) {
		fprintf(stderr, "fuzz_zone: memfd_create: %s\n", strerror(errno));
		exit(1);
	}
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", memfd);
	return 0;
}

static int put_file(const uint8_t *p, size_t n)
{
	if (ftruncate(memfd, 0) || pwrite(memfd, p, n, 0) != (ssize_t)n)
		return -1;
	return 0;
}

/* gzip (not zlib) framing, as `gzip` writes it. */
static uint8_t *gzip(const uint8_t *p, size_t n, size_t *out)
{
	z_stream zs;
	size_t cap = n + n / 2 + 64;
	uint8_t *b = malloc(cap);

	if (!b)
		return NULL;
	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(b);
		return NULL;
	}
	zs.next_in = (Bytef *)p;
	zs.avail_in = n;
	zs.next_out = b;
	zs.avail_out = cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&zs);
		free(b);
		return NULL;
	}
	*out = zs.total_out;
	deflateEnd(&zs);
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zc zc;
	int rc;

	if (size < 1 || size > (1 << 20))
		return 0;
	if (data[0] & 1) {
		size_t zn = 0;
		uint8_t *z = gzip(data + 1, size - 1, &zn);

		if (!z)
			return 0;
		rc = put_file(z, zn);
		free(z);
	} else {
		rc = put_file(data + 1, size - 1);
	}
	if (rc)
		fz_fail("memfd write: %s", strerror(errno));

	/* libldns 1.8.3 (Debian 12) leaks every RR it read before a syntax
	 * error inside ldns_zone_new_frm_fp_l() (it frees the partial zone
	 * with ldns_zone_free, not deep): not ours to find.  So a first read
	 * runs with LeakSanitizer off; a file that fails it stops here, one
	 * that reads is read again, with every leak counted. */
	memset(&zc, 0, sizeof(zc));
	__lsan_disable();
	rc = zc_read(&zc, fdpath);
	__lsan_enable();
	if (rc && !zc.err[0])
		fz_fail("zc_read failed without saying why");
	zc_free(&zc);
	if (rc)
		return 0;

	memset(&zc, 0, sizeof(zc));
	zc.now = 1767225600;	/* 2026-01-01: the test zone's signatures are valid */
	if (zc_read(&zc, fdpath) || zc_index(&zc) || zc_check(&zc) ||
	    zc_verify_zonemd(&zc, true) || zc_build(&zc)) {
		if (!zc.err[0])
			fz_fail("a step failed without saying why");
		zc_free(&zc);
		return 0;
	}
	if (zc.nresp == 0 || zc.nchunk == 0)
		fz_fail("zone accepted but no responses built");
	/* A directory of its own for the image (zc_write: NAME.tmp, rename),
	 * removed before the next input. */
	{
		char dir[64], img[128], err[600];
		struct rx_image im;
		struct fb_zone *fz;

		snprintf(dir, sizeof(dir), "%s/rootxdp-fuzz-%d-XXXXXX", tmpbase, (int)getpid());
		if (!mkdtemp(dir))
			fz_fail("mkdtemp %s: %s", dir, strerror(errno));
		snprintf(img, sizeof(img), "%s/root.img", dir);
		/* The RR table is the zone as read, in wire form: nothing a
		 * zone that passed the checks holds can stop zc_write. */
		if (zc_write(&zc, img))
			fz_fail("zc_write of an accepted zone failed: %s", zc.err);
		zc_free(&zc);
		if (rx_image_open(img, &im, err, sizeof(err)))
			fz_fail("the image of an accepted zone does not open: %s", err);
		rx_image_close(&im);
		fz = fb_zone_load(img, err, sizeof(err));
		if (!fz)
			fz_fail("rootxdpd cannot load the image of an accepted zone: %s", err);
		fb_zone_unref(fz);
		unlink(img);
		rmdir(dir);
	}
	return 0;
}
