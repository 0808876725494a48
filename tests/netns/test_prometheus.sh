#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_prometheus.sh - `rootxdp stats --prometheus` as Prometheus users
# read it.  Known traffic goes through the kernel paths (XDP, TC) and
# rootxdpd; the exposition before and after is checked by `promtool check
# metrics` (Debian's prometheus), parsed by the reference parser
# (python3-prometheus-client, tests/netns/prom.py), and every family the
# traffic moves must have moved by what was sent: counts from the queries
# themselves, sizes from what dig received, the serial from a SOA query,
# the earliest RRSIG expiry from the zone file, rootxdpd's liveness from
# its pid.  Also --out (atomic, 0644), --path, the Grafana dashboard's
# queries (promtool check rules, names present), and the shipped metrics
# units (systemd-analyze verify).
#   tests/netns/test_prometheus.sh      (root; O= build dir, default build)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

RX="$O/rootxdp"
need_bins "$RX" "$O/rootxdp-compile" "$O/rootxdpd"
PY=/usr/bin/python3	# Debian's, with python3-prometheus-client (not a pyenv one)
need_cmds promtool dig
"$PY" -c 'import prometheus_client' 2>/dev/null ||
	_rx_abort "python3-prometheus-client is missing (scripts/deps.sh)"
PROM="$PY $here/prom.py"

ns_setup
zone_a
zdir=$ZONE_A serial=$SERIAL_A
"$O/rootxdp-compile" --trust-anchor "$zdir/trust-anchor.ds" -o "$RX_TMP/root.img" \
	"$zdir/root.zone" >"$RX_TMP/compile.log" 2>&1 || _rx_abort "rootxdp-compile failed"
tld=$(awk '$4 == "NS" && $1 ~ /^[a-z0-9-]+\.$/ { print $1; exit }' "$zdir/root.zone")
tld=${tld%.}
[[ -n "$tld" ]] || _rx_abort "no TLD in the zone"

CONF=$RX_TMP/rootxdp.conf
cat >"$CONF" <<EOF
image = $RX_TMP/root.img
run-dir = $RX_TMP/run
state-dir = $RX_TMP/state
pin-root = $RX_PIN_DIR
# counts, not rate limiting
rrl-rate = 0
identity = prom-$$
listen = $IP4_SRV $IP6_SRV
workers = 1
EOF
mkdir -p "$RX_TMP/run"
bg_start rootxdpd ip netns exec "$NS_SRV" "$O/rootxdpd" --config "$CONF"
DPID=$BG_PID
wait_until 10 in_cli dig +short +time=1 +tries=1 @"$IP4_SRV" . SOA ||
	_rx_abort "rootxdpd does not answer"
t_attach=$(date +%s)
nsenter_net "$NS_SRV" true
"$RX" attach --config "$CONF" --netns "$NS_SRV" --iface "$DEV_SRV" "$RX_TMP/root.img" \
	>"$RX_TMP/attach.log" 2>&1 || _rx_abort "rootxdp attach failed (see $RX_TMP/attach.log)"
t_attached=$(date +%s)

metrics() { "$RX" stats --config "$CONF" --prometheus "$@"; }
# rootxdpd writes its counters once a second.
snap() { sleep 1.3; metrics >"$1" 2>"$1.err" || _rx_abort "stats --prometheus failed: $(cat "$1.err")"; }

snap "$RX_TMP/m0.prom"

# ---------------------------------------------------------------- traffic
# One line per query sent: expected path (k kernel, d rootxdpd), transport,
# family, qtype, rcode, kind, and the DNS message size dig received.
sent=$RX_TMP/sent.txt
: >"$sent"
ask() {	# ask PATH KIND RCODE QTYPE-LABEL dig-args...
	local path=$1 kind=$2 rcode=$3 qt=$4 out size tr=udp fam=ipv4 got
	shift 4
	[[ " $* " == *" +tcp "* ]] && tr=tcp
	[[ " $* " == *"@$IP6_SRV "* ]] && fam=ipv6
	out=$(in_cli dig +norec +time=2 +tries=1 "$@" 2>&1)
	size=$(awk '/MSG SIZE  rcvd:/ { print $5 }' <<<"$out")
	got=$(awk '/->>HEADER<<-/ { sub(",", "", $6); print $6 }' <<<"$out")
	if [[ -z "$size" || "$got" != "$rcode" ]]; then
		fail "query $* (expected $rcode, got '${got:-no answer}')"
		return
	fi
	echo "$path $tr $fam $qt $rcode $kind $size" >>"$sent"
}
for i in 1 2 3 4 5 6; do ask k referral NOERROR A +nocookie @"$IP4_SRV" "www$i.$tld" A; done
for i in 1 2 3 4; do ask k nxdomain NXDOMAIN AAAA +nocookie @"$IP6_SRV" "nx$i-$$-absent" AAAA; done
for i in 1 2 3; do ask k ds NOERROR DS +nocookie @"$IP4_SRV" "$tld" DS; done
# padded: room for XDP to answer in place (else TC does)
for i in 1 2; do ask k referral NOERROR A +nocookie +padding=468 @"$IP4_SRV" "pad$i.$tld" A; done
for i in 1 2; do ask k error REFUSED TXT +nocookie @"$IP4_SRV" "other$i.bind" CH TXT; done
for i in 1 2 3; do ask k apex NOERROR SOA +cookie @"$IP4_SRV" . SOA; done
# passed by the kernel (RRSIG at the apex, step 9), answered by rootxdpd
# (dig asks ANY over TCP: not a kernel pass)
for i in 1 2; do ask d apex_rrsig NOERROR OTHER +nocookie @"$IP4_SRV" . RRSIG; done
for i in 1 2 3; do ask d referral NOERROR A +nocookie +tcp @"$IP4_SRV" "tcp$i.$tld" A; done
ask d apex NOERROR SOA +nocookie +tcp @"$IP6_SRV" . SOA
nsent=$(wc -l <"$sent")
expect_eq "all 26 queries answered as expected" "$nsent" 26

snap "$RX_TMP/m1.prom"
metrics --path tc >"$RX_TMP/tc.prom" 2>&1

# ---------------------------------------------------------------- format
out=$(promtool check metrics <"$RX_TMP/m1.prom" 2>&1) && rc=0 || rc=$?
if ((rc == 0)) && [[ -z "$out" ]]; then
	ok "promtool check metrics: no problem"
else
	fail "promtool check metrics (exit $rc)"
	sed 's/^/       | /' <<<"$out" | head -20
fi
out=$(promtool check metrics <"$RX_TMP/tc.prom" 2>&1) && rc=0 || rc=$?
check "promtool check metrics --path tc: no problem" test "$rc" = 0 -a -z "$out"
check "the reference parser reads it" $PROM check "$RX_TMP/m1.prom"
$PROM check "$RX_TMP/m1.prom" >"$RX_TMP/families.txt" 2>&1
type_of() { awk -v f="$1" '$1 == f { print $2 }' "$RX_TMP/families.txt"; }
expect_eq "rootxdp_responses_total is a counter" "$(type_of rootxdp_responses)" counter
expect_eq "rootxdp_response_size_bytes is a histogram" "$(type_of rootxdp_response_size_bytes)" histogram
expect_eq "rootxdp_zone_serial is a gauge" "$(type_of rootxdp_zone_serial)" gauge
expect_eq "rootxdp_rootxdpd_up is a gauge" "$(type_of rootxdp_rootxdpd_up)" gauge
check "no untyped family, no one-counter rootxdpd_* family" \
	bash -c "! grep -Eq '^# TYPE .* untyped|^rootxdpd_' '$RX_TMP/m1.prom'"
nfam=$(grep -c '^# TYPE ' "$RX_TMP/m1.prom")
check "families, not one per counter ($nfam families)" test "$nfam" -lt 50
check "kernel and rootxdpd in one family (rootxdp_responses_total)" \
	bash -c "grep -q '^rootxdp_responses_total{path=\"xdp\"' '$RX_TMP/m1.prom' &&
		 grep -q '^rootxdp_responses_total{path=\"rootxdpd\"' '$RX_TMP/m1.prom'"
check "--path tc: tc samples only" \
	bash -c "grep -q 'path=\"tc\"' '$RX_TMP/tc.prom' && ! grep -Eq 'path=\"(xdp|rootxdpd)\"' '$RX_TMP/tc.prom'"

# ---------------------------------------------------------------- values
# want DESC SAMPLE SELECTOR EXPECTED: the delta between the two snapshots.
want() {
	expect_eq "$1" "$($PROM delta "$RX_TMP/m0.prom" "$RX_TMP/m1.prom" "$2" "$3")" "$4"
}
# expected counts from sent.txt: cnt AWK-CONDITION
cnt() { awk "$1 { n++ } END { print n + 0 }" "$sent"; }
sumsize() { awk "$1 { s += \$7 } END { print s + 0 }" "$sent"; }
K='path=xdp|tc' D='path=rootxdpd'

for rc in NOERROR NXDOMAIN REFUSED; do
	want "kernel responses, rcode $rc" rootxdp_responses_total "$K,rcode=$rc" \
		"$(cnt "\$1 == \"k\" && \$5 == \"$rc\"")"
done
want "rootxdpd responses, rcode NOERROR" rootxdp_responses_total "$D,rcode=NOERROR" \
	"$(cnt '$1 == "d" && $5 == "NOERROR"')"
want "rootxdpd responses, rcode NXDOMAIN" rootxdp_responses_total "$D,rcode=NXDOMAIN" 0
for qt in A AAAA DS TXT SOA OTHER; do
	want "kernel responses, qtype $qt" rootxdp_responses_by_qtype_total "$K,qtype=$qt" \
		"$(cnt "\$1 == \"k\" && \$4 == \"$qt\"")"
	want "rootxdpd responses, qtype $qt" rootxdp_responses_by_qtype_total "$D,qtype=$qt" \
		"$(cnt "\$1 == \"d\" && \$4 == \"$qt\"")"
done
for kind in referral nxdomain ds error apex; do
	want "kernel answers, kind $kind" rootxdp_answers_total "$K,kind=$kind" \
		"$(cnt "\$1 == \"k\" && \$6 == \"$kind\"")"
done
for kind in apex_rrsig referral apex; do
	want "rootxdpd answers, kind $kind" rootxdp_answers_total "$D,kind=$kind" \
		"$(cnt "\$1 == \"d\" && \$6 == \"$kind\"")"
done
# XDP sees every UDP query first (TCP is not DNS to it).
for fam in ipv4 ipv6; do
	want "XDP saw every UDP $fam query" rootxdp_queries_total "path=xdp,transport=udp,family=$fam" \
		"$(cnt "\$2 == \"udp\" && \$3 == \"$fam\"")"
	for tr in udp tcp; do
		want "rootxdpd queries, $tr $fam" rootxdp_queries_total "$D,transport=$tr,family=$fam" \
			"$(cnt "\$1 == \"d\" && \$2 == \"$tr\" && \$3 == \"$fam\"")"
	done
done
# Every query XDP passes goes on to TC, which classifies it again: TC's
# count is exact; XDP counts a qtype pass only when the frame had tailroom
# for it to get that far (on veth, rarely: most frames it passes at once
# for lack of room), so its count is at most the queries sent.
nrr=$(cnt '$1 == "d" && $2 == "udp"')
want "TC passes every RRSIG-at-the-apex query for QTYPE" rootxdp_passed_total "path=tc,reason=qtype" "$nrr"
xq=$($PROM delta "$RX_TMP/m0.prom" "$RX_TMP/m1.prom" rootxdp_passed_total "path=xdp,reason=qtype")
check "XDP passes for QTYPE at most the queries sent ($xq of $nrr)" test "${xq:-x}" -ge 0 -a "${xq:-x}" -le "$nrr"
want "rootxdpd responses by transport, tcp" rootxdp_responses_by_transport_total \
	"$D,transport=tcp" "$(cnt '$1 == "d" && $2 == "tcp"')"
want "kernel responses by transport, udp" rootxdp_responses_by_transport_total \
	"$K,transport=udp" "$(cnt '$1 == "k"')"
want "nothing unanswered" rootxdp_unanswered_total "" 0
want "cookies: client-only" rootxdp_cookies_total "$K,result=client_only" 3
want "cookies: minted" rootxdp_cookies_minted_total "$K" 3
# Sizes: what dig received.
want "response size histogram: count" rootxdp_response_size_bytes_count "$K" "$(cnt '$1 == "k"')"
want "response size histogram: sum = bytes dig received" rootxdp_response_size_bytes_sum "$K" \
	"$(sumsize '$1 == "k"')"
for le in 127 511 1231; do
	want "response size histogram: le=$le" rootxdp_response_size_bytes_bucket "$K,le=$le" \
		"$(cnt "\$1 == \"k\" && \$7 <= $le")"
done
want "response size histogram: le=+Inf" rootxdp_response_size_bytes_bucket "$K,le=+Inf" \
	"$(cnt '$1 == "k"')"
want "kernel sent bytes = bytes dig received" rootxdp_sent_bytes_total "$K" "$(sumsize '$1 == "k"')"
want "rootxdpd sent bytes = bytes dig received" rootxdp_sent_bytes_total "$D" "$(sumsize '$1 == "d"')"

# ---------------------------------------------------------------- gauges
g() { $PROM get "$RX_TMP/m1.prom" "$@"; }
dserial=$(in_cli dig +short +norec +nocookie @"$IP4_SRV" . SOA | awk '{ print $3 }')
expect_eq "SOA serial answered is the zone's" "$dserial" "$serial"
for p in xdp tc rootxdpd; do
	expect_eq "rootxdp_zone_serial{path=$p}" "$(g rootxdp_zone_serial "path=$p")" "$dserial"
done
kill -0 "$DPID" 2>/dev/null && up=1 || up=0
expect_eq "rootxdp_rootxdpd_up = 1 (pid $DPID alive)" "$(g rootxdp_rootxdpd_up)" "$up"
# Earliest RRSIG expiration in the zone file (RFC 4034 3.2: YYYYMMDDHHmmSS).
minexp=$("$PY" - "$zdir/root.zone" <<'EOF'
import calendar, sys, time
m = None
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) > 9 and f[3] == "RRSIG":
        e = f[8]
        t = calendar.timegm(time.strptime(e, "%Y%m%d%H%M%S")) if len(e) == 14 else int(e)
        m = t if m is None else min(m, t)
print(m)
EOF
)
expect_eq "rootxdp_zone_rrsig_expiry_timestamp_seconds = earliest RRSIG in the zone" \
	"$(g rootxdp_zone_rrsig_expiry_timestamp_seconds)" "$minexp"
loaded=$(g rootxdp_zone_loaded_timestamp_seconds)
check "zone loaded during attach ($t_attach <= $loaded <= $t_attached)" \
	test "$loaded" -ge "$t_attach" -a "$loaded" -le "$t_attached"
age=$(g rootxdp_zone_seconds_since_load) now=$(date +%s)
check "seconds since load ($age) within the test's time" \
	test "$age" -ge 0 -a "$age" -le $((now - t_attach + 1))
ver=$("$RX" --version | awk '{ print $2 }')
expect_eq "rootxdp_build_info carries the version" \
	"$(g rootxdp_build_info "version=$ver")" 1

# ---------------------------------------------------------------- --out
dir=$RX_TMP/textfile
mkdir -p "$dir"
(umask 077 && metrics --out "$dir/rootxdp.prom")
check "--out writes the file" test -s "$dir/rootxdp.prom"
expect_eq "--out: mode 0644 whatever the umask" "$(stat -c %a "$dir/rootxdp.prom")" 644
expect_eq "--out: no temporary file left" "$(ls "$dir" | wc -l)" 1
out=$(promtool check metrics <"$dir/rootxdp.prom" 2>&1)
check "--out: promtool check metrics" test -z "$out"

# ---------------------------------------------------------------- dashboard
# docs/grafana-rootxdp.json: every query is valid PromQL (promtool check
# rules, as recording rules) and names only metrics the exposition has.
dash=$RX_TOP/docs/grafana-rootxdp.json
"$PY" - "$dash" "$RX_TMP/dash-rules.yml" "$RX_TMP/dash-names.txt" <<'EOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
exprs = [t["expr"] for p in d["panels"] for t in p.get("targets", [])]
with open(sys.argv[2], "w") as f:
    f.write("groups:\n- name: dashboard\n  rules:\n")
    for i, e in enumerate(exprs):
        e = e.replace("$__rate_interval", "5m").replace("$instance", ".*")
        f.write("  - record: rootxdp:dashboard_%d\n    expr: %s\n" % (i, json.dumps(e)))
names = sorted({n for e in exprs for n in re.findall(r"\b(rootxdp_[a-z0-9_]+)", e)})
open(sys.argv[3], "w").write("\n".join(names) + "\n")
EOF
out=$(promtool check rules "$RX_TMP/dash-rules.yml" 2>&1) && rc=0 || rc=$?
check "dashboard: promtool check rules on its $(grep -c 'record:' "$RX_TMP/dash-rules.yml") queries" \
	test "$rc" = 0
((rc == 0)) || sed 's/^/       | /' <<<"$out" | head
missing=$(while read -r n; do grep -q "^$n[{ ]" "$RX_TMP/m1.prom" || echo "$n"; done <"$RX_TMP/dash-names.txt")
expect_eq "dashboard: every metric it names is in the exposition" "$missing" ""

# ---------------------------------------------------------------- units
if command -v systemd-analyze >/dev/null; then
	out=$(systemd-analyze verify "$RX_TOP/dist/rootxdp-metrics.service" \
		"$RX_TOP/dist/rootxdp-metrics.timer" 2>&1 | grep -Ev "is not executable: No such file|Command 'man ")
	check "systemd-analyze verify rootxdp-metrics.{service,timer}" test -z "$out"
	[[ -z "$out" ]] || sed 's/^/       | /' <<<"$out" | head
else
	fail "systemd-analyze not found (systemd, scripts/deps.sh)"
fi
grep -q -- "--out /var/lib/prometheus/node-exporter/rootxdp.prom" "$RX_TOP/dist/rootxdp-metrics.service"
check "the unit writes node_exporter's textfile directory" test $? = 0

"$RX" detach --config "$CONF" >/dev/null 2>&1
bg_stop "$DPID"
summary
