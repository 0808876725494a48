// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * edns.c - EDNS (RFC 6891): the query's OPT RR and its options in, the
 * response's OPT out (NSID, COOKIE, TCP keepalive as asked).
 */
#include <string.h>
#include "answer.h"

/* The OPT RR's class, TTL and RDATA (RFC 6891 6.1.2, 6.1.3). */
int edns_parse(struct query *q, const struct fb_client *cl, uint16_t rclass,
	       uint32_t ttl, const uint8_t *rd, uint16_t rdlen)
{
	size_t o = 0;

	q->edns = true;
	q->payload = rclass < 512 ? 512 : rclass;
	q->version = (ttl >> 16) & 0xff;
	q->do_bit = (ttl & 0x8000) != 0;
	while (o < rdlen) {
		uint16_t code, olen;

		if (o + 4 > rdlen)
			return -1;
		code = rd16(rd + o);
		olen = rd16(rd + o + 2);
		o += 4;
		if (o + olen > rdlen)
			return -1;
		switch (code) {
		case EDNS_O_NSID:
			/* design.md 6: an NSID option with no data asks for it */
			if (olen == 0)
				q->nsid = true;
			break;
		case EDNS_O_COOKIE:
			/* RFC 7873 5.2.2: 8 bytes of client cookie, optionally
			 * 8..32 bytes of server cookie; anything else FORMERR. */
			if (olen < 8 || (olen > 8 && olen < 16) || olen > 40) {
				q->cookie_formerr = true;
				return -1;
			}
			if (!q->cookie) {
				q->cookie = true;
				memcpy(q->ccookie, rd + o, 8);
				q->scookie = olen > 8 ? rd + o + 8 : NULL;
				q->scookie_len = olen - 8;
			}
			break;
		case EDNS_O_KEEPALIVE:
			/* RFC 7828 3.2.1: over UDP ignored; over TCP the client
			 * sends no timeout, a query carrying one is FORMERR. */
			if (cl->transport == FB_TCP) {
				if (olen != 0)
					return -1;
				q->keepalive = true;
			}
			break;
		default:
			/* padding and the rest: ignored (RFC 6891 6.1.2) */
			break;
		}
		o += olen;
	}
	return 0;
}

size_t edns_size(const struct ctx *c)
{
	const struct query *q = c->q;
	size_t n = 11;

	if (!q->edns)
		return 0;
	if (q->nsid && c->cf->nsid && c->cf->ident_len)
		n += 4 + c->cf->ident_len;
	if (q->cookie && q->cookie_keys)
		n += 4 + 8 + 16;
	if (q->keepalive)
		n += 4 + 2;
	return n;
}

/* design.md step 14, plus the options only rootxdpd handles. */
void edns_write(struct ctx *c, struct fb_wr *w, uint8_t ext_rcode, int options)
{
	const struct query *q = c->q;
	size_t start, rdpos;

	if (!q->edns)
		return;
	start = w->len;
	w->cap = c->cap;	/* room for the OPT was kept aside */
	fb_wr_bytes(w, "\0\0\x29", 3);
	fb_wr_u16(w, c->cf->max_payload);
	fb_wr_u32(w, (uint32_t)ext_rcode << 24 | (q->do_bit ? 0x8000 : 0));
	fb_wr_u16(w, 0);
	rdpos = w->len;
	if (options == OPT_ALL && q->nsid && c->cf->nsid && c->cf->ident_len) {
		fb_wr_u16(w, EDNS_O_NSID);
		fb_wr_u16(w, c->cf->ident_len);
		fb_wr_bytes(w, c->cf->ident, c->cf->ident_len);
		c->res->nsid = true;
	}
	if (options && q->cookie && q->cookie_keys) {
		fb_wr_u16(w, EDNS_O_COOKIE);
		fb_wr_u16(w, 24);
		fb_wr_bytes(w, q->ccookie, 8);
		fb_wr_bytes(w, q->sc_out, 16);
	}
	if (options == OPT_ALL && q->keepalive) {
		unsigned t = c->cf->tcp_idle_timeout_ms / 100;

		fb_wr_u16(w, EDNS_O_KEEPALIVE);
		fb_wr_u16(w, 2);
		fb_wr_u16(w, t > 0xffff ? 0xffff : t);
	}
	put16(w->buf + rdpos - 2, w->len - rdpos);
	if (w->full)		/* cannot happen: edns_size() was reserved */
		w->len = start;
	else
		put16(w->buf + 10, rd16(w->buf + 10) + 1);
}
