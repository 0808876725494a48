// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * anycast_route.c - the marker routes of the anycast watcher (anycast.h).
 *
 * One blackhole route per service prefix in a kernel routing table of its
 * own (anycast-table): no ip rule points at that table, so the routes
 * never forward a packet; they only tell the route daemon what to
 * announce.  BIRD's `protocol kernel { kernel table N; learn; }` sees one
 * appear or go through a netlink notification at once and exports it to
 * BGP (dist/bird/).  The state lives in the kernel: a restarted BIRD
 * learns it again, and `ip route show table N` shows it to an operator.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "anycast.h"
#include "errf.h"

int rx_prefix_parse(const char *s, struct rx_prefix *p, char *err, size_t errlen)
{
	char buf[64], *slash, *end;
	unsigned char a[16];
	long len;
	int fam, max, i;

	memset(p, 0, sizeof(*p));
	if (strlen(s) >= sizeof(buf))
		return rx_errf(err, errlen, -EINVAL, "'%s': too long for a prefix", s);
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	fam = strchr(buf, ':') ? AF_INET6 : AF_INET;
	max = fam == AF_INET6 ? 128 : 32;
	if (inet_pton(fam, buf, a) != 1)
		return rx_errf(err, errlen, -EINVAL, "'%s': not an IPv4 or IPv6 prefix (e.g. "
			       "198.51.100.0/24, 2001:db8::/48)", s);
	len = max;
	if (slash) {
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || len < 0 || len > max)
			return rx_errf(err, errlen, -EINVAL, "'%s': the length must be 0 to %d", s,
				       max);
	}
	/* Host bits set is most likely a typo for another prefix. */
	for (i = (int)len; i < max; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return rx_errf(err, errlen, -EINVAL, "'%s': host bits set after /%ld", s,
				       len);
	p->family = fam;
	p->len = (int)len;
	memcpy(p->addr, a, sizeof(a));
	snprintf(p->text, sizeof(p->text), "%s/%ld", buf, len);
	return 0;
}

static void addattr(struct nlmsghdr *h, size_t cap, unsigned short type, const void *data,
		    size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	if (NLMSG_ALIGN(h->nlmsg_len) + RTA_SPACE(len) > cap)
		return;		/* cannot happen: the buffer fits every request */
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_SPACE(len);
}

static int nl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	return fd < 0 ? -errno : fd;
}

/* Send one request and wait for its ack: 0 or -errno from the kernel. */
static int nl_talk(int fd, struct nlmsghdr *h)
{
	char buf[4096];
	ssize_t n;

	h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(fd, h, h->nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *r;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (r = (struct nlmsghdr *)buf; NLMSG_OK(r, (size_t)n); r = NLMSG_NEXT(r, n))
			if (r->nlmsg_seq == h->nlmsg_seq && r->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(r))->error;
	}
}

int rx_marker_set(const struct rx_prefix *p, unsigned table, bool add)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg rt;
		char attrs[64];
	} req;
	int fd, err;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.h.nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	req.h.nlmsg_flags = add ? NLM_F_CREATE | NLM_F_REPLACE : 0;
	req.h.nlmsg_seq = 1;
	req.rt.rtm_family = (unsigned char)p->family;
	req.rt.rtm_dst_len = (unsigned char)p->len;
	req.rt.rtm_table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC;
	req.rt.rtm_protocol = RTPROT_STATIC;
	req.rt.rtm_scope = RT_SCOPE_UNIVERSE;
	req.rt.rtm_type = RTN_BLACKHOLE;
	addattr((struct nlmsghdr *)&req, sizeof(req), RTA_DST, p->addr, p->family == AF_INET6 ? 16 : 4);
	addattr((struct nlmsghdr *)&req, sizeof(req), RTA_TABLE, &table, sizeof(table));
	fd = nl_open();
	if (fd < 0)
		return fd;
	err = nl_talk(fd, &req.h);
	close(fd);
	/* Deleting what is not there is done. */
	if (!add && (err == -ESRCH || err == -ENOENT))
		err = 0;
	return err;
}

int rx_marker_present(const struct rx_prefix *p, unsigned table)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg rt;
	} req;
	char buf[16384];
	int fd, found = 0;
	size_t alen = p->family == AF_INET6 ? 16 : 4;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.h.nlmsg_type = RTM_GETROUTE;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = 2;
	req.rt.rtm_family = (unsigned char)p->family;
	fd = nl_open();
	if (fd < 0)
		return fd;
	if (send(fd, &req, req.h.nlmsg_len, 0) < 0) {
		found = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			found = -errno;
			goto out;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct rtmsg *rt = NLMSG_DATA(h);
			struct rtattr *a;
			int alen_left;
			unsigned tab;
			bool dst_ok = p->len == 0;

			if (h->nlmsg_type == NLMSG_DONE)
				goto out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				found = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
				goto out;
			}
			if (h->nlmsg_type != RTM_NEWROUTE || rt->rtm_dst_len != p->len ||
			    rt->rtm_type != RTN_BLACKHOLE)
				continue;
			tab = rt->rtm_table;
			alen_left = (int)RTM_PAYLOAD(h);
			for (a = RTM_RTA(rt); RTA_OK(a, alen_left); a = RTA_NEXT(a, alen_left)) {
				if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) >= 4)
					memcpy(&tab, RTA_DATA(a), 4);
				else if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) >= alen)
					dst_ok = !memcmp(RTA_DATA(a), p->addr, alen);
			}
			if (tab == table && dst_ok)
				found = 1;
		}
	}
out:
	close(fd);
	return found;
}
