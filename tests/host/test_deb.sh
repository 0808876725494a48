#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_deb.sh - the Debian package, end to end, on this machine:
#   * scripts/deb.sh builds rootxdp and rootxdp-dbgsym from a clean export
#     of the tree; lintian: no error, no warning;
#   * apt-get install ./rootxdp_V.deb ./rootxdp-dbgsym_V.deb: the files, the
#     conffile, the rootxdp system user, /var/lib/rootxdp and /run/rootxdp
#     owned by it, units installed but neither enabled nor started,
#     `systemd-analyze verify` clean, debug symbols by build id, and
#     `rootxdp version` = dpkg's version = debian/changelog's;
#   * the installed rootxdp refresh / attach / status in a namespace pair,
#     the installed rootxdpd running as rootxdp;
#   * dpkg -i of the same source rebuilt as V+debtest1 while a bounded query
#     stream runs: postinst replaces the programs in place (rootxdp
#     upgrade): no query lost, the kernel's pass counters (but pass_no_room,
#     pass_not_dns, pass_ipv6_ext) unmoved and its answer counters grown by
#     every UDP query of the stream (the maps kept: nothing went up to
#     rootxdpd), new program ids under the same XDP link, still attached,
#     the operator's config kept;
#   * an upgrade in place refused (a pinned map of another layout):
#     postinst says so and replaces the programs by detach and attach;
#   * a new loader that can neither upgrade nor attach: postinst puts the
#     previous programs back and fails, and succeeds (in place) once run
#     again with the loader back;
#   * dpkg --remove: programs detached, pins and clsact gone, rootxdpd
#     stopped, config kept; dpkg --purge: nothing left (files, the user's
#     files, pins, qdiscs, unit links); the user stays (Debian policy) and
#     this test deletes it if it created it.
# It installs a package on the host: it fails, touching nothing, when
# rootxdp is installed (or half removed) here already; another test_deb.sh
# on the same host is waited for (flock).  Whatever happens, the package
# is purged at exit.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../netns/lib.sh
. "$here/../netns/lib.sh"

PY=/usr/bin/python3
CLIENT="$PY $here/../netns/daemon_client.py"
STREAM_N=${STREAM_N:-2400}	# queries in the stream across the upgrade
STREAM_QPS=${STREAM_QPS:-300}
export DEBIAN_FRONTEND=noninteractive

# One package per host: a second `make test` on this machine (another
# worktree) waits here for the first to purge it, instead of failing.
exec 9>/run/lock/rootxdp-test_deb.lock
if ! flock -w 600 9; then
	echo "FAIL   another test_deb.sh held /run/lock/rootxdp-test_deb.lock for 10 minutes"
	echo "0 passed, 1 failed"
	exit 1
fi
pre=$(dpkg-query -W -f='${db:Status-Status}' rootxdp 2>/dev/null)
if [[ -n "$pre" && "$pre" != not-installed ]] || [[ -e /etc/rootxdp ]]; then
	echo "FAIL   rootxdp is on this machine already (dpkg: ${pre:-none}; /etc/rootxdp): this test would replace and purge it"
	echo "0 passed, 1 failed"
	exit 1
fi
user_before=0
getent passwd rootxdp >/dev/null && user_before=1

ns_setup
zones_ab
V=$("$RX_TOP/scripts/version.sh") || _rx_abort "no version in debian/changelog"
V2=$V+debtest1
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
PIN=/sys/fs/bpf/rootxdp-deb-$$
register_pin "$PIN"
indent() { sed 's/^/       | /' | head -n "${1:-20}"; }

# dpkg with the lock another apt/dpkg may hold for a while (bounded wait).
dpkg_w() {
	local i out rc
	for ((i = 0; i < 30; i++)); do
		out=$(dpkg --force-confdef --force-confold "$@" 2>&1) && rc=0 || rc=$?
		((rc != 0)) && grep -qE 'frontend lock|status database .*locked' <<<"$out" && { sleep 2; continue; }
		printf '%s\n' "$out"
		return "$rc"
	done
	printf '%s\n' "$out"
	return 1
}

installed() {
	local s
	s=$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)
	[[ -n "$s" && "$s" != not-installed ]]
}

# Purge whatever this test installed, while the namespaces still exist
# (prerm detaches inside them), then the fixture's cleanup.
deb_cleanup() {
	# the real loader back, if the failed-upgrade case was cut short
	[[ -e /usr/sbin/rootxdp.test-real ]] && mv -f /usr/sbin/rootxdp.test-real /usr/sbin/rootxdp
	if installed rootxdp || installed rootxdp-dbgsym; then
		echo "# cleanup: dpkg --purge rootxdp-dbgsym rootxdp"
		dpkg_w --purge rootxdp-dbgsym rootxdp >"$RX_TMP/cleanup-purge.log" 2>&1 ||
			{ echo "# cleanup: purge failed:"; indent <"$RX_TMP/cleanup-purge.log"; }
	fi
	if ((!user_before)) && getent passwd rootxdp >/dev/null; then
		userdel rootxdp 2>/dev/null
	fi
	((user_before)) || ! getent group rootxdp >/dev/null || groupdel rootxdp 2>/dev/null
	cleanup
}
trap 'rc=$?; deb_cleanup; exit $rc' EXIT
trap 'deb_cleanup; trap - INT; exit 130' INT
trap 'deb_cleanup; trap - TERM; exit 143' TERM

# ---------------------------------------------------------------- build
chmod 0755 "$RX_TMP"	# apt's _apt user reads the .deb files from here
D1=$RX_TMP/deb1 D2=$RX_TMP/deb2
t0=$SECONDS
if "$RX_TOP/scripts/deb.sh" --out "$D1" >"$RX_TMP/deb1.log" 2>&1; then
	ok "scripts/deb.sh: rootxdp $V built, lintian: no error, no warning ($((SECONDS - t0)) s)"
else
	fail "scripts/deb.sh (version $V)"
	indent 40 <"$RX_TMP/deb1.log"
	_rx_abort "no package to test"
fi
grep -E '^  [EWIO]: ' "$RX_TMP/deb1.log" | sed 's/^  /# lintian: /'
t0=$SECONDS
"$RX_TOP/scripts/deb.sh" --out "$D2" --version "$V2" --no-lintian >"$RX_TMP/deb2.log" 2>&1 ||
	{ indent 40 <"$RX_TMP/deb2.log"; _rx_abort "scripts/deb.sh --version $V2 failed"; }
ok "scripts/deb.sh --version $V2: the same source rebuilt ($((SECONDS - t0)) s)"
DEB1=$D1/rootxdp_${V}_$ARCH.deb DBG1=$D1/rootxdp-dbgsym_${V}_$ARCH.deb
DEB2=$D2/rootxdp_${V2}_$ARCH.deb DBG2=$D2/rootxdp-dbgsym_${V2}_$ARCH.deb
# Exactly these: ${shlibs:Depends} (libelf1 comes through libbpf1;
# libfstrm0 and libprotobuf-c1 are rootxdpd's dnstap, libxdp1 the loader's
# xdp-mode multiprog) and
# what the package runs (adduser, tc) or reads (the trust anchor).
names() { dpkg-deb -f "$1" "$2" | tr ',' '\n' | awk 'NF { print $1 }' | sort | tr '\n' ' '; }
expect_eq "  ... Depends: $(dpkg-deb -f "$DEB1" Depends)" "$(names "$DEB1" Depends)" \
	"adduser dns-root-data iproute2 libbpf1 libc6 libfstrm0 libldns3 libprotobuf-c1 libssl3 libxdp1 zlib1g "
expect_eq "  ... Recommends: curl" "$(dpkg-deb -f "$DEB1" Recommends)" "curl"

# ---------------------------------------------------------------- install
out=$(apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=120 \
	-o Dpkg::Options::=--force-confold "$DEB1" "$DBG1" 2>&1) &&
	ok "apt-get install ./rootxdp_${V}_$ARCH.deb ./rootxdp-dbgsym_..." ||
	{ fail "apt-get install ./rootxdp_${V}_$ARCH.deb"; indent <<<"$out"; _rx_abort "not installed"; }
expect_eq "  ... dpkg: rootxdp $V installed" "$(dpkg-query -W -f='${Version} ${db:Status-Status}' rootxdp)" "$V installed"
for f in /usr/sbin/rootxdp /usr/sbin/rootxdpd /usr/sbin/rootxdp-compile \
	/usr/share/man/man8/rootxdp.8.gz /usr/share/man/man8/rootxdpd.8.gz \
	/usr/share/man/man8/rootxdp-compile.8.gz /usr/share/man/man5/rootxdp.conf.5.gz \
	/lib/systemd/system/rootxdp.service /lib/systemd/system/rootxdpd.service \
	/lib/systemd/system/rootxdp-refresh.service /lib/systemd/system/rootxdp-refresh.timer \
	/lib/systemd/system/rootxdp-metrics.service /lib/systemd/system/rootxdp-metrics.timer \
	/usr/lib/tmpfiles.d/rootxdp.conf /usr/share/doc/rootxdp/rootxdp.cron \
	/usr/share/doc/rootxdp/copyright /usr/share/doc/rootxdp/operator-guide.md.gz; do
	check "  ... $f" test -s "$f"
done
check "  ... man rootxdp finds the page" bash -c 'man -w rootxdp | grep -q /usr/share/man/man8/rootxdp.8.gz'
check "  ... the cron example runs /usr/sbin/rootxdp refresh" grep -q 'root  /usr/sbin/rootxdp refresh' \
	/usr/share/doc/rootxdp/rootxdp.cron
check "  ... /etc/rootxdp/rootxdp.conf is a conffile" bash -c \
	"dpkg-query -W -f='\${Conffiles}' rootxdp | grep -q '^ /etc/rootxdp/rootxdp.conf '"
check "  ... Debian default: rootxdpd drops to rootxdp" grep -qx 'user = rootxdp' /etc/rootxdp/rootxdp.conf
pw=$(getent passwd rootxdp)
IFS=: read -r _ _ uid _ _ home shell <<<"$pw"
check "  ... system user rootxdp (uid $uid < 1000, $shell, home $home)" \
	test -n "$pw" -a "${uid:-1000}" -lt 1000 -a "$shell" = /usr/sbin/nologin -a "$home" = /var/lib/rootxdp
expect_eq "  ... /var/lib/rootxdp rootxdp:rootxdp 755" "$(stat -c '%U:%G %a' /var/lib/rootxdp 2>&1)" "rootxdp:rootxdp 755"
expect_eq "  ... /run/rootxdp (tmpfiles.d) rootxdp:rootxdp 755" "$(stat -c '%U:%G %a' /run/rootxdp 2>&1)" "rootxdp:rootxdp 755"
check "  ... units not enabled (no link under /etc/systemd/system)" \
	test -z "$(find /etc/systemd/system -name 'rootxdp*' 2>/dev/null)"
check "  ... nothing started: no pid file, no attach state, no default pins" \
	test -z "$(ls -A /run/rootxdp)" -a ! -e /sys/fs/bpf/rootxdp
out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify /lib/systemd/system/rootxdp.service \
	/lib/systemd/system/rootxdpd.service /lib/systemd/system/rootxdp-refresh.service \
	/lib/systemd/system/rootxdp-refresh.timer 2>&1) && rc=0 || rc=$?
if ((rc == 0)) && [[ -z "$out" ]]; then
	ok "  ... systemd-analyze verify: the four installed units, no warning"
else
	fail "  ... systemd-analyze verify (exit $rc)"
	indent <<<"$out"
fi
for b in rootxdp rootxdpd rootxdp-compile; do
	id=$(readelf -n "/usr/sbin/$b" | awk '/Build ID/ { print $3 }')
	check "  ... debug symbols of $b by build id" test -n "$id" -a -s "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug"
done
expect_eq "  ... rootxdp version" "$(/usr/sbin/rootxdp version | awk '{ print $2 }')" "$V"
expect_eq "  ... rootxdpd --version" "$(/usr/sbin/rootxdpd --version | awk '{ print $2 }')" "$V"
expect_eq "  ... rootxdp-compile --version" "$(/usr/sbin/rootxdp-compile --version | awk '{ print $2 }')" "$V"

# ---------------------------------------------------------------- run it
# What an operator does: the interface and the zone source in the conffile.
cat >>/etc/rootxdp/rootxdp.conf <<EOF
# ---- test_deb.sh ----
interface = $DEV_SRV
pin-root = $PIN
listen = $IP4_SRV
workers = 1
zone-source = $ZONE_A/root.zone
trust-anchor = $ZONE_A/trust-anchor.ds
# one client at $STREAM_QPS q/s: the upgrade is tested, not rate limiting
rrl-rate = 0
EOF
RX=/usr/sbin/rootxdp
export PATH=/usr/sbin:/usr/bin:/sbin:/bin	# only the installed binaries
out=$($RX refresh 2>&1) && ok "installed rootxdp refresh: first image, serial $SERIAL_A" ||
	{ fail "installed rootxdp refresh"; indent <<<"$out"; }
out=$($RX attach --netns "$NS_SRV" 2>&1) && ok "installed rootxdp attach (interface from the conffile)" ||
	{ fail "installed rootxdp attach"; indent <<<"$out"; _rx_abort "not attached"; }
bg_start rootxdpd ip netns exec "$NS_SRV" /usr/sbin/rootxdpd
dpid=$BG_PID
# The serial, or nothing: dig +short prints its errors on stdout too.
soa() {
	in_cli dig +short +norec +nocookie +time=2 +tries=1 "$@" "@$IP4_SRV" . SOA |
		awk 'NF == 7 && $3 ~ /^[0-9]+$/ { print $3 }'
}
tcp_answers() { [[ -n "$(soa +tcp)" ]]; }
wait_until 10 tcp_answers || fail "installed rootxdpd does not answer"
who=$(ps -o user= -p "$dpid" | tr -d ' ')
expect_eq "installed rootxdpd runs as rootxdp" "$who" rootxdp
[[ "$who" == rootxdp ]] || { grep -E '^(Name|State|Uid)' "/proc/$dpid/status"; indent <"$RX_TMP/rootxdpd.log"; }
out=$($RX refresh --netns "$NS_SRV" --source "$ZONE_B/root.zone" 2>&1) && [[ -z "$out" ]] &&
	ok "installed rootxdp refresh to serial $SERIAL_B: silent" || { fail "installed rootxdp refresh"; indent <<<"$out"; }
expect_eq "  ... the kernel serves $SERIAL_B" "$(soa)" "$SERIAL_B"
expect_eq "  ... rootxdpd (as rootxdp) serves $SERIAL_B" "$(soa +tcp)" "$SERIAL_B"
out=$($RX status 2>&1) && grep -q "interface:  $DEV_SRV .*netns $NS_SRV" <<<"$out" &&
	grep -q "serial $SERIAL_B," <<<"$out" && ok "installed rootxdp status: $DEV_SRV in $NS_SRV, serial $SERIAL_B" ||
	{ fail "installed rootxdp status"; indent <<<"$out"; }
prog_ids() { $RX status --json 2>/dev/null | sed -n 's/.*"programs":{"xdp":\([0-9]*\),"tc":\([0-9]*\)}.*/\1 \2/p'; }
xdp_link() { $RX status --json 2>/dev/null | sed -n 's/.*"xdp_link":\([0-9]*\),.*/\1/p'; }
# "answered passed" in the kernel: xdp + tc; passed counts what went up to
# rootxdpd, every pass_* but pass_no_room (XDP handing the frame to TC),
# pass_not_dns (ARP, and the stream's TCP queries) and pass_ipv6_ext (ND).
counters() {
	$RX stats --json | $PY -c 'import json,sys; d=json.load(sys.stdin)
a = d["xdp"]["answered"] + d["tc"]["answered"]
p = sum(v for path in ("xdp", "tc") for k, v in d[path].items() if k.startswith("pass_") and k not in ("pass_no_room", "pass_not_dns", "pass_ipv6_ext"))
print(a, p)'
}
ids1=$(prog_ids)
link1=$(xdp_link)

# ---------------------------------------------------------------- upgrade under load
read -r ans0 pass0 < <(counters)
$RX stats >"$RX_TMP/stats0"
bg_start stream ip netns exec "$NS_CLI" $CLIENT stream "$IP4_SRV" "$STREAM_N" "$STREAM_QPS" "$RX_TMP/stream.out"
spid=$BG_PID
sleep 1
t0=$SECONDS
out=$(dpkg_w -i "$DEB2" "$DBG2") && rc=0 || rc=$?
overlap=0
_rx_alive "$spid" && overlap=1
if ((rc == 0)); then
	ok "dpkg -i rootxdp_${V2}_$ARCH.deb under a query stream ($((SECONDS - t0)) s)"
else
	fail "dpkg -i rootxdp_${V2}_$ARCH.deb (exit $rc)"
fi
indent 30 <<<"$out"
expect_eq "  ... the stream was still running when dpkg returned" "$overlap" 1
expect_eq "  ... dpkg: rootxdp $V2 installed" "$(dpkg-query -W -f='${Version} ${db:Status-Status}' rootxdp)" "$V2 installed"
expect_eq "  ... rootxdp version" "$($RX version | awk '{ print $2 }')" "$V2"
check "  ... postinst says it replaced the programs in place" \
	grep -q "replaced the XDP/TC programs in place with this version's (rootxdp upgrade" <<<"$out"
check "  ... not by detach and attach" bash -c '! grep -q "detach and attach" <<<"$1"' _ "$out"
check "  ... and that the hand-started rootxdpd (pid $dpid) runs the old binary" \
	grep -q "rootxdpd (pid $dpid) still runs the previous version" <<<"$out"
ids2=$(prog_ids)
check "  ... still attached: $DEV_SRV in $NS_SRV" bash -c "$RX status | grep -q 'interface:  $DEV_SRV .*netns $NS_SRV'"
check "  ... new programs (xdp tc ids: $ids1 -> $ids2)" test -n "$ids2" -a "${ids2% *}" != "${ids1% *}" -a "${ids2#* }" != "${ids1#* }"
expect_eq "  ... under the same XDP link" "$(xdp_link)" "$link1"
check "  ... the upgrade's scratch (/var/lib/rootxdp/upgrade) is gone" test ! -e /var/lib/rootxdp/upgrade
check "  ... the operator's conffile kept, no .dpkg-* beside it" bash -c \
	"grep -qx 'interface = $DEV_SRV' /etc/rootxdp/rootxdp.conf && ! ls /etc/rootxdp | grep -q dpkg"
check "stream finished" wait_until 60 bash -c "! kill -0 $spid 2>/dev/null"
bg_stop "$spid"
read -r ans1 pass1 < <(counters)
check "  ... no query lost: $(head -n1 "$RX_TMP/stream.out" 2>/dev/null) of $STREAM_N" grep -qx 'lost 0' "$RX_TMP/stream.out"
expect_eq "  ... serial $SERIAL_B throughout" "$(sed -n 's/^serials //p' "$RX_TMP/stream.out")" "$SERIAL_B"
echo "# kernel counters across the stream: answered $ans0 -> $ans1, passed up $pass0 -> $pass1"
expect_eq "  ... nothing passed up to rootxdpd (pass counters: $pass0 -> $pass1)" "$((pass1 - pass0))" 0
$RX stats | join "$RX_TMP/stats0" - | awk '$2 != $3 && $1 ~ /pass_/ { print "# moved: " $1, $2, "->", $3 }'
udp=$((STREAM_N - STREAM_N / 4))	# every 4th query of the stream is TCP: rootxdpd's
expect_eq "  ... the kernel answered every UDP query of the stream, counters kept ($ans0 -> $ans1)" \
	"$((ans1 - ans0))" "$udp"
expect_eq "  ... and serves $SERIAL_B" "$(soa)" "$SERIAL_B"

# The maintainer scripts run as dpkg runs them for an upgrade.
info=/var/lib/dpkg/info
export DPKG_MAINTSCRIPT_PACKAGE=rootxdp DPKG_MAINTSCRIPT_ARCH=$ARCH

# ---------------------------------------------------------------- an upgrade in place refused
# A pinned map of another layout than the new programs need (rx_cfg with
# 8-byte values pinned in place of the real one, which the running
# programs keep): rootxdp upgrade
# refuses, postinst says so and falls back to detach and attach.
out=$(DPKG_MAINTSCRIPT_NAME=preinst "$info/rootxdp.preinst" upgrade "$V2" 2>&1) && ok "preinst upgrade: the running loader kept" ||
	{ fail "preinst upgrade"; indent <<<"$out"; }
ids5=$(prog_ids)
rm "$PIN/rx_cfg" &&
	bpftool map create "$PIN/rx_cfg" type array key 4 value 8 entries 1 name rx_cfg ||
	fail "cannot pin an rx_cfg of another layout"
out=$(DPKG_MAINTSCRIPT_NAME=postinst "$info/rootxdp.postinst" configure "$V2" 2>&1) && rc=0 || rc=$?
indent <<<"$out"
check "postinst with a map of another layout pinned: succeeds" test "$rc" -eq 0
check "  ... says rootxdp upgrade refused, the layout" grep -q "refused to replace the programs in place: .*another layout" <<<"$out"
check "  ... and names the map" grep -q "cannot upgrade in place: map rx_cfg: value size 8" <<<"$out"
check "  ... replaced them by detach and attach" grep -q "attached this version's XDP/TC programs .*(detach and attach)" <<<"$out"
ids6=$(prog_ids)
check "  ... attached: $DEV_SRV in $NS_SRV, new programs (xdp tc ids: $ids5 -> $ids6)" bash -c \
	"$RX status | grep -q 'interface:  $DEV_SRV .*netns $NS_SRV' && test -n '$ids6' -a '${ids6% *}' != '${ids5% *}'"
check "  ... the maps made anew: rx_cfg has the programs' layout" bash -c "$RX upgrade --check >/dev/null 2>&1"
check "  ... nothing kept in /var/lib/rootxdp/upgrade" test ! -e /var/lib/rootxdp/upgrade
expect_eq "  ... the kernel serves $SERIAL_B" "$(soa)" "$SERIAL_B"

# ---------------------------------------------------------------- a failed upgrade
# The new loader failing both ways (a stand-in for it: a wrapper that
# refuses 'upgrade' and 'attach') must leave the previous programs
# attached, postinst failing, and dpkg --configure able to finish once the
# cause is gone.
out=$(DPKG_MAINTSCRIPT_NAME=preinst "$info/rootxdp.preinst" upgrade "$V2" 2>&1) && ok "preinst upgrade: the running loader kept" ||
	{ fail "preinst upgrade"; indent <<<"$out"; }
mv /usr/sbin/rootxdp /usr/sbin/rootxdp.test-real
printf '#!/bin/sh\ncase $1 in attach | upgrade) echo "rootxdp: $1 refused (test_deb.sh)" >&2; exit 1 ;; esac\nexec /usr/sbin/rootxdp.test-real "$@"\n' \
	>/usr/sbin/rootxdp
chmod 755 /usr/sbin/rootxdp
ids3=$(prog_ids)
out=$(DPKG_MAINTSCRIPT_NAME=postinst "$info/rootxdp.postinst" configure "$V2" 2>&1) && rc=0 || rc=$?
indent <<<"$out"
mv -f /usr/sbin/rootxdp.test-real /usr/sbin/rootxdp
check "postinst with a loader that can neither upgrade nor attach: fails" test "$rc" -ne 0
check "  ... says rootxdp upgrade failed, falls back to detach and attach" \
	grep -q "rootxdp upgrade failed (above): replacing the programs by detach and attach" <<<"$out"
check "  ... and says the previous programs serve again" \
	grep -q "previous version's programs serve again; after fixing the cause: dpkg --configure rootxdp" <<<"$out"
ids4=$(prog_ids)
check "  ... attached: $DEV_SRV in $NS_SRV (xdp tc ids: $ids3 -> $ids4)" bash -c \
	"$RX status | grep -q 'interface:  $DEV_SRV .*netns $NS_SRV'"
expect_eq "  ... the kernel serves $SERIAL_B" "$(soa)" "$SERIAL_B"
out=$(DPKG_MAINTSCRIPT_NAME=postinst "$info/rootxdp.postinst" configure "$V2" 2>&1) && ok "  ... the loader back, postinst again: succeeds" ||
	{ fail "postinst configure after the failure"; indent <<<"$out"; }
check "  ... in place" grep -q "replaced the XDP/TC programs in place" <<<"$out"
check "  ... attached, nothing kept in /var/lib/rootxdp/upgrade" bash -c \
	"$RX status >/dev/null && test ! -e /var/lib/rootxdp/upgrade"

unset DPKG_MAINTSCRIPT_PACKAGE DPKG_MAINTSCRIPT_ARCH

# ---------------------------------------------------------------- remove
out=$(dpkg_w --remove rootxdp-dbgsym rootxdp) && ok "dpkg --remove rootxdp-dbgsym rootxdp" ||
	{ fail "dpkg --remove"; indent <<<"$out"; }
expect_eq "  ... dpkg: config-files left" "$(dpkg-query -W -f='${db:Status-Status}' rootxdp)" config-files
check "  ... binaries gone" test ! -e /usr/sbin/rootxdp -a ! -e /usr/sbin/rootxdpd
check "  ... programs detached: no pins ($PIN)" test ! -e "$PIN"
check "  ... no XDP program on $DEV_SRV" bash -c "! ip -n '$NS_SRV' link show dev '$DEV_SRV' | grep -q 'prog/xdp'"
check "  ... no clsact qdisc on $DEV_SRV" bash -c "! tc -n '$NS_SRV' qdisc show dev '$DEV_SRV' | grep -q clsact"
check "  ... rootxdpd (pid $dpid) stopped" wait_until 5 bash -c "! kill -0 $dpid 2>/dev/null"
bg_stop "$dpid"
check "  ... the conffile kept" grep -qx "interface = $DEV_SRV" /etc/rootxdp/rootxdp.conf

# ---------------------------------------------------------------- purge
out=$(dpkg_w --purge rootxdp) && ok "dpkg --purge rootxdp" || { fail "dpkg --purge"; indent <<<"$out"; }
expect_eq "  ... dpkg: not installed" "$(dpkg-query -W -f='${db:Status-Status}' rootxdp 2>/dev/null || echo not-installed)" not-installed
files_left=()
while read -r p; do
	p=${p#.}
	[[ -n "$p" && ! -d "$p" && ( -e "$p" || -L "$p" ) ]] && files_left+=("$p")
done < <(dpkg-deb -c "$DEB2" | awk '{ print $6 }'; dpkg-deb -c "$DBG2" | awk '{ print $6 }')
expect_eq "  ... none of the packages' files left" "${files_left[*]}" ""
left=$(ls -d /etc/rootxdp /var/lib/rootxdp /run/rootxdp /usr/share/doc/rootxdp \
	/var/lib/systemd/deb-systemd-helper-enabled/*rootxdp* /etc/systemd/system/*/rootxdp* 2>/dev/null)
expect_eq "  ... no config, state, runtime or unit links left" "$left" ""
check "  ... the rootxdp user kept (Debian policy: its uid may own files elsewhere)" getent passwd rootxdp
left=$(find /etc /var /run /tmp /usr /opt /srv /home /root -xdev -user rootxdp 2>/dev/null | head -n 5)
expect_eq "  ... no file of the rootxdp user left" "$left" ""
check "  ... no pins" test ! -e "$PIN"
check "  ... no clsact qdisc, no XDP on $DEV_SRV" bash -c \
	"! tc -n '$NS_SRV' qdisc show dev '$DEV_SRV' | grep -q clsact && ! ip -n '$NS_SRV' link show dev '$DEV_SRV' | grep -q 'prog/xdp'"
if ((!user_before)); then
	userdel rootxdp && ok "this test created the rootxdp user: deleted" || fail "userdel rootxdp"
	getent group rootxdp >/dev/null && groupdel rootxdp
	check "  ... nor its group" bash -c '! getent group rootxdp'
fi

summary
