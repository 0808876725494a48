#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# bench.sh - `make bench`: rootxdp beside NSD and Knot DNS, and beside a
# trivial XDP reflector that bounds what the clients can measure.
#
#   O=build scripts/bench.sh            full run (about 10 minutes)
#   BENCH_QUICK=1 scripts/bench.sh      short run (about 3 minutes)
#   scripts/bench.sh lab                the XDP lab alone (step 4b; about
#                                       2 minutes, quick: 40 s)
#
# Needs root and the bench packages (make bench runs scripts/deps.sh bench
# first).  Steps, each figure the median of BENCH_REPS (3) repetitions:
#   1. the query mix (bench/querymix.py, seeded) from the zone served;
#   2. zone compile time, image size (the real root zone when
#      ../shared/data is there, else a generated root-like zone);
#   3. rootxdp attached (native XDP + TC ingress) in a netns pair:
#      per-packet cost with BPF_PROG_TEST_RUN (bench/testrun.c), map
#      memory, atomic swap time (rootxdp load), rootxdpd RSS;
#   4. throughput over the veth pair with dnsperf and kxdpgun against:
#      the reflector, rootxdp (in-kernel paths + rootxdpd), rootxdpd alone,
#      NSD and Knot (rate limiting off), with server CPU per answer;
#   4b. the XDP lab (bench/lab.c): queries written into live test-run
#      frames (BPF_F_TEST_XDP_LIVE_FRAMES) and redirected through the veth
#      pair into the server's native XDP, answers counted and dropped by an
#      XDP sink on the client veth, all on the client CPU: rootxdp, the
#      reflector and the copy floor (bench/copyfloor.bpf.c);
#   5. build/bench/results.md (also printed).
# Everything it makes (namespaces, pins, processes by PID, temp files) is
# removed at exit, also on failure; kernel.bpf_stats_enabled is not touched
# (run-time stats are held through a BPF_ENABLE_STATS fd, see testrun.c).
#
# Knobs: BENCH_QUICK=1, BENCH_REPS=N, BENCH_DURATION=SECS (per client run),
# BENCH_SEED=N, BENCH_CLIENT_CPU=0, BENCH_SERVER_CPU=1, BENCH_KXDPGUN_QPS,
# BENCH_LAB_QUERIES=256 (queries of the mix the lab cycles through),
# ROOT_ZONE=FILE ROOT_ANCHOR=FILE (another zone), O (build dir).
set -uo pipefail

. "$(dirname "$0")/../tests/netns/lib.sh"
. "$RX_TOP/tests/peers/peers.sh"

prog=bench.sh
LAB_ONLY=0
case "${1:-}" in
"") ;;
lab) LAB_ONLY=1 ;;
*) echo "usage: scripts/bench.sh [lab]" >&2; exit 2 ;;
esac
QUICK=${BENCH_QUICK:-0}
if ((QUICK)); then
	REPS=${BENCH_REPS:-3} DUR=${BENCH_DURATION:-2} REPEAT=200000 CALLS=20000 CREPS=1
else
	REPS=${BENCH_REPS:-3} DUR=${BENCH_DURATION:-6} REPEAT=1000000 CALLS=100000 CREPS=3
fi
SEED=${BENCH_SEED:-2026}
CCPU=${BENCH_CLIENT_CPU:-0}
SCPU=${BENCH_SERVER_CPU:-1}
KXQPS=${BENCH_KXDPGUN_QPS:-2000000}
LAB_QUERIES=${BENCH_LAB_QUERIES:-256}
BOUT="$O/bench"
RAW="$BOUT/raw"
SHARED="$RX_TOP/../shared/data"

say() { printf '\n== %s\n' "$*"; }
die() { echo "$prog: $*" >&2; exit 1; }
now_ns() { date +%s%N; }

# ------------------------------------------------------------ preflight
[[ $(id -u) -eq 0 ]] || die "must run as root (namespaces, XDP, BPF test runs)"
tools=(python3 taskset "${CLANG:-clang}" "${CC:-cc}")
((LAB_ONLY)) || tools+=(dnsperf kxdpgun nsd knotd)
for t in "${tools[@]}"; do
	command -v "$t" >/dev/null || die "$t not found (scripts/deps.sh bench)"
done
for b in rootxdp rootxdpd rootxdp-compile; do
	[[ -x "$O/$b" ]] || die "$O/$b missing (make all)"
done
ncpu=$(nproc)
((CCPU < ncpu && SCPU < ncpu)) || die "BENCH_CLIENT_CPU/BENCH_SERVER_CPU beyond $ncpu CPUs"
mkdir -p "$RAW" && rm -f "$RAW"/*.tsv

# ------------------------------------------------------------ bench tools
say "building the bench tools into $BOUT"
MULTIARCH=$(${CC:-cc} -print-multiarch 2>/dev/null)
for b in reflector restore lab copyfloor; do
	"${CLANG:-clang}" -target bpf -mcpu=v3 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
		-idirafter "/usr/include/$MULTIARCH" -c "$RX_TOP/bench/$b.bpf.c" \
		-o "$BOUT/$b.bpf.o" || die "cannot build bench/$b.bpf.c"
done
# shellcheck disable=SC2046
"${CC:-cc}" -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -I"$RX_TOP/tests/xdp" \
	$(pkg-config --cflags libbpf 2>/dev/null) "$RX_TOP/bench/testrun.c" \
	"$RX_TOP/tests/xdp/pkt.c" $(pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz) \
	-o "$BOUT/testrun" || die "cannot build bench/testrun.c"
TESTRUN=$BOUT/testrun
# shellcheck disable=SC2046
"${CC:-cc}" -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE $(pkg-config --cflags libbpf 2>/dev/null) \
	"$RX_TOP/bench/lab.c" $(pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz) \
	-o "$BOUT/lab" || die "cannot build bench/lab.c"
LAB=$BOUT/lab

# ------------------------------------------------------------ machine
{
	printf 'cpu\t%s\n' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
	printf 'cores\t%s\n' "$ncpu"
	printf 'kernel\t%s\n' "$(uname -r)"
	printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)"
	printf 'commit\t%s\n' "$(git -C "$RX_TOP" describe --always --dirty 2>/dev/null || echo unknown)"
	printf 'mode\t%s\n' "$( ((QUICK)) && echo quick || echo full)$( ((LAB_ONLY)) && echo ', lab only')"
	printf 'reps\t%s\n' "$REPS"
	printf 'client_cpu\t%s\nlab_queries\t%s\n' "$CCPU" "$LAB_QUERIES"
	printf 'duration\t%s\n' "$DUR"
	printf 'repeat\t%s\n' "$REPEAT"
	printf 'loadavg\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
	printf 'tools\tdnsperf %s, kxdpgun %s, nsd %s, knot %s\n' \
		"$(dpkg-query -W -f='${Version}' dnsperf 2>/dev/null)" \
		"$(dpkg-query -W -f='${Version}' knot-dnsutils 2>/dev/null)" \
		"$(dpkg-query -W -f='${Version}' nsd 2>/dev/null)" \
		"$(dpkg-query -W -f='${Version}' knot 2>/dev/null)"
} >"$RAW/machine.tsv"

# ------------------------------------------------------------ fixture
ns_setup
PIN=$RX_PIN_DIR
STATS_PID=""

# The zone: ROOT_ZONE, else the real root zone from ../shared/data, else a
# generated root-like zone.
if [[ -n "${ROOT_ZONE:-}" ]]; then
	ZONE=$ROOT_ZONE ANCHOR=${ROOT_ANCHOR:-} ZKIND="$(basename "$ROOT_ZONE")"
elif [[ -r "$SHARED/root-2026082201-testsigned.zone.gz" && -r "$SHARED/testsigned-trust-anchor.ds" ]]; then
	ZONE=$SHARED/root-2026082201-testsigned.zone.gz ANCHOR=$SHARED/testsigned-trust-anchor.ds
	ZKIND="root-2026082201-testsigned (real root zone, test-signed)"
else
	echo "$prog: ../shared/data absent: the real-root-zone figures are skipped; using a generated zone"
	[[ -s "$O/zones/root.zone" ]] || "$RX_TOP/tests/zones/mkzone.sh" --out "$O/zones" >/dev/null ||
		_rx_abort "mkzone.sh failed"
	ZONE=$O/zones/root.zone ANCHOR=$O/zones/trust-anchor.ds ZKIND="generated by tests/zones/mkzone.sh"
fi
printf 'zone\t%s\n' "$ZKIND" >>"$RAW/machine.tsv"
ZPLAIN=$RX_TMP/root.zone
zcat -f "$ZONE" >"$ZPLAIN" || _rx_abort "cannot read $ZONE"

say "query mix (seed $SEED) from $ZKIND"
MIX=$BOUT/mix
python3 "$RX_TOP/bench/querymix.py" --zone "$ZPLAIN" --seed "$SEED" --count 100000 \
	--out "$MIX" || _rx_abort "querymix.py failed"
sed 's/^/  /' "$MIX/mix.summary"

((LAB_ONLY)) && CREPS=1
say "compiling the zone ($CREPS x)"
IMG=$RX_TMP/root.img
cargs=()
[[ -n "$ANCHOR" ]] && cargs+=(--trust-anchor "$ANCHOR")
for ((r = 0; r < CREPS; r++)); do
	t0=$(now_ns)
	"$O/rootxdp-compile" "${cargs[@]}" -o "$IMG" "$ZONE" >"$RX_TMP/compile.log" 2>&1 ||
		{ cat "$RX_TMP/compile.log"; _rx_abort "rootxdp-compile refused $ZONE"; }
	t1=$(now_ns)
	printf 'compile_s\t%s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')" \
		>>"$RAW/static.tsv"
done
printf 'image_bytes\t%s\n' "$(stat -c %s "$IMG")" >>"$RAW/static.tsv"
printf 'zone_bytes\t%s\n' "$(stat -c %s "$ZPLAIN")" >>"$RAW/static.tsv"
printf 'zone_tlds\t%s\n' "$(awk '$4 == "NS" && $1 != "." { print tolower($1) }' "$ZPLAIN" | sort -u | wc -l)" \
	>>"$RAW/static.tsv"

cat >"$RX_TMP/rootxdp.conf" <<CONF
identity = bench.rootxdp
port = 53
listen = $IP4_SRV $IP6_SRV
run-dir = $RX_TMP/run
state-dir = $RX_TMP/state
pin-root = $PIN
# throughput from one client prefix: RRL off (its own rows turn it on)
rrl-rate = 0
image = $IMG
CONF
mkdir -p "$RX_TMP/run"

# Receive steering: what the server veth passes up the stack (to the TC
# program, to the daemons' sockets) is processed on the server CPU, not on
# the client's.  The XDP program itself runs where veth's NAPI runs: on the
# CPU that sent the frame (the client's).
printf '%x\n' $((1 << SCPU)) | ip netns exec "$NS_SRV" tee "/sys/class/net/$DEV_SRV/queues/rx-0/rps_cpus" \
	>/dev/null || _rx_abort "cannot set rps_cpus on $DEV_SRV"

# Run-time stats for every BPF program, while this process lives.
bg_start bpfstats "$TESTRUN" stats-hold
STATS_PID=$BG_PID
wait_until 5 grep -q ready "$RX_TMP/bpfstats.log" || _rx_abort "BPF_ENABLE_STATS failed: $(cat "$RX_TMP/bpfstats.log")"

# ------------------------------------------------------------ helpers
# pid_tree PID: PID and all its descendants (NSD forks its servers).
pid_tree() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ kids[$2] = kids[$2] " " $1 }
		END { q[0] = root; n = 1
		      for (i = 0; i < n; i++) { print q[i]; c = split(kids[q[i]], k, " ")
		                                for (j = 1; j <= c; j++) q[n++] = k[j] } }'
}
# cpu_ns PID: utime + stime of PID and its descendants, in ns.
cpu_ns() {
	local p t=0 st f hz
	hz=$(getconf CLK_TCK)
	for p in $(pid_tree "$1"); do
		st=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		st=${st##*) }
		read -ra f <<<"$st"
		t=$((t + f[11] + f[12]))
	done
	echo $((t * 1000000000 / hz))
}
pin_cpu() {
	local p
	for p in $(pid_tree "$1"); do taskset -a -p -c "$SCPU" "$p" >/dev/null 2>&1; done
}
# busy_ns: busy CPU time (user, nice, system, irq, softirq) of the whole
# machine and of the server CPU, ns: "ALL SERVER".
busy_ns() {
	awk -v hz="$(getconf CLK_TCK)" -v c="cpu$SCPU" '
		$1 == "cpu" { a = ($2 + $3 + $4 + $7 + $8) * 1e9 / hz }
		$1 == c { s = ($2 + $3 + $4 + $7 + $8) * 1e9 / hz }
		END { printf "%.0f %.0f\n", a, s }' /proc/stat
}

# The XDP_PASS program back on the client veth after kxdpgun (it leaves
# its own there).
client_xdp_reset() {
	ip -n "$NS_CLI" link set dev "$DEV_CLI" xdpdrv off 2>/dev/null
	ip -n "$NS_CLI" link set dev "$DEV_CLI" xdpdrv obj "$O/tests/netns/xdp_pass.bpf.o" sec xdp
}

# bpf_ns PROG...: run_time_ns summed (0 with no programs).
bpf_ns() {
	(($#)) || { echo 0; return; }
	"$TESTRUN" progstats "$@" | awk '{ print $2 }'
}

# run_client SERVER CLIENT REP: one bounded run, one TSV row in throughput.tsv.
# Server CPU: BPF_PROGS (run_time_ns) and DAEMON_PID (utime+stime, tree).
BPF_PROGS=()
DAEMON_PID=""
run_client() {
	local server=$1 client=$2 rep=$3 out="$RX_TMP/client.out" tf="$RX_TMP/client.time"
	local b0 b1 d0=0 d1=0 m0 m1 s0 s1 sent answered size rt cpu
	b0=$(bpf_ns "${BPF_PROGS[@]}")
	[[ -n "$DAEMON_PID" ]] && d0=$(cpu_ns "$DAEMON_PID")
	read -r m0 s0 < <(busy_ns)
	TIMEFORMAT='%R %U %S'
	if [[ "$client" == dnsperf ]]; then
		{ time in_cli taskset -c "$CCPU" dnsperf -B -d "$MIX/mix.wire" -s "$IP4_SRV" \
			-l "$DUR" -c 16 -T 2 -q 2000 -t 1 >"$out" 2>&1; } 2>"$tf"
		sent=$(awk '/Queries sent:/ { print $3 }' "$out")
		answered=$(awk '/Queries completed:/ { print $3 }' "$out")
		size=$(awk '/Average packet size:/ { print $NF }' "$out")
	else
		{ time in_cli taskset -c "$CCPU" kxdpgun -t "$DUR" -Q "$KXQPS" -b 32 -F "$CCPU" \
			-i "$MIX/mix.kxdpgun" "$IP4_SRV" >"$out" 2>&1; } 2>"$tf"
		sent=$(awk '/^total queries:/ { print $3 }' "$out")
		answered=$(awk '/^total replies:/ { print $3 }' "$out")
		size=$(awk '/^average DNS reply size:/ { print $5 }' "$out")
		client_xdp_reset
	fi
	read -r m1 s1 < <(busy_ns)
	[[ -n "$DAEMON_PID" ]] && d1=$(cpu_ns "$DAEMON_PID")
	b1=$(bpf_ns "${BPF_PROGS[@]}")
	read -r rt cpu < <(awk '{ print $1, $2 + $3 }' "$tf")
	if [[ -z "$sent" || -z "$answered" ]]; then
		echo "  $server/$client rep $rep: no result; client output:"
		sed 's/^/  | /' "$out" | tail -n 15
		return 1
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$server" "$client" \
		"$rep" "$DUR" "$sent" "$answered" "${size:-0}" $((b1 - b0)) $((d1 - d0)) "$cpu" \
		$((m1 - m0)) "$rt" $((s1 - s0)) >>"$RAW/throughput.tsv"
	printf '  %-9s %-8s rep %d: %8.0f answers/s (%s of %s answered, %s B)\n' "$server" "$client" \
		"$rep" "$(awk -v a="$answered" -v d="$DUR" 'BEGIN { print a / d }')" "$answered" "$sent" "${size:-?}"
}

# rx_stats_json FILE: rootxdp's counters (xdp, tc, rootxdpd) as JSON.
rx_stats_json() {
	"$O/rootxdp" stats --json --config "$RX_TMP/rootxdp.conf" --pin-root "$PIN" >"$1" 2>/dev/null
}

run_clients() {
	local server=$1 r c
	for c in dnsperf kxdpgun; do
		[[ "$server" == rootxdp ]] && rx_stats_json "$RAW/stats-$c-before.json"
		for ((r = 1; r <= REPS; r++)); do
			run_client "$server" "$c" "$r"
		done
		[[ "$server" == rootxdp ]] && rx_stats_json "$RAW/stats-$c-after.json"
	done
	return 0
}

# ------------------------------------------------------------ the XDP lab
# lab_rows SERVER [lab options]: BENCH_REPS runs of bench/lab, one TSV row
# each in lab.tsv: server rep, then lab's columns (see bench/lab.c).
lab_rows() {
	local server=$1 r row
	shift
	for ((r = 1; r <= REPS; r++)); do
		row=$(taskset -c "$CCPU" "$LAB" --obj "$BOUT/lab.bpf.o" --cli-ns "$NS_CLI" \
			--cli-dev "$DEV_CLI" --srv-mac "$SRV_MAC" --src "$IP4_CLI" --dst "$IP4_SRV" \
			--wire "$MIX/mix.wire" --count "$LAB_QUERIES" --cpu "$CCPU" --duration "$DUR" \
			"$@" 2>"$RX_TMP/lab.err") || { cat "$RX_TMP/lab.err"; _rx_abort "bench/lab failed ($server)"; }
		printf '%s\t%s\t%s\n' "$server" "$r" "$row" >>"$RAW/lab.tsv"
		awk -F'\t' -v s="$server" -v r="$r" '{ printf "  %-9s rep %d: %9.0f answers/s (%d sent, %d answered, mean answer frame %.0f B)\n",
			s, r, $2 / ($6 / 1e9), $1, $3, $3 ? $4 / $3 : 0 }' <<<"$row"
	done
}

# lab_section: the XDP path at rate, as a NIC would feed it.  rootxdpd is
# running; the server veth has no XDP program (rootxdp is attached here
# and detached again).  The sink takes the client veth's XDP slot.
lab_section() {
	local append b0 b1
	say "xdp lab: $LAB_QUERIES queries of the mix as live test-run frames into $DEV_SRV's native XDP, all on CPU $CCPU"
	SRV_MAC=$(ip -n "$NS_SRV" -j link show "$DEV_SRV" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])') ||
		_rx_abort "cannot read $DEV_SRV's MAC"
	ip -n "$NS_CLI" link set dev "$DEV_CLI" xdpdrv off
	rm -f "$RAW/lab.tsv"
	"$O/rootxdp" attach --config "$RX_TMP/rootxdp.conf" --netns "$NS_SRV" --iface "$DEV_SRV" \
		"$IMG" >"$RX_TMP/attach.log" 2>&1 || { cat "$RX_TMP/attach.log"; _rx_abort "rootxdp attach (lab) failed"; }
	rx_stats_json "$RAW/stats-lab-before.json"
	b0=$(bpf_ns "$PIN/prog-xdp" "$PIN/prog-tc")
	lab_rows rootxdp
	b1=$(bpf_ns "$PIN/prog-xdp" "$PIN/prog-tc")
	rx_stats_json "$RAW/stats-lab-after.json"
	printf 'lab_bpf_ns\t%s\n' $((b1 - b0)) >>"$RAW/static.tsv"
	"$O/rootxdp" stats --config "$RX_TMP/rootxdp.conf" --pin-root "$PIN" 2>/dev/null |
		grep -E '(answered|pass_no_room) ' | sed 's/^/  /'
	"$O/rootxdp" detach --netns "$NS_SRV" --iface "$DEV_SRV" --pin-root "$PIN" >/dev/null 2>&1 ||
		_rx_abort "rootxdp detach (lab) failed"
	lab_rows reflector --server-obj "$BOUT/reflector.bpf.o" --server-prog bench_reflector \
		--srv-ns "$NS_SRV" --srv-dev "$DEV_SRV"
	# The copy floor's frames as long as rootxdp's mean answer frame.
	append=$(awk -F'\t' '$1 == "rootxdp" && $5 > 0 { by += $6; an += $5; q = $7 }
		END { if (an) printf "%.0f", by / an - q }' "$RAW/lab.tsv")
	[[ "$append" =~ ^[0-9]+$ ]] && ((append >= 1)) || _rx_abort "no rootxdp answers in the lab to size the copy floor"
	printf 'lab_append\t%s\n' "$append" >>"$RAW/static.tsv"
	lab_rows floor --server-obj "$BOUT/copyfloor.bpf.o" --server-prog bench_copyfloor \
		--srv-ns "$NS_SRV" --srv-dev "$DEV_SRV" --append "$append"
	client_xdp_reset
}

if ((!LAB_ONLY)); then
# ------------------------------------------------------------ reflector
say "the client ceiling: bench/reflector.bpf.c (XDP_TX) on $DEV_SRV"
ip -n "$NS_SRV" link set dev "$DEV_SRV" xdpdrv obj "$BOUT/reflector.bpf.o" sec xdp ||
	_rx_abort "cannot attach the reflector"
REFL_ID=$(ip -n "$NS_SRV" -j link show "$DEV_SRV" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])')
BPF_PROGS=("id:$REFL_ID") DAEMON_PID=""
run_clients reflector
ip -n "$NS_SRV" link set dev "$DEV_SRV" xdpdrv off
fi

# ------------------------------------------------------------ rootxdp
say "rootxdp: attach (native XDP + TC) and rootxdpd on CPU $SCPU"
bg_start rootxdpd ip netns exec "$NS_SRV" "$O/rootxdpd" --config "$RX_TMP/rootxdp.conf"
RXD_PID=$BG_PID
wait_until 30 in_cli dig +tcp +time=1 +tries=1 @"$IP4_SRV" . SOA ||
	{ cat "$RX_TMP/rootxdpd.log"; _rx_abort "rootxdpd did not answer"; }
pin_cpu "$RXD_PID"
if ((!LAB_ONLY)); then
"$O/rootxdp" attach --config "$RX_TMP/rootxdp.conf" --netns "$NS_SRV" --iface "$DEV_SRV" \
	"$IMG" >"$RX_TMP/attach.log" 2>&1 || { cat "$RX_TMP/attach.log"; _rx_abort "rootxdp attach failed"; }
grep -i 'mode' "$RX_TMP/attach.log" | sed 's/^/  /'
printf 'rootxdpd_rss_kb\t%s\n' "$(awk '/^VmRSS:/ { print $2 }' "/proc/$RXD_PID/status")" >>"$RAW/static.tsv"

say "per-packet cost (BPF_PROG_TEST_RUN, repeat $REPEAT, $REPS reps)"
TLD=com
grep -q '^com\.[[:space:]]' "$ZPLAIN" || TLD=$(awk '$4 == "DS" { sub(/\.$/, "", $1); print $1; exit }' "$ZPLAIN")
"$TESTRUN" perpkt --xdp "$PIN/prog-xdp" --tc "$PIN/prog-tc" --reflector "$BOUT/reflector.bpf.o" \
	--restore "$BOUT/restore.bpf.o" --tld "$TLD" --repeat "$REPEAT" --calls "$CALLS" \
	--reps "$REPS" >"$RAW/perpkt.tsv" || _rx_abort "testrun perpkt failed"
column -t -s $'\t' "$RAW/perpkt.tsv" | sed 's/^/  /'

# The same with RRL on in log-only mode: every answer looks its bucket up
# and updates it (compare-and-swap), nothing is dropped, so the figures
# are comparable; the cookie rows carry a COOKIE option either way.
say "per-packet cost with RRL on (rrl-log-only: the full bucket work, nothing dropped)"
grep -v '^rrl-' "$RX_TMP/rootxdp.conf" >"$RX_TMP/rrl-on.conf"
printf 'rrl-rate = 200\nrrl-log-only = yes\n' >>"$RX_TMP/rrl-on.conf"
"$O/rootxdp" load --force --config "$RX_TMP/rrl-on.conf" --pin-root "$PIN" "$IMG" \
	>"$RX_TMP/load.log" 2>&1 || { cat "$RX_TMP/load.log"; _rx_abort "rootxdp load (RRL on) failed"; }
"$TESTRUN" perpkt --xdp "$PIN/prog-xdp" --tc "$PIN/prog-tc" --reflector "$BOUT/reflector.bpf.o" \
	--restore "$BOUT/restore.bpf.o" --tld "$TLD" --repeat "$REPEAT" --calls "$CALLS" \
	--reps "$REPS" >"$RAW/perpkt_rrl.tsv" || _rx_abort "testrun perpkt (RRL on) failed"
"$O/rootxdp" load --force --config "$RX_TMP/rootxdp.conf" --pin-root "$PIN" "$IMG" \
	>"$RX_TMP/load.log" 2>&1 || { cat "$RX_TMP/load.log"; _rx_abort "rootxdp load (RRL off) failed"; }
# The dnstap sample on every answer (rate 1): query and response copied out of
# the frame each time; no reader here, so the ring is full after 2040 records
# and from then on bpf_ringbuf_output fails (tap_lost) without its 2 KiB copy.
say "per-packet cost with the dnstap sample on (dnstap-sample-rate = 1)"
{ cat "$RX_TMP/rootxdp.conf"; echo "dnstap-sample-rate = 1"; } >"$RX_TMP/tap-on.conf"
"$O/rootxdp" load --force --config "$RX_TMP/tap-on.conf" --pin-root "$PIN" "$IMG" >"$RX_TMP/load.log" 2>&1 &&
"$TESTRUN" perpkt --xdp "$PIN/prog-xdp" --tc "$PIN/prog-tc" --reflector "$BOUT/reflector.bpf.o" \
	--restore "$BOUT/restore.bpf.o" --tld "$TLD" --repeat "$REPEAT" --calls "$CALLS" \
	--reps "$REPS" >"$RAW/perpkt_tap.tsv" || _rx_abort "testrun perpkt (dnstap sample on) failed"
"$O/rootxdp" load --force --config "$RX_TMP/rootxdp.conf" --pin-root "$PIN" "$IMG" \
	>"$RX_TMP/load.log" 2>&1 || { cat "$RX_TMP/load.log"; _rx_abort "rootxdp load (sample off) failed"; }

say "map memory, atomic swap"
read -r nmaps memlock < <("$TESTRUN" maps "$PIN/prog-xdp" "$PIN/prog-tc")
printf 'maps\t%s\nmap_memlock_bytes\t%s\n' "$nmaps" "$memlock" >>"$RAW/static.tsv"
for ((r = 0; r < REPS; r++)); do
	t0=$(now_ns)
	"$O/rootxdp" load --force --config "$RX_TMP/rootxdp.conf" --pin-root "$PIN" "$IMG" \
		>"$RX_TMP/load.log" 2>&1 || { cat "$RX_TMP/load.log"; _rx_abort "rootxdp load failed"; }
	t1=$(now_ns)
	printf 'swap_s\t%s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')" \
		>>"$RAW/static.tsv"
done
echo "  $nmaps maps, $memlock bytes memlock; swap times: $(awk '$1 == "swap_s" { printf "%s ", $2 }' "$RAW/static.tsv")s"

say "throughput: rootxdp (in-kernel paths, rootxdpd for what they pass)"
BPF_PROGS=("$PIN/prog-xdp" "$PIN/prog-tc") DAEMON_PID=$RXD_PID
run_clients rootxdp
"$O/rootxdp" stats --config "$RX_TMP/rootxdp.conf" --pin-root "$PIN" 2>/dev/null |
	grep -E '(answered|pass_no_room|packets|pass_qtype|pass_edns) ' | sed 's/^/  /'

# A spoofed flood (kxdpgun -l: random sources in one /28) of DO referral
# queries at ~100x rrl-rate, RRL on: what goes back to the victim prefix
# against what came from it (DNS bytes, the programs' counters).
FLOOD_QPS=${BENCH_FLOOD_QPS:-20000} FLOOD_RATE=200
say "flood: kxdpgun -l 203.0.113.0/28 at $FLOOD_QPS q/s, rrl-rate $FLOOD_RATE"
grep -v '^rrl-' "$RX_TMP/rootxdp.conf" >"$RX_TMP/flood.conf"
printf 'rrl-rate = %s\n' "$FLOOD_RATE" >>"$RX_TMP/flood.conf"
"$O/rootxdp" load --force --config "$RX_TMP/flood.conf" --pin-root "$PIN" "$IMG" \
	>"$RX_TMP/load.log" 2>&1 || { cat "$RX_TMP/load.log"; _rx_abort "rootxdp load (flood) failed"; }
printf 'com. NS D\n' >"$RX_TMP/flood.q"
"$O/rootxdp" stats --json --config "$RX_TMP/rootxdp.conf" --pin-root "$PIN" >"$RAW/flood-before.json"
in_cli kxdpgun -t "$DUR" -Q "$FLOOD_QPS" -b 32 -l 203.0.113.0/28 -i "$RX_TMP/flood.q" \
	"$IP4_SRV" >"$RAW/flood-kxdpgun.txt" 2>&1 || echo "  kxdpgun failed: $(tail -n1 "$RAW/flood-kxdpgun.txt")"
client_xdp_reset
"$O/rootxdp" stats --json --config "$RX_TMP/rootxdp.conf" --pin-root "$PIN" >"$RAW/flood-after.json"
printf 'flood_qps\t%s\nflood_rate\t%s\nflood_duration\t%s\n' "$FLOOD_QPS" "$FLOOD_RATE" "$DUR" \
	>>"$RAW/static.tsv"
grep -E '^total (queries|replies)' "$RAW/flood-kxdpgun.txt" | sed 's/^/  /'

"$O/rootxdp" detach --netns "$NS_SRV" --iface "$DEV_SRV" --pin-root "$PIN" >/dev/null 2>&1 ||
	_rx_abort "rootxdp detach failed"
fi

lab_section

if ((!LAB_ONLY)); then

say "throughput: rootxdpd alone (programs detached), CPU $SCPU"
BPF_PROGS=() DAEMON_PID=$RXD_PID
run_clients rootxdpd
printf 'rootxdpd_rss_after_kb\t%s\n' "$(awk '/^VmRSS:/ { print $2 }' "/proc/$RXD_PID/status")" >>"$RAW/static.tsv"
bg_stop "$RXD_PID"

# ------------------------------------------------------------ NSD, Knot
for peer in nsd knot; do
	say "throughput: $peer (rate limiting off), CPU $SCPU"
	"peer_start_$peer" "$NS_SRV" "$IP4_SRV" 53 "$ZPLAIN" "$RX_TMP/peers" ||
		_rx_abort "$peer did not start"
	pin_cpu "$PEER_PID"
	BPF_PROGS=() DAEMON_PID=$PEER_PID
	run_clients "$peer"
	printf '%s_rss_kb\t%s\n' "$peer" "$(for p in $(pid_tree "$PEER_PID"); do
		awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null; done | awk '{ s += $1 } END { print s }')" \
		>>"$RAW/static.tsv"
	peer_stop "$PEER_PID"
done
fi

bg_stop "$STATS_PID"

# ------------------------------------------------------------ report
say "results ($BOUT/results.md)"
python3 "$RX_TOP/bench/report.py" "$RAW" >"$BOUT/results.md" || _rx_abort "report.py failed"
cat "$BOUT/results.md"
cleanup
