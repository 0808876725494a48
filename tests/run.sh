#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# run.sh - the test runner behind `make test`.
#
#   O=build tests/run.sh [PATTERN]
#
# Runs, in order: every $O/tests/unit/test_* binary, $O/tests/xdp/test_xdp
# (if built), every tests/netns/test_*.sh, and pytest on tests/py (if it
# has test_*.py); with PATTERN, only the suites whose path contains it.
# First generates the test zone into $O/zones/ (and $O/zones/next/: the same
# content, serial + 1, the same keys) when missing or older than mkzone.sh,
# and exports RX_ZONE_DIR and RX_ZONE_NEXT_DIR.
#
# Each suite's output is shown.  A suite ends with "N passed, N failed"
# (pytest: its own summary); one that prints none or exits non-zero counts
# as a failure.  Each suite has RX_SUITE_TIMEOUT seconds (default 900).
# The last line is "N passed, N failed" over all suites; exit status 1 if
# anything failed.  Needs root (netns, XDP): without it, that is a failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
O=${O:-build}
[[ "$O" == /* ]] || O="$top/$O"
export O
pattern=${1:-}
timeout_s=${RX_SUITE_TIMEOUT:-900}

total_pass=0
total_fail=0
results=()

note() { printf '%s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
	note "run.sh: the tests need root (network namespaces, XDP, bpffs): run 'make test' as root"
	note "0 passed, 1 failed"
	exit 1
fi

# ---- the test zone, once ----
zdir="$O/zones"
mk="$top/tests/zones/mkzone.sh"
if [[ ! -s "$zdir/root.zone" || ! -s "$zdir/next/root.zone" || "$mk" -nt "$zdir/root.zone" ]]; then
	note "== generating the test zone in $zdir"
	if ! "$mk" --out "$zdir" ||
		! "$mk" --out "$zdir/next" --keys "$zdir" --serial 2026010101; then
		note "run.sh: tests/zones/mkzone.sh failed"
		note "0 passed, 1 failed"
		exit 1
	fi
fi
export RX_ZONE_DIR="$zdir" RX_ZONE_NEXT_DIR="$zdir/next"

# ---- the suites ----
suites=()
for f in "$O"/tests/unit/test_*; do
	[[ -f "$f" && -x "$f" && "$f" != *.[od] ]] && suites+=("$f")
done
[[ -x "$O/tests/xdp/test_xdp" ]] && suites+=("$O/tests/xdp/test_xdp")
for f in tests/netns/test_*.sh; do
	[[ -f "$f" ]] && suites+=("$f")
done
compgen -G 'tests/py/test_*.py' >/dev/null && suites+=("tests/py")

# parse_counts LOG KIND: sets P and F from the suite's summary; 1 if none.
parse_counts() {
	local log=$1 kind=$2 line
	P=0 F=0
	if [[ "$kind" == pytest ]]; then
		# e.g. "3 passed in 0.1s", "1 failed, 2 passed, 1 error in 1s"
		line=$(grep -E '[0-9]+ (passed|failed|errors?)' "$log" | tail -n1)
		[[ -n "$line" ]] || return 1
		[[ "$line" =~ ([0-9]+)\ passed ]] && P=${BASH_REMATCH[1]}
		[[ "$line" =~ ([0-9]+)\ failed ]] && F=$((F + BASH_REMATCH[1]))
		[[ "$line" =~ ([0-9]+)\ error ]] && F=$((F + BASH_REMATCH[1]))
		return 0
	fi
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1)
	[[ -n "$line" ]] || return 1
	P=${line%% *}
	F=${line#*, }
	F=${F%% *}
	return 0
}

log=$(mktemp "${TMPDIR:-/tmp}/rootxdp-run.XXXXXX")
tpid=""
stop_suite() {
	if [[ -n "$tpid" ]]; then
		kill -TERM -- "-$tpid" 2>/dev/null || kill -TERM "$tpid" 2>/dev/null
		wait "$tpid" 2>/dev/null
	fi
}
trap 'rm -f "$log"' EXIT
trap 'stop_suite; note "run.sh: interrupted"; note "$total_pass passed, $((total_fail + 1)) failed"; exit 130' INT
trap 'stop_suite; note "run.sh: terminated"; note "$total_pass passed, $((total_fail + 1)) failed"; exit 143' TERM
ran=0
for s in "${suites[@]}"; do
	[[ -z "$pattern" || "$s" == *"$pattern"* ]] || continue
	ran=$((ran + 1))
	name=${s#"$top"/}
	kind=plain
	if [[ "$s" == tests/py ]]; then
		kind=pytest
		cmd=(/usr/bin/python3 -m pytest -q tests/py)
	elif [[ "$s" == *.sh ]]; then
		cmd=(bash "$s")
	else
		cmd=("$s")
	fi
	note "== $name"
	start=$SECONDS
	# timeout puts the suite in a process group of its own and, when the
	# time is up, sends TERM to all of it (the netns tests clean up on
	# TERM), KILL 10 s later.  Ctrl-C / TERM of run.sh is passed on to
	# that group the same way.  tail shows the output as it comes.
	timeout -k 10 "$timeout_s" "${cmd[@]}" </dev/null >"$log" 2>&1 &
	tpid=$!
	tail -s 0.2 -n +1 --pid="$tpid" -f "$log" &
	tailpid=$!
	wait "$tpid"
	rc=$?
	wait "$tailpid"
	why=""
	if ! parse_counts "$log" "$kind"; then
		P=0 F=1 why="no summary line"
	elif ((rc != 0 && F == 0)); then
		F=1 why="exit status $rc"
	fi
	((rc == 124)) && why="timed out after ${timeout_s}s"
	total_pass=$((total_pass + P))
	total_fail=$((total_fail + F))
	results+=("$(printf '%-40s %4d passed, %3d failed  %4ds %s' "$name" "$P" "$F" $((SECONDS - start)) "${why:+($why)}")")
done

if ((ran == 0)); then
	note "run.sh: no suite matches '${pattern}'"
	total_fail=$((total_fail + 1))
fi
note "== summary"
for r in "${results[@]}"; do note "$r"; done
note "$total_pass passed, $total_fail failed"
((total_fail == 0))
