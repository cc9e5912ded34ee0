/* SPDX-License-Identifier: GPL-2.0 */
/* Data transfer checks: every byte compared, not just counted. */
#ifndef _TCPARK_SELFTEST_XFER_H
#define _TCPARK_SELFTEST_XFER_H

#include <stddef.h>

#include <stdint.h>

/* @len pseudo-random bytes, the same for the same @seed (xorshift64). */
void fill_random(uint8_t *buf, size_t len, uint64_t seed);
int exchange(int a, int b, char *why, size_t whylen);
int xfer_both_ways(int a, int b, size_t len, char *why, size_t whylen);

#endif
