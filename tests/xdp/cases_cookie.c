// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cases_cookie.c - DNS cookies (RFC 7873, RFC 9018) on both paths, OpenSSL's SipHash as oracle.
 */
#include "fixture.h"

/* The secret cfg_set() gives both paths, as bytes. */
const uint8_t CK_SECRET[16] = "0123456789abcdef";
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
uint32_t away_from_second_edge(void)
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

int cookie_is_fresh(const uint8_t sc[16], const uint8_t secret[16], const uint8_t cc[8],
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

void cases_cookie(void)
{
	cases_cookie_family(0);
	cases_cookie_family(1);
}
