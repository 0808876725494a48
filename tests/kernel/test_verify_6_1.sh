#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_verify_6_1.sh - `make test`'s guard for the operators' kernel: boots
# Debian 12's 6.1 under qemu (scripts/verify-kernel.sh), where the verifier
# must accept both programs, the packet suite must pass, and rootxdp must
# run beside another program in libxdp's dispatcher (xdp-mode multiprog).
# A newer kernel accepting the programs proves nothing about 6.1 (see
# bpf/respond.h).
# It also puts the XDP program natively on a virtio-net NIC in that VM:
# dig from here through qemu's forwarded port, the answers checked against
# the zone file, and the XDP counters must say that XDP answered them all
# (no pass_no_room): on a real driver, XDP answers.  About 2 minutes in
# all (the virtio-net step ~3 s of it); the kernel package is cached in
# build/kernel-6.1/root/.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$top/scripts/verify-kernel.sh" >"$log" 2>&1
rc=$?
grep -E 'virtio-net: (ok|FAIL)|multiprog [12]: (ok|FAIL)|xdp answered|the step took|^multiprog: ' "$log"
tail -n 8 "$log"
pass=0 failed=0
res() { if (($1)); then echo "ok     $2"; pass=$((pass + 1)); else echo "FAIL   $2"; failed=$((failed + 1)); fi; }
res $((rc == 0)) "scripts/verify-kernel.sh passed (exit $rc; build/kernel-6.1/serial.txt)"
res "$(grep -qE 'virtio-net: [0-9]+ queries from the host; xdp answered [1-9][0-9]*, pass_no_room 0,' "$log" && echo 1 || echo 0)" \
	"virtio-net: the XDP program answered the host's queries, pass_no_room 0"
res "$( [ "$(grep -c 'virtio-net: ok:' "$log")" = 4 ] && echo 1 || echo 0)" \
	"virtio-net: the 4 answers dig got match the zone file"
res "$(grep -qE '^multiprog: [1-9][0-9]* passed, 0 failed' "$log" && echo 1 || echo 0)" \
	"multiprog: rootxdp beside a counter in libxdp's dispatcher, both orders (tests/kernel/multiprog_kernel.c)"
res "$( [ "$(grep -cE 'multiprog [12]: ok:' "$log")" = 8 ] && echo 1 || echo 0)" \
	"multiprog on virtio-net: the host's 4 queries answered as the zone file says, rootxdp first and second"
echo "$pass passed, $failed failed"
((failed == 0))
