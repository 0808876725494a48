#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_verify_6_1.sh - `make test`'s guard for the operators' kernel: boots
# Debian 12's 6.1 under qemu (scripts/verify-kernel.sh), where the verifier
# must accept both programs and the packet suite must pass.  A newer kernel
# accepting the programs proves nothing about 6.1 (see bpf/respond.h).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$top/scripts/verify-kernel.sh" >"$log" 2>&1
rc=$?
tail -n 15 "$log"
if ((rc == 0)); then
	echo "ok     both programs load and answer on Debian 12's 6.1"
	echo "1 passed, 0 failed"
else
	echo "FAIL   scripts/verify-kernel.sh exited $rc (see above; build/kernel-6.1/serial.txt)"
	echo "0 passed, 1 failed"
fi
exit $((rc != 0))
