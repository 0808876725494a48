/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cmd.h - the rootxdp commands and the helpers they share (loader/util.c):
 * option handling, the config, --netns, pin paths, the attach state file,
 * libbpf logging and one-line error hints.
 *
 * Commands return exit codes: 0 ok, 1 failure, 2 usage.  Internally,
 * functions return 0 or a negative errno and print their own one line.
 */
#ifndef RX_CMD_H
#define RX_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <net/if.h>
#include "config.h"

enum { RX_EXIT_OK = 0, RX_EXIT_FAIL = 1, RX_EXIT_USAGE = 2 };

int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_reload(int argc, char **argv);
int cmd_refresh(int argc, char **argv);
int cmd_health(int argc, char **argv);
int cmd_cookie_secret(int argc, char **argv);
int cmd_upgrade(int argc, char **argv);
int cmd_anycast(int argc, char **argv);
int cmd_rssac002(int argc, char **argv);

/* exit code of `rootxdp refresh` when another refresh holds the lock */
#define RX_EXIT_LOCKED	3

/* The swap behind `rootxdp load` (load.c), for refresh too: open the pins,
 * lock the pin root, refuse an image that does not verify or (without
 * RX_LOAD_FORCE) is not newer than the live zone, write rx_cfg, swap.
 * Prints its own one-line error; without RX_LOAD_QUIET prints "serving
 * serial N (was M)".  *was gets the live serial before (0: none), *now the
 * one loaded.  Returns 0 or -errno (-ESTALE: refused as not newer). */
#define RX_LOAD_FORCE	0x1
#define RX_LOAD_QUIET	0x2
int rx_load_image(const struct rx_config *c, const char *pin_root, const char *image,
		  unsigned flags, __u32 *was, __u32 *now);

/* -v given n times: 1 shows info and libbpf warnings, 2 adds debug. */
extern int rx_verbose;
void rx_verbose_set(int n);

/* Config: path NULL = RX_CONF_DEFAULT, which may be absent; a path given
 * with --config must exist.  Prints the error line itself. */
int rx_cli_config(struct rx_config *c, const char *path);
/* The pin root a command uses: --pin-root if given, else the config's. */
void rx_cli_pin_root(const struct rx_config *c, const char *pin_arg, char *out, size_t outlen);

/* "run as root, ..." style hint for an errno, or NULL. */
const char *rx_hint(int err);
/* "... : %s" RX_HINT_FMT, rx_strerr(e), RX_HINT_ARGS(e) appends " (hint)". */
#define RX_HINT_FMT	"%s%s%s"
#define RX_HINT_ARGS(e)	(rx_hint(e) ? " (" : ""), (rx_hint(e) ? rx_hint(e) : ""), \
			(rx_hint(e) ? ")" : "")
/* strerror of a negative or positive errno. */
const char *rx_strerr(int err);

/* Switch the network namespace only (setns CLONE_NEWNET) to
 * /run/netns/NAME; mounts (and so /sys/fs/bpf) stay as they are.
 * *saved (if not NULL) gets an fd of the current netns for
 * rx_netns_restore().  name NULL or "" is a no-op (saved = -1). */
int rx_netns_enter(const char *name, int *saved);
int rx_netns_restore(int saved);

/* Pin paths under the pin root. */
#define RX_PIN_PROG_XDP	"prog-xdp"
#define RX_PIN_PROG_TC	"prog-tc"
#define RX_PIN_LINK_XDP	"link-xdp-"	/* + interface name */

int rx_pin_path(char *buf, size_t len, const char *root, const char *name);
bool rx_pin_exists(const char *root, const char *name);
/* Is dir on a bpffs?  (0, or -errno with a message printed) */
int rx_check_bpffs(const char *dir);
/* Names of the interfaces with a pinned XDP link, sorted. */
int rx_pinned_ifaces(const char *root, char names[][IF_NAMESIZE], int max);
/* Lock the pin root (flock) so that attach, detach and load never run at
 * once.  Returns an fd to close, or -errno. */
int rx_lock(const char *root);

/* What `rootxdp attach` did, one line per interface, so that detach
 * removes exactly that and status can say the mode.  Kept in
 * run-dir/attach.state (or attach-<pin root>.state for another pin root):
 * run-dir is a tmpfs, forgotten at boot like the attachments themselves. */
#define RX_STATE_MAX	64
struct rx_state_if {
	char name[IF_NAMESIZE];
	char netns[64];			/* "" = the initial namespace */
	int ifindex;
	int native;			/* 1 native (driver), 0 generic (skb) */
	unsigned mtu;
	int clsact_created;		/* we created the clsact qdisc */
	__u32 tc_handle, tc_prio;
	__u32 link_id;			/* multiprog: our program's id */
	int multiprog;			/* in libxdp's dispatcher (multiprog.h) */
	unsigned prio;			/* multiprog: run priority */
};
struct rx_state {
	int n;
	struct rx_state_if ifs[RX_STATE_MAX];
};
void rx_state_path(const struct rx_config *c, const char *pin_root, char *buf, size_t len);
int rx_state_read(const struct rx_config *c, const char *pin_root, struct rx_state *s);
int rx_state_write(const struct rx_config *c, const char *pin_root, const struct rx_state *s);
struct rx_state_if *rx_state_find(struct rx_state *s, const char *name);
void rx_state_del(struct rx_state *s, const char *name);

/* ---- health.c, shared with refresh and status ---- */
/* The address rootxdpd answers on: the first 'listen' address, loopback
 * for a wildcard. */
void rx_daemon_addr(const struct rx_config *c, char *buf, size_t len);
/* ". SOA" to addr:port (UDP or TCP), timeout_ms per try, one try. */
int rx_soa_query(const char *addr, unsigned port, bool tcp, unsigned timeout_ms,
		 __u32 *serial, char *err, size_t errlen);
/* state-dir/refresh.stamp: "serial N checked UNIXTIME", written by every
 * successful refresh (no-ops too); the age of a zone counts from there. */
int rx_stamp_read(const struct rx_config *c, __u32 *serial, __u64 *when);
struct rx_meta;
struct rx_zone_age {
	__u32 serial;
	__u64 confirmed;	/* build time, or a later refresh of the same serial */
	__u64 stale_at;		/* confirmed + SOA expire */
	__u32 sig_expire;	/* earliest RRSIG expiration, 0 = unsigned */
};
#define RX_HEALTH_LINE 320
/* Staleness and signature problems of the served zone (live: the maps'
 * meta, or NULL: the configured image), one line each; returns the count. */
int rx_zone_problems(const struct rx_config *c, const struct rx_meta *live, __u64 now,
		     char (*lines)[RX_HEALTH_LINE], int max, struct rx_zone_age *age);

/* Everything `rootxdp health` checks, one line per problem into lines;
 * returns the count (0: fit to serve).  rootxdpd is asked from network
 * namespace netns (NULL: ours) with timeout_ms.  Used by the anycast
 * watcher too. */
struct rx_health_info {
	int nlive, pid;			/* live XDP links; rootxdpd pid */
	__u32 dserial;			/* what rootxdpd serves */
	struct rx_zone_age age;
};
int rx_health_problems(const struct rx_config *c, const char *pin_root, const char *netns,
		       __u64 now, unsigned timeout_ms, char (*lines)[RX_HEALTH_LINE], int max,
		       struct rx_health_info *info);

/* Open the pinned maps, or print "not attached: run rootxdp attach
 * first" and fail. */
struct rx_maps;
int rx_open_pinned(const char *pin_root, struct rx_maps *m);

/* pid from run-dir/rootxdpd.pid: >0 running, 0 no file, -1 stale. */
int rx_daemon_pid(const struct rx_config *c, int *pid);

#include "serial.h"	/* rx_serial_newer(), RFC 1982 */

/* snprintf for paths: -ENAMETOOLONG instead of a silent cut. */
int rx_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Copy with truncation, always NUL terminated (n > 0). */
void rx_strlcpy(char *dst, const char *src, size_t n);
/* PINROOT-relative name of the XDP link pin of ifname. */
void rx_link_pin_name(char *buf, size_t n, const char *ifname);

/* JSON string with escapes. */
void rx_json_str(const char *s);

#endif
