# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""netio.py - send a query corpus to a server from a network namespace.

Sockets are made inside the namespace (setns(2) on the calling thread, then
back), so the test process itself stays in the host namespace.  UDP goes
out in a bounded window (at most WINDOW queries in flight), each query
retried once after a timeout; TCP uses a small thread pool, one connection
per query.  A UDP answer with TC=1 is asked again over TCP.
"""
import concurrent.futures as cf
import contextlib
import ctypes
import os
import select
import socket
import struct
import threading
import time

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


@contextlib.contextmanager
def netns(name):
    """Switch this thread's network namespace to /run/netns/NAME."""
    me = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    fd = os.open("/run/netns/%s" % name, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, "setns %s: %s" % (name, os.strerror(e)))
        try:
            yield
        finally:
            if _libc.setns(me, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back")
    finally:
        os.close(fd)
        os.close(me)


def sock(ns, family, kind):
    with netns(ns):
        return socket.socket(family, kind)


def _fam(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def _with_id(wire, ident):
    if len(wire) < 2:
        return wire
    return struct.pack(">H", ident) + wire[2:]


def udp_batch(ns, items, window=48, timeout=0.8, tries=2, ip_options=None):
    """items: list of (key, wire, (addr, port)).  Returns {key: response bytes}.
    Each query gets a unique ID per socket; the answer must come from the
    address it was sent to and echo that ID."""
    socks = {}
    out = {}
    pending = {}                 # (sockfam, id) -> [key, wire, dest, tries_left, deadline]
    queue = list(items)
    queue.reverse()
    next_id = {}
    keyid = {}

    def get_sock(addr):
        f = _fam(addr)
        if f not in socks:
            s = sock(ns, f, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
            if ip_options and f == socket.AF_INET:
                s.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, ip_options)
            if ip_options and f == socket.AF_INET6:
                # a hop-by-hop header with one PadN option (8 bytes)
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS,
                             b"\x00\x00\x01\x04\x00\x00\x00\x00")
            s.bind(("::", 0) if f == socket.AF_INET6 else ("0.0.0.0", 0))
            s.setblocking(False)
            socks[f] = s
            next_id[f] = 1
        return socks[f]

    def send(key, wire, dest, left):
        s = get_sock(dest[0])
        f = s.family
        if key in keyid:
            ident = keyid[key]
        else:
            ident = next_id[f]
            next_id[f] = (next_id[f] + 1) & 0xFFFF
            keyid[key] = ident
        assert (f, ident) not in pending or pending[(f, ident)][0] == key
        s.sendto(_with_id(wire, ident), dest)
        pending[(f, ident)] = [key, wire, dest, left - 1, time.monotonic() + timeout]

    try:
        if len(items) > 60000:
            raise ValueError("too many queries for one batch")
        while queue or pending:
            while queue and len(pending) < window:
                key, wire, dest = queue.pop()
                send(key, wire, dest, tries)
            now = time.monotonic()
            for k, v in list(pending.items()):
                if v[4] <= now:
                    del pending[k]
                    if v[3] > 0:
                        send(v[0], v[1], v[2], v[3])
            if not pending:
                continue
            r, _, _ = select.select(list(socks.values()), [], [], 0.05)
            for s in r:
                while True:
                    try:
                        data, src = s.recvfrom(65535)
                    except BlockingIOError:
                        break
                    if len(data) < 2:
                        continue
                    ident = struct.unpack(">H", data[:2])[0]
                    v = pending.get((s.family, ident))
                    if v is None:
                        continue
                    if src[0] != v[2][0] or src[1] != v[2][1]:
                        continue
                    del pending[(s.family, ident)]
                    out[v[0]] = _with_id(data, struct.unpack(">H", v[1][:2])[0]) \
                        if len(v[1]) >= 2 else data
    finally:
        for s in socks.values():
            s.close()
    return out


def _recvn(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError("closed after %d of %d bytes" % (len(b), n))
        b += c
    return b


def tcp_one(ns, wire, dest, timeout=3.0):
    """One query over a fresh TCP connection; the response or None."""
    s = sock(ns, _fam(dest[0]), socket.SOCK_STREAM)
    try:
        s.settimeout(timeout)
        s.connect(dest)
        s.sendall(struct.pack(">H", len(wire)) + wire)
        n = struct.unpack(">H", _recvn(s, 2))[0]
        return _recvn(s, n)
    except (OSError, EOFError):
        return None
    finally:
        s.close()


def tcp_pipeline(ns, wires, dest, timeout=5.0):
    """RFC 7766 6.2.1.1: all of wires on one TCP connection in one write,
    IDs 1..n; returns {index: response} for the answers that came back."""
    s = sock(ns, _fam(dest[0]), socket.SOCK_STREAM)
    out = {}
    try:
        s.settimeout(timeout)
        s.connect(dest)
        buf = b"".join(struct.pack(">H", len(w)) + _with_id(w, i + 1) for i, w in enumerate(wires))
        s.sendall(buf)
        end = time.monotonic() + timeout
        while len(out) < len(wires) and time.monotonic() < end:
            n = struct.unpack(">H", _recvn(s, 2))[0]
            r = _recvn(s, n)
            ident = struct.unpack(">H", r[:2])[0]
            if 1 <= ident <= len(wires):
                out[ident - 1] = _with_id(r, struct.unpack(">H", wires[ident - 1][:2])[0])
    except (OSError, EOFError):
        pass
    finally:
        s.close()
    return out


def tcp_batch(ns, items, workers=6):
    """items: list of (key, wire, dest). {key: response or None}."""
    out = {}
    lock = threading.Lock()

    def one(it):
        key, wire, dest = it
        r = tcp_one(ns, wire, dest)
        if r is None:
            r = tcp_one(ns, wire, dest)
        with lock:
            out[key] = r

    with cf.ThreadPoolExecutor(max_workers=workers) as ex:
        list(ex.map(one, items))
    return out


def run_corpus(ns, corpus, dest_for, ip_options=None, tcp=True):
    """Send the corpus.  dest_for(query) -> (addr, port).
    Returns {idx: {"udp": bytes|None, "tcp": bytes|None}}: "udp" for UDP
    queries, "tcp" for TCP queries and for the TCP retry of a TC=1 answer.
    ip_options: IPv4 options on the UDP socket (and an IPv6 hop-by-hop
    header on IPv6 ones); tcp=False: UDP only."""
    res = {q.idx: {} for q in corpus}
    udp = [(q.idx, q.wire, dest_for(q)) for q in corpus if q.transport == "udp"]
    got = udp_batch(ns, udp, ip_options=ip_options)
    # a slower second pass for what got no answer (loss under load), except
    # the queries with QR=1 that a server must drop
    again = [it for it in udp if it[0] not in got and not (len(it[1]) > 2 and it[1][2] & 0x80)]
    if again:
        got.update(udp_batch(ns, again, window=8, timeout=2.0, tries=1, ip_options=ip_options))
    for key, _, _ in udp:
        res[key]["udp"] = got.get(key)
    if not tcp:
        return res
    retry = []
    for q in corpus:
        if q.transport == "tcp":
            retry.append((q.idx, q.wire, dest_for(q)))
        else:
            r = res[q.idx]["udp"]
            if r is not None and len(r) >= 4 and r[2] & 0x02:
                retry.append((q.idx, q.wire, dest_for(q)))
    got = tcp_batch(ns, retry)
    for key, _, _ in retry:
        res[key]["tcp"] = got.get(key)
    return res
