#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_defend.sh - rootxdp under attack, end to end, in a namespace pair
# (tests/netns/lib.sh), with BIND 9.18 and Knot DNS beside it as oracles:
#   * DNS cookies, interoperable both ways: a server cookie minted by
#     rootxdp's kernel path is good at BIND (require-server-cookie yes)
#     and at Knot (mod-cookies) with the same secret, a forged one gets
#     BADCOOKIE there; theirs are echoed by rootxdp as good; the kernel
#     counters prove the kernel answered (IPv4 and IPv6);
#   * `rootxdp cookie-secret rotate`: the old cookie stays good (previous
#     secret), the kernel renews it, rootxdpd takes the new secret too;
#   * RRL under a spoofed flood (kxdpgun -l PREFIX, IPv4 and IPv6) at
#     100x the rate: the bytes sent back to the prefix stay below the
#     bytes it sent plus the rate's allowance; a client in another prefix
#     querying at the same time loses nothing; a client with a valid
#     cookie inside the flooded prefix is never limited;
#   * rootxdpd's UDP path limits what the kernel passes up (ANY).
#   tests/netns/test_defend.sh     (root; O= build dir, RX_ZONE_DIR=)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

RX="$O/rootxdp"
need_bins "$RX" "$O/rootxdpd" "$O/rootxdp-compile"
PY=/usr/bin/python3	# Debian's, with python3-dnspython
need_cmds named knotd kxdpgun dig $PY

ns_setup
zdir=${RX_ZONE_DIR:?RX_ZONE_DIR: a tests/zones/mkzone.sh output}
"$O/rootxdp-compile" --trust-anchor "$zdir/trust-anchor.ds" -o "$RX_TMP/root.img" \
	"$zdir/root.zone" >"$RX_TMP/compile.log" 2>&1 || _rx_abort "rootxdp-compile failed"
SECRET=30313233343536373839616263646566		# "0123456789abcdef"
RATE=20
CONF=$RX_TMP/rootxdp.conf
cat >"$CONF" <<EOF
pin-root = $RX_PIN_DIR
run-dir = $RX_TMP/run
state-dir = $RX_TMP/state
image = $RX_TMP/root.img
identity = defend-$$
listen = $IP4_SRV $IP6_SRV
workers = 1
cookie-secret = $SECRET
rrl-rate = $RATE
rrl-slip = 2
rrl-window = 1s
EOF
mkdir -p "$RX_TMP/run"
rx() { local c=$1; shift; "$RX" "$c" --config "$CONF" "$@"; }
rx attach --netns "$NS_SRV" --iface "$DEV_SRV" "$RX_TMP/root.img" >"$RX_TMP/attach.log" 2>&1 ||
	{ cat "$RX_TMP/attach.log"; _rx_abort "rootxdp attach failed"; }
bg_start rootxdpd ip netns exec "$NS_SRV" "$O/rootxdpd" --config "$CONF"
DPID=$BG_PID
wait_until 10 in_cli dig +short +time=1 +tries=1 +tcp @"$IP4_SRV" . SOA >/dev/null ||
	_rx_abort "rootxdpd does not answer"

# BIND and Knot on their own addresses of the server veth, same zone and
# secret (BIND: siphash24 and require-server-cookie, an exact oracle), on
# ports of their own: rootxdp's programs answer UDP/53 whatever the
# destination address.
BIND4=198.51.100.3 BIND6=2001:db8::3 KNOT4=198.51.100.4 KNOT6=2001:db8::4
BIND="-p 5300" KNOT="-p 5301"
for a in $BIND4/24 $KNOT4/24 $BIND6/64 $KNOT6/64; do ns_addr_add "$NS_SRV" "$DEV_SRV" "$a"; done
mkdir -p "$RX_TMP/bind" "$RX_TMP/knot"
cat >"$RX_TMP/bind/named.conf" <<EOF
options {
	directory "$RX_TMP/bind";
	pid-file "$RX_TMP/bind/named.pid";
	listen-on port 5300 { $BIND4; };
	listen-on-v6 port 5300 { $BIND6; };
	recursion no;
	dnssec-validation no;
	cookie-algorithm siphash24;
	cookie-secret "$SECRET";
	require-server-cookie yes;
};
zone "." { type primary; file "$zdir/root.zone"; };
EOF
cat >"$RX_TMP/knot/knot.conf" <<EOF
server:
    listen: [ $KNOT4@5301, $KNOT6@5301 ]
    rundir: $RX_TMP/knot
    user: root
database:
    storage: $RX_TMP/knot/db
mod-cookies:
  - id: fleet
    secret: 0x$SECRET
template:
  - id: default
    storage: $RX_TMP/knot
    global-module: mod-cookies/fleet
zone:
  - domain: .
    file: $zdir/root.zone
    zonefile-sync: -1
    journal-content: none
EOF
bg_start named ip netns exec "$NS_SRV" named -g -n 1 -c "$RX_TMP/bind/named.conf"
bg_start knotd ip netns exec "$NS_SRV" knotd -c "$RX_TMP/knot/knot.conf"
wait_until 15 in_cli dig +short +time=1 +tries=1 -p 5300 @"$BIND4" . SOA >/dev/null ||
	_rx_abort "named does not answer (see $RX_TMP/named.log)"
wait_until 15 in_cli dig +short +time=1 +tries=1 -p 5301 @"$KNOT4" . SOA >/dev/null ||
	_rx_abort "knotd does not answer (see $RX_TMP/knotd.log)"

kstat() {	# kernel counter summed over XDP and TC
	rx stats --json | $PY -c "import json,sys; d=json.load(sys.stdin); print(d['xdp']['$1'] + d['tc']['$1'])"
}
dstat() {	# rootxdpd counter
	rx stats | awk -v k="rootxdpd.$1" '$1 == k { print $2 }'
}
# dq SERVER COOKIEHEX [dig args]: status and cookie of a "com. NS" query
# (a referral: the kernel's answer), UDP, no retry on BADCOOKIE.
dq() {
	local s=$1 c=$2
	shift 2
	in_cli dig +norec +time=2 +tries=1 +nobadcookie +cookie="$c" "$@" @"$s" com. NS 2>&1 |
		awk '/status:/ { st = $6 } /; COOKIE:/ { ck = $3 } END { sub(",", "", st); print st, ck }'
}
CC=0102030405060708

# ---------------------------------------------------------------- cookies
for fam in 4 6; do
	if [[ $fam == 4 ]]; then srv=$IP4_SRV bind=$BIND4 knot=$KNOT4; else srv=$IP6_SRV bind=$BIND6 knot=$KNOT6; fi
	g0=$(kstat cookie_good) m0=$(kstat cookie_minted)
	read -r st ck <<<"$(dq "$srv" "$CC")"
	expect_eq "v$fam: rootxdp answers a client cookie" "$st" NOERROR
	check "v$fam: ... with a 16-byte server cookie" test "${#ck}" -eq 48 -a "${ck:0:16}" = "$CC"
	check "v$fam: ... minted in the kernel" test "$(kstat cookie_minted)" -gt "$m0"
	read -r st _ <<<"$(dq "$bind" "$ck" $BIND)"
	expect_eq "v$fam: BIND (require-server-cookie) takes rootxdp's cookie" "$st" NOERROR
	read -r st _ <<<"$(dq "$knot" "$ck" $KNOT)"
	expect_eq "v$fam: Knot (mod-cookies) takes rootxdp's cookie" "$st" NOERROR
	forged=${ck:0:46}$(printf '%02x' $(( (16#${ck:46:2}) ^ 1 )))
	read -r st _ <<<"$(dq "$bind" "$forged" $BIND)"
	expect_eq "v$fam: BIND says BADCOOKIE to a forged one" "$st" BADCOOKIE
	read -r st _ <<<"$(dq "$knot" "$forged" $KNOT)"
	expect_eq "v$fam: Knot says BADCOOKIE to a forged one" "$st" BADCOOKIE
	read -r st ck2 <<<"$(dq "$srv" "$ck")"
	check "v$fam: rootxdp echoes its own cookie, in the kernel" \
		test "$st" = NOERROR -a "$ck2" = "$ck" -a "$(kstat cookie_good)" -gt "$g0"
	read -r _ bck <<<"$(dq "$bind" "$CC" $BIND)"
	g0=$(kstat cookie_good)
	read -r st ck2 <<<"$(dq "$srv" "$bck")"
	check "v$fam: BIND's cookie is good at rootxdp's kernel path (echoed)" \
		test "$st" = NOERROR -a "$ck2" = "$bck" -a "$(kstat cookie_good)" -gt "$g0"
	read -r _ kck <<<"$(dq "$knot" "$CC" $KNOT)"
	g0=$(kstat cookie_good)
	read -r st ck2 <<<"$(dq "$srv" "$kck")"
	check "v$fam: Knot's cookie is good at rootxdp's kernel path (echoed)" \
		test "$st" = NOERROR -a "$ck2" = "$kck" -a "$(kstat cookie_good)" -gt "$g0"
	b0=$(kstat cookie_bad)
	read -r st ck2 <<<"$(dq "$srv" "$forged")"
	check "v$fam: a forged cookie: answered with a fresh one (RFC 7873 5.2.3)" \
		test "$st" = NOERROR -a "${ck2:0:16}" = "$CC" -a "$ck2" != "$forged" -a \
		"$(kstat cookie_bad)" -gt "$b0"
	read -r st _ <<<"$(dq "$srv" "${CC}00112233445566")"
	expect_eq "v$fam: a 15-byte cookie option is FORMERR" "$st" FORMERR
done
# The daemon's cookies are the same: over TCP (only rootxdpd does TCP).
read -r st ck <<<"$(dq "$IP4_SRV" "$CC" +tcp)"
read -r st2 _ <<<"$(dq "$BIND4" "$ck" $BIND)"
check "rootxdpd's cookie (TCP) is good at BIND" test "$st" = NOERROR -a "$st2" = NOERROR

# ---------------------------------------------------------------- rotate
# state-dir/cookie-secret mode: a second config without the key, for the
# kernel and a rootxdpd restarted with it.
CONF2=$RX_TMP/rotate.conf
grep -v '^cookie-secret' "$CONF" >"$CONF2"
bg_stop "$DPID"
check "cookie-secret reload (from the state file)" "$RX" cookie-secret reload --config "$CONF2"
bg_start rootxdpd2 ip netns exec "$NS_SRV" "$O/rootxdpd" --config "$CONF2"
DPID=$BG_PID
wait_until 10 in_cli dig +short +time=1 +tries=1 +tcp @"$IP4_SRV" . SOA >/dev/null ||
	_rx_abort "rootxdpd does not answer"
check "state-dir/cookie-secret is 0600" test "$(stat -c %a "$RX_TMP/state/cookie-secret")" = 600
read -r _ old <<<"$(dq "$IP4_SRV" "$CC")"
check "cookie-secret rotate" "$RX" cookie-secret rotate --config "$CONF2"
g0=$(kstat cookie_good) m0=$(kstat cookie_minted)
read -r st new <<<"$(dq "$IP4_SRV" "$old")"
check "after rotate: the old cookie is good (previous secret) and renewed in the kernel" \
	test "$st" = NOERROR -a "$new" != "$old" -a "$(kstat cookie_good)" -gt "$g0" -a \
	"$(kstat cookie_minted)" -gt "$m0"
sleep 0.5	# rootxdpd reads the file on SIGHUP, in its main loop
read -r st dck <<<"$(dq "$IP4_SRV" "$new" +tcp)"
check "after rotate: rootxdpd takes the new secret too (echoes the kernel's new cookie)" \
	test "$st" = NOERROR -a "$dck" = "$new"
check "cookie-secret rotate refuses a secret set in the config" bash -c \
	"! '$RX' cookie-secret rotate --config '$CONF' 2>&1 | grep -q rotated"
check "back to the configured secret" "$RX" cookie-secret reload --config "$CONF"
bg_stop "$DPID"
bg_start rootxdpd3 ip netns exec "$NS_SRV" "$O/rootxdpd" --config "$CONF"
DPID=$BG_PID

# ---------------------------------------------------------------- flood
# The attacker has its own namespace and veth into the server (rootxdp is
# attached there too): kxdpgun's XDP program takes every reply that comes
# back on its interface, which would hide the real clients' answers.
NS_ATK="rx-$$-atk" DEV_ATKS="rxs$$" DEV_ATK="rxa$$"
ip netns add "$NS_ATK" || _rx_abort "cannot create $NS_ATK"
_RX_NETNS+=("$NS_ATK")
ip link add "$DEV_ATKS" netns "$NS_SRV" type veth peer name "$DEV_ATK" netns "$NS_ATK" ||
	_rx_abort "cannot create the attacker's veth"
ip -n "$NS_ATK" link set lo up
ip -n "$NS_ATK" link set "$DEV_ATK" up
ip -n "$NS_SRV" link set "$DEV_ATKS" up
ns_addr_add "$NS_ATK" "$DEV_ATK" 203.0.113.200/24
ns_addr_add "$NS_ATK" "$DEV_ATK" 2001:db8:f1::200/64
ip -n "$NS_ATK" route add 198.51.100.0/24 dev "$DEV_ATK"
ip -n "$NS_ATK" -6 route add 2001:db8::/64 dev "$DEV_ATK"
smac=$(ip -n "$NS_SRV" -br link show "$DEV_ATKS" | awk '{ print $3 }')
ip -n "$NS_ATK" neigh replace "$IP4_SRV" lladdr "$smac" dev "$DEV_ATK"
ip -n "$NS_ATK" -6 neigh replace "$IP6_SRV" lladdr "$smac" dev "$DEV_ATK"
rx attach --netns "$NS_SRV" --iface "$DEV_ATKS" "$RX_TMP/root.img" >>"$RX_TMP/attach.log" 2>&1 ||
	{ cat "$RX_TMP/attach.log"; _rx_abort "rootxdp attach to the attacker's veth failed"; }
# A valid cookie for an address inside the flooded /24, got before.
ns_addr_add "$NS_CLI" "$DEV_CLI" 203.0.113.100/24
ns_addr_add "$NS_CLI" "$DEV_CLI" 2001:db8:f1::100/64
# (the kernel paths answer out of the interface a query came in by)
read -r _ vck4 <<<"$(dq "$IP4_SRV" "$CC" -b 203.0.113.100)"
read -r _ vck6 <<<"$(dq "$IP6_SRV" "$CC" -b 2001:db8:f1::100)"
printf 'com. NS D\n' >"$RX_TMP/flood.q"
QPS=2000 DUR=3

flood() {	# flood FAMILY SERVER PREFIX VICTIM VCOOKIE
	local fam=$1 srv=$2 pfx=$3 victim=$4 vck=$5 out=$RX_TMP/kxdpgun-$1.log
	local in0 out0 in1 out1 lim0 sent replies ok2 okv bin bout allowance
	in0=$(kstat bytes_in) out0=$(kstat bytes_out) lim0=$(kstat rrl_limited)
	# Another prefix at 10 queries a second (below the rate), and the
	# cookie client in the flooded one, during the flood.
	in_cli $PY - "$srv" "$DUR" >"$RX_TMP/other-$fam.log" 2>&1 <<'PY' &
import socket, sys, time, dns.flags, dns.message, dns.query
srv, dur = sys.argv[1], float(sys.argv[2])
ok = n = 0
end = time.time() + dur
while time.time() < end:
    q = dns.message.make_query("nx%d.invalid-tld-%d." % (n, n), "A")
    n += 1
    try:
        r = dns.query.udp(q, srv, timeout=1.0)
        ok += (r.rcode() == 3 and not (r.flags & dns.flags.TC))
    except Exception:
        pass
    time.sleep(0.1)
print(n, ok)
PY
	local opid=$!
	(
		n=0 ok=0
		end=$((SECONDS + DUR))
		while ((SECONDS < end)); do
			read -r st ck <<<"$(dq "$srv" "$vck" -b "$victim")"
			n=$((n + 1))
			[[ $st == NOERROR && $ck == "$vck" ]] && ok=$((ok + 1))
			sleep 0.2
		done
		echo "$n $ok"
	) >"$RX_TMP/victim-$fam.log" 2>&1 &
	local vpid=$!
	ip netns exec "$NS_ATK" kxdpgun -t "$DUR" -Q "$QPS" -b 16 -I "$DEV_ATK" -l "$pfx" \
		-i "$RX_TMP/flood.q" "$srv" >"$out" 2>&1 ||
		{ fail "v$fam flood: kxdpgun failed"; sed 's/^/       | /' "$out" | head; }
	wait "$opid" "$vpid"
	in1=$(kstat bytes_in) out1=$(kstat bytes_out)
	sent=$(awk '/^total queries:/ { print $3 }' "$out")
	replies=$(awk '/^total replies:/ { print $3 }' "$out")
	bin=$((in1 - in0)) bout=$((out1 - out0))
	# The rate's allowance: RATE a second, one second banked, window 1 s,
	# at the largest answer a query may get (1232).
	allowance=$((RATE * (DUR + 2) * 1232))
	echo "# v$fam flood: $sent queries sent, $replies replies at the client;" \
		"DNS bytes in $bin, out $bout (ratio $(awk -v a="$bout" -v b="$bin" 'BEGIN { printf "%.2f", b ? a / b : 0 }')), allowance $allowance;" \
		"limited $(( $(kstat rrl_limited) - lim0 ))"
	check "v$fam flood: kxdpgun sent at least ${QPS}x${DUR}/2 queries" test "${sent:-0}" -ge $((QPS * DUR / 2))
	check "v$fam flood: bytes back <= bytes in + the rate's allowance" test "$bout" -le $((bin + allowance))
	check "v$fam flood: most of it limited" test $(( $(kstat rrl_limited) - lim0 )) -ge $((sent / 2))
	read -r n ok2 <"$RX_TMP/other-$fam.log"
	check "v$fam flood: another prefix lost nothing ($ok2 of $n answered)" test "${n:-0}" -gt 5 -a "${ok2:-0}" = "${n:-x}"
	read -r n okv <"$RX_TMP/victim-$fam.log"
	check "v$fam flood: the cookie client inside the flooded prefix is never limited ($okv of $n)" \
		test "${n:-0}" -gt 3 -a "${okv:-0}" = "${n:-x}"
}
flood 4 "$IP4_SRV" 203.0.113.0/28 203.0.113.100 "$vck4"
flood 6 "$IP6_SRV" 2001:db8:f1::/120 2001:db8:f1::100 "$vck6"

# ---------------------------------------------------------------- rootxdpd
# ". ANY" goes up to rootxdpd (pass_qtype): it limits like the kernel.
d0=$(dstat rrl_limited)
in_cli $PY - "$IP4_SRV" >"$RX_TMP/any.log" 2>&1 <<'PY'
import socket, sys, dns.flags, dns.message
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
q = dns.message.make_query(".", "ANY").to_wire()
for i in range(200):
    s.sendto(q, (sys.argv[1], 53))
got = tc = 0
try:
    while True:
        r = dns.message.from_wire(s.recv(4096))
        got += 1
        tc += bool(r.flags & dns.flags.TC)
except Exception:
    pass
print(got, tc)
PY
sleep 1.2	# rootxdpd writes its counters every second
read -r got tc <"$RX_TMP/any.log"
echo "# rootxdpd: 200 ANY queries, $got answers, $tc of them slips"
check "rootxdpd limits the UDP answers XDP passes up" test "$(dstat rrl_limited)" -gt "$d0"
check "... it answered at most the rate's burst plus slips" test "${got:-999}" -le $((RATE + 2 + (200 - RATE) / 2))
check "... and slipped some (TC=1)" test "${tc:-0}" -gt 0
summary
