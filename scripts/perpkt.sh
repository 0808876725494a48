#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# perpkt.sh - the per-packet table of `make bench` alone (bench/testrun
# perpkt: BPF_PROG_TEST_RUN of rootxdp_xdp, rootxdp_tc and the reflector
# on the real root zone), in about a minute instead of the whole bench.
#
#   sudo O=build scripts/perpkt.sh [REPEAT [REPS]]     (defaults 1000000 3)
#
# Same fixture as scripts/bench.sh: two namespaces and a veth pair from
# tests/netns/lib.sh, rootxdp attached with rrl-rate 0, the zone of
# ../shared/data (or ROOT_ZONE/ROOT_ANCHOR, or a mkzone.sh zone); all of
# it removed at exit.  Prints the TSV rows of testrun perpkt.
set -uo pipefail

. "$(dirname "$0")/../tests/netns/lib.sh"

REPEAT=${1:-1000000}
REPS=${2:-3}
CALLS=$((REPEAT / 10))
BOUT=$O/bench
SHARED="$RX_TOP/../shared/data"

need_bins "$O/rootxdp" "$O/rootxdp-compile"
need_cmds "${CLANG:-clang}" "${CC:-cc}"
mkdir -p "$BOUT"
MULTIARCH=$(${CC:-cc} -print-multiarch 2>/dev/null)
for b in reflector restore; do
	"${CLANG:-clang}" -target bpf -mcpu=v3 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
		-idirafter "/usr/include/$MULTIARCH" -c "$RX_TOP/bench/$b.bpf.c" \
		-o "$BOUT/$b.bpf.o" || _rx_abort "cannot build bench/$b.bpf.c"
done
# shellcheck disable=SC2046
"${CC:-cc}" -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -I"$RX_TOP/tests/xdp" \
	$(pkg-config --cflags libbpf 2>/dev/null) "$RX_TOP/bench/testrun.c" \
	"$RX_TOP/tests/xdp/pkt.c" $(pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz) \
	-o "$BOUT/testrun" || _rx_abort "cannot build bench/testrun.c"

ns_setup
PIN=$RX_PIN_DIR
if [[ -n "${ROOT_ZONE:-}" ]]; then
	ZONE=$ROOT_ZONE ANCHOR=${ROOT_ANCHOR:-}
elif [[ -r "$SHARED/root-2026082201-testsigned.zone.gz" && -r "$SHARED/testsigned-trust-anchor.ds" ]]; then
	ZONE=$SHARED/root-2026082201-testsigned.zone.gz ANCHOR=$SHARED/testsigned-trust-anchor.ds
else
	"$RX_TOP/tests/zones/mkzone.sh" --out "$RX_TMP/zones" >/dev/null || _rx_abort "mkzone.sh failed"
	ZONE=$RX_TMP/zones/root.zone ANCHOR=$RX_TMP/zones/trust-anchor.ds
fi
IMG=$RX_TMP/root.img
cargs=()
[[ -n "$ANCHOR" ]] && cargs+=(--trust-anchor "$ANCHOR")
"$O/rootxdp-compile" "${cargs[@]}" -o "$IMG" "$ZONE" >"$RX_TMP/compile.log" 2>&1 ||
	{ cat "$RX_TMP/compile.log"; _rx_abort "rootxdp-compile refused $ZONE"; }
cat >"$RX_TMP/rootxdp.conf" <<CONF
identity = bench.rootxdp
port = 53
listen = $IP4_SRV $IP6_SRV
run-dir = $RX_TMP/run
state-dir = $RX_TMP/state
pin-root = $PIN
rrl-rate = 0
image = $IMG
CONF
mkdir -p "$RX_TMP/run"
"$O/rootxdp" attach --config "$RX_TMP/rootxdp.conf" --netns "$NS_SRV" --iface "$DEV_SRV" \
	"$IMG" >"$RX_TMP/attach.log" 2>&1 || { cat "$RX_TMP/attach.log"; _rx_abort "rootxdp attach failed"; }
TLD=com
zcat -f "$ZONE" | grep -q '^com\.[[:space:]]' ||
	TLD=$(zcat -f "$ZONE" | awk '$4 == "DS" { sub(/\.$/, "", $1); print $1; exit }')
"$BOUT/testrun" perpkt --xdp "$PIN/prog-xdp" --tc "$PIN/prog-tc" --reflector "$BOUT/reflector.bpf.o" \
	--restore "$BOUT/restore.bpf.o" --tld "$TLD" --repeat "$REPEAT" --calls "$CALLS" \
	--reps "$REPS" || _rx_abort "testrun perpkt failed"
"$O/rootxdp" detach --config "$RX_TMP/rootxdp.conf" --netns "$NS_SRV" --iface "$DEV_SRV" >/dev/null 2>&1
cleanup
