// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * refresh_run.c - run a program for `rootxdp refresh` (curl,
 * rootxdp-compile) and keep the tail of what it writes: its last line is
 * the reason given when it fails.  With `user` set, every child drops to
 * it (refresh.h: least privilege), and files cross between root and the
 * user's work dir only through refresh_take_in/out.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/stat.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cmd.h"
#include "log.h"
#include "refresh.h"

/* ---- running a program, capturing its output ---- */

static struct {
	bool on;
	uid_t uid;
	gid_t gid;
	char name[64];
} drop;

int refresh_drop_to(const char *user)
{
	struct passwd *pw;

	if (!user[0] || geteuid() != 0)
		return 0;
	pw = getpwnam(user);
	if (!pw) {
		rx_err("user '%s' does not exist (config 'user'): the fetch and compile run as it",
		       user);
		return -1;
	}
	if (pw->pw_uid == 0)
		return 0;
	drop.on = true;
	drop.uid = pw->pw_uid;
	drop.gid = pw->pw_gid;
	snprintf(drop.name, sizeof(drop.name), "%s", pw->pw_name);
	rx_info("fetch, transfer and compile run as %s (uid %u)", drop.name, (unsigned)drop.uid);
	return 0;
}

bool refresh_dropping(void)
{
	return drop.on;
}

int refresh_give(int fd)
{
	if (!drop.on)
		return 0;
	return fchown(fd, drop.uid, drop.gid) ? -errno : 0;
}

/* In a child: become the user for good (and check it cannot come back). */
static void child_drop(void)
{
	if (!drop.on)
		return;
	if (initgroups(drop.name, drop.gid) || setgid(drop.gid) || setuid(drop.uid) ||
	    setuid(0) == 0) {
		dprintf(2, "cannot drop privileges to %s: %s\n", drop.name, strerror(errno));
		_exit(126);
	}
}

int run_fn(int (*fn)(struct refresh *), struct refresh *r)
{
	pid_t pid;
	int st;

	if (!drop.on)
		return fn(r);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		rx_err("cannot fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		child_drop();
		st = fn(r);
		fflush(NULL);
		_exit(st < 0 ? 126 : st);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) >= 126)
		return -1;
	return WEXITSTATUS(st);
}


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
const char *tail_last(struct tail *t)
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
int run(char *const argv[], struct tail *out, struct tail *errt)
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
		child_drop();
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

/* ---- the work directory and the files crossing it ---- */

/* Copy fd to fd; 0 or -errno. */
static int copy_fd(int in, int out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (ssize_t o = 0; o < n;) {
			ssize_t w = write(out, buf + o, (size_t)(n - o));

			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			o += w;
		}
	}
	return fsync(out) ? -errno : 0;
}

int refresh_work_dir(struct refresh *r)
{
	struct stat st;
	int fd;

	snprintf(r->trust_anchor, sizeof(r->trust_anchor), "%s", r->c.trust_anchor);
	if (!drop.on) {
		snprintf(r->work_dir, sizeof(r->work_dir), "%s", r->c.state_dir);
		return 0;
	}
	if (rx_fmt(r->work_dir, sizeof(r->work_dir), "%s/refresh", r->c.state_dir)) {
		rx_err("state-dir %s: path too long", r->c.state_dir);
		return -1;
	}
	if (mkdir(r->work_dir, 0700) && errno != EEXIST) {
		rx_err("cannot create %s: %s", r->work_dir, strerror(errno));
		return -1;
	}
	fd = open(r->work_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || refresh_give(fd) || fchmod(fd, 0700)) {
		rx_err("cannot give %s to %s: %s", r->work_dir, drop.name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (r->c.trust_anchor[0] &&
	    refresh_take_in(r, r->c.trust_anchor, "trust-anchor", r->trust_anchor,
			    sizeof(r->trust_anchor)))
		return -1;
	return 0;
}

int refresh_take_in(struct refresh *r, const char *src, const char *name, char *out,
		    size_t outlen)
{
	char dst[PATH_MAX];
	int in, o, e;

	if (rx_fmt(dst, sizeof(dst), "%s/%s", r->work_dir, name)) {
		rx_err("%s: path too long", r->work_dir);
		return -1;
	}
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		rx_err("cannot read %s: %s", src, strerror(errno));
		return -1;
	}
	/* The user owns the directory: never follow what it may have put
	 * there, create anew (O_EXCL). */
	unlink(dst);
	o = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (o < 0) {
		rx_err("cannot create %s: %s", dst, strerror(errno));
		close(in);
		return -1;
	}
	e = copy_fd(in, o);
	close(in);
	if (close(o) && !e)
		e = -errno;
	if (e) {
		rx_err("cannot copy %s to %s: %s", src, dst, strerror(-e));
		unlink(dst);
		return -1;
	}
	rx_strlcpy(out, dst, outlen);
	return 0;
}

int refresh_take_out(const char *src, const char *dst)
{
	struct stat st;
	int in, o, e;

	in = open(src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) || !S_ISREG(st.st_mode)) {
		rx_err("cannot read %s: %s", src, in < 0 ? strerror(errno) : "not a regular file");
		if (in >= 0)
			close(in);
		return -1;
	}
	unlink(dst);
	o = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (o < 0) {
		rx_err("cannot create %s: %s", dst, strerror(errno));
		close(in);
		return -1;
	}
	e = copy_fd(in, o);
	close(in);
	if (close(o) && !e)
		e = -errno;
	unlink(src);
	if (e) {
		rx_err("cannot copy %s to %s: %s", src, dst, strerror(-e));
		unlink(dst);
		return -1;
	}
	return 0;
}
