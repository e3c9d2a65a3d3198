/* SPDX-License-Identifier: MIT */
/*
 * A talloc leak fixture for Check: setup records the bytes talloc has
 * allocated, teardown fails the test if more remain.
 */
#ifndef LEAK_H
#define LEAK_H

void leak_setup(void);
void leak_teardown(void);

#endif /* LEAK_H */
