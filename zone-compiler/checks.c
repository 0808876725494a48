// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * checks.c - refuse zones rootxdp cannot serve correctly.
 *
 * rootxdp answers the root zone from precomputed responses: the apex, and
 * below it only delegations (NS, DS, NSEC, RRSIG at each TLD) and glue
 * (A/AAAA under a delegated name).  Anything else would be answered wrongly
 * by the XDP program, so it is refused here with the record that breaks it.
 */
#include <stdio.h>
#include <string.h>
#include "zc.h"

static bool rrset_at(const struct zc *zc, const uint8_t *owner, uint16_t type)
{
	return zc_find(zc, owner, type, 0) != NULL;
}

static int check_nsec_chain(struct zc *zc)
{
	const struct zc_rr *first = NULL, *prev = NULL;
	char nb[1024], nb2[1024];
	uint32_t i;

	for (i = 0; i < zc->nsets; i++) {
		const struct zc_rrset *s = &zc->sets[i];
		const struct zc_rr *r = &zc->rrs[s->first];
		uint8_t next[RX_NAME_MAX + 1];
		ldns_rdf *nx;

		if (s->type != LDNS_RR_TYPE_NSEC)
			continue;
		if (s->count != 1)
			return zc_err(zc, "%s NSEC: more than one NSEC record",
				      zc_name_str(r->owner, nb, sizeof(nb)));
		if (!first) {
			first = r;
			if (r->nlabels != 0)
				return zc_err(zc, "NSEC chain does not start at the apex");
		}
		if (prev) {
			nx = ldns_rr_rdf(prev->rr, 0);
			zc_name_lower(next, ldns_rdf_data(nx), ldns_rdf_size(nx));
			if (rx_dname_cmp(next, r->owner))
				return zc_err(zc, "%s NSEC: next name %s, but the next NSEC owner is %s",
					      zc_name_str(prev->owner, nb, sizeof(nb)),
					      zc_name_str(next, nb2, sizeof(nb2)),
					      zc_name_str(r->owner, nb2 + 512, sizeof(nb2) - 512));
		}
		prev = r;
	}
	if (prev) {
		uint8_t next[RX_NAME_MAX + 1];
		ldns_rdf *nx = ldns_rr_rdf(prev->rr, 0);

		zc_name_lower(next, ldns_rdf_data(nx), ldns_rdf_size(nx));
		if (next[0] != 0)
			return zc_err(zc, "%s NSEC: last NSEC does not point back to the apex",
				      zc_name_str(prev->owner, nb, sizeof(nb)));
	}
	return 0;
}

int zc_check(struct zc *zc)
{
	static const uint8_t root[1] = { 0 };
	char nb[1024], tb[32], tb2[32];
	uint32_t i, napex = 0;
	ldns_rdf *f;

	if (!zc->soa)
		return zc_err(zc, "no SOA record");
	if (ldns_rdf_size(ldns_rr_owner(zc->soa)) != 1)
		return zc_err(zc, "SOA owner %s is not the root: rootxdp serves only the root zone",
			      zc_name_str(ldns_rdf_data(ldns_rr_owner(zc->soa)), nb, sizeof(nb)));
	if (ldns_rr_rd_count(zc->soa) != 7)
		return zc_err(zc, "SOA record is malformed");
	f = ldns_rr_rdf(zc->soa, 2);
	zc->serial = ldns_rdf2native_int32(f);
	zc->refresh = ldns_rdf2native_int32(ldns_rr_rdf(zc->soa, 3));
	zc->retry = ldns_rdf2native_int32(ldns_rr_rdf(zc->soa, 4));
	zc->expire = ldns_rdf2native_int32(ldns_rr_rdf(zc->soa, 5));
	zc->minimum = ldns_rdf2native_int32(ldns_rr_rdf(zc->soa, 6));
	zc->soa_ttl = ldns_rr_ttl(zc->soa);
	if (!rrset_at(zc, root, LDNS_RR_TYPE_NS))
		return zc_err(zc, "no NS RRset at the apex");

	zc->signed_zone = rrset_at(zc, root, LDNS_RR_TYPE_DNSKEY);
	zc->has_zonemd = rrset_at(zc, root, LDNS_RR_TYPE_ZONEMD);
	zc->has_nsec = false;

	for (i = 0; i < zc->nsets; i++) {
		const struct zc_rrset *s = &zc->sets[i];
		const struct zc_rr *r = &zc->rrs[s->first];
		const char *name = zc_name_str(r->owner, nb, sizeof(nb));
		const char *type = zc_type_str(s->type, tb, sizeof(tb));

		if (s->type == LDNS_RR_TYPE_NSEC3 || s->type == LDNS_RR_TYPE_NSEC3PARAM)
			return zc_err(zc, "%s %s: NSEC3 zones are not supported", name, type);
		if (s->type == LDNS_RR_TYPE_NSEC)
			zc->has_nsec = true;
		if (s->type == LDNS_RR_TYPE_SOA && (r->nlabels || s->count != 1))
			return zc_err(zc, "%s SOA: only one SOA, at the apex, is allowed", name);

		if (r->nlabels == 0) {
			if (s->type == LDNS_RR_TYPE_CNAME || s->type == LDNS_RR_TYPE_DNAME)
				return zc_err(zc, ". %s: not allowed at the apex", type);
			if (s->type != LDNS_RR_TYPE_RRSIG && ++napex > RX_APEX_MAX)
				return zc_err(zc, "more than %d RRsets at the apex", RX_APEX_MAX);
			continue;
		}
		if (r->nlabels == 1) {
			bool deleg = rrset_at(zc, r->owner, LDNS_RR_TYPE_NS);

			if (r->owner[0] == 1 && r->owner[1] == '*')
				return zc_err(zc, "%s %s: wildcard TLDs are not supported", name, type);
			switch (s->type) {
			case LDNS_RR_TYPE_NS:
				continue;
			case LDNS_RR_TYPE_DS:
			case LDNS_RR_TYPE_NSEC:
				if (!deleg)
					return zc_err(zc, "%s %s: not a delegation (no NS RRset) but holds data",
						      name, type);
				continue;
			case LDNS_RR_TYPE_RRSIG:
				if (!deleg)
					return zc_err(zc, "%s RRSIG: not a delegation (no NS RRset) but holds data",
						      name);
				if (s->covered != LDNS_RR_TYPE_DS && s->covered != LDNS_RR_TYPE_NSEC)
					return zc_err(zc, "%s RRSIG %s: only DS and NSEC are signed at a delegation",
						      name, zc_type_str(s->covered, tb2, sizeof(tb2)));
				continue;
			case LDNS_RR_TYPE_A:
			case LDNS_RR_TYPE_AAAA:
				if (!deleg)
					return zc_err(zc, "%s %s: glue not under a delegation", name, type);
				continue;
			default:
				return zc_err(zc, "%s %s: a TLD may hold only NS, DS, NSEC, RRSIG (and glue)",
					      name, type);
			}
		}
		/* below a TLD: only glue, and only under a delegation */
		{
			const uint8_t *tld = zc_name_tld(r->owner);
			char tn[128];

			if (s->type != LDNS_RR_TYPE_A && s->type != LDNS_RR_TYPE_AAAA)
				return zc_err(zc, "%s %s: data below a TLD other than A/AAAA glue",
					      name, type);
			if (!rrset_at(zc, tld, LDNS_RR_TYPE_NS))
				return zc_err(zc, "%s %s: glue not under a delegation (%s has no NS RRset)",
					      name, type, zc_name_str(tld, tn, sizeof(tn)));
		}
	}

	if (zc->has_nsec && !zc->signed_zone)
		return zc_err(zc, "NSEC records but no DNSKEY at the apex");
	if (zc->signed_zone && !zc->has_nsec)
		return zc_err(zc, "signed zone (DNSKEY at the apex) without an NSEC chain");
	if (zc->has_nsec) {
		if (!rrset_at(zc, root, LDNS_RR_TYPE_NSEC))
			return zc_err(zc, "no NSEC at the apex");
		for (i = 0; i < zc->nsets; i++) {
			const struct zc_rrset *s = &zc->sets[i];
			const struct zc_rr *r = &zc->rrs[s->first];

			if (r->nlabels == 1 && s->type == LDNS_RR_TYPE_NS &&
			    !rrset_at(zc, r->owner, LDNS_RR_TYPE_NSEC))
				return zc_err(zc, "%s: delegation without NSEC in a signed zone",
					      zc_name_str(r->owner, nb, sizeof(nb)));
		}
		if (check_nsec_chain(zc))
			return -1;
	}
	return 0;
}
