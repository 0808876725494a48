#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_attach_full.sh - `rootxdp attach` when its state table is full
# (RX_STATE_MAX interfaces): the refused interface is left as it was, no
# XDP link, no TC filter, no pin; the ones attached before keep serving.
# (The rollback once skipped the interface it failed on and left its new
# link and filter behind.)
#   tests/netns/test_attach_full.sh     (root; O= build dir, RX_ZONE_DIR=)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

RX="$O/rootxdp"
need_bins "$RX"
ns_setup
zdir=${RX_ZONE_DIR:?RX_ZONE_DIR: a tests/zones/mkzone.sh output}
"$O/rootxdp-compile" --trust-anchor "$zdir/trust-anchor.ds" -o "$RX_TMP/root.img" \
	"$zdir/root.zone" >"$RX_TMP/compile.log" 2>&1 || _rx_abort "rootxdp-compile failed"
max=$(awk '/#define RX_STATE_MAX/ { print $3 }' "$RX_TOP/loader/cmd.h")
[[ "$max" =~ ^[0-9]+$ ]] || _rx_abort "RX_STATE_MAX not found in loader/cmd.h"
CONF=$RX_TMP/rootxdp.conf
printf 'pin-root = %s\nrun-dir = %s\nstate-dir = %s\nxdp-mode = generic\n' \
	"$RX_PIN_DIR" "$RX_TMP/run" "$RX_TMP/state" >"$CONF"
mkdir -p "$RX_TMP/run"

# RX_STATE_MAX veth interfaces (this kernel may have no dummy driver) in
# the server namespace, plus the one too many.
args=()
for ((i = 0; i <= max; i++)); do
	ip -n "$NS_SRV" link add "rxd$i" type veth peer name "rxp$i" ||
		_rx_abort "cannot add veth rxd$i"
	ip -n "$NS_SRV" link set "rxd$i" up
	((i < max)) && args+=(--iface "rxd$i")
done
check "attach to $max interfaces (the state table's size)" \
	"$RX" attach --config "$CONF" --netns "$NS_SRV" "${args[@]}" "$RX_TMP/root.img"
out=$("$RX" attach --config "$CONF" --netns "$NS_SRV" --iface "rxd$max" "$RX_TMP/root.img" 2>&1)
rc=$?
check "one more is refused, saying why" bash -c "[[ $rc != 0 ]] && grep -q 'more than $max interfaces' <<<'$out'"
check "... no XDP program left on it" bash -c "! ip -n '$NS_SRV' link show rxd$max | grep -q xdp"
check "... no TC filter left on it" bash -c "[[ -z \$(tc -n '$NS_SRV' filter show dev rxd$max ingress 2>/dev/null) ]]"
check "... no clsact qdisc left on it" bash -c "! tc -n '$NS_SRV' qdisc show dev rxd$max | grep -q clsact"
check "... no link pin for it" test ! -e "$RX_PIN_DIR/link-xdp-rxd$max"
check "the first interface is still attached" bash -c "ip -n '$NS_SRV' link show rxd0 | grep -q xdp"
check "the last of the $max is still attached" bash -c "ip -n '$NS_SRV' link show rxd$((max - 1)) | grep -q xdp"
check "detach all" "$RX" detach --config "$CONF" --netns "$NS_SRV"
summary
