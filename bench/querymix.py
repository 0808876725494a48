#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""querymix.py - a seeded query mix modelled on traffic seen at the DNS root.

    bench/querymix.py --zone ROOT.zone[.gz] [--seed N] [--count N] --out DIR

Reads the delegated TLDs from the zone, draws --count queries with a
random.Random(seed) (same seed + same zone = same files, byte for byte) and
writes, in DIR:

  mix.wire            the whole mix in dnsperf -B format (RFC 1035 4.2.2:
                      2-byte length + message), each query with its own
                      EDNS/DO/payload, so one dnsperf run sends the exact mix
  mix.kxdpgun         "name type [E|D]" lines for kxdpgun -i (E: EDNS,
                      D: EDNS + DO; kxdpgun picks the payload size itself)
  mix.dnsperf.plain   "name type" lines, one file per EDNS mode, for dnsperf
  mix.dnsperf.edns    text input (run with no flag, -e, -D respectively, in
  mix.dnsperf.do      the proportions mix.summary gives)
  mix.summary         the shares actually drawn

The model and where its numbers come from: docs/benchmarks.md.
"""
import argparse
import gzip
import os
import random
import struct
import sys

# ---- the model (docs/benchmarks.md explains each number) ----
P_NX = 0.50              # queries for a TLD that does not exist
P_NX_PROBE = 0.55        # of those: browser-style random single labels
NX_LEAKED = [            # leaked private-use suffixes and their weights
    ("local", 25), ("home", 20), ("lan", 15), ("localdomain", 12), ("corp", 10),
    ("internal", 8), ("localhost", 4), ("domain", 3), ("intranet", 2), ("router", 1),
]
P_EXIST_APEX = 0.03      # of existing-name queries: qname "."
P_EXIST_TLD = 0.12       # of existing-name queries: qname = a TLD
TLD_WEIGHT = [("com", 45), ("net", 10), ("org", 5), ("arpa", 5)]   # rest: 35, uniform
APEX_TYPES = [("NS", 40), ("DNSKEY", 30), ("SOA", 20), ("A", 3), ("AAAA", 3),
              ("NSEC", 2), ("ZONEMD", 1), ("TXT", 1)]
TLD_TYPES = [("DS", 50), ("NS", 25), ("A", 8), ("AAAA", 6), ("SOA", 6), ("DNSKEY", 5)]
QTYPES = [("A", 45), ("AAAA", 25), ("NS", 5), ("DS", 4), ("SOA", 4), ("PTR", 3),
          ("TXT", 3), ("MX", 3), ("DNSKEY", 2), ("SRV", 2), ("HTTPS", 2),
          ("CNAME", 1), ("NAPTR", 0.5), ("CAA", 0.5)]
PROBE_TYPES = [("A", 100)]
P_MIXED_CASE = 0.10      # 0x20-style random case on every letter
EDNS_MODES = [("plain", 15), ("edns", 15), ("do", 70)]
PAYLOADS = [(1232, 60), (4096, 25), (1400, 10), (512, 5)]

TYPE_CODE = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16,
             "AAAA": 28, "SRV": 33, "NAPTR": 35, "DS": 43, "NSEC": 47, "DNSKEY": 48,
             "ZONEMD": 63, "HTTPS": 65, "CAA": 257}

WORDS = ["www", "mail", "api", "cdn", "static", "login", "m", "img", "ns1", "ns2",
         "smtp", "cloud", "shop", "news", "app", "update", "time", "auth", "edge", "id"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"
LDH = LETTERS + "0123456789-"


def tlds_of(zone):
    opener = gzip.open if zone.endswith(".gz") else open
    tlds = set()
    with opener(zone, "rt", encoding="ascii", errors="replace") as f:
        for line in f:
            if not line or line[0] in ";$ \t\n":
                continue
            parts = line.split()
            if len(parts) >= 4 and "NS" in parts[1:4] and parts[0] != ".":
                name = parts[0].rstrip(".").lower()
                if name and "." not in name:
                    tlds.add(name)
    return sorted(tlds)


def pick(rng, table):
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def label(rng, lo, hi, alphabet=LETTERS):
    n = rng.randint(lo, hi)
    s = rng.choice(LETTERS) + "".join(rng.choice(alphabet) for _ in range(n - 1))
    return s if alphabet == LETTERS else s.rstrip("-") or "x"


def sld(rng):
    r = rng.random()
    if r < 0.5:
        return label(rng, 3, 12, LDH)
    if r < 0.8:
        return rng.choice(WORDS) + "." + label(rng, 3, 12, LDH)
    return label(rng, 1, 8) + "." + rng.choice(WORDS) + "." + label(rng, 3, 10, LDH)


def draw(rng, tlds, tldset):
    """One query: (name without trailing dot, "" for the root; qtype; class)."""
    if rng.random() < P_NX:
        if rng.random() < P_NX_PROBE:
            while True:
                n = label(rng, 7, 15)
                if n not in tldset:
                    return n, pick(rng, PROBE_TYPES), "nx-probe"
        suffix = pick(rng, NX_LEAKED)
        r = rng.random()
        if r < 0.15:
            name = suffix
        elif r < 0.30:
            name = "wpad." + suffix
        elif r < 0.40:
            name = "_ldap._tcp.dc._msdcs." + label(rng, 3, 10) + "." + suffix
            return name, "SRV", "nx-leaked"
        else:
            name = label(rng, 2, 12, LDH) + "." + suffix
        return name, pick(rng, QTYPES), "nx-leaked"
    r = rng.random()
    if r < P_EXIST_APEX:
        return "", pick(rng, APEX_TYPES), "apex"
    if r < P_EXIST_APEX + P_EXIST_TLD:
        return rng.choice(tlds), pick(rng, TLD_TYPES), "tld"
    known = [t for t, _ in TLD_WEIGHT if t in tldset]
    r = rng.random() * 100
    acc = 0
    tld = None
    for t, w in TLD_WEIGHT:
        acc += w
        if r < acc:
            tld = t if t in tldset else None
            break
    if tld is None:
        tld = rng.choice([t for t in tlds if t not in known] or tlds)
    if tld == "arpa":
        if rng.random() < 0.7:
            ip = ".".join(str(rng.randint(0, 255)) for _ in range(4))
            return ip + ".in-addr.arpa", "PTR", "below-tld"
        nib = ".".join(rng.choice("0123456789abcdef") for _ in range(32))
        return nib + ".ip6.arpa", "PTR", "below-tld"
    return sld(rng) + "." + tld, pick(rng, QTYPES), "below-tld"


def mixcase(rng, name):
    return "".join(c.upper() if c.isalpha() and rng.random() < 0.5 else c for c in name)


def wire(name, qtype, mode, payload, qid):
    msg = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0 if mode == "plain" else 1)
    for lab in (name.split(".") if name else []):
        b = lab.encode("ascii")
        msg += bytes([len(b)]) + b
    msg += b"\0" + struct.pack("!HH", TYPE_CODE[qtype], 1)
    if mode != "plain":
        msg += b"\0" + struct.pack("!HHBBHH", 41, payload, 0, 0,
                                   0x8000 if mode == "do" else 0, 0)
    return struct.pack("!H", len(msg)) + msg


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--zone", required=True)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--count", type=int, default=100000)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    tlds = tlds_of(a.zone)
    if len(tlds) < 2:
        sys.exit("querymix: no delegated TLDs found in %s" % a.zone)
    tldset = set(tlds)
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    files = {m: open(os.path.join(a.out, "mix.dnsperf." + m), "w") for m, _ in EDNS_MODES}
    kx = open(os.path.join(a.out, "mix.kxdpgun"), "w")
    wf = open(os.path.join(a.out, "mix.wire"), "wb")
    count = {}
    for i in range(a.count):
        name, qtype, cat = draw(rng, tlds, tldset)
        if name and rng.random() < P_MIXED_CASE:
            name = mixcase(rng, name)
            count["mixed-case"] = count.get("mixed-case", 0) + 1
        mode = pick(rng, EDNS_MODES)
        payload = pick(rng, PAYLOADS)
        for k in (cat, "qtype " + qtype, "edns " + mode):
            count[k] = count.get(k, 0) + 1
        text = (name + "." if name else ".") + " " + qtype
        files[mode].write(text + "\n")
        kx.write(text + {"plain": "", "edns": " E", "do": " D"}[mode] + "\n")
        wf.write(wire(name, qtype, mode, payload, i & 0xffff))
    for f in list(files.values()) + [kx, wf]:
        f.close()
    with open(os.path.join(a.out, "mix.summary"), "w") as f:
        f.write("# querymix seed %d count %d zone %s (%d TLDs)\n" %
                (a.seed, a.count, os.path.basename(a.zone), len(tlds)))
        for k in sorted(count, key=lambda k: (k.split()[0], -count[k])):
            f.write("%-22s %6.2f%%\n" % (k, 100.0 * count[k] / a.count))


if __name__ == "__main__":
    main()
