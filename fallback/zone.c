// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * zone.c - one loaded zone: the image (precomputed bodies, TLD and NSEC
 * arrays, used exactly as XDP uses the maps) plus the full zone text from
 * the same image, parsed with ldns and flattened into a sorted fb_rr array
 * for everything the precomputed bodies do not cover (ANY, RRSIG, AXFR).
 *
 * A zone is refcounted.  The live zone is one pointer swapped under a
 * mutex with a generation counter; workers keep their own reference and
 * re-take it only when the generation moves, so a query batch always uses
 * one zone and an old zone is freed by whoever drops its last reference.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ldns/ldns.h>
#include "fb.h"
#include "log.h"
#include "zone_text.h"

/* Sort key: owner (canonical), then type, with an RRSIG right after the
 * RRset it covers, then RDATA.  So at one owner the RRsets come in type
 * order, each followed by its signatures. */
static uint16_t set_type(const struct fb_rr *r)
{
	return r->type == FB_T_RRSIG ? r->covered : r->type;
}

static int rr_cmp_key(const struct fb_rr *a, const uint8_t *owner, uint16_t st, int sig)
{
	int c = rx_dname_cmp(a->owner, owner);

	if (c)
		return c;
	if (set_type(a) != st)
		return set_type(a) < st ? -1 : 1;
	return (a->type == FB_T_RRSIG) - sig;
}

static int rr_cmp(const void *pa, const void *pb)
{
	const struct fb_rr *a = pa, *b = pb;
	int c = rr_cmp_key(a, b->owner, set_type(b), b->type == FB_T_RRSIG);
	unsigned n;

	if (c)
		return c;
	/* RFC 4034 6.3: RRs of a set ordered by their RDATA as octets. */
	n = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;
	c = memcmp(a->rdata, b->rdata, n);
	if (c)
		return c;
	return (int)a->rdlen - (int)b->rdlen;
}

bool fb_rr_same_set(const struct fb_rr *a, const struct fb_rr *b)
{
	return a->type == b->type && a->covered == b->covered &&
	       rx_dname_eq(a->owner, b->owner);
}

long fb_zone_find(const struct fb_zone *z, const uint8_t *owner, uint16_t type,
		  uint16_t covered)
{
	long lo = 0, hi = z->nrrs;
	uint16_t st = type == FB_T_RRSIG && covered ? covered : type;
	int sig = type == FB_T_RRSIG && covered;

	/* lower bound of (owner, st, sig) */
	while (lo < hi) {
		long mid = (lo + hi) / 2;
		int c = type ? rr_cmp_key(&z->rrs[mid], owner, st, sig)
			     : rx_dname_cmp(z->rrs[mid].owner, owner);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= (long)z->nrrs || !rx_dname_eq(z->rrs[lo].owner, owner))
		return -1;
	if (type && (z->rrs[lo].type != type ||
		     (type == FB_T_RRSIG && covered && z->rrs[lo].covered != covered)))
		return -1;
	return lo;
}

/* RDATA that fb_wr_rr() parses must hold well-formed names. */
static bool name_ok(const uint8_t *p, size_t len, size_t *used)
{
	size_t off = 0;

	while (off < len && p[off]) {
		if (p[off] > 63)
			return false;
		off += p[off] + 1;
	}
	if (off >= len || off + 1 > 255)
		return false;
	*used = off + 1;
	return true;
}

static bool rdata_ok(uint16_t type, const uint8_t *rd, size_t len)
{
	size_t a, b;

	switch (type) {
	case FB_T_NS:
	case FB_T_CNAME:
	case FB_T_PTR:
		return name_ok(rd, len, &a) && a == len;
	case FB_T_MX:
		return len > 2 && name_ok(rd + 2, len - 2, &a) && a + 2 == len;
	case FB_T_SOA:
		return name_ok(rd, len, &a) && name_ok(rd + a, len - a, &b) &&
		       a + b + 20 == len;
	}
	return true;
}

static void zone_free(struct fb_zone *z)
{
	if (!z)
		return;
	rx_image_close(&z->img);
	free(z->rrs);
	free(z->arena);
	free(z);
}

struct fb_zone *fb_zone_load(const char *path, char *err, size_t errlen)
{
	struct fb_zone *z = calloc(1, sizeof(*z));
	ldns_zone *lz = NULL;
	ldns_rr_list *list;
	ldns_buffer *buf = NULL;
	char *text = NULL, why[512];
	size_t tlen, arena_len = 0, apos = 0, n, i, j;
	FILE *fp = NULL;

	if (!z) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	atomic_init(&z->refs, 1);
	if (rx_image_open(path, &z->img, why, sizeof(why))) {
		snprintf(err, errlen, "%s", why);
		goto fail;
	}
	z->serial = z->img.hdr->serial;
	z->loaded = time(NULL);
	if (rx_image_zone_text(&z->img, &text, &tlen, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", path, why);
		goto fail;
	}
	fp = fmemopen(text, tlen, "r");
	if (!fp) {
		snprintf(err, errlen, "%s: fmemopen: %s", path, strerror(errno));
		goto fail;
	}
	if (rx_zone_parse(fp, &lz, why, sizeof(why))) {
		snprintf(err, errlen, "%s: zone text %s", path, why);
		goto fail;
	}
	fclose(fp);
	fp = NULL;
	free(text);
	text = NULL;
	if (!ldns_zone_soa(lz)) {
		snprintf(err, errlen, "%s: zone text has no SOA", path);
		goto fail;
	}
	list = ldns_zone_rrs(lz);
	n = ldns_rr_list_rr_count(list) + 1;
	z->rrs = calloc(n, sizeof(*z->rrs));
	buf = ldns_buffer_new(65536);
	if (!z->rrs || !buf) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* Two passes: size the arena, then fill it. */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			z->arena = malloc(arena_len ? arena_len : 1);
			if (!z->arena) {
				snprintf(err, errlen, "out of memory (%zu bytes)", arena_len);
				goto fail;
			}
		}
		for (i = 0; i < n; i++) {
			ldns_rr *rr = i == 0 ? ldns_zone_soa(lz) : ldns_rr_list_rr(list, i - 1);
			ldns_rdf *o = ldns_rr_owner(rr);
			size_t olen = ldns_rdf_size(o), rdlen;

			ldns_buffer_clear(buf);
			if (ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK ||
			    ldns_buffer_position(buf) > 65535 || olen > 255) {
				snprintf(err, errlen, "%s: cannot encode an RR of the zone", path);
				goto fail;
			}
			rdlen = ldns_buffer_position(buf);
			if (pass == 0) {
				arena_len += olen + rdlen;
				continue;
			}
			struct fb_rr *f = &z->rrs[i];
			uint8_t *p = (uint8_t *)z->arena + apos;

			memcpy(p, ldns_rdf_data(o), olen);
			memcpy(p + olen, ldns_buffer_begin(buf), rdlen);
			apos += olen + rdlen;
			f->owner = p;
			f->owner_len = olen;
			f->nlabels = rx_dname_labels(p);
			f->rdata = p + olen;
			f->rdlen = rdlen;
			f->type = ldns_rr_get_type(rr);
			f->rclass = ldns_rr_get_class(rr);
			f->ttl = ldns_rr_ttl(rr);
			if (f->type == FB_T_RRSIG && rdlen >= 2)
				f->covered = (f->rdata[0] << 8) | f->rdata[1];
			if (!rdata_ok(f->type, f->rdata, rdlen)) {
				snprintf(err, errlen, "%s: malformed RDATA in the zone", path);
				goto fail;
			}
		}
	}
	ldns_buffer_free(buf);
	buf = NULL;
	ldns_zone_deep_free(lz);
	lz = NULL;

	qsort(z->rrs, n, sizeof(*z->rrs), rr_cmp);
	for (i = 0, j = 0; i < n; i++) {	/* drop duplicates (RFC 2181 5) */
		if (j && z->rrs[i].type == z->rrs[j - 1].type &&
		    rr_cmp(&z->rrs[i], &z->rrs[j - 1]) == 0)
			continue;
		z->rrs[j++] = z->rrs[i];
	}
	z->nrrs = j;
	for (i = 0; i < z->nrrs && z->rrs[i].nlabels == 0; i++)
		;
	z->apex_end = i;
	{
		long s = fb_zone_find(z, (const uint8_t *)"", FB_T_SOA, 0);
		const struct fb_rr *soa;
		size_t a = 0, b = 0;

		if (s < 0) {
			snprintf(err, errlen, "%s: no SOA at the apex '.'", path);
			goto fail;
		}
		soa = &z->rrs[s];
		name_ok(soa->rdata, soa->rdlen, &a);
		name_ok(soa->rdata + a, soa->rdlen - a, &b);
		const uint8_t *p = soa->rdata + a + b;
		uint32_t serial = (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];

		if (serial != z->serial) {
			snprintf(err, errlen, "%s: zone text serial %u differs from the image's %u",
				 path, serial, z->serial);
			goto fail;
		}
		z->soa = s;
	}
	return z;
fail:
	if (fp)
		fclose(fp);
	free(text);
	if (buf)
		ldns_buffer_free(buf);
	if (lz)
		ldns_zone_deep_free(lz);
	zone_free(z);
	return NULL;
}

void fb_zone_ref(struct fb_zone *z)
{
	atomic_fetch_add(&z->refs, 1);
}

void fb_zone_unref(struct fb_zone *z)
{
	if (z && atomic_fetch_sub(&z->refs, 1) == 1)
		zone_free(z);
}

/* ---- the live zone ---- */

static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static struct fb_zone *live;
static atomic_uint live_gen;

void fb_live_set(struct fb_zone *z)
{
	struct fb_zone *old;

	pthread_mutex_lock(&live_mu);
	old = live;
	live = z;
	atomic_fetch_add(&live_gen, 1);
	pthread_mutex_unlock(&live_mu);
	fb_zone_unref(old);
}

struct fb_zone *fb_live_ref(void)
{
	struct fb_zone *z;

	pthread_mutex_lock(&live_mu);
	z = live;
	if (z)
		fb_zone_ref(z);
	pthread_mutex_unlock(&live_mu);
	return z;
}

unsigned fb_live_gen(void)
{
	return atomic_load(&live_gen);
}

void fb_live_sync(struct fb_zone **mine, unsigned *gen)
{
	struct fb_zone *z, *old;
	unsigned g;

	if (atomic_load_explicit(&live_gen, memory_order_acquire) == *gen)
		return;
	pthread_mutex_lock(&live_mu);
	z = live;
	if (z)
		fb_zone_ref(z);
	g = atomic_load(&live_gen);
	pthread_mutex_unlock(&live_mu);
	old = *mine;
	*mine = z;
	*gen = g;
	fb_zone_unref(old);
}
