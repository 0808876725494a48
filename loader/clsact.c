// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * clsact.c - is anyone else's filter on a clsact qdisc?  (attach.h)
 *
 * `rootxdp attach` creates the clsact qdisc when an interface has none and
 * records that in the attach state; detach removes it again, but only if
 * nothing else hangs on it by then: another program may have added its own
 * filters to the qdisc we made, and deleting the qdisc would delete them.
 * libbpf can query a filter by handle and priority but not list them, so
 * this is one RTM_GETTFILTER dump per direction over rtnetlink.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include "attach.h"

/* Filters (and their chain heads) under parent on ifindex; -errno on error.
 * An absent qdisc is 0 filters. */
static int count_filters(int fd, int ifindex, __u32 parent, __u32 seq)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
	} req;
	char buf[16384];
	int n = 0;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
	req.nh.nlmsg_type = RTM_GETTFILTER;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = seq;
	req.tc.tcm_family = AF_UNSPEC;
	req.tc.tcm_ifindex = ifindex;
	req.tc.tcm_parent = parent;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return n;
			if (h->nlmsg_type == NLMSG_ERROR) {
				int e = ((struct nlmsgerr *)NLMSG_DATA(h))->error;

				/* No qdisc at that parent: nothing hangs there. */
				return e == -EINVAL || e == -ENOENT ? n : e;
			}
			if (h->nlmsg_type == RTM_NEWTFILTER)
				n++;
		}
	}
}

int rx_clsact_filters(int ifindex)
{
	int fd, in, out;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	in = count_filters(fd, ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS), 1);
	out = in < 0 ? in : count_filters(fd, ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS), 2);
	close(fd);
	if (in < 0)
		return in;
	return out < 0 ? out : in + out;
}
