// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * zone_text.c - read a zone RR by RR rather than with
 * ldns_zone_new_frm_fp_l(): in libldns 1.8.3 that function reads freed
 * memory when a file holds three or more SOA records (found by tests/fuzz,
 * reproducer tests/fuzz/regress/zone/ldns_three_soa_uaf) and leaks what it
 * read when it fails.  A zone has one SOA: a second is refused, with its
 * line.
 */
#include "errf.h"
#include "zone_text.h"

int rx_zone_parse(FILE *fp, ldns_zone **out, char *err, size_t errlen)
{
	ldns_rdf *origin = ldns_dname_new_frm_str("."), *prev = NULL;
	ldns_zone *z = ldns_zone_new();
	uint32_t ttl = 3600;
	int line = 0, rc = -1;

	*out = NULL;
	if (!z || !origin) {
		rx_errf(err, errlen, -1, "out of memory reading the zone");
		goto out;
	}
	while (!feof(fp)) {
		ldns_rr *rr = NULL;
		ldns_status st;

		st = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_SYNTAX_EMPTY || st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (st == LDNS_STATUS_SYNTAX_INCLUDE) {
			rx_errf(err, errlen, -1, "line %d: $INCLUDE is not supported: give one file",
				line);
			goto out;
		}
		if (st != LDNS_STATUS_OK) {
			rx_errf(err, errlen, -1, "line %d: %s", line, ldns_get_errorstr_by_id(st));
			goto out;
		}
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
			if (ldns_zone_soa(z)) {
				ldns_rr_free(rr);
				rx_errf(err, errlen, -1, "line %d: a second SOA record (a zone has one)",
					line);
				goto out;
			}
			ldns_zone_set_soa(z, rr);
		} else if (!ldns_zone_push_rr(z, rr)) {
			ldns_rr_free(rr);
			rx_errf(err, errlen, -1, "out of memory reading the zone");
			goto out;
		}
	}
	*out = z;
	z = NULL;
	rc = 0;
out:
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	if (z)
		ldns_zone_deep_free(z);
	return rc;
}
