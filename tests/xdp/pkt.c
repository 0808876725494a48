// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pkt.c - frame builder, decoder and BPF_PROG_TEST_RUN runner (pkt.h).
 * The checksum code here is a plain RFC 1071 sum, independent of the
 * program's bpf_csum_diff() chunks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "pkt.h"

static const uint8_t mac_client[6] = { 0x02, 0, 0, 0, 0, 0x07 };
static const uint8_t mac_server[6] = { 0x02, 0, 0, 0, 0, 0x53 };

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* RFC 1071: 32-bit accumulator over big-endian 16-bit words. */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		acc += get16(p + i);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

/* UDP checksum over pseudo header + UDP header + data (check included). */
static uint16_t udp_sum(int v6, const uint8_t *ip, const uint8_t *udp, size_t ulen)
{
	uint32_t acc = 0;

	if (v6) {
		acc = sum16(ip + 8, 32, 0);
		acc += (uint32_t)(ulen >> 16) + (ulen & 0xffff);
		acc += 17;
	} else {
		acc = sum16(ip + 12, 8, 0);
		acc += 17 + ulen;
	}
	return fold(sum16(udp, ulen, acc));
}

size_t pkt_build(const struct pkt_spec *s, const uint8_t *dns, size_t dnslen, uint8_t *out)
{
	size_t off = 12, iph, ext = 0, ulen, n;
	uint8_t *ip, *udp, proto = s->l4proto ? s->l4proto : 17;
	int i;

	if (dnslen + 100 + s->trailing > PKT_MAX)
		return 0;
	memset(out, 0, PKT_MAX);
	memcpy(out, mac_server, 6);
	memcpy(out + 6, mac_client, 6);
	for (i = 0; i < s->nvlan; i++) {
		put16(out + off, s->nvlan == 2 && i == 0 ? 0x88a8 : 0x8100);
		put16(out + off + 2, 100 + i);		/* VLAN id */
		off += 4;
	}
	put16(out + off, s->v6 ? 0x86dd : 0x0800);
	off += 2;
	ip = out + off;
	ulen = 8 + dnslen;
	if (!s->v6) {
		iph = 20 + (s->ip_options ? 4 : 0);
		ip[0] = 0x40 | (iph / 4);
		put16(ip + 2, iph + ulen + s->ip_len_delta);
		put16(ip + 4, 0x1234);
		put16(ip + 6, s->frag ? 0x2000 : 0x4000);
		ip[8] = 61;
		ip[9] = proto;
		if (s->saddr_set)
			memcpy(ip + 12, s->saddr, 4);
		else
			inet_pton(AF_INET, PKT_CLIENT4, ip + 12);
		inet_pton(AF_INET, PKT_SERVER4, ip + 16);
		if (s->ip_options)
			memset(ip + 20, 1, 4);		/* NOPs */
		put16(ip + 10, fold(sum16(ip, iph, 0)));
	} else {
		iph = 40;
		ext = s->frag || s->v6_ext ? 8 : 0;
		ip[0] = 0x60;
		put16(ip + 4, ext + ulen + s->ip_len_delta);
		ip[6] = s->frag ? 44 : s->v6_ext ? 0 : proto;
		ip[7] = 61;
		if (s->saddr_set)
			memcpy(ip + 8, s->saddr, 16);
		else
			inet_pton(AF_INET6, PKT_CLIENT6, ip + 8);
		inet_pton(AF_INET6, PKT_SERVER6, ip + 24);
		if (ext) {
			ip[40] = proto;		/* next header */
			if (s->frag)
				put16(ip + 42, 0x0001);	/* offset 0, M=1 */
			else
				ip[42] = 1, ip[43] = 4;	/* PadN, 4 bytes */
		}
	}
	udp = ip + iph + ext;
	put16(udp, s->sport ? s->sport : PKT_CPORT);
	put16(udp + 2, s->dport ? s->dport : 53);
	put16(udp + 4, ulen + s->udp_len_delta);
	memcpy(udp + 8, dns, dnslen);
	/* Checksum as over the unmodified layout (pseudo header from ip). */
	if (proto == 17) {
		uint16_t c = udp_sum(s->v6, ip, udp, ulen);

		put16(udp + 6, c ? c : 0xffff);
	}
	n = (size_t)(udp - out) + ulen;
	memset(out + n, 0xee, s->trailing);
	return n + s->trailing;
}

int pkt_decode(const uint8_t *f, size_t len, struct pkt_dec *d, const char **why)
{
	size_t off = 12, iplen, ulen;
	const uint8_t *ip, *udp;
	uint16_t proto;

	memset(d, 0, sizeof(*d));
#define BAD(w) do { *why = w; return -1; } while (0)
	if (len < 14)
		BAD("frame shorter than Ethernet");
	memcpy(d->dmac, f, 6);
	memcpy(d->smac, f + 6, 6);
	proto = get16(f + off);
	while ((proto == 0x8100 || proto == 0x88a8) && d->nvlan < 2 && off + 6 <= len) {
		off += 4;
		proto = get16(f + off);
		d->nvlan++;
	}
	off += 2;
	ip = f + off;
	if (proto == 0x0800) {
		if (off + 20 > len || ip[0] != 0x45)
			BAD("not a 20-byte IPv4 header");
		iplen = get16(ip + 2);
		if (off + iplen != len)
			BAD("IPv4 length disagrees with the frame");
		if (fold(sum16(ip, 20, 0)) != 0)
			BAD("bad IPv4 header checksum");
		d->ip_csum_ok = 1;
		d->ttl = ip[8];
		d->df = !!(get16(ip + 6) & 0x4000);
		d->tos = ip[1];
		d->ip_id = get16(ip + 4);
		if (ip[9] != 17)
			BAD("not UDP");
		memcpy(d->saddr, ip + 12, 4);
		memcpy(d->daddr, ip + 16, 4);
		udp = ip + 20;
		ulen = iplen - 20;
	} else if (proto == 0x86dd) {
		d->v6 = 1;
		if (off + 40 > len)
			BAD("short IPv6 header");
		ulen = get16(ip + 4);
		if (off + 40 + ulen != len)
			BAD("IPv6 length disagrees with the frame");
		if (ip[6] != 17)
			BAD("IPv6 next header is not UDP");
		d->ttl = ip[7];
		d->tos = (get16(ip) >> 4) & 0xff;
		memcpy(d->saddr, ip + 8, 16);
		memcpy(d->daddr, ip + 24, 16);
		d->ip_csum_ok = 1;
		udp = ip + 40;
	} else {
		BAD("neither IPv4 nor IPv6");
	}
	if (ulen < 8 || get16(udp + 4) != ulen)
		BAD("UDP length disagrees with IP");
	d->sport = get16(udp);
	d->dport = get16(udp + 2);
	if (get16(udp + 6) == 0)
		BAD("UDP checksum 0");
	if (udp_sum(d->v6, ip, udp, ulen) != 0)
		BAD("bad UDP checksum");
	d->udp_csum_ok = 1;
	d->dns = udp + 8;
	d->dnslen = ulen - 8;
	return 0;
#undef BAD
}

int pkt_run(int prog_fd, int is_xdp, const uint8_t *in, size_t inlen,
	    uint8_t *out, size_t *outlen, uint32_t *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = inlen,
		    .data_out = out, .data_size_out = PKT_MAX, .repeat = 1);
	int err;

	(void)is_xdp;
	err = bpf_prog_test_run_opts(prog_fd, &o);
	if (err)
		return -errno;
	*retval = o.retval;
	*outlen = o.data_size_out;
	return 0;
}

double pkt_bench(int prog_fd, int is_xdp, const uint8_t *in, size_t inlen, int repeat)
{
	static uint8_t out[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = inlen,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat);

	(void)is_xdp;
	if (bpf_prog_test_run_opts(prog_fd, &o))
		return -1;
	return o.duration;	/* kernel reports the mean ns per run */
}
