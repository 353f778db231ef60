/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr_alloc.h"
#include "err.h"

struct la_alloc_id la_alloc_id_anon(uint64_t n)
{
	return (struct la_alloc_id){ .type = LA_ALLOC_ANON, .n = n };
}

int la_alloc_id_named(const char *name, struct la_alloc_id *out)
{
	memset(out, 0, sizeof(*out));
	if (strlen(name) >= LA_ALLOC_NAME_MAX)
		return -LA_ERR_NAMELEN;
	out->type = LA_ALLOC_NAMED;
	strcpy(out->name, name);
	return 0;
}

struct la_alloc_id la_alloc_id_pci_bar(uint8_t bus, uint8_t dev, uint8_t func, uint8_t bar)
{
	return (struct la_alloc_id){
		.type = LA_ALLOC_PCI_BAR, .bus = bus, .dev = dev, .func = func, .bar = bar,
	};
}

bool la_alloc_id_eq(const struct la_alloc_id *a, const struct la_alloc_id *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case LA_ALLOC_ANON:
		return a->n == b->n;
	case LA_ALLOC_NAMED:
		return !strcmp(a->name, b->name);
	case LA_ALLOC_PCI_BAR:
		return a->bus == b->bus && a->dev == b->dev && a->func == b->func &&
		       a->bar == b->bar;
	}
	return false;
}

char *la_alloc_id_format(const struct la_alloc_id *id, char *buf, unsigned len)
{
	switch (id->type) {
	case LA_ALLOC_ANON:
		snprintf(buf, len, "Anon(%llu)", (unsigned long long)id->n);
		break;
	case LA_ALLOC_NAMED:
		snprintf(buf, len, "'%s'", id->name);
		break;
	case LA_ALLOC_PCI_BAR:
		snprintf(buf, len, "PciBar(%02x:%02x.%x bar %u)", id->bus, id->dev, id->func,
			 id->bar);
		break;
	}
	return buf;
}

/* Make room for one more element in a doubling vector. */
static int la_vec_reserve(void **v, unsigned n, unsigned *cap, size_t elem)
{
	unsigned ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap : 8;
	while (ncap <= n)
		ncap *= 2;
	p = realloc(*v, (size_t)ncap * elem);
	if (!p)
		return -LA_ERR_NOMEM;
	*v = p;
	*cap = ncap;
	return 0;
}

/* Insert r into the free list at index i (the caller keeps the order). */
static int la_free_insert(struct la_addr_alloc *a, unsigned i, struct la_range r)
{
	int err = la_vec_reserve((void **)&a->free, a->nfree, &a->capfree, sizeof(r));

	if (err)
		return err;
	memmove(&a->free[i + 1], &a->free[i], (a->nfree - i) * sizeof(r));
	a->free[i] = r;
	a->nfree++;
	return 0;
}

static void la_free_remove(struct la_addr_alloc *a, unsigned i)
{
	memmove(&a->free[i], &a->free[i + 1], (a->nfree - i - 1) * sizeof(a->free[0]));
	a->nfree--;
}

static int la_range_cmp(const void *pa, const void *pb)
{
	const struct la_range *x = pa, *y = pb;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

int la_addr_alloc_init(struct la_addr_alloc *a, const struct la_range *pools,
		       unsigned npools, const struct la_addr_alloc_opts *opts)
{
	uint64_t min = LA_ALLOC_DEFAULT_MIN_ALIGN, pref;

	memset(a, 0, sizeof(*a));
	if (opts && opts->has_min_align)
		min = opts->min_align;
	if (!la_is_pow2(min))
		return -LA_ERR_BADALIGN;
	pref = opts && opts->has_preferred_align ? opts->preferred_align : min;
	if (!la_is_pow2(pref) || pref < min)
		return -LA_ERR_BADALIGN;
	a->min_align = min;
	a->preferred_align = pref;
	a->pools = calloc(npools ? npools : 1, sizeof(*a->pools));
	if (!a->pools)
		return -LA_ERR_NOMEM;
	for (unsigned i = 0; i < npools; i++)
		if (!la_range_is_empty(pools[i]))
			a->pools[a->npools++] = pools[i];
	a->capfree = a->npools;
	a->free = malloc((a->npools ? a->npools : 1) * sizeof(*a->free));
	if (!a->free) {
		la_addr_alloc_destroy(a);
		return -LA_ERR_NOMEM;
	}
	memcpy(a->free, a->pools, a->npools * sizeof(*a->free));
	a->nfree = a->npools;
	qsort(a->free, a->nfree, sizeof(*a->free), la_range_cmp);
	for (unsigned i = 1; i < a->nfree; i++) {
		if (a->free[i].start <= a->free[i - 1].end) {
			la_addr_alloc_destroy(a);
			return -LA_ERR_POOLOVERLAP;
		}
	}
	return 0;
}

void la_addr_alloc_destroy(struct la_addr_alloc *a)
{
	free(a->pools);
	free(a->free);
	free(a->allocs);
	memset(a, 0, sizeof(*a));
}

const struct la_alloc_rec *la_addr_alloc_find(const struct la_addr_alloc *a,
					      const struct la_alloc_id *id)
{
	for (unsigned i = 0; i < a->nallocs; i++)
		if (la_alloc_id_eq(&a->allocs[i].id, id))
			return &a->allocs[i];
	return NULL;
}

/* Carve r out of free range i and record the allocation. Both vectors are
 * grown first, so a failure leaves the allocator as it was. */
static int la_addr_alloc_take(struct la_addr_alloc *a, unsigned i, struct la_range r,
			      const struct la_alloc_id *id, const char *tag)
{
	struct la_range before, after;
	struct la_alloc_rec *rec;
	int err;

	err = la_vec_reserve((void **)&a->free, a->nfree + 1, &a->capfree, sizeof(r));
	if (!err)
		err = la_vec_reserve((void **)&a->allocs, a->nallocs, &a->capallocs,
				     sizeof(*a->allocs));
	if (err)
		return err;
	la_range_subtract(a->free[i], r, &before, &after);
	la_free_remove(a, i);
	if (!la_range_is_empty(after))
		la_free_insert(a, i, after);
	if (!la_range_is_empty(before))
		la_free_insert(a, i, before);
	rec = &a->allocs[a->nallocs++];
	memset(rec, 0, sizeof(*rec));
	rec->id = *id;
	rec->range = r;
	strcpy(rec->tag, tag);
	return 0;
}

/* The checks every allocation starts with, in crosvm's order. */
static int la_addr_alloc_precheck(const struct la_addr_alloc *a, uint64_t size,
				  const struct la_alloc_id *id, const char *tag,
				  uint64_t align)
{
	if (la_addr_alloc_find(a, id))
		return -LA_ERR_EXISTINGALLOC;
	if (size == 0)
		return -LA_ERR_ALLOCSIZEZERO;
	if (!la_is_pow2(align))
		return -LA_ERR_BADALIGN;
	if (strlen(tag) >= LA_ALLOC_NAME_MAX)
		return -LA_ERR_NAMELEN;
	return 0;
}

/* Where an aligned block of size fits in r going up; false if it does not. */
static bool la_fit_up(struct la_range r, uint64_t size, uint64_t align, uint64_t *at)
{
	bool ok;
	uint64_t start = la_align_up(r.start, align, &ok);

	if (!ok || start > r.end || size - 1 > r.end - start)
		return false;
	*at = start;
	return true;
}

/* Where an aligned block of size fits in r going down. */
static bool la_fit_down(struct la_range r, uint64_t size, uint64_t align, uint64_t *at)
{
	uint64_t start;

	if (size - 1 > r.end)
		return false;
	start = la_align_down(r.end - (size - 1), align);
	if (start < r.start)
		return false;
	*at = start;
	return true;
}

static int la_addr_alloc_fit(struct la_addr_alloc *a, uint64_t size,
			     const struct la_alloc_id *id, const char *tag,
			     uint64_t align, bool reverse, uint64_t *out)
{
	uint64_t at = 0;
	int err;

	if (align < a->min_align)
		align = a->min_align;
	err = la_addr_alloc_precheck(a, size, id, tag, align);
	if (err)
		return err;
	for (unsigned k = 0; k < a->nfree; k++) {
		unsigned i = reverse ? a->nfree - 1 - k : k;
		bool fits = reverse ? la_fit_down(a->free[i], size, align, &at)
				    : la_fit_up(a->free[i], size, align, &at);

		if (!fits)
			continue;
		err = la_addr_alloc_take(a, i, (struct la_range){ at, at + (size - 1) }, id, tag);
		if (!err && out)
			*out = at;
		return err;
	}
	return -LA_ERR_NOSPACE;
}

int la_addr_alloc_allocate_with_align(struct la_addr_alloc *a, uint64_t size,
				      const struct la_alloc_id *id, const char *tag,
				      uint64_t align, uint64_t *out)
{
	return la_addr_alloc_fit(a, size, id, tag, align, false, out);
}

int la_addr_alloc_reverse_allocate_with_align(struct la_addr_alloc *a, uint64_t size,
					      const struct la_alloc_id *id,
					      const char *tag, uint64_t align,
					      uint64_t *out)
{
	return la_addr_alloc_fit(a, size, id, tag, align, true, out);
}

int la_addr_alloc_allocate(struct la_addr_alloc *a, uint64_t size,
			   const struct la_alloc_id *id, const char *tag, uint64_t *out)
{
	int err = la_addr_alloc_fit(a, size, id, tag, a->preferred_align, false, out);

	if (err)
		err = la_addr_alloc_fit(a, size, id, tag, a->min_align, false, out);
	return err;
}

int la_addr_alloc_reverse_allocate(struct la_addr_alloc *a, uint64_t size,
				   const struct la_alloc_id *id, const char *tag,
				   uint64_t *out)
{
	int err = la_addr_alloc_fit(a, size, id, tag, a->preferred_align, true, out);

	if (err)
		err = la_addr_alloc_fit(a, size, id, tag, a->min_align, true, out);
	return err;
}

int la_addr_alloc_allocate_at(struct la_addr_alloc *a, struct la_range range,
			      const struct la_alloc_id *id, const char *tag,
			      struct la_alloc_id *conflict)
{
	if (la_addr_alloc_find(a, id))
		return -LA_ERR_EXISTINGALLOC;
	if (la_range_is_empty(range))
		return -LA_ERR_ALLOCSIZEZERO;
	if (strlen(tag) >= LA_ALLOC_NAME_MAX)
		return -LA_ERR_NAMELEN;
	for (unsigned i = 0; i < a->nfree; i++)
		if (la_range_contains_range(a->free[i], range))
			return la_addr_alloc_take(a, i, range, id, tag);
	for (unsigned i = 0; i < a->nallocs; i++) {
		if (la_range_overlaps(a->allocs[i].range, range)) {
			if (conflict)
				*conflict = a->allocs[i].id;
			return -LA_ERR_EXISTINGALLOC;
		}
	}
	return -LA_ERR_NOSPACE;
}

/* Put r back into the free list, merged with touching neighbours. */
static int la_addr_alloc_insert_free(struct la_addr_alloc *a, struct la_range r)
{
	unsigned i = 0;

	while (i < a->nfree && a->free[i].start < r.start)
		i++;
	if ((i > 0 && a->free[i - 1].end >= r.start) ||
	    (i < a->nfree && a->free[i].start <= r.end))
		return -LA_ERR_REGIONOVERLAP;
	if (i > 0 && a->free[i - 1].end + 1 == r.start) {
		r.start = a->free[i - 1].start;
		la_free_remove(a, --i);
	}
	if (i < a->nfree && r.end != UINT64_MAX && r.end + 1 == a->free[i].start) {
		r.end = a->free[i].end;
		la_free_remove(a, i);
	}
	return la_free_insert(a, i, r);
}

int la_addr_alloc_release(struct la_addr_alloc *a, const struct la_alloc_id *id,
			  struct la_range *out)
{
	const struct la_alloc_rec *rec = la_addr_alloc_find(a, id);
	struct la_range r;
	unsigned i;
	int err;

	if (!rec)
		return -LA_ERR_BADALLOC;
	/* a release can need one more free slot (no neighbour to merge with) */
	err = la_vec_reserve((void **)&a->free, a->nfree, &a->capfree, sizeof(r));
	if (err)
		return err;
	i = (unsigned)(rec - a->allocs);
	r = rec->range;
	memmove(&a->allocs[i], &a->allocs[i + 1], (a->nallocs - i - 1) * sizeof(*rec));
	a->nallocs--;
	if (out)
		*out = r;
	return la_addr_alloc_insert_free(a, r);
}

int la_addr_alloc_release_containing(struct la_addr_alloc *a, uint64_t value)
{
	for (unsigned i = 0; i < a->nallocs; i++) {
		if (la_range_contains(a->allocs[i].range, value)) {
			struct la_alloc_id id = a->allocs[i].id;

			return la_addr_alloc_release(a, &id, NULL);
		}
	}
	return -LA_ERR_NOSPACE;
}

uint64_t la_addr_alloc_max_addr(const struct la_addr_alloc *a)
{
	return a->nfree ? a->free[a->nfree - 1].end : 0;
}

int la_addr_alloc_pci_offset(const struct la_addr_alloc *a, const struct la_alloc_id *id,
			     uint64_t offset, uint64_t size, uint64_t *out)
{
	const struct la_alloc_rec *rec;
	struct la_range want;

	if (id->type != LA_ALLOC_PCI_BAR)
		return -LA_ERR_INVALIDALLOC;
	rec = la_addr_alloc_find(a, id);
	if (!rec)
		return -LA_ERR_INVALIDALLOC;
	if (offset > UINT64_MAX - rec->range.start)
		return -LA_ERR_OUTOFBOUNDS;
	want.start = rec->range.start + offset;
	if (size == 0)
		want.end = want.start;
	else if (la_range_from_size(want.start, size, &want))
		return -LA_ERR_OUTOFBOUNDS;
	if (!la_range_contains_range(rec->range, want))
		return -LA_ERR_OUTOFBOUNDS;
	*out = want.start;
	return 0;
}
