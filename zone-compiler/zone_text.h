/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * zone_text.h - the zone-file reader of rootxdp-compile.  rootxdpd reads
 * no zone file: it serves the RR table the compiler writes into the image.
 */
#ifndef RX_ZONE_TEXT_H
#define RX_ZONE_TEXT_H

#include <stddef.h>
#include <stdio.h>
#include <ldns/ldns.h>

/* Read a zone in presentation format (origin ".", default TTL 3600) into a
 * new ldns_zone.  Returns 0, or -1 with one line in err ("line N: why"). */
int rx_zone_parse(FILE *fp, ldns_zone **out, char *err, size_t errlen);

#endif
