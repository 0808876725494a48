// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rssac.c - rootxdpd's RSSAC002 counters and unique-source sketch, in the
 * shared mapping of state-dir/rootxdpd.rssac (common/rssac_file.h says
 * why a file).  Workers add with relaxed atomics, each thread in its own
 * block; sketch registers take an atomic maximum.  Same hash, same
 * registers as the kernel's (bpf/rssac.h), so a source seen by both
 * counts once when `rootxdp rssac002` merges them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include "fb.h"
#include "log.h"
#include "rssac_file.h"

static struct rx_rssac_dfile *F;

static int file_ok(const struct rx_rssac_dfile *f)
{
	return !memcmp(f->magic, RX_RSSAC_FILE_MAGIC, 8) &&
	       f->version == RX_RSSAC_FILE_VERSION && f->size == sizeof(*f);
}

int fb_rssac_open(const char *state_dir, char *err, size_t errlen)
{
	char path[PATH_MAX + 32], old[PATH_MAX + 40];
	struct stat st;
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", state_dir, RX_RSSAC_FILE);
	if (mkdir(state_dir, 0755) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", state_dir, strerror(errno));
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_size && (size_t)st.st_size != sizeof(*F)) {
		/* Another layout: keep it aside for the operator, start anew. */
		close(fd);
		snprintf(old, sizeof(old), "%s.old", path);
		rx_warn("%s has another layout (%lld bytes): moved to %s, counting from zero",
			path, (long long)st.st_size, old);
		if (rename(path, old)) {
			snprintf(err, errlen, "cannot rename %s: %s", path, strerror(errno));
			return -1;
		}
		return fb_rssac_open(state_dir, err, errlen);
	}
	if (!st.st_size && ftruncate(fd, sizeof(*F))) {
		snprintf(err, errlen, "cannot size %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	p = mmap(NULL, sizeof(*F), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "cannot map %s: %s", path, strerror(errno));
		return -1;
	}
	F = p;
	if (!st.st_size) {
		F->version = RX_RSSAC_FILE_VERSION;
		F->size = sizeof(*F);
		F->created = (uint64_t)time(NULL);
		memcpy(F->magic, RX_RSSAC_FILE_MAGIC, 8);
	} else if (!file_ok(F)) {
		munmap(F, sizeof(*F));
		F = NULL;
		snprintf(err, errlen, "%s: not a rootxdpd RSSAC002 file (remove it)", path);
		return -1;
	}
	fb_rssac_tick();
	return 0;
}

static uint32_t today(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint32_t)(ts.tv_sec / RX_DAY_S);
}

/* Main thread, every second: make the slots of today and the next two
 * days ready (cleared, tagged).  Workers only write a slot tagged today,
 * and the main thread never clears a slot tagged today. */
void fb_rssac_tick(void)
{
	uint32_t d0 = today();

	if (!F)
		return;
	for (uint32_t d = d0; d < d0 + 3; d++)
		for (int k = 0; k < RX_HLL_KINDS; k++) {
			struct rx_hll *h = &F->hll[(d % RX_HLL_DAYS) * RX_HLL_KINDS + k];

			if (__atomic_load_n(&h->day, __ATOMIC_ACQUIRE) == d)
				continue;
			memset(h->reg, 0, sizeof(h->reg));
			__atomic_store_n(&h->day, d, __ATOMIC_RELEASE);
		}
}

static void hll_add(uint32_t day, int kind, uint64_t hi, uint64_t lo)
{
	struct rx_hll *h = &F->hll[(day % RX_HLL_DAYS) * RX_HLL_KINDS + kind];
	uint64_t x = rx_hll_hash(hi, lo, kind);
	uint8_t r = rx_hll_rank(x), cur;
	uint8_t *reg = &h->reg[rx_hll_index(x)];

	if (__atomic_load_n(&h->day, __ATOMIC_ACQUIRE) != day)
		return;		/* not prepared yet (the first second of a run) */
	cur = __atomic_load_n(reg, __ATOMIC_RELAXED);
	while (cur < r && !__atomic_compare_exchange_n(reg, &cur, r, false, __ATOMIC_RELAXED,
						       __ATOMIC_RELAXED))
		;
}

static inline void add(__u64 *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

void fb_rssac_count(enum fb_transport t, const struct sockaddr_storage *src, size_t qlen,
		    size_t rlen, int rcode)
{
	static unsigned next;
	static _Thread_local int blk = -1;
	struct rx_rssac *c;
	uint64_t hi = 0, lo = 0;
	int tr = t == FB_TCP ? RX_RS_TCP : RX_RS_UDP, f, v6;
	uint32_t day;

	if (!F)
		return;
	if (blk < 0)
		blk = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) % RX_RSSAC_DBLOCKS;
	c = &F->blk[blk];
	v6 = src->ss_family == AF_INET6;
	if (v6 && IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)src)->sin6_addr)) {
		/* IPv4 through a dual-stack socket: counted as IPv4. */
		struct sockaddr_in s4 = { .sin_family = AF_INET };

		memcpy(&s4.sin_addr, ((const struct sockaddr_in6 *)src)->sin6_addr.s6_addr + 12, 4);
		fb_rssac_count(t, (const struct sockaddr_storage *)(void *)&s4, qlen, rlen, rcode);
		return;
	}
	f = v6 ? RX_RS_IPV6 : RX_RS_IPV4;
	add(&c->queries[tr][f], 1);
	add(&c->req_size[tr][rx_rssac_req_bin(qlen)], 1);
	if (rlen) {
		add(&c->responses[tr][f], 1);
		add(&c->resp_size[tr][rx_rssac_resp_bin(rlen)], 1);
		if (rcode >= 0 && rcode < RX_RSSAC_RCODES)
			add(&c->rcode[rcode], 1);
	}
	/* The words as the kernel sees them: the address bytes in memory
	 * order (bpf/defend.h src_addr). */
	day = today();
	if (v6) {
		const uint8_t *a = ((const struct sockaddr_in6 *)src)->sin6_addr.s6_addr;

		memcpy(&hi, a, 8);
		memcpy(&lo, a + 8, 8);
		hll_add(day, RX_HLL_IPV6, hi, lo);
		hll_add(day, RX_HLL_IPV6_AGG, hi, 0);
	} else {
		memcpy(&hi, &((const struct sockaddr_in *)src)->sin_addr, 4);
		hll_add(day, RX_HLL_IPV4, hi, 0);
	}
}
