/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * image.h - the compiled zone image: one file, written by rootxdp-compile,
 * read by the loader (into the BPF maps) and by rootxdpd (to answer).
 *
 * Layout (all integers host byte order, little endian; sections 8-aligned):
 *   struct rx_image_hdr
 *   resp   [nresp]   struct rx_resp        precomputed response bodies
 *   chunk  [nchunk]  struct rx_chunk       their bytes
 *   tld    [ntld]    struct rx_image_tld   sorted by label (canonical order)
 *   nsec   [nnsec]   struct rx_nsec        sorted, index 0 = apex
 *   zone   [zone_zlen] bytes               zlib stream of the zone as text
 * body_sha256 covers every byte after the header.
 */
#ifndef RX_IMAGE_H
#define RX_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include "rootxdp.h"

#define RX_IMAGE_MAGIC		"RXIMAGE\x1a"	/* 8 bytes */
/* 2: fix[] entries may carry RX_FIX_QTLD (pointers to the question's TLD),
 * which a version 1 reader would relocate wrongly; readers take their own
 * version only, so images and binaries are rebuilt together. */
#define RX_IMAGE_VERSION	3	/* 3: rx_resp.csum, per-cut body sums */

#define RX_IMG_ZONEMD_OK	0x01	/* ZONEMD present and verified */
#define RX_IMG_DNSSEC_OK	0x02	/* validated against a trust anchor */

struct rx_image_tld {
	struct rx_label label;
	struct rx_tld v;
};

struct rx_image_hdr {
	char     magic[8];
	uint32_t version;
	uint32_t hdr_size;	/* sizeof(struct rx_image_hdr) */
	uint32_t serial;
	uint32_t flags;		/* RX_IMG_* */
	uint64_t build_time;	/* unix seconds */
	uint32_t soa_refresh, soa_retry, soa_expire, soa_minimum;
	uint32_t sig_expire_min; /* earliest RRSIG expiration served (unix s), 0 if unsigned */
	uint32_t ntld, nnsec, nresp, nchunk, pad;
	uint64_t off_resp, off_chunk, off_tld, off_nsec, off_zone;
	uint64_t zone_zlen;	/* compressed */
	uint64_t zone_len;	/* inflated text */
	uint64_t body_size;	/* bytes after the header */
	uint8_t  body_sha256[32];
	struct rx_meta meta;	/* as the loader writes it; meta.sha256 = body_sha256 */
};

struct rx_image {
	void *base;		/* whole file (malloc'd) */
	size_t size;
	const struct rx_image_hdr *hdr;
	const struct rx_resp *resp;
	const struct rx_chunk *chunk;
	const struct rx_image_tld *tld;
	const struct rx_nsec *nsec;
	const uint8_t *zone_z;
};

/* Read and validate an image: magic, version, sizes, every section in
 * bounds, every rx_resp/rx_tld/rx_nsec index in range, SHA-256.
 * On failure returns -errno-like negative and writes one line to err. */
int rx_image_open(const char *path, struct rx_image *img, char *err, size_t errlen);
void rx_image_close(struct rx_image *img);

/* Inflate the zone text (NUL terminated, caller frees). */
int rx_image_zone_text(const struct rx_image *img, char **text, size_t *len,
		       char *err, size_t errlen);

/* Copy of a response body's bytes (resp->len bytes) into out. */
void rx_image_body(const struct rx_image *img, const struct rx_resp *r, uint8_t *out);

/* Writer used by rootxdp-compile: fills offsets, sizes and hash, writes to
 * path.tmp then renames.  hdr fields serial/flags/soa_* /meta are the caller's. */
int rx_image_write(const char *path, struct rx_image_hdr *hdr,
		   const struct rx_resp *resp, const struct rx_chunk *chunk,
		   const struct rx_image_tld *tld, const struct rx_nsec *nsec,
		   const uint8_t *zone_z, size_t zone_zlen, size_t zone_len,
		   char *err, size_t errlen);

/* Lowercase a wire label into a zero-padded rx_label. */
void rx_label_set(struct rx_label *l, const uint8_t *label, unsigned len);
/* Canonical order of two rx_labels (RFC 4034 6.1): <0, 0, >0. */
int rx_label_cmp(const struct rx_label *a, const struct rx_label *b);

#endif
