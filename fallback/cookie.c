// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cookie.c - DNS cookies (RFC 7873) with the interoperable server cookie of
 * RFC 9018: Version 1 | Reserved 0 0 0 | Timestamp (4) | Hash (8), where
 * Hash = SipHash-2-4(Client Cookie | Version | Reserved | Timestamp |
 * Client-IP, Server Secret).  The secret is random per process.
 */
#include <string.h>
#include "fb.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND							\
	do {								\
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;			\
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;			\
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
	} while (0)

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* SipHash-2-4 with a 64-bit output (Aumasson & Bernstein reference). */
void fb_siphash24(const uint8_t key[16], const uint8_t *in, size_t len, uint8_t out[8])
{
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	uint64_t b = (uint64_t)len << 56, m;
	size_t i, end = len - len % 8;

	for (i = 0; i < end; i += 8) {
		m = le64(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t k = 0; k < len % 8; k++)
		b |= (uint64_t)in[end + k] << (8 * k);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	b = v0 ^ v1 ^ v2 ^ v3;
	for (int k = 0; k < 8; k++)
		out[k] = b >> (8 * k);
}

static void cookie_hash(const uint8_t secret[16], const uint8_t client[8],
			const uint8_t hdr[8], const struct sockaddr_storage *addr,
			uint8_t out[8])
{
	uint8_t in[8 + 8 + 16];
	size_t n = 16;

	memcpy(in, client, 8);
	memcpy(in + 8, hdr, 8);
	if (addr->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)addr;

		/* A v4-mapped peer on a dual-stack socket hashes as IPv4. */
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			memcpy(in + n, s6->sin6_addr.s6_addr + 12, 4);
			n += 4;
		} else {
			memcpy(in + n, s6->sin6_addr.s6_addr, 16);
			n += 16;
		}
	} else if (addr->ss_family == AF_INET) {
		memcpy(in + n, &((const struct sockaddr_in *)addr)->sin_addr, 4);
		n += 4;
	}
	fb_siphash24(secret, in, n, out);
}

void fb_cookie_server(const uint8_t secret[16], const uint8_t client[8],
		      const struct sockaddr_storage *addr, uint32_t now, uint8_t out[16])
{
	out[0] = 1;	/* version */
	out[1] = out[2] = out[3] = 0;
	out[4] = now >> 24;
	out[5] = now >> 16;
	out[6] = now >> 8;
	out[7] = now;
	cookie_hash(secret, client, out, addr, out + 8);
}

bool fb_cookie_valid(const uint8_t secret[16], const uint8_t client[8],
		     const uint8_t *server, size_t len,
		     const struct sockaddr_storage *addr, uint32_t now)
{
	uint8_t h[8];
	uint32_t ts;

	if (len != 16 || server[0] != 1)
		return false;
	ts = (uint32_t)server[4] << 24 | server[5] << 16 | server[6] << 8 | server[7];
	/* RFC 9018 4.3: valid for an hour, up to 5 minutes in the future. */
	if ((int32_t)(now - ts) > 3600 || (int32_t)(ts - now) > 300)
		return false;
	cookie_hash(secret, client, server, addr, h);
	return memcmp(h, server + 8, 8) == 0;
}
