#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""report.py RAWDIR - the results table of `make bench` (Markdown, stdout).

Reads what scripts/bench.sh wrote in RAWDIR: machine.tsv, static.tsv,
perpkt.tsv (bench/testrun perpkt), throughput.tsv (one row per client run:
server client rep duration sent answered avg_size bpf_ns daemon_ns
client_cpu_s busy_ns wall_s server_cpu_busy_ns), stats-CLIENT-before/after.json
(rootxdp stats --json around each client's runs).
Every figure is the median over the repetitions.
"""
import json
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

    # ---- goals
    p.append("## Against the goals (read, not asserted)\n")
    for client in ("dnsperf", "kxdpgun"):
        rx = per_cpu.get(("rootxdp", client))
        for peer, goal in (("nsd", 10), ("knot", 5)):
            o = per_cpu.get((peer, client))
            if rx and o:
                p.append("- %s: rootxdp answers per server CPU-s = %.1fx %s (goal >= %dx)"
                         % (client, rx / o, "NSD" if peer == "nsd" else "Knot", goal))
    if worst is not None:
        p.append("- per-packet cost: worst XDP / reflector = %.1fx (goal within 3x)" % worst)
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
