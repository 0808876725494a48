// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_fb_zone.c - the image's RR table, end to end: rootxdp-compile writes
 * it, rootxdpd loads it (fb_zone_load), and every RR rootxdpd holds is
 * compared with ldns's own parse of the zone file (ldns_zone_new_frm_fp,
 * not the compiler's reader): the same RRs byte for byte (owner and RDATA
 * in the file's case, TTL, class), none missing, none extra, in the order
 * docs/design.md gives, checked here with ldns's canonical name order.
 * Then the reader's refusals: an image of another version (with the
 * message that says to recompile), and RR tables that are out of order,
 * hold a malformed name or RDATA, or disagree with the header's counts,
 * each with a valid SHA-256 so that the table check itself must catch it.
 *
 * Zones: $RX_ZONE_DIR/root.zone (+ trust-anchor.ds, root.unsigned.zone),
 * else tests/zones/mkzone.sh; and the real root zones in ../shared/data
 * (the 2017 one has mixed-case owners) where that folder exists.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <openssl/sha.h>
#include <ldns/ldns.h>
#include "check.h"
#include "slurp.h"
#include "fb.h"
#include "log.h"

static char bin[512], tmpdir[64] = "/tmp/rx-fbzone-XXXXXX";

static int run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* One RR as bytes: owner, type, class, TTL, RDATA, all as the file has
 * them; the key the two sides are compared on. */
struct want {
	uint8_t *b;
	size_t n;
};

static struct want want_of(const uint8_t *owner, size_t olen, uint16_t type, uint16_t cls,
			   uint32_t ttl, const uint8_t *rd, size_t rdlen)
{
	struct want w = { malloc(olen + 8 + rdlen), olen + 8 + rdlen };
	uint8_t *p = w.b;

	memcpy(p, owner, olen);
	p += olen;
	*p++ = type >> 8;
	*p++ = type;
	*p++ = cls >> 8;
	*p++ = cls;
	*p++ = ttl >> 24;
	*p++ = ttl >> 16;
	*p++ = ttl >> 8;
	*p++ = ttl;
	memcpy(p, rd, rdlen);
	return w;
}

static int want_cmp(const void *pa, const void *pb)
{
	const struct want *a = pa, *b = pb;
	int c = memcmp(a->b, b->b, a->n < b->n ? a->n : b->n);

	return c ? c : (a->n > b->n) - (a->n < b->n);
}

/* The zone as ldns reads it: every RR (SOA included), as bytes, sorted,
 * exact duplicates dropped.  NULL if ldns cannot read it. */
static struct want *ldns_rrs(const char *path, size_t *count)
{
	size_t len, n, i, k;
	char *text = slurp(path, &len);
	ldns_zone *z = NULL;
	ldns_rr_list *l;
	ldns_buffer *b = ldns_buffer_new(65536);
	struct want *w;
	FILE *fp;

	if (!text)
		return NULL;
	fp = fmemopen(text, len, "r");
	if (ldns_zone_new_frm_fp(&z, fp, NULL, 3600, LDNS_RR_CLASS_IN) != LDNS_STATUS_OK) {
		fclose(fp);
		free(text);
		return NULL;
	}
	fclose(fp);
	free(text);
	l = ldns_zone_rrs(z);
	n = ldns_rr_list_rr_count(l) + 1;
	w = calloc(n, sizeof(*w));
	for (i = 0; i < n; i++) {
		ldns_rr *rr = i ? ldns_rr_list_rr(l, i - 1) : ldns_zone_soa(z);
		ldns_rdf *o = ldns_rr_owner(rr);

		ldns_buffer_clear(b);
		ldns_rr_rdata2buffer_wire(b, rr);
		w[i] = want_of(ldns_rdf_data(o), ldns_rdf_size(o), ldns_rr_get_type(rr),
			       ldns_rr_get_class(rr), ldns_rr_ttl(rr), ldns_buffer_begin(b),
			       ldns_buffer_position(b));
	}
	ldns_buffer_free(b);
	ldns_zone_deep_free(z);
	qsort(w, n, sizeof(*w), want_cmp);
	for (i = 0, k = 0; i < n; i++) {
		if (k && !want_cmp(&w[k - 1], &w[i])) {
			free(w[i].b);
			continue;
		}
		w[k++] = w[i];
	}
	*count = k;
	return w;
}

/* The order of docs/design.md, from ldns's canonical name comparison. */
static int design_order(const struct fb_rr *a, const struct fb_rr *b)
{
	ldns_rdf *oa = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, a->owner_len, a->owner);
	ldns_rdf *ob = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, b->owner_len, b->owner);
	int c = ldns_dname_compare(oa, ob);
	uint16_t sa = a->type == LDNS_RR_TYPE_RRSIG ? (a->rdata[0] << 8 | a->rdata[1]) : a->type;
	uint16_t sb = b->type == LDNS_RR_TYPE_RRSIG ? (b->rdata[0] << 8 | b->rdata[1]) : b->type;
	size_t m = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;

	ldns_rdf_deep_free(oa);
	ldns_rdf_deep_free(ob);
	if (c)
		return c;
	if (sa != sb)
		return sa < sb ? -1 : 1;
	if ((a->type == LDNS_RR_TYPE_RRSIG) != (b->type == LDNS_RR_TYPE_RRSIG))
		return a->type == LDNS_RR_TYPE_RRSIG ? 1 : -1;
	c = memcmp(a->rdata, b->rdata, m);
	return c ? c : (a->rdlen > b->rdlen) - (a->rdlen < b->rdlen);
}

static void round_trip(const char *name, const char *zone, const char *opts)
{
	char img[256], err[600];
	struct fb_zone *z;
	struct want *w, *got;
	size_t nw = 0, i, same = 0, order_bad = 0;
	uint32_t soa_serial;

	snprintf(img, sizeof(img), "%s/%s.img", tmpdir, name);
	CHECK_MSG(run("%s %s -o %s %s >/dev/null", bin, opts, img, zone) == 0,
		  "%s: compiles", name);
	z = fb_zone_load(img, err, sizeof(err));
	CHECK_MSG(z != NULL, "%s: fb_zone_load: %s", name, err);
	w = ldns_rrs(zone, &nw);
	CHECK_MSG(w != NULL, "%s: ldns reads the zone", name);
	if (!z || !w)
		return;
	CHECK_MSG(z->nrrs == nw, "%s: %u RRs in the table, %zu in the zone", name, z->nrrs, nw);
	got = calloc(z->nrrs, sizeof(*got));
	for (i = 0; i < z->nrrs; i++) {
		const struct fb_rr *r = &z->rrs[i];

		got[i] = want_of(r->owner, r->owner_len, r->type, r->rclass, r->ttl, r->rdata,
				 r->rdlen);
		if (i && design_order(&z->rrs[i - 1], r) >= 0)
			order_bad++;
	}
	qsort(got, z->nrrs, sizeof(*got), want_cmp);
	for (i = 0; i < z->nrrs && i < nw; i++)
		same += !want_cmp(&got[i], &w[i]);
	CHECK_MSG(same == nw && same == z->nrrs, "%s: %zu of %zu RRs the same bytes as ldns's",
		  name, same, nw);
	CHECK_MSG(order_bad == 0, "%s: %zu RRs out of design.md order", name, order_bad);
	/* apex first, the SOA there, with the header's serial */
	CHECK(z->apex_end > 0 && z->apex_end < z->nrrs && z->rrs[z->apex_end].nlabels > 0);
	CHECK(z->rrs[z->soa].type == LDNS_RR_TYPE_SOA && z->rrs[z->soa].owner_len == 1);
	{
		const uint8_t *p = z->rrs[z->soa].rdata;

		p += rx_dname_len(p);
		p += rx_dname_len(p);
		soa_serial = (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
		CHECK(soa_serial == z->serial && z->serial == z->img.hdr->serial);
	}
	printf("%s: %u RRs, table %llu bytes, same as ldns's parse: %zu\n", name, z->nrrs,
	       (unsigned long long)z->img.hdr->rrs_len, same);
	for (i = 0; i < z->nrrs; i++)
		free(got[i].b);
	for (i = 0; i < nw; i++)
		free(w[i].b);
	free(got);
	free(w);
	fb_zone_unref(z);
}

/* ---- refusals: a changed copy of a good image, SHA-256 made right ---- */

static uint8_t *img_buf;
static size_t img_len;

static void load_image(const char *path)
{
	FILE *f = fopen(path, "rb");

	free(img_buf);
	img_buf = NULL;
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	img_len = ftell(f);
	rewind(f);
	img_buf = malloc(img_len);
	if (fread(img_buf, 1, img_len, f) != img_len) {
		free(img_buf);
		img_buf = NULL;
	}
	fclose(f);
}

/* Write buf as an image (body hash recomputed), open it; 0 if it opens,
 * else the error in err. */
static int try_image(uint8_t *buf, size_t len, bool rehash, char *err, size_t errlen)
{
	struct rx_image_hdr *h = (struct rx_image_hdr *)buf;
	char path[128];
	struct rx_image im;
	struct fb_zone *z;
	char fberr[1300] = "";
	FILE *f;
	int rc;

	if (rehash) {
		SHA256(buf + sizeof(*h), len - sizeof(*h), h->body_sha256);
		memcpy(h->meta.sha256, h->body_sha256, 32);
	}
	snprintf(path, sizeof(path), "%s/bad.img", tmpdir);
	f = fopen(path, "wb");
	fwrite(buf, 1, len, f);
	fclose(f);
	rc = rx_image_open(path, &im, err, errlen);
	if (!rc)
		rx_image_close(&im);
	/* rootxdpd refuses what the reader refuses, with the same line */
	z = fb_zone_load(path, fberr, sizeof(fberr));
	CHECK_MSG(!z == !!rc && (!rc || !strcmp(err, fberr)),
		  "fb_zone_load agrees with rx_image_open (%d: %s | %s)", rc, err, fberr);
	fb_zone_unref(z);
	if (rc)
		printf("refused as expected: %s\n", err);
	return rc;
}

static void refusals(const char *good)
{
	struct rx_image_hdr *h;
	uint8_t *b, *t;
	char err[1300];
	size_t off, a, c;
	struct rx_image_rr r1, r2;

	load_image(good);
	CHECK(img_buf != NULL);
	if (!img_buf)
		return;
	b = malloc(img_len);
	h = (struct rx_image_hdr *)b;

	/* unchanged: opens */
	memcpy(b, img_buf, img_len);
	err[0] = '\0';
	CHECK_MSG(try_image(b, img_len, true, err, sizeof(err)) == 0, "good image: %s", err);

	/* another version: refused before anything else, saying to recompile */
	memcpy(b, img_buf, img_len);
	h->version = 3;
	err[0] = '\0';
	CHECK(try_image(b, img_len, false, err, sizeof(err)) != 0);
	CHECK_MSG(strstr(err, "image version 3") && strstr(err, "recompile"), "old: %s", err);

	/* the first two RRs swapped: out of order */
	memcpy(b, img_buf, img_len);
	t = b + h->off_rrs;
	a = rx_image_rr_get(t, &r1);
	c = rx_image_rr_get(t + a, &r2);
	{
		uint8_t *tmp = malloc(a + c);

		memcpy(tmp, t + a, c);
		memcpy(tmp + c, t, a);
		memcpy(t, tmp, a + c);
		free(tmp);
	}
	err[0] = '\0';
	CHECK(try_image(b, img_len, true, err, sizeof(err)) != 0);
	CHECK_MSG(strstr(err, "RR table") && strstr(err, "order"), "swapped: %s", err);

	/* the first RR repeated over the second (same size needed): a duplicate.
	 * The apex holds RRsets of equal-sized RRs (NS), so find two. */
	memcpy(b, img_buf, img_len);
	t = b + h->off_rrs;
	for (off = 0; off < h->rrs_len;) {
		a = rx_image_rr_get(t + off, &r1);
		if (off + a >= h->rrs_len)
			break;
		c = rx_image_rr_get(t + off + a, &r2);
		if (a == c && r1.type == r2.type) {
			memcpy(t + off + a, t + off, a);
			break;
		}
		off += a;
	}
	err[0] = '\0';
	CHECK(off < h->rrs_len && try_image(b, img_len, true, err, sizeof(err)) != 0);
	CHECK_MSG(strstr(err, "RR table") && strstr(err, "order"), "duplicate: %s", err);

	/* a label longer than 63 in the first owner below the apex */
	memcpy(b, img_buf, img_len);
	t = b + h->off_rrs;
	for (off = 0; off < h->rrs_len; off += rx_image_rr_get(t + off, &r1))
		if (t[off])
			break;
	CHECK(off < h->rrs_len);
	t[off] = 64;
	err[0] = '\0';
	CHECK(try_image(b, img_len, true, err, sizeof(err)) != 0);
	CHECK_MSG(strstr(err, "RR table"), "label 64: %s", err);

	/* an NS whose RDATA is not one whole name: RDLENGTH one byte short
	 * would leave the table misaligned, so cut the name's last label
	 * length instead (the name then ends before the RDATA does) */
	memcpy(b, img_buf, img_len);
	t = b + h->off_rrs;
	for (off = 0; off < h->rrs_len; off += rx_image_rr_get(t + off, &r1)) {
		rx_image_rr_get(t + off, &r1);
		if (r1.type == LDNS_RR_TYPE_NS && r1.rdata[0] > 1) {
			((uint8_t *)r1.rdata)[0]--;
			break;
		}
	}
	CHECK(off < h->rrs_len);
	err[0] = '\0';
	CHECK(try_image(b, img_len, true, err, sizeof(err)) != 0);
	CHECK_MSG(strstr(err, "RR table") && strstr(err, "RDATA"), "NS RDATA: %s", err);

	/* counts that disagree with the table */
	memcpy(b, img_buf, img_len);
	h->nrrs--;
	err[0] = '\0';
	CHECK(try_image(b, img_len, true, err, sizeof(err)) != 0);
	CHECK_MSG(strstr(err, "RR table"), "nrrs - 1: %s", err);
	memcpy(b, img_buf, img_len);
	h->nrrs++;
	err[0] = '\0';
	CHECK(try_image(b, img_len, true, err, sizeof(err)) != 0);
	CHECK_MSG(strstr(err, "RR table"), "nrrs + 1: %s", err);
	memcpy(b, img_buf, img_len);
	h->rrs_len = h->rrs_len + 1000000000;
	err[0] = '\0';
	CHECK(try_image(b, img_len, true, err, sizeof(err)) != 0);
	CHECK_MSG(strstr(err, "outside the file"), "rrs_len huge: %s", err);
	free(b);
	free(img_buf);
	img_buf = NULL;
}

int main(void)
{
	const char *o = getenv("O") ? getenv("O") : "build";
	const char *zd = getenv("RX_ZONE_DIR"), *shared = "../shared/data";
	char zdir[512], zone[600], opts[700], uns[600];

	rx_log_max = RX_LOG_ERR;
	snprintf(bin, sizeof(bin), "%s/rootxdp-compile", o);
	CHECK_MSG(access(bin, X_OK) == 0, "%s not built", bin);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	if (!zd || !*zd) {
		snprintf(zdir, sizeof(zdir), "%s/zone", tmpdir);
		CHECK(run("tests/zones/mkzone.sh --out %s >/dev/null 2>&1", zdir) == 0);
		zd = zdir;
	}
	snprintf(zone, sizeof(zone), "%s/root.zone", zd);
	snprintf(opts, sizeof(opts), "-a %s/trust-anchor.ds", zd);
	round_trip("generated", zone, opts);
	snprintf(uns, sizeof(uns), "%s/root.unsigned.zone", zd);
	if (!access(uns, R_OK))
		round_trip("generated-unsigned", uns, "--allow-no-zonemd");
	snprintf(zone, sizeof(zone), "%s/generated.img", tmpdir);
	refusals(zone);

	if (!access(shared, R_OK)) {
		round_trip("root-2026082201-testsigned",
			   "../shared/data/root-2026082201-testsigned.zone.gz",
			   "-a ../shared/data/testsigned-trust-anchor.ds");
		round_trip("root-2017112902-signed", "../shared/data/root-2017112902-signed.zone.gz",
			   "--now 20171201000000 --allow-no-zonemd");
	} else {
		printf("skipped: %s is absent\n", shared);
	}
	run("rm -rf %s", tmpdir);
	return check_done();
}
