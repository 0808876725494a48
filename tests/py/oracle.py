# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""oracle.py - an RFC oracle for a root server's responses.

It knows the zone only from the zone file (dns.zone.from_file, origin ".")
and the trust anchor, and the rules only from the RFCs and docs/design.md's
"Answering a query"; it never looks at rootxdp's code or image.

    zd = ZoneData(zonefile, anchorfile)
    orc = Oracle(zd, identity="...", server_payload=1232)
    problems = orc.check(query_wire, "udp" | "tcp", response_wire or None)

`problems` is a list of strings "code: detail"; empty when the response is
right.  The code (the part before ":") groups problems in reports.
"""
import bisect
import gzip
import struct

import dns.dnssec
import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

IN = dns.rdataclass.IN
CH = dns.rdataclass.CH
T = dns.rdatatype
ROOT = dns.name.root
NSID = 3
PADDING = 12
COOKIE = 10

APEX_ANSWER_TYPES = {T.SOA, T.NS, T.DNSKEY, T.NSEC, T.ZONEMD}


def _open(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rt")
    return open(path)


def parse_anchor(path):
    """DS records of the root from a trust-anchor file ('. [TTL] [IN] DS ...')."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.split(";", 1)[0].strip()
            if not line:
                continue
            tok = line.split()
            if tok[0] != ".":
                continue
            i = 1
            while i < len(tok) and tok[i].upper() != "DS":
                i += 1
            if i < len(tok):
                out.append(dns.rdata.from_text(IN, T.DS, " ".join(tok[i + 1:])))
    return out


def _tld_only(qname):
    """qname with every label below the TLD replaced by NUL bytes of the
    same length: the same wire size, but nothing below the TLD that a
    response name could be compressed against."""
    if qname is None or len(qname.labels) <= 2:
        return qname
    labels = [b"\0" * len(l) for l in qname.labels[:-2]] + list(qname.labels[-2:])
    return dns.name.Name(labels)


class ZoneData:
    """The root zone as the oracle sees it."""

    def __init__(self, path, anchor_path):
        self.path = path
        with _open(path) as f:
            self.zone = dns.zone.from_file(f, origin=ROOT, relativize=False, check_origin=True)
        z = self.zone
        self.apex = z.get_node(ROOT)
        self.soa = z.get_rdataset(ROOT, T.SOA)
        self.neg_ttl = min(self.soa.ttl, self.soa[0].minimum)      # RFC 2308 3
        self.dnskey = z.get_rdataset(ROOT, T.DNSKEY)
        self.tlds = set()
        self.ds_tlds = set()
        self.glue_names = set()
        nsec = []
        inceptions, expirations = [], []
        for name, node in z.nodes.items():
            if node.get_rdataset(IN, T.NSEC):
                nsec.append(name)
            for rds in node.rdatasets:
                if rds.rdtype == T.RRSIG:
                    for sig in rds:
                        inceptions.append(sig.inception)
                        expirations.append(sig.expiration)
            if name == ROOT:
                continue
            if len(name) == 2 and node.get_rdataset(IN, T.NS):
                self.tlds.add(name)
                if node.get_rdataset(IN, T.DS):
                    self.ds_tlds.add(name)
            elif node.get_rdataset(IN, T.A) or node.get_rdataset(IN, T.AAAA):
                self.glue_names.add(name)
        nsec.sort()                                                    # canonical order
        self.nsec_owners = nsec
        self.nsec_next = [z.get_rdataset(n, T.NSEC)[0].next for n in nsec]
        # a fixed validation time inside every signature's window
        self.time = None
        if inceptions:
            lo, hi = max(inceptions), min(expirations)
            assert lo < hi, "no common validity window for the zone's RRSIGs"
            self.time = lo + min(86400, (hi - lo) // 2)
        # the DNSKEY RRset against the trust anchor (RFC 4035 5)
        self.anchor = parse_anchor(anchor_path)
        self.key_ok = False
        for ds in self.anchor:
            for key in self.dnskey:
                if key.flags & 0x0001 == 0:
                    continue
                try:
                    mine = dns.dnssec.make_ds(ROOT, key, ds.digest_type)
                except Exception:
                    continue
                if mine == ds:
                    sigs = z.get_rdataset(ROOT, T.RRSIG, T.DNSKEY)
                    try:
                        dns.dnssec.validate(dns.rrset.from_rdata_list(ROOT, self.dnskey.ttl,
                                                                      list(self.dnskey)),
                                            dns.rrset.from_rdata_list(ROOT, sigs.ttl, list(sigs)),
                                            {ROOT: self.dnskey}, now=self.time)
                        self.key_ok = True
                    except dns.dnssec.ValidationFailure:
                        pass
        self._valid = {}
        self._rds = {}
        self._dig = {}

    # ---- lookups
    def tld_of(self, qname):
        """The zone's TLD name for qname (lowercased lookup), or None."""
        if len(qname) < 2:
            return None
        t = dns.name.Name([qname.labels[-2], b""])
        return t if t in self.tlds else None

    def rdataset(self, name, rdtype, covers=T.NONE):
        k = (name, rdtype, covers)
        try:
            return self._rds[k]
        except KeyError:
            r = self._rds[k] = self.zone.get_rdataset(name, rdtype, covers)
            return r

    def digest(self, name, rdtype, covers=T.NONE):
        """The canonical RDATA set of the zone's RRset."""
        k = (name, rdtype, covers)
        try:
            return self._dig[k]
        except KeyError:
            r = self._dig[k] = frozenset(x.to_digestable() for x in self.rdataset(*k))
            return r

    def covering_nsec(self, name):
        """(owner, next) of the NSEC covering name (owner < name < next), or None."""
        i = bisect.bisect_right(self.nsec_owners, name) - 1
        if i < 0:
            return None
        owner, nxt = self.nsec_owners[i], self.nsec_next[i]
        if owner == name:
            return None
        if nxt == ROOT or name < nxt:
            return owner, nxt
        return None

    def validate(self, rrset, sigset):
        """RRSIG validation with the apex DNSKEY at the fixed time; cached."""
        key = (rrset.name, rrset.rdtype, frozenset(rrset), frozenset(sigset))
        if key not in self._valid:
            try:
                dns.dnssec.validate(rrset, sigset, {ROOT: self.dnskey}, now=self.time)
                self._valid[key] = None
            except dns.dnssec.ValidationFailure as e:
                self._valid[key] = str(e) or "validation failure"
            except Exception as e:                                      # noqa
                self._valid[key] = "validation error %r" % e
        return self._valid[key]

    def ns_targets(self, tld):
        return [r.target for r in self.rdataset(tld, T.NS)]

    def glue(self, tld):
        """(in-domain glue, sibling glue): lists of (name, rdtype) the zone holds."""
        ind, sib = [], []
        for tgt in self.ns_targets(tld):
            for t in (T.A, T.AAAA):
                if self.rdataset(tgt, t) is None:
                    continue
                (ind if tgt.is_subdomain(tld) else sib).append((tgt, t))
        return ind, sib


# ------------------------------------------------------------------ caches
_PARSED = {}


def parse_response(wire):
    """dns.message.from_wire, memoized (responses are parsed by the oracle
    and by compare.py); raises what from_wire raises."""
    m = _PARSED.get(wire)
    if m is None:
        try:
            m = dns.message.from_wire(wire)
        except Exception as e:                                      # noqa
            m = e
        _PARSED[wire] = m
    if isinstance(m, Exception):
        raise m
    return m


def clear_caches():
    _PARSED.clear()


# ------------------------------------------------------------------ query parsing
class QInfo:
    """What a query asks, parsed from its wire form (not trusting dnspython)."""
    kind = None           # drop notimp formerr badvers refused chaos special normal lenient
    ident = 0
    flags = 0
    qname = None
    qwire = b""           # the question section's bytes
    qtype = 0
    qclass = 0
    edns = False
    do = False
    payload = 512
    nsid = False
    nsid_data = False
    cookie = None
    why = ""


def _name_at(w, p):
    """Parse an uncompressed name; returns (Name, end) or raises ValueError."""
    labels = []
    total = 0
    while True:
        if p >= len(w):
            raise ValueError("name runs past the end")
        n = w[p]
        if n & 0xC0 == 0xC0:
            raise ValueError("compression pointer in the question")
        if n & 0xC0:
            raise ValueError("reserved label type 0x%02x" % (n & 0xC0))
        total += n + 1
        if total > 255:
            raise ValueError("name over 255 bytes")
        if p + 1 + n > len(w):
            raise ValueError("label runs past the end")
        labels.append(bytes(w[p + 1:p + 1 + n]))
        p += 1 + n
        if n == 0:
            return dns.name.Name(labels), p


def _skip_name(w, p):
    while True:
        if p >= len(w):
            raise ValueError("name runs past the end")
        n = w[p]
        if n & 0xC0 == 0xC0:
            return p + 2
        if n & 0xC0:
            raise ValueError("bad label")
        p += 1 + n
        if n == 0:
            return p


def parse_query(w):
    qi = QInfo()
    if len(w) < 12:
        qi.kind, qi.why = "drop", "shorter than a header"
        return qi
    qi.ident, qi.flags, qd, an, ns, ar = struct.unpack(">HHHHHH", w[:12])
    if qi.flags & 0x8000:
        qi.kind, qi.why = "drop", "QR=1"
        return qi
    if (qi.flags >> 11) & 0xF != 0:
        qi.kind, qi.why = "notimp", "opcode %d" % ((qi.flags >> 11) & 0xF)
        return qi
    if qd != 1 or an or ns:
        qi.kind, qi.why = "formerr", "counts QD=%d AN=%d NS=%d" % (qd, an, ns)
        return qi
    try:
        qi.qname, p = _name_at(w, 12)
        if p + 4 > len(w):
            raise ValueError("question cut")
        qi.qtype, qi.qclass = struct.unpack(">HH", w[p:p + 4])
        qi.qwire = bytes(w[12:p + 4])
        p += 4
        opts = 0
        badopt = None
        for _ in range(ar):
            start = p
            p = _skip_name(w, p)
            if p + 10 > len(w):
                raise ValueError("additional RR cut")
            rtype, rclass, ttl, rdlen = struct.unpack(">HHIH", w[p:p + 10])
            if p + 10 + rdlen > len(w):
                raise ValueError("RDATA runs past the end")
            if rtype == T.OPT:
                opts += 1
                if w[start] != 0:
                    badopt = "OPT owner is not the root"
                qi.edns = True
                qi.payload = max(512, rclass)
                qi.do = bool(ttl & 0x8000)
                ver = (ttl >> 16) & 0xFF
                if ver:
                    qi.version = ver
                rd = w[p + 10:p + 10 + rdlen]
                q = 0
                while q < len(rd):
                    if q + 4 > len(rd):
                        badopt = "option header cut"
                        break
                    code, olen = struct.unpack(">HH", rd[q:q + 4])
                    if q + 4 + olen > len(rd):
                        badopt = "option runs past RDATA"
                        break
                    if code == NSID and olen == 0:         # RFC 5001 2.1: empty
                        qi.nsid = True
                    elif code == NSID:
                        qi.nsid_data = True
                    elif code == COOKIE:
                        # RFC 7873 5.2.2: 8 bytes, or 16 to 40; else FORMERR
                        if olen == 8 or 16 <= olen <= 40:
                            qi.cookie = bytes(rd[q + 4:q + 12])
                        else:
                            badopt = "COOKIE option of %d bytes" % olen
                    q += 4 + olen
            p += 10 + rdlen
        if opts > 1:
            raise ValueError("%d OPT records" % opts)
        if badopt:
            raise ValueError(badopt)
        if p != len(w):
            qi.trailing = True
    except ValueError as e:
        qi.kind, qi.why = "formerr", str(e)
        return qi
    if getattr(qi, "version", 0):
        qi.kind, qi.why = "badvers", "EDNS version %d" % qi.version
        return qi
    if qi.qclass == CH:
        qi.kind = "chaos"
    elif qi.qclass != IN:
        qi.kind, qi.why = "refused", "class %d" % qi.qclass
    elif qi.qtype in (0, T.OPT) or 249 <= qi.qtype <= 254:
        qi.kind, qi.why = "special", "meta qtype %d" % qi.qtype
    else:
        qi.kind = "normal"
    if getattr(qi, "trailing", False):
        qi.kind, qi.why = "lenient", "bytes after the last RR"
    return qi


# ------------------------------------------------------------------ the oracle
def _key(rrset):
    return (rrset.name, rrset.rdtype, rrset.covers)


def _fmt(rrset):
    if rrset.rdtype == T.RRSIG:
        return "%s RRSIG(%s)" % (rrset.name, T.to_text(rrset.covers))
    return "%s %s" % (rrset.name, T.to_text(rrset.rdtype))


class Oracle:
    def __init__(self, zd, identity, server_payload=1232, minimal_any=True, version=None):
        self.zd = zd
        self.identity = identity.encode() if isinstance(identity, str) else identity
        self.server_payload = server_payload
        self.minimal_any = minimal_any
        self.version = version

    # ---- the entry point
    def check(self, qwire, transport, rwire):
        qi = parse_query(qwire)
        p = []
        if qi.kind == "drop":
            if rwire is not None:
                p.append("answered: a query that must be dropped (%s)" % qi.why)
            return p
        if rwire is None:
            if qi.kind not in ("special", "lenient"):
                p.append("no response")
            return p
        if len(rwire) < 12:
            return ["short: response of %d bytes" % len(rwire)]
        rid, rflags, rqd, ran, rns, rar = struct.unpack(">HHHHHH", rwire[:12])
        if rid != qi.ident:
            p.append("id: not echoed (%d != %d)" % (rid, qi.ident))
        if not rflags & 0x8000:
            p.append("header: QR=0 in the response")
        if transport == "udp":
            limit = max(512, min(qi.payload, self.server_payload)) if qi.edns else 512
            if len(rwire) > limit:
                p.append("size: %d bytes over the limit %d" % (len(rwire), limit))
        if qi.kind == "notimp":
            # header only: dnspython does not parse unassigned opcodes
            if rflags & 0xF != dns.rcode.NOTIMP:
                p.append("rcode: want NOTIMP got %d" % (rflags & 0xF))
            if (rflags >> 11) & 0xF != (qi.flags >> 11) & 0xF:
                p.append("header: opcode not echoed")
            if rflags & 0x07F0:
                p.append("header: NOTIMP carries flags 0x%04x (only QR)" % (rflags & 0x07F0))
            return p
        try:
            m = parse_response(rwire)
        except Exception as e:                                      # noqa
            p.append("parse: response does not parse (%s)" % e)
            return p
        if qi.kind == "formerr":
            self._rcode(p, m, dns.rcode.FORMERR)
            if (rflags ^ qi.flags) & 0x0100:
                p.append("header: RD not echoed in FORMERR")
            if rflags & 0x0480:
                p.append("header: AA or RA set in FORMERR")
            if m.answer or m.authority:
                p.append("formerr: records in answer/authority")
            return p
        # from here the query was well formed: the header rules of docs/design.md
        if rflags & 0x7800:
            p.append("header: opcode %d in the response" % ((rflags >> 11) & 0xF))
        if (rflags ^ qi.flags) & 0x0100:
            p.append("header: RD not echoed")
        if (rflags ^ qi.flags) & 0x0010:
            p.append("header: CD not echoed")
        if rflags & 0x0080:
            p.append("header: RA set")
        if rflags & 0x0020:
            p.append("header: AD set")
        if rflags & 0x0040:
            p.append("header: Z set")
        tc = bool(rflags & 0x0200)
        if tc and transport == "tcp":
            p.append("tc: TC=1 over TCP")
        if qi.kind == "lenient" and rflags & 0xF == dns.rcode.FORMERR:
            return p
        if rqd != 1:
            p.append("question: QDCOUNT=%d" % rqd)
        elif rwire[12:12 + len(qi.qwire)] != qi.qwire:
            p.append("question: not echoed byte for byte (%r)" % rwire[12:12 + len(qi.qwire)])
        self._opt(p, qi, m)
        if qi.kind == "badvers":
            if m.rcode() != dns.rcode.BADVERS:
                p.append("rcode: want BADVERS got %s" % dns.rcode.to_text(m.rcode()))
            if m.answer or m.authority or m.additional:
                p.append("badvers: records besides the OPT")
            return p
        if qi.kind == "special" and qi.qtype == T.AXFR and transport == "tcp":
            self._refused(p, m)                     # not in the AXFR ACL
            return p
        if qi.kind in ("special", "lenient"):
            return p
        if qi.kind == "refused":
            self._refused(p, m)
            return p
        if qi.kind == "chaos":
            self._chaos(p, qi, m)
            return p
        self._normal(p, qi, m, tc, transport, len(rwire))
        return p

    # ---- pieces
    def _rcode(self, p, m, want):
        if m.rcode() != want:
            p.append("rcode: want %s got %s" % (dns.rcode.to_text(want), dns.rcode.to_text(m.rcode())))

    def _opt(self, p, qi, m):
        if not qi.edns:
            if m.edns >= 0:
                p.append("opt: OPT in the response to a query without one")
            return
        if m.edns < 0:
            p.append("opt: no OPT in the response to an EDNS query")
            return
        if m.edns != 0:
            p.append("opt: version %d" % m.edns)
        if m.payload != self.server_payload:
            p.append("opt: payload %d, server's is %d" % (m.payload, self.server_payload))
        if bool(m.ednsflags & dns.flags.DO) != qi.do:
            p.append("opt: DO not echoed")
        if m.ednsflags & 0x7FFF:
            p.append("opt: Z flags 0x%04x set" % (m.ednsflags & 0x7FFF))
        codes = [o.otype for o in m.options]
        for c in codes:
            if c == NSID and not qi.nsid:
                p.append("opt: NSID not asked for")
            elif c not in (NSID, PADDING, COOKIE):
                p.append("opt: option %d in the response" % c)
        if qi.cookie is not None and qi.kind not in ("badvers",):
            got = [o for o in m.options if o.otype == COOKIE]
            if not got:
                p.append("cookie: client cookie sent, no COOKIE in the response (RFC 7873 5.2)")
            else:
                data = got[0].to_wire()
                if data[:8] != qi.cookie or not 16 <= len(data) <= 40:
                    p.append("cookie: bad COOKIE in the response: %s" % data.hex())
        if qi.nsid and qi.kind not in ("badvers",):
            got = [o for o in m.options if o.otype == NSID]
            if not got:
                p.append("nsid: NSID asked, none in the response")
            else:
                data = got[0].to_wire() if hasattr(got[0], "to_wire") else b""
                if data != self.identity:
                    p.append("nsid: %r, identity is %r" % (data, self.identity))

    def _refused(self, p, m):
        self._rcode(p, m, dns.rcode.REFUSED)
        if m.flags & dns.flags.AA:
            p.append("flags: AA=1 in REFUSED")
        if m.answer or m.authority or m.additional:
            p.append("refused: records in REFUSED")

    def _chaos(self, p, qi, m):
        n = qi.qname.to_text().lower()
        ident = n in ("id.server.", "hostname.bind.") and qi.qtype == T.TXT
        ver = n in ("version.bind.", "version.server.") and qi.qtype == T.TXT and self.version
        if not (ident or ver):
            self._refused(p, m)
            return
        self._rcode(p, m, dns.rcode.NOERROR)
        if not m.flags & dns.flags.AA:
            p.append("flags: AA=0 in the CHAOS answer")
        want = self.identity if ident else self.version.encode()
        if len(m.answer) != 1 or len(m.answer[0]) != 1 or m.answer[0].rdtype != T.TXT:
            p.append("chaos: answer is not one TXT: %s" % [str(r) for r in m.answer])
            return
        rr = m.answer[0]
        if rr.name != qi.qname or rr.rdclass != CH:
            p.append("chaos: owner/class %s %s" % (rr.name, dns.rdataclass.to_text(rr.rdclass)))
        if rr[0].strings != (want,):
            p.append("chaos: TXT %r, want %r" % (rr[0].strings, want))
        if rr.ttl != 0:
            p.append("chaos: TTL %d, want 0" % rr.ttl)

    # ---- IN answers from the zone
    def _genuine(self, p, sec, rrset, neg=False):
        """rrset must equal the zone's RRset (all RRs, TTL); RRSIGs must validate."""
        zd = self.zd
        if rrset.rdclass != IN:
            p.append("%s: %s class %d" % (sec, _fmt(rrset), rrset.rdclass))
            return
        zr = zd.rdataset(rrset.name, rrset.rdtype, rrset.covers)
        if zr is None:
            p.append("%s: %s is not in the zone" % (sec, _fmt(rrset)))
            return
        want_ttl = zr.ttl
        if neg and (rrset.rdtype == T.SOA or rrset.covers == T.SOA):
            want_ttl = zd.neg_ttl
        if rrset.ttl != want_ttl:
            p.append("ttl: %s %s TTL %d, zone %d" % (sec, _fmt(rrset), rrset.ttl, want_ttl))
        a = set(r.to_digestable() for r in rrset)
        b = zd.digest(rrset.name, rrset.rdtype, rrset.covers)
        if a != b:
            p.append("%s: %s differs from the zone (%d of %d RRs, %d foreign)" %
                     (sec, _fmt(rrset), len(a & b), len(b), len(a - b)))
        if len(rrset) != len(a):
            p.append("%s: %s has duplicate RRs" % (sec, _fmt(rrset)))

    def _sigcheck(self, p, sec, rrsets):
        """Every non-RRSIG RRset with its RRSIG present must validate."""
        by = {}
        for r in rrsets:
            by[_key(r)] = r
        for r in rrsets:
            if r.rdtype == T.RRSIG:
                base = by.get((r.name, r.covers, T.NONE))
                if base is None:
                    p.append("%s: RRSIG(%s) at %s without its RRset" %
                             (sec, T.to_text(r.covers), r.name))
                    continue
                err = self.zd.validate(base, r)
                if err:
                    p.append("dnssec: %s %s does not validate: %s" % (sec, _fmt(base), err))

    def _section(self, p, sec, rrsets, want, optional=(), neg=False, complete=True):
        """rrsets must be exactly want (keys), plus any of optional; each genuine."""
        got = {}
        for r in rrsets:
            k = _key(r)
            if k in got:
                p.append("%s: %s appears twice" % (sec, _fmt(r)))
            got[k] = r
            self._genuine(p, sec, r, neg)
        want = list(want)
        for k in want:
            if k not in got and complete:
                p.append("%s: missing %s" % (sec, _fmt(dns.rrset.RRset(k[0], IN, k[1], k[2]))))
        allowed = set(want) | set(optional)
        for k, r in got.items():
            if k not in allowed:
                p.append("%s: unexpected %s" % (sec, _fmt(r)))
        self._sigcheck(p, sec, rrsets)
        return got

    def _need_tc(self, qi, sections, limit, qname=None):
        """Would the required records (a list of lists of RRsets) exceed limit?
        qname: encode this question name instead (same wire length)."""
        m = dns.message.Message(id=0)
        m.flags = dns.flags.QR
        m.question = [dns.rrset.RRset(qname or qi.qname, qi.qclass, qi.qtype)]
        if qi.edns:
            opts = [dns.edns.GenericOption(NSID, self.identity)] if qi.nsid else []
            if qi.cookie is not None:
                opts.append(dns.edns.GenericOption(COOKIE, qi.cookie + bytes(16)))
            m.use_edns(0, dns.flags.DO if qi.do else 0, self.server_payload, options=opts)
        m.answer, m.authority, m.additional = [list(s) for s in sections]
        return len(m.to_wire(max_size=65535)) > limit

    def _rs(self, name, rdtype, covers=T.NONE, ttl=None):
        zr = self.zd.rdataset(name, rdtype, covers)
        return dns.rrset.from_rdata_list(name, zr.ttl if ttl is None else ttl, list(zr))

    def _normal(self, p, qi, m, tc, transport, size):
        zd = self.zd
        qn = qi.qname
        do = qi.do
        S = lambda n, t, c=T.NONE: (n, t, c)           # noqa: E731
        limit = (max(512, min(qi.payload, self.server_payload)) if qi.edns else 512) \
            if transport == "udp" else 65535
        aa = bool(m.flags & dns.flags.AA)
        add = [r for r in m.additional]
        tld = zd.tld_of(qn)
        req = None
        if qn == ROOT:
            rds = zd.rdataset(ROOT, qi.qtype) if qi.qtype not in (T.ANY, T.RRSIG) else None
            self._rcode(p, m, dns.rcode.NOERROR)
            if not aa:
                p.append("flags: AA=0 at the apex")
            if qi.qtype == T.ANY or qi.qtype == T.RRSIG:
                self._apex_any(p, qi, m, tc, transport)
                return
            if rds is not None:
                want = [S(ROOT, qi.qtype)] + ([S(ROOT, T.RRSIG, qi.qtype)] if do else [])
                self._section(p, "answer", m.answer, want, complete=not tc)
                self._section(p, "authority", m.authority, [])
                opt_glue = []
                if qi.qtype == T.NS:
                    for tgt in zd.ns_targets(ROOT):
                        for t in (T.A, T.AAAA):
                            if zd.rdataset(tgt, t) is not None:
                                opt_glue.append(S(tgt, t))
                self._section(p, "additional", add, [], opt_glue)
                req = [[self._rs(ROOT, qi.qtype)] +
                       ([self._rs(ROOT, T.RRSIG, qi.qtype)] if do else []), [], []]
            else:
                self._nodata(p, qi, m, ROOT, tc)
                req = [[], self._neg_auth(ROOT, do), []]
        elif tld is not None and qn == tld and qi.qtype == T.DS:
            self._rcode(p, m, dns.rcode.NOERROR)
            if not aa:
                p.append("flags: AA=0 for DS at the TLD")
            if tld in zd.ds_tlds:
                want = [S(tld, T.DS)] + ([S(tld, T.RRSIG, T.DS)] if do else [])
                self._section(p, "answer", m.answer, want, complete=not tc)
                self._section(p, "authority", m.authority, [])
                self._section(p, "additional", add, [])
                req = [[self._rs(tld, T.DS)] + ([self._rs(tld, T.RRSIG, T.DS)] if do else []),
                       [], []]
            else:
                self._nodata(p, qi, m, tld, tc)
                req = [[], self._neg_auth(tld, do), []]
        elif tld is not None:
            # referral (RFC 1034 4.3.2, RFC 4035 3.1.4)
            self._rcode(p, m, dns.rcode.NOERROR)
            if aa:
                p.append("flags: AA=1 in a referral")
            self._section(p, "answer", m.answer, [])
            auth = [S(tld, T.NS)]
            if do:
                if tld in zd.ds_tlds:
                    auth += [S(tld, T.DS), S(tld, T.RRSIG, T.DS)]
                else:
                    auth += [S(tld, T.NSEC), S(tld, T.RRSIG, T.NSEC)]
            self._section(p, "authority", m.authority, auth, complete=not tc)
            if do and not tc and tld not in zd.ds_tlds:
                nsec = zd.rdataset(tld, T.NSEC)
                if nsec is not None and any(T.DS in _bitmap(r) for r in nsec):
                    p.append("nsec: unsigned TLD's NSEC claims a DS")
            ind, sib = zd.glue(tld)
            self._section(p, "additional", add, [S(n, t) for n, t in ind],
                          [S(n, t) for n, t in sib], complete=not tc)
            req = [[], [self._rs(*k) for k in auth], [self._rs(n, t) for n, t in ind]]
        else:
            self._nxdomain(p, qi, m, tc)
            req = [[], self._nx_auth(qn, do), []]
        # TC=1 must be needed: the required records would not fit (RFC 2181 9)
        if tc and req is not None and not self._need_tc(qi, req, limit) and \
                not self._need_tc(qi, req, limit, qname=_tld_only(qi.qname)):
            # R-TC-QNAME (docs/conformance.md): bodies may point into the
            # question at its TLD only; TC=1 is a problem only when the
            # required records fit even so.
            p.append("tc: TC=1 though the required records fit in %d bytes" % limit)

    def _neg_auth(self, owner, do):
        zd = self.zd
        r = [self._rs(ROOT, T.SOA, ttl=zd.neg_ttl)]
        if do:
            r.append(self._rs(ROOT, T.RRSIG, T.SOA, ttl=zd.neg_ttl))
            r.append(self._rs(owner, T.NSEC))
            r.append(self._rs(owner, T.RRSIG, T.NSEC))
        return r

    def _nx_auth(self, qn, do):
        zd = self.zd
        r = [self._rs(ROOT, T.SOA, ttl=zd.neg_ttl)]
        if do:
            r.append(self._rs(ROOT, T.RRSIG, T.SOA, ttl=zd.neg_ttl))
            owners = []
            c = zd.covering_nsec(qn)
            w = zd.covering_nsec(dns.name.from_text("*"))
            for x in (c, w):
                if x and x[0] not in owners:
                    owners.append(x[0])
            for o in owners:
                r += [self._rs(o, T.NSEC), self._rs(o, T.RRSIG, T.NSEC)]
        return r

    def _nodata(self, p, qi, m, owner, tc):
        """NOERROR/NODATA at owner (the apex or a TLD's DS): SOA, with DO NSEC(owner)."""
        S = lambda n, t, c=T.NONE: (n, t, c)           # noqa: E731
        self._section(p, "answer", m.answer, [])
        want = [S(ROOT, T.SOA)]
        if qi.do:
            want += [S(ROOT, T.RRSIG, T.SOA), S(owner, T.NSEC), S(owner, T.RRSIG, T.NSEC)]
        got = self._section(p, "authority", m.authority, want, neg=True, complete=not tc)
        nsec = got.get(S(owner, T.NSEC))
        if nsec is not None:
            bm = _bitmap(nsec[0])
            if qi.qtype in bm:
                p.append("nsec: NODATA NSEC at %s has type %s in its bitmap" %
                         (owner, T.to_text(qi.qtype)))
        self._section(p, "additional", m.additional, [])

    def _nxdomain(self, p, qi, m, tc):
        zd = self.zd
        S = lambda n, t, c=T.NONE: (n, t, c)           # noqa: E731
        self._rcode(p, m, dns.rcode.NXDOMAIN)
        if not m.flags & dns.flags.AA:
            p.append("flags: AA=0 in NXDOMAIN")
        self._section(p, "answer", m.answer, [])
        want = [S(ROOT, T.SOA)]
        if qi.do:
            want.append(S(ROOT, T.RRSIG, T.SOA))
            c = zd.covering_nsec(qi.qname)
            w = zd.covering_nsec(dns.name.from_text("*"))
            if c is None or w is None:
                p.append("oracle: no covering NSEC in the zone for %s" % qi.qname)
            for x in (c, w):
                if x and S(x[0], T.NSEC) not in want:
                    want += [S(x[0], T.NSEC), S(x[0], T.RRSIG, T.NSEC)]
        got = self._section(p, "authority", m.authority, want, neg=True, complete=not tc)
        # the NSECs really cover: owner < qname < next, and *.  (RFC 4035 3.1.3.2)
        for k, r in got.items():
            if k[1] == T.NSEC:
                nxt = r[0].next
                covers_q = r.name < qi.qname and (nxt == ROOT or qi.qname < nxt)
                star = dns.name.from_text("*")
                covers_w = r.name < star and (nxt == ROOT or star < nxt)
                if not (covers_q or covers_w):
                    p.append("nsec: NSEC %s -> %s covers neither the name nor the wildcard" %
                             (r.name, nxt))
        self._section(p, "additional", m.additional, [])

    def _apex_any(self, p, qi, m, tc, transport):
        zd = self.zd
        types = [r.rdtype for r in zd.apex.rdatasets if r.rdtype != T.RRSIG]
        self._section(p, "authority", m.authority, [])
        if qi.qtype == T.RRSIG:
            got = {}
            for r in m.answer:
                got[_key(r)] = r
                self._genuine(p, "answer", r)
                if r.rdtype != T.RRSIG:
                    p.append("answer: %s in an RRSIG answer" % _fmt(r))
            if not got and not tc:
                p.append("answer: empty RRSIG answer at the apex")
            return
        if transport == "udp" and self.minimal_any:
            # RFC 8482 4.1: one RRset (or a small subset), its RRSIG with DO
            base = [r for r in m.answer if r.rdtype != T.RRSIG]
            for r in m.answer:
                if r.rdtype == T.HINFO:
                    continue
                self._genuine(p, "answer", r)
            self._sigcheck(p, "answer", m.answer)
            if not base and not tc:
                p.append("any: empty ANY answer")
            if len(base) > 1:
                p.append("any: %d RRsets in a minimal ANY answer over UDP" % len(base))
            if not qi.do and any(r.rdtype == T.RRSIG for r in m.answer):
                p.append("any: RRSIG without DO")
            return
        want = [(ROOT, t, T.NONE) for t in types]
        opt = [(ROOT, T.RRSIG, t) for t in types]
        self._section(p, "answer", m.answer, want, opt, complete=not tc)


def _bitmap(nsec):
    out = set()
    for window, bitmap in nsec.windows:
        for i, byte in enumerate(bitmap):
            for b in range(8):
                if byte & (0x80 >> b):
                    out.add(window * 256 + i * 8 + b)
    return out
