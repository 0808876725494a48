#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_peers.sh - the reference peers (tests/peers/peers.sh): NSD and Knot
# serve the generated zone in the server namespace over IPv4 and IPv6, dig
# from the client sees the apex SOA (AA, the zone's serial), a referral for
# com. and NXDOMAIN for a nonexistent TLD, and stopping them leaves nothing.
#   tests/netns/test_peers.sh    (root; RX_ZONE_DIR= a mkzone.sh output dir,
#                                 else a zone is generated in a temp dir)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=../peers/peers.sh
. "$here/../peers/peers.sh"

ns_setup

zdir=${RX_ZONE_DIR:-}
if [[ -z "$zdir" || ! -s "$zdir/root.zone" ]]; then
	zdir="$RX_TMP/zone"
	"$RX_TOP/tests/zones/mkzone.sh" --out "$zdir" --tlds 100 ||
		_rx_abort "tests/zones/mkzone.sh failed"
fi
zone="$zdir/root.zone"
serial=$(awk '$4 == "SOA" { print $7; exit }' "$zone")
[[ "$serial" =~ ^[0-9]+$ ]] || _rx_abort "no SOA serial in $zone"

# q ADDR PORT DIG-ARGS...: dig from the client namespace.
q() {
	local addr=$1 port=$2
	shift 2
	in_cli dig +norec +time=2 +tries=2 -p "$port" "@$addr" "$@" 2>&1
}

# peer_checks NAME ADDR PORT
peer_checks() {
	local name=$1 addr=$2 port=$3 out
	out=$(q "$addr" "$port" . SOA)
	check "$name $addr: . SOA NOERROR" grep -q 'status: NOERROR' <<<"$out"
	check "$name $addr: . SOA has AA" grep -q 'flags:[^;]* aa' <<<"$out"
	expect_eq "$name $addr: . SOA serial" \
		"$(q "$addr" "$port" +short . SOA | awk '{ print $3 }')" "$serial"
	out=$(q "$addr" "$port" com. NS)
	check "$name $addr: com. NS is a referral (NOERROR, no AA)" \
		bash -c 'grep -q "status: NOERROR" <<<"$1" && ! grep -q "flags:[^;]* aa" <<<"$1"' _ "$out"
	expect_eq "$name $addr: com. NS referral carries 13 NS in AUTHORITY" \
		"$(awk '/AUTHORITY SECTION/ { a = 1; next } /^$/ { a = 0 } a && $4 == "NS"' <<<"$out" | wc -l)" 13
	check "$name $addr: com. NS referral has glue" grep -q 'gtld-servers.net.*IN[[:space:]]A' <<<"$out"
	out=$(q "$addr" "$port" +dnssec www.com. A)
	check "$name $addr: DO referral carries DS + RRSIG" \
		bash -c 'grep -q "IN[[:space:]]*DS" <<<"$1" && grep -q "RRSIG[[:space:]]*DS" <<<"$1"' _ "$out"
	out=$(q "$addr" "$port" no-such-tld-rootxdp. A)
	check "$name $addr: nonexistent TLD is NXDOMAIN with AA" \
		bash -c 'grep -q "status: NXDOMAIN" <<<"$1" && grep -q "flags:[^;]* aa" <<<"$1"' _ "$out"
}

pids=()
for fam in 4 6; do
	addr=$([[ $fam == 4 ]] && echo "$IP4_SRV" || echo "$IP6_SRV")
	if peer_start_nsd "$NS_SRV" "$addr" 5301 "$zone" "$RX_TMP/peers$fam"; then
		ok "NSD started on $addr@5301 (pid $PEER_PID)"
		pids+=("$PEER_PID")
		peer_checks NSD "$addr" 5301
	else
		fail "NSD did not start on $addr@5301"
	fi
	if peer_start_knot "$NS_SRV" "$addr" 5302 "$zone" "$RX_TMP/peers$fam"; then
		ok "Knot started on $addr@5302 (pid $PEER_PID)"
		pids+=("$PEER_PID")
		peer_checks Knot "$addr" 5302
	else
		fail "Knot did not start on $addr@5302"
	fi
done

# Rate limiting is off: 1000 queries at about 700 qps from one address are
# all answered in full (measured: with NSD's default rrl-ratelimit 200, 399
# were answered and 326 slipped with TC=1).
if ((${#pids[@]})); then
	burst=$(in_cli /usr/bin/python3 - "$IP4_SRV" 5301 <<-'EOF'
	import socket, struct, sys, time
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
	s.setblocking(False)
	q = lambda i: struct.pack(">HHHHHH", i, 0, 1, 0, 0, 0) + b"\x00\x00\x06\x00\x01"
	got = set()
	def drain():
	    while True:
	        try:
	            d, _ = s.recvfrom(4096)
	        except BlockingIOError:
	            return
	        if not (d[2] & 0x02):	# TC=1 is RRL's "slip"
	            got.add(struct.unpack(">H", d[:2])[0])
	for i in range(1000):
	    s.sendto(q(i), (sys.argv[1], int(sys.argv[2])))
	    time.sleep(0.001)
	    drain()
	end = time.time() + 2
	while len(got) < 1000 and time.time() < end:
	    time.sleep(0.05)
	    drain()
	print(len(got))
	EOF
	)
	expect_eq "NSD answers a 1000-query burst in full (RRL off)" "$burst" 1000
fi

peer_stop
for p in "${pids[@]}"; do
	check_not "peer pid $p stopped" kill -0 "$p"
done
check "nothing listens on 5301/5302 after peer_stop" \
	bash -c "! ip netns exec '$NS_SRV' ss -Hlnup | grep -q -e ':5301' -e ':5302'"

summary
