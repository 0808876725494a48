// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tsig.c - TSIG (RFC 8945) in rootxdpd's responder: a query that carries
 * a TSIG RR is checked against the keys of tsig-key / tsig-key-file
 * (common/tsig.c does the MAC).  Verified: the response is signed over
 * the request's MAC (a transfer signs every message, axfr.c).  Not
 * verified (RFC 8945 5.2): NOTAUTH with the TSIG error, and the TSIG RR
 * unsigned for BADKEY and BADSIG, signed with our time for BADTIME.
 */
#include <string.h>
#include "answer.h"

/* NOTAUTH with an unsigned TSIG RR: key and algorithm names copied, MAC
 * empty, the error (RFC 8945 5.2.1, 5.2.2). */
static size_t unsigned_error(struct ctx *c, uint16_t error)
{
	const struct query *q = c->q;
	uint8_t key[RX_NAME_MAX + 1], alg[RX_NAME_MAX + 1];
	unsigned klen, alen;
	long a;
	const uint8_t *rd;
	struct fb_wr w;
	size_t rdpos;

	if (rx_dname_unpack(q->m, q->len, q->tsig_name, key, &klen) < 0)
		return ans_short_error(c, DNS_R_FORMERR);
	a = rx_dname_unpack(q->m, q->tsig_rdata + q->tsig_rdlen, q->tsig_rdata, alg, &alen);
	if (a < 0 || (size_t)a + 10 > q->tsig_rdata + q->tsig_rdlen)
		return ans_short_error(c, DNS_R_FORMERR);
	rd = q->m + a;	/* time signed (6), fudge (2), MAC size (2), ... */
	ans_begin(c, &w, false, DNS_R_NOTAUTH);
	c->res->kind = FB_K_ERROR;
	edns_write(c, &w, 0, OPT_ALL);
	w.cap = c->cap;
	fb_wr_name(&w, key, false);
	fb_wr_u16(&w, DNS_T_TSIG);
	fb_wr_u16(&w, DNS_C_ANY);
	fb_wr_u32(&w, 0);
	fb_wr_u16(&w, 0);
	rdpos = w.len;
	fb_wr_name(&w, alg, false);
	fb_wr_bytes(&w, rd, 8);		/* time signed, fudge */
	fb_wr_u16(&w, 0);		/* MAC size */
	fb_wr_bytes(&w, q->m, 2);	/* original ID */
	fb_wr_u16(&w, error);
	fb_wr_u16(&w, 0);		/* other len */
	if (w.full)
		return ans_short_error(c, DNS_R_FORMERR);
	put16(w.buf + rdpos - 2, w.len - rdpos);
	ans_count(&w, 2, 1);
	return w.len;
}

size_t tsig_check(struct ctx *c)
{
	struct query *q = c->q;
	struct fb_result *res = c->res;
	const struct fb_tsig *t = __atomic_load_n(&c->cf->tsig, __ATOMIC_ACQUIRE);
	const struct rx_tsig_key *k;
	struct rx_tsig_rr rr;
	int e;

	if (rx_tsig_rr_find(q->m, q->len, &rr) != 1)
		return ans_short_error(c, DNS_R_FORMERR);
	/* the key's name for the log, as sent */
	rx_tsig_name_str(rr.key, res->tsig_key, sizeof(res->tsig_key));
	k = t ? rx_tsig_key_find_wire(&t->keys, rr.key) : NULL;
	if (!k || !rx_tsig_alg_is(k, rr.alg)) {
		res->tsig_error = RX_TSIG_BADKEY;
		return unsigned_error(c, RX_TSIG_BADKEY);
	}
	rx_tsig_ctx_init(&res->tsig_ctx, k);
	e = rx_tsig_verify(&res->tsig_ctx, q->m, q->len, &rr, c->cl->now);
	if (e == RX_TSIG_BADTIME) {
		/* RFC 8945 5.2.3: signed, Other Data our time */
		uint8_t now[6];
		struct fb_wr w;
		size_t n;

		for (int i = 0; i < 6; i++)
			now[i] = (uint8_t)((uint64_t)c->cl->now >> (40 - 8 * i));
		res->tsig_error = RX_TSIG_BADTIME;
		ans_begin(c, &w, false, DNS_R_NOTAUTH);
		res->kind = FB_K_ERROR;
		edns_write(c, &w, 0, OPT_ALL);
		n = rx_tsig_sign(&res->tsig_ctx, c->out, w.len, c->cap, c->cl->now,
				 RX_TSIG_BADTIME, now, 6);
		return n ? n : ans_short_error(c, DNS_R_FORMERR);
	}
	if (e != RX_TSIG_NOERROR) {
		res->tsig_error = RX_TSIG_BADSIG;
		return unsigned_error(c, RX_TSIG_BADSIG);
	}
	q->tsig_ok = true;
	q->tsig_key = (int)(k - t->keys.k);
	res->tsig = true;
	return 0;
}

size_t tsig_room(const struct ctx *c)
{
	return c->q->tsig_ok ? rx_tsig_size(&c->res->tsig_ctx.key, 0) : 0;
}

size_t tsig_sign(struct ctx *c, size_t len)
{
	size_t n = rx_tsig_sign(&c->res->tsig_ctx, c->out, len, c->cap, c->cl->now, 0, NULL, 0);

	/* cannot happen: tsig_room() was kept free */
	return n ? n : len;
}
