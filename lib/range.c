/* SPDX-License-Identifier: MIT */
#include "err.h"
#include "range.h"

int la_range_from_size(uint64_t start, uint64_t size, struct la_range *out)
{
	if (size == 0) {
		*out = LA_RANGE_EMPTY;
		return 0;
	}
	if (size - 1 > UINT64_MAX - start)
		return -LA_ERR_RANGE;
	out->start = start;
	out->end = start + (size - 1);
	return 0;
}

uint64_t la_range_len(struct la_range r)
{
	if (la_range_is_empty(r))
		return 0;
	if (r.end - r.start == UINT64_MAX)
		return UINT64_MAX;
	return r.end - r.start + 1;
}

bool la_range_contains(struct la_range r, uint64_t addr)
{
	return r.start <= addr && addr <= r.end;
}

bool la_range_contains_range(struct la_range outer, struct la_range inner)
{
	if (la_range_is_empty(inner))
		return true;
	return !la_range_is_empty(outer) && outer.start <= inner.start &&
	       inner.end <= outer.end;
}

struct la_range la_range_intersect(struct la_range a, struct la_range b)
{
	struct la_range r = {
		.start = a.start > b.start ? a.start : b.start,
		.end = a.end < b.end ? a.end : b.end,
	};

	if (la_range_is_empty(a) || la_range_is_empty(b) || la_range_is_empty(r))
		return LA_RANGE_EMPTY;
	return r;
}

bool la_range_overlaps(struct la_range a, struct la_range b)
{
	return !la_range_is_empty(la_range_intersect(a, b));
}

void la_range_split_at(struct la_range r, uint64_t at, struct la_range *lo,
		       struct la_range *hi)
{
	*lo = LA_RANGE_EMPTY;
	*hi = LA_RANGE_EMPTY;
	if (la_range_is_empty(r))
		return;
	if (at <= r.start) {
		*hi = r;
	} else if (at > r.end) {
		*lo = r;
	} else {
		*lo = (struct la_range){ r.start, at - 1 };
		*hi = (struct la_range){ at, r.end };
	}
}

void la_range_subtract(struct la_range r, struct la_range cut,
		       struct la_range *before, struct la_range *after)
{
	struct la_range common = la_range_intersect(r, cut);

	*before = LA_RANGE_EMPTY;
	*after = LA_RANGE_EMPTY;
	if (la_range_is_empty(common)) {
		*before = r; /* nothing cut: the whole range is "before" */
		return;
	}
	if (common.start > r.start)
		*before = (struct la_range){ r.start, common.start - 1 };
	if (common.end < r.end)
		*after = (struct la_range){ common.end + 1, r.end };
}

uint64_t la_align_up(uint64_t v, uint64_t align, bool *ok)
{
	uint64_t mask = align - 1;

	if (v > UINT64_MAX - mask) {
		if (ok)
			*ok = false;
		return 0;
	}
	if (ok)
		*ok = true;
	return (v + mask) & ~mask;
}
