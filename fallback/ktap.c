// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ktap.c - the kernel paths' dnstap sample into rootxdpd's dnstap stream.
 *
 * The XDP and TC programs put 1 in N answered exchanges (dnstap-sample-rate)
 * into the pinned rx_tap ring buffer, one struct rx_tap_rec each
 * (bpf/tap.h).  A thread of rootxdpd waits on it (libbpf's ring_buffer,
 * epoll on the map's fd) and turns each record into an AUTH_QUERY and an
 * AUTH_RESPONSE through fb_dnstap_log(), on an fstrm input queue of its
 * own, with Dnstap.extra "xdp" or "tc": one stream, one file, as the
 * daemon's own messages, whatever rotation does to it.
 *
 * Why a thread of rootxdpd and not a program of its own: the stream
 * must be one Frame Streams writer (two writers to one file interleave
 * frames), and rootxdpd already has it, its rotation and its counters.
 *
 * The ring buffer is opened and mapped before rootxdpd drops its
 * privileges (bpf(2) needs CAP_BPF; reading a mapped ring does not).  A
 * `rootxdp detach` + `attach` makes a new ring: restart rootxdpd then
 * (an upgrade keeps the ring).  Counted: kernel_tap_read (records),
 * kernel_tap_cut (response longer than RX_TAP_R_MAX, cut); in the kernel:
 * tap_sampled, tap_lost (the ring was full: this thread was behind).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "fb.h"
#include "log.h"
#include "rootxdp.h"

struct fb_ktap {
	struct ring_buffer *rb;
	int fd;
	struct fb_dnstap *t;
	unsigned q;
	struct fb_stats *st;
	pthread_t thr;
	bool started;
	atomic_bool stop;
};

static void to_sockaddr(struct sockaddr_storage *ss, const __u8 *addr, __u16 port, bool v6)
{
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, addr, 16);
		s6->sin6_port = htons(port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, addr, 4);
		s4->sin_port = htons(port);
	}
}

static struct timespec ts_of(__u64 ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ull, .tv_nsec = ns % 1000000000ull };

	return ts;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct fb_ktap *k = ctx;
	const struct rx_tap_rec *r = data;
	struct sockaddr_storage cl, sv;
	struct fb_dnstap_msg m = { .transport = FB_UDP };
	bool v6;

	if (size < sizeof(*r))
		return 0;	/* not ours: another build's programs */
	fb_stat_add(k->st, FB_S_KTAP_READ, 1);
	if (r->rlen_full > r->rlen)
		fb_stat_add(k->st, FB_S_KTAP_CUT, 1);
	v6 = r->flags & RX_TAP_V6;
	to_sockaddr(&cl, r->client, r->cport, v6);
	to_sockaddr(&sv, r->server, r->sport, v6);
	m.client = &cl;
	m.server = &sv;
	m.q = r->q;
	m.qlen = r->qlen <= RX_TAP_Q_MAX ? r->qlen : RX_TAP_Q_MAX;
	m.r = r->r;
	m.rlen = r->rlen <= RX_TAP_R_MAX ? r->rlen : RX_TAP_R_MAX;
	m.qtime = ts_of(r->qtime_ns);
	m.rtime = ts_of(r->rtime_ns);
	m.extra = r->path == RX_PATH_TC ? "tc" : "xdp";
	fb_dnstap_log(k->t, k->q, &m, k->st);
	return 0;
}

struct fb_ktap *fb_ktap_open(const char *pin_root, struct fb_stats *st)
{
	char path[PATH_MAX];
	struct fb_ktap *k;

	if (snprintf(path, sizeof(path), "%s/rx_tap", pin_root) >= (int)sizeof(path))
		return NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->fd = bpf_obj_get(path);
	if (k->fd < 0) {
		rx_warn("dnstap: no kernel sample: cannot open %s: %s (rootxdp attach first, "
			"then start rootxdpd; or dnstap-sample-rate = 0)", path, strerror(errno));
		free(k);
		return NULL;
	}
	k->rb = ring_buffer__new(k->fd, on_record, k, NULL);
	if (!k->rb) {
		rx_warn("dnstap: no kernel sample: cannot map %s: %s", path, strerror(errno));
		close(k->fd);
		free(k);
		return NULL;
	}
	k->st = st;
	return k;
}

static void *ktap_main(void *arg)
{
	struct fb_ktap *k = arg;

	while (!atomic_load(&k->stop)) {
		int n = ring_buffer__poll(k->rb, 200);

		if (n < 0 && n != -EINTR) {
			rx_err("dnstap: reading the kernel sample: %s (stopped)", strerror(-n));
			break;
		}
	}
	ring_buffer__consume(k->rb);	/* what came in before the stop */
	return NULL;
}

int fb_ktap_start(struct fb_ktap *k, struct fb_dnstap *t, unsigned q)
{
	int rc;

	if (!k || !t)
		return 0;
	k->t = t;
	k->q = q;
	rc = pthread_create(&k->thr, NULL, ktap_main, k);
	if (rc) {
		rx_err("dnstap: cannot start the kernel sample reader: %s", strerror(rc));
		return -rc;
	}
	k->started = true;
	return 0;
}

void fb_ktap_free(struct fb_ktap *k)
{
	if (!k)
		return;
	if (k->started) {
		atomic_store(&k->stop, true);
		pthread_join(k->thr, NULL);
	}
	ring_buffer__free(k->rb);
	close(k->fd);
	free(k);
}
