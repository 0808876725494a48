#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""daemon_client.py - the DNS clients test_daemon.sh needs beyond dig/kdig.

Each subcommand prints one line and exits 0 when the property holds:
  pipeline SERVER N           N queries written at once on one TCP connection,
                              every answer matched to its query by ID
  idle SERVER SECS            an idle TCP connection is closed within SECS
  caps SERVER SRC N           N connections from SRC are served, the next
                              one is closed at once; prints "served K"
  hold SERVER SRC N SECS      hold N connections from SRC open SECS seconds
  raw SERVER HEX [tcp]        send a hand-made query, print rcode/flags/counts
  axfr SERVER SRC ZONEFILE    AXFR from SRC equals ZONEFILE (RR sets)
  rcode SERVER SRC QNAME QTYPE [tcp]   print the rcode only
  stream SERVER COUNT RATE OUT         COUNT queries (UDP and TCP alternating
                              with EDNS/DO variants) at RATE per second; write
                              "lost N" and the serials seen to OUT
  notify SOCKET SECS OUT      receive sd_notify datagrams for SECS seconds
  mkqueries ZONEFILE OUT      write a set of UDP queries (hex, one a line) that
                              the XDP path answers: every answer kind, EDNS
                              variants, 0x20 names, errors
  replay SERVER IN OUT        send each query of IN over UDP, write each
                              response (hex, "-" when none) to OUT
"""
import os
import socket
import struct
import sys
import time

import dns.edns
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.zone


def fam(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def tcp_connect(server, src=None, timeout=3.0):
    s = socket.socket(fam(server), socket.SOCK_STREAM)
    s.settimeout(timeout)
    if src:
        s.bind((src, 0))
    s.connect((server, 53))
    return s


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        chunk = s.recv(n - len(b))
        if not chunk:
            raise EOFError("closed after %d of %d bytes" % (len(b), n))
        b += chunk
    return b


def tcp_read_msg(s):
    (n,) = struct.unpack("!H", recv_exact(s, 2))
    return recv_exact(s, n)


def cmd_pipeline(server, n):
    n = int(n)
    s = tcp_connect(server, timeout=5)
    names = ["com.", ".", "net.", "no-such-%d.", "org.", "unsignedtld."]
    want = {}
    out = b""
    for i in range(n):
        name = names[i % len(names)]
        if "%d" in name:
            name = name % i
        q = dns.message.make_query(name, "NS" if i % 2 else "A", want_dnssec=bool(i % 3))
        q.id = (i * 7919 + 1) & 0xFFFF
        want[q.id] = q
        w = q.to_wire()
        out += struct.pack("!H", len(w)) + w
    s.sendall(out)
    got = 0
    for _ in range(n):
        r = dns.message.from_wire(tcp_read_msg(s))
        q = want.pop(r.id, None)
        if q is None or not q.is_response(r):
            print("answer id %d does not match a query" % r.id)
            return 1
        got += 1
    s.close()
    print("pipelined %d answered %d" % (n, got))
    return 0 if got == n and not want else 1


def cmd_idle(server, secs):
    secs = float(secs)
    s = tcp_connect(server, timeout=secs + 5)
    t0 = time.monotonic()
    try:
        data = s.recv(1)
    except socket.timeout:
        print("still open after %.1f s" % (time.monotonic() - t0))
        return 1
    dt = time.monotonic() - t0
    print("closed after %.1f s%s" % (dt, "" if not data else " (got data?)"))
    return 0 if not data and dt <= secs else 1


def one_query(s):
    q = dns.message.make_query(".", "SOA")
    w = q.to_wire()
    s.sendall(struct.pack("!H", len(w)) + w)
    r = dns.message.from_wire(tcp_read_msg(s))
    return q.is_response(r)


def cmd_caps(server, src, n):
    n = int(n)
    conns = []
    served = 0
    for _ in range(n):
        s = tcp_connect(server, src)
        conns.append(s)
        try:
            if one_query(s):
                served += 1
        except (EOFError, OSError):
            pass
    extra = tcp_connect(server, src)
    rejected = False
    try:
        one_query(extra)
    except (EOFError, OSError):
        rejected = True
    for s in conns + [extra]:
        s.close()
    print("served %d of %d, extra %s" % (served, n, "rejected" if rejected else "served"))
    return 0 if served == n and rejected else 1


def cmd_hold(server, src, n, secs):
    conns = [tcp_connect(server, src) for _ in range(int(n))]
    for s in conns:
        one_query(s)
    print("holding %d" % len(conns), flush=True)
    time.sleep(float(secs))
    for s in conns:
        s.close()
    return 0


def cmd_raw(server, hexq, transport="udp"):
    w = bytes.fromhex(hexq)
    if transport == "tcp":
        s = tcp_connect(server)
        s.sendall(struct.pack("!H", len(w)) + w)
        try:
            r = tcp_read_msg(s)
        except (EOFError, socket.timeout):
            print("no answer")
            return 0
    else:
        s = socket.socket(fam(server), socket.SOCK_DGRAM)
        s.settimeout(1.5)
        s.sendto(w, (server, 53))
        try:
            r = s.recv(65535)
        except socket.timeout:
            print("no answer")
            return 0
    fl = r[2] << 8 | r[3]
    qd, an, ns, ar = struct.unpack("!HHHH", r[4:12])
    names = []
    for bit, nm in ((0x8000, "qr"), (0x0400, "aa"), (0x0200, "tc"), (0x0100, "rd"),
                    (0x0080, "ra"), (0x0020, "ad"), (0x0010, "cd")):
        if fl & bit:
            names.append(nm)
    print("rcode %s opcode %d flags %s counts %d %d %d %d len %d" % (
        dns.rcode.to_text(fl & 0xF), (fl >> 11) & 0xF, ",".join(names) or "-",
        qd, an, ns, ar, len(r)))
    return 0


def cmd_rcode(server, src, qname, qtype, transport="udp"):
    q = dns.message.make_query(qname, qtype)
    if transport == "tcp":
        r = dns.query.tcp(q, server, timeout=3, source=src)
    else:
        r = dns.query.udp(q, server, timeout=3, source=src)
    print(dns.rcode.to_text(r.rcode()))
    return 0


def rrset_lines(zone):
    out = set()
    for name, node in zone.nodes.items():
        for rds in node.rdatasets:
            for rd in rds:
                out.add("%s %d %s %s" % (name.derelativize(zone.origin).to_text().lower(),
                                         rds.ttl, dns.rdatatype.to_text(rds.rdtype),
                                         rd.to_text(origin=zone.origin, relativize=False)))
    return out


def cmd_axfr(server, src, zonefile):
    z1 = dns.zone.from_xfr(dns.query.xfr(server, ".", source=src, timeout=10,
                                         relativize=False), relativize=False)
    z2 = dns.zone.from_file(zonefile, origin=".", relativize=False)
    a, b = rrset_lines(z1), rrset_lines(z2)
    print("axfr %d RRs, zone file %d RRs, only in axfr %d, only in file %d" % (
        len(a), len(b), len(a - b), len(b - a)))
    for x in sorted(a ^ b)[:5]:
        print("  differs:", x[:120])
    return 0 if a == b else 1


def cmd_stream(server, count, rate, out):
    count, rate = int(count), float(rate)
    lost = 0
    serials = []
    t0 = time.monotonic()
    tcp = None
    for i in range(count):
        t = t0 + i / rate
        d = t - time.monotonic()
        if d > 0:
            time.sleep(d)
        q = dns.message.make_query(".", "SOA", want_dnssec=bool(i % 2), use_edns=0 if i % 3 else -1)
        try:
            if i % 4 == 3:
                if tcp is None:
                    tcp = tcp_connect(server)
                w = q.to_wire()
                tcp.sendall(struct.pack("!H", len(w)) + w)
                r = dns.message.from_wire(tcp_read_msg(tcp))
            else:
                r = dns.query.udp(q, server, timeout=2)
            serials.append(r.answer[0][0].serial)
        except Exception:
            lost += 1
            if tcp is not None:
                tcp.close()
                tcp = None
    with open(out, "w") as f:
        f.write("lost %d\n" % lost)
        f.write("sent %d\n" % count)
        seen = []
        for s in serials:
            if not seen or seen[-1] != s:
                seen.append(s)
        f.write("serials %s\n" % " ".join(str(s) for s in seen))
    print("lost %d of %d" % (lost, count))
    return 0


def cmd_notify(path, secs, out):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if os.path.exists(path):
        os.unlink(path)
    s.bind(path)
    s.settimeout(0.2)
    end = time.monotonic() + float(secs)
    with open(out, "w") as f:
        while time.monotonic() < end:
            try:
                f.write(s.recv(4096).decode() + "\n---\n")
                f.flush()
            except socket.timeout:
                pass
    return 0


def cmd_mkqueries(zonefile, out, cookie=None):
    import random
    rnd = random.Random(7)
    tlds = set()
    for line in open(zonefile):
        f = line.split()
        if len(f) >= 4 and f[3] == "NS" and f[0].count(".") == 1 and f[0] != ".":
            tlds.add(f[0].rstrip("."))
    tlds = sorted(tlds)
    special = [t for t in ("com", "net", "org", "info", "arpa", "manysiblingns",
                           "manyinzonens", "noglue", "unsignedtld") if t in tlds]
    pick = special + rnd.sample(tlds, min(40, len(tlds)))
    qs = []

    def add(name, qtype, rdclass="IN", edns=0, payload=1232, do=False, nsid=False, qid=None,
            ck=None):
        opts = ([dns.edns.GenericOption(3, b"")] if nsid else []) + \
            ([dns.edns.GenericOption(10, ck)] if ck else [])
        q = dns.message.make_query(name, qtype, rdclass=rdclass, use_edns=edns if edns is not None else -1,
                                   payload=payload, want_dnssec=do, options=opts or None)
        q.flags &= ~dns.flags.RD if len(qs) % 2 else 0xFFFF
        q.id = qid if qid is not None else (len(qs) * 31 + 5) & 0xFFFF
        qs.append(q.to_wire())

    variants = [dict(edns=None), dict(edns=0, payload=512), dict(edns=0, payload=1232, do=True),
                dict(edns=0, payload=4096, do=True), dict(edns=0, payload=100, do=True)]
    for t in pick:
        for v in variants:
            add(t + ".", "A", **v)
            add("www." + t.upper() + ".", "AAAA", **v)
        add(t + ".", "DS", edns=0, do=True)
        add(t + ".", "DS", edns=None)
        add(t + ".", "NS", edns=0, do=True)
        add(t + ".", "NSEC", edns=0, do=True)
    for i in range(40):
        n = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123-") for _ in range(rnd.randint(1, 20)))
        n = n.strip("-") or "x"
        for v in variants:
            add("sub.%s." % n if i % 2 else "%s." % n, "A", **v)
    for qt in ("SOA", "NS", "DNSKEY", "NSEC", "ZONEMD", "MX", "TXT", "A", "CAA"):
        for v in variants:
            add(".", qt, **v)
    add(".", "SOA", edns=0, nsid=True)
    add("com.", "A", edns=0, nsid=True, do=True)
    add("id.server.", "TXT", rdclass="CH", edns=None)
    add("hostname.bind.", "TXT", rdclass="CH", edns=0, nsid=True)
    add("version.bind.", "TXT", rdclass="CH", edns=0)
    add("foo.", "TXT", rdclass="CH", edns=0)
    add(".", "SOA", rdclass="HS", edns=None)
    # DNS cookies: with a server cookie of rootxdpd's for this client (both
    # paths echo it: the same bytes whatever the second), every kind.
    if cookie:
        ck = bytes.fromhex(cookie)
        for t in pick[:12]:
            add(t + ".", "A", edns=0, do=True, ck=ck)
            add(t + ".", "DS", edns=0, do=True, ck=ck)
            add("www." + t + ".", "AAAA", edns=0, payload=512, ck=ck)
        for i in range(10):
            add("nx%d-cookie." % i, "A", edns=0, do=bool(i % 2), ck=ck)
        for qt in ("SOA", "NS", "DNSKEY", "MX"):
            add(".", qt, edns=0, do=True, ck=ck)
        add("com.", "A", edns=0, nsid=True, do=True, ck=ck)
        add("hostname.bind.", "TXT", rdclass="CH", edns=0, nsid=True, ck=ck)
        add(".", "SOA", rdclass="HS", edns=0, ck=ck)
    # BADVERS
    q = dns.message.make_query(".", "SOA", use_edns=1)
    q.id = 4242
    qs.append(q.to_wire())
    # FORMERR: QDCOUNT 2, ANCOUNT 1
    w = bytearray(dns.message.make_query("com.", "A").to_wire())
    w[5] = 2
    qs.append(bytes(w))
    w = bytearray(dns.message.make_query("com.", "A").to_wire())
    w[7] = 1
    qs.append(bytes(w))
    with open(out, "w") as f:
        for w in qs:
            f.write(w.hex() + "\n")
    print("%d queries" % len(qs))
    return 0


def cmd_replay(server, infile, out):
    s = socket.socket(fam(server), socket.SOCK_DGRAM)
    s.settimeout(1.0)
    s.connect((server, 53))
    n = miss = 0
    with open(out, "w") as f:
        for line in open(infile):
            w = bytes.fromhex(line.strip())
            r = None
            for _ in range(3):
                s.send(w)
                try:
                    while True:
                        r = s.recv(65535)
                        if r[:2] == w[:2]:
                            break
                except socket.timeout:
                    r = None
                    continue
                break
            n += 1
            if r is None:
                miss += 1
            f.write((r.hex() if r is not None else "-") + "\n")
    print("%d queries, %d unanswered" % (n, miss))
    return 0 if miss == 0 else 1


def main():
    cmds = {"pipeline": cmd_pipeline, "idle": cmd_idle, "caps": cmd_caps, "hold": cmd_hold,
            "raw": cmd_raw, "axfr": cmd_axfr, "rcode": cmd_rcode, "stream": cmd_stream,
            "notify": cmd_notify, "mkqueries": cmd_mkqueries, "replay": cmd_replay}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__)
        return 2
    return cmds[sys.argv[1]](*sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
