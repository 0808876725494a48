/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * csum.h - the checksum scenario (csum.c), run by test_xdp's main with the
 * programs, maps and image it set up.  It writes its own configuration
 * (the caller restores its own after) and returns its check counts.
 */
#ifndef RX_TEST_CSUM_H
#define RX_TEST_CSUM_H

#include "zone_maps.h"
#include "image.h"

void csum_cases(int fd_xdp, int fd_tc, const struct rx_maps *maps, const struct rx_image *img,
		int *passed, int *failed);

#endif
