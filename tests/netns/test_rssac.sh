#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_rssac.sh - RSSAC002 from the box: `rootxdp rssac002 snapshot` and
# `report`, with the kernel paths attached and rootxdpd answering the rest.
#
# Known traffic (tests/netns/rssac_client.py: UDP the kernel answers, UDP
# it passes to rootxdpd, TCP) from 3 IPv4 and 3 IPv6 sources in 2 /64s is
# counted by the client as it sends and receives; each YAML value of the
# report must be exactly that (PyYAML parses the files, every key checked
# against the published RSSAC002v5 layout).  Then, under load from two
# clients, a "midnight" snapshot and a zone refresh (a swap, recorded as
# load-time), then a rootxdpd restart: the two "days" add up to the
# interval over both, which is exactly what the clients counted, and
# nothing counted before the restart is lost.  report --date picks the
# two midnight snapshots.  (The kernel sketch's own day rollover is in
# test_xdp: the programs' clock can be moved there.)
#   tests/netns/test_rssac.sh          (root; O= build dir, default build)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

need_bins "$O/rootxdp" "$O/rootxdpd" "$O/rootxdp-compile"
ns_setup
PY=/usr/bin/python3
$PY -c 'import yaml, dns.message' 2>/dev/null || _rx_abort "python3-yaml and python3-dnspython needed (scripts/deps.sh)"
CL="$PY $here/rssac_client.py"
RX="$O/rootxdp"

zones_ab
state=$RX_TMP/state run=$RX_TMP/run
mkdir -p "$state" "$run"
"$O/rootxdp-compile" --trust-anchor "$ZONE_A/trust-anchor.ds" -o "$state/root.img" \
	"$ZONE_A/root.zone" >/dev/null || _rx_abort "rootxdp-compile failed"
SERVICE=z.root-servers.net PREFIX=z-root
conf=$RX_TMP/rootxdp.conf
cat >"$conf" <<EOF
image = $state/root.img
run-dir = $run
state-dir = $state
pin-root = $RX_PIN_DIR
rrl-rate = 0
identity = $SERVICE
listen = $IP4_SRV $IP6_SRV
port = 53
workers = 2
trust-anchor = $ZONE_A/trust-anchor.ds
zone-source = $ZONE_B/root.zone
EOF

# Sources: 3 IPv4, 3 IPv6 in 2 /64s (2001:db8::/64 on the link, 2001:db8:0:1::/64 routed).
S4=198.51.100.21,198.51.100.22,198.51.100.23
S6=2001:db8::21,2001:db8::22,2001:db8:0:1::21
for a in 198.51.100.21/24 198.51.100.22/24 198.51.100.23/24; do ns_addr_add "$NS_CLI" "$DEV_CLI" "$a"; done
for a in 2001:db8::21/64 2001:db8::22/64 2001:db8:0:1::21/64; do ns_addr_add "$NS_CLI" "$DEV_CLI" "$a"; done
ip -n "$NS_SRV" -6 route add 2001:db8:0:1::/64 dev "$DEV_SRV" || _rx_abort "route to 2001:db8:0:1::/64"
TLDS=$(awk '$4 == "NS" && $1 ~ /^[a-z0-9-]+\.$/ { sub(/\.$/, "", $1); print $1 }' "$ZONE_A/root.zone" |
	sort -u | head -n 3 | paste -sd,)
[[ -n "$TLDS" ]] || _rx_abort "no TLDs in the zone"

start_daemon() {
	bg_start rootxdpd ip netns exec "$NS_SRV" "$O/rootxdpd" --config "$conf"
	DPID=$BG_PID
	wait_until 10 test -s "$run/rootxdpd.pid" || _rx_abort "rootxdpd did not start"
}
start_daemon
nsenter_net "$NS_SRV" true
check "rootxdp attach" "$RX" attach --config "$conf" --netns "$NS_SRV" --iface "$DEV_SRV" "$state/root.img"
# wait for rootxdpd on TCP (the kernel answers UDP already)
wait_until 10 in_cli dig +tcp +short +time=1 +tries=1 -b 198.51.100.21 @"$IP4_SRV" . SOA ||
	_rx_abort "rootxdpd does not answer over TCP"
# that probe counted (from one of S4: the day's sources stay 3 + 3); every
# later interval starts at a snapshot after it

snap() { "$RX" rssac002 snapshot --config "$conf" --out "$1"; }
report() { "$RX" rssac002 report --config "$conf" --from "$1" --to "$2" --out "$3" --service "$SERVICE"; }
start_of() { awk '$1 == "time" { print $3; exit }' "$1"; }
date_of() { start_of "$1" | cut -c1-10 | tr -d -; }

check "snapshot S0" snap "$RX_TMP/s0.snap"
check "  ... a complete snapshot file" grep -qx end "$RX_TMP/s0.snap"
check "round 1: known traffic from 6 sources" \
	in_cli $CL send "$IP4_SRV" "$IP6_SRV" "$S4,$S6" "$TLDS" "$RX_TMP/r1.json"
check "snapshot S1" snap "$RX_TMP/s1.snap"
kern() { "$RX" stats --config "$conf" | awk '$1 == "xdp.answered" || $1 == "tc.answered" { s += $2 } END { print s + 0 }'; }
check "the kernel answered part of it ($(kern) answers)" test "$(kern)" -gt 0

D=$(date_of "$RX_TMP/s0.snap")
check "report S0..S1" report "$RX_TMP/s0.snap" "$RX_TMP/s1.snap" "$RX_TMP/r01"
check "  ... 6 files named $PREFIX-$D-METRIC.yaml" \
	test "$(ls "$RX_TMP/r01" | grep -cE "^$PREFIX-$D-(traffic-volume|traffic-sizes|rcode-volume|unique-sources|zone-size|load-time)\.yaml$")" = 6
ZSIZE=$(awk '$1 == "zone" { print $3 }' "$RX_TMP/s0.snap")
check "  ... zone size recorded ($ZSIZE octets for serial $SERIAL_A)" test "${ZSIZE:-0}" -gt 0
check "  ... every key as published, every value what the client counted" \
	$CL check "$RX_TMP/r01" "$PREFIX" "$D" "$(start_of "$RX_TMP/s0.snap")" "$SERVICE" "$RX_TMP/r1.json" \
	uniq=3,3,2 "zone=$SERIAL_A:$ZSIZE" noload=1

# ---- the next "day", under load: the midnight snapshot and a refresh (a
# swap) while two clients send, then a rootxdpd restart ----
k0=$(kern)
bg_start load4 in_cli $CL send "$IP4_SRV" "$IP6_SRV" "$S4" "$TLDS" "$RX_TMP/l4.json" 60
L4=$BG_PID
bg_start load6 in_cli $CL send "$IP4_SRV" "$IP6_SRV" "$S6" "$TLDS" "$RX_TMP/l6.json" 60
L6=$BG_PID
# midnight comes once the load is under way (the kernel answers it)
load_started() { test "$(kern)" -gt $((k0 + 100)); }
wait_until 10 load_started || _rx_abort "the load does not start"
check "snapshot SM (\"midnight\") under load" snap "$RX_TMP/sm.snap"
t_refresh=$(date +%s)
touch -d "@$((t_refresh - 100))" "$ZONE_B/root.zone"	# the zone's availability at the source
check "refresh to serial $SERIAL_B (the swap) under load" "$RX" refresh --config "$conf" --netns "$NS_SRV"
t_done=$(date +%s)
check "  ... the load was still running" kill -0 "$L4"
wait "$L4"
rc4=$?
wait "$L6"
rc6=$?
expect_eq "both load clients got every answer" "$rc4 $rc6" "0 0"
sleep 1.2
bg_stop "$DPID"
check "rootxdpd stopped (restart)" test ! -e "$run/rootxdpd.pid"
start_daemon
check "rootxdpd answers again (one TCP probe, counted)" \
	in_cli $CL probe "$IP4_SRV" 198.51.100.21 "$RX_TMP/probe.json"
check "round 2: traffic after the restart" \
	in_cli $CL send "$IP4_SRV" "$IP6_SRV" "$S4,$S6" "$TLDS" "$RX_TMP/r2.json"
check "snapshot S2" snap "$RX_TMP/s2.snap"
check "report S1..SM" report "$RX_TMP/s1.snap" "$RX_TMP/sm.snap" "$RX_TMP/r1m"
check "report SM..S2" report "$RX_TMP/sm.snap" "$RX_TMP/s2.snap" "$RX_TMP/rm2"
check "report S1..S2" report "$RX_TMP/s1.snap" "$RX_TMP/s2.snap" "$RX_TMP/r12"
D1=$(date_of "$RX_TMP/s1.snap")
DM=$(date_of "$RX_TMP/sm.snap")
check "the two days S1..SM and SM..S2 add up to S1..S2" \
	$CL sum "$RX_TMP/r1m" "$RX_TMP/rm2" "$RX_TMP/r12" "$PREFIX" "$D1"
tq() { awk '$1 ~ /^dns-.*-queries-received-/ { s += $2 } END { print s + 0 }' "$RX_TMP/$1/$PREFIX-$2-traffic-volume.yaml"; }
check "  ... and each day has a part of the load ($(tq r1m "$D1") + $(tq rm2 "$DM"))" \
	test "$(tq r1m "$D1")" -gt 0 -a "$(tq rm2 "$DM")" -gt 0
ZSIZE_B=$(awk '$1 == "zone" { print $3 }' "$RX_TMP/s2.snap")
# + the restart probe, + refresh's own checks that rootxdpd serves the new
# serial (". SOA" over TCP from the server's address, the probe's twin: one,
# or a few while rootxdpd still reloads)
check "S1..S2: exactly the load, round 2, the probe and refresh's checks; serials $SERIAL_A and $SERIAL_B; load-time 100 s" \
	$CL check "$RX_TMP/r12" "$PREFIX" "$D1" "$(start_of "$RX_TMP/s1.snap")" "$SERVICE" \
	"$RX_TMP/l4.json,$RX_TMP/l6.json,$RX_TMP/r2.json,$RX_TMP/probe.json" \
	"extra=$RX_TMP/probe.json:1:10" \
	"zone=$SERIAL_A:$ZSIZE;$SERIAL_B:$ZSIZE_B" "load=$SERIAL_B:100:$((100 + t_done - t_refresh + 1))"
check "  ... rootxdpd's counters survived the restart (its file in state-dir)" \
	test "$(awk '$2 == "rootxdpd" && $3 == "queries.tcp.ipv4" { print $4 }' "$RX_TMP/s2.snap")" -gt \
	"$(awk '$2 == "rootxdpd" && $3 == "queries.tcp.ipv4" { print $4 }' "$RX_TMP/sm.snap")"

# ---- report --date: the snapshots nearest the two midnights ----
day=2026-01-05
mkdir -p "$state/rssac002"
sed "s/^time .*/time $(date -d "$day 00:00:04Z" +%s) ${day}T00:00:04Z/" "$RX_TMP/s0.snap" >"$state/rssac002/a.snap"
sed "s/^time .*/time $(date -d "$day 00:00:00Z + 1 day + 3 seconds" +%s) x/" "$RX_TMP/s1.snap" >"$state/rssac002/b.snap"
sed "s/^time .*/time $(date -d "$day 12:00:00Z" +%s) x/" "$RX_TMP/sm.snap" >"$state/rssac002/c.snap"
check "report --date $day" "$RX" rssac002 report --config "$conf" --date "$day" --service "$SERVICE"
check "  ... the day's files, start-period ${day}T00:00:00Z, round 1's counts" \
	$CL check "$state/rssac002" "$PREFIX" "${day//-/}" "${day}T00:00:00Z" "$SERVICE" "$RX_TMP/r1.json"
check_not "report --date with no snapshot near midnight fails" \
	"$RX" rssac002 report --config "$conf" --date 2026-01-09 --service "$SERVICE"

"$RX" detach --config "$conf" >/dev/null 2>&1
bg_stop "$DPID"
summary
