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
#include <unistd.h>
#include <ldns/ldns.h>
#undef dprintf	/* ldns/util.h defines a debug macro of that name */
#include "cmd.h"
#include "log.h"
#include "refresh.h"
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

	if (rx_fmt(r->http_keep, sizeof(r->http_keep), "%s/zone.download", r->c.state_dir) ||
	    rx_fmt(r->http_tmp, sizeof(r->http_tmp), "%s/zone.download.tmp", r->c.state_dir)) {
		rx_err("state-dir %s: path too long", r->c.state_dir);
		return -1;
	}
	unlink(r->http_tmp);
	have_keep = access(r->http_keep, R_OK) == 0;
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

static ldns_resolver *axfr_resolver(const char *host, unsigned port, char *addr, size_t alen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG }, *ai;
	struct timeval tv = { AXFR_TIMEOUT_S, 0 };
	ldns_resolver *res;
	ldns_rdf *ns;
	int e;

	e = getaddrinfo(host, NULL, &hints, &ai);
	if (e) {
		rx_err("cannot resolve the primary '%s': %s", host, gai_strerror(e));
		return NULL;
	}
	if (ai->ai_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, addr,
			  (socklen_t)alen);
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, addr,
			  (socklen_t)alen);
	ns = ldns_rdf_new_frm_str(ai->ai_family == AF_INET6 ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A,
				  addr);
	freeaddrinfo(ai);
	res = ldns_resolver_new();
	if (!res || !ns) {
		ldns_rdf_deep_free(ns);
		if (res)
			ldns_resolver_deep_free(res);
		rx_err("out of memory");
		return NULL;
	}
	ldns_resolver_push_nameserver(res, ns);
	ldns_rdf_deep_free(ns);
	ldns_resolver_set_port(res, (uint16_t)port);
	ldns_resolver_set_timeout(res, tv);
	ldns_resolver_set_retry(res, 1);
	ldns_resolver_set_recursive(res, false);
	return res;
}

/* 1 = zone transferred into r->zone, 0 = the primary's serial is the one
 * served (no transfer), -1 failed or refused (said). */
int fetch_axfr(struct refresh *r)
{
	char host[256], addr[INET6_ADDRSTRLEN], tmp[PATH_MAX], e[300];
	ldns_resolver *res = NULL;
	ldns_rdf *root = NULL;
	unsigned port;
	__u32 serial;
	long nrr = 0, nsoa = 0;
	FILE *f = NULL;
	int rc = -1;

	if (axfr_parse(r->source, host, sizeof(host), &port)) {
		rx_err("zone-source '%s': expected axfr://HOST[:PORT]", r->source);
		return -1;
	}
	res = axfr_resolver(host, port, addr, sizeof(addr));
	if (!res)
		return -1;
	/* Ask the serial first: no transfer when it is the served one. */
	if (rx_soa_query(addr, port, false, 5000, &serial, e, sizeof(e)) &&
	    rx_soa_query(addr, port, true, 5000, &serial, e, sizeof(e))) {
		rx_err("cannot reach the primary %s: %s (still serving serial %u)", r->source, e,
		       r->served);
		goto out;
	}
	rx_info("primary %s has serial %u", r->source, serial);
	if (r->have_served && serial == r->served) {
		rc = 0;
		goto out;
	}
	if (r->have_served && !rx_serial_newer(serial, r->served)) {
		rx_err("refusing the zone from %s: serial %u is older than the served %u",
		       r->source, serial, r->served);
		goto out;
	}
	if (rx_fmt(r->zone, sizeof(r->zone), "%s/zone.axfr", r->c.state_dir) ||
	    rx_fmt(tmp, sizeof(tmp), "%s/zone.axfr.tmp", r->c.state_dir)) {
		rx_err("state-dir %s: path too long", r->c.state_dir);
		goto out;
	}
	f = fopen(tmp, "w");
	if (!f) {
		rx_err("cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	root = ldns_dname_new_frm_str(".");
	if (ldns_axfr_start(res, root, LDNS_RR_CLASS_IN) != LDNS_STATUS_OK) {
		rx_err("cannot start AXFR from %s (%s port %u) (still serving serial %u)",
		       r->source, addr, port, r->served);
		goto out;
	}
	for (;;) {
		ldns_rr *rr = ldns_axfr_next(res);

		if (!rr)
			break;
		/* RFC 5936 2.2: the SOA opens and closes the transfer. */
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && nsoa++) {
			ldns_rr_free(rr);
			continue;
		}
		ldns_rr_print(f, rr);
		ldns_rr_free(rr);
		nrr++;
	}
	if (!ldns_axfr_complete(res) || nsoa < 2) {
		ldns_pkt *last = ldns_axfr_last_pkt(res);

		rx_err("AXFR from %s failed after %ld records%s%s (still serving serial %u)",
		       r->source, nrr, last ? ": rcode " : "",
		       last ? ldns_lookup_by_id(ldns_rcodes, ldns_pkt_get_rcode(last)) ?
		       ldns_lookup_by_id(ldns_rcodes, ldns_pkt_get_rcode(last))->name : "?" : "",
		       r->served);
		goto out;
	}
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
	ldns_rdf_deep_free(root);
	ldns_resolver_deep_free(res);
	return rc;
}
