// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * image.c - read, validate and write the compiled zone image (image.h).
 *
 * A reader trusts nothing in the file: every offset, size and index is
 * checked against the file before rx_image_open() returns, so the loader and
 * rootxdpd may index the arrays without further checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include "dname.h"
#include "errf.h"
#include "image.h"
/* DNS_T_*: the RR types whose RDATA holds names rootxdpd writes compressed
 * (RFC 1035 3.3), and RRSIG, whose first two RDATA bytes name the type
 * covered (RFC 4034 3.1). */
#include "dnsproto.h"

/* Is [off, off + n * size) inside a file of `total` bytes and 8-aligned? */
static int section_ok(uint64_t off, uint64_t n, uint64_t size, uint64_t hdr,
		      uint64_t total)
{
	if (off % 8 || off < hdr || off > total)
		return 0;
	if (size && n > (total - off) / size)
		return 0;
	return 1;
}

static int resp_check(const struct rx_resp *r, uint32_t nchunk, char *why,
		      size_t whylen)
{
	uint64_t nch = ((uint64_t)r->len + RX_CHUNK - 1) / RX_CHUNK;
	unsigned i;

	if (r->len > RX_BODY_MAX)
		return snprintf(why, whylen, "body length %u over %u", r->len,
				RX_BODY_MAX), -1;
	if ((uint64_t)r->chunk + nch > nchunk)
		return snprintf(why, whylen, "chunks %u+%llu past %u", r->chunk,
				(unsigned long long)nch, nchunk), -1;
	if (r->ncut < 1 || r->ncut > RX_CUT_MAX)
		return snprintf(why, whylen, "ncut %u", r->ncut), -1;
	if (r->req >= r->ncut)
		return snprintf(why, whylen, "req %u >= ncut %u", r->req, r->ncut), -1;
	if (r->cut[0].len != 0 || r->cut[0].ancount || r->cut[0].nscount ||
	    r->cut[0].arcount)
		return snprintf(why, whylen, "cut[0] not empty"), -1;
	for (i = 1; i < r->ncut; i++)
		if (r->cut[i].len <= r->cut[i - 1].len)
			return snprintf(why, whylen, "cut[%u] not ascending", i), -1;
	if (r->cut[r->ncut - 1].len != r->len)
		return snprintf(why, whylen, "last cut %u != len %u",
				r->cut[r->ncut - 1].len, r->len), -1;
	if (r->nfix > RX_FIX_MAX)
		return snprintf(why, whylen, "nfix %u", r->nfix), -1;
	for (i = 0; i < r->nfix; i++)
		if ((unsigned)(r->fix[i] & ~RX_FIX_QTLD) + 2 > r->len)
			return snprintf(why, whylen, "fix[%u]=%u past len %u", i,
					r->fix[i] & ~RX_FIX_QTLD, r->len), -1;
	return 0;
}

/* An uncompressed wire name inside [p, p + len): labels of 63 bytes at
 * most (so no pointer or reserved label type), 255 bytes at most.
 * Returns its length, 0 if it is not one. */
static size_t name_len(const uint8_t *p, uint64_t len)
{
	size_t off = 0;

	while (off < len && p[off]) {
		if (p[off] > 63)
			return 0;
		off += p[off] + 1;
	}
	if (off >= len || off + 1 > 255)
		return 0;
	return off + 1;
}

/* The names rootxdpd's writer parses out of RDATA must be whole names and
 * fill the RDATA exactly (SOA: two names and 20 bytes). */
static int rdata_ok(uint16_t type, const uint8_t *rd, uint64_t len)
{
	size_t a, b;

	switch (type) {
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
		return name_len(rd, len) == len;
	case DNS_T_MX:
		return len > 2 && name_len(rd + 2, len - 2) == len - 2;
	case DNS_T_SOA:
		a = name_len(rd, len);
		b = a ? name_len(rd + a, len - a) : 0;
		return a && b && a + b + 20 == len;
	case DNS_T_RRSIG:
		return len >= 2;
	}
	return 1;
}

size_t rx_image_rr_get(const uint8_t *p, struct rx_image_rr *rr)
{
	size_t o = rx_dname_len(p);
	const uint8_t *f = p + o;

	rr->owner = p;
	rr->owner_len = o;
	rr->type = f[0] << 8 | f[1];
	rr->rclass = f[2] << 8 | f[3];
	rr->ttl = (uint32_t)f[4] << 24 | f[5] << 16 | f[6] << 8 | f[7];
	rr->rdlen = f[8] << 8 | f[9];
	rr->rdata = f + 10;
	rr->covered = rr->type == DNS_T_RRSIG && rr->rdlen >= 2 ?
		      (rr->rdata[0] << 8 | rr->rdata[1]) : 0;
	return o + 10 + rr->rdlen;
}

size_t rx_image_rr_put(uint8_t *out, const struct rx_image_rr *rr)
{
	uint8_t *f = out + rr->owner_len;

	memcpy(out, rr->owner, rr->owner_len);
	f[0] = rr->type >> 8;
	f[1] = rr->type;
	f[2] = rr->rclass >> 8;
	f[3] = rr->rclass;
	f[4] = rr->ttl >> 24;
	f[5] = rr->ttl >> 16;
	f[6] = rr->ttl >> 8;
	f[7] = rr->ttl;
	f[8] = rr->rdlen >> 8;
	f[9] = rr->rdlen;
	memcpy(f + 10, rr->rdata, rr->rdlen);
	return rr->owner_len + 10 + rr->rdlen;
}

static uint16_t set_type(const struct rx_image_rr *r)
{
	return r->type == DNS_T_RRSIG ? r->covered : r->type;
}

int rx_image_rr_cmp(const struct rx_image_rr *a, const struct rx_image_rr *b)
{
	int c = rx_dname_cmp(a->owner, b->owner);
	unsigned n;

	if (c)
		return c;
	if (set_type(a) != set_type(b))
		return set_type(a) < set_type(b) ? -1 : 1;
	if ((a->type == DNS_T_RRSIG) != (b->type == DNS_T_RRSIG))
		return a->type == DNS_T_RRSIG ? 1 : -1;
	n = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;
	c = memcmp(a->rdata, b->rdata, n);
	if (c)
		return c < 0 ? -1 : 1;
	return a->rdlen == b->rdlen ? 0 : (a->rdlen < b->rdlen ? -1 : 1);
}

/* Every RR of the table inside it and well formed, nrrs of them filling
 * it exactly, each after the one before in rx_image_rr_cmp() order (so no
 * RR twice). */
static int rrs_check(const uint8_t *p, uint64_t len, uint32_t nrrs, char *why,
		     size_t whylen)
{
	struct rx_image_rr prev, rr;
	uint64_t pos = 0;
	uint32_t i;

	for (i = 0; i < nrrs; i++) {
		size_t o = name_len(p + pos, len - pos);
		uint64_t rdlen;

		if (!o)
			return snprintf(why, whylen, "RR %u: owner name malformed or past the table",
					i), -1;
		if (len - pos - o < 10)
			return snprintf(why, whylen, "RR %u: past the table", i), -1;
		rdlen = p[pos + o + 8] << 8 | p[pos + o + 9];
		if (len - pos - o - 10 < rdlen)
			return snprintf(why, whylen, "RR %u: RDATA past the table", i), -1;
		pos += rx_image_rr_get(p + pos, &rr);
		if (!rdata_ok(rr.type, rr.rdata, rr.rdlen))
			return snprintf(why, whylen, "RR %u: malformed RDATA for type %u", i,
					rr.type), -1;
		if (i && rx_image_rr_cmp(&prev, &rr) >= 0)
			return snprintf(why, whylen, "RR %u: not after RR %u in table order", i,
					i - 1), -1;
		prev = rr;
	}
	if (pos != len)
		return snprintf(why, whylen, "%u RRs end at byte %llu of %llu", nrrs,
				(unsigned long long)pos, (unsigned long long)len), -1;
	return 0;
}

int rx_image_open(const char *path, struct rx_image *img, char *err, size_t errlen)
{
	const struct rx_image_hdr *h;
	uint8_t sha[SHA256_DIGEST_LENGTH];
	char why[128];
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	uint32_t i;
	int fd, rc;

	memset(img, 0, sizeof(*img));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rx_errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		rx_errf(err, errlen, rc, "%s: %s", path, strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = rx_errf(err, errlen, -EINVAL, "%s: not a regular file", path);
		goto out_close;
	}
	if ((uint64_t)st.st_size < sizeof(struct rx_image_hdr)) {
		rc = rx_errf(err, errlen, -EINVAL,
			  "%s: too short for an image header (%lld bytes)", path,
			  (long long)st.st_size);
		goto out_close;
	}
	buf = malloc(st.st_size);
	if (!buf) {
		rc = rx_errf(err, errlen, -ENOMEM, "%s: out of memory", path);
		goto out_close;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			rx_errf(err, errlen, rc, "%s: read: %s", path,
			     n < 0 ? strerror(errno) : "file shrank");
			goto out_free;
		}
		got += n;
	}
	close(fd);
	fd = -1;

	h = (const struct rx_image_hdr *)buf;
	rc = -EINVAL;
	if (memcmp(h->magic, RX_IMAGE_MAGIC, 8)) {
		rx_errf(err, errlen, rc, "%s: not a rootxdp image (bad magic)", path);
		goto out_free;
	}
	if (h->version != RX_IMAGE_VERSION) {
		rx_errf(err, errlen, rc, "%s: image version %u, this build reads version %u only: "
			"recompile the zone with this build's rootxdp-compile",
			path, h->version, RX_IMAGE_VERSION);
		goto out_free;
	}
	if (h->hdr_size != sizeof(*h)) {
		rx_errf(err, errlen, rc, "%s: header size %u, expected %zu", path,
		     h->hdr_size, sizeof(*h));
		goto out_free;
	}
	if (h->body_size != got - sizeof(*h)) {
		rx_errf(err, errlen, rc, "%s: body size %llu but file holds %zu (truncated?)",
		     path, (unsigned long long)h->body_size, got - sizeof(*h));
		goto out_free;
	}
	if (!section_ok(h->off_resp, h->nresp, sizeof(struct rx_resp), sizeof(*h), got) ||
	    !section_ok(h->off_chunk, h->nchunk, sizeof(struct rx_chunk), sizeof(*h), got) ||
	    !section_ok(h->off_tld, h->ntld, sizeof(struct rx_image_tld), sizeof(*h), got) ||
	    !section_ok(h->off_nsec, h->nnsec, sizeof(struct rx_nsec), sizeof(*h), got) ||
	    !section_ok(h->off_rrs, h->rrs_len, 1, sizeof(*h), got)) {
		rx_errf(err, errlen, rc, "%s: a section lies outside the file or is misaligned",
		     path);
		goto out_free;
	}
	SHA256(buf + sizeof(*h), got - sizeof(*h), sha);
	if (memcmp(sha, h->body_sha256, sizeof(sha))) {
		rx_errf(err, errlen, rc, "%s: SHA-256 of the body does not match the header (corrupt image)",
		     path);
		goto out_free;
	}
	if (h->nresp == 0 || h->nnsec == 0) {
		rx_errf(err, errlen, rc, "%s: image holds no responses or no NSEC entries", path);
		goto out_free;
	}
	if (h->meta.serial != h->serial || h->meta.nresp != h->nresp ||
	    h->meta.nchunk != h->nchunk || h->meta.ntld != h->ntld ||
	    h->meta.nnsec != h->nnsec) {
		rx_errf(err, errlen, rc, "%s: meta counts disagree with the header", path);
		goto out_free;
	}

	img->base = buf;
	img->size = got;
	img->hdr = h;
	img->resp = (const struct rx_resp *)(buf + h->off_resp);
	img->chunk = (const struct rx_chunk *)(buf + h->off_chunk);
	img->tld = (const struct rx_image_tld *)(buf + h->off_tld);
	img->nsec = (const struct rx_nsec *)(buf + h->off_nsec);
	img->rrs = buf + h->off_rrs;

	for (i = 0; i < h->nresp; i++) {
		if (resp_check(&img->resp[i], h->nchunk, why, sizeof(why))) {
			rx_errf(err, errlen, rc, "%s: response %u: %s", path, i, why);
			goto out_reset;
		}
	}
	for (i = 0; i < h->ntld; i++) {
		const struct rx_tld *t = &img->tld[i].v;

		if (t->ref >= h->nresp || t->ref_do >= h->nresp ||
		    t->ds >= h->nresp || t->ds_do >= h->nresp) {
			rx_errf(err, errlen, rc, "%s: tld %u: response index out of range",
			     path, i);
			goto out_reset;
		}
		if (img->tld[i].label.len == 0 || img->tld[i].label.len > RX_LABEL_MAX ||
		    (i && rx_label_cmp(&img->tld[i - 1].label, &img->tld[i].label) >= 0)) {
			rx_errf(err, errlen, rc, "%s: tld %u: bad label or not sorted", path, i);
			goto out_reset;
		}
	}
	for (i = 0; i < h->nnsec; i++) {
		if (img->nsec[i].nx_do >= h->nresp ||
		    img->nsec[i].owner.len > RX_LABEL_MAX ||
		    (i && rx_label_cmp(&img->nsec[i - 1].owner, &img->nsec[i].owner) >= 0) ||
		    (i == 0 && img->nsec[0].owner.len != 0)) {
			rx_errf(err, errlen, rc, "%s: nsec %u: bad index, label or order",
			     path, i);
			goto out_reset;
		}
	}
	if (rrs_check(img->rrs, h->rrs_len, h->nrrs, why, sizeof(why))) {
		rx_errf(err, errlen, rc, "%s: RR table: %s", path, why);
		goto out_reset;
	}
	if (h->meta.nx >= h->nresp || h->meta.nodata >= h->nresp ||
	    h->meta.nodata_do >= h->nresp || h->meta.napex > RX_APEX_MAX) {
		rx_errf(err, errlen, rc, "%s: meta: response index out of range", path);
		goto out_reset;
	}
	for (i = 0; i < h->meta.napex; i++) {
		if (h->meta.apex[i].resp >= h->nresp ||
		    h->meta.apex[i].resp_do >= h->nresp) {
			rx_errf(err, errlen, rc, "%s: meta.apex[%u]: response index out of range",
			     path, i);
			goto out_reset;
		}
	}
	return 0;

out_reset:
	memset(img, 0, sizeof(*img));
out_free:
	free(buf);
out_close:
	if (fd >= 0)
		close(fd);
	return rc;
}

void rx_image_close(struct rx_image *img)
{
	free(img->base);
	memset(img, 0, sizeof(*img));
}

void rx_image_body(const struct rx_image *img, const struct rx_resp *r, uint8_t *out)
{
	memcpy(out, img->chunk[r->chunk].b, r->len);
}

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		b += w;
		n -= w;
	}
	return 0;
}

static const uint8_t zero_pad[8];

static uint64_t align8(uint64_t v)
{
	return (v + 7) & ~(uint64_t)7;
}

int rx_image_write(const char *path, struct rx_image_hdr *hdr,
		   const struct rx_resp *resp, const struct rx_chunk *chunk,
		   const struct rx_image_tld *tld, const struct rx_nsec *nsec,
		   const uint8_t *rrs, size_t rrs_len, char *err, size_t errlen)
{
	struct {
		const void *p;
		uint64_t size;
		uint64_t *off;
	} sec[5] = {
		{ resp, (uint64_t)hdr->nresp * sizeof(*resp), &hdr->off_resp },
		{ chunk, (uint64_t)hdr->nchunk * sizeof(*chunk), &hdr->off_chunk },
		{ tld, (uint64_t)hdr->ntld * sizeof(*tld), &hdr->off_tld },
		{ nsec, (uint64_t)hdr->nnsec * sizeof(*nsec), &hdr->off_nsec },
		{ rrs, rrs_len, &hdr->off_rrs },
	};
	char tmp[4096];
	EVP_MD_CTX *ctx;
	uint64_t pos = sizeof(*hdr);
	int fd, rc, i;

	memcpy(hdr->magic, RX_IMAGE_MAGIC, 8);
	hdr->version = RX_IMAGE_VERSION;
	hdr->hdr_size = sizeof(*hdr);
	hdr->rrs_len = rrs_len;
	for (i = 0; i < 5; i++) {
		*sec[i].off = pos;
		pos = align8(pos + sec[i].size);
	}
	hdr->body_size = pos - sizeof(*hdr);
	hdr->meta.serial = hdr->serial;
	hdr->meta.ntld = hdr->ntld;
	hdr->meta.nnsec = hdr->nnsec;
	hdr->meta.nresp = hdr->nresp;
	hdr->meta.nchunk = hdr->nchunk;

	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(ctx);
		return rx_errf(err, errlen, -ENOMEM, "%s: cannot set up SHA-256", path);
	}
	pos = sizeof(*hdr);
	for (i = 0; i < 5; i++) {
		uint64_t end = pos + sec[i].size;

		if (sec[i].size)
			EVP_DigestUpdate(ctx, sec[i].p, sec[i].size);
		if (align8(end) != end)
			EVP_DigestUpdate(ctx, zero_pad, align8(end) - end);
		pos = align8(end);
	}
	EVP_DigestFinal_ex(ctx, hdr->body_sha256, NULL);
	EVP_MD_CTX_free(ctx);
	memcpy(hdr->meta.sha256, hdr->body_sha256, 32);

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return rx_errf(err, errlen, -ENAMETOOLONG, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return rx_errf(err, errlen, -errno, "%s: %s", tmp, strerror(errno));
	rc = write_all(fd, hdr, sizeof(*hdr));
	pos = sizeof(*hdr);
	for (i = 0; i < 5 && !rc; i++) {
		uint64_t end = pos + sec[i].size;

		if (sec[i].size)
			rc = write_all(fd, sec[i].p, sec[i].size);
		if (!rc && align8(end) != end)
			rc = write_all(fd, zero_pad, align8(end) - end);
		pos = align8(end);
	}
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return rx_errf(err, errlen, rc, "%s: cannot write image: %s", path,
			    strerror(-rc));
	}
	/* Make the rename itself durable: fsync the directory. */
	{
		char dir[4096];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash == dir)
			slash[1] = '\0';
		else if (slash)
			*slash = '\0';
		else
			snprintf(dir, sizeof(dir), ".");
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
	}
	return 0;
}

void rx_label_set(struct rx_label *l, const uint8_t *label, unsigned len)
{
	unsigned i;

	memset(l, 0, sizeof(*l));
	if (len > RX_LABEL_MAX)
		len = RX_LABEL_MAX;
	for (i = 0; i < len; i++) {
		uint8_t c = label[i];

		l->name[i] = (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
	}
	l->len = len;
}

int rx_label_cmp(const struct rx_label *a, const struct rx_label *b)
{
	/* name[] is zero padded and len follows it: a label that is a prefix
	 * of another compares smaller either at the first pad byte (0 against
	 * a later byte) or, if the longer one continues with 0x00, at len. */
	return memcmp(a, b, sizeof(*a));
}
