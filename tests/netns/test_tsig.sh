#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_tsig.sh - TSIG (RFC 8945, hmac-sha256) on zone transfers, against
# Knot DNS as the other side, in a namespace pair (tests/netns/lib.sh):
#   * in: `rootxdp refresh` from axfr:// off a knotd whose ACL wants the key:
#     with the key (tsig-key-file, mode 600) the zone is served; without a
#     key, with a wrong secret and with a key knotd does not know, refused
#     in one line naming the key and why; a key file others may read is
#     refused;
#   * out: rootxdpd with axfr-allow-key: kdig with the key gets the whole
#     zone, every message signed and verified by kdig, as many records as
#     knotd's AXFR of the same zone; without the key REFUSED, with a wrong
#     secret BADSIG, each said in rootxdpd's log with the key;
#   * SIGHUP: a new secret in the key file and a new identity are used
#     without a restart; a changed key that needs one is named in the log.
#   tests/netns/test_tsig.sh     (root; O= build dir, RX_ZONE_DIR= a zone)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

RX="$O/rootxdp"
RXC="$O/rootxdp-compile"
RXD="$O/rootxdpd"
need_bins "$RX" "$RXC" "$RXD"
need_cmds dig kdig knotd knotc base64

ns_setup
zones_ab

state=$RX_TMP/state
run=$RX_TMP/run
mkdir -p "$state" "$run"
"$RXC" --trust-anchor "$ZONE_A/trust-anchor.ds" -o "$state/root.img" "$ZONE_A/root.zone" \
	>"$RX_TMP/compile-a.log" 2>&1 || _rx_abort "rootxdp-compile A failed"

SEC=$(head -c 32 /dev/urandom | base64)
BAD=$(head -c 32 /dev/urandom | base64)
SEC2=$(head -c 32 /dev/urandom | base64)
keys=$RX_TMP/tsig.keys
printf '# test keys\nhmac-sha256:xfer-key:%s\n' "$SEC" >"$keys"
chmod 600 "$keys"

mkconf() {	# mkconf FILE [extra lines...]
	local f=$1
	shift
	cat >"$f" <<EOF
state-dir = $state
run-dir = $run
image = $state/root.img
identity = test-$$
listen = $IP4_SRV
port = 53
workers = 1
rrl-rate = 0
trust-anchor = $ZONE_A/trust-anchor.ds
zone-source = axfr://127.0.0.1:5300
axfr-allow = 198.51.100.0/24
EOF
	printf '%s\n' "$@" >>"$f"
}
CONF=$RX_TMP/rootxdp.conf
mkconf "$CONF" "tsig-key-file = $keys" "zone-source-key = xfer-key" "axfr-allow-key = xfer-key"
CONF_BAD=$RX_TMP/bad.conf
mkconf "$CONF_BAD" "tsig-key = xfer-key:$BAD" "tsig-key = unknown-key:$SEC" "zone-source-key = xfer-key"

indent() { sed 's/^/       | /' | head -n 20; }
one_line() {	# one_line DESC RC PATTERN CMD...
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
tcp_serial() { in_cli dig +short +norec +tcp +time=2 +tries=1 "@$IP4_SRV" . SOA | awk '{ print $3 }'; }

# ---------------------------------------------------------------- knotd
knot_primary "$ZONE_B/root.zone" "$SEC"

bg_start rootxdpd ip netns exec "$NS_SRV" "$RXD" --config "$CONF"
DPID=$BG_PID
wait_until 10 tcp_serial || _rx_abort "rootxdpd does not answer (log: $(tail -5 "$RX_TMP/rootxdpd.log"))"
expect_eq "rootxdpd serves serial A" "$(tcp_serial)" "$SERIAL_A"

refresh() { "$RX" refresh --netns "$NS_SRV" "$@"; }

# ---------------------------------------------------------------- AXFR in
one_line "refresh without a key: knotd refuses, said in one line, exit 1" 1 \
	"refused by the primary: .*(REFUSED|NOTAUTH)" refresh --config "$CONF" --key ''
one_line "refresh with a wrong secret: refused, names the key and BADSIG" 1 \
	"TSIG key 'xfer-key': BADSIG" refresh --config "$CONF_BAD"
one_line "refresh with a key knotd does not know: refused, names the key and BADKEY" 1 \
	"TSIG key 'unknown-key': BADKEY" refresh --config "$CONF_BAD" --key unknown-key
expect_eq "  ... still serving serial A" "$(tcp_serial)" "$SERIAL_A"
chmod 644 "$keys"
one_line "a key file others may read: refused, names the file" 1 \
	"tsig-key-file $keys: refused: group or others may read it" refresh --config "$CONF"
chmod 600 "$keys"
out=$(refresh --config "$CONF" -v 2>&1) && rc=0 || rc=$?
if ((rc == 0)) && grep -q "signed with TSIG key 'xfer-key', all verified" <<<"$out"; then
	ok "refresh with the key: exit 0, every signed message verified"
else
	fail "refresh with the key (exit $rc)"
	indent <<<"$out"
fi
wait_until 5 test "$(tcp_serial)" = "$SERIAL_B"
expect_eq "  ... rootxdpd serves serial B" "$(tcp_serial)" "$SERIAL_B"
# knotd logs (at info) only the transfers it made: one, the signed one.
expect_eq "  ... knotd made one transfer for the four attempts" \
	"$(grep -c "AXFR, outgoing.*finished" "$RX_TMP/knot.log")" 1

# ---------------------------------------------------------------- AXFR out
kaxfr() { in_cli kdig +time=5 +retry=0 "@$IP4_SRV" "$@" . AXFR 2>&1; }
out=$(kaxfr -y "hmac-sha256:xfer-key:$SEC")
n_rx=$(grep -cvE '^;|^$' <<<"$out")
n_knot=$(ip netns exec "$NS_SRV" kdig +time=5 -p 5300 @127.0.0.1 -y "hmac-sha256:xfer-key:$SEC" . AXFR 2>&1 |
	grep -cvE '^;|^$')
msgs=$(sed -n 's/.*(\([0-9]*\) messages.*/\1/p' <<<"$out")
if [[ -n "$msgs" ]] && ((n_rx > 100)) && ! grep -qi "warning\|failed" <<<"$out"; then
	ok "kdig AXFR with the key: $msgs messages, no verification warning"
else
	fail "kdig AXFR with the key (messages '$msgs', $n_rx lines)"
	indent <<<"$out"
fi
expect_eq "  ... as many lines (records + one TSIG per message) as knotd's, less its own TSIGs" \
	"$((n_rx - msgs))" "$((n_knot - $(ip netns exec "$NS_SRV" kdig +time=5 -p 5300 @127.0.0.1 \
	-y "hmac-sha256:xfer-key:$SEC" . AXFR 2>&1 | grep -c 'ANY[[:space:]]*TSIG')))"
expect_eq "  ... one TSIG per message" "$(grep -c 'ANY[[:space:]]*TSIG' <<<"$out")" "$msgs"
out=$(kaxfr)
if grep -q "REFUSED" <<<"$out" && ! grep -q "IN[[:space:]]*SOA" <<<"$out"; then
	ok "kdig AXFR without a key: REFUSED"
else
	fail "kdig AXFR without a key"
	indent <<<"$out"
fi
check "  ... rootxdpd says why" grep -q "transfer to $IP4_CLI refused: axfr-allow-key wants a TSIG key" \
	"$RX_TMP/rootxdpd.log"
out=$(kaxfr -y "hmac-sha256:xfer-key:$BAD")
if grep -q "BADSIG" <<<"$out" && ! grep -q "IN[[:space:]]*SOA" <<<"$out"; then
	ok "kdig AXFR with a wrong secret: NOTAUTH, BADSIG"
else
	fail "kdig AXFR with a wrong secret"
	indent <<<"$out"
fi
check "  ... rootxdpd names the key and why" grep -q "TSIG from $IP4_CLI refused: key 'xfer-key': BADSIG" \
	"$RX_TMP/rootxdpd.log"

# ---------------------------------------------------------------- SIGHUP
printf 'hmac-sha256:xfer-key:%s\n' "$SEC2" >"$keys"
echo "tcp-max-clients = 999" >>"$CONF"
sed -i "s/^identity = .*/identity = hup-$$/" "$CONF"
kill -HUP "$(cat "$run/rootxdpd.pid")"
wait_until 5 bash -c "ip netns exec '$NS_CLI' kdig +time=2 @$IP4_SRV -y hmac-sha256:xfer-key:$SEC2 . SOA +tcp 2>&1 | grep -q 'status: NOERROR'"
out=$(in_cli kdig +time=2 "@$IP4_SRV" -y "hmac-sha256:xfer-key:$SEC2" . SOA +tcp 2>&1)
if grep -q "status: NOERROR" <<<"$out" && ! grep -qi "warning" <<<"$out"; then
	ok "SIGHUP: the new secret is used without a restart"
else
	fail "SIGHUP: the new secret"
	indent <<<"$out"
fi
out=$(in_cli kdig +time=2 "@$IP4_SRV" -y "hmac-sha256:xfer-key:$SEC" . SOA +tcp 2>&1)
check "  ... and the old one is refused (BADSIG)" grep -q "BADSIG" <<<"$out"
check "  ... a changed key that needs a restart is named in the log" \
	grep -q "SIGHUP: tcp-max-clients changed in $CONF: not applied, they need a restart" \
	"$RX_TMP/rootxdpd.log"
check_not "  ... and the applied ones are not" grep -qE "SIGHUP: .*(tsig-key|identity).* changed" \
	"$RX_TMP/rootxdpd.log"
expect_eq "  ... a changed identity is answered (id.server CH TXT over TCP)" \
	"$(in_cli dig +short +tcp +time=2 +tries=1 "@$IP4_SRV" CH TXT id.server)" "\"hup-$$\""
expect_eq "  ... and as NSID" "$(in_cli dig +tcp +nsid +time=2 +tries=1 "@$IP4_SRV" . SOA |
	sed -n 's/.*NSID: .*("\(.*\)").*/\1/p')" "hup-$$"

bg_stop "$DPID"
bg_stop "$KPID"
summary
