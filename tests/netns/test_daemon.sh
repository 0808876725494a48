#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_daemon.sh - rootxdpd with real clients (dig, kdig, dnspython) in a
# network namespace, no XDP attached: the daemon answers everything.
#   tests/netns/test_daemon.sh          (root; O= build dir, default build)
#
# Covers every behaviour class over UDP and TCP, IPv4 and IPv6; TCP
# pipelining, idle timeout and connection caps; AXFR to the ACL only (and
# the transferred zone equal to the served one); SIGHUP reload to a newer
# image during a bounded query stream with no query lost; a bad, an older
# and the same image refused without disturbing service; sd_notify, pid
# file, stats file and a clean exit on SIGTERM.
#
# Zone: $RX_ZONE_DIR (+ $RX_ZONE_NEXT_DIR, serial + 1) from tests/run.sh,
# else generated here with tests/zones/mkzone.sh.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

ns_setup
PY=/usr/bin/python3
CLIENT="$PY $here/daemon_client.py"
RXD="$O/rootxdpd"
COMPILE="$O/rootxdp-compile"
for f in "$RXD" "$COMPILE"; do
	[[ -x "$f" ]] || _rx_abort "$f not built (make)"
done
for t in dig kdig; do
	command -v $t >/dev/null || _rx_abort "$t not found (scripts/deps.sh)"
done
$PY -c 'import dns.message' 2>/dev/null || _rx_abort "python3-dnspython missing (scripts/deps.sh)"

# ---- zones and images ----
zdir=${RX_ZONE_DIR:-}
ndir=${RX_ZONE_NEXT_DIR:-}
if [[ -z "$zdir" || ! -s "$zdir/root.zone" ]]; then
	zdir=$RX_TMP/zone
	"$RX_TOP/tests/zones/mkzone.sh" --out "$zdir" >/dev/null || _rx_abort "mkzone.sh failed"
	ndir=""
fi
serial=$(awk '$4 == "SOA" { print $7; exit }' "$zdir/root.zone")
if [[ -z "$ndir" || ! -s "$ndir/root.zone" ]]; then
	ndir=$RX_TMP/zone-next
	"$RX_TOP/tests/zones/mkzone.sh" --out "$ndir" --keys "$zdir" --serial $((serial + 1)) \
		>/dev/null || _rx_abort "mkzone.sh --serial failed"
fi
next=$(awk '$4 == "SOA" { print $7; exit }' "$ndir/root.zone")
"$COMPILE" -o "$RX_TMP/cur.img" "$zdir/root.zone" >/dev/null &&
	"$COMPILE" -o "$RX_TMP/next.img" "$ndir/root.zone" >/dev/null ||
	_rx_abort "rootxdp-compile failed"
cp "$RX_TMP/cur.img" "$RX_TMP/live.img"
ok "images for serials $serial and $next"

# A second client address on each family: the AXFR ACL allows only these.
ns_addr_add "$NS_CLI" "$DEV_CLI" 198.51.100.3/24
ns_addr_add "$NS_CLI" "$DEV_CLI" 2001:db8::3/64
XFR4=198.51.100.3 XFR6=2001:db8::3

run=$RX_TMP/run
mkdir -p "$run"
conf=$RX_TMP/rootxdp.conf
cat > "$conf" <<EOF
image = $RX_TMP/live.img
run-dir = $run
state-dir = $RX_TMP/state
# one client sends floods of UDP in places: the daemon, not RRL
rrl-rate = 0
identity = rx-test-srv
listen = $IP4_SRV $IP6_SRV
port = 53
workers = 2
tcp-idle-timeout = 2s
tcp-max-clients = 6
tcp-max-per-client = 4
axfr-allow = $XFR4/32 $XFR6/128
EOF

# sd_notify: a datagram socket of ours stands in for systemd's
notify=$RX_TMP/notify.sock
bg_start notify $CLIENT notify "$notify" 120 "$RX_TMP/notify.out"
wait_until 5 test -S "$notify" || fail "notify socket"

bg_start rootxdpd env NOTIFY_SOCKET="$notify" ip netns exec "$NS_SRV" "$RXD" --config "$conf"
DPID=$BG_PID
D4() { in_cli dig @"$IP4_SRV" +norec +time=2 +tries=1 "$@"; }
D6() { in_cli dig @"$IP6_SRV" +norec +time=2 +tries=1 "$@"; }
wait_until 10 D4 +short . SOA || _rx_abort "rootxdpd does not answer (log: $(tail -5 "$RX_TMP/rootxdpd.log"))"
ok "rootxdpd answers"
check "sd_notify READY=1" wait_until 5 grep -q '^READY=1' "$RX_TMP/notify.out"
check "pid file" bash -c "[[ \$(cat '$run/rootxdpd.pid') == $DPID ]]"

# ---- every behaviour class, UDP and TCP, IPv4 and IPv6 ----
has() { local pat=$1; shift; "$@" 2>&1 | grep -qE -- "$pat"; }
for fam in 4 6; do
	for tr in udp tcp; do
		D=D$fam
		t=$([[ $tr == tcp ]] && echo +tcp || echo +notcp)
		tag="IPv$fam/$tr"
		check "$tag: . SOA serial $serial, aa" \
			has "flags: qr aa;.*ANSWER: 1" $D $t . SOA
		check "$tag: referral www.com A, no aa, 13 NS" \
			has "flags: qr;.*AUTHORITY: 1[35]," $D $t www.com. A
		check "$tag: NXDOMAIN with NSEC proof" \
			has "status: NXDOMAIN" $D $t +dnssec no-such-tld. A
		check "$tag: NXDOMAIN NSECs" has "IN[[:space:]]+NSEC" $D $t +dnssec no-such-tld. A
		check "$tag: DS at com, aa" has "flags: qr aa;.*ANSWER: 2" $D $t +dnssec com. DS
		check "$tag: priming . NS with glue" has "ANSWER: 13, AUTHORITY: 0, ADDITIONAL: [1-9]" $D $t . NS
		check "$tag: apex NODATA . MX" has "flags: qr aa;.*ANSWER: 0, AUTHORITY: 1," $D $t . MX
		check "$tag: id.server CH TXT" has '"rx-test-srv"' $D $t id.server CH TXT
		check "$tag: hostname.bind CH TXT" has '"rx-test-srv"' $D $t hostname.bind CH TXT
		check "$tag: version.bind hidden: REFUSED" has "status: REFUSED" $D $t version.bind CH TXT
		check "$tag: class HS: REFUSED" has "status: REFUSED" $D $t . HS SOA
		check "$tag: NSID" has 'NSID: .*"rx-test-srv"' $D $t +nsid . SOA
		check "$tag: BADVERS" has "status: BADVERS" $D $t +edns=1 +noednsneg . SOA
		check "$tag: cookie answered" has "COOKIE: .* \(good\)" $D $t +cookie . SOA
		check "$tag: 0x20 question echoed" has "^;wWw.CoM.[[:space:]]+IN[[:space:]]+A" $D $t wWw.CoM. A
		check "$tag: RRSIG at apex: one" has "flags: qr aa;.*ANSWER: 1," $D $t +dnssec . RRSIG
		check "$tag: TYPE0: NOTIMP" has "status: NOTIMP" $D $t . TYPE0
	done
	srv=$([[ $fam == 4 ]] && echo "$IP4_SRV" || echo "$IP6_SRV")
	cli=$([[ $fam == 4 ]] && echo "$IP4_CLI" || echo "$IP6_CLI")
	check "IPv$fam: AXFR over TCP refused to a non-ACL client" \
		has "^REFUSED$" in_cli $CLIENT rcode "$srv" "$cli" . AXFR tcp
	check "IPv$fam: IXFR refused to a non-ACL client" \
		has "^REFUSED$" in_cli $CLIENT rcode "$srv" "$cli" . IXFR tcp
	check "IPv$fam/udp: net A without EDNS: TC=1 (in-domain glue > 512)" \
		has "flags: qr tc;" D$fam +notcp +noedns +ignore net. A
	check "IPv$fam/tcp: net A without EDNS: whole body, no TC" \
		has "flags: qr;.*ADDITIONAL: 26" D$fam +tcp +noedns net. A
	check "IPv$fam/udp: ANY minimal (NS only)" \
		has "ANSWER: 13;" in_cli kdig @"$srv" +norec +notcp . ANY
	check "IPv$fam/tcp: ANY full (SOA, DNSKEY too)" \
		has "IN[[:space:]]+SOA" in_cli kdig @"$srv" +norec +tcp . ANY
	check "IPv$fam/tcp: keepalive option answered" \
		has "TCP KEEPALIVE: 2.0 secs" D$fam +tcp +keepalive . SOA
done

# ---- hand-made queries ----
raw() { in_cli $CLIENT raw "$@"; }
q_com="0001000000000000""03636f6d00""00010001"
check "opcode STATUS: NOTIMP, no flags but QR" \
	has "rcode NOTIMP opcode 2 flags qr counts 0 0 0 0 len 12" raw "$IP4_SRV" "abcd1130$q_com"
check "trailing garbage: FORMERR, ID/RD echoed, 12 bytes" \
	has "rcode FORMERR opcode 0 flags qr,rd counts 0 0 0 0 len 12" raw "$IP4_SRV" "abcd0100${q_com}00"
check "compressed qname followed (referral)" \
	has "rcode NOERROR opcode 0 flags qr counts 1 0 1[35] " \
	raw "$IP4_SRV" "abcd00000001000000000000""03777777""03636f6d""c00b""00010001"
check "two OPTs: FORMERR" has "rcode FORMERR" \
	raw "$IP6_SRV" "abcd00000001000000000002${q_com#0001000000000000}""0000290200000000000000""0000290200000000000000"
check "QR=1: no answer" has "no answer" raw "$IP4_SRV" "abcd8000$q_com"
check "TCP: compressed qname over TCP" has "rcode NOERROR" \
	raw "$IP4_SRV" "abcd00000001000000000000""03777777""03636f6d""c00b""00010001" tcp

# ---- TCP: pipelining, idle timeout, caps ----
check "TCP pipelining: 200 queries on one connection, matched by ID" \
	in_cli $CLIENT pipeline "$IP4_SRV" 200
check "TCP pipelining over IPv6" in_cli $CLIENT pipeline "$IP6_SRV" 50
check "TCP idle connection closed within 2 s + slack" in_cli $CLIENT idle "$IP4_SRV" 4
check "per-client cap: 4 served, the 5th closed" in_cli $CLIENT caps "$IP4_SRV" "$IP4_CLI" 4
# total cap 6: hold 4 from .2, then .3 gets 2 and its 3rd is closed
bg_start hold ip netns exec "$NS_CLI" $CLIENT hold "$IP4_SRV" "$IP4_CLI" 4 6
HOLD=$BG_PID
wait_until 5 grep -q holding "$RX_TMP/hold.log"
check "total cap: 2 more served, then closed" in_cli $CLIENT caps "$IP4_SRV" "$XFR4" 2
bg_stop "$HOLD"
check "after the holders leave, connections are served again" \
	in_cli $CLIENT caps "$IP4_SRV" "$XFR4" 4

# ---- zone transfer ----
check "AXFR over UDP: NOTIMP" has "^NOTIMP$" in_cli $CLIENT rcode "$IP4_SRV" "$XFR4" . AXFR
check "AXFR (IPv4 ACL) equals the zone file" in_cli $CLIENT axfr "$IP4_SRV" "$XFR4" "$zdir/root.zone"
check "AXFR (IPv6 ACL) equals the zone file" in_cli $CLIENT axfr "$IP6_SRV" "$XFR6" "$zdir/root.zone"
check "dig AXFR from the ACL address" \
	has "XFR size: [0-9]+ records" in_cli dig @"$IP4_SRV" -b "$XFR4" . AXFR
check "IXFR with the current serial: the SOA only" \
	has "XFR size: 1 records" in_cli dig @"$IP4_SRV" -b "$XFR4" +tcp . IXFR="$serial"
check "IXFR with an older serial: the whole zone, AXFR-style" \
	has "XFR size: [0-9]{4,} records" in_cli dig @"$IP4_SRV" -b "$XFR4" +tcp . IXFR=$((serial - 1))

# ---- reload under a query stream ----
bg_start stream ip netns exec "$NS_CLI" $CLIENT stream "$IP4_SRV" 1500 300 "$RX_TMP/stream.out"
SPID=$BG_PID
sleep 1.5
cp "$RX_TMP/next.img" "$RX_TMP/live.img.new" && mv "$RX_TMP/live.img.new" "$RX_TMP/live.img"
kill -HUP "$DPID"
wait "$SPID"
check "stream: no query lost across the reload" grep -q '^lost 0$' "$RX_TMP/stream.out"
check "stream: serial moved $serial -> $next" grep -q "^serials $serial $next\$" "$RX_TMP/stream.out"
check "serving $next after SIGHUP" has "$next" D4 +short . SOA
check "reload logged" grep -q "serving serial $next" "$RX_TMP/rootxdpd.log"

# the same image again: a no-op
kill -HUP "$DPID"
check "same serial: nothing to do" wait_until 5 grep -q "already served" "$RX_TMP/rootxdpd.log"
# a corrupt image: refused, still serving
head -c 100000 "$RX_TMP/next.img" > "$RX_TMP/live.img.new" && mv "$RX_TMP/live.img.new" "$RX_TMP/live.img"
kill -HUP "$DPID"
check "bad image: reload failed, logged" wait_until 5 grep -q "reload failed" "$RX_TMP/rootxdpd.log"
check "bad image: still serving $next" has "$next" D4 +short . SOA
check "bad image: still serving over TCP/IPv6" has "$next" D6 +tcp +short . SOA
# an older image: refused
cp "$RX_TMP/cur.img" "$RX_TMP/live.img.new" && mv "$RX_TMP/live.img.new" "$RX_TMP/live.img"
kill -HUP "$DPID"
check "older image: refused" wait_until 5 grep -q "reload refused" "$RX_TMP/rootxdpd.log"
check "older image: still serving $next" has "$next" D4 +short . SOA
check "AXFR after reload equals the new zone" in_cli $CLIENT axfr "$IP4_SRV" "$XFR4" "$ndir/root.zone"

# ---- stats ----
sleep 1.2
st=$run/rootxdpd.stats
stat() { awk -v k="$1" '$1 == k { print $2 }' "$st"; }
check "stats file written" test -s "$st"
check "stats: UDP and TCP queries counted" \
	bash -c "(( $(stat queries_udp) > 1000 && $(stat queries_tcp) > 200 ))"
check "stats: one reload, two failures" \
	bash -c "(( $(stat reloads) == 1 && $(stat reload_failed) == 2 ))"
check "stats: TCP connections rejected over the caps" bash -c "(( $(stat tcp_rejected) >= 2 ))"
check "stats: transfers and refusals" \
	bash -c "(( $(stat kind_axfr) >= 3 && $(stat kind_xfr_refused) >= 4 ))"
check "stats: idle closes" bash -c "(( $(stat tcp_idle_closed) >= 1 ))"
check "stats: serial $next" bash -c "(( $(stat serial) == $next ))"

# ---- stop ----
kill -TERM "$DPID"
wait "$DPID"
rc=$?
expect_eq "SIGTERM: exit status 0" "$rc" 0
check "pid file removed" test ! -e "$run/rootxdpd.pid"
check "sd_notify STOPPING=1" grep -q '^STOPPING=1' "$RX_TMP/notify.out"
check "no error lines but the expected ones" \
	bash -c "! grep '^rootxdpd: ' '$RX_TMP/rootxdpd.log' | grep -v -e 'info:' -e 'reload failed' -e 'reload refused'"

summary
