/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * zc.h - the zone compiler's internal interface (rootxdp-compile).
 *
 * Pipeline: zc_read() -> zc_index() -> zc_check() -> zc_verify_zonemd()
 * -> zc_verify_dnssec() -> zc_build() -> zc_write().  Every step returns 0
 * or -1 with one line in zc->err saying what is wrong (the caller prefixes
 * "rootxdp-compile: ZONE: ").
 */
#ifndef RX_ZC_H
#define RX_ZC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <ldns/ldns.h>
#include "dname.h"
#include "image.h"

/* One RR of the zone, with its owner lowercased in wire form. */
struct zc_rr {
	ldns_rr *rr;
	uint8_t owner[RX_NAME_MAX + 1];	/* lowercased wire name */
	uint8_t owner_len;
	uint8_t nlabels;		/* 0 = apex */
	uint16_t type;
	uint16_t covered;		/* RRSIG: type covered, else 0 */
	uint8_t *rdata;			/* canonical RDATA (RFC 4034 6.2) */
	uint16_t rdlen;
};

/* A run of zc_rr with the same owner, type (and covered type). */
struct zc_rrset {
	uint32_t first, count;
	uint16_t type, covered;
};

struct zc {
	char err[512];
	int verbose;
	time_t now;

	/* input */
	const char *path;
	char *text;			/* the file, inflated, NUL terminated */
	size_t text_len;
	ldns_zone *zone;
	ldns_rr *soa;			/* ldns_zone_soa(zone) */

	/* index, canonical order (RFC 4034 6.1 / 6.3), duplicates removed */
	struct zc_rr *rrs;
	uint32_t nrrs;
	struct zc_rrset *sets;
	uint32_t nsets;

	bool signed_zone;		/* apex DNSKEY present */
	bool has_nsec;
	bool has_zonemd;
	uint32_t serial, refresh, retry, expire, minimum, soa_ttl;
	uint32_t flags;			/* RX_IMG_* */
	uint32_t sig_expire_min;

	/* output (zc_build) */
	struct rx_resp *resp;
	uint32_t nresp, resp_cap;
	struct rx_chunk *chunk;
	uint32_t nchunk, chunk_cap;
	struct rx_image_tld *tld;
	uint32_t ntld;
	struct rx_nsec *nsec;
	uint32_t nnsec;
	struct rx_meta meta;
	void *dedup;			/* answers.c private */
};

int zc_err(struct zc *zc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* zone_read.c */
int zc_read(struct zc *zc, const char *path);
int zc_index(struct zc *zc);
void zc_free(struct zc *zc);
const struct zc_rrset *zc_find(const struct zc *zc, const uint8_t *owner,
			       uint16_t type, uint16_t covered);
void zc_name_lower(uint8_t *dst, const uint8_t *src, unsigned len);
/* The TLD label of a name (nlabels >= 1): pointer to its length byte. */
const uint8_t *zc_name_tld(const uint8_t *wire);
bool zc_name_under(const uint8_t *name, const uint8_t *parent);	/* at or below */
char *zc_name_str(const uint8_t *wire, char *buf, size_t len);
const char *zc_type_str(uint16_t type, char *buf, size_t len);

/* checks.c */
int zc_check(struct zc *zc);
#include "serial.h"	/* rx_serial_newer(), RFC 1982 */

/* verify.c */
int zc_verify_zonemd(struct zc *zc, bool allow_none);
int zc_verify_dnssec(struct zc *zc, const char *anchor_path);

/* answers.c */
int zc_build(struct zc *zc);

/* build.c */
int zc_write(struct zc *zc, const char *out);
uint64_t zc_map_memory(uint32_t nresp, uint32_t nchunk, uint32_t ntld, uint32_t nnsec);

/* dump.c */
int zc_dump(const char *image, const char *tld, char *err, size_t errlen);

#endif
