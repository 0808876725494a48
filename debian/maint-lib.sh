# shellcheck shell=sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# maint-lib.sh - sourced by rootxdp's postinst and prerm, installed as
# /usr/share/rootxdp/maint-lib.sh.

# rx_ifaces < STATUS_JSON: the interfaces in `rootxdp status --json`, one
# "NAME|MODE|NETNS" a line (MODE native, generic or unknown; NETNS empty
# for the initial namespace).  Interfaces that are gone (ifindex 0) are
# left out.  Interface and namespace names hold no quotes and no blanks.
rx_ifaces() {
	sed -e 's/.*"interfaces":\[//' -e 's/\],"zone":.*//' -e 's/},{/}\n{/g' |
		sed -n 's/^{"name":"\([^"]*\)","mode":"\([a-z]*\)","ifindex":\([0-9]*\),"netns":"\([^"]*\)".*/\3|\1|\2|\4/p' |
		awk -F'|' '$1 != 0 { print $2 "|" $3 "|" $4 }'
}

# rx_drop_clsact NAME NETNS: remove the clsact qdisc of interface NAME
# when no filter is left on it.  `rootxdp detach` keeps the qdisc (other
# filters may use it, see rootxdp(8)); on package removal an empty one is
# what rootxdp's attach created, or at least does nothing.
rx_drop_clsact() {
	command -v tc >/dev/null || return 0
	tc ${2:+-n "$2"} qdisc show dev "$1" 2>/dev/null | grep -q '^qdisc clsact ' || return 0
	[ -z "$(tc ${2:+-n "$2"} filter show dev "$1" ingress 2>/dev/null)" ] || return 0
	[ -z "$(tc ${2:+-n "$2"} filter show dev "$1" egress 2>/dev/null)" ] || return 0
	tc ${2:+-n "$2"} qdisc del dev "$1" clsact
}

# rx_pin_root < STATUS_JSON: the pin root in `rootxdp status --json`, or
# nothing when it holds a quote or a backslash (then the configuration's).
rx_pin_root() {
	sed -n 's/^{"pin_root":"\([^"\\]*\)",.*/\1/p'
}
