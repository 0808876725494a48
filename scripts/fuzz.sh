#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# fuzz.sh - build and run the libFuzzer targets (tests/fuzz/fuzz_*.c).
#
#   scripts/fuzz.sh build [TARGET...]           compile into $O/fuzz/
#   scripts/fuzz.sh run [SECONDS] [TARGET...]   fuzz each target SECONDS (10)
#   scripts/fuzz.sh regress [TARGET...]         each seed and regression input once
#   scripts/fuzz.sh list                        the targets
#
# TARGET: xdp, query, zone (or fuzz_xdp, ...); default all three.  One
# fuzzer runs at a time.  fuzz_xdp needs root (BPF_PROG_TEST_RUN).
#
# Targets are built with clang -fsanitize=fuzzer,address,undefined (UB
# aborts) from the project sources directly: common/, zone-compiler/,
# loader/, fallback/ (everything but main.c), tests/xdp/pkt.c and
# tests/fuzz/.  Objects go to $O/fuzz/obj/ and are rebuilt when a source
# or a header it includes changes.  `build` first runs `make all` for the
# skeleton ($O/rootxdp.skel.h) and $O/rootxdp-compile (the fuzzers compile
# the test zone with it, see tests/fuzz/fuzz_common.c).
#
# Inputs:  tests/fuzz/corpus/TARGET/   committed seeds (tests/fuzz/mkseeds.py)
#          tests/fuzz/regress/TARGET/  committed inputs that once failed
#          $O/fuzz/corpus/TARGET/      what runs found (not committed)
# A crash, leak or broken invariant is saved as $O/fuzz/crashes/TARGET/
# crash-* (leak-*, timeout-*); the line printed says how to reproduce it.
# Copy it into tests/fuzz/regress/TARGET/ so that `regress` keeps it.
#
# Environment: O (build dir, default build), CLANG (default clang),
# RX_ZONE_DIR (test zone; default build/zones, made by mkzone.sh),
# RX_FUZZ_NO_DIFF=1 (fuzz_xdp: skip the XDP vs rootxdpd byte comparison),
# FUZZ_FLAGS (extra libFuzzer flags).
# Exit status: 0 if every step passed, 1 if any failed, 2 for usage.
set -uo pipefail

prog=fuzz.sh
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
O=${O:-build}
[[ "$O" == /* ]] || O="$top/$O"
export O
CLANG=${CLANG:-clang}
FZ="$O/fuzz"
ALL_TARGETS=(xdp query zone)

die() { echo "$prog: $*" >&2; exit 2; }

usage() { sed -n '4,9s/^# \{0,1\}//p' "$0"; }

PKG_CFLAGS=$(pkg-config --cflags libbpf libxdp libelf zlib ldns libfstrm libprotobuf-c 2>/dev/null)
PKG_LIBS=$(pkg-config --libs libbpf libxdp libelf zlib ldns libfstrm libprotobuf-c 2>/dev/null ||
	echo -lbpf -lxdp -lelf -lz -lldns -lfstrm -lprotobuf-c)
VERSION=$(scripts/version.sh) || exit 2	# the one version, from debian/changelog
# shellcheck disable=SC2206  # pkg-config output is split on purpose
CFLAGS=(-g -O1 -fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -Wno-unused-parameter
	-D_GNU_SOURCE "-DRX_VERSION=\"$VERSION\"" -DRX_FUZZ=1
	-Ibpf -Icommon -Iloader -Izone-compiler -Ifallback -Itests/xdp -Itests/fuzz -I"$O"
	$PKG_CFLAGS)
# shellcheck disable=SC2054
SAN=(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
# shellcheck disable=SC2206
LIBS=($PKG_LIBS -lcrypto -lpthread -lm)

# Library sources: every .c of the folder but main.c; for fallback/ also
# the dnstap code protoc-c generated into $O (by `make all`, below).
lib() {
	local f
	for f in "$1"/*.c; do [[ "$f" == */main.c ]] || echo "$f"; done
	[[ "$1" == fallback && -f fallback/dnstap.proto ]] && echo "$O/fallback/dnstap.pb-c.c"
	return 0
}

# The object of a source: generated ones (under $O) in obj/gen/.
obj_of() {
	local src=$1
	[[ "$src" == "$O"/* ]] && src=gen/${src#"$O"/}
	echo "$FZ/obj/${src%.c}.o"
}

sources() {
	local t=$1
	lib common
	echo tests/fuzz/fuzz_common.c
	echo "tests/fuzz/fuzz_$t.c"
	case "$t" in
	xdp)   lib loader; lib fallback; echo tests/xdp/pkt.c ;;
	query) lib fallback ;;
	zone)  lib zone-compiler; lib fallback ;;
	esac
}

norm() {
	local t=${1#fuzz_}
	case "$t" in
	xdp|query|zone) echo "$t" ;;
	*) die "unknown target '$1' (xdp, query, zone)" ;;
	esac
}

# stale OBJ SRC: true if OBJ must be (re)built from SRC (its .d lists the
# headers it read).
stale() {
	local obj=$1 src=$2 dep=${1%.o}.d f
	[[ -f "$obj" && -f "$dep" && "$obj" -nt "$src" ]] || return 0
	for f in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$dep" | tr ' ' '\n' | grep -v ':$'); do
		[[ -z "$f" || "$f" == *: ]] && continue
		[[ ! -e "$f" || "$f" -nt "$obj" ]] && return 0
	done
	return 1
}

compile() {
	local src=$1 obj
	obj=$(obj_of "$src")
	mkdir -p "$(dirname "$obj")"
	if stale "$obj" "$src"; then
		echo "  FUZZCC    $obj"
		"$CLANG" "${CFLAGS[@]}" "${SAN[@]}" -fsanitize=fuzzer-no-link -MMD -MP \
			-c "$src" -o "$obj" || return 1
	fi
}

build() {
	local targets=("$@") t s objs pids=() rc=0 srcs=() pid
	command -v "$CLANG" >/dev/null || { echo "$prog: $CLANG not found"; return 1; }
	if ! compgen -G '/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a' >/dev/null; then
		echo "$prog: the libFuzzer runtime is missing: apt-get install libclang-rt-14-dev"
		return 1
	fi
	make -s O="$O" all >/dev/null || { echo "$prog: make all failed"; return 1; }
	for t in "${targets[@]}"; do
		while read -r s; do srcs+=("$s"); done < <(sources "$t")
	done
	mapfile -t srcs < <(printf '%s\n' "${srcs[@]}" | sort -u)
	# Two compilers at a time (the machines have 2 cores).
	for s in "${srcs[@]}"; do
		compile "$s" &
		pids+=($!)
		if ((${#pids[@]} >= 2)); then
			wait "${pids[0]}" || rc=1
			pids=("${pids[@]:1}")
		fi
	done
	for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
	((rc == 0)) || { echo "$prog: compile failed"; return 1; }
	for t in "${targets[@]}"; do
		objs=()
		while read -r s; do objs+=("$(obj_of "$s")"); done < <(sources "$t")
		local bin=$FZ/fuzz_$t newer=0 o
		[[ -x "$bin" ]] || newer=1
		for o in "${objs[@]}"; do [[ "$o" -nt "$bin" ]] && newer=1; done
		if ((newer)); then
			echo "  FUZZLD    $bin"
			"$CLANG" "${SAN[@]}" -fsanitize=fuzzer "${objs[@]}" "${LIBS[@]}" -o "$bin" ||
				{ echo "$prog: link of fuzz_$t failed"; return 1; }
		fi
	done
	return 0
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Limits per target: largest input and per-input time.
max_len() { case "$1" in xdp) echo 1600 ;; query) echo 4096 ;; zone) echo 32768 ;; esac; }

# Remove what a fuzzer that died left behind (its temp dirs carry its PID).
leftovers() { rm -rf "/tmp/rootxdp-fuzz-$1-"* "/dev/shm/rootxdp-fuzz-$1-"* 2>/dev/null; }

# The fuzzer running now: stopped (by its PID) if we are interrupted.
cur=""
stop_cur() {
	if [[ -n "$cur" ]]; then
		kill -TERM "$cur" 2>/dev/null
		wait "$cur" 2>/dev/null
		leftovers "$cur"
	fi
}
trap 'stop_cur; echo "$prog: interrupted"; exit 130' INT
trap 'stop_cur; echo "$prog: terminated"; exit 143' TERM

# run_one TARGET SECONDS: 0 if the fuzzer ran SECONDS without a finding.
run_one() {
	local t=$1 secs=$2
	local bin=$FZ/fuzz_$t art=$FZ/crashes/$t/ work=$FZ/corpus/$t log pid rc
	mkdir -p "$art" "$work" "tests/fuzz/corpus/$t" "tests/fuzz/regress/$t"
	log=$FZ/fuzz_$t.log
	# New inputs land in the first (uncommitted) directory only.  The
	# regression inputs are replayed by `regress`, not seeded here: one
	# still failing would stop every run at once.
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -max_len="$(max_len "$t")" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art" \
		${FUZZ_FLAGS:-} "$work" "tests/fuzz/corpus/$t" \
		>"$log" 2>&1 &
	pid=$! cur=$!
	wait "$pid"
	rc=$?
	cur=""
	leftovers "$pid"
	summary_line "$t" "$log"
	if ((rc != 0)); then
		echo "$prog: fuzz_$t failed (exit $rc); the end of $log:"
		grep -E 'invariant broken|ERROR: |SUMMARY: |runtime error|Test unit written|artifact_prefix' "$log" |
			head -n 12 | sed 's/^/    /'
		local f
		f=$(grep -o "Test unit written to [^ ]*" "$log" | tail -n1 | sed 's/.* to //')
		[[ -n "$f" ]] && echo "    reproduce: $bin $f   (keep it: cp $f tests/fuzz/regress/$t/)"
		return 1
	fi
	return 0
}

# One line per run: executions, rate, coverage, corpus.
summary_line() {
	local t=$1 log=$2 execs rate cov ft corp
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1 | cut -d' ' -f2)
	ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -n1 | cut -d' ' -f2)
	corp=$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -n1 | cut -d' ' -f2)
	printf '  fuzz_%-6s %8s execs %6s/s  cov %-5s ft %-6s corpus %s\n' "$t" "${execs:-?}" \
		"${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}"
}

# regress_one TARGET: every committed input once.
regress_one() {
	local t=$1
	local bin=$FZ/fuzz_$t files=() log pid rc f
	for f in "tests/fuzz/corpus/$t"/* "tests/fuzz/regress/$t"/*; do
		[[ -f "$f" && "$(basename "$f")" != README* ]] && files+=("$f")
	done
	if ((${#files[@]} == 0)); then
		echo "  fuzz_$t: no inputs"
		return 0
	fi
	log=$FZ/regress_$t.log
	mkdir -p "$FZ"
	"$bin" -runs=1 -timeout=20 -rss_limit_mb=2048 "${files[@]}" >"$log" 2>&1 &
	pid=$! cur=$!
	wait "$pid"
	rc=$?
	cur=""
	leftovers "$pid"
	if ((rc != 0)); then
		f=$(grep -E '^Running: ' "$log" | tail -n1 | sed 's/^Running: //')
		echo "$prog: fuzz_$t regression failed (exit $rc) on ${f:-?}:"
		grep -E 'invariant broken|ERROR: |SUMMARY: |runtime error' "$log" | head -n 8 |
			sed 's/^/    /'
		echo "    reproduce: $bin $f"
		return 1
	fi
	echo "  fuzz_$t: ${#files[@]} inputs ok"
	return 0
}

cmd=${1:-}
[[ -n "$cmd" ]] || { usage; exit 2; }
shift
secs=10
if [[ "$cmd" == run && $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then
	secs=$1
	shift
fi
targets=()
for a in "$@"; do targets+=("$(norm "$a")"); done
((${#targets[@]})) || targets=("${ALL_TARGETS[@]}")

need_root() {
	local t
	for t in "${targets[@]}"; do
		if [[ "$t" == xdp && $(id -u) -ne 0 ]]; then
			echo "$prog: fuzz_xdp needs root (BPF_PROG_TEST_RUN): run as root"
			return 1
		fi
	done
}

case "$cmd" in
build)
	build "${targets[@]}" || exit 1
	;;
run)
	build "${targets[@]}" || exit 1
	need_root || exit 1
	fails=0
	for t in "${targets[@]}"; do
		echo "== fuzz_$t for ${secs}s"
		run_one "$t" "$secs" || fails=$((fails + 1))
	done
	((fails == 0)) || { echo "$prog: $fails target(s) failed"; exit 1; }
	;;
regress)
	build "${targets[@]}" || exit 1
	need_root || exit 1
	fails=0
	for t in "${targets[@]}"; do regress_one "$t" || fails=$((fails + 1)); done
	((fails == 0)) || exit 1
	;;
list)
	printf 'fuzz_%s\n' "${ALL_TARGETS[@]}"
	;;
-h|--help|help)
	usage
	;;
*)
	usage
	exit 2
	;;
esac
