// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fixture.c - the packet suite's shared parts (see fixture.h).
 */
#include "fixture.h"


const char *const stat_names[] = {
#define X(e, s) #s,
	RX_STATS(X)
#undef X
};

struct xdp_state T;

const char *path_name(int tc)
{
	return tc ? "tc" : "xdp";
}

/* ---- stats ---- */

__u64 stat_get(int path, int idx)
{
	struct rx_stats_paths *v = calloc(T.ncpu, sizeof(*v));
	__u32 key = 0;
	__u64 sum = 0;

	if (v && !bpf_map_lookup_elem(T.maps.stats, &key, v))
		for (int i = 0; i < T.ncpu; i++)
			sum += *rx_stat_ref(path ? &v[i].tc : &v[i].xdp, idx);
	free(v);
	return sum;
}

/* ---- zone expectations (ldns, from the zone file) ---- */

ldns_rdf *dname(const char *s)
{
	ldns_rdf *r = ldns_dname_new_frm_str(s);

	if (!r) {
		fprintf(stderr, "test_xdp: bad name %s\n", s);
		exit(1);
	}
	return r;
}

/* RRs of the zone (apex SOA included) with owner and type; for RRSIG,
 * those covering `covered`. */
ldns_rr_list *zone_rrs(const ldns_rdf *owner, ldns_rr_type type, ldns_rr_type covered)
{
	ldns_rr_list *all = ldns_zone_rrs(T.zone), *out = ldns_rr_list_new();
	size_t i;

	if (type == LDNS_RR_TYPE_SOA && !ldns_dname_compare(owner, ldns_rr_owner(T.soa)))
		ldns_rr_list_push_rr(out, ldns_rr_clone(T.soa));
	for (i = 0; i < ldns_rr_list_rr_count(all); i++) {
		ldns_rr *rr = ldns_rr_list_rr(all, i);

		if (ldns_rr_get_type(rr) != type || ldns_dname_compare(ldns_rr_owner(rr), owner))
			continue;
		if (type == LDNS_RR_TYPE_RRSIG &&
		    ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr)) != covered)
			continue;
		ldns_rr_list_push_rr(out, ldns_rr_clone(rr));
	}
	return out;
}

ldns_rr_list *want_set(const char *owner, ldns_rr_type type, int dobit)
{
	ldns_rdf *o = dname(owner);
	ldns_rr_list *l = zone_rrs(o, type, 0);

	if (dobit) {
		ldns_rr_list *s = zone_rrs(o, LDNS_RR_TYPE_RRSIG, type);

		ldns_rr_list_push_rr_list(l, s);
		ldns_rr_list_free(s);
	}
	ldns_rdf_deep_free(o);
	return l;
}

void set_ttl(ldns_rr_list *l, uint32_t ttl)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
		ldns_rr_set_ttl(ldns_rr_list_rr(l, i), ttl);
}

/* The negative-answer SOA (+RRSIG): TTL min(SOA TTL, MINIMUM), RFC 2308 3. */
ldns_rr_list *want_neg_soa(int dobit)
{
	ldns_rr_list *l = want_set(".", LDNS_RR_TYPE_SOA, dobit);
	uint32_t ttl = ldns_rr_ttl(T.soa), min = ldns_rdf2native_int32(ldns_rr_rdf(T.soa, 6));

	set_ttl(l, ttl < min ? ttl : min);
	return l;
}

/* got (a response section) holds exactly the RRs of want: same owner,
 * type, rdata (ldns_rr_compare) and TTL.  Returns 1 if equal. */
int same_rrs(const char *what, ldns_rr_list *got, ldns_rr_list *want)
{
	size_t g = ldns_rr_list_rr_count(got), w = ldns_rr_list_rr_count(want), i, j;
	int ok = 1;

	if (g != w) {
		fprintf(stderr, "  %s: %zu RRs, want %zu\n", what, g, w);
		ok = 0;
	}
	for (i = 0; i < w; i++) {
		ldns_rr *x = ldns_rr_list_rr(want, i);
		int found = 0;

		for (j = 0; j < g && !found; j++) {
			ldns_rr *y = ldns_rr_list_rr(got, j);

			found = !ldns_rr_compare(x, y) && ldns_rr_ttl(x) == ldns_rr_ttl(y);
		}
		if (!found) {
			char *s = ldns_rr2str(x);

			fprintf(stderr, "  %s: missing %s", what, s);
			free(s);
			ok = 0;
		}
	}
	return ok;
}

/* ---- queries ---- */


static uint16_t next_id = 0x1000;

size_t q_wire(const struct q *q, uint8_t *buf, size_t max)
{
	ldns_pkt *p;
	uint8_t *w = NULL;
	size_t n = 0;
	uint16_t flags = (q->rd ? LDNS_RD : 0) | (q->cd ? LDNS_CD : 0);

	if (ldns_pkt_query_new_frm_str(&p, q->name, q->type, q->cls ? q->cls : LDNS_RR_CLASS_IN,
				       flags) != LDNS_STATUS_OK)
		return 0;
	ldns_pkt_set_id(p, next_id++);
	if (q->edns) {
		ldns_pkt_set_edns_udp_size(p, q->udp ? q->udp : 1232);
		ldns_pkt_set_edns_do(p, q->dobit);
		ldns_pkt_set_edns_version(p, q->version);
		if (q->nsid)
			ldns_pkt_set_edns_data(p, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, 4,
									"\0\3\0\0"));
	}
	if (ldns_pkt2wire(&w, p, &n) != LDNS_STATUS_OK || n > max)
		n = 0;
	else
		memcpy(buf, w, n);
	free(w);
	ldns_pkt_free(p);
	return n;
}

/* Hand-made DNS payloads for malformed cases. */

void raw_hdr(struct raw *r, uint16_t flags, int qd, int an, int ns, int ar)
{
	uint8_t *p = r->b;

	p[0] = 0xab;
	p[1] = 0xcd;
	p[2] = flags >> 8;
	p[3] = flags;
	p[4] = 0, p[5] = qd, p[6] = 0, p[7] = an, p[8] = 0, p[9] = ns, p[10] = 0, p[11] = ar;
	r->n = 12;
}

void raw_put(struct raw *r, const void *b, size_t n)
{
	memcpy(r->b + r->n, b, n);
	r->n += n;
}

void raw_q(struct raw *r, const char *wire_name, size_t nlen, uint16_t type)
{
	uint8_t t[4] = { type >> 8, type, 0, 1 };

	raw_put(r, wire_name, nlen);
	raw_put(r, t, 4);
}

/* OPT with payload 1232 and the given options bytes. */
void raw_opt(struct raw *r, const uint8_t *opts, size_t olen)
{
	uint8_t o[11] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, olen >> 8, olen };

	raw_put(r, o, 11);
	if (olen)
		raw_put(r, opts, olen);
}

/* ---- running a case on both programs ---- */



int verdict_ok(int tc, int exp, uint32_t ret)
{
	switch (exp) {
	case EXP_ANSWER:
		return tc ? ret == TC_ACT_REDIRECT : ret == XDP_TX;
	case EXP_PASS:
		return tc ? ret == TC_ACT_OK : ret == XDP_PASS;
	default:
		return tc ? ret == TC_ACT_SHOT : ret == XDP_DROP;
	}
}

/*
 * Run frame through XDP and TC.  exp: what must happen; reason: the
 * counter that must move by one (pass/drop) on each path.  For answers,
 * checks everything common to every response and returns the decoded
 * response in res->pkt (caller frees).  qdns/qlen: the query payload, for
 * ID/flags/question echo.  limit: the size limit the response must meet.
 */
int run_case(const char *desc, const struct pkt_spec *ps, const uint8_t *qdns, size_t qlen,
		    int exp, int reason, size_t limit, struct result *res)
{
	static uint8_t in[PKT_MAX], out[PKT_MAX];
	int fails = check_failed, tc;
	size_t inlen, outlen;

	memset(res, 0, sizeof(*res));
	inlen = pkt_build(ps, qdns, qlen, in);
	CHECK_MSG(inlen > 0, "%s: frame built", desc);
	for (tc = 0; tc < 2; tc++) {
		__u64 before = exp != EXP_ANSWER ? stat_get(tc, reason) : 0;
		__u64 ans = stat_get(tc, RX_ST_ANSWERED);
		uint32_t ret = 0;
		struct pkt_dec d;
		const char *why = "";
		uint8_t c4[16], s4[16];

		if (pkt_run(T.fd[tc], !tc, in, inlen, out, &outlen, &ret)) {
			CHECK_MSG(0, "%s [%s]: test run failed: %s", desc, path_name(tc),
				  strerror(errno));
			continue;
		}
		CHECK_MSG(verdict_ok(tc, exp, ret), "%s [%s]: verdict %u", desc, path_name(tc), ret);
		if (exp != EXP_ANSWER) {
			__u64 after = stat_get(tc, reason);

			CHECK_MSG(after == before + 1, "%s [%s]: counter %s moved %llu, want 1", desc,
				  path_name(tc), stat_names[reason],
				  (unsigned long long)(after - before));
			CHECK_MSG(outlen == inlen && !memcmp(in, out, inlen),
				  "%s [%s]: passed frame modified", desc, path_name(tc));
			continue;
		}
		CHECK_MSG(stat_get(tc, RX_ST_ANSWERED) == ans + 1, "%s [%s]: answered counter",
			  desc, path_name(tc));
		if (pkt_decode(out, outlen, &d, &why)) {
			CHECK_MSG(0, "%s [%s]: response frame: %s", desc, path_name(tc), why);
			continue;
		}
		CHECK(d.ip_csum_ok && d.udp_csum_ok);
		CHECK_MSG(d.nvlan == ps->nvlan, "%s [%s]: VLAN tags kept", desc, path_name(tc));
		CHECK_MSG(!memcmp(d.dmac, in + 6, 6) && !memcmp(d.smac, in, 6),
			  "%s [%s]: MACs swapped", desc, path_name(tc));
		inet_pton(ps->v6 ? AF_INET6 : AF_INET, ps->v6 ? PKT_CLIENT6 : PKT_CLIENT4, c4);
		inet_pton(ps->v6 ? AF_INET6 : AF_INET, ps->v6 ? PKT_SERVER6 : PKT_SERVER4, s4);
		CHECK_MSG(d.v6 == ps->v6 && !memcmp(d.daddr, c4, ps->v6 ? 16 : 4) &&
			  !memcmp(d.saddr, s4, ps->v6 ? 16 : 4), "%s [%s]: addresses swapped",
			  desc, path_name(tc));
		CHECK_MSG(d.sport == 53 && d.dport == (ps->sport ? ps->sport : PKT_CPORT),
			  "%s [%s]: ports swapped", desc, path_name(tc));
		CHECK_MSG(d.ttl == 64 && (ps->v6 || d.df), "%s [%s]: TTL 64, DF", desc,
			  path_name(tc));
		CHECK_MSG(d.dnslen >= 12 && d.dnslen <= limit, "%s [%s]: size %zu, limit %zu", desc,
			  path_name(tc), d.dnslen, limit);
		if (d.dnslen < 12)
			continue;
		/* Header: ID, QR, opcode 0, RD/CD echoed, Z/AD/RA clear. */
		CHECK_MSG(d.dns[0] == qdns[0] && d.dns[1] == qdns[1], "%s: ID echoed", desc);
		CHECK_MSG((d.dns[2] & 0xf9) == (0x80 | (qdns[2] & 0x01)),
			  "%s [%s]: flags %02x%02x", desc, path_name(tc), d.dns[2], d.dns[3]);
		CHECK_MSG((d.dns[3] & 0xf0) == (qdns[3] & 0x10) || (d.dns[3] & 0x0f) == 1,
			  "%s [%s]: CD echoed, AD/RA/Z 0 (%02x)", desc, path_name(tc), d.dns[3]);
		memcpy(res->dns[tc], d.dns, d.dnslen);
		res->dnslen[tc] = d.dnslen;
	}
	if (exp != EXP_ANSWER)
		return check_failed == fails;
	CHECK_MSG(res->dnslen[0] == res->dnslen[1] &&
		  !memcmp(res->dns[0], res->dns[1], res->dnslen[0]),
		  "%s: XDP and TC answers differ (%zu / %zu bytes)", desc, res->dnslen[0],
		  res->dnslen[1]);
	/* Question echoed byte for byte unless FORMERR (no question). */
	if (res->dnslen[0] >= 12 && (res->dns[0][3] & 0x0f) != 1) {
		size_t qn = 12;

		while (qn < qlen && qdns[qn])
			qn += 1 + qdns[qn];
		qn += 5;
		CHECK_MSG(res->dnslen[0] >= qn && !memcmp(res->dns[0] + 4, "\0\1", 2) &&
			  !memcmp(res->dns[0] + 12, qdns + 12, qn - 12),
			  "%s: question echoed byte for byte", desc);
	}
	if (ldns_wire2pkt(&res->pkt, res->dns[0], res->dnslen[0]) != LDNS_STATUS_OK) {
		CHECK_MSG(0, "%s: ldns cannot parse the response", desc);
		res->pkt = NULL;
	}
	if (T.verbose && res->pkt) {
		char *s = ldns_pkt2str(res->pkt);

		printf("---- %s (%zu bytes)\n%s", desc, res->dnslen[0], s);
		free(s);
	}
	return check_failed == fails && res->pkt;
}

void result_free(struct result *r)
{
	if (r->pkt)
		ldns_pkt_free(r->pkt);
	r->pkt = NULL;
}

/* Run a struct q. */
int ask(const char *desc, const struct pkt_spec *ps, const struct q *q, int exp,
	       int reason, struct result *res)
{
	uint8_t w[1024];
	size_t n = q_wire(q, w, sizeof(w)), limit = 512;

	if (q->edns) {
		limit = q->udp && q->udp < 1232 ? q->udp : 1232;
		if (limit < 512)
			limit = 512;
	}
	if (!n) {
		CHECK_MSG(0, "%s: cannot build the query", desc);
		memset(res, 0, sizeof(*res));
		return 0;
	}
	return run_case(desc, ps, w, n, exp, reason, limit, res);
}

/* ---- answer checks against the zone ---- */

int hdr(const ldns_pkt *p, int rcode, int aa, int tc)
{
	return (int)ldns_pkt_get_rcode(p) == rcode && ldns_pkt_aa(p) == aa && ldns_pkt_tc(p) == tc &&
	       ldns_pkt_qr(p) && !ldns_pkt_ra(p) && !ldns_pkt_ad(p);
}

/* Glue the zone holds for the NS targets of tld, in-domain ones flagged. */
int is_glue_for(const ldns_rr *rr, ldns_rr_list *ns)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(ns); i++)
		if (!ldns_dname_compare(ldns_rr_owner(rr), ldns_rr_ns_nsdname(ldns_rr_list_rr(ns, i))))
			return 1;
	return 0;
}

void check_referral(const char *desc, const ldns_pkt *p, const char *tld, int dobit)
{
	ldns_rr_list *auth = ldns_pkt_authority(p), *add = ldns_pkt_additional(p);
	ldns_rr_list *want = want_set(tld, LDNS_RR_TYPE_NS, 0), *ds, *ns;
	ldns_rdf *t = dname(tld);
	int tc = ldns_pkt_tc(p);
	size_t i;

	ns = ldns_rr_list_clone(want);
	if (dobit) {
		ds = want_set(tld, LDNS_RR_TYPE_DS, 1);
		if (!ldns_rr_list_rr_count(ds)) {
			ldns_rr_list_deep_free(ds);
			ds = want_set(tld, LDNS_RR_TYPE_NSEC, 1);
		}
		ldns_rr_list_push_rr_list(want, ds);
		ldns_rr_list_free(ds);
	}
	CHECK_MSG(hdr(p, LDNS_RCODE_NOERROR, 0, tc) && !ldns_pkt_ancount(p),
		  "%s: referral header (AA=0, NOERROR, no answer)", desc);
	if (!tc)
		CHECK_MSG(same_rrs(desc, auth, want), "%s: authority = NS%s of %s", desc,
			  dobit ? " + DS/NSEC + RRSIG" : "", tld);
	/* Additional: only glue for the NS targets, as held in the zone; all
	 * in-domain glue unless TC=1 (RFC 9471). */
	for (i = 0; i < ldns_rr_list_rr_count(add); i++) {
		ldns_rr *rr = ldns_rr_list_rr(add, i);
		ldns_rr_list *z = zone_rrs(ldns_rr_owner(rr), ldns_rr_get_type(rr), 0);
		int in_zone = 0;

		for (size_t j = 0; j < ldns_rr_list_rr_count(z); j++)
			in_zone |= !ldns_rr_compare(rr, ldns_rr_list_rr(z, j)) &&
				   ldns_rr_ttl(rr) == ldns_rr_ttl(ldns_rr_list_rr(z, j));
		ldns_rr_list_deep_free(z);
		CHECK_MSG(in_zone && is_glue_for(rr, ns) &&
			  (ldns_rr_get_type(rr) == LDNS_RR_TYPE_A ||
			   ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA),
			  "%s: additional RR %zu is zone glue for an NS target", desc, i);
	}
	if (!tc) {
		for (i = 0; i < ldns_rr_list_rr_count(ns); i++) {
			ldns_rdf *target = ldns_rr_ns_nsdname(ldns_rr_list_rr(ns, i));
			ldns_rr_type ty[2] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA };

			if (!ldns_dname_is_subdomain(target, t))
				continue;
			for (int k = 0; k < 2; k++) {
				ldns_rr_list *g = zone_rrs(target, ty[k], 0);

				for (size_t j = 0; j < ldns_rr_list_rr_count(g); j++)
					CHECK_MSG(ldns_rr_list_contains_rr(add, ldns_rr_list_rr(g, j)),
						  "%s: in-domain glue present", desc);
				ldns_rr_list_deep_free(g);
			}
		}
	}
	ldns_rr_list_deep_free(want);
	ldns_rr_list_deep_free(ns);
	ldns_rdf_deep_free(t);
}

void check_answer(const char *desc, const ldns_pkt *p, const char *owner,
			 ldns_rr_type type, int dobit)
{
	ldns_rr_list *want = want_set(owner, type, dobit);

	CHECK_MSG(hdr(p, LDNS_RCODE_NOERROR, 1, 0), "%s: header AA=1 NOERROR", desc);
	CHECK_MSG(same_rrs(desc, ldns_pkt_answer(p), want), "%s: answer RRset", desc);
	CHECK_MSG(!ldns_pkt_nscount(p), "%s: empty authority", desc);
	ldns_rr_list_deep_free(want);
}

/* NODATA at owner (apex or unsigned TLD for DS): SOA (+RRSIG, NSEC(owner)). */
void check_nodata(const char *desc, const ldns_pkt *p, const char *owner, int dobit)
{
	ldns_rr_list *want = want_neg_soa(dobit);

	if (dobit) {
		ldns_rr_list *n = want_set(owner, LDNS_RR_TYPE_NSEC, 1);

		ldns_rr_list_push_rr_list(want, n);
		ldns_rr_list_free(n);
	}
	CHECK_MSG(hdr(p, LDNS_RCODE_NOERROR, 1, 0) && !ldns_pkt_ancount(p),
		  "%s: NODATA header", desc);
	CHECK_MSG(same_rrs(desc, ldns_pkt_authority(p), want), "%s: NODATA authority", desc);
	ldns_rr_list_deep_free(want);
}

void check_nxdomain(const char *desc, const ldns_pkt *p, const char *qname, int dobit)
{
	ldns_rr_list *auth = ldns_pkt_authority(p), *want = want_neg_soa(dobit);
	ldns_rdf *qn = dname(qname), *apex = dname(".");
	size_t i, ncover = 0, napex = 0, nnsec = 0;

	CHECK_MSG(hdr(p, LDNS_RCODE_NXDOMAIN, 1, 0) && !ldns_pkt_ancount(p),
		  "%s: NXDOMAIN header", desc);
	if (dobit) {
		/* The covering NSEC and the apex NSEC, each with its RRSIG; once
		 * if they are the same (ldns_nsec_covers_name decides). */
		for (i = 0; i < ldns_rr_list_rr_count(auth); i++) {
			ldns_rr *rr = ldns_rr_list_rr(auth, i);

			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC)
				continue;
			nnsec++;
			if (ldns_nsec_covers_name(rr, qn)) {
				ncover++;
				ldns_rr_list *n = want_set(ldns_rdf2str(ldns_rr_owner(rr)), 0, 0);

				ldns_rr_list_deep_free(n);
			}
			if (!ldns_dname_compare(ldns_rr_owner(rr), apex))
				napex++;
		}
		CHECK_MSG(ncover == 1 && napex == 1 && nnsec <= 2,
			  "%s: covering NSEC %zu, apex NSEC %zu, NSECs %zu", desc, ncover, napex,
			  nnsec);
		/* Every NSEC in the response with its RRSIG, exactly as in the zone. */
		for (i = 0; i < ldns_rr_list_rr_count(auth); i++) {
			ldns_rr *rr = ldns_rr_list_rr(auth, i);
			char *o;
			ldns_rr_list *n;

			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC)
				continue;
			o = ldns_rdf2str(ldns_rr_owner(rr));
			n = want_set(o, LDNS_RR_TYPE_NSEC, 1);
			ldns_rr_list_push_rr_list(want, n);
			ldns_rr_list_free(n);
			free(o);
		}
	}
	CHECK_MSG(same_rrs(desc, auth, want), "%s: NXDOMAIN authority", desc);
	ldns_rr_list_deep_free(want);
	ldns_rdf_deep_free(qn);
	ldns_rdf_deep_free(apex);
}

/* OPT: present iff the query had EDNS; payload = server's, DO echoed. */
void check_opt(const char *desc, const ldns_pkt *p, int edns, int dobit)
{
	CHECK_MSG(ldns_pkt_edns(p) == edns, "%s: OPT present iff EDNS", desc);
	if (!edns)
		return;
	CHECK_MSG(ldns_pkt_edns_udp_size(p) == 1232 && ldns_pkt_edns_do(p) == dobit &&
		  ldns_pkt_edns_version(p) == 0, "%s: OPT payload 1232, DO %d, version 0", desc,
		  dobit);
}

/* ---- setup ---- */

int run_cmd(char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (!pid) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int zone_setup(const char *dir, char *image, size_t len)
{
	char zone[4200], ta[4200], compile[4200];
	const char *o = getenv("O") ? getenv("O") : "build";
	FILE *f;
	ldns_status s;
	int line = 0;

	snprintf(zone, sizeof(zone), "%s/root.zone", dir);
	snprintf(ta, sizeof(ta), "%s/trust-anchor.ds", dir);
	snprintf(compile, sizeof(compile), "%s/rootxdp-compile", o);
	snprintf(image, len, "%s/root.img", T.tmpdir);
	{
		char *argv[] = { compile, "--trust-anchor", ta, "-o", image, zone, NULL };

		if (run_cmd(argv)) {
			fprintf(stderr, "test_xdp: %s failed on %s\n", compile, zone);
			return -1;
		}
	}
	f = fopen(zone, "r");
	if (!f)
		return -1;
	s = ldns_zone_new_frm_fp_l(&T.zone, f, NULL, 0, LDNS_RR_CLASS_IN, &line);
	fclose(f);
	if (s != LDNS_STATUS_OK) {
		fprintf(stderr, "test_xdp: ldns cannot read %s line %d: %s\n", zone, line,
			ldns_get_errorstr_by_id(s));
		return -1;
	}
	T.soa = ldns_zone_soa(T.zone);
	return T.soa ? 0 : -1;
}

/* Pick TLDs: one with DS, one without, and the one with the most
 * in-domain glue (the largest required referral). */
void pick_tlds(void)
{
	ldns_rr_list *all = ldns_zone_rrs(T.zone);
	size_t best = 0;

	for (size_t i = 0; i < ldns_rr_list_rr_count(all); i++) {
		ldns_rr *rr = ldns_rr_list_rr(all, i);
		ldns_rdf *o = ldns_rr_owner(rr);
		ldns_rr_list *ds, *ns;
		size_t glue = 0;

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NS || ldns_dname_label_count(o) != 1)
			continue;
		if ((T.signed_tld && !ldns_dname_compare(o, T.signed_tld)) ||
		    (T.unsigned_tld && !ldns_dname_compare(o, T.unsigned_tld)))
			continue;
		ds = zone_rrs(o, LDNS_RR_TYPE_DS, 0);
		if (ldns_rr_list_rr_count(ds) && !T.signed_tld)
			T.signed_tld = ldns_rdf_clone(o);
		if (!ldns_rr_list_rr_count(ds) && !T.unsigned_tld)
			T.unsigned_tld = ldns_rdf_clone(o);
		ldns_rr_list_deep_free(ds);
		ns = zone_rrs(o, LDNS_RR_TYPE_NS, 0);
		for (size_t j = 0; j < ldns_rr_list_rr_count(ns); j++) {
			ldns_rdf *t = ldns_rr_ns_nsdname(ldns_rr_list_rr(ns, j));
			ldns_rr_list *a = zone_rrs(t, LDNS_RR_TYPE_A, 0);
			ldns_rr_list *aaaa = zone_rrs(t, LDNS_RR_TYPE_AAAA, 0);

			if (ldns_dname_is_subdomain(t, o))
				glue += 16 * ldns_rr_list_rr_count(a) + 28 * ldns_rr_list_rr_count(aaaa);
			ldns_rr_list_deep_free(a);
			ldns_rr_list_deep_free(aaaa);
		}
		ldns_rr_list_deep_free(ns);
		if (glue > best) {
			best = glue;
			if (T.big_tld)
				ldns_rdf_deep_free(T.big_tld);
			T.big_tld = ldns_rdf_clone(o);
		}
	}
}

char *tld_str(const ldns_rdf *r)
{
	static char buf[4][300];
	static int k;
	char *s = ldns_rdf2str(r), *out = buf[k++ & 3];

	snprintf(out, 300, "%s", s ? s : "?");
	free(s);
	return out;
}

void cfg_set(const char *version, unsigned mtu)
{
	struct rx_config c;
	char e[256] = "";

	rx_config_defaults(&c);
	snprintf(c.identity, sizeof(c.identity), "%s", IDENT);
	c.nsid = true;
	snprintf(c.version, sizeof(c.version), "%s", version ? version : "");
	c.max_udp_payload = 1232;
	snprintf(c.cookie_secret, sizeof(c.cookie_secret), "%s", TEST_COOKIE_HEX);
	c.rrl_rate = T.rrl_rate;	/* 0 but in the RRL cases */
	c.rrl_slip = T.rrl_slip;
	c.rrl_log_only = T.rrl_log_only;
	c.dnstap_sample_rate = T.tap_rate;
	c.nrrl_exempt = 0;
	if (T.rrl_exempt) {
		snprintf(c.rrl_exempt[0], sizeof(c.rrl_exempt[0]), "198.51.100.0/24");
		c.nrrl_exempt = 1;
	}
	if (T.cookie_prev) {	/* rotated: CK_OLD ("fedcba9876543210") is the previous one */
		snprintf(c.cookie_secret_previous, sizeof(c.cookie_secret_previous), "%s",
			 "66656463626139383736353433323130");
	}
	if (rx_cfg_write(&T.maps, &c, mtu, e, sizeof(e)))
		fprintf(stderr, "test_xdp: %s\n", e);
}

int libbpf_quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	return l == LIBBPF_WARN ? vfprintf(stderr, f, ap) : 0;
}

/* ---- the cases ---- */

const struct pkt_spec V4 = { 0 }, V6 = { .v6 = 1 };

struct pkt_spec spec(int v6, int nvlan)
{
	struct pkt_spec s = { .v6 = v6, .nvlan = nvlan };

	return s;
}


/* One program alone (XDP and TC share the buckets, so RRL sequences are
 * run path by path). */
uint32_t run1(int tc, const struct pkt_spec *ps, const uint8_t *dns, size_t n,
		     struct pkt_dec *d, uint8_t *out)
{
	static uint8_t in[PKT_MAX];
	size_t inlen = pkt_build(ps, dns, n, in), outlen = 0;
	uint32_t ret = ~0u;
	const char *why;

	memset(d, 0, sizeof(*d));
	if (pkt_run(T.fd[tc], !tc, in, inlen, out, &outlen, &ret))
		CHECK_MSG(0, "rrl: test run failed: %s", strerror(errno));
	else if ((tc ? ret == TC_ACT_REDIRECT : ret == XDP_TX) && pkt_decode(out, outlen, d, &why))
		CHECK_MSG(0, "rrl: response frame: %s", why);
	return ret;
}

int answered(int tc, uint32_t ret)
{
	return tc ? ret == TC_ACT_REDIRECT : ret == XDP_TX;
}

int dropped(int tc, uint32_t ret)
{
	return tc ? ret == TC_ACT_SHOT : ret == XDP_DROP;
}

/* FORMERR: 12 bytes, ID and RD echoed, QR=1, rcode 1, all counts 0. */
int res_ok_formerr(const uint8_t *a, size_t n, const uint8_t *q)
{
	static const uint8_t zero[8];

	return n == 12 && a[0] == q[0] && a[1] == q[1] && a[2] == (0x80 | (q[2] & 1)) &&
	       a[3] == 1 && !memcmp(a + 4, zero, 8);
}
