# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
#
# lib.sh - the network-namespace fixture for integration tests.  Source it:
#
#   . "$(dirname "$0")/lib.sh"
#   ns_setup                        # two netns + veth, trap cleanup installed
#   in_cli dig @"$IP4_SRV" . SOA
#   check "SOA answered" in_cli dig +short @"$IP4_SRV" . SOA
#   summary                         # "N passed, N failed"; non-zero on failure
#
# ns_setup makes rx-$$-srv and rx-$$-cli joined by a veth pair:
#   srv: $DEV_SRV 198.51.100.1/24 2001:db8::1/64   cli: $DEV_CLI .2 / ::2
# (IPv6 with nodad: usable at once).  The client end has TX checksum
# offload off (a CHECKSUM_PARTIAL stub does not survive an XDP rewrite on
# the server) and a native-mode XDP_PASS program (XDP_TX on veth reaches
# the peer only when the peer has a native XDP program).
#
# Exported: NS_SRV NS_CLI DEV_SRV DEV_CLI IP4_SRV IP4_CLI IP6_SRV IP6_CLI,
# RX_TOP (repo top), O (build dir, absolute), RX_TMP (scratch dir removed at
# cleanup), RX_PIN_DIR (/sys/fs/bpf/rootxdp-test-$$, registered for cleanup).
#
# Functions:
#   in_srv CMD... / in_cli CMD...   ip netns exec (remounts /sys: no pins)
#   nsenter_net NS CMD...           switch only the network namespace; the
#                                   host bpffs stays visible (for pinning)
#   ns_addr_add NS DEV CIDR         add an address (IPv6 with nodad)
#   ns_add NAME...                  more namespaces, deleted at cleanup
#   bg_start NAME CMD...            start CMD in the background, output in
#                                   $RX_TMP/NAME.log, PID recorded (BG_PID)
#   bg_stop PID                     stop one recorded process now
#   register_pin PATH               remove PATH (under /sys/fs/bpf) at cleanup
#   register_dir PATH               remove PATH (a temp dir) at cleanup
#   wait_until SECS CMD...          poll CMD every 0.1 s until it succeeds
#   cleanup                         kill recorded PIDs, delete namespaces,
#                                   pins and temp dirs (idempotent)
#   need_bins FILE... / need_cmds CMD...   fail at once when missing
#   knot_primary ZONEFILE [SECRET]  knotd in $NS_SRV on 127.0.0.1@5300 giving
#                                   AXFR (TSIG-keyed with SECRET); PID in KPID
#   test_bpf_obj NAME               build tests/netns/NAME.bpf.c, print the .o
#   ok DESC / fail DESC / check DESC CMD... / expect_eq DESC A B / summary
#
# A missing capability (not root, no netns, no XDP) is a failure, not a skip.

RX_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
O=${O:-build}
[[ "$O" == /* ]] || O="$RX_TOP/$O"
export RX_TOP O

RX_TMP=""		# never a parent test's: each test has its own
RX_PASSED=0
RX_FAILED=0
_RX_PIDS=()
_RX_NETNS=()
_RX_PINS=()
_RX_DIRS=()
_RX_CLEANED=0

# ---------------------------------------------------------------- asserts
ok() { RX_PASSED=$((RX_PASSED + 1)); echo "ok     $*"; }
fail() { RX_FAILED=$((RX_FAILED + 1)); echo "FAIL   $*"; }

# check DESC CMD...: pass when CMD exits 0; on failure show its output.
check() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if ((rc == 0)); then
		ok "$desc"
	else
		fail "$desc (exit $rc: $*)"
		[[ -n "$out" ]] && printf '%s\n' "$out" | head -n 20 | sed 's/^/       | /'
	fi
	return 0
}

# check_not DESC CMD...: pass when CMD fails.
check_not() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then fail "$desc (succeeded: $*)"; else ok "$desc"; fi
	return 0
}

expect_eq() {
	if [[ "$2" == "$3" ]]; then
		ok "$1"
	else
		fail "$1 (expected '$3', got '$2')"
	fi
	return 0
}

# summary: the line tests/run.sh reads; status non-zero on any failure or
# when nothing was checked.
summary() {
	echo "$RX_PASSED passed, $RX_FAILED failed"
	((RX_FAILED == 0 && RX_PASSED > 0))
}

# Give up on the whole test: count a failure, clean up, exit 1.
_rx_abort() {
	fail "$*"
	summary
	exit 1
}

# need_bins FILE...: every FILE is an executable we built, else the test
# fails at once ("run make first").  need_cmds CMD...: the same for tools
# from Debian packages.  Both before ns_setup: nothing to clean up yet.
need_bins() {
	local b
	for b in "$@"; do
		[[ -x "$b" ]] || _rx_abort "$b is missing: run make first"
	done
}
need_cmds() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || _rx_abort "$t not found (scripts/deps.sh installs it)"
	done
}

# ---------------------------------------------------------------- helpers
in_srv() { ip netns exec "$NS_SRV" "$@"; }
in_cli() { ip netns exec "$NS_CLI" "$@"; }
nsenter_net() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

ns_addr_add() {
	local ns=$1 dev=$2 cidr=$3
	if [[ "$cidr" == *:* ]]; then
		ip -n "$ns" -6 addr add "$cidr" dev "$dev" nodad
	else
		ip -n "$ns" addr add "$cidr" dev "$dev"
	fi
}

wait_until() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

_rx_tmp() {
	if [[ -z "${RX_TMP:-}" || ! -d "$RX_TMP" ]]; then
		RX_TMP=$(mktemp -d "${TMPDIR:-/tmp}/rootxdp-test.$$.XXXXXX")
		export RX_TMP
		_RX_DIRS+=("$RX_TMP")
	fi
}

# bg_start NAME CMD...: CMD runs with its output in $RX_TMP/NAME.log.
# `ip netns exec` and `nsenter` exec the command, so the PID is the
# command's own.  Sets BG_PID.
bg_start() {
	local name=$1
	shift
	_rx_tmp
	"$@" </dev/null >"$RX_TMP/$name.log" 2>&1 &
	BG_PID=$!
	_RX_PIDS+=("$BG_PID")
}

# Is PID still one of ours (alive and not a zombie we reaped)?
_rx_alive() {
	local st
	kill -0 "$1" 2>/dev/null || return 1
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }		# the state follows "(comm) "
	[[ "${st%% *}" != Z ]]
}

# bg_stop PID...: TERM, up to 3 s, then KILL; only recorded PIDs.
bg_stop() {
	local p q i live
	for p in "$@"; do
		for q in "${_RX_PIDS[@]}"; do
			[[ "$p" == "$q" ]] && _rx_alive "$p" && kill -TERM "$p" 2>/dev/null
		done
	done
	for ((i = 0; i < 30; i++)); do
		live=0
		for p in "$@"; do _rx_alive "$p" && live=1; done
		((live)) || break
		sleep 0.1
	done
	for p in "$@"; do
		for q in "${_RX_PIDS[@]}"; do
			[[ "$p" == "$q" ]] && _rx_alive "$p" && kill -KILL "$p" 2>/dev/null
		done
	done
	for p in "$@"; do wait "$p" 2>/dev/null; done
	return 0
}

register_pin() {
	[[ "$1" == /sys/fs/bpf/?* ]] || { echo "register_pin: $1 is not under /sys/fs/bpf" >&2; return 1; }
	_RX_PINS+=("$1")
}
register_dir() { _RX_DIRS+=("$1"); }

cleanup() {
	local p ns
	((_RX_CLEANED)) && return 0
	_RX_CLEANED=1
	((${#_RX_PIDS[@]})) && bg_stop "${_RX_PIDS[@]}"
	for p in "${_RX_PINS[@]}"; do
		[[ "$p" == /sys/fs/bpf/?* ]] && rm -rf -- "$p"
	done
	for ns in "${_RX_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	for p in "${_RX_DIRS[@]}"; do
		[[ -n "$p" && "$p" != / ]] && rm -rf -- "$p"
	done
	return 0
}

_rx_traps() {
	trap 'rc=$?; cleanup; exit $rc' EXIT
	trap 'cleanup; trap - INT; exit 130' INT
	trap 'cleanup; trap - TERM; exit 143' TERM
}

# The client-side XDP_PASS object, built on demand into $O/tests/netns/.
xdp_pass_obj() { test_bpf_obj xdp_pass; }

# test_bpf_obj NAME: tests/netns/NAME.bpf.c built (with BTF: libxdp needs
# it) into $O/tests/netns/NAME.bpf.o on demand; prints the object's path.
test_bpf_obj() {
	local src="$RX_TOP/tests/netns/$1.bpf.c" obj="$O/tests/netns/$1.bpf.o" tmp
	if [[ ! -s "$obj" || "$src" -nt "$obj" ]]; then
		mkdir -p "$(dirname "$obj")" || return 1
		tmp="$obj.$$.tmp"
		"${CLANG:-clang}" -target bpf -O2 -g -Wall -Werror -Wno-unused-parameter \
			-idirafter "/usr/include/$(${CC:-cc} -print-multiarch 2>/dev/null)" \
			-c "$src" -o "$tmp" || { rm -f "$tmp"; return 1; }
		mv -f "$tmp" "$obj"
	fi
	echo "$obj"
}

# zone_a: only ZONE_A and SERIAL_A (below), for tests that need one zone.
zone_a() {
	_rx_tmp
	ZONE_A=${RX_ZONE_DIR:-}
	if [[ -z "$ZONE_A" ]]; then
		ZONE_A=$RX_TMP/zone-a
		"$RX_TOP/tests/zones/mkzone.sh" --out "$ZONE_A" --tlds 100 >"$RX_TMP/mkzone-a.log" 2>&1 ||
			_rx_abort "mkzone.sh failed (see $RX_TMP/mkzone-a.log)"
	fi
	SERIAL_A=$(awk '$4 == "SOA" { print $7; exit }' "$ZONE_A/root.zone")
	[[ "$SERIAL_A" =~ ^[0-9]+$ ]] || _rx_abort "no SOA serial in $ZONE_A/root.zone"
}

# zones_ab: ZONE_A = $RX_ZONE_DIR (or a 100-TLD zone made here) and ZONE_B =
# $RX_TMP/zone-b, the same keys and serial + 1 (RFC 1982): the two images a
# swap or refresh test alternates.  Sets ZONE_A ZONE_B SERIAL_A SERIAL_B.
zones_ab() {
	zone_a
	SERIAL_B=$(( (SERIAL_A + 1) % 4294967296 ))
	ZONE_B=$RX_TMP/zone-b
	"$RX_TOP/tests/zones/mkzone.sh" --out "$ZONE_B" --serial "$SERIAL_B" --keys "$ZONE_A" \
		>"$RX_TMP/mkzone-b.log" 2>&1 || _rx_abort "mkzone.sh --serial $SERIAL_B failed"
}

# ns_add NAME...: more network namespaces (lo up), deleted at cleanup;
# installs the cleanup traps, for tests with a topology of their own.
ns_add() {
	local ns
	_rx_traps
	_rx_tmp
	for ns in "$@"; do
		ip netns add "$ns" || _rx_abort "ns_add: cannot create netns $ns"
		_RX_NETNS+=("$ns")
		ip -n "$ns" link set lo up || _rx_abort "ns_add: lo in $ns"
	done
}

# ---------------------------------------------------------------- ns_setup
ns_setup() {
	local obj
	NS_SRV="rx-$$-srv" NS_CLI="rx-$$-cli"
	DEV_SRV="veth-srv" DEV_CLI="veth-cli"
	IP4_SRV=198.51.100.1 IP4_CLI=198.51.100.2
	IP6_SRV=2001:db8::1 IP6_CLI=2001:db8::2
	RX_PIN_DIR=/sys/fs/bpf/rootxdp-test-$$
	export NS_SRV NS_CLI DEV_SRV DEV_CLI IP4_SRV IP4_CLI IP6_SRV IP6_CLI RX_PIN_DIR
	_rx_traps
	_rx_tmp
	register_pin "$RX_PIN_DIR"

	[[ $(id -u) -eq 0 ]] || _rx_abort "ns_setup: must run as root (network namespaces, XDP)"
	for t in ip ethtool nsenter; do
		command -v "$t" >/dev/null || _rx_abort "ns_setup: $t not found (scripts/deps.sh)"
	done
	obj=$(xdp_pass_obj) || _rx_abort "ns_setup: cannot build tests/netns/xdp_pass.bpf.c"
	# Pins need bpffs at /sys/fs/bpf, as systemd mounts it at boot; a
	# container or a minimal system may lack it.  Left mounted: other tests
	# and the loader use it.
	if ! mountpoint -q /sys/fs/bpf; then
		mount -t bpf bpf /sys/fs/bpf || _rx_abort "ns_setup: cannot mount bpffs on /sys/fs/bpf"
	fi

	ip netns add "$NS_SRV" || _rx_abort "ns_setup: cannot create netns $NS_SRV"
	_RX_NETNS+=("$NS_SRV")
	ip netns add "$NS_CLI" || _rx_abort "ns_setup: cannot create netns $NS_CLI"
	_RX_NETNS+=("$NS_CLI")
	# Both ends are created straight in their namespaces: nothing in the
	# host namespace, no name clash between concurrent tests.
	ip link add "$DEV_SRV" netns "$NS_SRV" type veth peer name "$DEV_CLI" netns "$NS_CLI" ||
		_rx_abort "ns_setup: cannot create the veth pair"
	ip -n "$NS_SRV" link set lo up &&
		ip -n "$NS_CLI" link set lo up &&
		ns_addr_add "$NS_SRV" "$DEV_SRV" "$IP4_SRV/24" &&
		ns_addr_add "$NS_CLI" "$DEV_CLI" "$IP4_CLI/24" &&
		ns_addr_add "$NS_SRV" "$DEV_SRV" "$IP6_SRV/64" &&
		ns_addr_add "$NS_CLI" "$DEV_CLI" "$IP6_CLI/64" ||
		_rx_abort "ns_setup: cannot configure addresses"
	ip netns exec "$NS_CLI" ethtool -K "$DEV_CLI" tx off >/dev/null ||
		_rx_abort "ns_setup: ethtool -K $DEV_CLI tx off failed"
	ip -n "$NS_CLI" link set dev "$DEV_CLI" xdpdrv obj "$obj" sec xdp ||
		_rx_abort "ns_setup: cannot attach native XDP_PASS to $DEV_CLI"
	ip -n "$NS_SRV" link set "$DEV_SRV" up &&
		ip -n "$NS_CLI" link set "$DEV_CLI" up ||
		_rx_abort "ns_setup: cannot bring the veth pair up"
	# veth carrier comes up when both ends are up; wait for it.
	wait_until 5 in_cli ping -c1 -W1 -q "$IP4_SRV" ||
		_rx_abort "ns_setup: $IP4_SRV not reachable from $NS_CLI"
	return 0
}

# knot_primary ZONEFILE [SECRET]: knotd serving ZONEFILE as "." on
# 127.0.0.1@5300 inside $NS_SRV, AXFR allowed from 127.0.0.0/8 (with
# SECRET: only with the TSIG key "xfer-key", hmac-sha256); its files in
# $RX_TMP/knot, its log $RX_TMP/knot.log, its PID in KPID.  Aborts the
# test if it does not answer.
knot_primary() {
	local zone=$1 secret=${2:-} kdir=$RX_TMP/knot keyconf="" aclkey=""
	mkdir -p "$kdir/db"
	cp "$zone" "$kdir/root.zone"
	if [[ -n "$secret" ]]; then
		keyconf=$'key:\n  - id: xfer-key\n    algorithm: hmac-sha256\n    secret: '"$secret"
		aclkey=$'\n    key: xfer-key'
	fi
	cat >"$kdir/knot.conf" <<EOF
server:
    rundir: "$kdir"
    user: root:root
    pidfile: "$kdir/knot.pid"
    listen: 127.0.0.1@5300
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: stderr
    any: info
database:
    storage: "$kdir/db"
control:
    listen: "$kdir/knot.sock"
$keyconf
acl:
  - id: transfer
    address: 127.0.0.0/8$aclkey
    action: transfer
template:
  - id: default
    storage: "$kdir"
    file: "$kdir/root.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    dnssec-signing: off
    semantic-checks: off
zone:
  - domain: "."
    acl: transfer
EOF
	knotc -c "$kdir/knot.conf" conf-check >/dev/null || _rx_abort "knotc conf-check failed"
	bg_start knot ip netns exec "$NS_SRV" knotd -c "$kdir/knot.conf"
	KPID=$BG_PID
	wait_until 10 ip netns exec "$NS_SRV" dig +short +norec -p 5300 @127.0.0.1 . SOA ||
		_rx_abort "knotd does not answer ($(tail -3 "$RX_TMP/knot.log"))"
}
