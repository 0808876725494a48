// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * build.c - assemble the image: header, the responses zc_build() made, and
 * the RR table rootxdpd serves everything else from.  rx_image_write()
 * does tmp + fsync + rename.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "zc.h"

uint64_t zc_map_memory(uint32_t nresp, uint32_t nchunk, uint32_t ntld, uint32_t nnsec)
{
	/* what the loader allocates: arrays, plus ~64 bytes per hash entry */
	return (uint64_t)nresp * sizeof(struct rx_resp) + (uint64_t)nchunk * RX_CHUNK +
	       (uint64_t)ntld * (sizeof(struct rx_label) + sizeof(struct rx_tld) + 64) +
	       (uint64_t)nnsec * sizeof(struct rx_nsec);
}

/* The RR table (image.h, docs/design.md "The RR table"): every RR of the
 * zone as the file has it (owner and RDATA names in the file's case, not
 * canonicalised), in rx_image_rr_cmp() order.  zc->rrs holds the zone
 * without duplicates (canonical comparison, coarser than the table's), so
 * no two RRs of the table compare equal. */
struct table_rr {
	struct rx_image_rr rr;
	uint8_t *rd;
};

static int table_rr_cmp(const void *pa, const void *pb)
{
	return rx_image_rr_cmp(&((const struct table_rr *)pa)->rr,
			       &((const struct table_rr *)pb)->rr);
}

static int rr_table(struct zc *zc, uint8_t **out, size_t *out_len)
{
	struct table_rr *t = calloc(zc->nrrs ? zc->nrrs : 1, sizeof(*t));
	ldns_buffer *wb = ldns_buffer_new(4096);
	size_t len = 0, pos = 0;
	uint8_t *buf = NULL;
	uint32_t i;
	int rc = -1;

	if (!t || !wb) {
		zc_err(zc, "out of memory building the RR table");
		goto out;
	}
	for (i = 0; i < zc->nrrs; i++) {
		ldns_rr *rr = zc->rrs[i].rr;
		ldns_rdf *o = ldns_rr_owner(rr);
		struct rx_image_rr *r = &t[i].rr;

		ldns_buffer_clear(wb);
		if (ldns_rr_rdata2buffer_wire(wb, rr) != LDNS_STATUS_OK ||
		    ldns_buffer_position(wb) > 65535) {
			zc_err(zc, "cannot encode an RR of the zone");
			goto out;
		}
		r->rdlen = ldns_buffer_position(wb);
		t[i].rd = malloc(r->rdlen ? r->rdlen : 1);
		if (!t[i].rd) {
			zc_err(zc, "out of memory building the RR table");
			goto out;
		}
		memcpy(t[i].rd, ldns_buffer_begin(wb), r->rdlen);
		r->rdata = t[i].rd;
		r->owner = ldns_rdf_data(o);
		r->owner_len = ldns_rdf_size(o);	/* <= 255: zc_index checked */
		r->type = ldns_rr_get_type(rr);
		r->rclass = ldns_rr_get_class(rr);
		r->ttl = ldns_rr_ttl(rr);
		r->covered = r->type == LDNS_RR_TYPE_RRSIG && r->rdlen >= 2 ?
			     (r->rdata[0] << 8 | r->rdata[1]) : 0;	/* as rx_image_rr_get() */
		len += r->owner_len + 10 + r->rdlen;
	}
	qsort(t, zc->nrrs, sizeof(*t), table_rr_cmp);
	buf = malloc(len ? len : 1);
	if (!buf) {
		zc_err(zc, "out of memory building the RR table");
		goto out;
	}
	for (i = 0; i < zc->nrrs; i++) {
		if (i && !rx_image_rr_cmp(&t[i - 1].rr, &t[i].rr)) {
			zc_err(zc, "two RRs of the zone are the same RR in the RR table");
			goto out;
		}
		pos += rx_image_rr_put(buf + pos, &t[i].rr);
	}
	*out = buf;
	*out_len = pos;
	buf = NULL;
	rc = 0;
out:
	for (i = 0; t && i < zc->nrrs; i++)
		free(t[i].rd);
	free(t);
	free(buf);
	if (wb)
		ldns_buffer_free(wb);
	return rc;
}

int zc_write(struct zc *zc, const char *out)
{
	struct rx_image_hdr hdr;
	uint8_t *rrs = NULL;
	size_t rrs_len = 0;
	int rc = -1;

	if (rr_table(zc, &rrs, &rrs_len))
		goto out;
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
	hdr.nrrs = zc->nrrs;
	hdr.zone_len = zc->text_len;
	hdr.meta = zc->meta;
	if (rx_image_write(out, &hdr, zc->resp, zc->chunk, zc->tld, zc->nsec, rrs, rrs_len,
			   zc->err, sizeof(zc->err)))
		goto out;
	rc = 0;
out:
	free(rrs);
	return rc;
}
