#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""mkseeds.py - (re)generate the committed seed corpora of the fuzzers.

    /usr/bin/python3 tests/fuzz/mkseeds.py [--out tests/fuzz/corpus]

Writes OUT/xdp/, OUT/query/ and OUT/zone/ (each file named for what it
holds; the first byte of every file is the target's selector byte, see
the comment at the top of tests/fuzz/fuzz_<target>.c).  Queries are built
with dnspython (python3-dnspython) where it can express them, by hand where
they must be malformed; names are those of the generated test zone
(tests/zones/mkzone.sh).  The zone seeds are a small root-like zone, plain,
gzip, and signed with ldns-signzone (keys made in a temporary directory,
RSASHA256 1024 bits: small files).  Deterministic except the signed zone.
"""
import argparse
import gzip
import os
import shutil
import socket
import struct
import subprocess
import tempfile

import dns.edns
import dns.flags
import dns.message
import dns.opcode
import dns.rdataclass
import dns.rdatatype


def q(name, rdtype="A", rdclass="IN", edns=None, do=False, payload=1232,
      options=None, qid=0x1234, rd=False, cd=False, opcode=None):
    m = dns.message.make_query(name, rdtype, rdclass, use_edns=edns,
                               want_dnssec=do, payload=payload,
                               options=options or [])
    m.id = qid
    m.flags &= ~dns.flags.RD
    if rd:
        m.flags |= dns.flags.RD
    if cd:
        m.flags |= dns.flags.CD
    if opcode is not None:
        m.set_opcode(opcode)
    return m.to_wire()


def hdr(qid=0xabcd, f1=0, f2=0, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HBBHHHH", qid, f1, f2, qd, an, ns, ar)


def wname(s):
    out = b""
    for label in s.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


OPT = b"\0\0\x29\x04\xd0\0\0\0\0\0\0"          # OPT, 1232, no options
NSID = dns.edns.GenericOption(3, b"")
LONG_TLD = "x" * 63


def queries():
    """(name, DNS payload, TCP-only) for every query case."""
    Q = []
    add = lambda n, b, tcp=False: Q.append((n, b, tcp))
    add("ref_com_a", q("www.com."))
    add("ref_net_a_do", q("www.net.", edns=0, do=True))
    add("ref_net_a_noedns_tc", q("a.b.net.", "AAAA"))
    add("ds_net_do", q("net.", "DS", edns=0, do=True))
    add("ds_unsigned_do", q("unsignedtld.", "DS", edns=0, do=True))
    add("ref_unsigned_do", q("foo.unsignedtld.", "AAAA", edns=0, do=True))
    add("ref_inzone_512_do", q("manyinzonens.", "NS", edns=0, do=True, payload=512))
    add("ref_inzone_noedns", q("www.manyinzonens.", "A"))
    add("ref_sibling_4096_do", q("manysiblingns.", "A", edns=0, do=True, payload=4096))
    add("ref_noglue", q("x.noglue.", "MX", edns=0))
    add("ref_arpa_ptr", q("1.100.51.198.in-addr.arpa.", "PTR", edns=0, do=True))
    add("ref_org_info", q("www.org.", "A", edns=0, payload=1400))
    add("ref_long_tld", q("a." + LONG_TLD + ".", "A", edns=0, do=True))
    add("ref_0x20", q("wWw.CoM.", "A", edns=0, rd=True, cd=True))
    add("ref_ns_at_tld", q("com.", "NS", edns=0, do=True))
    add("ref_nsec_at_tld", q("com.", "NSEC", edns=0, do=True))
    add("nx_a_do", q("no-such-tld.", "A", edns=0, do=True))
    add("nx_a", q("zzzz.", "A"))
    add("nx_deep_do", q("a.b.c.d.e.nonexistent.", "TXT", edns=0, do=True))
    add("nx_before_first", q("0.", "A", edns=0, do=True))
    add("apex_soa_do", q(".", "SOA", edns=0, do=True))
    add("apex_ns_priming", q(".", "NS", edns=0, do=True, rd=True))
    add("apex_ns_noedns", q(".", "NS"))
    add("apex_dnskey_do", q(".", "DNSKEY", edns=0, do=True))
    add("apex_nsec", q(".", "NSEC", edns=0, do=True))
    add("apex_zonemd", q(".", "ZONEMD", edns=0))
    add("apex_nodata_mx_do", q(".", "MX", edns=0, do=True))
    add("apex_any", q(".", "ANY", edns=0))
    add("apex_rrsig", q(".", "RRSIG", edns=0, do=True))
    add("any_tld", q("com.", "ANY", edns=0, do=True))
    add("ch_id_server_nsid", q("id.server.", "TXT", "CH", edns=0, options=[NSID]))
    add("ch_hostname_bind", q("hostname.bind.", "TXT", "CH"))
    add("ch_version_bind", q("version.bind.", "TXT", "CH", edns=0))
    add("ch_version_server", q("VERSION.SERVER.", "TXT", "CH"))
    add("ch_other_refused", q("authors.bind.", "TXT", "CH"))
    add("ch_a_refused", q("id.server.", "A", "CH"))
    add("class_hs_refused", q("com.", "A", "HS"))
    add("class_any", q("com.", "A", "ANY"))
    add("nsid_com", q("com.", "A", edns=0, options=[NSID]))
    add("badvers", q("com.", "A", edns=1, do=True))
    add("badvers_nsid", q(".", "SOA", edns=1, options=[NSID]))
    add("edns_payload_256", q("net.", "A", edns=0, payload=256, do=True))
    add("edns_payload_0", q("net.", "A", edns=0, payload=0))
    add("cookie", q("com.", "A", edns=0, options=[dns.edns.GenericOption(10, b"\1" * 8)]))
    add("cookie_server", q("com.", "A", edns=0,
                           options=[dns.edns.GenericOption(10, b"\1" * 8 + b"\2" * 16)]))
    add("ecs", q("com.", "A", edns=0, options=[dns.edns.ECSOption("198.51.100.0", 24)]))
    add("padding_unknown", q("com.", "A", edns=0, options=[
        dns.edns.GenericOption(12, b"\0" * 20), dns.edns.GenericOption(65001, b"x")]))
    add("keepalive", q("com.", "A", edns=0, options=[dns.edns.GenericOption(11, b"")]))
    add("many_options", q("com.", "A", edns=0, options=[
        dns.edns.GenericOption(65001 + i, b"") for i in range(10)]))
    add("opcode_notify", q("com.", "SOA", opcode=dns.opcode.NOTIFY))
    add("opcode_update", q("com.", "SOA", opcode=dns.opcode.UPDATE, rd=True))
    add("opcode_15", hdr(f1=0x78) + wname("com") + b"\0\1\0\1")
    add("qtype_0", q("com.", 0))
    add("qtype_tkey", q("com.", "TKEY"))
    add("qtype_opt", hdr() + wname("com") + b"\0\x29\0\1")
    add("qtype_maila", q("com.", 254))
    add("qtype_ixfr_udp", q(".", "IXFR"))
    add("big_query", q("com.", "A", edns=0, options=[dns.edns.GenericOption(12, b"\0" * 600)]))
    # hand-made malformed ones
    add("qd0", hdr(qd=0))
    add("qd0_opt", hdr(qd=0, ar=1) + OPT)
    add("qd2", hdr(qd=2) + (wname("com") + b"\0\1\0\1") * 2)
    add("an1", hdr(an=1) + wname("com") + b"\0\1\0\1" + b"\0\0\1\0\1\0\0\0\0\0\0")
    add("ns1", hdr(ns=1) + wname("com") + b"\0\1\0\1" + b"\0\0\1\0\1\0\0\0\0\0\0")
    add("ar2_two_opt", hdr(ar=2) + wname("com") + b"\0\1\0\1" + OPT + OPT)
    add("opt_not_root", hdr(ar=1) + wname("com") + b"\0\1\0\1" + b"\3com" + OPT)
    add("ar1_not_opt", hdr(ar=1) + wname("com") + b"\0\1\0\1" + b"\0\0\1\0\1\0\0\0\0\0\4\1\2\3\4")
    add("tsig", hdr(ar=1) + wname("com") + b"\0\1\0\1" + wname("key") +
        b"\0\xfa\0\xff\0\0\0\0\0\x1a" + wname("hmac-sha256") + b"\0" * 16)
    add("label_0x40", hdr() + b"\x43abc\0\0\1\0\1")
    add("label_0x80", hdr() + b"\x83abc\0\0\1\0\1")
    add("compressed_qname", hdr() + b"\xc0\x0c\0\1\0\1")
    add("compressed_qname_ok", hdr(ar=1) + b"\3www\xc0\x1d\0\1\0\1" + OPT[:-1] + b"\0")
    add("name_too_long", hdr() + (b"\x3f" + b"a" * 63) * 4 + b"\0\0\1\0\1")
    add("name_255", hdr() + (b"\x3f" + b"a" * 63) * 3 + b"\x3d" + b"b" * 61 + b"\0\0\1\0\1")
    add("label_past_end", hdr() + b"\x3fabc")
    add("no_qtype", hdr() + wname("com"))
    add("half_qtype", hdr() + wname("com") + b"\0\1\0")
    add("opt_truncated", hdr(ar=1) + wname("com") + b"\0\1\0\1" + OPT[:8])
    add("opt_rdlen_past_end", hdr(ar=1) + wname("com") + b"\0\1\0\1" + OPT[:-1] + b"\x10")
    add("trailing", q("com.", "A") + b"\0\0\0")
    add("trailing_edns", q("com.", "A", edns=0) + b"junk")
    add("qr1", hdr(f1=0x80) + wname("com") + b"\0\1\0\1")
    add("qr1_short", hdr(f1=0x84)[:12])
    add("short_11", hdr()[:11])
    add("header_only", hdr())
    add("empty", b"")
    add("aa_tc_set_query", hdr(f1=0x06, f2=0x70) + wname("com") + b"\0\1\0\1")
    # TCP-only: transfers and keepalive
    add("axfr", q(".", "AXFR"), True)
    ixfr = dns.message.make_query(".", "IXFR")
    ixfr.id = 0x4242
    ixfr.authority.append(dns.rrset.from_text(
        ".", 0, "IN", "SOA",
        "a.root-servers.net. nstld.verisign-grs.com. 2025010100 1800 900 604800 86400"))
    add("ixfr_soa", ixfr.to_wire(), True)
    add("keepalive_tcp", q("com.", "A", edns=0, options=[dns.edns.GenericOption(11, b"")]), True)
    add("keepalive_tcp_bad", q("com.", "A", edns=0,
                               options=[dns.edns.GenericOption(11, b"\0\1")]), True)
    add("any_tcp", q(".", "ANY", edns=0, do=True), True)
    add("ref_big_tcp", q("manyinzonens.", "A", edns=0, do=True), True)
    return Q


# ---- frames for the raw mode of fuzz_xdp ----

def csum(b):
    if len(b) & 1:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


SMAC, CMAC = b"\x02\0\0\0\0\x53", b"\x02\0\0\0\0\x07"


def frame(dnsp, v6=False, vlans=(), proto=17, dport=53, ihl=5, frag=0,
          nh=None, pad=b""):
    eth = SMAC + CMAC
    for tpid, vid in vlans:
        eth += struct.pack("!HH", tpid, vid)
    udp_len = 8 + len(dnsp)
    if not v6:
        src = socket.inet_pton(socket.AF_INET, "198.51.100.7")
        dst = socket.inet_pton(socket.AF_INET, "203.0.113.53")
        opts = b"\1" * (4 * (ihl - 5))
        tot = 4 * ihl + udp_len
        ip = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot, 0x1234, frag, 61, proto, 0,
                         src, dst) + opts
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        pseudo = src + dst + struct.pack("!BBH", 0, 17, udp_len)
        eth += b"\x08\x00"
    else:
        src = socket.inet_pton(socket.AF_INET6, "2001:db8::7")
        dst = socket.inet_pton(socket.AF_INET6, "2001:db8::53")
        ext = b""
        if nh is not None:
            ext = bytes([17, 0, 1, 4, 0, 0, 0, 0])
        ip = struct.pack("!IHBB16s16s", 0x60000000, len(ext) + udp_len,
                         nh if nh is not None else proto, 61, src, dst) + ext
        pseudo = src + dst + struct.pack("!IxxxB", udp_len, 17)
        eth += b"\x86\xdd"
    udp = struct.pack("!HHHH", 40123, dport, udp_len, 0) + dnsp
    c = csum(pseudo + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    return eth + ip + udp + pad


def raw_frames():
    com = q("www.com.", "A", edns=0, do=True)
    F = []
    F.append(("raw_v4", frame(com)))
    F.append(("raw_v6_vlan2", frame(com, v6=True, vlans=((0x88a8, 100), (0x8100, 101)))))
    F.append(("raw_vlan3", frame(com, vlans=((0x88a8, 1), (0x8100, 2), (0x8100, 3)))))
    F.append(("raw_padded_60", frame(q("a.", "A"), pad=b"\0" * 10)))
    F.append(("raw_v4_options", frame(com, ihl=6)))
    F.append(("raw_v4_frag", frame(com, frag=0x2000)))
    F.append(("raw_v4_fragoff", frame(com, frag=0x0010)))
    F.append(("raw_v6_hbh", frame(com, v6=True, nh=0)))
    F.append(("raw_v6_frag", frame(com, v6=True, nh=44)))
    F.append(("raw_tcp53", frame(com, proto=6)))
    F.append(("raw_udp_5353", frame(com, dport=5353)))
    F.append(("raw_arp", SMAC + CMAC + b"\x08\x06" + b"\0\1\x08\0\6\4\0\1" + b"\0" * 20))
    F.append(("raw_short_dns", frame(b"\xab\xcd\0\0")))
    F.append(("raw_qr1", frame(hdr(f1=0x80) + wname("com") + b"\0\1\0\1")))
    return F


# ---- zones ----

ZONE = """$ORIGIN .
$TTL 86400
.			86400	IN SOA	a.root-servers.net. nstld.verisign-grs.com. 2026010100 1800 900 604800 86400
.			518400	IN NS	a.root-servers.net.
.			518400	IN NS	b.root-servers.net.
com.			172800	IN NS	a.gtld-servers.net.
com.			172800	IN NS	b.gtld-servers.net.
com.			86400	IN DS	30909 8 2 E2D3C916F6DEEAC73294E8268FB5885044A833FC5459588F4A9184CF C41A5766
net.			172800	IN NS	a.gtld-servers.net.
net.			172800	IN NS	b.gtld-servers.net.
net.			86400	IN DS	35886 8 2 7862B27F5F516EBE19680444D4CE5E762981931842C465F00236401D 8BD973EE
a.gtld-servers.net.	172800	IN A	198.51.100.30
a.gtld-servers.net.	172800	IN AAAA	2001:db8::30
b.gtld-servers.net.	172800	IN A	203.0.113.30
a.root-servers.net.	518400	IN A	198.51.100.4
a.root-servers.net.	518400	IN AAAA	2001:db8:503:ba3e::2:30
b.root-servers.net.	518400	IN A	203.0.113.201
unsignedtld.		172800	IN NS	ns1.unsignedtld.
unsignedtld.		172800	IN NS	ns.example.org.
ns1.unsignedtld.	172800	IN A	198.51.100.77
org.			172800	IN NS	ns.example.org.
example.org.		172800	IN A	203.0.113.9
xn--p1ai.		172800	IN NS	a.dns.xn--p1ai.
a.dns.xn--p1ai.		172800	IN AAAA	2001:db8:1::53
"""


def bad_zones():
    soa = ". 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400\n"
    ns = ". 518400 IN NS a.root-servers.net.\n"
    return [
        ("bad_no_soa", ns),
        ("bad_cname_apex", soa + ns + ". 60 IN CNAME x.\n"),
        ("bad_wildcard_tld", soa + ns + "*. 60 IN NS a.b.\n"),
        ("bad_data_at_tld", soa + ns + "com. 60 IN TXT hi\n"),
        ("bad_glue_no_deleg", soa + ns + "a.b.c. 60 IN A 198.51.100.1\n"),
        ("bad_nsec3", soa + ns + ". 0 IN NSEC3PARAM 1 0 0 -\n"),
        ("bad_class_ch", soa + ns + "com. 60 CH NS a.b.\n"),
        ("bad_syntax", soa + ns + "com. 60 IN NS\n"),
        ("bad_soa_not_root", "com. 86400 IN SOA a. b. 1 2 3 4 5\ncom. 60 IN NS a.com.\n"),
        ("bad_zonemd", soa + ns + ". 86400 IN ZONEMD 1 1 1 " + "00" * 48 + "\n"),
        ("bad_include", soa + "$INCLUDE /etc/hostname\n" + ns),
        ("bad_generate", soa + ns + "$GENERATE 1-1000 t$ 60 IN NS a.b.\n"),
        ("ok_directives", "$TTL 3600\n$ORIGIN .\n" + soa + "@ IN NS a.root-servers.net.\n" +
         "$ORIGIN com.\n@ IN NS ns.foo.net.\n"),
    ]


def signed_zone(tmp):
    """ZONE signed with a KSK and a ZSK (NSEC, ZONEMD), or None."""
    if not shutil.which("ldns-keygen") or not shutil.which("ldns-signzone"):
        return None
    src = os.path.join(tmp, "root.zone")
    with open(src, "w") as f:
        f.write(ZONE)
    keys = []
    for extra in (["-k"], []):
        k = subprocess.run(["ldns-keygen", "-a", "RSASHA256", "-b", "1024", *extra, "."],
                           cwd=tmp, check=True, capture_output=True, text=True).stdout.strip()
        keys.append(k)
    subprocess.run(["ldns-signzone", "-z", "1:2", "-e", "20360101000000",
                    "-i", "20260101000000", "-f", os.path.join(tmp, "signed"), src, *keys],
                   cwd=tmp, check=True, capture_output=True)
    with open(os.path.join(tmp, "signed")) as f:
        return f.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "corpus"))
    a = ap.parse_args()
    for t in ("xdp", "query", "zone"):
        d = os.path.join(a.out, t)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))

    def put(t, name, data):
        with open(os.path.join(a.out, t, name), "wb") as f:
            f.write(data)

    # fuzz_xdp: selector (bit 0 IPv6, bits 1-2 VLAN tags, bit 3 faults,
    # bits 4-5 configuration, bit 7 raw), then the DNS payload.
    for i, (name, w, tcp) in enumerate(queries()):
        if tcp:
            continue
        sel = [0x00, 0x01, 0x02, 0x05, 0x04, 0x03][i % 6]
        put("xdp", name, bytes([sel]) + w)
    # configurations 1-3 (bits 4-5): NSID off + version hidden, MTU 576,
    # payload 4096 + MTU 9000
    byname = {n: w for n, w, _ in queries()}
    for name, cfg in (("ch_version_bind", 1), ("nsid_com", 1), ("badvers_nsid", 1),
                      ("ref_net_a_do", 2), ("apex_dnskey_do", 2), ("ref_inzone_512_do", 2),
                      ("ref_sibling_4096_do", 3), ("apex_dnskey_do", 3)):
        put("xdp", "%s_cfg%d" % (name, cfg), bytes([cfg << 4 | 0x01]) + byname[name])
    put("xdp", "ref_big_4096_cfg3", bytes([0x30]) +
        q("manyinzonens.", "A", edns=0, do=True, payload=4096))
    com = q("www.com.", "A", edns=0, do=True)
    for name, fault in (("fault_ipopt", 0x01), ("fault_frag", 0x02), ("fault_v6ext", 0x04),
                        ("fault_udplen_minus1", 0x08), ("fault_udplen_plus1", 0x10),
                        ("fault_trailing1", 0x20), ("fault_trailing46", 0x60),
                        ("fault_iplen_plus1", 0x80)):
        put("xdp", name, bytes([0x08 | (0x01 if fault == 0x04 else 0), fault]) + com)
    for name, fr in raw_frames():
        put("xdp", name, b"\x80" + fr)

    # fuzz_query: selector (bit 0 TCP, 1 IPv6, 2 in the AXFR ACL, 3 full
    # ANY, 4 version shown, 5 NSID off, 6 no zone), then the message.
    for i, (name, w, tcp) in enumerate(queries()):
        if tcp:
            put("query", name, bytes([0x07 if "xfr" in name else 0x03]) + w)
        else:
            put("query", name, bytes([[0x00, 0x02, 0x10, 0x01, 0x08, 0x20][i % 6]]) + w)
    put("query", "no_zone", b"\x40" + q("com.", "A"))
    put("query", "axfr_refused", b"\x01" + q(".", "AXFR"))

    # fuzz_zone: selector (bit 0: gzip the rest here), then the file.
    put("zone", "root_small", b"\0" + ZONE.encode())
    put("zone", "root_small_gzip_here", b"\1" + ZONE.encode())
    put("zone", "root_small_gz_file", b"\0" + gzip.compress(ZONE.encode(), mtime=0))
    put("zone", "root_small_gz_truncated", b"\0" + gzip.compress(ZONE.encode(), mtime=0)[:-9])
    for name, z in bad_zones():
        put("zone", name, b"\0" + z.encode())
    with tempfile.TemporaryDirectory() as tmp:
        s = signed_zone(tmp)
        if s:
            put("zone", "root_small_signed", b"\0" + s.encode())


if __name__ == "__main__":
    main()
