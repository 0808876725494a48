// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * zone.c - one loaded zone: the image (precomputed bodies, TLD and NSEC
 * arrays, used exactly as XDP uses the maps) and, for everything the
 * precomputed bodies do not cover (ANY, RRSIG, AXFR, IXFR), the image's RR
 * table: every RR of the zone in wire form, sorted and checked by
 * rootxdp-compile and checked again by rx_image_open().  Loading parses no
 * zone text: it indexes the table in place (one struct fb_rr per RR,
 * pointing into the image).
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
#include "fb.h"
#include "log.h"

/* The search key is a prefix of the RR table's order (rx_image_rr_cmp()):
 * owner, then the RRset's type (an RRSIG counts as the type it covers),
 * then an RRSIG after the RRset it covers. */
static uint16_t set_type(const struct fb_rr *r)
{
	return r->type == DNS_T_RRSIG ? r->covered : r->type;
}

static int rr_cmp_key(const struct fb_rr *a, const uint8_t *owner, uint16_t st, int sig)
{
	int c = rx_dname_cmp(a->owner, owner);

	if (c)
		return c;
	if (set_type(a) != st)
		return set_type(a) < st ? -1 : 1;
	return (a->type == DNS_T_RRSIG) - sig;
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
	uint16_t st = type == DNS_T_RRSIG && covered ? covered : type;
	int sig = type == DNS_T_RRSIG && covered;

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
		     (type == DNS_T_RRSIG && covered && z->rrs[lo].covered != covered)))
		return -1;
	return lo;
}

static void zone_free(struct fb_zone *z)
{
	if (!z)
		return;
	rx_image_close(&z->img);
	free(z->rrs);
	free(z);
}

struct fb_zone *fb_zone_load(const char *path, char *err, size_t errlen)
{
	struct fb_zone *z = calloc(1, sizeof(*z));
	const struct rx_image_hdr *h;
	const struct fb_rr *soa;
	char why[512];
	uint64_t pos = 0;
	uint32_t i, serial;
	long s;

	if (!z) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	atomic_init(&z->refs, 1);
	if (rx_image_open(path, &z->img, why, sizeof(why))) {
		snprintf(err, errlen, "%s", why);
		goto fail;
	}
	h = z->img.hdr;
	z->serial = h->serial;
	z->loaded = time(NULL);
	z->rrs = calloc(h->nrrs ? h->nrrs : 1, sizeof(*z->rrs));
	if (!z->rrs) {
		snprintf(err, errlen, "out of memory (%u RRs)", h->nrrs);
		goto fail;
	}
	/* rx_image_open() checked every RR (names, RDATA names, order) */
	for (i = 0; i < h->nrrs; i++) {
		struct rx_image_rr r;
		struct fb_rr *f = &z->rrs[i];

		pos += rx_image_rr_get(z->img.rrs + pos, &r);
		f->owner = r.owner;
		f->owner_len = r.owner_len;
		f->nlabels = rx_dname_labels(r.owner);
		f->rdata = r.rdata;
		f->rdlen = r.rdlen;
		f->type = r.type;
		f->rclass = r.rclass;
		f->ttl = r.ttl;
		f->covered = r.covered;
	}
	z->nrrs = h->nrrs;
	for (i = 0; i < z->nrrs && z->rrs[i].nlabels == 0; i++)
		;
	z->apex_end = i;
	s = fb_zone_find(z, (const uint8_t *)"", DNS_T_SOA, 0);
	if (s < 0) {
		snprintf(err, errlen, "%s: no SOA at the apex '.' in the RR table", path);
		goto fail;
	}
	soa = &z->rrs[s];
	{
		/* MNAME, RNAME, then SERIAL (the table checked the sizes) */
		unsigned a = rx_dname_len(soa->rdata);
		const uint8_t *p = soa->rdata + a + rx_dname_len(soa->rdata + a);

		serial = (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
	}
	if (serial != z->serial) {
		snprintf(err, errlen, "%s: the RR table's SOA serial %u differs from the image's %u",
			 path, serial, z->serial);
		goto fail;
	}
	z->soa = s;
	return z;
fail:
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
