#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# netenv.sh - the network fixture behind tests/py/test_conformance.py.
#
#   tests/py/netenv.sh ZONE ANCHOR READYFILE OWNER_PID
#
# Built on tests/netns/lib.sh and tests/peers/peers.sh:
#   rx-$$-srv  198.51.100.1 2001:db8::1   rootxdp (XDP+TC on veth-srv) and
#                                         rootxdpd, port 53
#   rx-$$-cli  198.51.100.2 2001:db8::2   the client (pytest sends from here)
#              203.0.113.2  2001:db8:1::2 (second veth, XDP_PASS, tx off)
#   rx-$$-peer 203.0.113.1  2001:db8:1::1 Knot on port 53, NSD on port 5301
# The reference peers live in their own namespace: the XDP/TC programs in
# rx-$$-srv intercept UDP port 53 and must not see their traffic.
#
# Writes KEY=VALUE lines to READYFILE, "READY" last (or "FAILED: why"), then
# waits until it gets TERM/INT or OWNER_PID is gone (at most RX_NETENV_MAX
# seconds, default 900) and cleans up everything it made: processes it
# started (by PID), the XDP/TC attachment, pins, namespaces, temp files.
#
# rootxdp is set up when $O/rootxdp-compile, $O/rootxdp and $O/rootxdpd
# exist (ROOTXDP=xdp); with only rootxdp-compile and rootxdpd, the daemon
# alone serves port 53 (ROOTXDP=daemon); else ROOTXDP=none.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../netns/lib.sh
. "$here/../netns/lib.sh"
# shellcheck source=../peers/peers.sh
. "$here/../peers/peers.sh"

ZONE=${1:?zone} ANCHOR=${2:?anchor} READY=${3:?readyfile} OWNER=${4:?owner pid}
IDENTITY=${RX_IDENTITY:-rootxdp-conformance}

# On failure: clean up first, then tell the waiting test (it stops this
# script with TERM once it reads the ready file; TERM during cleanup is
# ignored so the cleanup runs to its end).
FAILED_WHY=""
ready_fail() {
	FAILED_WHY="$*"
	_rx_abort "$*"
}

: >"$READY"
ns_setup
NS_PEER="rx-$$-peer"
_RX_NETNS+=("$NS_PEER")
ATTACHED=0

my_cleanup() {
	trap '' TERM INT
	if ((ATTACHED)); then
		"$O/rootxdp" detach --netns "$NS_SRV" --iface "$DEV_SRV" \
			--pin-root "$RX_PIN_DIR" >/dev/null 2>&1
		ATTACHED=0
	fi
	cleanup
	[[ -n "$FAILED_WHY" ]] && echo "FAILED: $FAILED_WHY" >>"$READY"
	return 0
}
trap 'rc=$?; my_cleanup; exit $rc' EXIT
trap 'my_cleanup; trap - INT; exit 130' INT
trap 'my_cleanup; trap - TERM; exit 143' TERM

# ---- the peers' namespace, its own veth pair to the client ----
ip netns add "$NS_PEER" || ready_fail "cannot create $NS_PEER"
ip link add veth-peer netns "$NS_PEER" type veth peer name veth-pcli netns "$NS_CLI" ||
	ready_fail "cannot create the peer veth pair"
ip -n "$NS_PEER" link set lo up &&
	ns_addr_add "$NS_PEER" veth-peer 203.0.113.1/24 &&
	ns_addr_add "$NS_PEER" veth-peer 2001:db8:1::1/64 &&
	ns_addr_add "$NS_CLI" veth-pcli 203.0.113.2/24 &&
	ns_addr_add "$NS_CLI" veth-pcli 2001:db8:1::2/64 ||
	ready_fail "cannot configure peer addresses"
ip netns exec "$NS_CLI" ethtool -K veth-pcli tx off >/dev/null || ready_fail "ethtool veth-pcli"
ip -n "$NS_CLI" link set dev veth-pcli xdpdrv obj "$(xdp_pass_obj)" sec xdp ||
	ready_fail "cannot attach XDP_PASS to veth-pcli"
ip -n "$NS_PEER" link set veth-peer up && ip -n "$NS_CLI" link set veth-pcli up ||
	ready_fail "cannot bring the peer veth pair up"
wait_until 5 in_cli ping -c1 -W1 -q 203.0.113.1 || ready_fail "203.0.113.1 unreachable"

peer_start_knot "$NS_PEER" 203.0.113.1 53 "$ZONE" "$RX_TMP/peers" || ready_fail "Knot did not start"
KNOT_PID=$PEER_PID
peer_start_nsd "$NS_PEER" 203.0.113.1 5301 "$ZONE" "$RX_TMP/peers" || ready_fail "NSD did not start"
NSD_PID=$PEER_PID

# ---- rootxdp ----
ROOTXDP=none
if [[ -x "$O/rootxdp-compile" && -x "$O/rootxdpd" ]]; then
	IMG="$RX_TMP/root.img"
	mkdir -p "$RX_TMP/run"
	# RX_COMPILE_OPTS: e.g. --now inside an old zone's signature window
	# shellcheck disable=SC2086
	"$O/rootxdp-compile" --trust-anchor "$ANCHOR" ${RX_COMPILE_OPTS:-} -o "$IMG" "$ZONE" \
		>"$RX_TMP/compile.log" 2>&1 ||
		{ cat "$RX_TMP/compile.log" >&2; ready_fail "rootxdp-compile refused $ZONE"; }
	cat >"$RX_TMP/rootxdp.conf" <<-CONF
	identity = $IDENTITY
	nsid = yes
	port = 53
	listen = $IP4_SRV $IP6_SRV
	run-dir = $RX_TMP/run
	state-dir = $RX_TMP/state
	pin-root = $RX_PIN_DIR
	# one client asks thousands of questions: conformance, not RRL
	rrl-rate = 0
	# ...and opens TCP connections back to back from 6 threads: a slot is
	# free again only once rootxdpd has read the close, so under load the
	# default 10 per client refused a query and its immediate retry
	tcp-max-per-client = 100
	image = $IMG
	trust-anchor = $ANCHOR
	CONF
	ROOTXDP=daemon
	if [[ -x "$O/rootxdp" && -z "${RX_NO_XDP:-}" ]]; then
		"$O/rootxdp" attach --config "$RX_TMP/rootxdp.conf" --netns "$NS_SRV" \
			--iface "$DEV_SRV" --pin-root "$RX_PIN_DIR" "$IMG" >"$RX_TMP/attach.log" 2>&1 ||
			{ cat "$RX_TMP/attach.log" >&2; ready_fail "rootxdp attach failed"; }
		ATTACHED=1
		ROOTXDP=xdp
	fi
	bg_start rootxdpd ip netns exec "$NS_SRV" "$O/rootxdpd" --config "$RX_TMP/rootxdp.conf"
	RXD_PID=$BG_PID
	wait_until 10 in_cli dig +tcp +norec +time=1 +tries=1 @"$IP4_SRV" . SOA ||
		{ cat "$RX_TMP/rootxdpd.log" >&2; ready_fail "rootxdpd did not answer over TCP"; }
	wait_until 10 in_cli dig +norec +time=1 +tries=1 @"$IP4_SRV" . SOA ||
		ready_fail "rootxdp did not answer over UDP"
fi

cat >>"$READY" <<-EOF
NS_SRV=$NS_SRV
NS_CLI=$NS_CLI
NS_PEER=$NS_PEER
RX_TMP=$RX_TMP
RX_PIN_DIR=$RX_PIN_DIR
ROOTXDP=$ROOTXDP
RX_CONF=${RX_TMP}/rootxdp.conf
IDENTITY=$IDENTITY
RXD_PID=${RXD_PID:-}
KNOT_PID=$KNOT_PID
NSD_PID=$NSD_PID
READY
EOF

# ---- wait for the end: TERM/INT, the owner gone, or the time limit ----
end=$((SECONDS + ${RX_NETENV_MAX:-900}))
while kill -0 "$OWNER" 2>/dev/null && ((SECONDS < end)); do
	sleep 0.3
done
exit 0
