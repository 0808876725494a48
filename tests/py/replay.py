# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""replay.py - re-evaluate a run saved with RX_CONF_DUMP=PREFIX (no network):

    /usr/bin/python3 tests/py/replay.py PREFIX.ZONE.pickle [--show CLASS|all] [--peer knot|nsd|oracle:SRV]

Prints the report of test_conformance.py and, with --show, the differences."""
import argparse
import pickle
import time

import conftest
import oracle
import querygen
import test_conformance as tc

ap = argparse.ArgumentParser()
ap.add_argument("dump")
ap.add_argument("--show", default=None)
ap.add_argument("--peer", default="knot")
ap.add_argument("--max", type=int, default=30)
ap.add_argument("--all", action="store_true", help="explained differences too")
a = ap.parse_args()
d = pickle.load(open(a.dump, "rb"))
r = tc.Run(a.dump)
t = time.time()
if "zone_bytes" in d:
    import os
    import tempfile
    tmp = tempfile.mkdtemp(prefix="rootxdp-replay.")
    d["zone"] = os.path.join(tmp, os.path.basename(d["zone"]))
    d["anchor"] = os.path.join(tmp, os.path.basename(d["anchor"]))
    open(d["zone"], "wb").write(d["zone_bytes"])
    open(d["anchor"], "wb").write(d["anchor_bytes"])
r.zd = oracle.ZoneData(d["zone"], d["anchor"])
r.env = d["env"]
r.corpus = querygen.generate(r.zd, seed=tc.SEED, size=tc.SIZE)
r.res = d["res"]
r.daemon = d.get("daemon")
tc.evaluate(r)
r.timing["evaluate"] = time.time() - t
tc.report(r)
print("\n".join(conftest.REPORT))
if a.show:
    n = 0
    for q in r.corpus:
        if a.show != "all" and q.cls != a.show:
            continue
        if a.peer.startswith("oracle:"):
            probs = [(tr, p) for tr, p in r.oracle[a.peer[7:]][q.idx] if p]
            if probs:
                print(q.cls, tc._show(q, r, tc._addr(q)))
                for tr, p in probs:
                    for x in p:
                        print("     ", tr, x)
                n += 1
        else:
            ds = r.diffs[a.peer].get(q.idx)
            if ds and (a.all or not all(x.rule for _, dl in ds for x in dl)):
                print(q.cls, tc._show(q, r, tc._addr(q)))
                for tr, dl in ds:
                    for x in dl:
                        print("     ", tr, x)
                n += 1
        if n >= a.max:
            break
