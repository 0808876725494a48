// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tsig.c - TSIG (RFC 8945) in rootxdpd's responder.
 */
#include <string.h>
#include "answer.h"

/* RFC 8945 5.2.2: we hold no keys, so any TSIG is BADKEY: NOTAUTH with an
 * unsigned TSIG RR (key and algorithm names copied, MAC empty). */
size_t tsig_answer(struct ctx *c)
{
	const struct query *q = c->q;
	uint8_t key[RX_NAME_MAX + 1], alg[RX_NAME_MAX + 1];
	unsigned klen, alen;
	long a;
	const uint8_t *rd;
	struct fb_wr w;
	size_t rdpos;

	if (ans_parse_name(q->m, q->len, q->tsig_name, key, &klen) < 0)
		return ans_short_error(c, FB_RC_FORMERR);
	a = ans_parse_name(q->m, q->tsig_rdata + q->tsig_rdlen, q->tsig_rdata, alg, &alen);
	if (a < 0 || (size_t)a + 10 > q->tsig_rdata + q->tsig_rdlen)
		return ans_short_error(c, FB_RC_FORMERR);
	rd = q->m + a;	/* time signed (6), fudge (2), MAC size (2), ... */
	ans_begin(c, &w, false, FB_RC_NOTAUTH);
	c->res->kind = FB_K_ERROR;
	edns_write(c, &w, 0, OPT_ALL);
	w.cap = c->cap;
	fb_wr_name(&w, key, false);
	fb_wr_u16(&w, FB_T_TSIG);
	fb_wr_u16(&w, FB_C_ANY);
	fb_wr_u32(&w, 0);
	fb_wr_u16(&w, 0);
	rdpos = w.len;
	fb_wr_name(&w, alg, false);
	fb_wr_bytes(&w, rd, 8);		/* time signed, fudge */
	fb_wr_u16(&w, 0);		/* MAC size */
	fb_wr_bytes(&w, q->m, 2);	/* original ID */
	fb_wr_u16(&w, 17);		/* BADKEY */
	fb_wr_u16(&w, 0);		/* other len */
	if (w.full)
		return ans_short_error(c, FB_RC_FORMERR);
	put16(w.buf + rdpos - 2, w.len - rdpos);
	ans_count(&w, 2, 1);
	return w.len;
}
