#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""report.py RAWDIR - the results table of `make bench` (Markdown, stdout).

Reads what scripts/bench.sh wrote in RAWDIR: machine.tsv, static.tsv,
perpkt.tsv (bench/testrun perpkt), throughput.tsv (one row per client run:
server client rep duration sent answered avg_size bpf_ns daemon_ns
client_cpu_s busy_ns wall_s server_cpu_busy_ns), stats-CLIENT-before/after.json
(rootxdp stats --json around each client's runs), lab.tsv (the XDP lab, one
row per run: server rep, then bench/lab's columns) with stats-lab-*.json.
Every figure is the median over the repetitions.
"""
import json
import re
import os
import statistics
import sys


def rows(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [l.rstrip("\n").split("\t") for l in f if l.strip()]


def kv(path):
    out = {}
    for r in rows(path):
        out.setdefault(r[0], []).append(r[1] if len(r) > 1 else "")
    return out


def med(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None


def fmt(x, spec="{:,.0f}", none="n/a"):
    return none if x is None else spec.format(x)


def main():
    raw = sys.argv[1]
    m = {k: v[0] for k, v in kv(os.path.join(raw, "machine.tsv")).items()}
    st = kv(os.path.join(raw, "static.tsv"))
    p = []
    p.append("# rootxdp benchmark results\n")
    p.append("Machine: %s, %s cores, kernel %s. %s UTC, commit %s, %s run: medians of %s "
             "repetitions, %s s per client run, test-run repeat %s. Load average at start: %s.\n"
             % (m.get("cpu"), m.get("cores"), m.get("kernel"), m.get("date"), m.get("commit"),
                m.get("mode"), m.get("reps"), m.get("duration"), m.get("repeat"),
                m.get("loadavg")))
    p.append("Zone: %s. Tools: %s.\n" % (m.get("zone"), m.get("tools")))

    # ---- static figures
    def sf(k, f=float):
        v = st.get(k)
        return med([f(x) for x in v]) if v else None
    p.append("## Zone, image, maps, swap\n")
    p.append("| figure | value |\n|---|---|")
    start = len(p)
    p.append("| zone file (text) | %s bytes, %s TLDs |" % (fmt(sf("zone_bytes")), fmt(sf("zone_tlds"))))
    p.append("| compile time (rootxdp-compile, DNSSEC + ZONEMD verified) | %s s |"
             % fmt(sf("compile_s"), "{:.2f}"))
    p.append("| image size | %s bytes |" % fmt(sf("image_bytes")))
    p.append("| BPF maps (outer + inner, both programs) | %s maps, %s bytes memlock |"
             % (fmt(sf("maps")), fmt(sf("map_memlock_bytes"))))
    p.append("| atomic swap (`rootxdp load --force`, wall) | %s s |" % fmt(sf("swap_s"), "{:.3f}"))
    p.append("| rootxdpd RSS (zone loaded; after the runs) | %s kB; %s kB |"
             % (fmt(sf("rootxdpd_rss_kb")), fmt(sf("rootxdpd_rss_after_kb"))))
    p.append("| NSD / Knot RSS (after the runs, all processes) | %s kB / %s kB |"
             % (fmt(sf("nsd_rss_kb")), fmt(sf("knot_rss_kb"))))
    if "lab only" in m.get("mode", ""):	# scripts/bench.sh lab: what it measured
        p[start:] = [r for r in p[start:] if "n/a" not in r]
    p.append("")

    # ---- per packet
    pk = rows(os.path.join(raw, "perpkt.tsv"))
    worst = None
    if pk:
        hdr, pk = pk[0], pk[1:]
        idx = {h: i for i, h in enumerate(hdr)}
        by = {}
        for r in pk:
            by[(r[idx["kind"]], r[idx["family"]], r[idx["prog"]])] = r
        keys = []
        for r in pk:
            k = (r[idx["kind"]], r[idx["family"]])
            if k not in keys:
                keys.append(k)
        p.append("## Per-packet cost (BPF_PROG_TEST_RUN)\n")
        p.append("ns per packet, restore wrapper + tail call, repeat %s, wrapper cost "
                 "subtracted (single: repeat 1 averaged over many calls, timer cost "
                 "subtracted; a cross-check). DNS bytes: the answer's DNS payload.\n"
                 % m.get("repeat"))
        p.append("Reflector: its plain repeat (valid for it: its output is again a UDP/53 "
                 "frame), which includes the test-run loop's own cost per run (~50 ns, "
                 "subtracted from every other figure); in parentheses its program-only "
                 "cost by the wrapper method. XDP / reflector: against the plain repeat, "
                 "in parentheses against the program-only cost.\n")
        p.append("| answer | family | XDP ns | TC ns | reflector ns (wrapper) | XDP / reflector | "
                 "XDP single | TC single | reflector single | DNS bytes | checked |")
        p.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for k in keys:
            x, t, rf = (by.get(k + (n,)) for n in ("rootxdp_xdp", "rootxdp_tc", "reflector"))
            if not (x and t and rf):
                continue
            g = lambda r, c: float(r[idx[c]])
            rdir = g(rf, "direct_ns") if "direct_ns" in idx else g(rf, "repeat_ns")
            ratio = g(x, "repeat_ns") / rdir if rdir > 0 else None
            pratio = g(x, "repeat_ns") / g(rf, "repeat_ns") if g(rf, "repeat_ns") >= 1 else None
            if ratio is not None:
                worst = max(worst or 0, ratio)
            chk = "ok" if x[idx["check"]] == "ok" and t[idx["check"]] == "ok" else \
                "xdp %s, tc %s" % (x[idx["check"]], t[idx["check"]])
            p.append("| %s | %s | %.0f | %.0f | %.0f (%.0f) | %s | %.0f | %.0f | %.0f | %s | %s |"
                     % (k[0], k[1], g(x, "repeat_ns"), g(t, "repeat_ns"), rdir, g(rf, "repeat_ns"),
                        fmt(ratio, "{:.1f}x") + " (" + fmt(pratio, "{:.0f}x") + ")", g(x, "single_ns"), g(t, "single_ns"),
                        g(rf, "single_ns"), x[idx["dns_bytes"]], chk))
        vn = {"0": "XDP_ABORTED", "1": "XDP_DROP", "2": "XDP_PASS", "3": "XDP_TX"}
        naive = {vn.get(r[idx["naive"]], r[idx["naive"]]) for r in pk
                 if r[idx["prog"]] == "rootxdp_xdp"}
        p.append("\nrootxdp_xdp alone with repeat %s ends with %s, not XDP_TX: runs 2..N "
                 "see its own response (QR=1, to the client's port) instead of a query; "
                 "hence the restore wrapper.\n" % (m.get("repeat"), "/".join(sorted(naive))))

    # ---- RRL and cookies: the same table with RRL on (log-only)
    defend_add = None
    pr = rows(os.path.join(raw, "perpkt_rrl.tsv"))
    if pk and pr:
        hdr2, pr = pr[0], pr[1:]
        i2 = {h: i for i, h in enumerate(hdr2)}
        on = {(r[i2["kind"]], r[i2["family"]], r[i2["prog"]]): float(r[i2["repeat_ns"]])
              for r in pr}
        off = {(r[idx["kind"]], r[idx["family"]], r[idx["prog"]]): float(r[idx["repeat_ns"]])
               for r in pk}
        p.append("## Per-answer cost of RRL and DNS cookies (XDP, BPF_PROG_TEST_RUN)\n")
        p.append("ns per answer as above; RRL on = `rrl-rate 200, rrl-log-only yes` (every "
                 "answer's bucket looked up and updated, nothing dropped); cookie: a client "
                 "cookie alone (one SipHash to mint), bad cookie: a current-looking server "
                 "cookie that is not ours (two SipHashes: check, then mint).\n")
        p.append("| answer | family | RRL off | RRL on | RRL adds | + cookie (RRL on) | "
                 "+ bad cookie (RRL on) | RRL + bad cookie add |")
        p.append("|---|---|---|---|---|---|---|---|")
        for fam in ("ipv4", "ipv6"):
            base = off.get(("referral_do", fam, "rootxdp_xdp"))
            rron = on.get(("referral_do", fam, "rootxdp_xdp"))
            ck = on.get(("referral_do_cookie", fam, "rootxdp_xdp"))
            bad = on.get(("referral_do_badcookie", fam, "rootxdp_xdp"))
            if None in (base, rron, ck, bad):
                continue
            add = bad - base
            defend_add = max(defend_add if defend_add is not None else add, add)
            p.append("| referral_do | %s | %.0f | %.0f | %+.0f | %.0f | %.0f | %+.0f |"
                     % (fam, base, rron, rron - base, ck, bad, add))
        p.append("")
    # ---- the dnstap sample on every answer (scripts/bench.sh: rate 1)
    pt = rows(os.path.join(raw, "perpkt_tap.tsv"))
    if pk and pt:
        i3 = {h: i for i, h in enumerate(pt[0])}
        tap = {(r[i3["kind"]], r[i3["family"]], r[i3["prog"]]): float(r[i3["repeat_ns"]])
               for r in pt[1:]}
        off = {(r[idx["kind"]], r[idx["family"]], r[idx["prog"]]): float(r[idx["repeat_ns"]])
               for r in pk}
        p.append("## Per-answer cost of the dnstap sample (BPF_PROG_TEST_RUN)\n")
        p.append("ns per answer as above with `dnstap-sample-rate = 1`: query and response "
                 "copied out of the frame on every answer. No reader runs, so after 2040 "
                 "records the ring is full and `bpf_ringbuf_output` fails (tap_lost) before "
                 "its own 2 KiB copy. At 1 in N the cost per answer is 1/N of the difference.\n")
        p.append("| answer | family | XDP off | XDP on | adds | TC off | TC on | adds |")
        p.append("|---|---|---|---|---|---|---|---|")
        for k in keys:
            xo, xt = off.get(k + ("rootxdp_xdp",)), tap.get(k + ("rootxdp_xdp",))
            to, tt = off.get(k + ("rootxdp_tc",)), tap.get(k + ("rootxdp_tc",))
            if None in (xo, xt, to, tt):
                continue
            p.append("| %s | %s | %.0f | %.0f | %+.0f | %.0f | %.0f | %+.0f |"
                     % (k[0], k[1], xo, xt, xt - xo, to, tt, tt - to))
        p.append("")
    st = {}
    for r in rows(os.path.join(raw, "static.tsv")):
        st[r[0]] = r[1]
    try:
        fb, fa = (json.load(open(os.path.join(raw, "flood-%s.json" % w)))
                  for w in ("before", "after"))
        fd = lambda key: sum(fa.get(pth, {}).get(key, 0) - fb.get(pth, {}).get(key, 0)
                             for pth in ("xdp", "tc"))
        kx = open(os.path.join(raw, "flood-kxdpgun.txt")).read()
        sent = re.search(r"^total queries:\s+(\d+)", kx, re.M)
        got = re.search(r"^total replies:\s+(\d+)", kx, re.M)
        flood = (fd("bytes_in"), fd("bytes_out"), fd("rrl_limited"), fd("rrl_slipped"),
                 fd("rrl_dropped"), int(sent.group(1)) if sent else 0,
                 int(got.group(1)) if got else 0)
    except (OSError, ValueError):
        flood = None
    if flood:
        bin_, bout, lim, slip, drop, sent, got = flood
        p.append("## A spoofed flood, RRL on\n")
        p.append("kxdpgun -l 203.0.113.0/28 (random sources in one /24 bucket), DO referral "
                 "queries at %s q/s for %s s, `rrl-rate %s`, slip 2. DNS payload bytes as "
                 "the programs count them.\n" % (st.get("flood_qps"), st.get("flood_duration"),
                                                st.get("flood_rate")))
        p.append("| queries sent | replies at the victim | limited | slipped | dropped | "
                 "DNS bytes in | DNS bytes out | out / in |")
        p.append("|---|---|---|---|---|---|---|---|")
        p.append("| %d | %d | %d | %d | %d | %d | %d | %.2f |"
                 % (sent, got, lim, slip, drop, bin_, bout, bout / bin_ if bin_ else 0))
        p.append("")

    # ---- throughput
    tp = rows(os.path.join(raw, "throughput.tsv"))
    res = {}
    for r in tp:
        server, client = r[0], r[1]
        dur, sent, ans, size, bpf, dmn, ccpu, busy, wall, sbusy = (float(x) for x in r[3:13])
        d = res.setdefault((server, client), {k: [] for k in
                           ("qps", "rate", "size", "ns", "bpfns", "ccpu", "busy", "dcores",
                            "sbusy")})
        d["qps"].append(ans / dur)
        d["rate"].append(100.0 * ans / sent if sent else None)
        d["size"].append(size if ans else None)
        d["ns"].append((bpf + dmn) / ans if ans else None)
        d["bpfns"].append(bpf / ans if ans else None)
        d["ccpu"].append(ccpu / wall)
        d["busy"].append(busy / wall / 1e9)
        d["sbusy"].append(sbusy / wall / 1e9)
        d["dcores"].append((bpf + dmn) / dur / 1e9)
    order = ["reflector", "rootxdp", "rootxdpd", "nsd", "knot"]
    label = {"reflector": "reflector (client ceiling)",
             "rootxdp": "rootxdp (XDP+TC, rootxdpd behind)",
             "rootxdpd": "rootxdpd alone", "nsd": "NSD", "knot": "Knot DNS"}
    per_cpu = {}
    if res:
        p.append("## Throughput over veth (IPv4, the query mix)\n")
        p.append("Server CPU per answer: BPF run_time_ns of the programs (reflector; rootxdp "
                 "XDP + TC) plus the daemon's utime+stime (rootxdpd, NSD, Knot, all threads "
                 "and processes), divided by the answers. Cores: CPU-seconds per second of wall time (client "
                 "cores: the client's utime+stime; server CPU busy: all busy time of the "
                 "server CPU, softirq included, noise included; machine: all CPUs).\n")
        p.append("| server | client | answers/s | answered | avg answer B | server CPU ns/answer "
                 "(BPF part) | answers per server CPU-s | server cores | client cores | "
                 "server CPU busy | machine busy cores | bottleneck |")
        p.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for client in ("dnsperf", "kxdpgun"):
            ceil = med(res.get(("reflector", client), {}).get("qps", [])) or 0
            for server in order:
                d = res.get((server, client))
                if not d:
                    continue
                qps, rate, ns = med(d["qps"]), med(d["rate"]), med(d["ns"])
                ccores, dcores = med(d["ccpu"]), med(d["dcores"])
                per_cpu[(server, client)] = 1e9 / ns if ns else None
                if server == "reflector":
                    neck = "client (this is its ceiling)"
                elif ceil and qps >= 0.9 * ceil:
                    neck = "client (>= 90% of its ceiling)"
                elif server in ("rootxdpd", "nsd", "knot") and dcores >= 0.85:
                    neck = "server (daemon CPU %.2f cores)" % dcores
                elif rate is not None and rate < 98:
                    neck = "server (drops %.1f%%)" % (100 - rate)
                else:
                    neck = "shared CPU (see busy)"
                p.append("| %s | %s | %s | %s%% | %s | %s (%s) | %s | %.2f | %.2f | %.2f | %.2f | %s |"
                         % (label[server], client, fmt(qps), fmt(rate, "{:.1f}"),
                            fmt(med(d["size"])), fmt(ns), fmt(med(d["bpfns"])),
                            fmt(per_cpu[(server, client)]), dcores, ccores, med(d["sbusy"]),
                            med(d["busy"]),
                            neck))
        p.append("")

    # ---- the XDP lab
    lab = {}
    for r in rows(os.path.join(raw, "lab.tsv")):
        sent, aend, ans, abytes, qbytes, ens = (float(x) for x in r[2:8])
        d = lab.setdefault(r[0], {"qps": [], "rate": [], "frame": [], "qframe": []})
        d["qps"].append(aend / (ens / 1e9) if ens else None)
        d["rate"].append(100.0 * ans / sent if sent else None)
        d["frame"].append(abytes / ans if ans else None)
        d["qframe"].append(qbytes)
    labgoal = None
    if lab:
        try:
            jb, ja = (json.load(open(os.path.join(raw, "stats-lab-%s.json" % w)))
                      for w in ("before", "after"))
            ld = lambda sec, key: ja.get(sec, {}).get(key, 0) - jb.get(sec, {}).get(key, 0)
            split = (ld("xdp", "answered"), ld("tc", "answered"),
                     ld("rootxdpd", "answers_udp"), ld("xdp", "pass_no_room"))
        except (OSError, ValueError):
            split = None
        floor = med(lab.get("floor", {}).get("qps", []))
        stl = kv(os.path.join(raw, "static.tsv"))
        p.append("## XDP lab (the XDP path at rate, IPv4, %s queries of the mix)\n"
                 % m.get("lab_queries", "256"))
        p.append("A generator XDP program run by BPF_PROG_TEST_RUN with "
                 "BPF_F_TEST_XDP_LIVE_FRAMES (batch 64) writes query k into its frame and "
                 "redirects it to the client veth; the server veth's native XDP program gets "
                 "it as an xdp_frame with ~3.5 KB of tailroom, as from a NIC; a native XDP sink "
                 "on the client veth counts the answers (UDP from port 53) and drops them. "
                 "Generator, server program and sink share CPU %s: answers per second of one "
                 "core, whole path included. Copy floor: the reflector plus %s bytes appended "
                 "from a map value with a precomputed checksum (one bpf_xdp_store_bytes), so "
                 "its frames are as long as rootxdp's mean answer frame.\n"
                 % (m.get("client_cpu", "0"), stl.get("lab_append", ["?"])[0]))
        p.append("| server | answers/s | answered | mean answer frame B | of the copy floor |")
        p.append("|---|---|---|---|---|")
        for server, name in (("rootxdp", "rootxdp (XDP+TC, rootxdpd behind)"),
                             ("reflector", "reflector (swap only)"),
                             ("floor", "copy floor (swap + append)")):
            d = lab.get(server)
            if not d:
                continue
            qps = med(d["qps"])
            p.append("| %s | %s | %s%% | %s | %s |"
                     % (name, fmt(qps), fmt(med(d["rate"]), "{:.1f}"), fmt(med(d["frame"])),
                        fmt(100.0 * qps / floor if floor and qps else None, "{:.0f}%")))
        if split:
            bpfns = float(stl.get("lab_bpf_ns", ["0"])[0])
            p.append("\nrootxdp's answers in the lab: %d from XDP, %d from TC, %d from rootxdpd; "
                     "XDP passed %d for lack of tailroom (pass_no_room); BPF run time %s ns "
                     "per in-kernel answer (XDP + TC programs)."
                     % (split[0], split[1], split[2], split[3],
                        fmt(bpfns / (split[0] + split[1]) if split[0] + split[1] else None)))
        p.append("")
        rq = med(lab.get("rootxdp", {}).get("qps", []))
        if rq and floor:
            labgoal = (rq, 100.0 * rq / floor, floor, split)

    # ---- goals
    p.append("## Against the goals (read, not asserted)\n")
    if labgoal:
        rq, pct, floor, split = labgoal
        p.append("- xdp lab: rootxdp %s answers/s = %.0f%% of the copy floor (%s answers/s; "
                 "goal >= 80%%)%s" % (fmt(rq), pct, fmt(floor),
                                      "; answers: %d from XDP, %d from TC, %d from rootxdpd, "
                                      "pass_no_room %d" % split if split else ""))
    for client in ("dnsperf", "kxdpgun"):
        rx = per_cpu.get(("rootxdp", client))
        for peer, goal in (("nsd", 10), ("knot", 5)):
            o = per_cpu.get((peer, client))
            if rx and o:
                p.append("- %s: rootxdp answers per server CPU-s = %.1fx %s (goal >= %dx)"
                         % (client, rx / o, "NSD" if peer == "nsd" else "Knot", goal))
    if worst is not None:
        p.append("- per-packet cost: worst XDP / reflector = %.1fx (goal within 3x)" % worst)
    if defend_add is not None:
        p.append("- RRL + cookie work adds %.0f ns per answer in XDP at most (goal <= 60 ns)"
                 % defend_add)
    if flood:
        p.append("- flood: %d bytes sent towards the spoofed prefix for %d received = %.2fx "
                 "(an amplifier would be > 1; unlimited it was ~22x)"
                 % (flood[1], flood[0], flood[1] / flood[0] if flood[0] else 0))
    for client in ("dnsperf", "kxdpgun"):
        try:
            jb, ja = (json.load(open(os.path.join(raw, "stats-%s-%s.json" % (client, w))))
                      for w in ("before", "after"))
        except (OSError, ValueError):
            continue
        d = lambda sec, key: ja.get(sec, {}).get(key, 0) - jb.get(sec, {}).get(key, 0)
        p.append("- rootxdp with %s: %d answers from XDP, %d from TC, %d UDP answers from "
                 "rootxdpd; XDP passed %d for lack of tailroom (pass_no_room)"
                 % (client, d("xdp", "answered"), d("tc", "answered"),
                    d("rootxdpd", "answers_udp"), d("xdp", "pass_no_room")))
    print("\n".join(p))


if __name__ == "__main__":
    main()
