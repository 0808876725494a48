#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""rssac_client.py - known traffic for test_rssac.sh, and the check of the
RSSAC002 YAML files `rootxdp rssac002 report` writes.

  send SRV4 SRV6 SRCS TLDS OUT [REPEAT]
      REPEAT times (default 1), from each source address of SRCS (comma
      separated), a fixed set of
      UDP and TCP queries (referrals, NXDOMAIN, apex, DNSKEY with DO, CHAOS,
      REFUSED, ANY); write what the client sent and received as the counts
      RSSAC002 must show (JSON): queries and responses by transport and
      family, request and response sizes in 16-byte bins, rcodes, sources.
  check DIR PREFIX DATE START SERVICE JSON[,JSON...] [key=value...]
      parse DIR/PREFIX-DATE-*.yaml with PyYAML; every file must have the
      layout of the published RSSAC002v5 files (keys, order, types, bins)
      and the values of the JSON counts added up; key=value: uniq=N4,N6,NAGG,
      zone=SERIAL:SIZE[;...], load=SERIAL:MIN:MAX (seconds), extra=JSON:MIN:MAX
      (JSON's counts added k times, for some MIN <= k <= MAX).
  probe SRV SRC OUT
      one TCP ". SOA" from SRC, retried until answered (after a restart),
      its counts as JSON
  sum DIR_A DIR_B DIR_AB PREFIX DATE
      the counters of A and B add up to those of AB.

The published layout (rssac-caucus/RSSAC002-data, e.g.
2024/12/*/a-root-20241201-*.yaml, version rssac002v5): version, service,
start-period, metric, then the metric's keys; no end-period since v3.
"""
import json
import re
import socket
import struct
import sys

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import yaml

HEAD = ["version", "service", "start-period", "metric"]
LAYOUT = {
    "traffic-volume": ["dns-udp-queries-received-ipv4", "dns-udp-queries-received-ipv6",
                       "dns-tcp-queries-received-ipv4", "dns-tcp-queries-received-ipv6",
                       "dns-udp-responses-sent-ipv4", "dns-udp-responses-sent-ipv6",
                       "dns-tcp-responses-sent-ipv4", "dns-tcp-responses-sent-ipv6"],
    "traffic-sizes": ["udp-request-sizes", "udp-response-sizes",
                      "tcp-request-sizes", "tcp-response-sizes"],
    "rcode-volume": None,	# rcode numbers as keys
    "unique-sources": ["num-sources-ipv4", "num-sources-ipv6", "num-sources-ipv6-aggregate"],
    "zone-size": ["size"],
    "load-time": ["time"],
}
REQ_LAST, RESP_LAST = 288, 4096	# "288-", "4096-" (the published files)


def bin_of(n, last):
    lo = min(n // 16 * 16, last)
    return "%d-" % lo if lo == last else "%d-%d" % (lo, lo + 15)


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise IOError("connection closed")
        b += c
    return b


def exchange(src, srv, wire, tcp):
    fam = socket.AF_INET6 if ":" in srv else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
    s.settimeout(3)
    s.bind((src, 0))
    try:
        if tcp:
            s.connect((srv, 53))
            s.sendall(struct.pack("!H", len(wire)) + wire)
            n = struct.unpack("!H", recv_exact(s, 2))[0]
            return recv_exact(s, n)
        s.sendto(wire, (srv, 53))
        return s.recvfrom(65535)[0]
    finally:
        s.close()


def queries(tlds):
    q = []
    for i, t in enumerate(tlds):
        q.append(("udp", dns.message.make_query(t + ".", "NS")))
        q.append(("udp", dns.message.make_query("www.%s." % t, "A", want_dnssec=(i % 2 == 0))))
    q.append(("udp", dns.message.make_query("nosuchtld-rssac.", "A", use_edns=0)))
    q.append(("udp", dns.message.make_query("a.b.nosuchtld-rssac.", "AAAA")))
    q.append(("udp", dns.message.make_query(".", "SOA", use_edns=0, payload=4096)))
    q.append(("udp", dns.message.make_query(".", "DNSKEY", want_dnssec=True, payload=4096)))
    q.append(("udp", dns.message.make_query("id.server.", "TXT", rdclass="CH")))
    q.append(("udp", dns.message.make_query("nothing.bind.", "TXT", rdclass="CH")))
    q.append(("udp", dns.message.make_query(".", "ANY")))
    q.append(("tcp", dns.message.make_query(".", "SOA")))
    q.append(("tcp", dns.message.make_query(tlds[0] + ".", "NS", want_dnssec=True)))
    q.append(("tcp", dns.message.make_query("nosuchtld-rssac.", "A")))
    return q


def cmd_send(srv4, srv6, srcs, tlds, out, repeat="1"):
    c = {"queries": {}, "responses": {}, "req": {"udp": {}, "tcp": {}},
         "resp": {"udp": {}, "tcp": {}}, "rcode": {}, "sources": []}
    tlds = tlds.split(",")
    for src in srcs.split(",") * int(repeat):
        v6 = ":" in src
        srv = srv6 if v6 else srv4
        fam = "ipv6" if v6 else "ipv4"
        if src not in c["sources"]:
            c["sources"].append(src)
        for tr, m in queries(tlds):
            wire = m.to_wire()
            r = exchange(src, srv, wire, tr == "tcp")
            k = "%s-%s" % (tr, fam)
            c["queries"][k] = c["queries"].get(k, 0) + 1
            b = bin_of(len(wire), REQ_LAST)
            c["req"][tr][b] = c["req"][tr].get(b, 0) + 1
            c["responses"][k] = c["responses"].get(k, 0) + 1
            b = bin_of(len(r), RESP_LAST)
            c["resp"][tr][b] = c["resp"][tr].get(b, 0) + 1
            rc = str(dns.message.from_wire(r).rcode())
            c["rcode"][rc] = c["rcode"].get(rc, 0) + 1
    with open(out, "w") as f:
        json.dump(c, f)
    n = sum(c["queries"].values())
    print("sent %d queries from %d sources" % (n, len(c["sources"])))
    return 0


def cmd_probe(srv, src, out):
    """One TCP ". SOA" from src, retried until answered (a restart)."""
    import time
    m = dns.message.make_query(".", "SOA")
    wire = m.to_wire()
    for _ in range(100):
        try:
            r = exchange(src, srv, wire, True)
            break
        except (OSError, IOError):
            time.sleep(0.1)
    else:
        print("no answer from %s" % srv)
        return 1
    fam = "ipv6" if ":" in src else "ipv4"
    c = {"queries": {"tcp-" + fam: 1}, "responses": {"tcp-" + fam: 1},
         "req": {"udp": {}, "tcp": {bin_of(len(wire), REQ_LAST): 1}},
         "resp": {"udp": {}, "tcp": {bin_of(len(r), RESP_LAST): 1}},
         "rcode": {str(dns.message.from_wire(r).rcode()): 1}, "sources": [src]}
    with open(out, "w") as f:
        json.dump(c, f)
    return 0


def add(a, b):
    if isinstance(a, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = add(out[k], v) if k in out else v
        return out
    if isinstance(a, list):
        return sorted(set(a) | set(b))
    return a + b


class Checker:
    def __init__(self, verbose=True):
        self.bad = 0
        self.verbose = verbose

    def eq(self, what, got, want):
        if got != want:
            self.bad += 1
            if self.verbose:
                print("  %s: got %r, want %r" % (what, got, want))


def load(d, prefix, date, metric):
    with open("%s/%s-%s-%s.yaml" % (d, prefix, date, metric)) as f:
        text = f.read()
    return text, yaml.safe_load(text)


def layout(ck, metric, text, y, start, service):
    ck.eq(metric + ": starts with ---", text.startswith("---\n"), True)
    ck.eq(metric + ": head keys", list(y)[:4], HEAD)
    ck.eq(metric + ": version", y.get("version"), "rssac002v5")
    ck.eq(metric + ": service", y.get("service"), service)
    ck.eq(metric + ": start-period", y.get("start-period"), start)
    ck.eq(metric + ": start-period form",
          bool(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(y.get("start-period")))), True)
    ck.eq(metric + ": metric", y.get("metric"), metric)
    keys = list(y)[4:]
    if LAYOUT[metric] is None:
        ck.eq(metric + ": rcode keys", all(re.fullmatch(r"\d+", str(k)) for k in keys), True)
        ck.eq(metric + ": counts", all(isinstance(v, int) for v in y.values()
                                       if not isinstance(v, str)), True)
    else:
        ck.eq(metric + ": keys", keys, LAYOUT[metric])
    if metric == "traffic-sizes":
        for k in LAYOUT[metric]:
            last = REQ_LAST if "request" in k else RESP_LAST
            for b, v in (y.get(k) or {}).items():
                m = re.fullmatch(r"(\d+)-(\d*)", str(b))
                ok = bool(m) and int(m.group(1)) % 16 == 0 and isinstance(v, int) and (
                    (m.group(2) == "" and int(m.group(1)) == last) or
                    (m.group(2) != "" and int(m.group(2)) == int(m.group(1)) + 15 and
                     int(m.group(1)) < last))
                ck.eq("%s: bin %r" % (k, b), ok, True)
    if metric in ("zone-size", "load-time"):
        v = y.get(keys[0]) if keys else None
        ck.eq(metric + ": a mapping of serials", isinstance(v, dict) and
              all(isinstance(k, int) and isinstance(x, int) for k, x in v.items()), True)


def cmd_check(d, prefix, date, start, service, jsons, *opts):
    want = None
    for j in jsons.split(","):
        with open(j) as f:
            c = json.load(f)
        want = c if want is None else add(want, c)
    o = dict(x.split("=", 1) for x in opts)
    if "extra" not in o:
        return check_one(d, prefix, date, start, service, want, o, True)
    # extra=FILE:MIN:MAX: FILE's counts k times, MIN <= k <= MAX, for
    # queries the test cannot count itself (refresh's own checks)
    f, lo, hi = o.pop("extra").split(":")
    with open(f) as fh:
        x = json.load(fh)
    w = want
    for _ in range(int(lo)):
        w = add(w, x)
    for k in range(int(lo), int(hi) + 1):
        if check_one(d, prefix, date, start, service, w, o, False) == 0:
            print("with %d x %s" % (k, f))
            return 0
        w = add(w, x)
    return check_one(d, prefix, date, start, service, want, o, True)


def check_one(d, prefix, date, start, service, want, o, verbose):
    ck = Checker(verbose)
    ys = {}
    for metric in LAYOUT:
        text, y = load(d, prefix, date, metric)
        layout(ck, metric, text, y, start, service)
        ys[metric] = y
    tv = ys["traffic-volume"]
    for tr in ("udp", "tcp"):
        for fam in ("ipv4", "ipv6"):
            k = "%s-%s" % (tr, fam)
            ck.eq("dns-%s-queries-received-%s" % (tr, fam),
                  tv["dns-%s-queries-received-%s" % (tr, fam)], want["queries"].get(k, 0))
            ck.eq("dns-%s-responses-sent-%s" % (tr, fam),
                  tv["dns-%s-responses-sent-%s" % (tr, fam)], want["responses"].get(k, 0))
    ts = ys["traffic-sizes"]
    for tr in ("udp", "tcp"):
        ck.eq(tr + "-request-sizes", {str(k): v for k, v in (ts[tr + "-request-sizes"] or {}).items()},
              want["req"][tr])
        ck.eq(tr + "-response-sizes", {str(k): v for k, v in (ts[tr + "-response-sizes"] or {}).items()},
              want["resp"][tr])
    rv = {str(k): v for k, v in ys["rcode-volume"].items() if k not in HEAD}
    ck.eq("rcode-volume", rv, want["rcode"])
    if "uniq" in o:
        n4, n6, nagg = (int(x) for x in o["uniq"].split(","))
        us = ys["unique-sources"]
        ck.eq("num-sources-ipv4", us["num-sources-ipv4"], n4)
        ck.eq("num-sources-ipv6", us["num-sources-ipv6"], n6)
        ck.eq("num-sources-ipv6-aggregate", us["num-sources-ipv6-aggregate"], nagg)
    if "zone" in o:
        z = {int(s): int(n) for s, n in (x.split(":") for x in o["zone"].split(";"))}
        ck.eq("zone-size", ys["zone-size"]["size"], z)
    if "load" in o:
        s, lo, hi = (int(x) for x in o["load"].split(":"))
        t = ys["load-time"]["time"] or {}
        ck.eq("load-time serials", list(t), [s])
        ck.eq("load-time %s within [%d, %d]" % (t.get(s), lo, hi), lo <= t.get(s, -1) <= hi, True)
    elif "noload" in o:
        ck.eq("load-time", ys["load-time"]["time"], {})
    print("%d files, %d mismatches" % (len(ys), ck.bad))
    return 1 if ck.bad else 0


def cmd_sum(da, db, dab, prefix, date):
    ck = Checker()
    for metric in ("traffic-volume", "traffic-sizes", "rcode-volume"):
        _, a = load(da, prefix, date, metric)
        _, b = load(db, prefix, date, metric)
        _, ab = load(dab, prefix, date, metric)
        for k in set(a) | set(b) | set(ab):
            if k in HEAD:
                continue
            va, vb, vab = a.get(k, 0), b.get(k, 0), ab.get(k, 0)
            if isinstance(vab, dict) or isinstance(va, dict):
                s = add(va or {}, vb or {})
                ck.eq("%s %s" % (metric, k), vab or {}, s)
            else:
                ck.eq("%s %s" % (metric, k), vab, va + vb)
    print("sum: %d mismatches" % ck.bad)
    return 1 if ck.bad else 0


def main(argv):
    if len(argv) in (6, 7) and argv[0] == "send":
        return cmd_send(*argv[1:])
    if len(argv) == 4 and argv[0] == "probe":
        return cmd_probe(*argv[1:])
    if len(argv) >= 7 and argv[0] == "check":
        return cmd_check(*argv[1:])
    if len(argv) == 6 and argv[0] == "sum":
        return cmd_sum(*argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
