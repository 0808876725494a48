# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""querygen.py - a seeded generator of a DNS query corpus for a root zone.

    corpus = generate(zonedata, seed=1, size=6000)

Every query is a Query: its behaviour class (CLASSES), the wire bytes (the
ID is rewritten by the sender), the transport ("udp": retried over TCP when
the answer has TC=1, or "tcp"), and a description that reproduces it (a dig
command line where dig can express the query, else the hex of the wire).
The same seed and zone give the same corpus.

The classes follow docs/design.md's rules for answering a query:
  apex         qname "." with every apex and some non-apex qtypes
  tld          qname = an existing TLD, every qtype (DS is the AA answer)
  below_tld    random names under existing TLDs
  glue         glue owner names (ns1.TLD...) and the root-servers.net names
  nxdomain     random nonexistent TLDs (7-15 letters) and names below them
  leaked       local home lan corp internal localdomain (and below)
  odd_names    digits, hyphens, 63-byte labels, long names, 0x20 case,
               non-ASCII bytes
  near_tld     names next to existing TLDs in canonical order
  qtypes       unknown and rare qtypes at every kind of name
  edns         every EDNS variant over the three answer kinds
  tcp          all kinds over TCP (ANY included)
  chaos        CHAOS TXT id.server / hostname.bind / version.*, other
               CHAOS names, other classes
  header       QR=1, opcodes, section counts, bad names, bad OPTs, BADVERS
"""
import random
import struct

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype

CLASSES = ("apex", "tld", "below_tld", "glue", "nxdomain", "leaked", "odd_names",
           "near_tld", "qtypes", "edns", "tcp", "chaos", "header")

QTYPES = ["A", "AAAA", "NS", "DS", "DNSKEY", "SOA", "NSEC", "ANY", "TXT", "MX",
          "PTR", "RRSIG", "ZONEMD", "TYPE65280"]
COMMON_QTYPES = ["A", "AAAA", "A", "AAAA", "NS", "DS", "DNSKEY", "SOA", "NSEC",
                 "ANY", "TXT", "MX", "PTR"]
RARE_QTYPES = ["TYPE65280", "TYPE65535", "TYPE65281", "CAA", "SVCB", "HTTPS", "SRV",
               "NAPTR", "CNAME", "DNAME", "HINFO", "NULL", "URI", "TLSA", "SSHFP",
               "CDS", "CDNSKEY", "NSEC3", "NSEC3PARAM", "TYPE260", "TYPE32768"]
APEX_QTYPES = ["SOA", "NS", "DNSKEY", "NSEC", "ZONEMD", "A", "AAAA", "MX", "TXT",
               "PTR", "DS", "ANY"]
LEAKED = ["local", "home", "lan", "corp", "internal", "localdomain"]

NSID = 3
COOKIE = 10
UNKNOWN_OPT = 65001
CLIENT_COOKIE = bytes.fromhex("2464c4abcf10c957")

# EDNS variants: name -> (use_edns version or None, payload, DO, options)
EDNS_VARIANTS = {
    "noedns": (None, None, False, ()),
    "e512": (0, 512, False, ()),
    "e512do": (0, 512, True, ()),
    "e1232": (0, 1232, False, ()),
    "e1232do": (0, 1232, True, ()),
    "e4096": (0, 4096, False, ()),
    "e4096do": (0, 4096, True, ()),
    "e100do": (0, 100, True, ()),
    "e700do": (0, 700, True, ()),
    "e1000": (0, 1000, False, ()),
    "e1400do": (0, 1400, True, ()),
    "v1": (1, 1232, False, ()),
    "v1do": (1, 4096, True, ()),
    "unkopt": (0, 1232, False, (UNKNOWN_OPT,)),
    "unkoptdo": (0, 4096, True, (UNKNOWN_OPT,)),
    "nsid": (0, 1232, False, (NSID,)),
    "nsiddo": (0, 4096, True, (NSID, UNKNOWN_OPT)),
    "cookie": (0, 1232, False, (COOKIE,)),
    "cookiedo": (0, 1232, True, (COOKIE, NSID)),
}
# the everyday mix for classes that are not about EDNS
EDNS_MIX = (["noedns"] * 5 + ["e1232do"] * 6 + ["e4096do"] * 3 + ["e512"] * 2 +
            ["e1232"] * 3 + ["e512do", "e700do", "e1000", "nsid", "unkopt"])


class Query:
    __slots__ = ("idx", "cls", "wire", "transport", "desc", "qname", "qtype",
                 "qclass", "edns", "do", "payload", "opts", "rd", "cd", "raw")

    def __init__(self, cls, wire, transport, desc, **kw):
        self.idx = -1
        self.cls = cls
        self.wire = wire
        self.transport = transport
        self.desc = desc
        self.raw = kw.get("raw", False)
        self.qname = kw.get("qname")
        self.qtype = kw.get("qtype")
        self.qclass = kw.get("qclass", dns.rdataclass.IN)
        self.edns = kw.get("edns")
        self.do = kw.get("do", False)
        self.payload = kw.get("payload")
        self.opts = kw.get("opts", ())
        self.rd = kw.get("rd", False)
        self.cd = kw.get("cd", False)

    def __repr__(self):
        return "<Query %d %s %s>" % (self.idx, self.cls, self.desc)


def _qtype(t):
    return dns.rdatatype.from_text(t)


def _dig_name(name):
    # dig's syntax for a name: dnspython's text form with \DDD escapes works
    return name.to_text()


def make(cls, qname, qtype, variant="noedns", transport="udp", rd=False, cd=False,
         qclass="IN"):
    """A normal query; returns a Query."""
    if isinstance(qname, str):
        qname = dns.name.from_text(qname)
    rdtype = _qtype(qtype) if isinstance(qtype, str) else qtype
    rdclass = dns.rdataclass.from_text(qclass)
    ver, payload, do, opts = EDNS_VARIANTS[variant]
    options = []
    for o in opts:
        if o == NSID:
            options.append(dns.edns.GenericOption(NSID, b""))
        elif o == COOKIE:
            options.append(dns.edns.GenericOption(COOKIE, CLIENT_COOKIE))
        else:
            options.append(dns.edns.GenericOption(o, b"rootxdp-test"))
    m = dns.message.Message(id=0)
    m.flags = 0
    if rd:
        m.flags |= dns.flags.RD
    if cd:
        m.flags |= dns.flags.CD
    m.question = [dns.rrset.RRset(qname, rdclass, rdtype)]
    if ver is not None:
        m.use_edns(ver, dns.flags.DO if do else 0, payload, options=options)
    wire = m.to_wire()
    # dig line
    args = ["dig", "@SERVER", "+norec" if not rd else "+rec"]
    if cd:
        args.append("+cd")
    if transport == "tcp":
        args.append("+tcp")
    else:
        args.append("+ignore")
    if ver is None:
        args.append("+noedns")
    else:
        args.append("+bufsize=%d" % payload)
        if ver:
            args.append("+edns=%d" % ver)
        if do:
            args.append("+dnssec")
        for o in opts:
            if o == NSID:
                args.append("+nsid")
            elif o == COOKIE:
                args.append("+cookie=%s" % CLIENT_COOKIE.hex())
            else:
                args.append("+ednsopt=%d:%s" % (o, b"rootxdp-test".hex()))
    if COOKIE not in opts:
        args.append("+nocookie")
    args += [ _dig_name(qname), dns.rdataclass.to_text(rdclass),
             dns.rdatatype.to_text(rdtype)]
    return Query(cls, wire, transport, " ".join(args), qname=qname, qtype=rdtype,
                 qclass=rdclass, edns=ver, do=do, payload=payload,
                 opts=tuple(opts), rd=rd, cd=cd)


def raw(cls, wire, desc, transport="udp"):
    """A hand-made query, described by its hex."""
    return Query(cls, wire, transport, "%s: %s" % (desc, wire.hex()), raw=True)


# ---------------------------------------------------------------- names
LDH = "abcdefghijklmnopqrstuvwxyz0123456789-"


def rand_label(rng, lo=1, hi=12, alphabet="abcdefghijklmnopqrstuvwxyz0123456789"):
    n = rng.randint(lo, hi)
    s = "".join(rng.choice(alphabet) for _ in range(n))
    return s


def ldh_label(rng, lo=1, hi=20):
    n = rng.randint(lo, hi)
    if n == 1:
        return rng.choice(LDH[:36])
    mid = "".join(rng.choice(LDH) for _ in range(n - 2))
    return rng.choice(LDH[:36]) + mid + rng.choice(LDH[:36])


def mix_case(rng, name):
    """0x20: random case per letter."""
    labels = []
    for lab in name.labels:
        labels.append(bytes((c ^ 0x20) if (0x61 <= (c | 0x20) <= 0x7a and rng.random() < 0.5)
                            else c for c in lab))
    return dns.name.Name(labels)


def sub(rng, parent, depth=None):
    depth = depth if depth is not None else rng.choice([1, 1, 1, 2, 2, 3])
    labels = [rand_label(rng).encode() for _ in range(depth)]
    return dns.name.Name(labels + list(parent.labels))


def nonexistent_tld(rng, tlds):
    while True:
        lab = rand_label(rng, 7, 15, "abcdefghijklmnopqrstuvwxyz")
        n = dns.name.Name([lab.encode(), b""])
        if n not in tlds:
            return n


# ---------------------------------------------------------------- corpus
def generate(zd, seed=1, size=6000):
    """The corpus for ZoneData zd: a list of Query, about `size` long."""
    rng = random.Random(seed)
    tlds = sorted(zd.tlds)                 # canonical order
    tldset = set(tlds)
    glue_owners = sorted(zd.glue_names)
    out = []
    w = size / 6000.0

    def n(k):
        return max(1, int(k * w))

    def mixv():
        return rng.choice(EDNS_MIX)

    def flags():
        r = rng.random()
        return dict(rd=r < 0.2, cd=0.15 < r < 0.3)

    def q(cls, name, qtype, variant=None, transport=None, case=0.15, **kw):
        if rng.random() < case:
            name = mix_case(rng, name)
        f = flags()
        f.update(kw)
        out.append(make(cls, name, qtype, variant or mixv(),
                        transport or ("tcp" if rng.random() < 0.08 else "udp"), **f))

    root = dns.name.root
    # ---- apex: every qtype x every variant
    for t in APEX_QTYPES:
        for v in EDNS_VARIANTS:
            q("apex", root, t, v, "udp", case=0)
    for _ in range(n(250)):
        q("apex", root, rng.choice(APEX_QTYPES + ["RRSIG", "TYPE65280", "CAA", "SRV"]))

    # ---- TLD exact: all qtypes incl. DS NS NSEC RRSIG A
    special = [t for t in ("net", "com", "org", "info", "arpa", "manysiblingns",
                           "manyinzonens", "noglue", "unsignedtld") if
               dns.name.from_text(t) in tldset]
    for t in special:
        for qt in ("DS", "NS", "NSEC", "RRSIG", "A", "AAAA", "ANY", "SOA", "DNSKEY"):
            for v in ("noedns", "e512do", "e700do", "e1232do", "e4096do", "e1232"):
                q("tld", dns.name.from_text(t), qt, v, "udp", case=0.1)
    unsigned = [t for t in tlds if t not in zd.ds_tlds]
    for _ in range(n(900)):
        t = rng.choice(unsigned) if rng.random() < 0.15 and unsigned else rng.choice(tlds)
        qt = rng.choice(["DS", "DS", "DS", "NS", "NSEC", "RRSIG", "A", "AAAA", "SOA",
                         "ANY", "DNSKEY", "TXT", "MX"])
        q("tld", t, qt)

    # ---- below TLD
    for t in special:
        for qt in ("A", "AAAA", "NS", "DS"):
            for v in ("noedns", "e512", "e512do", "e1232do", "e4096do"):
                q("below_tld", sub(rng, dns.name.from_text(t), 1), qt, v, "udp")
    for _ in range(n(800)):
        t = rng.choice(tlds)
        q("below_tld", sub(rng, t), rng.choice(COMMON_QTYPES))

    # ---- glue owners, root-servers.net
    rs = [dns.name.from_text("%s.root-servers.net" % c) for c in "abcdefghijklm"]
    for name in rs:
        for qt in ("A", "AAAA", "NS", "DS"):
            q("glue", name, qt, rng.choice(["noedns", "e1232do", "e4096do"]), "udp")
    q("glue", dns.name.from_text("root-servers.net"), "NS", "e1232do", "udp")
    q("glue", dns.name.from_text("root-servers.net"), "DS", "e1232do", "udp")
    for _ in range(n(500)):
        if glue_owners:
            q("glue", rng.choice(glue_owners), rng.choice(["A", "AAAA", "A", "AAAA", "NS",
                                                           "DS", "ANY", "TXT"]))

    # ---- nonexistent TLDs
    for _ in range(n(700)):
        name = nonexistent_tld(rng, tldset)
        if rng.random() < 0.3:
            name = sub(rng, name)
        q("nxdomain", name, rng.choice(COMMON_QTYPES))

    # ---- leaked names
    for lk in LEAKED:
        base = dns.name.from_text(lk)
        if base in tldset:
            continue
        for v in ("noedns", "e1232do", "e512do", "e4096do"):
            q("leaked", base, "A", v, "udp")
            q("leaked", base, "SOA", v, "udp")
    for _ in range(n(300)):
        lk = rng.choice(LEAKED)
        base = dns.name.from_text(lk)
        name = sub(rng, base) if rng.random() < 0.6 else base
        if rng.random() < 0.3:
            name = dns.name.Name([b"_ldap", b"_tcp", b"dc", b"_msdcs"] + list(name.labels)) \
                if rng.random() < 0.5 else dns.name.Name([b"wpad"] + list(name.labels))
        q("leaked", name, rng.choice(["A", "AAAA", "SRV", "SOA", "PTR", "DS", "NS"]))

    # ---- odd names
    for _ in range(n(500)):
        r = rng.random()
        if r < 0.15:
            labs = [rand_label(rng, 1, 12, "0123456789").encode()]          # digits
        elif r < 0.3:
            labs = [ldh_label(rng, 3, 30).encode()]                        # hyphens
        elif r < 0.45:
            labs = [rand_label(rng, 63, 63, "abcdefghijklmnopqrstuvwxyz-0").encode()]
        elif r < 0.55:                                                     # long name
            labs = []
            while sum(len(x) + 1 for x in labs) < 240:
                labs.append(rand_label(rng, 20, 63).encode())
            while sum(len(x) + 1 for x in labs) + 1 > 255:
                labs.pop(0)
        elif r < 0.65:                                                     # non-ASCII
            labs = [bytes(rng.randint(0x80, 0xff) for _ in range(rng.randint(1, 8))) +
                    b"\xc4" + rand_label(rng).encode()]
        elif r < 0.72:                                                     # xn--
            labs = [b"xn--" + rand_label(rng, 4, 20).encode()]
        elif r < 0.8:                                                      # special chars
            labs = [rng.choice([b"*", b"_", b"a.b", b"a b", b"\x00", b"@", b"\\", b"~",
                                b"-", b"--", b"_tcp", b"*a", b"\x7f"])]
        else:                                                              # odd below TLD
            t = rng.choice(tlds)
            labs = [rand_label(rng, 63, 63).encode(), ldh_label(rng).encode(),
                    rand_label(rng, 1, 5, "0123456789").encode()] + [t.labels[0]]
        name = dns.name.Name(labs + [b""])
        q("odd_names", name, rng.choice(COMMON_QTYPES), case=0.5)
    # 0x20 on existing TLDs and below
    for _ in range(n(150)):
        t = rng.choice(tlds)
        name = t if rng.random() < 0.5 else sub(rng, t)
        qt = rng.choice(["DS", "A", "NS", "DS"])
        q("odd_names", mix_case(rng, name), qt, case=0)

    # ---- near existing TLDs in canonical order
    def near(t):
        lab = t.labels[0].decode("latin-1").lower()
        c = rng.random()
        if c < 0.2:
            s = lab + "a"
        elif c < 0.35:
            s = lab + "-"
        elif c < 0.5 and len(lab) > 1:
            s = lab[:-1]
        elif c < 0.6 and len(lab) > 2:
            s = lab[:rng.randint(1, len(lab) - 1)]
        elif c < 0.75:
            last = ord(lab[-1])
            s = lab[:-1] + chr(min(0x7a, last + 1))
        elif c < 0.85:
            last = ord(lab[-1])
            s = lab[:-1] + chr(max(0x2d, last - 1))
        elif c < 0.92:
            s = "0" + lab
        else:
            s = lab + lab[-1]
        return dns.name.Name([s.encode("latin-1")[:63], b""])

    for _ in range(n(600)):
        t = rng.choice(tlds)
        name = near(t)
        if name in tldset:
            continue
        if rng.random() < 0.25:
            name = sub(rng, name, 1)
        q("near_tld", name, rng.choice(COMMON_QTYPES))
    for s in ("0", "00", "-", "a", "aa", "aaa", "zz", "zzzzzzzzzzzz", "zzzzzzzzzzzzzzzzzzzzzzzzz",
              "xn--", "xn--zzzzzzz", "*", "\\000"):
        name = dns.name.from_text(s)
        if name not in tldset:
            for v in ("noedns", "e1232do", "e4096do"):
                q("near_tld", name, "A", v, "udp", case=0)
    if tlds:
        first, last = tlds[0], tlds[-1]
        for nm in (first, last):
            lab = nm.labels[0]
            for s in (lab + b"0", lab[:-1] if len(lab) > 1 else b"0", lab + b"zz"):
                name = dns.name.Name([s[:63], b""])
                if name not in tldset:
                    q("near_tld", name, "A", "e1232do", "udp", case=0)

    # ---- qtypes: rare and unknown everywhere
    for _ in range(n(350)):
        r = rng.random()
        if r < 0.2:
            name = root
        elif r < 0.45:
            name = rng.choice(tlds)
        elif r < 0.65:
            name = sub(rng, rng.choice(tlds))
        else:
            name = nonexistent_tld(rng, tldset)
        q("qtypes", name, rng.choice(RARE_QTYPES))

    # ---- EDNS variants over the answer kinds
    kinds = [lambda: root, lambda: rng.choice(tlds), lambda: sub(rng, rng.choice(tlds)),
             lambda: nonexistent_tld(rng, tldset)]
    for v in EDNS_VARIANTS:
        for k in kinds:
            for qt in ("A", "DS", "SOA", "NS", "DNSKEY", "TYPE65280"):
                q("edns", k(), qt, v, "udp")
    for _ in range(n(250)):
        q("edns", rng.choice(kinds)(), rng.choice(COMMON_QTYPES), rng.choice(list(EDNS_VARIANTS)),
          rng.choice(["udp", "udp", "tcp"]))

    # ---- TCP
    for t in APEX_QTYPES + ["RRSIG"]:
        for v in ("noedns", "e1232do", "e1232"):
            q("tcp", root, t, v, "tcp", case=0)
    for t in special:
        for qt in ("A", "DS", "ANY", "NS"):
            q("tcp", dns.name.from_text(t), qt, rng.choice(["noedns", "e1232do", "e4096do"]), "tcp")
    for _ in range(n(300)):
        q("tcp", rng.choice(kinds)(), rng.choice(COMMON_QTYPES), mixv(), "tcp")

    # ---- CHAOS and other classes
    for nm in ("id.server", "hostname.bind", "version.bind", "version.server", "ID.SERVER",
               "HostName.Bind", "authors.bind", "foo.server", "id.server.x", "server",
               "bind", "."):
        for qt in ("TXT", "A", "ANY"):
            for v in ("noedns", "e1232", "nsid"):
                q("chaos", dns.name.from_text(nm), qt, v, rng.choice(["udp", "udp", "tcp"]),
                  case=0, qclass="CH")
    for cl in ("HS", "NONE", "ANY", "CLASS42"):
        for nm in (".", "com", "id.server", "nosuchtld"):
            q("chaos", dns.name.from_text(nm), rng.choice(["SOA", "A", "TXT"]),
              rng.choice(["noedns", "e1232do"]), "udp", case=0, qclass=cl)

    # ---- header and malformed
    out.extend(header_cases(rng, tlds))

    for i, x in enumerate(out):
        x.idx = i
    return out


def _hdr(flags=0, qd=1, an=0, ns=0, ar=0, ident=0):
    return struct.pack(">HHHHHH", ident, flags, qd, an, ns, ar)


def _qsec(name=b"\x03com\x00", qtype=1, qclass=1):
    return name + struct.pack(">HH", qtype, qclass)


OPT_REC = b"\x00" + struct.pack(">HHIH", 41, 1232, 0, 0)


def _opt(payload=1232, ext=0, ver=0, flags=0, rdata=b""):
    return b"\x00" + struct.pack(">HHBBHH", 41, payload, ext, ver, flags, len(rdata)) + rdata


def header_cases(rng, tlds):
    out = []
    com = b"\x03com\x00"
    if tlds:
        t = tlds[rng.randrange(len(tlds))]
        com = t.to_wire()
    nx = b"\x0cnosuchtldxyz\x00"
    for name, what in ((com, "TLD"), (nx, "nonexistent"), (b"\x00", "root")):
        out.append(raw("header", _hdr(0x8000) + _qsec(name), "QR=1 query %s (must be dropped)" % what))
        out.append(raw("header", _hdr(0x8100) + _qsec(name) , "QR=1 RD=1 %s (dropped)" % what))
        for op in (1, 2, 3, 4, 5, 6, 15):
            out.append(raw("header", _hdr(op << 11) + _qsec(name), "opcode %d %s" % (op, what)))
        out.append(raw("header", _hdr(15 << 11 | 0x0100 | 0x0010) + _qsec(name),
                       "opcode 15 RD CD %s" % what))
        out.append(raw("header", _hdr(0, qd=0), "QDCOUNT=0 (header only)"))
        out.append(raw("header", _hdr(0, qd=2) + _qsec(name) + _qsec(name), "QDCOUNT=2 %s" % what))
        out.append(raw("header", _hdr(0, qd=2) + _qsec(name), "QDCOUNT=2, one question %s" % what))
        out.append(raw("header", _hdr(0, an=1) + _qsec(name) + b"\x00" + struct.pack(">HHIH", 1, 1, 0, 4)
                       + b"\x01\x02\x03\x04", "ANCOUNT=1 %s" % what))
        out.append(raw("header", _hdr(0, ns=1) + _qsec(name) + b"\x00" + struct.pack(">HHIH", 1, 1, 0, 4)
                       + b"\x01\x02\x03\x04", "NSCOUNT=1 %s" % what))
        out.append(raw("header", _hdr(0, ar=1) + _qsec(name) + _opt(ver=1), "EDNS version 1 %s" % what))
        out.append(raw("header", _hdr(0, ar=1) + _qsec(name) + _opt(ver=255, flags=0x8000),
                       "EDNS version 255 DO %s" % what))
        out.append(raw("header", _hdr(0, ar=2) + _qsec(name) + _opt() + _opt(), "two OPT %s" % what))
        out.append(raw("header", _hdr(0, ar=1) + _qsec(name) + b"\x03com\x00" + OPT_REC[1:],
                       "OPT owner not root %s" % what))
        out.append(raw("header", _hdr(0, ar=1) + _qsec(name) + _opt(payload=0),
                       "EDNS payload 0 %s" % what))
        out.append(raw("header", _hdr(0, ar=1) + _qsec(name) + _opt(flags=0x8000, payload=511),
                       "EDNS payload 511 DO %s" % what))
        out.append(raw("header", _hdr(0, ar=1) + _qsec(name) + _opt(flags=0x8000 | 0x1234),
                       "EDNS DO + unknown Z flags %s" % what))
        out.append(raw("header", _hdr(0x0040) + _qsec(name), "Z bit set %s" % what))
        out.append(raw("header", _hdr(0x0020) + _qsec(name), "AD bit set %s" % what))
        out.append(raw("header", _hdr(0x0400 | 0x0200 | 0x0080) + _qsec(name),
                       "AA TC RA set in query %s" % what))
        out.append(raw("header", _hdr(0x000f) + _qsec(name), "rcode 15 in query %s" % what))
        out.append(raw("header", _hdr(0) + _qsec(name)[:-2], "question cut in QCLASS %s" % what))
    # bad names
    out.append(raw("header", _hdr(0) + b"\x41" + b"a" * 65 + b"\x00" + b"\x00\x01\x00\x01",
                   "label type 0x40"))
    out.append(raw("header", _hdr(0) + b"\x81abc\x00" + b"\x00\x01\x00\x01", "label type 0x80"))
    out.append(raw("header", _hdr(0) + b"\xc0\x0c" + b"\x00\x01\x00\x01", "compression pointer loop"))
    out.append(raw("header", _hdr(0) + b"\x03com\xc0\x0c" + b"\x00\x01\x00\x01",
                   "compression pointer to itself"))
    long = b"".join(b"\x3f" + b"a" * 63 for _ in range(4)) + b"\x00"   # 257 bytes
    out.append(raw("header", _hdr(0) + long + b"\x00\x01\x00\x01", "name of 257 bytes"))
    long2 = b"".join(b"\x3f" + b"b" * 63 for _ in range(3)) + b"\x3d" + b"c" * 61 + b"\x00"  # 255
    out.append(raw("header", _hdr(0) + long2 + b"\x00\x01\x00\x01", "name of exactly 255 bytes"))
    out.append(raw("header", _hdr(0) + b"\x05abc", "name runs past the end"))
    out.append(raw("header", _hdr(0) + b"\x03com\x00\x00\x01\x00\x01" + b"\x00\x00",
                   "trailing bytes after the question"))
    out.append(raw("header", _hdr(0) + b"\x00\x00\x00\x00\x01", "qtype 0"))
    out.append(raw("header", _hdr(0) + b"\x00\x00\x29\x00\x01", "qtype OPT"))
    out.append(raw("header", _hdr(0, ar=1) + b"\x00\x00\x06\x00\x01" + _opt(rdata=struct.pack(">HH", 3, 1)
                   + b"x"), "NSID option with data"))
    out.append(raw("header", _hdr(0, ar=1) + b"\x00\x00\x06\x00\x01" + _opt(rdata=struct.pack(">HH", 3, 4)),
                   "option length past the end"))
    out.append(raw("header", _hdr(0)[:11], "11 bytes: shorter than a header (dropped)"))
    out.append(raw("header", _hdr(0), "QDCOUNT=1, header only"))
    rq = b"\x00\x00\x06\x00\x01"
    out.append(raw("header", _hdr(0, ar=1) + rq + _opt(payload=65535, flags=0x8000), "EDNS payload 65535 DO"))
    out.append(raw("header", _hdr(0, ar=1) + rq + _opt(rdata=struct.pack(">HH", 12, 16) + bytes(16)),
                   "padding option"))
    out.append(raw("header", _hdr(0, ar=1) + b"\x05local\x00\x00\x01\x00\x01" +
                   _opt(flags=0x8000, rdata=b"".join(struct.pack(">HH", 65001 + i, 2) + b"xy"
                                                     for i in range(9))),
                   "nine unknown options, DO, nonexistent TLD"))
    # zone transfers: UDP AXFR/IXFR, TCP AXFR from an address not in the ACL
    out.append(make("header", ".", "AXFR", "noedns", "udp"))
    out.append(make("header", ".", "IXFR", "e1232", "udp"))
    out.append(make("header", ".", "AXFR", "noedns", "tcp"))
    out.append(make("header", "com" if tlds else ".", "AXFR", "e1232", "tcp"))
    # DNS cookies (RFC 7873): a client cookie, and a malformed one
    out.append(raw("header", _hdr(0, ar=1) + b"\x00\x00\x06\x00\x01" +
                   _opt(rdata=struct.pack(">HH", COOKIE, 5) + b"12345"), "cookie of 5 bytes"))
    out.append(raw("header", _hdr(0, ar=1) + b"\x00\x00\x06\x00\x01" +
                   _opt(rdata=struct.pack(">HH", COOKIE, 8) + CLIENT_COOKIE), "client cookie"))
    return out
