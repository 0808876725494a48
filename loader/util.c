// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * util.c - helpers shared by the rootxdp commands (see cmd.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "cmd.h"
#include "log.h"
#include "multiprog.h"
#include "rootxdp.h"

int rx_verbose;

/* libbpf speaks one level below us: its warnings are our info (-v), its
 * info and debug our debug (-vv), so a plain run shows only our own lines. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[1024];
	size_t n;
	enum rx_log_level lvl;

	switch (level) {
	case LIBBPF_WARN:
		lvl = RX_LOG_INFO;
		break;
	case LIBBPF_INFO:
		lvl = RX_LOG_DEBUG;
		break;
	default:
		if (rx_verbose < 3)
			return 0;
		lvl = RX_LOG_DEBUG;
		break;
	}
	if (lvl > rx_log_max)
		return 0;
	n = (size_t)vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	rx_log(lvl, "%s", buf);
	return 0;
}

/* libxdp's levels are libbpf's: the same demotion. */
static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	return libbpf_print((enum libbpf_print_level)level, fmt, ap);
}

void rx_verbose_set(int n)
{
	rx_verbose = n;
	rx_log_max = n >= 2 ? RX_LOG_DEBUG : n == 1 ? RX_LOG_INFO : RX_LOG_WARN;
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}

void rx_cli_pin_root(const struct rx_config *c, const char *pin_arg, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s", pin_arg ? pin_arg : c->pin_root);
}

int rx_cli_config(struct rx_config *c, const char *path)
{
	char err[512];

	rx_config_defaults(c);
	if (rx_config_load(c, path ? path : RX_CONF_DEFAULT, path != NULL, err, sizeof(err))) {
		rx_err("%s (fix the file, or see rootxdp.conf(5))", err);
		return -EINVAL;
	}
	return 0;
}

const char *rx_strerr(int err)
{
	return strerror(err < 0 ? -err : err);
}

const char *rx_hint(int err)
{
	switch (err < 0 ? -err : err) {
	case EPERM:
	case EACCES:
		return "run as root, or with CAP_BPF+CAP_NET_ADMIN (and CAP_SYS_ADMIN for setns)";
	case ENOMEM:
		return "not enough memory for the maps, or RLIMIT_MEMLOCK too low";
	case ENOSYS:
		return "the kernel has no BPF syscall (CONFIG_BPF_SYSCALL)";
	default:
		return NULL;
	}
}

int rx_netns_enter(const char *name, int *saved)
{
	char path[PATH_MAX];
	int fd, cur = -1, err;

	if (saved)
		*saved = -1;
	if (!name || !*name)
		return 0;
	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		rx_fmt(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		rx_err("no network namespace '%s' (%s: %s): check `ip netns list`",
		       name, path, rx_strerr(err));
		return err;
	}
	if (saved) {
		cur = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (cur < 0) {
			err = -errno;
			rx_err("cannot open /proc/self/ns/net: %s", rx_strerr(err));
			close(fd);
			return err;
		}
	}
	/* CLONE_NEWNET only: the mount namespace, and with it the host's
	 * /sys/fs/bpf where the pins live, stays ours ("ip netns exec"
	 * remounts /sys and would hide them). */
	if (setns(fd, CLONE_NEWNET)) {
		err = -errno;
		rx_err("cannot enter network namespace '%s': %s" RX_HINT_FMT, name,
		       rx_strerr(err), RX_HINT_ARGS(err));
		close(fd);
		if (cur >= 0)
			close(cur);
		return err;
	}
	close(fd);
	if (saved)
		*saved = cur;
	rx_debug("entered network namespace %s", name);
	return 0;
}

int rx_netns_restore(int saved)
{
	int err = 0;

	if (saved < 0)
		return 0;
	if (setns(saved, CLONE_NEWNET)) {
		err = -errno;
		rx_err("cannot return to the original network namespace: %s", rx_strerr(err));
	}
	close(saved);
	return err;
}

int rx_pin_path(char *buf, size_t len, const char *root, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", root, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

bool rx_pin_exists(const char *root, const char *name)
{
	char path[PATH_MAX];

	if (rx_pin_path(path, sizeof(path), root, name))
		return false;
	return access(path, F_OK) == 0;
}

int rx_check_bpffs(const char *dir)
{
	char parent[PATH_MAX], *slash;
	struct statfs st;

	/* The pin root itself may not exist yet: look at its parent. */
	if (statfs(dir, &st)) {
		snprintf(parent, sizeof(parent), "%s", dir);
		slash = strrchr(parent, '/');
		if (slash && slash != parent)
			*slash = '\0';
		else if (slash)
			slash[1] = '\0';
		if (statfs(parent, &st)) {
			rx_err("no directory %s for the pins: %s (mount the BPF filesystem: "
			       "mount -t bpf bpf /sys/fs/bpf)", parent, strerror(errno));
			return -ENOENT;
		}
	}
	if ((unsigned long)st.f_type != BPF_FS_MAGIC) {
		rx_err("%s is not on a BPF filesystem (mount -t bpf bpf /sys/fs/bpf, "
		       "or choose pin-root under it)", dir);
		return -EINVAL;
	}
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

int rx_pinned_ifaces(const char *root, char names[][IF_NAMESIZE], int max)
{
	struct dirent *de;
	size_t plen;
	DIR *d;
	int n = 0;

	d = opendir(root);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) && n < max) {
		/* link-xdp-IF (bpf_link) or mprog-xdp-IF (libxdp) */
		if (!strncmp(de->d_name, RX_PIN_LINK_XDP, strlen(RX_PIN_LINK_XDP)))
			plen = strlen(RX_PIN_LINK_XDP);
		else if (!strncmp(de->d_name, RX_PIN_MPROG_XDP, strlen(RX_PIN_MPROG_XDP)))
			plen = strlen(RX_PIN_MPROG_XDP);
		else
			continue;
		if (strlen(de->d_name + plen) >= IF_NAMESIZE || !de->d_name[plen])
			continue;
		rx_strlcpy(names[n++], de->d_name + plen, IF_NAMESIZE);
	}
	closedir(d);
	qsort(names, (size_t)n, IF_NAMESIZE, cmp_name);
	return n;
}

int rx_lock(const char *root)
{
	int fd, err;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK) {
			err = -errno;
			close(fd);
			return err;
		}
		rx_info("waiting for another rootxdp command on %s", root);
		if (flock(fd, LOCK_EX)) {
			err = -errno;
			close(fd);
			return err;
		}
	}
	return fd;
}

/* ---- the attach state file ---- */

void rx_state_path(const struct rx_config *c, const char *pin_root, char *buf, size_t len)
{
	char tag[PATH_MAX], *p;

	if (!strcmp(pin_root, RX_PIN_ROOT)) {
		rx_fmt(buf, len, "%s/attach.state", c->run_dir);
		return;
	}
	/* Another pin root (tests, a second instance): its own file. */
	snprintf(tag, sizeof(tag), "%s", pin_root);
	for (p = tag; *p; p++)
		if (*p == '/')
			*p = '_';
	rx_fmt(buf, len, "%s/attach%s.state", c->run_dir, tag);
}

int rx_state_read(const struct rx_config *c, const char *pin_root, struct rx_state *s)
{
	char path[PATH_MAX], line[512];
	FILE *f;

	memset(s, 0, sizeof(*s));
	rx_state_path(c, pin_root, path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f) && s->n < RX_STATE_MAX) {
		struct rx_state_if *i = &s->ifs[s->n];
		char mode[16], ns[64];

		if (line[0] == '#')
			continue;
		memset(i, 0, sizeof(*i));
		if (sscanf(line, "iface %15s ifindex %d netns %63s mode %15s mtu %u clsact %d "
			   "tc %x %x link %u prio %u", i->name, &i->ifindex, ns, mode, &i->mtu,
			   &i->clsact_created, &i->tc_handle, &i->tc_prio, &i->link_id,
			   &i->prio) < 9)
			continue;
		rx_strlcpy(i->netns, strcmp(ns, "-") ? ns : "", sizeof(i->netns));
		i->multiprog = !strncmp(mode, "mp-", 3);
		i->native = !strcmp(mode + (i->multiprog ? 3 : 0), "native");
		s->n++;
	}
	fclose(f);
	return 0;
}

int rx_state_write(const struct rx_config *c, const char *pin_root, const struct rx_state *s)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;
	int i, err;

	rx_state_path(c, pin_root, path, sizeof(path));
	if (s->n == 0) {
		if (unlink(path) && errno != ENOENT)
			return -errno;
		return 0;
	}
	if (mkdir(c->run_dir, 0755) && errno != EEXIST) {
		err = -errno;
		rx_err("cannot create run-dir %s: %s", c->run_dir, rx_strerr(err));
		return err;
	}
	rx_fmt(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		err = -errno;
		rx_err("cannot write %s: %s", tmp, rx_strerr(err));
		return err;
	}
	fprintf(f, "# rootxdp attach state for pin root %s; written by rootxdp, do not edit\n",
		pin_root);
	for (i = 0; i < s->n; i++) {
		const struct rx_state_if *e = &s->ifs[i];

		/* multiprog: "mp-native"/"mp-generic", "link" is our
		 * program's id in the dispatcher and "prio" follows. */
		fprintf(f, "iface %s ifindex %d netns %s mode %s%s mtu %u clsact %d tc %x %x link %u",
			e->name, e->ifindex, e->netns[0] ? e->netns : "-",
			e->multiprog ? "mp-" : "", e->native ? "native" : "generic", e->mtu,
			e->clsact_created, e->tc_handle, e->tc_prio, e->link_id);
		if (e->multiprog)
			fprintf(f, " prio %u", e->prio);
		fputc('\n', f);
	}
	if (fflush(f) || fsync(fileno(f))) {
		err = -errno;
		fclose(f);
		unlink(tmp);
		rx_err("cannot write %s: %s", tmp, rx_strerr(err));
		return err;
	}
	fclose(f);
	if (rename(tmp, path)) {
		err = -errno;
		unlink(tmp);
		rx_err("cannot rename %s: %s", tmp, rx_strerr(err));
		return err;
	}
	return 0;
}

struct rx_state_if *rx_state_find(struct rx_state *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->ifs[i].name, name))
			return &s->ifs[i];
	return NULL;
}

void rx_state_del(struct rx_state *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->ifs[i].name, name)) {
			memmove(&s->ifs[i], &s->ifs[i + 1], (size_t)(s->n - i - 1) * sizeof(s->ifs[0]));
			s->n--;
			return;
		}
}

int rx_daemon_pid(const struct rx_config *c, int *pid)
{
	char path[PATH_MAX];
	FILE *f;
	int p = 0;

	*pid = 0;
	rx_fmt(path, sizeof(path), "%s/rootxdpd.pid", c->run_dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &p) != 1 || p <= 0) {
		fclose(f);
		return -1;
	}
	fclose(f);
	*pid = p;
	if (kill(p, 0) && errno == ESRCH)
		return -1;
	return p;
}

int rx_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

void rx_strlcpy(char *dst, const char *src, size_t n)
{
	size_t l = strnlen(src, n - 1);

	memcpy(dst, src, l);
	dst[l] = '\0';
}

void rx_link_pin_name(char *buf, size_t n, const char *ifname)
{
	size_t p = strlen(RX_PIN_LINK_XDP);

	rx_strlcpy(buf, RX_PIN_LINK_XDP, n);
	if (p < n)
		rx_strlcpy(buf + p, ifname, n - p);
}

void rx_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}
