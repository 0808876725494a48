// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_zc_compile.c - rootxdp-compile end to end.
 *
 * (a) self-check: compile a zone, then for a sample of TLDs, nonexistent
 *     names and every apex qtype decode each precomputed body (header with
 *     the cut's counts + a question) with ldns and compare its sections with
 *     an independent lookup in the zone as ldns parsed it (RR lists filtered
 *     by owner/type here, nothing from the compiler); the NSECs of an
 *     NXDOMAIN proof must cover the name and "*." (ldns_nsec_covers_name);
 *     every cut decodes with its own counts.  Pointers are relocated here
 *     by design.md's rule alone (plain: + question size; RX_FIX_QTLD: to
 *     QNAME's last label), referrals decoded below a mixed-case QNAME.
 * (b) refusals: each its own message, exit 1, no image (nor .tmp) left.
 * (c) --dump runs and names the serial.
 *
 * Zones: $RX_ZONE_DIR/root.zone + trust-anchor.ds, else tests/zones/mkzone.sh
 * into $O/zones; and ../shared/data when it exists (skipped where absent).
 * The binary is $O/rootxdp-compile (O defaults to build).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <ldns/ldns.h>
#include "check.h"
#include "slurp.h"
#include "image.h"

static char bin[512], tmpdir[256];

/* ---- running the compiler ---- */

static int run(char *errbuf, size_t errlen, const char *fmt, ...)
{
	char cmd[4096], errpath[512];
	va_list ap;
	FILE *f;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(errpath, sizeof(errpath), "%s/stderr", tmpdir);
	strncat(cmd, " >", sizeof(cmd) - strlen(cmd) - 1);
	strncat(cmd, tmpdir, sizeof(cmd) - strlen(cmd) - 1);
	strncat(cmd, "/stdout 2>", sizeof(cmd) - strlen(cmd) - 1);
	strncat(cmd, errpath, sizeof(cmd) - strlen(cmd) - 1);
	st = system(cmd);
	if (errbuf) {
		size_t n = 0;

		errbuf[0] = '\0';
		f = fopen(errpath, "r");
		if (f) {
			n = fread(errbuf, 1, errlen - 1, f);
			errbuf[n] = '\0';
			fclose(f);
		}
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* ---- reading the zone independently ---- */

static ldns_rr_list *zone_rrs(const char *path, ldns_rr **soa)
{
	size_t len;
	char *text = slurp(path, &len);
	ldns_zone *z = NULL;
	ldns_rr_list *all;
	FILE *fp;

	if (!text)
		return NULL;
	fp = fmemopen(text, len, "r");
	if (ldns_zone_new_frm_fp(&z, fp, NULL, 3600, LDNS_RR_CLASS_IN) != LDNS_STATUS_OK)
		return NULL;
	fclose(fp);
	free(text);
	all = ldns_rr_list_clone(ldns_zone_rrs(z));
	*soa = ldns_rr_clone(ldns_zone_soa(z));
	ldns_rr_list_push_rr(all, ldns_rr_clone(*soa));
	ldns_zone_deep_free(z);
	/* canonical: lowercase names, so that comparisons ignore case */
	for (size_t i = 0; i < ldns_rr_list_rr_count(all); i++)
		ldns_rr2canonical(ldns_rr_list_rr(all, i));
	ldns_rr2canonical(*soa);
	return all;
}

/* RRs at owner of type (RRSIG: covering `covered`), appended to out. */
static void lookup(const ldns_rr_list *all, const char *owner, ldns_rr_type type,
		   ldns_rr_type covered, ldns_rr_list *out)
{
	ldns_rdf *o = ldns_dname_new_frm_str(owner);

	ldns_dname2canonical(o);
	for (size_t i = 0; i < ldns_rr_list_rr_count(all); i++) {
		ldns_rr *rr = ldns_rr_list_rr(all, i);

		if (ldns_rr_get_type(rr) != type || ldns_dname_compare(ldns_rr_owner(rr), o))
			continue;
		if (type == LDNS_RR_TYPE_RRSIG &&
		    ldns_rdf2native_int16(ldns_rr_rrsig_typecovered(rr)) != covered)
			continue;
		ldns_rr_list_push_rr(out, rr);
	}
	ldns_rdf_deep_free(o);
}

static void lookup_sig(const ldns_rr_list *all, const char *owner, ldns_rr_type type,
		       bool dnssec, ldns_rr_list *out)
{
	lookup(all, owner, type, 0, out);
	if (dnssec)
		lookup(all, owner, LDNS_RR_TYPE_RRSIG, type, out);
}

/* ---- decoding a body ---- */

static ldns_pkt *decode(const struct rx_image *img, uint32_t idx, const char *qname,
			uint16_t qtype, int cut)
{
	const struct rx_resp *r = &img->resp[idx];
	const struct rx_cut *c = &r->cut[cut < 0 ? r->ncut - 1 : cut];
	uint8_t msg[12 + 256 + 4 + RX_BODY_MAX];
	ldns_rdf *qn = ldns_dname_new_frm_str(qname);
	unsigned ql = ldns_rdf_size(qn), o = 12, last = 12;
	ldns_pkt *pkt = NULL;

	memset(msg, 0, 12);
	msg[2] = 0x80 | ((r->flags & RX_RF_AA) ? 4 : 0);
	msg[3] = r->rcode;
	msg[5] = 1;
	msg[6] = c->ancount >> 8, msg[7] = c->ancount;
	msg[8] = c->nscount >> 8, msg[9] = c->nscount;
	msg[10] = c->arcount >> 8, msg[11] = c->arcount;
	memcpy(msg + o, ldns_rdf_data(qn), ql);
	for (unsigned l = 0; msg[o + l]; l += msg[o + l] + 1)
		last = o + l;		/* QNAME's last label */
	o += ql;
	msg[o++] = qtype >> 8, msg[o++] = qtype, msg[o++] = 0, msg[o++] = 1;
	rx_image_body(img, r, msg + o);
	for (unsigned i = 0; i < r->nfix; i++) {
		uint8_t *p = msg + o + (r->fix[i] & ~RX_FIX_QTLD);
		unsigned v = ((p[0] << 8) | p[1]) + ql + 4;

		if (r->fix[i] & RX_FIX_QTLD)
			v = 0xc000 | last;
		p[0] = v >> 8, p[1] = v;
	}
	ldns_rdf_deep_free(qn);
	if (ldns_wire2pkt(&pkt, msg, o + c->len) != LDNS_STATUS_OK)
		return NULL;
	return pkt;
}

/* Same RRs (as sets, names compared canonically, TTL ignored). */
static bool same_rrs(ldns_rr_list *got, const ldns_rr_list *want, const char *what)
{
	size_t n = ldns_rr_list_rr_count(got), m = ldns_rr_list_rr_count(want), i, j;
	bool ok = n == m;

	for (i = 0; i < n; i++)
		ldns_rr2canonical(ldns_rr_list_rr(got, i));
	for (i = 0; ok && i < m; i++) {
		for (j = 0; j < n; j++)
			if (!ldns_rr_compare(ldns_rr_list_rr(want, i), ldns_rr_list_rr(got, j)))
				break;
		if (j == n)
			ok = false;
	}
	if (!ok) {
		fprintf(stderr, "  %s: got %zu RRs, want %zu\n", what, n, m);
		ldns_rr_list_print(stderr, got);
		fprintf(stderr, "  want:\n");
		ldns_rr_list_print(stderr, want);
	}
	return ok;
}

struct zone_case {
	const char *name;
	const char *zone;
	const char *anchor;	/* NULL: no validation */
	const char *extra;	/* more options */
	bool dnssec;		/* zone has DNSKEY */
	const char *tlds[16];	/* must-check TLDs */
	int stride;		/* plus every stride-th TLD of the image */
};

/* Check one response against want[3] (answer, authority, additional). */
static void check_resp(const struct rx_image *img, uint32_t idx, const char *qname,
		       uint16_t qtype, uint8_t rcode, bool aa, ldns_rr_list *want[3],
		       const char *what)
{
	const struct rx_resp *r = &img->resp[idx];
	ldns_pkt *p = decode(img, idx, qname, qtype, -1);
	int c;

	CHECK_MSG(p != NULL, "%s: body does not decode", what);
	if (!p)
		return;
	CHECK_MSG(r->rcode == rcode && !!(r->flags & RX_RF_AA) == aa, "%s: rcode %u flags %u",
		  what, r->rcode, r->flags);
	CHECK_MSG(same_rrs(ldns_pkt_answer(p), want[0], what), "%s: answer section", what);
	CHECK_MSG(same_rrs(ldns_pkt_authority(p), want[1], what), "%s: authority section", what);
	CHECK_MSG(same_rrs(ldns_pkt_additional(p), want[2], what), "%s: additional section", what);
	ldns_pkt_free(p);
	/* cut[req] holds answer and authority; every cut decodes */
	CHECK_MSG(r->cut[r->req].ancount == r->cut[r->ncut - 1].ancount &&
		  r->cut[r->req].nscount == r->cut[r->ncut - 1].nscount,
		  "%s: cut[req] lacks answer/authority RRs", what);
	for (c = 0; c < r->ncut; c++) {
		ldns_pkt *q = decode(img, idx, qname, qtype, c);

		CHECK_MSG(q != NULL, "%s: cut %d (%u bytes) does not decode", what, c, r->cut[c].len);
		ldns_pkt_free(q);
	}
}

static void want_new(ldns_rr_list *w[3])
{
	for (int i = 0; i < 3; i++)
		w[i] = ldns_rr_list_new();
}

static void want_free(ldns_rr_list *w[3])
{
	for (int i = 0; i < 3; i++)
		ldns_rr_list_free(w[i]);
}

static void glue(const ldns_rr_list *all, ldns_rr_list *ns, ldns_rr_list *out)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(ns); i++) {
		char *t = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(ns, i), 0));

		lookup(all, t, LDNS_RR_TYPE_A, 0, out);
		lookup(all, t, LDNS_RR_TYPE_AAAA, 0, out);
		free(t);
	}
}

static void check_tld(const struct rx_image *img, const ldns_rr_list *all, uint32_t ti,
		      bool dnssec, uint32_t neg_ttl)
{
	const struct rx_image_tld *t = &img->tld[ti];
	char name[80], below[100], what[160];
	ldns_rr_list *w[3], *ds = ldns_rr_list_new();
	int d;

	snprintf(name, sizeof(name), "%.*s.", t->label.len, (const char *)t->label.name);
	/* a referral's QNAME: below the TLD, the TLD's case flipped (0x20) */
	snprintf(below, sizeof(below), "wWw.ExAmPlE.%s", name);
	for (char *c = below + 12; *c; c++)
		*c = islower((unsigned char)*c) ? toupper((unsigned char)*c) : *c;
	lookup(all, name, LDNS_RR_TYPE_DS, 0, ds);
	for (d = 0; d < 2; d++) {
		bool x = d && dnssec;

		want_new(w);
		lookup(all, name, LDNS_RR_TYPE_NS, 0, w[1]);
		if (x)
			lookup_sig(all, name, ldns_rr_list_rr_count(ds) ? LDNS_RR_TYPE_DS :
				   LDNS_RR_TYPE_NSEC, true, w[1]);
		glue(all, w[1], w[2]);
		snprintf(what, sizeof(what), "%s referral%s", below, d ? " DO" : "");
		check_resp(img, d ? t->v.ref_do : t->v.ref, below, LDNS_RR_TYPE_A, 0, false, w, what);
		want_free(w);
		/* The NS owner points at the question's TLD: 2 bytes, its case
		 * as asked (RX_FIX_QTLD, design.md "A response body"). */
		{
			const struct rx_resp *r = &img->resp[d ? t->v.ref_do : t->v.ref];
			ldns_pkt *p = decode(img, d ? t->v.ref_do : t->v.ref, below,
					     LDNS_RR_TYPE_A, -1);
			ldns_rr *ns = p ? ldns_rr_list_rr(ldns_pkt_authority(p), 0) : NULL;
			char *o = ns ? ldns_rdf2str(ldns_rr_owner(ns)) : NULL;

			CHECK_MSG(r->nfix && r->fix[0] == RX_FIX_QTLD,
				  "%s: the NS owner is a pointer to the question", what);
			CHECK_MSG(o && !strcmp(o, below + 12), "%s: NS owner %s, want %s", what,
				  o ? o : "-", below + 12);
			free(o);
			ldns_pkt_free(p);
		}

		want_new(w);
		if (ldns_rr_list_rr_count(ds)) {
			lookup_sig(all, name, LDNS_RR_TYPE_DS, x, w[0]);
		} else {
			lookup_sig(all, ".", LDNS_RR_TYPE_SOA, x, w[1]);
			if (x)
				lookup_sig(all, name, LDNS_RR_TYPE_NSEC, true, w[1]);
		}
		snprintf(what, sizeof(what), "%s DS%s", name, d ? " DO" : "");
		check_resp(img, d ? t->v.ds_do : t->v.ds, name, LDNS_RR_TYPE_DS, 0, true, w, what);
		if (!ldns_rr_list_rr_count(ds)) {
			ldns_pkt *p = decode(img, d ? t->v.ds_do : t->v.ds, name, LDNS_RR_TYPE_DS, -1);

			CHECK_MSG(p && ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_authority(p), 0)) == neg_ttl,
				  "%s: negative SOA TTL", what);
			ldns_pkt_free(p);
		}
		want_free(w);
	}
	ldns_rr_list_free(ds);
}

static void check_nx(const struct rx_image *img, const ldns_rr_list *all, const char *qname,
		     bool dnssec, uint32_t neg_ttl)
{
	ldns_rdf *qn = ldns_dname_new_frm_str(qname), *star = ldns_dname_new_frm_str("*.");
	ldns_rdf *tld;
	struct rx_label l;
	uint32_t i, k = 0;
	ldns_rr_list *w[3];
	ldns_pkt *p;
	char what[160];

	ldns_dname2canonical(qn);
	tld = ldns_dname_label(qn, ldns_dname_label_count(qn) - 1);
	rx_label_set(&l, ldns_rdf_data(tld) + 1, ldns_rdf_data(tld)[0]);
	ldns_rdf_deep_free(tld);
	for (i = 0; i < img->hdr->nnsec; i++)
		if (rx_label_cmp(&img->nsec[i].owner, &l) <= 0)
			k = i;

	want_new(w);
	lookup(all, ".", LDNS_RR_TYPE_SOA, 0, w[1]);
	snprintf(what, sizeof(what), "%s NXDOMAIN", qname);
	check_resp(img, img->hdr->meta.nx, qname, LDNS_RR_TYPE_A, 3, true, w, what);
	want_free(w);

	p = decode(img, img->nsec[k].nx_do, qname, LDNS_RR_TYPE_A, -1);
	snprintf(what, sizeof(what), "%s NXDOMAIN DO", qname);
	CHECK_MSG(p != NULL, "%s: decodes", what);
	if (p) {
		ldns_rr_list *au = ldns_pkt_authority(p);
		int nsec = 0, sigs = 0, soa = 0;
		bool covers = false, wild = false;

		CHECK(ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN);
		for (i = 0; i < ldns_rr_list_rr_count(au); i++) {
			ldns_rr *rr = ldns_rr_list_rr(au, i);

			ldns_rr2canonical(rr);
			switch (ldns_rr_get_type(rr)) {
			case LDNS_RR_TYPE_SOA:
				soa++;
				CHECK_MSG(ldns_rr_ttl(rr) == neg_ttl, "%s: SOA TTL %u", what,
					  ldns_rr_ttl(rr));
				break;
			case LDNS_RR_TYPE_NSEC:
				nsec++;
				covers |= ldns_nsec_covers_name(rr, qn);
				wild |= ldns_nsec_covers_name(rr, star);
				/* the NSEC is the zone's own */
				{
					ldns_rr_list *z = ldns_rr_list_new();
					char *o = ldns_rdf2str(ldns_rr_owner(rr));

					lookup(all, o, LDNS_RR_TYPE_NSEC, 0, z);
					CHECK_MSG(ldns_rr_list_rr_count(z) == 1 &&
						  !ldns_rr_compare(rr, ldns_rr_list_rr(z, 0)),
						  "%s: NSEC %s not from the zone", what, o);
					free(o);
					ldns_rr_list_free(z);
				}
				break;
			case LDNS_RR_TYPE_RRSIG:
				sigs++;
				break;
			default:
				CHECK_MSG(0, "%s: unexpected type in authority", what);
			}
		}
		CHECK_MSG(soa == 1, "%s: one SOA", what);
		if (dnssec) {
			CHECK_MSG(covers, "%s: no NSEC covers the name", what);
			CHECK_MSG(wild, "%s: no NSEC covers *.", what);
			CHECK_MSG(nsec >= 1 && nsec <= 2, "%s: %d NSECs", what, nsec);
		} else {
			CHECK_MSG(nsec == 0 && sigs == 0 && img->nsec[k].nx_do == img->hdr->meta.nx,
				  "%s: unsigned zone, DO proof equals plain NXDOMAIN", what);
		}
		ldns_pkt_free(p);
	}
	ldns_rdf_deep_free(qn);
	ldns_rdf_deep_free(star);
}

static void check_apex(const struct rx_image *img, const ldns_rr_list *all, bool dnssec)
{
	const struct rx_meta *m = &img->hdr->meta;
	ldns_rr_list *w[3];
	char what[80];
	int d;

	CHECK(m->napex >= 2);
	for (uint32_t i = 0; i < m->napex; i++) {
		for (d = 0; d < 2; d++) {
			want_new(w);
			lookup_sig(all, ".", m->apex[i].qtype, d && dnssec, w[0]);
			CHECK_MSG(ldns_rr_list_rr_count(w[0]) > 0, "apex type %u in zone", m->apex[i].qtype);
			if (m->apex[i].qtype == LDNS_RR_TYPE_NS) {
				ldns_rr_list *ns = ldns_rr_list_new();

				lookup(all, ".", LDNS_RR_TYPE_NS, 0, ns);
				glue(all, ns, w[2]);
				ldns_rr_list_free(ns);
			}
			snprintf(what, sizeof(what), ". type %u%s", m->apex[i].qtype, d ? " DO" : "");
			check_resp(img, d ? m->apex[i].resp_do : m->apex[i].resp, ".",
				   m->apex[i].qtype, 0, true, w, what);
			want_free(w);
		}
	}
	for (d = 0; d < 2; d++) {
		want_new(w);
		lookup_sig(all, ".", LDNS_RR_TYPE_SOA, d && dnssec, w[1]);
		if (d && dnssec)
			lookup_sig(all, ".", LDNS_RR_TYPE_NSEC, true, w[1]);
		check_resp(img, d ? m->nodata_do : m->nodata, ".", LDNS_RR_TYPE_TXT, 0, true, w,
			   d ? ". NODATA DO" : ". NODATA");
		want_free(w);
	}
	if (!dnssec)
		CHECK(m->nodata == m->nodata_do);
}

static void self_check(const struct zone_case *zc)
{
	static const char *nx[] = { "nosuchtld.", "zzzzzzzzzz.", "aaaaaaaaa.", "0.",
				    "xn--nosuch.", "a.b.nosuchtld.", "!.", "-.", "zz.", NULL };
	char img_path[512], err[4096];
	struct rx_image img;
	ldns_rr *soa = NULL;
	ldns_rr_list *all;
	uint32_t neg_ttl, i, checked = 0;
	int rc;

	snprintf(img_path, sizeof(img_path), "%s/%s.img", tmpdir, zc->name);
	rc = run(err, sizeof(err), "%s %s%s %s -o %s %s", bin, zc->anchor ? "-a " : "",
		 zc->anchor ? zc->anchor : "", zc->extra ? zc->extra : "", img_path, zc->zone);
	CHECK_MSG(rc == 0, "%s: compile rc %d: %s", zc->name, rc, err);
	if (rc)
		return;
	CHECK_MSG(rx_image_open(img_path, &img, err, sizeof(err)) == 0, "%s: open: %s", zc->name, err);
	all = zone_rrs(zc->zone, &soa);
	CHECK_MSG(all != NULL, "%s: zone parses in the test", zc->name);
	if (!all)
		return;
	neg_ttl = ldns_rr_ttl(soa);
	if (ldns_rdf2native_int32(ldns_rr_rdf(soa, 6)) < neg_ttl)
		neg_ttl = ldns_rdf2native_int32(ldns_rr_rdf(soa, 6));
	CHECK(img.hdr->serial == ldns_rdf2native_int32(ldns_rr_rdf(soa, 2)));
	CHECK(img.nsec[0].owner.len == 0);
	CHECK_MSG(!!(img.hdr->flags & RX_IMG_DNSSEC_OK) == !!zc->anchor, "%s: DNSSEC flag", zc->name);
	CHECK_MSG(!zc->dnssec || !zc->anchor || img.hdr->sig_expire_min > 0, "%s: sig_expire_min",
		  zc->name);

	/* TLD count equals the delegations in the zone */
	{
		ldns_rr_list *ns = ldns_rr_list_new();
		uint32_t n = 0;

		for (i = 0; i < ldns_rr_list_rr_count(all); i++) {
			ldns_rr *rr = ldns_rr_list_rr(all, i);

			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NS &&
			    ldns_dname_label_count(ldns_rr_owner(rr)) == 1)
				ldns_rr_list_push_rr(ns, rr);
		}
		ldns_rr_list_sort(ns);
		for (i = 0; i < ldns_rr_list_rr_count(ns); i++)
			if (!i || ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(ns, i - 1)),
						     ldns_rr_owner(ldns_rr_list_rr(ns, i))))
				n++;
		ldns_rr_list_free(ns);
		CHECK_MSG(n == img.hdr->ntld, "%s: %u TLDs in zone, %u in image", zc->name, n,
			  img.hdr->ntld);
	}

	/* RX_FIX_QTLD only in bodies a TLD uses: the others (apex, NXDOMAIN)
	 * answer QNAMEs whose last label is not the name they would point at */
	{
		bool *tldr = calloc(img.hdr->nresp, sizeof(*tldr));
		uint32_t bad = 0, flagged = 0;

		for (i = 0; i < img.hdr->ntld; i++) {
			const struct rx_tld *v = &img.tld[i].v;

			tldr[v->ref] = tldr[v->ref_do] = tldr[v->ds] = tldr[v->ds_do] = true;
		}
		for (i = 0; i < img.hdr->nresp; i++)
			for (unsigned k = 0; k < img.resp[i].nfix; k++)
				if (img.resp[i].fix[k] & RX_FIX_QTLD) {
					bad += !tldr[i];
					flagged++;
				}
		CHECK_MSG(bad == 0 && flagged > 0, "%s: %u RX_FIX_QTLD pointers, %u outside TLD bodies",
			  zc->name, flagged, bad);
		free(tldr);
	}

	/* Every cut's precomputed sum (rx_resp.csum), recomputed the RFC 1071
	 * way: big-endian words, then turned into memory order. */
	{
		uint32_t bad = 0, n = 0;

		for (i = 0; i < img.hdr->nresp; i++) {
			const struct rx_resp *r = &img.resp[i];
			const uint8_t *b = img.chunk[r->chunk].b;

			for (unsigned c = 0; c < r->ncut; c++, n++) {
				uint32_t sum = 0;
				uint16_t want;

				for (unsigned k = 0; k < r->cut[c].len; k += 2)
					sum += (uint32_t)b[k] << 8 |
					       (k + 1 < r->cut[c].len ? b[k + 1] : 0);
				while (sum >> 16)
					sum = (sum & 0xffff) + (sum >> 16);
				want = htons((uint16_t)sum);
				bad += r->csum[c] != want;
			}
		}
		CHECK_MSG(bad == 0 && n > img.hdr->nresp, "%s: %u cut sums, %u wrong", zc->name, n,
			  bad);
	}

	for (i = 0; i < img.hdr->ntld; i++) {
		bool pick = zc->stride && (i % zc->stride == 0 || i == img.hdr->ntld - 1);

		for (int j = 0; !pick && zc->tlds[j]; j++)
			pick = strlen(zc->tlds[j]) == img.tld[i].label.len &&
			       !strncasecmp(zc->tlds[j], (const char *)img.tld[i].label.name,
					    img.tld[i].label.len);
		if (!pick)
			continue;
		check_tld(&img, all, i, zc->dnssec, neg_ttl);
		checked++;
	}
	for (int j = 0; zc->tlds[j]; j++) {
		struct rx_label l;
		bool found = false;

		rx_label_set(&l, (const uint8_t *)zc->tlds[j], strlen(zc->tlds[j]));
		for (i = 0; i < img.hdr->ntld; i++)
			found |= !rx_label_cmp(&l, &img.tld[i].label);
		CHECK_MSG(found, "%s: TLD %s in the image", zc->name, zc->tlds[j]);
	}
	for (int j = 0; nx[j]; j++)
		check_nx(&img, all, nx[j], zc->dnssec, neg_ttl);
	check_apex(&img, all, zc->dnssec);
	printf("%s: %u TLDs checked of %u, %u responses\n", zc->name, checked, img.hdr->ntld,
	       img.hdr->nresp);
	ldns_rr_list_deep_free(all);
	ldns_rr_free(soa);
	rx_image_close(&img);
}

/* ---- refusals ---- */

static char *read_text(const char *path, size_t *len)
{
	return slurp(path, len);
}

static void write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	fwrite(text, 1, len, f);
	fclose(f);
}

/* Copy of the zone with the first line matching `match` (and starting with
 * `owner` if given) changed by `edit`. */
static bool mutate(const char *src, const char *dst, const char *match,
		   void (*edit)(char *line, size_t len))
{
	size_t len;
	char *t = read_text(src, &len), *p;

	if (!t)
		return false;
	p = strstr(t, match);
	if (!p) {
		free(t);
		return false;
	}
	while (p > t && p[-1] != '\n')
		p--;
	edit(p, strcspn(p, "\n"));
	write_text(dst, t, strlen(t));
	free(t);
	return true;
}

static void flip_sig(char *line, size_t len)
{
	char *c = line + len - 10;	/* inside the base64 signature */

	*c = *c == 'A' ? 'B' : 'A';
}

static void change_glue(char *line, size_t len)
{
	char *c = line + len - 1;	/* last digit of the address */

	*c = *c == '1' ? '2' : '1';
}

static void drop_line(char *line, size_t len)
{
	line[0] = ';';
}

static void refuse(const char *what, const char *expect, const char *fmt_opts,
		   const char *zone)
{
	char err[4096], out[512], tmp[600];
	int rc;

	snprintf(out, sizeof(out), "%s/refused.img", tmpdir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	unlink(out);
	rc = run(err, sizeof(err), "%s %s -o %s %s", bin, fmt_opts, out, zone);
	CHECK_MSG(rc == 1, "%s: exit %d, want 1 (%s)", what, rc, err);
	CHECK_MSG(strstr(err, expect) != NULL, "%s: message '%s' lacks '%s'", what, err, expect);
	CHECK_MSG(strstr(err, "rootxdp-compile: ") == err && strchr(err, '\n') == err + strlen(err) - 1,
		  "%s: one line with the program name: '%s'", what, err);
	CHECK_MSG(!exists(out) && !exists(tmp), "%s: an image was left behind", what);
	printf("refused as expected: %s", err);
}

static void refusals(const char *zone, const char *anchor, uint32_t serial)
{
	char m[600], opts[1200], gz[600];
	size_t len;
	char *t;

	snprintf(opts, sizeof(opts), "-a %s", anchor);

	snprintf(m, sizeof(m), "%s/badsig.zone", tmpdir);
	CHECK(mutate(zone, m, "\tRRSIG\tDS ", flip_sig));
	refuse("flipped RRSIG byte", "does not verify", opts, m);

	snprintf(m, sizeof(m), "%s/badglue.zone", tmpdir);
	CHECK(mutate(zone, m, "\tA\t198.51.100.", change_glue) ||
	      mutate(zone, m, "\tA\t203.0.113.", change_glue));
	refuse("changed glue address", "ZONEMD verification failed", opts, m);

	snprintf(opts, sizeof(opts), "-a %s --now 20370101000000", anchor);
	refuse("expired signatures", "expired", opts, zone);

	snprintf(m, sizeof(m), "%s/nosoa.zone", tmpdir);
	CHECK(mutate(zone, m, "\tSOA\t", drop_line));
	refuse("missing SOA", "no SOA", "--allow-no-zonemd", m);

	snprintf(opts, sizeof(opts), "-a %s --min-serial %u", anchor, serial);
	refuse("same serial", "not newer", opts, zone);
	snprintf(opts, sizeof(opts), "-a %s --min-serial %u", anchor, serial + 1000);
	refuse("older serial", "not newer", opts, zone);

	snprintf(m, sizeof(m), "%s/nozonemd.zone", tmpdir);
	CHECK(mutate(zone, m, "\tZONEMD\t", drop_line));
	snprintf(opts, sizeof(opts), "-a %s", anchor);
	refuse("no ZONEMD", "no ZONEMD", "", m);

	/* gzip, then cut in half */
	t = read_text(zone, &len);
	snprintf(gz, sizeof(gz), "%s/trunc.zone.gz", tmpdir);
	{
		gzFile g = gzopen(gz, "wb");

		gzwrite(g, t, len);
		gzclose(g);
		free(t);
		t = read_text(gz, &len);	/* inflated again: same text */
		CHECK(t && len > 1000);
		free(t);
		truncate(gz, 20000);
	}
	refuse("truncated gzip", "cannot read", "", gz);

	snprintf(m, sizeof(m), "%s/garbage.zone", tmpdir);
	{
		unsigned char junk[4000];

		for (unsigned i = 0; i < sizeof(junk); i++)
			junk[i] = (i * 7919u) >> 3;
		write_text(m, (const char *)junk, sizeof(junk));
	}
	refuse("garbage", "rootxdp-compile: ", "", m);
	/* libldns 1.8.3's zone reader reads freed memory on three SOAs
	 * (tests/fuzz/regress/zone): ours refuses the second. */
	snprintf(m, sizeof(m), "%s/threesoa.zone", tmpdir);
	write_text(m, ". 3600 IN SOA a. b. 1 2 3 4 5\n. 3600 IN SOA a. b. 2 2 3 4 5\n"
		      ". 3600 IN SOA a. b. 3 2 3 4 5\n", 90);
	refuse("three SOA records", "line 2: a second SOA record", "--allow-no-zonemd", m);
	snprintf(m, sizeof(m), "%s/no/such/zone", tmpdir);
	refuse("unreadable path", "cannot open", "", m);
	refuse("directory", "cannot read", "", tmpdir);

	snprintf(m, sizeof(m), "%s/cname.zone", tmpdir);
	t = ". 86400 IN SOA a. b. 1 2 3 4 5\n. 86400 IN NS a.root.\n"
	    "root. 86400 IN NS a.root.\na.root. 86400 IN A 192.0.2.1\n"
	    ". 86400 IN CNAME x.root.\n";
	write_text(m, t, strlen(t));
	refuse("CNAME at apex", "not allowed at the apex", "--allow-no-zonemd", m);
	snprintf(m, sizeof(m), "%s/auth.zone", tmpdir);
	t = ". 86400 IN SOA a. b. 1 2 3 4 5\n. 86400 IN NS a.root.\n"
	    "root. 86400 IN NS a.root.\na.root. 86400 IN A 192.0.2.1\n"
	    "www.nodeleg. 86400 IN A 192.0.2.2\n";
	write_text(m, t, strlen(t));
	refuse("data not under a delegation", "not under a delegation", "--allow-no-zonemd", m);
	snprintf(m, sizeof(m), "%s/mx.zone", tmpdir);
	t = ". 86400 IN SOA a. b. 1 2 3 4 5\n. 86400 IN NS a.root.\n"
	    "root. 86400 IN NS a.root.\nroot. 86400 IN MX 10 a.root.\n";
	write_text(m, t, strlen(t));
	refuse("authoritative MX at a TLD", "MX", "--allow-no-zonemd", m);
	snprintf(m, sizeof(m), "%s/ch.zone", tmpdir);
	t = ". 86400 IN SOA a. b. 1 2 3 4 5\n. 86400 IN NS a.root.\n"
	    "root. 86400 CH NS a.root.\n";
	write_text(m, t, strlen(t));
	refuse("class CH", "class", "--allow-no-zonemd", m);
}

static const char *find_zone_dir(char *buf, size_t len, const char *o)
{
	const char *env = getenv("RX_ZONE_DIR");
	char cmd[1024];

	if (env && *env)
		return env;
	snprintf(buf, len, "%s/zones", o);
	if (!access("tests/zones/mkzone.sh", X_OK)) {
		snprintf(cmd, sizeof(cmd), "tests/zones/mkzone.sh --out %s >/dev/null 2>&1", buf);
		if (system(cmd) == 0)
			return buf;
		fprintf(stderr, "mkzone.sh failed\n");
	}
	return NULL;
}

int main(void)
{
	const char *o = getenv("O") ? getenv("O") : "build";
	const char *shared = "../shared/data";
	char zdir[512], zone[600], anchor[600], err[4096], a2017[600], strip[600];
	const char *zd;

	snprintf(bin, sizeof(bin), "%s/rootxdp-compile", o);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rx-zc-test-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	CHECK_MSG(access(bin, X_OK) == 0, "%s not built", bin);

	CHECK(run(NULL, 0, "%s --help", bin) == 0);
	CHECK(run(NULL, 0, "%s", bin) == 2);
	CHECK(run(NULL, 0, "%s --bogus x", bin) == 2);
	CHECK(run(NULL, 0, "%s --now yesterday --check x", bin) == 2);

	zd = find_zone_dir(zdir, sizeof(zdir), o);
	CHECK_MSG(zd != NULL, "no generated zone (RX_ZONE_DIR unset and mkzone.sh failed)");
	if (zd) {
		struct zone_case gen = {
			.name = "generated", .zone = zone, .anchor = anchor, .dnssec = true,
			.tlds = { "com", "net", "org", "info", "arpa", "manysiblingns",
				  "manyinzonens", "noglue", "unsignedtld" },
			.stride = 7,
		};
		struct zone_case uns = {
			.name = "generated-unsigned", .zone = zone, .extra = "--allow-no-zonemd",
			.dnssec = false, .tlds = { "com", "net", "unsignedtld" }, .stride = 11,
		};
		ldns_rr *soa;
		ldns_rr_list *all;
		uint32_t serial;

		snprintf(zone, sizeof(zone), "%s/root.zone", zd);
		snprintf(anchor, sizeof(anchor), "%s/trust-anchor.ds", zd);
		self_check(&gen);
		/* the trust anchor as a DNSKEY works the same */
		snprintf(a2017, sizeof(a2017), "%s/trust-anchor.key", zd);
		if (exists(a2017))
			CHECK_MSG(run(err, sizeof(err), "%s --check -a %s %s", bin, a2017, zone) == 0,
				  "DNSKEY anchor: %s", err);
		/* --check writes nothing and says ok */
		CHECK(run(err, sizeof(err), "%s --check -a %s %s", bin, anchor, zone) == 0);
		/* (c) --dump names the serial */
		all = zone_rrs(zone, &soa);
		serial = soa ? ldns_rdf2native_int32(ldns_rr_rdf(soa, 2)) : 0;
		{
			char path[700], *txt, want[64];
			size_t len;

			CHECK(run(err, sizeof(err), "%s --dump %s/generated.img --tld com", bin, tmpdir) == 0);
			snprintf(path, sizeof(path), "%s/stdout", tmpdir);
			txt = read_text(path, &len);
			snprintf(want, sizeof(want), "serial:         %u", serial);
			CHECK_MSG(txt && strstr(txt, want), "--dump lacks '%s'", want);
			CHECK(txt && strstr(txt, "com. referral"));
			free(txt);
			CHECK(run(err, sizeof(err), "%s --dump %s/generated.img --tld nosuch", bin, tmpdir) == 0);
			/* --previous: the same image refuses the same serial */
			CHECK(run(err, sizeof(err), "%s --previous %s/generated.img -a %s -o %s/x.img %s",
				  bin, tmpdir, anchor, tmpdir, zone) == 1 && strstr(err, "not newer"));
			/* a corrupt image is refused by --dump (SHA-256) */
			snprintf(path, sizeof(path), "%s/generated.img", tmpdir);
			{
				FILE *f = fopen(path, "r+b");

				fseek(f, 1000, SEEK_SET);
				fputc(0x5a ^ fgetc(f), f);
				fclose(f);
			}
			CHECK(run(err, sizeof(err), "%s --dump %s", bin, path) == 1 && strstr(err, "SHA-256"));
		}
		ldns_rr_list_deep_free(all);
		ldns_rr_free(soa);
		refusals(zone, anchor, serial);

		/* unsigned: the generator's content before signing */
		snprintf(strip, sizeof(strip), "%s/root.unsigned.zone", zd);
		if (exists(strip)) {
			uns.zone = strip;
			self_check(&uns);
		}
	}

	if (!access(shared, R_OK)) {
		struct zone_case ts = {
			.name = "root-2026082201-testsigned",
			.zone = "../shared/data/root-2026082201-testsigned.zone.gz",
			.anchor = "../shared/data/testsigned-trust-anchor.ds", .dnssec = true,
			.tlds = { "com", "net", "org", "arpa", "aaa", "uk", "de", "xn--p1ai", "jp",
				  "io" },
			.stride = 97,
		};
		struct zone_case z17 = {
			.name = "root-2017112902-signed",
			.zone = "../shared/data/root-2017112902-signed.zone.gz",
			.anchor = a2017, .extra = "--now 20171201000000 --allow-no-zonemd",
			.dnssec = true, .tlds = { "aaa", "abarth", "com", "net", "arpa" },
			.stride = 101,
		};
		struct zone_case stripped = {
			.name = "root-2026082201-stripped", .zone = strip,
			.extra = "--allow-no-zonemd", .dnssec = true,
			.tlds = { "com", "net", "aaa" }, .stride = 131,
		};
		FILE *f;
		char *t;
		size_t len;

		self_check(&ts);
		/* 2017: KSK-2010 (key 19036) signed the DNSKEY RRset; its DS is
		 * public (IANA root-anchors.xml).  Debian's root.key lists only
		 * KSK-2017/KSK-2024, so it must refuse this zone. */
		snprintf(a2017, sizeof(a2017), "%s/ksk2010.ds", tmpdir);
		f = fopen(a2017, "w");
		fputs(". 86400 IN DS 19036 8 2 49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5\n", f);
		fclose(f);
		self_check(&z17);
		if (!access("/usr/share/dns/root.key", R_OK))
			refuse("2017 zone, today's root anchor", "not signed by a trust-anchor key",
			       "-a /usr/share/dns/root.key --now 20171201000000 --allow-no-zonemd",
			       z17.zone);
		refuse("2017 zone, no ZONEMD", "no ZONEMD", "--now 20171201000000", z17.zone);
		/* the published zone with RRSIGs stripped: its ZONEMD no longer
		 * matches (it covered the RRSIGs), refused even with
		 * --allow-no-zonemd; without the ZONEMD it compiles. */
		refuse("stripped zone, ZONEMD mismatch", "ZONEMD verification failed",
		       "--allow-no-zonemd", "../shared/data/root-2026082201.zone.gz");
		t = read_text("../shared/data/root-2026082201.zone.gz", &len);
		CHECK(t != NULL);
		if (t) {
			char *p;

			snprintf(strip, sizeof(strip), "%s/stripped.zone", tmpdir);
			/* comment out the ZONEMD and its RRSIG */
			for (p = t; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0)) {
				char f4[32] = "", f5[32] = "";

				if (sscanf(p, "%*s %*s %*s %31s %31s", f4, f5) == 2 &&
				    (!strcmp(f4, "ZONEMD") || (!strcmp(f4, "RRSIG") && !strcmp(f5, "ZONEMD"))))
					*p = ';';
			}
			write_text(strip, t, len);
			free(t);
			self_check(&stripped);
		}
	} else {
		printf("skipped: %s is absent\n", shared);
	}

	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd))
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	}
	return check_done();
}
