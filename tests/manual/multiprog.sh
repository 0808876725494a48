#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# multiprog.sh - xdp-mode multiprog: rootxdp shares the NIC with
# another owner's XDP program through libxdp's dispatcher.
#   * a counter (tests/netns/xdp_count.bpf.c: counts UDP/53 frames, passes
#     everything) is loaded first with `xdp-loader load` at priority 20;
#   * rootxdp attaches in multiprog mode at priority 10 (it runs first):
#     `xdp-loader status` lists both, in that order; `rootxdp status` and
#     `rootxdp health` see the attachment; queries from the client are
#     answered; the counter sees exactly the queries rootxdp's XDP program
#     passed up (XDP_PASS is its chain-call action), none it answered;
#   * detach takes only rootxdp's program out: the counter stays attached
#     and keeps counting;
#   * rootxdp again at priority 30 (it runs second): the counter sees
#     every query sent, and rootxdp still answers them;
#   * `rootxdp upgrade` refuses in this mode, saying why, changing nothing;
#   * a program outside a dispatcher (ip link) is not joined: refused.
# A kernel that refuses freplace (BPF_PROG_TYPE_EXT) programs cannot run
# libxdp's dispatcher at all (libxdp falls back to a lone program): the
# test then fails at once, saying so.  Our CI hosts' kernel is such a one
# (a Firecracker build without the trampolines freplace needs), so this
# suite is not in `make test` (tests/manual: run by hand where the kernel
# allows); `make test` checks the same orders through the loader's code on
# Debian 12's 6.1 under qemu (tests/kernel/multiprog_kernel.c, make
# verify-6.1), on lo and on a virtio-net NIC with dig from the host.
#   tests/manual/multiprog.sh   (root; O= build dir; RX_ZONE_DIR= a mkzone.sh output)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../netns/lib.sh
. "$here/../netns/lib.sh"

RX="$O/rootxdp"
RXC="$O/rootxdp-compile"
need_bins "$RX" "$RXC"
need_cmds xdp-loader bpftool dig python3

ns_setup
zone_a
"$RXC" --trust-anchor "$ZONE_A/trust-anchor.ds" -o "$RX_TMP/a.img" "$ZONE_A/root.zone" \
	>"$RX_TMP/compile.log" 2>&1 || _rx_abort "rootxdp-compile failed (see $RX_TMP/compile.log)"
CONF=$RX_TMP/rootxdp.conf
printf 'pin-root = %s\nrun-dir = %s\nstate-dir = %s\nimage = %s\nrrl-rate = 0\nxdp-mode = multiprog\n' \
	"$RX_PIN_DIR" "$RX_TMP/run" "$RX_TMP/state" "$RX_TMP/a.img" >"$CONF"
rx() {
	local cmd=$1
	shift
	"$RX" "$cmd" --config "$CONF" "$@"
}
# xdp-loader must see the host bpffs, where libxdp pins its dispatcher:
# switch the network namespace only (ip netns exec remounts /sys).
xl() { nsenter_net "$NS_SRV" xdp-loader "$@"; }
CPIN=/sys/fs/bpf/rootxdp-test-$$-count
register_pin "$CPIN"
COUNT_OBJ=$(test_bpf_obj xdp_count) || _rx_abort "cannot build tests/netns/xdp_count.bpf.c"
# libxdp's /sys/fs/bpf/xdp goes too when nothing else is in it (rmdir).
trap 'rc=$?; xl unload --all "$DEV_SRV" >/dev/null 2>&1; cleanup; rmdir /sys/fs/bpf/xdp 2>/dev/null; exit $rc' EXIT

# UDP/53 frames the counter saw.
counted() {
	bpftool -j map lookup pinned "$CPIN/xc_count" key 0 0 0 0 |
		python3 -c 'import json, sys; v = json.load(sys.stdin)["value"]; print(int.from_bytes(bytes(int(b, 16) for b in v), "little"))'
}
# A kernel path's counter from rootxdp stats: stat xdp.answered, ...
stat() { rx stats 2>/dev/null | awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }'; }
# UDP/53 frames rootxdp's XDP program saw, and passed up (frames that are
# not IP/UDP/53 (ARP, ND) are passed too, but the counter does not count them).
dns_xdp() { rx stats 2>/dev/null | awk '$1 == "xdp.packets" { s += $2 } $1 == "xdp.pass_not_dns" || $1 == "xdp.pass_l2" { s -= $2 } END { print s + 0 }'; }
passed_xdp() { rx stats 2>/dev/null | awk '$1 ~ /^xdp\.pass_/ && $1 != "xdp.pass_not_dns" && $1 != "xdp.pass_l2" { s += $2 } END { print s + 0 }'; }
# The programs in the dispatcher, in run order (xdp-loader status prints
# " =>  PRIO  NAME  ID  TAG  CHAIN-ACTIONS" under the dispatcher's line).
xl_order() { xl status "$DEV_SRV" | awk '$1 == "=>" { printf "%s%s", sep, $3; sep = " " } END { print "" }'; }
xl_actions() { xl status "$DEV_SRV" | awk -v p="$1" '$1 == "=>" && $3 == p { print $6 }'; }
xl_has() { xl status "$DEV_SRV" | grep -qw "$1"; }

# NQ queries from the client, one try each: for each TLD of the zone an
# NS (referral), plus names that do not exist (NXDOMAIN).  Prints how
# many were answered with the status the zone gives (an independent
# reading: the zone file and dig).
mapfile -t TLDS < <(awk '$4 == "NS" && $1 != "." { print $1 }' "$ZONE_A/root.zone" | sort -u | head -n 10)
((${#TLDS[@]} == 10)) || _rx_abort "fewer than 10 TLDs in $ZONE_A/root.zone"
NQ=20
queries() {
	local t ok=0 st
	for t in "${TLDS[@]}"; do
		st=$(in_cli dig +tries=1 +time=2 +norec @"$IP4_SRV" "$t" NS | sed -n 's/.*status: \([A-Z]*\).*/\1/p')
		[[ "$st" == NOERROR ]] && ok=$((ok + 1))
		st=$(in_cli dig +tries=1 +time=2 +norec @"$IP4_SRV" "nosuch-$t" A | sed -n 's/.*status: \([A-Z]*\).*/\1/p')
		[[ "$st" == NXDOMAIN ]] && ok=$((ok + 1))
	done
	echo "$ok"
}

# ---------------------------------------------------------------- the other program first
check "xdp-loader loads the counter on $DEV_SRV at priority 20" \
	xl load -m native -P 20 -p "$CPIN" "$DEV_SRV" "$COUNT_OBJ"
# libxdp falls back to a lone program when the kernel refuses its
# dispatcher's freplace (BPF_PROG_TYPE_EXT) programs: nothing can share the
# interface then, and every step below would fail for that one reason.
if ! xl status "$DEV_SRV" | awk '$2 == "xdp_dispatcher" { f = 1 } END { exit !f }'; then
	xl unload --all "$DEV_SRV" >/dev/null 2>&1
	_rx_abort "libxdp could not put its dispatcher on $DEV_SRV: this kernel ($(uname -r)) refuses its freplace (BPF_PROG_TYPE_EXT) programs (xdp-loader -vv load: 'Compatibility check for dispatcher program failed'); xdp-mode multiprog cannot work here. Debian 12's 6.1 runs it: tests/kernel (make verify-6.1) checks multiprog there"
fi
check "  ... it counts (its map is pinned)" counted

# ---------------------------------------------------------------- rootxdp first (priority 10)
out=$(rx attach --netns "$NS_SRV" -i "$DEV_SRV" --priority 10 2>&1) && rc=0 || rc=$?
echo "$out" | sed 's/^/# /'
check "rootxdp attach --mode multiprog (from the config) beside it" test "$rc" = 0
check "  ... says multiprog, priority 10" grep -q "attached (multiprog, libxdp dispatcher .*priority 10" <<<"$out"
check "  ... no link pin (libxdp owns the attachment)" test ! -e "$RX_PIN_DIR/link-xdp-$DEV_SRV"
check "  ... its program pinned under the pin root" test -e "$RX_PIN_DIR/mprog-xdp-$DEV_SRV"
xl status "$DEV_SRV" | sed 's/^/# xdp-loader: /'
check "xdp-loader status lists rootxdp_xdp" xl_has rootxdp_xdp
check "xdp-loader status lists xdp_count" xl_has xdp_count
expect_eq "  ... rootxdp runs first (priority 10 < 20)" "$(xl_order)" "rootxdp_xdp xdp_count"
expect_eq "  ... what rootxdp passes goes on (chain-call action)" "$(xl_actions rootxdp_xdp)" XDP_PASS
st=$(rx status 2>&1)
echo "$st" | grep '^interface' | sed 's/^/# /'
check "rootxdp status: multiprog, priority 10, program 1 of 2" \
	grep -q "interface:  $DEV_SRV multiprog (libxdp dispatcher [0-9]*, native mode, priority 10, program 1 of 2)" <<<"$st"
check "rootxdp status --json: the dispatcher" bash -c "'$RX' status --config '$CONF' --json | python3 -c 'import json,sys; i = json.load(sys.stdin)[\"interfaces\"][0]; sys.exit(not (i[\"mode\"] == \"multiprog\" and i[\"dispatcher\"][\"priority\"] == 10 and i[\"dispatcher\"][\"programs\"] == 2))'"
check_not "rootxdp health: XDP counts as attached" bash -c "'$RX' health --config '$CONF' 2>&1 | grep -q 'XDP is not attached'"
check "TC ingress filter attached as in the other modes" bash -c "tc -n '$NS_SRV' filter show dev '$DEV_SRV' ingress | grep -q rootxdp_tc"

c0=$(counted) x0=$(dns_xdp) a0=$(( $(stat xdp.answered) + $(stat tc.answered) )) p0=$(passed_xdp)
n=$(queries)
c1=$(counted) x1=$(dns_xdp) a1=$(( $(stat xdp.answered) + $(stat tc.answered) )) p1=$(passed_xdp)
echo "# rootxdp first: $n/$NQ answered; rootxdp's XDP saw $((x1 - x0)), answered $(( $(stat xdp.answered) )) in all, passed $((p1 - p0)); the counter saw $((c1 - c0))"
expect_eq "all $NQ queries answered" "$n" "$NQ"
expect_eq "  ... by the kernel (rootxdp's answered counters)" "$((a1 - a0))" "$NQ"
expect_eq "  ... rootxdp's XDP program saw every one" "$((x1 - x0))" "$NQ"
expect_eq "the counter saw exactly what rootxdp's XDP passed up" "$((c1 - c0))" "$((p1 - p0))"

# ---------------------------------------------------------------- upgrade refuses
out=$(rx upgrade 2>&1) && rc=0 || rc=$?
check "rootxdp upgrade refuses in multiprog mode" test "$rc" = 1
check "  ... saying why and what to do" grep -q "$DEV_SRV runs rootxdp in libxdp's dispatcher.*cannot be replaced" <<<"$out"
check "  ... changing nothing: both still listed" bash -c "$(declare -f xl xl_order nsenter_net); NS_SRV=$NS_SRV DEV_SRV=$DEV_SRV; [[ \$(xl_order) == 'rootxdp_xdp xdp_count' ]]"

# ---------------------------------------------------------------- detach leaves the other
out=$(rx detach 2>&1) && rc=0 || rc=$?
check "rootxdp detach" test "$rc" = 0
check "  ... no interface left, pins gone" test ! -e "$RX_PIN_DIR"
check_not "  ... rootxdp_xdp left the dispatcher" xl_has rootxdp_xdp
check "  ... xdp_count is still attached" xl_has xdp_count
check_not "  ... our TC filter is gone" bash -c "tc -n '$NS_SRV' filter show dev '$DEV_SRV' ingress | grep -q rootxdp_tc"
c0=$(counted)
in_cli dig +tries=1 +time=1 +norec @"$IP4_SRV" . SOA >/dev/null 2>&1
c1=$(counted)
expect_eq "  ... and keeps counting (one query, nobody answers it)" "$((c1 - c0))" 1

# ---------------------------------------------------------------- rootxdp second (priority 30)
out=$(rx attach --netns "$NS_SRV" -i "$DEV_SRV" --priority 30 2>&1) && rc=0 || rc=$?
check "rootxdp attach again at priority 30" test "$rc" = 0
expect_eq "  ... now the counter runs first" "$(xl_order)" "xdp_count rootxdp_xdp"
check "rootxdp status: priority 30, program 2 of 2" \
	bash -c "'$RX' status --config '$CONF' | grep -q 'priority 30, program 2 of 2'"
c0=$(counted) x0=$(dns_xdp) a0=$(( $(stat xdp.answered) + $(stat tc.answered) ))
n=$(queries)
c1=$(counted) x1=$(dns_xdp) a1=$(( $(stat xdp.answered) + $(stat tc.answered) ))
echo "# rootxdp second: $n/$NQ answered; the counter saw $((c1 - c0)), then rootxdp's XDP saw $((x1 - x0))"
expect_eq "all $NQ queries answered" "$n" "$NQ"
expect_eq "  ... by the kernel" "$((a1 - a0))" "$NQ"
expect_eq "the counter saw every query sent" "$((c1 - c0))" "$NQ"
expect_eq "  ... and passed each on to rootxdp's XDP program" "$((x1 - x0))" "$NQ"
check "detach again" rx detach
check "  ... the counter stays" xl_has xdp_count

# ---------------------------------------------------------------- a program outside a dispatcher
check "xdp-loader unloads the counter" xl unload --all "$DEV_SRV"
ip -n "$NS_SRV" link set dev "$DEV_SRV" xdpdrv obj "$(xdp_pass_obj)" sec xdp ||
	fail "cannot put a plain XDP program on $DEV_SRV"
out=$(rx attach --netns "$NS_SRV" -i "$DEV_SRV" 2>&1) && rc=0 || rc=$?
check "multiprog refuses to join a program attached without libxdp" test "$rc" = 1
check "  ... saying what to do" grep -q "outside a libxdp dispatcher.*xdp-loader" <<<"$out"
check "  ... leaving no pins" test ! -e "$RX_PIN_DIR"
ip -n "$NS_SRV" link set dev "$DEV_SRV" xdpdrv off

summary
