#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_refresh_user.sh - least privilege in `rootxdp refresh`: with
# `user = nobody`, the fetch (curl), the AXFR and rootxdp-compile run as
# nobody, and only the install and the daemon signal as root.  Shown from
# outside the code under test: a curl shim in PATH and a rootxdp-compile
# wrapper beside the rootxdp binary write `id -u` to a log, and stat(1)
# gives the owner of what each step wrote.  Sources: a file, HTTP
# (python3 http.server) and AXFR off knotd with a TSIG key from a
# root-only key file (read before the drop).  rootxdpd runs beside it
# (also as nobody) and must serve each new serial.
#   tests/netns/test_refresh_user.sh   (root; O= build dir, RX_ZONE_DIR= a zone)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

RXC="$O/rootxdp-compile"
RXD="$O/rootxdpd"
need_bins "$O/rootxdp" "$RXC" "$RXD"
need_cmds dig knotd knotc curl python3 stat
getent passwd nobody >/dev/null || _rx_abort "no user nobody"
NOBODY=$(id -u nobody)

ns_setup
zones_ab
mk() {	# mk NAME SERIAL
	"$RX_TOP/tests/zones/mkzone.sh" --out "$RX_TMP/$1" --serial "$2" --keys "$ZONE_A" \
		>"$RX_TMP/mkzone-$1.log" 2>&1 || _rx_abort "mkzone.sh $1 (serial $2) failed"
}
SERIAL_C=$((SERIAL_B + 1)) SERIAL_D=$((SERIAL_B + 2))
mk zone-c "$SERIAL_C"
mk zone-d "$SERIAL_D"

# nobody must reach the work dir (under state-dir) and the binaries.
chmod 711 "$RX_TMP"
mkdir -p "$RX_TMP/bin" "$RX_TMP/shim" "$RX_TMP/who"
chmod 777 "$RX_TMP/who"
who=$RX_TMP/who/log
cp "$O/rootxdp" "$RX_TMP/bin/rootxdp"
cat >"$RX_TMP/bin/rootxdp-compile" <<EOF
#!/bin/sh
echo "compile uid=\$(id -u) \$*" >>"$who"
exec "$RXC" "\$@"
EOF
cat >"$RX_TMP/shim/curl" <<EOF
#!/bin/sh
echo "curl uid=\$(id -u)" >>"$who"
exec /usr/bin/curl "\$@"
EOF
chmod 755 "$RX_TMP/bin" "$RX_TMP/shim" "$RX_TMP/bin/rootxdp-compile" "$RX_TMP/shim/curl"
RX="$RX_TMP/bin/rootxdp"

state=$RX_TMP/state
run=$RX_TMP/run
mkdir -p "$state" "$run"
"$RXC" --trust-anchor "$ZONE_A/trust-anchor.ds" -o "$state/root.img" "$ZONE_A/root.zone" \
	>"$RX_TMP/compile-a.log" 2>&1 || _rx_abort "rootxdp-compile A failed"
SEC=$(head -c 32 /dev/urandom | base64)
keys=$RX_TMP/tsig.keys
printf 'xfer-key:%s\n' "$SEC" >"$keys"
chmod 600 "$keys"
CONF=$RX_TMP/rootxdp.conf
cat >"$CONF" <<EOF
state-dir = $state
run-dir = $run
image = $state/root.img
identity = test-$$
listen = $IP4_SRV
port = 53
workers = 1
rrl-rate = 0
user = nobody
trust-anchor = $ZONE_A/trust-anchor.ds
zone-source = $ZONE_B/root.zone
tsig-key-file = $keys
EOF

indent() { sed 's/^/       | /' | head -n 20; }
tcp_serial() { in_cli dig +short +norec +tcp +time=2 +tries=1 "@$IP4_SRV" . SOA | awk '{ print $3 }'; }
refresh() { PATH="$RX_TMP/shim:$PATH" "$RX" refresh --config "$CONF" --netns "$NS_SRV" "$@"; }
refresh_ok() {	# refresh_ok DESC SERIAL ARGS...: exit 0, silent, SERIAL served
	local desc=$1 want=$2 out rc
	shift 2
	out=$(refresh "$@" 2>&1) && rc=0 || rc=$?
	if ((rc == 0)) && [[ -z "$out" ]]; then
		ok "$desc: exit 0, silent"
	else
		fail "$desc (exit $rc)"
		indent <<<"$out"
	fi
	wait_until 5 test "$(tcp_serial)" = "$want"
	expect_eq "  ... rootxdpd serves serial $want" "$(tcp_serial)" "$want"
}
uids() { awk -v w="$1" '$1 == w { sub("uid=", "", $2); print $2 }' "$who" | sort -u | tr '\n' ' '; }

bg_start rootxdpd ip netns exec "$NS_SRV" "$RXD" --config "$CONF"
DPID=$BG_PID
wait_until 10 tcp_serial || _rx_abort "rootxdpd does not answer (log: $(tail -5 "$RX_TMP/rootxdpd.log"))"

# ---------------------------------------------------------------- a file
refresh_ok "refresh from a file as root, user = nobody" "$SERIAL_B"
expect_eq "  ... rootxdp-compile ran (serial, compile) as nobody only" "$(uids compile)" "$NOBODY "
check "  ... both the --print-serial and the compile" grep -q "compile uid=$NOBODY .*-o $state/refresh/image.new" "$who"
expect_eq "  ... the work dir state-dir/refresh: nobody's, mode 700" \
	"$(stat -c '%u %a' "$state/refresh")" "$NOBODY 700"
expect_eq "  ... the installed image is root's, not the user's" "$(stat -c %u "$state/root.img")" 0
check "  ... no image.new left in the work dir" test ! -e "$state/refresh/image.new"

# ---------------------------------------------------------------- HTTP
www=$RX_TMP/www
mkdir -p "$www"
cp "$RX_TMP/zone-c/root.zone" "$www/root.zone"
bg_start http ip netns exec "$NS_SRV" /usr/bin/python3 -m http.server --bind 127.0.0.1 \
	--directory "$www" 8053
HPID=$BG_PID
wait_until 10 ip netns exec "$NS_SRV" /usr/bin/curl -fsS -o /dev/null http://127.0.0.1:8053/ ||
	_rx_abort "http.server does not answer"
: >"$who"
refresh_ok "refresh over HTTP" "$SERIAL_C" --source http://127.0.0.1:8053/root.zone
expect_eq "  ... curl ran as nobody only" "$(uids curl)" "$NOBODY "
expect_eq "  ... rootxdp-compile too" "$(uids compile)" "$NOBODY "
expect_eq "  ... the download is nobody's" "$(stat -c %u "$state/refresh/zone.download")" "$NOBODY"
bg_stop "$HPID"

# ---------------------------------------------------------------- AXFR + TSIG
knot_primary "$RX_TMP/zone-d/root.zone" "$SEC"
: >"$who"
refresh_ok "refresh by AXFR with a key from a root-only file" "$SERIAL_D" \
	--source axfr://127.0.0.1:5300 --key xfer-key
expect_eq "  ... the transfer was written by nobody" "$(stat -c %u "$state/refresh/zone.axfr")" "$NOBODY"
expect_eq "  ... and compiled by nobody" "$(uids compile)" "$NOBODY "
expect_eq "  ... the key file is still root's, mode 600" "$(stat -c '%u %a' "$keys")" "0 600"
check "  ... knotd made the transfer" grep -q "AXFR, outgoing.*finished" "$RX_TMP/knot.log"
bg_stop "$KPID"

# The user owns the work dir: a link it plants where root copies a file
# is replaced (unlink, O_EXCL), never written through.
sum=$(sha256sum </etc/passwd)
ln -sf /etc/passwd "$state/refresh/zone.file"
refresh --source "$RX_TMP/zone-d/root.zone" >/dev/null 2>&1
expect_eq "a link planted in the work dir: /etc/passwd untouched" "$(sha256sum </etc/passwd)" "$sum"
check "  ... the copy is a regular file" test -f "$state/refresh/zone.file" -a ! -L "$state/refresh/zone.file"

bg_stop "$DPID"
summary
