/* SPDX-License-Identifier: MIT */
/*
 * Inclusive address ranges, as crosvm's AddressRange: [start, end] with
 * end inclusive, so the whole u64 space is representable. A range is empty
 * iff end < start; the canonical empty range is {1, 0}. All arithmetic is
 * overflow-safe up to 2^64-1.
 */
#ifndef LA_RANGE_H
#define LA_RANGE_H

#include <stdbool.h>
#include <stdint.h>

struct la_range {
	uint64_t start;
	uint64_t end; /* inclusive */
};

#define LA_RANGE_EMPTY ((struct la_range){ .start = 1, .end = 0 })

static inline bool la_range_is_empty(struct la_range r)
{
	return r.end < r.start;
}

/* la_range_from_size - [start, start+size-1]; empty if size is 0.
 * returns: 0, -LA_ERR_RANGE if start+size-1 overflows */
int la_range_from_size(uint64_t start, uint64_t size, struct la_range *out);

/* la_range_len - number of bytes, saturating at UINT64_MAX for the full
 * space (whose true length, 2^64, does not fit); 0 if empty. */
uint64_t la_range_len(struct la_range r);

bool la_range_contains(struct la_range r, uint64_t addr);
/* la_range_contains_range - every address of inner is in outer (an empty
 * inner is contained in anything). */
bool la_range_contains_range(struct la_range outer, struct la_range inner);
bool la_range_overlaps(struct la_range a, struct la_range b);
/* la_range_intersect - common part, LA_RANGE_EMPTY if none. */
struct la_range la_range_intersect(struct la_range a, struct la_range b);
/* la_range_split_at - [start, at-1] and [at, end]; either may be empty. */
void la_range_split_at(struct la_range r, uint64_t at, struct la_range *lo,
		       struct la_range *hi);
/* la_range_subtract - r minus cut: up to two pieces, before and after
 * (each possibly empty). */
void la_range_subtract(struct la_range r, struct la_range cut,
		       struct la_range *before, struct la_range *after);

/* la_align_up / la_align_down - align must be a power of two; align_up
 * reports overflow through *ok (may be NULL when the caller knows). */
uint64_t la_align_up(uint64_t v, uint64_t align, bool *ok);
static inline uint64_t la_align_down(uint64_t v, uint64_t align)
{
	return v & ~(align - 1);
}
static inline bool la_is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

#endif
