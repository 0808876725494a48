/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * image.h - the compiled zone image: one file, written by rootxdp-compile,
 * read by the loader (into the BPF maps) and by rootxdpd (to answer).
 *
 * Layout (integers host byte order, little endian, except inside the RR
 * table, which is DNS wire form and so big endian; sections 8-aligned):
 *   struct rx_image_hdr
 *   resp   [nresp]   struct rx_resp        precomputed response bodies
 *   chunk  [nchunk]  struct rx_chunk       their bytes
 *   tld    [ntld]    struct rx_image_tld   sorted by label (canonical order)
 *   nsec   [nnsec]   struct rx_nsec        sorted, index 0 = apex
 *   rrs    [rrs_len] bytes                 the RR table: every RR of the zone
 *                                          in DNS wire form, rootxdpd's order
 * body_sha256 covers every byte after the header.  docs/design.md ("The RR
 * table") describes the rrs section byte by byte.
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
/* 3: rx_resp.csum, per-cut body sums.
 * 4: the RR table (off_rrs, rrs_len, nrrs) replaces the zlib zone text:
 *    rootxdpd serves from it without parsing a zone. */
#define RX_IMAGE_VERSION	4

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
	uint32_t ntld, nnsec, nresp, nchunk;
	uint32_t nrrs;		/* RRs in the RR table */
	uint64_t off_resp, off_chunk, off_tld, off_nsec, off_rrs;
	uint64_t rrs_len;	/* bytes of the RR table */
	uint64_t zone_len;	/* bytes of the zone file compiled (inflated):
				 * RSSAC002 zone-size */
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
	const uint8_t *rrs;	/* the RR table, hdr->rrs_len bytes */
};

/* One RR of the RR table, decoded: pointers into the table, integers in
 * host order.  owner and the names in rdata are uncompressed, case as in
 * the zone file. */
struct rx_image_rr {
	const uint8_t *owner;
	const uint8_t *rdata;
	uint32_t ttl;
	uint16_t type, rclass, rdlen;
	uint16_t covered;	/* RRSIG: the type covered, else 0 */
	uint8_t owner_len;
};

/* Read and validate an image: magic, version, sizes, every section in
 * bounds, every rx_resp/rx_tld/rx_nsec index in range, every RR of the RR
 * table well formed and in order, SHA-256.
 * On failure returns -errno-like negative and writes one line to err. */
int rx_image_open(const char *path, struct rx_image *img, char *err, size_t errlen);
void rx_image_close(struct rx_image *img);

/* Decode the RR at p of a validated RR table; returns its size in bytes.
 * Walk the table from img->rrs, hdr->nrrs times. */
size_t rx_image_rr_get(const uint8_t *p, struct rx_image_rr *rr);

/* The RR table's order: owner (RFC 4034 6.1, ASCII case-insensitive), then
 * the RRset's type where an RRSIG counts as the type it covers and comes
 * right after that RRset, then RDATA as bytes (RFC 4034 6.3 on the RDATA
 * as the zone has it), a prefix first.  <0, 0 (the same RR), >0. */
int rx_image_rr_cmp(const struct rx_image_rr *a, const struct rx_image_rr *b);

/* Append rr in table form (RFC 1035 4.1.3, uncompressed) to out, which
 * has room for at least 2 + 255 + 10 + rr->rdlen bytes: size written. */
size_t rx_image_rr_put(uint8_t *out, const struct rx_image_rr *rr);

/* Copy of a response body's bytes (resp->len bytes) into out. */
void rx_image_body(const struct rx_image *img, const struct rx_resp *r, uint8_t *out);

/* Writer used by rootxdp-compile: fills offsets, sizes and hash, writes to
 * path.tmp then renames.  hdr fields serial/flags/soa_* /meta/counts
 * (nrrs included) are the caller's; rrs is the RR table, sorted. */
int rx_image_write(const char *path, struct rx_image_hdr *hdr,
		   const struct rx_resp *resp, const struct rx_chunk *chunk,
		   const struct rx_image_tld *tld, const struct rx_nsec *nsec,
		   const uint8_t *rrs, size_t rrs_len, char *err, size_t errlen);

/* Lowercase a wire label into a zero-padded rx_label. */
void rx_label_set(struct rx_label *l, const uint8_t *label, unsigned len);
/* Canonical order of two rx_labels (RFC 4034 6.1): <0, 0, >0. */
int rx_label_cmp(const struct rx_label *a, const struct rx_label *b);

#endif
