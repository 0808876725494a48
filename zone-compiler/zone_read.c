// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * zone_read.c - read a zone file (plain or gzip, told apart by content),
 * parse it with ldns and index it: every RR with its lowercased owner and
 * canonical RDATA, sorted in DNSSEC canonical order (RFC 4034 6.1, 6.3),
 * duplicates removed, grouped into RRsets.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "zc.h"
#include "zone_text.h"

int zc_err(struct zc *zc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(zc->err, sizeof(zc->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* gzread() passes a file that is not gzip through unchanged, so one path
 * reads both; the gzip magic (1f 8b) decides, never the file name. */
int zc_read(struct zc *zc, const char *path)
{
	size_t cap = 1 << 20, len = 0;
	char *buf;
	gzFile gz;
	FILE *fp;
	int rc;

	zc->path = path;
	errno = 0;
	gz = gzopen(path, "rb");
	if (!gz)
		return zc_err(zc, "cannot open: %s", errno ? strerror(errno) : "out of memory");
	gzbuffer(gz, 1 << 17);
	buf = malloc(cap);
	for (;;) {
		int n;

		if (!buf) {
			gzclose(gz);
			return zc_err(zc, "out of memory reading the zone");
		}
		if (cap - len < (1 << 16)) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				buf = NULL;
				continue;
			}
			buf = nb;
			cap *= 2;
		}
		n = gzread(gz, buf + len, (unsigned)(cap - len - 1));
		if (n < 0) {
			int zerr;
			const char *msg = gzerror(gz, &zerr);

			zc_err(zc, "cannot read: %s",
			       zerr == Z_ERRNO ? strerror(errno) : msg);
			free(buf);
			gzclose(gz);
			return -1;
		}
		if (n == 0)
			break;
		len += n;
	}
	{
		int zerr;
		const char *msg = gzerror(gz, &zerr);

		/* A gzip stream cut short reads as EOF; gzerror tells. */
		if (zerr != Z_OK && zerr != Z_STREAM_END) {
			zc_err(zc, "cannot read: %s (truncated gzip file?)", msg);
			free(buf);
			gzclose(gz);
			return -1;
		}
	}
	gzclose(gz);
	buf[len] = '\0';
	if (len == 0) {
		free(buf);
		return zc_err(zc, "empty file");
	}
	if (memchr(buf, '\0', len))
		return free(buf), zc_err(zc, "not a zone file (binary data, truncated or corrupt gzip?)");
	zc->text = buf;
	zc->text_len = len;

	fp = fmemopen(buf, len, "r");
	if (!fp)
		return zc_err(zc, "fmemopen: %s", strerror(errno));
	rc = rx_zone_parse(fp, &zc->zone, zc->err, sizeof(zc->err));
	fclose(fp);
	if (rc)
		return -1;
	zc->soa = ldns_zone_soa(zc->zone);
	return 0;
}

void zc_name_lower(uint8_t *dst, const uint8_t *src, unsigned len)
{
	unsigned i;

	for (i = 0; i < len; i++)
		dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? src[i] + 32 : src[i];
}

const uint8_t *zc_name_tld(const uint8_t *w)
{
	const uint8_t *last = w;

	while (*w) {
		last = w;
		w += *w + 1;
	}
	return last;
}

bool zc_name_under(const uint8_t *name, const uint8_t *parent)
{
	unsigned ln = rx_dname_len(name), lp = rx_dname_len(parent), n = 0;

	if (lp > ln)
		return false;
	/* walk name's labels until the remaining suffix has parent's length */
	while (ln - n > lp)
		n += name[n] + 1;
	return ln - n == lp && !memcmp(name + n, parent, lp);
}

char *zc_name_str(const uint8_t *w, char *buf, size_t len)
{
	size_t o = 0;

	if (!*w) {
		snprintf(buf, len, ".");
		return buf;
	}
	buf[0] = '\0';
	while (*w && o + 1 < len) {
		unsigned i;

		for (i = 1; i <= *w && o + 5 < len; i++) {
			uint8_t c = w[i];

			if (c == '.' || c == '\\')
				o += snprintf(buf + o, len - o, "\\%c", c);
			else if (c < 0x21 || c > 0x7e)
				o += snprintf(buf + o, len - o, "\\%03u", c);
			else
				buf[o++] = c;
		}
		if (o + 1 < len)
			buf[o++] = '.';
		w += *w + 1;
	}
	buf[o < len ? o : len - 1] = '\0';
	return buf;
}

const char *zc_type_str(uint16_t type, char *buf, size_t len)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(type);

	if (d && d->_name)
		snprintf(buf, len, "%s", d->_name);
	else
		snprintf(buf, len, "TYPE%u", type);
	return buf;
}

static int rr_cmp(const void *pa, const void *pb)
{
	const struct zc_rr *a = pa, *b = pb;
	unsigned m;
	int c = rx_dname_cmp(a->owner, b->owner);

	if (c)
		return c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->covered != b->covered)
		return a->covered < b->covered ? -1 : 1;
	/* RFC 4034 6.3: RDATA as a left-justified octet string */
	m = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;
	c = memcmp(a->rdata, b->rdata, m);
	if (c)
		return c;
	return a->rdlen == b->rdlen ? 0 : (a->rdlen < b->rdlen ? -1 : 1);
}

static int add_rr(struct zc *zc, ldns_rr *rr, ldns_buffer *wb)
{
	struct zc_rr *z = &zc->rrs[zc->nrrs];
	ldns_rdf *owner = ldns_rr_owner(rr);
	ldns_rr *canon;
	char nb[1024], tb[32];

	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
		return zc_err(zc, "%s %s: class %u is not IN",
			      zc_name_str(ldns_rdf_data(owner), nb, sizeof(nb)),
			      zc_type_str(ldns_rr_get_type(rr), tb, sizeof(tb)),
			      ldns_rr_get_class(rr));
	if (ldns_rdf_size(owner) > RX_NAME_MAX || ldns_rdf_size(owner) < 1)
		return zc_err(zc, "owner name too long");
	z->rr = rr;
	z->owner_len = ldns_rdf_size(owner);
	zc_name_lower(z->owner, ldns_rdf_data(owner), z->owner_len);
	z->nlabels = rx_dname_labels(z->owner);
	z->type = ldns_rr_get_type(rr);
	z->covered = 0;
	if (z->type == LDNS_RR_TYPE_RRSIG) {
		ldns_rdf *tc = ldns_rr_rrsig_typecovered(rr);

		if (!tc)
			return zc_err(zc, "%s RRSIG: malformed", zc_name_str(z->owner, nb, sizeof(nb)));
		z->covered = ldns_rdf2native_int16(tc);
	}
	canon = ldns_rr_clone(rr);
	if (!canon)
		return zc_err(zc, "out of memory");
	ldns_rr2canonical(canon);
	ldns_buffer_clear(wb);
	if (ldns_rr_rdata2buffer_wire(wb, canon) != LDNS_STATUS_OK ||
	    ldns_buffer_position(wb) > 65535) {
		ldns_rr_free(canon);
		return zc_err(zc, "%s %s: RDATA cannot be encoded",
			      zc_name_str(z->owner, nb, sizeof(nb)),
			      zc_type_str(z->type, tb, sizeof(tb)));
	}
	ldns_rr_free(canon);
	z->rdlen = ldns_buffer_position(wb);
	z->rdata = malloc(z->rdlen ? z->rdlen : 1);
	if (!z->rdata)
		return zc_err(zc, "out of memory");
	memcpy(z->rdata, ldns_buffer_begin(wb), z->rdlen);
	zc->nrrs++;
	return 0;
}

int zc_index(struct zc *zc)
{
	ldns_rr_list *list = ldns_zone_rrs(zc->zone);
	size_t n = ldns_rr_list_rr_count(list), i;
	ldns_buffer *wb;
	uint32_t w;
	int rc = 0;

	zc->rrs = calloc(n + 1, sizeof(*zc->rrs));
	zc->sets = calloc(n + 1, sizeof(*zc->sets));
	wb = ldns_buffer_new(4096);
	if (!zc->rrs || !zc->sets || !wb) {
		ldns_buffer_free(wb);
		return zc_err(zc, "out of memory");
	}
	if (zc->soa)
		rc = add_rr(zc, zc->soa, wb);
	for (i = 0; i < n && !rc; i++)
		rc = add_rr(zc, ldns_rr_list_rr(list, i), wb);
	ldns_buffer_free(wb);
	if (rc)
		return rc;
	qsort(zc->rrs, zc->nrrs, sizeof(*zc->rrs), rr_cmp);
	/* drop duplicate RRs (RFC 2181 5: an RRset is a set) */
	for (i = 0, w = 0; i < zc->nrrs; i++) {
		if (w && !rr_cmp(&zc->rrs[w - 1], &zc->rrs[i])) {
			free(zc->rrs[i].rdata);
			continue;
		}
		zc->rrs[w++] = zc->rrs[i];
	}
	zc->nrrs = w;
	for (i = 0; i < zc->nrrs; i++) {
		struct zc_rr *r = &zc->rrs[i];
		struct zc_rrset *s = zc->nsets ? &zc->sets[zc->nsets - 1] : NULL;

		if (s && s->type == r->type && s->covered == r->covered &&
		    !rx_dname_cmp(zc->rrs[s->first].owner, r->owner)) {
			s->count++;
			continue;
		}
		s = &zc->sets[zc->nsets++];
		s->first = i;
		s->count = 1;
		s->type = r->type;
		s->covered = r->covered;
	}
	return 0;
}

static int set_key_cmp(const struct zc *zc, const struct zc_rrset *s,
		       const uint8_t *owner, uint16_t type, uint16_t covered)
{
	int c = rx_dname_cmp(zc->rrs[s->first].owner, owner);

	if (c)
		return c;
	if (s->type != type)
		return s->type < type ? -1 : 1;
	if (s->covered != covered)
		return s->covered < covered ? -1 : 1;
	return 0;
}

const struct zc_rrset *zc_find(const struct zc *zc, const uint8_t *owner,
			       uint16_t type, uint16_t covered)
{
	uint32_t lo = 0, hi = zc->nsets;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = set_key_cmp(zc, &zc->sets[mid], owner, type, covered);

		if (!c)
			return &zc->sets[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void zc_free(struct zc *zc)
{
	uint32_t i;

	for (i = 0; i < zc->nrrs; i++)
		free(zc->rrs[i].rdata);
	free(zc->rrs);
	free(zc->sets);
	if (zc->zone)
		ldns_zone_deep_free(zc->zone);
	free(zc->text);
	free(zc->resp);
	free(zc->chunk);
	free(zc->tld);
	free(zc->nsec);
	free(zc->dedup);
	memset(zc, 0, sizeof(*zc));
}
