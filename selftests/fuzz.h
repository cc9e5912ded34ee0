/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Seeded, bounded fuzzing for the tcpark selftests (fuzz_nl, fuzz_opt,
 * fuzz_seg): one small deterministic generator, a seed taken from the
 * environment or the clock and always printed, so that a failure replays
 * with FUZZ_SEED=N (on the same kernel: fuzz_seg's choices are relative to
 * windows and sequence numbers each kernel picks its own way); and an
 * iteration count scaled by FUZZ_SCALE (percent, default 100), which
 * fuzz.sh lowers on the slower debug kernel.
 */
#ifndef _TCPARK_SELFTEST_FUZZ_H
#define _TCPARK_SELFTEST_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* splitmix64: tiny, and every seed (even 0) gives a full-period stream. */
static uint64_t fuzz_state;

static inline uint64_t fz_u64(void)
{
	uint64_t z = (fuzz_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint32_t fz_u32(void)
{
	return fz_u64() >> 32;
}

/* Uniform in [0, n); n > 0. */
static inline uint32_t fz_below(uint32_t n)
{
	return (uint32_t)(((fz_u64() >> 32) * (uint64_t)n) >> 32);
}

/* True with probability @pct percent. */
static inline int fz_pct(unsigned int pct)
{
	return fz_below(100) < pct;
}

static inline void fz_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len--)
		*p++ = fz_u32();
}

/* FUZZ_SEED from the environment, else the clock; printed either way. */
static inline uint64_t fuzz_seed(const char *prog)
{
	const char *env = getenv("FUZZ_SEED");
	struct timespec ts;
	uint64_t seed;

	if (env && *env) {
		seed = strtoull(env, NULL, 0);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec * 1000000007ull + ts.tv_nsec;
	}
	fuzz_state = seed;
	printf("# %s: seed %llu (replay with FUZZ_SEED=%llu)\n", prog,
	       (unsigned long long)seed, (unsigned long long)seed);
	fflush(stdout);
	return seed;
}

/* @base iterations scaled by FUZZ_SCALE percent (at least 1). */
static inline unsigned int fuzz_iters(unsigned int base)
{
	const char *env = getenv("FUZZ_SCALE");
	unsigned long pct = env && *env ? strtoul(env, NULL, 10) : 100;
	unsigned long n = base * pct / 100;

	return n ? n : 1;
}

#endif
