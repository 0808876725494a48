/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * refresh.h - the parts of `rootxdp refresh` (refresh.c orchestrates):
 *   refresh_run.c     running a program (or a function) as `user`, keeping
 *                     the tail of its output; the work dir it may write
 *   refresh_fetch.c   the sources: http(s) through curl, AXFR (TSIG)
 *   refresh_stages.c  the zone's serial, compile, install, reload the
 *                     daemon, the stamp and the lock
 */
#ifndef RX_REFRESH_H
#define RX_REFRESH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "config.h"
#include "tsig.h"

#define CURL_CONNECT_TIMEOUT	"30"
#define CURL_MAX_TIME		"900"
#define AXFR_TIMEOUT_S		30
#define DAEMON_WAIT_MS		10000

struct refresh {
	struct rx_config c;
	char pin_root[PATH_MAX];
	const char *source;
	bool attached;
	bool have_served;
	bool recompile;			/* the installed image is unreadable by
					 * this build (e.g. an older image format
					 * after a package upgrade): compile the
					 * served serial again, no no-op shortcut */
	__u32 served;			/* serial served now (maps, else the image) */
	char zone[PATH_MAX];		/* the zone file to compile */
	char http_tmp[PATH_MAX];	/* a download to keep on success */
	char http_keep[PATH_MAX];
	char work_dir[PATH_MAX];	/* downloads, transfers, the new image:
					 * state-dir, or state-dir/refresh owned
					 * by `user` when the steps drop to it */
	char trust_anchor[PATH_MAX];	/* what the compile reads */
	const char *key_name;		/* TSIG key for axfr://, NULL = none */
	struct rx_tsig_keys keys;
};

/* Keep the tail of what a child writes: the last line is the reason. */
struct tail {
	char buf[4096];
	size_t len;
};

/* refresh_run.c */
/* Least privilege: with `user` set and run as root, everything that reads
 * what came from the network (curl, the AXFR, rootxdp-compile) runs as
 * that user in a child; only the install, the swap and the daemon signal
 * stay root.  run() and run_fn() drop to it once refresh_drop_to() set it. */
int refresh_drop_to(const char *user);
bool refresh_dropping(void);
/* chown a file or directory root made to the user (no-op without one). */
int refresh_give(int fd);
/* Run fn(r) in a child as the user (or in this process without one); its
 * return value (0..125) comes back, -1 if the child failed otherwise. */
int run_fn(int (*fn)(struct refresh *), struct refresh *r);
/* Set r->work_dir (and r->trust_anchor): state-dir itself, or with a user
 * state-dir/refresh, 0700, owned by it, the trust anchor copied in.  0 or
 * -1 (said). */
int refresh_work_dir(struct refresh *r);
/* Copy src (read as root) into the work dir as name (for the user to
 * read); out gets the copy's path.  0 or -1 (said). */
int refresh_take_in(struct refresh *r, const char *src, const char *name, char *out,
		    size_t outlen);
/* Copy src (a file of the work dir, not followed if a link) to dst, a new
 * root-owned 0644 file; src removed.  0 or -1 (said). */
int refresh_take_out(const char *src, const char *dst);
const char *tail_last(struct tail *t);
int run(char *const argv[], struct tail *out, struct tail *errt);

/* refresh_fetch.c */
enum src_kind { SRC_FILE, SRC_HTTP, SRC_AXFR };
enum src_kind src_kind(const char *s);
int fetch_http(struct refresh *r);
void http_keep(struct refresh *r);
void http_drop(struct refresh *r);
int axfr_parse(const char *src, char *host, size_t hlen, unsigned *port);
int fetch_axfr(struct refresh *r);

/* refresh_stages.c */
int zone_serial(const char *path, __u32 *serial, char *err, size_t errlen);
int compile(struct refresh *r, const char *out, bool prev_ok);
int install_image(struct refresh *r, const char *img_new, bool *had_old);
void uninstall_image(struct refresh *r);
int daemon_sync(struct refresh *r, __u32 want, bool hup);
void stamp(struct refresh *r, __u32 serial);
int refresh_lock(const struct rx_config *c);

#endif
