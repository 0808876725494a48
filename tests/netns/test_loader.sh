#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_loader.sh - rootxdp attach / load / status / stats / reload / detach,
# end to end, in a namespace pair (tests/netns/lib.sh):
#   * attach in native mode with --netns and a test pin root; pins, typed
#     `bpftool map dump`, status, an idempotent second attach, and the
#     link that `ip link set ... xdp off` cannot remove;
#   * referrals over IPv4 and IPv6 from the client namespace; the XDP and
#     the TC path each answer (a plain query has no tailroom on veth and
#     goes to TC; an EDNS-padded one is answered in XDP); stats as text,
#     JSON and Prometheus, rootxdpd's counters, reload;
#   * load: a newer serial is served (SOA), an older or equal one, a
#     corrupt and a truncated image are refused and serving is untouched;
#   * generic mode; two interfaces sharing one program and one set of maps;
#   * detach leaves no XDP, no TC filter, no pins, no state;
#   * failures say what to do: no interface, no native XDP, bad mode, bad
#     image at first attach (and nothing is left behind), not attached,
#     not root.
#   tests/netns/test_loader.sh     (root; O= build dir, RX_ZONE_DIR= a
#                                   mkzone.sh output to reuse)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

RX="$O/rootxdp"
RXC="$O/rootxdp-compile"
need_bins "$RX" "$RXC"

ns_setup

# ---------------------------------------------------------------- zones
zones_ab
zdir=$ZONE_A serial=$SERIAL_A serial2=$SERIAL_B
for z in a b; do
	d=$zdir
	[[ $z == b ]] && d=$RX_TMP/zone-b
	"$RXC" --trust-anchor "$zdir/trust-anchor.ds" -o "$RX_TMP/$z.img" "$d/root.zone" \
		>"$RX_TMP/compile-$z.log" 2>&1 || _rx_abort "rootxdp-compile $z failed (see $RX_TMP/compile-$z.log)"
done
# A TLD of the zone: org when there is one (mixed glue), else the first.
tlds=$(awk '$4 == "NS" && $1 ~ /^[a-z0-9-]+\.$/ { print $1 }' "$zdir/root.zone" | sort -u)
tld=$(grep -x 'org\.' <<<"$tlds" || head -n1 <<<"$tlds")
tld=${tld%.}
[[ -n "$tld" ]] || _rx_abort "no TLD found in $zdir/root.zone"
echo "# zone serial $serial (and $serial2), TLD $tld"

CONF=$RX_TMP/rootxdp.conf
cat >"$CONF" <<EOF
# test configuration
pin-root = $RX_PIN_DIR
run-dir = $RX_TMP/run
state-dir = $RX_TMP/state
image = $RX_TMP/a.img
identity = test-$$
EOF
rx() {
	local cmd=$1
	shift
	"$RX" "$cmd" --config "$CONF" "$@"
}
# rx_out DESC RC PATTERN CMD...: CMD exits RC and its output matches PATTERN.
rx_out() {
	local desc=$1 want=$2 pat=$3 out rc
	shift 3
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [[ $rc == "$want" ]] && grep -qE -- "$pat" <<<"$out"; then
		ok "$desc"
	else
		fail "$desc (exit $rc, wanted $want and /$pat/)"
		indent <<<"$out"
	fi
}
indent() { sed 's/^/       | /' | head -n 20; }
stat_of() { rx stats | awk -v k="$1" '$1 == k { print $2 }'; }
answered() { echo $(( $(stat_of xdp.answered) + $(stat_of tc.answered) )); }
q() { in_cli dig +nocookie +norec +time=2 +tries=1 "$@" 2>&1; }
# is_referral OUT: NOERROR, no AA, NS RRs in AUTHORITY.
is_referral() {
	grep -q 'status: NOERROR' <<<"$1" &&
		! grep -qE '^;; flags:[^;]* aa[ ;]' <<<"$1" &&
		awk '/AUTHORITY SECTION/ { a = 1; next } /^$/ { a = 0 } a && $4 == "NS"' <<<"$1" | grep -q .
}
soa_serial() { q "@$1" . SOA +short | awk '{ print $3 }'; }
xdp_mode_of() {	# xdp (native), xdpgeneric, or none
	local l
	l=$(ip -n "$1" link show dev "$2" | head -n1)
	if grep -qw xdpgeneric <<<"$l"; then echo xdpgeneric
	elif grep -qw xdp <<<"$l"; then echo xdp
	else echo none; fi
}
state_files() { ls "$RX_TMP/run"/attach*.state 2>/dev/null; }

# ---------------------------------------------------------------- usage
for c in attach detach load status stats reload version help; do
	rx_out "rootxdp $c --help" 0 "usage|rootxdp" "$RX" "$c" --help
done
rx_out "unknown command is a usage error" 2 "unknown command" "$RX" frobnicate
rx_out "attach --mode bogus is a usage error" 2 "expected native, generic, auto or multiprog" \
	rx attach --mode bogus -i "$DEV_SRV"
rx_out "status before attach: not attached" 1 "not attached.*run rootxdp attach first" rx status
rx_out "stats before attach: not attached" 1 "not attached" rx stats
rx_out "load before attach: not attached" 1 "not attached" rx load "$RX_TMP/b.img"

# ---------------------------------------------------------------- failures that leave nothing
rx_out "attach to a missing interface" 1 "no interface 'nosuch0'.*ip link" \
	rx attach --netns "$NS_SRV" -i nosuch0 "$RX_TMP/a.img"
head -c 1000 "$RX_TMP/a.img" >"$RX_TMP/short.img"
rx_out "first attach with a truncated image is refused" 1 "cannot use image" \
	rx attach --netns "$NS_SRV" -i "$DEV_SRV" "$RX_TMP/short.img"
check "  ... and leaves no pins" test ! -e "$RX_PIN_DIR"
expect_eq "  ... and no XDP on $DEV_SRV" "$(xdp_mode_of "$NS_SRV" "$DEV_SRV")" none
ip -n "$NS_SRV" link add rxbr0 type bridge && ip -n "$NS_SRV" link set rxbr0 up
rx_out "native mode on a device without native XDP" 1 "no native XDP.*--mode generic" \
	rx attach --netns "$NS_SRV" -i rxbr0 --mode native "$RX_TMP/a.img"
check "  ... and leaves no pins" test ! -e "$RX_PIN_DIR"
if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups \
	test -x "$RX" 2>/dev/null; then
	rx_out "unprivileged attach says how to fix it" 1 "run as root" \
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$RX" attach --pin-root "$RX_PIN_DIR" -i "$DEV_SRV" "$RX_TMP/a.img"
else
	echo "#      (no unprivileged check: setpriv missing or $RX not executable by nobody)"
fi

# ---------------------------------------------------------------- attach, native
rx_out "attach native via --netns" 0 "$DEV_SRV: attached \(native mode" \
	rx attach --netns "$NS_SRV" --iface "$DEV_SRV" --mode native "$RX_TMP/a.img"
expect_eq "  ... XDP in driver mode on $DEV_SRV" "$(xdp_mode_of "$NS_SRV" "$DEV_SRV")" xdp
check "  ... TC filter rootxdp_tc at clsact ingress" \
	bash -c "ip netns exec '$NS_SRV' tc filter show dev '$DEV_SRV' ingress | grep -q rootxdp_tc"
for p in prog-xdp prog-tc "link-xdp-$DEV_SRV" rx_meta rx_stats rx_ctl rx_cfg rx_resp rx_blob rx_tld rx_nsec; do
	check "  ... pinned $p" test -e "$RX_PIN_DIR/$p"
done
check "  ... attach state recorded" test -n "$(state_files)"
check "bpftool map dump rx_meta shows typed fields (serial $serial)" \
	bash -c "bpftool map dump pinned '$RX_PIN_DIR/rx_meta' | grep -q '\"serial\": $serial'"
check "bpftool map dump rx_stats shows named counters per CPU" \
	bash -c "bpftool map dump pinned '$RX_PIN_DIR/rx_stats' | grep -q '\"packets\": [0-9]'"
check "bpftool map dump rx_cfg shows the RRL parameters" \
	bash -c "bpftool map dump pinned '$RX_PIN_DIR/rx_cfg' | grep -q '\"rate\": 200'"
rx_out "status shows the serial and native mode" 0 "serial $serial" rx status
rx_out "status names the interface and mode" 0 "interface: +$DEV_SRV native" rx status
link1=$(rx status --json | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["interfaces"][0]["xdp_link"], d["zone"]["serial"], d["map_memory_bytes"] > 0)')
expect_eq "status --json parses (link id, serial, map memory)" "${link1#* }" "$serial True"
rx_out "attach again is idempotent" 0 "attached" \
	rx attach --netns "$NS_SRV" --iface "$DEV_SRV" "$RX_TMP/a.img"
link2=$(rx status --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["interfaces"][0]["xdp_link"])')
expect_eq "  ... same XDP link kept" "$link2" "${link1%% *}"
out=$(ip -n "$NS_SRV" link set dev "$DEV_SRV" xdp off 2>&1) && rc=0 || rc=$?
if ((rc != 0)) && [[ $(xdp_mode_of "$NS_SRV" "$DEV_SRV") == xdp ]]; then
	ok "'ip link set xdp off' cannot remove the link ($out)"
else
	fail "'ip link set xdp off' removed the XDP link (exit $rc: $out)"
fi

# ---------------------------------------------------------------- answers
a0=$(answered)
out=$(q "@$IP4_SRV" "www.$tld" A)
if is_referral "$out"; then ok "IPv4 referral for www.$tld A (NOERROR, no AA, NS)"; else
	fail "IPv4 referral for www.$tld A"; indent <<<"$out"; fi
out=$(q "@$IP6_SRV" "www.$tld" AAAA)
if is_referral "$out"; then ok "IPv6 referral for www.$tld AAAA (NOERROR, no AA, NS)"; else
	fail "IPv6 referral for www.$tld AAAA"; indent <<<"$out"; fi
a1=$(answered)
check "stats: answered moved by 2 ($a0 -> $a1)" test "$a1" -ge $((a0 + 2))
expect_eq "SOA over IPv4 has serial $serial" "$(soa_serial "$IP4_SRV")" "$serial"
expect_eq "SOA over IPv6 has serial $serial" "$(soa_serial "$IP6_SRV")" "$serial"

# Which path answers which query: the kernel decides (tailroom).  A
# padded query usually has the room in XDP, but not always (the veth
# frame layout varies): a few tries.
for kind in plain padded; do
	for try in 1 2 3 4 5; do
		x0=$(stat_of xdp.answered) t0=$(stat_of tc.answered)
		if [[ $kind == plain ]]; then
			out=$(q "@$IP4_SRV" "nx-$$.$tld" A)
		else
			out=$(q "@$IP4_SRV" +padding=468 "nx-$$-$try.$tld" A)
		fi
		x1=$(stat_of xdp.answered) t1=$(stat_of tc.answered)
		path=none
		((x1 > x0)) && path=xdp
		((t1 > t0)) && path=tc
		[[ $kind == plain || $path == xdp ]] && break
	done
	if is_referral "$out" && [[ $path != none ]]; then
		ok "$kind query answered in the kernel, $path path"
	else
		fail "$kind query (path $path)"
		indent <<<"$out"
	fi
done
check "both paths have answered (xdp $(stat_of xdp.answered), tc $(stat_of tc.answered))" \
	test "$(stat_of xdp.answered)" -gt 0 -a "$(stat_of tc.answered)" -gt 0

# ---------------------------------------------------------------- stats formats
rx_out "stats text: xdp.answered" 0 "^xdp\.answered [0-9]+$" rx stats
rx_out "stats --path tc has only tc" 0 "^tc\.answered" rx stats --path tc
check "  ... and no xdp line" bash -c "! '$RX' stats --config '$CONF' --path tc | grep -q '^xdp\.'"
check "stats --json parses, xdp.answered + tc.answered = $(answered)" bash -c \
	"'$RX' stats --config '$CONF' --json | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(d[\"xdp\"][\"answered\"] + d[\"tc\"][\"answered\"] != $(answered))'"
# (the families and their values: test_prometheus.sh)
rx_out "stats --prometheus: TYPE counter" 0 "^# TYPE rootxdp_responses_total counter$" rx stats --prometheus
rx_out "stats --prometheus: path labels" 0 \
	"^rootxdp_responses_by_transport_total\{path=\"tc\",transport=\"udp\"\} [0-9]+$" rx stats --prometheus
rx_out "stats --prometheus: zone serial gauge" 0 "^rootxdp_zone_serial\{path=\"xdp\"\} $serial$" \
	rx stats --prometheus
mkdir -p "$RX_TMP/run"
printf 'queries_udp 42\nqueries_tcp_ipv6 7\n' >"$RX_TMP/run/rootxdpd.stats"
rx_out "stats include rootxdpd's counters" 0 "^rootxdpd\.queries_udp 42$" rx stats
rx_out "  ... in Prometheus with path=\"rootxdpd\"" 0 \
	"^rootxdp_queries_total\{path=\"rootxdpd\",transport=\"tcp\",family=\"ipv6\"\} 7$" rx stats --prometheus
rm -f "$RX_TMP/run/rootxdpd.stats"

# ---------------------------------------------------------------- reload
rx_out "reload without rootxdpd says so" 1 "rootxdpd is not running" rx reload
bg_start fake-rootxdpd bash -c "trap 'echo hup >>\"$RX_TMP/hup\"' HUP; while :; do sleep 0.1; done"
echo "$BG_PID" >"$RX_TMP/run/rootxdpd.pid"
sleep 0.3
rx_out "reload sends SIGHUP to run-dir/rootxdpd.pid" 0 "pid $BG_PID" rx reload
check "  ... the daemon got it" wait_until 3 grep -q hup "$RX_TMP/hup"
rx_out "status shows rootxdpd running" 0 "rootxdpd: +running, pid $BG_PID" rx status
bg_stop "$BG_PID"
rm -f "$RX_TMP/run/rootxdpd.pid"

# ---------------------------------------------------------------- load
rx_out "load a newer image" 0 "serving serial $serial2 \(was $serial\)" rx load "$RX_TMP/b.img"
expect_eq "  ... SOA serial is $serial2" "$(soa_serial "$IP4_SRV")" "$serial2"
rx_out "  ... status shows $serial2" 0 "serial $serial2" rx status
rx_out "load an older image is refused" 1 "older than the live $serial2" rx load "$RX_TMP/a.img"
rx_out "load the same serial is refused" 1 "is the live one already" rx load "$RX_TMP/b.img"
head -c 2000 /dev/urandom >"$RX_TMP/garbage.img"
rx_out "load a corrupt image is refused" 1 "refusing image.*still serving serial $serial2" \
	rx load "$RX_TMP/garbage.img"
rx_out "load a truncated image is refused" 1 "refusing image" rx load "$RX_TMP/short.img"
rx_out "load a missing image is refused" 1 "refusing image.*No such file" rx load "$RX_TMP/nope.img"
expect_eq "  ... still serving $serial2" "$(soa_serial "$IP6_SRV")" "$serial2"
out=$(q "@$IP4_SRV" "www.$tld" A)
if is_referral "$out"; then ok "  ... and referrals still answered"; else fail "  ... referral after refused loads"; fi
rx_out "load --force goes back to $serial" 0 "serving serial $serial " rx load --force "$RX_TMP/a.img"
expect_eq "  ... SOA serial is $serial" "$(soa_serial "$IP4_SRV")" "$serial"

# ---------------------------------------------------------------- detach, generic
rx_out "detach" 0 "$DEV_SRV: detached" rx detach
expect_eq "  ... no XDP on $DEV_SRV" "$(xdp_mode_of "$NS_SRV" "$DEV_SRV")" none
check "  ... no rootxdp TC filter" \
	bash -c "! ip netns exec '$NS_SRV' tc filter show dev '$DEV_SRV' ingress | grep -q rootxdp"
check "  ... no pins" test ! -e "$RX_PIN_DIR"
check "  ... no state file" test -z "$(state_files)"
rx_out "status after detach: exit 1" 1 "not attached" rx status

rx_out "attach generic" 0 "$DEV_SRV: attached \(generic mode" \
	rx attach --netns "$NS_SRV" -i "$DEV_SRV" --mode generic "$RX_TMP/b.img"
expect_eq "  ... XDP in skb mode" "$(xdp_mode_of "$NS_SRV" "$DEV_SRV")" xdpgeneric
a0=$(answered)
out=$(q "@$IP4_SRV" "www.$tld" A)
is_referral "$out" && ok "generic: IPv4 referral" || fail "generic: IPv4 referral"
out=$(q "@$IP6_SRV" "www.$tld" A)
is_referral "$out" && ok "generic: IPv6 referral" || fail "generic: IPv6 referral"
check "generic: answered moved ($a0 -> $(answered)), xdp $(stat_of xdp.answered) tc $(stat_of tc.answered)" \
	test "$(answered)" -ge $((a0 + 2))
expect_eq "generic: SOA serial $serial2" "$(soa_serial "$IP4_SRV")" "$serial2"

# ---------------------------------------------------------------- two interfaces
ip link add veth-srv2 netns "$NS_SRV" type veth peer name veth-cli2 netns "$NS_CLI" &&
	ns_addr_add "$NS_SRV" veth-srv2 203.0.113.1/24 &&
	ns_addr_add "$NS_CLI" veth-cli2 203.0.113.2/24 &&
	ip netns exec "$NS_CLI" ethtool -K veth-cli2 tx off >/dev/null &&
	ip -n "$NS_CLI" link set dev veth-cli2 xdpdrv obj "$(xdp_pass_obj)" sec xdp &&
	ip -n "$NS_SRV" link set veth-srv2 up && ip -n "$NS_CLI" link set veth-cli2 up &&
	wait_until 5 in_cli ping -c1 -W1 -q 203.0.113.1 || _rx_abort "second veth pair"
rx_out "attach a second interface (auto mode)" 0 "veth-srv2: attached \(native" \
	rx attach --netns "$NS_SRV" -i veth-srv2
rx_out "  ... pinned programs reused, zone kept" 0 "serving serial $serial2" \
	rx attach --netns "$NS_SRV" -i veth-srv2
ids=$(rx status --json | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["interfaces"]), len({i["xdp_prog"] for i in d["interfaces"]}))')
expect_eq "  ... status: 2 interfaces, 1 program" "$ids" "2 1"
out=$(q @203.0.113.1 "www.$tld" A)
is_referral "$out" && ok "  ... referral on the second interface" || fail "  ... referral on veth-srv2"
rx_out "detach the first interface only" 0 "$DEV_SRV: detached" rx detach -i "$DEV_SRV"
check "  ... pins stay for the second" test -e "$RX_PIN_DIR/link-xdp-veth-srv2"
expect_eq "  ... $DEV_SRV has no XDP" "$(xdp_mode_of "$NS_SRV" "$DEV_SRV")" none
expect_eq "  ... second interface still serves serial $serial2" "$(soa_serial 203.0.113.1)" "$serial2"
rx_out "detach an interface that is not attached" 1 "is not attached" rx detach -i "$DEV_SRV"
rx_out "detach the rest" 0 "no interface left: removed the pins" rx detach
expect_eq "  ... veth-srv2 has no XDP" "$(xdp_mode_of "$NS_SRV" veth-srv2)" none
check "  ... bpftool net: nothing of ours in $NS_SRV" \
	bash -c "! ip netns exec '$NS_SRV' bpftool net | grep -q rootxdp"
check "  ... no pins under /sys/fs/bpf" test ! -e "$RX_PIN_DIR"
check "  ... no state file" test -z "$(state_files)"
rx_out "detach when nothing is attached is a no-op" 0 "nothing to do" rx detach

summary
