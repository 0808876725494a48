/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* log.h - terse, greppable lines on stderr: "prog: level: message". */
#ifndef RX_LOG_H
#define RX_LOG_H

enum rx_log_level { RX_LOG_ERR, RX_LOG_WARN, RX_LOG_INFO, RX_LOG_DEBUG };

extern const char *rx_prog;		/* set from argv[0] by main */
extern enum rx_log_level rx_log_max;	/* default RX_LOG_INFO */

void rx_log(enum rx_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define rx_err(...)	rx_log(RX_LOG_ERR, __VA_ARGS__)
#define rx_warn(...)	rx_log(RX_LOG_WARN, __VA_ARGS__)
#define rx_info(...)	rx_log(RX_LOG_INFO, __VA_ARGS__)
#define rx_debug(...)	rx_log(RX_LOG_DEBUG, __VA_ARGS__)

#endif
