#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# install.sh - what `make install` / `make uninstall` do.
#
#   PREFIX=/usr/local DESTDIR= O=build scripts/install.sh install|uninstall|list
#
# install puts:
#   $PREFIX/sbin/{rootxdp,rootxdpd,rootxdp-compile}       from $O/
#   $PREFIX/share/man/man8/*.8, man5/*.5                   from docs/man/
#   $PREFIX/share/doc/rootxdp/{rootxdp.conf,rootxdp.cron,operator-guide.md,
#                              design.md,anycast.md,grafana-rootxdp.json}
#                                                          examples and docs
#   $PREFIX/share/doc/rootxdp/bird/{bird.conf,router.conf} BIRD 2 examples
#   /etc/rootxdp/rootxdp.conf                              only if absent
#   systemd units rootxdp.service, rootxdpd.service, rootxdp-refresh.service,
#     rootxdp-refresh.timer, rootxdp-anycast.service, rootxdp-metrics.service,
#     rootxdp-metrics.timer in /lib/systemd/system
#     when PREFIX=/usr, else $PREFIX/lib/systemd/system, with the
#     /usr/sbin paths of dist/ rewritten to $PREFIX/sbin
# everything under $DESTDIR.  uninstall removes exactly those files; the
# configuration only if it is unchanged from dist/rootxdp.conf (it says so
# when it keeps it).  list prints the paths install writes.  Nothing is
# enabled or started: that is the operator's (systemctl enable --now ...).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
prog=install.sh
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
O=${O:-build}
[[ "$O" == /* ]] || O="$top/$O"
PREFIX=${PREFIX%/}
[[ -n "$PREFIX" && "$PREFIX" == /* ]] || { echo "$prog: PREFIX must be an absolute path" >&2; exit 2; }
DESTDIR=${DESTDIR%/}

sbindir=$PREFIX/sbin
mandir=$PREFIX/share/man
docdir=$PREFIX/share/doc/rootxdp
confdir=/etc/rootxdp
if [[ "$PREFIX" == /usr ]]; then unitdir=/lib/systemd/system; else unitdir=$PREFIX/lib/systemd/system; fi

bins=(rootxdp rootxdpd rootxdp-compile)
units=(rootxdp.service rootxdpd.service rootxdp-refresh.service rootxdp-refresh.timer
       rootxdp-anycast.service rootxdp-metrics.service rootxdp-metrics.timer
       rootxdp-rssac002.service rootxdp-rssac002.timer)
docs=(dist/rootxdp.conf dist/rootxdp.cron docs/operator-guide.md docs/design.md docs/anycast.md
      docs/grafana-rootxdp.json)
birds=(dist/bird/bird.conf dist/bird/router.conf)
mans=()
for m in "$top"/docs/man/*.[58]; do [[ -f "$m" ]] && mans+=("${m#"$top"/}"); done

say() { printf '  %-9s %s\n' "$1" "$2"; }

# Every path install writes (without DESTDIR), one per line: "KIND DEST SRC".
manifest() {
	local b u d m
	for b in "${bins[@]}"; do echo "bin $sbindir/$b $O/$b"; done
	for m in "${mans[@]}"; do echo "man $mandir/man${m##*.}/$(basename "$m") $top/$m"; done
	for d in "${docs[@]}"; do
		[[ -f "$top/$d" ]] && echo "doc $docdir/$(basename "$d") $top/$d"
	done
	for d in "${birds[@]}"; do echo "doc $docdir/bird/$(basename "$d") $top/$d"; done
	for u in "${units[@]}"; do echo "unit $unitdir/$u $top/dist/$u"; done
	echo "conf $confdir/rootxdp.conf $top/dist/rootxdp.conf"
}

# dist/ files name /usr/sbin (a Debian package's paths); point them at ours.
rewrite() { sed "s|/usr/sbin/rootxdp|$sbindir/rootxdp|g" "$1"; }

do_install() {
	local kind dst src mode
	for b in "${bins[@]}"; do
		[[ -x "$O/$b" ]] || { echo "$prog: $O/$b is missing: run make first" >&2; exit 1; }
	done
	while read -r kind dst src; do
		case $kind in
		bin) mode=0755 ;;
		*) mode=0644 ;;
		esac
		install -d -m 0755 "$DESTDIR$(dirname "$dst")"
		case $kind in
		conf)
			if [[ -e "$DESTDIR$dst" ]]; then
				say KEEP "$DESTDIR$dst (exists; the new default is in $docdir/rootxdp.conf)"
				continue
			fi
			install -m 0644 "$src" "$DESTDIR$dst"
			;;
		unit)
			rewrite "$src" >"$DESTDIR$dst.tmp" && chmod 0644 "$DESTDIR$dst.tmp" &&
				mv -f "$DESTDIR$dst.tmp" "$DESTDIR$dst"
			;;
		doc)
			if [[ "$src" == *.cron ]]; then
				rewrite "$src" >"$DESTDIR$dst.tmp" && chmod 0644 "$DESTDIR$dst.tmp" &&
					mv -f "$DESTDIR$dst.tmp" "$DESTDIR$dst"
			else
				install -m 0644 "$src" "$DESTDIR$dst"
			fi
			;;
		*)
			install -m "$mode" "$src" "$DESTDIR$dst"
			;;
		esac
		say INSTALL "$DESTDIR$dst"
	done < <(manifest)
	if [[ -z "$DESTDIR" ]]; then
		echo "installed; next: edit $confdir/rootxdp.conf, then"
		echo "  systemctl daemon-reload"
		echo "  systemctl enable --now rootxdpd.service rootxdp.service rootxdp-refresh.timer"
	fi
}

# Remove empty directories from $1 up, but never the tree's roots.
prune() {
	local d=$1
	while [[ -n "$d" && "$d" != / && "$d" != "$DESTDIR" && -d "$d" ]]; do
		case "${d#"$DESTDIR"}" in
		/usr|/usr/local|"$PREFIX"|/etc|/lib|/lib/systemd|/lib/systemd/system|"$PREFIX/sbin"|\
		"$PREFIX/share"|"$PREFIX/share/man"|"$PREFIX"/share/man/man?|"$PREFIX/share/doc"|\
		"$PREFIX/lib")
			# a system directory: only inside a DESTDIR tree
			[[ -n "$DESTDIR" ]] || return 0 ;;
		esac
		rmdir -- "$d" 2>/dev/null || return 0
		d=$(dirname "$d")
	done
}

do_uninstall() {
	local kind dst src
	while read -r kind dst src; do
		[[ -e "$DESTDIR$dst" ]] || continue
		if [[ $kind == conf ]] && ! cmp -s "$src" "$DESTDIR$dst"; then
			say KEEP "$DESTDIR$dst (changed from the default: remove it yourself)"
			continue
		fi
		rm -f -- "$DESTDIR$dst"
		say REMOVE "$DESTDIR$dst"
		prune "$DESTDIR$(dirname "$dst")"
	done < <(manifest)
}

case "${1:-}" in
install) do_install ;;
uninstall) do_uninstall ;;
list) manifest | awk '{ print $2 }' ;;
*) echo "usage: PREFIX=/usr/local DESTDIR= O=build $prog install|uninstall|list" >&2; exit 2 ;;
esac
