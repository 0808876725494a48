/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * tsig.h - TSIG (RFC 8945) for zone transfers: the keys (tsig-key in the
 * config, tsig-key-file readable only by its owner), signing a message and
 * verifying one, alone or as part of a multi-message AXFR stream.  Used by
 * `rootxdp refresh` (AXFR in) and rootxdpd (AXFR out).  HMAC through
 * OpenSSL's EVP_MAC; MAC truncation (RFC 8945 5.2.2.1) is not offered.
 */
#ifndef RX_TSIG_H
#define RX_TSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"

#define RX_TSIG_KEYS_MAX	16
#define RX_TSIG_FUDGE		300	/* RFC 8945 10: 300 s recommended */
#define RX_TSIG_MAC_MAX		64	/* hmac-sha512 */
#define RX_TSIG_SECRET_MAX	128
#define RX_TSIG_TYPE		250
#define RX_TSIG_CLASS_ANY	255
/* RFC 8945 5.3.1: at most 99 unsigned messages in a row of a transfer */
#define RX_TSIG_UNSIGNED_MAX	99

/* TSIG error codes (RFC 8945 3) */
#define RX_TSIG_NOERROR		0
#define RX_TSIG_BADSIG		16
#define RX_TSIG_BADKEY		17
#define RX_TSIG_BADTIME		18
#define RX_TSIG_BADTRUNC	22

struct rx_tsig_key {
	char name[256];			/* presentation, lowercase, no final dot */
	uint8_t wname[256];		/* wire, lowercase */
	unsigned wname_len;
	int alg;			/* index into the algorithm table */
	uint8_t secret[RX_TSIG_SECRET_MAX];
	size_t secret_len;
};

struct rx_tsig_keys {
	struct rx_tsig_key k[RX_TSIG_KEYS_MAX];
	int n;
};

/* "[ALG:]NAME:BASE64" (kdig -y's form; ALG default hmac-sha256). */
int rx_tsig_key_parse(const char *spec, struct rx_tsig_key *k, char *err, size_t errlen);
/* The config's tsig-key entries, then tsig-key-file (refused when group or
 * others may read it, or when another user owns it).  0, or -1 with one
 * line in err naming the key or the file. */
int rx_tsig_keys_load(const struct rx_config *c, struct rx_tsig_keys *ks,
		      char *err, size_t errlen);
const struct rx_tsig_key *rx_tsig_key_find(const struct rx_tsig_keys *ks, const char *name);
/* By wire name, any case; NULL if none. */
const struct rx_tsig_key *rx_tsig_key_find_wire(const struct rx_tsig_keys *ks,
						const uint8_t *name);
/* Is alg (wire) k's algorithm? */
bool rx_tsig_alg_is(const struct rx_tsig_key *k, const uint8_t *alg);
const char *rx_tsig_alg_name(int alg);
/* A wire name as text for messages ("key.example", no final dot). */
void rx_tsig_name_str(const uint8_t *w, char *out, size_t len);
/* "BADSIG (the MAC does not verify)" and so on. */
const char *rx_tsig_error_str(unsigned error);

/* The TSIG RR of a message (the last RR of the additional section). */
struct rx_tsig_rr {
	size_t start;			/* offset of the RR */
	uint8_t key[256];		/* wire, decompressed */
	unsigned key_len;
	uint8_t alg[256];
	unsigned alg_len;
	uint64_t time;			/* 48 bits */
	uint16_t fudge;
	const uint8_t *mac;
	uint16_t mac_len;
	uint16_t orig_id, error, other_len;
	const uint8_t *other;
};

/* 1: found (t filled), 0: no TSIG, -1: malformed message or TSIG RR. */
int rx_tsig_rr_find(const uint8_t *m, size_t len, struct rx_tsig_rr *t);

/* One side of a signed exchange: the key, and the MAC the next digest
 * starts with (the request's, then each signed message's). */
struct rx_tsig_ctx {
	struct rx_tsig_key key;
	uint8_t mac[RX_TSIG_MAC_MAX];
	unsigned mac_len;		/* 0: a request (no prior MAC) */
	int dir;			/* last call: 0 none, 1 sign, 2 verify */
	unsigned nsigned;		/* signed messages this direction */
	unsigned unsigned_run;		/* unsigned messages since the last */
	void *pending;			/* EVP_MAC_CTX over unsigned messages */
};

void rx_tsig_ctx_init(struct rx_tsig_ctx *t, const struct rx_tsig_key *k);
void rx_tsig_ctx_free(struct rx_tsig_ctx *t);
/* Sign m (len bytes, room for cap): append the TSIG RR, ARCOUNT + 1.  The
 * first message of a request or response carries every TSIG variable, the
 * later ones of a stream the timers only (RFC 8945 4.3.3).  other/olen:
 * Other Data (the server time with BADTIME).  Returns the new length, or
 * 0 if it does not fit. */
size_t rx_tsig_sign(struct rx_tsig_ctx *t, uint8_t *m, size_t len, size_t cap,
		    uint64_t now, uint16_t error, const uint8_t *other, uint16_t olen);
/* Bytes rx_tsig_sign() adds for key k (with olen bytes of Other Data). */
size_t rx_tsig_size(const struct rx_tsig_key *k, uint16_t olen);
/* Verify the next message of what t tracks: a request (nothing before), a
 * response (after rx_tsig_sign() of the request) or the next message of
 * a stream.  rr: the message's TSIG (rx_tsig_rr_find()), NULL if none.  A message without
 * TSIG is folded into the next digest (a stream may leave up to 99
 * unsigned).  Returns RX_TSIG_NOERROR (signed and good), -1 (unsigned,
 * folded in), or a TSIG error code: BADKEY (another key or algorithm),
 * BADSIG, BADTIME (outside the fudge of now). */
int rx_tsig_verify(struct rx_tsig_ctx *t, const uint8_t *m, size_t len,
		   const struct rx_tsig_rr *rr, uint64_t now);

#endif
