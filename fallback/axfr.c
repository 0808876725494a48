// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * axfr.c - the AXFR message stream (RFC 5936), also used for an IXFR
 * answered AXFR-style (RFC 1995 4: we keep no history).
 *
 * The stream is SOA, every other RR of the zone in canonical order, SOA.
 * It is produced one message at a time as the connection's output drains,
 * so a transfer never buffers the whole zone; the connection holds a
 * reference on the zone it started with, so a reload in the middle does not
 * mix versions.  Only the first message carries the question (RFC 5936
 * 2.2.1 allows either).  Messages stay near 16 KiB: every compression
 * pointer must point below 16384 anyway.
 */
#include <string.h>
#include <time.h>
#include "fb.h"

#define XFR_MSG_TARGET 16384

size_t fb_xfr_next(const struct fb_zone *z, struct fb_result *res,
		   uint8_t *out, size_t cap)
{
	uint32_t total = z->nrrs + 2;
	struct fb_wr w;
	unsigned n = 0;
	bool first = res->xfr_pos == 0;

	if (!res->xfr)
		return 0;
	if (cap > DNS_MSG_MAX)
		cap = DNS_MSG_MAX;
	/* TSIG (RFC 8945 5.3.1): every message signed, the first over the
	 * request's MAC with every variable, the next ones over the prior
	 * MAC with the timers only; room for it kept free. */
	if (res->tsig)
		cap -= rx_tsig_size(&res->tsig_ctx.key, 0);
	fb_wr_init(&w, out, cap);
	memset(out, 0, 12);
	out[0] = res->xfr_id >> 8;
	out[1] = res->xfr_id & 0xff;
	out[2] = 0x80 | 0x04 | (res->xfr_f1 & 0x01);	/* QR AA, RD echoed */
	out[3] = res->xfr_f2 & 0x10;			/* CD echoed */
	w.len = 12;
	if (first) {
		out[5] = 1;
		fb_wr_name(&w, res->xfr_q, true);
		fb_wr_bytes(&w, res->xfr_q + res->xfr_qlen - 4, 4);
	}
	w.cap = cap < XFR_MSG_TARGET ? cap : XFR_MSG_TARGET;
	while (res->xfr_pos < total) {
		uint32_t p = res->xfr_pos;
		const struct fb_rr *rr;

		if (p == 0 || p == total - 1) {
			rr = &z->rrs[z->soa];
		} else if (p - 1 == z->soa) {
			res->xfr_pos++;
			continue;
		} else {
			rr = &z->rrs[p - 1];
		}
		if (fb_wr_rr(&w, rr)) {
			if (n)
				break;
			/* one RR bigger than the target: a message of its own */
			w.cap = cap;
			w.full = false;
			if (fb_wr_rr(&w, rr)) {
				res->xfr_pos++;		/* cannot be sent at all */
				continue;
			}
		}
		n++;
		res->xfr_pos++;
	}
	out[6] = n >> 8;
	out[7] = n & 0xff;
	if (res->xfr_pos >= total)
		res->xfr = false;
	if (res->tsig)
		return rx_tsig_sign(&res->tsig_ctx, out, w.len, DNS_MSG_MAX, (uint64_t)time(NULL),
				    0, NULL, 0);
	return w.len;
}
