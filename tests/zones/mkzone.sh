#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# mkzone.sh - generate a signed root-like test zone, its content
# deterministic from a seed.
#
#   tests/zones/mkzone.sh --out DIR [--seed N] [--tlds N] [--serial N]
#                         [--inception YYYYMMDD[hhmmss]]
#                         [--expiration YYYYMMDD[hhmmss]] [--keys DIR]
#
#   --out DIR          output directory (created)
#   --seed N           content seed (default 1)
#   --tlds N           number of TLDs, >= 20 (default 300)
#   --serial N         SOA serial (default 2026010100)
#   --inception T      RRSIG inception  (default 20260101000000)
#   --expiration T     RRSIG expiration (default 20360101000000)
#   --keys DIR         reuse the KSK/ZSK in DIR (K.+008+*.key/.private)
#                      instead of generating new ones; use it to build an
#                      older and a newer zone signed with the same keys.
#
# Writes in DIR:
#   root.unsigned.zone   the generated content (no DNSSEC records)
#   root.zone            signed (RSASHA256, NSEC) with ZONEMD SIMPLE SHA-384,
#                        verified with ldns-verify-zone before it is kept
#   trust-anchor.key     the KSK's DNSKEY;   trust-anchor.ds  its DS (SHA-256)
#   K.+008+*.key/.private  the KSK (flags 257) and the ZSK (flags 256)
#
# Determinism: root.unsigned.zone depends only on --seed, --tlds and
# --serial.  New keys are random on every run, so the DNSKEYs, RRSIGs and
# ZONEMD of root.zone differ between runs; with --keys the whole signed
# zone is reproducible (RSA PKCS#1 v1.5 signatures are deterministic).
#
# Content (like the real root): apex SOA a.root-servers.net.
# nstld.verisign-grs.com. 1800 900 604800 86400 (TTL 86400), apex NS
# a..m.root-servers.net (TTL 518400) with A/AAAA glue under net (sibling),
# DNSKEY TTL 172800; TLD NS and glue TTL 172800, DS TTL 86400.  Names:
#   com            13 NS a..m.gtld-servers.net, all glue sibling glue
#                  (no EDNS: 485 bytes with glue cut, no TC)
#   net            13 NS a..m.gtld-servers.net, in-domain glue A+AAAA whose
#                  572 bytes alone exceed 512: RFC 9471 TC=1 without EDNS
#   org, info      mixed in-domain and sibling glue
#   arpa           12 root servers as NS (sibling glue)
#   manysiblingns  13 NS with long names under com/org (sibling glue only;
#                  1298 bytes in full with DO)
#   manyinzonens   13 NS with long names, in-domain A+AAAA glue, 2 DS: the
#                  required part exceeds 512, and with DO even 1232 (TC=1)
#   noglue         NS names under other TLDs, no glue in the zone
#   unsignedtld    unsigned (no DS: NSEC with DO), in-domain glue
#   a 63-letter TLD (max label length)
#   (Sizes measured for "www.TLD. A" with NSD 4.6 / Knot 3.2 serving it;
#   NSD 4.6 does not set TC for missing in-domain glue, Knot 3.2 does.)
# and the rest random: 2..20 letters, some xn--, some with digits, 2..8 NS
# each: in-domain glue, sibling glue from a shared pool, or out-of-bailiwick
# names without glue.  About 70% have a DS (digest type 2), 30% are
# unsigned.  Glue addresses only in 198.51.100.0/24, 203.0.113.0/24 and
# 2001:db8::/32.
set -euo pipefail

prog=mkzone.sh
usage() { sed -n '7,18s/^# \{0,1\}//p' "$0" >&2; exit 2; }
die() { echo "$prog: $*" >&2; exit 1; }

out="" seed=1 tlds=300 serial=2026010100
inception=20260101000000 expiration=20360101000000 keys=""
while (($#)); do
	case "$1" in
	--out) out=${2:?}; shift 2 ;;
	--seed) seed=${2:?}; shift 2 ;;
	--tlds) tlds=${2:?}; shift 2 ;;
	--serial) serial=${2:?}; shift 2 ;;
	--inception) inception=${2:?}; shift 2 ;;
	--expiration) expiration=${2:?}; shift 2 ;;
	--keys) keys=${2:?}; shift 2 ;;
	-h|--help) usage ;;
	*) echo "$prog: unknown argument '$1'" >&2; usage ;;
	esac
done
[[ -n "$out" ]] || usage
[[ "$seed" =~ ^[0-9]+$ ]] || die "--seed must be a number"
[[ "$tlds" =~ ^[0-9]+$ ]] && ((tlds >= 20)) || die "--tlds must be a number >= 20"
[[ "$serial" =~ ^[0-9]+$ ]] && ((serial < 4294967296)) || die "--serial must be a 32-bit number"
# ldns accepts YYYYMMDD[hhmmss]; pad to 14 digits so they compare as strings.
for v in inception expiration; do
	[[ "${!v}" =~ ^[0-9]{8}([0-9]{6})?$ ]] || die "--$v must be YYYYMMDD[hhmmss]"
done
if [[ ${#inception} -eq 8 ]]; then inception+=000000; fi
if [[ ${#expiration} -eq 8 ]]; then expiration+=000000; fi
[[ "$inception" < "$expiration" ]] || die "--inception must be before --expiration"
for t in ldns-keygen ldns-signzone ldns-key2ds ldns-verify-zone; do
	command -v "$t" >/dev/null || die "$t not found (apt-get install ldnsutils, or scripts/deps.sh)"
done

mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d "$out/.mkzone.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# ---- 1. the content, from the seed ----
/usr/bin/python3 - "$seed" "$tlds" "$serial" > "$tmp/root.unsigned.zone" <<'PYEOF'
import random
import sys

seed, ntlds, serial = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
# A str seed is hashed with SHA-512 (random.seed version 2): stable across
# runs and Python versions, unlike hash().
rng = random.Random("rootxdp-mkzone-%d" % seed)

NS_TTL, DS_TTL, GLUE_TTL = 172800, 86400, 172800
ROOT_NS_TTL = 518400
LETTERS = "abcdefghijklmnopqrstuvwxyz"
ALNUM = LETTERS + "0123456789"

rrs = {}        # (owner, type, rdata) -> ttl, deduplicated
def rr(owner, ttl, rtype, rdata):
    rrs.setdefault((owner, rtype, rdata), ttl)

used4 = set()
def addr4():
    # 198.51.100.1..15 are left to the test fixtures' own interfaces.
    while True:
        if rng.random() < 0.5:
            a = "203.0.113.%d" % rng.randint(1, 254)
        else:
            a = "198.51.100.%d" % rng.randint(16, 199)
        if a not in used4 or len(used4) > 400:
            used4.add(a)
            return a

def addr6():
    return "2001:db8:%x:%x::%x" % (rng.randint(0x100, 0xffff),
                                   rng.randint(0, 0xffff),
                                   rng.randint(1, 0xffff))

def glue(host, aaaa=True, n4=1, n6=1):
    for _ in range(n4):
        rr(host, GLUE_TTL, "A", addr4())
    if aaaa:
        for _ in range(n6):
            rr(host, GLUE_TTL, "AAAA", addr6())

def ds(tld, nds=None):
    if nds is None:
        nds = 2 if rng.random() < 0.15 else 1
    for _ in range(nds):
        alg = rng.choice([8, 8, 13, 13, 13, 15])
        digest = "%064x" % rng.getrandbits(256)
        rr(tld, DS_TTL, "DS", "%d %d 2 %s" % (rng.randint(1, 65535), alg, digest.upper()))

def deleg(tld, hosts):
    for h in hosts:
        rr(tld, NS_TTL, "NS", h)

# ---- apex ----
rr(".", 86400, "SOA", "a.root-servers.net. nstld.verisign-grs.com. %d 1800 900 604800 86400" % serial)
root_letters = "abcdefghijklm"
for i, c in enumerate(root_letters):
    h = "%s.root-servers.net." % c
    rr(".", ROOT_NS_TTL, "NS", h)
    rr(h, ROOT_NS_TTL, "A", "198.51.100.%d" % (200 + i + 1))
    rr(h, ROOT_NS_TTL, "AAAA", "2001:db8:53::%x" % (i + 1))

# ---- special TLDs (names documented in mkzone.sh) ----
special = {}
long63 = "".join(rng.choice(LETTERS) for _ in range(63))
specials = ["com", "net", "org", "info", "arpa", "manysiblingns",
            "manyinzonens", "noglue", "unsignedtld", long63]

# com and net share a..m.gtld-servers.net (glue in-domain for net, sibling for com)
gtld = ["%s.gtld-servers.net." % c for c in root_letters]
for h in gtld:
    glue(h)
deleg("com.", gtld); ds("com.", 1)
deleg("net.", gtld); ds("net.", 1)
# org: a0/a2/c0 under info (sibling), b0/b2/d0 under org (in-domain)
org_ns = ["a0.org.afilias-nst.info.", "a2.org.afilias-nst.info.",
          "b0.org.afilias-nst.org.", "b2.org.afilias-nst.org.",
          "c0.org.afilias-nst.info.", "d0.org.afilias-nst.org."]
for h in org_ns:
    glue(h)
deleg("org.", org_ns); ds("org.", 1)
info_ns = ["a0.info.afilias-nst.info.", "b0.info.afilias-nst.org.",
           "c0.info.afilias-nst.info.", "d0.info.afilias-nst.org."]
for h in info_ns:
    glue(h)
deleg("info.", info_ns); ds("info.", 1)
deleg("arpa.", ["%s.root-servers.net." % c for c in "abcdefghiklm"]); ds("arpa.", 1)
many_sib = ["ns%02d.a-rather-long-nameserver-hostname-for-testing.%s." %
            (i, "com" if i % 2 else "org") for i in range(1, 14)]
for h in many_sib:
    glue(h)
deleg("manysiblingns.", many_sib); ds("manysiblingns.", 1)
many_in = ["nameserver-%s.infrastructure-of-the-registry.manyinzonens." % w for w in
           ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
            "hotel", "india", "juliett", "kilo", "lima", "mike"]]
for h in many_in:
    glue(h)
deleg("manyinzonens.", many_in); ds("manyinzonens.", 2)
deleg("noglue.", ["ns1.noglue-dns-provider.com.", "ns2.noglue-dns-provider.org.",
                  "ns3.noglue-dns-provider.net."]); ds("noglue.", 1)
unsigned_ns = ["ns1.unsignedtld.", "ns2.unsignedtld."]
for h in unsigned_ns:
    glue(h)
deleg("unsignedtld.", unsigned_ns)
deleg(long63 + ".", ["ns1.%s." % long63, "ns2.example-dns.net."])
glue("ns1.%s." % long63); glue("ns2.example-dns.net.", aaaa=False)
ds(long63 + ".", 1)

# ---- random TLDs ----
def random_label():
    r = rng.random()
    if r < 0.10:
        return "xn--" + "".join(rng.choice(ALNUM) for _ in range(rng.randint(4, 16)))
    if r < 0.20:
        n = rng.randint(3, 10)
        s = rng.choice(LETTERS) + "".join(rng.choice(ALNUM) for _ in range(n - 1))
        return s if any(ch.isdigit() for ch in s) else s[:-1] + str(rng.randint(0, 9))
    r = rng.random()
    n = 2 if r < 0.30 else rng.randint(3, 6) if r < 0.70 else rng.randint(7, 20)
    return "".join(rng.choice(LETTERS) for _ in range(n))

names = set(specials)
randoms = []
while len(names) < ntlds:
    l = random_label()
    if l not in names:
        names.add(l)
        randoms.append(l)
all_tlds = specials + randoms

# A pool of shared "DNS provider" hosts under TLDs of the zone, with glue:
# sibling glue for every TLD that uses them from another TLD.
pool = []
for i in range(40):
    parent = rng.choice(all_tlds[:4] + randoms)
    host = "%s%d.%s.%s." % (rng.choice(["ns", "dns", "a", "b", "x"]), i,
                            rng.choice(["dns-provider", "hosting-ns", "registry-ops", "anycast"]),
                            parent)
    pool.append(host)
    glue(host, aaaa=rng.random() < 0.7)

for tld in randoms:
    owner = tld + "."
    k = rng.randint(2, 8)
    mode = rng.random()
    hosts = []
    pat = rng.choice(["ns%d.%s", "ns%d.nic.%s", "dns%d.%s", "%s.dns.%s"])
    for i in range(1, k + 1):
        kind = ("in" if mode < 0.45 else "sib" if mode < 0.70 else
                rng.choice(["in", "sib"]) if mode < 0.85 else "out")
        if kind == "in":
            h = (pat % (LETTERS[i - 1], owner) if pat.startswith("%s") else pat % (i, owner))
            glue(h, aaaa=rng.random() < 0.8)
        elif kind == "sib":
            h = rng.choice(pool)
            if h in hosts:
                continue
        else:
            # Out of bailiwick without glue: a name under another TLD of
            # the zone for which the zone holds no address.
            h = "ns%d.%s-hosting.%s." % (i, tld[:10].replace("xn--", "xn"),
                                         rng.choice(all_tlds[:4] + randoms))
        hosts.append(h)
    if not hosts:
        hosts = [rng.choice(pool)]
    deleg(owner, hosts)
    if rng.random() < 0.70:
        ds(owner)

# ---- output, in canonical order (RFC 4034 6.1), apex first ----
def canon(owner):
    return [l for l in reversed(owner.rstrip(".").split("."))] if owner != "." else []

ORDER = {"SOA": 0, "NS": 1, "DS": 2, "A": 3, "AAAA": 4}
print("; root-like test zone generated by tests/zones/mkzone.sh")
print("; seed %d, %d TLDs, serial %d; do not edit" % (seed, ntlds, serial))
print("$ORIGIN .")
for (owner, rtype, rdata), ttl in sorted(rrs.items(), key=lambda kv: (canon(kv[0][0]), ORDER[kv[0][1]], kv[0][2])):
    print("%s\t%d\tIN\t%s\t%s" % (owner, ttl, rtype, rdata))
PYEOF

# ---- 2. keys ----
if [[ -n "$keys" ]]; then
	keys=$(cd "$keys" && pwd) || die "--keys: no such directory"
	ksk=$(grep -l -E 'DNSKEY[[:space:]]+257 ' "$keys"/K.+*.key 2>/dev/null | head -n1 || true)
	zsk=$(grep -l -E 'DNSKEY[[:space:]]+256 ' "$keys"/K.+*.key 2>/dev/null | head -n1 || true)
	[[ -n "$ksk" && -n "$zsk" ]] || die "--keys $keys: need a KSK (257) and a ZSK (256) K.+*.key"
	for k in "$ksk" "$zsk"; do
		[[ -f "${k%.key}.private" ]] || die "--keys: ${k%.key}.private missing"
		cp "$k" "${k%.key}.private" "$tmp/"
	done
	ksk=$(basename "${ksk%.key}") zsk=$(basename "${zsk%.key}")
else
	ksk=$(cd "$tmp" && ldns-keygen -a RSASHA256 -b 2048 -k -r /dev/urandom .)
	zsk=$(cd "$tmp" && ldns-keygen -a RSASHA256 -b 2048 -r /dev/urandom .)
	rm -f "$tmp"/K*.ds
	# ldns-keygen writes no TTL; the root's DNSKEY TTL is 172800.
	for k in "$ksk" "$zsk"; do
		sed -i -E 's/^\.[[:space:]]+IN[[:space:]]+DNSKEY/.\t172800\tIN\tDNSKEY/' "$tmp/$k.key"
	done
fi

# ---- 3. sign (NSEC), ZONEMD SIMPLE SHA-384 over the signed zone ----
(cd "$tmp" && ldns-signzone -o . -i "$inception" -e "$expiration" \
	-z simple:sha384 -f root.zone root.unsigned.zone "$zsk" "$ksk") ||
	die "ldns-signzone failed"
cp "$tmp/$ksk.key" "$tmp/trust-anchor.key"
(cd "$tmp" && ldns-key2ds -n -2 "$ksk.key") > "$tmp/trust-anchor.ds" || die "ldns-key2ds failed"

# ---- 4. verify: signatures against the KSK, NSEC chain, ZONEMD ----
# Validate at "now" if it lies inside the window, else just after inception.
now=$(date -u +%Y%m%d%H%M%S)
at=()
if ! [[ "$now" > "$inception" && "$now" < "$expiration" ]]; then
	at=(-t "$inception")
fi
if ! ldns-verify-zone -ZZ -V 1 -k "$tmp/trust-anchor.key" "${at[@]}" "$tmp/root.zone" >"$tmp/verify.log" 2>&1; then
	cat "$tmp/verify.log" >&2
	die "ldns-verify-zone rejected the generated zone"
fi

# ---- 5. publish: replace the previous set in DIR ----
if [[ -z "$keys" || "$keys" != "$out" ]]; then
	rm -f "$out"/K.+*.key "$out"/K.+*.private
fi
for f in root.unsigned.zone root.zone trust-anchor.key trust-anchor.ds \
	 "$ksk.key" "$ksk.private" "$zsk.key" "$zsk.private"; do
	mv -f "$tmp/$f" "$out/$f"
done
chmod 600 "$out"/K.+*.private
