/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * check.h - the unit-test harness: CHECK() records a pass or a failure
 * (with file:line and the expression), check_done() prints the summary line
 * tests/run.sh reads ("N passed, N failed") and gives the exit status.
 */
#ifndef RX_CHECK_H
#define RX_CHECK_H

#include <stdio.h>

/* One pair of counters per program, also when its checks are spread over
 * several files (the packet suite's scenario files): weak definitions,
 * merged by the linker. */
__attribute__((weak)) int check_passed, check_failed;

#define CHECK(expr) CHECK_MSG(expr, "%s", #expr)
#define CHECK_MSG(expr, ...)						\
	do {								\
		if (expr) {						\
			check_passed++;					\
		} else {						\
			check_failed++;					\
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
		}							\
	} while (0)

static inline int check_done(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
