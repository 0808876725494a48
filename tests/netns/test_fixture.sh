#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_fixture.sh - proves tests/netns/lib.sh: both families cross the veth
# pair, UDP works end to end, the client end is set up as promised, and
# cleanup leaves nothing behind on exit, on failure, on SIGINT and SIGTERM.
#   tests/netns/test_fixture.sh            (root; O= build dir, default build)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

# ---- child mode: set up, record what was made, then exit/fail/wait ----
if [[ "${1:-}" == --child ]]; then
	mode=$2 rec=$3
	ns_setup
	mkdir -p "$RX_PIN_DIR"
	bg_start sleeper sleep 60
	echo "$NS_SRV $NS_CLI $RX_TMP $RX_PIN_DIR $BG_PID" > "$rec"
	case "$mode" in
	exit) exit 0 ;;
	fail) false || exit 3 ;;
	wait) touch "$rec.ready"; wait; exit 0 ;;
	esac
	exit 99
fi

ns_setup

# ---- the pair ----
check "ping IPv4 cli -> srv" in_cli ping -c2 -i0.2 -W2 -q "$IP4_SRV"
check "ping IPv6 cli -> srv" in_cli ping -6 -c2 -i0.2 -W2 -q "$IP6_SRV"
check "ping IPv4 srv -> cli" in_srv ping -c2 -i0.2 -W2 -q "$IP4_CLI"
check "ping IPv6 srv -> cli" in_srv ping -6 -c2 -i0.2 -W2 -q "$IP6_CLI"
check "native XDP program on $DEV_CLI" \
	bash -c "ip -n '$NS_CLI' -d link show dev '$DEV_CLI' | grep -q 'prog/xdp id'"
check "no XDP program on $DEV_SRV (left to the test)" \
	bash -c "! ip -n '$NS_SRV' link show dev '$DEV_SRV' | grep -q 'prog/xdp'"
check "TX checksum offload off on $DEV_CLI" \
	bash -c "ip netns exec '$NS_CLI' ethtool -k '$DEV_CLI' | grep -q '^tx-checksumming: off'"
check "nothing of ours in the host namespace" \
	bash -c "! ip link show | grep -q -e '$DEV_SRV' -e '$DEV_CLI'"

# ---- nsenter_net keeps the host bpffs, ip netns exec does not ----
mkdir -p "$RX_PIN_DIR"
check "nsenter_net sees the host bpffs" nsenter_net "$NS_SRV" test -d "$RX_PIN_DIR"
check "nsenter_net is in the server namespace" \
	bash -c "nsenter --net=/run/netns/$NS_SRV -- ip -o addr show dev $DEV_SRV | grep -q '$IP4_SRV/24'"
check_not "ip netns exec hides the host bpffs" in_srv test -d "$RX_PIN_DIR"

# ---- one-shot UDP echo, both families ----
echo_srv='
import select, socket, sys
socks = []
for fam, addr in ((socket.AF_INET, sys.argv[1]), (socket.AF_INET6, sys.argv[2])):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, 5353))
    socks.append(s)
done = set()
while len(done) < 2:
    r, _, _ = select.select(socks, [], [], 10)
    if not r:
        sys.exit(1)
    for s in r:
        data, peer = s.recvfrom(2048)
        s.sendto(data, peer)
        done.add(s)
'
echo_cli='
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(0.2)
msg = ("rootxdp-echo " + sys.argv[1]).encode()
for _ in range(50):
    s.sendto(msg, (sys.argv[1], 5353))
    try:
        data, peer = s.recvfrom(2048)
    except socket.timeout:
        continue
    sys.exit(0 if data == msg and peer[0] == sys.argv[1] else 2)
sys.exit(1)
'
bg_start udp-echo in_srv /usr/bin/python3 -c "$echo_srv" "$IP4_SRV" "$IP6_SRV"
echo_pid=$BG_PID
check "UDP echo over IPv4" in_cli /usr/bin/python3 -c "$echo_cli" "$IP4_SRV"
check "UDP echo over IPv6" in_cli /usr/bin/python3 -c "$echo_cli" "$IP6_SRV"
wait "$echo_pid"
expect_eq "one-shot echo server exited cleanly" "$?" 0

# ---- cleanup, in a child test: normal exit, failure, SIGINT, SIGTERM ----
# assert_gone DESC RECORD: everything the child made is gone.
assert_gone() {
	local desc=$1 rec=$2 srv cli tmp pin pid
	if ! read -r srv cli tmp pin pid < "$rec"; then
		fail "$desc: the child recorded nothing"
		return
	fi
	check_not "$desc: netns $srv removed" test -e "/run/netns/$srv"
	check_not "$desc: netns $cli removed" test -e "/run/netns/$cli"
	check_not "$desc: temp dir removed" test -e "$tmp"
	check_not "$desc: pin dir removed" test -e "$pin"
	check_not "$desc: background process $pid ended" kill -0 "$pid"
}

for mode in exit fail; do
	rec="$RX_TMP/child-$mode"
	bash "$0" --child "$mode" "$rec" > "$RX_TMP/child-$mode.log" 2>&1
	rc=$?
	expect_eq "child ($mode) exit status" "$rc" "$([[ $mode == exit ]] && echo 0 || echo 3)"
	assert_gone "child ($mode)" "$rec"
done

for sig in INT TERM; do
	rec="$RX_TMP/child-$sig"
	# Job control on: a background child's SIGINT is otherwise ignored
	# (and an ignored signal cannot be trapped).
	set -m
	bash "$0" --child wait "$rec" > "$RX_TMP/child-$sig.log" 2>&1 &
	child=$!
	set +m
	if wait_until 10 test -e "$rec.ready"; then
		kill -"$sig" "$child"
		wait "$child"
		rc=$?
		expect_eq "child killed by SIG$sig exits $((128 + $(kill -l "$sig")))" \
			"$rc" "$((128 + $(kill -l "$sig")))"
		assert_gone "child (SIG$sig)" "$rec"
	else
		fail "child (SIG$sig) did not get ready"
		kill -KILL "$child" 2>/dev/null
		wait "$child" 2>/dev/null
		sed 's/^/       | /' "$RX_TMP/child-$sig.log"
	fi
done

summary
