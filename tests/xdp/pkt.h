/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pkt.h - frames for the packet-level tests: build Ethernet (0-2 VLAN
 * tags) / IPv4 or IPv6 / UDP around a DNS payload with correct checksums,
 * run them through a program with BPF_PROG_TEST_RUN, and decode what comes
 * out (checksums verified independently of the program).
 */
#ifndef RX_TEST_PKT_H
#define RX_TEST_PKT_H

#include <stddef.h>
#include <stdint.h>

#define PKT_MAX		9216

/* Test addresses: documentation prefixes only (RFC 5737, RFC 3849). */
#define PKT_CLIENT4	"198.51.100.7"
#define PKT_SERVER4	"203.0.113.53"
#define PKT_CLIENT6	"2001:db8::7"
#define PKT_SERVER6	"2001:db8::53"
#define PKT_CPORT	40123

struct pkt_spec {
	int v6;
	int nvlan;		/* 0, 1 (802.1Q) or 2 (802.1ad + 802.1Q) */
	uint16_t sport, dport;	/* 0: PKT_CPORT, 53 */
	uint8_t l4proto;	/* 0: UDP */
	/* Deliberate faults, for the pass cases. */
	int ip_options;		/* IPv4: 4 bytes of NOP options */
	int frag;		/* IPv4: MF; IPv6: a fragment header */
	int v6_ext;		/* IPv6: a hop-by-hop header before UDP */
	int udp_len_delta;	/* added to the UDP length field */
	int ip_len_delta;	/* added to the IP length field */
	size_t trailing;	/* bytes after the IP packet */
	int saddr_set;		/* source address saddr, not PKT_CLIENT4/6 */
	uint8_t saddr[16];	/* IPv4: the first 4 bytes */
};

/* Frame length, or 0 if it does not fit PKT_MAX. */
size_t pkt_build(const struct pkt_spec *s, const uint8_t *dns, size_t dnslen, uint8_t *out);

struct pkt_dec {
	int v6, nvlan;
	uint8_t smac[6], dmac[6];
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	int ttl, df, tos, ip_id;
	int ip_csum_ok, udp_csum_ok;
	const uint8_t *dns;
	size_t dnslen;
};

/* 0 or -1 (with why) if the frame is not eth/[vlan]/ip/udp with
 * consistent lengths. */
int pkt_decode(const uint8_t *f, size_t len, struct pkt_dec *d, const char **why);

/* Run frame through prog_fd: XDP (is_xdp) or TC.  Returns 0 and sets
 * *retval, out and *outlen (the frame after the program). */
int pkt_run(int prog_fd, int is_xdp, const uint8_t *in, size_t inlen,
	    uint8_t *out, size_t *outlen, uint32_t *retval);
/* ns per run over `repeat` runs, or -1. */
double pkt_bench(int prog_fd, int is_xdp, const uint8_t *in, size_t inlen, int repeat);

#endif
