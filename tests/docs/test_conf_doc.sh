#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_conf_doc.sh - dist/rootxdp.conf and docs/man/rootxdp.conf.5 document
# every key common/config.c knows, with its real default: the example file
# parses as shipped (all commented out) and with every key uncommented, and
# both give exactly the defaults.  Needs no root and no namespace.
#   tests/docs/test_conf_doc.sh     (O= build dir)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../netns/lib.sh
. "$here/../netns/lib.sh"
RX="$O/rootxdp"
need_bins "$RX"
_rx_tmp
trap 'cleanup' EXIT
conf=$RX_TOP/dist/rootxdp.conf
man5=$RX_TOP/docs/man/rootxdp.conf.5

defaults=$("$RX" config --config /dev/null | grep -v '^#')
keys=$(sed -n 's/^\([a-z-]*\) =.*/\1/p' <<<"$defaults")
for k in $keys; do
	check "dist/rootxdp.conf documents $k" grep -qE "^#$k =" "$conf"
	check "rootxdp.conf.5 documents $k" grep -qE "^\\.B $k\$" "$man5"
done
check "the shipped file parses" "$RX" config --config "$conf"
expect_eq "the shipped file gives the defaults" "$("$RX" config --config "$conf" | grep -v '^#')" "$defaults"
# Uncomment every key line but identity (its default is the host name).
sed -E 's/^#([a-z-]+ =)/\1/; /^identity =/d' "$conf" >"$RX_TMP/all.conf"
check "every key uncommented parses" "$RX" config --config "$RX_TMP/all.conf"
expect_eq "every key uncommented: the written values are the defaults" \
	"$("$RX" config --config "$RX_TMP/all.conf" | grep -v '^#')" "$defaults"
check "man page formats without warnings" bash -c "! man --warnings -l -Tutf8 '$man5' 2>&1 >/dev/null | grep ."
summary
