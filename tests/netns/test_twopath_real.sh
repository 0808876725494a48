#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_twopath_real.sh - test_twopath.sh on the real root zone (the 2026
# testsigned copy in ../shared/data): ~1,440 TLDs, real glue, real sizes.
# Skipped only where ../shared/data is absent (users' machines).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
zone="$here/../../../shared/data/root-2026082201-testsigned.zone.gz"
if [[ ! -d "$here/../../../shared/data" ]]; then
	echo "skipped: ../shared/data is absent"
	echo "0 passed, 0 failed"
	exit 0
fi
[[ -r "$zone" ]] || { echo "FAIL   $zone unreadable"; echo "0 passed, 1 failed"; exit 1; }
RX_TWOPATH_ZONE=$zone exec "$here/test_twopath.sh"
