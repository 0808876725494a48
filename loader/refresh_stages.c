// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * refresh_stages.c - the steps of `rootxdp refresh` after the fetch: the
 * zone's serial (asked of the compiler), compile (rootxdp-compile), install the image (the old
 * one kept as IMAGE.prev), reload rootxdpd and wait for the new serial,
 * write the stamp; and the lock that keeps two refreshes apart.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include "cmd.h"
#include "log.h"
#include "refresh.h"
#include "zone_maps.h"

/* ---- compile, install, swap, reload ---- */

static void compiler_path(char *buf, size_t len)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if (!rx_fmt(buf, len, "%s/rootxdp-compile", self) && !access(buf, X_OK))
				return;
		}
	}
	rx_strlcpy(buf, "rootxdp-compile", len);	/* from PATH */
}

/* The zone's SOA serial, read by the compiler (one zone reader:
 * common/zone_text.c) without compiling.  A zone it cannot read is the
 * compile's to explain: -EINVAL, the reason in err, and the caller
 * compiles anyway. */
int zone_serial(const char *path, __u32 *serial, char *err, size_t errlen)
{
	struct tail o = { .len = 0 }, errt = { .len = 0 };
	char cc[PATH_MAX], *end;
	char *argv[] = { cc, (char *)"--print-serial", (char *)path, NULL };
	unsigned long v;
	int st;

	compiler_path(cc, sizeof(cc));
	st = run(argv, &o, &errt);
	if (st) {
		rx_fmt(err, errlen, "%s", st == 127 ? "cannot run rootxdp-compile" :
		       errt.len ? tail_last(&errt) : "rootxdp-compile --print-serial failed");
		return -EINVAL;
	}
	errno = 0;
	v = strtoul(tail_last(&o), &end, 10);
	if (errno || *end || end == o.buf || v > 0xffffffffUL) {
		rx_fmt(err, errlen, "rootxdp-compile --print-serial: '%s'", o.buf);
		return -EINVAL;
	}
	*serial = (__u32)v;
	return 0;
}

int compile(struct refresh *r, const char *out, bool prev_ok)
{
	char cc[PATH_MAX], minser[16];
	struct tail o = { .len = 0 }, errt = { .len = 0 };
	char *argv[20];
	int a = 0, st;

	compiler_path(cc, sizeof(cc));
	argv[a++] = cc;
	if (rx_verbose)
		argv[a++] = (char *)"-v";
	if (r->trust_anchor[0]) {
		argv[a++] = (char *)"--trust-anchor";
		argv[a++] = r->trust_anchor;
	}
	if (!r->c.require_zonemd)
		argv[a++] = (char *)"--allow-no-zonemd";
	/* --previous reads the image: the user need not be able to. */
	if (prev_ok && !refresh_dropping()) {
		argv[a++] = (char *)"--previous";
		argv[a++] = r->c.image;
	} else if (r->have_served) {
		/* strictly newer, except when compiling the served serial again
		 * for this build (RFC 1982: served is newer than served - 1) */
		snprintf(minser, sizeof(minser), "%u", r->served - (r->recompile ? 1u : 0u));
		argv[a++] = (char *)"--min-serial";
		argv[a++] = minser;
	}
	argv[a++] = (char *)"-o";
	argv[a++] = (char *)out;
	argv[a++] = r->zone;
	argv[a] = NULL;
	rx_info("compiling %s", r->zone);
	st = run(argv, &o, &errt);
	if (rx_verbose) {
		if (errt.len)
			fputs(errt.buf, stderr);
		if (o.len)
			fputs(o.buf, stderr);
	}
	if (st == 127) {
		rx_err("cannot run rootxdp-compile (not next to rootxdp nor in PATH)");
		return -1;
	}
	if (st) {
		if (r->have_served)
			rx_err("zone refused (still serving serial %u): %s", r->served,
			       errt.len ? tail_last(&errt) : "rootxdp-compile failed");
		else
			rx_err("zone refused: %s", errt.len ? tail_last(&errt) : "rootxdp-compile failed");
		return -1;
	}
	return 0;
}

/* Replace image with img_new, keeping the old one as IMAGE.prev. */
int install_image(struct refresh *r, const char *img_new, bool *had_old)
{
	char prev[PATH_MAX], ptmp[PATH_MAX];

	*had_old = false;
	if (rx_fmt(prev, sizeof(prev), "%s.prev", r->c.image) ||
	    rx_fmt(ptmp, sizeof(ptmp), "%s.prev.tmp", r->c.image)) {
		rx_err("image path %s: too long", r->c.image);
		return -1;
	}
	if (!access(r->c.image, F_OK)) {
		unlink(ptmp);
		if (link(r->c.image, ptmp) || rename(ptmp, prev)) {
			rx_err("cannot keep %s as %s: %s", r->c.image, prev, strerror(errno));
			unlink(ptmp);
			return -1;
		}
		*had_old = true;
	}
	if (rename(img_new, r->c.image)) {
		rx_err("cannot rename %s to %s: %s", img_new, r->c.image, strerror(errno));
		return -1;
	}
	return 0;
}

/* Put IMAGE.prev back as the image (the maps refused the new one). */
void uninstall_image(struct refresh *r)
{
	char prev[PATH_MAX];

	if (!rx_fmt(prev, sizeof(prev), "%s.prev", r->c.image) && rename(prev, r->c.image))
		rx_warn("cannot put %s back: %s", prev, strerror(errno));
}

/* SIGHUP rootxdpd and wait until it serves `want`.  Not running: a
 * warning, not a failure (it loads the image when it starts; `rootxdp
 * health` is the alarm for a daemon that is down). */
int daemon_sync(struct refresh *r, __u32 want, bool hup)
{
	char addr[64], e[300] = "";
	__u32 got = 0;
	int pid, st, waited = 0;
	bool answered = false;

	st = rx_daemon_pid(&r->c, &pid);
	if (st <= 0 && !hup) {
		/* A no-op stays silent: `rootxdp health` reports a dead daemon. */
		rx_info("rootxdpd is not running");
		return 0;
	}
	if (st <= 0) {
		rx_warn("rootxdpd is not running (%s %s/rootxdpd.pid): it will serve serial %u when "
			"started", st ? "stale" : "no", r->c.run_dir, want);
		return 0;
	}
	rx_daemon_addr(&r->c, addr, sizeof(addr));
	if (!hup) {
		/* Nothing new: only check that the daemon caught up. */
		if (rx_soa_query(addr, r->c.port, true, 2000, &got, e, sizeof(e)) == 0 && got == want)
			return 0;
	}
	if (kill(pid, SIGHUP)) {
		rx_err("cannot signal rootxdpd (pid %d): %s", pid, strerror(errno));
		return -1;
	}
	rx_info("rootxdpd (pid %d) told to reload", pid);
	while (waited < DAEMON_WAIT_MS) {
		struct timespec ts = { 0, 200 * 1000000L };

		nanosleep(&ts, NULL);
		waited += 200;
		if (rx_soa_query(addr, r->c.port, true, 2000, &got, e, sizeof(e)) == 0) {
			answered = true;
			if (got == want) {
				rx_info("rootxdpd serves serial %u (SOA over TCP to %s port %u)", got,
					addr, r->c.port);
				return 0;
			}
		}
	}
	if (answered)
		rx_err("rootxdpd (pid %d) still serves serial %u, not %u, %d s after SIGHUP: see "
		       "its log (journalctl -u rootxdpd)", pid, got, want, DAEMON_WAIT_MS / 1000);
	else
		rx_err("rootxdpd (pid %d) does not answer after SIGHUP: %s", pid, e);
	return -1;
}

void stamp(struct refresh *r, __u32 serial)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	FILE *f;

	if (rx_fmt(path, sizeof(path), "%s/refresh.stamp", r->c.state_dir) ||
	    rx_fmt(tmp, sizeof(tmp), "%s/refresh.stamp.tmp", r->c.state_dir))
		return;
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "serial %u checked %llu source %s\n", serial,
		(unsigned long long)time(NULL), r->source);
	if (fclose(f) == 0)
		rename(tmp, path);
	else
		unlink(tmp);
}

/* The lock: state-dir/refresh.lock, flock, never waiting. */
int refresh_lock(const struct rx_config *c)
{
	char path[PATH_MAX], holder[32] = "";
	int fd;
	ssize_t n;

	if (rx_fmt(path, sizeof(path), "%s/refresh.lock", c->state_dir)) {
		rx_err("state-dir %s: path too long", c->state_dir);
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		rx_err("cannot open %s: %s%s", path, strerror(errno),
		       errno == EACCES ? " (run as root)" : "");
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno == EWOULDBLOCK) {
			n = pread(fd, holder, sizeof(holder) - 1, 0);
			holder[n > 0 ? n : 0] = '\0';
			holder[strcspn(holder, "\n")] = '\0';
			rx_err("another refresh is running (%s%s holds %s): not starting a second",
			       holder[0] ? "pid " : "a process", holder, path);
			close(fd);
			return -2;
		}
		rx_err("cannot lock %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) == 0)
		dprintf(fd, "%ld\n", (long)getpid());
	return fd;
}
