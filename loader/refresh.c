// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * refresh.c - `rootxdp refresh`, the cron/timer job: get the zone from
 * zone-source (a file, an http(s) URL through curl with a conditional
 * download, or AXFR from a primary), verify and compile it with
 * rootxdp-compile, put the image in place (the old one kept as
 * IMAGE.prev), swap the maps (rx_load_image, as `rootxdp load`), SIGHUP
 * rootxdpd and check that both serve the new serial.
 *
 * Silent when nothing changed or all went well (cron mails output); one
 * line on stderr when something is refused or fails, and serving is then
 * untouched.  Exit: 0 done or nothing to do, 1 refused/failed, 2 usage,
 * 3 another refresh holds state-dir/refresh.lock.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <ldns/ldns.h>
#include <zlib.h>
#undef dprintf	/* ldns/util.h defines a debug macro of that name */
#include "utc.h"
#include "cmd.h"
#include "rssac002.h"
#include "image.h"
#include "log.h"
#include "rootxdp.h"
#include "zone_maps.h"

static const char refresh_usage[] =
	"usage: rootxdp refresh [--config FILE] [--source SRC] [--pin-root DIR]\n"
	"                       [--netns NAME] [-v]\n"
	"Fetch the zone from zone-source, verify and compile it (rootxdp-compile),\n"
	"install it as 'image' (the old one kept as IMAGE.prev), swap it into the\n"
	"maps, reload rootxdpd and check that both serve the new serial.  The same\n"
	"serial is a silent no-op; an older, unverifiable or expiring zone is\n"
	"refused and serving is untouched.  Silent on success (cron).\n"
	"  -c, --config FILE  configuration (default " RX_CONF_DEFAULT ")\n"
	"  -s, --source SRC   zone source instead of zone-source: a file,\n"
	"                     http(s)://..., or axfr://HOST[:PORT]\n"
	"  -p, --pin-root DIR pin root (default " RX_PIN_ROOT ")\n"
	"  -n, --netns NAME   network namespace for the download and rootxdpd\n"
	"  -v, --verbose      say what is done\n"
	"exit: 0 new zone served or nothing to do, 1 refused or failed, 2 usage,\n"
	"3 another refresh is running\n";

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
	__u32 served;			/* serial served now (maps, else the image) */
	char zone[PATH_MAX];		/* the zone file to compile */
	char http_tmp[PATH_MAX];	/* a download to keep on success */
	char http_keep[PATH_MAX];
};

/* ---- running a program, capturing its output ---- */

/* Keep the tail of what a child writes: the last line is the reason. */
struct tail {
	char buf[4096];
	size_t len;
};

static void tail_add(struct tail *t, const char *p, size_t n)
{
	if (n >= sizeof(t->buf) - 1) {
		p += n - (sizeof(t->buf) - 1);
		n = sizeof(t->buf) - 1;
	}
	if (t->len + n >= sizeof(t->buf)) {
		size_t drop = t->len + n - (sizeof(t->buf) - 1);

		memmove(t->buf, t->buf + drop, t->len - drop);
		t->len -= drop;
	}
	memcpy(t->buf + t->len, p, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

/* The last non-empty line of t (in place). */
static const char *tail_last(struct tail *t)
{
	char *e = t->buf + t->len, *s;

	while (e > t->buf && (e[-1] == '\n' || e[-1] == ' '))
		*--e = '\0';
	s = e;
	while (s > t->buf && s[-1] != '\n')
		s--;
	return s;
}

/* Run argv; stdout and stderr into out/errt.  Returns the exit status
 * (0..255), 127 if it could not be run, or -errno. */
static int run(char *const argv[], struct tail *out, struct tail *errt)
{
	int po[2], pe[2], st, n;
	struct pollfd fds[2];
	char buf[1024];
	pid_t pid;

	if (pipe2(po, O_CLOEXEC))
		return -errno;
	if (pipe2(pe, O_CLOEXEC)) {
		close(po[0]);
		close(po[1]);
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		st = -errno;
		close(po[0]); close(po[1]); close(pe[0]); close(pe[1]);
		return st;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		if (nul >= 0)
			dup2(nul, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	fds[0] = (struct pollfd){ .fd = po[0], .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = pe[0], .events = POLLIN };
	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			n = (int)read(fds[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				continue;
			}
			tail_add(i ? errt : out, buf, (size_t)n);
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* ---- the zone's serial without compiling it ---- */

/* ldns reads a FILE *; gzread() reads plain and gzip alike. */
static ssize_t gz_cookie_read(void *cookie, char *buf, size_t size)
{
	int n = gzread((gzFile)cookie, buf, size > INT_MAX ? INT_MAX : (unsigned)size);

	return n < 0 ? -1 : n;
}

static int gz_cookie_close(void *cookie)
{
	return gzclose((gzFile)cookie) == Z_OK ? 0 : -1;
}

/* The SOA serial of a zone file: the first SOA (the root zone and an AXFR
 * both start with it).  A parse error before it is the compiler's to
 * explain: -EINVAL and the caller compiles anyway. */
static int zone_serial(const char *path, __u32 *serial, char *err, size_t errlen)
{
	cookie_io_functions_t io = { .read = gz_cookie_read, .close = gz_cookie_close };
	ldns_rdf *origin = NULL, *prev = NULL;
	uint32_t ttl = 3600;
	int line = 0, rc = -EINVAL;
	gzFile gz;
	FILE *f;

	errno = 0;
	gz = gzopen(path, "rb");
	if (!gz) {
		rc = errno ? -errno : -EIO;
		rx_fmt(err, errlen, "%s: %s", path, rx_strerr(rc));
		return rc;
	}
	f = fopencookie(gz, "r", io);
	if (!f) {
		gzclose(gz);
		rx_fmt(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	origin = ldns_dname_new_frm_str(".");
	for (;;) {
		ldns_rr *rr = NULL;
		ldns_status s = ldns_rr_new_frm_fp_l(&rr, f, &ttl, &origin, &prev, &line);

		if (s == LDNS_STATUS_SYNTAX_EMPTY || s == LDNS_STATUS_SYNTAX_TTL ||
		    s == LDNS_STATUS_SYNTAX_ORIGIN || s == LDNS_STATUS_SYNTAX_INCLUDE) {
			if (feof(f)) {
				rx_fmt(err, errlen, "%s: no SOA record", path);
				break;
			}
			continue;
		}
		if (s != LDNS_STATUS_OK) {
			rx_fmt(err, errlen, "%s:%d: %s", path, line, ldns_get_errorstr_by_id(s));
			break;
		}
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 3) {
			*serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
			ldns_rr_free(rr);
			rc = 0;
			break;
		}
		ldns_rr_free(rr);
	}
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	fclose(f);
	return rc;
}

/* ---- sources ---- */

enum src_kind { SRC_FILE, SRC_HTTP, SRC_AXFR };

static enum src_kind src_kind(const char *s)
{
	if (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8))
		return SRC_HTTP;
	if (!strncmp(s, "axfr://", 7))
		return SRC_AXFR;
	return SRC_FILE;
}

/* 1 = a new file in r->zone, 0 = not modified, -1 failed (said). */
static int fetch_http(struct refresh *r)
{
	char code_s[16];
	struct tail out = { .len = 0 }, errt = { .len = 0 };
	char *argv[24];
	int a = 0, st;
	bool have_keep;

	if (rx_fmt(r->http_keep, sizeof(r->http_keep), "%s/zone.download", r->c.state_dir) ||
	    rx_fmt(r->http_tmp, sizeof(r->http_tmp), "%s/zone.download.tmp", r->c.state_dir)) {
		rx_err("state-dir %s: path too long", r->c.state_dir);
		return -1;
	}
	unlink(r->http_tmp);
	have_keep = access(r->http_keep, R_OK) == 0;
	argv[a++] = (char *)"curl";
	argv[a++] = (char *)"-fsS";
	argv[a++] = (char *)"--compressed";
	argv[a++] = (char *)"-R";		/* the file gets Last-Modified */
	argv[a++] = (char *)"--connect-timeout";
	argv[a++] = (char *)CURL_CONNECT_TIMEOUT;
	argv[a++] = (char *)"--max-time";
	argv[a++] = (char *)CURL_MAX_TIME;
	argv[a++] = (char *)"-w";
	argv[a++] = (char *)"%{http_code}";
	if (have_keep) {
		/* If-Modified-Since: the last download's Last-Modified. */
		argv[a++] = (char *)"-z";
		argv[a++] = r->http_keep;
	}
	argv[a++] = (char *)"-o";
	argv[a++] = r->http_tmp;
	argv[a++] = (char *)"--";
	argv[a++] = (char *)r->source;
	argv[a] = NULL;
	rx_info("downloading %s%s", r->source, have_keep ? " (if modified)" : "");
	st = run(argv, &out, &errt);
	if (st == 127) {
		rx_err("cannot download the zone: curl is not installed (apt-get install curl)");
		return -1;
	}
	if (st != 0) {
		rx_err("cannot download the zone from %s: %s (still serving serial %u)", r->source,
		       errt.len ? tail_last(&errt) : st < 0 ? rx_strerr(st) : "curl failed",
		       r->served);
		unlink(r->http_tmp);
		return -1;
	}
	rx_strlcpy(code_s, tail_last(&out), sizeof(code_s));
	if (!strcmp(code_s, "304") || access(r->http_tmp, F_OK)) {
		rx_info("%s: not modified since the last download", r->source);
		unlink(r->http_tmp);
		return 0;
	}
	rx_info("downloaded %s (HTTP %s)", r->source, code_s);
	rx_strlcpy(r->zone, r->http_tmp, sizeof(r->zone));
	return 1;
}

/* Keep the download for the next If-Modified-Since, once it was used. */
static void http_keep(struct refresh *r)
{
	if (r->http_tmp[0] && !access(r->http_tmp, F_OK) && rename(r->http_tmp, r->http_keep))
		rx_warn("cannot rename %s: %s", r->http_tmp, strerror(errno));
}

static void http_drop(struct refresh *r)
{
	if (r->http_tmp[0])
		unlink(r->http_tmp);
}

/* "axfr://HOST[:PORT][/]", HOST an address, [v6], or a name. */
static int axfr_parse(const char *src, char *host, size_t hlen, unsigned *port)
{
	const char *h = src + 7, *e, *p = NULL;
	char *end;
	size_t n;

	*port = 53;
	if (*h == '[') {
		e = strchr(h, ']');
		if (!e)
			return -1;
		h++;
		n = (size_t)(e - h);
		if (e[1] == ':')
			p = e + 2;
		else if (e[1] && strcmp(e + 1, "/"))
			return -1;
	} else {
		e = h + strcspn(h, ":/");
		n = (size_t)(e - h);
		if (*e == ':')
			p = e + 1;
		else if (*e && strcmp(e, "/"))
			return -1;
	}
	if (!n || n >= hlen)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	if (p) {
		unsigned long v = strtoul(p, &end, 10);

		if (end == p || (*end && strcmp(end, "/")) || !v || v > 65535)
			return -1;
		*port = (unsigned)v;
	}
	return 0;
}

static ldns_resolver *axfr_resolver(const char *host, unsigned port, char *addr, size_t alen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG }, *ai;
	struct timeval tv = { AXFR_TIMEOUT_S, 0 };
	ldns_resolver *res;
	ldns_rdf *ns;
	int e;

	e = getaddrinfo(host, NULL, &hints, &ai);
	if (e) {
		rx_err("cannot resolve the primary '%s': %s", host, gai_strerror(e));
		return NULL;
	}
	if (ai->ai_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, addr,
			  (socklen_t)alen);
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, addr,
			  (socklen_t)alen);
	ns = ldns_rdf_new_frm_str(ai->ai_family == AF_INET6 ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A,
				  addr);
	freeaddrinfo(ai);
	res = ldns_resolver_new();
	if (!res || !ns) {
		ldns_rdf_deep_free(ns);
		if (res)
			ldns_resolver_deep_free(res);
		rx_err("out of memory");
		return NULL;
	}
	ldns_resolver_push_nameserver(res, ns);
	ldns_rdf_deep_free(ns);
	ldns_resolver_set_port(res, (uint16_t)port);
	ldns_resolver_set_timeout(res, tv);
	ldns_resolver_set_retry(res, 1);
	ldns_resolver_set_recursive(res, false);
	return res;
}

/* 1 = zone transferred into r->zone, 0 = the primary's serial is the one
 * served (no transfer), -1 failed or refused (said). */
static int fetch_axfr(struct refresh *r)
{
	char host[256], addr[INET6_ADDRSTRLEN], tmp[PATH_MAX], e[300];
	ldns_resolver *res = NULL;
	ldns_rdf *root = NULL;
	unsigned port;
	__u32 serial;
	long nrr = 0, nsoa = 0;
	FILE *f = NULL;
	int rc = -1;

	if (axfr_parse(r->source, host, sizeof(host), &port)) {
		rx_err("zone-source '%s': expected axfr://HOST[:PORT]", r->source);
		return -1;
	}
	res = axfr_resolver(host, port, addr, sizeof(addr));
	if (!res)
		return -1;
	/* Ask the serial first: no transfer when it is the served one. */
	if (rx_soa_query(addr, port, false, 5000, &serial, e, sizeof(e)) &&
	    rx_soa_query(addr, port, true, 5000, &serial, e, sizeof(e))) {
		rx_err("cannot reach the primary %s: %s (still serving serial %u)", r->source, e,
		       r->served);
		goto out;
	}
	rx_info("primary %s has serial %u", r->source, serial);
	if (r->have_served && serial == r->served) {
		rc = 0;
		goto out;
	}
	if (r->have_served && !rx_serial_newer(serial, r->served)) {
		rx_err("refusing the zone from %s: serial %u is older than the served %u",
		       r->source, serial, r->served);
		goto out;
	}
	if (rx_fmt(r->zone, sizeof(r->zone), "%s/zone.axfr", r->c.state_dir) ||
	    rx_fmt(tmp, sizeof(tmp), "%s/zone.axfr.tmp", r->c.state_dir)) {
		rx_err("state-dir %s: path too long", r->c.state_dir);
		goto out;
	}
	f = fopen(tmp, "w");
	if (!f) {
		rx_err("cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	root = ldns_dname_new_frm_str(".");
	if (ldns_axfr_start(res, root, LDNS_RR_CLASS_IN) != LDNS_STATUS_OK) {
		rx_err("cannot start AXFR from %s (%s port %u) (still serving serial %u)",
		       r->source, addr, port, r->served);
		goto out;
	}
	for (;;) {
		ldns_rr *rr = ldns_axfr_next(res);

		if (!rr)
			break;
		/* RFC 5936 2.2: the SOA opens and closes the transfer. */
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && nsoa++) {
			ldns_rr_free(rr);
			continue;
		}
		ldns_rr_print(f, rr);
		ldns_rr_free(rr);
		nrr++;
	}
	if (!ldns_axfr_complete(res) || nsoa < 2) {
		ldns_pkt *last = ldns_axfr_last_pkt(res);

		rx_err("AXFR from %s failed after %ld records%s%s (still serving serial %u)",
		       r->source, nrr, last ? ": rcode " : "",
		       last ? ldns_lookup_by_id(ldns_rcodes, ldns_pkt_get_rcode(last)) ?
		       ldns_lookup_by_id(ldns_rcodes, ldns_pkt_get_rcode(last))->name : "?" : "",
		       r->served);
		goto out;
	}
	if (fflush(f) || fsync(fileno(f))) {
		rx_err("cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fclose(f);
	f = NULL;
	if (rename(tmp, r->zone)) {
		rx_err("cannot rename %s: %s", tmp, strerror(errno));
		goto out;
	}
	rx_info("AXFR from %s: %ld records", r->source, nrr);
	rc = 1;
out:
	if (f) {
		fclose(f);
		unlink(tmp);
	}
	ldns_rdf_deep_free(root);
	ldns_resolver_deep_free(res);
	return rc;
}

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

static int compile(struct refresh *r, const char *out, bool prev_ok)
{
	char cc[PATH_MAX], minser[16];
	struct tail o = { .len = 0 }, errt = { .len = 0 };
	char *argv[20];
	int a = 0, st;

	compiler_path(cc, sizeof(cc));
	argv[a++] = cc;
	if (rx_verbose)
		argv[a++] = (char *)"-v";
	if (r->c.trust_anchor[0]) {
		argv[a++] = (char *)"--trust-anchor";
		argv[a++] = r->c.trust_anchor;
	}
	if (!r->c.require_zonemd)
		argv[a++] = (char *)"--allow-no-zonemd";
	if (prev_ok) {
		argv[a++] = (char *)"--previous";
		argv[a++] = r->c.image;
	} else if (r->have_served) {
		snprintf(minser, sizeof(minser), "%u", r->served);
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
static int install_image(struct refresh *r, const char *img_new, bool *had_old)
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
static void uninstall_image(struct refresh *r)
{
	char prev[PATH_MAX];

	if (!rx_fmt(prev, sizeof(prev), "%s.prev", r->c.image) && rename(prev, r->c.image))
		rx_warn("cannot put %s back: %s", prev, strerror(errno));
}

/* SIGHUP rootxdpd and wait until it serves `want`.  Not running: a
 * warning, not a failure (it loads the image when it starts; `rootxdp
 * health` is the alarm for a daemon that is down). */
static int daemon_sync(struct refresh *r, __u32 want, bool hup)
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

static void stamp(struct refresh *r, __u32 serial)
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
static int refresh_lock(const struct rx_config *c)
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

static int do_refresh(struct refresh *r)
{
	char img_new[PATH_MAX], e[300];
	struct rx_image img;
	struct rx_maps m;
	struct rx_meta live;
	__u32 zserial = 0, was = 0, now_serial = 0;
	bool prev_ok = false, had_old;
	int got, err;

	/* What is served now: the maps when attached, else the image file
	 * (what rootxdpd loads). */
	r->attached = !access(r->pin_root, F_OK) && rx_pin_exists(r->pin_root, "rx_ctl");
	if (r->attached) {
		if (rx_open_pinned(r->pin_root, &m))
			return -1;
		if (rx_zone_live(&m, &live) == 0) {
			r->have_served = true;
			r->served = live.serial;
		}
		rx_maps_close(&m);
	}
	if (rx_image_open(r->c.image, &img, e, sizeof(e)) == 0) {
		if (!r->have_served) {
			r->have_served = true;
			r->served = img.hdr->serial;
		}
		/* --previous IMAGE when it is the one served (the usual case). */
		prev_ok = img.hdr->serial == r->served;
		rx_image_close(&img);
	}
	if (r->have_served)
		rx_info("serving serial %u%s", r->served, r->attached ? "" : " (from the image; XDP is not attached)");

	switch (src_kind(r->source)) {
	case SRC_HTTP:
		got = fetch_http(r);
		break;
	case SRC_AXFR:
		got = fetch_axfr(r);
		break;
	default:
		rx_strlcpy(r->zone, strncmp(r->source, "file://", 7) ? r->source : r->source + 7,
			   sizeof(r->zone));
		if (access(r->zone, R_OK)) {
			rx_err("cannot read the zone %s: %s (still serving serial %u)", r->zone,
			       strerror(errno), r->served);
			return -1;
		}
		got = 1;
		break;
	}
	if (got < 0)
		return -1;
	if (got == 0) {
		/* Not modified / the primary has the served serial. */
		if (r->have_served) {
			if (daemon_sync(r, r->served, false))
				return -1;
			stamp(r, r->served);
		}
		return 0;
	}

	/* The serial first: the same one is a no-op without compiling. */
	if (zone_serial(r->zone, &zserial, e, sizeof(e)) == 0) {
		rx_info("zone %s has serial %u", r->zone, zserial);
		if (r->have_served && zserial == r->served) {
			rx_info("serial %u is served already: nothing to do", zserial);
			http_keep(r);
			if (daemon_sync(r, r->served, false))
				return -1;
			stamp(r, r->served);
			return 0;
		}
		if (r->have_served && !rx_serial_newer(zserial, r->served)) {
			rx_err("refusing the zone from %s: serial %u is older than the served %u",
			       r->source, zserial, r->served);
			http_drop(r);
			return -1;
		}
	} else {
		rx_info("cannot read the serial (%s): the compiler will say more", e);
	}

	if (rx_fmt(img_new, sizeof(img_new), "%s.new", r->c.image)) {
		rx_err("image path %s: too long", r->c.image);
		return -1;
	}
	if (compile(r, img_new, prev_ok)) {
		http_drop(r);
		return -1;
	}
	/* What the compiler cannot know: how close to expiry is too close. */
	err = rx_image_open(img_new, &img, e, sizeof(e));
	if (err) {
		rx_err("the new image does not read: %s", e);
		unlink(img_new);
		http_drop(r);
		return -1;
	}
	zserial = img.hdr->serial;
	if (img.hdr->sig_expire_min &&
	    (__u64)img.hdr->sig_expire_min < (__u64)time(NULL) + r->c.sig_expire_margin_s) {
		char when[32];

		rx_utc(img.hdr->sig_expire_min, when, sizeof(when));
		rx_err("zone refused (still serving serial %u): serial %u has signatures expiring "
		       "at %s, within sig-expire-margin (%us)", r->served, zserial, when,
		       r->c.sig_expire_margin_s);
		rx_image_close(&img);
		unlink(img_new);
		http_drop(r);
		return -1;
	}
	rx_image_close(&img);

	if (install_image(r, img_new, &had_old)) {
		unlink(img_new);
		http_drop(r);
		return -1;
	}
	if (r->attached) {
		err = rx_load_image(&r->c, r->pin_root, r->c.image,
				    RX_LOAD_QUIET, &was, &now_serial);
		if (err) {
			/* rx_load_image said why; the maps are as they were. */
			if (had_old)
				uninstall_image(r);
			http_drop(r);
			return -1;
		}
		if (rx_open_pinned(r->pin_root, &m) == 0) {
			err = rx_zone_live(&m, &live);
			rx_maps_close(&m);
			if (err || live.serial != zserial) {
				rx_err("the maps serve serial %u after the swap, not %u", err ? 0 : live.serial,
				       zserial);
				return -1;
			}
		}
	} else {
		rx_info("XDP is not attached: %s is what rootxdp attach will load", r->c.image);
	}
	http_keep(r);
	if (daemon_sync(r, zserial, true))
		return -1;
	rx_rssac_loaded(&r->c, zserial, r->zone);	/* RSSAC002 load-time */
	stamp(r, zserial);
	if (rx_verbose)
		printf("serving serial %u (was %u)\n", zserial, r->served);
	return 0;
}

int cmd_refresh(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "source", required_argument, NULL, 's' },
		{ "pin-root", required_argument, NULL, 'p' },
		{ "netns", required_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *conf = NULL, *pin_arg = NULL, *src = NULL, *netns = NULL;
	struct refresh r;
	int o, lock, rc;

	while ((o = getopt_long(argc, argv, "c:s:p:n:vh", opts, NULL)) != -1) {
		switch (o) {
		case 'c': conf = optarg; break;
		case 's': src = optarg; break;
		case 'p': pin_arg = optarg; break;
		case 'n': netns = optarg; break;
		case 'v': rx_verbose_set(rx_verbose + 1); break;
		case 'h': fputs(refresh_usage, stdout); return RX_EXIT_OK;
		default: fputs(refresh_usage, stderr); return RX_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(refresh_usage, stderr);
		return RX_EXIT_USAGE;
	}
	memset(&r, 0, sizeof(r));
	if (rx_cli_config(&r.c, conf))
		return RX_EXIT_FAIL;
	/* Quiet for cron: warnings stay, info only with -v. */
	if (!rx_verbose)
		rx_log_max = RX_LOG_WARN;
	snprintf(r.pin_root, sizeof(r.pin_root), "%s", pin_arg ? pin_arg : r.c.pin_root);
	r.source = src ? src : r.c.zone_source;
	if (!r.source[0]) {
		rx_err("no zone source: set zone-source in %s (a file, an http(s) URL or "
		       "axfr://HOST), or give --source", r.c.path[0] ? r.c.path : RX_CONF_DEFAULT);
		return RX_EXIT_FAIL;
	}
	if (mkdir(r.c.state_dir, 0755) && errno != EEXIST) {
		rx_err("cannot create state-dir %s: %s", r.c.state_dir, strerror(errno));
		return RX_EXIT_FAIL;
	}
	lock = refresh_lock(&r.c);
	if (lock == -2)
		return RX_EXIT_LOCKED;
	if (lock < 0)
		return RX_EXIT_FAIL;
	if (netns && rx_netns_enter(netns, NULL)) {
		close(lock);
		return RX_EXIT_FAIL;
	}
	rc = do_refresh(&r) ? RX_EXIT_FAIL : RX_EXIT_OK;
	close(lock);
	return rc;
}
