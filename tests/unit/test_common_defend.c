// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_common_defend.c - the arithmetic the kernel paths and rootxdpd
 * share against amplification: SipHash-2-4 (bpf/siphash.h), RFC 9018
 * server cookies (bpf/cookie.h), the secrets file (common/secret.c) and
 * the RRL buckets (bpf/rrl.h).  Expectations come from the RFC's
 * published vectors and from OpenSSL's SipHash, never from the code
 * under test.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include "check.h"
#include "config.h"
#include "secret.h"
#include "rrl.h"

static void hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sscanf(s + 2 * i, "%2hhx", &out[i]);
}

static uint64_t openssl_siphash(const uint8_t key[16], const uint8_t *in, size_t len)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
	size_t sz = 8, outl = 0;
	OSSL_PARAM p[] = { OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &sz), OSSL_PARAM_END };
	uint8_t out[8] = { 0 };
	uint64_t h = 0;

	CHECK_MSG(c && EVP_MAC_init(c, key, 16, p) && EVP_MAC_update(c, in, len) &&
		  EVP_MAC_final(c, out, &outl, 8) && outl == 8, "OpenSSL SipHash");
	EVP_MAC_CTX_free(c);
	EVP_MAC_free(mac);
	for (int i = 7; i >= 0; i--)
		h = (h << 8) | out[i];
	return h;
}

static uint64_t our_siphash(const uint8_t key[16], const uint8_t *in, size_t len)
{
	struct rx_cookie_buf b, k;

	memset(&b, 0, sizeof(b));
	memset(&k, 0, sizeof(k));
	memcpy(b.b, in, len);
	memcpy(k.b, key, 16);
	return rx_siphash24(rx_le64(k.b), rx_le64(k.b + 8), b.b, len);
}

static void test_siphash(void)
{
	uint8_t key[16], in[RX_SIP_MAX];

	/* The SipHash paper, appendix A: key 00..0f, message 00..0e. */
	for (int i = 0; i < 16; i++)
		key[i] = i;
	for (int i = 0; i < RX_SIP_MAX; i++)
		in[i] = i;
	CHECK(our_siphash(key, in, 15) == 0xa129ca6149be45e5ULL);
	/* Every length a cookie can hash, random keys and data, vs OpenSSL. */
	srand(9018);
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 16; i++)
			key[i] = rand();
		for (int i = 0; i < RX_SIP_MAX; i++)
			in[i] = rand();
		for (size_t len = 0; len <= RX_SIP_MAX; len++)
			CHECK_MSG(our_siphash(key, in, len) == openssl_siphash(key, in, len),
				  "SipHash of %zu bytes", len);
	}
}

static void keys_of(const char *cur, const char *prev, struct rx_cookie_keys *k)
{
	struct rx_secrets s;

	memset(&s, 0, sizeof(s));
	hex(cur, s.cur, 16);
	if (prev) {
		hex(prev, s.prev, 16);
		s.has_prev = true;
	}
	rx_secrets_keys(&s, k);
}

/* rx_cookie_answer() on an option written as hex (client + server). */
static int answer(const struct rx_cookie_keys *k, const char *opt, const char *ip, uint32_t now,
		  uint8_t out[16], int *minted)
{
	struct rx_cookie_buf in;
	struct rx_cookie_opt o;
	__u64 a[2] = { 0, 0 }, sc[2];
	size_t n = strlen(opt) / 2;
	int v6 = strchr(ip, ':') != NULL, v;

	memset(&o, 0, sizeof(o));
	hex(opt, (uint8_t *)&o, n);
	inet_pton(v6 ? AF_INET6 : AF_INET, ip, a);
	v = rx_cookie_answer(k, &in, &o, n - 8, a, v6 ? 16 : 4, now, sc, minted);
	memcpy(out, sc, 16);
	return v;
}

static int is_hex(const uint8_t *b, const char *want)
{
	uint8_t w[16];

	hex(want, w, 16);
	return !memcmp(b, w, 16);
}

/* RFC 9018 Appendix A, byte for byte. */
static void test_rfc9018(void)
{
	struct rx_cookie_keys k, k4;
	uint8_t out[16];
	int minted, v;

	keys_of("e5e973e5a6b2a43f48e7dc849e37bfcf", NULL, &k);
	/* A.1: a client cookie alone gets a new server cookie. */
	v = answer(&k, "2464c4abcf10c957", "198.51.100.100", 1559731985, out, &minted);
	CHECK(v == RX_CK_CLIENT_ONLY && minted && is_hex(out, "010000005cf79f111f8130c3eee29480"));
	/* A.2: 40 minutes later the same cookie is good but renewed. */
	v = answer(&k, "2464c4abcf10c957010000005cf79f111f8130c3eee29480", "198.51.100.100",
		   1559734385, out, &minted);
	CHECK(v == RX_CK_GOOD && minted && is_hex(out, "010000005cf7a871d4a564a1442aca77"));
	/* ...and echoed when younger than half an hour. */
	v = answer(&k, "2464c4abcf10c957010000005cf79f111f8130c3eee29480", "198.51.100.100",
		   1559731985 + 1799, out, &minted);
	CHECK(v == RX_CK_GOOD && !minted && is_hex(out, "010000005cf79f111f8130c3eee29480"));
	/* A.3: the reserved bytes the client set are hashed: the cookie is
	 * ours (checked in its hour), and at the example's time, 1h52m
	 * later, a new one is made as the RFC shows. */
	v = answer(&k, "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5", "203.0.113.203",
		   0x5cf78f71 + 60, out, &minted);
	CHECK(v == RX_CK_GOOD);
	v = answer(&k, "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5", "203.0.113.203",
		   1559734700, out, &minted);
	CHECK(v == RX_CK_BAD && minted && is_hex(out, "010000005cf7a9acf73a7810aca2381e"));
	/* ...and it is bound to the address. */
	v = answer(&k, "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5", "203.0.113.204",
		   0x5cf78f71 + 60, out, &minted);
	CHECK(v == RX_CK_BAD);
	/* A.4: IPv6, a cookie of the previous secret: good, renewed with the
	 * new one. */
	keys_of("445536bcd2513298075a5d379663c962", "dd3bdf9344b678b185a6f5cb60fca715", &k4);
	v = answer(&k4, "22681ab97d52c298010000005cf7c57926556bd0934c72f8",
		   "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741961, out, &minted);
	CHECK(v == RX_CK_GOOD && minted && is_hex(out, "010000005cf7c609a6bb79d16625507a"));
	/* Without the previous secret the same cookie is bad. */
	keys_of("445536bcd2513298075a5d379663c962", NULL, &k4);
	v = answer(&k4, "22681ab97d52c298010000005cf7c57926556bd0934c72f8",
		   "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741961, out, &minted);
	CHECK(v == RX_CK_BAD && minted && is_hex(out, "010000005cf7c609a6bb79d16625507a"));
	/* Server cookies of other lengths are never ours. */
	v = answer(&k, "2464c4abcf10c9570100000005cf79f1", "198.51.100.100", 1559731985, out,
		   &minted);
	CHECK(v == RX_CK_BAD && minted);
}

/* RFC 9018 4.3: an hour in the past, five minutes ahead, on a circle. */
static void test_window(void)
{
	const uint32_t now = 1559731985;

	CHECK(rx_cookie_ts_usable(now, now) && rx_cookie_ts_fresh(now, now));
	CHECK(rx_cookie_ts_usable(now - 1799, now) && rx_cookie_ts_fresh(now - 1799, now));
	CHECK(rx_cookie_ts_usable(now - 1800, now) && !rx_cookie_ts_fresh(now - 1800, now));
	CHECK(rx_cookie_ts_usable(now - 3600, now) && !rx_cookie_ts_usable(now - 3601, now));
	CHECK(rx_cookie_ts_usable(now + 300, now) && !rx_cookie_ts_usable(now + 301, now));
	/* Stamped before the 32-bit seconds wrapped, read after. */
	CHECK(rx_cookie_ts_usable(4294964696u, 1000) && !rx_cookie_ts_fresh(4294964696u, 1000));
	CHECK(rx_cookie_ts_usable(4294967000u, 100) && rx_cookie_ts_fresh(4294967000u, 100));
	CHECK(!rx_cookie_ts_usable(1000, 4294964696u));
}

static void test_secrets(void)
{
	char dir[] = "/tmp/rx-secret-XXXXXX", err[600];
	struct rx_secrets a, b, r;
	struct rx_config c;
	struct stat st;

	if (!mkdtemp(dir)) {
		CHECK_MSG(0, "mkdtemp");
		return;
	}
	rx_config_defaults(&c);
	snprintf(c.state_dir, sizeof(c.state_dir), "%s/state", dir);
	CHECK_MSG(!rx_secrets_load(&c, &a, err, sizeof(err)), "%s", err);
	CHECK(!a.from_config && !a.has_prev && stat(a.path, &st) == 0 &&
	      (st.st_mode & 0777) == 0600);
	/* A restart reads the same secret. */
	CHECK(!rx_secrets_load(&c, &b, err, sizeof(err)) && !memcmp(a.cur, b.cur, 16));
	/* Rotation: current -> previous; a cookie of the old secret stays
	 * good for one rotation. */
	{
		struct rx_cookie_keys k;
		struct rx_cookie_buf in;
		struct rx_cookie_opt q = { .client = 0x0807060504030201ULL };
		__u64 ip[2] = { 0, 0 }, o[2];
		int m;

		memcpy(ip, (uint8_t[]){ 198, 51, 100, 1 }, 4);
		rx_secrets_keys(&a, &k);
		rx_cookie_answer(&k, &in, &q, 0, ip, 4, 1000000, q.server, &m);
		CHECK_MSG(!rx_secrets_rotate(&c, NULL, &r, err, sizeof(err)), "%s", err);
		CHECK(r.has_prev && !memcmp(r.prev, a.cur, 16) && memcmp(r.cur, a.cur, 16));
		CHECK(!rx_secrets_load(&c, &b, err, sizeof(err)) && !memcmp(b.cur, r.cur, 16) &&
		      b.has_prev && !memcmp(b.prev, a.cur, 16));
		rx_secrets_keys(&b, &k);
		CHECK(rx_cookie_answer(&k, &in, &q, 16, ip, 4, 1000010, o, &m) == RX_CK_GOOD && m);
		/* A given next secret (a fleet's), and the old one is gone. */
		uint8_t next[16];

		hex("00112233445566778899aabbccddeeff", next, 16);
		CHECK(!rx_secrets_rotate(&c, next, &r, err, sizeof(err)) && !memcmp(r.cur, next, 16));
		rx_secrets_keys(&r, &k);
		CHECK(rx_cookie_answer(&k, &in, &q, 16, ip, 4, 1000010, o, &m) == RX_CK_BAD);
	}
	/* Secrets set in the config win, and cannot be rotated by file. */
	snprintf(c.cookie_secret, sizeof(c.cookie_secret), "e5e973e5a6b2a43f48e7dc849e37bfcf");
	CHECK(!rx_secrets_load(&c, &b, err, sizeof(err)) && b.from_config && !b.has_prev);
	CHECK(rx_secrets_rotate(&c, NULL, &r, err, sizeof(err)) && strstr(err, "cookie-secret"));
	/* A damaged file is an error that says what to do. */
	c.cookie_secret[0] = '\0';
	{
		FILE *f = fopen(a.path, "w");

		if (f) {
			fputs("not hex\n", f);
			fclose(f);
		}
		CHECK(rx_secrets_load(&c, &b, err, sizeof(err)) && strstr(err, "remove it"));
	}
	unlink(a.path);
	snprintf(err, sizeof(err), "%s/state", dir);
	rmdir(err);
	rmdir(dir);
}

/* The bucket over simulated time. */
static void test_rrl(void)
{
	struct rx_rrl_params p;
	const __u64 S = RX_NS_PER_S;
	__u64 tat = 0, now = 1000 * S;
	unsigned ok, i;

	rx_rrl_params_set(&p, 10, 2, 5, 24, 56, 0);
	CHECK(p.interval == S / 10 && p.burst == 9 * (S / 10) && p.window == 5 * S);
	/* Burst: a new bucket allows one second's worth at once. */
	for (ok = 0, i = 0; i < 15; i++)
		ok += rx_rrl_account(&p, tat, now, &tat);
	CHECK_MSG(ok == 10, "burst of 10, got %u", ok);
	/* Refill: one response per interval after that. */
	for (ok = 0, i = 0; i < 20; i++) {
		now += S / 100;		/* 100 queries a second for 0.2 s */
		ok += rx_rrl_account(&p, tat, now, &tat);
	}
	CHECK_MSG(ok == 0, "in debt after the burst: %u allowed", ok);
	/* A flood at 10x for 3 s: the bucket stays in debt (window). */
	for (ok = 0, i = 0; i < 300; i++) {
		now += S / 100;
		ok += rx_rrl_account(&p, tat, now, &tat);
	}
	CHECK_MSG(ok == 0, "flood at 10x the rate: %u allowed", ok);
	CHECK(tat <= now + p.burst + p.window);
	/* It stops: within window + burst the bucket is whole again. */
	now += p.window + S;
	for (ok = 0, i = 0; i < 15; i++)
		ok += rx_rrl_account(&p, tat, now, &tat);
	CHECK_MSG(ok == 10, "whole again after the window: %u", ok);
	/* Steady traffic at the rate is never limited. */
	now += 10 * S;
	for (ok = 0, i = 0; i < 100; i++) {
		now += S / 10;
		ok += rx_rrl_account(&p, tat, now, &tat);
	}
	CHECK_MSG(ok == 100, "at the rate: %u of 100", ok);
	/* Window 0: over the rate exactly `rate` a second get through. */
	rx_rrl_params_set(&p, 10, 2, 0, 24, 56, 0);
	tat = 0;
	for (ok = 0, i = 0; i < 1000; i++) {
		now += S / 100;
		ok += rx_rrl_account(&p, tat, now, &tat);
	}
	CHECK_MSG(ok >= 100 && ok <= 110, "window 0, 10 s at 10x: %u allowed", ok);
	/* Slip ratio. */
	for (ok = 0, i = 1; i <= 100; i++)
		ok += rx_rrl_slips(&p, i);
	CHECK(ok == 50);
	p.slip = 0;
	CHECK(!rx_rrl_slips(&p, 1) && !rx_rrl_slips(&p, 2));
	p.slip = 1;
	CHECK(rx_rrl_slips(&p, 1) && rx_rrl_slips(&p, 7));
	/* Prefixes: /24, /56, and an odd /20. */
	{
		struct rx_rrl_key k;
		uint8_t a4[4] = { 198, 51, 100, 77 }, a6[16];

		memset(&k, 0xee, sizeof(k));
		rx_rrl_prefix(&p, &k, a4, 0);
		CHECK(k.prefix[0] == 198 && k.prefix[1] == 51 && k.prefix[2] == 100 &&
		      !k.prefix[3] && !k.prefix[4] && !k.prefix[15] && !k.v6);
		inet_pton(AF_INET6, "2001:db8:1234:56ff:ffff::1", a6);
		rx_rrl_prefix(&p, &k, a6, 1);
		CHECK(k.v6 && k.prefix[3] == 0xb8 && k.prefix[6] == 0x56 && !k.prefix[7] &&
		      !k.prefix[15]);
		rx_rrl_params_set(&p, 10, 2, 5, 20, 128, 0);
		rx_rrl_prefix(&p, &k, a4, 0);
		CHECK(k.prefix[2] == 96 && !k.prefix[3]);
		rx_rrl_prefix(&p, &k, a6, 1);
		CHECK(!memcmp(k.prefix, a6, 16));
	}
}

int main(void)
{
	test_siphash();
	test_rfc9018();
	test_window();
	test_secrets();
	test_rrl();
	return check_done();
}
