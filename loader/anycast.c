// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * anycast.c - `rootxdp anycast watch|drain|undrain|status|withdraw`.
 *
 * The watcher runs `rootxdp health`'s checks every anycast-interval and
 * keeps one marker route per anycast-prefix in table anycast-table while
 * they pass (anycast_route.c); the route daemon announces exactly what is
 * there (dist/bird/).  Hysteresis: the prefixes are withdrawn after
 * anycast-fall failed checks in a row and announced again after
 * anycast-rise good ones, so a check that flaps does not flap the route.
 * Each check runs in a child process with a deadline: a hung check (a
 * rootxdpd that accepts but never answers, a stuck syscall) counts as a
 * failure instead of stalling the watcher, and nothing a check allocates
 * can accumulate over months.
 *
 * Withdrawal time after a fault, at the instance: at most anycast-fall x
 * anycast-interval plus one check (its deadline is the rootxdpd query
 * timeout, 1 s, plus 1 s); BIRD hears of the route's removal by netlink at
 * once and sends the BGP withdrawal.  A drain (a file in state-dir, so it
 * survives a reboot) withdraws at the next check, without hysteresis.
 * Stopping the watcher withdraws too: nobody would watch health any more
 * (the systemd unit also runs `anycast withdraw` after a crash).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "utc.h"
#include "anycast.h"
#include "cmd.h"
#include "log.h"
#include "opts.h"
#include "rootxdp.h"

#define CHECK_TIMEOUT_MS 1000	/* the . SOA query to rootxdpd */
#define CHECK_SLACK_MS	 1000	/* the rest of a check, at most */
#define MAX_LINES	 16

struct watch {
	const struct rx_config *c;
	const char *pin_root;
	struct rx_prefix pfx[RX_CONF_LIST_MAX];
	int npfx;
	unsigned table;
};

static volatile sig_atomic_t stop_sig;
static void on_stop(int sig) { stop_sig = sig; }
static void on_hup(int sig) { (void)sig; }

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

static void drain_path(const struct rx_config *c, char *buf, size_t len)
{
	rx_fmt(buf, len, "%s/anycast.drain", c->state_dir);
}

static void state_path(const struct rx_config *c, char *buf, size_t len)
{
	rx_fmt(buf, len, "%s/anycast.state", c->run_dir);
}

/* run-dir/anycast.state: what the watcher last did, for `anycast status`
 * and `anycast drain` (written whole and renamed). */
static void state_write(const struct watch *w, const char *state, const char *why)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;
	int i;

	state_path(w->c, path, sizeof(path));
	if (rx_fmt(tmp, sizeof(tmp), "%s.tmp", path))
		return;
	mkdir(w->c->run_dir, 0755);
	f = fopen(tmp, "w");
	if (!f) {
		rx_warn("cannot write %s: %s", tmp, strerror(errno));
		return;
	}
	fprintf(f, "state %s\nsince %lld\npid %d\nprefixes", state, (long long)time(NULL),
		(int)getpid());
	for (i = 0; i < w->npfx; i++)
		fprintf(f, " %s", w->pfx[i].text);
	fprintf(f, "\nreason %s\n", why && *why ? why : "-");
	if (fclose(f) || rename(tmp, path))
		rx_warn("cannot write %s: %s", path, strerror(errno));
}

/* ---- one check, in a child ---- */

static int run_check(const struct watch *w, char (*lines)[RX_HEALTH_LINE], int max)
{
	unsigned long long deadline = now_ms() + CHECK_TIMEOUT_MS + CHECK_SLACK_MS;
	char buf[MAX_LINES * RX_HEALTH_LINE], *s, *nl;
	size_t got = 0;
	int pfd[2], status = 0, n = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC)) {
		snprintf(lines[0], RX_HEALTH_LINE, "cannot run the health check: %s", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(lines[0], RX_HEALTH_LINE, "cannot run the health check: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return 1;
	}
	if (pid == 0) {
		char l[MAX_LINES][RX_HEALTH_LINE];
		struct rx_health_info hi;
		int i, k;

		close(pfd[0]);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		k = rx_health_problems(w->c, w->pin_root, NULL, (__u64)time(NULL), CHECK_TIMEOUT_MS,
				       l, MAX_LINES, &hi);
		for (i = 0; i < k; i++)
			dprintf(pfd[1], "%s\n", l[i]);
		_exit(k ? 1 : 0);
	}
	close(pfd[1]);
	for (;;) {
		long long left = (long long)(deadline - now_ms());
		struct pollfd pf = { .fd = pfd[0], .events = POLLIN };
		ssize_t r;

		if (left <= 0) {
			kill(pid, SIGKILL);
			snprintf(lines[n++], RX_HEALTH_LINE, "the health check did not finish within "
				 "%d ms (a hung rootxdpd or bpf call?)", CHECK_TIMEOUT_MS + CHECK_SLACK_MS);
			break;
		}
		if (poll(&pf, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!pf.revents)
			continue;
		r = read(pfd[0], buf + got, sizeof(buf) - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (got += (size_t)r) >= sizeof(buf) - 1)
			break;
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	buf[got] = '\0';
	for (s = buf; n < max && *s; s = nl + 1) {
		nl = strchr(s, '\n');
		if (!nl)
			break;
		*nl = '\0';
		rx_strlcpy(lines[n++], s, RX_HEALTH_LINE);
	}
	if (!n && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		snprintf(lines[n++], RX_HEALTH_LINE, "the health check failed (status 0x%x)", status);
	return n;
}

/* ---- markers ---- */

static int markers_set(const struct watch *w, bool add)
{
	int i, err, bad = 0;

	for (i = 0; i < w->npfx; i++) {
		err = rx_marker_set(&w->pfx[i], w->table, add);
		if (err) {
			rx_err("cannot %s the marker route of %s in table %u: %s" RX_HINT_FMT,
			       add ? "add" : "remove", w->pfx[i].text, w->table, rx_strerr(err),
			       RX_HINT_ARGS(err));
			bad++;
		}
	}
	return bad;
}

/* How many markers are there (and -errno on a failed look). */
static int markers_present(const struct watch *w)
{
	int i, r, n = 0;

	for (i = 0; i < w->npfx; i++) {
		r = rx_marker_present(&w->pfx[i], w->table);
		if (r < 0)
			return r;
		n += r;
	}
	return n;
}

static void prefixes_text(const struct watch *w, char *buf, size_t len)
{
	size_t o = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < w->npfx && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "", w->pfx[i].text);
}

static int watch_setup(struct watch *w, const struct rx_config *c, const char *pin_root)
{
	char e[256];
	int i;

	memset(w, 0, sizeof(*w));
	w->c = c;
	w->pin_root = pin_root;
	w->table = c->anycast_table;
	if (!c->nanycast_prefix) {
		rx_err("no anycast-prefix in %s: nothing to announce (set the service prefixes, "
		       "e.g. anycast-prefix = 198.51.100.0/24 2001:db8::/48)",
		       c->path[0] ? c->path : RX_CONF_DEFAULT);
		return -EINVAL;
	}
	if (w->table >= 253 && w->table <= 255) {
		rx_err("anycast-table = %u is a table the kernel forwards with (default, main, "
		       "local): choose one nothing else uses, e.g. %u", w->table, RX_ANYCAST_TABLE);
		return -EINVAL;
	}
	for (i = 0; i < c->nanycast_prefix; i++) {
		if (rx_prefix_parse(c->anycast_prefix[i], &w->pfx[i], e, sizeof(e))) {
			rx_err("anycast-prefix: %s", e);
			return -EINVAL;
		}
	}
	w->npfx = c->nanycast_prefix;
	return 0;
}

/* ---- rootxdp anycast watch ---- */

static int watch(struct watch *w)
{
	char lines[MAX_LINES][RX_HEALTH_LINE], prev[RX_HEALTH_LINE] = "", drain[PATH_MAX];
	char pfx[RX_CONF_LIST_MAX * 64];
	const struct rx_config *c = w->c;
	unsigned good = 0, bad = 0;
	bool announced, drained, was_drained = false, dirty = false;
	struct sigaction sa;
	int n, i, present;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	drain_path(c, drain, sizeof(drain));
	prefixes_text(w, pfx, sizeof(pfx));
	present = markers_present(w);
	if (present < 0) {
		rx_err("cannot read the routes of table %u: %s" RX_HINT_FMT, w->table,
		       rx_strerr(present), RX_HINT_ARGS(present));
		return RX_EXIT_FAIL;
	}
	/* After a crash the markers may still be there: keep them while
	 * checks pass (no flap), withdraw after anycast-fall failures. */
	announced = present > 0;
	rx_log(RX_LOG_INFO, "watching %s: table %u, a check every %u ms, withdraw after %u "
	       "failed, announce after %u good%s", pfx, w->table, c->anycast_interval_ms,
	       c->anycast_fall, c->anycast_rise, announced ? " (announced already)" : "");
	state_write(w, announced ? "announced" : "withdrawn", "watcher started");

	while (!stop_sig) {
		unsigned long long next = now_ms() + c->anycast_interval_ms;

		drained = access(drain, F_OK) == 0;
		n = drained ? 0 : run_check(w, lines, MAX_LINES);
		if (stop_sig)
			break;
		if (drained) {
			good = bad = 0;
		} else if (n == 0) {
			if (bad)
				rx_log(RX_LOG_WARN, "health good again after %u failed check(s)", bad);
			good++;
			bad = 0;
			prev[0] = '\0';
		} else {
			bad++;
			good = 0;
			/* Say why once per change, not every second. */
			if (strcmp(prev, lines[0])) {
				for (i = 0; i < n; i++)
					rx_log(RX_LOG_WARN, "check failed (%u of %u): %s", bad,
					       c->anycast_fall, lines[i]);
				rx_strlcpy(prev, lines[0], sizeof(prev));
			}
		}
		if (drained != was_drained) {
			rx_log(RX_LOG_WARN, "%s", drained ? "drained by hand (rootxdp anycast undrain "
			       "ends it)" : "drain ended: announcing after anycast-rise good checks");
			/* Withdrawn already: nothing to take away, but `anycast
			 * drain` waits to read that the drain holds. */
			if (!announced)
				state_write(w, drained ? "drained" : "withdrawn",
					    drained ? "drained by hand" : "drain ended");
		}
		was_drained = drained;

		if (announced && (drained || bad >= c->anycast_fall)) {
			dirty = markers_set(w, false) != 0;
			announced = false;
			rx_log(RX_LOG_WARN, "withdrawn %s: %s", pfx,
			       drained ? "drained" : lines[0]);
			state_write(w, drained ? "drained" : "withdrawn", drained ? "drained by hand" :
				    lines[0]);
		} else if (!announced && !drained && good >= c->anycast_rise) {
			dirty = markers_set(w, true) != 0;
			announced = true;
			rx_log(RX_LOG_WARN, "announced %s: %u good checks", pfx, good);
			state_write(w, "announced", "healthy");
		} else if (dirty || (announced && markers_present(w) < w->npfx)) {
			/* A failed route change, or a marker someone removed:
			 * make the kernel table say what we decided. */
			if (!dirty)
				rx_log(RX_LOG_WARN, "a marker route went missing from table %u: "
				       "adding it again", w->table);
			dirty = markers_set(w, announced) != 0;
		}

		while (!stop_sig) {
			long long left = (long long)(next - now_ms());
			struct timespec ts;

			if (left <= 0)
				break;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000;
			nanosleep(&ts, NULL);
		}
	}
	/* Nobody watches health once we are gone: withdraw. */
	markers_set(w, false);
	rx_log(RX_LOG_WARN, "stopping (signal %d): withdrawn %s", (int)stop_sig, pfx);
	state_write(w, "stopped", "the watcher stopped");
	return RX_EXIT_OK;
}

/* ---- the other subcommands ---- */

struct st_file {
	char state[32], prefixes[RX_CONF_LIST_MAX * 64], reason[RX_HEALTH_LINE];
	long long since;
	int pid;
};

static int st_read(const struct rx_config *c, struct st_file *s)
{
	char path[PATH_MAX], line[2048];
	FILE *f;

	memset(s, 0, sizeof(*s));
	state_path(c, path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "state ", 6))
			rx_strlcpy(s->state, line + 6, sizeof(s->state));
		else if (!strncmp(line, "since ", 6))
			s->since = atoll(line + 6);
		else if (!strncmp(line, "pid ", 4))
			s->pid = atoi(line + 4);
		else if (!strncmp(line, "prefixes ", 9))
			rx_strlcpy(s->prefixes, line + 9, sizeof(s->prefixes));
		else if (!strncmp(line, "reason ", 7))
			rx_strlcpy(s->reason, line + 7, sizeof(s->reason));
	}
	fclose(f);
	return 0;
}

static bool watcher_alive(const struct st_file *s)
{
	return s->pid > 0 && strcmp(s->state, "stopped") && kill(s->pid, 0) == 0;
}

static int do_drain(const struct watch *w, bool on, unsigned wait_s)
{
	const struct rx_config *c = w->c;
	char path[PATH_MAX];
	struct st_file s;
	unsigned long long until;
	FILE *f;

	drain_path(c, path, sizeof(path));
	if (!on) {
		if (unlink(path) && errno != ENOENT) {
			rx_err("cannot remove %s: %s", path, strerror(errno));
			return RX_EXIT_FAIL;
		}
		printf("undrained: the watcher announces again after %u good checks (%u ms apart)\n",
		       c->anycast_rise, c->anycast_interval_ms);
		return RX_EXIT_OK;
	}
	mkdir(c->state_dir, 0755);
	f = fopen(path, "w");
	if (!f || fprintf(f, "drained at %lld\n", (long long)time(NULL)) < 0 || fclose(f)) {
		rx_err("cannot write %s: %s (state-dir must be writable)", path, strerror(errno));
		return RX_EXIT_FAIL;
	}
	if (st_read(c, &s) || !watcher_alive(&s)) {
		printf("drained: no watcher runs now; it will keep the prefixes withdrawn when it "
		       "starts (rootxdp anycast undrain ends it)\n");
		return RX_EXIT_OK;
	}
	until = now_ms() + (unsigned long long)wait_s * 1000;
	while (strcmp(s.state, "drained") && now_ms() < until) {
		usleep(100000);
		if (st_read(c, &s))
			break;
	}
	if (!strcmp(s.state, "drained")) {
		printf("drained: %s withdrawn by the watcher (pid %d); traffic moves to the other "
		       "instances as BGP converges\n", s.prefixes, s.pid);
		return RX_EXIT_OK;
	}
	if (wait_s == 0) {
		printf("drained: the watcher (pid %d) withdraws at its next check\n", s.pid);
		return RX_EXIT_OK;
	}
	rx_err("the watcher (pid %d) has not withdrawn within %u s (state %s): check "
	       "journalctl -u rootxdp-anycast, or rootxdp anycast withdraw", s.pid, wait_s, s.state);
	return RX_EXIT_FAIL;
}

static int do_status(const struct watch *w)
{
	const struct rx_config *c = w->c;
	char path[PATH_MAX], when[32];
	struct st_file s;
	int i, r;

	drain_path(c, path, sizeof(path));
	if (st_read(c, &s) == 0) {
		rx_utc((uint64_t)s.since, when, sizeof(when));
		printf("watcher:  %s, pid %d\n", watcher_alive(&s) ? "running" : "not running", s.pid);
		printf("state:    %s since %s (%s)\n", s.state, when, s.reason);
	} else {
		printf("watcher:  never ran with run-dir %s\n", c->run_dir);
	}
	printf("drain:    %s\n", access(path, F_OK) ? "no" : "yes (rootxdp anycast undrain)");
	for (i = 0; i < w->npfx; i++) {
		r = rx_marker_present(&w->pfx[i], w->table);
		printf("prefix:   %s %s\n", w->pfx[i].text, r > 0 ? "announced (marker in table)" :
		       r == 0 ? "withdrawn" : rx_strerr(r));
	}
	return RX_EXIT_OK;
}

struct anycast_args {
	const char *conf, *pin_root, *netns;
	unsigned wait_s;
};

static const struct rx_opt anycast_opts[] = {
	RX_OPT_CONFIG(struct anycast_args, conf),
	RX_OPT_PIN_ROOT(struct anycast_args, pin_root),
	RX_OPT_NETNS(struct anycast_args, netns,
		     "run in network namespace NAME (routes, BIRD, rootxdpd)"),
	RX_OPT_NUM(struct anycast_args, wait_s, "wait", 'w', "SECS", 0, 3600,
		   "drain: how long to wait for the withdrawal (0: no wait)"),
	RX_OPT_VERBOSE("more detail"),
	{ 0 }
};

static const struct rx_cmd_spec anycast_spec = {
	.name = "anycast",
	.args = "watch|drain|undrain|status|withdraw",
	.min_args = 1,
	.max_args = 1,
	.about = "Announce the service prefixes (anycast-prefix) while this instance is\n"
		 "healthy: the watcher keeps a marker route per prefix in kernel table\n"
		 "anycast-table, which the route daemon exports (see docs/anycast.md).\n"
		 "  watch      run the checks of rootxdp health every anycast-interval:\n"
		 "             withdraw after anycast-fall failures in a row, announce after\n"
		 "             anycast-rise good checks; withdraw on exit.  Stays in the\n"
		 "             foreground, logs to stderr (systemd: rootxdp-anycast.service)\n"
		 "  drain      withdraw now and stay withdrawn, across restarts and reboots,\n"
		 "             until undrain (waits up to --wait SECS, default 10, for the\n"
		 "             watcher to withdraw)\n"
		 "  undrain    end a drain: announce again once healthy\n"
		 "  status     what the watcher did last, the drain, the marker routes\n"
		 "  withdraw   remove the marker routes now (after a watcher crash)\n",
	.opts = anycast_opts,
};

int cmd_anycast(int argc, char **argv)
{
	struct anycast_args a = { .wait_s = 10 };
	char pin_root[PATH_MAX];
	const char *sub;
	struct rx_config c;
	struct watch w;
	int first, err;

	if ((err = rx_opts_parse(&anycast_spec, argc, argv, &a, &first)) >= 0)
		return err;
	sub = argv[first];
	if (strcmp(sub, "watch") && strcmp(sub, "drain") && strcmp(sub, "undrain") &&
	    strcmp(sub, "status") && strcmp(sub, "withdraw")) {
		rx_err("anycast %s: expected watch, drain, undrain, status or withdraw", sub);
		return RX_EXIT_USAGE;
	}
	if (rx_cli_config(&c, a.conf))
		return RX_EXIT_FAIL;
	rx_cli_pin_root(&c, a.pin_root, pin_root, sizeof(pin_root));
	if (!strcmp(sub, "drain") || !strcmp(sub, "undrain")) {
		memset(&w, 0, sizeof(w));
		w.c = &c;
		return do_drain(&w, !strcmp(sub, "drain"), a.wait_s);
	}
	if (watch_setup(&w, &c, pin_root))
		return RX_EXIT_FAIL;
	/* Everything from here in the instance's namespace: its routes, its
	 * BIRD, its rootxdpd (only the network namespace: the pins stay). */
	if (rx_netns_enter(a.netns, NULL))
		return RX_EXIT_FAIL;
	if (!strcmp(sub, "status"))
		return do_status(&w);
	if (!strcmp(sub, "withdraw")) {
		err = markers_set(&w, false);
		if (!err)
			printf("withdrawn: no marker route left in table %u\n", w.table);
		return err ? RX_EXIT_FAIL : RX_EXIT_OK;
	}
	return watch(&w);
}
