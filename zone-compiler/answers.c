// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * answers.c - precompute every response body the XDP program sends
 * (docs/design.md "A response body"): a wire encoder with name
 * compression, the fix[] list of pointers the sender relocates (by the
 * question's size, or to the question's TLD: RX_FIX_QTLD), and the cut
 * points at RRset boundaries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zc.h"

#define BB_CAP		65535
#define BB_SFX_MAX	2048
#define BB_CUTS_MAX	1024
#define NO_TTL		0xffffffffu

enum { SEC_AN, SEC_NS, SEC_AR };

struct bb_sfx {
	uint16_t off;			/* body offset of the suffix */
	uint8_t len;
	bool qtld;			/* the question's TLD, not in the body */
	const uint8_t *name;		/* lowercased wire suffix (points into owner copies) */
};

struct bb {
	uint8_t b[BB_CAP];
	unsigned len;
	uint16_t cnt[3];
	uint8_t lc[BB_SFX_MAX][RX_NAME_MAX + 1];	/* lowercased names written */
	unsigned nlc;
	struct bb_sfx sfx[BB_SFX_MAX];
	unsigned nsfx;
	uint16_t fix[RX_FIX_MAX];
	unsigned nfix;
	struct rx_cut cuts[BB_CUTS_MAX];
	unsigned ncuts;
	int req;			/* index into cuts, -1 until marked */
	bool full;			/* optional RRs stopped at RX_BODY_MAX */
	const char *what;		/* for error messages */
};

/* A new body.  tld: for the per-TLD bodies (referral, DS), the TLD the
 * question ends in; it is offered for compression at the question's last
 * label (RX_FIX_QTLD), so the first owner name at the TLD costs 2 bytes. */
static struct bb *bb_new(struct bb *bb, const char *what, const uint8_t *tld)
{
	bb->len = 0;
	bb->cnt[0] = bb->cnt[1] = bb->cnt[2] = 0;
	bb->nlc = bb->nsfx = bb->nfix = 0;
	memset(&bb->cuts[0], 0, sizeof(bb->cuts[0]));
	bb->ncuts = 1;
	bb->req = -1;
	bb->full = false;
	bb->what = what;
	if (tld && tld[0]) {
		uint8_t *lc = bb->lc[bb->nlc++];

		zc_name_lower(lc, tld, tld[0] + 2);
		bb->sfx[bb->nsfx++] = (struct bb_sfx){ 0, tld[0] + 2, true, lc };
	}
	return bb;
}

static int put(struct bb *bb, const void *p, unsigned n)
{
	if (bb->len + n > BB_CAP)
		return -1;
	memcpy(bb->b + bb->len, p, n);
	bb->len += n;
	return 0;
}

static int put16(struct bb *bb, uint16_t v)
{
	uint8_t x[2] = { v >> 8, v & 0xff };

	return put(bb, x, 2);
}

static int put32(struct bb *bb, uint32_t v)
{
	uint8_t x[4] = { v >> 24, v >> 16, v >> 8, v };

	return put(bb, x, 4);
}

/* Write a name.  compress: may use and offer compression targets (owner
 * names, NS targets, SOA MNAME/RNAME); RRSIG signer and NSEC next names
 * go out whole and are not offered (RFC 4034 3.1.7, 4.1.1).  A pointer
 * into the body is written as if the question were empty; one to the
 * question's TLD as 0xC00C (QNAME = the TLD) with RX_FIX_QTLD. */
static int put_name(struct bb *bb, const uint8_t *wire, unsigned wlen, bool compress)
{
	uint8_t *lc;
	unsigned off = 0, i;

	if (!compress)
		return put(bb, wire, wlen);
	if (bb->nlc >= BB_SFX_MAX)
		return put(bb, wire, wlen);
	lc = bb->lc[bb->nlc++];
	zc_name_lower(lc, wire, wlen);
	/* longest suffix already in the body wins */
	while (lc[off]) {
		unsigned slen = wlen - off;

		for (i = 0; i < bb->nsfx; i++) {
			if (bb->sfx[i].len == slen && !memcmp(bb->sfx[i].name, lc + off, slen))
				break;
		}
		if (i < bb->nsfx && bb->nfix < RX_FIX_MAX) {
			unsigned at = bb->len, l;

			if (put(bb, wire, off))
				return -1;
			for (l = 0; l < off; l += wire[l] + 1)
				if (at + l + 12 < 0x3000 && bb->nsfx < BB_SFX_MAX)
					bb->sfx[bb->nsfx++] = (struct bb_sfx){
						at + l, wlen - l, false, lc + l };
			if (bb->sfx[i].qtld) {
				bb->fix[bb->nfix++] = bb->len | RX_FIX_QTLD;
				return put16(bb, 0xc000 | 12);
			}
			bb->fix[bb->nfix++] = bb->len;
			return put16(bb, 0xc000 | (12 + bb->sfx[i].off));
		}
		off += lc[off] + 1;
	}
	{
		unsigned at = bb->len, l;

		if (put(bb, wire, wlen))
			return -1;
		for (l = 0; wire[l]; l += wire[l] + 1)
			if (at + l + 12 < 0x3000 && bb->nsfx < BB_SFX_MAX)
				bb->sfx[bb->nsfx++] = (struct bb_sfx){ at + l, wlen - l, false,
									 lc + l };
	}
	return 0;
}

static int put_rdf_name(struct bb *bb, const ldns_rdf *d, bool compress)
{
	return put_name(bb, ldns_rdf_data(d), ldns_rdf_size(d), compress);
}

static ldns_buffer *rdbuf;

static int put_rr(struct bb *bb, const struct zc_rr *z, uint32_t ttl)
{
	ldns_rr *rr = z->rr;
	unsigned rdlen_at;
	uint16_t type = z->type;

	if (put_rdf_name(bb, ldns_rr_owner(rr), true) || put16(bb, type) ||
	    put16(bb, LDNS_RR_CLASS_IN) || put32(bb, ttl == NO_TTL ? ldns_rr_ttl(rr) : ttl))
		return -1;
	rdlen_at = bb->len;
	if (put16(bb, 0))
		return -1;
	if (type == LDNS_RR_TYPE_NS) {
		if (put_rdf_name(bb, ldns_rr_rdf(rr, 0), true))
			return -1;
	} else if (type == LDNS_RR_TYPE_SOA) {
		unsigned i;

		if (put_rdf_name(bb, ldns_rr_rdf(rr, 0), true) ||
		    put_rdf_name(bb, ldns_rr_rdf(rr, 1), true))
			return -1;
		for (i = 2; i < 7; i++)
			if (put32(bb, ldns_rdf2native_int32(ldns_rr_rdf(rr, i))))
				return -1;
	} else {
		ldns_buffer_clear(rdbuf);
		if (ldns_rr_rdata2buffer_wire(rdbuf, rr) != LDNS_STATUS_OK)
			return -1;
		if (put(bb, ldns_buffer_begin(rdbuf), ldns_buffer_position(rdbuf)))
			return -1;
	}
	bb->b[rdlen_at] = (bb->len - rdlen_at - 2) >> 8;
	bb->b[rdlen_at + 1] = (bb->len - rdlen_at - 2) & 0xff;
	return 0;
}

/* Append an RRset (canonical RR order, the index keeps it) and a cut after
 * it.  A required RRset that does not fit RX_BODY_MAX fails the zone; an
 * optional one is left out together with everything after it. */
static int bb_rrset(struct zc *zc, struct bb *bb, const struct zc_rrset *s, int sec,
		    uint32_t ttl, bool required)
{
	unsigned len = bb->len, nsfx = bb->nsfx, nfix = bb->nfix, nlc = bb->nlc, i;
	char nb[1024], tb[32];

	if (!s)
		return 0;
	if (bb->full && !required)
		return 0;
	for (i = 0; i < s->count; i++)
		if (put_rr(bb, &zc->rrs[s->first + i], ttl))
			break;
	if (i == s->count && bb->len <= RX_BODY_MAX && bb->ncuts < BB_CUTS_MAX) {
		struct rx_cut *c = &bb->cuts[bb->ncuts++];

		bb->cnt[sec] += s->count;
		c->len = bb->len;
		c->ancount = bb->cnt[SEC_AN];
		c->nscount = bb->cnt[SEC_NS];
		c->arcount = bb->cnt[SEC_AR];
		return 0;
	}
	bb->len = len;
	bb->nsfx = nsfx;
	bb->nfix = nfix;
	bb->nlc = nlc;
	if (!required) {
		bb->full = true;
		return 0;
	}
	return zc_err(zc, "%s: the response body (%s %s) is larger than %d bytes",
		      bb->what, zc_name_str(zc->rrs[s->first].owner, nb, sizeof(nb)),
		      zc_type_str(s->type, tb, sizeof(tb)), RX_BODY_MAX);
}

static void bb_mark_req(struct bb *bb)
{
	bb->req = bb->ncuts - 1;
}

/* ---- response store with deduplication ---- */

struct dedup {
	uint32_t *slot;		/* resp index + 1, 0 = empty */
	uint32_t mask;
	uint64_t *hash;		/* per resp */
};

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

static int grow(void **p, uint32_t *cap, uint32_t need, size_t size)
{
	uint32_t nc = *cap ? *cap : 256;
	void *np;

	if (need <= *cap)
		return 0;
	while (nc < need)
		nc *= 2;
	np = realloc(*p, (size_t)nc * size);
	if (!np)
		return -1;
	memset((uint8_t *)np + (size_t)*cap * size, 0, (size_t)(nc - *cap) * size);
	*p = np;
	*cap = nc;
	return 0;
}

static int dedup_grow(struct zc *zc)
{
	struct dedup *d = zc->dedup;
	uint32_t n = (d->mask + 1) * 2, i;
	uint32_t *ns = calloc(n, sizeof(*ns));

	if (!ns)
		return -1;
	for (i = 0; i < zc->nresp; i++) {
		uint32_t k = d->hash[i] & (n - 1);

		while (ns[k])
			k = (k + 1) & (n - 1);
		ns[k] = i + 1;
	}
	free(d->slot);
	d->slot = ns;
	d->mask = n - 1;
	return 0;
}

/* Finish a body into an rx_resp (choosing at most RX_CUT_MAX cuts) and
 * store it, or return the index of an identical one. */
static int bb_store(struct zc *zc, struct bb *bb, uint8_t rcode, uint8_t flags, uint32_t *idx)
{
	struct dedup *d = zc->dedup;
	struct rx_resp r;
	unsigned keep[RX_CUT_MAX], nkeep = 0, i, last = bb->ncuts - 1, req;
	uint32_t nch, k, cap_dummy;
	uint64_t h;

	if (bb->req < 0)
		bb_mark_req(bb);
	req = bb->req;
	memset(&r, 0, sizeof(r));
	r.len = bb->len;
	r.rcode = rcode;
	r.flags = flags;
	/* Keep cut[0], cut[req] and the last; fill up with the first others. */
	{
		bool sel[BB_CUTS_MAX] = { false };
		unsigned count = 0;

		sel[0] = sel[req] = sel[last] = true;
		for (i = 0; i < bb->ncuts; i++)
			count += sel[i];
		for (i = 1; i < bb->ncuts && count < RX_CUT_MAX; i++)
			if (!sel[i])
				sel[i] = true, count++;
		for (i = 0; i < bb->ncuts; i++)
			if (sel[i])
				keep[nkeep++] = i;
	}
	for (i = 0; i < nkeep; i++) {
		r.cut[i] = bb->cuts[keep[i]];
		r.csum[i] = rx_csum16(bb->b, r.cut[i].len);
		if (keep[i] == req)
			r.req = i;
	}
	r.ncut = nkeep;
	r.nfix = bb->nfix;
	memcpy(r.fix, bb->fix, bb->nfix * sizeof(r.fix[0]));

	h = fnv(&r, sizeof(r), 0xcbf29ce484222325ull);
	h = fnv(bb->b, bb->len, h);
	for (k = h & d->mask; d->slot[k]; k = (k + 1) & d->mask) {
		uint32_t j = d->slot[k] - 1;
		struct rx_resp o = zc->resp[j];

		if (d->hash[j] != h)
			continue;
		o.chunk = 0;
		if (!memcmp(&o, &r, sizeof(r)) &&
		    !memcmp(zc->chunk[zc->resp[j].chunk].b, bb->b, bb->len)) {
			*idx = j;
			return 0;
		}
	}
	nch = (bb->len + RX_CHUNK - 1) / RX_CHUNK;
	cap_dummy = zc->resp_cap;
	if (grow((void **)&zc->resp, &zc->resp_cap, zc->nresp + 1, sizeof(*zc->resp)) ||
	    grow((void **)&d->hash, &cap_dummy, zc->nresp + 1, sizeof(*d->hash)) ||
	    grow((void **)&zc->chunk, &zc->chunk_cap, zc->nchunk + nch + 1, sizeof(*zc->chunk)))
		return zc_err(zc, "out of memory");
	r.chunk = zc->nchunk;
	memcpy(zc->chunk[zc->nchunk].b, bb->b, bb->len);
	zc->nchunk += nch;
	zc->resp[zc->nresp] = r;
	d->hash[zc->nresp] = h;
	d->slot[k] = zc->nresp + 1;
	*idx = zc->nresp++;
	if (zc->nresp * 2 > d->mask && dedup_grow(zc))
		return zc_err(zc, "out of memory");
	return 0;
}

/* ---- the kinds of responses ---- */

static const uint8_t root[1] = { 0 };

static const struct zc_rrset *find(struct zc *zc, const uint8_t *o, uint16_t t)
{
	return zc_find(zc, o, t, 0);
}

static const struct zc_rrset *sig(struct zc *zc, const uint8_t *o, uint16_t t)
{
	return zc_find(zc, o, LDNS_RR_TYPE_RRSIG, t);
}

/* RFC 2308 3: the SOA in a negative answer has TTL min(SOA TTL, MINIMUM). */
static uint32_t neg_ttl(struct zc *zc)
{
	return zc->soa_ttl < zc->minimum ? zc->soa_ttl : zc->minimum;
}

static int add_neg_soa(struct zc *zc, struct bb *bb, bool dnssec)
{
	if (bb_rrset(zc, bb, find(zc, root, LDNS_RR_TYPE_SOA), SEC_NS, neg_ttl(zc), true))
		return -1;
	if (dnssec && bb_rrset(zc, bb, sig(zc, root, LDNS_RR_TYPE_SOA), SEC_NS, neg_ttl(zc), true))
		return -1;
	return 0;
}

static int add_with_sig(struct zc *zc, struct bb *bb, const uint8_t *o, uint16_t t,
			int sec, bool dnssec)
{
	if (bb_rrset(zc, bb, find(zc, o, t), sec, NO_TTL, true))
		return -1;
	if (dnssec && bb_rrset(zc, bb, sig(zc, o, t), sec, NO_TTL, true))
		return -1;
	return 0;
}

/* Glue for the NS RRset `ns` of delegation `tld` (root for priming):
 * per target in RRset order A then AAAA; in-domain first (required), then
 * sibling glue (optional).  For the apex every address is optional. */
static int add_glue(struct zc *zc, struct bb *bb, const struct zc_rrset *ns,
		    const uint8_t *tld)
{
	int pass;
	uint32_t i;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < ns->count; i++) {
			const ldns_rdf *t = ldns_rr_rdf(zc->rrs[ns->first + i].rr, 0);
			uint8_t lc[RX_NAME_MAX + 1];
			bool in_domain;

			zc_name_lower(lc, ldns_rdf_data(t), ldns_rdf_size(t));
			in_domain = tld[0] && zc_name_under(lc, tld);
			if (in_domain != (pass == 0))
				continue;
			if (bb_rrset(zc, bb, find(zc, lc, LDNS_RR_TYPE_A), SEC_AR, NO_TTL, in_domain) ||
			    bb_rrset(zc, bb, find(zc, lc, LDNS_RR_TYPE_AAAA), SEC_AR, NO_TTL, in_domain))
				return -1;
		}
		if (pass == 0)
			bb_mark_req(bb);
	}
	return 0;
}

static int build_ref(struct zc *zc, struct bb *bb, const uint8_t *tld, bool dnssec, uint32_t *idx)
{
	const struct zc_rrset *ns = find(zc, tld, LDNS_RR_TYPE_NS);

	if (bb_rrset(zc, bb, ns, SEC_NS, NO_TTL, true))
		return -1;
	if (dnssec) {
		uint16_t t = find(zc, tld, LDNS_RR_TYPE_DS) ? LDNS_RR_TYPE_DS : LDNS_RR_TYPE_NSEC;

		if (add_with_sig(zc, bb, tld, t, SEC_NS, true))
			return -1;
	}
	if (add_glue(zc, bb, ns, tld))
		return -1;
	return bb_store(zc, bb, 0, 0, idx);
}

static int build_ds(struct zc *zc, struct bb *bb, const uint8_t *tld, bool dnssec, uint32_t *idx)
{
	if (find(zc, tld, LDNS_RR_TYPE_DS)) {
		if (add_with_sig(zc, bb, tld, LDNS_RR_TYPE_DS, SEC_AN, dnssec))
			return -1;
	} else {
		if (add_neg_soa(zc, bb, dnssec))
			return -1;
		if (dnssec && add_with_sig(zc, bb, tld, LDNS_RR_TYPE_NSEC, SEC_NS, true))
			return -1;
	}
	return bb_store(zc, bb, 0, RX_RF_AA, idx);
}

static int build_apex(struct zc *zc, struct bb *bb, uint16_t type, bool dnssec, uint32_t *idx)
{
	if (add_with_sig(zc, bb, root, type, SEC_AN, dnssec))
		return -1;
	bb_mark_req(bb);
	if (type == LDNS_RR_TYPE_NS && add_glue(zc, bb, find(zc, root, LDNS_RR_TYPE_NS), root))
		return -1;
	return bb_store(zc, bb, 0, RX_RF_AA, idx);
}

static int build_nodata(struct zc *zc, struct bb *bb, bool dnssec, uint32_t *idx)
{
	if (add_neg_soa(zc, bb, dnssec))
		return -1;
	if (dnssec && add_with_sig(zc, bb, root, LDNS_RR_TYPE_NSEC, SEC_NS, true))
		return -1;
	return bb_store(zc, bb, 0, RX_RF_AA, idx);
}

/* NXDOMAIN with DO: SOA + RRSIG, the covering NSEC, the NSEC that proves
 * there is no wildcard "*." (RFC 4035 3.1.3.2), once if it is the same. */
static int build_nx(struct zc *zc, struct bb *bb, const uint8_t *cover, const uint8_t *wild,
		    bool dnssec, uint32_t *idx)
{
	if (add_neg_soa(zc, bb, dnssec))
		return -1;
	if (dnssec) {
		if (add_with_sig(zc, bb, cover, LDNS_RR_TYPE_NSEC, SEC_NS, true))
			return -1;
		if (rx_dname_cmp(cover, wild) &&
		    add_with_sig(zc, bb, wild, LDNS_RR_TYPE_NSEC, SEC_NS, true))
			return -1;
	}
	return bb_store(zc, bb, 3, RX_RF_AA, idx);
}

static void label_of(struct rx_label *l, const uint8_t *owner)
{
	if (!owner[0])
		memset(l, 0, sizeof(*l));
	else
		rx_label_set(l, owner + 1, owner[0]);
}

static int nsec_cmp(const void *a, const void *b)
{
	return rx_label_cmp(&((const struct rx_nsec *)a)->owner,
			    &((const struct rx_nsec *)b)->owner);
}

static int tld_cmp(const void *a, const void *b)
{
	return rx_label_cmp(&((const struct rx_image_tld *)a)->label,
			    &((const struct rx_image_tld *)b)->label);
}

int zc_build(struct zc *zc)
{
	struct bb *bb = malloc(sizeof(*bb));
	struct dedup *d = calloc(1, sizeof(*d));
	bool dnssec = zc->signed_zone;
	uint32_t i, ntld = 0, nnsec = 0;
	struct rx_label star;
	const uint8_t *wild = root;
	char what[1200], nb[1024], tb[32];
	int rc = -1;

	rdbuf = ldns_buffer_new(4096);
	if (!bb || !d || !rdbuf) {
		free(bb);
		free(d);
		return zc_err(zc, "out of memory");
	}
	zc->dedup = d;
	d->mask = 4095;
	d->slot = calloc(d->mask + 1, sizeof(*d->slot));
	if (!d->slot)
		goto oom;

	zc->sig_expire_min = 0;
	for (i = 0; i < zc->nsets; i++) {
		const struct zc_rrset *s = &zc->sets[i];
		uint32_t j;

		if (s->type == LDNS_RR_TYPE_NS && zc->rrs[s->first].nlabels == 1)
			ntld++;
		if (s->type == LDNS_RR_TYPE_NSEC)
			nnsec++;
		if (s->type != LDNS_RR_TYPE_RRSIG)
			continue;
		for (j = 0; j < s->count; j++) {
			uint32_t exp = ldns_rdf2native_int32(
				ldns_rr_rrsig_expiration(zc->rrs[s->first + j].rr));

			if (!zc->sig_expire_min || exp < zc->sig_expire_min)
				zc->sig_expire_min = exp;
		}
	}
	if (!dnssec)
		nnsec = ntld + 1;
	zc->tld = calloc(ntld + 1, sizeof(*zc->tld));
	zc->nsec = calloc(nnsec + 1, sizeof(*zc->nsec));
	if (!zc->tld || !zc->nsec)
		goto oom;
	memset(&zc->meta, 0, sizeof(zc->meta));

	/* NXDOMAIN, apex NODATA */
	if (build_nx(zc, bb_new(bb, "NXDOMAIN", NULL), root, root, false, &zc->meta.nx) ||
	    build_nodata(zc, bb_new(bb, "apex NODATA", NULL), false, &zc->meta.nodata))
		goto out;
	zc->meta.nodata_do = zc->meta.nodata;
	if (dnssec && build_nodata(zc, bb_new(bb, "apex NODATA DO", NULL), true, &zc->meta.nodata_do))
		goto out;

	/* apex RRsets */
	for (i = 0; i < zc->nsets; i++) {
		const struct zc_rrset *s = &zc->sets[i];
		struct rx_apex *a;

		if (zc->rrs[s->first].nlabels != 0 || s->type == LDNS_RR_TYPE_RRSIG)
			continue;
		a = &zc->meta.apex[zc->meta.napex++];
		a->qtype = s->type;
		snprintf(what, sizeof(what), ". %s", zc_type_str(s->type, tb, sizeof(tb)));
		if (build_apex(zc, bb_new(bb, what, NULL), s->type, false, &a->resp))
			goto out;
		a->resp_do = a->resp;
		if (dnssec && build_apex(zc, bb_new(bb, what, NULL), s->type, true, &a->resp_do))
			goto out;
	}

	/* the NSEC owner that covers "*." (RFC 4035 3.1.3.2) */
	rx_label_set(&star, (const uint8_t *)"*", 1);
	if (dnssec) {
		for (i = 0; i < zc->nsets; i++) {
			const struct zc_rrset *s = &zc->sets[i];
			struct rx_label l;

			if (s->type != LDNS_RR_TYPE_NSEC)
				continue;
			label_of(&l, zc->rrs[s->first].owner);
			if (rx_label_cmp(&l, &star) <= 0)
				wild = zc->rrs[s->first].owner;
		}
	}

	/* TLDs, and the NSEC intervals */
	nnsec = 0;
	if (!dnssec) {
		zc->nsec[nnsec].nx_do = zc->meta.nx;
		label_of(&zc->nsec[nnsec++].owner, root);
	}
	ntld = 0;
	for (i = 0; i < zc->nsets; i++) {
		const struct zc_rrset *s = &zc->sets[i];
		const uint8_t *o = zc->rrs[s->first].owner;

		if (dnssec && s->type == LDNS_RR_TYPE_NSEC) {
			struct rx_nsec *n = &zc->nsec[nnsec++];

			label_of(&n->owner, o);
			snprintf(what, sizeof(what), "NXDOMAIN after %s", zc_name_str(o, nb, sizeof(nb)));
			if (build_nx(zc, bb_new(bb, what, NULL), o, wild, true, &n->nx_do))
				goto out;
		}
		if (s->type == LDNS_RR_TYPE_NS && zc->rrs[s->first].nlabels == 1) {
			struct rx_image_tld *t = &zc->tld[ntld++];

			label_of(&t->label, o);
			zc_name_str(o, nb, sizeof(nb));
			snprintf(what, sizeof(what), "referral %s", nb);
			if (build_ref(zc, bb_new(bb, what, o), o, false, &t->v.ref))
				goto out;
			snprintf(what, sizeof(what), "DS %s", nb);
			if (build_ds(zc, bb_new(bb, what, o), o, false, &t->v.ds))
				goto out;
			t->v.ref_do = t->v.ref;
			t->v.ds_do = t->v.ds;
			if (dnssec) {
				snprintf(what, sizeof(what), "referral %s DO", nb);
				if (build_ref(zc, bb_new(bb, what, o), o, true, &t->v.ref_do))
					goto out;
				snprintf(what, sizeof(what), "DS %s DO", nb);
				if (build_ds(zc, bb_new(bb, what, o), o, true, &t->v.ds_do))
					goto out;
			}
			if (!dnssec) {
				zc->nsec[nnsec].nx_do = zc->meta.nx;
				zc->nsec[nnsec++].owner = t->label;
			}
		}
	}
	qsort(zc->tld, ntld, sizeof(*zc->tld), tld_cmp);
	for (i = 1; i < ntld; i++)
		if (!rx_label_cmp(&zc->tld[i - 1].label, &zc->tld[i].label)) {
			zc_err(zc, "two delegations for the same TLD");
			goto out;
		}
	/* canonical order already; re-sort the unsigned list for safety */
	if (!dnssec)
		qsort(zc->nsec + 1, nnsec - 1, sizeof(*zc->nsec), nsec_cmp);
	zc->ntld = ntld;
	zc->nnsec = nnsec;
	zc->meta.serial = zc->serial;
	zc->meta.ntld = ntld;
	zc->meta.nnsec = nnsec;
	zc->meta.nresp = zc->nresp;
	zc->meta.nchunk = zc->nchunk;
	rc = 0;
	goto out;
oom:
	zc_err(zc, "out of memory");
out:
	/* the dedup table only lives while building */
	free(d->slot);
	free(d->hash);
	free(d);
	zc->dedup = NULL;
	ldns_buffer_free(rdbuf);
	rdbuf = NULL;
	free(bb);
	return rc;
}
