/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * config.h - /etc/rootxdp/rootxdp.conf, shared by rootxdp and rootxdpd.
 * Format: "key = value" lines, '#' starts a comment, unknown keys are an
 * error (a typo must not silently fall back to a default).  Every key is
 * documented in docs/man/rootxdp.conf.5 and dist/rootxdp.conf.
 */
#ifndef RX_CONFIG_H
#define RX_CONFIG_H

#include <stdbool.h>
#include <stdio.h>
#include <limits.h>
#include <net/if.h>

#define RX_CONF_DEFAULT	"/etc/rootxdp/rootxdp.conf"
#define RX_CONF_LIST_MAX 16
/* The kernel routing table the anycast watcher puts its marker routes in:
 * one no other software uses, never consulted for forwarding. */
#define RX_ANYCAST_TABLE 5353

/* MULTIPROG: through libxdp's dispatcher, beside other XDP programs
 * (loader/multiprog.h); the others through rootxdp's own bpf_link. */
enum rx_xdp_mode { RX_MODE_AUTO, RX_MODE_NATIVE, RX_MODE_GENERIC, RX_MODE_MULTIPROG };

struct rx_config {
	char path[PATH_MAX];			/* file read, "" if defaults only */
	/* loader */
	char interfaces[RX_CONF_LIST_MAX][IF_NAMESIZE];
	int ninterfaces;
	enum rx_xdp_mode xdp_mode;
	unsigned xdp_priority;			/* libxdp run priority (multiprog), 50 */
	char pin_root[PATH_MAX];		/* /sys/fs/bpf/rootxdp */
	/* anycast watcher (rootxdp anycast watch) */
	char anycast_prefix[RX_CONF_LIST_MAX][64];	/* service prefixes, default none */
	int nanycast_prefix;
	unsigned anycast_table;			/* kernel table of the marker routes, 5353 */
	unsigned anycast_interval_ms;		/* between checks, 1000 */
	unsigned anycast_rise;			/* good checks to announce, 5 */
	unsigned anycast_fall;			/* failed checks to withdraw, 3 */
	/* shared */
	char image[PATH_MAX];			/* /var/lib/rootxdp/root.img */
	char state_dir[PATH_MAX];		/* /var/lib/rootxdp */
	char run_dir[PATH_MAX];			/* /run/rootxdp: pid, stats */
	char identity[65];			/* default: hostname */
	bool nsid;				/* default yes */
	char version[65];			/* "" = hidden (REFUSED) */
	unsigned max_udp_payload;		/* 512..4096, default 1232 */
	/* daemon */
	char listen[RX_CONF_LIST_MAX][64];	/* addresses; default 0.0.0.0 and :: */
	int nlisten;
	unsigned port;				/* 53 */
	unsigned workers;			/* 0 = one per core */
	unsigned tcp_idle_timeout_ms;		/* 10000 */
	unsigned tcp_max_clients;		/* 1000 connections in total */
	unsigned tcp_max_per_client;		/* 10 per source address */
	char axfr_allow[RX_CONF_LIST_MAX][64];	/* prefixes, default none */
	int naxfr_allow;
	char axfr_allow_key[RX_CONF_LIST_MAX][256];	/* TSIG key names; none = unsigned ok */
	int naxfr_allow_key;
	bool minimal_any;			/* RFC 8482 over UDP, default yes */
	char user[64];				/* drop privileges to, "" = stay */
	/* dnstap (rootxdpd) */
	char dnstap[PATH_MAX];			/* file, or unix:/path; "" = off */
	char dnstap_identity[65];		/* "" = the identity */
	bool dnstap_log_queries;		/* AUTH_QUERY, default yes */
	bool dnstap_log_responses;		/* AUTH_RESPONSE, default yes */
	/* the kernel paths' sample (bpf/tap.h) and name counters (bpf/top.h) */
	unsigned dnstap_sample_rate;		/* 1 in N kernel answers, 0 = off */
	unsigned dnstap_ring_size;		/* rx_tap bytes, a power of 2 */
	bool top_names;				/* rx_top_* counters, default yes */
	/* refresh */
	char zone_source[1024];			/* file path, http(s) URL, axfr://host[:port] */
	char zone_source_key[256];		/* TSIG key name for axfr://, "" = none */
	/* TSIG keys (common/tsig.h): "[alg:]name:base64", and a file of them */
	char tsig_key[RX_CONF_LIST_MAX][320];
	int ntsig_key;
	char tsig_key_file[PATH_MAX];
	char trust_anchor[PATH_MAX];		/* /usr/share/dns/root.key, "" = none */
	bool require_zonemd;			/* default yes */
	unsigned sig_expire_margin_s;		/* 7 days */
	/* response rate limiting (kernel paths and rootxdpd's UDP) */
	unsigned rrl_rate;			/* responses/s per bucket, 0 = off */
	unsigned rrl_slip;			/* every Nth limited one slips, 0 never */
	unsigned rrl_window_s;			/* debt a bucket can run up */
	unsigned rrl_ipv4_prefix;		/* 24 */
	unsigned rrl_ipv6_prefix;		/* 56 */
	char rrl_exempt[RX_CONF_LIST_MAX][64];	/* prefixes never limited */
	int nrrl_exempt;
	bool rrl_log_only;			/* count, never limit */
	unsigned rrl_table_size;		/* kernel buckets (LRU) */
	/* DNS cookies: 32 hex digits each, "" = state-dir/cookie-secret */
	char cookie_secret[33];
	char cookie_secret_previous[33];
};

void rx_config_defaults(struct rx_config *c);
/* Load path over the defaults.  If must_exist is false and the file is
 * absent, the defaults stand.  Returns 0, or -1 with one line in err
 * ("FILE:LINE: what is wrong"). */
int rx_config_load(struct rx_config *c, const char *path, bool must_exist,
		   char *err, size_t errlen);
/* 32 hex digits -> 16 bytes; 0 or -1. */
int rx_hex16(const char *hex, unsigned char out[16]);
/* Print every key with its current value, as a config file. */
void rx_config_dump(const struct rx_config *c, FILE *f);

#endif
