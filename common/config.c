// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * config.c - read /etc/rootxdp/rootxdp.conf: "key = value" lines.
 * One table drives parsing and dumping, so a key cannot be documented in
 * one place and forgotten in the other.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "rootxdp.h"

enum kind { K_STR, K_UINT, K_BOOL, K_LIST, K_MODE, K_DURATION, K_HEX128, K_SECRETS };

struct key {
	const char *name;
	enum kind kind;
	size_t off;		/* into struct rx_config */
	size_t size;		/* string/list element size */
	size_t count_off;	/* K_LIST: offset of the int count */
	unsigned min, max;	/* K_UINT, K_DURATION, in the unit stored */
	int list_max;		/* K_LIST: capacity; K_DURATION: 1 = stored in ms */
};

#define OFF(f) offsetof(struct rx_config, f)
#define STR(n, f)	{ n, K_STR, OFF(f), sizeof(((struct rx_config *)0)->f), 0, 0, 0, 0 }
#define UINT(n, f, lo, hi) { n, K_UINT, OFF(f), 0, 0, lo, hi, 0 }
#define BOOL(n, f)	{ n, K_BOOL, OFF(f), 0, 0, 0, 0, 0 }
#define LIST(n, f, cnt)	{ n, K_LIST, OFF(f), sizeof(((struct rx_config *)0)->f[0]), \
			  OFF(cnt), 0, 0, RX_CONF_LIST_MAX }

static const struct key keys[] = {
	LIST("interface", interfaces, ninterfaces),
	{ "xdp-mode", K_MODE, OFF(xdp_mode), 0, 0, 0, 0, 0 },
	UINT("xdp-priority", xdp_priority, 1, 1000),
	STR("pin-root", pin_root),
	LIST("anycast-prefix", anycast_prefix, nanycast_prefix),
	UINT("anycast-table", anycast_table, 1, 4294967295u),
	{ "anycast-interval", K_DURATION, OFF(anycast_interval_ms), 0, 0, 100, 60000, 1 },
	UINT("anycast-rise", anycast_rise, 1, 100),
	UINT("anycast-fall", anycast_fall, 1, 100),
	STR("image", image),
	STR("state-dir", state_dir),
	STR("run-dir", run_dir),
	STR("identity", identity),
	BOOL("nsid", nsid),
	STR("version", version),
	UINT("max-udp-payload", max_udp_payload, 512, 4096),
	LIST("listen", listen, nlisten),
	UINT("port", port, 1, 65535),
	UINT("workers", workers, 0, 256),
	{ "tcp-idle-timeout", K_DURATION, OFF(tcp_idle_timeout_ms), 0, 0, 1, 3600000, 1 },
	UINT("tcp-max-clients", tcp_max_clients, 1, 1000000),
	UINT("tcp-max-per-client", tcp_max_per_client, 1, 100000),
	LIST("axfr-allow", axfr_allow, naxfr_allow),
	LIST("axfr-allow-key", axfr_allow_key, naxfr_allow_key),
	BOOL("minimal-any", minimal_any),
	STR("user", user),
	STR("dnstap", dnstap),
	STR("dnstap-identity", dnstap_identity),
	BOOL("dnstap-log-queries", dnstap_log_queries),
	BOOL("dnstap-log-responses", dnstap_log_responses),
	UINT("dnstap-sample-rate", dnstap_sample_rate, 0, 1000000000),
	UINT("dnstap-ring-size", dnstap_ring_size, 4096, 1073741824),
	BOOL("top-names", top_names),
	STR("zone-source", zone_source),
	STR("zone-source-key", zone_source_key),
	/* a list whose values hold secrets: dumped without them */
	{ "tsig-key", K_SECRETS, OFF(tsig_key), sizeof(((struct rx_config *)0)->tsig_key[0]),
	  OFF(ntsig_key), 0, 0, RX_CONF_LIST_MAX },
	STR("tsig-key-file", tsig_key_file),
	STR("trust-anchor", trust_anchor),
	BOOL("require-zonemd", require_zonemd),
	{ "sig-expire-margin", K_DURATION, OFF(sig_expire_margin_s), 0, 0, 0, 365 * 86400, 0 },
	UINT("rrl-rate", rrl_rate, 0, 1000000),
	UINT("rrl-slip", rrl_slip, 0, 100),
	{ "rrl-window", K_DURATION, OFF(rrl_window_s), 0, 0, 0, 3600, 0 },
	UINT("rrl-ipv4-prefix", rrl_ipv4_prefix, 8, 32),
	UINT("rrl-ipv6-prefix", rrl_ipv6_prefix, 16, 128),
	LIST("rrl-exempt", rrl_exempt, nrrl_exempt),
	BOOL("rrl-log-only", rrl_log_only),
	UINT("rrl-table-size", rrl_table_size, 1024, 16777216),
	{ "cookie-secret", K_HEX128, OFF(cookie_secret), 33, 0, 0, 0, 0 },
	{ "cookie-secret-previous", K_HEX128, OFF(cookie_secret_previous), 33, 0, 0, 0, 0 },
};

void rx_config_defaults(struct rx_config *c)
{
	memset(c, 0, sizeof(*c));
	c->xdp_mode = RX_MODE_AUTO;
	/* libxdp's own default run priority (XDP_DEFAULT_RUN_PRIO): a
	 * filter loaded with a lower one (xdp-filter's is 10) runs first. */
	c->xdp_priority = 50;
	snprintf(c->pin_root, sizeof(c->pin_root), "%s", RX_PIN_ROOT);
	c->anycast_table = RX_ANYCAST_TABLE;
	c->anycast_interval_ms = 1000;
	c->anycast_rise = 5;
	c->anycast_fall = 3;
	snprintf(c->state_dir, sizeof(c->state_dir), "/var/lib/rootxdp");
	snprintf(c->image, sizeof(c->image), "/var/lib/rootxdp/root.img");
	snprintf(c->run_dir, sizeof(c->run_dir), "/run/rootxdp");
	if (gethostname(c->identity, sizeof(c->identity) - 1) != 0)
		c->identity[0] = '\0';
	c->nsid = true;
	c->max_udp_payload = RX_PAYLOAD_DEFAULT;
	snprintf(c->listen[0], sizeof(c->listen[0]), "0.0.0.0");
	snprintf(c->listen[1], sizeof(c->listen[1]), "::");
	c->nlisten = 2;
	c->port = RX_PORT;
	c->tcp_idle_timeout_ms = 10000;	/* RFC 7766 6.2.3: "on the order of seconds" */
	c->tcp_max_clients = 1000;
	c->tcp_max_per_client = 10;
	c->minimal_any = true;
	c->dnstap_log_queries = true;
	c->dnstap_log_responses = true;
	c->dnstap_ring_size = RX_TAP_RING_DEFAULT;
	c->top_names = true;
	snprintf(c->trust_anchor, sizeof(c->trust_anchor), "/usr/share/dns/root.key");
	c->require_zonemd = true;
	c->sig_expire_margin_s = 7 * 86400;
	/* RRL: NSD's default rate and slip; BIND's prefixes but /56 for
	 * IPv6 (one end site); a 5 s window.  rootxdp.conf(5) says why. */
	c->rrl_rate = 200;
	c->rrl_slip = 2;
	c->rrl_window_s = 5;
	c->rrl_ipv4_prefix = 24;
	c->rrl_ipv6_prefix = 56;
	c->rrl_table_size = 65536;
}

int rx_hex16(const char *hex, unsigned char out[16])
{
	for (int i = 0; i < 16; i++) {
		unsigned v = 0;

		for (int k = 0; k < 2; k++) {
			char ch = hex[2 * i + k];

			v <<= 4;
			if (ch >= '0' && ch <= '9')
				v |= ch - '0';
			else if (ch >= 'a' && ch <= 'f')
				v |= ch - 'a' + 10;
			else if (ch >= 'A' && ch <= 'F')
				v |= ch - 'A' + 10;
			else
				return -1;
		}
		out[i] = v;
	}
	return hex[32] ? -1 : 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* "10", "10s", "500ms", "7d", "12h", "30m" -> seconds, or ms when want_ms */
static int parse_duration(const char *v, bool want_ms, unsigned long long *out)
{
	char *end;
	unsigned long long n, ms;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || end == v)
		return -1;
	if (!strcmp(end, "") || !strcmp(end, "s"))
		ms = n * 1000;
	else if (!strcmp(end, "ms"))
		ms = n;
	else if (!strcmp(end, "m"))
		ms = n * 60000;
	else if (!strcmp(end, "h"))
		ms = n * 3600000;
	else if (!strcmp(end, "d"))
		ms = n * 86400000ULL;
	else
		return -1;
	*out = want_ms ? ms : ms / 1000;
	return 0;
}

static int set_key(struct rx_config *c, const struct key *k, char *v, char *err, size_t errlen)
{
	char *base = (char *)c + k->off;
	unsigned long long n;
	char *end, *tok, *save;

	switch (k->kind) {
	case K_STR:
		if (strlen(v) >= k->size) {
			snprintf(err, errlen, "value longer than %zu bytes", k->size - 1);
			return -1;
		}
		memcpy(base, v, strlen(v) + 1);
		return 0;
	case K_UINT:
		errno = 0;
		n = strtoull(v, &end, 10);
		if (errno || end == v || *end || n < k->min || n > k->max) {
			snprintf(err, errlen, "expected a number from %u to %u", k->min, k->max);
			return -1;
		}
		*(unsigned *)base = (unsigned)n;
		return 0;
	case K_DURATION:
		if (parse_duration(v, k->list_max, &n) || n < k->min || n > k->max) {
			snprintf(err, errlen, "expected a duration such as 10s, 500ms, 12h, 7d");
			return -1;
		}
		*(unsigned *)base = (unsigned)n;
		return 0;
	case K_BOOL:
		if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
			*(bool *)base = true;
		else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
			*(bool *)base = false;
		else {
			snprintf(err, errlen, "expected yes or no");
			return -1;
		}
		return 0;
	case K_HEX128: {
		unsigned char b[16];

		if (!*v) {		/* unset: state-dir/cookie-secret */
			*base = '\0';
			return 0;
		}
		if (strlen(v) != 32 || rx_hex16(v, b)) {
			snprintf(err, errlen, "expected 32 hex digits (128 bits), e.g. from "
				 "'head -c16 /dev/urandom | xxd -p'");
			return -1;
		}
		memcpy(base, v, 33);
		return 0;
	}
	case K_MODE:
		if (!strcmp(v, "auto"))
			c->xdp_mode = RX_MODE_AUTO;
		else if (!strcmp(v, "native"))
			c->xdp_mode = RX_MODE_NATIVE;
		else if (!strcmp(v, "generic"))
			c->xdp_mode = RX_MODE_GENERIC;
		else if (!strcmp(v, "multiprog"))
			c->xdp_mode = RX_MODE_MULTIPROG;
		else {
			snprintf(err, errlen, "expected auto, native, generic or multiprog");
			return -1;
		}
		return 0;
	case K_LIST:
	case K_SECRETS: {
		int *count = (int *)((char *)c + k->count_off);

		/* Values are space/comma separated and a list key may repeat:
		 * each occurrence appends (the caller resets the default list
		 * on the first one). */
		for (tok = strtok_r(v, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
			if (*count >= k->list_max) {
				snprintf(err, errlen, "more than %d values", k->list_max);
				return -1;
			}
			if (strlen(tok) >= k->size) {
				snprintf(err, errlen, "value '%s' too long", tok);
				return -1;
			}
			memcpy(base + (size_t)*count * k->size, tok, strlen(tok) + 1);
			(*count)++;
		}
		return 0;
	}
	}
	return -1;
}

int rx_config_load(struct rx_config *c, const char *path, bool must_exist,
		   char *err, size_t errlen)
{
	char line[2048], why[256];
	bool seen[sizeof(keys) / sizeof(keys[0])] = { false };
	FILE *f;
	int lineno = 0;

	f = fopen(path, "r");
	if (!f) {
		if (!must_exist && errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *key, *val, *hash;
		size_t i;

		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		s = trim(line);
		if (!*s)
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected 'key = value'", path, lineno);
			goto fail;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		/* Allow "value" in double quotes, for identity/version with spaces. */
		if (val[0] == '"' && strlen(val) >= 2 && val[strlen(val) - 1] == '"') {
			val[strlen(val) - 1] = '\0';
			val++;
		}
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strcmp(keys[i].name, key))
				break;
		if (i == sizeof(keys) / sizeof(keys[0])) {
			snprintf(err, errlen, "%s:%d: unknown key '%s' (see rootxdp.conf(5))",
				 path, lineno, key);
			goto fail;
		}
		/* Repeating a list key appends; repeating a scalar is a mistake. */
		if (seen[i] && keys[i].kind != K_LIST && keys[i].kind != K_SECRETS) {
			snprintf(err, errlen, "%s:%d: '%s' set twice", path, lineno, key);
			goto fail;
		}
		if (!seen[i] && (keys[i].kind == K_LIST || keys[i].kind == K_SECRETS))
			*(int *)((char *)c + keys[i].count_off) = 0;
		seen[i] = true;
		if (set_key(c, &keys[i], val, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%d: %s: %s", path, lineno, key, why);
			goto fail;
		}
	}
	fclose(f);
	/* A BPF ring buffer is a power of 2 pages (bpf(2) refuses others). */
	if (c->dnstap_ring_size & (c->dnstap_ring_size - 1)) {
		snprintf(err, errlen, "%s: dnstap-ring-size: %u is not a power of 2 (e.g. 4194304)",
			 path, c->dnstap_ring_size);
		return -1;
	}
	return 0;
fail:
	fclose(f);
	return -1;
}

void rx_config_dump(const struct rx_config *c, FILE *f)
{
	static const char *const mode[] = { "auto", "native", "generic", "multiprog" };
	size_t i;
	int j;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];
		const char *base = (const char *)c + k->off;

		fprintf(f, "%s =", k->name);
		switch (k->kind) {
		case K_STR:
			fprintf(f, " %s", base);
			break;
		case K_HEX128:
			/* a secret: say whether it is set, never print it */
			fprintf(f, " %s", *base ? "(set)" : "");
			break;
		case K_UINT:
			fprintf(f, " %u", *(const unsigned *)base);
			break;
		case K_DURATION:
			fprintf(f, " %u%s", *(const unsigned *)base, k->list_max ? "ms" : "s");
			break;
		case K_BOOL:
			fprintf(f, " %s", *(const bool *)base ? "yes" : "no");
			break;
		case K_MODE:
			fprintf(f, " %s", mode[c->xdp_mode]);
			break;
		case K_LIST:
			for (j = 0; j < *(const int *)((const char *)c + k->count_off); j++)
				fprintf(f, " %s", base + (size_t)j * k->size);
			break;
		case K_SECRETS:
			/* "alg:name:secret": the part before the last ':' */
			for (j = 0; j < *(const int *)((const char *)c + k->count_off); j++) {
				const char *v = base + (size_t)j * k->size, *e = strrchr(v, ':');

				fprintf(f, " %.*s:(secret)", e ? (int)(e - v) : 0, v);
			}
			break;
		}
		fputc('\n', f);
	}
}
