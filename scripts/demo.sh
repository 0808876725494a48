#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# demo.sh - `make run`: a rootxdp instance in its own network namespaces.
#
# Generates a signed root-like zone (or uses ROOT_ZONE=path with
# ROOT_ANCHOR=path), compiles it, attaches the XDP and TC programs to the
# server end of a veth pair, starts rootxdpd behind them, sends a few real
# queries from the client namespace, prints the counters, and removes every
# namespace, pin and process it made, also on failure or Ctrl-C.
set -uo pipefail

. "$(dirname "$0")/../tests/netns/lib.sh"

say() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

ns_setup
PIN="$RX_PIN_DIR"
ZDIR="$O/zones"

if [[ -n "${ROOT_ZONE:-}" ]]; then
	ZONE=$ROOT_ZONE
	ANCHOR=${ROOT_ANCHOR:-}
	say "serving $ZONE"
else
	if [[ ! -s "$ZDIR/root.zone" ]]; then
		say "generating a signed root-like test zone in $ZDIR"
		"$RX_TOP/tests/zones/mkzone.sh" --out "$ZDIR" >/dev/null || _rx_abort "mkzone.sh failed"
	fi
	ZONE=$ZDIR/root.zone
	ANCHOR=$ZDIR/trust-anchor.ds
fi

say "compiling the zone (ZONEMD and DNSSEC checked)"
IMG=$RX_TMP/root.img
args=()
[[ -n "$ANCHOR" ]] && args+=(--trust-anchor "$ANCHOR")
run "$O/rootxdp-compile" "${args[@]}" -o "$IMG" "$ZONE" || _rx_abort "the zone was refused"

cat >"$RX_TMP/rootxdp.conf" <<CONF
identity = demo.rootxdp
port = 53
listen = $IP4_SRV $IP6_SRV
run-dir = $RX_TMP/run
state-dir = $RX_TMP/state
pin-root = $PIN
image = $IMG
CONF

say "attaching XDP and TC to $DEV_SRV in namespace $NS_SRV"
run "$O/rootxdp" attach --config "$RX_TMP/rootxdp.conf" --netns "$NS_SRV" \
	--iface "$DEV_SRV" "$IMG" || _rx_abort "attach failed"

say "starting rootxdpd (answers what the kernel passes: TCP, rare qtypes)"
mkdir -p "$RX_TMP/run"
bg_start rootxdpd ip netns exec "$NS_SRV" "$O/rootxdpd" --config "$RX_TMP/rootxdp.conf"
wait_until 5 in_cli dig +tcp +time=1 +tries=1 @"$IP4_SRV" . SOA ||
	{ cat "$RX_TMP/rootxdpd.log"; _rx_abort "rootxdpd did not answer"; }

# Any delegated TLD of the zone served, for the referral below.
TLD=$(zcat -f "$ZONE" | awk '$4 == "NS" && $1 != "." { print tolower($1); exit }')

say "queries from $NS_CLI"
brief=(+norec +nocookie +nostats +nocmd +noquestion)
echo "-- a referral (the kernel answers: XDP if the frame has room, else TC)"
run in_cli dig "${brief[@]}" @"$IP4_SRV" "www.example.$TLD" A
echo "-- NXDOMAIN with the NSEC proof, over IPv6"
run in_cli dig "${brief[@]}" +dnssec +nomulti @"$IP6_SRV" no-such-tld-here A
echo "-- the apex DNSKEY RRset with DO"
run in_cli dig "${brief[@]}" +dnssec +noall +comments +answer @"$IP4_SRV" . DNSKEY
echo "-- the instance identity (CHAOS)"
run in_cli dig "${brief[@]}" +short @"$IP4_SRV" id.server CH TXT
echo "-- a DNS cookie (RFC 7873/9018), answered in the kernel: the server cookie"
run in_cli dig +norec +nostats +nocmd +noquestion +noall +comments +cookie=2464c4abcf10c957 \
	@"$IP4_SRV" "www.example.$TLD" NS
echo "-- over TCP: rootxdpd answers"
run in_cli dig "${brief[@]}" +tcp +noall +answer @"$IP4_SRV" . SOA

say "counters that moved (rootxdp stats; per path: xdp, tc, and rootxdpd)"
run "$O/rootxdp" stats --pin-root "$PIN" --config "$RX_TMP/rootxdp.conf" | awk '$2 != 0'

say "status"
run "$O/rootxdp" status --pin-root "$PIN" --config "$RX_TMP/rootxdp.conf"

say "detaching and cleaning up"
run "$O/rootxdp" detach --netns "$NS_SRV" --iface "$DEV_SRV" --pin-root "$PIN"
cleanup
left=$(ip netns list | grep -c "rx-$$-" || true)
echo "namespaces left: $left; pins left: $(ls -d "$PIN" 2>/dev/null | wc -l)"
