#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_twopath.sh - the same bytes from both paths.  A set of UDP queries
# the XDP path answers (every answer kind, EDNS and size variants, 0x20
# names, CHAOS, NSID, BADVERS, FORMERR) is sent to rootxdpd with XDP
# detached, then again with `rootxdp attach` on the server interface; every
# response must be byte for byte the same, and the XDP counters must show
# that the kernel answered the second round.
#   tests/netns/test_twopath.sh          (root; O= build dir, default build)
# RX_TWOPATH_ZONE=FILE[.gz] uses that zone instead of the generated one
# (e.g. ../shared/data/root-2026082201-testsigned.zone.gz).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

ns_setup
PY=/usr/bin/python3
CLIENT="$PY $here/daemon_client.py"
for f in "$O/rootxdpd" "$O/rootxdp" "$O/rootxdp-compile"; do
	[[ -x "$f" ]] || _rx_abort "$f not built (make)"
done

zdir=${RX_ZONE_DIR:-}
if [[ -n "${RX_TWOPATH_ZONE:-}" ]]; then
	zdir=$RX_TMP/zone
	mkdir -p "$zdir"
	if [[ "$RX_TWOPATH_ZONE" == *.gz ]]; then
		zcat "$RX_TWOPATH_ZONE" > "$zdir/root.zone"
	else
		cp "$RX_TWOPATH_ZONE" "$zdir/root.zone"
	fi || _rx_abort "cannot read $RX_TWOPATH_ZONE"
elif [[ -z "$zdir" || ! -s "$zdir/root.zone" ]]; then
	zdir=$RX_TMP/zone
	"$RX_TOP/tests/zones/mkzone.sh" --out "$zdir" >/dev/null || _rx_abort "mkzone.sh failed"
fi
"$O/rootxdp-compile" -o "$RX_TMP/root.img" "$zdir/root.zone" >/dev/null ||
	_rx_abort "rootxdp-compile failed"

conf=$RX_TMP/rootxdp.conf
cat > "$conf" <<EOF
image = $RX_TMP/root.img
run-dir = $RX_TMP/run
state-dir = $RX_TMP/state
pin-root = $RX_PIN_DIR
# one client, hundreds of queries a second: the paths, not RRL
rrl-rate = 0
identity = twopath-$$
listen = $IP4_SRV $IP6_SRV
workers = 1
EOF
mkdir -p "$RX_TMP/run"
bg_start rootxdpd ip netns exec "$NS_SRV" "$O/rootxdpd" --config "$conf"
DPID=$BG_PID
wait_until 10 in_cli dig +short +time=1 +tries=1 @"$IP4_SRV" . SOA ||
	_rx_abort "rootxdpd does not answer"

# Each family's set carries a server cookie rootxdpd made for that client
# (over TCP: the daemon's), so both rounds echo it: DNS cookies compared
# byte for byte too (the minted ones: test_xdp, fuzz_xdp, test_defend).
for fam in 4 6; do
	srv=$([[ $fam == 4 ]] && echo "$IP4_SRV" || echo "$IP6_SRV")
	ck=$(in_cli dig +tcp +time=2 +tries=1 +cookie=2464c4abcf10c957 @"$srv" . SOA |
		awk '/; COOKIE:/ { print $3 }')
	[[ ${#ck} == 48 ]] || _rx_abort "no server cookie from rootxdpd over IPv$fam"
	in_cli $CLIENT mkqueries "$zdir/root.zone" "$RX_TMP/q$fam.txt" "$ck" >/dev/null ||
		_rx_abort "cannot make the query set"
done
n=$(wc -l < "$RX_TMP/q4.txt")

for fam in 4 6; do
	srv=$([[ $fam == 4 ]] && echo "$IP4_SRV" || echo "$IP6_SRV")
	check "IPv$fam: rootxdpd answers all $n queries" \
		in_cli $CLIENT replay "$srv" "$RX_TMP/q$fam.txt" "$RX_TMP/d$fam.txt"
done

nsenter_net "$NS_SRV" true # the namespace exists for the loader
check "rootxdp attach" "$O/rootxdp" attach --config "$conf" --netns "$NS_SRV" \
	--iface "$DEV_SRV" "$RX_TMP/root.img"
answered() {
	"$O/rootxdp" stats --config "$conf" 2>/dev/null |
		awk '$1 == "xdp.answered" || $1 == "tc.answered" { s += $2 } END { print s + 0 }'
}
dstat() { awk '$1 == "queries_udp" { print $2 }' "$RX_TMP/run/rootxdpd.stats"; }
sleep 1.2
dbefore=$(dstat)
before=$(answered)
for fam in 4 6; do
	srv=$([[ $fam == 4 ]] && echo "$IP4_SRV" || echo "$IP6_SRV")
	check "IPv$fam: XDP answers all $n queries" \
		in_cli $CLIENT replay "$srv" "$RX_TMP/q$fam.txt" "$RX_TMP/x$fam.txt"
done
after=$(answered)
check "the kernel answered the second round ($before -> $after)" \
	test $((after - before)) -ge $((2 * n * 9 / 10))
sleep 1.2
dafter=$(dstat)
check "rootxdpd saw none of it ($dbefore -> $dafter UDP queries)" test "$dbefore" = "$dafter"

for fam in 4 6; do
	diffs=$(paste -d' ' "$RX_TMP/d$fam.txt" "$RX_TMP/x$fam.txt" | awk '$1 != $2' | wc -l)
	expect_eq "IPv$fam: responses identical byte for byte" "$diffs" 0
	if ((diffs)); then
		paste -d' ' "$RX_TMP/q$fam.txt" "$RX_TMP/d$fam.txt" "$RX_TMP/x$fam.txt" |
			awk '$2 != $3 { print "       | q " $1; print "       | d " $2; print "       | x " $3; if (++k == 3) exit }'
	fi
done

"$O/rootxdp" detach --config "$conf" >/dev/null 2>&1
bg_stop "$DPID"
summary
