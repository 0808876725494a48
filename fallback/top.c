// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * top.c - which names rootxdpd is asked, for `rootxdp stats --top`
 * (the kernel paths count theirs in bpf/top.h).  Each worker has a shard
 * of its own: qtype counters and an open-addressing table of TLD labels
 * (lowercased; existent or not, by the answer's kind).  A shard's table
 * is not an LRU: once its RX_TOP_D_SLOTS labels are taken, a new label is
 * counted in top_full only (rootxdpd sees what the kernel passes up, a
 * small share of the traffic).  Main writes the sum to
 * run-dir/rootxdpd.top every second: "qtype T N" and
 * "tld EXISTS HEXLABEL N" lines ("-" for the root).
 */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fb.h"
#include "rootxdp.h"

#define RX_TOP_D_SLOTS	4096	/* per worker, a power of 2 */

struct top_slot {
	_Atomic int ready;		/* key written (release) */
	uint8_t exists;
	uint8_t len;
	uint8_t name[RX_LABEL_MAX];
	_Atomic uint64_t n;
};

struct top_shard {
	_Atomic uint64_t qt[RX_TOP_QT];
	struct top_slot slot[RX_TOP_D_SLOTS];
} __attribute__((aligned(64)));

struct fb_top {
	unsigned n;
	struct top_shard *sh;
};

struct fb_top *fb_top_new(unsigned nshards)
{
	struct fb_top *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->sh = aligned_alloc(64, sizeof(*t->sh) * nshards);
	if (!t->sh) {
		free(t);
		return NULL;
	}
	memset(t->sh, 0, sizeof(*t->sh) * nshards);
	t->n = nshards;
	return t;
}

void fb_top_free(struct fb_top *t)
{
	if (t)
		free(t->sh);
	free(t);
}

static uint32_t label_hash(const uint8_t *p, size_t len, int exists)
{
	uint32_t h = 2166136261u ^ (uint32_t)exists;	/* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

void fb_top_count(struct fb_top *t, unsigned shard, const uint8_t *q, size_t qlen,
		  const struct fb_result *res, struct fb_stats *st)
{
	uint8_t lab[RX_LABEL_MAX];
	size_t off = 12, last = 0, llen = 0;
	struct top_shard *sh;
	int exists;
	uint32_t h;

	if (!t || shard >= t->n || qlen < 12 || res->kind == FB_K_DROP ||
	    res->rcode == DNS_R_FORMERR || !(q[4] == 0 && q[5] == 1))
		return;
	sh = &t->sh[shard];
	atomic_fetch_add_explicit(&sh->qt[res->qtype < RX_TOP_QT - 1 ? res->qtype : RX_TOP_QT - 1],
				  1, memory_order_relaxed);
	switch (res->kind) {
	case FB_K_REFERRAL: case FB_K_DS:
	case FB_K_APEX: case FB_K_NODATA: case FB_K_ANY: case FB_K_RRSIG:
		exists = 1;
		break;
	case FB_K_NXDOMAIN:
		exists = 0;
		break;
	default:
		return;
	}
	/* the last label of QNAME (none for the root) */
	while (off < qlen && q[off]) {
		if (q[off] > RX_LABEL_MAX || off + 1 + q[off] > qlen)
			return;
		last = off;
		llen = q[off];
		off += 1 + q[off];
	}
	if (off >= qlen)
		return;
	for (size_t i = 0; i < llen; i++) {
		uint8_t c = q[last + 1 + i];

		lab[i] = c >= 'A' && c <= 'Z' ? c + 32 : c;
	}
	h = label_hash(lab, llen, exists);
	for (unsigned probe = 0; probe < 16; probe++) {
		struct top_slot *s = &sh->slot[(h + probe) & (RX_TOP_D_SLOTS - 1)];

		if (!atomic_load_explicit(&s->ready, memory_order_relaxed)) {
			/* only this worker writes its shard */
			s->exists = exists;
			s->len = llen;
			memcpy(s->name, lab, llen);
			atomic_store_explicit(&s->n, 1, memory_order_relaxed);
			atomic_store_explicit(&s->ready, 1, memory_order_release);
			return;
		}
		if (s->exists == exists && s->len == llen && !memcmp(s->name, lab, llen)) {
			atomic_fetch_add_explicit(&s->n, 1, memory_order_relaxed);
			return;
		}
	}
	fb_stat_add(st, FB_S_TOP_FULL, 1);
}

int fb_top_write(struct fb_top *t, const char *path)
{
	char tmp[PATH_MAX + 8];
	FILE *f;
	int rc = 0;

	if (!t)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "# rootxdpd: queries by qtype and TLD (rootxdp stats --top)\n");
	for (unsigned q = 0; q < RX_TOP_QT; q++) {
		uint64_t n = 0;

		for (unsigned i = 0; i < t->n; i++)
			n += atomic_load_explicit(&t->sh[i].qt[q], memory_order_relaxed);
		if (n)
			fprintf(f, "qtype %u %llu\n", q, (unsigned long long)n);
	}
	/* one line per shard's slot: rootxdp stats adds equal labels up */
	for (unsigned i = 0; i < t->n; i++) {
		for (unsigned j = 0; j < RX_TOP_D_SLOTS; j++) {
			struct top_slot *s = &t->sh[i].slot[j];

			if (!atomic_load_explicit(&s->ready, memory_order_acquire))
				continue;
			fprintf(f, "tld %u ", s->exists);
			if (!s->len)
				fputc('-', f);
			for (unsigned k = 0; k < s->len; k++)
				fprintf(f, "%02x", s->name[k]);
			fprintf(f, " %llu\n",
				(unsigned long long)atomic_load_explicit(&s->n, memory_order_relaxed));
		}
	}
	if (fclose(f))
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}
