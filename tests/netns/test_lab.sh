#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_lab.sh - the bench's XDP lab (bench/lab.c, bench/lab.bpf.c,
# bench/copyfloor.bpf.c) as a correctness check, no timing: a fixed number
# of live test-run frames, 256 queries of the bench mix (bench/querymix.py
# on the test zone) sent 40 times each, go through the veth pair into the
# server's native XDP program; the sink on the client veth must count one
# answer per frame sent, and every query (by its DNS ID) exactly 40.
#   rootxdp: the XDP program answered them all (xdp answered = frames
#            sent, tc answered = 0, pass_no_room = 0: the frames arrive
#            with a NIC's tailroom, so TC never has to step in);
#   reflector, copy floor (appending an odd and an even byte count): every
#            output frame's lengths and checksums verified by bench/lab
#            before the run (plain test-run), then the same counts.
#   tests/netns/test_lab.sh      (root; O= build dir, default build)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

need_bins "$O/rootxdp" "$O/rootxdpd" "$O/rootxdp-compile"
need_cmds python3 "${CLANG:-clang}" "${CC:-cc}" pkg-config
ns_setup
zone_a

# ---- the lab's programs and driver, built here (as scripts/bench.sh does)
L=$RX_TMP/lab
mkdir -p "$L"
for b in lab copyfloor reflector; do
	"${CLANG:-clang}" -target bpf -mcpu=v3 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
		-idirafter "/usr/include/$(${CC:-cc} -print-multiarch)" -c "$RX_TOP/bench/$b.bpf.c" \
		-o "$L/$b.bpf.o" 2>"$L/build.log" || { cat "$L/build.log"; _rx_abort "cannot build bench/$b.bpf.c"; }
done
# shellcheck disable=SC2046
"${CC:-cc}" -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE $(pkg-config --cflags libbpf) \
	"$RX_TOP/bench/lab.c" $(pkg-config --libs libbpf) -o "$L/lab" 2>"$L/build.log" ||
	{ cat "$L/build.log"; _rx_abort "cannot build bench/lab.c"; }

python3 "$RX_TOP/bench/querymix.py" --zone "$ZONE_A/root.zone" --seed 2026 --count 256 \
	--out "$L/mix" >/dev/null || _rx_abort "querymix.py failed"
"$O/rootxdp-compile" -o "$RX_TMP/root.img" "$ZONE_A/root.zone" >/dev/null ||
	_rx_abort "rootxdp-compile failed"
conf=$RX_TMP/rootxdp.conf
cat >"$conf" <<EOF
image = $RX_TMP/root.img
run-dir = $RX_TMP/run
state-dir = $RX_TMP/state
pin-root = $RX_PIN_DIR
# one client, a burst of thousands: the path, not RRL
rrl-rate = 0
identity = lab-$$
listen = $IP4_SRV $IP6_SRV
EOF
mkdir -p "$RX_TMP/run"
bg_start rootxdpd ip netns exec "$NS_SRV" "$O/rootxdpd" --config "$conf"
wait_until 10 in_cli dig +short +time=1 +tries=1 @"$IP4_SRV" . SOA ||
	_rx_abort "rootxdpd does not answer"

SRV_MAC=$(ip -n "$NS_SRV" -j link show "$DEV_SRV" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])') ||
	_rx_abort "cannot read the server veth's MAC"
# The sink takes the client veth's XDP slot.
ip -n "$NS_CLI" link set dev "$DEV_CLI" xdpdrv off || _rx_abort "cannot free the client veth's XDP slot"

QUERIES=256 EACH=40
FRAMES=$((QUERIES * EACH))
# lab_run NAME [server options]: one bounded run; sets SENT ANSWERS IDS_BAD.
lab_run() {
	local name=$1 row
	shift
	row=$(taskset -c 0 "$L/lab" --obj "$L/lab.bpf.o" --cli-ns "$NS_CLI" --cli-dev "$DEV_CLI" \
		--srv-mac "$SRV_MAC" --src "$IP4_CLI" --dst "$IP4_SRV" --wire "$L/mix/mix.wire" \
		--count "$QUERIES" --frames "$FRAMES" --per-id --cpu 0 "$@" 2>"$RX_TMP/lab.err")
	if [[ -z "$row" ]]; then
		fail "$name: bench/lab ran ($(head -c 300 "$RX_TMP/lab.err"))"
		SENT=-1 ANSWERS=-2 IDS_BAD=-1
		return
	fi
	read -r SENT _ ANSWERS _ _ _ _ IDS_BAD <<<"$row"
	expect_eq "$name: frames sent" "$SENT" "$FRAMES"
	expect_eq "$name: the sink counted one answer per frame" "$ANSWERS" "$FRAMES"
	expect_eq "$name: every query answered $EACH times, ID echoed (templates off)" "$IDS_BAD" 0
}

stat_of() {	# stat_of FILE PATH KEY
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], {}).get(sys.argv[3], 0))' "$@"
}

# ---- rootxdp
check "rootxdp attach" "$O/rootxdp" attach --config "$conf" --netns "$NS_SRV" \
	--iface "$DEV_SRV" "$RX_TMP/root.img"
"$O/rootxdp" stats --json --config "$conf" --pin-root "$RX_PIN_DIR" >"$RX_TMP/before.json" ||
	_rx_abort "rootxdp stats failed"
lab_run rootxdp
"$O/rootxdp" stats --json --config "$conf" --pin-root "$RX_PIN_DIR" >"$RX_TMP/after.json"
d() { echo $(($(stat_of "$RX_TMP/after.json" "$1" "$2") - $(stat_of "$RX_TMP/before.json" "$1" "$2"))); }
expect_eq "rootxdp: the XDP program answered every frame" "$(d xdp answered)" "$FRAMES"
expect_eq "rootxdp: TC answered none" "$(d tc answered)" 0
expect_eq "rootxdp: no pass for lack of tailroom" "$(d xdp pass_no_room)" 0
check "rootxdp detach" "$O/rootxdp" detach --netns "$NS_SRV" --iface "$DEV_SRV" --pin-root "$RX_PIN_DIR"

# ---- the reflector and the copy floor
lab_run reflector --server-obj "$L/reflector.bpf.o" --server-prog bench_reflector \
	--srv-ns "$NS_SRV" --srv-dev "$DEV_SRV"
for n in 721 600; do
	lab_run "copy floor +$n B" --server-obj "$L/copyfloor.bpf.o" --server-prog bench_copyfloor \
		--srv-ns "$NS_SRV" --srv-dev "$DEV_SRV" --append "$n"
done

# Nothing of the lab stays attached (its links went with the process).
check_not "no XDP program left on the server veth" \
	bash -c "ip -n '$NS_SRV' -d link show '$DEV_SRV' | grep -q 'prog/xdp'"
check_not "no XDP program left on the client veth" \
	bash -c "ip -n '$NS_CLI' -d link show '$DEV_CLI' | grep -q 'prog/xdp'"
summary
