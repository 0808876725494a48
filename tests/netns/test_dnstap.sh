#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_dnstap.sh - rootxdpd's dnstap, read back with BIND's dnstap-read.
#   tests/netns/test_dnstap.sh          (root; O= build dir, default build)
#
# rootxdpd alone (no XDP attached) in the server namespace, dnstap to a
# file: a known set of queries (UDP and TCP, IPv4 and IPv6, several qtypes,
# CHAOS, NXDOMAIN) from the client namespace must each appear once as an
# AUTH_QUERY and once as an AUTH_RESPONSE with the right protocol, family,
# addresses, port, question and rcode, and the identity; the counters
# (dnstap_sent, dnstap_dropped) must match what was written.  Then log
# rotation: the file moved away and SIGHUP starts a new one, the old one
# complete; a SIGHUP with the file in place keeps it.  Then a unix socket
# read by fstrm_capture, with dnstap-log-responses = no and a
# dnstap-identity of its own.  And a relative path is refused at start.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

ns_setup
RXD="$O/rootxdpd"
COMPILE="$O/rootxdp-compile"
for f in "$RXD" "$COMPILE"; do
	[[ -x "$f" ]] || _rx_abort "$f not built (make)"
done
for t in dig dnstap-read fstrm_capture; do
	command -v $t >/dev/null || _rx_abort "$t not found (scripts/deps.sh)"
done

zone_a
"$COMPILE" -o "$RX_TMP/root.img" "$ZONE_A/root.zone" >/dev/null || _rx_abort "rootxdp-compile failed"

# write_conf FILE EXTRA-LINES: a daemon config with dnstap settings.
write_conf() {
	cat >"$1" <<EOF
image = $RX_TMP/root.img
run-dir = $RX_TMP/run
state-dir = $RX_TMP/state
rrl-rate = 0
identity = rx-dnstap-srv
listen = $IP4_SRV $IP6_SRV
port = 53
workers = 2
$2
EOF
}

# tap FILE: one line per dnstap message of dnstap-read -y:
#   TYPE FAMILY PROTOCOL QUERY-ADDR RESPONSE-ADDR RESPONSE-PORT RCODE QUESTION
# (RCODE "-" for a query); IDENTITY lines separately with tap_ident.
tap() {
	dnstap-read -y "$1" | awk '
		function flush() {
			if (t != "")
				print t, f, p, qa, ra, rp, (t == "AUTH_RESPONSE" ? st : "-"), q
			t = f = p = qa = ra = rp = st = q = ""
		}
		/^---/ { flush(); next }
		/^  type: / { t = $2 }
		/^  socket_family: / { f = $2 }
		/^  socket_protocol: / { p = $2 }
		/^  query_address: / { qa = $2; gsub(/"/, "", qa) }
		/^  response_address: / { ra = $2; gsub(/"/, "", ra) }
		/^  response_port: / { rp = $2 }
		/^    status: / { st = $2 }
		/^    QUESTION_SECTION:/ {
			getline; q = $0; sub(/^ *- \047/, "", q); sub(/\047$/, "", q)
		}
		END { flush() }'
}
tap_ident() { dnstap-read -y "$1" | sed -n 's/^identity: //p' | sort | uniq -c | awk '{ print $1, $2 }'; }

# ---- a file ----
mkdir -p "$RX_TMP/run"
tapf=$RX_TMP/dnstap.fstrm
conf=$RX_TMP/rootxdp.conf
write_conf "$conf" "dnstap = $tapf"
bg_start rootxdpd ip netns exec "$NS_SRV" "$RXD" --config "$conf"
DPID=$BG_PID
dq() {	# FAMILY TRANSPORT NAME [CLASS] TYPE
	local srv=$IP4_SRV
	[[ $1 == 6 ]] && srv=$IP6_SRV
	in_cli dig @"$srv" +norec +time=2 +tries=1 "+$2" "${@:3}"
}
wait_until 10 dq 4 notcp +short . SOA || _rx_abort "rootxdpd does not answer (log: $(tail -5 "$RX_TMP/rootxdpd.log"))"
ok "rootxdpd answers with dnstap on"
check "dnstap start logged" grep -q "dnstap to $tapf (queries, responses)" "$RX_TMP/rootxdpd.log"
# the probe above was logged too: start from a fresh file (a rotation)
mv "$tapf" "$RX_TMP/probe.fstrm"
kill -HUP "$DPID"
check "SIGHUP after a move: reopened" wait_until 5 grep -q "dnstap: $tapf was moved or removed: reopened" "$RX_TMP/rootxdpd.log"
check "the probe's file is complete: its query and response" \
	bash -c "(( \$(dnstap-read '$RX_TMP/probe.fstrm' | wc -l) == 2 ))"
sleep 0.2

# The known set: FAMILY TRANSPORT NAME CLASS TYPE RCODE
queries=(
	"4 notcp . IN SOA NOERROR"
	"4 tcp com. IN DS NOERROR"
	"4 notcp no-such-tld. IN A NXDOMAIN"
	"4 tcp . IN DNSKEY NOERROR"
	"4 notcp id.server. CH TXT NOERROR"
	"6 notcp www.com. IN A NOERROR"
	"6 tcp . IN NS NOERROR"
	"6 tcp nx-two.tld-none. IN AAAA NXDOMAIN"
	"6 notcp net. IN DS NOERROR"
	"6 notcp version.bind. CH TXT REFUSED"
)
want=()
for q in "${queries[@]}"; do
	read -r fam tr name cls type rc <<<"$q"
	out=$(dq "$fam" "$tr" "$name" "$cls" "$type")
	grep -q "status: $rc," <<<"$out" || fail "dig $q: not $rc ($(grep -m1 status: <<<"$out"))"
	proto=$([[ $tr == tcp ]] && echo TCP || echo UDP)
	if [[ $fam == 4 ]]; then
		famname=INET cli=$IP4_CLI srv=$IP4_SRV
	else
		famname=INET6 cli=$IP6_CLI srv=$IP6_SRV
	fi
	want+=("AUTH_QUERY $famname $proto $cli $srv 53 - $name $cls $type"
	       "AUTH_RESPONSE $famname $proto $cli $srv 53 $rc $name $cls $type")
done
n=${#queries[@]}
ok "$n queries answered as expected"
st=$RX_TMP/run/rootxdpd.stats
stat() { awk -v k="$1" '$1 == k { print $2 }' "$st"; }
# 2 for the probe, 2 per query
check "stats: dnstap_sent = $((2 + 2 * n))" \
	wait_until 5 bash -c "[[ \$(awk '\$1 == \"dnstap_sent\" { print \$2 }' '$st') == $((2 + 2 * n)) ]]"
expect_eq "stats: dnstap_dropped = 0" "$(stat dnstap_dropped)" 0

# A SIGHUP with the file in place (a zone reload) keeps writing it.
kill -HUP "$DPID"
check "SIGHUP, file in place: logged reload" wait_until 5 bash -c \
	"(( \$(grep -c 'SIGHUP: reloading' '$RX_TMP/rootxdpd.log') == 2 ))"
sleep 0.3
check "SIGHUP, file in place: not reopened" \
	bash -c "(( \$(grep -c 'reopened' '$RX_TMP/rootxdpd.log') == 1 ))"
dq 4 notcp . IN SOA >/dev/null
want+=("AUTH_QUERY INET UDP $IP4_CLI $IP4_SRV 53 - . IN SOA"
       "AUTH_RESPONSE INET UDP $IP4_CLI $IP4_SRV 53 NOERROR . IN SOA")
check "stats: dnstap_sent = $((4 + 2 * n))" \
	wait_until 5 bash -c "[[ \$(awk '\$1 == \"dnstap_sent\" { print \$2 }' '$st') == $((4 + 2 * n)) ]]"

# Stop: what is queued is written and the stream ended.
kill -TERM "$DPID"
wait "$DPID"
expect_eq "rootxdpd: exit status 0" "$?" 0
check "dnstap-read reads the file" dnstap-read "$tapf"
got=$(tap "$tapf" | sort)
expect_eq "every query and response, with family, protocol, addresses, port, rcode, question" \
	"$got" "$(printf '%s\n' "${want[@]}" | sort)"
expect_eq "messages in the file = dnstap_sent - the probe's 2" \
	"$(tap "$tapf" | wc -l)" "$(( $(stat dnstap_sent) - 2 ))"
expect_eq "stats after stop: dnstap_dropped = 0" "$(stat dnstap_dropped)" 0
expect_eq "identity: the config's identity on every message" \
	"$(tap_ident "$tapf")" "$((2 * n + 2)) rx-dnstap-srv"
check "version: rootxdpd's" bash -c "dnstap-read -y '$tapf' | grep -q '^version: rootxdpd '"
check "query times and response times present" bash -c \
	"(( \$(dnstap-read -y '$tapf' | grep -c 'query_time: !!timestamp') == $((n + 1)) &&
	    \$(dnstap-read -y '$tapf' | grep -c 'response_time: !!timestamp') == $((n + 1)) ))"
check "query_zone is the root" bash -c \
	"(( \$(dnstap-read -y '$tapf' | grep -c '^  query_zone: \\.\$') == $((2 * n + 2)) ))"
check "the query and response wire are in the messages" bash -c \
	"dnstap-read -y '$tapf' | grep -q 'query_message: |' && dnstap-read -y '$tapf' | grep -q 'response_message: |'"

# ---- a unix socket, queries only ----
sock=$RX_TMP/dnstap.sock
cap=$RX_TMP/capture.fstrm
bg_start capture fstrm_capture -t protobuf:dnstap.Dnstap -u "$sock" -w "$cap"
CPID=$BG_PID
wait_until 5 test -S "$sock" || fail "fstrm_capture socket $sock"
conf2=$RX_TMP/rootxdp-unix.conf
write_conf "$conf2" "dnstap = unix:$sock
dnstap-identity = tap-unix-id
dnstap-log-responses = no"
bg_start rootxdpd2 ip netns exec "$NS_SRV" "$RXD" --config "$conf2"
DPID2=$BG_PID
# no probe query (one sent before the connection would be lost): the log
wait_until 10 grep -q "listening on" "$RX_TMP/rootxdpd2.log" ||
	_rx_abort "rootxdpd (unix socket) did not start (log: $(tail -5 "$RX_TMP/rootxdpd2.log"))"
sleep 0.5
dq 4 notcp . IN SOA >/dev/null
dq 6 tcp com. IN DS >/dev/null
dq 4 notcp no-such-tld. IN A >/dev/null
check "stats: unix socket, queries only: dnstap_sent = 3" \
	wait_until 5 bash -c "[[ \$(awk '\$1 == \"dnstap_sent\" { print \$2 }' '$st') == 3 ]]"
kill -TERM "$DPID2"
wait "$DPID2"
expect_eq "rootxdpd (unix socket): exit status 0" "$?" 0
sleep 0.5
bg_stop "$CPID"
got=$(tap "$cap" | sort)
expect_eq "unix socket: the three queries, no responses" "$got" "$(printf '%s\n' \
	"AUTH_QUERY INET UDP $IP4_CLI $IP4_SRV 53 - . IN SOA" \
	"AUTH_QUERY INET6 TCP $IP6_CLI $IP6_SRV 53 - com. IN DS" \
	"AUTH_QUERY INET UDP $IP4_CLI $IP4_SRV 53 - no-such-tld. IN A" | sort)"
expect_eq "unix socket: dnstap-identity" "$(tap_ident "$cap")" "3 tap-unix-id"

# ---- a bad value is refused at start ----
conf3=$RX_TMP/rootxdp-bad.conf
write_conf "$conf3" "dnstap = relative/dnstap.fstrm"
out=$(ip netns exec "$NS_SRV" timeout 10 "$RXD" --config "$conf3" 2>&1)
rc=$?
expect_eq "dnstap = relative path: exit 1" "$rc" 1
check "dnstap = relative path: says why" grep -q "not an absolute path" <<<"$out"

check "no error lines" bash -c "! grep -h '^rootxdpd: ' '$RX_TMP/rootxdpd.log' '$RX_TMP/rootxdpd2.log' | grep -v 'info:'"
summary
