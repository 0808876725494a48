/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * answer.h - the responder's parts, shared only between its files (fb.h is
 * rootxdpd's interface; fb_answer() the entry):
 *   answer.c  parse the query, the steps of design.md, the bodies, AXFR start
 *   edns.c    the OPT RR: options in, options out (NSID, COOKIE, keepalive)
 *   tsig.c    TSIG (RFC 8945)
 *   acl.c     address lists (axfr-allow, rrl-exempt)
 */
#ifndef RX_ANSWER_H
#define RX_ANSWER_H

#include "fb.h"

struct query {
	const uint8_t *m;
	size_t len;
	uint8_t f1, f2;			/* header bytes 2 and 3 */
	uint8_t qname[RX_NAME_MAX + 1];	/* decompressed, case as sent */
	unsigned qname_len;
	uint16_t qtype, qclass;
	/* EDNS */
	bool edns, do_bit, nsid, cookie, keepalive;
	uint16_t payload;
	uint8_t version;
	uint8_t ccookie[8];
	const uint8_t *scookie;
	size_t scookie_len;
	bool cookie_formerr;
	bool cookie_keys;		/* sc_out holds the server cookie to send */
	uint8_t sc_out[16];
	/* TSIG: present (the last RR); verified with a key we hold */
	bool tsig;
	size_t tsig_name, tsig_rdata;	/* offsets in m */
	uint16_t tsig_rdlen;
	bool tsig_ok;
	int tsig_key;			/* index in cf->tsig->keys, -1 none */
	/* IXFR: the client's SOA serial from the authority section */
	bool has_soa;
	uint32_t soa_serial;
};

struct ctx {
	const struct fb_conf *cf;
	const struct fb_zone *z;
	const struct fb_client *cl;
	struct query *q;
	struct fb_result *res;
	uint8_t *out;
	size_t cap;
};

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* answer.c */
/* FORMERR / NOTIMP with the header only. */
size_t ans_short_error(struct ctx *c, int rcode);
/* Header and question; w->cap is left at the limit minus the OPT. */
void ans_begin(struct ctx *c, struct fb_wr *w, bool aa, int rcode);
/* The OPT with every option asked for, TC noted: the response length. */
size_t ans_finish(struct ctx *c, struct fb_wr *w, uint8_t ext_rcode);
/* An empty answer with rcode. */
size_t ans_empty(struct ctx *c, int rcode, enum fb_kind kind);
/* Add n to the count of section (0 answer, 1 authority, 2 additional). */
void ans_count(struct fb_wr *w, int section, int n);

/* edns.c */
int edns_parse(struct query *q, const struct fb_client *cl, uint16_t rclass,
	       uint32_t ttl, const uint8_t *rd, uint16_t rdlen);
/* Bytes the response's OPT will take (0 without EDNS in the query). */
size_t edns_size(const struct ctx *c);
/* Which options edns_write() adds. */
#define OPT_NONE	0
#define OPT_ALL		1	/* NSID, COOKIE, keepalive as asked */
#define OPT_COOKIE	2	/* COOKIE only (an RRL slip) */
void edns_write(struct ctx *c, struct fb_wr *w, uint8_t ext_rcode, int options);

/* tsig.c: check the TSIG of a query that carries one (RFC 8945 5.2).
 * Returns 0 when it verified (the response is then signed: tsig_sign()),
 * else the length of the error response (NOTAUTH with BADKEY, BADSIG or
 * BADTIME), or a FORMERR's. */
size_t tsig_check(struct ctx *c);
/* Bytes to keep free for the response's TSIG RR (0 unless verified). */
size_t tsig_room(const struct ctx *c);
/* Sign the finished response of len bytes; returns the new length. */
size_t tsig_sign(struct ctx *c, size_t len);

#endif
