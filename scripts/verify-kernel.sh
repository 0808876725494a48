#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# verify-kernel.sh - does Debian 12's own kernel (6.1) accept rootxdp.bpf.o?
#
#   scripts/verify-kernel.sh            (make verify-6.1)
#
# Our machines run a newer kernel whose verifier accepts more than the one
# operators run.  This script boots Debian 12's current linux-image-6.1
# package under qemu (software emulation, no KVM needed) with a throw-away
# initramfs whose /init is tests/kernel/verify_kernel.c, linked statically:
# it loads both programs of $O/bpf/rootxdp.bpf.o (verifier statistics, or
# the tail of the verifier log for a program the kernel refuses), fills the
# zone maps from an image of build/zones with loader/zone_maps.c and sends
# a few queries through both programs with BPF_PROG_TEST_RUN; attaches the
# XDP program natively to a virtio-net NIC (qemu user networking, a host
# UDP port forwarded to its port 53), where this script's dig queries must
# be answered correctly by the XDP program (xdp answered = queries sent,
# pass_no_room = 0); then it runs the whole packet suite (tests/xdp/test_xdp,
# relinked statically) there, and tests/kernel/multiprog_kernel.c: rootxdp
# beside a counter in libxdp's dispatcher, in both run orders (xdp-mode
# multiprog needs a kernel that accepts freplace programs, which our
# sandboxed hosts do not).
#
# Nothing is installed on the host but qemu-system-x86 and cpio (with
# apt-get, if missing); the kernel package is only downloaded and unpacked
# under $O/kernel-6.1/root/ (/boot and the eight virtio-net modules, ~12 MB;
# kept there, so a rerun downloads nothing: delete that directory to fetch
# a newer package).  The VM's network is qemu's user mode on 198.51.100.0/24,
# IPv4 only; the host reaches it only through 127.0.0.1:$RX_VERIFY_PORT (UDP,
# to the VM's port 53) and the next port (to its port 5353, the "done"
# message).  Not restrict=on: libslirp then drops every UDP frame from the
# guest, the answers to forwarded queries too; the guest has no route and
# no resolver, and sends nothing but those answers and ARP.  Exit status: 0 PASS, 1 FAIL, 2 no verdict (the VM
# did not finish, see $O/kernel-6.1/serial.log), 3 setup failed.
#
# Environment:
#   O                      build directory (default build)
#   RX_KERNEL_PKG          kernel package (default: what Debian 12's
#                          linux-image-amd64 depends on, e.g.
#                          linux-image-6.1.0-56-amd64)
#   RX_VERIFY_TIMEOUT      seconds the VM may run (default 900)
#   RX_BPF_OBJ             object to check instead of $O/bpf/rootxdp.bpf.o
#                          (e.g. a candidate fix built elsewhere)
#   RX_ZONE_DIR            test zone (default build/zones, made by
#                          tests/zones/mkzone.sh if absent)
#   RX_VERIFY_PORT         host UDP port forwarded to the VM's port 53
#                          (default 20000 + PID % 20000; +1 for "done")
set -euo pipefail

prog=verify-kernel.sh
cd "$(dirname "$0")/.."
O=${O:-build}
W=$O/kernel-6.1
TIMEOUT=${RX_VERIFY_TIMEOUT:-900}
start=$(date +%s)

say() { printf '%s: %s\n' "$prog" "$*"; }
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 3; }

# ---- host tools (qemu and cpio are not test dependencies: install here) ----
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v cpio >/dev/null || need+=(cpio)
if ((${#need[@]})); then
	say "installing ${need[*]} (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
		{ apt-get update >/dev/null 2>&1 &&
		  apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; } ||
		die "cannot install ${need[*]} with apt-get"
fi
command -v dig >/dev/null || die "dig not found (make deps: bind9-dnsutils)"
for lib in libbpf.a libxdp.a libelf.a libz.a libcrypto.a; do
	f=$(gcc -print-file-name="$lib")	# the bare name when not found
	if [ "${f#/}" = "$f" ] || [ ! -f "$f" ]; then
		die "$lib missing: static linking needs libbpf-dev, libxdp-dev, libelf-dev, zlib1g-dev, libssl-dev (make deps)"
	fi
done

# ---- what the VM needs from the tree ----
make -s O="$O" "$O/bpf/rootxdp.bpf.o" "$O/rootxdp-compile" >/dev/null ||
	die "make $O/bpf/rootxdp.bpf.o $O/rootxdp-compile failed"
# The packet suite (tests/xdp) runs in the VM too, relinked statically from
# the objects make built; it tests the object inside its skeleton, so not
# with RX_BPF_OBJ.
suite=1
if [ -n "${RX_BPF_OBJ:-}" ]; then
	suite=0
	say "RX_BPF_OBJ set: checking $RX_BPF_OBJ, without the packet suite"
elif ! make -s O="$O" "$O/tests/xdp/test_xdp" >/dev/null; then
	suite=0
	say "cannot build $O/tests/xdp/test_xdp: the packet suite will not run in the VM"
fi
ZONES=${RX_ZONE_DIR:-build/zones}
if [ ! -r "$ZONES/root.zone" ]; then
	say "generating the test zone in $ZONES (tests/zones/mkzone.sh)"
	tests/zones/mkzone.sh --out "$ZONES" >/dev/null || die "tests/zones/mkzone.sh failed"
fi
mkdir -p "$W"
"$O/rootxdp-compile" --trust-anchor "$ZONES/trust-anchor.ds" -o "$W/root.img" \
	"$ZONES/root.zone" >/dev/null || die "rootxdp-compile failed on $ZONES/root.zone"

# ---- the kernel: Debian 12's package, downloaded and unpacked, not installed ----
pkg=${RX_KERNEL_PKG:-}
if [ -z "$pkg" ]; then
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	      sed -n 's/^ *Depends: \(linux-image-6\.1\.[0-9.-]*-amd64\(-unsigned\)\{0,1\}\)$/\1/p' |
	      head -n1)
	if [ -z "$pkg" ]; then
		apt-get update >/dev/null 2>&1 || true
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		      sed -n 's/^ *Depends: \(linux-image-6\.1\.[0-9.-]*-amd64\(-unsigned\)\{0,1\}\)$/\1/p' |
		      head -n1)
	fi
	[ -n "$pkg" ] || die "cannot find Debian 12's linux-image-6.1 package (apt-cache depends linux-image-amd64)"
fi
kver=${pkg#linux-image-}
kver=${kver%-unsigned}
vmlinuz=$W/root/boot/vmlinuz-$kver
# The virtio-net driver and what it needs (modules in Debian's kernel).
VNET_MODS=(kernel/net/core/failover.ko kernel/drivers/net/net_failover.ko
	   kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
	   kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio_pci_legacy_dev.ko
	   kernel/drivers/virtio/virtio_pci.ko kernel/drivers/net/virtio_net.ko)
have_mods=1
for m in "${VNET_MODS[@]}"; do
	[ -r "$W/root/lib/modules/$kver/$m" ] || have_mods=0
done
if [ ! -r "$vmlinuz" ] || ((!have_mods)); then
	say "downloading $pkg"
	rm -rf "$W/deb" "$W/root"
	mkdir -p "$W/deb"
	# _apt cannot write into build/: fetch as root into a dir it may read.
	(cd "$W/deb" && apt-get download "$pkg" >/dev/null 2>&1) ||
		{ apt-get update >/dev/null 2>&1 && (cd "$W/deb" && apt-get download "$pkg" >/dev/null 2>&1); } ||
		die "apt-get download $pkg failed"
	# Only /boot (vmlinuz, config) and virtio-net: the other modules are
	# 400 MB we do not need.
	mkdir -p "$W/root"
	dpkg-deb --fsys-tarfile "$W"/deb/"$pkg"_*.deb |
		tar -xf - -C "$W/root" --wildcards './boot/*' "${VNET_MODS[@]/#/./lib/modules/$kver/}" ||
		die "cannot unpack /boot and the virtio-net modules of $pkg"
	rm -rf "$W/deb"
	[ -r "$vmlinuz" ] || die "$pkg holds no /boot/vmlinuz-$kver"
fi

# ---- the initramfs: /init = static verify_kernel, the object, the image ----
CFLAGS_VK=(-std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE
	   -DRX_VERSION='"verify-kernel"' -Ibpf -Icommon -Iloader -Itests/xdp)
gcc "${CFLAGS_VK[@]}" tests/kernel/verify_kernel.c common/*.c loader/zone_maps.c tests/xdp/pkt.c \
	-static -lbpf -lelf -lz -lldns -lssl -lcrypto -lpthread -o "$W/verify_kernel" 2>"$W/link.log" ||
	{ cat "$W/link.log" >&2; die "cannot build the static tests/kernel/verify_kernel"; }
rm -rf "$W/initramfs"
mkdir -p "$W/initramfs/rootxdp" "$W/initramfs/dev"
objs() { local f; for f in "$@"; do case $f in */main.c) ;; *) echo "$O/${f%.c}.o" ;; esac; done; }
STATIC_LIBS=(-static -lxdp -lbpf -lelf -lz -lldns -lssl -lcrypto -lpthread -lm)	# glibc's dlopen warnings: harmless
# The daemon's library brings dnstap: its generated code and two more libraries.
FB_EXTRA=()
[[ -f fallback/dnstap.proto ]] && FB_EXTRA=("$O/fallback/dnstap.pb-c.o" -lfstrm -lprotobuf-c)
if ((suite)); then
	# Object lists as the Makefile's: common/, the loader and daemon
	# libraries (every .c but main.c), the zone compiler's.
	# shellcheck disable=SC2046
	if gcc $(objs tests/xdp/*.c loader/*.c fallback/*.c common/*.c) "${FB_EXTRA[@]}" "${STATIC_LIBS[@]}" \
		-o "$W/initramfs/rootxdp/test_xdp" 2>"$W/link.log" &&
	   gcc "$O/zone-compiler/main.o" $(objs zone-compiler/*.c common/*.c) "${STATIC_LIBS[@]}" \
		-o "$W/initramfs/rootxdp/rootxdp-compile" 2>>"$W/link.log"; then
		mkdir -p "$W/initramfs/rootxdp/zones"
		cp "$ZONES/root.zone" "$ZONES/trust-anchor.ds" "$W/initramfs/rootxdp/zones/"
		# xdp-mode multiprog: the loader's libxdp code beside a counter
		# (tests/netns/xdp_count.bpf.c) in libxdp's dispatcher.
		# shellcheck disable=SC2046
		if clang -target bpf -O2 -g -Wall -Werror -Wno-unused-parameter \
			-idirafter "/usr/include/$(gcc -print-multiarch)" \
			-c tests/netns/xdp_count.bpf.c -o "$W/initramfs/rootxdp/xdp_count.bpf.o" &&
		   gcc "${CFLAGS_VK[@]}" -I"$O" tests/kernel/multiprog_kernel.c \
			$(objs loader/*.c common/*.c) "$O/tests/xdp/pkt.o" "${STATIC_LIBS[@]}" \
			-o "$W/initramfs/rootxdp/test_multiprog" 2>>"$W/link.log"; then
			:
		else
			cat "$W/link.log" >&2
			die "cannot build tests/kernel/multiprog_kernel.c (static, with libxdp.a)"
		fi
	else
		say "cannot link the packet suite statically ($W/link.log): it will not run in the VM"
		rm -f "$W/initramfs/rootxdp/test_xdp"
	fi
fi
cp "$W/verify_kernel" "$W/initramfs/init"
cp "${RX_BPF_OBJ:-$O/bpf/rootxdp.bpf.o}" "$W/initramfs/rootxdp/rootxdp.bpf.o"
cp "$W/root.img" "$W/initramfs/rootxdp/"
mkdir -p "$W/initramfs/rootxdp/modules"
for m in "${VNET_MODS[@]}"; do
	cp "$W/root/lib/modules/$kver/$m" "$W/initramfs/rootxdp/modules/"
done
# The kernel opens /dev/console for init before anything is mounted
# (init falls back to devtmpfs when this node is missing: no root).
mknod "$W/initramfs/dev/console" c 5 1 2>/dev/null || true
(cd "$W/initramfs" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$W/initramfs.cpio.gz"

# ---- the host's side of the virtio-net check ----
PORT=${RX_VERIFY_PORT:-$((20000 + $$ % 20000))}
SOA_SERIAL=$(awk '$4 == "SOA" { print $7; exit }' "$ZONES/root.zone")
# A TLD with a delegation, its NS set and the apex DNSKEY count, all read
# from the zone file (the expected answers do not come from rootxdp).
TLD=$(awk '$4 == "NS" && $1 != "." { print $1; exit }' "$ZONES/root.zone")
TLD_NS=$(awk -v t="$TLD" '$1 == t && $4 == "NS" { print tolower($5) }' "$ZONES/root.zone" | sort | tr '\n' ' ')
NKEYS=$(awk '$1 == "." && $4 == "DNSKEY"' "$ZONES/root.zone" | wc -l)
net_fail=0
nq=0
dig_vm() {	# dig_vm ARGS...: one query, one try, through the forwarded port; sets out
	nq=$((nq + 1))
	dig @127.0.0.1 -p "$PORT" +norec +time=20 +tries=1 "$@" >"$W/dig.out" 2>&1
	cat "$W/dig.out" >>"$W/dig.log"
	out=$(cat "$W/dig.out")
}
net_check() {	# net_check DESC COND-RESULT (lines tagged $NET_TAG, default virtio-net)
	local tag=${NET_TAG:-virtio-net}
	if [ "$2" = 1 ]; then say "$tag: ok: $1"; else say "$tag: FAIL: $1"; net_fail=1; fi
}
virtio_queries() {
	local out
	: >"$W/dig.log"
	dig_vm +dnssec +bufsize=1232 . SOA
	net_check ". SOA: NOERROR, AA, serial $SOA_SERIAL (the zone file's)" \
		"$(grep -q 'status: NOERROR' <<<"$out" && grep -q 'flags:.* aa' <<<"$out" &&
		   awk -v s="$SOA_SERIAL" '$4 == "SOA" && $7 == s { f = 1 } END { print f + 0 }' <<<"$out")"
	dig_vm "$TLD" NS
	net_check "$TLD NS: a referral to the zone file's NS set ($TLD_NS)" \
		"$(grep -q 'status: NOERROR' <<<"$out" && ! grep -q 'flags:.* aa' <<<"$out" &&
		   [ "$(awk '/^;; AUTHORITY SECTION/ { a = 1; next } /^;;/ { a = 0 }
			   a && $4 == "NS" { print tolower($5) }' <<<"$out" | sort | tr '\n' ' ')" = "$TLD_NS" ] &&
		   echo 1)"
	dig_vm +dnssec zz--no-such-tld--zz. A
	net_check "zz--no-such-tld--zz. A: NXDOMAIN, AA, NSEC proof" \
		"$(grep -q 'status: NXDOMAIN' <<<"$out" && grep -q 'flags:.* aa' <<<"$out" &&
		   grep -qE '[[:space:]]NSEC[[:space:]]' <<<"$out" && echo 1)"
	dig_vm +dnssec +bufsize=1232 . DNSKEY
	net_check ". DNSKEY DO: the zone file's $NKEYS keys and their RRSIG" \
		"$(grep -q 'status: NOERROR' <<<"$out" &&
		   [ "$(awk '$1 == "." && $4 == "DNSKEY"' <<<"$out" | wc -l)" = "$NKEYS" ] &&
		   grep -qE 'RRSIG[[:space:]]+DNSKEY' <<<"$out" && echo 1)"
}

# ---- boot it ----
say "booting $pkg under qemu (TCG, timeout ${TIMEOUT}s; virtio-net on 127.0.0.1:$PORT)"
set +e
timeout --kill-after=10 "$TIMEOUT" qemu-system-x86_64 -accel tcg -m 1G -smp 1 -nographic \
	-no-reboot -kernel "$vmlinuz" -initrd "$W/initramfs.cpio.gz" \
	-netdev "user,id=n0,ipv6=off,net=198.51.100.0/24,host=198.51.100.2,hostfwd=udp:127.0.0.1:$PORT-198.51.100.15:53,hostfwd=udp:127.0.0.1:$((PORT + 1))-198.51.100.15:5353" \
	-device virtio-net-pci,netdev=n0,romfile= \
	-append 'console=ttyS0 panic=-1 loglevel=4' </dev/null >"$W/serial.log" 2>&1 &
qpid=$!
trap 'kill "$qpid" 2>/dev/null' EXIT
# The VM says when its NIC is ready; then the queries, then "done K".
net_t0=""
while kill -0 "$qpid" 2>/dev/null; do
	if grep -q 'verify: virtio-net: ready' "$W/serial.log" 2>/dev/null; then
		net_t0=$(date +%s)
		virtio_queries
		for _ in 1 2 3 4 5; do	# UDP: again until the VM has it
			printf 'done %d' "$nq" >"/dev/udp/127.0.0.1/$((PORT + 1))"
			sleep 1
			grep -q 'end of virtio-net' "$W/serial.log" && break
		done
		break
	fi
	grep -q 'end of virtio-net' "$W/serial.log" 2>/dev/null && break
	sleep 1
done
[ -n "$net_t0" ] || { say "virtio-net: FAIL: the VM never said its NIC was ready"; net_fail=1; }
# tests/kernel/multiprog_kernel.c: the same queries in two rounds, rootxdp
# first and then second beside a counter in libxdp's dispatcher on the NIC.
# The VM says "multiprog: virtio-net: ready N"; the answers are checked as
# above, tagged "multiprog N".
if [ -x "$W/initramfs/rootxdp/test_multiprog" ]; then
	for round in 1 2; do
		while kill -0 "$qpid" 2>/dev/null &&
		      ! grep -q "multiprog: virtio-net: ready $round" "$W/serial.log" 2>/dev/null; do
			grep -q 'end of test_multiprog' "$W/serial.log" 2>/dev/null && break 2
			sleep 1
		done
		kill -0 "$qpid" 2>/dev/null || break
		nq=0
		NET_TAG="multiprog $round" virtio_queries
		for _ in 1 2 3 4 5; do
			printf 'done %d' "$nq" >"/dev/udp/127.0.0.1/$((PORT + 1))"
			sleep 1
			grep -q "multiprog: virtio-net: round $round done" "$W/serial.log" && break
		done
	done
fi
wait "$qpid"
qrc=$?
trap - EXIT
set -e
tr -d '\r' <"$W/serial.log" >"$W/serial.txt"
# Our lines (the console may glue a terminal escape before the first one)
# and what stands between "verify: ---- X ----" and "verify: ---- end of X"
# (verifier log tails, the packet suite).
awk '/verify: ---- / && !/verify: ---- end of/ { inlog = 1 }
     { i = match($0, /(verify|ROOTXDP-VERIFY|libbpf): /) }
     inlog { print; if ($0 ~ /verify: ---- end of/) inlog = 0; next }
     i { print substr($0, i) }' "$W/serial.txt"
secs=$(($(date +%s) - start))
if grep -qx 'ROOTXDP-VERIFY: PASS' "$W/serial.txt" && ((net_fail)); then
	say "FAIL on $kver (${secs}s): the VM passed but the host's queries over virtio-net did not (see above, $W/dig.log)"
	exit 1
elif grep -qx 'ROOTXDP-VERIFY: PASS' "$W/serial.txt"; then
	say "PASS: both programs load and answer on $kver, XDP native on virtio-net (${secs}s)"
	exit 0
elif grep -qx 'ROOTXDP-VERIFY: FAIL' "$W/serial.txt"; then
	say "FAIL on $kver (${secs}s; full console in $W/serial.txt)"
	exit 1
fi
[ "$qrc" = 124 ] && why="timed out after ${TIMEOUT}s" || why="qemu exited $qrc"
say "no verdict from the VM: $why; last console lines:"
tail -n 30 "$W/serial.txt"
exit 2
