// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * dnstap.c - rootxdpd's dnstap output (https://dnstap.info).
 *
 * Every query a worker reads becomes an AUTH_QUERY and every response it
 * sends an AUTH_RESPONSE (each may be turned off), encoded with protobuf-c
 * (fallback/dnstap.proto) and submitted to the worker's own input queue of
 * an fstrm I/O thread: a bounded single-producer ring, so a worker never
 * blocks on the output; when the ring is full the message is dropped and
 * counted (dnstap_dropped).  The I/O thread writes Frame Streams with
 * content type "protobuf:dnstap.Dnstap", as NSD, Knot DNS and BIND do, to
 *   - a file: written by our own fstrm_rdwr (below) so that we know which
 *     file is open; on SIGHUP, if the path no longer names that file (log
 *     rotation moved or removed it), a new I/O thread opens a new file and
 *     the old one is flushed, ended (STOP frame) and closed.  A SIGHUP
 *     without rotation (a zone reload) leaves the file alone;
 *   - a unix socket ("unix:/path"): fstrm's unix writer, which reconnects
 *     by itself (every second) when the reader goes away; while nothing is
 *     connected, queued messages are discarded by fstrm.
 *
 * The swap of I/O threads: workers take their own (uncontended) lock
 * around a submit; main publishes the new sink, then takes and releases
 * every worker's lock once, after which no worker can still be using the
 * old sink, and destroys it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include <fstrm.h>
#include "fb.h"
#include "log.h"
#include "fallback/dnstap.pb-c.h"

#define DNSTAP_CONTENT_TYPE	"protobuf:dnstap.Dnstap"
#define DNSTAP_QUEUE_SIZE	4096	/* per worker, a power of 2 */

/* The file being written (our fstrm_rdwr's state). */
struct file_out {
	char path[PATH_MAX];
	int fd;
	_Atomic uint64_t dev, ino;	/* of the open file; ino 0 = none open */
	bool warned;
};

struct sink {
	struct fstrm_iothr *iothr;
	struct file_out *fo;		/* NULL for a socket */
	struct fstrm_iothr_queue *q[];
};

struct wlock {
	pthread_mutex_t mu;
} __attribute__((aligned(64)));

struct fb_dnstap {
	char dest[PATH_MAX];		/* the file, or the socket's path */
	bool is_unix;
	char identity[RX_IDENT_MAX + 1];
	char version[RX_IDENT_MAX + 1];
	bool log_queries, log_responses;
	unsigned nq;
	struct sink *_Atomic cur;
	struct wlock *locks;		/* nq */
};

/* ---------------------------------------------------------------- file rdwr */

static fstrm_res fo_open(void *obj)
{
	struct file_out *fo = obj;
	struct stat st;

	fo->fd = open(fo->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0640);
	if (fo->fd < 0 || fstat(fo->fd, &st)) {
		if (!fo->warned)
			rx_warn("dnstap: cannot open %s: %s (retrying)", fo->path, strerror(errno));
		fo->warned = true;
		if (fo->fd >= 0)
			close(fo->fd);
		fo->fd = -1;
		return fstrm_res_failure;
	}
	if (fo->warned)
		rx_info("dnstap: writing to %s", fo->path);
	fo->warned = false;
	atomic_store(&fo->dev, (uint64_t)st.st_dev);
	atomic_store(&fo->ino, (uint64_t)st.st_ino);
	return fstrm_res_success;
}

static fstrm_res fo_close(void *obj)
{
	struct file_out *fo = obj;
	int rc = 0;

	if (fo->fd >= 0)
		rc = close(fo->fd);
	fo->fd = -1;
	atomic_store(&fo->ino, 0);
	return rc ? fstrm_res_failure : fstrm_res_success;
}

static fstrm_res fo_write(void *obj, const struct iovec *iov, int iovcnt)
{
	struct file_out *fo = obj;
	size_t total = 0, done;
	ssize_t n;

	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	do
		n = writev(fo->fd, iov, iovcnt);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		goto fail;
	if ((size_t)n == total)
		return fstrm_res_success;
	/* a short write (disk full, a signal): finish one piece at a time */
	done = n;
	for (int i = 0; i < iovcnt; i++) {
		const uint8_t *p = iov[i].iov_base;
		size_t len = iov[i].iov_len;

		if (done >= len) {
			done -= len;
			continue;
		}
		p += done;
		len -= done;
		done = 0;
		while (len) {
			n = write(fo->fd, p, len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				goto fail;
			p += n;
			len -= n;
		}
	}
	return fstrm_res_success;
fail:
	if (!fo->warned)
		rx_warn("dnstap: cannot write %s: %s", fo->path, n < 0 ? strerror(errno) : "short write");
	fo->warned = true;
	return fstrm_res_failure;
}

static fstrm_res fo_destroy(void *obj)
{
	free(obj);
	return fstrm_res_success;
}

/* ---------------------------------------------------------------- sinks */

static void sink_free(struct sink *s)
{
	if (!s)
		return;
	if (s->iothr)
		fstrm_iothr_destroy(&s->iothr);	/* flushes, writes STOP, joins */
	free(s);
}

static struct sink *sink_new(struct fb_dnstap *t, char *err, size_t errlen)
{
	struct fstrm_writer_options *wopt = NULL;
	struct fstrm_iothr_options *iopt = NULL;
	struct fstrm_writer *w = NULL;
	struct sink *s = calloc(1, sizeof(*s) + t->nq * sizeof(s->q[0]));

	if (!s)
		goto oom;
	wopt = fstrm_writer_options_init();
	if (!wopt || fstrm_writer_options_add_content_type(wopt, DNSTAP_CONTENT_TYPE,
							    strlen(DNSTAP_CONTENT_TYPE)))
		goto oom;
	if (t->is_unix) {
		struct fstrm_unix_writer_options *uopt = fstrm_unix_writer_options_init();

		if (!uopt)
			goto oom;
		fstrm_unix_writer_options_set_socket_path(uopt, t->dest);
		w = fstrm_unix_writer_init(uopt, wopt);
		fstrm_unix_writer_options_destroy(&uopt);
	} else {
		struct fstrm_rdwr *rw;

		s->fo = calloc(1, sizeof(*s->fo));
		if (!s->fo)
			goto oom;
		snprintf(s->fo->path, sizeof(s->fo->path), "%s", t->dest);
		s->fo->fd = -1;
		rw = fstrm_rdwr_init(s->fo);
		if (!rw) {
			free(s->fo);
			s->fo = NULL;
			goto oom;
		}
		fstrm_rdwr_set_destroy(rw, fo_destroy);	/* frees s->fo from now on */
		fstrm_rdwr_set_open(rw, fo_open);
		fstrm_rdwr_set_close(rw, fo_close);
		fstrm_rdwr_set_write(rw, fo_write);
		w = fstrm_writer_init(wopt, &rw);
		if (!w)
			fstrm_rdwr_destroy(&rw);
	}
	if (!w)
		goto oom;
	iopt = fstrm_iothr_options_init();
	if (!iopt ||
	    fstrm_iothr_options_set_num_input_queues(iopt, t->nq) ||
	    fstrm_iothr_options_set_input_queue_size(iopt, DNSTAP_QUEUE_SIZE) ||
	    fstrm_iothr_options_set_queue_model(iopt, FSTRM_IOTHR_QUEUE_MODEL_SPSC) ||
	    fstrm_iothr_options_set_reopen_interval(iopt, 1))
		goto oom;
	s->iothr = fstrm_iothr_init(iopt, &w);
	if (!s->iothr) {
		snprintf(err, errlen, "dnstap: cannot start the fstrm I/O thread");
		goto fail;
	}
	for (unsigned i = 0; i < t->nq; i++) {
		s->q[i] = fstrm_iothr_get_input_queue_idx(s->iothr, i);
		if (!s->q[i]) {
			snprintf(err, errlen, "dnstap: no fstrm input queue %u", i);
			goto fail;
		}
	}
	fstrm_iothr_options_destroy(&iopt);
	fstrm_writer_options_destroy(&wopt);
	return s;
oom:
	snprintf(err, errlen, "dnstap: cannot set up the fstrm writer (out of memory?)");
fail:
	if (w)
		fstrm_writer_destroy(&w);
	if (iopt)
		fstrm_iothr_options_destroy(&iopt);
	if (wopt)
		fstrm_writer_options_destroy(&wopt);
	sink_free(s);
	return NULL;
}

/* ---------------------------------------------------------------- API */

struct fb_dnstap *fb_dnstap_new(const struct fb_dnstap_opts *o, char *err, size_t errlen)
{
	struct fb_dnstap *t;
	const char *path = o->dest;
	struct sink *s;
	bool is_unix = false;

	if (!strncmp(path, "unix:", 5)) {
		is_unix = true;
		path += 5;
		if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
			snprintf(err, errlen, "dnstap: socket path '%s' longer than %zu bytes", path,
				 sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
			return NULL;
		}
	}
	if (path[0] != '/') {
		snprintf(err, errlen, "dnstap: '%s' is not an absolute path (a file, or unix:/path)",
			 o->dest);
		return NULL;
	}
	if (!o->nqueues) {
		snprintf(err, errlen, "dnstap: no workers");
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t || posix_memalign((void **)&t->locks, 64, sizeof(*t->locks) * o->nqueues)) {
		free(t);
		snprintf(err, errlen, "dnstap: out of memory");
		return NULL;
	}
	snprintf(t->dest, sizeof(t->dest), "%s", path);
	t->is_unix = is_unix;
	snprintf(t->identity, sizeof(t->identity), "%s", o->identity ? o->identity : "");
	snprintf(t->version, sizeof(t->version), "%s", o->version ? o->version : "");
	t->log_queries = o->log_queries;
	t->log_responses = o->log_responses;
	t->nq = o->nqueues;
	for (unsigned i = 0; i < t->nq; i++)
		pthread_mutex_init(&t->locks[i].mu, NULL);
	s = sink_new(t, err, errlen);
	if (!s) {
		free(t->locks);
		free(t);
		return NULL;
	}
	atomic_store(&t->cur, s);
	return t;
}

void fb_dnstap_free(struct fb_dnstap *t)
{
	if (!t)
		return;
	sink_free(atomic_exchange(&t->cur, NULL));
	for (unsigned i = 0; i < t->nq; i++)
		pthread_mutex_destroy(&t->locks[i].mu);
	free(t->locks);
	free(t);
}

int fb_dnstap_reopen(struct fb_dnstap *t)
{
	struct sink *old, *s;
	struct stat st;
	uint64_t ino;
	char err[256];

	if (!t || t->is_unix)
		return 0;
	old = atomic_load(&t->cur);
	if (!old || !old->fo)
		return 0;
	ino = atomic_load(&old->fo->ino);
	if (!ino)
		return 0;	/* not open: the I/O thread keeps trying */
	if (stat(t->dest, &st) == 0 && (uint64_t)st.st_ino == ino &&
	    (uint64_t)st.st_dev == atomic_load(&old->fo->dev))
		return 0;	/* still the same file */
	s = sink_new(t, err, sizeof(err));
	if (!s) {
		rx_err("%s (keeping the old file)", err);
		return -1;
	}
	atomic_store(&t->cur, s);
	/* After this, no worker is inside a submit to the old sink. */
	for (unsigned i = 0; i < t->nq; i++) {
		pthread_mutex_lock(&t->locks[i].mu);
		pthread_mutex_unlock(&t->locks[i].mu);
	}
	sink_free(old);
	rx_info("dnstap: %s was moved or removed: reopened", t->dest);
	return 1;
}

static void set_addr(ProtobufCBinaryData *b, protobuf_c_boolean *has, uint32_t *port,
		     protobuf_c_boolean *has_port, const struct sockaddr_storage *ss)
{
	if (!ss)
		return;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		b->data = (uint8_t *)&s4->sin_addr;
		b->len = 4;
		*port = ntohs(s4->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		b->data = (uint8_t *)&s6->sin6_addr;
		b->len = 16;
		*port = ntohs(s6->sin6_port);
	} else {
		return;
	}
	*has = *has_port = 1;
}

/* Encode one Dnstap frame and queue it; never blocks. */
static void submit(struct fb_dnstap *t, struct sink *s, unsigned qi, Dnstap__Message *m,
		   const char *extra, struct fb_stats *st)
{
	Dnstap__Dnstap d = DNSTAP__DNSTAP__INIT;
	uint8_t *buf;
	size_t len;

	d.type = DNSTAP__DNSTAP__TYPE__MESSAGE;
	d.message = m;
	if (t->identity[0]) {
		d.identity.data = (uint8_t *)t->identity;
		d.identity.len = strlen(t->identity);
		d.has_identity = 1;
	}
	if (t->version[0]) {
		d.version.data = (uint8_t *)t->version;
		d.version.len = strlen(t->version);
		d.has_version = 1;
	}
	if (extra) {
		d.extra.data = (uint8_t *)extra;
		d.extra.len = strlen(extra);
		d.has_extra = 1;
	}
	len = dnstap__dnstap__get_packed_size(&d);
	buf = malloc(len);
	if (!buf) {
		fb_stat_add(st, FB_S_DNSTAP_DROPPED, 1);
		return;
	}
	dnstap__dnstap__pack(&d, buf);
	if (fstrm_iothr_submit(s->iothr, s->q[qi], buf, len, fstrm_free_wrapper, NULL) !=
	    fstrm_res_success) {
		free(buf);	/* still ours: the queue is full */
		fb_stat_add(st, FB_S_DNSTAP_DROPPED, 1);
		return;
	}
	fb_stat_add(st, FB_S_DNSTAP_SENT, 1);
}

void fb_dnstap_log(struct fb_dnstap *t, unsigned qi, const struct fb_dnstap_msg *x,
		   struct fb_stats *st)
{
	static uint8_t root_zone[1] = { 0 };	/* the zone: "." */
	Dnstap__Message m = DNSTAP__MESSAGE__INIT;
	struct sink *s;
	bool want_q = t->log_queries && x->qlen;
	bool want_r = t->log_responses && x->rlen;

	if ((!want_q && !want_r) || qi >= t->nq)
		return;
	m.has_socket_family = 1;
	m.socket_family = x->client->ss_family == AF_INET6 ? DNSTAP__SOCKET_FAMILY__INET6 :
							     DNSTAP__SOCKET_FAMILY__INET;
	m.has_socket_protocol = 1;
	m.socket_protocol = x->transport == FB_TCP ? DNSTAP__SOCKET_PROTOCOL__TCP :
						     DNSTAP__SOCKET_PROTOCOL__UDP;
	set_addr(&m.query_address, &m.has_query_address, &m.query_port, &m.has_query_port,
		 x->client);
	if (x->server && x->server->ss_family == x->client->ss_family)
		set_addr(&m.response_address, &m.has_response_address, &m.response_port,
			 &m.has_response_port, x->server);
	m.has_query_time_sec = m.has_query_time_nsec = 1;
	m.query_time_sec = x->qtime.tv_sec;
	m.query_time_nsec = x->qtime.tv_nsec;
	m.has_query_zone = 1;
	m.query_zone.data = root_zone;
	m.query_zone.len = 1;

	pthread_mutex_lock(&t->locks[qi].mu);
	s = atomic_load(&t->cur);
	if (s && want_q) {
		m.type = DNSTAP__MESSAGE__TYPE__AUTH_QUERY;
		m.has_query_message = 1;
		m.query_message.data = (uint8_t *)x->q;
		m.query_message.len = x->qlen;
		submit(t, s, qi, &m, x->extra, st);
	}
	if (s && want_r) {
		m.type = DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE;
		m.has_query_message = 0;	/* as NSD and Knot: the response only */
		m.has_response_time_sec = m.has_response_time_nsec = 1;
		m.response_time_sec = x->rtime.tv_sec;
		m.response_time_nsec = x->rtime.tv_nsec;
		m.has_response_message = 1;
		m.response_message.data = (uint8_t *)x->r;
		m.response_message.len = x->rlen;
		submit(t, s, qi, &m, x->extra, st);
	}
	pthread_mutex_unlock(&t->locks[qi].mu);
}
