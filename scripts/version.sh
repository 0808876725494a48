#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# version.sh - print rootxdp's version: the version of the first entry of
# debian/changelog.  That line is the one source of the version: the
# Makefile compiles it into rootxdp, rootxdpd and rootxdp-compile
# (`rootxdp version`, `--version`), and dpkg-buildpackage names the Debian
# package after it.  A release is one new changelog entry (dch -v VERSION).
#   scripts/version.sh        prints e.g. 0.1.0; exit 1 when unreadable
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
# "rootxdp (0.1.0) bookworm; urgency=medium" -> 0.1.0
v=$(sed -n '1s/^rootxdp (\([^()[:space:]]*\)) .*/\1/p' "$top/debian/changelog" 2>/dev/null) || v=
if [ -z "$v" ]; then
	echo "version.sh: no version in the first line of $top/debian/changelog" >&2
	exit 1
fi
printf '%s\n' "$v"
