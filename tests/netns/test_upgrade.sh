#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_upgrade.sh - `rootxdp upgrade` and `rootxdp attach --upgrade` put new
# programs under the live XDP link and TC filter with no gap.
#
# No rootxdpd runs: a query the kernel passed up would go unanswered.  While
# three bounded clients (one query in flight each, 1 s timeout, no retry)
# ask over IPv4 plain (answered by TC on veth), IPv4 EDNS-padded (answered
# in XDP) and IPv6, the programs are replaced UPGRADES times.  Then:
#   * every query answered, none timed out (client counts);
#   * xdp.answered + tc.answered grew by exactly the number of queries, and
#     no pass counter moved (but pass_no_room: XDP handing the frame to TC,
#     still in the kernel; pass_not_dns and pass_ipv6_ext: ARP and ND);
#   * rootxdp status names new program ids, the interface's XDP link is the
#     same link running the new program, tc shows the new TC program.
# Also: --check, refusal (and nothing changed) when a pinned map's layout
# differs, a stale rx_scratch pin of an older attach removed, detach.
#   tests/netns/test_upgrade.sh   (root; O= build dir; UPGRADES=4, QUERIES=1500,
#                                  QPS=400; RX_ZONE_DIR= a mkzone.sh output)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

UPGRADES=${UPGRADES:-4}
QUERIES=${QUERIES:-1500}
QPS=${QPS:-400}
PY=/usr/bin/python3
RX="$O/rootxdp"
RXC="$O/rootxdp-compile"
need_bins "$RX" "$RXC"
"$PY" -c 'import dns.message' 2>/dev/null ||
	{ echo "FAIL   $PY has no dnspython (apt-get install python3-dnspython)"; echo "0 passed, 1 failed"; exit 1; }

ns_setup
zone_a
"$RXC" --trust-anchor "$ZONE_A/trust-anchor.ds" -o "$RX_TMP/a.img" "$ZONE_A/root.zone" \
	>"$RX_TMP/compile.log" 2>&1 || _rx_abort "rootxdp-compile failed (see $RX_TMP/compile.log)"

CONF=$RX_TMP/rootxdp.conf
# rrl-rate 0: three clients at 400 q/s each from one prefix; the upgrade
# is what is tested, not rate limiting (test_defend.sh).
printf 'pin-root = %s\nrun-dir = %s\nstate-dir = %s\nimage = %s\nrrl-rate = 0\n' \
	"$RX_PIN_DIR" "$RX_TMP/run" "$RX_TMP/state" "$RX_TMP/a.img" >"$CONF"
rx() {
	local cmd=$1
	shift
	"$RX" "$cmd" --config "$CONF" "$@"
}
indent() { sed 's/^/       | /' | head -n 20; }
rx_out() {	# DESC RC PATTERN CMD...
	local desc=$1 want=$2 pat=$3 out rc
	shift 3
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [[ $rc == "$want" ]] && grep -qE -- "$pat" <<<"$out"; then
		ok "$desc"
	else
		fail "$desc (exit $rc, wanted $want and /$pat/)"
		indent <<<"$out"
	fi
}
# ids: "xdp tc link xdp_prog_of_link"
ids() {
	rx status --json | "$PY" -c 'import json,sys; d=json.load(sys.stdin); i=d["interfaces"][0]
print(d["programs"]["xdp"], d["programs"]["tc"], i["xdp_link"], i["xdp_prog"])'
}
tc_prog() { ip netns exec "$NS_SRV" tc filter show dev "$DEV_SRV" ingress | sed -n 's/.* id \([0-9]*\) .*/\1/p' | head -n1; }
# counters: "answered passed": passed counts the queries sent up, every
# pass_* but pass_no_room (XDP -> TC), pass_not_dns (ARP) and pass_ipv6_ext
# (neighbour discovery: ICMPv6 counts there; the clients send no extension
# headers)
counters() {
	rx stats --json | "$PY" -c 'import json,sys; d=json.load(sys.stdin)
a = d["xdp"]["answered"] + d["tc"]["answered"]
p = sum(v for path in ("xdp", "tc") for k, v in d[path].items() if k.startswith("pass_") and k not in ("pass_no_room", "pass_not_dns", "pass_ipv6_ext"))
print(a, p)'
}

check "attach" rx attach --netns "$NS_SRV" -i "$DEV_SRV" --mode native
rx_out "upgrade --check: possible" 0 "upgrade in place is possible" rx upgrade --check
read -r xdp0 tc0 link0 lprog0 < <(ids)
tcp0=$(tc_prog)
expect_eq "before: the link runs prog-xdp ($xdp0)" "$lprog0" "$xdp0"
expect_eq "before: the TC filter runs prog-tc ($tc0)" "$tcp0" "$tc0"

# A stale rx_scratch pin, as an attach before scratch went unpinned left.
bpftool map create "$RX_PIN_DIR/rx_scratch" type percpu_array key 4 value 8 entries 1 name rx_scratch ||
	fail "cannot create a stale rx_scratch pin"

# ---------------------------------------------------------------- the client
cat >"$RX_TMP/client.py" <<'EOF'
# One query in flight, 1 s timeout, no retry: a lost query or answer is a
# timeout.  Prints "sent answered timeouts wrong".
import random, socket, sys, time
import dns.edns, dns.flags, dns.message, dns.rcode

server, count, qps, pad = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4] == "pad"
fam = socket.AF_INET6 if ':' in server else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(1.0)
s.connect((server, 53))
sent = answered = timeouts = wrong = 0
rnd = random.Random(7)
t0 = time.monotonic()
for i in range(count):
    opts = [dns.edns.GenericOption(12, b"\0" * 400)] if pad else []
    name = "." if i % 2 else "nx%d." % rnd.randrange(1 << 30)
    q = dns.message.make_query(name, "SOA", use_edns=0, payload=1232, options=opts)
    q.flags &= ~dns.flags.RD
    s.send(q.to_wire())
    sent += 1
    try:
        while True:
            r = dns.message.from_wire(s.recv(65535))
            if r.id == q.id:
                break
        answered += 1
        if r.rcode() != (dns.rcode.NOERROR if name == "." else dns.rcode.NXDOMAIN):
            wrong += 1
    except (socket.timeout, ConnectionRefusedError):
        timeouts += 1	# refused: ICMP port unreachable, the query went up
    ahead = (i + 1) / qps - (time.monotonic() - t0)
    if ahead > 0:
        time.sleep(ahead)
print(sent, answered, timeouts, wrong)
EOF

read -r ans0 pass0 < <(counters)
rx stats >"$RX_TMP/stats0"
bg_start plain4 ip netns exec "$NS_CLI" "$PY" "$RX_TMP/client.py" "$IP4_SRV" "$QUERIES" "$QPS" plain
c1=$BG_PID
bg_start pad4 ip netns exec "$NS_CLI" "$PY" "$RX_TMP/client.py" "$IP4_SRV" "$QUERIES" "$QPS" pad
c2=$BG_PID
bg_start plain6 ip netns exec "$NS_CLI" "$PY" "$RX_TMP/client.py" "$IP6_SRV" "$QUERIES" "$QPS" plain
c3=$BG_PID
sleep 0.5

# ---------------------------------------------------------------- upgrades under load
ups=0 t0=$(date +%s.%N)
for ((i = 0; i < UPGRADES; i++)); do
	if ((i % 2)); then
		out=$(rx attach --upgrade --netns "$NS_SRV" -i "$DEV_SRV" 2>&1)
	else
		out=$(rx upgrade 2>&1)
	fi && grep -q "XDP program .* -> " <<<"$out" && grep -q "TC program .* -> " <<<"$out" &&
		ups=$((ups + 1))
	printf '%s\n' "$out" >>"$RX_TMP/upgrades.log"
	sleep 0.3
done
t1=$(date +%s.%N)
expect_eq "$UPGRADES upgrades under load switch XDP and TC ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)" "$ups" "$UPGRADES"
((ups == UPGRADES)) || indent <"$RX_TMP/upgrades.log"
for c in $c1 $c2 $c3; do wait_until 30 bash -c "! kill -0 $c" || fail "client $c did not finish"; done
total=0
for f in plain4 pad4 plain6; do
	read -r sent answered timeouts wrong < <(tail -n1 "$RX_TMP/$f.log")
	echo "# $f: sent $sent answered $answered timeouts $timeouts wrong $wrong"
	expect_eq "$f: every query answered across the upgrades ($answered of $QUERIES)" "$answered" "$QUERIES"
	expect_eq "$f: no timeouts" "$timeouts" 0
	expect_eq "$f: right rcodes" "$wrong" 0
	total=$((total + ${answered:-0}))
done
read -r ans1 pass1 < <(counters)
echo "# kernel answered $((ans1 - ans0)), passed up $((pass1 - pass0)), clients answered $total"
expect_eq "no query passed up during the upgrades (pass counters)" "$((pass1 - pass0))" 0
rx stats | join "$RX_TMP/stats0" - | awk '$2 != $3 && $1 ~ /pass_/ { print "# moved: " $1, $2, "->", $3 }' 
expect_eq "the kernel answered every query ($total)" "$((ans1 - ans0))" "$total"

read -r xdp1 tc1 link1 lprog1 < <(ids)
check "status: new XDP program id ($xdp0 -> $xdp1)" test "$xdp1" != "$xdp0" -a "$xdp1" -gt 0
check "status: new TC program id ($tc0 -> $tc1)" test "$tc1" != "$tc0" -a "$tc1" -gt 0
expect_eq "the same XDP link ($link0) ..." "$link1" "$link0"
expect_eq "  ... runs the new program" "$lprog1" "$xdp1"
expect_eq "the TC filter runs the new program" "$(tc_prog)" "$tc1"
check "the last upgrade printed the ids status shows" grep -q "upgraded: xdp id $xdp1, tc id $tc1" "$RX_TMP/upgrades.log"
check "the stale rx_scratch pin is gone" test ! -e "$RX_PIN_DIR/rx_scratch"
check "no temporary pins left" bash -c "! ls '$RX_PIN_DIR' | grep -q -- '-next$'"

# ---------------------------------------------------------------- refused
mv "$RX_PIN_DIR/rx_cfg" "$RX_PIN_DIR/rx_cfg_saved" &&
	bpftool map create "$RX_PIN_DIR/rx_cfg" type array key 4 value 8 entries 1 name rx_cfg ||
	fail "cannot put a differently sized rx_cfg in place"
rx_out "a changed map layout: --check says no" 1 "map rx_cfg: value size 8" rx upgrade --check
rx_out "  ... upgrade refused, saying what to do" 1 "rx_cfg.*value size 8.*|rootxdp detach, rootxdp attach" rx upgrade
rx_out "  ... the message names detach and attach" 1 "anycast drain.*rootxdp detach.*rootxdp attach" rx upgrade
read -r xdp2 tc2 _ lprog2 < <(ids)
expect_eq "  ... nothing changed (program ids)" "$xdp2 $tc2 $lprog2" "$xdp1 $tc1 $xdp1"
check "  ... no temporary pins left" bash -c "! ls '$RX_PIN_DIR' | grep -q -- '-next$'"
out=$(in_cli dig +nocookie +norec +time=2 +tries=1 +short "@$IP4_SRV" . SOA 2>&1)
check "  ... still answering (. SOA: ${out%% *})" test -n "$out"
rm -f "$RX_PIN_DIR/rx_cfg" && mv "$RX_PIN_DIR/rx_cfg_saved" "$RX_PIN_DIR/rx_cfg"
rx_out "layout back: upgrade works again" 0 "upgraded: xdp id" rx upgrade

# ---------------------------------------------------------------- detach
check "detach" rx detach
check "no pins left" test ! -e "$RX_PIN_DIR"
rx_out "upgrade with nothing attached says so" 1 "nothing to upgrade.*rootxdp attach" rx upgrade

summary
