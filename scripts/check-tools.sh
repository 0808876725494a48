#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# check-tools.sh - fail early, with one clear line, when the build toolchain
# cannot build rootxdp: clang >= 14, a bpftool with `gen skeleton`, and the
# pkg-config modules libbpf libxdp libelf zlib ldns libfstrm libprotobuf-c, and
# protoc-c (rootxdpd's dnstap).  Silent on success.
#   scripts/check-tools.sh        (honours CLANG=, BPFTOOL=, PKG_CONFIG=)
set -uo pipefail

CLANG=${CLANG:-clang}
BPFTOOL=${BPFTOOL:-bpftool}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
hint="(run scripts/deps.sh as root, or: apt-get install clang llvm bpftool libbpf-dev libxdp-dev libelf-dev zlib1g-dev libldns-dev libfstrm-dev libprotobuf-c-dev protobuf-c-compiler pkg-config)"

die() { echo "check-tools: $*" >&2; exit 1; }

command -v "$CLANG" >/dev/null 2>&1 || die "$CLANG not found $hint"
ver=$("$CLANG" -dumpversion 2>/dev/null) || die "cannot run '$CLANG -dumpversion' $hint"
major=${ver%%.*}
[[ "$major" =~ ^[0-9]+$ ]] || die "cannot parse clang version '$ver'"
((major >= 14)) || die "clang $ver is too old: need clang >= 14 for BPF (-mcpu=v3, BTF) $hint"

command -v "$BPFTOOL" >/dev/null 2>&1 || die "$BPFTOOL not found $hint"
"$BPFTOOL" gen help 2>&1 | grep -q 'skeleton' ||
	die "$BPFTOOL has no 'gen skeleton' (need bpftool >= 5.7) $hint"

command -v "$PKG_CONFIG" >/dev/null 2>&1 || die "$PKG_CONFIG not found $hint"
command -v "${PROTOC_C:-protoc-c}" >/dev/null 2>&1 || die "${PROTOC_C:-protoc-c} not found $hint"
for m in libbpf libxdp libelf zlib ldns libfstrm libprotobuf-c; do
	"$PKG_CONFIG" --exists "$m" || die "pkg-config module '$m' is missing $hint"
done
exit 0
