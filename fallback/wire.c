// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * wire.c - DNS names in wire form and a message writer that compresses
 * names (RFC 1035 4.1.4).
 *
 * The compression table maps a hash of each lowercased name suffix already
 * written to its offset.  A hit is always confirmed by decoding the name at
 * that offset from the message itself, so a stale entry (left by an RR
 * that did not fit and was rolled back) can never produce a wrong pointer:
 * at worst it fails the check and is skipped.
 */
#include <string.h>
#include "fb.h"

static inline uint8_t lc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* ---- writer ---- */

void fb_wr_init(struct fb_wr *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->len = 0;
	w->cap = cap > DNS_MSG_MAX ? DNS_MSG_MAX : cap;
	w->full = false;
	fb_wr_reset_ct(w);
}

void fb_wr_reset_ct(struct fb_wr *w)
{
	memset(w->ct, 0, sizeof(w->ct));
	w->ct_used = 0;
}

int fb_wr_bytes(struct fb_wr *w, const void *p, size_t n)
{
	if (w->len + n > w->cap) {
		w->full = true;
		return -1;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
	return 0;
}

int fb_wr_u16(struct fb_wr *w, uint16_t v)
{
	uint8_t b[2] = { v >> 8, v };

	return fb_wr_bytes(w, b, 2);
}

int fb_wr_u32(struct fb_wr *w, uint32_t v)
{
	uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };

	return fb_wr_bytes(w, b, 4);
}

static uint32_t name_hash(const uint8_t *n)
{
	uint32_t h = 2166136261u;
	unsigned len = rx_dname_len(n);

	for (unsigned i = 0; i < len; i++)
		h = (h ^ lc(n[i])) * 16777619u;
	return h | 1;	/* never 0: 0 marks an empty slot */
}

/* Does the (possibly compressed) name at msg[off] equal name?  Pointers
 * must go strictly backwards, so this always ends. */
static bool msg_name_eq(const uint8_t *msg, size_t len, size_t off, const uint8_t *name)
{
	size_t limit = off;

	for (;;) {
		uint8_t l;

		if (off >= len)
			return false;
		l = msg[off];
		if ((l & 0xc0) == 0xc0) {
			size_t to;

			if (off + 1 >= len)
				return false;
			to = ((size_t)(l & 0x3f) << 8) | msg[off + 1];
			if (to >= limit)
				return false;
			off = limit = to;
			continue;
		}
		if (l & 0xc0)
			return false;
		if (l != *name)
			return false;
		if (!l)
			return true;
		if (off + 1 + l > len)
			return false;
		for (unsigned i = 1; i <= l; i++)
			if (lc(msg[off + i]) != lc(name[i]))
				return false;
		off += l + 1;
		name += l + 1;
	}
}

static long ct_find(const struct fb_wr *w, const uint8_t *suffix)
{
	uint32_t h = name_hash(suffix);
	unsigned i = h & (FB_CT_SLOTS - 1);

	for (unsigned n = 0; n < FB_CT_SLOTS && w->ct[i].hash; n++) {
		if (w->ct[i].hash == h && w->ct[i].off < w->len &&
		    msg_name_eq(w->buf, w->len, w->ct[i].off, suffix))
			return w->ct[i].off;
		i = (i + 1) & (FB_CT_SLOTS - 1);
	}
	return -1;
}

static void ct_add(struct fb_wr *w, const uint8_t *suffix, size_t off)
{
	uint32_t h;
	unsigned i;

	if (off >= 0x4000 || w->ct_used >= FB_CT_SLOTS * 3 / 4)
		return;
	h = name_hash(suffix);
	i = h & (FB_CT_SLOTS - 1);
	while (w->ct[i].hash) {
		if (w->ct[i].hash == h && w->ct[i].off < w->len &&
		    msg_name_eq(w->buf, w->len, w->ct[i].off, suffix))
			return;	/* already known at an earlier offset */
		i = (i + 1) & (FB_CT_SLOTS - 1);
	}
	w->ct[i].hash = h;
	w->ct[i].off = off;
	w->ct_used++;
}

int fb_wr_name(struct fb_wr *w, const uint8_t *name, bool compress)
{
	size_t start = w->len;
	unsigned pos = 0, nl = rx_dname_len(name);
	long ptr = -1;

	if (compress) {
		for (pos = 0; name[pos]; pos += name[pos] + 1) {
			ptr = ct_find(w, name + pos);
			if (ptr >= 0)
				break;
		}
	} else {
		pos = nl - 1;
	}
	if (ptr >= 0) {
		if (w->len + pos + 2 > w->cap) {
			w->full = true;
			return -1;
		}
		memcpy(w->buf + w->len, name, pos);
		w->buf[w->len + pos] = 0xc0 | (ptr >> 8);
		w->buf[w->len + pos + 1] = ptr & 0xff;
		w->len += pos + 2;
	} else {
		if (fb_wr_bytes(w, name, nl))
			return -1;
		pos = nl - 1;
	}
	if (compress)
		for (unsigned p = 0; p < pos; p += name[p] + 1)
			ct_add(w, name + p, start + p);
	return 0;
}

int fb_wr_rr(struct fb_wr *w, const struct fb_rr *rr)
{
	size_t start = w->len, rdpos;
	const uint8_t *rd = rr->rdata;
	unsigned n;

	if (fb_wr_name(w, rr->owner, true) || fb_wr_u16(w, rr->type) ||
	    fb_wr_u16(w, rr->rclass) || fb_wr_u32(w, rr->ttl) || fb_wr_u16(w, 0))
		goto full;
	rdpos = w->len;
	switch (rr->type) {
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
		if (fb_wr_name(w, rd, true))
			goto full;
		break;
	case DNS_T_MX:
		if (fb_wr_bytes(w, rd, 2) || fb_wr_name(w, rd + 2, true))
			goto full;
		break;
	case DNS_T_SOA:
		n = rx_dname_len(rd);
		if (fb_wr_name(w, rd, true) || fb_wr_name(w, rd + n, true) ||
		    fb_wr_bytes(w, rd + n + rx_dname_len(rd + n), 20))
			goto full;
		break;
	default:
		if (fb_wr_bytes(w, rd, rr->rdlen))
			goto full;
	}
	n = w->len - rdpos;
	w->buf[rdpos - 2] = n >> 8;
	w->buf[rdpos - 1] = n & 0xff;
	return 0;
full:
	w->len = start;
	w->full = true;
	return -1;
}
