// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_common.c - see fuzz_common.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "fuzz_common.h"

static char tmpdir[64], image[128];

void fz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: invariant broken: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* Run argv quietly (stdout to /dev/null); the exit status, or -1. */
static int run(char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int fz_image(char *path, size_t len)
{
	const char *dir = getenv("RX_ZONE_DIR"), *o = getenv("O");
	char zone[4096], compile[4096];

	if (!o || !*o)
		o = "build";
	if (!dir || !*dir) {
		char *mk[] = { "tests/zones/mkzone.sh", "--out", "build/zones", NULL };

		dir = "build/zones";
		if (access("build/zones/root.zone", R_OK) && run(mk)) {
			fprintf(stderr, "fuzz: tests/zones/mkzone.sh --out build/zones failed "
				"(run from the top directory)\n");
			return -1;
		}
	}
	snprintf(zone, sizeof(zone), "%s/root.zone", dir);
	snprintf(compile, sizeof(compile), "%s/rootxdp-compile", o);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rootxdp-fuzz-%d-XXXXXX", (int)getpid());
	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "fuzz: mkdtemp: %s\n", strerror(errno));
		tmpdir[0] = 0;
		return -1;
	}
	snprintf(image, sizeof(image), "%s/root.img", tmpdir);
	{
		char *argv[] = { compile, "--allow-no-zonemd", "-o", image, zone, NULL };

		if (run(argv)) {
			fprintf(stderr, "fuzz: %s failed on %s\n", compile, zone);
			fz_image_done();
			return -1;
		}
	}
	snprintf(path, len, "%s", image);
	return 0;
}

void fz_image_done(void)
{
	if (!tmpdir[0])
		return;
	unlink(image);
	rmdir(tmpdir);
	tmpdir[0] = 0;
}

/* Skip a (possibly compressed) name; offset after it, or 0.  plain is
 * cleared if a pointer was seen; is_root set if the name is ".". */
static size_t skip_name(const uint8_t *m, size_t len, size_t off, bool *plain, bool *is_root)
{
	size_t n = 0;

	if (is_root)
		*is_root = off < len && m[off] == 0;
	while (off < len) {
		uint8_t l = m[off];

		if (l == 0)
			return off + 1;
		if ((l & 0xc0) == 0xc0) {
			if (plain)
				*plain = false;
			return off + 2 <= len ? off + 2 : 0;
		}
		if (l & 0xc0)
			return 0;
		n += l + 1;
		if (n > 255)
			return 0;
		off += l + 1;
	}
	return 0;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void fz_walk(const uint8_t *m, size_t len, struct fz_msg *w)
{
	size_t off = 12;
	unsigned i, total;

	memset(w, 0, sizeof(*w));
	if (len < 12)
		return;
	w->id = rd16(m);
	w->f1 = m[2];
	w->f2 = m[3];
	w->qdcount = rd16(m + 4);
	w->ancount = rd16(m + 6);
	w->nscount = rd16(m + 8);
	w->arcount = rd16(m + 10);
	w->qname_plain = true;
	for (i = 0; i < w->qdcount; i++) {
		off = skip_name(m, len, off, i == 0 ? &w->qname_plain : NULL, NULL);
		if (!off || off + 4 > len)
			return;
		off += 4;
		if (i == 0)
			w->qend = off;
	}
	total = (unsigned)w->ancount + w->nscount + w->arcount;
	for (i = 0; i < total; i++) {
		bool root;
		uint16_t type, rdlen;

		off = skip_name(m, len, off, NULL, &root);
		if (!off || off + 10 > len)
			return;
		type = rd16(m + off);
		rdlen = rd16(m + off + 8);
		if (type == 41 && i >= (unsigned)w->ancount + w->nscount) {
			if (w->nopt++ == 0) {
				w->opt_root = root;
				w->opt_payload = rd16(m + off + 2);
				w->opt_ext_rcode = m[off + 4];
				w->opt_version = m[off + 5];
				w->opt_do = m[off + 6] & 0x80;
			}
		}
		off += 10;
		if (off + rdlen > len)
			return;
		off += rdlen;
	}
	w->end = off;
	w->ok = true;
}

size_t fz_limit(bool edns, uint16_t payload)
{
	size_t p = payload < FZ_PAYLOAD ? payload : FZ_PAYLOAD;

	if (!edns)
		return 512;
	return p < 512 ? 512 : p;
}
