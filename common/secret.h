/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * secret.h - the DNS cookie secrets (RFC 9018) that the kernel paths and
 * rootxdpd share.  From the config (cookie-secret, cookie-secret-previous:
 * a fleet that manages them itself), else from state-dir/cookie-secret,
 * made at random the first time, so that a restart keeps every client's
 * cookie valid.  `rootxdp cookie-secret rotate` moves current to previous.
 */
#ifndef RX_SECRET_H
#define RX_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include "config.h"
#include "cookie.h"

#define RX_SECRET_FILE	"cookie-secret"

struct rx_secrets {
	unsigned char cur[16];
	unsigned char prev[16];
	bool has_prev;
	bool from_config;	/* else from state-dir/cookie-secret */
	char path[4096];	/* the file, when from it */
};

/* Load the secrets; create the file (0600, random) when the config sets
 * none and it does not exist yet.  0, or -1 with one line in err. */
int rx_secrets_load(const struct rx_config *c, struct rx_secrets *s, char *err, size_t errlen);
/* current -> previous, new current (next, or random when NULL), written
 * atomically to the file.  Refused when the config sets the secret. */
int rx_secrets_rotate(const struct rx_config *c, const unsigned char *next,
		      struct rx_secrets *s, char *err, size_t errlen);
/* SipHash key words for cookie.h. */
void rx_secrets_keys(const struct rx_secrets *s, struct rx_cookie_keys *k);
void rx_hex_put(const unsigned char *b, size_t n, char *out);

#endif
