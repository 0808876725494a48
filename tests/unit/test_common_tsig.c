// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_common_tsig.c - common/tsig.c against MACs computed here with
 * OpenSSL's one-shot HMAC() from RFC 8945 4.3 as written: a request, a
 * response over the request's MAC, and a three-message stream whose middle
 * message is unsigned (folded into the next MAC, 5.3.1); BADSIG, BADKEY,
 * BADTIME; key specs and the key file's permissions.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/hmac.h>
#include "check.h"
#include "tsig.h"

static const uint8_t KEYW[] = "\x08xfer-key\x00";		/* wire, 10 bytes */
static const uint8_t ALGW[] = "\x0bhmac-sha256\x00";		/* wire, 13 bytes */
static const uint8_t SECRET[] = "0123456789abcdef0123456789abcdef";

static size_t put(uint8_t *p, const void *s, size_t n)
{
	memcpy(p, s, n);
	return n;
}

/* A message: header (id, QR when resp, ARCOUNT 0) + ". SOA IN". */
static size_t msg(uint8_t *m, uint16_t id, int resp)
{
	memset(m, 0, 12);
	m[0] = id >> 8;
	m[1] = id & 0xff;
	m[2] = resp ? 0x84 : 0;
	m[5] = 1;
	memcpy(m + 12, "\0\0\x06\0\x01", 5);
	return 17;
}

/* The TSIG RR appended by hand: every field of RFC 8945 4.2. */
static size_t add_tsig(uint8_t *m, size_t len, uint64_t t, const uint8_t *mac, uint16_t id,
		       uint16_t error)
{
	uint8_t *p = m + len;

	p += put(p, KEYW, 10);
	p += put(p, "\0\xfa\0\xff\0\0\0\0", 8);			/* TSIG ANY TTL 0 */
	p[0] = 0, p[1] = 13 + 6 + 2 + 2 + 32 + 6, p += 2;	/* RDLENGTH */
	p += put(p, ALGW, 13);
	for (int i = 0; i < 6; i++)
		*p++ = (uint8_t)(t >> (40 - 8 * i));
	p += put(p, "\x01\x2c\0\x20", 4);			/* fudge 300, MAC size 32 */
	p += put(p, mac, 32);
	*p++ = id >> 8, *p++ = id & 0xff;
	*p++ = error >> 8, *p++ = error & 0xff;
	*p++ = 0, *p++ = 0;
	m[11]++;
	return (size_t)(p - m);
}

/* The digest input of 4.3.3: [prior MAC] message [variables | timers]. */
static void mac_of(uint8_t out[32], const uint8_t *prior, const uint8_t *body, size_t blen,
		   uint64_t t, int timers_only)
{
	uint8_t in[4096];
	size_t n = 0;
	unsigned ol = 32;

	if (prior) {
		in[n++] = 0, in[n++] = 32;
		n += put(in + n, prior, 32);
	}
	n += put(in + n, body, blen);
	if (!timers_only) {
		n += put(in + n, KEYW, 10);
		n += put(in + n, "\0\xff\0\0\0\0", 6);
		n += put(in + n, ALGW, 13);
	}
	for (int i = 0; i < 6; i++)
		in[n++] = (uint8_t)(t >> (40 - 8 * i));
	in[n++] = 0x01, in[n++] = 0x2c;
	if (!timers_only)
		n += put(in + n, "\0\0\0\0", 4);		/* error, other len */
	HMAC(EVP_sha256(), SECRET, 32, in, n, out, &ol);
}

static int verify(struct rx_tsig_ctx *t, const uint8_t *m, size_t len, uint64_t now)
{
	struct rx_tsig_rr rr;
	int has = rx_tsig_rr_find(m, len, &rr);

	if (has < 0)
		return -100;
	return rx_tsig_verify(t, m, len, has ? &rr : NULL, now);
}

int main(void)
{
	const uint64_t T = 1796330000;
	struct rx_tsig_key k;
	struct rx_tsig_ctx srv, cli;
	uint8_t q[512], r1[512], r2[512], r3[512], mac_q[32], mac_1[32], mac_3[32], body[2048];
	size_t ql, l1, l2, l3, n;
	char err[512];

	CHECK(rx_tsig_key_parse("xfer-key:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", &k,
				err, sizeof(err)) == 0);
	CHECK(k.secret_len == 32 && !memcmp(k.secret, SECRET, 32));
	CHECK(!strcmp(rx_tsig_alg_name(k.alg), "hmac-sha256"));
	CHECK(k.wname_len == 10 && !memcmp(k.wname, KEYW, 10));

	/* a request signed by hand, verified by the server side */
	ql = msg(q, 0x1234, 0);
	mac_of(mac_q, NULL, q, ql, T, 0);
	ql = add_tsig(q, ql, T, mac_q, 0x1234, 0);
	rx_tsig_ctx_init(&srv, &k);
	CHECK(verify(&srv, q, ql, T + 10) == RX_TSIG_NOERROR);
	/* the server's response: MAC over the request's MAC (4.3.2) */
	l1 = msg(r1, 0x1234, 1);
	n = rx_tsig_sign(&srv, r1, l1, sizeof(r1), T + 10, 0, NULL, 0);
	CHECK(n > l1);
	memcpy(body, r1, l1);
	body[11] = 0;		/* the digest sees ARCOUNT without the TSIG */
	mac_of(mac_1, mac_q, body, l1, T + 10, 0);
	{
		struct rx_tsig_rr rr;

		CHECK(rx_tsig_rr_find(r1, n, &rr) == 1 && rr.mac_len == 32);
		CHECK(!memcmp(rr.mac, mac_1, 32));
	}

	/* a stream to a client: r1 signed (over mac_q), r2 unsigned, r3
	 * signed over mac_1 + r2 + r3 with the timers only (5.3.1) */
	rx_tsig_ctx_init(&cli, &k);
	memcpy(cli.mac, mac_q, 32);
	cli.mac_len = 32;
	cli.dir = 1;			/* as after signing the request */
	l1 = msg(r1, 0x1234, 1);
	mac_of(mac_1, mac_q, r1, l1, T, 0);
	l1 = add_tsig(r1, l1, T, mac_1, 0x1234, 0);
	l2 = msg(r2, 0x1234, 1);
	l3 = msg(r3, 0x1234, 1);
	memcpy(body, r2, l2);
	memcpy(body + l2, r3, l3);
	mac_of(mac_3, mac_1, body, l2 + l3, T + 1, 1);
	l3 = add_tsig(r3, l3, T + 1, mac_3, 0x1234, 0);
	CHECK(verify(&cli, r1, l1, T) == RX_TSIG_NOERROR);
	CHECK(verify(&cli, r2, l2, T) == -1 && cli.unsigned_run == 1);
	CHECK(verify(&cli, r3, l3, T) == RX_TSIG_NOERROR && cli.unsigned_run == 0);
	CHECK(cli.nsigned == 2);
	rx_tsig_ctx_free(&cli);

	/* the same stream with r2 changed by one byte: BADSIG at r3 */
	rx_tsig_ctx_init(&cli, &k);
	memcpy(cli.mac, mac_q, 32);
	cli.mac_len = 32;
	cli.dir = 1;
	r2[3] ^= 1;
	CHECK(verify(&cli, r1, l1, T) == RX_TSIG_NOERROR);
	CHECK(verify(&cli, r2, l2, T) == -1);
	CHECK(verify(&cli, r3, l3, T) == RX_TSIG_BADSIG);
	rx_tsig_ctx_free(&cli);

	/* time: 301 s off is BADTIME, 300 is not (fudge 300) */
	rx_tsig_ctx_init(&srv, &k);
	CHECK(verify(&srv, q, ql, T + 300) == RX_TSIG_NOERROR);
	rx_tsig_ctx_init(&srv, &k);
	CHECK(verify(&srv, q, ql, T + 301) == RX_TSIG_BADTIME);
	CHECK(srv.mac_len == 32 && !memcmp(srv.mac, mac_q, 32));	/* BADTIME is signed */
	/* another key name: BADKEY; another secret: BADSIG */
	CHECK(rx_tsig_key_parse("hmac-sha256:other-key:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
				&k, err, sizeof(err)) == 0);
	rx_tsig_ctx_init(&srv, &k);
	CHECK(verify(&srv, q, ql, T) == RX_TSIG_BADKEY);
	CHECK(rx_tsig_key_parse("xfer-key:MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=", &k,
				err, sizeof(err)) == 0);
	rx_tsig_ctx_init(&srv, &k);
	CHECK(verify(&srv, q, ql, T) == RX_TSIG_BADSIG);
	CHECK(rx_tsig_key_parse("hmac-sha1:xfer-key:MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=", &k,
				err, sizeof(err)) == 0);
	rx_tsig_ctx_init(&srv, &k);
	CHECK(verify(&srv, q, ql, T) == RX_TSIG_BADKEY);	/* another algorithm */

	/* specs an operator may get wrong */
	CHECK(rx_tsig_key_parse("xfer-key", &k, err, sizeof(err)) < 0);
	CHECK(rx_tsig_key_parse("hmac-md5:k:MTEx", &k, err, sizeof(err)) < 0 &&
	      strstr(err, "hmac-md5"));
	CHECK(rx_tsig_key_parse("k:not base64!", &k, err, sizeof(err)) < 0);
	CHECK(rx_tsig_key_parse("k..x:MTEx", &k, err, sizeof(err)) < 0);

	/* the key file: refused when others may read it */
	{
		char path[] = "/tmp/rx-tsig-XXXXXX";
		int fd = mkstemp(path);
		struct rx_config c;
		struct rx_tsig_keys ks;
		const char *t = "# keys\nxfer-key:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n"
				"hmac-sha512:b:MTEx\n";

		CHECK(fd >= 0 && write(fd, t, strlen(t)) == (ssize_t)strlen(t));
		close(fd);
		rx_config_defaults(&c);
		snprintf(c.tsig_key_file, sizeof(c.tsig_key_file), "%s", path);
		chmod(path, 0600);
		CHECK(rx_tsig_keys_load(&c, &ks, err, sizeof(err)) == 0 && ks.n == 2);
		CHECK(rx_tsig_key_find(&ks, "XFER-KEY.") == &ks.k[0]);
		CHECK(!strcmp(rx_tsig_alg_name(ks.k[1].alg), "hmac-sha512"));
		chmod(path, 0640);
		CHECK(rx_tsig_keys_load(&c, &ks, err, sizeof(err)) < 0 &&
		      strstr(err, "group or others may read it"));
		unlink(path);
	}
	return check_done();
}
