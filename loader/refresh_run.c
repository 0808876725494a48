// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * refresh_run.c - run a program for `rootxdp refresh` (curl,
 * rootxdp-compile) and keep the tail of what it writes: its last line is
 * the reason given when it fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "refresh.h"

/* ---- running a program, capturing its output ---- */


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
