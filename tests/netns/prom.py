#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""prom.py - read `rootxdp stats --prometheus` with the reference parser
(python3-prometheus-client), for tests/netns/test_prometheus.sh.

  prom.py check FILE                 parse; print "family type" per family
  prom.py get FILE SAMPLE [SEL]      sum of the samples named SAMPLE whose
                                     labels match SEL
  prom.py delta OLD NEW SAMPLE [SEL] the same, NEW minus OLD

SEL is "label=v1|v2,label2=v" (each label one of the values); a missing
sample sums to 0.  Exit 1 with a message when the parser refuses the text.
"""
import sys

from prometheus_client.parser import text_string_to_metric_families


def families(path):
    with open(path) as f:
        text = f.read()
    try:
        return list(text_string_to_metric_families(text))
    except Exception as e:  # the parser raises ValueError and friends
        sys.exit("prom.py: %s does not parse: %s" % (path, e))


def selector(sel):
    want = {}
    for part in filter(None, (sel or "").split(",")):
        k, v = part.split("=", 1)
        want[k] = set(v.split("|"))
    return want


def total(path, name, sel):
    want = selector(sel)
    s = 0.0
    for fam in families(path):
        for smp in fam.samples:
            if smp.name != name:
                continue
            if all(smp.labels.get(k) in v for k, v in want.items()):
                s += smp.value
    return s


def fmt(v):
    return str(int(v)) if v == int(v) else repr(v)


def main(argv):
    if len(argv) >= 2 and argv[0] == "check":
        for fam in families(argv[1]):
            print(fam.name, fam.type, len(fam.samples))
        return 0
    if len(argv) in (3, 4) and argv[0] == "get":
        print(fmt(total(argv[1], argv[2], argv[3] if len(argv) > 3 else "")))
        return 0
    if len(argv) in (4, 5) and argv[0] == "delta":
        sel = argv[4] if len(argv) > 4 else ""
        print(fmt(total(argv[2], argv[3], sel) - total(argv[1], argv[3], sel)))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
