// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_query.c - libFuzzer target for rootxdpd's responder (fb_answer in
 * fallback/answer.c): query bytes -> response bytes, over UDP and TCP.
 *
 * Input: byte 0 picks the context, the rest is the DNS message (over TCP
 * without the two-byte length prefix, as server.c hands it over):
 *   bit 0  TCP (else UDP)          bit 1  IPv6 client (else IPv4)
 *   bit 2  client inside the AXFR ACL
 *   bit 3  minimal-any off         bit 4  version.bind configured
 *   bit 5  nsid off                bit 6  no zone loaded (SERVFAIL path)
 * Invariants (abort on violation): nothing is sent for QR=1 or a header
 * under 12 bytes; every response parses with ldns_wire2pkt, echoes the
 * ID, has QR=1 and fits the buffer; over UDP it never exceeds 512 bytes
 * without EDNS or max(512, min(client payload, 1232)) with it; a FORMERR
 * is never larger than the query; AXFR/IXFR follow-up messages parse and
 * echo the ID too.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ldns/ldns.h>
#include "fb.h"
#include "secret.h"
#include "log.h"
#include "fuzz_common.h"

static struct fb_zone *Z;
static uint8_t *OUT;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char img[256], err[600];

	(void)argc;
	(void)argv;
	rx_log_max = RX_LOG_ERR;
	if (fz_image(img, sizeof(img)))
		exit(1);
	Z = fb_zone_load(img, err, sizeof(err));
	fz_image_done();
	if (!Z) {
		fprintf(stderr, "fuzz_query: fb_zone_load: %s\n", err);
		exit(1);
	}
	OUT = malloc(DNS_MSG_MAX);
	if (!OUT)
		exit(1);
	return 0;
}

static void conf_for(uint8_t sel, struct fb_conf *cf)
{
	memset(cf, 0, sizeof(*cf));
	cf->max_payload = FZ_PAYLOAD;
	cf->nsid = !(sel & 0x20);
	memcpy(cf->ident, FZ_IDENT, strlen(FZ_IDENT));
	cf->ident_len = strlen(FZ_IDENT);
	if (sel & 0x10) {
		memcpy(cf->version, FZ_VERSION, strlen(FZ_VERSION));
		cf->version_len = strlen(FZ_VERSION);
	}
	cf->minimal_any = !(sel & 0x08);
	cf->tcp_idle_timeout_ms = 10000;
	fb_acl_parse("2001:db8:1::/48", &cf->axfr_allow[0]);
	fb_acl_parse("198.51.100.0/25", &cf->axfr_allow[1]);
	cf->naxfr_allow = 2;
	{
		static struct rx_cookie_keys k;
		struct rx_secrets sec = { 0 };

		memcpy(sec.cur, "0123456789abcdef", 16);
		memcpy(sec.prev, "fedcba9876543210", 16);
		sec.has_prev = sel & 1;
		rx_secrets_keys(&sec, &k);
		cf->cookie_keys = &k;
	}
	{
		/* a TSIG key "k" (hmac-sha256), needed for transfers on 0x80:
		 * a query that names it reaches the MAC check */
		static struct fb_tsig t;

		if (!t.keys.n)
			rx_tsig_key_parse("k:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
					  &t.keys.k[0], NULL, 0), t.keys.n = 1;
		t.axfr_need_key = (sel & 0x80) != 0;	/* ldns.h may make bool a char here */
		t.axfr_key[0] = true;
		cf->tsig = &t;
	}
}

static void client_for(uint8_t sel, struct fb_client *cl)
{
	memset(cl, 0, sizeof(*cl));
	cl->transport = (sel & 1) ? FB_TCP : FB_UDP;
	cl->now = 1767225600;
	if (sel & 2) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&cl->addr;

		s->sin6_family = AF_INET6;
		inet_pton(AF_INET6, (sel & 4) ? "2001:db8:1::7" : "2001:db8:2::7", &s->sin6_addr);
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *)&cl->addr;

		s->sin_family = AF_INET;
		inet_pton(AF_INET, (sel & 4) ? "198.51.100.7" : "198.51.100.200", &s->sin_addr);
	}
}

/* Common checks on one response message of n bytes. */
static void check_msg(const uint8_t *q, size_t qlen, const uint8_t *r, size_t n,
		      size_t cap, const char *what)
{
	ldns_pkt *p = NULL;
	ldns_status st;

	if (n < 12 || n > cap)
		fz_fail("%s: response of %zu bytes (cap %zu)", what, n, cap);
	if (r[0] != q[0] || r[1] != q[1])
		fz_fail("%s: ID %02x%02x not echoed (query %02x%02x)", what, r[0], r[1], q[0],
			q[1]);
	if (!(r[2] & 0x80))
		fz_fail("%s: QR=0 in a response", what);
	if ((r[3] & 0x0f) == DNS_R_FORMERR && n > (qlen > 12 ? qlen : 12))
		fz_fail("%s: FORMERR of %zu bytes for a %zu-byte query", what, n, qlen);
	st = ldns_wire2pkt(&p, r, n);
	if (st != LDNS_STATUS_OK)
		fz_fail("%s: ldns cannot parse the %zu-byte response: %s", what, n,
			ldns_get_errorstr_by_id(st));
	ldns_pkt_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_conf cf;
	struct fb_client cl;
	struct fb_result res;
	const struct fb_zone *z;
	const uint8_t *q;
	uint8_t *qcopy;
	size_t qlen, n, cap = DNS_MSG_MAX;
	uint8_t sel;

	if (size < 1 || size > DNS_MSG_MAX + 1)
		return 0;
	sel = data[0];
	qlen = size - 1;
	/* An exact-size heap copy: ASan sees any read past the query. */
	qcopy = malloc(qlen ? qlen : 1);
	if (!qcopy)
		return 0;
	memcpy(qcopy, data + 1, qlen);
	q = qcopy;
	conf_for(sel, &cf);
	client_for(sel, &cl);
	z = (sel & 0x40) ? NULL : Z;

	n = fb_answer(&cf, z, q, qlen, &cl, OUT, cap, &res);
	if (qlen < 12 || (q[2] & 0x80)) {
		if (n)
			fz_fail("answered a %s (%zu bytes)", qlen < 12 ? "short header" : "QR=1 query",
				n);
		free(qcopy);
		return 0;
	}
	if (n == 0) {
		/* Only a response or an unreadable header goes unanswered. */
		fz_fail("no response to a %zu-byte query (kind %d)", qlen, res.kind);
	}
	check_msg(q, qlen, OUT, n, cap, cl.transport == FB_TCP ? "tcp" : "udp");
	if (cl.transport == FB_UDP) {
		struct fz_msg w;
		size_t lim;

		fz_walk(q, qlen, &w);
		lim = fz_limit(w.nopt > 0, w.opt_payload);
		if (n > lim)
			fz_fail("udp: %zu-byte response over the limit %zu (EDNS %d, payload %u)", n,
				lim, w.nopt > 0, w.opt_payload);
		if (res.xfr)
			fz_fail("udp: a zone transfer started over UDP");
	} else {
		/* A few more messages of a transfer: each stands alone. */
		for (int i = 0; res.xfr && i < 3; i++) {
			n = fb_xfr_next(z, &res, OUT, cap);
			if (n == 0)
				break;
			check_msg(q, qlen, OUT, n, cap, "xfr");
		}
	}
	free(qcopy);
	return 0;
}
