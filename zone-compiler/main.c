// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rootxdp-compile: zone file (plain or gzip) -> verified, compiled image.
 * Exit 0 ok, 1 zone refused (one line naming the zone and the reason),
 * 2 usage.  A refused zone never leaves an image behind.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "log.h"
#include "zc.h"

#ifndef RX_VERSION
#define RX_VERSION "0"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rootxdp-compile [options] -o IMAGE ZONE\n"
		"       rootxdp-compile --check [options] ZONE\n"
		"       rootxdp-compile --dump IMAGE [--tld NAME]\n"
		"       rootxdp-compile --print-serial ZONE\n"
		"options:\n"
		"  -o, --output IMAGE       write the image here (IMAGE.tmp, then rename)\n"
		"  -a, --trust-anchor FILE  DS or DNSKEY RRs for \".\": validate DNSSEC\n"
		"      --now TIME           validation time: unix seconds or YYYYMMDDhhmmss (UTC)\n"
		"      --allow-no-zonemd    accept a zone without a usable ZONEMD\n"
		"      --min-serial N       refuse a serial not newer than N (RFC 1982)\n"
		"      --previous IMAGE     refuse a serial not newer than IMAGE's\n"
		"  -c, --check              run every check, write nothing\n"
		"  -d, --dump IMAGE         describe an image and decode its responses\n"
		"      --tld NAME           with --dump: also that TLD's responses\n"
		"      --print-serial       read ZONE, print its SOA serial, check nothing else\n"
		"  -v, --verbose            say what is done and how long it takes\n"
		"  -h, --help               this text\n"
		"  -V, --version            print the version\n");
}

static int parse_now(const char *s, time_t *out)
{
	size_t n = strlen(s), i;
	struct tm tm;
	char *end;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	if (n == 14) {
		memset(&tm, 0, sizeof(tm));
		if (sscanf(s, "%4d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
			return -1;
		if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
		    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
			return -1;
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		*out = timegm(&tm);
		return 0;
	}
	if (n == 0 || n > 11)
		return -1;
	errno = 0;
	*out = (time_t)strtoll(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

enum { O_NOW = 256, O_ALLOW, O_MINSER, O_PREV, O_TLD, O_SERIAL };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "trust-anchor", required_argument, NULL, 'a' },
		{ "now", required_argument, NULL, O_NOW },
		{ "allow-no-zonemd", no_argument, NULL, O_ALLOW },
		{ "min-serial", required_argument, NULL, O_MINSER },
		{ "previous", required_argument, NULL, O_PREV },
		{ "check", no_argument, NULL, 'c' },
		{ "dump", required_argument, NULL, 'd' },
		{ "tld", required_argument, NULL, O_TLD },
		{ "print-serial", no_argument, NULL, O_SERIAL },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *out = NULL, *anchor = NULL, *previous = NULL, *dump = NULL, *tld = NULL;
	const char *zone;
	bool check = false, allow_no_zonemd = false, have_min = false, print_serial = false;
	uint32_t min_serial = 0;
	struct timespec t0, ts;
	struct zc zc;
	int c, verbose = 0;

	memset(&zc, 0, sizeof(zc));
	rx_prog = "rootxdp-compile";
	zc.now = time(NULL);
	while ((c = getopt_long(argc, argv, "o:a:cd:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'a':
			anchor = optarg;
			break;
		case O_NOW:
			if (parse_now(optarg, &zc.now)) {
				rx_err("--now %s: give unix seconds or YYYYMMDDhhmmss", optarg);
				return 2;
			}
			break;
		case O_ALLOW:
			allow_no_zonemd = true;
			break;
		case O_MINSER: {
			char *end;
			unsigned long long v;

			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno || *end || !*optarg || v > 0xffffffffull) {
				rx_err("--min-serial %s: not a 32-bit serial number", optarg);
				return 2;
			}
			min_serial = v;
			have_min = true;
			break;
		}
		case O_PREV:
			previous = optarg;
			break;
		case 'c':
			check = true;
			break;
		case 'd':
			dump = optarg;
			break;
		case O_TLD:
			tld = optarg;
			break;
		case O_SERIAL:
			print_serial = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("rootxdp-compile %s\n", RX_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (verbose)
		rx_log_max = verbose > 1 ? RX_LOG_DEBUG : RX_LOG_INFO;
	else
		rx_log_max = RX_LOG_WARN;

	if (dump) {
		if (optind != argc || check || out) {
			rx_err("--dump takes one IMAGE and no zone, --check or -o");
			return 2;
		}
		if (zc_dump(dump, tld, zc.err, sizeof(zc.err))) {
			rx_err("%s", zc.err);
			return 1;
		}
		return 0;
	}
	if (tld) {
		rx_err("--tld goes with --dump");
		return 2;
	}
	if (optind != argc - 1) {
		rx_err(optind < argc ? "give exactly one ZONE" : "no ZONE given");
		usage(stderr);
		return 2;
	}
	zone = argv[optind];
	if (print_serial) {
		/* `rootxdp refresh` asks before compiling: the same serial is a
		 * no-op.  The zone is read by the one reader (zone_text.c). */
		if (check || out) {
			rx_err("--print-serial writes nothing: drop -o and --check");
			return 2;
		}
		if (zc_read(&zc, zone) || !zc.soa || ldns_rr_rd_count(zc.soa) != 7) {
			rx_err("%s: %s", zone, zc.err[0] ? zc.err :
			       zc.soa ? "SOA record is malformed" : "no SOA record");
			zc_free(&zc);
			return 1;
		}
		printf("%u\n", ldns_rdf2native_int32(ldns_rr_rdf(zc.soa, 2)));
		zc_free(&zc);
		return 0;
	}
	if (!check && !out) {
		rx_err("no output: give -o IMAGE, or --check");
		return 2;
	}
	if (check && out) {
		rx_err("--check writes nothing: drop -o");
		return 2;
	}
	if (have_min && previous) {
		rx_err("give --min-serial or --previous, not both");
		return 2;
	}
	if (previous) {
		struct rx_image img;

		if (rx_image_open(previous, &img, zc.err, sizeof(zc.err))) {
			rx_err("--previous: %s", zc.err);
			return 1;
		}
		min_serial = img.hdr->serial;
		have_min = true;
		rx_image_close(&img);
	}
	zc.verbose = verbose;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ts = t0;
#define STEP(call, what)							\
	do {									\
		if (call) {							\
			rx_err("%s: %s", zone, zc.err);				\
			zc_free(&zc);						\
			return 1;						\
		}								\
		rx_info("%s: %s (%.3f s)", zone, what, since(&ts));		\
		clock_gettime(CLOCK_MONOTONIC, &ts);				\
	} while (0)

	STEP(zc_read(&zc, zone), "read and parsed");
	STEP(zc_index(&zc), "indexed");
	STEP(zc_check(&zc), "structure checked");
	if (have_min && !rx_serial_newer(zc.serial, min_serial)) {
		rx_err("%s: serial %u is not newer than %u (RFC 1982)", zone, zc.serial, min_serial);
		zc_free(&zc);
		return 1;
	}
	/* RFC 8976 4: DNSSEC first (the ZONEMD RRset is itself signed), then
	 * the digest over the data. */
	if (anchor)
		STEP(zc_verify_dnssec(&zc, anchor), "DNSSEC validated");
	else if (zc.signed_zone)
		rx_info("%s: no --trust-anchor: signatures not validated", zone);
	STEP(zc_verify_zonemd(&zc, allow_no_zonemd),
	     zc.has_zonemd ? "ZONEMD verified" : "no ZONEMD (allowed)");
	STEP(zc_build(&zc), "responses built");
	if (check) {
		printf("%s: serial %u ok: %u TLDs, %u responses, map memory %llu bytes (checked, nothing written)\n",
		       zone, zc.serial, zc.ntld, zc.nresp,
		       (unsigned long long)zc_map_memory(zc.nresp, zc.nchunk, zc.ntld, zc.nnsec));
		zc_free(&zc);
		return 0;
	}
	STEP(zc_write(&zc, out), "image written");
	{
		struct rx_image img;
		size_t size = 0;

		/* read it back: what the loader will check, checked now */
		if (rx_image_open(out, &img, zc.err, sizeof(zc.err))) {
			rx_err("%s: written image does not read back: %s", zone, zc.err);
			unlink(out);
			zc_free(&zc);
			return 1;
		}
		size = img.size;
		rx_image_close(&img);
		printf("%s: serial %u, %u TLDs, %u responses, image %zu bytes, map memory %llu bytes (%.2f s)\n",
		       out, zc.serial, zc.ntld, zc.nresp, size,
		       (unsigned long long)zc_map_memory(zc.nresp, zc.nchunk, zc.ntld, zc.nnsec),
		       since(&t0));
	}
	zc_free(&zc);
	return 0;
}
