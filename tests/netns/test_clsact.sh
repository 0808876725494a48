#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_clsact.sh - rootxdp detach removes the clsact qdisc that attach
# created, and only that:
#   * two interfaces attached at once: veth-srv had no qdisc (attach makes
#     one, the state says clsact 1), veth-pre had a clsact with someone
#     else's filter (state clsact 0).  detach: veth-srv's clsact is gone;
#     veth-pre keeps its clsact and the other filter, without ours;
#   * a clsact rootxdp created but that someone else put a filter on since
#     is kept by detach (with the filter), and detach says so;
#   * an attach that fails on its second interface takes the clsact it
#     created on the first one away again.
#   tests/netns/test_clsact.sh   (root; O= build dir; RX_ZONE_DIR= a mkzone.sh output)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

RX="$O/rootxdp"
RXC="$O/rootxdp-compile"
need_bins "$RX" "$RXC"

ns_setup
zone_a
"$RXC" --trust-anchor "$ZONE_A/trust-anchor.ds" -o "$RX_TMP/a.img" "$ZONE_A/root.zone" \
	>"$RX_TMP/compile.log" 2>&1 || _rx_abort "rootxdp-compile failed (see $RX_TMP/compile.log)"
CONF=$RX_TMP/rootxdp.conf
printf 'pin-root = %s\nrun-dir = %s\nimage = %s\n' "$RX_PIN_DIR" "$RX_TMP/run" "$RX_TMP/a.img" >"$CONF"
rx() {
	local cmd=$1
	shift
	"$RX" "$cmd" --config "$CONF" "$@"
}
tcs() { ip netns exec "$NS_SRV" tc "$@"; }
# (grep reads all of tc's output: with pipefail, grep -q could make tc die
# of SIGPIPE and the pipeline fail.)
has_clsact() { tcs qdisc show dev "$1" | grep '^qdisc clsact' >/dev/null; }
# the other filter: a u32 at priority 10 (ingress or egress)
foreign() { tcs filter show dev "$1" "$2" | grep 'pref 10 u32' >/dev/null; }
ours() { tcs filter show dev "$1" ingress | grep rootxdp_tc >/dev/null; }
state_of() { awk -v i="$1" '$1 == "iface" && $2 == i { for (f = 3; f < NF; f++) if ($f == "clsact") print $(f + 1) }' "$RX_TMP"/run/attach*.state 2>/dev/null; }

ip link add veth-pre netns "$NS_SRV" type veth peer name veth-pre-c netns "$NS_CLI" &&
	ip -n "$NS_SRV" link set veth-pre up && ip -n "$NS_CLI" link set veth-pre-c up ||
	_rx_abort "cannot make the second veth pair"
tcs qdisc add dev veth-pre clsact &&
	tcs filter add dev veth-pre ingress prio 10 protocol ip u32 match u32 0 0 ||
	_rx_abort "cannot put a clsact with a u32 filter on veth-pre (cls_u32?)"
check_not "before: no clsact on $DEV_SRV" has_clsact "$DEV_SRV"

# ---------------------------------------------------------------- one we made, one that was there
check "attach $DEV_SRV and veth-pre" rx attach --netns "$NS_SRV" -i "$DEV_SRV" -i veth-pre
check "  ... clsact on $DEV_SRV now" has_clsact "$DEV_SRV"
expect_eq "  ... state: clsact created on $DEV_SRV" "$(state_of "$DEV_SRV")" 1
expect_eq "  ... state: clsact not created on veth-pre" "$(state_of veth-pre)" 0
check "  ... our filter on veth-pre beside the other one" bash -c "$(declare -f tcs ours foreign); ours veth-pre && foreign veth-pre ingress"
out=$(rx detach 2>&1)
check "detach" grep -q "no interface left" <<<"$out"
check "  ... says it removed the clsact on $DEV_SRV" grep -q "$DEV_SRV: detached (removed the clsact qdisc" <<<"$out"
check "  ... and says nothing of veth-pre's" grep -qx "veth-pre: detached" <<<"$out"
check_not "  ... $DEV_SRV has no clsact" has_clsact "$DEV_SRV"
check "  ... veth-pre keeps its clsact" has_clsact veth-pre
check "  ... and the other filter" foreign veth-pre ingress
check_not "  ... but not ours" ours veth-pre

# ---------------------------------------------------------------- ours, but used by others since
check "attach $DEV_SRV again" rx attach --netns "$NS_SRV" -i "$DEV_SRV"
expect_eq "  ... state: clsact created" "$(state_of "$DEV_SRV")" 1
tcs filter add dev "$DEV_SRV" egress prio 10 protocol ip u32 match u32 0 0 ||
	fail "cannot add a filter to $DEV_SRV egress"
out=$(rx detach 2>&1)
check "detach says it kept the clsact others use" grep -q "$DEV_SRV: detached (kept the clsact qdisc" <<<"$out"
check "  ... the clsact stays" has_clsact "$DEV_SRV"
check "  ... with the other filter" foreign "$DEV_SRV" egress
check_not "  ... without ours" ours "$DEV_SRV"
tcs qdisc del dev "$DEV_SRV" clsact

# ---------------------------------------------------------------- a failed attach
ip -n "$NS_SRV" link set dev veth-pre xdpdrv obj "$(xdp_pass_obj)" sec xdp ||
	fail "cannot put an XDP program on veth-pre"
out=$(rx attach --netns "$NS_SRV" -i "$DEV_SRV" -i veth-pre 2>&1) && rc=0 || rc=$?
check "attach fails on veth-pre (it has an XDP program)" test "$rc" = 1
check_not "  ... and takes the clsact it made on $DEV_SRV away" has_clsact "$DEV_SRV"
check "  ... leaves veth-pre's clsact alone" bash -c "$(declare -f tcs has_clsact foreign); has_clsact veth-pre && foreign veth-pre ingress"
check "  ... and no pins" test ! -e "$RX_PIN_DIR"

summary
