#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# deb.sh - build the Debian packages (debian/) as from a clean clone: what
# `make deb` does.  No root needed.
#
#   scripts/deb.sh [--out DIR] [--version VERSION] [--no-lintian]
#
# Exports the files git tracks or would track (not ignored: build/ and
# other output stay out, as in a clean clone; changes not yet committed
# are in) into DIR/rootxdp-VERSION/, runs `dpkg-buildpackage -us -uc -b`
# there and lintian on the result.  DIR (default build/deb) then holds
# rootxdp_VERSION_ARCH.deb, rootxdp-dbgsym_VERSION_ARCH.deb, the
# .changes/.buildinfo, build.log and lintian.txt.  --version adds a
# changelog entry to the export first: the same source as a newer version
# (upgrade tests).  Exit 0 when built and lintian reports no error and no
# warning (overrides are justified in debian/rootxdp.lintian-overrides).
set -euo pipefail

prog=deb.sh
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/deb
version=""
lint=1
while (($#)); do
	case $1 in
	--out) out=${2:?--out needs a directory}; shift 2 ;;
	--version) version=${2:?--version needs a version}; shift 2 ;;
	--no-lintian) lint=0; shift ;;
	-h | --help) sed -n '4,19s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "$prog: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[[ "$out" == /* ]] || out=$PWD/$out

for t in git dpkg-buildpackage dh; do
	command -v "$t" >/dev/null || {
		echo "$prog: $t not found: apt-get install git dpkg-dev debhelper lintian (scripts/deps.sh does)" >&2
		exit 1
	}
done
((lint == 0)) || command -v lintian >/dev/null ||
	{ echo "$prog: lintian not found: apt-get install lintian (or --no-lintian)" >&2; exit 1; }
git -C "$top" rev-parse --git-dir >/dev/null 2>&1 ||
	{ echo "$prog: $top is not a git checkout: git says which files a clean clone would hold" >&2; exit 1; }

base=$("$top/scripts/version.sh")
v=${version:-$base}
src=$out/rootxdp-$v
rm -rf "$src"
mkdir -p "$src"
# What a clean clone would hold once the changes are committed: tracked
# files that exist, and new files git does not ignore.
files=()
while IFS= read -r -d '' f; do
	[[ -e "$top/$f" || -L "$top/$f" ]] && files+=("$f")
done < <(git -C "$top" ls-files -z --cached --others --exclude-standard)
printf '%s\0' "${files[@]}" | tar -C "$top" --null -T - -cf - | tar -x -C "$src"
dirty=$(git -C "$top" status --porcelain | wc -l)
echo "$prog: building rootxdp $v from $(git -C "$top" rev-parse --short HEAD)$( ((dirty)) && echo " + $dirty uncommitted changes") in $src"

if [[ -n "$version" ]]; then
	# A new first entry, as `dch -v` would write it, in the same hands.
	maint=$(sed -n 's/^Maintainer: //p' "$src/debian/control")
	dist=$(sed -n '1s/^[^;]*) \([^;]*\);.*/\1/p' "$src/debian/changelog")
	{
		printf 'rootxdp (%s) %s; urgency=medium\n\n' "$version" "$dist"
		printf '  * Rebuild of %s as %s (scripts/deb.sh --version).\n\n' "$base" "$version"
		printf ' -- %s  %s\n\n' "$maint" "$(date -R)"
		cat "$src/debian/changelog"
	} >"$src/debian/changelog.new"
	mv -f "$src/debian/changelog.new" "$src/debian/changelog"
	got=$("$src/scripts/version.sh")
	[[ "$got" == "$version" ]] ||
		{ echo "$prog: the export's version is '$got', not '$version'" >&2; exit 1; }
fi

# The build must see only the export: O= (the tests export it) would send
# `make clean` and the objects into this tree's build/, and a calling
# make's flags or compiler settings would leak in.  dpkg-buildflags
# supplies CFLAGS and friends.
unset O V MAKEFLAGS MAKELEVEL MFLAGS CC CLANG BPFTOOL CFLAGS CPPFLAGS LDFLAGS
# At most two jobs: the machines that build this are shared.
export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-parallel=2}
start=$SECONDS
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	echo "$prog: dpkg-buildpackage failed (whole log: $out/build.log)" >&2
	exit 1
fi
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
changes=$out/rootxdp_${v}_$arch.changes
echo "$prog: built in $((SECONDS - start)) s:"
for f in "$out/rootxdp_${v}_$arch.deb" "$out/rootxdp-dbgsym_${v}_$arch.deb"; do
	[[ -s "$f" ]] || { echo "$prog: $f was not built" >&2; exit 1; }
	echo "  $f"
done
((lint)) || exit 0

# An E: (error) or W: (warning) line fails; I: (information) lines and the
# overrides (O:, after their justification, N:) are shown too.  With
# --fail-on none, lintian's exit status says only whether it could run.
rc=0
lintian --fail-on none --display-info --show-overrides "$changes" >"$out/lintian.txt" 2>&1 || rc=$?
echo "$prog: lintian $(lintian --version | awk '{ print $2 }'):"
if [[ -s "$out/lintian.txt" ]]; then sed 's/^/  /' "$out/lintian.txt"; else echo "  (no output)"; fi
if ((rc != 0)); then
	echo "$prog: lintian failed to run (exit $rc)" >&2
	exit 1
fi
if grep -qE '^[EW]: ' "$out/lintian.txt"; then
	echo "$prog: lintian reports errors or warnings (above)" >&2
	exit 1
fi
