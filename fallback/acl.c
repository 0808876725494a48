// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * acl.c - address lists: an address or prefix per entry (axfr-allow,
 * rrl-exempt), matched against a client's socket address.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "fb.h"

bool fb_acl_match(const struct fb_acl *acl, int n, const struct sockaddr_storage *ss)
{
	uint8_t a[16];
	int fam;

	if (ss->ss_family == AF_INET) {
		fam = AF_INET;
		memcpy(a, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct in6_addr *s6 = &((const struct sockaddr_in6 *)ss)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(s6)) {
			fam = AF_INET;
			memcpy(a, s6->s6_addr + 12, 4);
		} else {
			fam = AF_INET6;
			memcpy(a, s6->s6_addr, 16);
		}
	} else {
		return false;
	}
	for (int i = 0; i < n; i++) {
		unsigned bits = acl[i].plen, k;

		if (acl[i].family != fam)
			continue;
		for (k = 0; bits >= 8; k++, bits -= 8)
			if (a[k] != acl[i].addr[k])
				break;
		if (bits >= 8)
			continue;
		if (bits && ((a[k] ^ acl[i].addr[k]) & (0xff00 >> bits) & 0xff))
			continue;
		return true;
	}
	return false;
}

/* "198.51.100.0/24", "2001:db8::/32" or a bare address (full length). */
int fb_acl_parse(const char *s, struct fb_acl *a)
{
	char buf[64], *slash, *end;
	unsigned long plen;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	memset(a, 0, sizeof(*a));
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, a->addr) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, a->addr) == 1)
		a->family = AF_INET6;
	else
		return -1;
	plen = a->family == AF_INET ? 32 : 128;
	if (slash) {
		unsigned long max = plen;

		plen = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || plen > max)
			return -1;
	}
	a->plen = plen;
	return 0;
}
