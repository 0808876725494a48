#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_fuzz.sh - the fuzzers' part of `make test` (no network namespace;
# it needs clang's libFuzzer, and root for BPF_PROG_TEST_RUN).
#
#   O=build tests/fuzz/test_fuzz.sh
#
# Checks, one line each: the three fuzzers build (scripts/fuzz.sh build);
# each replays its committed seeds and regression inputs
# (tests/fuzz/corpus/, tests/fuzz/regress/); each fuzzes for
# RX_FUZZ_SECONDS (default 8) seconds without a crash, leak, UB or broken
# invariant.  About 40 s in all once the fuzzers are built.  Ends with
# "N passed, N failed"; exit status 1 if anything failed.  A finding is
# saved under $O/fuzz/crashes/TARGET/ and the failing line says how to
# reproduce it.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
O=${O:-build}
[[ "$O" == /* ]] || O="$top/$O"
export O
secs=${RX_FUZZ_SECONDS:-8}
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok     $*"; }
fail() { failed=$((failed + 1)); echo "FAIL   $*"; }

# step DESC CMD...: one check; the command's output is shown indented.
step() {
	local desc=$1 rc
	shift
	"$@" 2>&1 | sed 's/^/       | /'
	rc=${PIPESTATUS[0]}
	if ((rc == 0)); then ok "$desc"; else fail "$desc (exit $rc)"; fi
	return "$rc"
}

# fuzz.sh stops its fuzzer (by PID) on TERM/INT; run.sh signals the group.
trap 'wait; echo "$passed passed, $((failed + 1)) failed"; exit 143' TERM INT

if [[ $(id -u) -ne 0 ]]; then
	fail "needs root (fuzz_xdp runs BPF_PROG_TEST_RUN)"
	echo "$passed passed, $failed failed"
	exit 1
fi
if ! step "fuzzers build" scripts/fuzz.sh build; then
	echo "$passed passed, $failed failed"
	exit 1
fi
for t in xdp query zone; do
	step "fuzz_$t: seeds and regression inputs" scripts/fuzz.sh regress "$t"
done
for t in xdp query zone; do
	step "fuzz_$t: ${secs}s without a finding" scripts/fuzz.sh run "$secs" "$t"
done
echo "$passed passed, $failed failed"
((failed == 0))
