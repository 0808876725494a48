// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * server.c - sockets and worker threads.
 *
 * Each worker owns one epoll set and its own SO_REUSEPORT UDP and TCP
 * sockets on every listen address, so the kernel spreads queries and
 * connections over the workers and no socket is shared.  UDP answers go out
 * from the address the query came to (IP_PKTINFO / IPV6_RECVPKTINFO), as an
 * anycast instance bound to a wildcard must.
 *
 * TCP (RFC 7766): queries are read as they come and answered in order, so
 * a client may pipeline as many as it likes (6.2.1.1); the input buffer
 * holds at most one message, the output buffer stops reading at OUT_HIGH
 * until the client drains it; a connection with no progress for
 * tcp-idle-timeout is closed (6.2.3); connections are capped in total and
 * per source address (6.2.2), over the cap they are accepted and closed at
 * once.  An AXFR streams one message at a time as the output drains.
 *
 * Zone: a worker refreshes its reference (fb_live_sync) once per wake-up;
 * every query of that batch uses that zone.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "fb.h"
#include "log.h"

#define MAX_LISTEN	16
#define UDP_BATCH	64
#define TCP_BACKLOG	128	/* pending connections per listener (accepted at once) */
#define EPOLL_BATCH	64	/* events taken per epoll_wait */
#define OUT_HIGH	65536	/* stop reading / generating above this */
#define PC_BUCKETS	4096

enum item_kind { IT_UDP, IT_TCP_LISTEN, IT_CONN, IT_STOP };

struct item {
	enum item_kind kind;
	int fd;
	int family;
};

struct conn {
	struct item it;			/* first: epoll data points here */
	struct conn *prev, *next;	/* LRU: head = least recent */
	uint64_t last_ms;
	struct sockaddr_storage peer;
	struct sockaddr_storage local;	/* for dnstap */
	uint8_t *in;
	size_t inlen, incap;
	uint8_t *out;
	size_t outlen, outoff, outcap;
	uint32_t events;
	bool eof;
	bool xfr;
	struct fb_result xres;
	struct fb_zone *xzone;
};

struct worker {
	struct fb_server *s;
	int idx;
	pthread_t th;
	int ep;
	struct item stop;
	struct item udp[MAX_LISTEN], tcp[MAX_LISTEN];
	int nl;
	struct fb_stats *st;
	struct fb_zone *zone;
	unsigned gen;
	struct conn *head, *tail;
	int nconn;
	uint8_t qbuf[DNS_MSG_MAX + 1];
	uint8_t rbuf[DNS_MSG_MAX + 2];
};

struct pc {			/* connections per client address */
	struct pc *next;
	uint8_t a[16];
	unsigned n;
};

struct fb_server {
	struct fb_server_opts o;
	const struct fb_conf *cf;
	struct worker *w;
	int nw;
	struct fb_stats *stats;		/* nw + 1 blocks: workers, then main */
	atomic_uint tcp_total;
	pthread_mutex_t pc_mu;
	struct pc *pc[PC_BUCKETS];
	bool started;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------- sockets */

static int parse_listen(const char *s, unsigned port, struct sockaddr_storage *ss,
			socklen_t *sl)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*sl = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*sl = sizeof(*s6);
		return 0;
	}
	return -1;
}

static int open_socket(const struct sockaddr_storage *ss, socklen_t sl, bool tcp,
		       char *err, size_t errlen, const char *name)
{
	int one = 1, fd;
	int fam = ss->ss_family;

	fd = socket(fam, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		goto fail;
	if (fam == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto fail;
	if (!tcp) {
		if (fam == AF_INET &&
		    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)))
			goto fail;
		if (fam == AF_INET6 &&
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)))
			goto fail;
	}
	if (bind(fd, (const struct sockaddr *)ss, sl))
		goto fail;
	if (tcp && listen(fd, TCP_BACKLOG))
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "cannot %s %s/%s: %s", fd < 0 ? "open a socket for" : "bind",
		 name, tcp ? "tcp" : "udp", strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int ep_add(int ep, struct item *it, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = it };

	return epoll_ctl(ep, EPOLL_CTL_ADD, it->fd, &ev);
}

struct fb_server *fb_server_new(const struct fb_server_opts *o, const struct fb_conf *cf,
				char *err, size_t errlen)
{
	struct fb_server *s = calloc(1, sizeof(*s));
	int i, l;

	if (!s)
		goto oom;
	s->o = *o;
	s->cf = cf;
	s->nw = o->workers ? (int)o->workers : 1;
	pthread_mutex_init(&s->pc_mu, NULL);
	s->w = calloc(s->nw, sizeof(*s->w));
	if (posix_memalign((void **)&s->stats, 64, sizeof(*s->stats) * (s->nw + 1)))
		s->stats = NULL;
	if (!s->w || !s->stats)
		goto oom;
	memset(s->stats, 0, sizeof(*s->stats) * (s->nw + 1));
	if (o->nlisten > MAX_LISTEN) {
		snprintf(err, errlen, "more than %d listen addresses", MAX_LISTEN);
		goto fail;
	}
	for (i = 0; i < s->nw; i++) {
		struct worker *w = &s->w[i];

		w->s = s;
		w->idx = i;
		w->st = &s->stats[i];
		w->ep = -1;
		w->stop.fd = -1;
		for (l = 0; l < MAX_LISTEN; l++)
			w->udp[l].fd = w->tcp[l].fd = -1;
	}
	for (i = 0; i < s->nw; i++) {
		struct worker *w = &s->w[i];

		w->ep = epoll_create1(EPOLL_CLOEXEC);
		w->stop.kind = IT_STOP;
		w->stop.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (w->ep < 0 || w->stop.fd < 0 || ep_add(w->ep, &w->stop, EPOLLIN)) {
			snprintf(err, errlen, "epoll/eventfd: %s", strerror(errno));
			goto fail;
		}
		for (l = 0; l < o->nlisten; l++) {
			struct sockaddr_storage ss;
			socklen_t sl;

			if (parse_listen(o->listen[l], o->port, &ss, &sl)) {
				snprintf(err, errlen, "listen address '%s' is not an IPv4 or IPv6 address",
					 o->listen[l]);
				goto fail;
			}
			w->udp[l].kind = IT_UDP;
			w->udp[l].family = ss.ss_family;
			w->udp[l].fd = open_socket(&ss, sl, false, err, errlen, o->listen[l]);
			if (w->udp[l].fd < 0)
				goto fail;
			w->tcp[l].kind = IT_TCP_LISTEN;
			w->tcp[l].family = ss.ss_family;
			w->tcp[l].fd = open_socket(&ss, sl, true, err, errlen, o->listen[l]);
			if (w->tcp[l].fd < 0)
				goto fail;
			w->nl = l + 1;
			if (ep_add(w->ep, &w->udp[l], EPOLLIN) ||
			    ep_add(w->ep, &w->tcp[l], EPOLLIN)) {
				snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
				goto fail;
			}
		}
	}
	return s;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	fb_server_free(s);
	return NULL;
}

struct fb_stats *fb_server_stats(struct fb_server *s, int *n)
{
	*n = s->nw + 1;
	return s->stats;
}

/* ---------------------------------------------------------------- caps */

static void addr_key(const struct sockaddr_storage *ss, uint8_t a[16])
{
	memset(a, 0, 16);
	if (ss->ss_family == AF_INET) {
		a[10] = a[11] = 0xff;	/* as v4-mapped */
		memcpy(a + 12, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else {
		memcpy(a, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
}

static unsigned addr_hash(const uint8_t a[16])
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	return h % PC_BUCKETS;
}

/* Take a connection slot for this client, or refuse (false). */
static bool cap_take(struct fb_server *s, const struct sockaddr_storage *ss)
{
	uint8_t a[16];
	struct pc *p;
	unsigned h;
	bool ok = false;

	addr_key(ss, a);
	h = addr_hash(a);
	pthread_mutex_lock(&s->pc_mu);
	if (atomic_load(&s->tcp_total) >= s->o.tcp_max_clients)
		goto out;
	for (p = s->pc[h]; p && memcmp(p->a, a, 16); p = p->next)
		;
	if (p && p->n >= s->o.tcp_max_per_client)
		goto out;
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			goto out;
		memcpy(p->a, a, 16);
		p->next = s->pc[h];
		s->pc[h] = p;
	}
	p->n++;
	atomic_fetch_add(&s->tcp_total, 1);
	ok = true;
out:
	pthread_mutex_unlock(&s->pc_mu);
	return ok;
}

static void cap_release(struct fb_server *s, const struct sockaddr_storage *ss)
{
	uint8_t a[16];
	struct pc **pp, *p;

	addr_key(ss, a);
	pthread_mutex_lock(&s->pc_mu);
	for (pp = &s->pc[addr_hash(a)]; (p = *pp); pp = &p->next) {
		if (memcmp(p->a, a, 16))
			continue;
		if (--p->n == 0) {
			*pp = p->next;
			free(p);
		}
		break;
	}
	atomic_fetch_sub(&s->tcp_total, 1);
	pthread_mutex_unlock(&s->pc_mu);
}

/* ---------------------------------------------------------------- UDP */

/* dnstap for one UDP exchange: the server address is the query's
 * destination (IP_PKTINFO / IPV6_PKTINFO in mh's control data). */
static void udp_dnstap(struct worker *w, struct msghdr *mh,
		       const struct sockaddr_storage *client, size_t qlen, size_t rlen,
		       const struct timespec *qtime)
{
	struct sockaddr_storage srv = { .ss_family = 0 };
	struct fb_dnstap_msg m = {
		.transport = FB_UDP, .client = client, .server = &srv,
		.q = w->qbuf, .qlen = qlen, .r = w->rbuf, .rlen = rlen, .qtime = *qtime,
	};
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&srv;
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			s4->sin_family = AF_INET;
			s4->sin_addr = pi.ipi_addr;
			s4->sin_port = htons(w->s->o.port);
			break;
		}
		if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&srv;
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			s6->sin6_family = AF_INET6;
			s6->sin6_addr = pi.ipi6_addr;
			s6->sin6_port = htons(w->s->o.port);
			break;
		}
	}
	if (rlen)
		clock_gettime(CLOCK_REALTIME, &m.rtime);
	fb_dnstap_log(w->s->cf->dnstap, w->idx, &m, w->st);
}

static void udp_read(struct worker *w, struct item *it)
{
	const struct fb_conf *cf = w->s->cf;

	for (int n = 0; n < UDP_BATCH; n++) {
		struct fb_client cl = { .transport = FB_UDP, .now = time(NULL) };
		union {
			char b[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			       CMSG_SPACE(sizeof(struct in_pktinfo))];
			struct cmsghdr align;
		} cbuf, obuf;
		struct iovec iov = { w->qbuf, sizeof(w->qbuf) };
		size_t cbuf_len;
		struct msghdr mh = {
			.msg_name = &cl.addr, .msg_namelen = sizeof(cl.addr),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf.b, .msg_controllen = sizeof(cbuf.b),
		};
		struct fb_result res;
		struct cmsghdr *cm;
		ssize_t len;
		size_t rlen;

		struct timespec qtime;

		len = recvmsg(it->fd, &mh, MSG_DONTWAIT);
		if (len < 0)
			return;	/* EAGAIN, or an ICMP error: nothing to do */
		if (mh.msg_flags & MSG_TRUNC)
			len = 0;	/* over 64 KiB cannot be DNS */
		cbuf_len = mh.msg_controllen;
		if (cf->dnstap)
			clock_gettime(CLOCK_REALTIME, &qtime);
		rlen = fb_answer(cf, w->zone, w->qbuf, len, &cl, w->rbuf, DNS_MSG_MAX, &res);
		if (rlen && cf->rrl) {
			/* design.md 14a: over the rate, drop or slip. */
			struct timespec mono;
			enum fb_rrl_verdict v;

			clock_gettime(CLOCK_MONOTONIC, &mono);
			v = fb_rrl_check(cf->rrl, &res, rlen, &cl.addr,
					 (uint64_t)mono.tv_sec * RX_NS_PER_S + mono.tv_nsec, w->st);
			if (v == FB_RRL_DROP) {
				rlen = 0;
			} else if (v == FB_RRL_SLIP) {
				struct fb_result sres;
				enum fb_kind kind = res.kind;

				cl.slip = true;
				rlen = fb_answer(cf, w->zone, w->qbuf, len, &cl, w->rbuf,
						 DNS_MSG_MAX, &sres);
				res = sres;
				res.kind = kind;
			}
		}
		fb_stats_count(w->st, &res, FB_UDP, cl.addr.ss_family, len, rlen);
		fb_rssac_count(FB_UDP, &cl.addr, len, rlen, res.rcode);
		fb_top_count(cf->top, w->idx, w->qbuf, len, &res, w->st);
		if (!rlen) {
			if (cf->dnstap)
				udp_dnstap(w, &mh, &cl.addr, len, 0, &qtime);
			continue;
		}
		/* reply from the address the query was sent to */
		{
			struct msghdr rm = { .msg_control = cbuf.b,
					     .msg_controllen = mh.msg_controllen };
			size_t used = 0;

			memset(&obuf, 0, sizeof(obuf));
			for (cm = CMSG_FIRSTHDR(&rm); cm; cm = CMSG_NXTHDR(&rm, cm)) {
				struct cmsghdr *oc = (struct cmsghdr *)obuf.b;

				if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
					struct in_pktinfo pi;

					memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
					pi.ipi_spec_dst = pi.ipi_addr;
					pi.ipi_ifindex = 0;
					oc->cmsg_level = IPPROTO_IP;
					oc->cmsg_type = IP_PKTINFO;
					oc->cmsg_len = CMSG_LEN(sizeof(pi));
					memcpy(CMSG_DATA(oc), &pi, sizeof(pi));
					used = CMSG_SPACE(sizeof(pi));
					break;
				}
				if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
					struct in6_pktinfo pi;

					memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
					oc->cmsg_level = IPPROTO_IPV6;
					oc->cmsg_type = IPV6_PKTINFO;
					oc->cmsg_len = CMSG_LEN(sizeof(pi));
					memcpy(CMSG_DATA(oc), &pi, sizeof(pi));
					used = CMSG_SPACE(sizeof(pi));
					break;
				}
			}
			iov.iov_base = w->rbuf;
			iov.iov_len = rlen;
			mh.msg_control = used ? obuf.b : NULL;
			mh.msg_controllen = used;
			mh.msg_flags = 0;
		}
		if (sendmsg(it->fd, &mh, MSG_DONTWAIT) < 0) {
			rx_debug("udp send: %s", strerror(errno));
			rlen = 0;
		}
		if (cf->dnstap) {
			mh.msg_control = cbuf.b;	/* the query's, for its destination */
			mh.msg_controllen = cbuf_len;
			udp_dnstap(w, &mh, &cl.addr, len, rlen, &qtime);
		}
	}
}

/* ---------------------------------------------------------------- TCP */

static void lru_unlink(struct worker *w, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		w->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		w->tail = c->prev;
	c->prev = c->next = NULL;
}

static void lru_touch(struct worker *w, struct conn *c)
{
	c->last_ms = now_ms();
	if (w->tail == c)
		return;
	if (c->prev || c->next || w->head == c)
		lru_unlink(w, c);
	c->prev = w->tail;
	if (w->tail)
		w->tail->next = c;
	else
		w->head = c;
	w->tail = c;
}

static void conn_close(struct worker *w, struct conn *c, enum fb_stat why)
{
	lru_unlink(w, c);
	epoll_ctl(w->ep, EPOLL_CTL_DEL, c->it.fd, NULL);
	close(c->it.fd);
	cap_release(w->s, &c->peer);
	fb_stat_add(w->st, why, 1);
	fb_zone_unref(c->xzone);
	free(c->in);
	free(c->out);
	free(c);
	w->nconn--;
}

static void conn_events(struct worker *w, struct conn *c, uint32_t ev)
{
	if (ev == c->events)
		return;
	struct epoll_event e = { .events = ev, .data.ptr = c };

	epoll_ctl(w->ep, EPOLL_CTL_MOD, c->it.fd, &e);
	c->events = ev;
}

static int out_reserve(struct conn *c, size_t n)
{
	if (c->outoff && c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	if (c->outlen + n <= c->outcap)
		return 0;
	if (c->outoff) {
		memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
		c->outlen -= c->outoff;
		c->outoff = 0;
		if (c->outlen + n <= c->outcap)
			return 0;
	}
	size_t cap = c->outcap ? c->outcap : 4096;

	while (cap < c->outlen + n)
		cap *= 2;
	uint8_t *p = realloc(c->out, cap);

	if (!p)
		return -1;
	c->out = p;
	c->outcap = cap;
	return 0;
}

static int out_msg(struct worker *w, struct conn *c, size_t rlen)
{
	if (out_reserve(c, rlen + 2))
		return -1;
	c->out[c->outlen] = rlen >> 8;
	c->out[c->outlen + 1] = rlen & 0xff;
	memcpy(c->out + c->outlen + 2, w->rbuf, rlen);
	c->outlen += rlen + 2;
	return 0;
}

static size_t pending(const struct conn *c)
{
	return c->outlen - c->outoff;
}

/* Generate transfer messages while the output is below OUT_HIGH. */
static int xfr_fill(struct worker *w, struct conn *c)
{
	while (c->xfr && pending(c) < OUT_HIGH) {
		size_t n = fb_xfr_next(c->xzone, &c->xres, w->rbuf, DNS_MSG_MAX);

		if (n && out_msg(w, c, n))
			return -1;
		fb_stat_add(w->st, FB_S_BYTES_OUT, n);
		if (!c->xres.xfr) {
			c->xfr = false;
			fb_zone_unref(c->xzone);
			c->xzone = NULL;
		}
	}
	return 0;
}

/* A TSIG that failed, or a transfer refused, over TCP (a source that
 * completed a handshake: not spoofed, so worth a line; over UDP they are
 * only counted). */
static void log_refused(const struct conn *c, const struct fb_result *res)
{
	char a[INET6_ADDRSTRLEN] = "?";
	const void *p = c->peer.ss_family == AF_INET6 ?
		(const void *)&((const struct sockaddr_in6 *)&c->peer)->sin6_addr :
		(const void *)&((const struct sockaddr_in *)&c->peer)->sin_addr;

	inet_ntop(c->peer.ss_family, p, a, sizeof(a));
	if (res->tsig_error)
		rx_warn("TSIG from %s refused: key '%s': %s", a, res->tsig_key,
			rx_tsig_error_str(res->tsig_error));
	else if (!strstr(res->refused, "axfr-allow-key"))
		/* an address outside axfr-allow: scanners do that all day */
		rx_info("transfer to %s refused: %s", a, res->refused);
	else
		rx_warn("transfer to %s refused: %s%s%s%s", a, res->refused,
			res->tsig ? " (key '" : "", res->tsig ? res->tsig_ctx.key.name : "",
			res->tsig ? "')" : "");
}

/* Answer every complete query in the input buffer, in order, while the
 * output has room and no transfer is streaming. */
static int conn_process(struct worker *w, struct conn *c)
{
	const struct fb_conf *cf = w->s->cf;
	size_t off = 0;

	while (!c->xfr && pending(c) < OUT_HIGH && c->inlen - off >= 2) {
		size_t qlen = (size_t)c->in[off] << 8 | c->in[off + 1], rlen;
		struct fb_client cl = { .transport = FB_TCP, .now = time(NULL), .addr = c->peer };
		struct fb_result res;

		struct timespec qtime;

		if (c->inlen - off < 2 + qlen)
			break;
		if (cf->dnstap)
			clock_gettime(CLOCK_REALTIME, &qtime);
		rlen = fb_answer(cf, w->zone, c->in + off + 2, qlen, &cl, w->rbuf,
				 DNS_MSG_MAX, &res);
		fb_stats_count(w->st, &res, FB_TCP, c->peer.ss_family, qlen, rlen);
		fb_rssac_count(FB_TCP, &c->peer, qlen, rlen, res.rcode);
		fb_top_count(cf->top, w->idx, c->in + off + 2, qlen, &res, w->st);
		if (cf->dnstap) {
			/* response time: when it is queued on the connection */
			struct fb_dnstap_msg m = {
				.transport = FB_TCP, .client = &c->peer, .server = &c->local,
				.q = c->in + off + 2, .qlen = qlen, .r = w->rbuf, .rlen = rlen,
				.qtime = qtime,
			};

			if (rlen)
				clock_gettime(CLOCK_REALTIME, &m.rtime);
			fb_dnstap_log(cf->dnstap, w->idx, &m, w->st);
		}
		off += 2 + qlen;
		if (res.tsig_error || (res.kind == FB_K_XFR_REFUSED && res.refused))
			log_refused(c, &res);
		if (rlen && out_msg(w, c, rlen))
			return -1;
		if (res.xfr) {
			c->xfr = true;
			c->xres = res;
			c->xzone = w->zone;
			fb_zone_ref(c->xzone);
			rx_info("%s transfer of serial %u to a client started%s%s%s",
				res.kind == FB_K_AXFR ? "AXFR" : "IXFR", c->xzone->serial,
				res.tsig ? " (TSIG key '" : "", res.tsig ? res.tsig_ctx.key.name : "",
				res.tsig ? "')" : "");
			if (xfr_fill(w, c))
				return -1;
		}
	}
	if (off) {
		memmove(c->in, c->in + off, c->inlen - off);
		c->inlen -= off;
	}
	return 0;
}

static int conn_write(struct conn *c)
{
	while (pending(c)) {
		ssize_t n = send(c->it.fd, c->out + c->outoff, pending(c),
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->outoff += n;
	}
	c->outoff = c->outlen = 0;
	return 0;
}

/* Read what is there, answer, write; then choose the events to wait for. */
static void conn_io(struct worker *w, struct conn *c, uint32_t ev)
{
	bool progress = false;

	if (ev & (EPOLLERR)) {
		conn_close(w, c, FB_S_TCP_CLOSED);
		return;
	}
	if ((ev & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) && !c->eof) {
		for (;;) {
			size_t want = 2 + DNS_MSG_MAX;	/* at most one message buffered */
			ssize_t n;

			if (c->inlen >= want)
				break;
			if (!c->in) {
				c->in = malloc(want);
				if (!c->in) {
					conn_close(w, c, FB_S_TCP_CLOSED);
					return;
				}
				c->incap = want;
			}
			n = recv(c->it.fd, c->in + c->inlen, want - c->inlen, MSG_DONTWAIT);
			if (n > 0) {
				c->inlen += n;
				progress = true;
				if (conn_process(w, c))
					goto fail;
				continue;
			}
			if (n == 0)
				c->eof = true;
			else if (errno != EAGAIN && errno != EINTR)
				goto fail;
			break;
		}
	}
	for (int round = 0; round < 64; round++) {
		size_t before = pending(c);

		if (conn_write(c))
			goto fail;
		if (before != pending(c))
			progress = true;
		if (xfr_fill(w, c) || conn_process(w, c))
			goto fail;
		if (!pending(c) || pending(c) == before)
			break;
	}
	if (progress)
		lru_touch(w, c);
	if (c->eof && !pending(c) && !c->xfr) {
		conn_close(w, c, FB_S_TCP_CLOSED);
		return;
	}
	uint32_t want = EPOLLRDHUP;

	if (pending(c))
		want |= EPOLLOUT;
	if (!c->eof && !c->xfr && pending(c) < OUT_HIGH && c->inlen < 2 + DNS_MSG_MAX)
		want |= EPOLLIN;
	conn_events(w, c, want);
	return;
fail:
	conn_close(w, c, FB_S_TCP_CLOSED);
}

static void tcp_accept(struct worker *w, struct item *it)
{
	for (int n = 0; n < 64; n++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(it->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;
		int one = 1;

		if (fd < 0)
			return;
		if (!cap_take(w->s, &ss)) {
			/* RFC 7766 6.2.2: over the limit, close at once */
			fb_stat_add(w->st, FB_S_TCP_REJECTED, 1);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			cap_release(w->s, &ss);
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->it.kind = IT_CONN;
		c->it.fd = fd;
		c->it.family = ss.ss_family;
		c->peer = ss;
		if (w->s->cf->dnstap) {
			socklen_t ll = sizeof(c->local);

			if (getsockname(fd, (struct sockaddr *)&c->local, &ll))
				c->local.ss_family = 0;
		}
		c->events = EPOLLIN | EPOLLRDHUP;
		if (ep_add(w->ep, &c->it, c->events)) {
			cap_release(w->s, &ss);
			close(fd);
			free(c);
			continue;
		}
		w->nconn++;
		lru_touch(w, c);
		fb_stat_add(w->st, FB_S_TCP_ACCEPTED, 1);
	}
}

/* Close connections without progress for tcp-idle-timeout; returns the
 * epoll timeout until the next one is due. */
static int idle_sweep(struct worker *w)
{
	uint64_t now = now_ms(), to = w->s->o.tcp_idle_timeout_ms;

	while (w->head && now - w->head->last_ms >= to)
		conn_close(w, w->head, FB_S_TCP_IDLE_CLOSED);
	if (!w->head)
		return 1000;
	return (int)(w->head->last_ms + to - now) + 1;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event ev[EPOLL_BATCH];
	bool stop = false;

	while (!stop) {
		int n = epoll_wait(w->ep, ev, EPOLL_BATCH, idle_sweep(w));

		fb_live_sync(&w->zone, &w->gen);
		for (int i = 0; i < n; i++) {
			struct item *it = ev[i].data.ptr;

			switch (it->kind) {
			case IT_UDP:
				udp_read(w, it);
				break;
			case IT_TCP_LISTEN:
				tcp_accept(w, it);
				break;
			case IT_CONN:
				conn_io(w, (struct conn *)it, ev[i].events);
				break;
			case IT_STOP:
				stop = true;
				break;
			}
		}
	}
	while (w->head)
		conn_close(w, w->head, FB_S_TCP_CLOSED);
	fb_zone_unref(w->zone);
	w->zone = NULL;
	return NULL;
}

int fb_server_start(struct fb_server *s)
{
	for (int i = 0; i < s->nw; i++) {
		int rc = pthread_create(&s->w[i].th, NULL, worker_main, &s->w[i]);

		if (rc) {
			rx_err("cannot start worker %d: %s", i, strerror(rc));
			for (int j = 0; j < i; j++) {
				uint64_t one = 1;

				if (write(s->w[j].stop.fd, &one, sizeof(one)) < 0)
					continue;
				pthread_join(s->w[j].th, NULL);
			}
			return -1;
		}
	}
	s->started = true;
	return 0;
}

void fb_server_stop(struct fb_server *s)
{
	if (!s->started)
		return;
	for (int i = 0; i < s->nw; i++) {
		uint64_t one = 1;

		if (write(s->w[i].stop.fd, &one, sizeof(one)) < 0)
			rx_warn("cannot stop worker %d: %s", i, strerror(errno));
	}
	for (int i = 0; i < s->nw; i++)
		pthread_join(s->w[i].th, NULL);
	s->started = false;
}

void fb_server_free(struct fb_server *s)
{
	if (!s)
		return;
	for (int i = 0; s->w && i < s->nw; i++) {
		struct worker *w = &s->w[i];

		for (int l = 0; l < MAX_LISTEN; l++) {
			if (w->udp[l].fd >= 0)
				close(w->udp[l].fd);
			if (w->tcp[l].fd >= 0)
				close(w->tcp[l].fd);
		}
		if (w->stop.fd >= 0)
			close(w->stop.fd);
		if (w->ep >= 0)
			close(w->ep);
	}
	for (int h = 0; h < PC_BUCKETS; h++)
		while (s->pc[h]) {
			struct pc *p = s->pc[h];

			s->pc[h] = p->next;
			free(p);
		}
	free(s->w);
	free(s->stats);
	free(s);
}
