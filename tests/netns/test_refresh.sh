#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_refresh.sh - `rootxdp refresh`, `rootxdp health` and `load
# --previous` with the full stack in a namespace pair (tests/netns/lib.sh):
# XDP attached to the server veth, rootxdpd running in the server
# namespace, a client asking over UDP (answered in the kernel) and TCP
# (answered by rootxdpd).
#   * from a file: serial+1 is served by both; the same serial again is a
#     silent no-op; an older zone, a zone with a flipped RRSIG byte and one
#     whose signatures expire within sig-expire-margin are refused, each
#     in one line, and serving is untouched; IMAGE.prev is kept;
#   * from HTTP (python3 http.server on 127.0.0.1 in the server namespace):
#     a new zone, then 304 Not Modified is a no-op; a 404 is a failure;
#   * from AXFR off a Knot primary (ACL allowing transfer) in the same
#     namespace; then the unchanged primary is a no-op without a transfer;
#   * a held state-dir/refresh.lock: exit 3;
#   * load --previous; health: healthy, daemon behind the maps, stale
#     zone, signatures close to expiry, rootxdpd down, XDP not attached.
#   tests/netns/test_refresh.sh     (root; O= build dir, RX_ZONE_DIR= a
#                                    mkzone.sh output to reuse)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

RX="$O/rootxdp"
RXC="$O/rootxdp-compile"
RXD="$O/rootxdpd"
need_bins "$RX" "$RXC" "$RXD"
for t in dig knotd knotc curl flock; do
	command -v "$t" >/dev/null || { echo "FAIL   $t not found (scripts/deps.sh)"; echo "0 passed, 1 failed"; exit 1; }
done

ns_setup

# ---------------------------------------------------------------- zones
# A (serial S) from the shared test zone; B..E with the same keys.
zdir=${RX_ZONE_DIR:-}
if [[ -z "$zdir" || ! -s "$zdir/root.zone" ]]; then
	zdir=$RX_TMP/zone-a
	"$RX_TOP/tests/zones/mkzone.sh" --out "$zdir" --tlds 100 >"$RX_TMP/mkzone-a.log" 2>&1 ||
		_rx_abort "mkzone.sh failed (see $RX_TMP/mkzone-a.log)"
fi
S=$(awk '$4 == "SOA" { print $7; exit }' "$zdir/root.zone")
[[ "$S" =~ ^[0-9]+$ ]] || _rx_abort "no SOA serial in $zdir/root.zone"
mk() {	# mk NAME SERIAL [mkzone options]
	local name=$1 serial=$2
	shift 2
	"$RX_TOP/tests/zones/mkzone.sh" --out "$RX_TMP/$name" --serial "$serial" --keys "$zdir" "$@" \
		>"$RX_TMP/mkzone-$name.log" 2>&1 || _rx_abort "mkzone.sh $name (serial $serial) failed"
}
soon=$(date -u -d '+2 days' +%Y%m%d%H%M%S)
mk zone-b $((S + 1))
mk zone-c $((S + 2))
mk zone-d $((S + 3))
mk zone-e $((S + 4)) --expiration "$soon"
# C with one byte of an RRSIG's signature flipped (in the base64, so it
# still parses; the signature no longer verifies).
awk 'BEGIN { done = 0 }
     !done && $4 == "RRSIG" && $5 == "DS" {
	sig = $NF; c = substr(sig, 10, 1); n = (c == "A") ? "B" : "A"
	$NF = substr(sig, 1, 9) n substr(sig, 11); done = 1 }
     { print }' "$RX_TMP/zone-c/root.zone" >"$RX_TMP/corrupt.zone"
cmp -s "$RX_TMP/corrupt.zone" "$RX_TMP/zone-c/root.zone" && _rx_abort "could not corrupt an RRSIG"
echo "# serials: A $S, B $((S + 1)), C $((S + 2)), D $((S + 3)), E $((S + 4)) (signatures until $soon)"

state=$RX_TMP/state
run=$RX_TMP/run
mkdir -p "$state" "$run"
"$RXC" --trust-anchor "$zdir/trust-anchor.ds" -o "$state/root.img" "$zdir/root.zone" \
	>"$RX_TMP/compile-a.log" 2>&1 || _rx_abort "rootxdp-compile A failed"

CONF=$RX_TMP/rootxdp.conf
cat >"$CONF" <<EOF
# test configuration
pin-root = $RX_PIN_DIR
run-dir = $run
state-dir = $state
image = $state/root.img
identity = test-$$
listen = $IP4_SRV $IP6_SRV
port = 53
workers = 1
trust-anchor = $zdir/trust-anchor.ds
zone-source = $RX_TMP/zone-b/root.zone
EOF
rx() {
	local cmd=$1
	shift
	"$RX" "$cmd" --config "$CONF" "$@"
}
indent() { sed 's/^/       | /' | head -n 20; }
# rx_out DESC RC PATTERN CMD...: CMD exits RC and its output matches
# PATTERN ("^$" = no output at all).
rx_out() {
	local desc=$1 want=$2 pat=$3 out rc
	shift 3
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [[ $rc == "$want" ]] && { [[ "$pat" == '^$' && -z "$out" ]] ||
		{ [[ "$pat" != '^$' ]] && grep -qE -- "$pat" <<<"$out"; }; }; then
		ok "$desc"
	else
		fail "$desc (exit $rc, wanted $want and /$pat/)"
		indent <<<"$out"
	fi
}
# One line of output exactly.
one_line() {
	local desc=$1 want=$2 pat=$3 out rc
	shift 3
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [[ $rc == "$want" && $(wc -l <<<"$out") -eq 1 ]] && grep -qE -- "$pat" <<<"$out"; then
		ok "$desc"
	else
		fail "$desc (exit $rc, wanted $want and one line /$pat/)"
		indent <<<"$out"
	fi
}
refresh() { "$RX" refresh --config "$CONF" --netns "$NS_SRV" "$@"; }
health() { "$RX" health --config "$CONF" --netns "$NS_SRV" "$@"; }
# The serial the kernel answers (UDP) and rootxdpd answers (TCP).
xdp_serial() { in_cli dig +short +norec +nocookie +time=2 +tries=1 "@$IP4_SRV" . SOA | awk '{ print $3 }'; }
tcp_serial() { in_cli dig +short +norec +tcp +time=2 +tries=1 "@$IP4_SRV" . SOA | awk '{ print $3 }'; }
answered() {
	rx stats | awk '$1 == "xdp.answered" || $1 == "tc.answered" { n += $2 } END { print n + 0 }'
}
serving() {	# serving DESC SERIAL: both paths answer SERIAL
	local a0 x t
	a0=$(answered)
	x=$(xdp_serial)
	t=$(tcp_serial)
	if [[ "$x" == "$2" && "$t" == "$2" && $(answered) -gt $a0 ]]; then
		ok "$1: XDP and rootxdpd serve $2"
	else
		fail "$1: wanted $2 from both, XDP (UDP) $x, rootxdpd (TCP) $t, kernel answers $a0 -> $(answered)"
	fi
}
img_serial() { "$RXC" --dump "$1" 2>/dev/null | awk '/^serial:/ { print $2; exit }'; }

# ---------------------------------------------------------------- the stack
rx_out "attach with image A" 0 "attached" rx attach --netns "$NS_SRV" -i "$DEV_SRV"
bg_start rootxdpd ip netns exec "$NS_SRV" "$RXD" --config "$CONF"
DPID=$BG_PID
wait_until 10 tcp_serial || _rx_abort "rootxdpd does not answer (log: $(tail -5 "$RX_TMP/rootxdpd.log"))"
serving "start" "$S"
rx_out "health: healthy, exit 0, silent" 0 '^$' health
rx_out "health -v says why" 0 "healthy: serial $S" health -v
rx_out "load --previous before any refresh: none kept" 1 "no previous image" rx load --previous

# ---------------------------------------------------------------- from a file
rx_out "refresh from a file, serial $((S + 1)): exit 0, silent" 0 '^$' refresh
serving "after refresh B" $((S + 1))
expect_eq "  ... IMAGE.prev holds serial $S" "$(img_serial "$state/root.img.prev")" "$S"
expect_eq "  ... the image holds serial $((S + 1))" "$(img_serial "$state/root.img")" $((S + 1))
check "  ... refresh.stamp names serial $((S + 1))" grep -q "^serial $((S + 1)) checked" "$state/refresh.stamp"
check "  ... rootxdpd logged the reload" grep -q "serving serial $((S + 1))" "$RX_TMP/rootxdpd.log"
rx_out "the same serial again: silent no-op, exit 0" 0 '^$' refresh
rx_out "  ... -v says so" 0 "served already: nothing to do" refresh -v
# An image this build cannot read (an older format, as after a package
# upgrade): the same serial is compiled again, not a no-op until the next.
python3 - "$state/root.img" <<'PY'
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
struct.pack_into("<I", b, 8, struct.unpack_from("<I", b, 8)[0] - 1)	# hdr.version
open(p + ".old", "wb").write(b)
PY
mv "$state/root.img.old" "$state/root.img"
check_not "  ... (the older-format image is unreadable)" "$RXC" --dump "$state/root.img"
rx_out "an image of an older format at the served serial: compiled again, exit 0" 0 \
	"compiling the zone again" refresh -v
expect_eq "  ... the image is readable again, serial $((S + 1))" "$(img_serial "$state/root.img")" $((S + 1))
serving "after compiling again" $((S + 1))
rx_out "  ... and the next run is a no-op again" 0 "served already: nothing to do" refresh -v
one_line "an older zone (A): refused in one line, exit 1" 1 "serial $S is older than the served $((S + 1))" \
	refresh --source "$zdir/root.zone"
one_line "a flipped RRSIG byte: refused in one line, exit 1" 1 \
	"zone refused \(still serving serial $((S + 1))\): rootxdp-compile: .*" \
	refresh --source "$RX_TMP/corrupt.zone"
check "  ... no image.new left behind" test ! -e "$state/root.img.new"
one_line "signatures expiring within sig-expire-margin: refused, exit 1" 1 \
	"signatures expiring at .*within sig-expire-margin" refresh --source "$RX_TMP/zone-e/root.zone"
one_line "a missing file: exit 1" 1 "cannot read the zone" refresh --source "$RX_TMP/nope.zone"
serving "after the refused zones" $((S + 1))
expect_eq "  ... the image is still $((S + 1))" "$(img_serial "$state/root.img")" $((S + 1))

# ---------------------------------------------------------------- the lock
# One process holds it (exec: the PID recorded is the holder's).
bg_start lock bash -c "exec 9>>'$state/refresh.lock'; flock 9 && touch '$RX_TMP/locked' && exec sleep 30"
LPID=$BG_PID
wait_until 5 test -e "$RX_TMP/locked" || fail "could not take the lock for the test"
one_line "refresh while another holds the lock: exit 3" 3 "another refresh is running" refresh
bg_stop "$LPID"

# ---------------------------------------------------------------- from HTTP
www=$RX_TMP/www
mkdir -p "$www"
cp "$RX_TMP/zone-c/root.zone" "$www/root.zone"
touch -d '2026-01-01 00:00:00 UTC' "$www/root.zone"
bg_start http ip netns exec "$NS_SRV" /usr/bin/python3 -m http.server --bind 127.0.0.1 \
	--directory "$www" 8053
HPID=$BG_PID
wait_until 10 ip netns exec "$NS_SRV" curl -fsS -o /dev/null http://127.0.0.1:8053/ ||
	_rx_abort "http.server does not answer"
URL=http://127.0.0.1:8053/root.zone
rx_out "refresh from $URL: exit 0, silent" 0 '^$' refresh --source "$URL"
serving "after refresh C over HTTP" $((S + 2))
check "  ... the download is kept for If-Modified-Since" test -s "$state/zone.download"
n200=$(grep -c '"GET /root.zone HTTP/1.1" 200' "$RX_TMP/http.log")
rx_out "the same URL again: not modified, silent no-op" 0 '^$' refresh --source "$URL"
check "  ... the server answered 304" grep -q '"GET /root.zone HTTP/1.1" 304' "$RX_TMP/http.log"
expect_eq "  ... and sent the zone only once" "$(grep -c '"GET /root.zone HTTP/1.1" 200' "$RX_TMP/http.log")" "$n200"
one_line "a 404: exit 1" 1 "cannot download the zone from .*404" refresh --source http://127.0.0.1:8053/nope.zone
one_line "nothing listening: exit 1" 1 "cannot download the zone" refresh --source http://127.0.0.1:9/root.zone
serving "after the failed downloads" $((S + 2))
bg_stop "$HPID"

# ---------------------------------------------------------------- from AXFR
knot_primary "$RX_TMP/zone-d/root.zone"
rx_out "refresh by AXFR from knotd: exit 0, silent" 0 '^$' refresh --source axfr://127.0.0.1:5300
serving "after refresh D by AXFR" $((S + 3))
check "  ... knotd logged the transfer" grep -qi "AXFR.*started\|AXFR, outgoing" "$RX_TMP/knot.log"
nx=$(grep -ci "AXFR, outgoing.*started" "$RX_TMP/knot.log")
rx_out "the primary unchanged: silent no-op" 0 '^$' refresh --source axfr://127.0.0.1:5300
expect_eq "  ... without a second transfer" "$(grep -ci "AXFR, outgoing.*started" "$RX_TMP/knot.log")" "$nx"
one_line "no primary on the port: exit 1" 1 "cannot reach the primary" refresh --source axfr://127.0.0.1:5399
one_line "a bad axfr:// source: exit 1" 1 "expected axfr://HOST" refresh --source axfr://127.0.0.1:notaport
bg_stop "$KPID"

# ---------------------------------------------------------------- load --previous, health
# Rollback: both paths go back, IMAGE and IMAGE.prev trade places.
out=$(rx load --previous 2>&1) && rc=0 || rc=$?
if ((rc == 0)) && grep -q "serving serial $((S + 2)) (was $((S + 3)))" <<<"$out" &&
	grep -q "rolled back" <<<"$out"; then
	ok "load --previous: back to $((S + 2)), rootxdpd told"
else
	fail "load --previous (exit $rc)"
	indent <<<"$out"
fi
wait_until 5 test "$(tcp_serial)" = $((S + 2))
serving "after load --previous" $((S + 2))
expect_eq "  ... IMAGE is now serial $((S + 2))" "$(img_serial "$state/root.img")" $((S + 2))
expect_eq "  ... IMAGE.prev holds $((S + 3))" "$(img_serial "$state/root.img.prev")" $((S + 3))
rx_out "health: healthy after the rollback" 0 '^$' health
rx_out "load --previous again rolls forward" 0 "serving serial $((S + 3))" rx load --previous
wait_until 5 test "$(tcp_serial)" = $((S + 3))
serving "after rolling forward" $((S + 3))
# The maps alone moved back (a hand-made load): rootxdpd is behind.
rx_out "load the previous image by hand into the maps only" 0 "serving serial $((S + 2))" \
	rx load --force "$state/root.img.prev"
rx_out "health: rootxdpd ahead of the maps is a problem" 1 \
	"rootxdpd serves serial $((S + 3)), XDP serial $((S + 2))" health
rx_out "load the current image again" 0 "serving serial $((S + 3))" rx load
rx_out "health: healthy again" 0 '^$' health
now=$(date +%s)
rx_out "health 8 days later: stale (SOA expire 7d)" 1 "zone serial $((S + 3)) is stale" health --now $((now + 8 * 86400))
exp=$(date -u -d 2036-01-01 +%s)
rx_out "health 3 days before the signatures expire: within the 7d margin" 1 \
	"signatures expire at 2036-01-01.*within sig-expire-margin" health --now $((exp - 3 * 86400))
rx_out "health after they expired" 1 "signatures expired" health --now $((exp + 1))
"$RXC" --trust-anchor "$zdir/trust-anchor.ds" -o "$RX_TMP/e.img" "$RX_TMP/zone-e/root.zone" \
	>/dev/null 2>&1 || _rx_abort "rootxdp-compile E failed"
rx_out "an image with signatures expiring in 2 days, loaded by hand" 0 "serving serial $((S + 4))" \
	rx load "$RX_TMP/e.img"
rx_out "  ... health: expire within sig-expire-margin (the image is not IMAGE: says so)" 1 \
	"cannot check the age" health
cp "$RX_TMP/e.img" "$state/root.img"
rx_out "  ... once it is IMAGE, health names the expiry" 1 "signatures expire at .*within sig-expire-margin" health
rx_out "  ... status warns" 0 "warning: .*within sig-expire-margin" rx status
rx_out "health --quiet: exit 1, no output" 1 '^$' health --quiet

bg_stop "$DPID"
rx_out "health with rootxdpd stopped" 1 "rootxdpd is not running" health
rx_out "detach" 0 "detached" rx detach
rx_out "health with XDP detached" 1 "XDP is not attached" health

summary
