// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cookie.c - DNS cookies (RFC 7873) with the interoperable server cookie of
 * RFC 9018, through bpf/cookie.h: the kernel paths run the same code, so
 * both give the same bytes for the same query, time and secrets.  The
 * secrets are the ones the kernel has (common/secret.c).
 */
#include <string.h>
#include "fb.h"

/* The address as RFC 9018 hashes it: 4 bytes for IPv4, also for an
 * IPv4-mapped peer on a dual-stack socket, else 16. */
static unsigned addr_bytes(const struct sockaddr_storage *addr, uint8_t ip[16])
{
	memset(ip, 0, 16);
	if (addr->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)addr;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			memcpy(ip, s6->sin6_addr.s6_addr + 12, 4);
			return 4;
		}
		memcpy(ip, s6->sin6_addr.s6_addr, 16);
		return 16;
	}
	if (addr->ss_family == AF_INET) {
		memcpy(ip, &((const struct sockaddr_in *)addr)->sin_addr, 4);
		return 4;
	}
	return 0;
}

int fb_cookie_answer(const struct rx_cookie_keys *k, const uint8_t client[8],
		     const uint8_t *server, size_t sclen, const struct sockaddr_storage *addr,
		     uint32_t now, uint8_t out[16], bool *minted)
{
	struct rx_cookie_opt o;
	struct rx_cookie_buf in;
	__u64 ip[2], sc[2];
	unsigned iplen = addr_bytes(addr, (uint8_t *)ip);
	int m = 0, v;

	memset(&o, 0, sizeof(o));
	memcpy(&o.client, client, 8);
	if (sclen > sizeof(o.server))
		sclen = sizeof(o.server);
	if (sclen)
		memcpy(o.server, server, sclen);
	v = rx_cookie_answer(k, &in, &o, sclen, ip, iplen, now, sc, &m);
	memcpy(out, sc, 16);
	*minted = m;
	return v;
}
