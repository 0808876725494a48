/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * dnsproto.h - the DNS protocol's numbers, named once for the BPF programs,
 * rootxdpd, the compiler and the loader.  No includes: it
 * builds for the BPF target and for userspace alike.  Only wire facts live
 * here (RFC numbers, and the one size rule of the RFCs both responders
 * apply); rootxdp's own limits are in rootxdp.h.
 */
#ifndef RX_DNSPROTO_H
#define RX_DNSPROTO_H

/* ---- header (RFC 1035 4.1.1) ---- */
#define DNS_HLEN	12	/* ID, flags, four counts */
#define DNS_QR		0x80	/* flags byte 2 */
#define DNS_OPCODE	0x78
#define DNS_AA		0x04
#define DNS_TC		0x02
#define DNS_RD		0x01
#define DNS_CD		0x10	/* flags byte 3 (RFC 4035 3.1.6) */

/* ---- RR types (IANA "Resource Record (RR) TYPEs") ---- */
#define DNS_T_A		1
#define DNS_T_NS	2
#define DNS_T_CNAME	5
#define DNS_T_SOA	6
#define DNS_T_PTR	12
#define DNS_T_MX	15
#define DNS_T_TXT	16
#define DNS_T_AAAA	28
#define DNS_T_OPT	41	/* RFC 6891 */
#define DNS_T_DS	43
#define DNS_T_RRSIG	46
#define DNS_T_NSEC	47
#define DNS_T_TKEY	249
#define DNS_T_TSIG	250	/* RFC 8945 */
#define DNS_T_IXFR	251
#define DNS_T_AXFR	252
#define DNS_T_ANY	255	/* RFC 8482: minimal answers */

/* ---- classes ---- */
#define DNS_C_IN	1
#define DNS_C_CH	3	/* id.server, version.bind (RFC 4892) */
#define DNS_C_ANY	255

/* ---- rcodes; above 15 the OPT record carries the upper 8 bits ---- */
#define DNS_R_NOERROR	0
#define DNS_R_FORMERR	1
#define DNS_R_SERVFAIL	2
#define DNS_R_NXDOMAIN	3
#define DNS_R_NOTIMP	4
#define DNS_R_REFUSED	5
#define DNS_R_NOTAUTH	9
#define DNS_R_BADVERS	16	/* OPT extended rcode 1, header 0 (RFC 6891) */
#define DNS_R_BADCOOKIE	23	/* OPT extended rcode 1, header 7 (RFC 7873) */

/* ---- EDNS options (IANA "DNS EDNS0 Option Codes") ---- */
#define EDNS_O_NSID	3	/* RFC 5001 */
#define EDNS_O_ECS	8	/* RFC 7871 */
#define EDNS_O_EXPIRE	9	/* RFC 7314 */
#define EDNS_O_COOKIE	10	/* RFC 7873 */
#define EDNS_O_KEEPALIVE 11	/* RFC 7828 */
#define EDNS_O_PADDING	12	/* RFC 7830 */
#define EDNS_O_CHAIN	13	/* RFC 7901 */

/* ---- sizes ---- */
#define DNS_MSG_MAX	65535	/* a TCP message's 16-bit length prefix */
#define DNS_UDP_PLAIN	512	/* UDP without EDNS (RFC 1035 4.2.1) */

/*
 * The largest UDP response a query allows (design.md step 12), the one
 * rule both responders apply: 512 without EDNS; with it, the smaller of
 * the client's payload and ours, never under 512 (RFC 6891 6.2.3, 6.2.5).
 */
static inline __attribute__((always_inline)) unsigned
dns_udp_limit(int edns, unsigned client_payload, unsigned server_payload)
{
	unsigned lim;

	if (!edns)
		return DNS_UDP_PLAIN;
	lim = client_payload < server_payload ? client_payload : server_payload;
	return lim < DNS_UDP_PLAIN ? DNS_UDP_PLAIN : lim;
}

#endif /* RX_DNSPROTO_H */
