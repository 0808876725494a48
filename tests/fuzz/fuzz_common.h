/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fuzz_common.h - what the libFuzzer targets (tests/fuzz/fuzz_*.c) share:
 * the test zone compiled into an image once per process, a DNS message
 * walker that tells what a query asked for (its size limit), and the
 * abort-with-a-reason used for every invariant.  Built by scripts/fuzz.sh.
 */
#ifndef RX_FUZZ_COMMON_H
#define RX_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FZ_IDENT	"fuzz-instance"
#define FZ_VERSION	"rootxdp-fuzz"
#define FZ_PAYLOAD	1232	/* server max-udp-payload in every target */

/* Print "fuzz: invariant: ..." and abort(): libFuzzer saves the input. */
void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Compile the test zone ($RX_ZONE_DIR/root.zone, else build/zones/root.zone,
 * generated with tests/zones/mkzone.sh when missing) with
 * $O/rootxdp-compile --allow-no-zonemd (no trust anchor) into a private
 * temporary directory.  Writes the image path; 0 or -1 (with a message on
 * stderr).  fz_image_done() removes the image and the directory. */
int fz_image(char *path, size_t len);
void fz_image_done(void);

/* A walk over a DNS message (any RR sections, compression allowed). */
struct fz_msg {
	bool ok;		/* header and every counted RR read */
	uint16_t id, qdcount, ancount, nscount, arcount;
	uint8_t f1, f2;		/* header bytes 2, 3 */
	size_t qend;		/* offset after the first question, 0 if none */
	size_t end;		/* offset after the last RR read */
	int nopt;		/* OPT RRs in the additional section */
	bool opt_root;		/* the first OPT is owned by "." */
	uint16_t opt_payload;	/* first OPT's CLASS */
	uint8_t opt_ext_rcode;	/* first OPT's TTL, high byte */
	uint8_t opt_version;
	bool opt_do;
	bool qname_plain;	/* first qname has no compression pointer */
};

void fz_walk(const uint8_t *m, size_t len, struct fz_msg *w);

/* UDP size limit for a query that carried (or not) an OPT with payload p:
 * design.md step 12. */
size_t fz_limit(bool edns, uint16_t payload);

/* cookie-secret of both paths ("0123456789abcdef") */
#define FZ_COOKIE_HEX "30313233343536373839616263646566"

#endif
