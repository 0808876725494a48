// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rootxdpd - the fallback daemon: answers everything the XDP/TC path
 * passes up, and everything while XDP is detached, from the same image.
 *
 * Runs in the foreground (systemd Type=notify; the NOTIFY_SOCKET datagram
 * is sent by hand, no libsystemd).  Binds every socket, writes the pid
 * file, then drops privileges.  Main thread: signals, reload, stats file;
 * workers: server.c.  SIGHUP reloads the image: loaded beside the old one,
 * swapped only if valid and newer (RFC 1982); a failed reload keeps the
 * old zone serving.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "config.h"
#include "fb.h"
#include "secret.h"
#include "log.h"

#ifndef RX_VERSION
#define RX_VERSION "0"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rootxdpd [--config FILE] [--image FILE] [--port N] [--listen ADDR]...\n"
		"                [--workers N] [-v] [--foreground]\n"
		"  -c, --config FILE   configuration (default " RX_CONF_DEFAULT ")\n"
		"  -i, --image FILE    zone image (default: the config's 'image')\n"
		"  -p, --port N        port for UDP and TCP (default: config 'port', 53)\n"
		"  -l, --listen ADDR   address to listen on; repeat for more (replaces\n"
		"                      the config's 'listen' list)\n"
		"  -w, --workers N     worker threads, 0 = one per CPU\n"
		"  -v, --verbose       debug logging\n"
		"  -f, --foreground    accepted for compatibility: rootxdpd never forks\n"
		"  -V, --version       print the version\n"
		"signals: HUP reloads the image (newer serials only) and reopens a\n"
		"dnstap file that was moved away, USR1 reloads it even when older\n"
		"(rollback), TERM and INT stop.\n");
}

/* systemd's notify protocol: one datagram to $NOTIFY_SOCKET. */
static void sd_notify_msg(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t sl;
	int fd;

	if (!path || !*path || strlen(path) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, strlen(path));
	if (sa.sun_path[0] == '@')	/* abstract namespace */
		sa.sun_path[0] = '\0';
	sl = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa, sl) < 0)
		rx_debug("sd_notify: %s", strerror(errno));
	close(fd);
}

static int drop_privileges(const char *user, const char *run_dir)
{
	struct passwd *pw;

	if (!*user)
		return 0;
	pw = getpwnam(user);
	if (!pw) {
		rx_err("user '%s' does not exist (config 'user')", user);
		return -1;
	}
	/* the stats file is written after the drop */
	if (chown(run_dir, pw->pw_uid, pw->pw_gid))
		rx_warn("cannot chown %s to %s: %s", run_dir, user, strerror(errno));
	if (initgroups(pw->pw_name, pw->pw_gid) || setgid(pw->pw_gid) || setuid(pw->pw_uid)) {
		rx_err("cannot drop privileges to %s: %s", user, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		rx_err("privileges not dropped: setuid(0) still works");
		return -1;
	}
	rx_info("running as %s (uid %u)", user, (unsigned)pw->pw_uid);
	return 0;
}

struct daemon {
	struct rx_config cfg;
	const char *config_path;
	bool config_given;
	const char *image_opt;
	char pid_path[PATH_MAX + 32];
	char stats_path[PATH_MAX + 32];
	char top_path[PATH_MAX + 32];
	struct fb_top *top;
	struct fb_stats *main_stats;
};

static const char *image_path(struct daemon *d)
{
	static struct rx_config fresh;
	char err[512];

	if (d->image_opt)
		return d->image_opt;
	/* re-read the config for a changed 'image' (other keys need a restart) */
	rx_config_defaults(&fresh);
	if (rx_config_load(&fresh, d->config_path, d->config_given, err, sizeof(err)) == 0)
		return fresh.image;
	rx_warn("%s (reloading from %s)", err, d->cfg.image);
	return d->cfg.image;
}

/* allow_older: SIGUSR1, the rollback `rootxdp load --previous` asks for. */
static void reload(struct daemon *d, bool allow_older)
{
	struct fb_zone *cur = fb_live_ref(), *z;
	const char *path = image_path(d);
	char err[600], msg[128];

	sd_notify_msg("RELOADING=1");
	z = fb_zone_load(path, err, sizeof(err));
	if (!z) {
		rx_err("reload failed: %s (still serving serial %u)", err, cur ? cur->serial : 0);
		fb_stat_add(d->main_stats, FB_S_RELOAD_FAILED, 1);
	} else if (cur && z->serial == cur->serial) {
		rx_info("reload: %s has serial %u, already served: nothing to do", path, z->serial);
		fb_zone_unref(z);
	} else if (cur && !allow_older && !rx_serial_newer(z->serial, cur->serial)) {
		rx_err("reload refused: %s has serial %u, older than the served %u", path,
		       z->serial, cur->serial);
		fb_stat_add(d->main_stats, FB_S_RELOAD_FAILED, 1);
		fb_zone_unref(z);
	} else {
		rx_info("serving serial %u from %s (was %u)", z->serial, path,
			cur ? cur->serial : 0);
		fb_live_set(z);
		fb_stat_add(d->main_stats, FB_S_RELOADS, 1);
	}
	fb_zone_unref(cur);
	cur = fb_live_ref();
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=serving serial %u", cur ? cur->serial : 0);
	fb_zone_unref(cur);
	sd_notify_msg(msg);
}

static void write_stats(struct daemon *d, struct fb_server *srv)
{
	struct fb_zone *z = fb_live_ref();
	struct fb_stats *blocks;
	int n, rc;
	static bool warned;

	blocks = fb_server_stats(srv, &n);
	rc = fb_stats_write(d->stats_path, blocks, n, z ? z->serial : 0);
	fb_zone_unref(z);
	if (rc && !warned) {
		rx_warn("cannot write %s: %s", d->stats_path, strerror(-rc));
		warned = true;
	}
	rc = fb_top_write(d->top, d->top_path);
	if (rc && !warned) {
		rx_warn("cannot write %s: %s", d->top_path, strerror(-rc));
		warned = true;
	}
}

/*
 * The cookie secrets the kernel paths have (state-dir/cookie-secret, made
 * by whichever of rootxdp and rootxdpd starts first, or the config).  On
 * SIGHUP (`rootxdp cookie-secret rotate` sends one) they are read again
 * and swapped in whole; the set before is freed one swap later, when no
 * worker can still hold it (a query takes microseconds).
 */
static int cookie_keys_load(const struct rx_config *cfg, struct fb_conf *cf, bool first)
{
	static struct rx_cookie_keys *older;
	struct rx_cookie_keys *k;
	struct rx_secrets sec;
	char err[600];

	if (rx_secrets_load(cfg, &sec, err, sizeof(err))) {
		rx_err("cookie secret: %s%s", err, first ? "" : " (keeping the ones in use)");
		return -1;
	}
	k = calloc(1, sizeof(*k));
	if (!k)
		return -1;
	rx_secrets_keys(&sec, k);
	explicit_bzero(&sec, sizeof(sec));
	free(older);
	older = (struct rx_cookie_keys *)__atomic_exchange_n(&cf->cookie_keys, k, __ATOMIC_ACQ_REL);
	return 0;
}

/*
 * TSIG keys (tsig-key, tsig-key-file) and axfr-allow-key, swapped whole
 * like the cookie keys.  On SIGHUP the config is read again for them; a
 * tsig-key-file that only root may read cannot be read again once we run
 * as `user`: the keys in use stay, and the log says a restart reads it.
 */
static int tsig_load(const struct rx_config *cfg, struct fb_conf *cf, bool first)
{
	static struct fb_tsig *older;
	struct fb_tsig *t;
	char err[512];

	t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	if (rx_tsig_keys_load(cfg, &t->keys, err, sizeof(err))) {
		rx_err("%s%s", err, first ? "" : " (keeping the TSIG keys in use; a restart "
		       "reads the file as root)");
		free(t);
		return -1;
	}
	for (int i = 0; i < cfg->naxfr_allow_key; i++) {
		const struct rx_tsig_key *k = rx_tsig_key_find(&t->keys, cfg->axfr_allow_key[i]);

		if (!k) {
			rx_err("axfr-allow-key '%s' is not a key of tsig-key or tsig-key-file%s",
			       cfg->axfr_allow_key[i], first ? "" : " (keeping the keys in use)");
			explicit_bzero(t, sizeof(*t));
			free(t);
			return -1;
		}
		t->axfr_key[k - t->keys.k] = true;
		t->axfr_need_key = true;
	}
	if (t->keys.n)
		rx_info("%d TSIG key%s%s", t->keys.n, t->keys.n == 1 ? "" : "s",
			t->axfr_need_key ? "; transfers need one of axfr-allow-key" : "");
	if (older) {
		explicit_bzero(older, sizeof(*older));
		free(older);
	}
	older = (struct fb_tsig *)__atomic_exchange_n(&cf->tsig, t, __ATOMIC_ACQ_REL);
	return 0;
}

/* What the responder reads of the config (fb_conf's plain fields): set at
 * start, and again on SIGHUP into a new copy (fb_conf.live). */
static int answer_conf(const struct rx_config *cfg, struct fb_conf *cf)
{
	cf->max_payload = cfg->max_udp_payload;
	cf->nsid = cfg->nsid;
	cf->ident_len = strnlen(cfg->identity, RX_IDENT_MAX);
	memcpy(cf->ident, cfg->identity, cf->ident_len);
	cf->version_len = strnlen(cfg->version, RX_IDENT_MAX);
	memcpy(cf->version, cfg->version, cf->version_len);
	cf->minimal_any = cfg->minimal_any;
	cf->tcp_idle_timeout_ms = cfg->tcp_idle_timeout_ms;
	for (int i = 0; i < cfg->naxfr_allow; i++) {
		if (fb_acl_parse(cfg->axfr_allow[i], &cf->axfr_allow[i])) {
			rx_err("axfr-allow: '%s' is not an address or prefix", cfg->axfr_allow[i]);
			return -1;
		}
	}
	cf->naxfr_allow = cfg->naxfr_allow;
	return 0;
}

static int conf_from_config(const struct rx_config *cfg, struct fb_conf *cf)
{
	memset(cf, 0, sizeof(*cf));
	if (answer_conf(cfg, cf))
		return -1;
	if (cfg->rrl_rate) {
		struct fb_acl ex[RX_CONF_LIST_MAX];
		struct rx_rrl_params p;

		for (int i = 0; i < cfg->nrrl_exempt; i++) {
			if (fb_acl_parse(cfg->rrl_exempt[i], &ex[i])) {
				rx_err("rrl-exempt: '%s' is not an address or prefix",
				       cfg->rrl_exempt[i]);
				return -1;
			}
		}
		rx_rrl_params_set(&p, cfg->rrl_rate, cfg->rrl_slip, cfg->rrl_window_s,
				  cfg->rrl_ipv4_prefix, cfg->rrl_ipv6_prefix, cfg->rrl_log_only);
		cf->rrl = fb_rrl_new(&p, cfg->rrl_table_size, ex, cfg->nrrl_exempt);
		if (!cf->rrl) {
			rx_err("cannot allocate the RRL table (rrl-table-size %u)",
			       cfg->rrl_table_size);
			return -1;
		}
	}
	if (tsig_load(cfg, cf, true))
		return -1;
	return cookie_keys_load(cfg, cf, true);
}

/*
 * SIGHUP: the config again.  Applied without a restart: what the responder
 * reads (identity, nsid, version, max-udp-payload, minimal-any, axfr-allow:
 * a new fb_conf copy swapped in as fb_conf.live, the old one freed a swap
 * later), the TSIG keys and axfr-allow-key, the cookie secrets, and image
 * (reload()).  The keys below bind sockets, size the workers and their
 * tables, or were dropped with the privileges: a change is named in one
 * warning and the value in use stays.  Compared through rx_config_dump(),
 * which prints no secret.
 */
static const char *const restart_keys[] = {
	"listen", "port", "workers", "tcp-idle-timeout", "tcp-max-clients",
	"tcp-max-per-client", "user", "run-dir", "dnstap", "dnstap-identity",
	"dnstap-log-queries", "dnstap-log-responses", "rrl-rate", "rrl-slip",
	"rrl-window", "rrl-ipv4-prefix", "rrl-ipv6-prefix", "rrl-exempt", "rrl-log-only",
	"rrl-table-size", NULL
};

/* Keep in nc the values of restart_keys that cfg runs with. */
static void keep_restart_keys(struct rx_config *nc, const struct rx_config *cfg)
{
	memcpy(nc->listen, cfg->listen, sizeof(nc->listen));
	nc->nlisten = cfg->nlisten;
	nc->port = cfg->port;
	nc->workers = cfg->workers;
	nc->tcp_idle_timeout_ms = cfg->tcp_idle_timeout_ms;
	nc->tcp_max_clients = cfg->tcp_max_clients;
	nc->tcp_max_per_client = cfg->tcp_max_per_client;
	memcpy(nc->user, cfg->user, sizeof(nc->user));
	memcpy(nc->run_dir, cfg->run_dir, sizeof(nc->run_dir));
	memcpy(nc->dnstap, cfg->dnstap, sizeof(nc->dnstap));
	memcpy(nc->dnstap_identity, cfg->dnstap_identity, sizeof(nc->dnstap_identity));
	nc->dnstap_log_queries = cfg->dnstap_log_queries;
	nc->dnstap_log_responses = cfg->dnstap_log_responses;
	nc->rrl_rate = cfg->rrl_rate;
	nc->rrl_slip = cfg->rrl_slip;
	nc->rrl_window_s = cfg->rrl_window_s;
	nc->rrl_ipv4_prefix = cfg->rrl_ipv4_prefix;
	nc->rrl_ipv6_prefix = cfg->rrl_ipv6_prefix;
	memcpy(nc->rrl_exempt, cfg->rrl_exempt, sizeof(nc->rrl_exempt));
	nc->nrrl_exempt = cfg->nrrl_exempt;
	nc->rrl_log_only = cfg->rrl_log_only;
	nc->rrl_table_size = cfg->rrl_table_size;
}

/* The restart_keys whose dumped line differs, comma separated in need. */
static void restart_diff(const struct rx_config *a_cfg, const struct rx_config *b_cfg,
			 char *need, size_t needlen)
{
	char *a = NULL, *b = NULL, *la, *lb, *sa, *sb;
	size_t na = 0, nb = 0;
	FILE *fa = open_memstream(&a, &na), *fb = open_memstream(&b, &nb);

	need[0] = '\0';
	if (fa && fb) {
		rx_config_dump(a_cfg, fa);
		rx_config_dump(b_cfg, fb);
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	for (la = a ? strtok_r(a, "\n", &sa) : NULL, lb = b ? strtok_r(b, "\n", &sb) : NULL;
	     la && lb; la = strtok_r(NULL, "\n", &sa), lb = strtok_r(NULL, "\n", &sb)) {
		size_t k = strcspn(la, " ");

		if (!strcmp(la, lb))
			continue;
		for (int i = 0; restart_keys[i]; i++)
			if (strlen(restart_keys[i]) == k && !strncmp(la, restart_keys[i], k) &&
			    strlen(need) + k + 3 < needlen)
				snprintf(need + strlen(need), needlen - strlen(need), "%s%.*s",
					 need[0] ? ", " : "", (int)k, la);
	}
	free(a);
	free(b);
}

static void hup_config(struct daemon *d, struct fb_conf *cf)
{
	static struct fb_conf *older;
	struct fb_conf *live;
	struct rx_config nc;
	char err[512], need[512];

	if (d->cfg.path[0]) {
		rx_config_defaults(&nc);
		if (rx_config_load(&nc, d->cfg.path, true, err, sizeof(err))) {
			rx_err("SIGHUP: %s (keeping the configuration in use)", err);
		} else {
			restart_diff(&d->cfg, &nc, need, sizeof(need));
			if (need[0])
				rx_warn("SIGHUP: %s changed in %s: not applied, they need a restart",
					need, d->cfg.path);
			keep_restart_keys(&nc, &d->cfg);
			live = calloc(1, sizeof(*live));
			if (live && answer_conf(&nc, live) == 0) {
				d->cfg = nc;
				live->rrl = cf->rrl;
				live->dnstap = cf->dnstap;
			} else {
				rx_err("SIGHUP: keeping the configuration in use");
				free(live);
				live = NULL;
			}
			explicit_bzero(&nc, sizeof(nc));
			if (live) {
				tsig_load(&d->cfg, cf, false);
				cookie_keys_load(&d->cfg, cf, false);
				live->cookie_keys = __atomic_load_n(&cf->cookie_keys, __ATOMIC_ACQUIRE);
				live->tsig = __atomic_load_n(&cf->tsig, __ATOMIC_ACQUIRE);
				free(older);
				older = (struct fb_conf *)__atomic_exchange_n(&cf->live, live,
									      __ATOMIC_ACQ_REL);
				return;
			}
		}
	}
	cookie_keys_load(&d->cfg, cf, false);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "image", required_argument, NULL, 'i' },
		{ "port", required_argument, NULL, 'p' },
		{ "listen", required_argument, NULL, 'l' },
		{ "workers", required_argument, NULL, 'w' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static struct daemon d;
	static struct fb_conf cf;
	struct fb_server_opts so;
	struct fb_server *srv;
	struct fb_ktap *ktap = NULL;
	struct fb_zone *z;
	char listen[RX_CONF_LIST_MAX][64];
	int nlisten = 0, port = -1, workers = -1, opt, rc = 1;
	char err[600], *end;
	sigset_t sigs;
	FILE *pf;

	rx_prog = "rootxdpd";
	d.config_path = RX_CONF_DEFAULT;
	while ((opt = getopt_long(argc, argv, "c:i:p:l:w:vfVh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			d.config_path = optarg;
			d.config_given = true;
			break;
		case 'i':
			d.image_opt = optarg;
			break;
		case 'p':
			port = strtol(optarg, &end, 10);
			if (*end || port < 1 || port > 65535) {
				rx_err("--port: expected 1..65535, got '%s'", optarg);
				return 2;
			}
			break;
		case 'l':
			if (nlisten >= RX_CONF_LIST_MAX || strlen(optarg) >= sizeof(listen[0])) {
				rx_err("--listen: at most %d addresses", RX_CONF_LIST_MAX);
				return 2;
			}
			snprintf(listen[nlisten++], sizeof(listen[0]), "%s", optarg);
			break;
		case 'w':
			workers = strtol(optarg, &end, 10);
			if (*end || workers < 0 || workers > 256) {
				rx_err("--workers: expected 0..256, got '%s'", optarg);
				return 2;
			}
			break;
		case 'v':
			rx_log_max = RX_LOG_DEBUG;
			break;
		case 'f':
			break;
		case 'V':
			printf("rootxdpd %s\n", RX_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		rx_err("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return 2;
	}

	rx_config_defaults(&d.cfg);
	if (rx_config_load(&d.cfg, d.config_path, d.config_given, err, sizeof(err))) {
		rx_err("%s", err);
		return 1;
	}
	if (conf_from_config(&d.cfg, &cf))
		return 1;
	memset(&so, 0, sizeof(so));
	if (nlisten) {
		memcpy(so.listen, listen, sizeof(listen[0]) * nlisten);
		so.nlisten = nlisten;
	} else {
		memcpy(so.listen, d.cfg.listen, sizeof(d.cfg.listen[0]) * d.cfg.nlisten);
		so.nlisten = d.cfg.nlisten;
	}
	so.port = port > 0 ? (unsigned)port : d.cfg.port;
	so.workers = workers >= 0 ? (unsigned)workers : d.cfg.workers;
	if (!so.workers) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		so.workers = n > 0 ? (n > 64 ? 64 : n) : 1;
	}
	so.tcp_idle_timeout_ms = d.cfg.tcp_idle_timeout_ms;
	so.tcp_max_clients = d.cfg.tcp_max_clients;
	so.tcp_max_per_client = d.cfg.tcp_max_per_client;

	/* Signals are taken by the main thread only (sigtimedwait). */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	z = fb_zone_load(d.image_opt ? d.image_opt : d.cfg.image, err, sizeof(err));
	if (z) {
		rx_info("serving serial %u from %s (%u RRs, %u TLDs)", z->serial,
			d.image_opt ? d.image_opt : d.cfg.image, z->nrrs, z->img.hdr->ntld);
		fb_live_set(z);
	} else {
		rx_err("no zone: %s (answering SERVFAIL until a reload succeeds)", err);
	}

	if (d.cfg.top_names) {
		d.top = cf.top = fb_top_new(so.workers);
		if (!cf.top) {
			rx_err("out of memory for the name counters (top-names = no to go without)");
			goto out_zone;
		}
	}
	srv = fb_server_new(&so, &cf, err, sizeof(err));
	if (!srv) {
		rx_err("%s", err);
		goto out_zone;
	}
	{
		int n;

		d.main_stats = &fb_server_stats(srv, &n)[n - 1];
	}
	if (mkdir(d.cfg.run_dir, 0755) && errno != EEXIST)
		rx_warn("cannot create %s: %s", d.cfg.run_dir, strerror(errno));
	snprintf(d.pid_path, sizeof(d.pid_path), "%s/rootxdpd.pid", d.cfg.run_dir);
	snprintf(d.stats_path, sizeof(d.stats_path), "%s/rootxdpd.stats", d.cfg.run_dir);
	snprintf(d.top_path, sizeof(d.top_path), "%s/rootxdpd.top", d.cfg.run_dir);
	if (!d.top)
		unlink(d.top_path);	/* an earlier run's counts: not ours */
	pf = fopen(d.pid_path, "w");
	if (pf) {
		fprintf(pf, "%ld\n", (long)getpid());
		fclose(pf);
	} else {
		rx_warn("cannot write %s: %s", d.pid_path, strerror(errno));
	}
	/* RSSAC002 counters: a file in state-dir, opened before the drop */
	if (fb_rssac_open(d.cfg.state_dir, err, sizeof(err)))
		rx_warn("%s: RSSAC002 counters off", err);
	/* the kernel paths' dnstap sample: its ring is opened while we may */
	if (d.cfg.dnstap[0] && d.cfg.dnstap_sample_rate)
		ktap = fb_ktap_open(d.cfg.pin_root, d.main_stats);
	else if (d.cfg.dnstap_sample_rate)
		rx_warn("dnstap-sample-rate is %u but dnstap is not set: the kernel's sample "
			"is not written (tap_lost counts it)", d.cfg.dnstap_sample_rate);
	if (drop_privileges(d.cfg.user, d.cfg.run_dir))
		goto out_srv;
	/* dnstap: opened as the user we run as (a file reopened on SIGHUP is) */
	if (d.cfg.dnstap[0]) {
		struct fb_dnstap_opts to = {
			.dest = d.cfg.dnstap,
			.identity = d.cfg.dnstap_identity[0] ? d.cfg.dnstap_identity : d.cfg.identity,
			.version = "rootxdpd " RX_VERSION,
			.log_queries = d.cfg.dnstap_log_queries,
			.log_responses = d.cfg.dnstap_log_responses,
			.nqueues = so.workers + 1,	/* + the kernel sample's */
		};

		cf.dnstap = fb_dnstap_new(&to, err, sizeof(err));
		if (!cf.dnstap) {
			rx_err("%s", err);
			goto out_srv;
		}
		rx_info("dnstap to %s (%s%s%s)", d.cfg.dnstap,
			to.log_queries ? "queries" : "",
			to.log_queries && to.log_responses ? ", " : "",
			to.log_responses ? "responses" : "");
		if (ktap) {
			if (fb_ktap_start(ktap, cf.dnstap, so.workers))
				goto out_srv;
			rx_info("dnstap: the kernel paths' sample too, 1 in %u answers",
				d.cfg.dnstap_sample_rate);
		}
	}
	if (fb_server_start(srv))
		goto out_srv;
	{
		char listen_s[256] = "";

		for (int i = 0; i < so.nlisten; i++)
			snprintf(listen_s + strlen(listen_s), sizeof(listen_s) - strlen(listen_s),
				 "%s%s", i ? " " : "", so.listen[i]);
		rx_info("listening on %s port %u (udp, tcp), %u workers", listen_s, so.port,
			so.workers);
	}
	{
		char msg[128];

		snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%ld\nSTATUS=serving serial %u",
			 (long)getpid(), z ? z->serial : 0);
		sd_notify_msg(msg);
	}

	for (;;) {
		struct timespec ts = { 1, 0 };
		siginfo_t si;
		int sig = sigtimedwait(&sigs, &si, &ts);

		if (sig == SIGHUP) {
			rx_info("SIGHUP: reloading");
			reload(&d, false);
			hup_config(&d, &cf);
			fb_dnstap_reopen(cf.dnstap);
		} else if (sig == SIGUSR1) {
			rx_info("SIGUSR1: reloading, an older serial allowed (rollback)");
			reload(&d, true);
		} else if (sig == SIGTERM || sig == SIGINT) {
			rx_info("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
			break;
		}
		write_stats(&d, srv);
		fb_rssac_tick();
	}
	sd_notify_msg("STOPPING=1");
	fb_server_stop(srv);
	write_stats(&d, srv);
	rc = 0;
out_srv:
	fb_ktap_free(ktap);		/* before the stream it writes to */
	fb_dnstap_free(cf.dnstap);	/* what is queued is written, then STOP */
	cf.dnstap = NULL;
	unlink(d.pid_path);
	fb_server_free(srv);
out_zone:
	fb_top_free(cf.top);
	fb_live_set(NULL);
	return rc;
}
