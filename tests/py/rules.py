# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""rules.py - the allowed differences between rootxdp and Knot.

One function per row of docs/conformance.md; the function's ID is the
row's.  A rule gets (query, qi, transport, sa, sb, d): the corpus Query, the
oracle's parse of it (oracle.QInfo), the transport, the compare.summary of
rootxdp's (sa) and Knot's (sb) responses, and one compare.Diff; it returns
its ID when that difference is one it allows, else None.  Rules are narrow:
each names the field it may excuse and checks that rootxdp's side is the
one the RFC (or docs/design.md where the RFCs leave it open) asks for (the oracle checks the rest of the response).

ZD (oracle.ZoneData) is set by the test before use.
"""
import dns.flags
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype

T = dns.rdatatype
ZD = None


def _owner(d):
    """Owner and type of an RRset named in a Diff detail ('name TYPE ...')."""
    parts = d.detail.split()
    return dns.name.from_text(parts[0]), parts[1] if len(parts) > 1 else ""


def cd_echo(q, qi, tr, sa, sb, d):
    """R-CD: rootxdp copies CD into the response (RFC 4035 3.1.6 'MUST copy
    the setting of the CD bit'); Knot 3.2 and NSD 4.6 clear it."""
    if d.what == "flag:CD" and bool(sa["flags"] & dns.flags.CD) == bool(qi.flags & 0x0010):
        return "R-CD"
    return None


def optional_glue(q, qi, tr, sa, sb, d):
    """R-GLUE: which optional glue fits.  Sibling glue in referrals (RFC 9471
    2.2: MAY be omitted, no TC) and the root-servers.net addresses in the
    priming answer (RFC 9609 4) are added while there is room; rootxdp and
    Knot account for room differently (compression, reserved bytes)."""
    if tr != "udp" or d.what not in ("additional:extra", "additional:missing"):
        return None
    owner, t = _owner(d)
    if t not in ("A", "AAAA") or qi.qname is None:
        return None
    if qi.qname == dns.name.root:
        if qi.qtype in (T.NS, T.ANY) and owner in ZD.ns_targets(dns.name.root):
            return "R-GLUE"
        return None
    tld = ZD.tld_of(qi.qname)
    if tld is None or (qi.qname == tld and qi.qtype == T.DS):
        return None
    if owner in ZD.ns_targets(tld) and not owner.is_subdomain(tld):
        return "R-GLUE"
    return None


def tc_optional(q, qi, tr, sa, sb, d):
    """R-TC-OPTIONAL: Knot 3.2 sets TC=1 when optional glue does not fit:
    sibling glue in a referral, the root-server addresses in the priming
    answer.  RFC 2181 9 (not for additional-section data), RFC 9471 3 (TC
    only for in-domain glue), RFC 9609 4 (no TC expected for omitted
    root-server addresses).  rootxdp's answer (TC=0) must hold every
    required record: all in-domain glue here, the rest is the oracle's."""
    if d.what != "flag:TC" or tr != "udp" or sa["flags"] & dns.flags.TC:
        return None
    if qi.qname is None:
        return None
    if qi.qname == dns.name.root and qi.qtype in (T.NS, T.ANY):
        return "R-TC-OPTIONAL"
    tld = ZD.tld_of(qi.qname)
    if tld is None or (qi.qname == tld and qi.qtype == T.DS):
        return None
    ind, _ = ZD.glue(tld)
    have = set((k[0], k[2]) for k in sa["secs"].get("additional", {}))
    if all((n.to_text().lower(), t) in have for n, t in ind):
        return "R-TC-OPTIONAL"
    return None


def tc_qname(q, qi, tr, sa, sb, d):
    """R-TC-QNAME: rootxdp's bodies are precomputed per TLD, so they may
    point into the question at its TLD only; Knot also points NS targets
    and glue owners at longer suffixes of the qname.  For a query for a
    name server's own name near the size limit, that can decide TC: rootxdp
    sets TC=1 (the client retries over TCP), Knot fits.  Only when the qname
    shares more than its TLD with an NS target of that TLD; the oracle
    checks that TC=1 is needed under TLD-only compression."""
    if d.what != "flag:TC" or tr != "udp" or not sa["flags"] & dns.flags.TC:
        return None
    if qi.qname is None:
        return None
    tld = ZD.tld_of(qi.qname)
    if tld is None or qi.qname == tld:
        return None
    for t in ZD.ns_targets(tld):
        if t.fullcompare(qi.qname)[2] > len(tld.labels):
            return "R-TC-QNAME"
    return None


def any_tcp(q, qi, tr, sa, sb, d):
    """R-ANY-TCP: ANY over TCP gets the full RRset list (docs/design.md; RFC 8482 4.1
    limits the minimal answer to UDP), Knot 3.2 answers minimally over TCP
    too.  Only extra apex RRsets in rootxdp's answer are allowed."""
    if tr == "tcp" and qi.qtype == T.ANY and d.what == "answer:extra":
        owner, _ = _owner(d)
        if owner == dns.name.root == qi.qname:
            return "R-ANY-TCP"
    return None


def chaos_identity(q, qi, tr, sa, sb, d):
    """R-CHAOS-ID: the identity TXT is each server's own configured string;
    rootxdp answers it with AA=1 (docs/design.md), Knot with AA=0."""
    if qi.qclass != dns.rdataclass.CH or qi.qtype != T.TXT:
        return None
    if qi.qname.to_text().lower() not in ("id.server.", "hostname.bind."):
        return None
    if d.what == "answer:rdata" or (d.what == "flag:AA" and sa["flags"] & dns.flags.AA):
        return "R-CHAOS-ID"
    return None


def version_hidden(q, qi, tr, sa, sb, d):
    """R-VERSION: version.bind / version.server are hidden by default
    (docs/design.md): REFUSED; Knot shows its version."""
    if qi.qclass != dns.rdataclass.CH or \
            qi.qname.to_text().lower() not in ("version.bind.", "version.server."):
        return None
    if sa["rcode"] == dns.rcode.REFUSED and d.what in ("rcode", "answer:missing", "flag:AA"):
        return "R-VERSION"
    return None


def class_any(q, qi, tr, sa, sb, d):
    """R-QCLASS-ANY: QCLASS * (255) is REFUSED like every class but IN and
    CH (docs/design.md); Knot answers it as IN."""
    if qi.qclass == 255 and sa["rcode"] == dns.rcode.REFUSED:
        return "R-QCLASS-ANY"
    return None


def notimp(q, qi, tr, sa, sb, d):
    """R-NOTIMP: every opcode but QUERY gets NOTIMP with no flags but QR
    (docs/design.md; RFC 1035 4.1.1); Knot answers NOTIFY with NOTAUTH, UPDATE with
    FORMERR, and keeps RD."""
    if qi.kind == "notimp" and sa["rcode"] == dns.rcode.NOTIMP and \
            d.what in ("rcode", "flag:RD", "flag:CD", "parse") and \
            not sa["flags"] & 0x07F0:
        return "R-NOTIMP"
    return None


def formerr(q, qi, tr, sa, sb, d):
    """R-FORMERR: a malformed query whose header is readable gets FORMERR
    (docs/design.md; RFC 1035 4.1.1, RFC 9619 for QDCOUNT != 1, RFC 6891 6.1.1 for a
    bad OPT); Knot drops some (QDCOUNT=2, bad names) and ignores
    ANCOUNT/NSCOUNT and an OPT not at the root."""
    if qi.kind == "formerr" and sa is not None and sa["rcode"] == dns.rcode.FORMERR:
        return "R-FORMERR"
    return None


def nsid_with_data(q, qi, tr, sa, sb, d):
    """R-NSID-DATA: an NSID option that carries data in the query is not an
    NSID request (RFC 5001 2.1: the requestor MUST send it empty); rootxdp
    ignores it, Knot answers it."""
    if d.what == "opt:options" and qi.nsid_data and not qi.nsid:
        return "R-NSID-DATA"
    return None


def cookie(q, qi, tr, sa, sb, d):
    """R-COOKIE: rootxdp answers a client cookie with a server cookie (RFC
    7873 5.2.3; docs/design.md: DNS cookies when they arrive; the oracle checks the
    option); Knot 3.2 without its cookies module ignores the option."""
    if d.what == "opt:options" and qi.cookie is not None and \
            10 in (sa["opt"] or {}).get("codes", ()) and \
            tuple(c for c in sa["opt"]["codes"] if c != 10) == \
            tuple(c for c in sb["opt"]["codes"] if c != 10):
        return "R-COOKIE"
    return None


def xfr_refused(q, qi, tr, sa, sb, d):
    """R-XFR: AXFR/IXFR from an address not in the ACL is REFUSED (RFC 5936
    4.2 / 6: a server may refuse a transfer; REFUSED is what the root
    servers answer); Knot answers NOTAUTH."""
    if qi.qtype in (T.AXFR, T.IXFR) and d.what == "rcode" and \
            sa["rcode"] == dns.rcode.REFUSED:
        return "R-XFR"
    return None


RULES = [cookie, xfr_refused, cd_echo, optional_glue, tc_optional, tc_qname, any_tcp, chaos_identity, version_hidden,
         class_any, notimp, formerr, nsid_with_data]
