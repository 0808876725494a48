// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * secret.c - the DNS cookie secrets shared by the kernel paths and rootxdpd
 * (see secret.h).  The file holds one or two lines of 32 hex digits:
 * current, then previous.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "errf.h"
#include "secret.h"

void rx_hex_put(const unsigned char *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

void rx_secrets_keys(const struct rx_secrets *s, struct rx_cookie_keys *k)
{
	struct rx_cookie_buf b;

	memset(k, 0, sizeof(*k));
	memset(&b, 0, sizeof(b));
	memcpy(b.b, s->cur, 16);
	memcpy(b.b + 16, s->prev, 16);
	k->cur[0] = rx_le64(b.b);
	k->cur[1] = rx_le64(b.b + 8);
	if (s->has_prev) {
		k->prev[0] = rx_le64(b.b + 16);
		k->prev[1] = rx_le64(b.b + 24);
		k->nprev = 1;
	}
}

static int file_write(const struct rx_secrets *s, char *err, size_t errlen)
{
	char tmp[4200], line[80];
	int fd, n;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", s->path) >= (int)sizeof(tmp))
		return rx_errf(err, errlen, -1, "%s: path too long", s->path);
	rx_hex_put(s->cur, 16, line);
	line[32] = '\n';
	n = 33;
	if (s->has_prev) {
		rx_hex_put(s->prev, 16, line + 33);
		line[65] = '\n';
		n = 66;
	}
	unlink(tmp);
	/* 0600 from the start: the secret is never readable by others. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return rx_errf(err, errlen, -1, "cannot create %s: %s", tmp, strerror(errno));
	if (write(fd, line, n) != n || fsync(fd)) {
		rx_errf(err, errlen, -1, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, s->path)) {
		rx_errf(err, errlen, -1, "cannot rename %s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int file_read(struct rx_secrets *s, char *err, size_t errlen)
{
	char buf[128], l1[64] = "", l2[64] = "";
	FILE *f = fopen(s->path, "re");
	size_t n;

	if (!f)
		return errno == ENOENT ? 1 : rx_errf(err, errlen, -1, "cannot read %s: %s",
						       s->path, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (sscanf(buf, "%63s %63s", l1, l2) < 1 || strlen(l1) != 32 || rx_hex16(l1, s->cur) ||
	    (*l2 && (strlen(l2) != 32 || rx_hex16(l2, s->prev))))
		return rx_errf(err, errlen, -1, "%s: expected one or two lines of 32 hex digits "
			       "(remove it to make a new secret)", s->path);
	s->has_prev = *l2 != '\0';
	return 0;
}

int rx_secrets_load(const struct rx_config *c, struct rx_secrets *s, char *err, size_t errlen)
{
	int r;

	memset(s, 0, sizeof(*s));
	if (c->cookie_secret[0]) {
		s->from_config = true;
		if (rx_hex16(c->cookie_secret, s->cur))
			return rx_errf(err, errlen, -1, "cookie-secret: expected 32 hex digits");
		if (c->cookie_secret_previous[0]) {
			if (rx_hex16(c->cookie_secret_previous, s->prev))
				return rx_errf(err, errlen, -1,
					       "cookie-secret-previous: expected 32 hex digits");
			s->has_prev = true;
		}
		return 0;
	}
	if (snprintf(s->path, sizeof(s->path), "%s/" RX_SECRET_FILE, c->state_dir) >=
	    (int)sizeof(s->path))
		return rx_errf(err, errlen, -1, "state-dir %s: path too long", c->state_dir);
	r = file_read(s, err, errlen);
	if (r <= 0)
		return r;
	/* First start: a random secret, kept for the next one. */
	if (mkdir(c->state_dir, 0755) && errno != EEXIST)
		return rx_errf(err, errlen, -1, "cannot create state-dir %s: %s", c->state_dir,
			       strerror(errno));
	if (getrandom(s->cur, sizeof(s->cur), 0) != sizeof(s->cur))
		return rx_errf(err, errlen, -1, "getrandom: %s", strerror(errno));
	return file_write(s, err, errlen);
}

int rx_secrets_rotate(const struct rx_config *c, const unsigned char *next,
		      struct rx_secrets *s, char *err, size_t errlen)
{
	if (rx_secrets_load(c, s, err, errlen))
		return -1;
	if (s->from_config)
		return rx_errf(err, errlen, -1, "cookie-secret is set in %s: rotate it there "
			       "(its value to cookie-secret-previous, a new cookie-secret), "
			       "then run rootxdp cookie-secret reload",
			       c->path[0] ? c->path : "the config");
	memcpy(s->prev, s->cur, 16);
	s->has_prev = true;
	if (next)
		memcpy(s->cur, next, 16);
	else if (getrandom(s->cur, sizeof(s->cur), 0) != sizeof(s->cur))
		return rx_errf(err, errlen, -1, "getrandom: %s", strerror(errno));
	return file_write(s, err, errlen);
}
