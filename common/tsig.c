// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tsig.c - TSIG (RFC 8945): keys, the TSIG RR, signing and verifying.
 *
 * The MAC covers (RFC 8945 4.3): the prior MAC (its size, then the MAC:
 * for a response the request's, for the next message of a stream the
 * last signed one's), the DNS message with the TSIG RR removed (ARCOUNT
 * one less, the ID the Original ID), and the TSIG variables (key name and
 * algorithm in canonical form, class ANY, TTL 0, time, fudge, error,
 * other) or, after the first message of a stream, the timers only.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include "dname.h"
#include "tsig.h"

static const struct {
	const char *name;	/* also the algorithm's domain name */
	const char *md;		/* OpenSSL digest */
	unsigned len;		/* MAC size */
} algs[] = {
	{ "hmac-sha256", "SHA256", 32 },	/* first: the default */
	{ "hmac-sha1", "SHA1", 20 },
	{ "hmac-sha224", "SHA224", 28 },
	{ "hmac-sha384", "SHA384", 48 },
	{ "hmac-sha512", "SHA512", 64 },
};
#define NALGS (int)(sizeof(algs) / sizeof(algs[0]))

const char *rx_tsig_alg_name(int alg)
{
	return alg >= 0 && alg < NALGS ? algs[alg].name : "?";
}

const char *rx_tsig_error_str(unsigned error)
{
	switch (error) {
	case RX_TSIG_NOERROR: return "NOERROR";
	case RX_TSIG_BADSIG: return "BADSIG (the MAC does not verify: another secret?)";
	case RX_TSIG_BADKEY: return "BADKEY (the other side does not know this key or algorithm)";
	case RX_TSIG_BADTIME: return "BADTIME (the clocks differ by more than the fudge)";
	case RX_TSIG_BADTRUNC: return "BADTRUNC (a truncated MAC)";
	default: return "an unknown TSIG error";
	}
}

static void err_set(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, a, b);
}

/* "name" or "name." -> lowercase wire form; 0 or -1. */
static int name_to_wire(const char *s, uint8_t *w, unsigned *wlen)
{
	unsigned n = 0;

	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);

		if (l == 0 || l > 63 || n + l + 2 > 255)
			return -1;
		w[n++] = (uint8_t)l;
		for (size_t i = 0; i < l; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c <= ' ' || c == '\\' || c >= 0x7f)
				return -1;
			w[n++] = (uint8_t)tolower(c);
		}
		s += l;
		if (*s == '.')
			s++;
	}
	if (n == 0)
		return -1;	/* the root is not a key name */
	w[n++] = 0;
	*wlen = n;
	return 0;
}

void rx_tsig_name_str(const uint8_t *w, char *out, size_t len)
{
	size_t n = 0;

	if (!len)
		return;
	for (unsigned i = 0; w[i] && i < 255; i += w[i] + 1) {
		for (unsigned j = 0; j <= w[i] && n + 1 < len; j++) {
			unsigned char ch = j ? w[i + j] : '.';

			if (!j && !i)
				continue;
			out[n++] = ch > ' ' && ch < 0x7f ? (char)ch : '?';
		}
	}
	out[n] = '\0';
}

static void wire_lower(uint8_t *w)
{
	for (unsigned i = 0; w[i]; i += w[i] + 1)
		for (unsigned j = 1; j <= w[i]; j++)
			w[i + j] = (uint8_t)tolower(w[i + j]);
}

int rx_tsig_key_parse(const char *spec, struct rx_tsig_key *k, char *err, size_t errlen)
{
	char buf[512], *name, *secret, *c1, *c2;
	unsigned char dec[RX_TSIG_SECRET_MAX + 4];
	size_t blen;
	int n, pad = 0;

	memset(k, 0, sizeof(*k));
	if (strlen(spec) >= sizeof(buf)) {
		err_set(err, errlen, "tsig-key '%.40s...': too long%s", spec, "");
		return -1;
	}
	strcpy(buf, spec);
	c1 = strchr(buf, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c1) {
		err_set(err, errlen, "tsig-key '%s': expected [ALGORITHM:]NAME:SECRET%s", buf, "");
		return -1;
	}
	k->alg = 0;
	if (c2) {			/* ALG:NAME:SECRET */
		*c1 = '\0';
		k->alg = -1;
		for (int i = 0; i < NALGS; i++)
			if (!strcasecmp(buf, algs[i].name))
				k->alg = i;
		if (k->alg < 0) {
			err_set(err, errlen, "tsig-key: algorithm '%s' is not one of hmac-sha256, "
				"hmac-sha1, hmac-sha224, hmac-sha384, hmac-sha512%s", buf, "");
			return -1;
		}
		name = c1 + 1;
		*c2 = '\0';
		secret = c2 + 1;
	} else {
		*c1 = '\0';
		name = buf;
		secret = c1 + 1;
	}
	if (name_to_wire(name, k->wname, &k->wname_len)) {
		err_set(err, errlen, "tsig-key: '%s' is not a key name (a domain name)%s", name, "");
		return -1;
	}
	snprintf(k->name, sizeof(k->name), "%s", name);
	for (char *p = k->name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	blen = strlen(k->name);
	if (blen && k->name[blen - 1] == '.')
		k->name[blen - 1] = '\0';
	blen = strlen(secret);
	if (blen == 0 || blen % 4 || blen > 4 * (RX_TSIG_SECRET_MAX / 3)) {
		err_set(err, errlen, "tsig-key %s: the secret is not base64 (or longer than 128 "
			"bytes)%s", k->name, "");
		return -1;
	}
	n = EVP_DecodeBlock(dec, (const unsigned char *)secret, (int)blen);
	if (n < 0) {
		err_set(err, errlen, "tsig-key %s: the secret is not base64%s", k->name, "");
		return -1;
	}
	while (blen && secret[blen - 1] == '=') {
		pad++;
		blen--;
	}
	n -= pad;
	if (n <= 0 || n > RX_TSIG_SECRET_MAX) {
		err_set(err, errlen, "tsig-key %s: empty or too long secret%s", k->name, "");
		return -1;
	}
	memcpy(k->secret, dec, (size_t)n);
	k->secret_len = (size_t)n;
	OPENSSL_cleanse(dec, sizeof(dec));
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

static int keys_add(struct rx_tsig_keys *ks, const char *spec, char *err, size_t errlen)
{
	struct rx_tsig_key k;

	if (ks->n >= RX_TSIG_KEYS_MAX) {
		err_set(err, errlen, "more than 16 TSIG keys%s%s", "", "");
		return -1;
	}
	if (rx_tsig_key_parse(spec, &k, err, errlen))
		return -1;
	if (rx_tsig_key_find(ks, k.name)) {
		err_set(err, errlen, "tsig-key %s: defined twice%s", k.name, "");
		return -1;
	}
	ks->k[ks->n++] = k;
	OPENSSL_cleanse(&k, sizeof(k));
	return 0;
}

int rx_tsig_keys_load(const struct rx_config *c, struct rx_tsig_keys *ks,
		      char *err, size_t errlen)
{
	char line[1024], why[300];
	struct stat st;
	FILE *f;
	int fd, lineno = 0;

	memset(ks, 0, sizeof(*ks));
	for (int i = 0; i < c->ntsig_key; i++)
		if (keys_add(ks, c->tsig_key[i], err, errlen))
			return -1;
	if (!c->tsig_key_file[0])
		return 0;
	fd = open(c->tsig_key_file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "tsig-key-file %s: %s", c->tsig_key_file, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* Secrets: only the owner (root, or the user reading it) may read. */
	if ((st.st_mode & 077) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "tsig-key-file %s: refused: %s (mode %04o, owner uid %u): "
			 "chown root: and chmod 600 it", c->tsig_key_file,
			 !S_ISREG(st.st_mode) ? "not a regular file" :
			 (st.st_mode & 077) ? "group or others may read it" : "another user owns it",
			 (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
		close(fd);
		return -1;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		snprintf(err, errlen, "tsig-key-file %s: %s", c->tsig_key_file, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *e, *h = strchr(line, '#');

		lineno++;
		if (h)
			*h = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = '\0';
		if (!*s)
			continue;
		if (keys_add(ks, s, why, sizeof(why))) {
			snprintf(err, errlen, "tsig-key-file %s:%d: %s", c->tsig_key_file, lineno, why);
			OPENSSL_cleanse(line, sizeof(line));
			fclose(f);
			return -1;
		}
	}
	OPENSSL_cleanse(line, sizeof(line));
	fclose(f);
	return 0;
}

const struct rx_tsig_key *rx_tsig_key_find(const struct rx_tsig_keys *ks, const char *name)
{
	uint8_t w[256];
	unsigned wl;

	if (name_to_wire(name, w, &wl))
		return NULL;
	return rx_tsig_key_find_wire(ks, w);
}

const struct rx_tsig_key *rx_tsig_key_find_wire(const struct rx_tsig_keys *ks,
						const uint8_t *name)
{
	uint8_t w[256];
	unsigned l = 0;

	while (name[l] && l < 255)
		l += name[l] + 1;
	if (l >= 255)
		return NULL;
	memcpy(w, name, l + 1);
	wire_lower(w);
	for (int i = 0; i < ks->n; i++)
		if (ks->k[i].wname_len == l + 1 && !memcmp(ks->k[i].wname, w, l + 1))
			return &ks->k[i];
	return NULL;
}

bool rx_tsig_alg_is(const struct rx_tsig_key *k, const uint8_t *alg)
{
	uint8_t w[256];
	unsigned wl;

	if (name_to_wire(algs[k->alg].name, w, &wl))
		return false;
	for (unsigned i = 0; i < wl; i++)
		if (tolower(alg[i]) != w[i])
			return false;
	return true;
}

/* ---------------------------------------------------------------- wire */

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int rx_tsig_rr_find(const uint8_t *m, size_t len, struct rx_tsig_rr *t)
{
	unsigned qd, rrs, i;
	long pos = 12;

	if (len < 12)
		return -1;
	qd = rd16(m + 4);
	rrs = (unsigned)rd16(m + 6) + rd16(m + 8) + rd16(m + 10);
	if (!rd16(m + 10))
		return 0;
	for (i = 0; i < qd; i++) {
		pos = rx_dname_unpack(m, len, (size_t)pos, NULL, NULL);
		if (pos < 0 || (size_t)pos + 4 > len)
			return -1;
		pos += 4;
	}
	for (i = 0; i < rrs; i++) {
		size_t start = (size_t)pos, rd;
		uint8_t owner[256];
		unsigned olen;
		uint16_t type, rdlen;
		long a;

		pos = rx_dname_unpack(m, len, start, owner, &olen);
		if (pos < 0 || (size_t)pos + 10 > len)
			return -1;
		type = rd16(m + pos);
		rdlen = rd16(m + pos + 8);
		rd = (size_t)pos + 10;
		if (rd + rdlen > len)
			return -1;
		pos = (long)(rd + rdlen);
		if (type != RX_TSIG_TYPE)
			continue;
		/* RFC 8945 5.1: only as the last RR */
		if (i != rrs - 1 || (size_t)pos != len)
			return -1;
		memset(t, 0, sizeof(*t));
		t->start = start;
		memcpy(t->key, owner, olen);
		t->key_len = olen;
		a = rx_dname_unpack(m, rd + rdlen, rd, t->alg, &t->alg_len);
		if (a < 0 || (size_t)a + 10 > rd + rdlen)
			return -1;
		t->time = (uint64_t)rd16(m + a) << 32 | (uint64_t)rd16(m + a + 2) << 16 |
			  rd16(m + a + 4);
		t->fudge = rd16(m + a + 6);
		t->mac_len = rd16(m + a + 8);
		a += 10;
		if ((size_t)a + t->mac_len + 6 > rd + rdlen)
			return -1;
		t->mac = m + a;
		a += t->mac_len;
		t->orig_id = rd16(m + a);
		t->error = rd16(m + a + 2);
		t->other_len = rd16(m + a + 4);
		a += 6;
		if ((size_t)a + t->other_len != rd + rdlen)
			return -1;
		t->other = m + a;
		return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- MAC */

static EVP_MAC_CTX *mac_begin(const struct rx_tsig_ctx *t)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM p[2];

	EVP_MAC_free(mac);	/* the context keeps its reference */
	if (!c)
		return NULL;
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						(char *)algs[t->key.alg].md, 0);
	p[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(c, t->key.secret, t->key.secret_len, p)) {
		EVP_MAC_CTX_free(c);
		return NULL;
	}
	if (t->mac_len) {
		uint8_t l[2] = { (uint8_t)(t->mac_len >> 8), (uint8_t)t->mac_len };

		EVP_MAC_update(c, l, 2);
		EVP_MAC_update(c, t->mac, t->mac_len);
	}
	return c;
}

/* The message without its TSIG: the header with id and arcount given. */
static void mac_msg(EVP_MAC_CTX *c, const uint8_t *m, size_t end, uint16_t id, uint16_t ar)
{
	uint8_t h[12];

	memcpy(h, m, 12);
	h[0] = (uint8_t)(id >> 8);
	h[1] = (uint8_t)id;
	h[10] = (uint8_t)(ar >> 8);
	h[11] = (uint8_t)ar;
	EVP_MAC_update(c, h, 12);
	EVP_MAC_update(c, m + 12, end - 12);
}

static void put48(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 6; i++)
		p[i] = (uint8_t)(v >> (40 - 8 * i));
}

/* TSIG variables (RFC 8945 4.3.3), or the timers only. */
static void mac_vars(EVP_MAC_CTX *c, const struct rx_tsig_key *k, bool timers_only,
		     uint64_t time, uint16_t fudge, uint16_t error, const uint8_t *other,
		     uint16_t olen)
{
	uint8_t b[16], alg[256];
	unsigned alen;

	if (!timers_only) {
		EVP_MAC_update(c, k->wname, k->wname_len);
		b[0] = 0; b[1] = RX_TSIG_CLASS_ANY;	/* class ANY */
		memset(b + 2, 0, 4);			/* TTL 0 */
		EVP_MAC_update(c, b, 6);
		name_to_wire(algs[k->alg].name, alg, &alen);
		EVP_MAC_update(c, alg, alen);
	}
	put48(b, time);
	b[6] = (uint8_t)(fudge >> 8);
	b[7] = (uint8_t)fudge;
	EVP_MAC_update(c, b, 8);
	if (timers_only)
		return;
	b[0] = (uint8_t)(error >> 8);
	b[1] = (uint8_t)error;
	b[2] = (uint8_t)(olen >> 8);
	b[3] = (uint8_t)olen;
	EVP_MAC_update(c, b, 4);
	if (olen)
		EVP_MAC_update(c, other, olen);
}

void rx_tsig_ctx_init(struct rx_tsig_ctx *t, const struct rx_tsig_key *k)
{
	memset(t, 0, sizeof(*t));
	t->key = *k;
}

void rx_tsig_ctx_free(struct rx_tsig_ctx *t)
{
	if (t->pending)
		EVP_MAC_CTX_free(t->pending);
	OPENSSL_cleanse(t, sizeof(*t));
}

static void direction(struct rx_tsig_ctx *t, int dir)
{
	if (t->dir != dir) {
		t->dir = dir;
		t->nsigned = 0;
		t->unsigned_run = 0;
	}
}

size_t rx_tsig_size(const struct rx_tsig_key *k, uint16_t olen)
{
	uint8_t alg[256];
	unsigned alen;

	name_to_wire(algs[k->alg].name, alg, &alen);
	return k->wname_len + 10 + alen + 16 + algs[k->alg].len + olen;
}

size_t rx_tsig_sign(struct rx_tsig_ctx *t, uint8_t *m, size_t len, size_t cap,
		    uint64_t now, uint16_t error, const uint8_t *other, uint16_t olen)
{
	const struct rx_tsig_key *k = &t->key;
	uint8_t mac[EVP_MAX_MD_SIZE], alg[256], *p;
	size_t maclen = 0, need = rx_tsig_size(k, olen), rdlen;
	uint16_t id, ar;
	unsigned alen;
	EVP_MAC_CTX *c;

	direction(t, 1);
	if (len < 12 || len + need > cap || len + need > 65535)
		return 0;
	id = rd16(m);
	ar = rd16(m + 10);
	c = mac_begin(t);
	if (!c)
		return 0;
	mac_msg(c, m, len, id, ar);
	mac_vars(c, k, t->nsigned > 0, now, RX_TSIG_FUDGE, error, other, olen);
	if (!EVP_MAC_final(c, mac, &maclen, sizeof(mac)) || maclen != algs[k->alg].len) {
		EVP_MAC_CTX_free(c);
		return 0;
	}
	EVP_MAC_CTX_free(c);
	name_to_wire(algs[k->alg].name, alg, &alen);
	p = m + len;
	memcpy(p, k->wname, k->wname_len);
	p += k->wname_len;
	rdlen = alen + 16 + maclen + olen;
	*p++ = 0; *p++ = RX_TSIG_TYPE;
	*p++ = 0; *p++ = RX_TSIG_CLASS_ANY;
	memset(p, 0, 4);
	p += 4;
	*p++ = (uint8_t)(rdlen >> 8); *p++ = (uint8_t)rdlen;
	memcpy(p, alg, alen);
	p += alen;
	put48(p, now);
	p += 6;
	*p++ = RX_TSIG_FUDGE >> 8; *p++ = RX_TSIG_FUDGE & 0xff;
	*p++ = (uint8_t)(maclen >> 8); *p++ = (uint8_t)maclen;
	memcpy(p, mac, maclen);
	p += maclen;
	*p++ = (uint8_t)(id >> 8); *p++ = (uint8_t)id;
	*p++ = (uint8_t)(error >> 8); *p++ = (uint8_t)error;
	*p++ = (uint8_t)(olen >> 8); *p++ = (uint8_t)olen;
	if (olen)
		memcpy(p, other, olen);
	p += olen;
	ar++;
	m[10] = (uint8_t)(ar >> 8);
	m[11] = (uint8_t)ar;
	memcpy(t->mac, mac, maclen);
	t->mac_len = (unsigned)maclen;
	t->nsigned++;
	return (size_t)(p - m);
}

int rx_tsig_verify(struct rx_tsig_ctx *t, const uint8_t *m, size_t len,
		   const struct rx_tsig_rr *rr, uint64_t now)
{
	const struct rx_tsig_key *k = &t->key;
	uint8_t mac[EVP_MAX_MD_SIZE], key[256];
	size_t maclen = 0;
	EVP_MAC_CTX *c;
	int rc;

	direction(t, 2);
	if (!rr) {
		/* RFC 8945 5.3.1: folded into the next signed message's MAC */
		if (!t->pending)
			t->pending = mac_begin(t);
		if (!t->pending)
			return RX_TSIG_BADSIG;
		EVP_MAC_update(t->pending, m, len);
		t->unsigned_run++;
		return -1;
	}
	memcpy(key, rr->key, rr->key_len);
	wire_lower(key);
	if (rr->key_len != k->wname_len || memcmp(key, k->wname, k->wname_len) ||
	    !rx_tsig_alg_is(k, rr->alg))
		return RX_TSIG_BADKEY;
	c = t->pending ? t->pending : mac_begin(t);
	t->pending = NULL;
	if (!c)
		return RX_TSIG_BADSIG;
	mac_msg(c, m, rr->start, rr->orig_id, (uint16_t)(rd16(m + 10) - 1));
	mac_vars(c, k, t->nsigned > 0, rr->time, rr->fudge, rr->error, rr->other,
		 rr->other_len);
	rc = EVP_MAC_final(c, mac, &maclen, sizeof(mac));
	EVP_MAC_CTX_free(c);
	/* No truncation offered: the MAC is whole or it is wrong. */
	if (!rc || rr->mac_len != maclen || CRYPTO_memcmp(mac, rr->mac, maclen))
		return RX_TSIG_BADSIG;
	/* The MAC verified: a BADTIME answer is signed over it too. */
	memcpy(t->mac, mac, maclen);
	t->mac_len = (unsigned)maclen;
	/* RFC 8945 5.2.3: the time after the MAC */
	if ((now > rr->time ? now - rr->time : rr->time - now) > rr->fudge)
		return RX_TSIG_BADTIME;
	t->nsigned++;
	t->unsigned_run = 0;
	return RX_TSIG_NOERROR;
}
