/* SPDX-License-Identifier: MIT */
/*
 * The unit suites the runner (main.c) runs: one X(name) per
 * tests/unit/check_<name>.c, which defines Suite *<name>_suite(void).
 */
#ifndef SUITES_H
#define SUITES_H

#include <check.h>

#define UNIT_SUITES(X)                                                         \
	X(frame)                                                               \
	X(perms)                                                               \
	X(path)                                                                \
	X(ring)                                                                \
	X(ring_resume)                                                         \
	X(quota)                                                               \
	X(journal)                                                             \
	X(side)                                                                \
	X(store)                                                               \
	X(store_index)                                                         \
	X(watch)                                                               \
	X(txn)                                                                 \
	X(dispatch)                                                            \
	X(lu_stream)                                                           \
	X(lu_upload)                                                           \
	X(stream)                                                              \
	X(hold)                                                                \
	X(release)                                                             \
	X(watch_rec)                                                           \
	X(busypoll)

#define UNIT_DECLARE(name) Suite *name##_suite(void);
UNIT_SUITES(UNIT_DECLARE)

#endif /* SUITES_H */
