# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""compare.py - compare two servers' responses to the same query.

diff(query, transport, a, b) -> list of Diff: what differs between a (the
server under test) and b (the reference), each with the allowed-difference
rule that explains it (docs/conformance.md) or None.

Compared: rcode (with the extended bits), flags QR AA TC RD CD, each
section's RRsets as sets (owner lowercased, type, class, TTL, RDATA in
canonical form), and the OPT record (presence, version, DO, payload,
option codes).  When either response has TC=1, only rcode and flags.
"""
import struct

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype

from oracle import parse_query, parse_response

T = dns.rdatatype
FLAGS = (("QR", dns.flags.QR), ("AA", dns.flags.AA), ("TC", dns.flags.TC),
         ("RD", dns.flags.RD), ("CD", dns.flags.CD))
NSID = 3


class Diff:
    __slots__ = ("what", "detail", "rule")

    def __init__(self, what, detail, rule=None):
        self.what, self.detail, self.rule = what, detail, rule

    def __repr__(self):
        return "%s: %s%s" % (self.what, self.detail, " [%s]" % self.rule if self.rule else "")


def _rrkey(r):
    return (r.name.to_text().lower(), r.rdclass, r.rdtype, r.covers)


def _rrtext(k):
    name, cl, t, cov = k
    s = "%s %s" % (name, T.to_text(t))
    if t == T.RRSIG:
        s = "%s RRSIG(%s)" % (name, T.to_text(cov))
    if cl != dns.rdataclass.IN:
        s += " " + dns.rdataclass.to_text(cl)
    return s


_SUMMARY = {}


def summary(wire):
    """Parsed essentials of a response (memoized)."""
    if wire is None:
        return None
    s = _SUMMARY.get(wire)
    if s is None:
        s = _SUMMARY[wire] = _summary(wire)
    return s


def clear_caches():
    _SUMMARY.clear()


def _summary(wire):
    try:
        m = parse_response(wire)
    except Exception as e:                                            # noqa
        if len(wire) >= 4:
            return {"unparsed": str(e), "rcode": wire[3] & 0xF,
                    "flags": struct.unpack(">H", wire[2:4])[0], "secs": {}, "opt": None}
        return {"unparsed": str(e), "rcode": -1, "flags": 0, "secs": {}, "opt": None}
    secs = {}
    for sec, rrs in (("answer", m.answer), ("authority", m.authority),
                     ("additional", m.additional)):
        d = {}
        for r in rrs:
            d[_rrkey(r)] = (r.ttl, frozenset(x.to_digestable() for x in r))
        secs[sec] = d
    opt = None
    if m.edns >= 0:
        opt = {"version": m.edns, "do": bool(m.ednsflags & dns.flags.DO),
               "payload": m.payload, "codes": tuple(sorted(o.otype for o in m.options)),
               "nsid": [o.to_wire() for o in m.options if o.otype == NSID]}
    return {"rcode": m.rcode(), "flags": m.flags, "secs": secs, "opt": opt, "msg": m}


def diff(query, transport, a, b, rules=()):
    """a, b: response wires (or None).  rules: callables (query, qi, transport,
    sa, sb, Diff) -> rule id or None, tried in order for each difference."""
    out = []
    sa, sb = summary(a), summary(b)
    if transport == "tcp" and query.transport == "udp" and (sa is None or sb is None):
        # the TCP retry of a TC=1 answer: only one server set TC, and that
        # difference is reported on the UDP answer
        return out
    if sa is None or sb is None:
        if sa is not sb:
            out.append(Diff("response", "%s answered, %s did not" %
                            (("test", "reference") if sb is None else ("reference", "test"))))
    else:
        if sa["rcode"] != sb["rcode"]:
            out.append(Diff("rcode", "%s vs %s" % (dns.rcode.to_text(sa["rcode"]),
                                                   dns.rcode.to_text(sb["rcode"]))))
        for name, bit in FLAGS:
            if (sa["flags"] ^ sb["flags"]) & bit:
                out.append(Diff("flag:" + name, "%d vs %d" % (bool(sa["flags"] & bit),
                                                              bool(sb["flags"] & bit))))
        tc = (sa["flags"] | sb["flags"]) & dns.flags.TC and transport == "udp"
        if not tc:
            for sec in ("answer", "authority", "additional"):
                da, db = sa["secs"].get(sec, {}), sb["secs"].get(sec, {})
                for k in sorted(set(da) | set(db)):
                    if k not in db:
                        out.append(Diff(sec + ":extra", _rrtext(k)))
                    elif k not in da:
                        out.append(Diff(sec + ":missing", _rrtext(k)))
                    elif da[k][0] != db[k][0]:
                        out.append(Diff(sec + ":ttl", "%s %d vs %d" % (_rrtext(k), da[k][0],
                                                                        db[k][0])))
                    elif da[k][1] != db[k][1]:
                        out.append(Diff(sec + ":rdata", "%s (%d vs %d RRs, %d in common)" %
                                        (_rrtext(k), len(da[k][1]), len(db[k][1]),
                                         len(da[k][1] & db[k][1]))))
            oa, ob = sa["opt"], sb["opt"]
            if (oa is None) != (ob is None):
                out.append(Diff("opt:presence", "%s vs %s" % (oa is not None, ob is not None)))
            elif oa is not None:
                for f in ("version", "do", "payload"):
                    if oa[f] != ob[f]:
                        out.append(Diff("opt:" + f, "%s vs %s" % (oa[f], ob[f])))
                if oa["codes"] != ob["codes"]:
                    out.append(Diff("opt:options", "%s vs %s" % (oa["codes"], ob["codes"])))
        if "unparsed" in sa and "unparsed" not in sb:
            out.append(Diff("parse", "test response does not parse: %s" % sa["unparsed"]))
    if out and rules:
        qi = parse_query(query.wire)
        for d in out:
            for rule in rules:
                rid = rule(query, qi, transport, sa, sb, d)
                if rid:
                    d.rule = rid
                    break
    return out
