#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# test_swap.sh - a zone swap under load loses no query and never mixes two
# zone versions in one answer.
#
# Two images of the same zone, serials N and N+1, signed with the same keys.
# While a client in the client namespace sends a bounded stream of queries
# (one outstanding at a time, 1 s timeout, no retries), `rootxdp load
# --force` alternates the two images SWAPS times.  Queries rotate between
# ". SOA", ". SOA" with DO and a nonexistent TLD with DO (NXDOMAIN: SOA in
# AUTHORITY).  Every query must get exactly one answer, and every answer
# must be one version: its SOA serial is N or N+1, and with DO the RRSIG
# over that SOA validates with the zone's DNSKEY (a SOA from one version
# with the signature of the other would not).
#   tests/netns/test_swap.sh   (root; O= build dir; QUERIES=3000 SWAPS=20
#                               QPS=500, RX_ZONE_DIR= a mkzone.sh output)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

QUERIES=${QUERIES:-3000}
SWAPS=${SWAPS:-20}
QPS=${QPS:-500}
PY=/usr/bin/python3
RX="$O/rootxdp"
RXC="$O/rootxdp-compile"
need_bins "$RX" "$RXC"
if ! "$PY" -c 'import dns.message, dns.dnssec' 2>/dev/null; then
	echo "FAIL   $PY has no dnspython with dns.dnssec (apt-get install python3-dnspython python3-cryptography)"
	echo "0 passed, 1 failed"
	exit 1
fi

ns_setup

zones_ab
zdir=$ZONE_A s1=$SERIAL_A s2=$SERIAL_B
"$RXC" --trust-anchor "$zdir/trust-anchor.ds" -o "$RX_TMP/a.img" "$zdir/root.zone" \
	>"$RX_TMP/compile-a.log" 2>&1 || _rx_abort "rootxdp-compile a failed"
"$RXC" --trust-anchor "$zdir/trust-anchor.ds" -o "$RX_TMP/b.img" "$RX_TMP/zone-b/root.zone" \
	>"$RX_TMP/compile-b.log" 2>&1 || _rx_abort "rootxdp-compile b failed"

CONF=$RX_TMP/rootxdp.conf
# rrl-rate 0: one client under load, the swap is what is tested
printf 'pin-root = %s\nrun-dir = %s\nstate-dir = %s\nrrl-rate = 0\n' "$RX_PIN_DIR" "$RX_TMP/run" "$RX_TMP/state" >"$CONF"
rx() {
	local cmd=$1
	shift
	"$RX" "$cmd" --config "$CONF" "$@"
}
stat_of() { rx stats | awk -v k="$1" '$1 == k { print $2 }'; }

check "attach (serial $s1)" rx attach --netns "$NS_SRV" -i "$DEV_SRV" "$RX_TMP/a.img"

# ---------------------------------------------------------------- the client
cat >"$RX_TMP/client.py" <<'EOF'
# Sequential UDP client: one query in flight, a timeout and no retry, so a
# lost query or answer shows up as a timeout.  Prints one JSON line.
import json, random, socket, sys, time
import dns.dnssec, dns.flags, dns.message, dns.name, dns.rdatatype, dns.rcode

server, count, qps, s1, s2 = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
fam = socket.AF_INET6 if ':' in server else socket.AF_INET
sock = socket.socket(fam, socket.SOCK_DGRAM)
sock.settimeout(1.0)
sock.connect((server, 53))
root = dns.name.root

def ask(qname, qtype, do):
    q = dns.message.make_query(qname, qtype, want_dnssec=do, use_edns=0, payload=1232)
    q.flags &= ~dns.flags.RD
    sock.send(q.to_wire())
    while True:			# skip a stray datagram with another id
        wire = sock.recv(65535)
        r = dns.message.from_wire(wire)
        if r.id == q.id:
            return r

keys = ask(root, 'DNSKEY', True).find_rrset(dns.message.ANSWER, root, 1, dns.rdatatype.DNSKEY)
res = {"sent": 0, "answered": 0, "timeouts": 0, "serials": {}, "bad": 0, "validated": 0,
       "examples": []}
def bad(why):
    res["bad"] += 1
    if len(res["examples"]) < 5:
        res["examples"].append(why)

t0 = time.monotonic()
rnd = random.Random(1)
for i in range(count):
    kind = i % 3
    if kind == 2:
        qname = dns.name.from_text("nx%d-%d" % (rnd.randrange(1 << 30), i))
        qtype, do, section, rcode = 'A', True, dns.message.AUTHORITY, dns.rcode.NXDOMAIN
    else:
        qname, qtype, do, section, rcode = root, 'SOA', kind == 1, dns.message.ANSWER, dns.rcode.NOERROR
    res["sent"] += 1
    try:
        r = ask(qname, qtype, do)
    except socket.timeout:
        res["timeouts"] += 1
        continue
    res["answered"] += 1
    try:
        if r.rcode() != rcode:
            bad("query %d: rcode %s" % (i, dns.rcode.to_text(r.rcode())))
            continue
        soa = r.find_rrset(section, root, 1, dns.rdatatype.SOA)
        serial = soa[0].serial
        res["serials"][str(serial)] = res["serials"].get(str(serial), 0) + 1
        if serial not in (s1, s2):
            bad("query %d: serial %d" % (i, serial))
        if do:
            sig = r.find_rrset(section, root, 1, dns.rdatatype.RRSIG, dns.rdatatype.SOA)
            dns.dnssec.validate(soa, sig, {root: keys})
            res["validated"] += 1
    except Exception as e:
        bad("query %d: %s: %s" % (i, type(e).__name__, e))
    # bounded rate
    ahead = (i + 1) / qps - (time.monotonic() - t0)
    if ahead > 0:
        time.sleep(ahead)
res["seconds"] = round(time.monotonic() - t0, 2)
print(json.dumps(res))
EOF

miss0=$(( $(stat_of xdp.pass_no_zone) + $(stat_of tc.pass_no_zone) ))
bg_start client4 ip netns exec "$NS_CLI" "$PY" "$RX_TMP/client.py" "$IP4_SRV" "$QUERIES" "$QPS" "$s1" "$s2"
c4=$BG_PID
bg_start client6 ip netns exec "$NS_CLI" "$PY" "$RX_TMP/client.py" "$IP6_SRV" "$((QUERIES / 3))" "$((QPS / 3))" "$s1" "$s2"
c6=$BG_PID
sleep 0.3

# ---------------------------------------------------------------- swaps
loads_ok=0 t0=$(date +%s.%N)
for ((i = 0; i < SWAPS; i++)); do
	img=$RX_TMP/b.img
	((i % 2)) && img=$RX_TMP/a.img
	if rx load --force "$img" >>"$RX_TMP/loads.log" 2>&1; then
		loads_ok=$((loads_ok + 1))
	else
		echo "load $i failed:" >>"$RX_TMP/loads.log"
	fi
	sleep 0.05
done
t1=$(date +%s.%N)
expect_eq "$SWAPS loads under load succeed ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s)" \
	"$loads_ok" "$SWAPS"
check "client IPv4 finished" wait_until 60 bash -c "! kill -0 $c4"
check "client IPv6 finished" wait_until 60 bash -c "! kill -0 $c6"
wait "$c4" "$c6" 2>/dev/null

for f in client4 client6; do
	log=$RX_TMP/$f.log
	line=$(tail -n1 "$log")
	echo "# $f: $line"
	read -r sent answered timeouts badn validated _ both < <("$PY" -c '
import json, sys
d = json.loads(sys.argv[1]); s = d["serials"]
print(d["sent"], d["answered"], d["timeouts"], d["bad"], d["validated"], len(s),
      int(all(s.get(k, 0) > 0 for k in sys.argv[2:])))' "$line" "$s1" "$s2" 2>/dev/null ||
		echo "x x x x x x x")
	if [[ "$sent" == x ]]; then
		fail "$f: no result"
		sed 's/^/       | /' "$log" | tail -n 10
		continue
	fi
	expect_eq "$f: every query answered ($answered of $sent)" "$answered" "$sent"
	expect_eq "$f: no timeouts" "$timeouts" 0
	expect_eq "$f: every answer one version (serial $s1 or $s2, DO: RRSIG valid, $validated validated)" "$badn" 0
	expect_eq "$f: answers from both serials" "$both" 1
done
miss1=$(( $(stat_of xdp.pass_no_zone) + $(stat_of tc.pass_no_zone) ))
expect_eq "no query saw an empty slot (pass_no_zone)" "$((miss1 - miss0))" 0
exp=$s2
((SWAPS % 2 == 0)) && exp=$s1
check "live serial after $SWAPS swaps is $exp" bash -c "'$RX' status --config '$CONF' | grep -q 'serial $exp,'"
echo "# answered: xdp $(stat_of xdp.answered), tc $(stat_of tc.answered)"
check "detach" rx detach
check "no pins left" test ! -e "$RX_PIN_DIR"

summary
