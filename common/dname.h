/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * dname.h - uncompressed wire-format domain names, for the compiler and the
 * daemon alike.  Names are trusted here: validated (<= 255 bytes, labels
 * <= 63, no pointers) where they were read.
 */
#ifndef RX_DNAME_H
#define RX_DNAME_H

#include <stdbool.h>
#include <stdint.h>

/* Wire length, root label included. */
unsigned rx_dname_len(const uint8_t *n);
/* The name at off in a message of len bytes, compression pointers
 * followed (each must point before every byte of the name read so far, so
 * decoding ends), uncompressed into out (255 bytes; NULL: only checked),
 * its length in *outlen (if not NULL).  Returns the offset after the name
 * as it sits in the message, or -1 (malformed: FORMERR). */
long rx_dname_unpack(const uint8_t *m, size_t len, size_t off, uint8_t *out,
		     unsigned *outlen);
/* Labels, the root not counted ("." is 0). */
unsigned rx_dname_labels(const uint8_t *n);
/* Equal, ASCII case-insensitive. */
bool rx_dname_eq(const uint8_t *a, const uint8_t *b);
/* RFC 4034 6.1 canonical order, ASCII case-insensitive: <0, 0, >0. */
int rx_dname_cmp(const uint8_t *a, const uint8_t *b);

#endif
