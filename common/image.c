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
#include <zlib.h>
#include "errf.h"
#include "image.h"

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
		rx_errf(err, errlen, rc, "%s: image version %u, this build reads %u",
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
	    !section_ok(h->off_zone, h->zone_zlen, 1, sizeof(*h), got)) {
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
	img->zone_z = buf + h->off_zone;

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

int rx_image_zone_text(const struct rx_image *img, char **text, size_t *len,
		       char *err, size_t errlen)
{
	uint64_t want = img->hdr->zone_len;
	uLongf out_len;
	char *buf;
	int zrc;

	*text = NULL;
	if (want >= (uint64_t)1 << 32)
		return rx_errf(err, errlen, -EINVAL, "zone text size %llu is implausible",
			    (unsigned long long)want);
	buf = malloc(want + 1);
	if (!buf)
		return rx_errf(err, errlen, -ENOMEM, "out of memory inflating the zone");
	out_len = want;
	zrc = uncompress((Bytef *)buf, &out_len, img->zone_z, img->hdr->zone_zlen);
	if (zrc != Z_OK || out_len != want) {
		free(buf);
		return rx_errf(err, errlen, -EINVAL, "zone text: inflate failed (%s)",
			    zrc != Z_OK ? zError(zrc) : "size differs from header");
	}
	buf[want] = '\0';
	*text = buf;
	if (len)
		*len = want;
	return 0;
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
		   const uint8_t *zone_z, size_t zone_zlen, size_t zone_len,
		   char *err, size_t errlen)
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
		{ zone_z, zone_zlen, &hdr->off_zone },
	};
	char tmp[4096];
	EVP_MD_CTX *ctx;
	uint64_t pos = sizeof(*hdr);
	int fd, rc, i;

	memcpy(hdr->magic, RX_IMAGE_MAGIC, 8);
	hdr->version = RX_IMAGE_VERSION;
	hdr->hdr_size = sizeof(*hdr);
	hdr->pad = 0;
	hdr->zone_zlen = zone_zlen;
	hdr->zone_len = zone_len;
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
