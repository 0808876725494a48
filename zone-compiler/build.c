// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * build.c - assemble the image: header, the responses zc_build() made, and
 * the zone as text (SOA first, then canonical order), zlib-compressed, for
 * rootxdpd.  rx_image_write() does tmp + fsync + rename.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>
#include "zc.h"
#include "zone_text.h"

uint64_t zc_map_memory(uint32_t nresp, uint32_t nchunk, uint32_t ntld, uint32_t nnsec)
{
	/* what the loader allocates: arrays, plus ~64 bytes per hash entry */
	return (uint64_t)nresp * sizeof(struct rx_resp) + (uint64_t)nchunk * RX_CHUNK +
	       (uint64_t)ntld * (sizeof(struct rx_label) + sizeof(struct rx_tld) + 64) +
	       (uint64_t)nnsec * sizeof(struct rx_nsec);
}

static int append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > *cap) {
		size_t nc = *cap ? *cap * 2 : 1 << 20;
		char *nb;

		while (nc < *len + n + 1)
			nc *= 2;
		nb = realloc(*buf, nc);
		if (!nb)
			return -1;
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
	return 0;
}

/*
 * rootxdpd reads the zone back from this text: refuse a zone whose
 * presentation form does not read back to the very same RRs (ldns prints
 * some names it cannot parse again; found by tests/fuzz), rather than
 * ship an image the daemon would refuse.  Same reader as the daemon's.
 */
static int check_round_trip(struct zc *zc, char *text, size_t len)
{
	ldns_rr_list *list;
	ldns_zone *back = NULL;
	char why[512];
	size_t i, n;
	FILE *fp;
	int rc = -1;

	fp = fmemopen(text, len, "r");
	if (!fp)
		return zc_err(zc, "fmemopen: %s", strerror(errno));
	if (rx_zone_parse(fp, &back, why, sizeof(why))) {
		zc_err(zc, "the zone does not read back from its own text (%s): a name or "
		       "RDATA ldns cannot print faithfully", why);
		goto out;
	}
	list = ldns_zone_rrs(back);
	n = ldns_rr_list_rr_count(list);
	if (!ldns_zone_soa(back) || ldns_rr_compare(ldns_zone_soa(back), zc->soa) ||
	    n + 1 != (size_t)zc->nrrs + (zc->soa ? 0 : 1)) {
		zc_err(zc, "the zone does not read back from its own text (SOA or RR count "
		       "differs)");
		goto out;
	}
	for (i = 0, n = 0; i < zc->nrrs; i++) {
		ldns_rr *want = zc->rrs[i].rr;

		if (want == zc->soa)
			continue;
		if (ldns_rr_compare(ldns_rr_list_rr(list, n), want)) {
			char *s = ldns_rr2str(want);

			zc_err(zc, "record '%.200s' does not read back from its presentation form",
			       s ? strtok(s, "\n") : "?");
			free(s);
			goto out;
		}
		n++;
	}
	rc = 0;
out:
	fclose(fp);
	if (back)
		ldns_zone_deep_free(back);
	return rc;
}

int zc_write(struct zc *zc, const char *out)
{
	struct rx_image_hdr hdr;
	char *text = NULL;
	size_t len = 0, cap = 0;
	uint8_t *z = NULL;
	uLongf zlen;
	uint32_t i;
	int rc = -1;

	/* SOA first: rootxdpd (and ldns) read the zone text in one pass */
	for (i = 0; i < zc->nrrs + 1; i++) {
		ldns_rr *rr;
		char *s;

		if (i == 0)
			rr = zc->soa;
		else if (zc->rrs[i - 1].rr == zc->soa)
			continue;
		else
			rr = zc->rrs[i - 1].rr;
		s = ldns_rr2str(rr);
		if (!s || append(&text, &len, &cap, s)) {
			free(s);
			zc_err(zc, "out of memory writing the zone text");
			goto out;
		}
		free(s);
	}
	if (check_round_trip(zc, text, len))
		goto out;
	zlen = compressBound(len);
	z = malloc(zlen);
	if (!z || compress2(z, &zlen, (const Bytef *)text, len, 6) != Z_OK) {
		zc_err(zc, "cannot compress the zone text");
		goto out;
	}

	memset(&hdr, 0, sizeof(hdr));
	hdr.serial = zc->serial;
	hdr.flags = zc->flags;
	hdr.build_time = time(NULL);
	hdr.soa_refresh = zc->refresh;
	hdr.soa_retry = zc->retry;
	hdr.soa_expire = zc->expire;
	hdr.soa_minimum = zc->minimum;
	hdr.sig_expire_min = zc->sig_expire_min;
	hdr.ntld = zc->ntld;
	hdr.nnsec = zc->nnsec;
	hdr.nresp = zc->nresp;
	hdr.nchunk = zc->nchunk;
	hdr.meta = zc->meta;
	if (rx_image_write(out, &hdr, zc->resp, zc->chunk, zc->tld, zc->nsec, z, zlen, len,
			   zc->err, sizeof(zc->err)))
		goto out;
	rc = 0;
out:
	free(text);
	free(z);
	return rc;
}
