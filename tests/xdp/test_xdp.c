// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_xdp.c - packet-level tests of rootxdp_xdp and rootxdp_tc through
 * BPF_PROG_TEST_RUN.
 *
 * Loads the skeleton with pinning disabled (nothing lands in /sys/fs/bpf),
 * compiles the test zone ($RX_ZONE_DIR, else $O/zones (O defaults to
 * build) from tests/zones/mkzone.sh) with rootxdp-compile, swaps it in with
 * rx_zone_swap(), and runs every case through BOTH programs.  Answers are
 * decoded with ldns and compared with an expectation computed here from
 * the zone file (ldns_zone), never from the image or the compiler.  Pass
 * and drop cases are asserted through the rx_stats counter they move.
 *
 *   RX_ZONE_DIR=build/zones build/tests/xdp/test_xdp [-v]
 *
 * (Timings are not this suite's business: bench/testrun.c measures the
 * same answer kinds for `make bench`.)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ldns/ldns.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <time.h>
#include "rootxdp.h"
#include "rootxdp.skel.h"
#include "config.h"
#include "image.h"
#include "zone_maps.h"
#include "pkt.h"
#include "csum.h"
#include "../unit/check.h"

#define IDENT	"test-instance"
/* the cookie secret of both paths: "0123456789abcdef" */
#define TEST_COOKIE_HEX "30313233343536373839616263646566"
#define MTU	1500

static const char *const stat_names[] = {
#define X(e, s) #s,
	RX_STATS(X)
#undef X
};

static struct {
	struct rootxdp *skel;
	struct rx_maps maps;
	int fd[2];		/* [0] XDP, [1] TC */
	ldns_zone *zone;
	ldns_rr *soa;
	int ncpu;
	int verbose;
	unsigned rrl_rate, rrl_slip;
	int rrl_exempt, rrl_log_only, cookie_prev;
	unsigned tap_rate;		/* dnstap-sample-rate, 0 but in cases_tap */
	char tmpdir[64];
	/* TLDs picked from the zone */
	ldns_rdf *signed_tld, *unsigned_tld, *big_tld;
} T;

static const char *path_name(int tc)
{
	return tc ? "tc" : "xdp";
}

/* ---- stats ---- */

static __u64 stat_get(int path, int idx)
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

static ldns_rdf *dname(const char *s)
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
static ldns_rr_list *zone_rrs(const ldns_rdf *owner, ldns_rr_type type, ldns_rr_type covered)
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

static ldns_rr_list *want_set(const char *owner, ldns_rr_type type, int dobit)
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

static void set_ttl(ldns_rr_list *l, uint32_t ttl)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
		ldns_rr_set_ttl(ldns_rr_list_rr(l, i), ttl);
}

/* The negative-answer SOA (+RRSIG): TTL min(SOA TTL, MINIMUM), RFC 2308 3. */
static ldns_rr_list *want_neg_soa(int dobit)
{
	ldns_rr_list *l = want_set(".", LDNS_RR_TYPE_SOA, dobit);
	uint32_t ttl = ldns_rr_ttl(T.soa), min = ldns_rdf2native_int32(ldns_rr_rdf(T.soa, 6));

	set_ttl(l, ttl < min ? ttl : min);
	return l;
}

/* got (a response section) holds exactly the RRs of want: same owner,
 * type, rdata (ldns_rr_compare) and TTL.  Returns 1 if equal. */
static int same_rrs(const char *what, ldns_rr_list *got, ldns_rr_list *want)
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

struct q {
	const char *name;
	ldns_rr_type type;
	ldns_rr_class cls;
	int edns, dobit, nsid, version;
	uint16_t udp;
	int rd, cd;
};

static uint16_t next_id = 0x1000;

static size_t q_wire(const struct q *q, uint8_t *buf, size_t max)
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
struct raw {
	uint8_t b[1024];
	size_t n;
};

static void raw_hdr(struct raw *r, uint16_t flags, int qd, int an, int ns, int ar)
{
	uint8_t *p = r->b;

	p[0] = 0xab;
	p[1] = 0xcd;
	p[2] = flags >> 8;
	p[3] = flags;
	p[4] = 0, p[5] = qd, p[6] = 0, p[7] = an, p[8] = 0, p[9] = ns, p[10] = 0, p[11] = ar;
	r->n = 12;
}

static void raw_put(struct raw *r, const void *b, size_t n)
{
	memcpy(r->b + r->n, b, n);
	r->n += n;
}

static void raw_q(struct raw *r, const char *wire_name, size_t nlen, uint16_t type)
{
	uint8_t t[4] = { type >> 8, type, 0, 1 };

	raw_put(r, wire_name, nlen);
	raw_put(r, t, 4);
}

/* OPT with payload 1232 and the given options bytes. */
static void raw_opt(struct raw *r, const uint8_t *opts, size_t olen)
{
	uint8_t o[11] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, olen >> 8, olen };

	raw_put(r, o, 11);
	if (olen)
		raw_put(r, opts, olen);
}

/* ---- running a case on both programs ---- */

enum { EXP_ANSWER, EXP_PASS, EXP_DROP };

struct result {
	ldns_pkt *pkt;			/* decoded DNS response (XDP) */
	uint8_t dns[2][PKT_MAX];	/* raw DNS payload, per path */
	size_t dnslen[2];
};

static int verdict_ok(int tc, int exp, uint32_t ret)
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
static int run_case(const char *desc, const struct pkt_spec *ps, const uint8_t *qdns, size_t qlen,
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

static void result_free(struct result *r)
{
	if (r->pkt)
		ldns_pkt_free(r->pkt);
	r->pkt = NULL;
}

/* Run a struct q. */
static int ask(const char *desc, const struct pkt_spec *ps, const struct q *q, int exp,
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

static int hdr(const ldns_pkt *p, int rcode, int aa, int tc)
{
	return (int)ldns_pkt_get_rcode(p) == rcode && ldns_pkt_aa(p) == aa && ldns_pkt_tc(p) == tc &&
	       ldns_pkt_qr(p) && !ldns_pkt_ra(p) && !ldns_pkt_ad(p);
}

/* Glue the zone holds for the NS targets of tld, in-domain ones flagged. */
static int is_glue_for(const ldns_rr *rr, ldns_rr_list *ns)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(ns); i++)
		if (!ldns_dname_compare(ldns_rr_owner(rr), ldns_rr_ns_nsdname(ldns_rr_list_rr(ns, i))))
			return 1;
	return 0;
}

static void check_referral(const char *desc, const ldns_pkt *p, const char *tld, int dobit)
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

static void check_answer(const char *desc, const ldns_pkt *p, const char *owner,
			 ldns_rr_type type, int dobit)
{
	ldns_rr_list *want = want_set(owner, type, dobit);

	CHECK_MSG(hdr(p, LDNS_RCODE_NOERROR, 1, 0), "%s: header AA=1 NOERROR", desc);
	CHECK_MSG(same_rrs(desc, ldns_pkt_answer(p), want), "%s: answer RRset", desc);
	CHECK_MSG(!ldns_pkt_nscount(p), "%s: empty authority", desc);
	ldns_rr_list_deep_free(want);
}

/* NODATA at owner (apex or unsigned TLD for DS): SOA (+RRSIG, NSEC(owner)). */
static void check_nodata(const char *desc, const ldns_pkt *p, const char *owner, int dobit)
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

static void check_nxdomain(const char *desc, const ldns_pkt *p, const char *qname, int dobit)
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
static void check_opt(const char *desc, const ldns_pkt *p, int edns, int dobit)
{
	CHECK_MSG(ldns_pkt_edns(p) == edns, "%s: OPT present iff EDNS", desc);
	if (!edns)
		return;
	CHECK_MSG(ldns_pkt_edns_udp_size(p) == 1232 && ldns_pkt_edns_do(p) == dobit &&
		  ldns_pkt_edns_version(p) == 0, "%s: OPT payload 1232, DO %d, version 0", desc,
		  dobit);
}

/* ---- setup ---- */

static int run_cmd(char *const argv[])
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

static int zone_setup(const char *dir, char *image, size_t len)
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
static void pick_tlds(void)
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

static char *tld_str(const ldns_rdf *r)
{
	static char buf[4][300];
	static int k;
	char *s = ldns_rdf2str(r), *out = buf[k++ & 3];

	snprintf(out, 300, "%s", s ? s : "?");
	free(s);
	return out;
}

static void cfg_set(const char *version, unsigned mtu)
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

static int libbpf_quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	return l == LIBBPF_WARN ? vfprintf(stderr, f, ap) : 0;
}

/* ---- the cases ---- */

static const struct pkt_spec V4 = { 0 }, V6 = { .v6 = 1 };

static struct pkt_spec spec(int v6, int nvlan)
{
	struct pkt_spec s = { .v6 = v6, .nvlan = nvlan };

	return s;
}

static void cases_no_zone(void)
{
	struct result r;
	struct q q = { .name = "example.com.", .type = LDNS_RR_TYPE_A };

	ask("no zone loaded: pass", &V4, &q, EXP_PASS, RX_PASS_NO_ZONE, &r);
}

static void cases_referral(void)
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

static void cases_ds(void)
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

static void cases_nxdomain(void)
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

static void cases_apex(void)
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

static void cases_chaos(void)
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

static void cases_edns(void)
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
static void cases_size(void)
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

/* Frames and queries XDP must not answer. */
static void cases_pass_drop(void)
{
	struct result r;
	struct raw w;
	uint8_t qw[1024];
	struct q q = { .name = "example.com.", .type = LDNS_RR_TYPE_A, .edns = 1 };
	size_t n = q_wire(&q, qw, sizeof(qw));
	struct pkt_spec ps;

	ps = V4, ps.dport = 54;
	run_case("UDP to port 54", &ps, qw, n, EXP_PASS, RX_PASS_NOT_DNS, 0, &r);
	ps = V4, ps.l4proto = 6;
	run_case("TCP", &ps, qw, n, EXP_PASS, RX_PASS_NOT_DNS, 0, &r);
	ps = V4, ps.ip_options = 1;
	run_case("IPv4 options", &ps, qw, n, EXP_PASS, RX_PASS_IP_OPTIONS, 0, &r);
	ps = V4, ps.frag = 1;
	run_case("IPv4 fragment", &ps, qw, n, EXP_PASS, RX_PASS_FRAGMENT, 0, &r);
	ps = V6, ps.frag = 1;
	run_case("IPv6 fragment header", &ps, qw, n, EXP_PASS, RX_PASS_FRAGMENT, 0, &r);
	ps = V6, ps.v6_ext = 1;
	run_case("IPv6 hop-by-hop header", &ps, qw, n, EXP_PASS, RX_PASS_IPV6_EXT, 0, &r);
	ps = V4, ps.udp_len_delta = 1;
	run_case("UDP length too long", &ps, qw, n, EXP_PASS, RX_PASS_BAD_LENGTH, 0, &r);
	ps = V6, ps.udp_len_delta = -1;
	run_case("UDP length too short", &ps, qw, n, EXP_PASS, RX_PASS_BAD_LENGTH, 0, &r);
	ps = V4, ps.ip_len_delta = 2;
	run_case("IPv4 length past the frame", &ps, qw, n, EXP_PASS, RX_PASS_BAD_LENGTH, 0, &r);
	ps = V4, ps.trailing = 16;
	run_case("bytes after the IP packet", &ps, qw, n, EXP_PASS, RX_PASS_BAD_LENGTH, 0, &r);
	/* Three VLAN tags: build with two and insert one more. */
	{
		static uint8_t in[PKT_MAX], out[PKT_MAX];
		size_t len, ol;
		uint32_t ret;
		struct pkt_spec s2 = spec(0, 2);

		len = pkt_build(&s2, qw, n, in);
		memmove(in + 16, in + 12, len - 12);
		in[12] = 0x81, in[13] = 0, in[14] = 0, in[15] = 7;
		len += 4;
		for (int tc = 0; tc < 2; tc++) {
			__u64 b = stat_get(tc, RX_PASS_L2);

			CHECK(!pkt_run(T.fd[tc], !tc, in, len, out, &ol, &ret) &&
			      verdict_ok(tc, EXP_PASS, ret) && stat_get(tc, RX_PASS_L2) == b + 1);
		}
		/* IPv4 cut short inside the UDP header (the TC test run refuses an
		 * skb shorter than an IPv4 header: -EINVAL). */
		len = pkt_build(&V4, qw, n, in);
		for (int tc = 0; tc < 2; tc++) {
			__u64 b = stat_get(tc, RX_PASS_BAD_LENGTH);

			int rc = pkt_run(T.fd[tc], !tc, in, 38, out, &ol, &ret);

			CHECK_MSG(!rc && verdict_ok(tc, EXP_PASS, ret) &&
				  stat_get(tc, RX_PASS_BAD_LENGTH) == b + 1,
				  "IPv4 cut short [%s]: rc %d verdict %u", path_name(tc), rc, ret);
		}
	}

	/* DNS-level. */
	raw_hdr(&w, 0x8000, 1, 0, 0, 0);
	raw_q(&w, "\3com\0", 5, 1);
	run_case("QR=1: drop", &V4, w.b, w.n, EXP_DROP, RX_DROP_QR, 0, &r);
	run_case("11-byte DNS payload: drop", &V4, w.b, 11, EXP_DROP, RX_DROP_SHORT, 0, &r);
	raw_hdr(&w, 0x1000, 1, 0, 0, 0);		/* opcode 2 (STATUS) */
	raw_q(&w, "\3com\0", 5, 1);
	run_case("opcode STATUS: pass", &V4, w.b, w.n, EXP_PASS, RX_PASS_OPCODE, 0, &r);
	raw_hdr(&w, 0x0100, 1, 0, 0, 0);
	raw_q(&w, "\3www\300\014", 6, 1);
	run_case("compression pointer in the question: pass", &V4, w.b, w.n, EXP_PASS,
		 RX_PASS_NAME, 0, &r);
	raw_hdr(&w, 0x0100, 1, 0, 0, 2);
	raw_q(&w, "\3com\0", 5, 1);
	raw_opt(&w, NULL, 0);
	raw_opt(&w, NULL, 0);
	run_case("ARCOUNT 2: pass", &V4, w.b, w.n, EXP_PASS, RX_PASS_ARCOUNT, 0, &r);
	raw_hdr(&w, 0x0100, 1, 0, 0, 1);
	raw_q(&w, "\3com\0", 5, 1);
	raw_put(&w, "\3com\0\0\1\0\1\0\0\0\0\0\4\1\2\3\4", 19);	/* an A RR */
	run_case("ARCOUNT 1, not OPT: pass", &V4, w.b, w.n, EXP_PASS, RX_PASS_ARCOUNT, 0, &r);
	/* An IXFR query carries the client's SOA in the authority section. */
	raw_hdr(&w, 0x0000, 1, 0, 1, 0);
	raw_q(&w, "\0", 1, 251);
	raw_put(&w, "\0\0\6\0\1\0\0\0\0\0\026\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 33);
	run_case("IXFR with its SOA (NSCOUNT 1): pass", &V4, w.b, w.n, EXP_PASS,
		 RX_PASS_NSCOUNT, 0, &r);
	raw_hdr(&w, 0x0100, 1, 0, 0, 1);
	raw_q(&w, "\3com\0", 5, 1);
	raw_opt(&w, (const uint8_t *)"\0\10\0\7\0\1\30\0\300\0\2", 11);	/* ECS */
	run_case("EDNS client subnet: pass", &V4, w.b, w.n, EXP_PASS, RX_PASS_EDNS, 0, &r);
	raw_hdr(&w, 0x0100, 1, 0, 0, 0);
	raw_q(&w, "\3com\0", 5, 1);
	raw_put(&w, "\0\0", 2);
	run_case("bytes after the question: pass", &V4, w.b, w.n, EXP_PASS, RX_PASS_TRAILING,
		 0, &r);
	{
		static const uint16_t meta[] = { 0, 41, 249, 250, 251, 252, 253, 254 };

		for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++) {
			char d[64];

			raw_hdr(&w, 0x0100, 1, 0, 0, 0);
			raw_q(&w, "\3com\0", 5, meta[i]);
			snprintf(d, sizeof(d), "qtype %u: pass", meta[i]);
			run_case(d, &V6, w.b, w.n, EXP_PASS, RX_PASS_QTYPE, 0, &r);
		}
		raw_hdr(&w, 0x0100, 1, 0, 0, 0);
		raw_q(&w, "\0", 1, 255);
		run_case(". ANY: pass", &V4, w.b, w.n, EXP_PASS, RX_PASS_QTYPE, 0, &r);
		raw_hdr(&w, 0x0100, 1, 0, 0, 0);
		raw_q(&w, "\0", 1, 46);
		run_case(". RRSIG: pass", &V4, w.b, w.n, EXP_PASS, RX_PASS_QTYPE, 0, &r);
	}
	/* A query over 512 bytes (padding option). */
	{
		uint8_t pad[600] = { 0, 12, 0x02, 0x00 };

		raw_hdr(&w, 0x0100, 1, 0, 0, 1);
		raw_q(&w, "\3com\0", 5, 1);
		raw_opt(&w, pad, 4 + 512);
		run_case("query over 512 bytes: pass", &V4, w.b, w.n, EXP_PASS, RX_PASS_BIG_QUERY,
			 0, &r);
	}
	/* MTU: with an MTU of 100 a referral does not fit. */
	cfg_set(NULL, 100);
	{
		struct q q2 = { .name = "www.example.com.", .type = LDNS_RR_TYPE_A, .edns = 1,
				.dobit = 1 };
		char name[300];

		snprintf(name, sizeof(name), "www.%s", tld_str(T.signed_tld));
		q2.name = name;
		ask("answer over the MTU: pass", &V4, &q2, EXP_PASS, RX_PASS_MTU, &r);
	}
	cfg_set(NULL, MTU);
}

/* FORMERR: 12 bytes, ID and RD echoed, QR=1, rcode 1, all counts 0. */
static int res_ok_formerr(const uint8_t *a, size_t n, const uint8_t *q)
{
	static const uint8_t zero[8];

	return n == 12 && a[0] == q[0] && a[1] == q[1] && a[2] == (0x80 | (q[2] & 1)) &&
	       a[3] == 1 && !memcmp(a + 4, zero, 8);
}

static void formerr_case(const char *desc, struct raw *w, const struct pkt_spec *ps)
{
	struct result r;

	if (run_case(desc, ps, w->b, w->n, EXP_ANSWER, 0, 512, &r)) {
		CHECK_MSG(res_ok_formerr(r.dns[0], r.dnslen[0], w->b), "%s: FORMERR form", desc);
	}
	result_free(&r);
}

static void cases_formerr(void)
{
	struct raw w;
	uint8_t name[300];
	size_t n = 0;

	raw_hdr(&w, 0x0110, 2, 0, 0, 0);
	raw_q(&w, "\3com\0", 5, 1);
	raw_q(&w, "\3com\0", 5, 1);
	formerr_case("QDCOUNT 2: FORMERR", &w, &V4);
	raw_hdr(&w, 0x0100, 1, 1, 0, 0);
	raw_q(&w, "\3com\0", 5, 1);
	formerr_case("ANCOUNT 1: FORMERR", &w, &V6);
	raw_hdr(&w, 0x0000, 0, 0, 0, 0);
	formerr_case("QDCOUNT 0: FORMERR", &w, &V4);
	/* A 64-byte label (length byte 0x40: a reserved label type). */
	raw_hdr(&w, 0x0100, 1, 0, 0, 0);
	memset(name, 'a', sizeof(name));
	name[0] = 64;
	name[65] = 0;
	raw_q(&w, (const char *)name, 66, 1);
	formerr_case("64-byte label: FORMERR", &w, &V4);
	/* 0x80 label type. */
	raw_hdr(&w, 0x0100, 1, 0, 0, 0);
	raw_q(&w, "\200com\0", 5, 1);
	formerr_case("label type 0x80: FORMERR", &w, &V6);
	/* A 256-byte name: 4 x (63 + 1) = 256 before the root byte. */
	raw_hdr(&w, 0x0100, 1, 0, 0, 0);
	for (int i = 0, off = 0; i < 4; i++, off += 64) {
		name[off] = 63;
		memset(name + off + 1, 'b', 63);
		n = off + 64;
	}
	name[n++] = 0;
	raw_q(&w, (const char *)name, n, 1);
	formerr_case("257-byte name: FORMERR", &w, &V4);
	/* Exactly 255 bytes is legal: 3 x 64 + 62 + root -> referral or NX. */
	{
		struct result r;

		raw_hdr(&w, 0x0100, 1, 0, 0, 0);
		for (int i = 0, off = 0; i < 4; i++, off += 64) {
			name[off] = i == 3 ? 61 : 63;
			memset(name + off + 1, 'c', 63);
		}
		name[254] = 0;
		raw_q(&w, (const char *)name, 255, 1);
		if (run_case("255-byte name: answered", &V4, w.b, w.n, EXP_ANSWER, 0, 512, &r))
			CHECK(ldns_pkt_get_rcode(r.pkt) == LDNS_RCODE_NXDOMAIN);
		result_free(&r);
	}
	/* Name running past the payload, and QTYPE/QCLASS missing. */
	raw_hdr(&w, 0x0100, 1, 0, 0, 0);
	raw_put(&w, "\7example\3co", 12);
	formerr_case("name past the payload: FORMERR", &w, &V4);
	raw_hdr(&w, 0x0100, 1, 0, 0, 0);
	raw_put(&w, "\3com\0\0\1", 7);
	formerr_case("QCLASS missing: FORMERR", &w, &V4);
	/* OPT cut short, and an option longer than the OPT's data. */
	raw_hdr(&w, 0x0100, 1, 0, 0, 1);
	raw_q(&w, "\3com\0", 5, 1);
	raw_put(&w, "\0\0\51\4\320", 5);
	formerr_case("OPT cut short: FORMERR", &w, &V4);
	raw_hdr(&w, 0x0100, 1, 0, 0, 1);
	raw_q(&w, "\3com\0", 5, 1);
	raw_opt(&w, (const uint8_t *)"\0\3\0\10", 4);
	formerr_case("option longer than the OPT: FORMERR", &w, &V4);
}

/* After everything, counters add up on each path. */
/* ---- DNS cookies (RFC 7873, RFC 9018) ---- */

/* The secret cfg_set() gives both paths, as bytes. */
static const uint8_t CK_SECRET[16] = "0123456789abcdef";
static const uint8_t CK_OLD[16] = "fedcba9876543210";

/* Independent oracle: OpenSSL's SipHash-2-4 (EVP_MAC "SIPHASH", 8-byte
 * output, little-endian as the reference) over Client Cookie | Version |
 * Reserved | Timestamp | Client-IP (RFC 9018 4.4). */
static void oracle_hash(const uint8_t secret[16], const uint8_t cc[8], const uint8_t hdr[8],
			int v6, uint8_t out[8])
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
	size_t sz = 8, outl = 0;
	OSSL_PARAM prm[] = { OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &sz),
			     OSSL_PARAM_END };
	uint8_t ip[16];

	memset(out, 0, 8);
	inet_pton(v6 ? AF_INET6 : AF_INET, v6 ? PKT_CLIENT6 : PKT_CLIENT4, ip);
	if (!c || !EVP_MAC_init(c, secret, 16, prm) || !EVP_MAC_update(c, cc, 8) ||
	    !EVP_MAC_update(c, hdr, 8) || !EVP_MAC_update(c, ip, v6 ? 16 : 4) ||
	    !EVP_MAC_final(c, out, &outl, 8) || outl != 8)
		CHECK_MSG(0, "OpenSSL SipHash oracle failed");
	EVP_MAC_CTX_free(c);
	EVP_MAC_free(mac);
}

/* A server cookie made by the oracle, stamped ts. */
static void oracle_cookie(const uint8_t secret[16], const uint8_t cc[8], uint32_t ts, int v6,
			  uint8_t sc[16])
{
	sc[0] = 1;
	sc[1] = sc[2] = sc[3] = 0;
	sc[4] = ts >> 24, sc[5] = ts >> 16, sc[6] = ts >> 8, sc[7] = ts;
	oracle_hash(secret, cc, sc, v6, sc + 8);
}

/* A fresh cookie is stamped with the current second: keep XDP, TC and
 * the check in one second. */
static uint32_t away_from_second_edge(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_nsec > 850000000L)
		usleep((1000000000L - ts.tv_nsec) / 1000 + 20000);
	return (uint32_t)time(NULL);
}

static size_t cookie_query(struct raw *w, const uint8_t *ck, size_t cklen)
{
	uint8_t o[4 + 64] = { 0, 10, 0, cklen };

	memcpy(o + 4, ck, cklen);
	raw_hdr(w, 0x0100, 1, 0, 0, 1);
	raw_q(w, "\3com\0", 5, 1);
	raw_opt(w, o, 4 + cklen);
	return w->n;
}

/* The answer's OPT holds exactly one COOKIE option: client cookie cc and
 * a server cookie; the server cookie goes to sc. */
static int answer_cookie(const char *desc, const struct result *r, const uint8_t cc[8],
			 uint8_t sc[16])
{
	ldns_rdf *o = r->pkt ? ldns_pkt_edns_data(r->pkt) : NULL;
	const uint8_t *d = o ? ldns_rdf_data(o) : NULL;

	if (!d || ldns_rdf_size(o) != 28 || memcmp(d, "\0\12\0\30", 4) || memcmp(d + 4, cc, 8)) {
		CHECK_MSG(0, "%s: one COOKIE option with the client cookie", desc);
		return 0;
	}
	memcpy(sc, d + 12, 16);
	return 1;
}

static int cookie_is_fresh(const uint8_t sc[16], const uint8_t secret[16], const uint8_t cc[8],
			   int v6, uint32_t t0)
{
	uint32_t ts = (uint32_t)sc[4] << 24 | sc[5] << 16 | sc[6] << 8 | sc[7], now = time(NULL);
	uint8_t h[8];

	oracle_hash(secret, cc, sc, v6, h);
	return sc[0] == 1 && !sc[1] && !sc[2] && !sc[3] && ts >= t0 - 1 && ts <= now + 1 &&
	       !memcmp(h, sc + 8, 8);
}

static void cases_cookie_family(int v6)
{
	const struct pkt_spec *ps = v6 ? &V6 : &V4;
	static const uint8_t cc[8] = { 0xc1, 0x1e, 0x47, 0x00, 0x0c, 0x00, 0x41, 0xe5 };
	uint8_t ck[40], sc[16], sc2[16];
	__u64 before[2];
	struct result r;
	struct raw w;
	uint32_t t0;
	char desc[96];

#define CK_CASE(fmt) (snprintf(desc, sizeof(desc), "cookie %s: " fmt, v6 ? "v6" : "v4"), desc)
	/* Client cookie alone: a fresh server cookie (RFC 7873 5.2.3). */
	for (int tc = 0; tc < 2; tc++)
		before[tc] = stat_get(tc, RX_ST_CK_MINTED);
	t0 = away_from_second_edge();
	memcpy(ck, cc, 8);
	if (run_case(CK_CASE("client cookie only"), ps, w.b, cookie_query(&w, ck, 8), EXP_ANSWER,
		     0, 1232, &r) && answer_cookie(desc, &r, cc, sc)) {
		CHECK_MSG(cookie_is_fresh(sc, CK_SECRET, cc, v6, t0), "%s: RFC 9018 server cookie", desc);
		CHECK(ldns_pkt_get_rcode(r.pkt) == 0 && ldns_pkt_nscount(r.pkt) > 0);
	}
	result_free(&r);
	for (int tc = 0; tc < 2; tc++)
		CHECK_MSG(stat_get(tc, RX_ST_CK_MINTED) == before[tc] + 1, "%s [%s]: cookie_minted",
			  desc, path_name(tc));

	/* Sent back within half an hour: echoed as it is. */
	for (int tc = 0; tc < 2; tc++)
		before[tc] = stat_get(tc, RX_ST_CK_GOOD);
	memcpy(ck + 8, sc, 16);
	if (run_case(CK_CASE("good server cookie"), ps, w.b, cookie_query(&w, ck, 24), EXP_ANSWER,
		     0, 1232, &r) && answer_cookie(desc, &r, cc, sc2))
		CHECK_MSG(!memcmp(sc, sc2, 16), "%s: echoed", desc);
	result_free(&r);
	for (int tc = 0; tc < 2; tc++)
		CHECK_MSG(stat_get(tc, RX_ST_CK_GOOD) == before[tc] + 1, "%s [%s]: cookie_good",
			  desc, path_name(tc));

	/* Tampered, too old, too far ahead, not ours: answered, fresh cookie. */
	{
		static const struct { const char *what; int dt; int flip; size_t sclen; } bad[] = {
			{ "tampered hash", 0, 1, 16 },
			{ "3601 s old", -3601, 0, 16 },
			{ "301 s ahead", 301, 0, 16 },
			{ "8-byte server cookie", 0, 0, 8 },
			{ "32-byte server cookie", 0, 0, 32 },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			for (int tc = 0; tc < 2; tc++)
				before[tc] = stat_get(tc, RX_ST_CK_BAD);
			t0 = away_from_second_edge();
			memset(ck + 8, 0x5a, 32);
			oracle_cookie(CK_SECRET, cc, t0 + bad[i].dt, v6, ck + 8);
			if (bad[i].flip)
				ck[8 + 15] ^= 1;
			snprintf(desc, sizeof(desc), "cookie %s: bad: %s", v6 ? "v6" : "v4",
				 bad[i].what);
			if (run_case(desc, ps, w.b,
				     cookie_query(&w, ck, 8 + bad[i].sclen), EXP_ANSWER, 0, 1232, &r) &&
			    answer_cookie(desc, &r, cc, sc2))
				CHECK_MSG(cookie_is_fresh(sc2, CK_SECRET, cc, v6, t0),
					  "%s: a fresh cookie instead", desc);
			result_free(&r);
			for (int tc = 0; tc < 2; tc++)
				CHECK_MSG(stat_get(tc, RX_ST_CK_BAD) == before[tc] + 1,
					  "%s [%s]: cookie_bad", desc, path_name(tc));
		}
	}
	/* Good but older than half an hour: renewed; 299 s ahead: echoed. */
	t0 = away_from_second_edge();
	oracle_cookie(CK_SECRET, cc, t0 - 2000, v6, ck + 8);
	if (run_case(CK_CASE("40 min old: renewed"), ps, w.b, cookie_query(&w, ck, 24), EXP_ANSWER,
		     0, 1232, &r) && answer_cookie(desc, &r, cc, sc2))
		CHECK_MSG(cookie_is_fresh(sc2, CK_SECRET, cc, v6, t0), "%s", desc);
	result_free(&r);
	oracle_cookie(CK_SECRET, cc, t0 + 299, v6, ck + 8);
	if (run_case(CK_CASE("299 s ahead: echoed"), ps, w.b, cookie_query(&w, ck, 24), EXP_ANSWER,
		     0, 1232, &r) && answer_cookie(desc, &r, cc, sc2))
		CHECK_MSG(!memcmp(sc2, ck + 8, 16), "%s", desc);
	result_free(&r);

	/* Malformed lengths: FORMERR (RFC 7873 5.2.2). */
	{
		static const size_t lens[] = { 0, 7, 9, 15, 41 };

		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			for (int tc = 0; tc < 2; tc++)
				before[tc] = stat_get(tc, RX_ST_CK_FORMERR);
			memset(ck, 0x11, sizeof(ck));
			snprintf(desc, sizeof(desc), "cookie %s: %zu-byte option: FORMERR",
				 v6 ? "v6" : "v4", lens[i]);
			cookie_query(&w, ck, lens[i]);
			if (run_case(desc, ps, w.b, w.n, EXP_ANSWER, 0, 512, &r))
				CHECK_MSG(res_ok_formerr(r.dns[0], r.dnslen[0], w.b), "%s", desc);
			result_free(&r);
			for (int tc = 0; tc < 2; tc++)
				CHECK_MSG(stat_get(tc, RX_ST_CK_FORMERR) == before[tc] + 1,
					  "%s [%s]: cookie_formerr", desc, path_name(tc));
		}
	}
	/* After a rotation: a cookie of the previous secret is good, and
	 * renewed with the current one at once. */
	T.cookie_prev = 1;
	cfg_set(NULL, MTU);
	t0 = away_from_second_edge();
	memcpy(ck, cc, 8);
	oracle_cookie(CK_OLD, cc, t0 - 10, v6, ck + 8);
	for (int tc = 0; tc < 2; tc++)
		before[tc] = stat_get(tc, RX_ST_CK_GOOD);
	if (run_case(CK_CASE("previous secret"), ps, w.b, cookie_query(&w, ck, 24), EXP_ANSWER, 0,
		     1232, &r) && answer_cookie(desc, &r, cc, sc2))
		CHECK_MSG(cookie_is_fresh(sc2, CK_SECRET, cc, v6, t0), "%s: renewed", desc);
	result_free(&r);
	for (int tc = 0; tc < 2; tc++)
		CHECK_MSG(stat_get(tc, RX_ST_CK_GOOD) == before[tc] + 1, "%s [%s]: cookie_good",
			  desc, path_name(tc));
	T.cookie_prev = 0;
	cfg_set(NULL, MTU);
	/* ...and without it configured, that cookie is bad. */
	if (run_case(CK_CASE("previous secret gone"), ps, w.b, cookie_query(&w, ck, 24),
		     EXP_ANSWER, 0, 1232, &r) && answer_cookie(desc, &r, cc, sc2))
		CHECK_MSG(memcmp(sc2, ck + 8, 16) && cookie_is_fresh(sc2, CK_SECRET, cc, v6, t0),
			  "%s", desc);
	result_free(&r);
#undef CK_CASE
}

static void cases_cookie(void)
{
	cases_cookie_family(0);
	cases_cookie_family(1);
}

/* ---- response rate limiting ---- */

/* One program alone (XDP and TC share the buckets, so RRL sequences are
 * run path by path). */
static uint32_t run1(int tc, const struct pkt_spec *ps, const uint8_t *dns, size_t n,
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

static int answered(int tc, uint32_t ret)
{
	return tc ? ret == TC_ACT_REDIRECT : ret == XDP_TX;
}

static int dropped(int tc, uint32_t ret)
{
	return tc ? ret == TC_ACT_SHOT : ret == XDP_DROP;
}

/* A query for a name under a TLD that does not exist: the NXDOMAIN class
 * (one bucket per prefix whatever the name). */
static size_t nx_query(struct raw *w, unsigned k, const uint8_t *ck, size_t cklen)
{
	char label[16];
	uint8_t name[32];
	int n = snprintf(label, sizeof(label), "nx%05u", k);

	name[0] = n;
	memcpy(name + 1, label, n);
	name[1 + n] = 0;
	raw_hdr(w, 0x0100, 1, 0, 0, cklen ? 1 : 0);
	raw_q(w, (const char *)name, n + 2, 1);
	if (cklen) {
		uint8_t o[4 + 40] = { 0, 10, 0, cklen };

		memcpy(o + 4, ck, cklen);
		raw_opt(w, o, 4 + cklen);
	}
	return w->n;
}

static void cases_rrl_path(int tc)
{
	static uint8_t out[PKT_MAX];
	static const uint8_t cc[8] = { 0x72, 0x72, 0x6c, 0, 0, 0, 0, 1 };
	const char *p = path_name(tc);
	struct pkt_dec d;
	struct raw w;
	unsigned k = tc * 1000, i, sent = 0, dropn = 0, slipped = 0;
	__u64 lim0 = stat_get(tc, RX_ST_RRL_LIMITED), drop0 = stat_get(tc, RX_DROP_RRL);
	__u64 slip0 = stat_get(tc, RX_ST_RRL_SLIPPED);
	uint8_t ck[24], sc[16];
	uint32_t ret;

	/* A fresh table for each path: both share it. */
	{
		struct rx_rrl_key key;

		while (!bpf_map_get_next_key(T.maps.rrl, NULL, &key))
			if (bpf_map_delete_elem(T.maps.rrl, &key))
				break;
	}
	/* rate 2, slip 2: a new bucket allows 2 at once (one second of
	 * credit), then every second limited response slips. */
	T.rrl_rate = 2;
	T.rrl_slip = 2;
	cfg_set(NULL, MTU);
	for (i = 0; i < 8; i++) {
		nx_query(&w, k++, NULL, 0);
		ret = run1(tc, &V4, w.b, w.n, &d, out);
		if (i < 2) {
			CHECK_MSG(answered(tc, ret) && d.dnslen > 12 && (d.dns[3] & 15) == 3 &&
				  !(d.dns[2] & 2), "rrl [%s]: NXDOMAIN %u within the rate", p, i);
		} else if (i % 2 == 0) {
			CHECK_MSG(dropped(tc, ret), "rrl [%s]: limited %u dropped (verdict %u)", p, i,
				  ret);
			dropn += dropped(tc, ret);
		} else {
			/* Slip: header + question, TC=1, no records, no OPT
			 * (the query had none): the query's own size. */
			CHECK_MSG(answered(tc, ret) && d.dnslen == w.n && (d.dns[2] & 0x02) &&
				  (d.dns[3] & 15) == 0 && !memcmp(d.dns + 4, "\0\1\0\0\0\0\0\0", 8) &&
				  !memcmp(d.dns + 12, w.b + 12, w.n - 12),
				  "rrl [%s]: limited %u slipped as TC=1 (%zu bytes)", p, i, d.dnslen);
			CHECK(d.udp_csum_ok && (tc || d.ip_csum_ok));
			slipped += answered(tc, ret);
		}
		sent++;
	}
	CHECK_MSG(stat_get(tc, RX_ST_RRL_LIMITED) - lim0 == 6 &&
		  stat_get(tc, RX_DROP_RRL) - drop0 == dropn && dropn == 3 &&
		  stat_get(tc, RX_ST_RRL_SLIPPED) - slip0 == slipped && slipped == 3,
		  "rrl [%s]: counters limited 6, dropped 3, slipped 3", p);
	/* Class separation: a referral from the same prefix is its own bucket. */
	{
		struct q q = { .name = tld_str(T.signed_tld), .type = LDNS_RR_TYPE_A };
		uint8_t qw[512];
		size_t n = q_wire(&q, qw, sizeof(qw));

		ret = run1(tc, &V4, qw, n, &d, out);
		CHECK_MSG(answered(tc, ret) && d.dnslen > 12 && (d.dns[3] & 15) == 0 &&
			  d.dns[9] > 0, "rrl [%s]: a referral is another bucket", p);
	}
	/* Another prefix (IPv6 here) is not touched by the flood of this one. */
	nx_query(&w, k++, NULL, 0);
	ret = run1(tc, &V6, w.b, w.n, &d, out);
	CHECK_MSG(answered(tc, ret) && (d.dns[3] & 15) == 3, "rrl [%s]: other prefix answered", p);
	/* A client cookie in the limited bucket: its slip is BADCOOKIE with a
	 * fresh cookie (it was dropped on odd turns: ask until it slips). */
	memcpy(ck, cc, 8);
	for (i = 0; i < 2; i++) {
		uint32_t t0 = away_from_second_edge();

		nx_query(&w, k++, ck, 8);
		ret = run1(tc, &V4, w.b, w.n, &d, out);
		if (!answered(tc, ret))
			continue;
		/* OPT 11 + COOKIE 28 bytes where the query had OPT 11 + 12. */
		CHECK_MSG(d.dnslen == w.n + 16 && !(d.dns[2] & 2) && (d.dns[3] & 15) == 7 &&
			  d.dns[11] == 1 && d.dns[d.dnslen - 39 + 5] == 1 /* ext rcode 1: 23 */ &&
			  !memcmp(d.dns + d.dnslen - 28, "\0\12\0\30", 4) &&
			  !memcmp(d.dns + d.dnslen - 24, cc, 8),
			  "rrl [%s]: cookie client's slip is BADCOOKIE (%zu bytes)", p, d.dnslen);
		memcpy(sc, d.dns + d.dnslen - 16, 16);
		CHECK_MSG(cookie_is_fresh(sc, CK_SECRET, cc, 0, t0), "rrl [%s]: BADCOOKIE's cookie",
			  p);
		/* With that cookie it is never limited. */
		memcpy(ck + 8, sc, 16);
		for (int j = 0; j < 4; j++) {
			__u64 c0 = stat_get(tc, RX_ST_RRL_COOKIE);

			nx_query(&w, k++, ck, 24);
			ret = run1(tc, &V4, w.b, w.n, &d, out);
			CHECK_MSG(answered(tc, ret) && (d.dns[3] & 15) == 3 &&
				  stat_get(tc, RX_ST_RRL_COOKIE) == c0 + 1,
				  "rrl [%s]: valid cookie %d not limited", p, j);
		}
		break;
	}
	CHECK_MSG(i < 2, "rrl [%s]: a BADCOOKIE slip came", p);
	/* Exempt prefix, then log-only: answered, and counted. */
	T.rrl_exempt = 1;
	cfg_set(NULL, MTU);
	{
		__u64 e0 = stat_get(tc, RX_ST_RRL_EXEMPT);

		nx_query(&w, k++, NULL, 0);
		ret = run1(tc, &V4, w.b, w.n, &d, out);
		CHECK_MSG(answered(tc, ret) && (d.dns[3] & 15) == 3 &&
			  stat_get(tc, RX_ST_RRL_EXEMPT) == e0 + 1, "rrl [%s]: exempt prefix", p);
	}
	T.rrl_exempt = 0;
	T.rrl_log_only = 1;
	cfg_set(NULL, MTU);
	{
		__u64 l0 = stat_get(tc, RX_ST_RRL_LOG_ONLY);

		nx_query(&w, k++, NULL, 0);
		ret = run1(tc, &V4, w.b, w.n, &d, out);
		CHECK_MSG(answered(tc, ret) && (d.dns[3] & 15) == 3 &&
			  stat_get(tc, RX_ST_RRL_LOG_ONLY) == l0 + 1, "rrl [%s]: log-only", p);
	}
	T.rrl_log_only = 0;
	T.rrl_rate = 0;
	cfg_set(NULL, MTU);
	(void)sent;
}

static void cases_rrl(void)
{
	cases_rrl_path(0);
	cases_rrl_path(1);
}


/* ---- the dnstap sample (bpf/tap.h) and the name counters (bpf/top.h) ---- */

#define TAP_KEEP 16
static struct {
	struct rx_tap_rec rec[TAP_KEEP];
	int n;
} tapped;

static int tap_cb(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size == sizeof(struct rx_tap_rec) && tapped.n < TAP_KEEP)
		memcpy(&tapped.rec[tapped.n], data, size);
	tapped.n++;
	return 0;
}

static __u64 top_qt(unsigned qtype)
{
	struct rx_top_qt *v = calloc(T.ncpu, sizeof(*v));
	__u32 zero = 0;
	__u64 n = 0;

	if (v && !bpf_map_lookup_elem(bpf_map__fd(T.skel->maps.rx_top_qt), &zero, v))
		for (int c = 0; c < T.ncpu; c++)
			n += v[c].n[qtype];
	free(v);
	return n;
}

static __u64 top_label(int exists, const char *label)
{
	struct rx_label k = { .len = strlen(label) };
	__u64 *v = calloc(T.ncpu, sizeof(*v)), n = 0;
	int fd = bpf_map__fd(exists ? T.skel->maps.rx_top_tld : T.skel->maps.rx_top_nx);

	memcpy(k.name, label, k.len);
	if (v && !bpf_map_lookup_elem(fd, &k, v))
		for (int c = 0; c < T.ncpu; c++)
			n += v[c];
	free(v);
	return n;
}

static void cases_tap(void)
{
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(T.skel->maps.rx_tap), tap_cb,
						  NULL, NULL);
	const char *tld = tld_str(T.signed_tld);
	char name[300], label[64];
	uint8_t qb[512], out[PKT_MAX];
	struct pkt_dec d;

	CHECK_MSG(rb != NULL, "tap: ring_buffer__new on rx_tap: %s", strerror(errno));
	if (!rb)
		return;
	snprintf(label, sizeof(label), "%.*s", (int)strcspn(tld, "."), tld);
	snprintf(name, sizeof(name), "Tap.%s", tld);
	ring_buffer__consume(rb);
	tapped.n = 0;
	T.tap_rate = 1;
	cfg_set(NULL, MTU);
	for (int tc = 0; tc < 2; tc++)
		for (int v6 = 0; v6 < 2; v6++) {
			struct pkt_spec ps = spec(v6, v6 ? 2 : 0);
			struct q q = { .name = name, .type = LDNS_RR_TYPE_NS, .edns = 1, .dobit = 1,
				       .udp = 1232 };
			size_t qlen = q_wire(&q, qb, sizeof(qb));
			__u64 ns0 = top_qt(LDNS_RR_TYPE_NS), l0 = top_label(1, label);
			__u64 s0 = stat_get(tc, RX_ST_TAP_SAMPLED);
			struct timespec now;
			uint8_t c[16], sv[16];
			const struct rx_tap_rec *r = &tapped.rec[0];
			const char *w = tc ? "tc" : "xdp";

			tapped.n = 0;
			if (!answered(tc, run1(tc, &ps, qb, qlen, &d, out))) {
				CHECK_MSG(0, "tap [%s v%d]: not answered", w, v6 ? 6 : 4);
				continue;
			}
			ring_buffer__consume(rb);
			clock_gettime(CLOCK_REALTIME, &now);
			CHECK_MSG(tapped.n == 1, "tap [%s v%d]: one record (%d)", w, v6 ? 6 : 4,
				  tapped.n);
			CHECK_MSG(stat_get(tc, RX_ST_TAP_SAMPLED) == s0 + 1, "tap [%s]: tap_sampled", w);
			if (tapped.n != 1)
				continue;
			inet_pton(v6 ? AF_INET6 : AF_INET, v6 ? PKT_CLIENT6 : PKT_CLIENT4, c);
			inet_pton(v6 ? AF_INET6 : AF_INET, v6 ? PKT_SERVER6 : PKT_SERVER4, sv);
			CHECK_MSG(r->path == (tc ? RX_PATH_TC : RX_PATH_XDP) &&
				  !!(r->flags & RX_TAP_V6) == v6, "tap [%s v%d]: path, family", w,
				  v6 ? 6 : 4);
			CHECK_MSG(!memcmp(r->client, c, v6 ? 16 : 4) &&
				  !memcmp(r->server, sv, v6 ? 16 : 4) && r->cport == PKT_CPORT &&
				  r->sport == 53, "tap [%s v%d]: addresses and ports", w, v6 ? 6 : 4);
			CHECK_MSG(r->qlen == qlen && !memcmp(r->q, qb, qlen),
				  "tap [%s v%d]: the query as sent (%u/%zu bytes)", w, v6 ? 6 : 4,
				  r->qlen, qlen);
			CHECK_MSG(r->rlen == d.dnslen && r->rlen_full == d.dnslen &&
				  !memcmp(r->r, d.dns, d.dnslen),
				  "tap [%s v%d]: the response as sent (%u/%zu bytes)", w, v6 ? 6 : 4,
				  r->rlen, d.dnslen);
			CHECK_MSG(r->rtime_ns >= r->qtime_ns &&
				  llabs((long long)(r->qtime_ns / 1000000000ull) - (long long)now.tv_sec) < 5,
				  "tap [%s]: UNIX times (%llu)", w, (unsigned long long)r->qtime_ns);
			CHECK_MSG(top_qt(LDNS_RR_TYPE_NS) == ns0 + 1 && top_label(1, label) == l0 + 1,
				  "top [%s v%d]: NS and %s. counted once, lowercased", w, v6 ? 6 : 4,
				  label);
		}
	/* 1 in 3 on one CPU: 6 answers, 2 records, every third (the
	 * sample is per CPU: this process stays on the one it is on) */
	{
		cpu_set_t one;
		int cpu = sched_getcpu();

		CPU_ZERO(&one);
		CPU_SET(cpu < 0 ? 0 : cpu, &one);
		CHECK_MSG(sched_setaffinity(0, sizeof(one), &one) == 0, "tap: pinned to a CPU");
	}
	T.tap_rate = 3;
	cfg_set(NULL, MTU);
	tapped.n = 0;
	for (int i = 0; i < 6; i++) {
		struct q q = { .name = name, .type = LDNS_RR_TYPE_A };
		size_t qlen;

		snprintf(name, sizeof(name), "n%d.%s", i, tld);
		qlen = q_wire(&q, qb, sizeof(qb));
		run1(0, &V4, qb, qlen, &d, out);
	}
	ring_buffer__consume(rb);
	/* q[12] = 2, "n", the digit */
	CHECK_MSG(tapped.n == 2 && tapped.rec[0].q[14] + 3 == tapped.rec[1].q[14],
		  "tap: 1 in 3 of 6 answers: %d records, 3 names apart", tapped.n);
	/* a query passed up is not sampled; nor any answer with the rate 0 */
	tapped.n = 0;
	{
		struct q q = { .name = ".", .type = LDNS_RR_TYPE_RRSIG };	/* pass_qtype */
		size_t qlen = q_wire(&q, qb, sizeof(qb));

		for (int i = 0; i < 3; i++)
			run1(0, &V4, qb, qlen, &d, out);
		T.tap_rate = 0;
		cfg_set(NULL, MTU);
		q.name = name;
		q.type = LDNS_RR_TYPE_A;
		qlen = q_wire(&q, qb, sizeof(qb));
		for (int i = 0; i < 3; i++)
			run1(0, &V4, qb, qlen, &d, out);
	}
	ring_buffer__consume(rb);
	CHECK_MSG(tapped.n == 0, "tap: nothing from passes or with the rate 0 (%d)", tapped.n);
	ring_buffer__free(rb);
	{
		cpu_set_t all;

		CPU_ZERO(&all);
		for (int c = 0; c < T.ncpu && c < CPU_SETSIZE; c++)
			CPU_SET(c, &all);
		sched_setaffinity(0, sizeof(all), &all);
	}
}

static void check_totals(void)
{
	for (int tc = 0; tc < 2; tc++) {
		__u64 pk = stat_get(tc, RX_ST_PACKETS), sum = stat_get(tc, RX_ST_ANSWERED);

		/* drops and passes: RX_DROP_QR .. RX_PASS_ERROR; what follows
		 * (tap_*, top_full, ...) counts something else */
		for (int i = RX_DROP_QR; i <= RX_PASS_ERROR; i++)
			sum += stat_get(tc, i);
		CHECK_MSG(pk == sum, "[%s] packets %llu = answered + passed + dropped %llu",
			  path_name(tc), (unsigned long long)pk, (unsigned long long)sum);
		if (pk != sum || T.verbose)
			for (int i = 0; i < RX_STAT_MAX; i++)
				printf("#   %s %s %llu\n", path_name(tc), stat_names[i],
				       (unsigned long long)stat_get(tc, i));
	}
}

/* ns per packet: test-run duration of single runs, averaged (repeat > 1
 * would rerun the program on its own rewritten output). */
#include "cases_rssac.h"

static void cleanup(void)
{
	char p[128];

	if (T.skel)
		rootxdp__destroy(T.skel);
	T.skel = NULL;
	if (T.tmpdir[0]) {
		snprintf(p, sizeof(p), "%s/root.img", T.tmpdir);
		unlink(p);
		rmdir(T.tmpdir);
		T.tmpdir[0] = 0;
	}
}

int main(int argc, char **argv)
{
	char image[4096], e[512] = "", zdir[4000];
	const char *dir = getenv("RX_ZONE_DIR");
	struct rx_image img;
	struct rx_meta live;
	struct bpf_map *m;
	const char *o = getenv("O");
	char zgen[4000];

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-v"))
			T.verbose = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_quiet);
	atexit(cleanup);
	T.ncpu = libbpf_num_possible_cpus();
	snprintf(T.tmpdir, sizeof(T.tmpdir), "/tmp/rootxdp-test-%d-XXXXXX", getpid());
	if (!mkdtemp(T.tmpdir)) {
		T.tmpdir[0] = 0;
		CHECK_MSG(0, "mkdtemp: %s", strerror(errno));
		return check_done();
	}
	if (!dir) {
		/* run by hand: the zone run.sh would generate, in $O/zones */
		char *argv2[] = { "tests/zones/mkzone.sh", "--out", zgen, NULL };
		char zf[4100];

		snprintf(zgen, sizeof(zgen), "%s/zones", o && *o ? o : "build");
		snprintf(zf, sizeof(zf), "%s/root.zone", zgen);
		dir = zgen;
		if (access(zf, R_OK) && run_cmd(argv2)) {
			CHECK_MSG(0, "tests/zones/mkzone.sh failed (RX_ZONE_DIR unset)");
			return check_done();
		}
	}
	snprintf(zdir, sizeof(zdir), "%s", dir);

	/* Skeleton with pinning off: a test leaves nothing behind in
	 * /sys/fs/bpf, where it would collide with an instance's pins. */
	T.skel = rootxdp__open();
	if (!T.skel) {
		CHECK_MSG(0, "rootxdp__open: %s", strerror(errno));
		return check_done();
	}
	bpf_object__for_each_map(m, T.skel->obj)
		bpf_map__set_pin_path(m, NULL);
	if (rootxdp__load(T.skel)) {
		CHECK_MSG(0, "rootxdp__load failed (verifier log above)");
		return check_done();
	}
	T.fd[0] = bpf_program__fd(T.skel->progs.rootxdp_xdp);
	T.fd[1] = bpf_program__fd(T.skel->progs.rootxdp_tc);
	if (rx_maps_from_obj(T.skel->obj, &T.maps)) {
		CHECK_MSG(0, "rx_maps_from_obj");
		return check_done();
	}
	cfg_set(NULL, MTU);
	CHECK(rx_zone_live(&T.maps, &live) == -ENOENT);
	cases_no_zone();

	if (zone_setup(zdir, image, sizeof(image))) {
		CHECK_MSG(0, "zone setup from %s", zdir);
		return check_done();
	}
	if (rx_image_open(image, &img, e, sizeof(e))) {
		CHECK_MSG(0, "rx_image_open %s: %s", image, e);
		return check_done();
	}
	CHECK_MSG(rx_zone_swap(&T.maps, &img, e, sizeof(e)) == 0, "rx_zone_swap: %s", e);
	CHECK(rx_zone_live(&T.maps, &live) == 0 && live.serial == img.hdr->serial &&
	      live.loaded_ns > 0);
	/* Inner maps carry BTF (typed `bpftool map dump`). */
	{
		__u32 slot = 0, id = 0, zero = 0, len;
		struct bpf_map_info info = {};
		struct rx_ctl c;
		int fd = -1;

		if (!bpf_map_lookup_elem(T.maps.ctl, &zero, &c))
			slot = c.slot;
		if (!bpf_map_lookup_elem(T.maps.resp, &slot, &id))
			fd = bpf_map_get_fd_by_id(id);
		len = sizeof(info);
		CHECK_MSG(fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) && info.btf_id &&
			  info.btf_value_type_id && info.max_entries == img.hdr->nresp,
			  "inner rx_resp map: typed BTF, sized to the image");
		if (fd >= 0)
			close(fd);
	}
	pick_tlds();
	if (!T.signed_tld || !T.unsigned_tld || !T.big_tld) {
		CHECK_MSG(0, "the test zone needs signed and unsigned TLDs");
		return check_done();
	}
	printf("# zone serial %u, signed TLD %s, unsigned TLD %s, most glue %s\n",
	       img.hdr->serial, tld_str(T.signed_tld), tld_str(T.unsigned_tld),
	       tld_str(T.big_tld));

	cases_referral();
	cases_ds();
	cases_nxdomain();
	cases_apex();
	cases_chaos();
	cases_edns();
	cases_size();
	cases_pass_drop();
	cases_formerr();
	cases_cookie();
	{
		/* tests/xdp/csum.c: every checksum of every answer kind */
		int cp = 0, cf = 0;

		csum_cases(T.fd[0], T.fd[1], &T.maps, &img, &cp, &cf);
		check_passed += cp;
		check_failed += cf;
		cfg_set(NULL, MTU);
	}
	cases_rrl();
	cases_rssac();
	cases_tap();

	/* A second swap (into the other slot) keeps answering the same. */
	{
		struct rx_ctl c0, c1;
		__u32 zero = 0;

		bpf_map_lookup_elem(T.maps.ctl, &zero, &c0);
		CHECK_MSG(rx_zone_swap(&T.maps, &img, e, sizeof(e)) == 0, "second swap: %s", e);
		bpf_map_lookup_elem(T.maps.ctl, &zero, &c1);
		CHECK(c1.slot == (c0.slot ^ 1) && c1.gen == c0.gen + 1);
		cases_ds();
	}
	check_totals();
	rx_image_close(&img);
	rx_maps_close(&T.maps);
	return check_done();
}
