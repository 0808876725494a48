// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdarg.h>
#include <stdio.h>
#include "log.h"

const char *rx_prog = "rootxdp";
enum rx_log_level rx_log_max = RX_LOG_INFO;

static const char *const level_name[] = { "error", "warning", "info", "debug" };

void rx_log(enum rx_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl > rx_log_max)
		return;
	/* Errors name only the program, like every Unix tool; the rest say
	 * their level so that grep can pick them out of a journal. */
	if (lvl == RX_LOG_ERR)
		fprintf(stderr, "%s: ", rx_prog);
	else
		fprintf(stderr, "%s: %s: ", rx_prog, level_name[lvl]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
