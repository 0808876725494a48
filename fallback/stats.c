// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * stats.c - rootxdpd's counters.  Each worker owns one block (relaxed
 * atomic adds, no sharing); main sums them every second into
 * run-dir/rootxdpd.stats as "name value" lines, written to a temporary
 * file and renamed so `rootxdp stats` never reads half a file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "fb.h"

#define FB_STAT_NAME(e, s) s,
static const char *const stat_names[FB_S_MAX] = { FB_STATS(FB_STAT_NAME) };

/* The kernel's QTYPE buckets (bpf/stats.h stat_qtype), so that the two
 * sides fill the same rootxdp_responses_by_qtype_total labels. */
static enum fb_stat qtype_stat(uint16_t qtype)
{
	switch (qtype) {
	case 1:  return FB_S_QT_A;
	case 2:  return FB_S_QT_NS;
	case 6:  return FB_S_QT_SOA;
	case 12: return FB_S_QT_PTR;
	case 15: return FB_S_QT_MX;
	case 16: return FB_S_QT_TXT;
	case 28: return FB_S_QT_AAAA;
	case 43: return FB_S_QT_DS;
	case 48: return FB_S_QT_DNSKEY;
	case 47: return FB_S_QT_NSEC;
	default: return FB_S_QT_OTHER;
	}
}

void fb_stats_count(struct fb_stats *s, const struct fb_result *r,
		    enum fb_transport t, int family, size_t qlen, size_t rlen)
{
	static const enum fb_stat kind_stat[FB_K_MAX] = {
		[FB_K_DROP] = FB_S_MAX,
		[FB_K_REFERRAL] = FB_S_K_REFERRAL,
		[FB_K_DS] = FB_S_K_DS,
		[FB_K_NXDOMAIN] = FB_S_K_NXDOMAIN,
		[FB_K_APEX] = FB_S_K_APEX,
		[FB_K_NODATA] = FB_S_K_NODATA,
		[FB_K_ANY] = FB_S_K_ANY,
		[FB_K_RRSIG] = FB_S_K_RRSIG,
		[FB_K_CHAOS] = FB_S_K_CHAOS,
		[FB_K_AXFR] = FB_S_K_AXFR,
		[FB_K_IXFR] = FB_S_K_IXFR,
		[FB_K_XFR_REFUSED] = FB_S_K_XFR_REFUSED,
		[FB_K_ERROR] = FB_S_K_ERROR,
	};
	enum fb_stat rc;

	fb_stat_add(s, t == FB_TCP ? FB_S_QUERIES_TCP : FB_S_QUERIES_UDP, 1);
	fb_stat_add(s, family == AF_INET6 ? FB_S_IPV6 : FB_S_IPV4, 1);
	fb_stat_add(s, t == FB_TCP ? (family == AF_INET6 ? FB_S_Q_TCP6 : FB_S_Q_TCP4) :
				     (family == AF_INET6 ? FB_S_Q_UDP6 : FB_S_Q_UDP4), 1);
	fb_stat_add(s, FB_S_BYTES_IN, qlen);
	if (r->cookie_formerr)
		fb_stat_add(s, FB_S_CK_FORMERR, 1);
	if (r->tsig)
		fb_stat_add(s, FB_S_TSIG_GOOD, 1);
	if (r->tsig_error)
		fb_stat_add(s, FB_S_TSIG_BAD, 1);
	if (r->cookie_verdict != RX_CK_NONE) {
		fb_stat_add(s, r->cookie_verdict == RX_CK_GOOD ? FB_S_CK_GOOD :
			       r->cookie_verdict == RX_CK_BAD ? FB_S_CK_BAD : FB_S_CK_CLIENT, 1);
		if (r->cookie_minted)
			fb_stat_add(s, FB_S_CK_MINTED, 1);
	}
	if (!rlen) {
		fb_stat_add(s, FB_S_DROPPED, 1);
		return;
	}
	fb_stat_add(s, t == FB_TCP ? FB_S_ANSWERS_TCP : FB_S_ANSWERS_UDP, 1);
	fb_stat_add(s, FB_S_BYTES_OUT, rlen);
	if (r->edns)
		fb_stat_add(s, FB_S_EDNS, 1);
	if (r->do_bit)
		fb_stat_add(s, FB_S_DO, 1);
	if (r->cookie)
		fb_stat_add(s, FB_S_COOKIE, 1);
	if (r->nsid)
		fb_stat_add(s, FB_S_NSID, 1);
	if (r->tc)
		fb_stat_add(s, FB_S_TRUNCATED, 1);
	switch (r->rcode) {
	case DNS_R_NOERROR: rc = FB_S_RC_NOERROR; break;
	case DNS_R_FORMERR: rc = FB_S_RC_FORMERR; break;
	case DNS_R_SERVFAIL: rc = FB_S_RC_SERVFAIL; break;
	case DNS_R_NXDOMAIN: rc = FB_S_RC_NXDOMAIN; break;
	case DNS_R_NOTIMP: rc = FB_S_RC_NOTIMP; break;
	case DNS_R_REFUSED: rc = FB_S_RC_REFUSED; break;
	case DNS_R_NOTAUTH: rc = FB_S_RC_NOTAUTH; break;
	case DNS_R_BADVERS: rc = FB_S_RC_BADVERS; break;
	default: rc = FB_S_MAX;
	}
	if (rc != FB_S_MAX)
		fb_stat_add(s, rc, 1);
	if (r->rcode != DNS_R_FORMERR)
		fb_stat_add(s, qtype_stat(r->qtype), 1);
	if (r->kind < FB_K_MAX && kind_stat[r->kind] != FB_S_MAX)
		fb_stat_add(s, kind_stat[r->kind], 1);
}

int fb_stats_write(const char *path, struct fb_stats *blocks, int n, uint32_t serial)
{
	char tmp[4200];
	FILE *f;
	int rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "time %lld\n", (long long)time(NULL));
	fprintf(f, "serial %u\n", serial);
	for (int i = 0; i < FB_S_MAX; i++) {
		uint64_t sum = 0;

		for (int b = 0; b < n; b++)
			sum += atomic_load_explicit(&blocks[b].c[i], memory_order_relaxed);
		fprintf(f, "%s %llu\n", stat_names[i], (unsigned long long)sum);
	}
	if (fflush(f) || ferror(f))
		rc = -EIO;
	if (fclose(f) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}
