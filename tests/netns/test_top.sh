#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_top.sh - `rootxdp stats --top`: which TLDs and qtypes are asked.
#   tests/netns/test_top.sh      (root; O= build dir)
#
# rootxdp attached (XDP + TC) and rootxdpd in the server namespace, fresh
# counters; known traffic from the client namespace:
#   kernel paths (UDP, +ignore: a TC=1 answer is not retried over TCP,
#   which rootxdpd would count again): 40x NAME.corp. A, 30x NAME.home. AAAA (names in
#     mixed case: counted lowercased), 20x NAME.com. NS (a referral);
#   rootxdpd (TCP):     10x NAME.CORP. TXT.
# = 100 queries: corp. 50 (50%), home. 30 (30%) nonexistent; com. 20
# (20%) existent; qtypes A 40, AAAA 30, NS 20, TXT 10.  Checked exactly,
# in order, in the JSON and the text output; then `--top 1`; then
# top-names = no (rootxdp load) leaves the counters still.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

RX="$O/rootxdp"
need_bins "$RX" "$O/rootxdpd" "$O/rootxdp-compile"
need_cmds dig python3

ns_setup
zone_a
grep -q '^com\.[[:space:]]' "$ZONE_A/root.zone" || _rx_abort "the test zone has no com."
for t in corp home; do
	grep -q "^$t\.[[:space:]]" "$ZONE_A/root.zone" && _rx_abort "the test zone has $t."
done
"$O/rootxdp-compile" -o "$RX_TMP/root.img" "$ZONE_A/root.zone" >/dev/null ||
	_rx_abort "rootxdp-compile failed"
CONF=$RX_TMP/rootxdp.conf
cat >"$CONF" <<EOC
pin-root = $RX_PIN_DIR
image = $RX_TMP/root.img
run-dir = $RX_TMP/run
state-dir = $RX_TMP/state
rrl-rate = 0
listen = $IP4_SRV $IP6_SRV
workers = 2
EOC
mkdir -p "$RX_TMP/run"
rx() { local c=$1; shift; "$RX" "$c" --config "$CONF" "$@"; }
rx attach --netns "$NS_SRV" --iface "$DEV_SRV" "$RX_TMP/root.img" >"$RX_TMP/attach.log" 2>&1 ||
	{ cat "$RX_TMP/attach.log"; _rx_abort "rootxdp attach failed"; }
bg_start rootxdpd ip netns exec "$NS_SRV" "$O/rootxdpd" --config "$CONF"
# no DNS probe: it would be counted
wait_until 10 grep -q "listening on" "$RX_TMP/rootxdpd.log" ||
	_rx_abort "rootxdpd did not start ($(tail -3 "$RX_TMP/rootxdpd.log"))"

expect_eq "fresh counters: nothing counted" \
	"$(rx stats --top --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["queries"])')" 0

# many queries per dig process; each must come back with the right status
digs() {	# TRANSPORT STATUS NAME-TEMPLATE(with %d) TYPE COUNT [V6]
	local tr=$1 want=$2 tmpl=$3 type=$4 n=$5 s=$IP4_SRV args=() i
	[[ ${6:-} == 6 ]] && s=$IP6_SRV
	for ((i = 0; i < n; i++)); do
		# shellcheck disable=SC2059
		args+=("$(printf "$tmpl" "$i")" "$type")
	done
	in_cli dig +norec +ignore +time=2 +tries=1 "+$tr" @"$s" "${args[@]}" >"$RX_TMP/dig.out" 2>&1
	local got
	got=$(grep -c "status: $want," "$RX_TMP/dig.out")
	expect_eq "$n x $tmpl $type ($tr): $want" "$got" "$n"
}
kbefore=$(rx stats --json | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['xdp']['answered'] + d['tc']['answered'])")
digs notcp NXDOMAIN "host%d.CoRp." A 20
digs notcp NXDOMAIN "h%d.corp." A 20 6
digs notcp NXDOMAIN "x%d.HOME." AAAA 15
digs notcp NXDOMAIN "y%d.home." AAAA 15 6
digs notcp NOERROR "www%d.com." NS 20
kafter=$(rx stats --json | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['xdp']['answered'] + d['tc']['answered'])")
expect_eq "the kernel paths answered the 90 UDP queries" "$((kafter - kbefore))" 90
digs tcp NXDOMAIN "t%d.CORP." TXT 10
# rootxdpd writes its counts every second
check "rootxdpd's counts are written (10 TXT)" wait_until 5 \
	grep -qx 'qtype 16 10' "$RX_TMP/run/rootxdpd.top"

rx stats --top --json >"$RX_TMP/top.json" || fail "rootxdp stats --top --json"
check "--top --json: exact names, order, counts and shares" python3 - "$RX_TMP/top.json" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
def rows(k, key):
    return [(r[key], r['count'], round(r['share'], 4)) for r in d[k]]
want = {
    'queries': 100,
    'nonexistent': [('corp.', 50, 50.0), ('home.', 30, 30.0)],
    'existent': [('com.', 20, 20.0)],
    'qtypes': [('A', 40, 40.0), ('AAAA', 30, 30.0), ('NS', 20, 20.0), ('TXT', 10, 10.0)],
}
got = {'queries': d['queries'], 'nonexistent': rows('nonexistent', 'name'),
       'existent': rows('existent', 'name'), 'qtypes': rows('qtypes', 'qtype')}
if got != want:
    print('got ', got)
    print('want', want)
    sys.exit(1)
EOP
rx stats --top >"$RX_TMP/top.txt" || fail "rootxdp stats --top"
expect_eq "--top text: the lines, in order" "$(awk '{ $1 = $1; print }' "$RX_TMP/top.txt")" \
"queries counted: 100 (kernel paths and rootxdpd)
existent TLDs, top 10:
com. 20 20.00%
nonexistent TLDs, top 10:
corp. 50 50.00%
home. 30 30.00%
qtypes, top 10:
A 40 40.00%
AAAA 30 30.00%
NS 20 20.00%
TXT 10 10.00%"
expect_eq "--top 1: the largest of each" \
	"$(rx stats --top 1 | awk '/^ / { print $1 }' | tr '\n' ' ')" "com. corp. A "
check_not "--top 0 is refused" rx stats --top 0

# top-names = no: rootxdp load writes rx_cfg; the kernel stops counting
echo "top-names = no" >>"$CONF"
rx load --force "$RX_TMP/root.img" >"$RX_TMP/load.log" 2>&1 || { cat "$RX_TMP/load.log"; fail "rootxdp load"; }
digs notcp NXDOMAIN "z%d.corp." A 5
expect_eq "top-names = no: the kernel's counts stand still" \
	"$(rx stats --top --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["queries"])')" 100
summary
