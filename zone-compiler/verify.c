// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * verify.c - ZONEMD (RFC 8976) and DNSSEC checks of the whole zone.
 *
 * ZONEMD: ldns 1.8.3's ldns_dnssec_zone_verify_zonemd() does RFC 8976
 * SIMPLE with SHA-384 and SHA-512 (it was checked against the IANA-style
 * testsigned root zone and a zone with one glue address changed).  It
 * returns OK when the zone has no ZONEMD at all, so presence, serial and
 * scheme/hash support are checked here first.
 *
 * DNSSEC: the apex DNSKEY RRset must verify with a key that the trust
 * anchor (DS or DNSKEY RRs) names; then every RRSIG in the zone (they are
 * all served: checks.c allows RRSIGs only at the apex and over DS/NSEC at
 * TLDs) must verify with the apex DNSKEYs at --now, and every RRset the
 * DO answers carry must have a signature.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "zc.h"

static const uint8_t root[1] = { 0 };

static ldns_status add_clone(ldns_dnssec_zone *dz, const ldns_rr *rr)
{
	ldns_rr *c = ldns_rr_clone(rr);
	ldns_status st;

	if (!c)
		return LDNS_STATUS_MEM_ERR;
	st = ldns_dnssec_zone_add_rr(dz, c);
	if (st != LDNS_STATUS_OK)
		ldns_rr_free(c);
	return st;
}

int zc_verify_zonemd(struct zc *zc, bool allow_none)
{
	const struct zc_rrset *s = zc_find(zc, root, LDNS_RR_TYPE_ZONEMD, 0);
	ldns_dnssec_zone *dz = NULL;
	bool usable = false, serial_ok = false;
	ldns_status st;
	uint32_t i;

	if (!s) {
		if (allow_none)
			return 0;
		return zc_err(zc, "no ZONEMD record at the apex (RFC 8976); use --allow-no-zonemd to accept the zone without a digest");
	}
	for (i = 0; i < s->count; i++) {
		ldns_rr *rr = zc->rrs[s->first + i].rr;
		uint8_t scheme, hash;

		if (ldns_rr_rd_count(rr) != 4)
			continue;
		scheme = ldns_rdf2native_int8(ldns_rr_rdf(rr, 1));
		hash = ldns_rdf2native_int8(ldns_rr_rdf(rr, 2));
		if (scheme != 1 || (hash != 1 && hash != 2))
			continue;	/* RFC 8976 4: unsupported ones are skipped */
		usable = true;
		if (ldns_rdf2native_int32(ldns_rr_rdf(rr, 0)) == zc->serial)
			serial_ok = true;
	}
	if (!usable) {
		if (allow_none)
			return 0;
		return zc_err(zc, "ZONEMD present but none uses scheme SIMPLE with SHA-384 or SHA-512; use --allow-no-zonemd to accept the zone without a digest");
	}
	if (!serial_ok)
		return zc_err(zc, "ZONEMD serial does not match the SOA serial %u (RFC 8976 4.1)",
			      zc->serial);

	/* From the RRs already read, not by parsing the text again: libldns
	 * 1.8.3's ldns_dnssec_zone_new_frm_fp_l() goes through its zone reader,
	 * which leaks (and worse, zone_text.c) on inputs ours refuses. */
	/* zc->rrs: the SOA included, duplicates removed (ldns would drop a
	 * duplicate silently, and our clone with it). */
	dz = ldns_dnssec_zone_new();
	st = dz ? LDNS_STATUS_OK : LDNS_STATUS_MEM_ERR;
	for (i = 0; st == LDNS_STATUS_OK && i < zc->nrrs; i++)
		st = add_clone(dz, zc->rrs[i].rr);
	if (st != LDNS_STATUS_OK) {
		ldns_dnssec_zone_deep_free(dz);
		return zc_err(zc, "ZONEMD: cannot load the zone for digesting: %s",
			      ldns_get_errorstr_by_id(st));
	}
	st = ldns_dnssec_zone_verify_zonemd(dz);
	ldns_dnssec_zone_deep_free(dz);
	if (st != LDNS_STATUS_OK)
		return zc_err(zc, "ZONEMD verification failed: %s (the zone data does not match its digest)",
			      ldns_get_errorstr_by_id(st));
	zc->flags |= RX_IMG_ZONEMD_OK;
	return 0;
}

static int read_anchor(struct zc *zc, const char *path, ldns_rr_list *anchors)
{
	ldns_rdf *origin = NULL, *prev = NULL;
	uint32_t ttl = 3600;
	int line = 1;
	FILE *fp = fopen(path, "r");

	if (!fp)
		return zc_err(zc, "trust anchor %s: %s", path, strerror(errno));
	origin = ldns_dname_new_frm_str(".");
	for (;;) {
		ldns_rr *rr = NULL;
		ldns_status st = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);

		if (st == LDNS_STATUS_SYNTAX_EMPTY || st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN || st == LDNS_STATUS_SYNTAX_INCLUDE) {
			if (feof(fp))
				break;
			continue;
		}
		if (st != LDNS_STATUS_OK) {
			if (feof(fp) && st == LDNS_STATUS_SYNTAX_ERR)
				break;
			fclose(fp);
			ldns_rdf_deep_free(origin);
			ldns_rdf_deep_free(prev);
			return zc_err(zc, "trust anchor %s: line %d: %s", path, line,
				      ldns_get_errorstr_by_id(st));
		}
		if ((ldns_rr_get_type(rr) == LDNS_RR_TYPE_DS ||
		     ldns_rr_get_type(rr) == LDNS_RR_TYPE_DNSKEY) &&
		    ldns_rdf_size(ldns_rr_owner(rr)) == 1)
			ldns_rr_list_push_rr(anchors, rr);
		else
			ldns_rr_free(rr);
	}
	fclose(fp);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	if (!ldns_rr_list_rr_count(anchors))
		return zc_err(zc, "trust anchor %s: no DS or DNSKEY record for \".\"", path);
	return 0;
}

static ldns_rr_list *rrset_list(const struct zc *zc, const struct zc_rrset *s)
{
	ldns_rr_list *l = ldns_rr_list_new();
	uint32_t i;

	for (i = 0; l && i < s->count; i++)
		ldns_rr_list_push_rr(l, zc->rrs[s->first + i].rr);
	return l;
}

static int need_sig(struct zc *zc, const uint8_t *owner, uint16_t type)
{
	char nb[1024], tb[32];

	if (!zc_find(zc, owner, type, 0) || zc_find(zc, owner, LDNS_RR_TYPE_RRSIG, type))
		return 0;
	return zc_err(zc, "%s %s: no RRSIG, but the zone is signed",
		      zc_name_str(owner, nb, sizeof(nb)), zc_type_str(type, tb, sizeof(tb)));
}

int zc_verify_dnssec(struct zc *zc, const char *anchor_path)
{
	const struct zc_rrset *keys_set, *ksig;
	ldns_rr_list *anchors = ldns_rr_list_new(), *keys = NULL, *trusted = NULL;
	ldns_rr_list *rrset = NULL;
	ldns_status first_err = LDNS_STATUS_OK;
	char nb[1024], tb[32];
	uint32_t i, j;
	int rc = -1;

	if (!anchors)
		return zc_err(zc, "out of memory");
	if (read_anchor(zc, anchor_path, anchors))
		goto out;
	keys_set = zc_find(zc, root, LDNS_RR_TYPE_DNSKEY, 0);
	if (!keys_set) {
		zc_err(zc, "a trust anchor was given but the zone has no DNSKEY at the apex");
		goto out;
	}
	keys = rrset_list(zc, keys_set);
	trusted = ldns_rr_list_new();
	for (i = 0; i < keys_set->count; i++) {
		ldns_rr *k = zc->rrs[keys_set->first + i].rr;

		for (j = 0; j < ldns_rr_list_rr_count(anchors); j++) {
			ldns_rr *a = ldns_rr_list_rr(anchors, j);
			bool match = ldns_rr_get_type(a) == LDNS_RR_TYPE_DS ?
				     ldns_rr_compare_ds(k, a) : !ldns_rr_compare(k, a);

			if (match) {
				ldns_rr_list_push_rr(trusted, k);
				break;
			}
		}
	}
	if (!ldns_rr_list_rr_count(trusted)) {
		zc_err(zc, ". DNSKEY: no key in the apex DNSKEY RRset matches the trust anchor %s",
		       anchor_path);
		goto out;
	}
	/* RFC 4035 5: the DNSKEY RRset is trusted once one RRSIG made by an
	 * anchored key verifies. */
	ksig = zc_find(zc, root, LDNS_RR_TYPE_RRSIG, LDNS_RR_TYPE_DNSKEY);
	if (!ksig) {
		zc_err(zc, ". DNSKEY: no RRSIG over the apex DNSKEY RRset");
		goto out;
	}
	for (i = 0; i < ksig->count; i++) {
		ldns_status st = ldns_verify_rrsig_keylist_time(keys,
				zc->rrs[ksig->first + i].rr, trusted, zc->now, NULL);

		if (st == LDNS_STATUS_OK) {
			first_err = LDNS_STATUS_OK;
			break;
		}
		if (first_err == LDNS_STATUS_OK)
			first_err = st;
	}
	if (first_err != LDNS_STATUS_OK || i == ksig->count) {
		zc_err(zc, ". DNSKEY: not signed by a trust-anchor key at %ld: %s",
		       (long)zc->now, ldns_get_errorstr_by_id(first_err));
		goto out;
	}

	/* every served RRset of a signed zone carries a signature */
	for (i = 0; i < zc->nsets; i++) {
		const struct zc_rrset *s = &zc->sets[i];
		const struct zc_rr *r = &zc->rrs[s->first];

		if (r->nlabels == 0 && s->type != LDNS_RR_TYPE_RRSIG && need_sig(zc, r->owner, s->type))
			goto out;
		if (r->nlabels == 1 && (s->type == LDNS_RR_TYPE_DS || s->type == LDNS_RR_TYPE_NSEC) &&
		    need_sig(zc, r->owner, s->type))
			goto out;
	}

	/* every RRSIG the answers carry verifies with the apex keys now */
	for (i = 0; i < zc->nsets; i++) {
		const struct zc_rrset *s = &zc->sets[i], *cov;
		const struct zc_rr *r = &zc->rrs[s->first];

		if (s->type != LDNS_RR_TYPE_RRSIG)
			continue;
		cov = zc_find(zc, r->owner, s->covered, 0);
		if (!cov) {
			zc_err(zc, "%s RRSIG: covers %s, which the name does not have",
			       zc_name_str(r->owner, nb, sizeof(nb)),
			       zc_type_str(s->covered, tb, sizeof(tb)));
			goto out;
		}
		rrset = rrset_list(zc, cov);
		for (j = 0; j < s->count; j++) {
			ldns_rr *sig = zc->rrs[s->first + j].rr;
			ldns_status st = ldns_verify_rrsig_keylist_time(rrset, sig, keys,
									zc->now, NULL);

			if (st != LDNS_STATUS_OK) {
				zc_err(zc, "%s %s: RRSIG (key %u) does not verify at %ld: %s",
				       zc_name_str(r->owner, nb, sizeof(nb)),
				       zc_type_str(s->covered, tb, sizeof(tb)),
				       ldns_rdf2native_int16(ldns_rr_rrsig_keytag(sig)),
				       (long)zc->now, ldns_get_errorstr_by_id(st));
				goto out;
			}
		}
		ldns_rr_list_free(rrset);
		rrset = NULL;
	}
	zc->flags |= RX_IMG_DNSSEC_OK;
	rc = 0;
out:
	ldns_rr_list_free(rrset);
	ldns_rr_list_free(keys);
	ldns_rr_list_free(trusted);
	ldns_rr_list_deep_free(anchors);
	return rc;
}
