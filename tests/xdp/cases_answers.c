// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cases_answers.c - the answers: no zone, referrals, DS, NXDOMAIN, apex, CHAOS, EDNS, sizes.
 */
#include "fixture.h"

void cases_no_zone(void)
{
	struct result r;
	struct q q = { .name = "example.com.", .type = LDNS_RR_TYPE_A };

	ask("no zone loaded: pass", &V4, &q, EXP_PASS, RX_PASS_NO_ZONE, &r);
}

void cases_referral(void)
{
	char name[512], desc[600];
	const char *tlds[2] = { tld_str(T.signed_tld), tld_str(T.unsigned_tld) };
	struct result r;

	for (int t = 0; t < 2; t++)
		for (int v6 = 0; v6 < 2; v6++)
			for (int nv = 0; nv < 3; nv++)
				for (int e = 0; e < 2; e++) {
					struct pkt_spec ps = spec(v6, nv);
					struct q q = { .name = name, .type = LDNS_RR_TYPE_A,
						       .edns = e, .dobit = e, .udp = 1232,
						       .rd = 1, .cd = e };

					snprintf(name, sizeof(name), "wWw.ExAmple.%s", tlds[t]);
					snprintf(desc, sizeof(desc),
						 "referral %s A %s, %s, %d VLAN", name,
						 e ? "EDNS 1232 DO" : "no EDNS", v6 ? "v6" : "v4", nv);
					if (ask(desc, &ps, &q, EXP_ANSWER, 0, &r)) {
						check_referral(desc, r.pkt, tlds[t], e);
						check_opt(desc, r.pkt, e, e);
					}
					result_free(&r);
				}
	/* The TLD itself, other qtypes, NSEC/RRSIG at the delegation: referred. */
	{
		ldns_rr_type types[] = { LDNS_RR_TYPE_NS, LDNS_RR_TYPE_NSEC, LDNS_RR_TYPE_RRSIG,
					 LDNS_RR_TYPE_ANY, LDNS_RR_TYPE_AAAA };

		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
			struct q q = { .name = tlds[0], .type = types[i], .edns = 1, .dobit = 1 };

			snprintf(desc, sizeof(desc), "referral %s type %d DO", tlds[0], types[i]);
			if (ask(desc, &V6, &q, EXP_ANSWER, 0, &r))
				check_referral(desc, r.pkt, tlds[0], 1);
			result_free(&r);
		}
	}
}

void cases_ds(void)
{
	const char *s = tld_str(T.signed_tld), *u = tld_str(T.unsigned_tld);
	char desc[600];
	struct result r;

	for (int d = 0; d < 2; d++) {
		struct q q = { .name = s, .type = LDNS_RR_TYPE_DS, .edns = d, .dobit = d };

		snprintf(desc, sizeof(desc), "DS at signed %s%s", s, d ? " DO" : "");
		if (ask(desc, &V4, &q, EXP_ANSWER, 0, &r)) {
			check_answer(desc, r.pkt, s, LDNS_RR_TYPE_DS, d);
			check_opt(desc, r.pkt, d, d);
		}
		result_free(&r);
		q.name = u;
		snprintf(desc, sizeof(desc), "DS at unsigned %s%s", u, d ? " DO" : "");
		if (ask(desc, &V6, &q, EXP_ANSWER, 0, &r))
			check_nodata(desc, r.pkt, u, d);
		result_free(&r);
	}
	/* DS below the TLD: a referral. */
	{
		char n[300];
		struct q q = { .name = n, .type = LDNS_RR_TYPE_DS, .edns = 1, .dobit = 1 };

		snprintf(n, sizeof(n), "sub.%s", s);
		snprintf(desc, sizeof(desc), "DS below %s: referral", s);
		if (ask(desc, &V4, &q, EXP_ANSWER, 0, &r))
			check_referral(desc, r.pkt, s, 1);
		result_free(&r);
	}
}

void cases_nxdomain(void)
{
	const char *names[] = { "NoSuchTld-Xq.", "www.Example.ZZZZZZZZZZZZ.", "a.", "zzzzzzzzzz.",
				"0.", "aaaa.aaa-notthere." };
	char desc[600];
	struct result r;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (int d = 0; d < 2; d++) {
			struct q q = { .name = names[i], .type = LDNS_RR_TYPE_A, .edns = 1,
				       .dobit = d, .udp = 1232 };
			ldns_rdf *n = dname(names[i]);
			ldns_rr_list *exists = zone_rrs(n, LDNS_RR_TYPE_NS, 0);
			int is_tld = ldns_rr_list_rr_count(exists) > 0;

			ldns_rr_list_deep_free(exists);
			ldns_rdf_deep_free(n);
			if (is_tld)
				continue;
			snprintf(desc, sizeof(desc), "NXDOMAIN %s%s", names[i], d ? " DO" : "");
			if (ask(desc, i & 1 ? &V6 : &V4, &q, EXP_ANSWER, 0, &r)) {
				check_nxdomain(desc, r.pkt, names[i], d);
				check_opt(desc, r.pkt, 1, d);
			}
			result_free(&r);
		}
}

void cases_apex(void)
{
	ldns_rr_type types[] = { LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_NS, LDNS_RR_TYPE_DNSKEY,
				 LDNS_RR_TYPE_NSEC, LDNS_RR_TYPE_ZONEMD };
	char desc[600];
	struct result r;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		for (int d = 0; d < 2; d++) {
			struct q q = { .name = ".", .type = types[i], .edns = 1, .dobit = d,
				       .udp = 1232 };

			snprintf(desc, sizeof(desc), ". type %d%s", types[i], d ? " DO" : "");
			if (ask(desc, &V4, &q, EXP_ANSWER, 0, &r)) {
				check_answer(desc, r.pkt, ".", types[i], d);
				check_opt(desc, r.pkt, 1, d);
				if (types[i] != LDNS_RR_TYPE_NS)
					CHECK_MSG(!ldns_pkt_arcount(r.pkt), "%s: no additional",
						  desc);
			}
			result_free(&r);
		}
	for (int d = 0; d < 2; d++) {
		struct q q = { .name = ".", .type = LDNS_RR_TYPE_A, .edns = d, .dobit = d };

		snprintf(desc, sizeof(desc), ". A (NODATA)%s", d ? " DO" : "");
		if (ask(desc, &V6, &q, EXP_ANSWER, 0, &r))
			check_nodata(desc, r.pkt, ".", d);
		result_free(&r);
	}
}

static void check_txt(const char *desc, const ldns_pkt *p, const char *want)
{
	ldns_rr_list *an = ldns_pkt_answer(p);
	ldns_rr *rr = ldns_rr_list_rr_count(an) == 1 ? ldns_rr_list_rr(an, 0) : NULL;
	const ldns_rdf *t = rr ? ldns_rr_rdf(rr, 0) : NULL;

	CHECK_MSG(hdr(p, LDNS_RCODE_NOERROR, 1, 0), "%s: header", desc);
	CHECK_MSG(rr && ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT &&
		  ldns_rr_get_class(rr) == LDNS_RR_CLASS_CH && ldns_rr_ttl(rr) == 0 && t &&
		  ldns_rdf_size(t) == strlen(want) + 1 &&
		  !memcmp(ldns_rdf_data(t) + 1, want, strlen(want)),
		  "%s: one CH TXT \"%s\", TTL 0", desc, want);
}

void cases_chaos(void)
{
	const char *ids[] = { "id.server.", "HOSTNAME.bind." };
	struct result r;
	char desc[300];

	for (int i = 0; i < 2; i++) {
		struct q q = { .name = ids[i], .type = LDNS_RR_TYPE_TXT, .cls = LDNS_RR_CLASS_CH };

		snprintf(desc, sizeof(desc), "CHAOS %s TXT", ids[i]);
		if (ask(desc, &V4, &q, EXP_ANSWER, 0, &r))
			check_txt(desc, r.pkt, IDENT);
		result_free(&r);
	}
	{
		struct q q = { .name = "version.bind.", .type = LDNS_RR_TYPE_TXT,
			       .cls = LDNS_RR_CLASS_CH, .edns = 1 };

		if (ask("CHAOS version.bind, hidden: REFUSED", &V6, &q, EXP_ANSWER, 0, &r)) {
			CHECK(hdr(r.pkt, LDNS_RCODE_REFUSED, 0, 0));
			CHECK(!ldns_pkt_ancount(r.pkt) && !ldns_pkt_nscount(r.pkt));
			check_opt("version.bind", r.pkt, 1, 0);
		}
		result_free(&r);
		cfg_set("rootxdp-test 1.0", MTU);
		q.name = "Version.Server.";
		if (ask("CHAOS version.server, configured", &V6, &q, EXP_ANSWER, 0, &r))
			check_txt("version.server", r.pkt, "rootxdp-test 1.0");
		result_free(&r);
		cfg_set(NULL, MTU);
		q.name = "id.server.";
		q.type = LDNS_RR_TYPE_A;
		if (ask("CHAOS id.server A: REFUSED", &V4, &q, EXP_ANSWER, 0, &r))
			CHECK(hdr(r.pkt, LDNS_RCODE_REFUSED, 0, 0) && !ldns_pkt_ancount(r.pkt));
		result_free(&r);
		q.name = "foo.example.";
		q.type = LDNS_RR_TYPE_TXT;
		if (ask("CHAOS other name: REFUSED", &V4, &q, EXP_ANSWER, 0, &r))
			CHECK(hdr(r.pkt, LDNS_RCODE_REFUSED, 0, 0));
		result_free(&r);
		q.cls = LDNS_RR_CLASS_HS;
		q.name = "example.com.";
		if (ask("class HS: REFUSED", &V4, &q, EXP_ANSWER, 0, &r))
			CHECK(hdr(r.pkt, LDNS_RCODE_REFUSED, 0, 0));
		result_free(&r);
	}
}

void cases_edns(void)
{
	struct result r;
	const char *s = tld_str(T.signed_tld);

	{
		struct q q = { .name = s, .type = LDNS_RR_TYPE_NS, .edns = 1, .nsid = 1 };

		if (ask("NSID", &V4, &q, EXP_ANSWER, 0, &r)) {
			ldns_rdf *o = ldns_pkt_edns_data(r.pkt);
			const char want[] = "\0\3\0\15" IDENT;

			CHECK_MSG(o && ldns_rdf_size(o) == sizeof(want) - 1 &&
				  !memcmp(ldns_rdf_data(o), want, sizeof(want) - 1),
				  "NSID option holds the identity");
		}
		result_free(&r);
	}
	{
		struct q q = { .name = s, .type = LDNS_RR_TYPE_NS, .edns = 1, .version = 1,
			       .dobit = 1 };

		if (ask("EDNS version 1: BADVERS", &V6, &q, EXP_ANSWER, 0, &r)) {
			CHECK(ldns_pkt_get_rcode(r.pkt) == 0 &&
			      ldns_pkt_edns_extended_rcode(r.pkt) == 1);
			CHECK(!ldns_pkt_ancount(r.pkt) && !ldns_pkt_nscount(r.pkt) &&
			      !ldns_pkt_arcount(r.pkt) && !ldns_pkt_aa(r.pkt));
			CHECK(ldns_pkt_edns_version(r.pkt) == 0 && ldns_pkt_edns_do(r.pkt));
		}
		result_free(&r);
	}
}


/* Size limits: the largest referral with 512, 1232 and 4096 (server 1232). */
void cases_size(void)
{
	const char *b = tld_str(T.big_tld);
	struct result small, full, big;
	char n[300];
	struct q q = { .name = n, .type = LDNS_RR_TYPE_A };

	snprintf(n, sizeof(n), "www.%s", b);
	if (!ask("largest referral, no EDNS (512)", &V4, &q, EXP_ANSWER, 0, &small))
		return;
	q.edns = 1;
	q.udp = 4096;
	q.dobit = 1;
	ask("largest referral, EDNS 4096 DO (server 1232)", &V4, &q, EXP_ANSWER, 0, &big);
	q.dobit = 0;
	if (ask("largest referral, EDNS 4096", &V4, &q, EXP_ANSWER, 0, &full)) {
		size_t fs = full.dnslen[0] - 11;	/* same body, minus OPT */

		printf("# largest referral %s: %zu bytes at 512, %zu at 4096\n", b,
		       small.dnslen[0], full.dnslen[0]);
		if (fs <= 512) {
			CHECK_MSG(!ldns_pkt_tc(small.pkt) && ldns_pkt_arcount(small.pkt) ==
				  ldns_pkt_arcount(full.pkt), "referral fitting 512 is whole");
		} else {
			/* Cut: TC=1, or only sibling glue left out. */
			ldns_rr_list *a = ldns_pkt_additional(small.pkt);
			ldns_rr_list *fa = ldns_pkt_additional(full.pkt);
			ldns_rdf *t = dname(b);
			int only_sibling = 1;

			for (size_t i = 0; i < ldns_rr_list_rr_count(fa); i++) {
				ldns_rr *rr = ldns_rr_list_rr(fa, i);

				if (!ldns_rr_list_contains_rr(a, rr) &&
				    ldns_dname_is_subdomain(ldns_rr_owner(rr), t))
					only_sibling = 0;
			}
			CHECK_MSG(ldns_pkt_tc(small.pkt) || only_sibling,
				  "cut at 512: TC=1 unless only sibling glue is left out");
			CHECK(!ldns_pkt_tc(full.pkt));
			ldns_rdf_deep_free(t);
		}
		check_referral("largest referral 4096", full.pkt, b, 0);
		check_referral("largest referral 512", small.pkt, b, 0);
	}
	result_free(&small);
	result_free(&full);
	result_free(&big);
}
