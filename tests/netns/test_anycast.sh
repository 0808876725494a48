#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_anycast.sh - BGP anycast in front of two rootxdp instances: a route
# is withdrawn within the documented time when its instance breaks, the
# other keeps answering, the route returns when it heals; a drain by hand
# loses nothing; a flapping check does not flap the route.
#
#   cli --- rtr ===ECMP=== a (rootxdp, rootxdpd, BIRD, anycast watcher)
#                     \==== b (the same)
#
# rtr runs BIRD from dist/bird/router.conf (merge paths: ECMP; the kernel
# hashes on ports), a and b run BIRD from dist/bird/bird.conf and `rootxdp
# anycast watch`, with the shipped defaults (a check every 1 s, withdraw
# after 3 failures, announce after 5 good checks), announcing
# 198.51.100.192/26 and 2001:db8:53::/48 (service addresses .193 and ::53).
# Only the BGP timers are shortened (session set-up).  The client sends
# "id.server CH TXT" (answered in the kernel with the instance's identity)
# to both service addresses, 25 queries/s per family, a fresh source port
# each, 0.5 s timeout, no retry, and logs who answered each.
#   1. both instances answer;
#   2. a breaks (rootxdp detach, rootxdpd killed): the router's route to a
#      is gone within BOUND = fall x interval + 2 s (check) + 1 s (BGP);
#      lost queries only from the break to the withdrawal (+ 0.5 s timeout),
#      reported; b answers everything after;
#   3. a heals (attach, rootxdpd): the route returns, a answers again;
#   4. b is drained (rootxdp anycast drain): route gone, no query lost;
#      undrain: it returns;
#   5. rootxdpd of b stops for 1.2 s three times (checks time out): the
#      route never leaves;
#   6. the watchers withdraw when they stop.
#   tests/netns/test_anycast.sh   (root; O= build dir; RX_ZONE_DIR= a mkzone.sh output)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

PY=/usr/bin/python3
RX="$O/rootxdp"
RXC="$O/rootxdp-compile"
RXD="$O/rootxdpd"
need_bins "$RX" "$RXC" "$RXD"
for t in bird birdc; do
	command -v "$t" >/dev/null || { echo "FAIL   $t not found (scripts/deps.sh installs bird2)"; echo "0 passed, 1 failed"; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "FAIL   must run as root"; echo "0 passed, 1 failed"; exit 1; }

SVC4=198.51.100.193 SVC6=2001:db8:53::53
PFX4=198.51.100.192/26 PFX6=2001:db8:53::/48
INTERVAL=1 FALL=3 RISE=5		# the shipped defaults (rootxdp.conf)
BOUND=$((FALL * INTERVAL + 2 + 1))	# docs/anycast.md: withdrawal time
N=rx-$$
ns_add "$N-cli" "$N-rtr" "$N-a" "$N-b"
zone_a
"$RXC" --trust-anchor "$ZONE_A/trust-anchor.ds" -o "$RX_TMP/zone.img" "$ZONE_A/root.zone" \
	>"$RX_TMP/compile.log" 2>&1 || _rx_abort "rootxdp-compile failed (see $RX_TMP/compile.log)"
xdppass=$(xdp_pass_obj) || _rx_abort "cannot build xdp_pass.bpf.c"

# ---------------------------------------------------------------- the network
ipn() { local ns=$1; shift; ip -n "$N-$ns" "$@"; }
inn() { local ns=$1; shift; ip netns exec "$N-$ns" "$@"; }
link() {	# link NS1 DEV1 NS2 DEV2
	ip link add "$2" netns "$N-$1" type veth peer name "$4" netns "$N-$3" &&
		ipn "$1" link set dev "$2" up && ipn "$3" link set dev "$4" up
}
{
	link cli veth-c rtr rtr-c && link a veth-a rtr rtr-a && link b veth-b rtr rtr-b &&
	ns_addr_add "$N-cli" veth-c 198.51.100.2/26 && ns_addr_add "$N-rtr" rtr-c 198.51.100.1/26 &&
	ns_addr_add "$N-cli" veth-c 2001:db8:c::2/64 && ns_addr_add "$N-rtr" rtr-c 2001:db8:c::1/64 &&
	ns_addr_add "$N-a" veth-a 203.0.113.2/28 && ns_addr_add "$N-rtr" rtr-a 203.0.113.1/28 &&
	ns_addr_add "$N-a" veth-a 2001:db8:a::2/64 && ns_addr_add "$N-rtr" rtr-a 2001:db8:a::1/64 &&
	ns_addr_add "$N-b" veth-b 203.0.113.18/28 && ns_addr_add "$N-rtr" rtr-b 203.0.113.17/28 &&
	ns_addr_add "$N-b" veth-b 2001:db8:b::2/64 && ns_addr_add "$N-rtr" rtr-b 2001:db8:b::1/64 &&
	ipn cli route add default via 198.51.100.1 && ipn cli -6 route add default via 2001:db8:c::1 &&
	ipn a route add default via 203.0.113.1 && ipn a -6 route add default via 2001:db8:a::1 &&
	ipn b route add default via 203.0.113.17 && ipn b -6 route add default via 2001:db8:b::1 &&
	for x in a b; do
		ns_addr_add "$N-$x" lo "$SVC4/32" && ns_addr_add "$N-$x" lo "$SVC6/128" || exit 1
	done &&
	inn rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.fib_multipath_hash_policy=1 net.ipv6.fib_multipath_hash_policy=1 &&
	# Checksums in full before an XDP rewrite; XDP_TX on veth reaches a
	# peer with a native XDP program (see lib.sh).
	inn cli ethtool -K veth-c tx off >/dev/null &&
	for d in rtr-a rtr-b rtr-c; do
		inn rtr ethtool -K "$d" tx off >/dev/null &&
			ipn rtr link set dev "$d" xdpdrv obj "$xdppass" sec xdp || exit 1
	done
} || _rx_abort "cannot build the network"
wait_until 5 inn cli ping -c1 -W1 -q 203.0.113.2 && wait_until 5 inn cli ping -c1 -W1 -q 203.0.113.18 ||
	_rx_abort "the instances are not reachable through the router"

# ---------------------------------------------------------------- instances
for x in a b; do
	mkdir -p "$RX_TMP/$x/run" "$RX_TMP/$x/state"
	register_pin "/sys/fs/bpf/rootxdp-test-$$-$x"
	cat >"$RX_TMP/$x/rootxdp.conf" <<EOF
interface = veth-$x
pin-root = /sys/fs/bpf/rootxdp-test-$$-$x
run-dir = $RX_TMP/$x/run
state-dir = $RX_TMP/$x/state
image = $RX_TMP/zone.img
identity = inst-$x
anycast-prefix = $PFX4 $PFX6
EOF
done
rx() { local x=$1 cmd=$2; shift 2; "$RX" "$cmd" --config "$RX_TMP/$x/rootxdp.conf" "$@"; }
declare -A DPID WPID
start_rootxdpd() {
	bg_start "rootxdpd-$1" ip netns exec "$N-$1" "$RXD" --config "$RX_TMP/$1/rootxdp.conf"
	DPID[$1]=$BG_PID
}
for x in a b; do
	check "instance $x: attach" rx "$x" attach --netns "$N-$x" --mode native
	start_rootxdpd "$x"
done
for x in a b; do
	check "instance $x: rootxdpd answers" wait_until 10 bash -c "ip netns exec $N-$x dig +short +time=1 +tries=1 @127.0.0.1 . SOA | grep -q ."
	check "instance $x: rootxdp health is good" wait_until 5 rx "$x" health --quiet --netns "$N-$x"
done

# ---------------------------------------------------------------- BIRD
# The shipped examples, with log to stderr and short session timers.
birdconf() {	# SRC DST [sed expressions]
	local src=$1 dst=$2
	shift 2
	sed -e 's/^log syslog all;/log stderr all;/' -e 's/hold time 9;/hold time 3;/' \
		-e 's/keepalive time 3;/keepalive time 1;/' -e 's/connect retry time 10;/connect retry time 1;/' \
		-e 's/error wait time 10, 60;/error wait time 1, 2;/' "$@" "$RX_TOP/dist/bird/$src" >"$dst"
}
birdconf router.conf "$RX_TMP/bird-rtr.conf"
birdconf bird.conf "$RX_TMP/bird-a.conf"
birdconf bird.conf "$RX_TMP/bird-b.conf" -e 's/^router id .*/router id 203.0.113.18;/' \
	-e 's/LOCAL_AS    = 64601;/LOCAL_AS    = 64602;/' -e 's/UPSTREAM4   = 203.0.113.1;/UPSTREAM4   = 203.0.113.17;/' \
	-e 's/UPSTREAM6   = 2001:db8:a::1;/UPSTREAM6   = 2001:db8:b::1;/'
for x in rtr a b; do
	bird -p -c "$RX_TMP/bird-$x.conf" || _rx_abort "BIRD does not accept $RX_TMP/bird-$x.conf"
	bg_start "bird-$x" ip netns exec "$N-$x" bird -f -c "$RX_TMP/bird-$x.conf" -s "$RX_TMP/bird-$x.ctl" -P "$RX_TMP/bird-$x.pid"
done
# The watchers, with --netns (they switch only the network namespace).
declare -A WLOG
start_watch() {
	bg_start "watch-$1" "$RX" anycast watch --config "$RX_TMP/$1/rootxdp.conf" --netns "$N-$1"
	WPID[$1]=$BG_PID
	WLOG[$1]=$RX_TMP/watch-$1.log
}
start_watch a
start_watch b

# paths FAM: how many next hops the router has for the service prefix.
paths() {
	local out
	if [[ $1 == 4 ]]; then out=$(ipn rtr route show "$PFX4" 2>/dev/null); else out=$(ipn rtr -6 route show "$PFX6" 2>/dev/null); fi
	if grep -q nexthop <<<"$out"; then grep -c nexthop <<<"$out"
	elif [[ -n "$out" ]]; then echo 1
	else echo 0; fi
}
via() {	# the instance address the single path goes to
	if [[ $1 == 4 ]]; then ipn rtr route show "$PFX4"; else ipn rtr -6 route show "$PFX6"; fi | grep -oE 'via [0-9a-f:.]+' | head -n1
}
both() { [[ $(paths 4) == 2 && $(paths 6) == 2 ]]; }
one() { [[ $(paths 4) == 1 && $(paths 6) == 1 ]]; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
t0=$(now)
check "both instances announced: 2 ECMP paths per family at the router" wait_until 25 both
echo "# announced after $(secs "$t0" "$(now)") s (BGP sessions + $RISE good checks)"
check "markers in table 5353 on a" bash -c "ip -n $N-a route show table 5353 | grep -q 'blackhole $PFX4'"
check "rootxdp anycast status on a: announced" bash -c "'$RX' anycast status --config '$RX_TMP/a/rootxdp.conf' --netns $N-a | grep -q 'state: *announced'"

# ---------------------------------------------------------------- the client
cat >"$RX_TMP/client.py" <<'EOF'
# Query both service addresses at a fixed rate, a fresh socket (source
# port) each, 0.5 s timeout, no retry; until STOPFILE exists or MAXSECS.
# One line per query: "t_sent family answerer" (answerer: lost, or the
# identity from id.server CH TXT).
import os, select, socket, sys, time
import dns.message, dns.rdataclass

svc4, svc6, rate, stopfile, maxsecs, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], float(sys.argv[5]), sys.argv[6]
log = open(out, "w", buffering=1)
pending = {}			# socket -> (deadline, t_sent, fam, id)
t0 = time.time()
nxt = t0
while time.time() - t0 < maxsecs and not os.path.exists(stopfile):
    now = time.time()
    if now >= nxt:
        for fam, addr in ((4, svc4), (6, svc6)):
            q = dns.message.make_query("id.server.", "TXT", rdclass=dns.rdataclass.CH)
            s = socket.socket(socket.AF_INET6 if fam == 6 else socket.AF_INET, socket.SOCK_DGRAM)
            s.setblocking(False)
            try:
                s.sendto(q.to_wire(), (addr, 53))
            except OSError:
                log.write("%.3f %d lost\n" % (now, fam)); s.close(); continue
            pending[s] = (now + 0.5, now, fam, q.id)
        nxt += 1.0 / rate
    wait = max(0.0, min([nxt] + [d for d, _, _, _ in pending.values()]) - time.time())
    r, _, _ = select.select(list(pending), [], [], wait)
    # Then the expired ones, each read once more: an answer that came in
    # while this process was not running is an answer, not a loss.
    now = time.time()
    for s in list(r) + [s for s, v in pending.items() if v[0] <= now and s not in r]:
        d, ts, fam, qid = pending.pop(s)
        who = "lost"
        try:
            m = dns.message.from_wire(s.recv(4096))
            if m.id == qid and m.answer:
                who = m.answer[0][0].strings[0].decode()
        except Exception:
            pass
        s.close()
        log.write("%.3f %d %s\n" % (ts, fam, who))
EOF
RATE=25
bg_start client ip netns exec "$N-cli" "$PY" "$RX_TMP/client.py" "$SVC4" "$SVC6" "$RATE" "$RX_TMP/stop" 120 "$RX_TMP/answers"
CPID=$BG_PID
# answers FROM TO [WHO]: queries sent in [FROM, TO) by result
count() { awk -v a="$1" -v b="$2" -v w="${3:-}" '$1 >= a && $1 < b && (w == "" || $3 == w)' "$RX_TMP/answers" | wc -l; }

sleep 3
t=$(now)
check "1. both instances answer through the router (a: $(count 0 "$t" inst-a), b: $(count 0 "$t" inst-b))" \
	test "$(count 0 "$t" inst-a)" -gt 5 -a "$(count 0 "$t" inst-b)" -gt 5
expect_eq "   ... nothing lost" "$(count 0 "$t" lost)" 0

# ---------------------------------------------------------------- 2. a breaks
tbreak=$(now)
rx a detach >/dev/null 2>&1 || fail "detach on a"
bg_stop "${DPID[a]}"
if wait_until $((BOUND + 5)) one; then
	tgone=$(now)
	w=$(secs "$tbreak" "$tgone")
	check "2. a broken (detached, rootxdpd killed): its route withdrawn in $w s (bound $BOUND s)" \
		awk -v w="$w" -v b="$BOUND" 'BEGIN { exit !(w <= b) }'
else
	tgone=$(now)
	fail "2. a broken: its route not withdrawn within $((BOUND + 5)) s (v4 $(paths 4), v6 $(paths 6) paths)"
fi
expect_eq "   ... the router's path goes to b (IPv4)" "$(via 4)" "via 203.0.113.18"
expect_eq "   ... and IPv6" "$(via 6)" "via 2001:db8:b::2"
check "   ... the watcher on a said why" grep -q "withdrawn.*XDP is not attached\|withdrawn.*rootxdpd" "${WLOG[a]}"
sleep 2.5
tend=$(now)
lost=$(count "$tbreak" "$tend" lost)
inwin=$(count "$tbreak" "$(awk -v t="$tgone" 'BEGIN { printf "%.3f", t + 0.6 }')" lost)
sent=$(count "$tbreak" "$tend")
echo "# outage: $lost of $sent queries lost between the break and 2.5 s after the withdrawal, all within the withdrawal time + 0.6 s: $inwin"
expect_eq "   ... no loss after the withdrawal" "$((lost - inwin))" 0
maxlost=$(awk -v w="$(secs "$tbreak" "$tgone")" -v r="$RATE" 'BEGIN { printf "%d", 2 * r * (w + 0.6) }')
check "   ... loss bounded by the withdrawal time ($lost <= $maxlost: 2 families x $RATE/s x (withdrawal + 0.6 s))" test "$lost" -le "$maxlost"
aft=$(awk -v t="$tgone" 'BEGIN { printf "%.3f", t + 0.6 }')
check "   ... b answers everything after ($(count "$aft" "$tend" inst-b) of $(count "$aft" "$tend"))" \
	test "$(count "$aft" "$tend" inst-b)" -eq "$(count "$aft" "$tend")" -a "$(count "$aft" "$tend")" -gt 50

out=$(rx a anycast drain --wait 5 2>&1)
check "   ... a drain while withdrawn holds at once" grep -q "drained: .* withdrawn by the watcher" <<<"$out"
rx a anycast undrain >/dev/null || fail "undrain a"

# ---------------------------------------------------------------- 3. a heals
theal=$(now)
rx a attach --netns "$N-a" --mode native >/dev/null 2>&1 || fail "attach a again"
start_rootxdpd a
if wait_until $((RISE * INTERVAL + 15)) both; then
	echo "# a healed: its route back after $(secs "$theal" "$(now)") s (rootxdpd start + $RISE good checks)"
	ok "3. a healed: its route returns"
else
	fail "3. a healed: its route did not return (v4 $(paths 4), v6 $(paths 6) paths)"
fi
sleep 2
t=$(now)
# (printf, not print: awk prints 1796325137.8 - 2 as 1.79633e+09, later
# than now, and the window came out empty when the clock rounded up)
t2=$(awk -v t="$t" 'BEGIN { printf "%.3f", t - 2 }')
check "   ... a answers again ($(count "$t2" "$t" inst-a) in 2 s)" \
	test "$(count "$t2" "$t" inst-a)" -gt 5

# ---------------------------------------------------------------- 4. drain b by hand
tdrain=$(now)
out=$(rx b anycast drain 2>&1)
check "4. rootxdp anycast drain on b: waits for the withdrawal" grep -q "drained: .* withdrawn by the watcher" <<<"$out"
check "   ... the router has one path, to a" wait_until 3 one
expect_eq "   ... via a" "$(via 4)" "via 203.0.113.2"
echo "# drain: withdrawn at the router $(secs "$tdrain" "$(now)") s after rootxdp anycast drain"
check "   ... status says drained" bash -c "'$RX' anycast status --config '$RX_TMP/b/rootxdp.conf' --netns $N-b | grep -q 'drain: *yes'"
sleep 1
rx b anycast undrain >/dev/null || fail "undrain b"
check "   ... undrain: b announced again" wait_until $((RISE * INTERVAL + 5)) both
tund=$(now)
expect_eq "   ... no query lost while draining and back" "$(count "$tdrain" "$tund" lost)" 0
awk -v a="$tdrain" -v b="$tund" '$1 >= a && $1 < b && $3 == "lost" { print "# lost in the drain: " $0 }' "$RX_TMP/answers"
echo "# drain $tdrain undrain-done $tund"

# ---------------------------------------------------------------- 5. a flapping check
thys=$(now)
lines0=$(wc -l <"${WLOG[b]}")
flat=0
# 1.8 s a stop: the watcher's query times out after 1 s, so a check that
# begins in the first 0.8 s of a stop fails, and at 1 check/s one does
# (1.2 s let most checks begin too late and the count flaked under load);
# two failures at most, below fall = 3.
for i in 1 2 3; do
	kill -STOP "${DPID[b]}"
	for j in 1 2 3 4 5 6 7 8 9; do both || flat=1; sleep 0.2; done
	kill -CONT "${DPID[b]}"
	for j in $(seq 8); do both || flat=1; sleep 0.2; done
done
tail -n +"$((lines0 + 1))" "${WLOG[b]}" >"$RX_TMP/watch-b-flap.log"
check "5. rootxdpd of b stopped 1.8 s three times: the watcher saw failed checks" \
	grep -q "check failed (1 of $FALL).*does not answer" "$RX_TMP/watch-b-flap.log"
expect_eq "   ... but the route never left (hysteresis)" "$flat" 0
check_not "   ... and the watcher never withdrew" grep -q "withdrawn" "$RX_TMP/watch-b-flap.log"
tfl=$(now)
expect_eq "   ... no query lost" "$(count "$thys" "$tfl" lost)" 0

# ---------------------------------------------------------------- 6. the watchers stop
touch "$RX_TMP/stop"
wait_until 5 bash -c "! kill -0 $CPID"
total=$(wc -l <"$RX_TMP/answers")
alllost=$(count 0 9e9 lost)
echo "# client: $total queries, $alllost lost (all during the outage of a), a $(count 0 9e9 inst-a), b $(count 0 9e9 inst-b)"
bg_stop "${WPID[a]}"
check "6. watcher a stopped: its route withdrawn" wait_until 3 one
check "   ... no marker left in a's table" bash -c "! ip -n $N-a route show table 5353 | grep -q ."
check "   ... it said so" grep -q "stopping (signal 15): withdrawn" "${WLOG[a]}"
ipn b route add blackhole 192.0.2.0/24 table 5353 2>/dev/null
kill -KILL "${WPID[b]}"
wait "${WPID[b]}" 2>/dev/null
check "rootxdp anycast withdraw (after a watcher was killed) removes b's markers" rx b anycast withdraw --netns "$N-b"
check "   ... the router has no path left" wait_until 3 bash -c "[[ \$(ip -n $N-rtr route show $PFX4) == '' ]]"
check "   ... routes of others in the table stay" bash -c "ip -n $N-b route show table 5353 | grep -q 192.0.2.0/24"

# ---------------------------------------------------------------- usage
check "anycast watch without anycast-prefix says what to set" bash -c \
	"'$RX' anycast watch --config /dev/null 2>&1 | grep -q 'no anycast-prefix.*anycast-prefix = '"
printf 'anycast-prefix = 198.51.100.1/24\n' >"$RX_TMP/bad.conf"
check "a prefix with host bits is refused" bash -c "'$RX' anycast status --config '$RX_TMP/bad.conf' 2>&1 | grep -q 'host bits set'"
for x in a b; do rx "$x" detach >/dev/null 2>&1; done
for x in a b; do grep -E "withdrawn|announced|drain" "${WLOG[$x]}" | sed "s/^/# watcher $x: /"; done

summary
