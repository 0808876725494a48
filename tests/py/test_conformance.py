# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""test_conformance.py - differential and RFC-oracle tests of rootxdp.

For each zone (the generated test zone; the re-signed real root zone from
../shared/data when present) tests/py/netenv.sh builds the namespaces:
rootxdp (XDP + TC + rootxdpd) at 198.51.100.1 / 2001:db8::1 port 53,
Knot at 203.0.113.1:53 and NSD at 203.0.113.1:5301 in a namespace of their
own.  A seeded corpus (querygen.py, >= 5,000 queries) goes to all three
from the client namespace.  Per behaviour class:

  test_vs_knot    rootxdp agrees with Knot (rcode, flags QR AA TC RD CD, each
                  section's RRsets with TTLs, OPT); the only exemptions are
                  the rules of docs/conformance.md (rules.py)
  test_oracle     every rootxdp response passes the RFC oracle (oracle.py)

Differences with NSD, and the oracle run on Knot's and NSD's responses,
are reported after the run as information.

Environment: RX_ZONE_DIR (root.zone, trust-anchor.ds; else $O/zones, else
one is generated), O (build dir), RX_CONF_SEED (corpus seed, default 1),
RX_CONF_SIZE (about how many queries, default 6000), RX_CONF_TARGET
(rootxdp [default], or nsd/knot to try the framework on a peer).
"""
import collections
import gzip
import json
import os
import pickle
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

import compare
import conftest
import netio
import oracle
import querygen
import rules

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
O = os.environ.get("O", "build")
O = O if os.path.isabs(O) else os.path.join(TOP, O)
SHARED = os.path.abspath(os.path.join(TOP, "..", "shared", "data"))
SEED = int(os.environ.get("RX_CONF_SEED", "1"))
SIZE = int(os.environ.get("RX_CONF_SIZE", "6000"))
TARGET = os.environ.get("RX_CONF_TARGET", "rootxdp")
IDENTITY = "rootxdp-conformance"

RX4, RX6 = "198.51.100.1", "2001:db8::1"
KNOT = ("203.0.113.1", 53)
NSD = ("203.0.113.1", 5301)


def _test_zone():
    d = os.environ.get("RX_ZONE_DIR") or os.path.join(O, "zones")
    if os.path.exists(os.path.join(d, "root.zone")):
        return os.path.join(d, "root.zone"), os.path.join(d, "trust-anchor.ds"), None
    tmp = tempfile.mkdtemp(prefix="rootxdp-conf-zone.")
    subprocess.run([os.path.join(TOP, "tests", "zones", "mkzone.sh"), "--out", tmp],
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.join(tmp, "root.zone"), os.path.join(tmp, "trust-anchor.ds"), tmp


ZONES = ["testzone", "testsigned-2026082201", "iana-2017112902"]

# The real IANA-signed 2017 zone (mixed-case owners such as "AAA."): signed
# by KSK-2010 (key 19036), which /usr/share/dns/root.key no longer carries,
# so its public DS is the anchor; validated inside its signatures' window;
# no ZONEMD in 2017.
IANA_2017_DS = ". 86400 IN DS 19036 8 2 " \
    "49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5\n"
IANA_2017_COMPILE = "--now 20171201000000 --allow-no-zonemd"


class Env:
    """netenv.sh running in the background; stopped (TERM, by PID) at the end."""

    def __init__(self, zone, anchor, compile_opts=""):
        self.dir = tempfile.mkdtemp(prefix="rootxdp-conf.")
        self.ready = os.path.join(self.dir, "ready")
        self.logf = open(os.path.join(self.dir, "netenv.log"), "w")
        self.proc = subprocess.Popen(
            ["bash", os.path.join(HERE, "netenv.sh"), zone, anchor, self.ready, str(os.getpid())],
            stdin=subprocess.DEVNULL, stdout=self.logf, stderr=subprocess.STDOUT,
            env=dict(os.environ, O=O, RX_IDENTITY=IDENTITY, RX_COMPILE_OPTS=compile_opts))
        self.vars = {}

    def wait(self, timeout=120):
        end = time.time() + timeout
        while time.time() < end:
            if os.path.exists(self.ready):
                txt = open(self.ready).read()
                if "FAILED" in txt or txt.rstrip().endswith("READY"):
                    break
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        txt = open(self.ready).read() if os.path.exists(self.ready) else ""
        if not txt.rstrip().endswith("READY"):
            raise RuntimeError("netenv.sh did not come up: %s\n%s" % (txt.strip(), self.log()))
        for line in txt.splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                self.vars[k] = v

    def log(self):
        self.logf.flush()
        with open(os.path.join(self.dir, "netenv.log")) as f:
            return "".join(f.readlines()[-40:])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.logf.close()
        subprocess.run(["rm", "-rf", "--", self.dir])


class Run:
    """Everything one zone's run produced."""

    def __init__(self, name):
        self.name = name
        self.corpus = []
        self.res = {}             # server -> {idx: {"udp": b, "tcp": b}}
        self.oracle = {}          # server -> {idx: [(transport, problems)]}
        self.diffs = {}           # peer -> {idx: [(transport, [Diff])]}
        self.stats = None
        self.daemon = None        # {idx: {"udp": b}}: rootxdpd's answers (IP options)
        self.pathdiffs = {}       # idx -> [Diff]: rootxdp (XDP/TC) vs rootxdpd
        self.stats_round1 = None  # rootxdp stats after the corpus, then after
        self.stats_round2 = None  # the same UDP queries with IP options
        self.target = TARGET
        self.timing = {}
        self.pipeline = None


def _dest(addr_port):
    return lambda q: addr_port


def _rootxdp_dest(q):
    return (RX6 if q.idx % 2 else RX4, 53)


@pytest.fixture(scope="module", params=ZONES)
def run(request):
    name = request.param
    cleanup_dir = None
    compile_opts = ""
    if name == "testzone":
        zone, anchor, cleanup_dir = _test_zone()
    elif name == "iana-2017112902":
        zone = os.path.join(SHARED, "root-2017112902-signed.zone.gz")
        if not os.path.exists(zone):
            pytest.skip("../shared/data is absent")
        cleanup_dir = tempfile.mkdtemp(prefix="rootxdp-conf-2017.")
        anchor = os.path.join(cleanup_dir, "ksk-2010.ds")
        with open(anchor, "w") as f:
            f.write(IANA_2017_DS)
        compile_opts = IANA_2017_COMPILE
    else:
        zone = os.path.join(SHARED, "root-2026082201-testsigned.zone.gz")
        anchor = os.path.join(SHARED, "testsigned-trust-anchor.ds")
        if not os.path.exists(zone):
            pytest.skip("../shared/data is absent")
    t0 = time.time()
    # private copies: tests/run.sh may regenerate $O/zones (new keys) meanwhile
    snap = tempfile.mkdtemp(prefix="rootxdp-conf-snap.")
    env = None
    try:
        shutil.copy(anchor, snap)
        anchor = os.path.join(snap, os.path.basename(anchor))
        plain = os.path.join(snap, "root.zone")             # Knot and NSD read no .gz
        with (gzip.open(zone, "rb") if zone.endswith(".gz") else open(zone, "rb")) as f, \
                open(plain, "wb") as g:
            shutil.copyfileobj(f, g)
        zone = plain
        env = Env(zone, anchor, compile_opts)
        zd = oracle.ZoneData(zone, anchor)       # parses while the namespaces come up
        env.wait()
        r = Run(name)
        r.timing["setup"] = time.time() - t0
        r.zd = zd
        r.env = env.vars
        r.corpus = querygen.generate(zd, seed=SEED, size=SIZE)
        servers = {"knot": _dest(KNOT), "nsd": _dest(NSD)}
        if TARGET == "rootxdp":
            if env.vars.get("ROOTXDP") == "none":
                pytest.fail("rootxdp is not built ($O/rootxdp-compile, rootxdpd missing)")
            servers["rootxdp"] = _rootxdp_dest
        t1 = time.time()
        kernel = TARGET == "rootxdp" and env.vars.get("ROOTXDP") == "xdp"
        for srv, dest in servers.items():
            r.res[srv] = netio.run_corpus(env.vars["NS_CLI"], r.corpus, dest)
            if srv == "rootxdp" and kernel:
                r.stats_round1 = _rootxdp_stats(env)
        if "rootxdp" in servers and env.vars.get("ROOTXDP") == "xdp":
            # the same UDP queries with IPv4 options (4 NOPs) or an IPv6
            # hop-by-hop header: XDP and TC pass them to the stack, so
            # rootxdpd answers (design step 1)
            r.daemon = netio.run_corpus(env.vars["NS_CLI"], r.corpus, _rootxdp_dest,
                                        ip_options=b"\x01\x01\x01\x01", tcp=False)
            r.stats_round2 = _rootxdp_stats(env)
        # pipelining: 40 TCP queries in one write on one connection
        pq = [q for q in r.corpus if q.transport == "tcp" and q.cls == "tcp"][:40]
        r.pipeline = {"queries": pq, "got": {}}
        for srv, dest in servers.items():
            r.pipeline["got"][srv] = netio.tcp_pipeline(env.vars["NS_CLI"], [q.wire for q in pq],
                                                        dest(pq[0]))
        r.timing["queries"] = time.time() - t1
        if os.environ.get("RX_CONF_DUMP"):
            with open("%s.%s.pickle" % (os.environ["RX_CONF_DUMP"], name), "wb") as f:
                pickle.dump({"zone": zone, "anchor": anchor, "res": r.res, "env": env.vars,
                             "daemon": r.daemon,
                             "zone_bytes": open(zone, "rb").read(),
                             "anchor_bytes": open(anchor, "rb").read()}, f)
        t2 = time.time()
        if kernel:
            r.stats = _rootxdp_stats(env)
        evaluate(r)
        r.timing["evaluate"] = time.time() - t2
        report(r)
        yield r
    finally:
        if env is not None:
            env.stop()
        subprocess.run(["rm", "-rf", "--", snap])
        if cleanup_dir:
            subprocess.run(["rm", "-rf", "--", cleanup_dir])


_CTX = None


def evaluate(r, procs=2):
    """Oracle and comparisons for the whole corpus, in `procs` forked workers."""
    global _CTX
    _CTX = r
    n = len(r.corpus)
    chunks = [range(i * n // procs, (i + 1) * n // procs) for i in range(procs)]
    if procs > 1:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(procs) as pool:
            parts = pool.map(_evaluate_chunk, chunks)
    else:
        parts = [_evaluate_chunk(chunks[0])]
    _CTX = None
    r.oracle = {srv: {} for srv in r.res}
    r.diffs = {p: {} for p in r.res if p != TARGET}
    r.pathdiffs = {}
    for o, d, pd in parts:
        for srv in o:
            r.oracle[srv].update(o[srv])
        for p in d:
            r.diffs[p].update(d[p])
        r.pathdiffs.update(pd)


def _evaluate_chunk(rng):
    r = _CTX
    sub = Run(r.name)
    sub.zd, sub.res = r.zd, r.res
    sub.corpus = [r.corpus[i] for i in rng]
    sub.daemon = r.daemon
    _evaluate(sub)
    return sub.oracle, sub.diffs, sub.pathdiffs


def _evaluate(r):
    zd = r.zd
    rules.ZD = zd
    orc = oracle.Oracle(zd, identity=IDENTITY if TARGET == "rootxdp" else
                        ("knot-peer" if TARGET == "knot" else "nsd-peer"))
    peers = [s for s in r.res if s != TARGET]
    for srv in r.res:
        r.oracle[srv] = {q.idx: [] for q in r.corpus}
    for p in peers:
        r.diffs[p] = {}
    oracle_on = [TARGET] + (peers if os.environ.get("RX_CONF_PEER_ORACLE") else [])
    for q in r.corpus:
        for srv in oracle_on:
            res = r.res[srv]
            o = r.oracle[srv].setdefault(q.idx, [])
            for tr, wire in res[q.idx].items():
                o.append((tr, orc.check(q.wire, tr, wire)))
        mine = r.res[TARGET][q.idx]
        for p in peers:
            theirs = r.res[p][q.idx]
            ds = []
            for tr in ("udp", "tcp"):
                if tr in mine or tr in theirs:
                    d = compare.diff(q, tr, mine.get(tr), theirs.get(tr), rules.RULES)
                    if d:
                        ds.append((tr, d))
            if ds:
                r.diffs[p][q.idx] = ds
        if r.daemon is not None and q.transport == "udp":
            a = r.res[TARGET][q.idx].get("udp")
            b = r.daemon[q.idx].get("udp")
            d = compare.diff(q, "udp", a, b)
            if a is not None and b is not None and a != b and not d:
                d = [compare.Diff("bytes", "same content, different bytes (%d vs %d)" %
                                  (len(a), len(b)), rule="bytes")]
            if d:
                r.pathdiffs[q.idx] = d
    oracle.clear_caches()
    compare.clear_caches()


def _counts(r, cls, peer):
    qs = [q for q in r.corpus if q.cls == cls]
    agree = explained = unexplained = 0
    for q in qs:
        ds = r.diffs.get(peer, {}).get(q.idx)
        if not ds:
            agree += 1
        elif all(d.rule for _, dl in ds for d in dl):
            explained += 1
        else:
            unexplained += 1
    return len(qs), agree, explained, unexplained


def _oracle_bad(r, cls, srv):
    return sum(1 for q in r.corpus if q.cls == cls and
               any(p for _, p in r.oracle[srv][q.idx]))


def report(r):
    L = conftest.REPORT
    L.append("zone %s: %d queries, target %s (%s); setup %.1fs, queries %.1fs, evaluate %.1fs" %
             (r.name, len(r.corpus), TARGET, r.env.get("ROOTXDP"), r.timing.get("setup", 0),
              r.timing.get("queries", 0), r.timing.get("evaluate", 0)))
    peers = [p for p in ("knot", "nsd") if p != TARGET]
    hdr = "  %-10s %6s" % ("class", "count")
    for p in peers:
        hdr += " | vs %-4s agree expl unexpl" % p
    for s in r.res:
        hdr += " | oracle:%s" % s
    L.append(hdr)
    tot = collections.Counter()
    for cls in querygen.CLASSES:
        line = ""
        for p in peers:
            n, a, e, u = _counts(r, cls, p)
            line += " | %9s %5d %4d %6d" % ("", a, e, u)
            tot[p + "a"] += a
            tot[p + "e"] += e
            tot[p + "u"] += u
        for s in r.res:
            b = _oracle_bad(r, cls, s)
            tot["o" + s] += b
            line += " | %*d" % (7 + len(s), b)
        L.append("  %-10s %6d%s" % (cls, n, line))
    line = ""
    for p in peers:
        line += " | %9s %5d %4d %6d" % ("", tot[p + "a"], tot[p + "e"], tot[p + "u"])
    for s in r.res:
        line += " | %*d" % (7 + len(s), tot["o" + s])
    L.append("  %-10s %6d%s" % ("total", len(r.corpus), line))
    rc = collections.Counter()
    for p in peers:
        for idx, ds in r.diffs[p].items():
            for _, dl in ds:
                for d in dl:
                    if d.rule:
                        rc[(p, d.rule)] += 1
    if rc:
        L.append("  allowed differences used: " +
                 ", ".join("%s %s x%d" % (p, k, v) for (p, k), v in sorted(rc.items())))
    for s in r.res:
        pc = collections.Counter()
        for idx, lst in r.oracle[s].items():
            for _, probs in lst:
                for pr in probs:
                    pc[pr.split(":", 1)[0]] += 1
        if pc:
            L.append("  oracle problems on %s by kind: %s" %
                     (s, ", ".join("%s %d" % kv for kv in pc.most_common())))
    if r.daemon is not None:
        pc = collections.Counter()
        for idx, dl in r.pathdiffs.items():
            pc["only bytes" if all(d.rule for d in dl) else "content"] += 1
        n = sum(1 for q in r.corpus if q.transport == "udp")
        L.append("  XDP/TC vs rootxdpd (UDP, IPv4 options / IPv6 hop-by-hop): %d queries, %d identical bytes, "
                 "%d same content other bytes, %d differ" %
                 (n, n - len(r.pathdiffs), pc["only bytes"], pc["content"]))
    if r.stats is not None:
        L.append("  rootxdp stats: %s" % _stats_line(r.stats))


def _rootxdp_stats(env):
    """`rootxdp stats --json` of the attached programs ({"error": ...} if unreadable)."""
    out = subprocess.run([os.path.join(O, "rootxdp"), "stats", "--pin-root",
                          env.vars["RX_PIN_DIR"], "--json"],
                         capture_output=True, text=True, timeout=20)
    try:
        return json.loads(out.stdout)
    except ValueError:
        return {"error": (out.stdout + out.stderr)[-400:]}


def _kernel_answered(st):
    """Answers sent by the kernel programs (XDP + TC), from a stats snapshot."""
    assert isinstance(st, dict) and "error" not in st, "rootxdp stats unreadable: %r" % (st,)
    return sum(st[p]["answered"] for p in ("xdp", "tc") if isinstance(st.get(p), dict))


def _stats_line(st):
    """Who answered: per path, the answers, truncations, drops, passes."""
    if not isinstance(st, dict) or "error" in st:
        return json.dumps(st)[:400]
    out = []
    for path, c in st.items():
        if not isinstance(c, dict):
            continue
        keep = ["%s=%s" % (k, v) for k, v in c.items() if isinstance(v, int) and v and
                (k in ("packets", "answered", "truncated", "glue_cut") or k.startswith(("pass", "drop")))]
        if keep:
            out.append("%s: %s" % (path, " ".join(keep)))
    return "; ".join(out)


def _show(q, r, addr):
    return q.desc.replace("@SERVER", "@" + addr)


def _addr(q):
    if TARGET == "rootxdp":
        return _rootxdp_dest(q)[0]
    return (NSD if TARGET == "nsd" else KNOT)[0] + (" -p 5301" if TARGET == "nsd" else "")


@pytest.mark.parametrize("cls", querygen.CLASSES)
def test_vs_knot(run, cls):
    if TARGET == "knot":
        pytest.skip("the target is Knot itself")
    bad = []
    for q in run.corpus:
        if q.cls != cls:
            continue
        ds = run.diffs["knot"].get(q.idx)
        if ds and not all(d.rule for _, dl in ds for d in dl):
            bad.append((q, ds))
    n = sum(1 for q in run.corpus if q.cls == cls)
    assert n > 0
    if bad:
        lines = ["%d of %d %s queries differ from Knot without an allowed reason; first 10:" %
                 (len(bad), n, cls)]
        for q, ds in bad[:10]:
            lines.append("  " + _show(q, run, _addr(q)))
            for tr, dl in ds:
                for d in dl:
                    if not d.rule:
                        lines.append("      %s %r" % (tr, d))
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.mark.parametrize("cls", querygen.CLASSES)
def test_oracle(run, cls):
    bad = []
    for q in run.corpus:
        if q.cls != cls:
            continue
        probs = [(tr, p) for tr, p in run.oracle[TARGET][q.idx] if p]
        if probs:
            bad.append((q, probs))
    n = sum(1 for q in run.corpus if q.cls == cls)
    assert n > 0
    if bad:
        lines = ["%d of %d %s responses fail the RFC oracle; first 10:" % (len(bad), n, cls)]
        for q, probs in bad[:10]:
            lines.append("  " + _show(q, run, _addr(q)))
            for tr, p in probs:
                for x in p:
                    lines.append("      %s %s" % (tr, x))
        pytest.fail("\n".join(lines), pytrace=False)


def test_corpus_size(run):
    assert len(run.corpus) >= 5000
    seen = collections.Counter(q.cls for q in run.corpus)
    assert set(seen) == set(querygen.CLASSES)


@pytest.mark.parametrize("cls", querygen.CLASSES)
def test_xdp_vs_daemon(run, cls):
    """The kernel path (XDP/TC) and rootxdpd answer alike (the two
    implementations are tied by comparison): the UDP corpus again with IPv4 options, which
    the kernel programs pass to the stack."""
    if run.daemon is None:
        pytest.skip("rootxdp is not attached (no XDP path to compare)")
    # Both rounds must really come from different paths: were the kernel
    # programs to pass everything up, rootxdpd would answer both and agree
    # with itself.  Round one: the kernel answered most UDP queries (the
    # rest are qtypes/options it passes by design); round two (IP options):
    # none, every answer is rootxdpd's.
    udp = sum(1 for q in run.corpus if q.transport == "udp")
    a1 = _kernel_answered(run.stats_round1)
    a2 = _kernel_answered(run.stats_round2)
    assert a1 >= udp // 2, "the kernel answered %d of %d UDP queries in round one" % (a1, udp)
    assert a2 == a1, "the kernel answered %d queries with IP options (must pass them)" % (a2 - a1)
    n = sum(1 for q in run.corpus if q.cls == cls and q.transport == "udp")
    got = sum(1 for q in run.corpus if q.cls == cls and q.transport == "udp" and
              run.daemon.get(q.idx, {}).get("udp") is not None)
    if n:
        assert got > 0, "rootxdpd answered none of the %d %s UDP queries with IP options" % (n, cls)
    bad = []
    for q in run.corpus:
        if q.cls == cls and q.idx in run.pathdiffs and \
                not all(d.rule for d in run.pathdiffs[q.idx]):
            bad.append(q)
    if bad:
        lines = ["%d %s queries: XDP/TC and rootxdpd answer differently; first 10:" %
                 (len(bad), cls)]
        for q in bad[:10]:
            lines.append("  " + q.desc.replace("@SERVER", "@" + _rootxdp_dest(q)[0]))
            for d in run.pathdiffs[q.idx]:
                lines.append("      kernel vs daemon %r" % d)
        pytest.fail("\n".join(lines), pytrace=False)


def test_tcp_pipelining(run):
    """RFC 7766 6.2.1.1: 40 queries pipelined on one TCP connection are all
    answered, each as when asked alone."""
    pq, got = run.pipeline["queries"], run.pipeline["got"][TARGET]
    missing = [q for i, q in enumerate(pq) if i not in got]
    differ = [q for i, q in enumerate(pq) if i in got and
              compare.diff(q, "tcp", got[i], run.res[TARGET][q.idx].get("tcp"))]
    msg = []
    if missing:
        msg.append("%d of %d pipelined queries not answered, e.g. %s" %
                   (len(missing), len(pq), missing[0].desc))
    if differ:
        msg.append("%d pipelined answers differ from the same query alone, e.g. %s" %
                   (len(differ), differ[0].desc))
    if msg:
        pytest.fail("\n".join(msg), pytrace=False)
