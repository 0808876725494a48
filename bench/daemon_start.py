#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""daemon_start.py - how long rootxdpd takes from exec to its first answer.

    bench/daemon_start.py RUNS LABEL=ROOTXDPD:IMAGE [LABEL=ROOTXDPD:IMAGE ...]

Starts each rootxdpd on 127.0.0.1 (a random high port, one worker, RRL off,
its own run and state dirs under /tmp), sends ". SOA" every millisecond
until an answer with rcode NOERROR and one answer RR comes back, and notes
the wall time since exec, the main thread's CPU time then
(/proc/PID/schedstat: the zone is loaded there) and VmRSS; then stops it.
The labels take turns, RUNS times each, so that they share the machine's
load alike.  Prints one line per label: medians, minimum, maximum.  Run as
root (rootxdpd drops no privileges here: 'user' is empty).
"""
import random
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

QUERY = struct.pack(">HHHHHH", 0x1234, 0, 1, 0, 0, 0) + b"\x00" + struct.pack(">HH", 6, 1)


def one(rxd, image):
    d = tempfile.mkdtemp(prefix="rx-daemon-start-")
    port = random.randint(20000, 60000)
    with open(d + "/rootxdp.conf", "w") as f:
        f.write(f"image = {image}\nrun-dir = {d}/run\nstate-dir = {d}/state\n"
                f"rrl-rate = 0\nlisten = 127.0.0.1\nport = {port}\nworkers = 1\nuser =\n")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.001)
    log = open(d + "/log", "w")
    t0 = time.monotonic()
    p = subprocess.Popen([rxd, "--config", d + "/rootxdp.conf"], stdout=log,
                         stderr=subprocess.STDOUT)
    wall = None
    try:
        while time.monotonic() - t0 < 60 and p.poll() is None:
            try:
                s.sendto(QUERY, ("127.0.0.1", port))
                r, _ = s.recvfrom(4096)
            except (socket.timeout, ConnectionRefusedError):
                continue
            if r[:2] == b"\x12\x34" and (r[3] & 0xf) == 0 and r[6:8] == b"\x00\x01":
                wall = (time.monotonic() - t0) * 1000
                break
        if wall is not None:
            with open(f"/proc/{p.pid}/schedstat") as f:
                cpu = int(f.read().split()[0]) / 1e6
            with open(f"/proc/{p.pid}/status") as f:
                rss = int([l for l in f if l.startswith("VmRSS")][0].split()[1])
    finally:
        if p.poll() is None:
            p.terminate()
        p.wait()
        log.close()
        s.close()
    if wall is None:
        with open(d + "/log") as f:
            sys.exit(f"{rxd} {image}: no answer; its log:\n{f.read()}")
    shutil.rmtree(d)
    return wall, cpu, rss


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    cfgs = [a.split("=", 1) for a in sys.argv[2:]]
    res = {label: [] for label, _ in cfgs}
    for _ in range(runs):
        for label, spec in cfgs:
            rxd, image = spec.split(":", 1)
            res[label].append(one(rxd, image))
    for label, _ in cfgs:
        w, c, m = zip(*res[label])
        print(f"{label}: first answer median {statistics.median(w):.0f} ms "
              f"(min {min(w):.0f}, max {max(w):.0f}); main-thread CPU median "
              f"{statistics.median(c):.0f} ms (min {min(c):.0f}); VmRSS median "
              f"{statistics.median(m):.0f} kB [{runs} runs]")


if __name__ == "__main__":
    main()
