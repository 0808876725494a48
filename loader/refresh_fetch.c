// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * refresh_fetch.c - the zone sources of `rootxdp refresh`: an http(s) URL
 * through curl with a conditional download, or AXFR from a primary (ldns).
 * A file source needs no fetching (refresh.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <ldns/ldns.h>
#undef dprintf	/* ldns/util.h defines a debug macro of that name */
#include "cmd.h"
#include "log.h"
#include "refresh.h"
#include "tsig.h"
#include "zone_maps.h"

/* ---- sources ---- */

enum src_kind src_kind(const char *s)
{
	if (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8))
		return SRC_HTTP;
	if (!strncmp(s, "axfr://", 7))
		return SRC_AXFR;
	return SRC_FILE;
}

/* 1 = a new file in r->zone, 0 = not modified, -1 failed (said). */
int fetch_http(struct refresh *r)
{
	char code_s[16];
	struct tail out = { .len = 0 }, errt = { .len = 0 };
	char *argv[24];
	int a = 0, st;
	bool have_keep;

	if (rx_fmt(r->http_keep, sizeof(r->http_keep), "%s/zone.download", r->work_dir) ||
	    rx_fmt(r->http_tmp, sizeof(r->http_tmp), "%s/zone.download.tmp", r->work_dir)) {
		rx_err("state-dir %s: path too long", r->c.state_dir);
		return -1;
	}
	unlink(r->http_tmp);
	have_keep = !r->recompile && access(r->http_keep, R_OK) == 0;
	argv[a++] = (char *)"curl";
	argv[a++] = (char *)"-fsS";
	argv[a++] = (char *)"--compressed";
	argv[a++] = (char *)"-R";		/* the file gets Last-Modified */
	argv[a++] = (char *)"--connect-timeout";
	argv[a++] = (char *)CURL_CONNECT_TIMEOUT;
	argv[a++] = (char *)"--max-time";
	argv[a++] = (char *)CURL_MAX_TIME;
	argv[a++] = (char *)"-w";
	argv[a++] = (char *)"%{http_code}";
	if (have_keep) {
		/* If-Modified-Since: the last download's Last-Modified. */
		argv[a++] = (char *)"-z";
		argv[a++] = r->http_keep;
	}
	argv[a++] = (char *)"-o";
	argv[a++] = r->http_tmp;
	argv[a++] = (char *)"--";
	argv[a++] = (char *)r->source;
	argv[a] = NULL;
	rx_info("downloading %s%s", r->source, have_keep ? " (if modified)" : "");
	st = run(argv, &out, &errt);
	if (st == 127) {
		rx_err("cannot download the zone: curl is not installed (apt-get install curl)");
		return -1;
	}
	if (st != 0) {
		rx_err("cannot download the zone from %s: %s (still serving serial %u)", r->source,
		       errt.len ? tail_last(&errt) : st < 0 ? rx_strerr(st) : "curl failed",
		       r->served);
		unlink(r->http_tmp);
		return -1;
	}
	rx_strlcpy(code_s, tail_last(&out), sizeof(code_s));
	if (!strcmp(code_s, "304") || access(r->http_tmp, F_OK)) {
		rx_info("%s: not modified since the last download", r->source);
		unlink(r->http_tmp);
		return 0;
	}
	rx_info("downloaded %s (HTTP %s)", r->source, code_s);
	rx_strlcpy(r->zone, r->http_tmp, sizeof(r->zone));
	return 1;
}

/* Keep the download for the next If-Modified-Since, once it was used. */
void http_keep(struct refresh *r)
{
	if (r->http_tmp[0] && !access(r->http_tmp, F_OK) && rename(r->http_tmp, r->http_keep))
		rx_warn("cannot rename %s: %s", r->http_tmp, strerror(errno));
}

void http_drop(struct refresh *r)
{
	if (r->http_tmp[0])
		unlink(r->http_tmp);
}

/* "axfr://HOST[:PORT][/]", HOST an address, [v6], or a name. */
int axfr_parse(const char *src, char *host, size_t hlen, unsigned *port)
{
	const char *h = src + 7, *e, *p = NULL;
	char *end;
	size_t n;

	*port = 53;
	if (*h == '[') {
		e = strchr(h, ']');
		if (!e)
			return -1;
		h++;
		n = (size_t)(e - h);
		if (e[1] == ':')
			p = e + 2;
		else if (e[1] && strcmp(e + 1, "/"))
			return -1;
	} else {
		e = h + strcspn(h, ":/");
		n = (size_t)(e - h);
		if (*e == ':')
			p = e + 1;
		else if (*e && strcmp(e, "/"))
			return -1;
	}
	if (!n || n >= hlen)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	if (p) {
		unsigned long v = strtoul(p, &end, 10);

		if (end == p || (*end && strcmp(end, "/")) || !v || v > 65535)
			return -1;
		*port = (unsigned)v;
	}
	return 0;
}

/* The primary's address (host: an address or a name) as text. */
static int axfr_resolve(const char *host, char *addr, size_t alen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG }, *ai;
	int e = getaddrinfo(host, NULL, &hints, &ai);

	if (e) {
		rx_err("cannot resolve the primary '%s': %s", host, gai_strerror(e));
		return -1;
	}
	if (ai->ai_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, addr,
			  (socklen_t)alen);
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, addr,
			  (socklen_t)alen);
	freeaddrinfo(ai);
	return 0;
}

/* Connect over TCP to the primary's address; -1 when it failed (said). */
static int axfr_connect(const struct refresh *r, const char *addr, unsigned port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST }, *ai;
	struct timeval tv = { AXFR_TIMEOUT_S, 0 };
	char ps[8];
	int fd;

	snprintf(ps, sizeof(ps), "%u", port);
	if (getaddrinfo(addr, ps, &hints, &ai)) {
		rx_err("cannot use the primary's address %s", addr);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* SO_SNDTIMEO bounds connect() too (Linux). */
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		rx_err("cannot start AXFR from %s (%s port %u): %s (still serving serial %u)",
		       r->source, addr, port, strerror(errno), r->served);
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static int read_full(int fd, uint8_t *b, size_t n)
{
	while (n) {
		ssize_t k = read(fd, b, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k == 0 ? -ECONNRESET : -errno;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

static const char *rcode_name(unsigned rc)
{
	const ldns_lookup_table *l = ldns_lookup_by_id(ldns_rcodes, (int)rc);

	return l ? l->name : "?";
}

/* The transfer itself: query (signed with key when given), then every
 * message until the closing SOA, each RR printed to f.  Each message is
 * checked against the key as RFC 8945 5.3.1 says: the first and the last
 * signed, never more than 99 unsigned in a row.  0, or -1 (said). */
static int axfr_stream(struct refresh *r, int fd, const struct rx_tsig_key *key, FILE *f,
		       long *nrr)
{
	static uint8_t m[65536];
	uint8_t q[512];
	struct rx_tsig_ctx t;
	size_t qlen = 12;
	unsigned id, nmsg = 0;
	long nsoa = 0;
	int rc = -1;

	if (key)
		rx_tsig_ctx_init(&t, key);
	/* q: the two-byte length (RFC 1035 4.2.2), then the message */
	id = (unsigned)(time(NULL) ^ getpid()) & 0xffff;
	memset(q, 0, 14);
	q[2] = id >> 8;
	q[3] = id & 0xff;
	q[7] = 1;				/* QDCOUNT */
	memcpy(q + 14, "\0\0\xfc\0\x01", 5);	/* . AXFR IN */
	qlen += 5;
	if (key) {
		qlen = rx_tsig_sign(&t, q + 2, qlen, sizeof(q) - 2, (uint64_t)time(NULL), 0, NULL, 0);
		if (!qlen) {
			rx_err("cannot sign the AXFR query with TSIG key '%s'", key->name);
			goto out;
		}
	}
	q[0] = (uint8_t)(qlen >> 8);
	q[1] = (uint8_t)qlen;
	if (write(fd, q, qlen + 2) != (ssize_t)(qlen + 2)) {
		rx_err("cannot send the AXFR query to %s: %s (still serving serial %u)", r->source,
		       strerror(errno), r->served);
		goto out;
	}
	while (nsoa < 2) {
		struct rx_tsig_rr tr;
		ldns_pkt *pkt = NULL;
		size_t len;
		int e, has;

		e = read_full(fd, m, 2);
		len = (size_t)m[0] << 8 | m[1];
		if (!e)
			e = len < 12 ? -EBADMSG : read_full(fd, m, len);
		if (e) {
			rx_err("AXFR from %s failed after %ld records: %s (still serving serial %u)",
			       r->source, *nrr, e == -ECONNRESET ? "the primary closed the connection" :
			       rx_strerr(e), r->served);
			goto out;
		}
		nmsg++;
		if (((unsigned)m[0] << 8 | m[1]) != id || !(m[2] & 0x80)) {
			rx_err("AXFR from %s: message %u is not an answer to our query (still serving "
			       "serial %u)", r->source, nmsg, r->served);
			goto out;
		}
		has = rx_tsig_rr_find(m, len, &tr);
		if (has < 0) {
			rx_err("AXFR from %s: message %u is malformed (still serving serial %u)",
			       r->source, nmsg, r->served);
			goto out;
		}
		if ((m[3] & 0x0f) != 0) {
			if (has > 0 && tr.error)
				rx_err("AXFR from %s refused by the primary: TSIG key '%s': %s (rcode "
				       "%s) (still serving serial %u)", r->source,
				       key ? key->name : "(one we did not send)",
				       rx_tsig_error_str(tr.error), rcode_name(m[3] & 0x0f), r->served);
			else
				rx_err("AXFR from %s refused by the primary: rcode %s%s (still serving "
				       "serial %u)", r->source, rcode_name(m[3] & 0x0f),
				       key ? "" : " (does it want a TSIG key? zone-source-key)",
				       r->served);
			goto out;
		}
		if (key) {
			e = rx_tsig_verify(&t, m, len, has > 0 ? &tr : NULL, (uint64_t)time(NULL));
			if (e == -1 && (t.nsigned == 0 || t.unsigned_run > RX_TSIG_UNSIGNED_MAX)) {
				rx_err("AXFR from %s refused: TSIG key '%s': message %u is not signed "
				       "(%s) (still serving serial %u)", r->source, key->name, nmsg,
				       t.nsigned ? "more than 99 unsigned in a row" :
				       "the first must be", r->served);
				goto out;
			}
			if (e > 0) {
				rx_err("AXFR from %s refused: message %u fails TSIG key '%s': %s (still "
				       "serving serial %u)", r->source, nmsg, key->name,
				       rx_tsig_error_str((unsigned)e), r->served);
				goto out;
			}
		}
		if (ldns_wire2pkt(&pkt, m, len) != LDNS_STATUS_OK) {
			rx_err("AXFR from %s: message %u does not parse (still serving serial %u)",
			       r->source, nmsg, r->served);
			goto out;
		}
		for (size_t i = 0; i < ldns_rr_list_rr_count(ldns_pkt_answer(pkt)); i++) {
			ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(pkt), i);

			if (nsoa >= 2) {
				rx_err("AXFR from %s: records after the closing SOA (still serving "
				       "serial %u)", r->source, r->served);
				ldns_pkt_free(pkt);
				goto out;
			}
			/* RFC 5936 2.2: the SOA opens and closes the transfer. */
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && nsoa++)
				continue;
			if (!nsoa) {
				rx_err("AXFR from %s: the first record is not the SOA (still serving "
				       "serial %u)", r->source, r->served);
				ldns_pkt_free(pkt);
				goto out;
			}
			ldns_rr_print(f, rr);
			(*nrr)++;
		}
		ldns_pkt_free(pkt);
	}
	if (key && t.unsigned_run) {
		rx_err("AXFR from %s refused: TSIG key '%s': the last message is not signed (still "
		       "serving serial %u)", r->source, key->name, r->served);
		goto out;
	}
	if (key)
		rx_info("AXFR from %s: %u messages, %u signed with TSIG key '%s', all verified",
			r->source, nmsg, t.nsigned, key->name);
	rc = 0;
out:
	if (key)
		rx_tsig_ctx_free(&t);
	return rc;
}

/* 1 = zone transferred into r->zone, 0 = the primary's serial is the one
 * served (no transfer), 2 failed or refused (said).  As the user. */
static int axfr_job(struct refresh *r)
{
	char host[256], addr[INET6_ADDRSTRLEN], tmp[PATH_MAX], e[300];
	const struct rx_tsig_key *key = NULL;
	unsigned port;
	__u32 serial;
	long nrr = 0;
	FILE *f = NULL;
	int rc = 2, fd = -1;

	if (axfr_parse(r->source, host, sizeof(host), &port)) {
		rx_err("zone-source '%s': expected axfr://HOST[:PORT]", r->source);
		return 2;
	}
	if (r->key_name && r->key_name[0]) {
		key = rx_tsig_key_find(&r->keys, r->key_name);
		if (!key) {
			rx_err("zone-source-key '%s' is not a key of tsig-key or tsig-key-file",
			       r->key_name);
			return 2;
		}
	}
	if (axfr_resolve(host, addr, sizeof(addr)))
		return 2;
	/* Ask the serial first: no transfer when it is the served one. */
	if (rx_soa_query(addr, port, false, 5000, &serial, e, sizeof(e)) &&
	    rx_soa_query(addr, port, true, 5000, &serial, e, sizeof(e))) {
		rx_err("cannot reach the primary %s: %s (still serving serial %u)", r->source, e,
		       r->served);
		goto out;
	}
	rx_info("primary %s has serial %u", r->source, serial);
	if (r->have_served && serial == r->served && !r->recompile) {
		rc = 0;
		goto out;
	}
	if (r->have_served && !rx_serial_newer(serial, r->served) &&
	    !(r->recompile && serial == r->served)) {
		rx_err("refusing the zone from %s: serial %u is older than the served %u",
		       r->source, serial, r->served);
		goto out;
	}
	if (rx_fmt(r->zone, sizeof(r->zone), "%s/zone.axfr", r->work_dir) ||
	    rx_fmt(tmp, sizeof(tmp), "%s/zone.axfr.tmp", r->work_dir)) {
		rx_err("state-dir %s: path too long", r->c.state_dir);
		goto out;
	}
	f = fopen(tmp, "w");
	if (!f) {
		rx_err("cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = axfr_connect(r, addr, port);
	if (fd < 0)
		goto out;
	if (axfr_stream(r, fd, key, f, &nrr))
		goto out;
	if (fflush(f) || fsync(fileno(f))) {
		rx_err("cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fclose(f);
	f = NULL;
	if (rename(tmp, r->zone)) {
		rx_err("cannot rename %s: %s", tmp, strerror(errno));
		goto out;
	}
	rx_info("AXFR from %s: %ld records", r->source, nrr);
	rc = 1;
out:
	if (f) {
		fclose(f);
		unlink(tmp);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

int fetch_axfr(struct refresh *r)
{
	int rc = run_fn(axfr_job, r);

	if (rc == 1 && rx_fmt(r->zone, sizeof(r->zone), "%s/zone.axfr", r->work_dir))
		return -1;
	return rc == 0 || rc == 1 ? rc : -1;
}
