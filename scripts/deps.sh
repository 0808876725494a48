#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# deps.sh - install the Debian 12 packages rootxdp needs to build and test.
#
#   scripts/deps.sh            build + test packages (make test, make run)
#   scripts/deps.sh bench      the same plus the benchmark tools (make bench)
#
# Quiet and fast when everything is installed (one dpkg-query, no apt).
# Otherwise prints one line naming what is missing and installs it with
# apt-get (running `apt-get update` at most once).  The test peers NSD and
# Knot DNS, and BIRD (the anycast test), are installed with service start-up
# denied (policy-rc.d) and are then disabled, so installing them leaves no
# DNS or routing service enabled or running.
set -euo pipefail

prog=deps.sh

PKGS=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libldns-dev
      ldnsutils dnsutils knot-dnsutils iproute2 ethtool pkg-config make gcc
      libc6-dev libssl-dev python3 python3-pytest python3-dnspython
      dns-root-data nsd knot curl man-db libclang-rt-14-dev
      iputils-ping procps util-linux qemu-system-x86 cpio bird2 bind9
      # rootxdpd's dnstap: Frame Streams, protobuf-c and its compiler;
      # dnstap-read (bind9-dnsutils) and fstrm_capture read it in the tests
      libfstrm-dev libprotobuf-c-dev protobuf-c-compiler bind9-dnsutils fstrm-bin
      # `rootxdp stats --prometheus` checked by promtool (Debian 12 ships it
      # only in prometheus: 19 MB download, 96 MB installed; the server is
      # disabled below) and parsed by the reference Python client
      prometheus python3-prometheus-client
      # make deb and tests/host/test_deb.sh: build, lint and verify the package
      debhelper dpkg-dev lintian git systemd
      # RSSAC002: test_rssac.sh parses the YAML files rootxdp writes
      python3-yaml

      # xdp-mode multiprog: libxdp's dispatcher; xdp-loader in its test
      libxdp-dev xdp-tools)
BENCH_PKGS=(dnsperf)
# Packages that ship a service unit we must not leave enabled, as
# PACKAGE:UNIT: the DNS test peers (BIND is the cookie oracle), BIRD
# (the anycast test runs its own), and Prometheus (only its promtool is used).
SERVICES=(nsd:nsd knot:knot bind9:named bird2:bird prometheus:prometheus)

for arg in "$@"; do
	case "$arg" in
	bench) PKGS+=("${BENCH_PKGS[@]}") ;;
	-h|--help) sed -n '4,14s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "$prog: unknown argument '$arg' (expected: bench)" >&2; exit 2 ;;
	esac
done

# One dpkg-query for all packages; a package that is absent, removed
# ("deinstall ok config-files") or half-installed counts as missing.
missing=()
declare -A state=()
while IFS=' ' read -r name status; do
	state["${name%%:*}"]=$status
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${PKGS[@]}" 2>/dev/null || true)
for p in "${PKGS[@]}"; do
	[[ "${state[$p]:-}" == "install ok installed" ]] || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) -ne 0 ]]; then
	echo "$prog: missing packages: ${missing[*]}; run this as root (make test/run/bench do), or install them: apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "$prog: installing missing packages: ${missing[*]}"

# Deny service start-up while we install (invoke-rc.d honours policy-rc.d
# exit 101).  An existing policy-rc.d is put back exactly as it was.
POLICY=/usr/sbin/policy-rc.d
SAVED=""
CREATED=0
restore_policy() {
	if ((CREATED)); then
		rm -f "$POLICY"
		[[ -n "$SAVED" ]] && mv -f "$SAVED" "$POLICY"
	fi
	return 0
}
trap restore_policy EXIT
trap 'restore_policy; exit 130' INT
trap 'restore_policy; exit 143' TERM
if ! [[ -e "$POLICY" ]] || [[ "$(tail -n1 "$POLICY" 2>/dev/null)" != "exit 101" ]]; then
	if [[ -e "$POLICY" ]]; then
		SAVED="$POLICY.rootxdp-saved.$$"
		mv -f "$POLICY" "$SAVED"
	fi
	CREATED=1
	printf '#!/bin/sh\n# temporary, from rootxdp scripts/deps.sh\nexit 101\n' > "$POLICY"
	chmod 755 "$POLICY"
fi

export DEBIAN_FRONTEND=noninteractive
APT_INSTALL=(apt-get install -y -q --no-install-recommends
	     -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

# Which service packages are we about to install (only those we disable).
new_services=()
for s in "${SERVICES[@]}"; do
	for m in "${missing[@]}"; do
		[[ "$m" == "${s%%:*}" ]] && new_services+=("${s#*:}")
	done
done

# `apt-get update` once: first when the package lists are absent or older
# than a day, else only if the install fails (stale lists).
lists_fresh() {
	local f
	f=$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n1)
	[[ -n "$f" ]]
}
updated=0
if ! lists_fresh; then
	apt-get update -q >/dev/null
	updated=1
fi
if ! "${APT_INSTALL[@]}" "${missing[@]}" >/tmp/rootxdp-deps.$$.log 2>&1; then
	if ((updated)); then
		cat /tmp/rootxdp-deps.$$.log >&2
		rm -f /tmp/rootxdp-deps.$$.log
		echo "$prog: apt-get install failed for: ${missing[*]}" >&2
		exit 1
	fi
	apt-get update -q >/dev/null
	if ! "${APT_INSTALL[@]}" "${missing[@]}" >/tmp/rootxdp-deps.$$.log 2>&1; then
		cat /tmp/rootxdp-deps.$$.log >&2
		rm -f /tmp/rootxdp-deps.$$.log
		echo "$prog: apt-get install failed for: ${missing[*]}" >&2
		exit 1
	fi
fi
rm -f /tmp/rootxdp-deps.$$.log

# The packages' postinst enabled their units (systemd links and SysV rc
# links); the tests start their own instances, so disable those we just
# installed.  `systemctl disable` works offline too (systemd not PID 1);
# --now only where systemd runs.  Services the user had before are theirs.
if ((${#new_services[@]})); then
	units=("${new_services[@]/%/.service}")
	if [[ -d /run/systemd/system ]]; then
		systemctl disable --now -q "${units[@]}" >/dev/null 2>&1 || true
	elif command -v systemctl >/dev/null 2>&1; then
		systemctl disable -q "${units[@]}" >/dev/null 2>&1 || true
	fi
	for s in "${new_services[@]}"; do
		rm -f "/etc/systemd/system/multi-user.target.wants/$s.service"
		if [[ -x "/etc/init.d/$s" ]] && command -v update-rc.d >/dev/null 2>&1; then
			update-rc.d "$s" disable >/dev/null 2>&1 || true
		fi
	done
fi

# Check that it worked: the same query as above.
still=()
for p in "${missing[@]}"; do
	[[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" == "install ok installed" ]] || still+=("$p")
done
if ((${#still[@]})); then
	echo "$prog: still missing after apt-get install: ${still[*]}" >&2
	exit 1
fi
exit 0
