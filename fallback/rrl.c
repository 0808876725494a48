// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rrl.c - response rate limiting of rootxdpd's UDP answers: what the
 * kernel passes up (ANY, compressed names, TSIG...) is limited as the
 * kernel limits what it answers, with the same arithmetic (bpf/rrl.h) and
 * the same classes and names (design.md step 14a).  The tables are
 * separate: a bucket here and its twin in rx_rrl each allow the rate.
 *
 * Memory is fixed at start: `entries` buckets in 4-way sets.  A new
 * bucket takes the slot of the set's bucket with the smallest tat, the
 * one nearest to whole, so eviction costs its owner at most a little
 * debt and a flood can never lock another prefix out.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "fb.h"

#define WAYS	4
#define LOCKS	256	/* striped: a set's lock is locks[set % LOCKS] */

struct slot {
	uint64_t tag;		/* hash of the key, 0 = empty */
	__u64 tat;
	uint32_t limited;
};

struct fb_rrl {
	struct rx_rrl_params p;
	struct fb_acl exempt[RX_CONF_LIST_MAX];
	int nexempt;
	size_t nsets;
	struct slot *slots;
	pthread_mutex_t locks[LOCKS];
};

struct fb_rrl *fb_rrl_new(const struct rx_rrl_params *p, unsigned entries,
			  const struct fb_acl *exempt, int nexempt)
{
	struct fb_rrl *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->p = *p;
	if (nexempt > RX_CONF_LIST_MAX)
		nexempt = RX_CONF_LIST_MAX;
	memcpy(r->exempt, exempt, sizeof(*exempt) * nexempt);
	r->nexempt = nexempt;
	r->nsets = entries / WAYS ? entries / WAYS : 1;
	r->slots = calloc(r->nsets * WAYS, sizeof(*r->slots));
	if (!r->slots) {
		free(r);
		return NULL;
	}
	for (int i = 0; i < LOCKS; i++)
		pthread_mutex_init(&r->locks[i], NULL);
	return r;
}

void fb_rrl_free(struct fb_rrl *r)
{
	if (!r)
		return;
	for (int i = 0; i < LOCKS; i++)
		pthread_mutex_destroy(&r->locks[i]);
	free(r->slots);
	free(r);
}

/* The kernel's rrl_class() for what rootxdpd answered: by kind. */
static int rrl_class(const struct fb_result *res)
{
	switch (res->kind) {
	case FB_K_ANY:
		return RX_RRL_LARGE;
	case FB_K_REFERRAL:
		return RX_RRL_REFERRAL;
	case FB_K_NXDOMAIN:
		return RX_RRL_NXDOMAIN;
	case FB_K_NODATA:
		return RX_RRL_NODATA;
	case FB_K_ERROR:
	case FB_K_XFR_REFUSED:
		return RX_RRL_ERROR;
	default:
		return RX_RRL_RESPONSE;
	}
}

/* FNV-1a over the key; 0 is kept for "empty". */
static uint64_t key_tag(const struct rx_rrl_key *k)
{
	const uint8_t *b = (const uint8_t *)k;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h ? h : 1;
}

enum fb_rrl_verdict fb_rrl_check(struct fb_rrl *r, const struct fb_result *res, size_t rlen,
				 const struct sockaddr_storage *addr, uint64_t now_ns,
				 struct fb_stats *st)
{
	struct rx_rrl_key key;
	struct slot *set, *s = NULL, *old = NULL;
	uint8_t ip[16] = { 0 };
	uint64_t tag;
	__u64 next;
	size_t si;
	int v6 = 0, ok;
	uint32_t n;

	if (!r || !r->p.rate)
		return FB_RRL_SEND;
	if (res->cookie_verdict == RX_CK_GOOD) {
		fb_stat_add(st, FB_S_RRL_COOKIE, 1);
		return FB_RRL_SEND;
	}
	if (r->nexempt && fb_acl_match(r->exempt, r->nexempt, addr)) {
		fb_stat_add(st, FB_S_RRL_EXEMPT, 1);
		return FB_RRL_SEND;
	}
	if (addr->ss_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)addr)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			memcpy(ip, a6->s6_addr + 12, 4);
		} else {
			memcpy(ip, a6->s6_addr, 16);
			v6 = 1;
		}
	} else if (addr->ss_family == AF_INET) {
		memcpy(ip, &((const struct sockaddr_in *)addr)->sin_addr, 4);
	}
	memset(&key, 0, sizeof(key));
	rx_rrl_prefix(&r->p, &key, ip, v6);
	rx_rrl_key_set(&key, rrl_class(res), res->rrl_name, rlen, res->qtype == DNS_T_ANY);
	tag = key_tag(&key);
	si = tag % r->nsets;
	set = &r->slots[si * WAYS];

	pthread_mutex_lock(&r->locks[si % LOCKS]);
	for (int i = 0; i < WAYS; i++) {
		if (set[i].tag == tag) {
			s = &set[i];
			break;
		}
		if (!old || set[i].tag == 0 || (old->tag && set[i].tag && set[i].tat < old->tat))
			old = &set[i];
	}
	if (!s) {
		/* A new bucket starts whole: this response is allowed. */
		s = old;
		s->tag = tag;
		rx_rrl_account(&r->p, 0, now_ns, &s->tat);
		s->limited = 0;
		pthread_mutex_unlock(&r->locks[si % LOCKS]);
		return FB_RRL_SEND;
	}
	ok = rx_rrl_account(&r->p, s->tat, now_ns, &next);
	s->tat = next;
	n = ok || r->p.log_only ? 0 : ++s->limited;
	pthread_mutex_unlock(&r->locks[si % LOCKS]);
	if (ok)
		return FB_RRL_SEND;
	fb_stat_add(st, FB_S_RRL_LIMITED, 1);
	if (r->p.log_only) {
		fb_stat_add(st, FB_S_RRL_LOG_ONLY, 1);
		return FB_RRL_SEND;
	}
	if (rx_rrl_slips(&r->p, n)) {
		fb_stat_add(st, FB_S_RRL_SLIPPED, 1);
		return FB_RRL_SLIP;
	}
	fb_stat_add(st, FB_S_RRL_DROPPED, 1);
	return FB_RRL_DROP;
}
