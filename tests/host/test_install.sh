#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_install.sh - `make install` / `make uninstall` (scripts/install.sh,
# called directly with O= so nothing is rebuilt), into a DESTDIR only:
#   * PREFIX=/usr: binaries in usr/sbin, man pages, docs, the config in
#     etc/rootxdp, units in lib/systemd/system with /usr/sbin paths;
#     an existing config is kept; uninstall leaves nothing, except a
#     config changed from the default (kept, and said so);
#   * PREFIX=/opt/rootxdp: units in PREFIX/lib/systemd/system with their
#     Exec paths rewritten to PREFIX/sbin; `systemd-analyze verify` on
#     them (the binaries exist there, so no "not executable" noise);
#   * every man page renders with `man -l` without a groff warning;
#   * the installed binaries attach, refresh (finding the installed
#     rootxdp-compile next to rootxdp) and serve in a namespace pair.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../netns/lib.sh
. "$here/../netns/lib.sh"

for b in rootxdp rootxdpd rootxdp-compile; do
	if [[ ! -x "$O/$b" ]]; then
		echo "FAIL   $O/$b is missing: run make first"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

ns_setup
INST="$RX_TOP/scripts/install.sh"
indent() { sed 's/^/       | /' | head -n 20; }
inst() {	# inst PREFIX DESTDIR install|uninstall|list
	PREFIX=$1 DESTDIR=$2 O=$O "$INST" "$3"
}

# ---------------------------------------------------------------- PREFIX=/usr
D=$RX_TMP/dest
out=$(inst /usr "$D" install 2>&1) && ok "install PREFIX=/usr DESTDIR=..." ||
	{ fail "install PREFIX=/usr"; indent <<<"$out"; }
for f in usr/sbin/rootxdp usr/sbin/rootxdpd usr/sbin/rootxdp-compile \
	usr/share/man/man8/rootxdp.8 usr/share/man/man8/rootxdp-compile.8 \
	usr/share/man/man5/rootxdp.conf.5 usr/share/doc/rootxdp/rootxdp.conf \
	usr/share/doc/rootxdp/rootxdp.cron etc/rootxdp/rootxdp.conf \
	lib/systemd/system/rootxdp.service lib/systemd/system/rootxdpd.service \
	lib/systemd/system/rootxdp-refresh.service lib/systemd/system/rootxdp-refresh.timer \
	lib/systemd/system/rootxdp-metrics.service lib/systemd/system/rootxdp-metrics.timer; do
	check "  ... $f" test -s "$D/$f"
done
[[ -f "$RX_TOP/docs/operator-guide.md" ]] &&
	check "  ... usr/share/doc/rootxdp/operator-guide.md" test -s "$D/usr/share/doc/rootxdp/operator-guide.md"
for m in "$RX_TOP"/docs/man/*.[58]; do
	b=$(basename "$m")
	check "  ... man page $b" test -s "$D/usr/share/man/man${b##*.}/$b"
done
check "  ... binaries executable" test -x "$D/usr/sbin/rootxdp" -a -x "$D/usr/sbin/rootxdpd" \
	-a -x "$D/usr/sbin/rootxdp-compile"
check "  ... config 0644" test "$(stat -c %a "$D/etc/rootxdp/rootxdp.conf")" = 644
check "  ... rootxdp.service: ExecStart=/usr/sbin/rootxdp attach" \
	grep -qx 'ExecStart=/usr/sbin/rootxdp attach' "$D/lib/systemd/system/rootxdp.service"
check "  ... rootxdpd.service: Type=notify, ExecReload kill -HUP" bash -c \
	"grep -qx 'Type=notify' '$D/lib/systemd/system/rootxdpd.service' &&
	 grep -qx 'ExecReload=/bin/kill -HUP \$MAINPID' '$D/lib/systemd/system/rootxdpd.service'"
check "  ... nothing outside usr/, etc/, lib/" \
	test -z "$(find "$D" -mindepth 1 -maxdepth 1 ! -name usr ! -name etc ! -name lib)"
list=$(inst /usr "$D" list | sort)
got=$(cd "$D" && find . -type f | sed 's|^\.||' | sort)
expect_eq "  ... exactly the files 'install.sh list' names" "$got" "$list"

echo "# my change" >>"$D/etc/rootxdp/rootxdp.conf"
out=$(inst /usr "$D" install 2>&1)
check "install again keeps an existing config" grep -q "# my change" "$D/etc/rootxdp/rootxdp.conf"
grep -q "KEEP.*etc/rootxdp/rootxdp.conf" <<<"$out" && ok "  ... and says so" || { fail "  ... and says so"; indent <<<"$out"; }
out=$(inst /usr "$D" uninstall 2>&1)
check "uninstall keeps the changed config" test -f "$D/etc/rootxdp/rootxdp.conf"
grep -q "KEEP.*changed from the default" <<<"$out" && ok "  ... and says so" || { fail "  ... and says so"; indent <<<"$out"; }
left=$(cd "$D" && find . -mindepth 1 | sort | tr '\n' ' ')
expect_eq "  ... and nothing else is left" "$left" "./etc ./etc/rootxdp ./etc/rootxdp/rootxdp.conf "
rm -rf "${D:?}/etc"
inst /usr "$D" install >/dev/null 2>&1
inst /usr "$D" uninstall >/dev/null 2>&1
check "install + uninstall with an unchanged config leaves nothing" \
	test -z "$(find "$D" -mindepth 1 2>/dev/null)"

# ---------------------------------------------------------------- another PREFIX
P=/opt/rootxdp-test-$$
D2=$RX_TMP/dest2
out=$(inst "$P" "$D2" install 2>&1) && ok "install PREFIX=$P" || { fail "install PREFIX=$P"; indent <<<"$out"; }
U=$D2$P/lib/systemd/system
check "  ... units in PREFIX/lib/systemd/system" test -s "$U/rootxdp.service"
check "  ... Exec paths rewritten to $P/sbin" bash -c \
	"grep -h '^Exec' '$U'/*.service | grep -v 'kill -HUP' | grep -v '^Exec[A-Za-z]*=$P/sbin/' | { ! grep -q .; }"
check "  ... cron example points at $P/sbin" grep -q "root  $P/sbin/rootxdp refresh" \
	"$D2$P/share/doc/rootxdp/rootxdp.cron"

if command -v systemd-analyze >/dev/null; then
	# Verify with paths that exist: the same units, Exec paths into DESTDIR.
	V=$RX_TMP/verify
	mkdir -p "$V"
	for u in "$U"/*; do
		sed "s|$P/sbin/|$D2$P/sbin/|g" "$u" >"$V/$(basename "$u")"
	done
	out=$(MANPATH="$D2$P/share/man" SYSTEMD_LOG_LEVEL=warning systemd-analyze verify "$V"/*.service "$V"/*.timer 2>&1)
	rc=$?
	if ((rc == 0)) && [[ -z "$out" ]]; then
		ok "systemd-analyze verify: every unit, no warning"
	else
		fail "systemd-analyze verify (exit $rc)"
		indent <<<"$out"
	fi
else
	echo "#      (systemd-analyze not installed: units not verified)"
fi

# ---------------------------------------------------------------- man pages
for m in "$D2$P"/share/man/man?/*; do
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$m" 2>&1 >"$RX_TMP/man.txt")
	if [[ -z "$out" && -s "$RX_TMP/man.txt" ]] && grep -q "NAME" "$RX_TMP/man.txt"; then
		ok "man -l $(basename "$m"): renders, no warning ($(wc -l <"$RX_TMP/man.txt") lines)"
	else
		fail "man -l $(basename "$m")"
		indent <<<"$out"
	fi
done

# ---------------------------------------------------------------- the installed binaries run
B=$D2$P/sbin
zdir=${RX_ZONE_DIR:-}
if [[ -z "$zdir" || ! -s "$zdir/root.zone" ]]; then
	zdir=$RX_TMP/zone-a
	"$RX_TOP/tests/zones/mkzone.sh" --out "$zdir" --tlds 100 >/dev/null 2>&1 || _rx_abort "mkzone.sh failed"
fi
S=$(awk '$4 == "SOA" { print $7; exit }' "$zdir/root.zone")
"$RX_TOP/tests/zones/mkzone.sh" --out "$RX_TMP/zone-b" --keys "$zdir" --serial $((S + 1)) \
	>/dev/null 2>&1 || _rx_abort "mkzone.sh serial+1 failed"
state=$RX_TMP/state
mkdir -p "$state"
CONF=$RX_TMP/rootxdp.conf
cat >"$CONF" <<EOF
pin-root = $RX_PIN_DIR
run-dir = $RX_TMP/run
state-dir = $state
image = $state/root.img
listen = $IP4_SRV
workers = 1
trust-anchor = $zdir/trust-anchor.ds
zone-source = $zdir/root.zone
EOF
# PATH without the build dir: refresh must find rootxdp-compile beside itself.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
out=$("$B/rootxdp" refresh --config "$CONF" 2>&1) && rc=0 || rc=$?
if ((rc == 0)) && [[ $("$B/rootxdp-compile" --dump "$state/root.img" | awk '/^serial:/ { print $2 }') == "$S" ]]; then
	ok "installed rootxdp refresh builds the first image with the installed compiler"
else
	fail "installed rootxdp refresh (exit $rc)"
	indent <<<"$out"
fi
out=$("$B/rootxdp" attach --config "$CONF" --netns "$NS_SRV" -i "$DEV_SRV" 2>&1) &&
	ok "installed rootxdp attach" || { fail "installed rootxdp attach"; indent <<<"$out"; }
bg_start rootxdpd ip netns exec "$NS_SRV" "$B/rootxdpd" --config "$CONF"
soa() { in_cli dig +short +norec +nocookie +time=2 +tries=1 "$@" "@$IP4_SRV" . SOA | awk '{ print $3 }'; }
wait_until 10 test -n "$(soa +tcp)" || fail "installed rootxdpd does not answer"
out=$("$B/rootxdp" refresh --config "$CONF" --netns "$NS_SRV" --source "$RX_TMP/zone-b/root.zone" 2>&1) &&
	[[ -z "$out" ]] && ok "installed rootxdp refresh to serial $((S + 1)): silent" ||
	{ fail "installed rootxdp refresh"; indent <<<"$out"; }
expect_eq "  ... XDP serves $((S + 1))" "$(soa)" $((S + 1))
expect_eq "  ... rootxdpd serves $((S + 1))" "$(soa +tcp)" $((S + 1))
out=$("$B/rootxdp" health --config "$CONF" --netns "$NS_SRV" 2>&1) &&
	ok "installed rootxdp health: healthy" || { fail "installed rootxdp health"; indent <<<"$out"; }
out=$("$B/rootxdp" detach --config "$CONF" 2>&1) && ok "installed rootxdp detach" ||
	{ fail "installed rootxdp detach"; indent <<<"$out"; }
bg_stop "$BG_PID"

inst "$P" "$D2" uninstall >/dev/null 2>&1
check "uninstall PREFIX=$P leaves nothing" test -z "$(find "$D2" -mindepth 1 2>/dev/null)"

summary
