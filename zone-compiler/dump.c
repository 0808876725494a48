// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * dump.c - `rootxdp-compile --dump IMAGE [--tld NAME]`: the header, counts,
 * sizes and map memory, then the apex responses and one TLD's, each turned
 * into a whole DNS message (header with the full cut's counts, a question,
 * the body with its pointers relocated: RX_FIX_QTLD ones to the question's
 * last label) and printed by ldns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "zc.h"

static const char *when(uint64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t)
		return "-";
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return buf;
}

static void print_resp(const struct rx_image *img, uint32_t idx, const char *label,
		       const char *qname, uint16_t qtype, bool dnssec)
{
	const struct rx_resp *r = &img->resp[idx];
	const struct rx_cut *full = &r->cut[r->ncut - 1];
	ldns_rdf *qn = ldns_dname_new_frm_str(qname);
	uint8_t msg[12 + RX_NAME_MAX + 4 + RX_BODY_MAX + 11];
	unsigned qlen, o = 12, i, tld_off = 0;
	ldns_pkt *pkt = NULL;
	ldns_status st;
	char tb[32];

	printf(";; ---- %s: response %u, %u bytes, %u cuts (req %u: %u bytes), %u pointers\n",
	       label, idx, r->len, r->ncut, r->req, r->cut[r->req].len, r->nfix);
	if (!qn)
		return;
	qlen = ldns_rdf_size(qn);
	memset(msg, 0, 12);
	msg[2] = 0x80 | ((r->flags & RX_RF_AA) ? 0x04 : 0);
	msg[3] = r->rcode & 0x0f;
	msg[5] = 1;
	msg[6] = full->ancount >> 8;
	msg[7] = full->ancount;
	msg[8] = full->nscount >> 8;
	msg[9] = full->nscount;
	msg[10] = (full->arcount + dnssec) >> 8;
	msg[11] = full->arcount + dnssec;
	memcpy(msg + o, ldns_rdf_data(qn), qlen);
	for (i = 0; msg[o + i]; i += msg[o + i] + 1)
		tld_off = i;	/* QNAME's last label, for RX_FIX_QTLD */
	o += qlen;
	msg[o++] = qtype >> 8;
	msg[o++] = qtype;
	msg[o++] = 0;
	msg[o++] = 1;
	rx_image_body(img, r, msg + o);
	for (i = 0; i < r->nfix; i++) {
		uint8_t *p = msg + o + (r->fix[i] & ~RX_FIX_QTLD);
		uint16_t v = (r->fix[i] & RX_FIX_QTLD) ? 0xc000 | (12 + tld_off) :
			     ((p[0] << 8) | p[1]) + qlen + 4;

		p[0] = v >> 8;
		p[1] = v;
	}
	o += r->len;
	if (dnssec) {	/* an OPT with DO so that the printout says so */
		static const uint8_t opt[11] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0 };

		memcpy(msg + o, opt, sizeof(opt));
		o += sizeof(opt);
	}
	st = ldns_wire2pkt(&pkt, msg, o);
	if (st != LDNS_STATUS_OK) {
		printf(";; cannot decode (%s) qtype %s\n", ldns_get_errorstr_by_id(st),
		       zc_type_str(qtype, tb, sizeof(tb)));
	} else {
		ldns_pkt_print(stdout, pkt);
		ldns_pkt_free(pkt);
	}
	ldns_rdf_deep_free(qn);
}

int zc_dump(const char *path, const char *tld, char *err, size_t errlen)
{
	struct rx_image img;
	const struct rx_image_hdr *h;
	const struct rx_meta *m;
	char t1[64], t2[64], tb[32], lab[160];
	uint32_t i;

	if (rx_image_open(path, &img, err, errlen))
		return -1;
	h = img.hdr;
	m = &h->meta;
	printf("image:          %s\n", path);
	printf("format:         version %u, header %u bytes\n", h->version, h->hdr_size);
	printf("serial:         %u\n", h->serial);
	printf("flags:          %s%s\n", (h->flags & RX_IMG_ZONEMD_OK) ? "zonemd-verified " : "",
	       (h->flags & RX_IMG_DNSSEC_OK) ? "dnssec-validated" : "");
	printf("built:          %s\n", when(h->build_time, t1, sizeof(t1)));
	printf("soa timers:     refresh %u retry %u expire %u minimum %u\n", h->soa_refresh,
	       h->soa_retry, h->soa_expire, h->soa_minimum);
	printf("rrsig expires:  %s (earliest served)\n", when(h->sig_expire_min, t2, sizeof(t2)));
	printf("counts:         %u TLDs, %u NSEC, %u responses, %u chunks, %u apex RRsets\n",
	       h->ntld, h->nnsec, h->nresp, h->nchunk, m->napex);
	printf("sizes:          image %zu bytes, RR table %llu bytes (%u RRs)\n",
	       img.size, (unsigned long long)h->rrs_len, h->nrrs);
	printf("map memory:     %llu bytes (resp %zu + blob %llu + tld %llu + nsec %zu)\n",
	       (unsigned long long)zc_map_memory(h->nresp, h->nchunk, h->ntld, h->nnsec),
	       (size_t)h->nresp * sizeof(struct rx_resp),
	       (unsigned long long)h->nchunk * RX_CHUNK,
	       (unsigned long long)h->ntld * (sizeof(struct rx_label) + sizeof(struct rx_tld) + 64),
	       (size_t)h->nnsec * sizeof(struct rx_nsec));
	printf("sha256:         ");
	for (i = 0; i < 32; i++)
		printf("%02x", h->body_sha256[i]);
	printf("\n\n");

	for (i = 0; i < m->napex; i++) {
		zc_type_str(m->apex[i].qtype, tb, sizeof(tb));
		snprintf(lab, sizeof(lab), ". %s", tb);
		print_resp(&img, m->apex[i].resp, lab, ".", m->apex[i].qtype, false);
		snprintf(lab, sizeof(lab), ". %s DO", tb);
		print_resp(&img, m->apex[i].resp_do, lab, ".", m->apex[i].qtype, true);
	}
	print_resp(&img, m->nodata, ". NODATA (TXT)", ".", LDNS_RR_TYPE_TXT, false);
	print_resp(&img, m->nodata_do, ". NODATA (TXT) DO", ".", LDNS_RR_TYPE_TXT, true);

	if (tld) {
		struct rx_label l;
		char name[80];
		size_t n = strlen(tld);

		if (n && tld[n - 1] == '.')
			n--;
		if (!n || n > RX_LABEL_MAX || memchr(tld, '.', n)) {
			snprintf(err, errlen, "--tld %s: give one label, e.g. com", tld);
			rx_image_close(&img);
			return -1;
		}
		rx_label_set(&l, (const uint8_t *)tld, n);
		snprintf(name, sizeof(name), "%.*s.", (int)n, (const char *)l.name);
		for (i = 0; i < h->ntld; i++)
			if (!rx_label_cmp(&img.tld[i].label, &l))
				break;
		if (i < h->ntld) {
			const struct rx_tld *v = &img.tld[i].v;

			snprintf(lab, sizeof(lab), "%s referral (A)", name);
			print_resp(&img, v->ref, lab, name, LDNS_RR_TYPE_A, false);
			snprintf(lab, sizeof(lab), "%s referral (A) DO", name);
			print_resp(&img, v->ref_do, lab, name, LDNS_RR_TYPE_A, true);
			snprintf(lab, sizeof(lab), "%s DS", name);
			print_resp(&img, v->ds, lab, name, LDNS_RR_TYPE_DS, false);
			snprintf(lab, sizeof(lab), "%s DS DO", name);
			print_resp(&img, v->ds_do, lab, name, LDNS_RR_TYPE_DS, true);
		} else {
			uint32_t k = 0;

			for (i = 0; i < h->nnsec; i++)
				if (rx_label_cmp(&img.nsec[i].owner, &l) <= 0)
					k = i;
			printf(";; %s is not a TLD of this zone\n", name);
			snprintf(lab, sizeof(lab), "%s NXDOMAIN", name);
			print_resp(&img, m->nx, lab, name, LDNS_RR_TYPE_A, false);
			snprintf(lab, sizeof(lab), "%s NXDOMAIN DO (NSEC interval %u)", name, k);
			print_resp(&img, img.nsec[k].nx_do, lab, name, LDNS_RR_TYPE_A, true);
		}
	}
	rx_image_close(&img);
	return 0;
}
