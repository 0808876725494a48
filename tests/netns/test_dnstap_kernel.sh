#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_dnstap_kernel.sh - the kernel paths' dnstap sample (bpf/tap.h,
# fallback/ktap.c), read back with BIND's dnstap-read.
#   tests/netns/test_dnstap_kernel.sh      (root; O= build dir)
#
# rootxdp attached (XDP + TC) in the server namespace, rootxdpd writing
# dnstap to a file with dnstap-sample-rate = N:
#   * XDP: Q frames with distinct names (IPv4 and IPv6) through the pinned
#     XDP program by BPF_PROG_TEST_RUN (bpftool prog run), all on CPU 0;
#   * TC: Q queries with distinct names from the client namespace by dig
#     over the veth pair (veth gives XDP no tailroom: TC answers), dig on
#     CPU 0 so that the receive path runs there too.
# The sample is deterministic per CPU and path (every N-th answer of that
# CPU's row): from Q answers on one CPU exactly Q/N when N divides Q, and
# the names sampled are every N-th of those sent, in order.  Each sampled
# query appears as an AUTH_QUERY and an AUTH_RESPONSE with family, UDP,
# addresses, ports, question, rcode and Dnstap.extra naming its path;
# tap_sampled / tap_lost in rx_stats and kernel_tap_read in rootxdpd's
# stats agree with the file.  Then the overflow: a 4 KiB ring (room for one
# 2 KiB record), sample rate 1, rootxdpd stopped (SIGSTOP): of S answers
# exactly S - 1 are counted lost, and the one kept is written once
# rootxdpd runs again.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

RX="$O/rootxdp"
need_bins "$RX" "$O/rootxdpd" "$O/rootxdp-compile"
need_cmds dig dnstap-read bpftool taskset python3

ns_setup
zone_a
"$O/rootxdp-compile" -o "$RX_TMP/root.img" "$ZONE_A/root.zone" >/dev/null ||
	_rx_abort "rootxdp-compile failed"
TLD=$(awk '$4 == "NS" && $1 != "." { print $1; exit }' "$ZONE_A/root.zone")
TLD=${TLD%.}
[[ -n "$TLD" ]] || _rx_abort "no TLD in the test zone"
N=4 Q=40
tapf=$RX_TMP/dnstap.fstrm
CONF=$RX_TMP/rootxdp.conf
write_conf() {	# EXTRA-LINES
	cat >"$CONF" <<EOC
pin-root = $RX_PIN_DIR
image = $RX_TMP/root.img
run-dir = $RX_TMP/run
state-dir = $RX_TMP/state
rrl-rate = 0
identity = rx-ktap
listen = $IP4_SRV $IP6_SRV
workers = 1
dnstap = $tapf
$1
EOC
}
write_conf "dnstap-sample-rate = $N"
mkdir -p "$RX_TMP/run"
rx() { local c=$1; shift; "$RX" "$c" --config "$CONF" "$@"; }
attach() {
	rx attach --netns "$NS_SRV" --iface "$DEV_SRV" "$RX_TMP/root.img" >"$RX_TMP/attach.log" 2>&1 ||
		{ cat "$RX_TMP/attach.log"; _rx_abort "rootxdp attach failed"; }
}
attach
bg_start rootxdpd nsenter --net="/run/netns/$NS_SRV" -- "$O/rootxdpd" --config "$CONF"
DPID=$BG_PID
wait_until 10 grep -q "dnstap: the kernel paths' sample too, 1 in $N answers" "$RX_TMP/rootxdpd.log" ||
	_rx_abort "rootxdpd does not read the kernel sample (log: $(tail -5 "$RX_TMP/rootxdpd.log"))"
ok "rootxdpd reads the kernel sample (1 in $N)"
wait_until 10 in_cli dig +short +time=1 +tries=1 +tcp @"$IP4_SRV" . SOA >/dev/null ||
	_rx_abort "rootxdpd does not answer"

kstat() {	# PATH COUNTER
	rx stats --json | python3 -c "import json,sys; print(json.load(sys.stdin)['$1']['$2'])"
}
dstat() { awk -v k="$1" '$1 == k { print $2 }' "$RX_TMP/run/rootxdpd.stats"; }

# extra FILE: Dnstap.extra of each frame, in order ("-" for none), read
# from the Frame Streams file by hand (dnstap-read does not print it).
extra() {
	python3 - "$1" <<'EOP'
import struct, sys
b = open(sys.argv[1], 'rb').read()
i = 0
def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1; v |= (c & 0x7f) << s; s += 7
        if c < 0x80: return v, i
while i + 4 <= len(b):
    n, = struct.unpack('!I', b[i:i + 4]); i += 4
    if n == 0:				# control frame: length, then skip it
        m, = struct.unpack('!I', b[i:i + 4]); i += 4 + m
        continue
    f, i, x, end = b[i:i + n], i + n, '-', n
    j = 0
    while j < len(f):
        tag, j = varint(f, j)
        if tag & 7 == 2:
            ln, j = varint(f, j)
            if tag >> 3 == 3: x = f[j:j + ln].decode()
            j += ln
        elif tag & 7 == 0: _, j = varint(f, j)
        else: break
    print(x)
EOP
}

# tap FILE: TYPE FAMILY PROTOCOL QADDR QPORT RADDR RPORT RCODE QUESTION EXTRA
tap() {
	dnstap-read -y "$1" | awk '
		function flush() {
			if (t != "")
				print t, f, p, qa, qp, ra, rp, (t == "AUTH_RESPONSE" ? st : "-"), q
			t = f = p = qa = qp = ra = rp = st = q = ""
		}
		/^---/ { flush(); next }
		/^  type: / { t = $2 }
		/^  socket_family: / { f = $2 }
		/^  socket_protocol: / { p = $2 }
		/^  query_address: / { qa = $2; gsub(/"/, "", qa) }
		/^  query_port: / { qp = $2 }
		/^  response_address: / { ra = $2; gsub(/"/, "", ra) }
		/^  response_port: / { rp = $2 }
		/^    status: / { st = $2 }
		/^    QUESTION_SECTION:/ {
			getline; q = $0; sub(/^ *- \047/, "", q); sub(/\047$/, "", q)
		}
		END { flush() }' | paste -d ' ' - <(extra "$1")
}

# ---- XDP: frames through the pinned program (test run) ----
cat >"$RX_TMP/frame.py" <<'EOP'
import ipaddress, struct, sys
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
out, src, dst, name, qid = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
q = struct.pack('!HHHHHH', qid, 0, 1, 0, 0, 0)
q += b''.join(bytes([len(l)]) + l.encode() for l in name.strip('.').split('.')) + b'\0'
q += struct.pack('!HH', 1, 1)                      # A, IN
sport = 40000 + qid
udp = struct.pack('!HHHH', sport, 53, 8 + len(q), 0) + q
if s.version == 4:
    ph = s.packed + d.packed + struct.pack('!BBH', 0, 17, len(udp))
    udp = udp[:6] + struct.pack('!H', csum(ph + udp) or 0xffff) + udp[8:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0, s.packed, d.packed)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    eth = b'\x02\0\0\0\0\x01' + b'\x02\0\0\0\0\x02' + b'\x08\x00'
else:
    ph = s.packed + d.packed + struct.pack('!I3xB', len(udp), 17)
    udp = udp[:6] + struct.pack('!H', csum(ph + udp) or 0xffff) + udp[8:]
    ip = struct.pack('!IHBB16s16s', 0x60000000, len(udp), 17, 64, s.packed, d.packed)
    eth = b'\x02\0\0\0\0\x01' + b'\x02\0\0\0\0\x02' + b'\x86\xdd'
open(out, 'wb').write(eth + ip + udp)
EOP
XCLI4=203.0.113.7 XSRV4=203.0.113.53 XCLI6=2001:db8:77::7 XSRV6=2001:db8:77::53
want_x=()
t0=$(date -u +%s)
xdp_before=$(kstat xdp answered)
xs_before=$(kstat xdp tap_sampled) ts_before=$(kstat tc tap_sampled)
for ((i = 0; i < Q; i++)); do
	if ((i % 2)); then c=$XCLI6 s=$XSRV6 fam=INET6; else c=$XCLI4 s=$XSRV4 fam=INET; fi
	python3 "$RX_TMP/frame.py" "$RX_TMP/f.bin" "$c" "$s" "x$i.$TLD." "$i" ||
		_rx_abort "frame.py failed"
	out=$(taskset -c 0 bpftool prog run pinned "$RX_PIN_DIR/prog-xdp" data_in "$RX_TMP/f.bin" \
		data_out "$RX_TMP/o.bin" repeat 1 2>&1)
	grep -q 'Return value: 3' <<<"$out" || _rx_abort "XDP test run of x$i.$TLD.: not XDP_TX ($out)"
	want_x+=("$i AUTH_QUERY $fam UDP $c $((40000 + i)) $s 53 - x$i.$TLD. IN A xdp"
		 "$i AUTH_RESPONSE $fam UDP $c $((40000 + i)) $s 53 NOERROR x$i.$TLD. IN A xdp")
done
expect_eq "XDP answered the $Q frames" "$(( $(kstat xdp answered) - xdp_before ))" "$Q"

# ---- TC: dig over the veth pair ----
want_t=()
tc_before=$(kstat tc answered)
for ((i = 0; i < Q; i++)); do
	if ((i % 2)); then c=$IP6_CLI s=$IP6_SRV fam=INET6; else c=$IP4_CLI s=$IP4_SRV fam=INET; fi
	p=$((41000 + i))
	out=$(in_cli taskset -c 0 dig +norec +time=2 +tries=1 -b "$c#$p" @"$s" "t$i.$TLD." A)
	grep -q 'status: NOERROR' <<<"$out" || fail "dig t$i.$TLD.: not NOERROR"
	want_t+=("$i AUTH_QUERY $fam UDP $c $p $s 53 - t$i.$TLD. IN A tc"
		 "$i AUTH_RESPONSE $fam UDP $c $p $s 53 NOERROR t$i.$TLD. IN A tc")
done
tc_n=$(( $(kstat tc answered) - tc_before ))
xdp_n=$(( $(kstat xdp answered) - xdp_before - Q ))
expect_eq "the kernel answered the $Q queries (TC $tc_n, XDP $xdp_n: veth has room now and then)" \
	"$((tc_n + xdp_n))" "$Q"

# ---- what was written ----
# the sample in the file: every N-th of the names sent, per path
check "kernel_tap_read = tap_sampled (xdp + tc)" wait_until 5 bash -c \
	"[[ \$(awk '\$1 == \"kernel_tap_read\" { print \$2 }' '$RX_TMP/run/rootxdpd.stats') == \
	    \$(( \$('$RX' stats --config '$CONF' --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[\"xdp\"][\"tap_sampled\"] + d[\"tc\"][\"tap_sampled\"])') )) ]]"
kill -TERM "$DPID"
wait "$DPID"
expect_eq "rootxdpd: exit status 0" "$?" 0
check "dnstap-read reads the file" dnstap-read "$tapf"
tap "$tapf" >"$RX_TMP/tap.txt"
# sampled NAMEPREFIX PATH: the indices of the names NAMEPREFIX<i>.TLD.
# sampled through PATH, in the order written
sampled() {
	awk -v x="$2" -v p="$1" '$1 == "AUTH_QUERY" && $NF == x && $(NF - 3) ~ "^" p "[0-9]+\\." {
		n = $(NF - 3); sub("^" p, "", n); sub("\\..*", "", n); print n }' "$RX_TMP/tap.txt"
}
# records NAMEPREFIX: "INDEX LINE" for every message of those names
records() {
	awk -v p="$1" '$(NF - 3) ~ "^" p "[0-9]+\\." {
		n = $(NF - 3); sub("^" p, "", n); sub("\\..*", "", n); print n, $0 }' "$RX_TMP/tap.txt" | sort
}
# XDP: all Q on CPU 0: exactly Q/N, every N-th name
idx=$(sampled x xdp)
expect_eq "xdp: $((Q / N)) of $Q answers sampled (1 in $N on one CPU)" "$(grep -c . <<<"$idx")" "$((Q / N))"
first=$(head -1 <<<"$idx")
expect_eq "xdp: every $N-th name, in order" "$(tr '\n' ' ' <<<"$idx")" \
	"$(for ((k = first; k < Q; k += N)); do printf '%s ' "$k"; done)"
expect_eq "xdp: each sampled query and response with family, addresses, ports, rcode, question" \
	"$(records x)" "$(for w in "${want_x[@]}"; do grep -qx "${w%% *}" <<<"$idx" && echo "$w"; done | sort)"
# dig: per path, floor or ceil of that path's answers / N, names rising
ti=$(sampled t tc) txi=$(sampled t xdp)
nt=$(grep -c . <<<"$ti") nx=$(grep -c . <<<"$txi")
check "tc: $nt sampled of $tc_n answers: floor or ceil of $tc_n/$N" \
	test "$nt" -ge $((tc_n / N)) -a "$nt" -le $(((tc_n + N - 1) / N))
check "xdp (dig): $nx sampled of $xdp_n answers: floor or ceil of $xdp_n/$N" \
	test "$nx" -ge $((xdp_n / N)) -a "$nx" -le $(((xdp_n + N - 1) / N))
check "tc: names written in the order sent" bash -c "sort -n -c <<<'$ti'"
sel=$( (cat <<<"$ti"; cat <<<"$txi") | grep . | sort -n)
expect_eq "dig: each sampled query and response with family, addresses, ports, rcode, question" \
	"$(records t | sed 's/ \(xdp\|tc\)$//')" \
	"$(for w in "${want_t[@]}"; do grep -qx "${w%% *}" <<<"$sel" && echo "${w% tc}"; done | sort)"
for path in xdp tc; do
	b=$xs_before; [[ $path == tc ]] && b=$ts_before
	expect_eq "$path: tap_sampled (since the first frame) = the path's records in the file" \
		"$(( $(kstat $path tap_sampled) - b ))" \
		"$(awk -v x="$path" '$1 == "AUTH_QUERY" && $NF == x && $(NF - 3) ~ /^[xt][0-9]+\./' "$RX_TMP/tap.txt" | wc -l)"
	expect_eq "$path: tap_lost = 0" "$(kstat $path tap_lost)" 0
done
check "query and response wire in the kernel's messages" bash -c \
	"dnstap-read -y '$tapf' | grep -q 'query_message: |' && dnstap-read -y '$tapf' | grep -q 'response_message: |'"
check "response times present" bash -c "dnstap-read -y '$tapf' | grep -q 'response_time: !!timestamp'"
t1=$(date -u +%s)
# query times are UNIX time (CLOCK_TAI - the TAI offset): every kernel
# record's within the seconds the frames and queries were sent
qts=$(dnstap-read -y "$tapf" | awk '/query_time: !!timestamp/ { t = $3 }
	/QUESTION_SECTION:/ { getline; if ($0 ~ /- .[xt][0-9]+\./) print t }' | sort -u)
# shellcheck disable=SC2086  # $qts: one argument per time
check "kernel records' query_time within [$t0, $t1] ($(head -1 <<<"$qts") ...)" python3 -c "
import datetime, sys
ts = [datetime.datetime.fromisoformat(x.replace('Z', '+00:00')).timestamp() for x in sys.argv[1:]]
sys.exit(0 if ts and all($t0 - 1 <= t <= $t1 + 1 for t in ts) else 1)" $qts
expect_eq "dnstap_dropped = 0" "$(dstat dnstap_dropped)" 0

printf 'dnstap-ring-size = 5000\n' >"$RX_TMP/bad.conf"
check_not "dnstap-ring-size 5000 (not a power of 2) is refused" "$RX" config --config "$RX_TMP/bad.conf"

# ---- overflow: a 4 KiB ring, the reader stopped ----
rx detach --netns "$NS_SRV" --iface "$DEV_SRV" >"$RX_TMP/detach.log" 2>&1 ||
	{ cat "$RX_TMP/detach.log"; fail "rootxdp detach"; }
rm -f "$tapf"
write_conf "dnstap-sample-rate = 1
dnstap-ring-size = 4096"
attach
bg_start rootxdpd2 nsenter --net="/run/netns/$NS_SRV" -- "$O/rootxdpd" --config "$CONF"
DPID=$BG_PID
wait_until 10 grep -q "kernel paths' sample too, 1 in 1 answers" "$RX_TMP/rootxdpd2.log" ||
	_rx_abort "rootxdpd (tiny ring) does not read the kernel sample"
kill -STOP "$DPID"
S=12
for ((i = 0; i < S; i++)); do
	python3 "$RX_TMP/frame.py" "$RX_TMP/f.bin" "$XCLI4" "$XSRV4" "o$i.$TLD." "$i"
	taskset -c 0 bpftool prog run pinned "$RX_PIN_DIR/prog-xdp" data_in "$RX_TMP/f.bin" \
		data_out "$RX_TMP/o.bin" repeat 1 >/dev/null 2>&1
done
expect_eq "overflow: tap_sampled = $S" "$(kstat xdp tap_sampled)" "$S"
expect_eq "overflow: tap_lost = $((S - 1)) (one 2 KiB record fits in 4 KiB)" "$(kstat xdp tap_lost)" "$((S - 1))"
kill -CONT "$DPID"
check "overflow: the one kept is read" wait_until 5 bash -c \
	"[[ \$(awk '\$1 == \"kernel_tap_read\" { print \$2 }' '$RX_TMP/run/rootxdpd.stats') == 1 ]]"
kill -TERM "$DPID"
wait "$DPID"
expect_eq "overflow: the file holds o0's query and response" \
	"$(tap "$tapf" | awk '{ print $1, $(NF - 3) }' | tr '\n' ' ')" "AUTH_QUERY o0.$TLD. AUTH_RESPONSE o0.$TLD. "
summary
